/* A fixed-size lock-free "seen" set of 64-bit hashes of (kind, path).
 * Open addressing, CAS insert, bounded probing. When the probe bound is hit
 * the key is reported as new: a duplicate may be sent again, nothing is ever
 * dropped. Safe in threads, signal handlers and across fork (the child keeps
 * the parent's table). */
#ifndef AUTOWRAP_DEDUPE_H
#define AUTOWRAP_DEDUPE_H

#include <stddef.h>
#include <stdint.h>

#define AW_DEDUPE_PROBES 32

/* FNV-1a over the kind byte and the path; never 0 (0 marks an empty slot). */
uint64_t aw_dedupe_hash(unsigned kind, const char *path, size_t len);

/* Insert H into TAB (NSLOTS entries, a power of two, zero-initialised).
 * Returns 1 if H was not there before (or the table is too full to tell),
 * 0 if it was. */
int aw_dedupe_insert(uint64_t *tab, size_t nslots, uint64_t h);
/* Is H in the table? 0 also when the probe window is full of others (the
 * caller then does the work and insert() answers "new"). */
int aw_dedupe_contains(const uint64_t *tab, size_t nslots, uint64_t h);

/* Two tables: a small near one that a program with a few thousand paths
 * never leaves, so it touches a few pages and keeps them in cache, and a
 * large far one for the keys whose probe window in the near table is
 * full. A window never empties, so a key is looked for in the far table
 * only where it can be. */
struct aw_seen {
    uint64_t *near;
    size_t nnear;
    uint64_t *far;
    size_t nfar;
};
/* As aw_dedupe_insert; *FAR (may be NULL) is set when the far table took
 * the key. */
int aw_seen_insert(const struct aw_seen *s, uint64_t h, int *far);
int aw_seen_contains(const struct aw_seen *s, uint64_t h);
/* Start fetching H's first near slot: the table is cold between a
 * program's calls, and the path's normalisation can overlap the miss. */
static inline void aw_seen_prefetch(const struct aw_seen *s, uint64_t h)
{
    __builtin_prefetch(&s->near[(h ? h : 1) & (s->nnear - 1)]);
}

#endif
