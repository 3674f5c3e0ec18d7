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

#endif
