/* The channel: a private 0700 runtime directory (mkdtemp) holding a
 * SOCK_DGRAM unix socket "sock" that the shim sends records to; "lost",
 * a file the shim appends one byte to for each record it could not deliver
 * in time (its size is the count: a stalled autowrap cannot lose it); and
 * "ring", a link to the record ring (preload/ring.h), the shared memory
 * the shim puts records in without a system call when it can. */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../preload/ring.h"
#include "shell.h"
#include "wire.h"

static char rundir[108];
static char sockpath[128];
static char lostpath[128];
/* The socketpair the tree inherits: autowrap reads pair[0], the tree sends
 * on pair[1] (see AW_ENV_FD). */
static int pair[2] = {-1, -1};
static unsigned long pair_ino;
static char pair_env[64];
static int have_dir, have_sock, have_lost;

const char *channel_dir(void) { return rundir; }
const char *channel_sock(void) { return sockpath; }

static char ringpath[128];
static void *ring;
static int ring_fd = -1;

void *channel_ring(void) { return ring; }

/* The ring's memory: a memfd (shmem: no file system journal on each page a
 * writer first touches), sealed against shrinking (no SIGBUS for writers)
 * and growing, kept open by us and reached by the shim through
 * RUNDIR/ring -> /proc/OUR_PID/fd/N. Zero-filled: an empty ring. Without
 * one the shim sends every record as a datagram: slower, not wrong. */
static void make_ring(void)
{
    if (snprintf(ringpath, sizeof ringpath, "%s/%s", rundir, AW_RING_NAME) >=
        (int)sizeof ringpath) {
        ringpath[0] = '\0';
        return;
    }
    int fd = memfd_create("autowrap-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    char target[64];
    snprintf(target, sizeof target, "/proc/%d/fd/%d", (int)getpid(), fd);
    void *m = MAP_FAILED;
    if (fd >= 0 && ftruncate(fd, (off_t)AW_RING_BYTES) == 0 &&
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) == 0)
        m = mmap(NULL, AW_RING_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED || symlink(target, ringpath) != 0) {
        if (m != MAP_FAILED)
            munmap(m, AW_RING_BYTES);
        if (fd >= 0)
            close(fd);
        ringpath[0] = '\0';
        return;
    }
    aw_ring_init(m);
    ring = m;
    ring_fd = fd; /* /proc/PID/fd/N names it only while it is open */
}

/* The ring's pages ahead of its writers. A program's first touch of a slot
 * is a read (ring.h), and the kernel then maps the 16 pages around it with
 * one fault, but only pages the memfd already has: a fresh ring has none,
 * so the first lap cost a program a fault per 8 records. Allocating the
 * whole ring at start costs 0.7 ms here, so it is done a chunk ahead of
 * the head at a time, by us, while the programs write. The head is the
 * programs' to write: whatever it says, at most the ring is allocated. */
#define RING_AHEAD ((size_t)128 * 1024)
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14 */
#endif
static size_t ring_allocated;

void channel_ring_ahead(void)
{
    if (!ring || ring_allocated >= AW_RING_BYTES)
        return;
    uint64_t head = __atomic_load_n(&((struct aw_ring_hdr *)ring)->head, __ATOMIC_RELAXED);
    /* the first lap fills the slots in ticket order; past it, all exist */
    size_t at = head >= AW_RING_SLOTS ? AW_RING_BYTES : AW_RING_HDR + (size_t)head * AW_RING_SLOT;
    size_t want = at > AW_RING_BYTES - RING_AHEAD ? AW_RING_BYTES : at + RING_AHEAD;
    /* Writers past what is made make pages themselves, and many processes
     * writing at once (a pre-fork server's workers) then queue for each
     * page's lock, asleep, and wait again for a CPU behind the others: 14 ms
     * of a worker's 0.8 in bench/scale's tree. That pace needs the whole
     * ring: made now, once. */
    if (at > ring_allocated)
        want = AW_RING_BYTES;
    if (want <= ring_allocated)
        return;
    /* Our reads of the pages make them (zeroed, up to date: fallocate's
     * pages are not, and fault-around skips them); on a kernel before 5.14
     * one read per page does what MADV_POPULATE_READ does. */
    unsigned char *p = (unsigned char *)ring + ring_allocated;
    if (madvise(p, want - ring_allocated, MADV_POPULATE_READ) != 0)
        for (size_t o = 0; o < want - ring_allocated; o += 4096)
            (void)*(volatile unsigned char *)(p + o);
    ring_allocated = want;
}

/* 0, or -1 with errno set (ENAMETOOLONG: the socket path would not fit). */
static int make_dir(const char *base)
{
    struct sockaddr_un sa;
    /* base + "/autowrap.XXXXXX" + "/sock" must fit in sun_path */
    if (base[0] != '/' || strlen(base) + 22 >= sizeof sa.sun_path) {
        errno = base[0] != '/' ? EINVAL : ENAMETOOLONG;
        return -1;
    }
    snprintf(rundir, sizeof rundir, "%s/autowrap.XXXXXX", base);
    if (!mkdtemp(rundir)) /* mode 0700, whatever the umask */
        return -1;
    have_dir = 1;
    snprintf(sockpath, sizeof sockpath, "%s/sock", rundir);
    return 0;
}

/* The pair's sending end, at a high number (clear of --socket's 3, 4, ...):
 * close-on-exec in autowrap, made inheritable in the child (channel_child). */
static void open_pair(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0)
        return; /* the path socket alone still works */
    int hi = fcntl(sv[1], F_DUPFD_CLOEXEC, 700);
    struct stat st;
    if (hi < 0 || fstat(hi, &st) != 0) {
        close(sv[0]);
        close(sv[1]);
        if (hi >= 0)
            close(hi);
        return;
    }
    close(sv[1]);
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    int sz = 8 << 20;
    if (setsockopt(sv[0], SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) < 0)
        setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
    /* the tree's sends in flight are bounded by this end's send buffer */
    if (setsockopt(hi, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof sz) < 0)
        setsockopt(hi, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
    /* a full buffer (autowrap stalled) waits as long as a path socket's send */
    struct timeval tv = {1, 0};
    setsockopt(hi, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    pair[0] = sv[0];
    pair[1] = hi;
    pair_ino = (unsigned long)st.st_ino;
    snprintf(pair_env, sizeof pair_env, "%d:%lu", pair[1], pair_ino);
}

/* The first of $XDG_RUNTIME_DIR, $TMPDIR, /dev/shm, /tmp where a private
 * directory can be made. When none can, one line names each place tried
 * and why. /dev/shm before /tmp: it is a tmpfs wherever Linux has it, and
 * /tmp is often a disk file system, where making the directory, the socket
 * and the lost file cost about 1 ms each (ext4 on a virtual disk, measured),
 * most of autowrap's own start-up. */
int channel_open(void)
{
    const char *names[] = {"$XDG_RUNTIME_DIR ", "$TMPDIR ", "", ""};
    const char *bases[] = {getenv("XDG_RUNTIME_DIR"), getenv("TMPDIR"), "/dev/shm", "/tmp"};
    char why[800];
    size_t wl = 0;
    int ok = -1;
    why[0] = '\0';
    for (size_t i = 0; i < 4 && ok; i++) {
        if (!bases[i] || !*bases[i] ||
            (i >= 2 && bases[1] && strcmp(bases[1], bases[i]) == 0)) /* tried as $TMPDIR */
            continue;
        ok = make_dir(bases[i]);
        if (ok && wl < sizeof why) {
            int n = snprintf(why + wl, sizeof why - wl, "%s%s%s: %s", wl ? "; " : "", names[i],
                             bases[i], strerror(errno));
            wl += n > 0 ? (size_t)n : 0;
        }
    }
    if (ok) {
        say(AW_SAY_ERROR, "cannot create a runtime directory (%s); set TMPDIR to a writable "
                          "directory", why);
        return -1;
    }
    if (wl) /* a place the user named could not be used: say where it went */
        say(AW_SAY_NORMAL, "runtime directory %s (%s)", rundir, why);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        say(AW_SAY_ERROR, "socket: %s", strerror(errno));
        return -1;
    }
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, sockpath, strlen(sockpath) + 1);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        say(AW_SAY_ERROR, "cannot create the socket %s: %s", sockpath, strerror(errno));
        close(fd);
        return -1;
    }
    have_sock = 1;
    snprintf(lostpath, sizeof lostpath, "%s/%s", rundir, AW_LOST_NAME);
    /* no descriptor kept: its size is read by path (one stat per batch) */
    int lfd = open(lostpath, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    have_lost = lfd >= 0; /* without it losses are not counted, nothing else changes */
    if (lfd >= 0)
        close(lfd);
    int sz = 8 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) < 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
    open_pair();
    make_ring();
    return fd;
}

int channel_pair(void) { return pair[0]; }
const char *channel_pair_env(void) { return pair[1] >= 0 ? pair_env : NULL; }

void channel_child(void)
{
    if (pair[1] >= 0)
        fcntl(pair[1], F_SETFD, 0);
}

int channel_lost(void)
{
    struct stat st;
    if (!have_lost || stat(lostpath, &st) != 0)
        return 0;
    return st.st_size > INT32_MAX ? INT32_MAX : (int)st.st_size;
}

void channel_cleanup(void)
{
    if (ring) {
        aw_ring_close(ring); /* programs still running send datagrams, refused */
        munmap(ring, AW_RING_BYTES);
        ring = NULL;
    }
    if (ring_fd >= 0) {
        close(ring_fd);
        ring_fd = -1;
        ring_allocated = 0;
    }
    if (ringpath[0]) {
        unlink(ringpath);
        ringpath[0] = '\0';
    }
    if (have_lost) {
        unlink(lostpath);
        have_lost = 0;
    }
    if (have_sock) {
        unlink(sockpath);
        have_sock = 0;
    }
    if (have_dir) {
        rmdir(rundir);
        have_dir = 0;
    }
}
