/* inotify: one watch per directory; events become candidate paths
 * (directory + "/" + name) that the loop filters, stats and hands to the
 * core. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "shell.h"

#define WATCH_MASK                                                                              \
    (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB |         \
     IN_MODIFY | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

static int ifd = -1;
static char **dirs; /* indexed by wd */
static size_t ndirs;
static int said_enospc;

int watch_init(void)
{
    ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (ifd < 0)
        say(AW_SAY_ERROR, "inotify: %s", strerror(errno));
    return ifd;
}

int watch_dir(const char *dir)
{
    if (ifd < 0)
        return -1;
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
        if (errno == ENOSPC && !said_enospc) {
            said_enospc = 1;
            say(AW_SAY_ERROR,
                "inotify watch limit reached (fs.inotify.max_user_watches); "
                "changes under %s and later directories are not seen",
                dir);
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
        ndirs = n;
    }
    if (dirs[wd])
        return 1;
    dirs[wd] = strdup(dir);
    return dirs[wd] ? 0 : -1;
}

void watch_read(watch_cb cb, void *arg)
{
    char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
    char path[PATH_MAX + NAME_MAX + 2];
    for (;;) {
        ssize_t n = read(ifd, buf, sizeof buf);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            return;
        }
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)p;
            p += sizeof *ev + ev->len;
            if (ev->wd < 0 || (size_t)ev->wd >= ndirs || !dirs[ev->wd])
                continue;
            const char *dir = dirs[ev->wd];
            size_t dl = strlen(dir);
            if (ev->mask & IN_IGNORED) { /* watch gone (directory deleted or unmounted) */
                free(dirs[ev->wd]);
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
            cb(arg, path, len);
        }
    }
}
