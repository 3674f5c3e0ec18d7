/* Descendants of autowrap from /proc: processes that left the child's
 * process group (setsid, double fork) are found through their parent chain.
 * autowrap is a subreaper, so a daemon whose parent died is re-parented to
 * autowrap and stays in the chain. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shell.h"

struct pp {
    pid_t pid, ppid;
};

ssize_t read_small(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    if (n >= 0)
        buf[n] = '\0';
    return n;
}

/* pid and ppid of a live (not zombie) process; -1 if it is not one, -2
 * when no descriptor was free to look (errno EMFILE or ENFILE). */
static int read_stat(const char *name, struct pp *out)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%s/stat", name);
    /* this runs for every process on the machine: no stdio (read_small) */
    errno = 0;
    if (read_small(path, buf, sizeof buf) <= 0)
        return errno == EMFILE || errno == ENFILE ? -2 : -1;
    char *r = strrchr(buf, ')'); /* the command name may hold anything */
    char state;
    int ppid;
    if (!r || sscanf(r + 1, " %c %d", &state, &ppid) != 2 || state == 'Z' || state == 'X')
        return -1;
    out->pid = (pid_t)atoi(name);
    out->ppid = (pid_t)ppid;
    return 0;
}

ssize_t descendants(pid_t root, pid_t skip, pid_t *out, size_t cap)
{
    DIR *d = opendir("/proc");
    if (!d)
        return -1;
    struct pp *all = NULL;
    size_t nall = 0, capall = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        struct pp p;
        int r = read_stat(e->d_name, &p);
        if (r == -2) { /* any process may be ours: the answer would be wrong */
            int err = errno;
            closedir(d);
            free(all);
            errno = err;
            return -1;
        }
        if (r != 0)
            continue;
        if (nall == capall) {
            size_t c = capall ? capall * 2 : 256;
            struct pp *x = realloc(all, c * sizeof *x);
            if (!x)
                break;
            all = x;
            capall = c;
        }
        all[nall++] = p;
    }
    closedir(d);
    /* breadth-first from root; out doubles as the queue */
    size_t n = 0;
    for (size_t i = 0; i < nall; i++)
        if (all[i].ppid == root && all[i].pid != skip && n < cap)
            out[n++] = all[i].pid;
    for (size_t q = 0; q < n; q++)
        for (size_t i = 0; i < nall; i++)
            if (all[i].ppid == out[q] && n < cap)
                out[n++] = all[i].pid;
    free(all);
    return (ssize_t)n;
}
