/* Interposers of the open, stat, access, opendir, rename and chdir families.
 * Hot path: call the real function, save errno, suffix check, and only for
 * a tracked name normalise/hash/dedupe/send; errno restored, return values
 * untouched. */
#undef _FORTIFY_SOURCE
#pragma GCC diagnostic ignored "-Wnonnull-compare"
#include "shim.h"
#include "wire.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#define REAL(type, name) ((type)aw_real((void **)&r_##name, #name))

/* musl (libtrack-musl.so) has no __xstat/__*_2 generation, no statx before
 * 1.2.5, and its headers make the *64 names macros for the plain ones; its
 * fopen/stat are the real entry points, so resolve those instead. */
#ifdef __GLIBC__
#define AW_GLIBC 1
#define AW_FOPEN_REAL "fopen64"
#define AW_FREOPEN_REAL "freopen64"
#define AW_FSTATAT_REAL "fstatat64"
#else
#define AW_GLIBC 0
#define AW_FOPEN_REAL "fopen"
#define AW_FREOPEN_REAL "freopen"
#define AW_FSTATAT_REAL "fstatat"
#define __O_TMPFILE O_TMPFILE
#endif

static void *r_openat, *r_fstatat64, *r_faccessat, *r_euidaccess, *r_fopen64, *r_freopen64,
    *r_opendir, *r_rename, *r_renameat, *r_renameat2, *r_chdir, *r_fchdir;
#if AW_GLIBC
static void *r___xstat, *r___lxstat, *r___fxstatat, *r___xstat64, *r___lxstat64,
    *r___fxstatat64, *r_statx;
#endif

void aw_resolve_fs(void)
{
    aw_real(&r_openat, "openat");
    aw_real(&r_fstatat64, AW_FSTATAT_REAL);
#if AW_GLIBC
    aw_real(&r___xstat, "__xstat");
    aw_real(&r___lxstat, "__lxstat");
    aw_real(&r___fxstatat, "__fxstatat");
    aw_real(&r___xstat64, "__xstat64");
    aw_real(&r___lxstat64, "__lxstat64");
    aw_real(&r___fxstatat64, "__fxstatat64");
    aw_real(&r_statx, "statx");
#endif
    aw_real(&r_faccessat, "faccessat");
    aw_real(&r_euidaccess, "euidaccess");
    aw_real(&r_fopen64, AW_FOPEN_REAL);
    aw_real(&r_freopen64, AW_FREOPEN_REAL);
    aw_real(&r_opendir, "opendir");
    aw_real(&r_rename, "rename");
    aw_real(&r_renameat, "renameat");
    aw_real(&r_renameat2, "renameat2");
    aw_real(&r_chdir, "chdir");
    aw_real(&r_fchdir, "fchdir");
}

static int is_write(int flags)
{
    return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
}

static void after_open(int dirfd, const char *path, int flags, int fd, int err)
{
    if (!aw_active || (flags & O_PATH))
        return;
    if (fd >= 0) {
        if (flags & O_DIRECTORY) {
            aw_note(AW_KIND_LISTED, dirfd, path, 0, AW_ID_NONE, -1);
            return;
        }
        /* hot path: an untracked name costs aw_note's suffix check; a
         * directory opened without O_DIRECTORY is told apart (as listed)
         * only once the record is new */
        if (!is_write(flags))
            aw_note(AW_KIND_READ, dirfd, path, 1, AW_ID_FD, fd);
    } else if (err == ENOENT || err == ENOTDIR) {
        aw_note(AW_KIND_MISSING, dirfd, path, 1, AW_ID_NONE, -1);
    }
}

static int do_open(int dirfd, const char *path, int flags, mode_t mode)
{
    aw_enter();
    if (aw_active && is_write(flags))
        aw_note(AW_KIND_WRITE, dirfd, path, 0, AW_ID_NONE, -1);
    int (*f)(int, const char *, int, ...) = REAL(int (*)(int, const char *, int, ...), openat);
    int fd = f ? f(dirfd, path, flags, mode) : (int)aw_sys(SYS_openat, dirfd, path, flags, mode);
    int e = errno;
    after_open(dirfd, path, flags, fd, e);
    errno = e;
    return fd;
}

#define NEEDS_MODE(fl) (((fl) & O_CREAT) || ((fl) & __O_TMPFILE) == __O_TMPFILE)
#define GETMODE(fl, m)                                                                       \
    do {                                                                                     \
        if (NEEDS_MODE(fl)) {                                                                \
            va_list ap;                                                                      \
            va_start(ap, fl);                                                                \
            m = (mode_t)va_arg(ap, int);                                                     \
            va_end(ap);                                                                      \
        }                                                                                    \
    } while (0)

AW_EXPORT int open(const char *path, int flags, ...)
{
    mode_t m = 0;
    GETMODE(flags, m);
    return do_open(AT_FDCWD, path, flags, m);
}
#if AW_GLIBC
AW_EXPORT int open64(const char *path, int flags, ...)
{
    mode_t m = 0;
    GETMODE(flags, m);
    return do_open(AT_FDCWD, path, flags, m);
}
#endif
AW_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
    mode_t m = 0;
    GETMODE(flags, m);
    return do_open(dirfd, path, flags, m);
}
#if AW_GLIBC
AW_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
    mode_t m = 0;
    GETMODE(flags, m);
    return do_open(dirfd, path, flags, m);
}
AW_EXPORT int __open_2(const char *path, int flags) { return do_open(AT_FDCWD, path, flags, 0); }
AW_EXPORT int __open64_2(const char *path, int flags) { return do_open(AT_FDCWD, path, flags, 0); }
AW_EXPORT int __openat_2(int d, const char *path, int flags) { return do_open(d, path, flags, 0); }
AW_EXPORT int __openat64_2(int d, const char *path, int flags) { return do_open(d, path, flags, 0); }
#endif
AW_EXPORT int creat(const char *path, mode_t m)
{
    return do_open(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, m);
}
#if AW_GLIBC
AW_EXPORT int creat64(const char *path, mode_t m)
{
    return do_open(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, m);
}
#endif

/* fopen modes: anything but plain "r" (optionally with b/e/m/c/x letters) writes. */
static int mode_writes(const char *mode)
{
    if (!mode)
        return 0;
    if (mode[0] != 'r')
        return 1;
    for (const char *p = mode + 1; *p && *p != ','; p++)
        if (*p == '+')
            return 1;
    return 0;
}

static void after_fopen(const char *path, const char *mode, FILE *f, int e)
{
    if (!aw_active || mode_writes(mode))
        return;
    if (f)
        after_open(AT_FDCWD, path, O_RDONLY, fileno(f), e);
    else
        after_open(AT_FDCWD, path, O_RDONLY, -1, e);
}

static FILE *do_fopen(const char *path, const char *mode)
{
    aw_enter();
    if (aw_active && mode_writes(mode))
        aw_note(AW_KIND_WRITE, AT_FDCWD, path, 0, AW_ID_NONE, -1);
    FILE *(*f)(const char *, const char *) = (FILE * (*)(const char *, const char *))aw_real(&r_fopen64, AW_FOPEN_REAL);
    if (!f) {
        errno = ENOSYS;
        return NULL;
    }
    FILE *r = f(path, mode);
    int e = errno;
    after_fopen(path, mode, r, e);
    errno = e;
    return r;
}
AW_EXPORT FILE *fopen(const char *path, const char *mode) { return do_fopen(path, mode); }
#if AW_GLIBC
AW_EXPORT FILE *fopen64(const char *path, const char *mode) { return do_fopen(path, mode); }
#endif

static FILE *do_freopen(const char *path, const char *mode, FILE *stream)
{
    aw_enter();
    if (aw_active && path && mode_writes(mode))
        aw_note(AW_KIND_WRITE, AT_FDCWD, path, 0, AW_ID_NONE, -1);
    FILE *(*f)(const char *, const char *, FILE *) =
        (FILE * (*)(const char *, const char *, FILE *))aw_real(&r_freopen64, AW_FREOPEN_REAL);
    if (!f) {
        errno = ENOSYS;
        return NULL;
    }
    FILE *r = f(path, mode, stream);
    int e = errno;
    if (path)
        after_fopen(path, mode, r, e);
    errno = e;
    return r;
}
AW_EXPORT FILE *freopen(const char *p, const char *m, FILE *s) { return do_freopen(p, m, s); }
#if AW_GLIBC
AW_EXPORT FILE *freopen64(const char *p, const char *m, FILE *s) { return do_freopen(p, m, s); }
#endif

/* ---- stat family ---- */

/* ST: what the real call filled in (the identity the program saw), NULL
 * for access() and the old versioned entry points. */
static void after_stat(int dirfd, const char *path, int rc, int e, int nofollow,
                       const struct stat *st)
{
    if (!aw_active || !path)
        return;
    if (rc == 0)
        aw_note_stat(dirfd, path, nofollow, st);
    else if (e == ENOENT || e == ENOTDIR)
        aw_note(AW_KIND_MISSING, dirfd, path, 1, AW_ID_NONE, -1);
}

static int do_fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
    aw_enter();
    int (*f)(int, const char *, struct stat *, int) =
        (int (*)(int, const char *, struct stat *, int))aw_real(&r_fstatat64, AW_FSTATAT_REAL);
    int rc = f ? f(dirfd, path, st, flags)
               : (int)aw_sys(SYS_newfstatat, dirfd, path, st, flags);
    int e = errno;
    /* fstatat(fd, "", AT_EMPTY_PATH) is an fstat: nothing to report. */
    if (path && path[0])
        after_stat(dirfd, path, rc, e, flags & AT_SYMLINK_NOFOLLOW, st);
    errno = e;
    return rc;
}

AW_EXPORT int stat(const char *p, struct stat *st) { return do_fstatat(AT_FDCWD, p, st, 0); }
#if AW_GLIBC
AW_EXPORT int stat64(const char *p, struct stat64 *st)
{
    return do_fstatat(AT_FDCWD, p, (struct stat *)st, 0);
}
#endif
AW_EXPORT int lstat(const char *p, struct stat *st)
{
    return do_fstatat(AT_FDCWD, p, st, AT_SYMLINK_NOFOLLOW);
}
#if AW_GLIBC
AW_EXPORT int lstat64(const char *p, struct stat64 *st)
{
    return do_fstatat(AT_FDCWD, p, (struct stat *)st, AT_SYMLINK_NOFOLLOW);
}
#endif
AW_EXPORT int fstatat(int d, const char *p, struct stat *st, int fl)
{
    return do_fstatat(d, p, st, fl);
}
#if AW_GLIBC
AW_EXPORT int fstatat64(int d, const char *p, struct stat64 *st, int fl)
{
    return do_fstatat(d, p, (struct stat *)st, fl);
}
#endif

#if AW_GLIBC
/* The pre-2.33 versioned entry points, still called by old binaries. */
typedef int (*xstat_fn)(int, const char *, void *);
typedef int (*fxstatat_fn)(int, int, const char *, void *, int);

#define XSTAT(name, nofollow)                                                                \
    AW_EXPORT int name(int ver, const char *p, void *st)                                     \
    {                                                                                        \
        aw_enter();                                                                          \
        xstat_fn f = REAL(xstat_fn, name);                                                   \
        int rc = f ? f(ver, p, st)                                                           \
                   : (int)aw_sys(SYS_newfstatat, AT_FDCWD, p, st,                           \
                                  (nofollow) ? AT_SYMLINK_NOFOLLOW : 0);                     \
        int e = errno;                                                                       \
        after_stat(AT_FDCWD, p, rc, e, nofollow, NULL);                                      \
        errno = e;                                                                           \
        return rc;                                                                           \
    }
XSTAT(__xstat, 0)
XSTAT(__xstat64, 0)
XSTAT(__lxstat, 1)
XSTAT(__lxstat64, 1)

#define FXSTATAT(name)                                                                       \
    AW_EXPORT int name(int ver, int d, const char *p, void *st, int fl)                      \
    {                                                                                        \
        aw_enter();                                                                          \
        fxstatat_fn f = REAL(fxstatat_fn, name);                                             \
        int rc = f ? f(ver, d, p, st, fl) : (int)aw_sys(SYS_newfstatat, d, p, st, fl);      \
        int e = errno;                                                                       \
        if (p && p[0])                                                                       \
            after_stat(d, p, rc, e, fl & AT_SYMLINK_NOFOLLOW, NULL);                         \
        errno = e;                                                                           \
        return rc;                                                                           \
    }
FXSTATAT(__fxstatat)
FXSTATAT(__fxstatat64)

/* The identity fields of a statx result as a struct stat, if the kernel
 * filled them all (the caller's mask may have asked for less). */
static int statx_to_stat(const struct statx *sx, struct stat *st)
{
    const unsigned need = STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_UID | STATX_GID |
                          STATX_MTIME | STATX_CTIME | STATX_INO | STATX_SIZE;
    if ((sx->stx_mask & need) != need)
        return 0;
    memset(st, 0, sizeof *st);
    st->st_dev = makedev(sx->stx_dev_major, sx->stx_dev_minor);
    st->st_ino = sx->stx_ino;
    st->st_mode = sx->stx_mode;
    st->st_nlink = sx->stx_nlink;
    st->st_uid = sx->stx_uid;
    st->st_gid = sx->stx_gid;
    st->st_size = (off_t)sx->stx_size;
    st->st_mtim.tv_sec = sx->stx_mtime.tv_sec;
    st->st_mtim.tv_nsec = sx->stx_mtime.tv_nsec;
    st->st_ctim.tv_sec = sx->stx_ctime.tv_sec;
    st->st_ctim.tv_nsec = sx->stx_ctime.tv_nsec;
    return 1;
}

AW_EXPORT int statx(int d, const char *p, int fl, unsigned mask, struct statx *sx)
{
    aw_enter();
    int (*f)(int, const char *, int, unsigned, struct statx *) =
        REAL(int (*)(int, const char *, int, unsigned, struct statx *), statx);
    int rc = f ? f(d, p, fl, mask, sx) : (int)aw_sys(SYS_statx, d, p, fl, mask, sx);
    int e = errno;
    if (p && p[0]) {
        struct stat st, *sp = NULL;
        if (rc == 0 && sx && statx_to_stat(sx, &st))
            sp = &st;
        after_stat(d, p, rc, e, fl & AT_SYMLINK_NOFOLLOW, sp);
    }
    errno = e;
    return rc;
}

#endif

static int do_access(int d, const char *p, int mode, int fl)
{
    aw_enter();
    int (*f)(int, const char *, int, int) = REAL(int (*)(int, const char *, int, int), faccessat);
    int rc = f ? f(d, p, mode, fl) : (int)aw_sys(SYS_faccessat, d, p, mode);
    int e = errno;
    if (p && p[0])
        after_stat(d, p, rc, e, fl & AT_SYMLINK_NOFOLLOW, NULL);
    errno = e;
    return rc;
}
AW_EXPORT int access(const char *p, int mode) { return do_access(AT_FDCWD, p, mode, 0); }
AW_EXPORT int faccessat(int d, const char *p, int mode, int fl)
{
    return do_access(d, p, mode, fl);
}
static int do_euidaccess(const char *p, int mode)
{
    aw_enter();
    int (*f)(const char *, int) = REAL(int (*)(const char *, int), euidaccess);
    int rc = f ? f(p, mode) : (int)aw_sys(SYS_faccessat, AT_FDCWD, p, mode);
    int e = errno;
    after_stat(AT_FDCWD, p, rc, e, 0, NULL);
    errno = e;
    return rc;
}
AW_EXPORT int euidaccess(const char *p, int mode) { return do_euidaccess(p, mode); }
AW_EXPORT int eaccess(const char *p, int mode) { return do_euidaccess(p, mode); }

/* ---- directories, renames, cwd ---- */

AW_EXPORT DIR *opendir(const char *p)
{
    aw_enter();
    DIR *(*f)(const char *) = REAL(DIR * (*)(const char *), opendir);
    if (!f) {
        errno = ENOSYS;
        return NULL;
    }
    DIR *r = f(p);
    int e = errno;
    if (r && aw_active)
        aw_note(AW_KIND_LISTED, AT_FDCWD, p, 0, AW_ID_NONE, -1);
    errno = e;
    return r;
}

AW_EXPORT int rename(const char *a, const char *b)
{
    aw_enter();
    aw_note(AW_KIND_WRITE, AT_FDCWD, b, 0, AW_ID_NONE, -1);
    int (*f)(const char *, const char *) = REAL(int (*)(const char *, const char *), rename);
    return f ? f(a, b) : (int)aw_sys(SYS_rename, a, b);
}
AW_EXPORT int renameat(int da, const char *a, int db, const char *b)
{
    aw_enter();
    aw_note(AW_KIND_WRITE, db, b, 0, AW_ID_NONE, -1);
    int (*f)(int, const char *, int, const char *) =
        REAL(int (*)(int, const char *, int, const char *), renameat);
    return f ? f(da, a, db, b) : (int)aw_sys(SYS_renameat, da, a, db, b);
}
AW_EXPORT int renameat2(int da, const char *a, int db, const char *b, unsigned fl)
{
    aw_enter();
    aw_note(AW_KIND_WRITE, db, b, 0, AW_ID_NONE, -1);
    int (*f)(int, const char *, int, const char *, unsigned) =
        REAL(int (*)(int, const char *, int, const char *, unsigned), renameat2);
    return f ? f(da, a, db, b, fl) : (int)aw_sys(SYS_renameat2, da, a, db, b, fl);
}

AW_EXPORT int chdir(const char *p)
{
    aw_enter();
    int (*f)(const char *) = REAL(int (*)(const char *), chdir);
    int rc = f ? f(p) : (int)aw_sys(SYS_chdir, p);
    int e = errno;
    if (rc == 0)
        aw_cwd_refresh();
    errno = e;
    return rc;
}
AW_EXPORT int fchdir(int fd)
{
    aw_enter();
    int (*f)(int) = REAL(int (*)(int), fchdir);
    int rc = f ? f(fd) : (int)aw_sys(SYS_fchdir, fd);
    int e = errno;
    if (rc == 0)
        aw_cwd_refresh();
    errno = e;
    return rc;
}
