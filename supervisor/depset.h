/* The dependency set: path -> what the tree did with it and the identity the
 * supervisor last confirmed. An open-addressing hash map of individually
 * allocated entries, so an entry (and its NUL-terminated path) stays at the
 * same address until aw_depset_free: actions may point into it. */
#ifndef AUTOWRAP_DEPSET_H
#define AUTOWRAP_DEPSET_H

#include <stddef.h>

#include "core.h"

struct aw_dep {
    unsigned kinds;          /* bit (1u << kind) for every kind seen */
    unsigned printed;        /* --list: bit (1u << kind) printed; bit 0: printed as a dependency */
    unsigned char written;   /* opened for writing by anyone, ever: never a trigger */
    unsigned char listed;    /* a directory the tree listed */
    unsigned char suspect;   /* identity at receipt differed: decide at the end of the batch */
    unsigned char meta_only; /* suspect by ctime with mode, owner or links alone: metadata,
                              * if inotify's events in the batch were attributes only */
    unsigned char attr_seen; /* suspect: an attribute-only event came in the batch */
    unsigned char rec_known; /* rec holds a confirmed state */
    unsigned char watched;   /* (directory) a WATCH was emitted for it */
    unsigned char user;      /* -w PATH */
    unsigned batch;          /* core: the change batch it was last counted in */
    unsigned writing;        /* core: 1 + the batch in which a writer wrote it and has not
                              * closed it yet; 0: no open writer seen */
    struct aw_stat rec;      /* last confirmed state */
    struct aw_dep *alias_of; /* a symlink target: events here count for that entry */
    char *exts;              /* (directory) extension keys looked up in it, each NUL-ended */
    size_t extlen;           /* bytes used in exts */
    size_t len;
    char path[];             /* NUL-terminated copy */
};

struct aw_depset;

struct aw_depset *aw_depset_new(void);
void aw_depset_free(struct aw_depset *s);
struct aw_dep *aw_depset_find(const struct aw_depset *s, const char *path, size_t len);
/* Find or insert (zeroed entry). NULL on allocation failure. */
struct aw_dep *aw_depset_add(struct aw_depset *s, const char *path, size_t len);
size_t aw_depset_size(const struct aw_depset *s);
/* Iterate: *it starts at 0; returns NULL at the end. */
struct aw_dep *aw_depset_next(const struct aw_depset *s, size_t *it);

/* The extension key of PATH's last component, for "is a new file in a
 * listed directory of a kind the program looked up there": the text after
 * the last dot, with trailing numeric parts dropped (libfoo.so.1.2 -> "so");
 * a dot-file without another dot is its own key (".env"); no dot: "". Sets
 * *n; the result points into path. */
const char *aw_ext_key(const char *path, size_t len, size_t *n);
/* Remember / ask about an extension key on a directory's entry. note returns
 * -1 on allocation failure (the key is then not remembered). */
int aw_dep_note_ext(struct aw_dep *d, const char *key, size_t n);
int aw_dep_has_ext(const struct aw_dep *d, const char *key, size_t n);

#endif
