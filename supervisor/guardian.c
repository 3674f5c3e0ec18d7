/* The guardian: forked at start, it blocks reading a pipe on which autowrap
 * writes the current generation's process group. If the pipe reaches EOF
 * while a group is set (autowrap died, even by SIGKILL), it SIGKILLs that
 * group and removes the runtime directory. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../preload/ring.h"
#include "../preload/wire.h"
#include "shell.h"

/* Processes that left the group (setsid, double fork) were re-parented away
 * from the dead autowrap; they still carry AUTOWRAP_SOCK=<our socket> in the
 * environment they were exec-ed with. Kill those. Returns how many. */
static int kill_by_env(const char *sock)
{
    char want[512];
    int wl = snprintf(want, sizeof want, "%s=%s", AW_ENV_SOCK, sock);
    if (wl <= 0 || (size_t)wl >= sizeof want)
        return 0;
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    static char env[65536];
    int n = 0;
    struct dirent *e;
    pid_t self = getpid();
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]) || atoi(e->d_name) == self)
            continue;
        char path[300];
        snprintf(path, sizeof path, "/proc/%s/environ", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t len = read(fd, env, sizeof env - 1);
        close(fd);
        if (len <= 0)
            continue;
        for (ssize_t i = 0; i + wl <= len; i++) {
            if ((i == 0 || env[i - 1] == '\0') && memcmp(env + i, want, (size_t)wl) == 0 &&
                (i + wl == len || env[i + wl] == '\0')) {
                kill(atoi(e->d_name), SIGKILL);
                n++;
                break;
            }
            while (i < len && env[i] != '\0')
                i++;
        }
    }
    closedir(d);
    return n;
}

static int gfd = -1;
static pid_t gpid;

pid_t guardian_pid(void)
{
    return gpid;
}


static void guardian_main(int rfd, const char *dir, const char *sock)
{
    /* ignore what the terminal sends to the whole foreground group */
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int nul = open("/dev/null", O_RDWR);
    if (nul >= 0) {
        dup2(nul, 0);
        dup2(nul, 1);
        dup2(nul, 2);
    }
    if (rfd != 3) {
        dup2(rfd, 3);
        rfd = 3;
    }
    if (syscall(SYS_close_range, 4u, ~0u, 0u) != 0)
        for (int fd = 4; fd < 4096; fd++)
            close(fd);
    prctl(PR_SET_NAME, "autowrap-guard", 0, 0, 0);
    int32_t pgid = 0, v;
    for (;;) {
        ssize_t n = read(rfd, &v, sizeof v);
        if (n == (ssize_t)sizeof v) {
            pgid = v;
            if (pgid < 0) /* clean exit: autowrap cleaned up itself */
                _exit(0);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        break; /* EOF or error: autowrap is gone */
    }
    if (pgid > 0)
        kill(-pgid, SIGKILL);
    /* again while a pass finds some: a dying tree may still fork */
    for (int round = 0; round < 50 && kill_by_env(sock) > 0; round++) {
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
    }
    unlink(sock);
    char chg[4200];
    snprintf(chg, sizeof chg, "%s/changed", dir); /* --signal's AUTOWRAP_CHANGED */
    unlink(chg);
    snprintf(chg, sizeof chg, "%s/%s", dir, AW_LOST_NAME); /* the shim's count of lost records */
    unlink(chg);
    snprintf(chg, sizeof chg, "%s/%s", dir, AW_RING_NAME); /* the link to the record ring */
    unlink(chg);
    rmdir(dir);
    _exit(0);
}

/* Forked twice, before autowrap becomes a subreaper: the guardian is not
 * autowrap's child, so "autowrap has no children" means "no descendant is
 * left" (see no_children in loop.c), which spares a /proc scan each time a
 * generation ends. Its pid comes back over a second pipe. */
int guardian_start(const char *dir, const char *sock)
{
    int p[2], q[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    if (pipe2(q, O_CLOEXEC) < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    pid_t mid = fork();
    if (mid == 0) {
        close(p[1]);
        close(q[0]);
        pid_t g = fork();
        if (g == 0) {
            close(q[1]);
            guardian_main(p[0], dir, sock);
        }
        int32_t v = (int32_t)g;
        ssize_t w = write(q[1], &v, sizeof v);
        _exit(w == (ssize_t)sizeof v && g > 0 ? 0 : 1);
    }
    close(p[0]);
    close(q[1]);
    int32_t v = -1;
    ssize_t n = -1;
    if (mid > 0) {
        do
            n = read(q[0], &v, sizeof v);
        while (n < 0 && errno == EINTR);
        while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    close(q[0]);
    if (mid < 0 || n != (ssize_t)sizeof v || v <= 0) {
        close(p[1]);
        return -1;
    }
    gfd = p[1];
    gpid = (pid_t)v;
    return 0;
}

static void send_val(int32_t v)
{
    if (gfd < 0)
        return;
    ssize_t n;
    do
        n = write(gfd, &v, sizeof v);
    while (n < 0 && errno == EINTR);
}

void guardian_set_pgid(pid_t pgid)
{
    send_val((int32_t)pgid);
}

void guardian_stop(int clean)
{
    if (clean)
        send_val(-1); /* else EOF: the guardian looks for our tree's leftovers */
    if (gfd >= 0) {
        close(gfd);
        gfd = -1;
    }
}
