/* --list formats: text, JSON Lines, make; escaping in each. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listfmt.h"

static char buf[AW_LISTFMT_MAX];

static const char *fmt(enum aw_format f, unsigned kind, const char *path, const char *target)
{
    size_t n = aw_listfmt(f, kind, 42, path, strlen(path), target, buf, sizeof buf);
    ck_assert_uint_eq(n, strlen(buf));
    return buf;
}

START_TEST(text_plain)
{
    ck_assert_str_eq(fmt(AW_FMT_TEXT, AW_KIND_READ, "/a/b.py", NULL), "/a/b.py\n");
    ck_assert_str_eq(fmt(AW_FMT_TEXT, AW_KIND_STAT, "/a/b.py", NULL), "/a/b.py\n");
    ck_assert_str_eq(fmt(AW_FMT_TEXT, AW_KIND_EXEC, "/usr/bin/python3", NULL),
                     "/usr/bin/python3\n");
    ck_assert_str_eq(fmt(AW_FMT_TEXT, AW_KIND_LIB, "/lib/libc.so.6", NULL), "/lib/libc.so.6\n");
    /* not dependencies: not printed */
    ck_assert_uint_eq(aw_listfmt(AW_FMT_TEXT, AW_KIND_WRITE, 1, "/a/x", 4, NULL, buf, sizeof buf), 0);
    ck_assert_uint_eq(aw_listfmt(AW_FMT_TEXT, AW_KIND_MISSING, 1, "/a/x", 4, NULL, buf, sizeof buf), 0);
    ck_assert_uint_eq(aw_listfmt(AW_FMT_TEXT, AW_KIND_LISTED, 1, "/a", 2, NULL, buf, sizeof buf), 0);
}
END_TEST

START_TEST(text_escapes)
{
    ck_assert_str_eq(fmt(AW_FMT_TEXT, AW_KIND_READ, "/a b/$x#y.py", NULL), "/a b/$x#y.py\n");
    ck_assert_str_eq(fmt(AW_FMT_TEXT, AW_KIND_READ, "/a\nb", NULL), "/a\\nb\n");
    ck_assert_str_eq(fmt(AW_FMT_TEXT, AW_KIND_READ, "/a\tb", NULL), "/a\\tb\n");
    ck_assert_str_eq(fmt(AW_FMT_TEXT, AW_KIND_READ, "/a\\b", NULL), "/a\\\\b\n");
    ck_assert_str_eq(fmt(AW_FMT_TEXT, AW_KIND_READ, "/a\x01\x1f\x7f", NULL), "/a\\x01\\x1f\\x7f\n");
    ck_assert_str_eq(fmt(AW_FMT_TEXT, AW_KIND_READ, "/caf\xc3\xa9\xff", NULL), "/caf\xc3\xa9\xff\n");
}
END_TEST

START_TEST(json_plain)
{
    ck_assert_str_eq(fmt(AW_FMT_JSON, AW_KIND_READ, "/a/b.py", NULL),
                     "{\"path\":\"/a/b.py\",\"kind\":\"read\",\"pid\":42}\n");
    const char *kinds[] = {"", "read", "stat", "missing", "exec", "lib", "write", "listed"};
    for (unsigned k = 1; k <= AW_KIND_MAX; k++) {
        char want[128];
        snprintf(want, sizeof want, "{\"path\":\"/x\",\"kind\":\"%s\",\"pid\":42}\n", kinds[k]);
        ck_assert_str_eq(fmt(AW_FMT_JSON, k, "/x", NULL), want);
    }
    size_t n = aw_listfmt(AW_FMT_JSON, AW_KIND_READ, 4294967295u, "/x", 2, NULL, buf, sizeof buf);
    ck_assert_uint_gt(n, 0);
    ck_assert_ptr_nonnull(strstr(buf, "\"pid\":4294967295}"));
}
END_TEST

START_TEST(json_escapes)
{
    ck_assert_str_eq(fmt(AW_FMT_JSON, AW_KIND_READ, "/a b/$x#y\"\\", NULL),
                     "{\"path\":\"/a b/$x#y\\\"\\\\\",\"kind\":\"read\",\"pid\":42}\n");
    ck_assert_str_eq(fmt(AW_FMT_JSON, AW_KIND_READ, "/\n\t\r\b\f\x01\x1f\x7f", NULL),
                     "{\"path\":\"/\\n\\t\\r\\b\\f\\u0001\\u001f\x7f\",\"kind\":\"read\",\"pid\":42}\n");
    /* valid UTF-8 passes through */
    ck_assert_str_eq(fmt(AW_FMT_JSON, AW_KIND_READ, "/caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80", NULL),
                     "{\"path\":\"/caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80\",\"kind\":\"read\",\"pid\":42}\n");
    /* invalid bytes: surrogateescape */
    ck_assert_str_eq(fmt(AW_FMT_JSON, AW_KIND_READ, "/a\xff\x80", NULL),
                     "{\"path\":\"/a\\udcff\\udc80\",\"kind\":\"read\",\"pid\":42}\n");
    /* truncated sequence, overlong, encoded surrogate, above U+10FFFF */
    ck_assert_str_eq(fmt(AW_FMT_JSON, AW_KIND_READ, "/\xc3", NULL),
                     "{\"path\":\"/\\udcc3\",\"kind\":\"read\",\"pid\":42}\n");
    ck_assert_str_eq(fmt(AW_FMT_JSON, AW_KIND_READ, "/\xc0\xaf", NULL),
                     "{\"path\":\"/\\udcc0\\udcaf\",\"kind\":\"read\",\"pid\":42}\n");
    ck_assert_str_eq(fmt(AW_FMT_JSON, AW_KIND_READ, "/\xed\xa0\x80", NULL),
                     "{\"path\":\"/\\udced\\udca0\\udc80\",\"kind\":\"read\",\"pid\":42}\n");
    ck_assert_str_eq(fmt(AW_FMT_JSON, AW_KIND_READ, "/\xf4\x90\x80\x80", NULL),
                     "{\"path\":\"/\\udcf4\\udc90\\udc80\\udc80\",\"kind\":\"read\",\"pid\":42}\n");
    ck_assert_str_eq(fmt(AW_FMT_JSON, AW_KIND_READ, "/\xe2\x82x", NULL),
                     "{\"path\":\"/\\udce2\\udc82x\",\"kind\":\"read\",\"pid\":42}\n");
}
END_TEST

START_TEST(make_plain)
{
    ck_assert_str_eq(fmt(AW_FMT_MAKE, AW_KIND_READ, "/a/b.py", "python3"),
                     "python3: /a/b.py\n/a/b.py:\n");
    ck_assert_str_eq(fmt(AW_FMT_MAKE, AW_KIND_LIB, "/l.so", NULL), "all: /l.so\n/l.so:\n");
    ck_assert_uint_eq(aw_listfmt(AW_FMT_MAKE, AW_KIND_WRITE, 1, "/a/x", 4, "t", buf, sizeof buf), 0);
    ck_assert_uint_eq(aw_listfmt(AW_FMT_MAKE, AW_KIND_MISSING, 1, "/a/x", 4, "t", buf, sizeof buf), 0);
    ck_assert_uint_eq(aw_listfmt(AW_FMT_MAKE, AW_KIND_LISTED, 1, "/a", 2, "t", buf, sizeof buf), 0);
}
END_TEST

START_TEST(make_escapes)
{
    ck_assert_str_eq(fmt(AW_FMT_MAKE, AW_KIND_READ, "/a b/$x#y.py", "my app"),
                     "my\\ app: /a\\ b/$$x\\#y.py\n/a\\ b/$$x\\#y.py:\n");
    /* a tab: the prerequisite only (a rule's target cannot hold one) */
    ck_assert_str_eq(fmt(AW_FMT_MAKE, AW_KIND_READ, "/a\tb", "t"), "t: /a\\\tb\n");
    ck_assert_str_eq(fmt(AW_FMT_MAKE, AW_KIND_READ, "/a:b/c:", "t:1"), "t\\:1: /a\\:b/c\\:\n/a\\:b/c\\::\n");
    ck_assert_str_eq(fmt(AW_FMT_MAKE, AW_KIND_READ, "/caf\xc3\xa9\xff", "t"),
                     "t: /caf\xc3\xa9\xff\n/caf\xc3\xa9\xff:\n");
    /* ':' would end the target list; '%' in a rule's target would make a
     * pattern rule (in a prerequisite it is literal) */
    ck_assert_str_eq(fmt(AW_FMT_MAKE, AW_KIND_READ, "/a:b/50%.py", "t"),
                     "t: /a\\:b/50%.py\n/a\\:b/50\\%.py:\n");
    ck_assert_str_eq(fmt(AW_FMT_MAKE, AW_KIND_READ, "/d/-rf.py", "t"), "t: /d/-rf.py\n/d/-rf.py:\n");
    /* make cannot express a newline in a name: skipped */
    ck_assert_uint_eq(aw_listfmt(AW_FMT_MAKE, AW_KIND_READ, 1, "/a\nb", 4, "t", buf, sizeof buf), 0);
}
END_TEST

START_TEST(small_buffer)
{
    char small[8];
    ck_assert_uint_eq(aw_listfmt(AW_FMT_TEXT, AW_KIND_READ, 1, "/abcdefgh", 9, NULL, small, sizeof small), 0);
    ck_assert_str_eq(small, "");
    ck_assert_uint_eq(aw_listfmt(AW_FMT_TEXT, AW_KIND_READ, 1, "/abcdef", 7, NULL, small, sizeof small), 0);
    ck_assert_uint_eq(aw_listfmt(AW_FMT_TEXT, AW_KIND_READ, 1, "/abcde", 6, NULL, small, sizeof small), 7);
    ck_assert_str_eq(small, "/abcde\n");
    /* the worst case fits in AW_LISTFMT_MAX */
    static char path[AW_PATH_MAX];
    memset(path, 0xff, sizeof path);
    path[0] = '/';
    ck_assert_uint_gt(aw_listfmt(AW_FMT_JSON, AW_KIND_READ, 4294967295u, path, sizeof path, NULL, buf, sizeof buf), 0);
    memset(path, '$', sizeof path);
    path[0] = '/';
    static char target[AW_PATH_MAX + 1];
    memset(target, '#', AW_PATH_MAX);
    ck_assert_uint_gt(aw_listfmt(AW_FMT_MAKE, AW_KIND_READ, 1, path, sizeof path, target, buf, sizeof buf), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("listfmt");
    TCase *t = tcase_create("formats");
    tcase_add_test(t, text_plain);
    tcase_add_test(t, text_escapes);
    tcase_add_test(t, json_plain);
    tcase_add_test(t, json_escapes);
    tcase_add_test(t, make_plain);
    tcase_add_test(t, make_escapes);
    tcase_add_test(t, small_buffer);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
