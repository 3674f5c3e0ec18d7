/* What is already in a directory that has just been watched: entries created
 * before the watch existed would otherwise never be reported (a missing
 * path's directory made by `mkdir -p d && echo > d/f` in one go). The loop
 * stats and hands to the core, after the current step, each entry the core
 * wants. */
#include <dirent.h>
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

/* Each entry of dir (not . and ..) to cb, as DIR/NAME; with since_ns, only
 * those whose ctime is not older (created, renamed in or written since). */
static void scan(const char *dir, int64_t since_ns, watch_cb cb, void *arg)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
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
}

void scan_entries(const char *dir, watch_cb cb, void *arg)
{
    scan(dir, INT64_MIN, cb, arg);
}

void scan_entries_since(const char *dir, int64_t since_ns, watch_cb cb, void *arg)
{
    scan(dir, since_ns, cb, arg);
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
