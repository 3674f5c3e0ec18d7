/* The guardian: forked at start, it blocks reading a pipe on which autowrap
 * writes the current generation's process group. If the pipe reaches EOF
 * while a group is set (autowrap died, even by SIGKILL), it SIGKILLs that
 * group and removes the runtime directory. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shell.h"

static int gfd = -1;


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
    unlink(sock);
    rmdir(dir);
    _exit(0);
}

int guardian_start(const char *dir, const char *sock)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        close(p[1]);
        guardian_main(p[0], dir, sock);
    }
    close(p[0]);
    gfd = p[1];

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

void guardian_stop(void)
{
    send_val(-1);
    if (gfd >= 0) {
        close(gfd);
        gfd = -1;
    }
}
