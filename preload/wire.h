/* The one wire format between libtrack.so and autowrap.
 *
 * A record is one unix datagram: an 8-byte header (magic, version, kind,
 * flags, pid), the file's identity as the
 * program saw it (56 bytes), then the path bytes (absolute, no terminating
 * NUL; the datagram length gives the path length). The identity lets the
 * supervisor notice a file that changed between the program reading it and
 * the supervisor starting to watch it: a save racing start-up is not lost.
 * Datagrams are atomic, so concurrent writers from threads and forked
 * children never interleave, and no framing state survives a lost record.
 * Header-only so the shim and the supervisor cannot drift apart. */
#ifndef AUTOWRAP_WIRE_H
#define AUTOWRAP_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define AW_WIRE_MAGIC 0xA7u
#define AW_WIRE_VERSION 3u /* 3: byte 3 carries flags (was 0) */
#define AW_WIRE_HDR 64u
#define AW_PATH_MAX 4096u
#define AW_WIRE_MAX (AW_WIRE_HDR + AW_PATH_MAX)

/* What the program did with the path. */
enum aw_kind {
    AW_KIND_READ = 1,    /* opened for reading */
    AW_KIND_STAT = 2,    /* exists and was stat-ed / access-ed */
    AW_KIND_MISSING = 3, /* lookup failed with ENOENT/ENOTDIR */
    AW_KIND_EXEC = 4,    /* executed program or script */
    AW_KIND_LIB = 5,     /* shared object mapped by the dynamic loader */
    AW_KIND_WRITE = 6,   /* opened for writing, created, or a rename target */
    AW_KIND_LISTED = 7,  /* directory opened for listing */
    AW_KIND_MAX = 7
};

/* Record flags (header byte 3).
 * EXECING: sent by the exec family just before this process replaces its
 * image with PATH (not by posix_spawn, system or popen: they start another
 * process). A dynamically linked image reports itself at once (its
 * /proc/self/exe, its libraries); a pid that says nothing after this flag
 * runs a program the loader did not give the shim: static, setuid/setgid
 * or file capabilities (AT_SECURE), or a foreign ELF class. A failed exec
 * is followed by the same record without the flag. */
#define AW_FLAG_EXECING 1u
#define AW_FLAG_MASK 1u

/* Environment variables the supervisor sets and the shim reads (and
 * re-injects across exec when a program scrubs its environment). */
#define AW_ENV_SOCK "AUTOWRAP_SOCK"   /* path of the supervisor's datagram socket */
/* "FD:INO": a datagram socket the tree inherits, connected to the
 * supervisor (one end of a socketpair). Sends on it are not held to the
 * 10-datagram queue of a socket bound to a path (net.unix.max_dgram_qlen
 * does not apply between the two ends of a pair). INO identifies it; when it
 * is closed or replaced the shim connects to AUTOWRAP_SOCK instead. */
#define AW_ENV_FD "AUTOWRAP_FD"
/* Beside the socket: a file the shim appends one byte to per record it
 * could not deliver in time (the supervisor reads its size). */
#define AW_LOST_NAME "lost"
#define AW_ENV_TRACE "AUTOWRAP_TRACE" /* FILE or "-": standalone trace output */
#define AW_ENV_EXT "AUTOWRAP_EXT"     /* comma list replacing the default extensions */
#define AW_ENV_ALL "AUTOWRAP_ALL"     /* "1": track every file read */
#define AW_ENV_LIB "AUTOWRAP_LIB"     /* override the shim's location (supervisor only) */

/* Identity of a file: enough to tell "changed" from "touched by nobody".
 * dev == 0 && ino == 0 means unknown (write, missing and listed records).
 * A listed record's mtime_ns is when the program listed the directory
 * (CLOCK_REALTIME_COARSE, the clock file timestamps come from), 0 if not
 * known: an entry with a ctime from then on may be one it did not see.
 * ctime catches a write whose mtime was put back (cp -p, touch -r, tar,
 * rsync -t); mode, links and owner tell that apart from a chmod, chown or
 * new hard link, which move ctime too but not what the program reads. */
struct aw_ident {
    uint64_t dev, ino;
    int64_t mtime_ns, size, ctime_ns;
    uint32_t mode, nlink, uid, gid;
};

static inline int64_t aw_ts_ns(struct timespec ts)
{
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The identity of what st describes: the shim and the supervisor fill it
 * from their own stat calls and must agree field by field. */
static inline void aw_ident_from_stat(struct aw_ident *id, const struct stat *st)
{
    id->dev = (uint64_t)st->st_dev;
    id->ino = (uint64_t)st->st_ino;
    id->mtime_ns = aw_ts_ns(st->st_mtim);
    id->size = (int64_t)st->st_size;
    id->ctime_ns = aw_ts_ns(st->st_ctim);
    id->mode = (uint32_t)st->st_mode;
    id->nlink = (uint32_t)st->st_nlink;
    id->uid = (uint32_t)st->st_uid;
    id->gid = (uint32_t)st->st_gid;
}

static inline const char *aw_kind_name(unsigned k)
{
    static const char *const names[] = {"?",    "read",  "stat",  "missing",
                                        "exec", "lib",   "write", "listed"};
    return k <= AW_KIND_MAX ? names[k] : "?";
}

/* A dependency is something whose change should restart the program. */
static inline int aw_kind_is_dependency(unsigned k)
{
    return k == AW_KIND_READ || k == AW_KIND_STAT || k == AW_KIND_EXEC || k == AW_KIND_LIB;
}

static inline void aw_put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static inline void aw_put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint32_t aw_get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t aw_get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Encode into buf (at least AW_WIRE_MAX bytes). Returns the datagram length,
 * or 0 if the path is empty, relative or too long, or a flag is unknown. */
static inline size_t aw_wire_encode_flags(unsigned char *buf, unsigned kind, unsigned flags,
                                          uint32_t pid, const struct aw_ident *id,
                                          const char *path, size_t len)
{
    if (len == 0 || len > AW_PATH_MAX || path[0] != '/' || kind == 0 || kind > AW_KIND_MAX ||
        (flags & ~AW_FLAG_MASK))
        return 0;
    buf[0] = AW_WIRE_MAGIC;
    buf[1] = AW_WIRE_VERSION;
    buf[2] = (unsigned char)kind;
    buf[3] = (unsigned char)flags;
    aw_put32(buf + 4, pid);
    static const struct aw_ident none;
    if (!id)
        id = &none;
    aw_put64(buf + 8, id->dev);
    aw_put64(buf + 16, id->ino);
    aw_put64(buf + 24, (uint64_t)id->mtime_ns);
    aw_put64(buf + 32, (uint64_t)id->size);
    aw_put64(buf + 40, (uint64_t)id->ctime_ns);
    aw_put32(buf + 48, id->mode);
    aw_put32(buf + 52, id->nlink);
    aw_put32(buf + 56, id->uid);
    aw_put32(buf + 60, id->gid);
    memcpy(buf + AW_WIRE_HDR, path, len);
    return AW_WIRE_HDR + len;
}

static inline size_t aw_wire_encode(unsigned char *buf, unsigned kind, uint32_t pid,
                                    const struct aw_ident *id, const char *path, size_t len)
{
    return aw_wire_encode_flags(buf, kind, 0, pid, id, path, len);
}

struct aw_record {
    unsigned kind;
    unsigned flags; /* AW_FLAG_* */
    uint32_t pid;
    struct aw_ident ident;
    const char *path; /* points into the datagram; not NUL-terminated */
    size_t len;
};

/* Decode a datagram. Returns 0 on success, -1 on anything malformed: the
 * supervisor drops such records instead of trusting them. */
static inline int aw_wire_decode(const unsigned char *buf, size_t n, struct aw_record *r)
{
    if (n <= AW_WIRE_HDR || n > AW_WIRE_MAX)
        return -1;
    if (buf[0] != AW_WIRE_MAGIC || buf[1] != AW_WIRE_VERSION ||
        (buf[3] & ~AW_FLAG_MASK))
        return -1;
    if (buf[2] == 0 || buf[2] > AW_KIND_MAX)
        return -1;
    if (buf[AW_WIRE_HDR] != '/')
        return -1;
    if (memchr(buf + AW_WIRE_HDR, '\0', n - AW_WIRE_HDR))
        return -1;
    r->kind = buf[2];
    r->flags = buf[3];
    r->pid = aw_get32(buf + 4);
    r->ident.dev = aw_get64(buf + 8);
    r->ident.ino = aw_get64(buf + 16);
    r->ident.mtime_ns = (int64_t)aw_get64(buf + 24);
    r->ident.size = (int64_t)aw_get64(buf + 32);
    r->ident.ctime_ns = (int64_t)aw_get64(buf + 40);
    r->ident.mode = aw_get32(buf + 48);
    r->ident.nlink = aw_get32(buf + 52);
    r->ident.uid = aw_get32(buf + 56);
    r->ident.gid = aw_get32(buf + 60);
    r->path = (const char *)buf + AW_WIRE_HDR;
    r->len = n - AW_WIRE_HDR;
    return 0;
}

#endif
