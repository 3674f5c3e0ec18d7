/* The record ring: a shared-memory path for records beside the datagram
 * channel, so a program under the supervisor reports a file with no system
 * call at all.
 *
 * The supervisor creates RUNDIR/ring next to its socket (the same private
 * 0700 directory) and maps it; the shim maps it too and puts each record
 * (the bytes of a datagram, preload/wire.h) into a slot. While the
 * supervisor sleeps in poll() it says so in the header, and the writer that
 * sees it sends one 1-byte datagram to wake it. Whenever the ring cannot
 * take a record (full, too long, a slot it cannot claim, the supervisor
 * closed it) the writer sends the record as a datagram, as before: the ring
 * only saves work, nothing depends on it.
 *
 * Slots: a 64-bit state, (lap << 2 | tag), and the record. Ticket t uses
 * slot t % AW_RING_SLOTS in lap t / AW_RING_SLOTS; a zeroed file is an
 * empty ring. A writer takes a ticket (fetch_add on head), claims the slot
 * with a CAS FREE(lap) -> WRITING(lap), copies the record and commits with
 * a CAS WRITING(lap) -> DONE(lap). The reader takes every DONE slot in its
 * window [tail, tail + AW_RING_SLOTS) in any order (a writer stalled in its
 * copy holds up nobody else), frees it for the next lap, and moves tail
 * over the consumed prefix. A ticket taken but never claimed is taken back
 * (its writer's claim then fails: datagram). A slot that keeps tail stuck in
 * WRITING for AW_RING_STUCK_MS (a writer killed or stopped in its copy) is
 * poisoned for good: its writer, should it resume, fails to commit and sends
 * the datagram; it may still scribble on the slot, which nobody reads again.
 *
 * The reader trusts nothing in the shared memory (the program can write
 * there): every index and length is bounded by the constants below.
 * Header-only and free of system calls, for the shim, the supervisor and
 * the unit test. */
#ifndef AUTOWRAP_RING_H
#define AUTOWRAP_RING_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define AW_RING_NAME "ring" /* in the directory of AUTOWRAP_SOCK */
#define AW_RING_MAGIC 0x31727761u /* "awr1" */
#define AW_RING_VERSION 1u
#define AW_RING_SLOTS 4096u
#define AW_RING_SLOT 512u
#define AW_RING_DATA (AW_RING_SLOT - 16u) /* the longest record a slot holds */
#define AW_RING_HDR 4096u
#define AW_RING_BYTES ((size_t)AW_RING_HDR + (size_t)AW_RING_SLOTS * AW_RING_SLOT)
#define AW_RING_STUCK_MS 200

enum { AW_RING_FREE = 0, AW_RING_WRITING = 1, AW_RING_DONE = 2, AW_RING_POISON = 3 };

/* Each field the two sides write on its own cache line. */
struct aw_ring_hdr {
    uint32_t magic, version, nslots, slot_size; /* set once by the supervisor */
    unsigned char pad0[48];
    uint64_t head; /* the next ticket (writers) */
    unsigned char pad1[56];
    uint64_t tail; /* tickets below are consumed (published by the reader) */
    unsigned char pad2[56];
    uint32_t sleeping; /* the reader waits in poll(): the writer that sees it wakes it */
    uint32_t closed;   /* the reader is gone: datagrams only */
};

struct aw_ring_slot {
    uint64_t state;
    uint32_t len;
    uint32_t pad;
    unsigned char data[AW_RING_DATA];
};

_Static_assert(sizeof(struct aw_ring_hdr) <= AW_RING_HDR, "ring header");
_Static_assert(sizeof(struct aw_ring_slot) == AW_RING_SLOT, "ring slot");
_Static_assert((AW_RING_SLOTS & (AW_RING_SLOTS - 1)) == 0, "slots: a power of two");

static inline struct aw_ring_slot *aw_ring_slot(void *m, uint64_t t)
{
    return (struct aw_ring_slot *)((unsigned char *)m + AW_RING_HDR) + (t & (AW_RING_SLOTS - 1));
}

static inline uint64_t aw_ring_state(uint64_t lap, unsigned tag) { return lap << 2 | tag; }

/* Supervisor: a ring in M (AW_RING_BYTES, zero-filled: a new file). */
static inline void aw_ring_init(void *m)
{
    struct aw_ring_hdr *h = (struct aw_ring_hdr *)m;
    h->version = AW_RING_VERSION;
    h->nslots = AW_RING_SLOTS;
    h->slot_size = AW_RING_SLOT;
    __atomic_store_n(&h->magic, AW_RING_MAGIC, __ATOMIC_RELEASE);
}

/* Shim: is M (LEN bytes mapped) a ring of this layout? */
static inline int aw_ring_valid(const void *m, size_t len)
{
    const struct aw_ring_hdr *h = (const struct aw_ring_hdr *)m;
    return len >= AW_RING_BYTES && __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) == AW_RING_MAGIC &&
           h->version == AW_RING_VERSION && h->nslots == AW_RING_SLOTS &&
           h->slot_size == AW_RING_SLOT;
}

enum { AW_RING_FALLBACK = 0, AW_RING_STORED = 1, AW_RING_WAKE = 2 };

/* Writer: put REC (LEN bytes). AW_RING_STORED: done. AW_RING_WAKE: stored,
 * and the caller must wake the reader (a datagram). AW_RING_FALLBACK: not
 * stored, send the record as a datagram. Lock-free: safe in threads,
 * signal handlers, vfork children.
 *
 * TAIL_SEEN (the writer's own memory) keeps the tail this writer last read: the reader moves the tail at every drain, so reading it for
 * each record cost a cache miss each. The ticket is taken first and the
 * tail read only when the ticket is a lap ahead of the tail seen; a full
 * ring then costs the ticket (the reader takes it back), as a ticket whose
 * claim fails always did. Every line the reader writes is a miss here: it
 * writes the header's flag only when it changes (aw_ring_awake). */
static inline int aw_ring_put_seen(void *m, const void *rec, size_t len, uint64_t *tail_seen)
{
    struct aw_ring_hdr *h = (struct aw_ring_hdr *)m;
    if (len == 0 || len > AW_RING_DATA || __atomic_load_n(&h->closed, __ATOMIC_ACQUIRE))
        return AW_RING_FALLBACK;
    uint64_t seen = __atomic_load_n(tail_seen, __ATOMIC_RELAXED);
    uint64_t t = __atomic_fetch_add(&h->head, 1, __ATOMIC_ACQ_REL);
    if (t - seen >= AW_RING_SLOTS) {
        seen = __atomic_load_n(&h->tail, __ATOMIC_ACQUIRE);
        __atomic_store_n(tail_seen, seen, __ATOMIC_RELAXED);
        if (t - seen >= AW_RING_SLOTS)
            return AW_RING_FALLBACK; /* full (or a head gone wild): the ticket is given up */
    }
    struct aw_ring_slot *s = aw_ring_slot(m, t);
    uint64_t lap = t / AW_RING_SLOTS;
    uint64_t want = aw_ring_state(lap, AW_RING_FREE);
    /* A load before the claim: a slot's first touch in this process is then
     * a read fault, and the kernel maps the pages around it too (fault-
     * around, 64 KiB, for pages the ring already has: the supervisor makes
     * them ahead of the head): one fault per 128 slots instead of one per 8. */
    if (__atomic_load_n(&s->state, __ATOMIC_RELAXED) != want)
        return AW_RING_FALLBACK;
    if (!__atomic_compare_exchange_n(&s->state, &want, aw_ring_state(lap, AW_RING_WRITING), 0,
                                     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return AW_RING_FALLBACK; /* not free for this lap: the reader skips the ticket */
    memcpy(s->data, rec, len);
    __atomic_store_n(&s->len, (uint32_t)len, __ATOMIC_RELAXED);
    want = aw_ring_state(lap, AW_RING_WRITING);
    if (!__atomic_compare_exchange_n(&s->state, &want, aw_ring_state(lap, AW_RING_DONE), 0,
                                     __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        return AW_RING_FALLBACK; /* given up on while we were stalled */
    /* the next slot, most likely this writer's next: fetch its line now */
    __builtin_prefetch(aw_ring_slot(m, t + 1), 1);
    /* against the reader's store of sleeping and its look at the slots */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&h->sleeping, __ATOMIC_RELAXED) &&
        __atomic_exchange_n(&h->sleeping, 0, __ATOMIC_ACQ_REL))
        return AW_RING_WAKE;
    return AW_RING_STORED;
}

/* A writer with no memory of the tail: reads it for every ticket past the
 * first lap */
static inline int aw_ring_put(void *m, const void *rec, size_t len)
{
    uint64_t seen = 0;
    return aw_ring_put_seen(m, rec, len, &seen);
}

/* ---- reader (the supervisor, one thread) ---- */

struct aw_ring_reader {
    uint64_t tail;       /* ours; the header's copy is only published */
    uint64_t stuck;      /* the tail that stopped moving */
    int64_t stuck_since; /* ms, -1: not stuck */
};

typedef void (*aw_ring_cb)(void *arg, const unsigned char *rec, size_t len);

static inline uint64_t aw_ring_end(void *m, const struct aw_ring_reader *r)
{
    uint64_t head = __atomic_load_n(&((struct aw_ring_hdr *)m)->head, __ATOMIC_ACQUIRE);
    if (head < r->tail)
        return r->tail; /* moved back by the program: nothing */
    return head - r->tail > AW_RING_SLOTS ? r->tail + AW_RING_SLOTS : head;
}

/* Move tail over consumed tickets. A ticket taken but not claimed (its
 * writer found the slot still busy and sent a datagram, or is between its
 * fetch_add and its claim) is taken back at once: a claim after that fails
 * and sends the datagram. A slot stuck in a writer's copy (or scribbled on)
 * is poisoned once it has held tail for AW_RING_STUCK_MS (NOW, in ms). */
static inline void aw_ring_advance(void *m, struct aw_ring_reader *r, int64_t now)
{
    uint64_t end = aw_ring_end(m, r);
    while (r->tail < end) {
        struct aw_ring_slot *s = aw_ring_slot(m, r->tail);
        uint64_t lap = r->tail / AW_RING_SLOTS;
        uint64_t st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
        if ((st & 3) == AW_RING_POISON || (st >> 2) > lap) {
            r->tail++; /* consumed (the slot is on a later lap) or given up */
            continue;
        }
        if (st == aw_ring_state(lap, AW_RING_DONE))
            break; /* committed after we looked: the next drain takes it */
        if (st == aw_ring_state(lap, AW_RING_FREE)) {
            if (__atomic_compare_exchange_n(&s->state, &st, aw_ring_state(lap + 1, AW_RING_FREE),
                                            0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
                r->tail++;
            continue; /* taken back, or just claimed: look again */
        }
        if (r->stuck_since < 0 || r->stuck != r->tail) {
            r->stuck = r->tail;
            r->stuck_since = now;
            break;
        }
        if (now - r->stuck_since < AW_RING_STUCK_MS)
            break;
        if (!__atomic_compare_exchange_n(&s->state, &st, aw_ring_state(0, AW_RING_POISON), 0,
                                         __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            continue; /* it moved (committed): look again */
        r->tail++;
        r->stuck_since = -1;
    }
    __atomic_store_n(&((struct aw_ring_hdr *)m)->tail, r->tail, __ATOMIC_RELEASE);
}

/* Hand every committed record to CB (each slot is freed before CB runs:
 * the record is a copy). Returns how many. */
static inline unsigned aw_ring_drain(void *m, struct aw_ring_reader *r, int64_t now, aw_ring_cb cb,
                                     void *arg)
{
    unsigned n = 0;
    unsigned char rec[AW_RING_DATA];
    uint64_t end = aw_ring_end(m, r);
    for (uint64_t t = r->tail; t < end; t++) {
        struct aw_ring_slot *s = aw_ring_slot(m, t);
        uint64_t lap = t / AW_RING_SLOTS;
        if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != aw_ring_state(lap, AW_RING_DONE))
            continue;
        uint32_t len = __atomic_load_n(&s->len, __ATOMIC_RELAXED);
        int ok = len > 0 && len <= AW_RING_DATA;
        if (ok)
            memcpy(rec, s->data, len);
        __atomic_store_n(&s->state, aw_ring_state(lap + 1, AW_RING_FREE), __ATOMIC_RELEASE);
        if (ok) {
            cb(arg, rec, len);
            n++;
        }
    }
    aw_ring_advance(m, r, now);
    return n;
}

/* Is a committed record waiting? */
static inline int aw_ring_ready(void *m, const struct aw_ring_reader *r)
{
    uint64_t end = aw_ring_end(m, r);
    for (uint64_t t = r->tail; t < end; t++)
        if (__atomic_load_n(&aw_ring_slot(m, t)->state, __ATOMIC_ACQUIRE) ==
            aw_ring_state(t / AW_RING_SLOTS, AW_RING_DONE))
            return 1;
    return 0;
}

/* Before the reader blocks: ask writers to wake it, then look once more
 * (a record committed before a writer could see the flag). 1: something
 * is waiting, do not block (the flag is taken back). */
static inline int aw_ring_sleep(void *m, const struct aw_ring_reader *r)
{
    struct aw_ring_hdr *h = (struct aw_ring_hdr *)m;
    __atomic_store_n(&h->sleeping, 1, __ATOMIC_SEQ_CST);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (!aw_ring_ready(m, r))
        return 0;
    __atomic_store_n(&h->sleeping, 0, __ATOMIC_RELEASE);
    return 1;
}

/* The reader is awake (whoever woke it): writers need not wake it. */
static inline void aw_ring_awake(void *m)
{
    uint32_t *f = &((struct aw_ring_hdr *)m)->sleeping;
    if (__atomic_load_n(f, __ATOMIC_RELAXED)) /* a store would cost writers a miss */
        __atomic_store_n(f, 0, __ATOMIC_RELEASE);
}

/* The reader is going away: writers use datagrams (ECONNREFUSED then stops
 * them, as before). */
static inline void aw_ring_close(void *m)
{
    __atomic_store_n(&((struct aw_ring_hdr *)m)->closed, 1, __ATOMIC_RELEASE);
}

#endif
