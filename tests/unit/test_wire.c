#include "wire.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(round_trip)
{
    unsigned char buf[AW_WIRE_MAX];
    struct aw_ident id = {0x1122334455667788ull, 42, -5, 1ll << 40, 1234567890123456789ll,
                          0100755, 3, 0xfffffffeu, 7};
    const char *p = "/a/b c/\xff.py";
    for (unsigned k = 1; k <= AW_KIND_MAX; k++) {
        size_t n = aw_wire_encode(buf, k, 0xdeadbeefu, &id, p, strlen(p));
        ck_assert_uint_eq(n, AW_WIRE_HDR + strlen(p));
        struct aw_record r;
        ck_assert_int_eq(aw_wire_decode(buf, n, &r), 0);
        ck_assert_uint_eq(r.kind, k);
        ck_assert_uint_eq(r.pid, 0xdeadbeefu);
        ck_assert(r.ident.dev == id.dev && r.ident.ino == id.ino);
        ck_assert(r.ident.mtime_ns == -5 && r.ident.size == (1ll << 40));
        ck_assert(r.ident.ctime_ns == 1234567890123456789ll && r.ident.mode == 0100755);
        ck_assert(r.ident.nlink == 3 && r.ident.uid == 0xfffffffeu && r.ident.gid == 7);
        ck_assert_uint_eq(r.len, strlen(p));
        ck_assert(memcmp(r.path, p, r.len) == 0);
    }
    size_t n = aw_wire_encode(buf, AW_KIND_WRITE, 1, NULL, "/x", 2);
    struct aw_record r;
    ck_assert_int_eq(aw_wire_decode(buf, n, &r), 0);
    ck_assert(r.ident.dev == 0 && r.ident.ino == 0 && r.ident.ctime_ns == 0 && r.ident.mode == 0);
}
END_TEST

START_TEST(encode_rejects)
{
    unsigned char buf[AW_WIRE_MAX];
    static char big[AW_PATH_MAX + 2];
    memset(big, 'a', sizeof big);
    big[0] = '/';
    ck_assert_uint_eq(aw_wire_encode(buf, 1, 1, NULL, "", 0), 0);
    ck_assert_uint_eq(aw_wire_encode(buf, 1, 1, NULL, "rel", 3), 0);
    ck_assert_uint_eq(aw_wire_encode(buf, 0, 1, NULL, "/x", 2), 0);
    ck_assert_uint_eq(aw_wire_encode(buf, AW_KIND_MAX + 1, 1, NULL, "/x", 2), 0);
    ck_assert_uint_eq(aw_wire_encode(buf, 1, 1, NULL, big, AW_PATH_MAX + 1), 0);
    ck_assert_uint_eq(aw_wire_encode(buf, 1, 1, NULL, big, AW_PATH_MAX), AW_WIRE_MAX);
}
END_TEST

START_TEST(decode_rejects)
{
    unsigned char buf[AW_WIRE_MAX + 8], bad[AW_WIRE_MAX + 8];
    struct aw_record r;
    size_t n = aw_wire_encode(buf, AW_KIND_READ, 7, NULL, "/ok.py", 6);
    ck_assert_int_eq(aw_wire_decode(buf, AW_WIRE_HDR, &r), -1);   /* no path */
    ck_assert_int_eq(aw_wire_decode(buf, 3, &r), -1);             /* short */
    ck_assert_int_eq(aw_wire_decode(buf, AW_WIRE_MAX + 1, &r), -1); /* long */
    int idx[] = {0, 1, 2, 3, AW_WIRE_HDR};
    unsigned char val[] = {0, 9, 0, 2, 'x'}; /* byte 3: an unknown flag */
    for (size_t i = 0; i < sizeof idx / sizeof *idx; i++) {
        memcpy(bad, buf, n);
        bad[idx[i]] = val[i];
        ck_assert_int_eq(aw_wire_decode(bad, n, &r), -1);
    }
    memcpy(bad, buf, n);
    bad[2] = AW_KIND_MAX + 1;
    ck_assert_int_eq(aw_wire_decode(bad, n, &r), -1);
    memcpy(bad, buf, n);
    bad[AW_WIRE_HDR + 2] = 0; /* embedded NUL */
    ck_assert_int_eq(aw_wire_decode(bad, n, &r), -1);
    ck_assert_int_eq(aw_wire_decode(buf, n, &r), 0);
}
END_TEST

START_TEST(flags)
{
    unsigned char buf[AW_WIRE_MAX];
    struct aw_record r;
    size_t n = aw_wire_encode_flags(buf, AW_KIND_EXEC, AW_FLAG_EXECING, 9, NULL, "/bin/x", 6);
    ck_assert_uint_eq(n, AW_WIRE_HDR + 6);
    ck_assert_uint_eq(buf[3], AW_FLAG_EXECING);
    ck_assert_int_eq(aw_wire_decode(buf, n, &r), 0);
    ck_assert_uint_eq(r.flags, AW_FLAG_EXECING);
    ck_assert_uint_eq(r.kind, AW_KIND_EXEC);
    n = aw_wire_encode(buf, AW_KIND_EXEC, 9, NULL, "/bin/x", 6);
    ck_assert_int_eq(aw_wire_decode(buf, n, &r), 0);
    ck_assert_uint_eq(r.flags, 0);
    ck_assert_uint_eq(aw_wire_encode_flags(buf, AW_KIND_EXEC, 2, 9, NULL, "/bin/x", 6), 0);
    /* version 2 had byte 3 always 0: its records are not read as version 3 */
    n = aw_wire_encode(buf, AW_KIND_READ, 9, NULL, "/a.py", 5);
    buf[1] = 2;
    ck_assert_int_eq(aw_wire_decode(buf, n, &r), -1);
}
END_TEST

START_TEST(kind_names)
{
    ck_assert_str_eq(aw_kind_name(AW_KIND_MISSING), "missing");
    ck_assert_str_eq(aw_kind_name(99), "?");
    ck_assert(aw_kind_is_dependency(AW_KIND_LIB));
    ck_assert(!aw_kind_is_dependency(AW_KIND_WRITE));
    ck_assert(!aw_kind_is_dependency(AW_KIND_LISTED));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("wire");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, encode_rejects);
    tcase_add_test(tc, decode_rejects);
    tcase_add_test(tc, flags);
    tcase_add_test(tc, kind_names);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
