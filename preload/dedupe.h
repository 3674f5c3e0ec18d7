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

/* FNV-1a over the path, the kind (0..15) in the low 4 bits; never 0 (0 marks
 * an empty slot). Keys of one path differing in kind start at the same slot. */
uint64_t aw_dedupe_hash(unsigned kind, const char *path, size_t len);

/* The key of the same path for another kind, without hashing it again. */
static inline uint64_t aw_dedupe_rekind(uint64_t h, unsigned kind)
{
    return (h & ~(uint64_t)0xf) | (kind & 0xf);
}

/* Insert H into TAB (NSLOTS entries, a power of two, zero-initialised).
 * Returns 1 if H was not there before (or the table is too full to tell),
 * 0 if it was. */
int aw_dedupe_insert(uint64_t *tab, size_t nslots, uint64_t h);

/* Is H in TAB? A lookup only (a miss may still be inserted by another thread
 * a moment later; insert decides). 0 when the table is too full to tell. */
int aw_dedupe_has(const uint64_t *tab, size_t nslots, uint64_t h);

#endif
