/* The channel: a private 0700 runtime directory (mkdtemp) holding a
 * SOCK_DGRAM unix socket "sock" that the shim sends records to, and the
 * record ring "ring" (preload/ring.h) the shim puts them in when it can. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../preload/ring.h"
#include "shell.h"

static char rundir[108];
static char sockpath[128];
static char ringpath[128];
static int have_dir, have_sock;
static void *ring;

const char *channel_dir(void) { return rundir; }
const char *channel_sock(void) { return sockpath; }
void *channel_ring(void) { return ring; }

static int ring_fd = -1;

/* The ring's memory: a sealed memfd (shmem: no filesystem journal on each
 * page a writer first touches, no size change possible), reached by the
 * shim through RUNDIR/ring -> /proc/OUR_PID/fd/N; or, without memfd, a
 * file RUNDIR/ring. Zero-filled: an empty ring. -1 on failure. */
static int ring_memory(void)
{
    int fd = memfd_create("autowrap-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd >= 0) {
        char target[64];
        snprintf(target, sizeof target, "/proc/%d/fd/%d", (int)getpid(), fd);
        if (ftruncate(fd, (off_t)AW_RING_BYTES) == 0 &&
            fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) == 0 &&
            symlink(target, ringpath) == 0)
            return fd;
        close(fd);
    }
    fd = open(ringpath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0 && ftruncate(fd, (off_t)AW_RING_BYTES) != 0) {
        close(fd);
        unlink(ringpath);
        fd = -1;
    }
    return fd;
}

/* Without a ring (no memory for it) the shim sends every record as a
 * datagram: slower, not wrong. */
static void make_ring(void)
{
    snprintf(ringpath, sizeof ringpath, "%s/%s", rundir, AW_RING_NAME);
    int fd = ring_memory();
    if (fd < 0) {
        ringpath[0] = '\0';
        return;
    }
    void *m = mmap(NULL, AW_RING_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        close(fd);
        unlink(ringpath);
        ringpath[0] = '\0';
        return;
    }
    aw_ring_init(m);
    ring = m;
    ring_fd = fd; /* a memfd must stay open for /proc/PID/fd/N to name it */
}

static int make_dir(const char *base)
{
    struct sockaddr_un sa;
    /* base + "/autowrap.XXXXXX" + "/sock" must fit in sun_path */
    if (!base || base[0] != '/' || strlen(base) + 22 >= sizeof sa.sun_path)
        return -1;
    snprintf(rundir, sizeof rundir, "%s/autowrap.XXXXXX", base);
    if (!mkdtemp(rundir))
        return -1;
    chmod(rundir, 0700);
    have_dir = 1;
    snprintf(sockpath, sizeof sockpath, "%s/sock", rundir);
    return 0;
}

int channel_open(void)
{
    const char *bases[] = {getenv("XDG_RUNTIME_DIR"), getenv("TMPDIR"), "/tmp"};
    int ok = -1;
    for (size_t i = 0; i < 3 && ok; i++)
        ok = make_dir(bases[i]);
    if (ok) {
        say(AW_SAY_ERROR, "cannot create a runtime directory: %s", strerror(errno));
        return -1;
    }
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
        say(AW_SAY_ERROR, "bind %s: %s", sockpath, strerror(errno));
        close(fd);
        return -1;
    }
    have_sock = 1;
    make_ring();
    int sz = 8 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) < 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
    return fd;
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
    }
    if (ringpath[0]) {
        unlink(ringpath);
        ringpath[0] = '\0';
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
