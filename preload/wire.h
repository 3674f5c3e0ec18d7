/* The one wire format between libtrack.so and autowrap.
 *
 * A record is one unix datagram: an 8-byte header, the file's identity as the
 * program saw it (32 bytes), then the path bytes (absolute, no terminating
 * NUL; the datagram length gives the path length). The identity lets the
 * supervisor notice a file that changed between the program reading it and
 * the supervisor starting to watch it: a save racing start-up is not lost.
 * Datagrams are atomic, so concurrent writers from threads and forked
 * children never interleave, and no framing state survives a lost record.
 * The same bytes go into a slot of the record ring (ring.h) when it can take
 * them. Header-only so the shim and the supervisor cannot drift apart. */
#ifndef AUTOWRAP_WIRE_H
#define AUTOWRAP_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define AW_WIRE_MAGIC 0xA7u
#define AW_WIRE_VERSION 1u
#define AW_WIRE_HDR 40u
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

/* Environment variables the supervisor sets and the shim reads (and
 * re-injects across exec when a program scrubs its environment). */
#define AW_ENV_SOCK "AUTOWRAP_SOCK"   /* path of the supervisor's datagram socket */
#define AW_ENV_TRACE "AUTOWRAP_TRACE" /* FILE or "-": standalone trace output */
#define AW_ENV_EXT "AUTOWRAP_EXT"     /* comma list replacing the default extensions */
#define AW_ENV_ALL "AUTOWRAP_ALL"     /* "1": track every file read */
#define AW_ENV_LIB "AUTOWRAP_LIB"     /* override the shim's location (supervisor only) */

/* Identity of a file: enough to tell "changed" from "touched by nobody".
 * dev == 0 && ino == 0 means unknown (write, missing and listed records). */
struct aw_ident {
    uint64_t dev, ino;
    int64_t mtime_ns, size;
};

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

/* Encode into buf (at least AW_WIRE_MAX bytes). Returns the datagram length,
 * or 0 if the path is empty, relative or too long. */
static inline void aw_put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint64_t aw_get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static inline size_t aw_wire_encode(unsigned char *buf, unsigned kind, uint32_t pid,
                                    const struct aw_ident *id, const char *path, size_t len)
{
    if (len == 0 || len > AW_PATH_MAX || path[0] != '/' || kind == 0 || kind > AW_KIND_MAX)
        return 0;
    buf[0] = AW_WIRE_MAGIC;
    buf[1] = AW_WIRE_VERSION;
    buf[2] = (unsigned char)kind;
    buf[3] = 0;
    buf[4] = (unsigned char)(pid & 0xff);
    buf[5] = (unsigned char)((pid >> 8) & 0xff);
    buf[6] = (unsigned char)((pid >> 16) & 0xff);
    buf[7] = (unsigned char)((pid >> 24) & 0xff);
    aw_put64(buf + 8, id ? id->dev : 0);
    aw_put64(buf + 16, id ? id->ino : 0);
    aw_put64(buf + 24, id ? (uint64_t)id->mtime_ns : 0);
    aw_put64(buf + 32, id ? (uint64_t)id->size : 0);
    memcpy(buf + AW_WIRE_HDR, path, len);
    return AW_WIRE_HDR + len;
}

struct aw_record {
    unsigned kind;
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
    if (buf[0] != AW_WIRE_MAGIC || buf[1] != AW_WIRE_VERSION || buf[3] != 0)
        return -1;
    if (buf[2] == 0 || buf[2] > AW_KIND_MAX)
        return -1;
    if (buf[AW_WIRE_HDR] != '/')
        return -1;
    if (memchr(buf + AW_WIRE_HDR, '\0', n - AW_WIRE_HDR))
        return -1;
    r->kind = buf[2];
    r->pid = (uint32_t)buf[4] | (uint32_t)buf[5] << 8 | (uint32_t)buf[6] << 16 |
             (uint32_t)buf[7] << 24;
    r->ident.dev = aw_get64(buf + 8);
    r->ident.ino = aw_get64(buf + 16);
    r->ident.mtime_ns = (int64_t)aw_get64(buf + 24);
    r->ident.size = (int64_t)aw_get64(buf + 32);
    r->path = (const char *)buf + AW_WIRE_HDR;
    r->len = n - AW_WIRE_HDR;
    return 0;
}

#endif
