/* What the shim refuses to do: run in a process with elevated rights, and
 * follow a symbolic link (or block on a FIFO) when it opens AUTOWRAP_TRACE.
 * Raw syscalls only, like the rest of the shim's own I/O. */
#undef _FORTIFY_SOURCE
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A setuid, setgid or file-capability program (the kernel sets AT_SECURE;
 * glibc's secure_getenv asks the same thing). Its environment belongs to
 * whoever ran it, with fewer rights than it has: AUTOWRAP_TRACE or
 * AUTOWRAP_SOCK from there must never make it write or send anything. */
int aw_secure_process(void)
{
    errno = 0;
    unsigned long v = getauxval(AT_SECURE);
    if (v)
        return 1;
    /* no auxv entry (never on Linux): trust the ids */
    if (errno == ENOENT)
        return getuid() != geteuid() || getgid() != getegid();
    return 0;
}

static const char *why(int e)
{
    switch (e) {
    case ELOOP: return "is a symbolic link, not followed";
    case ENXIO: return "is a FIFO nobody reads";
    case EACCES: return "permission denied";
    case EPERM: return "operation not permitted";
    case ENOENT: return "no such directory";
    case ENOTDIR: return "a component is not a directory";
    case EISDIR: return "is a directory";
    case EROFS: return "read-only file system";
    case ENOSPC: return "no space left on device";
    case EDQUOT: return "disk quota exceeded";
    case ENAMETOOLONG: return "name too long";
    case EMFILE:
    case ENFILE: return "out of file descriptors";
    default: return "cannot be opened";
    }
}

static int g_said;

/* Open the trace file for appending: O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC|
 * O_NOFOLLOW, mode 0644 (less the umask), and O_NONBLOCK for the open
 * only, so a FIFO without a reader fails (ENXIO) instead of hanging the
 * program. A failure is said once per process on stderr. */
int aw_trace_open(const char *path)
{
    int saved = errno;
    long fd = syscall(SYS_openat, AT_FDCWD, path,
                      O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
    if (fd < 0) {
        int e = errno;
        if (!__atomic_exchange_n(&g_said, 1, __ATOMIC_ACQ_REL)) {
            char line[AW_TRACE_MSG_MAX];
            size_t o = 0;
            const char *parts[] = {"autowrap: AUTOWRAP_TRACE=", path, ": ", why(e),
                                   "; no trace written\n"};
            for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
                size_t n = strlen(parts[i]);
                if (o + n > sizeof line)
                    n = sizeof line - o;
                memcpy(line + o, parts[i], n);
                o += n;
            }
            if (o == sizeof line)
                line[o - 1] = '\n';
            long w = syscall(SYS_write, 2, line, o);
            (void)w;
        }
        errno = saved;
        return -1;
    }
    long fl = syscall(SYS_fcntl, (int)fd, F_GETFL);
    if (fl >= 0)
        syscall(SYS_fcntl, (int)fd, F_SETFL, fl & ~(long)O_NONBLOCK);
    errno = saved;
    return (int)fd;
}
