#include "extset.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static int M(const struct aw_extset *s, const char *p) { return aw_extset_match(s, p, strlen(p)); }

START_TEST(defaults)
{
    struct aw_extset s;
    aw_extset_default(&s);
    ck_assert(M(&s, "/a/b.py"));
    ck_assert(M(&s, "x.json"));
    ck_assert(M(&s, "/l/libfoo.so"));
    ck_assert(M(&s, "/l/libfoo.so.1"));
    ck_assert(M(&s, "/l/libfoo.so.1.2"));
    ck_assert(M(&s, "/l/libfoo.so.1.2.3"));
    ck_assert(!M(&s, "/l/libfoo.so.x"));
    ck_assert(!M(&s, "/l/libfoo.so."));
    ck_assert(M(&s, "/app/.env"));
    ck_assert(M(&s, "/app/x.sh"));
    ck_assert(!M(&s, "/a/b.pyc"));
    ck_assert(!M(&s, "/a/b.txt"));
    ck_assert(!M(&s, "/a/py"));
    ck_assert(!M(&s, "/a.py/b"));
    ck_assert(!M(&s, "/a/b."));
    ck_assert(!M(&s, ""));
}
END_TEST

START_TEST(rc_dot_files)
{
    struct aw_extset s;
    aw_extset_default(&s);
    ck_assert(M(&s, "/home/u/.apprc"));
    ck_assert(M(&s, "/home/u/.bashrc"));
    ck_assert(!M(&s, "/home/u/.rc"));
    ck_assert(!M(&s, "/home/u/apprc"));
    ck_assert(!M(&s, "/home/u/.app.rc"));
    ck_assert(!M(&s, "/home/u/src"));
    /* a list replaces the rule too; naming one still works */
    ck_assert_int_eq(aw_extset_parse(&s, "py"), 0);
    ck_assert(!M(&s, "/home/u/.apprc"));
    ck_assert_int_eq(aw_extset_parse(&s, "py,apprc"), 0);
    ck_assert(M(&s, "/home/u/.apprc"));
    ck_assert(!M(&s, "/home/u/.npmrc"));
}
END_TEST

START_TEST(parse_lists)
{
    struct aw_extset s;
    ck_assert_int_eq(aw_extset_parse(&s, "py,toml"), 0);
    ck_assert_uint_eq(s.n, 2);
    ck_assert(M(&s, "/a.toml"));
    ck_assert(!M(&s, "/a.json"));
    ck_assert_int_eq(aw_extset_parse(&s, ".py, .txt"), 0);
    ck_assert(M(&s, "/a.txt"));
    ck_assert(!M(&s, "/l/libx.so.1"));
    ck_assert_int_eq(aw_extset_parse(&s, "so"), 0);
    ck_assert(M(&s, "/l/libx.so.1.2"));
    ck_assert_int_eq(aw_extset_parse(&s, ""), -1);
    ck_assert_int_eq(aw_extset_parse(&s, "py,,toml"), -1);
    ck_assert_int_eq(aw_extset_parse(&s, "a/b"), -1);
    ck_assert_int_eq(aw_extset_parse(&s, "abcdefghijklmnopq"), -1);
    ck_assert_int_eq(aw_extset_parse(&s, NULL), -1);
}
END_TEST

START_TEST(all_matches)
{
    struct aw_extset s;
    aw_extset_default(&s);
    s.all = 1;
    ck_assert(M(&s, "/etc/passwd"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("extset");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, parse_lists);
    tcase_add_test(tc, rc_dot_files);
    tcase_add_test(tc, all_matches);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
