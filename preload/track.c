/* libtrack.so core: initialisation, the channel to the supervisor, the trace
 * output, path resolution, dedupe and the library rescan. The shim's own I/O
 * is raw syscalls only, so it never re-enters its own wrappers. */
#undef _FORTIFY_SOURCE
#include "shim.h"

#include "dedupe.h"
#include "extset.h"
#include "flavour.h"
#include "pathnorm.h"
#include "ring.h"
#include "wire.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

int aw_active;
__thread int aw_pending AW_TLS;
static __thread int aw_in_dlsym AW_TLS;

static int g_state; /* 0 none, 1 initialising, 2 done */
static struct aw_extset g_ext;
/* What this process reported already (dedupe.h): 32 KiB near, 256 KiB far */
/* page-aligned: madvise takes whole pages, and the near table spans 8, not 9 */
static uint64_t g_seen_near[1u << 12] __attribute__((aligned(4096)));
static uint64_t g_seen_far[1u << 15] __attribute__((aligned(4096)));
static const struct aw_seen g_seen = {g_seen_near, 1u << 12, g_seen_far, 1u << 15};
static unsigned g_far_records;

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

/* A page of the table costs a fault or two when first touched (a lookup
 * maps the zero page, the insert then copies it), and in a virtual machine
 * a fault is microseconds. The near table is 8 pages; the far one, 64,
 * is touched only by a program that reports thousands of paths, and at its
 * 32nd key there it is faulted in whole with one call (older kernels say
 * EINVAL: nothing lost). Faulting in the one big table at every program's
 * 32nd record cost Perl 0.12 ms of its 12 (500 modules). */
static int seen_insert(uint64_t h)
{
    int far = 0;
    int r = aw_seen_insert(&g_seen, h, &far);
    if (far && __atomic_add_fetch(&g_far_records, 1, __ATOMIC_RELAXED) == 32)
        aw_sys(SYS_madvise, g_seen_far, sizeof g_seen_far, MADV_POPULATE_WRITE);
    return r;
}

/* Captured environment, "NAME=value", for re-injection across exec. */
#define ENVBUF 4200
static char g_env_sock[ENVBUF], g_env_trace[ENVBUF], g_env_ext[512], g_env_all[64];
static char g_env_fd[64];
static char g_preload_prefix[ENVBUF]; /* LD_PRELOAD entries up to and incl. ours */
static char g_env_preload[ENVBUF + 16];
static char g_shim_path[ENVBUF];
static size_t g_shim_len;
/* The other libc flavour of the shim, next to us, if it was built. */
static char g_sibling[ENVBUF];
#ifdef __GLIBC__
#define AW_OWN_MUSL 0
#else
#define AW_OWN_MUSL 1
#endif
__thread int aw_next_musl AW_TLS = AW_OWN_MUSL;

static char g_sockpath[sizeof(((struct sockaddr_un *)0)->sun_path)];
static char g_sockdir[AW_PATH_MAX + 1];
static size_t g_sockdir_len;
static int g_sock_dead;
static char g_tracepath[AW_PATH_MAX + 1];
static int g_trace_stderr;
static int g_trace_failed; /* AUTOWRAP_TRACE could not be opened (said) */

/* A descriptor the shim owns, checked by identity (fstat) before use unless
 * nothing can have replaced it since the last check: the program's close,
 * dup2, dup3, close_range, closefrom and syscall() naming it bump g_fd_gen
 * first (wrap_fd.c). VERIFIED is the descriptor and the g_fd_gen value of
 * the last check that passed, in one word (a thread holding a descriptor
 * number from before a reconnect must not pass on the new one's check).
 * PID is the process that owns the record: a vfork child shares our
 * memory, so it must not replace the parent's descriptor; it uses a
 * temporary one. */
struct owned_fd {
    int fd; /* -1 none */
    uint64_t dev, ino;
    int pid;
    uint64_t verified;
};
static struct owned_fd g_sock = {-1, 0, 0, 0, 0}, g_trace = {-1, 0, 0, 0, 0};
/* Starts at 1: verified == 0 never matches, a new descriptor is checked. */
static uint32_t g_fd_gen = 1;

static uint64_t verified_word(int fd, uint32_t gen) { return (uint64_t)gen << 32 | (uint32_t)fd; }

static int touches(int fd, int lo, int hi) { return fd >= 0 && fd >= lo && fd <= hi; }

void aw_fds_touched(int lo, int hi)
{
    if (touches(__atomic_load_n(&g_sock.fd, __ATOMIC_ACQUIRE), lo, hi) ||
        touches(__atomic_load_n(&g_trace.fd, __ATOMIC_ACQUIRE), lo, hi))
        __atomic_add_fetch(&g_fd_gen, 1, __ATOMIC_ACQ_REL);
}

/* cwd cache, seqlock with a single writer; readers fall back to getcwd. */
static char g_cwd[AW_PATH_MAX + 1];
static size_t g_cwd_len;
static unsigned g_cwd_seq;
static int g_cwd_broken = 1;

/* Reads six arguments whatever the caller passed, as glibc's syscall()
 * does (the kernel ignores the ones a call does not take): ASan would flag
 * the read of the sixth from the caller's stack. */
__attribute__((no_sanitize_address)) long aw_sys(long n, ...)
{
    va_list ap;
    va_start(ap, n);
    long a1 = va_arg(ap, long), a2 = va_arg(ap, long), a3 = va_arg(ap, long);
    register long a4 __asm__("r10") = va_arg(ap, long);
    register long a5 __asm__("r8") = va_arg(ap, long);
    register long a6 __asm__("r9") = va_arg(ap, long);
    va_end(ap);
    long r;
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(a4), "r"(a5), "r"(a6)
                     : "rcx", "r11", "memory");
    if ((unsigned long)r > -4096ul) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

static long rsys_fstat(int fd, struct stat *st) { return aw_sys(SYS_fstat, fd, st); }

void *aw_real(void **slot, const char *name)
{
    void *p = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (p || aw_in_dlsym)
        return p;
    aw_in_dlsym = 1;
    p = dlsym(RTLD_NEXT, name);
    aw_in_dlsym = 0;
    __atomic_store_n(slot, p, __ATOMIC_RELEASE);
    return p;
}

/* ---- cwd ---- */

static size_t raw_getcwd(char *buf, size_t cap)
{
    long n = aw_sys(SYS_getcwd, buf, cap);
    if (n <= 0 || buf[0] != '/')
        return 0;
    return strlen(buf);
}

/* The process whose directory the cache holds. A vfork child (Python's
 * subprocess with cwd= calls chdir() in one) shares our memory: its chdir
 * only marks the cache stale, and while it is stale the owner refills it
 * on its next relative path and anyone else asks the kernel. */
static int g_cwd_pid;

void aw_cwd_refresh(void)
{
    int self = (int)aw_sys(SYS_getpid);
    int owner = __atomic_load_n(&g_cwd_pid, __ATOMIC_ACQUIRE);
    if (owner && owner != self) {
        __atomic_store_n(&g_cwd_broken, 1, __ATOMIC_RELEASE);
        return;
    }
    __atomic_store_n(&g_cwd_pid, self, __ATOMIC_RELEASE);
    char tmp[AW_PATH_MAX + 1];
    size_t n = raw_getcwd(tmp, sizeof tmp);
    unsigned s = __atomic_load_n(&g_cwd_seq, __ATOMIC_ACQUIRE);
    if ((s & 1) || !__atomic_compare_exchange_n(&g_cwd_seq, &s, s + 1, 0, __ATOMIC_ACQ_REL,
                                                 __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&g_cwd_broken, 1, __ATOMIC_RELEASE);
        return;
    }
    if (n) {
        memcpy(g_cwd, tmp, n + 1);
        g_cwd_len = n;
    }
    __atomic_store_n(&g_cwd_broken, n == 0, __ATOMIC_RELEASE);
    __atomic_store_n(&g_cwd_seq, s + 2, __ATOMIC_RELEASE);
}

static size_t get_cwd(char *out, size_t cap)
{
    if (__atomic_load_n(&g_cwd_broken, __ATOMIC_ACQUIRE) &&
        aw_sys(SYS_getpid) == __atomic_load_n(&g_cwd_pid, __ATOMIC_ACQUIRE))
        aw_cwd_refresh();
    if (!__atomic_load_n(&g_cwd_broken, __ATOMIC_ACQUIRE)) {
        unsigned s1 = __atomic_load_n(&g_cwd_seq, __ATOMIC_ACQUIRE);
        if (!(s1 & 1)) {
            size_t n = g_cwd_len;
            if (n < cap) {
                memcpy(out, g_cwd, n);
                out[n] = 0;
                __atomic_thread_fence(__ATOMIC_ACQUIRE);
                if (__atomic_load_n(&g_cwd_seq, __ATOMIC_RELAXED) == s1 && n)
                    return n;
            }
        }
    }
    return raw_getcwd(out, cap);
}

/* ---- output ---- */

static int move_high(int fd)
{
    static const int targets[] = {900, 500, 200, 100, 30};
    for (size_t i = 0; i < sizeof targets / sizeof *targets; i++) {
        long nfd = aw_sys(SYS_fcntl, fd, F_DUPFD_CLOEXEC, targets[i]);
        if (nfd >= 0) {
            aw_sys(SYS_close, fd);
            return (int)nfd;
        }
    }
    return fd;
}

static int owned_ok(struct owned_fd *o, int fd)
{
    if (fd < 0)
        return 0;
    /* read before the check: a bump during it makes the next use check again */
    uint64_t want = verified_word(fd, __atomic_load_n(&g_fd_gen, __ATOMIC_ACQUIRE));
    if (__atomic_load_n(&o->verified, __ATOMIC_ACQUIRE) == want)
        return 1;
    struct stat st;
    if (rsys_fstat(fd, &st) != 0 || (uint64_t)st.st_dev != o->dev || (uint64_t)st.st_ino != o->ino)
        return 0;
    __atomic_store_n(&o->verified, want, __ATOMIC_RELEASE);
    return 1;
}

/* May FD (just opened) become O's descriptor? Not in a vfork child. */
static int owned_claim(struct owned_fd *o, int fd)
{
    int self = (int)aw_sys(SYS_getpid);
    int owner = __atomic_load_n(&o->pid, __ATOMIC_ACQUIRE);
    if (owner && owner != self)
        return 0; /* caller uses FD once and closes it */
    uint32_t gen = __atomic_load_n(&g_fd_gen, __ATOMIC_ACQUIRE);
    struct stat st;
    if (rsys_fstat(fd, &st) != 0)
        return 0;
    /* Not perfectly atomic with dev/ino; a racing reconnect only costs an fd.
     * The old descriptor is not ours any more (closed or replaced). */
    o->dev = (uint64_t)st.st_dev;
    o->ino = (uint64_t)st.st_ino;
    __atomic_store_n(&o->fd, fd, __ATOMIC_RELEASE);
    __atomic_store_n(&o->pid, self, __ATOMIC_RELEASE);
    __atomic_store_n(&o->verified, verified_word(fd, gen), __ATOMIC_RELEASE);
    return 1;
}

static void atfork_child(void)
{
    int self = (int)aw_sys(SYS_getpid);
    __atomic_store_n(&g_sock.pid, self, __ATOMIC_RELEASE);
    __atomic_store_n(&g_trace.pid, self, __ATOMIC_RELEASE);
    __atomic_store_n(&g_cwd_pid, self, __ATOMIC_RELEASE); /* our own copy of the cache now */
}

static int sock_fd(int *temp)
{
    *temp = 0;
    int fd = __atomic_load_n(&g_sock.fd, __ATOMIC_ACQUIRE);
    if (owned_ok(&g_sock, fd))
        return fd;
    if (g_sock_dead || !g_sockpath[0])
        return -1;
    long s = aw_sys(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, g_sockpath, strlen(g_sockpath));
    if (aw_sys(SYS_connect, (int)s, &sa, sizeof sa) != 0) {
        int e = errno;
        aw_sys(SYS_close, (int)s);
        if (e == ECONNREFUSED || e == ENOENT || e == ENOTDIR || e == EACCES)
            g_sock_dead = 1;
        return -1;
    }
    struct timeval tv = {1, 0};
    aw_sys(SYS_setsockopt, (int)s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int h = move_high((int)s);
    *temp = !owned_claim(&g_sock, h);
    return h;
}

static int open_trace(int *temp)
{
    if (g_trace_failed)
        return -1;
    int fd = aw_trace_open(g_tracepath);
    if (fd < 0) {
        g_trace_failed = 1; /* said once; no retry on every record */
        return -1;
    }
    int h = move_high((int)fd);
    *temp = !owned_claim(&g_trace, h);
    return h;
}

static int trace_fd(int *temp)
{
    *temp = 0;
    if (g_trace_stderr)
        return 2;
    int fd = __atomic_load_n(&g_trace.fd, __ATOMIC_ACQUIRE);
    if (owned_ok(&g_trace, fd))
        return fd;
    if (!g_tracepath[0])
        return -1;
    return open_trace(temp);
}

/* Records go to a supervisor (they carry a pid and an identity), not only
 * to a trace file (a path per line). */
static int to_supervisor(void) { return g_sockpath[0] && !g_sock_dead; }

static int tracing(void) { return g_tracepath[0] || g_trace_stderr; }

/* One trace line for PATH unless its hash H (kind 0: the path alone) says
 * this process wrote it already. */
static void trace_line(const char *path, size_t len, uint64_t h)
{
    if (!seen_insert(h))
        return;
    char line[AW_PATH_MAX * 4 + 2];
    size_t o = 0;
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)path[i];
        if (c == '\\') {
            line[o++] = '\\';
            line[o++] = '\\';
        } else if (c == '\n') {
            line[o++] = '\\';
            line[o++] = 'n';
        } else if (c == '\t') {
            line[o++] = '\\';
            line[o++] = 't';
        } else if (c < 0x20 || c == 0x7f) {
            line[o++] = '\\';
            line[o++] = 'x';
            line[o++] = hex[c >> 4];
            line[o++] = hex[c & 15];
        } else {
            line[o++] = (char)c;
        }
    }
    line[o++] = '\n';
    for (int again = 1;; again--) {
        int temp = 0;
        int fd = trace_fd(&temp);
        if (fd < 0)
            break;
        long r = aw_sys(SYS_write, fd, line, o);
        int e = r < 0 ? errno : 0;
        if (temp)
            aw_sys(SYS_close, fd);
        if (!(e == EBADF && !temp && fd != 2 && again))
            break;
        __atomic_store_n(&g_trace.verified, 0, __ATOMIC_RELEASE);
    }
}

/* A send timed out (SO_SNDTIMEO, 1 s: autowrap stalled or swamped): until
 * one goes through again, sends do not wait, so a stalled autowrap slows
 * the program by one timeout, not one per record. */
static int g_send_stalled;

/* One byte in the runtime directory's "lost" file per record not
 * delivered: autowrap reads the count from its size and says so. A write
 * to a regular file does not wait for a stalled reader. */
/* RUNDIR/NAME (the directory of the supervisor's socket) into P. 0 when
 * there is no such directory or the name does not fit. */
static int rundir_file(char *p, size_t cap, const char *name)
{
    size_t nl = strlen(name) + 1;
    if (!g_sockdir_len || g_sockdir_len + 1 + nl > cap)
        return 0;
    memcpy(p, g_sockdir, g_sockdir_len);
    p[g_sockdir_len] = '/';
    memcpy(p + g_sockdir_len + 1, name, nl);
    return 1;
}

static void count_lost(void)
{
    char p[AW_PATH_MAX + 1];
    if (!rundir_file(p, sizeof p, AW_LOST_NAME))
        return;
    long fd = aw_sys(SYS_openat, AT_FDCWD, p, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return;
    aw_sys(SYS_write, (int)fd, "x", 1);
    aw_sys(SYS_close, (int)fd);
}

/* The supervisor's record ring (preload/ring.h), reached through
 * RUNDIR/ring: a record put there costs no system call. Mapped at a
 * process's AW_RING_AFTER-th record, so a short-lived process (a shell
 * pipeline's) pays its few sends and not the mapping. Inherited by fork
 * (the mapping is shared), mapped anew after exec. */
#define AW_RING_AFTER 8
static void *g_ring;
static int g_ring_tried;
static unsigned g_ring_count;

static void *ring_get(void)
{
    void *r = __atomic_load_n(&g_ring, __ATOMIC_ACQUIRE);
    if (r || __atomic_load_n(&g_ring_tried, __ATOMIC_RELAXED))
        return r;
    if (__atomic_add_fetch(&g_ring_count, 1, __ATOMIC_RELAXED) < AW_RING_AFTER)
        return NULL;
    if (__atomic_exchange_n(&g_ring_tried, 1, __ATOMIC_ACQ_REL))
        return NULL; /* another thread maps it; this record goes as a datagram */
    char p[AW_PATH_MAX + 1];
    if (!rundir_file(p, sizeof p, AW_RING_NAME))
        return NULL;
    int saved = errno;
    /* a link to the supervisor's memfd (/proc/PID/fd/N) */
    long fd = aw_sys(SYS_openat, AT_FDCWD, p, O_RDWR | O_CLOEXEC);
    struct stat st;
    long m = -1;
    /* shorter than the layout: touching the end would be SIGBUS */
    if (fd >= 0 && rsys_fstat((int)fd, &st) == 0 && S_ISREG(st.st_mode) &&
        (size_t)st.st_size >= AW_RING_BYTES)
        m = aw_sys(SYS_mmap, 0L, (long)AW_RING_BYTES, (long)(PROT_READ | PROT_WRITE), (long)MAP_SHARED,
                   fd, 0L);
    if (fd >= 0)
        aw_sys(SYS_close, (int)fd);
    if (m != -1 && !aw_ring_valid((void *)m, AW_RING_BYTES)) {
        aw_sys(SYS_munmap, m, (long)AW_RING_BYTES);
        m = -1;
    }
    errno = saved;
    if (m == -1)
        return NULL;
    __atomic_store_n(&g_ring, (void *)m, __ATOMIC_RELEASE);
    return (void *)m;
}

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18 /* Linux 4.14 */
#endif

/* The pid a record carries, without a getpid() per record (a system call
 * costs about as much as the rest of a record here). It is kept in a page
 * the kernel wipes in a fork child, whichever way it forked (fork, _Fork,
 * a raw clone), so the child asks again. Children that share our memory
 * would read our pid there: a vfork child is marked by vfork.S (per
 * thread: the parent's other threads go on reading the page), and once a
 * CLONE_VM child may exist in some other way (clone(), the syscall()
 * numbers) every record asks the kernel again. An exec record always asks:
 * the exec's pid is what autowrap follows. Without the page (an older
 * kernel), every record asks. */
__thread int aw_vfork_child AW_TLS;
static int g_pid_nocache;
static uint32_t *g_pid_cache;
static int g_pid_cache_tried;

void aw_pid_shared(void) { __atomic_store_n(&g_pid_nocache, 1, __ATOMIC_RELEASE); }

long aw_vfork_failed(int neg)
{
    errno = -neg;
    return -1;
}

static uint32_t record_pid(unsigned kind)
{
    if (kind == AW_KIND_EXEC || aw_vfork_child || __atomic_load_n(&g_pid_nocache, __ATOMIC_ACQUIRE))
        return (uint32_t)aw_sys(SYS_getpid);
    uint32_t *c = __atomic_load_n(&g_pid_cache, __ATOMIC_ACQUIRE);
    if (!c && !__atomic_exchange_n(&g_pid_cache_tried, 1, __ATOMIC_ACQ_REL)) {
        long m = aw_sys(SYS_mmap, 0L, 4096L, (long)(PROT_READ | PROT_WRITE),
                        (long)(MAP_PRIVATE | MAP_ANONYMOUS), -1L, 0L);
        if (m != -1 && aw_sys(SYS_madvise, m, 4096L, MADV_WIPEONFORK) == 0)
            __atomic_store_n(&g_pid_cache, (uint32_t *)m, __ATOMIC_RELEASE);
        else if (m != -1)
            aw_sys(SYS_munmap, m, 4096L);
        c = __atomic_load_n(&g_pid_cache, __ATOMIC_ACQUIRE);
    }
    uint32_t v = c ? __atomic_load_n(c, __ATOMIC_RELAXED) : 0;
    if (!v) {
        v = (uint32_t)aw_sys(SYS_getpid);
        if (c)
            __atomic_store_n(c, v, __ATOMIC_RELAXED);
    }
    return v;
}

/* The ring's tail as this process last read it (ring.h) */
static uint64_t g_ring_tail_seen;

static void send_record(unsigned kind, unsigned flags, const char *path, size_t len,
                        const struct aw_ident *id)
{
    if (to_supervisor()) {
        uint32_t pid = record_pid(kind);
        unsigned char buf[AW_WIRE_MAX];
        size_t n = aw_wire_encode_flags(buf, kind, flags, pid, id, path, len);
        void *ring = n ? ring_get() : NULL;
        int put = ring ? aw_ring_put_seen(ring, buf, n, &g_ring_tail_seen) : AW_RING_FALLBACK;
        if (put == AW_RING_STORED)
            n = 0; /* delivered, no system call */
        int wake = put == AW_RING_WAKE;
        if (wake) {
            buf[0] = 0; /* not a record: it wakes the supervisor, which reads the ring */
            n = 1;
        }
        for (int again = 1; n; again--) {
            int temp = 0;
            int fd = sock_fd(&temp);
            if (fd < 0)
                break;
            int nowait = __atomic_load_n(&g_send_stalled, __ATOMIC_RELAXED);
            long r;
            int tries = 0;
            do /* a signal handler interrupting the wait is no reason to lose it */
                r = aw_sys(SYS_sendto, fd, buf, n, MSG_NOSIGNAL | (nowait ? MSG_DONTWAIT : 0),
                           NULL, 0);
            while (r < 0 && errno == EINTR && ++tries < 8);
            int e = r < 0 ? errno : 0;
            if (e == ECONNREFUSED || e == ENOTCONN)
                g_sock_dead = 1;
            if (r >= 0 && nowait)
                __atomic_store_n(&g_send_stalled, 0, __ATOMIC_RELAXED);
            /* a wake-up that could not be sent lost nothing: the record is
             * in the ring, and a full socket wakes the supervisor anyway */
            if (!wake && (e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS || e == EINTR)) {
                __atomic_store_n(&g_send_stalled, 1, __ATOMIC_RELAXED);
                count_lost();
            }
            if (temp)
                aw_sys(SYS_close, fd);
            /* closed or replaced behind libc's back: check, reconnect, once */
            if (!((e == EBADF || e == ENOTSOCK) && !temp && again))
                break;
            __atomic_store_n(&g_sock.verified, 0, __ATOMIC_RELEASE);
        }
    }
    /* Trace lines: each dependency path once per process, whatever its kind. */
    if (tracing() && aw_kind_is_dependency(kind))
        trace_line(path, len, aw_dedupe_hash(0, path, len));
}

/* ---- reporting ---- */

static int excluded(const char *p, size_t n)
{
    static const char *const pre[] = {"/proc", "/sys", "/dev"};
    for (size_t i = 0; i < 3; i++) {
        size_t l = strlen(pre[i]);
        if (n >= l && memcmp(p, pre[i], l) == 0 && (n == l || p[l] == '/'))
            return 1;
    }
    /* The shim is autowrap's, not the program's: never a dependency. */
    if (n == g_shim_len && memcmp(p, g_shim_path, n) == 0)
        return 1;
    if (g_sibling[0] && strlen(g_sibling) == n && memcmp(p, g_sibling, n) == 0)
        return 1;
    if (g_sockdir_len && n >= g_sockdir_len && memcmp(p, g_sockdir, g_sockdir_len) == 0 &&
        (n == g_sockdir_len || p[g_sockdir_len] == '/'))
        return 1;
    return 0;
}

static size_t make_abs(int dirfd, const char *path, size_t len, char *out, size_t cap)
{
    if (path[0] == '/')
        return aw_path_absolute(out, cap, NULL, 0, path, len);
    char base[AW_PATH_MAX + 1];
    size_t bl;
    if (dirfd == AT_FDCWD) {
        bl = get_cwd(base, sizeof base);
    } else {
        char link[32] = "/proc/self/fd/";
        char num[12];
        int k = 0;
        unsigned v = (unsigned)dirfd;
        if (dirfd < 0)
            return 0;
        do
            num[k++] = (char)('0' + v % 10);
        while ((v /= 10) && k < 11);
        size_t o = strlen(link);
        while (k)
            link[o++] = num[--k];
        link[o] = 0;
        long r = aw_sys(SYS_readlinkat, AT_FDCWD, link, base, sizeof base - 1);
        if (r <= 0 || base[0] != '/')
            return 0;
        bl = (size_t)r;
        base[bl] = 0;
    }
    if (!bl)
        return 0;
    return aw_path_absolute(out, cap, base, bl, path, len);
}

/* The path this thread last found in the trace, as the program named it:
 * programs stat a file and then open it by the same name (Perl, Ruby),
 * and the second call then costs one hash instead of a normalisation. A
 * relative name counts only with the same working directory. Inherited by
 * a fork child with the table it stands for. */
static __thread uint64_t t_last_traced AW_TLS;

static uint64_t raw_key(int dirfd, const char *path, size_t len)
{
    uint64_t h = aw_dedupe_hash(0, path, len);
    if (path[0] == '/')
        return h;
    if (dirfd != AT_FDCWD || __atomic_load_n(&g_cwd_broken, __ATOMIC_ACQUIRE))
        return 0;
    unsigned seq = __atomic_load_n(&g_cwd_seq, __ATOMIC_ACQUIRE);
    if (seq & 1)
        return 0;
    h ^= ((uint64_t)seq + 1) * 0x9e3779b97f4a7c15ull;
    return h ? h : 1;
}

/* The regular file this thread's newest stat record named, by its STAT
 * key: programs stat a file and then open it (Perl, Ruby), and the open's
 * record then takes the stat's identity instead of an fstat. Were the file
 * replaced in between, the supervisor's own look differs from the record
 * and it restarts: never a missed change. */
static __thread struct {
    uint64_t key;
    struct stat st;
} t_last_stat AW_TLS;

/* The identity of the file a record names, into ST: the program's own stat
 * result when it has one (an lstat result serves unless it is a link: we
 * follow), else fstat of the descriptor it opened, else a stat of the path
 * (following symlinks even for lstat: the supervisor confirms changes with
 * stat(), and comparing a link's own identity with its target's made every
 * lstat of a symlinked file look like an edit; Node's and Python's realpath
 * lstat every component). 0 when there is none. */
static int record_identity(int how, int fd, const char *abs, const struct stat *given,
                           struct stat *st)
{
    if (given && (how == AW_ID_STAT || (how == AW_ID_LSTAT && !S_ISLNK(given->st_mode)))) {
        *st = *given;
        return 1;
    }
    if (how == AW_ID_FD)
        return rsys_fstat(fd, st) == 0;
    if (how == AW_ID_STAT || how == AW_ID_LSTAT)
        return aw_sys(SYS_newfstatat, AT_FDCWD, abs, st, 0) == 0;
    return 0;
}

/* Records with no supervisor to read them: only a trace line per path can
 * come of them, so a path already written costs one table lookup, and the
 * identity is looked at only to drop directories and FIFOs (an exec or a
 * library is a file already). */
static int trace_only(unsigned kind, const char *abs, size_t n, int how, int fd,
                      const struct stat *given, uint64_t h)
{
    if (!tracing() || !aw_kind_is_dependency(kind) || excluded(abs, n))
        return 0;
    if (!h)
        h = aw_dedupe_hash(0, abs, n);
    if (aw_seen_contains(&g_seen, h))
        return 1;
    if (kind == AW_KIND_READ || kind == AW_KIND_STAT) {
        struct stat st;
        int ok = record_identity(how, fd, abs, given, &st);
        /* a stat that failed now still happened: the path is a dependency */
        if (kind == AW_KIND_STAT ? ok && S_ISDIR(st.st_mode) : !ok || !S_ISREG(st.st_mode))
            return 0;
    }
    trace_line(abs, n, h);
    return 1;
}

/* A listing's record says when (wire.h): the supervisor, once it watches
 * the directory, looks for entries made since, which no event reported. */
static void listed_ident(struct aw_ident *id)
{
    struct timespec ts;
    memset(id, 0, sizeof *id);
    if (clock_gettime(CLOCK_REALTIME_COARSE, &ts) == 0)
        id->mtime_ns = aw_ts_ns(ts);
}

/* always: an event, not only a path; sent each time and not remembered
 * (a vfork child shares the parent's table). GIVEN: the program's own stat
 * result for the path (AW_ID_STAT or AW_ID_LSTAT), or NULL. */
static void report_abs(unsigned kind, char *abs, size_t n, int how, int fd, unsigned flags,
                       int always, const struct stat *given, uint64_t key)
{
    if (!to_supervisor()) {
        trace_only(kind, abs, n, how, fd, given, 0);
        return;
    }
    if (excluded(abs, n))
        return;
    if (!key)
        key = aw_dedupe_hash(kind, abs, n);
    if (!always && !seen_insert(key))
        return;
    struct aw_ident id = {0};
    struct stat st;
    int ok;
    if (how == AW_ID_FD && t_last_stat.key &&
        t_last_stat.key == aw_dedupe_hash(AW_KIND_STAT, abs, n)) {
        st = t_last_stat.st;
        ok = 1;
    } else {
        ok = record_identity(how, fd, abs, given, &st);
    }
    if (ok && kind == AW_KIND_STAT && S_ISREG(st.st_mode)) {
        t_last_stat.key = key;
        t_last_stat.st = st;
    }
    if (ok && kind == AW_KIND_STAT && S_ISDIR(st.st_mode))
        return; /* a directory looked up is not a file the program loads */
    if (how == AW_ID_FD) {
        /* The open wrappers leave this fstat to us, behind the dedupe
         * check, so a file opened 10,000 times is fstat-ed once. */
        if (!ok)
            return;
        if (S_ISDIR(st.st_mode)) {
            listed_ident(&id);
            send_record(AW_KIND_LISTED, 0, abs, n, &id);
            return;
        }
        if (!S_ISREG(st.st_mode))
            return; /* a FIFO or device is not a file the program loads */
    }
    if (ok)
        aw_ident_from_stat(&id, &st);
    else if (kind == AW_KIND_LISTED)
        listed_ident(&id);
    send_record(kind, flags, abs, n, &id);
}

static void note(unsigned kind, int dirfd, const char *path, int tracked, int how, int fd,
                 const struct stat *given)
{
    if (!aw_active || !path || !path[0])
        return;
    size_t len = strlen(path);
    if (tracked && !aw_extset_match(&g_ext, path, len))
        return;
    uint64_t raw = 0;
    if (!to_supervisor()) {
        /* with only a trace file, a miss, a listing or a write leaves no line */
        if (!(tracing() && aw_kind_is_dependency(kind)))
            return;
        raw = raw_key(dirfd, path, len);
        if (raw && raw == t_last_traced)
            return;
        if (raw && path[0] == '/')
            aw_seen_prefetch(&g_seen, raw);
    }
    /* An absolute name that normalising leaves alone (the same length: it
     * only takes away) hashes the same: hash it now, and the table's line
     * is fetched while it is normalised. */
    uint64_t early = 0;
    if (!raw && path[0] == '/') {
        early = aw_dedupe_hash(kind, path, len);
        aw_seen_prefetch(&g_seen, early);
    }
    int saved = errno;
    char abs[AW_PATH_MAX + 1];
    size_t n = make_abs(dirfd, path, len, abs, sizeof abs);
    int same = path[0] == '/' && n == len;
    if (n && raw) {
        if (trace_only(kind, abs, n, how, fd, given, same ? raw : 0))
            t_last_traced = raw;
    } else if (n) {
        report_abs(kind, abs, n, how, fd, 0, 0, given, same ? early : 0);
    }
    errno = saved;
}

void aw_note_exec(const char *path, unsigned flags)
{
    if (!aw_active || !path || !path[0])
        return;
    int saved = errno;
    char abs[AW_PATH_MAX + 1];
    size_t n = make_abs(AT_FDCWD, path, strlen(path), abs, sizeof abs);
    if (n)
        report_abs(AW_KIND_EXEC, abs, n, AW_ID_STAT, -1, flags, 1, NULL, 0);
    errno = saved;
}

void aw_note(unsigned kind, int dirfd, const char *path, int tracked, int how, int fd)
{
    note(kind, dirfd, path, tracked, how, fd, NULL);
}

void aw_note_stat(int dirfd, const char *path, int nofollow, const struct stat *st)
{
    note(AW_KIND_STAT, dirfd, path, 1, nofollow ? AW_ID_LSTAT : AW_ID_STAT, -1, st);
}

/* ---- libraries ---- */

static unsigned long long g_last_adds = ~0ull;

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    int *first = data;
    if (*first) {
        *first = 0;
        if (size >= offsetof(struct dl_phdr_info, dlpi_subs)) {
            unsigned long long a = info->dlpi_adds;
            if (__atomic_exchange_n(&g_last_adds, a, __ATOMIC_ACQ_REL) == a)
                return 1;
        }
    }
    if (info->dlpi_name && info->dlpi_name[0] == '/')
        aw_note(AW_KIND_LIB, AT_FDCWD, info->dlpi_name, 0, AW_ID_STAT, -1);
    return 0;
}

void aw_rescan(void)
{
    if (!aw_active)
        return;
    int first = 1;
    dl_iterate_phdr(phdr_cb, &first);
}

/* ---- environment ---- */

static const char *env_get(const char *name)
{
    size_t l = strlen(name);
    if (!environ)
        return NULL;
    for (char **e = environ; *e; e++)
        if (strncmp(*e, name, l) == 0 && (*e)[l] == '=')
            return *e + l + 1;
    return NULL;
}

static void capture(char *dst, size_t cap, const char *name, const char *val)
{
    size_t l = strlen(name), v = strlen(val);
    if (l + 1 + v >= cap)
        return;
    memcpy(dst, name, l);
    dst[l] = '=';
    memcpy(dst + l + 1, val, v + 1);
}

static void find_self(void)
{
    Dl_info di;
    if (dladdr((void *)&find_self, &di) && di.dli_fname && di.dli_fname[0] == '/' &&
        strlen(di.dli_fname) < sizeof g_shim_path)
        strcpy(g_shim_path, di.dli_fname);
    g_shim_len = strlen(g_shim_path);
    if (g_shim_len &&
        aw_flavour_sibling(g_sibling, sizeof g_sibling, g_shim_path, g_shim_len, !AW_OWN_MUSL) &&
        aw_sys(SYS_faccessat, AT_FDCWD, g_sibling, R_OK) != 0)
        g_sibling[0] = 0;
    /* Our prefix of LD_PRELOAD: entries up to and including the shim (an
     * ASan runtime, when there is one, stays in front of us). */
    const char *lp = env_get("LD_PRELOAD");
    const char *base = strrchr(g_shim_path, '/');
    base = base ? base + 1 : g_shim_path;
    if (lp) {
        const char *p = lp;
        while (*p) {
            while (*p == ':' || *p == ' ')
                p++;
            const char *q = p;
            while (*q && *q != ':' && *q != ' ')
                q++;
            size_t n = (size_t)(q - p), bl = strlen(base);
            if (n >= bl && memcmp(q - bl, base, bl) == 0 && (n == bl || q[-bl - 1] == '/')) {
                size_t t = (size_t)(q - lp);
                if (t < sizeof g_preload_prefix) {
                    memcpy(g_preload_prefix, lp, t);
                    g_preload_prefix[t] = 0;
                }
                return;
            }
            p = q;
        }
    }
    if (g_shim_path[0])
        strcpy(g_preload_prefix, g_shim_path);
}

size_t aw_env_count(char *const *envp)
{
    size_t n = 0;
    if (envp)
        while (envp[n])
            n++;
    return n;
}

static int env_has(char *const *envp, const char *entry)
{
    const char *eq = strchr(entry, '=');
    size_t l = (size_t)(eq - entry) + 1;
    if (envp)
        for (size_t i = 0; envp[i]; i++)
            if (strncmp(envp[i], entry, l) == 0)
                return 1;
    return 0;
}

static int preload_has_shim(const char *val)
{
    return g_shim_path[0] && strstr(val, g_shim_path) != NULL;
}

/* "LD_PRELOAD=FIRST[:THEIRS]" into dst; 0 if it does not fit. */
static size_t compose_ld_preload(char *dst, size_t cap, const char *first, const char *theirs)
{
    size_t a = strlen(first), b = strlen(theirs);
    if (11 + a + 1 + b + 1 > cap)
        return 0;
    memcpy(dst, "LD_PRELOAD=", 11);
    memcpy(dst + 11, first, a);
    size_t p = 11 + a;
    if (b) {
        dst[p++] = ':';
        memcpy(dst + p, theirs, b);
        p += b;
    }
    dst[p] = 0;
    return p;
}

/* Our prefix first; the program's own preloads are kept, after ours. */
static size_t compose_preload(char *dst, size_t cap, const char *theirs)
{
    return compose_ld_preload(dst, cap, g_preload_prefix, theirs);
}

/* The exec target needs the other flavour: the sibling first, with our own
 * prefix taken out of THEIRS. */
static size_t compose_sibling(char *dst, size_t cap, const char *theirs)
{
    size_t a = strlen(g_preload_prefix);
    if (a && strncmp(theirs, g_preload_prefix, a) == 0 && (theirs[a] == 0 || theirs[a] == ':'))
        theirs += a + (theirs[a] == ':');
    return compose_ld_preload(dst, cap, g_sibling, theirs);
}

char *const *aw_fix_env(char *const *envp, char **nenv, size_t ncap, char *buf, size_t bcap)
{
    if (!aw_active || !g_preload_prefix[0])
        return envp;
    int swap = g_sibling[0] && aw_next_musl != AW_OWN_MUSL;
    aw_next_musl = AW_OWN_MUSL;
    if (swap) {
        const char *mine[] = {g_env_sock, g_env_trace, g_env_ext, g_env_all, g_env_fd};
        size_t n = aw_env_count(envp), o = 0;
        const char *theirs = "";
        if (ncap < n + 7)
            return envp;
        for (size_t i = 0; i < n; i++) {
            if (strncmp(envp[i], "LD_PRELOAD=", 11) == 0)
                theirs = envp[i] + 11;
            else
                nenv[o++] = envp[i];
        }
        if (strstr(theirs, g_sibling))
            return envp; /* already set up for the target */
        for (size_t k = 0; k < 5; k++)
            if (mine[k][0] && !env_has(envp, mine[k]))
                nenv[o++] = (char *)mine[k];
        if (!compose_sibling(buf, bcap, theirs))
            return envp;
        nenv[o++] = buf;
        nenv[o] = NULL;
        return nenv;
    }
    const char *mine[] = {g_env_sock, g_env_trace, g_env_ext, g_env_all, g_env_fd};
    int need = 0, lp_idx = -1, lp_ok = 0;
    size_t n = aw_env_count(envp);
    for (size_t i = 0; i < n; i++)
        if (strncmp(envp[i], "LD_PRELOAD=", 11) == 0) {
            lp_idx = (int)i;
            lp_ok = preload_has_shim(envp[i] + 11);
        }
    if (!lp_ok)
        need = 1;
    for (size_t k = 0; k < 5; k++)
        if (mine[k][0] && !env_has(envp, mine[k]))
            need = 1;
    if (!need || ncap < n + 7)
        return envp;
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        if ((int)i != lp_idx || lp_ok)
            nenv[o++] = envp[i];
    for (size_t k = 0; k < 5; k++)
        if (mine[k][0] && !env_has(envp, mine[k]))
            nenv[o++] = (char *)mine[k];
    if (!lp_ok) {
        if (compose_preload(buf, bcap, lp_idx >= 0 ? envp[lp_idx] + 11 : "")) {
            nenv[o++] = buf;
        } else if (lp_idx >= 0) {
            nenv[o++] = envp[lp_idx];
        }
    }
    nenv[o] = NULL;
    return nenv;
}

/* system()/popen(): they use environ; put our variables back into it. */
void aw_env_putback(void)
{
    if (!aw_active)
        return;
    const char *mine[] = {g_env_sock, g_env_trace, g_env_ext, g_env_all, g_env_fd};
    for (size_t k = 0; k < 5; k++)
        if (mine[k][0] && !env_has(environ, mine[k]))
            putenv((char *)mine[k]);
    const char *lp = env_get("LD_PRELOAD");
    if (g_sibling[0] && aw_exec_is_musl("/bin/sh") != AW_OWN_MUSL) {
        /* system()/popen() run /bin/sh, which needs the other flavour */
        char tmp[sizeof g_env_preload];
        size_t p = (lp && strstr(lp, g_sibling)) ? 0 : compose_sibling(tmp, sizeof tmp, lp ? lp : "");
        if (p) {
            memcpy(g_env_preload, tmp, p + 1);
            putenv(g_env_preload);
        }
        return;
    }
    if (g_preload_prefix[0] && (!lp || !preload_has_shim(lp))) {
        /* via tmp: lp may point into g_env_preload itself */
        char tmp[sizeof g_env_preload];
        size_t p = compose_preload(tmp, sizeof tmp, lp ? lp : "");
        if (p) {
            memcpy(g_env_preload, tmp, p + 1);
            putenv(g_env_preload);
        }
    }
}

/* ---- init ---- */

extern void aw_resolve_fs(void);
extern void aw_resolve_exec(void);
extern void aw_resolve_fd(void);
static void aw_resolve_all(void)
{
    aw_resolve_fs();
    aw_resolve_exec();
    aw_resolve_fd();
}

/* A script the kernel ran through its #! interpreter: /proc/self/exe is
 * the interpreter, AT_EXECFN the name exec-ed (relative to the cwd, which
 * has not changed yet). The script is the program: report its exec too.
 * Without it an extensionless script run as COMMAND, or spawned by a
 * parent whose own EXEC record of it then looked unanswered, was never
 * seen to run (its interpreter's read of it passes the extension filter
 * only for names like *.sh). A binary under another name (a symlink) is
 * the same file and adds nothing. */
static void note_script(const char *exe)
{
    const char *fn = (const char *)getauxval(AT_EXECFN);
    struct stat a, b;
    if (!fn || !fn[0] || strcmp(fn, exe) == 0)
        return;
    if (aw_sys(SYS_newfstatat, AT_FDCWD, fn, &a, 0) != 0 ||
        aw_sys(SYS_newfstatat, AT_FDCWD, exe, &b, 0) != 0)
        return;
    if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
        aw_note(AW_KIND_EXEC, AT_FDCWD, fn, 0, AW_ID_STAT, -1);
}

/* AW_ENV_FD, "FD:INO": the socketpair end autowrap handed the tree. Used
 * as the channel while FD is still that socket (same inode): a program that
 * closed or reused the number gets the path socket instead. Left open across
 * exec (not ours to mark close-on-exec), so the next image adopts it too. */
static void adopt_inherited(const char *v)
{
    if (!v || !*v)
        return;
    char *end;
    long fd = strtol(v, &end, 10);
    if (end == v || *end != ':' || fd < 0 || fd > 65535)
        return;
    unsigned long long ino = strtoull(end + 1, &end, 10);
    if (*end)
        return;
    capture(g_env_fd, sizeof g_env_fd, AW_ENV_FD, v);
    struct stat st;
    if (rsys_fstat((int)fd, &st) != 0 || !S_ISSOCK(st.st_mode) || (uint64_t)st.st_ino != ino)
        return;
    owned_claim(&g_sock, (int)fd);
}

void aw_init(void)
{
    int s = 0;
    if (!__atomic_compare_exchange_n(&g_state, &s, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return;
    int saved = errno;
    if (aw_secure_process()) { /* elevated rights: not a single report */
        __atomic_store_n(&g_state, 2, __ATOMIC_RELEASE);
        errno = saved;
        return;
    }
    aw_cwd_refresh();
    const char *sock = env_get(AW_ENV_SOCK), *trace = env_get(AW_ENV_TRACE);
    const char *ext = env_get(AW_ENV_EXT), *all = env_get(AW_ENV_ALL);
    aw_extset_default(&g_ext);
    if (ext && *ext) {
        struct aw_extset tmp;
        if (aw_extset_parse(&tmp, ext) == 0)
            g_ext = tmp;
        capture(g_env_ext, sizeof g_env_ext, AW_ENV_EXT, ext);
    }
    if (all && *all && strcmp(all, "0") != 0) {
        g_ext.all = 1;
        capture(g_env_all, sizeof g_env_all, AW_ENV_ALL, all);
    }
    if (sock && *sock && sock[0] == '/' && strlen(sock) < sizeof g_sockpath) {
        strcpy(g_sockpath, sock);
        capture(g_env_sock, sizeof g_env_sock, AW_ENV_SOCK, sock);
        char tmp[AW_PATH_MAX + 1];
        size_t n = aw_path_absolute(tmp, sizeof tmp, NULL, 0, sock, strlen(sock));
        while (n > 1 && tmp[n - 1] != '/')
            n--;
        if (n > 1) {
            n--;
            memcpy(g_sockdir, tmp, n);
            g_sockdir[n] = 0;
            g_sockdir_len = n;
        }
    }
    if (g_sockpath[0])
        adopt_inherited(env_get(AW_ENV_FD));
    if (trace && *trace) {
        if (strcmp(trace, "-") == 0) {
            g_trace_stderr = 1;
            capture(g_env_trace, sizeof g_env_trace, AW_ENV_TRACE, trace);
        } else {
            char cwd[AW_PATH_MAX + 1];
            size_t cl = get_cwd(cwd, sizeof cwd);
            size_t n = aw_path_absolute(g_tracepath, sizeof g_tracepath, cl ? cwd : NULL, cl,
                                        trace, strlen(trace));
            if (!n)
                g_tracepath[0] = 0;
            else
                capture(g_env_trace, sizeof g_env_trace, AW_ENV_TRACE, g_tracepath);
        }
    }
    aw_active = g_sockpath[0] || g_tracepath[0] || g_trace_stderr;
    if (aw_active) {
        find_self();
        aw_resolve_all();
        pthread_atfork(NULL, NULL, atfork_child);
    }
    __atomic_store_n(&g_state, 2, __ATOMIC_RELEASE);
    if (aw_active) {
        /* Connect now, so this process owns its descriptors before any vfork
         * child (which shares our memory) could claim them. */
        int temp = 0, fd = g_sockpath[0] ? sock_fd(&temp) : -1;
        if (fd >= 0 && temp)
            aw_sys(SYS_close, fd);
        fd = g_tracepath[0] ? trace_fd(&temp) : -1;
        if (fd >= 0 && temp)
            aw_sys(SYS_close, fd);
        char exe[AW_PATH_MAX + 1];
        long r = aw_sys(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", exe, sizeof exe - 1);
        if (r > 0) {
            exe[r] = 0;
            aw_note(AW_KIND_EXEC, AT_FDCWD, exe, 0, AW_ID_STAT, -1);
            note_script(exe);
        }
        aw_rescan();
    }
    errno = saved;
}

void aw_enter(void)
{
    if (__atomic_load_n(&g_state, __ATOMIC_ACQUIRE) == 0)
        aw_init();
    if (aw_pending) {
        aw_pending = 0;
        aw_rescan();
    }
}

__attribute__((constructor(101))) static void aw_ctor(void)
{
    aw_dbg_timing("shim-init-begin");
    aw_init();
    aw_dbg_timing("shim-init-end");
}

__attribute__((destructor)) static void aw_dtor(void)
{
    int saved = errno;
    aw_pending = 0;
    aw_rescan();
    errno = saved;
}
