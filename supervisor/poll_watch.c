/* The polling backend: directories inotify cannot serve (--poll, network and
 * FUSE file systems, inotify out of watches). Each tick the loop stats every
 * tracked path itself (core_next_tracked); this file adds what a per-file
 * stat cannot see: a new name in a polled directory. A directory's own
 * identity (mtime ns, ctime, inode, size) changes when a name is added,
 * removed or renamed; only then are its entries listed. */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "shell.h"

struct pdir {
    char *path;
    int ok;     /* st is valid */
    int always; /* -w DIR: list its entries every tick (an in-place write of a
                   file nobody read changes no directory) */
    struct stat st;
};

static struct pdir *pdirs;
static size_t npdirs, cappdirs;

static int same_dir(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

void scan_entries(const char *dir, watch_cb cb, void *arg)
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

int poll_add(const char *dir, int always)
{
    for (size_t i = 0; i < npdirs; i++)
        if (strcmp(pdirs[i].path, dir) == 0)
            return 1;
    if (npdirs == cappdirs) {
        size_t n = cappdirs ? cappdirs * 2 : 16;
        struct pdir *p = realloc(pdirs, n * sizeof *p);
        if (!p)
            return -1;
        pdirs = p;
        cappdirs = n;
    }
    struct pdir *p = &pdirs[npdirs];
    p->path = strdup(dir);
    if (!p->path)
        return -1;
    p->ok = stat(dir, &p->st) == 0;
    p->always = always;
    npdirs++;
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
        struct stat st;
        int ok = stat(pdirs[i].path, &st) == 0;
        if (ok == pdirs[i].ok && (!ok || same_dir(&st, &pdirs[i].st))) {
            if (ok && pdirs[i].always) {
                char dir[AW_PATH_MAX + 1];
                snprintf(dir, sizeof dir, "%s", pdirs[i].path);
                scan_entries(dir, cb, arg);
            }
            continue;
        }
        pdirs[i].ok = ok;
        if (ok)
            pdirs[i].st = st;
        char dir[AW_PATH_MAX + 1];
        snprintf(dir, sizeof dir, "%s", pdirs[i].path);
        cb(arg, dir, strlen(dir));
        if (ok)
            scan_entries(dir, cb, arg);
    }
}
