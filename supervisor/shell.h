/* The thin I/O shell around the pure core: declarations shared by main.c,
 * loop.c, child.c, channel.c, watch.c, guardian.c, say.c and shimpath.c. */
#ifndef AUTOWRAP_SHELL_H
#define AUTOWRAP_SHELL_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "core.h"
#include "options.h"

/* say.c: status lines on stderr, "[autowrap] " prefix, colour on a tty. */
void say_init(int verbosity);
void say_line(int level, const char *text);
void say(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An open after start failed for want of a descriptor (err EMFILE: ulimit
 * -n; ENFILE: the system's table): one line, the first time. Returns 1 for
 * those two errors, 0 for any other (nothing said). */
int say_fd_short(int err);

/* timing.c: AUTOWRAP_DEBUG_TIMING=1 stamps a restart's phases on stderr
 * (bench/restart-breakdown); a no-op otherwise. aw_timing_on() reads the
 * variable once; call it before forking so the child inherits the answer. */
int aw_timing_on(void);
void aw_timing(const char *phase);

/* shimpath.c: find libtrack.so. 0, or -1 with a message in err. */
int shim_find(char *out, size_t cap, char *err, size_t errlen);

/* channel.c: private runtime directory + SOCK_DGRAM socket. */
int channel_open(void);              /* the socket fd, or -1 (message said) */
const char *channel_dir(void);
const char *channel_sock(void);
void *channel_ring(void);            /* the record ring (preload/ring.h), or NULL */
void channel_ring_ahead(void);       /* allocate the ring's pages ahead of its head */
void channel_cleanup(void);          /* unlink the socket, remove the directory */
int channel_lost(void);              /* records the shim counted as not delivered, so far */
int channel_pair(void);              /* the socketpair end autowrap reads, or -1 */
const char *channel_pair_env(void);  /* AW_ENV_FD's value for the child, or NULL */
void channel_child(void);            /* in the child: let the tree inherit the pair's end */
/* A /proc file in one read, NUL-ended: open/read/close, not stdio (fopen
 * adds an fstat and an allocation). Bytes read, or -1. (descend.c) */
ssize_t read_small(const char *path, char *buf, size_t cap);
/* The CPUs are contended now (pressure.c): writers may stall between files */
int cpu_contended(int64_t now_ms);

/* guardian.c: a process that SIGKILLs the child's group and removes the
 * runtime directory if autowrap dies without cleaning up. */
int guardian_start(const char *dir, const char *sock); /* 0 or -1 */
void guardian_set_pgid(pid_t pgid);  /* 0: no group to kill */
/* Exit: clean 1, nothing left to kill; 0, the tree may have left
 * processes autowrap could not look for: the guardian kills what carries
 * our AUTOWRAP_SOCK, as when autowrap dies. */
void guardian_stop(int clean);

/* child.c: start one generation. Returns the pid (also its pgid), or -1 with
 * *err set to the errno of the failed exec (the child is then reaped or
 * about to exit). */
struct child_env {
    const struct aw_options *opt;
    const char *shim;
    const char *sock;
    const char *changed; /* --signal: AUTOWRAP_CHANGED file, or NULL */
    int term;  /* take the terminal's foreground in the child (term.c) */
};
pid_t child_start(const struct child_env *ce, int *err);

/* sockets.c: --socket listeners, kept across generations. */
int sockets_open(const struct aw_options *opt); /* 0, or -1 (message said) */
void sockets_cleanup(void);                     /* close; unlink unix paths bound */
void sockets_install(int *errfd, int no_listen_pid); /* in the child, before exec */

/* watch.c: inotify, one watch per directory. */
int watch_init(void);                /* inotify fd or -1 */
/* 0, 1 = already watched, -1 = failed, WATCH_POLL = poll it instead
 * (watch_poll_why() says why: a file system name, or the inotify limit) */
int watch_dir(const char *dir);
#define WATCH_POLL (-2)
const char *watch_poll_why(void);
/* Read pending events; for each candidate path call cb. Returns 1 when the
 * queue overflowed or a watched file system was unmounted (events were
 * lost: the caller rescans). */
typedef void (*watch_cb)(void *arg, const char *path, size_t len);
/* What one inotify event says of a file (flags for watch_ev_cb) */
#define AW_FS_ATTR_ONLY 1 /* attributes changed (chmod, chown, link count, times), no byte written */
#define AW_FS_WRITTEN 2   /* bytes written by a writer that may still hold it open */
#define AW_FS_CLOSED 4    /* a writer closed it, or a rename put it in place: it landed whole */
typedef void (*watch_ev_cb)(void *arg, const char *path, size_t len, unsigned flags);
int watch_read(watch_ev_cb cb, void *arg);
/* Directories whose watch went away (deleted, renamed, unmounted): try to
 * watch them again; each one that is back has its entries passed to cb.
 * Returns how many are still missing. */
size_t watch_retry(watch_cb cb, void *arg);
/* After an overflow: pass to cb each entry of each watched directory that
 * was created, renamed in or changed (by ctime) since the directory's
 * events were last known complete; the lost events may have named it.
 * Older entries were there before and the core knows what it needs of
 * them; passing those would make every unloaded module in a listed
 * directory look new. */
void watch_relist(watch_cb cb, void *arg);

/* poll_watch.c: directories that are polled instead. */
int poll_add(const char *dir, int always); /* 0, 1 = already polled, -1 = no memory */
size_t poll_count(void);
void poll_scan(watch_cb cb, void *arg);  /* changed directories and their entries */

/* scan.c: the entries of a directory, passed to cb now or queued for the
 * loop (a just-watched directory, found while the core's actions run). */
void scan_entries(const char *dir, watch_cb cb, void *arg);
/* Only entries whose ctime is at or after since_ns (CLOCK_REALTIME ns). */
void scan_entries_since(const char *dir, int64_t since_ns, watch_cb cb, void *arg);
void scan_queue_dir(const struct aw_core *core, const char *dir);
/* The same for entries whose ctime is since_ns or later */
void scan_queue_dir_since(const struct aw_core *core, const char *dir, int64_t since_ns);
const char *scan_next(void);         /* next queued path (valid until the next call) or NULL */
/* Listings owed for want of a descriptor (scan.c's top): scan_entries and
 * the rest owe their own; scan_owe with depth >= 0 owes a -w descent, which
 * scan_retry hands back to dcb (0 done, or -1 with errno; since_ns as
 * given). scan_retry tries each again (entries to cb) and keeps those that
 * still lack a descriptor. */
typedef int (*scan_descend_cb)(void *arg, const char *dir, int depth, int64_t since_ns);
void scan_owe(const char *dir, int64_t since_ns, int depth);
size_t scan_owed(void);
void scan_retry(watch_cb cb, scan_descend_cb dcb, void *arg);
/* descend.c: live descendants of root (except skip and its subtree), up to
 * cap, from /proc. Returns how many were stored, or -1 with errno when
 * /proc could not be read (out of descriptors: nothing can be told). */
ssize_t descendants(pid_t root, pid_t skip, pid_t *out, size_t cap);

/* guardian.c */
pid_t guardian_pid(void);

/* term.c: foreground process group for each generation (see there). */
int term_init(void);          /* 1: stdin is our terminal and we are in front */
int term_active(void);
int term_ctrlc_fd(void);      /* readable: Ctrl-C reached the generation */
void term_give(pid_t pgid);   /* the generation gets the terminal */
void term_take(void);         /* autowrap takes it back */
void term_restore(void);      /* at exit: take it back, restore the saved modes */
void term_reaped(pid_t pid);  /* a waitpid() elsewhere reaped pid */
int term_holding(void);       /* autowrap has the terminal: read keys */

/* pathsearch.c: execvp's candidates for file, in order: *it = NULL first;
 * each call writes the next DIR/FILE to out and returns it (a file with a
 * '/' is its own only candidate); NULL after the last. */
const char *aw_path_next(const char *file, const char **it, char *out, size_t cap);

/* loop.c */
int loop_run(const struct aw_options *opt, const char *shim, FILE *out);

int64_t now_ms(void);

#endif
