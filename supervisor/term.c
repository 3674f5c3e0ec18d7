/* The terminal: when stdin is our controlling terminal and we own its
 * foreground, each generation gets the foreground (it reads stdin, Ctrl-C
 * reaches it) and autowrap takes it back when the generation stops or its
 * direct child exits. Ctrl-C while the child has the terminal: a small
 * sentinel process in the child's group catches the SIGINT and tells
 * autowrap over a pipe, so Ctrl-C stops everything. While autowrap holds the
 * terminal, a line read from it (Enter) is a manual restart. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "shell.h"

static int on;               /* terminal handling active */
static struct termios saved;
static int have_saved;
static pid_t sentinel;
static int spipe[2] = {-1, -1};

int term_init(void)
{
    if (!isatty(0) || tcgetpgrp(0) != getpgrp())
        return 0;
    on = 1;
    have_saved = tcgetattr(0, &saved) == 0;
    if (pipe2(spipe, O_CLOEXEC | O_NONBLOCK) < 0)
        spipe[0] = spipe[1] = -1;
    return 1;
}

int term_active(void)
{
    return on;
}

int term_ctrlc_fd(void)
{
    return spipe[0];
}

static void sentinel_main(pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != parent)
        _exit(0);
    /* everything but SIGINT is for the program, not for us */
    for (int s = 1; s < 32; s++)
        if (s != SIGINT && s != SIGKILL && s != SIGSTOP)
            signal(s, SIG_IGN);
    /* SIGINT stays blocked (inherited) and is taken by sigwait: no window */
    sigset_t all, w;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    sigemptyset(&w);
    sigaddset(&w, SIGINT);
    int sig;
    sigwait(&w, &sig);
    char c = 'c';
    ssize_t n = write(spipe[1], &c, 1);
    (void)n;
    _exit(0);
}

static void kill_sentinel(void)
{
    if (sentinel > 0) {
        kill(sentinel, SIGKILL);
        waitpid(sentinel, NULL, 0);
        sentinel = 0;
    }
}

void term_give(pid_t pgid)
{
    if (!on)
        return;
    tcsetpgrp(0, pgid);
    if (spipe[1] < 0)
        return;
    pid_t parent = getpid();
    pid_t p = fork();
    if (p == 0) {
        setpgid(0, pgid);
        sentinel_main(parent);
    }
    if (p > 0) {
        setpgid(p, pgid);
        sentinel = p;
    }
}

void term_take(void)
{
    if (!on)
        return;
    kill_sentinel();
    tcsetpgrp(0, getpgrp());
}

void term_reaped(pid_t pid)
{
    if (sentinel > 0 && pid == sentinel)
        sentinel = 0;
}

int term_holding(void)
{
    return on && tcgetpgrp(0) == getpgrp();
}

void term_restore(void)
{
    if (!on)
        return;
    term_take();
    if (have_saved)
        tcsetattr(0, TCSADRAIN, &saved);
}
