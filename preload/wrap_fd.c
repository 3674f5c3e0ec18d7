/* Interposers of the calls that can put another file at a descriptor
 * number the shim owns (its socket, its trace file): close, dup2, dup3,
 * close_range, closefrom, and syscall() with one of those numbers. Each one
 * that names a shim descriptor bumps a generation before the real call, so
 * the shim checks the descriptor's identity again (fstat) before its next
 * record instead of before every record (track.c, owned_ok). */
#undef _FORTIFY_SOURCE
#include "shim.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The first field of clone3's struct clone_args (linux/sched.h) */
struct clone_args_head {
    unsigned long long flags;
};

#define REAL(type, name) ((type)aw_real((void **)&r_##name, #name))

static void *r_close, *r___close, *r_dup2, *r___dup2, *r_dup3, *r_close_range, *r_closefrom,
    *r_syscall, *r_clone;

void aw_resolve_fd(void)
{
    aw_real(&r_close, "close");
    aw_real(&r___close, "__close");
    aw_real(&r_dup2, "dup2");
    aw_real(&r___dup2, "__dup2");
    aw_real(&r_dup3, "dup3");
    aw_real(&r_close_range, "close_range");
    aw_real(&r_closefrom, "closefrom");
    aw_real(&r_syscall, "syscall");
    aw_real(&r_clone, "clone");
}

/* clone() with CLONE_VM and not CLONE_THREAD makes a child that shares our
 * memory, and the pid records carry with it: from now on they ask. The
 * three optional arguments are passed on as libc would read them. */
__attribute__((no_sanitize_address)) AW_EXPORT int clone(int (*fn)(void *), void *stack, int flags,
                                                         void *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    void *ptid = va_arg(ap, void *), *tls = va_arg(ap, void *), *ctid = va_arg(ap, void *);
    va_end(ap);
    if ((flags & CLONE_VM) && !(flags & CLONE_THREAD))
        aw_pid_shared();
    int (*f)(int (*)(void *), void *, int, void *, ...) =
        REAL(int (*)(int (*)(void *), void *, int, void *, ...), clone);
    if (!f) {
        errno = ENOSYS;
        return -1;
    }
    return f(fn, stack, flags, arg, ptid, tls, ctid);
}

#define INT_MAX_FD 0x7fffffff

AW_EXPORT int close(int fd)
{
    aw_fds_touched(fd, fd);
    int (*f)(int) = REAL(int (*)(int), close);
    return f ? f(fd) : (int)aw_sys(SYS_close, fd);
}

AW_EXPORT int __close(int fd)
{
    aw_fds_touched(fd, fd);
    int (*f)(int) = REAL(int (*)(int), __close);
    return f ? f(fd) : (int)aw_sys(SYS_close, fd);
}

AW_EXPORT int dup2(int old, int new)
{
    aw_fds_touched(new, new);
    int (*f)(int, int) = REAL(int (*)(int, int), dup2);
    return f ? f(old, new) : (int)aw_sys(SYS_dup2, old, new);
}

AW_EXPORT int __dup2(int old, int new)
{
    aw_fds_touched(new, new);
    int (*f)(int, int) = REAL(int (*)(int, int), __dup2);
    return f ? f(old, new) : (int)aw_sys(SYS_dup2, old, new);
}

AW_EXPORT int dup3(int old, int new, int flags)
{
    aw_fds_touched(new, new);
    int (*f)(int, int, int) = REAL(int (*)(int, int, int), dup3);
    return f ? f(old, new, flags) : (int)aw_sys(SYS_dup3, old, new, flags);
}

static int range_hi(unsigned last) { return last > INT_MAX_FD ? INT_MAX_FD : (int)last; }

AW_EXPORT int close_range(unsigned first, unsigned last, int flags)
{
    if (first <= INT_MAX_FD)
        aw_fds_touched((int)first, range_hi(last));
    int (*f)(unsigned, unsigned, int) = REAL(int (*)(unsigned, unsigned, int), close_range);
    return f ? f(first, last, flags) : (int)aw_sys(SYS_close_range, first, last, flags);
}

AW_EXPORT void closefrom(int low)
{
    aw_fds_touched(low < 0 ? 0 : low, INT_MAX_FD);
    void (*f)(int) = REAL(void (*)(int), closefrom);
    if (f) {
        f(low);
        return;
    }
    if (aw_sys(SYS_close_range, (unsigned)(low < 0 ? 0 : low), ~0u, 0) != 0)
        for (int fd = low < 0 ? 0 : low; fd < 65536; fd++)
            aw_sys(SYS_close, fd);
}

/* syscall(SYS_close, fd) is how libuv (Node) closes descriptors. Six
 * arguments are forwarded whatever the caller passed, as glibc's own
 * syscall() reads them (not sanitized: the sixth may be a caller's stack
 * slot ASan calls a redzone). */
__attribute__((no_sanitize_address)) AW_EXPORT long syscall(long n, ...)
{
    va_list ap;
    va_start(ap, n);
    long a[6];
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
    if (n == SYS_vfork || (n == SYS_clone && (a[0] & CLONE_VM) && !(a[0] & CLONE_THREAD)))
        aw_pid_shared();
#ifdef SYS_clone3
    else if (n == SYS_clone3 && a[0] && (((const struct clone_args_head *)a[0])->flags & CLONE_VM) &&
             !(((const struct clone_args_head *)a[0])->flags & CLONE_THREAD))
        aw_pid_shared();
#endif
    if (n == SYS_close)
        aw_fds_touched((int)a[0], (int)a[0]);
    else if (n == SYS_dup2 || n == SYS_dup3)
        aw_fds_touched((int)a[1], (int)a[1]);
    else if (n == SYS_close_range && (unsigned)a[0] <= INT_MAX_FD)
        aw_fds_touched((int)(unsigned)a[0], range_hi((unsigned)a[1]));
    long (*f)(long, ...) = REAL(long (*)(long, ...), syscall);
    return f ? f(n, a[0], a[1], a[2], a[3], a[4], a[5]) : aw_sys(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}
