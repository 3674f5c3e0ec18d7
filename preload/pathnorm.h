/* Make a path absolute and lexically normal: no malloc, fixed buffers. */
#ifndef AUTOWRAP_PATHNORM_H
#define AUTOWRAP_PATHNORM_H

#include <stddef.h>

/* Normalise the LEN bytes at BUF in place: collapse "//", drop "/./",
 * resolve "/../" lexically (".." of "/" is "/"), drop a trailing '/'.
 * BUF must start with '/' and hold LEN + 1 bytes: the result is always
 * NUL-terminated (an already normal path gets its NUL at BUF[LEN]). Returns
 * the new length (>= 1), or 0 if BUF is not absolute. */
size_t aw_path_normalize(char *buf, size_t len);

/* Write the absolute, normal form of PATH (PLEN bytes) into OUT (CAP bytes,
 * NUL-terminated). A relative PATH is taken relative to BASE (BLEN bytes,
 * absolute); BASE may be NULL when PATH is absolute. Returns the length, or 0
 * when PATH is empty, relative without a usable BASE, or does not fit. */
size_t aw_path_absolute(char *out, size_t cap, const char *base, size_t blen, const char *path,
                        size_t plen);

#endif
