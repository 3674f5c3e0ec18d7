/* --socket address parsing: every accepted form, every rejection. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "sockaddr.h"

static struct aw_sockaddr a;
static char err[256];

#define BAD(word, s)                                                      \
    do {                                                                  \
        ck_assert_int_eq(aw_sockaddr_parse(s, &a, err, sizeof err), -1);  \
        ck_assert_ptr_null(strchr(err, '\n'));                            \
        ck_assert_msg(strstr(err, word), "'%s' not in '%s'", word, err);  \
    } while (0)

static void v4(const char *s, const char *text, const char *ip, int port)
{
    ck_assert_int_eq(aw_sockaddr_parse(s, &a, err, sizeof err), 0);
    ck_assert_int_eq(a.family, AF_INET);
    ck_assert_str_eq(a.text, text);
    const struct sockaddr_in *si = (const struct sockaddr_in *)&a.ss;
    char buf[32];
    inet_ntop(AF_INET, &si->sin_addr, buf, sizeof buf);
    ck_assert_str_eq(buf, ip);
    ck_assert_int_eq(ntohs(si->sin_port), port);
    ck_assert_int_eq(a.port, port);
    ck_assert_uint_eq(a.len, sizeof *si);
}

START_TEST(ipv4)
{
    v4("8000", "127.0.0.1:8000", "127.0.0.1", 8000); /* loopback by default */
    ck_assert_str_eq(a.name, "tcp-8000");
    v4("localhost:1", "127.0.0.1:1", "127.0.0.1", 1);
    v4("*:65535", "0.0.0.0:65535", "0.0.0.0", 65535);
    v4("127.0.0.2:8080", "127.0.0.2:8080", "127.0.0.2", 8080);
    v4("0.0.0.0:80", "0.0.0.0:80", "0.0.0.0", 80);
}
END_TEST

START_TEST(ipv6)
{
    ck_assert_int_eq(aw_sockaddr_parse("[::1]:8000", &a, err, sizeof err), 0);
    ck_assert_int_eq(a.family, AF_INET6);
    ck_assert_str_eq(a.text, "[::1]:8000");
    ck_assert_str_eq(a.name, "tcp6-8000");
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a.ss;
    ck_assert(IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr));
    ck_assert_int_eq(ntohs(s6->sin6_port), 8000);
    ck_assert_uint_eq(a.len, sizeof *s6);
    ck_assert_int_eq(aw_sockaddr_parse("[::]:1", &a, err, sizeof err), 0);
    ck_assert(IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr));
}
END_TEST

START_TEST(unix_path)
{
    ck_assert_int_eq(aw_sockaddr_parse("unix:/run/x.sock", &a, err, sizeof err), 0);
    ck_assert_int_eq(a.family, AF_UNIX);
    ck_assert_str_eq(a.name, "unix");
    ck_assert_str_eq(a.text, "unix:/run/x.sock");
    const struct sockaddr_un *su = (const struct sockaddr_un *)&a.ss;
    ck_assert_str_eq(su->sun_path, "/run/x.sock");
    ck_assert_int_eq(aw_sockaddr_parse("unix:rel.sock", &a, err, sizeof err), 0);
    char longp[200] = "unix:/";
    memset(longp + 6, 'a', 150);
    BAD("longer than", longp);
    BAD("empty unix", "unix:");
}
END_TEST

START_TEST(rejections)
{
    BAD("empty", "");
    BAD("bad port", "0");
    BAD("bad port", "65536");
    BAD("bad port", "99999999999999999999");
    BAD("bad port", "80a");
    BAD("bad port", "-1");
    BAD("bad port", "127.0.0.1:");
    BAD("bad host", ":80");
    BAD("bad host", "example.com:80");
    BAD("bad host", "256.0.0.1:80");
    BAD("brackets", "::1:80");
    BAD("[IPV6]:PORT", "[::1]80");
    BAD("[IPV6]:PORT", "[::1");
    BAD("bad IPv6", "[]:80");
    BAD("bad IPv6", "[zz]:80");
    BAD("bad port", "[::1]:0");
    ck_assert_int_eq(aw_sockaddr_parse(NULL, &a, err, sizeof err), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sockaddr");
    TCase *t = tcase_create("parse");
    tcase_add_test(t, ipv4);
    tcase_add_test(t, ipv6);
    tcase_add_test(t, unix_path);
    tcase_add_test(t, rejections);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
