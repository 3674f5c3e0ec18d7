#include "ring.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void *new_ring(void)
{
    void *m = mmap(NULL, AW_RING_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(m, MAP_FAILED);
    aw_ring_init(m);
    ck_assert(aw_ring_valid(m, AW_RING_BYTES));
    return m;
}

static struct aw_ring_reader reader(void) { return (struct aw_ring_reader){0, 0, -1}; }

/* What the drain handed over, in order. */
#define MAXGOT 20000
static char got[MAXGOT][64];
static unsigned ngot;

static void collect(void *arg, const unsigned char *rec, size_t len)
{
    (void)arg;
    if (ngot < MAXGOT) {
        size_t n = len < 63 ? len : 63;
        memcpy(got[ngot], rec, n);
        got[ngot][n] = 0;
    }
    ngot++;
}

static unsigned drain(void *m, struct aw_ring_reader *r, int64_t now)
{
    ngot = 0;
    return aw_ring_drain(m, r, now, collect, NULL);
}

static int put(void *m, const char *s) { return aw_ring_put(m, s, strlen(s)); }

START_TEST(put_then_drain_in_order)
{
    void *m = new_ring();
    struct aw_ring_reader r = reader();
    ck_assert_int_eq(drain(m, &r, 0), 0);
    ck_assert_int_eq(put(m, "a"), AW_RING_STORED);
    ck_assert_int_eq(put(m, "bb"), AW_RING_STORED);
    ck_assert_int_eq(put(m, "ccc"), AW_RING_STORED);
    ck_assert_int_eq(drain(m, &r, 0), 3);
    ck_assert_str_eq(got[0], "a");
    ck_assert_str_eq(got[1], "bb");
    ck_assert_str_eq(got[2], "ccc");
    ck_assert_uint_eq(r.tail, 3);
    ck_assert_uint_eq(((struct aw_ring_hdr *)m)->tail, 3); /* published for writers */
    ck_assert_int_eq(drain(m, &r, 0), 0);
    munmap(m, AW_RING_BYTES);
}
END_TEST

START_TEST(too_long_empty_or_closed_fall_back)
{
    void *m = new_ring();
    static char big[AW_RING_DATA + 1];
    memset(big, 'x', sizeof big);
    ck_assert_int_eq(aw_ring_put(m, big, AW_RING_DATA + 1), AW_RING_FALLBACK);
    ck_assert_int_eq(aw_ring_put(m, big, AW_RING_DATA), AW_RING_STORED);
    ck_assert_int_eq(aw_ring_put(m, big, 0), AW_RING_FALLBACK);
    aw_ring_close(m);
    ck_assert_int_eq(put(m, "a"), AW_RING_FALLBACK);
    munmap(m, AW_RING_BYTES);
}
END_TEST

START_TEST(full_falls_back_then_wraps)
{
    void *m = new_ring();
    struct aw_ring_reader r = reader();
    char s[32];
    for (unsigned i = 0; i < AW_RING_SLOTS; i++) {
        snprintf(s, sizeof s, "r%u", i);
        ck_assert_int_eq(put(m, s), AW_RING_STORED);
    }
    ck_assert_int_eq(put(m, "over"), AW_RING_FALLBACK);
    ck_assert_uint_eq(drain(m, &r, 0), AW_RING_SLOTS);
    ck_assert_str_eq(got[AW_RING_SLOTS - 1], "r4095");
    for (int lap = 1; lap < 3; lap++) { /* the next laps use the same slots */
        ck_assert_int_eq(put(m, "again"), AW_RING_STORED);
        ck_assert_int_eq(drain(m, &r, 0), 1);
        ck_assert_str_eq(got[0], "again");
    }
    munmap(m, AW_RING_BYTES);
}
END_TEST

/* A writer that keeps the tail it saw: full still falls back (the ticket it
 * took is taken back by the reader), and the tail is read again once the
 * reader has moved it. */
START_TEST(full_with_tail_seen)
{
    void *m = new_ring();
    struct aw_ring_reader r = reader();
    uint64_t seen = 0;
    char s[32];
    for (unsigned i = 0; i < AW_RING_SLOTS; i++) {
        snprintf(s, sizeof s, "r%u", i);
        ck_assert_int_eq(aw_ring_put_seen(m, s, strlen(s), &seen), AW_RING_STORED);
    }
    ck_assert_uint_eq(seen, 0); /* no need to look while a lap ahead is free */
    ck_assert_int_eq(aw_ring_put_seen(m, "over1", 5, &seen), AW_RING_FALLBACK);
    ck_assert_int_eq(aw_ring_put_seen(m, "over2", 5, &seen), AW_RING_FALLBACK);
    ck_assert_uint_eq(drain(m, &r, 0), AW_RING_SLOTS);
    ck_assert_uint_eq(r.tail, AW_RING_SLOTS);
    for (int lap = 0; lap < 3; lap++) {
        ck_assert_int_eq(aw_ring_put_seen(m, "again", 5, &seen), AW_RING_STORED);
        ck_assert_int_eq(drain(m, &r, 0), 1);
        ck_assert_str_eq(got[0], "again");
    }
    /* the two given-up tickets were taken back, the three records consumed */
    ck_assert_uint_eq(r.tail, AW_RING_SLOTS + 5);
    ck_assert_uint_ge(seen, AW_RING_SLOTS); /* read again once a lap behind */
    munmap(m, AW_RING_BYTES);
}
END_TEST

START_TEST(sleeping_reader_is_woken_once)
{
    void *m = new_ring();
    struct aw_ring_reader r = reader();
    ck_assert_int_eq(aw_ring_sleep(m, &r), 0); /* nothing there: block */
    ck_assert_int_eq(put(m, "a"), AW_RING_WAKE);
    ck_assert_int_eq(put(m, "b"), AW_RING_STORED); /* one writer wakes it */
    ck_assert_int_eq(aw_ring_sleep(m, &r), 1);     /* records waiting: do not block */
    ck_assert_int_eq(put(m, "c"), AW_RING_STORED);
    ck_assert_int_eq(drain(m, &r, 0), 3);
    ck_assert_int_eq(aw_ring_sleep(m, &r), 0);
    aw_ring_awake(m); /* woken by something else */
    ck_assert_int_eq(put(m, "d"), AW_RING_STORED);
    munmap(m, AW_RING_BYTES);
}
END_TEST

START_TEST(writer_stuck_in_its_copy_is_poisoned)
{
    void *m = new_ring();
    struct aw_ring_reader r = reader();
    struct aw_ring_hdr *h = m;
    /* a writer killed between its claim and its commit */
    uint64_t t = __atomic_fetch_add(&h->head, 1, __ATOMIC_ACQ_REL);
    uint64_t want = aw_ring_state(0, AW_RING_FREE);
    ck_assert(__atomic_compare_exchange_n(&aw_ring_slot(m, t)->state, &want,
                                          aw_ring_state(0, AW_RING_WRITING), 0, __ATOMIC_ACQ_REL,
                                          __ATOMIC_ACQUIRE));
    ck_assert_int_eq(put(m, "after1"), AW_RING_STORED);
    ck_assert_int_eq(put(m, "after2"), AW_RING_STORED);
    /* the records behind it are not held up */
    ck_assert_int_eq(drain(m, &r, 1000), 2);
    ck_assert_str_eq(got[0], "after1");
    ck_assert_uint_eq(r.tail, 0);
    ck_assert_int_eq(drain(m, &r, 1000 + AW_RING_STUCK_MS - 1), 0);
    ck_assert_uint_eq(r.tail, 0);
    ck_assert_int_eq(drain(m, &r, 1000 + AW_RING_STUCK_MS), 0);
    ck_assert_uint_eq(r.tail, 3); /* given up */
    /* the writer resumes: its commit fails (it sends the datagram) */
    want = aw_ring_state(0, AW_RING_WRITING);
    ck_assert(!__atomic_compare_exchange_n(&aw_ring_slot(m, t)->state, &want,
                                           aw_ring_state(0, AW_RING_DONE), 0, __ATOMIC_ACQ_REL,
                                           __ATOMIC_ACQUIRE));
    /* the poisoned slot's later tickets fall back; the others go on */
    int stored = 0, fell = 0;
    for (unsigned i = 0; i < AW_RING_SLOTS + 8; i++) {
        int k = put(m, "x");
        stored += k == AW_RING_STORED;
        fell += k == AW_RING_FALLBACK;
        drain(m, &r, 5000);
    }
    ck_assert_int_eq(fell, 1);
    ck_assert_int_eq(stored, AW_RING_SLOTS + 7);
    munmap(m, AW_RING_BYTES);
}
END_TEST

START_TEST(unclaimed_ticket_is_taken_back)
{
    void *m = new_ring();
    struct aw_ring_reader r = reader();
    struct aw_ring_hdr *h = m;
    uint64_t t = __atomic_fetch_add(&h->head, 1, __ATOMIC_ACQ_REL); /* not claimed yet */
    ck_assert_int_eq(put(m, "b"), AW_RING_STORED);
    ck_assert_int_eq(drain(m, &r, 0), 1);
    ck_assert_uint_eq(r.tail, 2); /* no wait for it */
    uint64_t want = aw_ring_state(0, AW_RING_FREE);
    ck_assert(!__atomic_compare_exchange_n(&aw_ring_slot(m, t)->state, &want,
                                           aw_ring_state(0, AW_RING_WRITING), 0, __ATOMIC_ACQ_REL,
                                           __ATOMIC_ACQUIRE)); /* its claim fails: datagram */
    munmap(m, AW_RING_BYTES);
}
END_TEST

START_TEST(scribbled_memory_stays_bounded)
{
    void *m = new_ring();
    struct aw_ring_reader r = reader();
    struct aw_ring_hdr *h = m;
    ck_assert_int_eq(put(m, "ok"), AW_RING_STORED);
    /* a DONE slot with a length past the slot, a head gone wild */
    struct aw_ring_slot *s = aw_ring_slot(m, 1);
    s->len = 100000;
    s->state = aw_ring_state(0, AW_RING_DONE);
    h->head = ~0ull;
    unsigned n = drain(m, &r, 0);
    ck_assert_uint_le(n, 1);
    ck_assert_uint_le(r.tail, AW_RING_SLOTS);
    /* head moved back below tail: nothing to read */
    h->head = 0;
    ck_assert_int_eq(drain(m, &r, 0), 0);
    /* random bytes everywhere */
    srand(7);
    for (size_t i = 0; i < AW_RING_BYTES; i += 8)
        ((unsigned char *)m)[i] = (unsigned char)rand();
    for (int i = 0; i < 4; i++)
        drain(m, &r, 1000 * i); /* returns, reads inside the mapping */
    munmap(m, AW_RING_BYTES);
}
END_TEST

/* Processes writing at once while the reader drains: every record arrives
 * exactly once, by the ring or (when it says so) by the fallback. */
#define NW 4
#define PER 20000
START_TEST(processes_each_record_once)
{
    void *m = new_ring();
    struct aw_ring_reader r = reader();
    unsigned char *fell = mmap(NULL, NW * PER, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                               -1, 0);
    ck_assert_ptr_ne(fell, MAP_FAILED);
    memset(fell, 0, NW * PER);
    pid_t kids[NW];
    for (int w = 0; w < NW; w++) {
        kids[w] = fork();
        if (kids[w] == 0) {
            char s[32];
            for (int i = 0; i < PER; i++) {
                int n = snprintf(s, sizeof s, "%d:%d", w, i);
                if (aw_ring_put(m, s, (size_t)n) == AW_RING_FALLBACK)
                    fell[w * PER + i] = 1;
            }
            _exit(0);
        }
    }
    static unsigned char seen[NW * PER];
    memset(seen, 0, sizeof seen);
    int running = NW;
    int64_t now = 0;
    for (;;) {
        ngot = 0;
        unsigned n = aw_ring_drain(m, &r, now++, collect, NULL);
        for (unsigned k = 0; k < n && k < MAXGOT; k++) {
            int w, i;
            ck_assert_int_eq(sscanf(got[k], "%d:%d", &w, &i), 2);
            ck_assert(w >= 0 && w < NW && i >= 0 && i < PER);
            ck_assert_int_eq(seen[w * PER + i], 0);
            seen[w * PER + i] = 1;
        }
        ck_assert_uint_le(n, MAXGOT);
        if (running == 0 && n == 0 && !aw_ring_ready(m, &r))
            break;
        while (running && waitpid(-1, NULL, WNOHANG) > 0)
            running--;
    }
    int via_ring = 0;
    for (int k = 0; k < NW * PER; k++) {
        ck_assert_msg(seen[k] + fell[k] == 1, "record %d: ring %d fallback %d", k, seen[k], fell[k]);
        via_ring += seen[k];
    }
    ck_assert_int_gt(via_ring, 0);
    munmap(fell, NW * PER);
    munmap(m, AW_RING_BYTES);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ring");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, put_then_drain_in_order);
    tcase_add_test(tc, too_long_empty_or_closed_fall_back);
    tcase_add_test(tc, full_falls_back_then_wraps);
    tcase_add_test(tc, full_with_tail_seen);
    tcase_add_test(tc, sleeping_reader_is_woken_once);
    tcase_add_test(tc, writer_stuck_in_its_copy_is_poisoned);
    tcase_add_test(tc, unclaimed_ticket_is_taken_back);
    tcase_add_test(tc, scribbled_memory_stays_bounded);
    tcase_add_test(tc, processes_each_record_once);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
