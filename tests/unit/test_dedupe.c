#include "dedupe.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t H(unsigned k, const char *p) { return aw_dedupe_hash(k, p, strlen(p)); }

START_TEST(once_per_key)
{
    static uint64_t tab[1024];
    memset(tab, 0, sizeof tab);
    ck_assert_int_eq(aw_dedupe_insert(tab, 1024, H(1, "/a.py")), 1);
    ck_assert_int_eq(aw_dedupe_insert(tab, 1024, H(1, "/a.py")), 0);
    ck_assert_int_eq(aw_dedupe_insert(tab, 1024, H(2, "/a.py")), 1); /* other kind */
    ck_assert_int_eq(aw_dedupe_insert(tab, 1024, H(1, "/b.py")), 1);
    ck_assert_int_eq(aw_dedupe_insert(tab, 1024, H(2, "/a.py")), 0);
    ck_assert(H(1, "") != 0);
}
END_TEST

START_TEST(overflow_reports_new)
{
    uint64_t tab[8] = {0};
    char p[32];
    for (int i = 0; i < 8; i++) {
        snprintf(p, sizeof p, "/f%d", i);
        ck_assert_int_eq(aw_dedupe_insert(tab, 8, H(1, p)), 1);
    }
    /* Full: an unseen key must still count as new (sent, never dropped). */
    ck_assert_int_eq(aw_dedupe_insert(tab, 8, H(1, "/other")), 1);
    ck_assert_int_eq(aw_dedupe_insert(tab, 8, H(1, "/other")), 1);
    /* Keys already in stay deduplicated. */
    ck_assert_int_eq(aw_dedupe_insert(tab, 8, H(1, "/f3")), 0);
}
END_TEST

START_TEST(contains_agrees_with_insert)
{
    uint64_t tab[8] = {0};
    ck_assert_int_eq(aw_dedupe_contains(tab, 8, H(0, "/a.pm")), 0);
    ck_assert_int_eq(aw_dedupe_insert(tab, 8, H(0, "/a.pm")), 1);
    ck_assert_int_eq(aw_dedupe_contains(tab, 8, H(0, "/a.pm")), 1);
    ck_assert_int_eq(aw_dedupe_contains(tab, 8, H(1, "/a.pm")), 0);
    char p[32];
    for (int i = 0; i < 8; i++) {
        snprintf(p, sizeof p, "/f%d", i);
        aw_dedupe_insert(tab, 8, H(0, p));
    }
    /* full table: an unseen key is "not in" (the work is done, never skipped) */
    ck_assert_int_eq(aw_dedupe_contains(tab, 8, H(0, "/other")), 0);
}
END_TEST

START_TEST(bounded_probe_many)
{
    static uint64_t tab[1 << 12];
    memset(tab, 0, sizeof tab);
    char p[32];
    int fresh = 0;
    for (int i = 0; i < 3000; i++) {
        snprintf(p, sizeof p, "/m/%d.py", i);
        fresh += aw_dedupe_insert(tab, 1 << 12, H(1, p));
    }
    ck_assert_int_eq(fresh, 3000);
    int again = 0;
    for (int i = 0; i < 3000; i++) {
        snprintf(p, sizeof p, "/m/%d.py", i);
        again += aw_dedupe_insert(tab, 1 << 12, H(1, p));
    }
    ck_assert_int_lt(again, 30); /* almost all found within the probe bound */
}
END_TEST

/* Two tables: a near one too small for the keys sends the rest far, and
 * every key is then found where it went, never reported twice. */
START_TEST(near_then_far)
{
    static uint64_t near[64], far[1 << 12];
    memset(near, 0, sizeof near);
    memset(far, 0, sizeof far);
    struct aw_seen s = {near, 64, far, 1 << 12};
    char p[32];
    int fresh = 0, went_far = 0;
    for (int i = 0; i < 2000; i++) {
        snprintf(p, sizeof p, "/n/%d.py", i);
        int f = 0;
        ck_assert_int_eq(aw_seen_contains(&s, H(1, p)), 0);
        fresh += aw_seen_insert(&s, H(1, p), &f);
        went_far += f;
        ck_assert_int_eq(aw_seen_contains(&s, H(1, p)), 1);
    }
    ck_assert_int_eq(fresh, 2000);
    ck_assert_int_ge(went_far, 2000 - 64);
    int again = 0;
    for (int i = 0; i < 2000; i++) {
        snprintf(p, sizeof p, "/n/%d.py", i);
        again += aw_seen_insert(&s, H(1, p), NULL);
    }
    ck_assert_int_eq(again, 0);
}
END_TEST

/* A program with a few thousand paths stays in the near table. */
START_TEST(small_program_stays_near)
{
    static uint64_t near[1 << 12], far[1 << 15];
    memset(near, 0, sizeof near);
    memset(far, 0, sizeof far);
    struct aw_seen s = {near, 1 << 12, far, 1 << 15};
    char p[32];
    int went_far = 0;
    for (int i = 0; i < 1500; i++) {
        snprintf(p, sizeof p, "/s/%d.pm", i);
        int f = 0;
        ck_assert_int_eq(aw_seen_insert(&s, H(0, p), &f), 1);
        went_far += f;
    }
    ck_assert_int_eq(went_far, 0);
    for (size_t i = 0; i < sizeof far / sizeof *far; i++)
        ck_assert(far[i] == 0);
}
END_TEST

#define NT 8
#define NK 2000
static uint64_t mt_tab[1 << 14];
static int wins[NK];

static void *worker(void *arg)
{
    (void)arg;
    char p[32];
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < NK; i++) {
            snprintf(p, sizeof p, "/t/%d.py", i);
            if (aw_dedupe_insert(mt_tab, 1 << 14, H(1, p)))
                __atomic_fetch_add(&wins[i], 1, __ATOMIC_RELAXED);
        }
    return NULL;
}

START_TEST(threads_one_winner)
{
    memset(mt_tab, 0, sizeof mt_tab);
    memset(wins, 0, sizeof wins);
    pthread_t t[NT];
    for (int i = 0; i < NT; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < NT; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < NK; i++)
        ck_assert_int_eq(wins[i], 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dedupe");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, once_per_key);
    tcase_add_test(tc, contains_agrees_with_insert);
    tcase_add_test(tc, overflow_reports_new);
    tcase_add_test(tc, bounded_probe_many);
    tcase_add_test(tc, threads_one_winner);
    tcase_add_test(tc, near_then_far);
    tcase_add_test(tc, small_program_stays_near);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
