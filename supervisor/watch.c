/* inotify: one watch per directory; events become candidate paths
 * (directory + "/" + name) that the loop filters, stats and hands to the
 * core. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "fsmagic.h"
#include "shell.h"

#define WATCH_MASK                                                                              \
    (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB |         \
     IN_MODIFY | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

static int ifd = -1;
static char **dirs; /* indexed by wd */
static int64_t *since; /* by wd: events complete from this time (CLOCK_REALTIME_COARSE ns) */
static size_t ndirs;
static const char *poll_why;
static char **lost; /* directories whose watch went away */
static size_t nlost, caplost;

/* The clock file times are stamped with: a file created after this reads
 * a ctime at or after it. */
static int64_t coarse_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return aw_ts_ns(ts);
}

const char *watch_poll_why(void)
{
    return poll_why;
}

static void add_lost(char *dir)
{
    if (nlost == caplost) {
        size_t n = caplost ? caplost * 2 : 8;
        char **l = realloc(lost, n * sizeof *l);
        if (!l) {
            free(dir);
            return;
        }
        lost = l;
        caplost = n;
    }
    lost[nlost++] = dir;
}

int watch_init(void)
{
    ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    return ifd; /* the caller says why and polls instead */
}

int watch_dir(const char *dir)
{
    if (ifd < 0)
        return -1;
    /* inotify sees only this kernel's writes: other machines' go unnoticed */
    struct statfs sf;
    if (statfs(dir, &sf) == 0 && (poll_why = aw_fs_needs_poll((unsigned long)sf.f_type)))
        return WATCH_POLL;
    int wd = inotify_add_watch(ifd, dir, WATCH_MASK);
    if (wd < 0 && (errno == ENOTDIR || errno == ENOENT) && strcmp(dir, "/") != 0) {
        /* --watch FILE: watch the directory that holds it; a directory that
         * does not exist yet: its nearest existing ancestor, so the core
         * sees it appear and walks down */
        char parent[PATH_MAX];
        const char *slash = strrchr(dir, '/');
        if (!slash || (size_t)(slash - dir) >= sizeof parent)
            return -1;
        size_t pl = slash == dir ? 1 : (size_t)(slash - dir);
        memcpy(parent, dir, pl);
        parent[pl] = '\0';
        return watch_dir(parent);
    }
    if (wd < 0) {
        if (errno == ENOSPC) {
            poll_why = "inotify watch limit (raise sysctl fs.inotify.max_user_watches)";
            return WATCH_POLL;
        }
        return -1;
    }
    if ((size_t)wd >= ndirs) {
        size_t n = ndirs ? ndirs : 64;
        while (n <= (size_t)wd)
            n *= 2;
        char **d = realloc(dirs, n * sizeof *d);
        if (!d)
            return -1;
        memset(d + ndirs, 0, (n - ndirs) * sizeof *d);
        dirs = d;
        int64_t *t = realloc(since, n * sizeof *t);
        if (!t)
            return -1;
        since = t;
        ndirs = n;
    }
    if (dirs[wd])
        return 1;
    dirs[wd] = strdup(dir);
    since[wd] = coarse_now_ns();
    return dirs[wd] ? 0 : -1;
}

int watch_read(watch_ev_cb cb, void *arg)
{
    int overflow = 0;
    char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
    char path[PATH_MAX + NAME_MAX + 2];
    for (;;) {
        ssize_t n = read(ifd, buf, sizeof buf);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            return overflow;
        }
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)p;
            p += sizeof *ev + ev->len;
            /* an overflow lost events; an unmount removed every file below
             * the mount point without one: the caller compares everything */
            if (ev->mask & (IN_Q_OVERFLOW | IN_UNMOUNT))
                overflow = 1;
            if (ev->mask & IN_Q_OVERFLOW)
                continue;
            if (ev->wd < 0 || (size_t)ev->wd >= ndirs || !dirs[ev->wd])
                continue;
            const char *dir = dirs[ev->wd];
            size_t dl = strlen(dir);
            if (ev->mask & IN_IGNORED) { /* watch gone (directory deleted or unmounted) */
                add_lost(dirs[ev->wd]); /* `rm -rf build && mkdir build`: watch it again */
                dirs[ev->wd] = NULL;
                continue;
            }
            size_t len;
            if (ev->len && ev->name[0]) {
                size_t nl = strlen(ev->name);
                if (dl + 1 + nl >= sizeof path)
                    continue;
                memcpy(path, dir, dl);
                len = dl;
                if (dl == 0 || dir[dl - 1] != '/')
                    path[len++] = '/';
                memcpy(path + len, ev->name, nl);
                len += nl;
            } else {
                memcpy(path, dir, dl);
                len = dl;
            }
            path[len] = '\0';
            uint32_t m = ev->mask & ~(uint32_t)IN_ISDIR;
            cb(arg, path, len,
               (m == IN_ATTRIB ? AW_FS_ATTR_ONLY : 0u) | (m & IN_MODIFY ? AW_FS_WRITTEN : 0u) |
                   (m & (IN_CLOSE_WRITE | IN_MOVED_TO) ? AW_FS_CLOSED : 0u));
        }
    }
}

void watch_relist(watch_cb cb, void *arg)
{
    int64_t now = coarse_now_ns();
    /* cb may add watches (a new directory under -w), which can move dirs */
    for (size_t wd = 0; wd < ndirs; wd++) {
        if (!dirs[wd])
            continue;
        char *dir = strdup(dirs[wd]);
        if (!dir)
            return;
        int64_t from = since[wd];
        since[wd] = now; /* the queue was drained before this look */
        scan_entries_since(dir, from, cb, arg);
        free(dir);
    }
}

size_t watch_retry(watch_cb cb, void *arg)
{
    size_t keep = 0;
    for (size_t i = 0; i < nlost; i++) {
        char *dir = lost[i];
        int r = watch_dir(dir);
        if (r == -1 && errno != ENOENT && errno != ENOTDIR) {
            free(dir); /* gone for good in another way (EACCES...): stop trying */
            continue;
        }
        if (r == -1) {
            lost[keep++] = dir;
            continue;
        }
        if (r == WATCH_POLL)
            poll_add(dir, 0);
        /* back: whatever appeared in it while unwatched */
        cb(arg, dir, strlen(dir));
        scan_entries(dir, cb, arg);
        free(dir);
    }
    nlost = keep;
    return nlost;
}
