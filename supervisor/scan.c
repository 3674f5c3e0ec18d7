/* What is already in a directory that has just been watched: entries created
 * before the watch existed would otherwise never be reported (a missing
 * path's directory made by `mkdir -p d && echo > d/f` in one go). The loop
 * stats and hands to the core, after the current step, each entry the core
 * wants.
 *
 * A listing that fails for want of a descriptor (EMFILE, ENFILE) is owed:
 * kept with what it was to report, and tried again at each poll tick
 * (scan_retry) until it goes through. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "shell.h"

static char **q;
static size_t qn, qcap, qhead;
static char *cur;

static int changed_since(DIR *d, const char *name, int64_t since_ns)
{
    struct stat sb;
    if (fstatat(dirfd(d), name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
        return 0;
    return aw_ts_ns(sb.st_ctim) >= since_ns;
}

/* Listings owed (see the top): a -w descent (depth >= 0) or a listing
 * (depth < 0) of dir reporting entries from since_ns on. */
struct owed {
    char *dir;
    int64_t since;
    int depth;
};
static struct owed *owed;
static size_t nowed, capowed;

void scan_owe(const char *dir, int64_t since_ns, int depth)
{
    for (size_t i = 0; i < nowed; i++)
        if ((owed[i].depth < 0) == (depth < 0) && strcmp(owed[i].dir, dir) == 0) {
            if (since_ns < owed[i].since) /* the wider of the two */
                owed[i].since = since_ns;
            return;
        }
    if (nowed == capowed) {
        size_t c = capowed ? capowed * 2 : 8;
        struct owed *g = realloc(owed, c * sizeof *g);
        if (!g)
            return;
        owed = g;
        capowed = c;
    }
    char *d = strdup(dir);
    if (d)
        owed[nowed++] = (struct owed){d, since_ns, depth};
}

size_t scan_owed(void)
{
    return nowed;
}

/* Each entry of dir (not . and ..) to cb, as DIR/NAME; with since_ns, only
 * those whose ctime is not older (created, renamed in or written since).
 * 0, or -1 with errno when dir cannot be listed. */
static int scan(const char *dir, int64_t since_ns, watch_cb cb, void *arg)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char path[AW_PATH_MAX + 1];
    size_t dl = strlen(dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        if (since_ns != INT64_MIN && !changed_since(d, e->d_name, since_ns))
            continue;
        size_t nl = strlen(e->d_name);
        int slash = dl && dir[dl - 1] != '/';
        if (dl + (size_t)slash + nl > AW_PATH_MAX)
            continue;
        memcpy(path, dir, dl);
        if (slash)
            path[dl] = '/';
        memcpy(path + dl + (size_t)slash, e->d_name, nl + 1);
        cb(arg, path, dl + (size_t)slash + nl);
    }
    closedir(d);
    return 0;
}

/* scan, owing the listing when only a descriptor was missing (a directory
 * gone or unreadable is not owed: its parent's watch will tell) */
static void scan_or_owe(const char *dir, int64_t since_ns, watch_cb cb, void *arg)
{
    if (scan(dir, since_ns, cb, arg) != 0 && say_fd_short(errno))
        scan_owe(dir, since_ns, -1);
}

void scan_entries(const char *dir, watch_cb cb, void *arg)
{
    scan_or_owe(dir, INT64_MIN, cb, arg);
}

void scan_entries_since(const char *dir, int64_t since_ns, watch_cb cb, void *arg)
{
    scan_or_owe(dir, since_ns, cb, arg);
}

void scan_retry(watch_cb cb, scan_descend_cb dcb, void *arg)
{
    /* the callbacks may owe more (a new directory found): work on a copy */
    struct owed *todo = owed;
    size_t n = nowed;
    owed = NULL;
    nowed = capowed = 0;
    for (size_t i = 0; i < n; i++) {
        struct owed *o = &todo[i];
        int r = o->depth >= 0 ? dcb(arg, o->dir, o->depth, o->since)
                              : scan(o->dir, o->since, cb, arg);
        if (r != 0 && say_fd_short(errno))
            scan_owe(o->dir, o->since, o->depth);
        free(o->dir);
    }
    free(todo);
}

/* watch_cb for scan_entries: queue (a copy of) what the core wants. */
static void queue_wanted(void *arg, const char *path, size_t len)
{
    const struct aw_core *core = arg;
    if (!core_wants_path(core, path, len))
        return;
    if (qn == qcap) {
        size_t c = qcap ? qcap * 2 : 16;
        char **g = realloc(q, c * sizeof *g);
        if (!g)
            return;
        q = g;
        qcap = c;
    }
    char *p = strndup(path, len);
    if (p)
        q[qn++] = p;
}

/* A directory gone again is skipped: its parent's watch will tell. */
void scan_queue_dir(const struct aw_core *core, const char *dir)
{
    scan_entries(dir, queue_wanted, (void *)core);
}

void scan_queue_dir_since(const struct aw_core *core, const char *dir, int64_t since_ns)
{
    scan_entries_since(dir, since_ns, queue_wanted, (void *)core);
}

const char *scan_next(void)
{
    free(cur);
    cur = NULL;
    if (qhead == qn) {
        qhead = qn = 0;
        return NULL;
    }
    cur = q[qhead++];
    return cur;
}
