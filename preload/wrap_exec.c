/* Exec family, posix_spawn, system/popen and the dlopen hook. Exec targets
 * are reported before the call (the image is gone after it); the exec
 * family's record says this process becomes the target (AW_FLAG_EXECING),
 * and a failed exec says so with a second record; libraries are
 * rescanned, and an environment that lost LD_PRELOAD or our variables gets
 * them back (built on the stack: vfork children must not malloc). */
#undef _FORTIFY_SOURCE
#pragma GCC diagnostic ignored "-Wnonnull-compare"
#include "flavour.h"
#include "shim.h"
#include "wire.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

#define REAL(type, name) ((type)aw_real((void **)&r_##name, #name))

static void *r_execve, *r_execvpe, *r_fexecve, *r_posix_spawn, *r_posix_spawnp, *r_system,
    *r_popen, *r_dlopen;

void aw_resolve_exec(void)
{
    aw_real(&r_execve, "execve");
    aw_real(&r_execvpe, "execvpe");
    aw_real(&r_fexecve, "fexecve");
    aw_real(&r_posix_spawn, "posix_spawn");
    aw_real(&r_posix_spawnp, "posix_spawnp");
    aw_real(&r_system, "system");
    aw_real(&r_popen, "popen");
    aw_real(&r_dlopen, "dlopen");
}

/* ---- dlopen ---- */

__attribute__((visibility("hidden"))) void *aw_dlopen_hook(const char *file, int flags)
{
    (void)flags;
    int saved = errno;
    aw_enter();
    if (aw_active) {
        if (file && strchr(file, '/')) {
            struct stat st;
            if (aw_sys(SYS_newfstatat, AT_FDCWD, file, &st, 0) == 0)
                aw_note(AW_KIND_LIB, AT_FDCWD, file, 0, AW_ID_STAT, -1);
        }
        aw_pending = 1;
    }
    void *real = aw_real(&r_dlopen, "dlopen");
    if (!real)
        real = dlsym(RTLD_DEFAULT, "__libc_dlopen_mode"); /* never reached in practice */
    errno = saved;
    return real;
}

/* ---- PATH search (execvp semantics, for reporting only) ---- */

const char *aw_pathsearch(const char *file, char *out, size_t cap)
{
    if (!file || !*file || strchr(file, '/'))
        return file;
    const char *path = NULL;
    for (char **e = environ; e && *e; e++)
        if (strncmp(*e, "PATH=", 5) == 0) {
            path = *e + 5;
            break;
        }
    if (!path)
        path = "/bin:/usr/bin";
    size_t fl = strlen(file);
    for (const char *p = path;;) {
        const char *q = strchr(p, ':');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        if (n == 0) {
            p = ".";
            n = 1;
        }
        if (n + 1 + fl < cap) {
            memcpy(out, p, n);
            out[n] = '/';
            memcpy(out + n + 1, file, fl + 1);
            if (aw_sys(SYS_faccessat, AT_FDCWD, out, X_OK) == 0)
                return out;
        }
        if (!q)
            break;
        p = q + 1;
    }
    return file;
}

/* self: this process execs target (the exec family); else a new process
 * will (posix_spawn, system, popen). */
static void before_exec(const char *target, int self)
{
    aw_enter();
    if (!aw_active)
        return;
    aw_rescan();
    struct stat st;
    if (target && aw_sys(SYS_newfstatat, AT_FDCWD, target, &st, 0) == 0) {
        if (self)
            aw_note_exec(target, AW_FLAG_EXECING);
        else
            aw_note(AW_KIND_EXEC, AT_FDCWD, target, 0, AW_ID_STAT, -1);
    }
    aw_next_musl = aw_exec_is_musl(target);
}

/* The exec returned: it failed, and this process is still the one that
 * reports (a shell falls back to reading a script without #!). */
static void exec_failed(const char *target)
{
    int saved = errno;
    struct stat st;
    if (aw_active && target && aw_sys(SYS_newfstatat, AT_FDCWD, target, &st, 0) == 0)
        aw_note_exec(target, 0);
    errno = saved;
}

#define FIXENV(envp, out)                                                                    \
    size_t aw_n_ = aw_env_count(envp) + 7;                                                   \
    char *aw_nenv_[aw_n_];                                                                   \
    char aw_buf_[8400];                                                                      \
    char *const *out = aw_fix_env(envp, aw_nenv_, aw_n_, aw_buf_, sizeof aw_buf_)

AW_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    int saved = errno;
    before_exec(path, 1);
    FIXENV(envp, ne);
    errno = saved;
    int (*f)(const char *, char *const[], char *const[]) =
        REAL(int (*)(const char *, char *const[], char *const[]), execve);
    int r = f ? f(path, argv, ne) : (int)aw_sys(SYS_execve, path, argv, ne);
    exec_failed(path);
    return r;
}

AW_EXPORT int execv(const char *path, char *const argv[]) { return execve(path, argv, environ); }

static int do_execvpe(const char *file, char *const argv[], char *const envp[])
{
    int saved = errno;
    char buf[AW_PATH_MAX + 1];
    const char *target = NULL;
    aw_enter();
    if (aw_active)
        before_exec(target = aw_pathsearch(file, buf, sizeof buf), 1);
    FIXENV(envp, ne);
    errno = saved;
    int (*f)(const char *, char *const[], char *const[]) =
        REAL(int (*)(const char *, char *const[], char *const[]), execvpe);
    if (!f) {
        errno = ENOSYS;
        return -1;
    }
    int r = f(file, argv, ne);
    exec_failed(target);
    return r;
}

AW_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    return do_execvpe(file, argv, envp);
}
AW_EXPORT int execvp(const char *file, char *const argv[])
{
    return do_execvpe(file, argv, environ);
}

#define COLLECT_ARGS(arg0, argv)                                                             \
    size_t argc_ = 1;                                                                        \
    {                                                                                        \
        va_list ap;                                                                          \
        va_start(ap, arg0);                                                                  \
        while (va_arg(ap, char *))                                                           \
            argc_++;                                                                         \
        va_end(ap);                                                                          \
    }                                                                                        \
    char *argv[argc_ + 1];                                                                   \
    va_list ap_;                                                                             \
    va_start(ap_, arg0);                                                                     \
    argv[0] = (char *)arg0;                                                                  \
    for (size_t i_ = 1; i_ <= argc_; i_++)                                                   \
        argv[i_] = va_arg(ap_, char *);

AW_EXPORT int execl(const char *path, const char *arg, ...)
{
    COLLECT_ARGS(arg, av);
    va_end(ap_);
    return execve(path, av, environ);
}
AW_EXPORT int execlp(const char *file, const char *arg, ...)
{
    COLLECT_ARGS(arg, av);
    va_end(ap_);
    return do_execvpe(file, av, environ);
}
AW_EXPORT int execle(const char *path, const char *arg, ...)
{
    COLLECT_ARGS(arg, av);
    char *const *envp = va_arg(ap_, char *const *);
    va_end(ap_);
    return execve(path, av, envp);
}

AW_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
    int saved = errno;
    char target[AW_PATH_MAX + 1];
    target[0] = 0;
    aw_enter();
    if (aw_active) {
        char link[64];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        long r = aw_sys(SYS_readlinkat, AT_FDCWD, link, target, sizeof target - 1);
        target[r > 0 ? r : 0] = 0;
        if (r > 0)
            before_exec(target, 1);
    }
    FIXENV(envp, ne);
    errno = saved;
    int (*f)(int, char *const[], char *const[]) =
        REAL(int (*)(int, char *const[], char *const[]), fexecve);
    if (!f) {
        errno = ENOSYS;
        return -1;
    }
    int r = f(fd, argv, ne);
    exec_failed(target[0] ? target : NULL);
    return r;
}

typedef int (*spawn_fn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
                        const posix_spawnattr_t *, char *const[], char *const[]);

AW_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                          const posix_spawnattr_t *at, char *const argv[], char *const envp[])
{
    int saved = errno;
    before_exec(path, 0);
    FIXENV(envp, ne);
    errno = saved;
    spawn_fn f = REAL(spawn_fn, posix_spawn);
    return f ? f(pid, path, fa, at, argv, ne) : ENOSYS;
}

AW_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                           const posix_spawnattr_t *at, char *const argv[], char *const envp[])
{
    int saved = errno;
    char buf[AW_PATH_MAX + 1];
    aw_enter();
    if (aw_active)
        before_exec(aw_pathsearch(file, buf, sizeof buf), 0);
    FIXENV(envp, ne);
    errno = saved;
    spawn_fn f = REAL(spawn_fn, posix_spawnp);
    return f ? f(pid, file, fa, at, argv, ne) : ENOSYS;
}

AW_EXPORT int system(const char *cmd)
{
    int saved = errno;
    if (cmd) {
        before_exec("/bin/sh", 0);
        aw_env_putback();
    }
    errno = saved;
    int (*f)(const char *) = REAL(int (*)(const char *), system);
    return f ? f(cmd) : -1;
}

AW_EXPORT FILE *popen(const char *cmd, const char *mode)
{
    int saved = errno;
    before_exec("/bin/sh", 0);
    aw_env_putback();
    errno = saved;
    FILE *(*f)(const char *, const char *) = REAL(FILE * (*)(const char *, const char *), popen);
    if (!f) {
        errno = ENOSYS;
        return NULL;
    }
    return f(cmd, mode);
}
