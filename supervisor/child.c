/* Start one generation: fork, own process group, die with the parent,
 * environment for the shim, exec; an exec failure's errno comes back over a
 * close-on-exec pipe. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../preload/flavour.h"
#include "../preload/wire.h"
#include "shell.h"

/* The file execvp will run, whose PT_INTERP decides the flavour. */
static const char *search_path(const char *file, char *out, size_t cap)
{
    const char *it = NULL, *p;
    while ((p = aw_path_next(file, &it, out, cap)))
        if (access(p, X_OK) == 0)
            return p;
    return file;
}

static void child_exec(const struct child_env *ce, pid_t parent, int errfd)
{
    setpgid(0, 0);
    if (ce->term)
        tcsetpgrp(0, getpid()); /* before exec: it may read stdin at once (SIGTTOU is blocked) */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != parent)
        _exit(127);
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    /* A musl-linked COMMAND gets the musl flavour (when it was built), and
     * no ASan runtime: that is glibc's. */
    const char *shim = ce->shim;
    char musl[4096], found[4096];
    int use_musl = 0;
    if (aw_exec_is_musl(search_path(ce->opt->argv[0], found, sizeof found)) &&
        aw_flavour_sibling(musl, sizeof musl, shim, strlen(shim), 1) && access(musl, R_OK) == 0) {
        shim = musl;
        use_musl = 1;
    }
    /* LD_PRELOAD = [asan runtime:]shim[:previous] */
    const char *old = getenv("LD_PRELOAD");
    size_t need = strlen(shim) + (old ? strlen(old) : 0) + 8;
#ifdef AUTOWRAP_ASAN_RUNTIME
    need += strlen(AUTOWRAP_ASAN_RUNTIME) + 1;
#endif
    char *pre = malloc(need);
    if (pre) {
        pre[0] = '\0';
#ifdef AUTOWRAP_ASAN_RUNTIME
        if (!use_musl) {
            strcat(pre, AUTOWRAP_ASAN_RUNTIME);
            strcat(pre, ":");
            setenv("ASAN_OPTIONS", "detect_leaks=0:verify_asan_link_order=0", 0);
        }
#endif
        (void)use_musl;
        strcat(pre, shim);
        if (old && *old) {
            strcat(pre, ":");
            strcat(pre, old);
        }
        setenv("LD_PRELOAD", pre, 1);
    }
    setenv(AW_ENV_SOCK, ce->sock, 1);
    if (channel_pair_env())
        setenv(AW_ENV_FD, channel_pair_env(), 1);
    else
        unsetenv(AW_ENV_FD);
    unsetenv(AW_ENV_TRACE);
    if (ce->changed)
        setenv("AUTOWRAP_CHANGED", ce->changed, 1);
    else
        unsetenv("AUTOWRAP_CHANGED");
    if (ce->opt->exts.all) {
        setenv(AW_ENV_ALL, "1", 1);
        unsetenv(AW_ENV_EXT);
    } else if (ce->opt->ext_given && ce->opt->ext_arg) {
        setenv(AW_ENV_EXT, ce->opt->ext_arg, 1);
        unsetenv(AW_ENV_ALL);
    } else {
        unsetenv(AW_ENV_EXT);
        unsetenv(AW_ENV_ALL);
    }
    sockets_install(&errfd, ce->opt->no_listen_pid);
    channel_child();
    aw_timing("exec");
    execvp(ce->opt->argv[0], ce->opt->argv);
    int e = errno;
    ssize_t w = write(errfd, &e, sizeof e);
    (void)w;
    _exit(e == ENOENT || e == ENOTDIR ? 127 : 126);
}

pid_t child_start(const struct child_env *ce, int *err)
{
    int p[2];
    *err = 0;
    if (pipe2(p, O_CLOEXEC) < 0) {
        if (!say_fd_short(errno)) {
            *err = errno;
            return -1;
        }
        /* out of descriptors: start without the error pipe; a failed exec
         * is then seen as the child's exit status 127 or 126 */
        p[0] = p[1] = -1;
    }
    pid_t parent = getpid();
    fflush(NULL);
    aw_timing("fork");
    pid_t pid = fork();
    if (pid < 0) {
        *err = errno;
        if (p[0] >= 0) {
            close(p[0]);
            close(p[1]);
        }
        return -1;
    }
    if (pid == 0) {
        if (p[0] >= 0)
            close(p[0]);
        child_exec(ce, parent, p[1]);
    }
    setpgid(pid, pid); /* also here: no race with an early kill(-pgid) */
    if (p[0] < 0)
        return pid;
    close(p[1]);
    int e = 0;
    ssize_t n;
    do
        n = read(p[0], &e, sizeof e);
    while (n < 0 && errno == EINTR);
    close(p[0]);
    aw_timing("exec-seen");
    if (n == (ssize_t)sizeof e) {
        *err = e ? e : EINVAL;
        return -1;
    }
    return pid;
}
