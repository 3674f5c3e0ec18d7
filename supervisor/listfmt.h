/* --list output: one record as a line of text, JSON Lines or make rules.
 * Pure: formats into a caller buffer, no I/O. */
#ifndef AUTOWRAP_LISTFMT_H
#define AUTOWRAP_LISTFMT_H

#include <stddef.h>
#include <stdint.h>

#include "../preload/wire.h"
#include "options.h"

/* Enough for any record: make writes the path twice, JSON may take 6 bytes
 * per path byte, plus the target and punctuation. */
#define AW_LISTFMT_MAX (12u * AW_PATH_MAX + 1024u)

/* Format one record (kind, pid, path of len bytes) in fmt into buf (cap
 * bytes), NUL-terminated, ending with a newline. target is the make rule's
 * target (NULL: "all"). Returns the length written (without the NUL); 0 when
 * the record is not printed in this format (text and make print only
 * dependencies; make cannot express a path with a newline) or cap is too
 * small. make: a path with a tab gets no empty "PATH:" rule (make cannot
 * name such a target). */
size_t aw_listfmt(enum aw_format fmt, unsigned kind, uint32_t pid, const char *path, size_t len,
                  const char *target, char *buf, size_t cap);

/* Escapers, exposed for tests and the status lines. Each appends to buf at
 * *pos (bounded by cap) and returns 0, or -1 when it did not fit. */
int aw_esc_text(char *buf, size_t cap, size_t *pos, const char *s, size_t len);
int aw_esc_json(char *buf, size_t cap, size_t *pos, const char *s, size_t len);
int aw_esc_make(char *buf, size_t cap, size_t *pos, const char *s, size_t len);

#endif
