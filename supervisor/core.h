/* The supervisor's pure core: (state, event) -> (state, actions).
 *
 * No I/O, no clock, no signals in here: the event loop (loop.c) turns the
 * world into events (a record from the shim, a file's new identity, a child
 * exit, a timer, a quit request), and carries out the actions the core
 * returns (start, signal the group, watch a directory, print a line, exit).
 * That is what lets tests step "file changed while stopping" one event at a
 * time. Time enters only as the `now` of each event (monotonic ms). */
#ifndef AUTOWRAP_CORE_H
#define AUTOWRAP_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "../preload/wire.h"
#include "options.h"

/* Current identity as the supervisor stat()-ed it. exists = 0: no such file. */
struct aw_stat {
    int exists;
    int is_reg;
    struct aw_ident id;
    int xok;   /* regular, some execute bit set, not empty: exec could run it */
};

enum aw_event_type {
    AW_EV_BEGIN,       /* start of the session: start generation 1 */
    AW_EV_RECORD,      /* a record from the shim (rec), with the file's current state (cur) */
    AW_EV_DRAINED,     /* the channel is empty for now: end of a batch of records */
    AW_EV_FS,          /* inotify/poll saw something at path; cur is its state now */
    AW_EV_START_FAILED,/* the child could not exec: err is the errno */
    AW_EV_CHILD_EXIT,  /* the direct child ended; status is the wait status */
    AW_EV_GROUP_GONE,  /* nothing of the current generation's process group remains */
    AW_EV_TIMER,       /* the armed deadline passed */
    AW_EV_QUIT,        /* SIGINT/SIGTERM to autowrap: sig says which */
    AW_EV_RESTART,     /* manual restart (SIGHUP to autowrap, or the restart key): sig
                        * is SIGHUP, or 0 for the key */
    AW_EV_NOT_READY,   /* the loop did not carry out the START just returned: the
                        * program it would exec is a regular file that is not
                        * executable yet, or empty (a linker or cp mid-write) */
    AW_EV_STARTED,     /* the START was carried out: COMMAND runs as pid (its
                        * records carry that pid once the shim runs in it) */
    AW_EV_LOST,        /* the shim counted records it could not deliver in time
                        * (autowrap stalled or overloaded): status is the total so far */
};

struct aw_event {
    enum aw_event_type type;
    int64_t now;            /* monotonic milliseconds */
    struct aw_record rec;   /* AW_EV_RECORD */
    const char *path;       /* AW_EV_FS: absolute path */
    size_t len;
    struct aw_stat cur;     /* AW_EV_RECORD, AW_EV_FS */
    int attr_only;          /* AW_EV_FS: inotify saw attributes change and no byte written */
    int writing;            /* AW_EV_FS: 1 written by a writer that has not closed it (yet),
                             * -1 the writer closed it, 0 not known (a poll, a scan) */
    int contended;          /* AW_EV_FS: the CPUs are contended now (writers may stall) */
    int confirm;            /* AW_EV_FS: the second look an AW_ACT_WATCH asked for, not a
                             * sighting: nothing happened unless the state differs */
    int status;             /* AW_EV_CHILD_EXIT: wait status */
    int err;                /* AW_EV_START_FAILED */
    int sig;                /* AW_EV_QUIT */
    uint32_t pid;           /* AW_EV_STARTED */
    /* AW_EV_RECORD, optional: realpath() of rec.path when it differs (a
     * symlink on the way). The core then also watches the target's directory
     * and treats events on the target as events on rec.path. NULL: none. */
    const char *real;
    size_t real_len;
};

enum aw_action_type {
    AW_ACT_START,        /* fork+exec the next generation (gen says which) */
    AW_ACT_SIGNAL,       /* kill(-pgid, sig); tree: and every other descendant */
    AW_ACT_WATCH,        /* watch directory path (idempotent for the loop); a missing
                          * directory: watch its nearest existing ancestor instead */
    AW_ACT_PRINT,        /* --list: emit one record (kind, pid, path) in the chosen format */
    AW_ACT_SAY,          /* status line text (no prefix, no newline) to stderr */
    AW_ACT_CLEAR,        /* clear the screen (-c) */
    AW_ACT_CHANGED,      /* --signal: write the paths of change batch `batch` (core_batch_next)
                          * to the AUTOWRAP_CHANGED file, before the SIGNAL that follows */
    AW_ACT_EXIT,         /* stop the loop, exit with code */
    AW_ACT_SCAN,         /* once the batch's records are in: if directory path changed at
                          * or after since (ns), an AW_EV_FS for each entry with a ctime
                          * from since on (made after the program listed it, before the
                          * watch, or while its record waited) */
};

enum aw_say_level { AW_SAY_NORMAL = 0, AW_SAY_VERBOSE = 1, AW_SAY_ERROR = -1 };

struct aw_action {
    enum aw_action_type type;
    int sig;             /* AW_ACT_SIGNAL */
    int scan;            /* AW_ACT_WATCH: then send an AW_EV_FS for each entry already there */
    int tree;            /* AW_ACT_SIGNAL: a stop, also for descendants outside the group */
    int code;            /* AW_ACT_EXIT */
    unsigned gen;        /* AW_ACT_START */
    int force;           /* AW_ACT_START: exec even if the program looks not ready */
    unsigned batch;      /* AW_ACT_CHANGED */
    unsigned kind;       /* AW_ACT_PRINT */
    uint32_t pid;        /* AW_ACT_PRINT */
    const char *path;    /* AW_ACT_WATCH, AW_ACT_PRINT: owned by the core, valid until core_free */
    const char *confirm; /* AW_ACT_WATCH: a path the loop stat-ed before this watch existed;
                          * once the watch is in place the loop looks again (an AW_EV_FS
                          * with confirm set), since a save in between left inotify
                          * nothing to report. NULL: none. Owned like path. */
    int64_t since;       /* AW_ACT_SCAN */
    int level;           /* AW_ACT_SAY: enum aw_say_level */
    char text[512];      /* AW_ACT_SAY */
#define AW_SHOWN_MAX 200u /* longest path a status line shows (its tail) */
};

#define AW_MAX_ACTIONS 64

struct aw_actions {
    unsigned n;
    unsigned dropped;    /* actions that did not fit (a bug if ever non-zero) */
    struct aw_action a[AW_MAX_ACTIONS];
    int64_t deadline;    /* after the step: when to send AW_EV_TIMER, or -1 for never */
};

struct aw_core; /* opaque */

/* cwd: shown paths are made relative to it when under it. The core keeps a
 * pointer to opt; it must outlive the core. NULL on allocation failure. */
struct aw_core *core_new(const struct aw_options *opt, const char *cwd);
void core_free(struct aw_core *c);

/* Feed one event; actions are appended to out (out->n is reset first). */
void core_step(struct aw_core *c, const struct aw_event *ev, struct aw_actions *out);

/* Questions the loop asks to avoid useless I/O; they never change state. */
int core_wants_path(const struct aw_core *c, const char *path, size_t len); /* worth a stat on an fs event? */
unsigned core_generation(const struct aw_core *c);
int core_group_alive(const struct aw_core *c); /* the loop should look for GROUP_GONE */
size_t core_tracked_count(const struct aw_core *c);
/* Paths (absolute) that changed in batch: *it = 0 first; NULL at the end. */
const char *core_batch_next(const struct aw_core *c, unsigned batch, size_t *it);
/* Iterate (*it starts at 0) over paths worth a stat when polling or after an
 * inotify overflow; NULL at the end. */
const char *core_next_tracked(const struct aw_core *c, size_t *it, size_t *len);
/* Under a -w PATH: the loop watches such directories recursively. */
int core_user_watched(const struct aw_core *c, const char *path, size_t len);

#endif
