/* Programs that went dark: exec records, then silence, per pid. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dark.h"

static struct aw_dark *D;

static void setup(void)
{
    D = aw_dark_new();
    ck_assert_ptr_nonnull(D);
}

static void teardown(void)
{
    aw_dark_free(D);
    D = NULL;
}

static void ex(uint32_t pid, const char *name, int64_t now)
{
    aw_dark_exec(D, pid, name, strlen(name), now);
}

START_TEST(test_empty)
{
    ck_assert_ptr_null(aw_dark_due(D, 5000, 0));
    ck_assert_int_eq(aw_dark_next(D), -1);
    ck_assert_uint_eq(aw_dark_count(D), 0);
    aw_dark_heard(D, 42); /* nothing armed: nothing happens */
    ck_assert_uint_eq(aw_dark_count(D), 0);
}
END_TEST

START_TEST(test_silence_after_exec_is_due_after_the_window)
{
    ex(100, "bin/helper", 1000);
    ck_assert_int_eq(aw_dark_next(D), 1000 + AW_DARK_MS);
    ck_assert_ptr_null(aw_dark_due(D, 1000 + AW_DARK_MS - 1, AW_DARK_MS));
    ck_assert_str_eq(aw_dark_due(D, 1000 + AW_DARK_MS, AW_DARK_MS), "bin/helper");
    /* the group is gone: any silent entry counts, however young */
    ck_assert_str_eq(aw_dark_due(D, 1001, 0), "bin/helper");
    ck_assert_str_eq(aw_dark_name(D, 100), "bin/helper");
    ck_assert_ptr_null(aw_dark_name(D, 101));
}
END_TEST

START_TEST(test_any_later_record_of_the_pid_clears)
{
    ex(100, "/usr/bin/python3", 0);
    aw_dark_heard(D, 100); /* the new image reported its exe and libraries */
    ck_assert_ptr_null(aw_dark_due(D, 5000, 0));
    ck_assert_int_eq(aw_dark_next(D), -1);
    ck_assert_uint_eq(aw_dark_count(D), 0);
}
END_TEST

START_TEST(test_other_pids_do_not_clear)
{
    /* a shell runs a static helper in a fork child: the shell goes on
     * reporting with its own pid, the child says nothing */
    ex(201, "helper", 10);
    aw_dark_heard(D, 200);
    aw_dark_heard(D, 202);
    ck_assert_str_eq(aw_dark_due(D, 10 + AW_DARK_MS, AW_DARK_MS), "helper");
}
END_TEST

START_TEST(test_exec_again_replaces_the_entry)
{
    /* the pid spoke (the second exec record): the first exec was seen */
    ex(300, "first", 0);
    ex(300, "second", 500);
    ck_assert_uint_eq(aw_dark_count(D), 1);
    ck_assert_int_eq(aw_dark_next(D), 500 + AW_DARK_MS);
    ck_assert_ptr_null(aw_dark_due(D, AW_DARK_MS, AW_DARK_MS));
    ck_assert_str_eq(aw_dark_due(D, 500 + AW_DARK_MS, AW_DARK_MS), "second");
}
END_TEST

START_TEST(test_oldest_first)
{
    ex(1, "b", 200);
    ex(2, "a", 100);
    ex(3, "c", 300);
    ck_assert_int_eq(aw_dark_next(D), 100 + AW_DARK_MS);
    ck_assert_str_eq(aw_dark_due(D, 2000, 0), "a");
    aw_dark_heard(D, 2);
    ck_assert_str_eq(aw_dark_due(D, 2000, 0), "b");
    ck_assert_int_eq(aw_dark_next(D), 200 + AW_DARK_MS);
}
END_TEST

START_TEST(test_bounded_keeps_the_older_entries)
{
    char name[32];
    for (uint32_t i = 1; i <= AW_DARK_SLOTS + 10; i++) {
        snprintf(name, sizeof name, "p%u", i);
        ex(i, name, (int64_t)i);
    }
    ck_assert_uint_eq(aw_dark_count(D), AW_DARK_SLOTS);
    ck_assert_str_eq(aw_dark_due(D, 5000, 0), "p1");
    ck_assert_ptr_null(aw_dark_name(D, AW_DARK_SLOTS + 1)); /* dropped */
    /* a freed slot takes the next one */
    aw_dark_heard(D, 5);
    ex(1000, "late", 9000);
    ck_assert_str_eq(aw_dark_name(D, 1000), "late");
    ck_assert_uint_eq(aw_dark_count(D), AW_DARK_SLOTS);
}
END_TEST

START_TEST(test_pid_zero_and_clear)
{
    ex(0, "never", 0); /* no record carries pid 0 */
    ck_assert_uint_eq(aw_dark_count(D), 0);
    ex(7, "x", 0);
    ex(8, "y", 0);
    aw_dark_clear(D);
    ck_assert_uint_eq(aw_dark_count(D), 0);
    ck_assert_ptr_null(aw_dark_due(D, 5000, 0));
    ex(7, "z", 1); /* usable after a clear */
    ck_assert_str_eq(aw_dark_name(D, 7), "z");
}
END_TEST

START_TEST(test_name_is_copied_with_its_length)
{
    char buf[] = "/abs/path/of/prog-and-more";
    aw_dark_exec(D, 9, buf, strlen("/abs/path/of/prog"), 0);
    memset(buf, 'x', sizeof buf - 1);
    ck_assert_str_eq(aw_dark_name(D, 9), "/abs/path/of/prog");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dark");
    TCase *t = tcase_create("dark");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, test_empty);
    tcase_add_test(t, test_silence_after_exec_is_due_after_the_window);
    tcase_add_test(t, test_any_later_record_of_the_pid_clears);
    tcase_add_test(t, test_other_pids_do_not_clear);
    tcase_add_test(t, test_exec_again_replaces_the_entry);
    tcase_add_test(t, test_oldest_first);
    tcase_add_test(t, test_bounded_keeps_the_older_entries);
    tcase_add_test(t, test_pid_zero_and_clear);
    tcase_add_test(t, test_name_is_copied_with_its_length);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
