/* The dependency set: a path -> entry map with stable entries. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depset.h"

static const char *K(const char *p)
{
    static char b[64];
    size_t n;
    const char *k = aw_ext_key(p, strlen(p), &n);
    memcpy(b, k, n);
    b[n] = '\0';
    return b;
}

START_TEST(test_ext_key)
{
    ck_assert_str_eq(K("/a/b.py"), "py");
    ck_assert_str_eq(K("/a/b.tar.gz"), "gz");
    ck_assert_str_eq(K("/l/libfoo.so.1.2"), "so");
    ck_assert_str_eq(K("/l/m.cpython-311-x86_64-linux-gnu.so"), "so");
    ck_assert_str_eq(K("/a/.env"), ".env");
    ck_assert_str_eq(K("/a/.apprc"), ".apprc");
    ck_assert_str_eq(K("/a/.app.py.swp"), "swp");
    ck_assert_str_eq(K("/a/Makefile"), "");
    ck_assert_str_eq(K("/a/4913"), "");
    ck_assert_str_eq(K("/a/x.1"), "");
    ck_assert_str_eq(K("/a.py/b"), "");
    ck_assert_str_eq(K("b.json"), "json");
}
END_TEST

START_TEST(test_dir_exts)
{
    struct aw_depset *s = aw_depset_new();
    struct aw_dep *d = aw_depset_add(s, "/a", 2);
    ck_assert_int_eq(aw_dep_has_ext(d, "py", 2), 0);
    ck_assert_int_eq(aw_dep_note_ext(d, "py", 2), 0);
    ck_assert_int_eq(aw_dep_note_ext(d, "py", 2), 0); /* once */
    ck_assert_int_eq(aw_dep_note_ext(d, "", 0), 0);
    ck_assert_int_eq(aw_dep_note_ext(d, "so", 2), 0);
    ck_assert_uint_eq(d->extlen, 3 + 1 + 3);
    ck_assert_int_eq(aw_dep_has_ext(d, "py", 2), 1);
    ck_assert_int_eq(aw_dep_has_ext(d, "so", 2), 1);
    ck_assert_int_eq(aw_dep_has_ext(d, "", 0), 1);
    ck_assert_int_eq(aw_dep_has_ext(d, "p", 1), 0);
    ck_assert_int_eq(aw_dep_has_ext(d, "json", 4), 0);
    aw_depset_free(s); /* frees the key list too (ASan build) */
}
END_TEST

START_TEST(test_add_find)
{
    struct aw_depset *s = aw_depset_new();
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_null(aw_depset_find(s, "/a/b.py", 7));
    struct aw_dep *d = aw_depset_add(s, "/a/b.pyXXX", 7); /* length counts, not NUL */
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(d->path, "/a/b.py");
    ck_assert_uint_eq(d->len, 7);
    ck_assert_uint_eq(d->kinds, 0);
    ck_assert_int_eq(d->written, 0);
    ck_assert_ptr_eq(aw_depset_find(s, "/a/b.py", 7), d);
    ck_assert_ptr_eq(aw_depset_add(s, "/a/b.py", 7), d);
    ck_assert_ptr_null(aw_depset_find(s, "/a/b.p", 6));
    ck_assert_ptr_null(aw_depset_find(s, "/a/b.pyc", 8));
    ck_assert_uint_eq(aw_depset_size(s), 1);
    aw_depset_free(s);
}
END_TEST

START_TEST(test_stable_across_growth)
{
    struct aw_depset *s = aw_depset_new();
    enum { N = 5000 };
    static struct aw_dep *keep[N];
    char p[64];
    for (int i = 0; i < N; i++) {
        int n = snprintf(p, sizeof p, "/dir%d/file%d.py", i % 17, i);
        keep[i] = aw_depset_add(s, p, (size_t)n);
        ck_assert_ptr_nonnull(keep[i]);
        keep[i]->kinds = (unsigned)i;
    }
    ck_assert_uint_eq(aw_depset_size(s), N);
    for (int i = 0; i < N; i++) {
        int n = snprintf(p, sizeof p, "/dir%d/file%d.py", i % 17, i);
        struct aw_dep *d = aw_depset_find(s, p, (size_t)n);
        ck_assert_ptr_eq(d, keep[i]);
        ck_assert_str_eq(d->path, p);
        ck_assert_uint_eq(d->kinds, (unsigned)i);
    }
    size_t it = 0, seen = 0;
    while (aw_depset_next(s, &it))
        seen++;
    ck_assert_uint_eq(seen, N);
    aw_depset_free(s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("depset");
    TCase *t = tcase_create("depset");
    tcase_add_test(t, test_add_find);
    tcase_add_test(t, test_stable_across_growth);
    tcase_add_test(t, test_ext_key);
    tcase_add_test(t, test_dir_exts);
    suite_add_tcase(su, t);
    SRunner *r = srunner_create(su);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
