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

/* shimpath.c: find libtrack.so. 0, or -1 with a message in err. */
int shim_find(char *out, size_t cap, char *err, size_t errlen);

/* channel.c: private runtime directory + SOCK_DGRAM socket. */
int channel_open(void);              /* the socket fd, or -1 (message said) */
const char *channel_dir(void);
const char *channel_sock(void);
void channel_cleanup(void);          /* unlink the socket, remove the directory */

/* guardian.c: a process that SIGKILLs the child's group and removes the
 * runtime directory if autowrap dies without cleaning up. */
int guardian_start(const char *dir, const char *sock); /* 0 or -1 */
void guardian_set_pgid(pid_t pgid);  /* 0: no group to kill */
void guardian_stop(void);            /* normal exit: nothing to kill */

/* child.c: start one generation. Returns the pid (also its pgid), or -1 with
 * *err set to the errno of the failed exec (the child is then reaped or
 * about to exit). */
struct child_env {
    const struct aw_options *opt;
    const char *shim;
    const char *sock;
};
pid_t child_start(const struct child_env *ce, int *err);

/* sockets.c: --socket listeners, kept across generations. */
int sockets_open(const struct aw_options *opt); /* 0, or -1 (message said) */
void sockets_cleanup(void);                     /* close; unlink unix paths bound */
void sockets_install(int *errfd, int no_listen_pid); /* in the child, before exec */

/* watch.c: inotify, one watch per directory. */
int watch_init(void);                /* inotify fd or -1 */
int watch_dir(const char *dir);      /* 0, 1 = already watched, -1 = failed */
/* Read pending events; for each candidate path call cb. */
typedef void (*watch_cb)(void *arg, const char *path, size_t len);
void watch_read(watch_cb cb, void *arg);

/* loop.c */
int loop_run(const struct aw_options *opt, const char *shim, FILE *out);

int64_t now_ms(void);

#endif
