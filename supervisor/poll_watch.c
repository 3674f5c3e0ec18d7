/* The polling backend: directories inotify cannot serve (--poll, network and
 * FUSE file systems, inotify out of watches). Each tick the loop stats every
 * tracked path itself (core_next_tracked); this file adds what a per-file
 * stat cannot see: a new name in a polled directory. A directory's own
 * identity (mtime ns, ctime, inode, size) changes when a name is added,
 * removed or renamed; only then are its entries listed. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "shell.h"

/* One name in a polled directory and the identity it had at the last look:
 * only names that are new, gone or different are reported, as inotify would
 * (listing every name would make each sibling of a listed file "created"). */
struct pent {
    char *name;
    int seen;
    struct stat st;
};

struct pdir {
    char *path;
    int ok;     /* st is valid */
    int always; /* -w DIR: compare its entries every tick (an in-place write of
                   a file nobody read changes no directory) */
    /* the last listing could not be made for want of a descriptor: list it
     * at the next tick, whatever its identity says */
    int owed;
    /* and that was the first (the baseline): the first that can be made
     * reports only entries whose ctime is base_since or later */
    int nobase;
    int64_t base_since;
    struct stat st;
    struct pent *ents;
    size_t nents, capents;
};

static struct pdir **pdirs; /* each allocated alone: cb may add while one is diffed */
static size_t npdirs, cappdirs;

static int same_id(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Compare the directory's entries with the last look; cb for differences
 * (cb NULL: just take the baseline). Linear per name: polled directories
 * are expected to hold hundreds, not millions. -1 (errno EMFILE or ENFILE,
 * said) when no descriptor was free to list it: nothing changed, the
 * caller tries again at the next tick. */
static int diff_entries(struct pdir *p, watch_cb cb, void *arg)
{
    char path[AW_PATH_MAX + 1];
    size_t dl = strlen(p->path);
    int slash = dl && p->path[dl - 1] != '/';
    DIR *d = opendir(p->path);
    if (!d && say_fd_short(errno))
        return -1;
    int64_t quiet_before = p->nobase && cb ? p->base_since : INT64_MIN;
    p->nobase = 0;
    for (size_t i = 0; i < p->nents; i++)
        p->ents[i].seen = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        size_t nl = strlen(e->d_name);
        if (dl + (size_t)slash + nl > AW_PATH_MAX)
            continue;
        memcpy(path, p->path, dl);
        if (slash)
            path[dl] = '/';
        memcpy(path + dl + (size_t)slash, e->d_name, nl + 1);
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        size_t k = 0;
        while (k < p->nents && strcmp(p->ents[k].name, e->d_name) != 0)
            k++;
        if (k == p->nents) {
            if (p->nents == p->capents) {
                size_t n = p->capents ? p->capents * 2 : 16;
                struct pent *ne = realloc(p->ents, n * sizeof *ne);
                if (!ne)
                    continue;
                p->ents = ne;
                p->capents = n;
            }
            if (!(p->ents[k].name = strdup(e->d_name)))
                continue;
            p->nents++;
        } else if (same_id(&p->ents[k].st, &st)) {
            p->ents[k].seen = 1;
            continue;
        }
        p->ents[k].st = st;
        p->ents[k].seen = 1;
        if (cb && aw_ts_ns(st.st_ctim) >= quiet_before)
            cb(arg, path, dl + (size_t)slash + nl);
    }
    if (d)
        closedir(d);
    for (size_t i = 0; i < p->nents;) {
        if (p->ents[i].seen) {
            i++;
            continue;
        }
        int n = snprintf(path, sizeof path, "%s%s%s", p->path, slash ? "/" : "", p->ents[i].name);
        free(p->ents[i].name);
        p->ents[i] = p->ents[--p->nents];
        if (cb && n > 0 && (size_t)n < sizeof path)
            cb(arg, path, (size_t)n);
    }
    return 0;
}

int poll_add(const char *dir, int always)
{
    for (size_t i = 0; i < npdirs; i++)
        if (strcmp(pdirs[i]->path, dir) == 0)
            return 1;
    if (npdirs == cappdirs) {
        size_t n = cappdirs ? cappdirs * 2 : 16;
        struct pdir **pp = realloc(pdirs, n * sizeof *pp);
        if (!pp)
            return -1;
        pdirs = pp;
        cappdirs = n;
    }
    struct pdir *p = calloc(1, sizeof *p);
    if (!p || !(p->path = strdup(dir))) {
        free(p);
        return -1;
    }
    p->ok = stat(dir, &p->st) == 0;
    p->always = always;
    if (diff_entries(p, NULL, NULL) != 0) { /* the baseline */
        struct timespec now;
        clock_gettime(CLOCK_REALTIME_COARSE, &now); /* the clock of ctimes */
        p->owed = p->nobase = 1;
        p->base_since = aw_ts_ns(now);
    }
    pdirs[npdirs++] = p;
    return 0;
}

size_t poll_count(void)
{
    return npdirs;
}

void poll_scan(watch_cb cb, void *arg)
{
    /* cb may add directories (a new subdirectory under -w): index, not pointer */
    for (size_t i = 0; i < npdirs; i++) {
        struct pdir *p = pdirs[i];
        struct stat st;
        int ok = stat(p->path, &st) == 0;
        int same = ok == p->ok && (!ok || same_id(&st, &p->st));
        if (same && !(ok && (p->always || p->owed)))
            continue;
        p->ok = ok;
        if (ok)
            p->st = st;
        if (!same)
            cb(arg, p->path, strlen(p->path));
        p->owed = diff_entries(p, cb, arg) != 0;
    }
}
