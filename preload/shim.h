/* Internal interface of libtrack.so (not shared with the supervisor). */
#ifndef AUTOWRAP_SHIM_H
#define AUTOWRAP_SHIM_H

#include <stddef.h>
#include <sys/stat.h>

#define AW_EXPORT __attribute__((visibility("default")))
#define AW_TLS __attribute__((tls_model("initial-exec")))

enum aw_ident_how { AW_ID_NONE, AW_ID_FD, AW_ID_STAT, AW_ID_LSTAT };

extern int aw_active;                  /* a channel or trace output exists */
extern __thread int aw_pending AW_TLS; /* dlopen happened: rescan libraries */
/* The next exec's target runs under musl (set by the exec wrappers, read and
 * reset by aw_fix_env, which then hands over the other shim flavour). */
extern __thread int aw_next_musl AW_TLS;

/* Set in a vfork child by vfork.S, cleared in the parent when it resumes. */
extern __thread int aw_vfork_child AW_TLS;
/* A child sharing our memory may run (clone with CLONE_VM): records ask
 * the kernel for their pid from now on (track.c, record_pid). */
void aw_pid_shared(void);
/* vfork.S's error path: errno = -NEG, returns -1. */
long aw_vfork_failed(int neg);

void aw_init(void);
/* The shim's own system calls: the syscall instruction itself, not libc's
 * syscall(), which the shim interposes (wrap_fd.c). -1 and errno on error. */
long aw_sys(long n, ...);
/* The program is about to close or replace descriptors LO..HI: if one is
 * the shim's, check its identity again before the next use. */
void aw_fds_touched(int lo, int hi);
/* Start of every wrapper: lazy init, pending library rescan. */
void aw_enter(void);
/* dbgtiming.c: AUTOWRAP_DEBUG_TIMING=1 stamps on stderr (bench only) */
void aw_dbg_timing(const char *phase);
/* Report PATH (relative to DIRFD) as KIND. TRACKED: only if the name has a
 * tracked extension. HOW/FD: where the identity comes from. */
void aw_note(unsigned kind, int dirfd, const char *path, int tracked, int how, int fd);
/* The exec family: PATH is about to replace this process (AW_FLAG_EXECING),
 * or that exec failed (0). Sent every time, no dedupe: the supervisor names
 * a process that goes silent after the first (wire.h). */
void aw_note_exec(const char *path, unsigned flags);
/* A successful stat of a tracked PATH whose result ST (the caller's buffer,
 * filled by the real call; NULL if there is none) is the file's identity. */
void aw_note_stat(int dirfd, const char *path, int nofollow, const struct stat *st);
void aw_rescan(void);
/* Does PATH's last component carry a tracked extension (or --all)? */
void aw_cwd_refresh(void);
/* Resolve NAME in the next object; NULL while a dlsym is in progress. */
void *aw_real(void **slot, const char *name);
/* Search PATH for FILE the way execvp does; OUT gets the hit (or FILE). */
const char *aw_pathsearch(const char *file, char *out, size_t cap);
/* Environment fix-up for exec: returns ENVP or NEW (filled, NULL-ended),
 * NEW has room for n+6 pointers, BUF for the LD_PRELOAD value. */
char *const *aw_fix_env(char *const *envp, char **nenv, size_t ncap, char *buf, size_t bcap);
size_t aw_env_count(char *const *envp);
void aw_env_putback(void);
/* secure.c: 1 in a setuid/setgid/capability process (AT_SECURE): the shim
 * then does nothing at all. */
int aw_secure_process(void);
/* secure.c: open AUTOWRAP_TRACE's file (no symlink, no blocking on a FIFO);
 * the fd, or -1 after saying why once per process. errno is kept. */
#define AW_TRACE_MSG_MAX 4400
int aw_trace_open(const char *path);

#endif
