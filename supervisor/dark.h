/* Programs that went dark: a pid whose last record said "I am about to
 * exec PATH" (AW_FLAG_EXECING) and which has said nothing since.
 *
 * A dynamically linked image under the shim reports itself the moment it
 * starts (its /proc/self/exe and its libraries, from the shim's
 * constructor), with the same pid. A pid that stays silent after the exec
 * runs something the loader did not give the shim: a static binary, a
 * setuid/setgid or file-capability program (AT_SECURE drops LD_PRELOAD), a
 * foreign ELF class. The generation's own COMMAND is armed the same way by
 * the core when the loop says which pid it started.
 *
 * Pure and bounded: a fixed table; when it is full a new entry is dropped
 * (the older ones are the likelier to be dark: a visible program clears its
 * entry within milliseconds). Pid reuse or another pid namespace can only
 * clear an entry (a miss), never invent one. Forks need nothing: a fork
 * child reports with its own pid, and the exec record carries the pid that
 * execs. */
#ifndef AUTOWRAP_DARK_H
#define AUTOWRAP_DARK_H

#include <stddef.h>
#include <stdint.h>

#define AW_DARK_SLOTS 64
#define AW_DARK_MS 1000 /* silent this long after the exec: dark */

struct aw_dark; /* opaque */

struct aw_dark *aw_dark_new(void); /* NULL on allocation failure */
void aw_dark_free(struct aw_dark *d);

/* pid is about to run name (what to call it in the message; copied) at
 * now. Replaces pid's entry: it spoke, so an older exec of it was seen. */
void aw_dark_exec(struct aw_dark *d, uint32_t pid, const char *name, size_t len, int64_t now);
/* Any other record from pid: it runs under the shim. */
void aw_dark_heard(struct aw_dark *d, uint32_t pid);
/* The name of pid's entry (silent since its exec), or NULL. */
const char *aw_dark_name(const struct aw_dark *d, uint32_t pid);
/* The oldest entry silent for at least min_age ms at now (0: any entry),
 * or NULL. Valid until the next call that changes d. */
const char *aw_dark_due(const struct aw_dark *d, int64_t now, int64_t min_age);
/* When the oldest entry has been silent for AW_DARK_MS; -1: no entry. */
int64_t aw_dark_next(const struct aw_dark *d);
size_t aw_dark_count(const struct aw_dark *d);
void aw_dark_clear(struct aw_dark *d);

#endif
