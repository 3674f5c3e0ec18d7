/* The pid on each record without a getpid() per record.
 *
 * The cache lives in a page marked MADV_WIPEONFORK: every child made without
 * CLONE_VM (fork, a raw clone or fork system call, with or without our
 * atfork handler) gets that page zeroed by the kernel, so it asks once
 * again. A child that shares our memory (vfork, clone(CLONE_VM) that is not
 * a thread) sees our page as it is, so while one may run our code the cache
 * is not used: vfork.S counts vforks in progress, the clone wrapper below
 * counts CLONE_VFORK clones and switches the cache off for good on any
 * other CLONE_VM child. Raw syscall(SYS_vfork / SYS_clone with CLONE_VM) is
 * not seen; a child made that way returns into a frame it shares with us,
 * which libc's syscall() cannot survive anyway. */
#include "shim.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#define REAL(type, name) ((type)aw_real((void **)&r_##name, #name))

/* vforks and CLONE_VFORK clones whose child may be running (vfork.S) */
int aw_vm_kids;
/* a CLONE_VM child of unknown lifetime was made: never cache again */
static int g_vm_forever;

#define NO_CACHE ((int *)1)
static int *g_pidpage; /* NULL until first use; NO_CACHE if the kernel said no */

static int *pid_page(void)
{
    int *p = __atomic_load_n(&g_pidpage, __ATOMIC_ACQUIRE);
    if (p)
        return p;
    int *want = NO_CACHE;
    long m = syscall(SYS_mmap, NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    if (m != -1) {
        if (syscall(SYS_madvise, (void *)m, 4096, MADV_WIPEONFORK) == 0)
            want = (int *)m;
        else
            syscall(SYS_munmap, (void *)m, 4096); /* before Linux 4.14 */
    }
    int *expect = NULL;
    if (__atomic_compare_exchange_n(&g_pidpage, &expect, want, 0, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return want;
    if (want != NO_CACHE) /* another thread was first */
        syscall(SYS_munmap, want, 4096);
    return expect;
}

uint32_t aw_self_pid(void)
{
    if (aw_vm_shared())
        return (uint32_t)syscall(SYS_getpid);
    int *c = pid_page();
    if (c == NO_CACHE)
        return (uint32_t)syscall(SYS_getpid);
    int p = __atomic_load_n(c, __ATOMIC_RELAXED);
    if (!p) {
        p = (int)syscall(SYS_getpid);
        __atomic_store_n(c, p, __ATOMIC_RELAXED);
    }
    return (uint32_t)p;
}

int aw_vm_shared(void)
{
    return __atomic_load_n(&aw_vm_kids, __ATOMIC_ACQUIRE) ||
           __atomic_load_n(&g_vm_forever, __ATOMIC_ACQUIRE);
}

static void *r_clone;

/* The child never returns through here (it runs fn on its own stack), so a
 * C wrapper is safe; the parent's return ends a CLONE_VFORK child's turn. */
AW_EXPORT int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    pid_t *ptid = va_arg(ap, pid_t *);
    void *tls = va_arg(ap, void *);
    pid_t *ctid = va_arg(ap, pid_t *);
    va_end(ap);
    int vm = (flags & CLONE_VM) && !(flags & CLONE_THREAD);
    int vf = vm && (flags & CLONE_VFORK);
    if (vf)
        __atomic_add_fetch(&aw_vm_kids, 1, __ATOMIC_ACQ_REL);
    else if (vm)
        __atomic_store_n(&g_vm_forever, 1, __ATOMIC_RELEASE);
    int (*f)(int (*)(void *), void *, int, void *, ...) =
        REAL(int (*)(int (*)(void *), void *, int, void *, ...), clone);
    int r;
    if (f) {
        r = f(fn, stack, flags, arg, ptid, tls, ctid);
    } else {
        errno = ENOSYS;
        r = -1;
    }
    if (vf) {
        int e = errno;
        __atomic_sub_fetch(&aw_vm_kids, 1, __ATOMIC_ACQ_REL);
        errno = e;
    }
    return r;
}
