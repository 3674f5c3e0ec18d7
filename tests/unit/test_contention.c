/* When the short quiet window for a landed save is refused: the CPUs are
 * contended by the pressure average, by the tasks runnable right now, or
 * by the load average where pressure information is missing. */
#include <check.h>
#include <stdlib.h>

#include "contention.h"

#define PSI(avg10) "some avg10=" avg10 " avg60=0.00 avg300=0.00 total=1149409104\n" \
                   "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"

START_TEST(quiet_machine)
{
    /* the reader and the writer, one CPU each */
    ck_assert_int_eq(aw_contended(PSI("0.00"), "0.44 1.71 1.75 2/84 20946\n", 2), 0);
    ck_assert_int_eq(aw_contended(PSI("9.99"), "0.44 1.71 1.75 1/84 20946\n", 2), 0);
}
END_TEST

START_TEST(pressure_average)
{
    ck_assert_int_eq(aw_contended(PSI("10.00"), "0.44 1.71 1.75 1/84 20946\n", 2), 1);
    ck_assert_int_eq(aw_contended(PSI("63.20"), NULL, 8), 1);
}
END_TEST

/* load that began a moment ago: the average is still low, the runnable
 * count is not */
START_TEST(runnable_now)
{
    ck_assert_int_eq(aw_contended(PSI("0.00"), "0.44 1.71 1.75 3/84 20946\n", 2), 1);
    ck_assert_int_eq(aw_contended(PSI("0.00"), "0.44 1.71 1.75 8/84 20946\n", 8), 0);
    ck_assert_int_eq(aw_contended(PSI("0.00"), "0.44 1.71 1.75 9/84 20946\n", 8), 1);
    ck_assert_int_eq(aw_contended(PSI("0.00"), "0.00 0.00 0.00 2/84 1\n", 0), 1); /* 0 CPUs: 1 */
}
END_TEST

START_TEST(no_pressure_file)
{
    ck_assert_int_eq(aw_contended(NULL, "2.50 1.71 1.75 1/84 20946\n", 2), 1);
    ck_assert_int_eq(aw_contended(NULL, "1.50 1.71 1.75 1/84 20946\n", 2), 0);
}
END_TEST

START_TEST(cannot_tell)
{
    ck_assert_int_eq(aw_contended(NULL, NULL, 2), 1);
    ck_assert_int_eq(aw_contended("garbage", "garbage", 2), 1);
    ck_assert_int_eq(aw_contended("some avg10=", "1.0 2.0", 2), 1);
    /* a readable pressure file alone decides */
    ck_assert_int_eq(aw_contended(PSI("0.00"), NULL, 2), 0);
}
END_TEST

/* what a second look a moment later cannot change: the averages, or that
 * nothing can be told; the runnable count alone is not lasting */
START_TEST(lasting)
{
    ck_assert_int_eq(aw_contended_lasting(PSI("0.00"), "0.44 1.71 1.75 3/84 20946\n", 2), 0);
    ck_assert_int_eq(aw_contended_lasting(PSI("10.00"), "0.44 1.71 1.75 1/84 20946\n", 2), 1);
    ck_assert_int_eq(aw_contended_lasting(NULL, "2.50 1.71 1.75 1/84 20946\n", 2), 1);
    ck_assert_int_eq(aw_contended_lasting(NULL, "1.50 1.71 1.75 3/84 20946\n", 2), 0);
    ck_assert_int_eq(aw_contended_lasting(NULL, NULL, 2), 1);
    ck_assert_int_eq(aw_contended_lasting(PSI("9.99"), "0.44 1.71 1.75 9/84 20946\n", 2), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("contention");
    TCase *t = tcase_create("contention");
    tcase_add_test(t, quiet_machine);
    tcase_add_test(t, pressure_average);
    tcase_add_test(t, runnable_now);
    tcase_add_test(t, no_pressure_file);
    tcase_add_test(t, cannot_tell);
    tcase_add_test(t, lasting);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
