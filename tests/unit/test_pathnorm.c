#include "pathnorm.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static const char *norm(const char *base, const char *p)
{
    static char out[4097];
    size_t n = aw_path_absolute(out, sizeof out, base, base ? strlen(base) : 0, p, strlen(p));
    return n ? out : NULL;
}

START_TEST(absolute_cases)
{
    ck_assert_str_eq(norm(NULL, "/a/b"), "/a/b");
    ck_assert_str_eq(norm(NULL, "//a//b//"), "/a/b");
    ck_assert_str_eq(norm(NULL, "/a/./b/."), "/a/b");
    ck_assert_str_eq(norm(NULL, "/a/b/../c"), "/a/c");
    ck_assert_str_eq(norm(NULL, "/../.."), "/");
    ck_assert_str_eq(norm(NULL, "/"), "/");
    ck_assert_str_eq(norm(NULL, "/a/b/c/../../d/.."), "/a");
    ck_assert_str_eq(norm(NULL, "/a/..b/.c"), "/a/..b/.c");
    ck_assert_str_eq(norm(NULL, "/.../x"), "/.../x");
}
END_TEST

START_TEST(relative_cases)
{
    ck_assert_str_eq(norm("/home/u", "x.py"), "/home/u/x.py");
    ck_assert_str_eq(norm("/home/u", "./x.py"), "/home/u/x.py");
    ck_assert_str_eq(norm("/home/u", "../v/x.py"), "/home/v/x.py");
    ck_assert_str_eq(norm("/", "x"), "/x");
    ck_assert_str_eq(norm("/home/u/", "a//b"), "/home/u/a/b");
    ck_assert_str_eq(norm("/a", "../../../x"), "/x");
    ck_assert_str_eq(norm("/a", "."), "/a");
    ck_assert_ptr_null(norm(NULL, "x"));
    ck_assert_ptr_null(norm("rel", "x"));
    ck_assert_ptr_null(norm("/a", ""));
}
END_TEST

START_TEST(too_long)
{
    char big[5000];
    memset(big, 'a', sizeof big);
    big[0] = '/';
    big[sizeof big - 1] = 0;
    ck_assert_ptr_null(norm(NULL, big));
    char out[8];
    ck_assert_uint_eq(aw_path_absolute(out, sizeof out, "/abc", 4, "defg", 4), 0);
    ck_assert_uint_eq(aw_path_absolute(out, sizeof out, "/ab", 3, "de", 2), 6);
    ck_assert_str_eq(out, "/ab/de");
}
END_TEST

START_TEST(normalize_in_place)
{
    char b[] = "/x/../y//z/.";
    ck_assert_uint_eq(aw_path_normalize(b, strlen(b)), 4);
    ck_assert_str_eq(b, "/y/z");
    char r[] = "rel";
    ck_assert_uint_eq(aw_path_normalize(r, 3), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pathnorm");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, absolute_cases);
    tcase_add_test(tc, relative_cases);
    tcase_add_test(tc, too_long);
    tcase_add_test(tc, normalize_in_place);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
