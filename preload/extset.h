/* Which file names are worth tracking, decided by extension. Shared by the
 * shim (on its hot path: no allocation, no locale, no libc calls beyond
 * memcmp) and the supervisor (to judge new files in listed directories). */
#ifndef AUTOWRAP_EXTSET_H
#define AUTOWRAP_EXTSET_H

#include <stddef.h>
#include <stdint.h>

#define AW_EXT_MAX 64    /* extensions in one set */
#define AW_EXT_LEN 16    /* longest extension, without the dot, plus NUL */

struct aw_extset {
    int all;             /* --all: every name matches */
    int rc;              /* the default set's run-control dot-files (.apprc) */
    unsigned n;
    unsigned char len[AW_EXT_MAX];
    uint64_t slot[2 * AW_EXT_MAX]; /* extensions of up to 8 bytes, packed, hashed */
    char ext[AW_EXT_MAX][AW_EXT_LEN];
};

/* The default set: py pyw pth so json toml yaml yml ini cfg conf env rb pl pm
 * lua php js mjs cjs sh bash, and the zip-import archives zip egg whl. */
void aw_extset_default(struct aw_extset *s);

/* Replace the set with a comma-separated LIST ("py,toml", ".py, .toml").
 * Returns 0, or -1 (set left unspecified) on an empty list, an empty item, an
 * item with '/' or an item longer than AW_EXT_LEN-1. */
int aw_extset_parse(struct aw_extset *s, const char *list);

/* Does the last component of PATH (LEN bytes) carry a tracked extension?
 * "so" also matches versioned names: libfoo.so.1, libfoo.so.1.2.3. */
int aw_extset_match(const struct aw_extset *s, const char *path, size_t len);

#endif
