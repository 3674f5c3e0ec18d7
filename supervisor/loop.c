/* The event loop: one poll() over the channel socket, the inotify fd, a
 * signalfd and a timerfd. Each turn: drain the channel (then AW_EV_DRAINED),
 * then signals and reaping, then inotify, then the timer. The core decides;
 * this file only turns the world into events and carries out actions. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../preload/ring.h"
#include "listfmt.h"
#include "ready.h"
#include "shell.h"

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct loop {
    const struct aw_options *opt;
    struct aw_core *core;
    struct child_env ce;
    FILE *out;
    int out_dirty; /* --list lines written to out but not flushed yet */
    unsigned got;  /* records the last turn's drain handed to the core */
    /* AW_ACT_SCANs of this batch, run once all its records are in (one of
     * them may say the program wrote what the scan would find) */
    struct scan_req {
        const char *path;
        int64_t since;
    } *scans;
    size_t nscans, scans_cap;
    struct aw_ring_reader rr; /* our place in the record ring */
    int coalesce;  /* the last nap found records waiting: nap again */
    int nap_us;    /* the next nap: doubles while naps keep finding records */
    const char *target;
    int chfd, ifd, sfd, tfd;
    pid_t child;        /* the direct child of the current generation, 0 if reaped */
    pid_t pgid;         /* its process group, 0 once it and every stray are gone */
    int pg_gone;        /* the group itself is empty (strays may remain) */
    int tree_gone;      /* group and strays found gone, no start since */
    int64_t deadline;   /* the core's, -1 = none */
    int64_t group_check; /* when to look at the group again, -1 = not waiting */
    int group_backoff;
    int done, code;
    int poll_ms;         /* polling active: the interval; 0 = inotify only */
    int64_t next_poll;   /* next poll tick, -1 = none */
    int64_t next_retry;  /* next attempt to re-watch lost directories, -1 = none */
    int owed_poll;       /* polling for listings owed (scan_owed) and nothing else */
    int said_poll;
    int lost;            /* channel_lost() last handed to the core */
    int said_make_nl;    /* --format make left out: 1 a newline name, 2 a tab's rule */
    /* follow-up events produced while carrying out actions */
    struct aw_event pending[16];
    unsigned npending;
    char fmtbuf[AW_LISTFMT_MAX];
};

/* What a stat found, as the core compares it. */
static void put_stat(const struct stat *sb, struct aw_stat *st)
{
    st->exists = 1;
    st->is_reg = S_ISREG(sb->st_mode);
    st->xok = st->is_reg && (sb->st_mode & 0111) && sb->st_size > 0;
    aw_ident_from_stat(&st->id, sb);
}

static void fill_stat(const char *path, size_t len, struct aw_stat *st)
{
    char p[AW_PATH_MAX + 1];
    memset(st, 0, sizeof *st);
    if (len > AW_PATH_MAX)
        return;
    memcpy(p, path, len);
    p[len] = '\0';
    struct stat sb;
    if (stat(p, &sb) == 0)
        put_stat(&sb, st);
}

/* fill_stat for a path that is usually not a symlink: lstat alone tells
 * both what is there and that it is no link (the same inode stat would
 * return), so only a link costs a second call. Returns 1 for a link. */
static int fill_lstat(const char *path, size_t len, struct aw_stat *st)
{
    char p[AW_PATH_MAX + 1];
    memset(st, 0, sizeof *st);
    if (len > AW_PATH_MAX)
        return 0;
    memcpy(p, path, len);
    p[len] = '\0';
    struct stat sb;
    if (lstat(p, &sb) != 0)
        return 0;
    if (!S_ISLNK(sb.st_mode)) {
        put_stat(&sb, st);
        return 0;
    }
    if (stat(p, &sb) == 0)
        put_stat(&sb, st);
    return 1;
}

/* An AW_EV_FS for path, with what is there now. */
static void fs_event(struct aw_event *ev, const char *path, size_t len)
{
    memset(ev, 0, sizeof *ev);
    ev->type = AW_EV_FS;
    ev->path = path;
    ev->len = len;
    fill_stat(path, len, &ev->cur);
}

static void on_fs(void *arg, const char *path, size_t len);
static void on_inotify(void *arg, const char *path, size_t len, unsigned flags);

/* Switch polling on (or keep it) at interval ms. */
static void start_polling(struct loop *L, int ms)
{
    if (L->poll_ms == 0 || ms < L->poll_ms)
        L->poll_ms = ms;
    if (L->next_poll < 0)
        L->next_poll = now_ms() + L->poll_ms;
}

static int descend_dir(struct loop *L, const char *dir, int depth, int64_t since);

/* Watch one directory with inotify, or poll it when inotify cannot serve it
 * (one notice per session). Under -w DIR, subdirectories too. Returns 1 when
 * the directory is newly watched or polled. scan: it just appeared, so
 * its files (and its subdirectories' files) are new: report them. */
static int watch_path(struct loop *L, const char *dir, int depth, int scan)
{
    int r, user = core_user_watched(L->core, dir, strlen(dir));
    if (L->ifd < 0) {
        r = poll_add(dir, user);
    } else {
        r = watch_dir(dir);
        if (r == WATCH_POLL) {
            if (!L->said_poll) {
                L->said_poll = 1;
                say(AW_SAY_NORMAL, "polling %s and others like it every %d ms: %s", dir,
                    L->opt->poll_ms ? L->opt->poll_ms : AW_DEFAULT_POLL_MS, watch_poll_why());
            }
            r = poll_add(dir, user);
        }
    }
    if (r == 0 && L->ifd < 0)
        start_polling(L, L->opt->poll_ms ? L->opt->poll_ms : AW_DEFAULT_POLL_MS);
    else if (r == 0 && poll_count() > 0)
        start_polling(L, L->opt->poll_ms ? L->opt->poll_ms : AW_DEFAULT_POLL_MS);
    if (r != 0 || depth >= 64 || !user)
        return r == 0;
    int64_t since = scan ? INT64_MIN : INT64_MAX;
    if (descend_dir(L, dir, depth, since) != 0 && say_fd_short(errno))
        scan_owe(dir, since, depth); /* the next poll ticks try again */
    return 1;
}

/* -w DIR is recursive: watch every subdirectory of dir, not through
 * symlinks; then report dir's entries whose ctime is since or later
 * (INT64_MIN: all of them, INT64_MAX: none). 0, or -1 with errno when dir
 * cannot be listed. Also scan_retry's callback for an owed descent. */
static int descend_dir(struct loop *L, const char *dir, int depth, int64_t since)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e;
    char sub[AW_PATH_MAX + 1];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        int n = snprintf(sub, sizeof sub, "%s%s%s", dir,
                         dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
        struct stat sb;
        if (n < 0 || (size_t)n >= sizeof sub || lstat(sub, &sb) != 0 || !S_ISDIR(sb.st_mode))
            continue;
        watch_path(L, sub, depth + 1, since != INT64_MAX);
    }
    closedir(d);
    /* a directory that appeared: what is already in it was created too */
    if (since != INT64_MAX)
        scan_entries_since(dir, since, on_fs, L);
    return 0;
}

static int descend_owed(void *arg, const char *dir, int depth, int64_t since)
{
    return descend_dir(arg, dir, depth, since);
}

/* Stat every tracked path (a poll tick, or events lost to an overflow). */
static void rescan_tracked(struct loop *L)
{
    size_t n = core_tracked_count(L->core) + 16, k = 0, it = 0, len;
    const char **paths = malloc(n * sizeof *paths);
    size_t *lens = malloc(n * sizeof *lens);
    const char *p;
    if (paths && lens) {
        /* collect first: stepping the core may add entries */
        while (k < n && (p = core_next_tracked(L->core, &it, &len))) {
            paths[k] = p;
            lens[k++] = len;
        }
        if (k == n) { /* more than counted (failed lookups, -w files): grow */
            n *= 4;
            const char **np2 = realloc(paths, n * sizeof *paths);
            size_t *nl = np2 ? realloc(lens, n * sizeof *lens) : NULL;
            if (np2)
                paths = np2;
            if (nl)
                lens = nl;
            if (np2 && nl)
                while (k < n && (p = core_next_tracked(L->core, &it, &len))) {
                    paths[k] = p;
                    lens[k++] = len;
                }
        }
        for (size_t i = 0; i < k && !L->done; i++)
            on_fs(L, paths[i], lens[i]);
    }
    free(paths);
    free(lens);
}

/* A watched directory went away (rm -rf build && mkdir build, git checkout):
 * try again often, so files recreated in it are seen as they appear. */
static void retry_lost(struct loop *L)
{
    if (L->next_retry >= 0 && now_ms() < L->next_retry)
        return;
    L->next_retry = watch_retry(on_fs, L) ? now_ms() + 10 : -1;
    if (poll_count() > 0 && L->next_poll < 0) /* re-added past the watch limit */
        start_polling(L, L->opt->poll_ms ? L->opt->poll_ms : AW_DEFAULT_POLL_MS);
}

static void arm_timer(struct loop *L)
{
    struct itimerspec its;
    memset(&its, 0, sizeof its);
    if (L->deadline >= 0) {
        int64_t d = L->deadline > 0 ? L->deadline : 1;
        its.it_value.tv_sec = d / 1000;
        its.it_value.tv_nsec = (d % 1000) * 1000000;
    }
    timerfd_settime(L->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void want_group_check(struct loop *L, int soon)
{
    if (soon || L->group_check < 0)
        L->group_backoff = 5;
    L->group_check = now_ms();
}

/* Descendants that left the group (setsid, double fork): a stop reaches
 * them one by one. */
#define MAX_STRAYS 4096
static pid_t strays[MAX_STRAYS];

/* Every live descendant has a chain of live ancestors up to a child of
 * ours (an orphan is re-parented to its nearest subreaper: us, or one
 * inside the tree), and the guardian is not our child (guardian.c): no
 * child at all means no descendant, without reading /proc. */
static int no_children(void)
{
    siginfo_t si;
    return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD;
}

/* The last look could not read /proc (out of descriptors): strays, if
 * any, were not seen. Counted as none, so a stop does not wait forever for
 * what it cannot find; at exit the guardian then looks (guardian_stop). */
static int strays_unseen;

static size_t find_strays(void)
{
    if (no_children()) {
        strays_unseen = 0;
        return 0;
    }
    ssize_t n = descendants(getpid(), guardian_pid(), strays, MAX_STRAYS);
    strays_unseen = n < 0;
    if (n < 0) {
        say_fd_short(errno);
        return 0;
    }
    return (size_t)n;
}

static void kill_strays(int sig)
{
    size_t n = find_strays();
    for (size_t i = 0; i < n; i++)
        kill(strays[i], sig);
}

/* --signal: the changed paths, one a line, replaced atomically (tmp +
 * rename) before the signal goes out, so a hot reloader reads a whole list. */
static char changed_path[AW_PATH_MAX + 16];

static void write_changed(struct loop *L, unsigned batch)
{
    char tmp[sizeof changed_path + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", changed_path);
    FILE *f = fopen(tmp, "we");
    if (!f) {
        say(AW_SAY_ERROR, "cannot write %s: %s", tmp, strerror(errno));
        unlink(changed_path); /* no list rather than the last one's */
        return;
    }
    size_t it = 0;
    const char *p;
    while ((p = core_batch_next(L->core, batch, &it)))
        fprintf(f, "%s\n", p);
    if (fclose(f) != 0 || rename(tmp, changed_path) != 0) {
        say(AW_SAY_ERROR, "cannot write %s: %s", changed_path, strerror(errno));
        unlink(tmp);
        unlink(changed_path); /* no list rather than the last one's */
    }
}

/* An event the core gets after this step's actions (step() feeds them in
 * order); NULL when the queue is full. */
static struct aw_event *followup(struct loop *L, enum aw_event_type type)
{
    if (L->npending >= sizeof L->pending / sizeof L->pending[0])
        return NULL;
    struct aw_event *ev = &L->pending[L->npending++];
    memset(ev, 0, sizeof *ev);
    ev->type = type;
    return ev;
}

/* --list lines are buffered and flushed before autowrap waits again (and
 * before a status line): one write per batch of records instead of one
 * per line, and still on time for a program that keeps running. */
static void flush_out(struct loop *L)
{
    if (L->out_dirty) {
        fflush(L->out);
        L->out_dirty = 0;
    }
}

/* AW_ACT_SCAN: the directory changed since the program listed it: queue
 * what was made since, for the core to judge after this step (scan.c). Its
 * entries are only looked at when one may be new. */
static void run_scan(struct loop *L, const char *path, int64_t since)
{
    struct stat st;
    if (L->done || lstat(path, &st) != 0 || !S_ISDIR(st.st_mode) || aw_ts_ns(st.st_mtim) < since)
        return;
    scan_queue_dir_since(L->core, path, since);
}

/* Kept for the end of the batch; out of memory, done now (what the batch
 * wrote may then count as made by somebody else: a restart, nothing missed) */
static void want_scan(struct loop *L, const char *path, int64_t since)
{
    if (L->nscans == L->scans_cap) {
        size_t c = L->scans_cap ? L->scans_cap * 2 : 16;
        struct scan_req *g = realloc(L->scans, c * sizeof *g);
        if (!g) {
            run_scan(L, path, since);
            return;
        }
        L->scans = g;
        L->scans_cap = c;
    }
    L->scans[L->nscans].path = path;
    L->scans[L->nscans++].since = since;
}

static void do_actions(struct loop *L, const struct aw_actions *acts)
{
    for (unsigned i = 0; i < acts->n && !L->done; i++) {
        const struct aw_action *a = &acts->a[i];
        switch (a->type) {
        case AW_ACT_START: {
            if (!a->force && L->opt->argv && !aw_prog_ready(L->opt->argv[0])) {
                /* the core holds the start until the file changes again */
                followup(L, AW_EV_NOT_READY);
                break;
            }
            int err = 0;
            L->tree_gone = 0;
            pid_t pid = child_start(&L->ce, &err);
            if (pid > 0) {
                L->child = pid;
                L->pgid = pid;
                L->pg_gone = 0;
                L->group_check = -1;
                guardian_set_pgid(pid);
                term_give(pid);
                /* the core names COMMAND if it stays silent */
                struct aw_event *ev = followup(L, AW_EV_STARTED);
                if (ev)
                    ev->pid = (uint32_t)pid;
            } else {
                struct aw_event *ev = followup(L, AW_EV_START_FAILED);
                if (ev)
                    ev->err = err ? err : EINVAL;
            }
            break;
        }
        case AW_ACT_SIGNAL:
            if (L->pgid > 0) {
                aw_timing("signal");
                if (!L->pg_gone)
                    kill(-L->pgid, a->sig);
                if (a->tree) {
                    term_take(); /* a second Ctrl-C during the stop reaches us */
                    kill_strays(a->sig);
                }
                if (L->child == 0)
                    want_group_check(L, 1);
            }
            break;
        case AW_ACT_WATCH:
            if (a->path) {
                watch_path(L, a->path, 0, 0);
                if (a->scan)
                    scan_queue_dir(L->core, a->path);
                /* the core had the path's state from before this watch */
                struct aw_event *ev = a->confirm ? followup(L, AW_EV_FS) : NULL;
                if (ev) {
                    ev->path = a->confirm;
                    ev->len = strlen(a->confirm);
                    ev->confirm = 1;
                    fill_stat(ev->path, ev->len, &ev->cur);
                }
            }
            break;
        case AW_ACT_SCAN:
            if (a->path)
                want_scan(L, a->path, a->since);
            break;
        case AW_ACT_PRINT: {
            if (!L->out || !a->path)
                break;
            size_t n = aw_listfmt(L->opt->format, a->kind, a->pid, a->path, strlen(a->path),
                                  L->target, L->fmtbuf, sizeof L->fmtbuf);
            if (n) {
                fwrite(L->fmtbuf, 1, n, L->out);
                L->out_dirty = 1;
            }
            int odd = !aw_kind_is_dependency(a->kind) || L->opt->format != AW_FMT_MAKE ? 0
                      : strchr(a->path, '\n')                                        ? 1
                      : strchr(a->path, '\t')                                        ? 2
                                                                                     : 0;
            if (odd & ~L->said_make_nl) {
                L->said_make_nl |= odd; /* make has no way to write that name */
                say(AW_SAY_NORMAL, "%s: %s (this notice is given once)", a->path,
                    odd == 1 ? "a newline in the name cannot be written in a "
                                            "make depfile; left out"
                                          : "a tab in the name cannot be a make target; "
                                            "listed without its empty rule");
            }
            break;
        }
        case AW_ACT_SAY:
            flush_out(L); /* a status line comes after the lines before it */
            say_line(a->level, a->text);
            break;
        case AW_ACT_CLEAR: {
            static const char cls[] = "\033[H\033[2J\033[3J";
            ssize_t w = write(isatty(1) ? 1 : 2, cls, sizeof cls - 1);
            (void)w;
            break;
        }
        case AW_ACT_CHANGED:
            if (L->ce.changed)
                write_changed(L, a->batch);
            break;
        case AW_ACT_EXIT:
            L->done = 1;
            L->code = a->code;
            break;
        }
    }
    if (acts->dropped)
        say(AW_SAY_ERROR, "internal: %u actions dropped", acts->dropped);
}

static void step(struct loop *L, struct aw_event *ev)
{
    static struct aw_actions acts;
    for (;;) {
        ev->now = now_ms();
        core_step(L->core, ev, &acts);
        if (acts.deadline != L->deadline) {
            L->deadline = acts.deadline;
            arm_timer(L);
        }
        do_actions(L, &acts);
        if (L->done)
            return;
        static struct aw_event next;
        if (L->npending == 0) {
            /* then what a scan found in a newly watched directory */
            const char *p = scan_next();
            if (!p)
                return;
            fs_event(&next, p, strlen(p));
            ev = &next;
            continue;
        }
        /* carry out follow-ups (start failures, STARTED) in order */
        next = L->pending[0];
        memmove(L->pending, L->pending + 1, --L->npending * sizeof L->pending[0]);
        ev = &next;
    }
}

/* link -> target pairs seen so far: a change of the target is also a change
 * of every link naming it (the core keeps each path's identity). */
struct alias {
    char *link, *target;
};
static struct alias *aliases;
static size_t naliases, capaliases;

static void remember_alias(const char *link, const char *target)
{
    for (size_t i = 0; i < naliases; i++)
        if (strcmp(aliases[i].link, link) == 0 && strcmp(aliases[i].target, target) == 0)
            return;
    if (naliases == capaliases) {
        size_t n = capaliases ? capaliases * 2 : 16;
        struct alias *a = realloc(aliases, n * sizeof *a);
        if (!a)
            return;
        aliases = a;
        capaliases = n;
    }
    char *l = strdup(link), *t = strdup(target);
    if (!l || !t) {
        free(l);
        free(t);
        return;
    }
    aliases[naliases++] = (struct alias){l, t};
}

static void follow_link(struct loop *L, const struct aw_event *orig)
{
    char p[AW_PATH_MAX + 1], real[PATH_MAX];
    struct stat sb;
    if (orig->rec.len > AW_PATH_MAX)
        return;
    memcpy(p, orig->rec.path, orig->rec.len);
    p[orig->rec.len] = '\0';
    if (lstat(p, &sb) != 0 || !S_ISLNK(sb.st_mode) || !realpath(p, real) || real[0] != '/' ||
        strcmp(real, p) == 0 || strlen(real) > AW_PATH_MAX)
        return;
    remember_alias(p, real);
    /* A chain (a -> b -> c): each link on the way is a file whose change
     * (repointing it) changes what a means; track every hop as well. */
    char hop[AW_PATH_MAX + 1], buf[PATH_MAX];
    snprintf(hop, sizeof hop, "%s", p);
    for (int i = 0; i < 8; i++) {
        ssize_t n = readlink(hop, buf, sizeof buf - 1);
        if (n <= 0)
            break;
        buf[n] = '\0';
        char next[AW_PATH_MAX + 1];
        if (buf[0] == '/') {
            snprintf(next, sizeof next, "%s", buf);
        } else {
            char *slash = strrchr(hop, '/');
            int dl = slash ? (int)(slash - hop) : 0;
            if (snprintf(next, sizeof next, "%.*s/%s", dl, hop, buf) >= (int)sizeof next)
                break;
        }
        if (lstat(next, &sb) != 0 || !S_ISLNK(sb.st_mode))
            break;
        /* the name inotify will report: the directory resolved, the link not */
        char *base = strrchr(next, '/'), rdir[PATH_MAX];
        *base = '\0';
        if (!realpath(next[0] ? next : "/", rdir))
            break;
        char name[NAME_MAX + 1];
        snprintf(name, sizeof name, "%s", base + 1);
        if (snprintf(next, sizeof next, "%s/%s", strcmp(rdir, "/") ? rdir : "", name) >=
            (int)sizeof next)
            break;
        remember_alias(p, next);    /* repointing the hop changes what p names */
        remember_alias(next, real); /* and the target's change is the hop's too */
        struct aw_event hev = *orig;
        hev.rec.path = next;
        hev.rec.len = strlen(next);
        fill_stat(next, hev.rec.len, &hev.cur);
        step(L, &hev);
        if (L->done)
            return;
        snprintf(hop, sizeof hop, "%s", next);
    }
    struct aw_event ev = *orig;
    ev.rec.path = real;
    ev.rec.len = strlen(real);
    fill_stat(real, ev.rec.len, &ev.cur);
    step(L, &ev);
}

/* One record from the channel: what is there now, the core, and the
 * target if the path is a symlink. */
static void on_datagram(struct loop *L, const unsigned char *buf, size_t len)
{
    struct aw_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = AW_EV_RECORD;
    if (aw_wire_decode(buf, len, &ev.rec) != 0)
        return;
    int dep = aw_kind_is_dependency(ev.rec.kind), link = 0;
    /* --list does not compare identities; it only needs to know whether a
     * dependency is a symlink. A missing path needs nothing there. */
    if (dep || (ev.rec.kind == AW_KIND_MISSING && L->opt->mode != AW_MODE_LIST))
        link = fill_lstat(ev.rec.path, ev.rec.len, &ev.cur);
    step(L, &ev);
    /* The program named a symlink: the file that changes is its target,
     * in a directory the link's watch does not see. Track that too. */
    if (dep && link && ev.cur.exists && !L->done)
        follow_link(L, &ev);
}

/* The nap after a turn with records (see the main loop); timer slack makes
 * the real sleep ~50 us longer. */
#define AW_NAP_US 20
/* A program reporting steadily (an interpreter importing thousands of
 * modules: a record every 50-100 us) would find autowrap back in poll after
 * each short nap, and every send would then wake it: on a virtual machine
 * a cross-CPU wake-up costs the sender several microseconds. While naps keep
 * finding records the nap doubles, up to this; the records wait in the
 * inherited socketpair's buffer meanwhile, which holds thousands. */
#define AW_NAP_MAX_US 2000

/* Returns the number of records handed to the core. Up to DGRAM_BATCH
 * datagrams per recvmmsg; a short batch means the queue was empty when it
 * was read (recvmmsg stops at the first EAGAIN), so no further call is
 * needed to see that: everything sent before the call has been read. */
#define DGRAM_BATCH 16
static unsigned drain_fd(struct loop *L, int fd)
{
    static unsigned char buf[DGRAM_BATCH][AW_WIRE_MAX + 1];
    static struct iovec iov[DGRAM_BATCH];
    static struct mmsghdr mm[DGRAM_BATCH];
    unsigned n = 0;
    while (!L->done && fd >= 0) {
        for (unsigned i = 0; i < DGRAM_BATCH; i++) {
            iov[i] = (struct iovec){buf[i], sizeof buf[i]};
            memset(&mm[i], 0, sizeof mm[i]);
            mm[i].msg_hdr.msg_iov = &iov[i];
            mm[i].msg_hdr.msg_iovlen = 1;
        }
        int r = recvmmsg(fd, mm, DGRAM_BATCH, MSG_DONTWAIT, NULL);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < r && !L->done; i++)
            on_datagram(L, buf[i], mm[i].msg_len);
        n += (unsigned)r;
        if (r < DGRAM_BATCH)
            break;
    }
    return n;
}

static void ring_record(void *arg, const unsigned char *rec, size_t len)
{
    struct loop *L = arg;
    if (!L->done)
        on_datagram(L, rec, len);
}

/* Every way in: the pair the tree inherits, the socket bound to a path
 * (processes that closed the inherited end, or never had it), and the
 * record ring. The ring's records are in no particular order against the
 * datagrams; the core judges a batch as a whole. */
static unsigned drain_channel(struct loop *L)
{
    unsigned n = drain_fd(L, channel_pair());
    n += drain_fd(L, L->chfd);
    void *ring = channel_ring();
    if (ring && !L->done) {
        n += aw_ring_drain(ring, &L->rr, now_ms(), ring_record, L);
        channel_ring_ahead();
    }
    return n;
}

/* Step an event that carries nothing but its type and, for QUIT and
 * RESTART, the signal behind it. */
static void step_bare(struct loop *L, enum aw_event_type type, int sig)
{
    struct aw_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = type;
    ev.sig = sig;
    step(L, &ev);
}

/* Ctrl-C reached the generation: autowrap takes the terminal back (so a
 * second Ctrl-C during the stop reaches it) and stops everything. */
static void quit_ctrlc(struct loop *L)
{
    term_take();
    step_bare(L, AW_EV_QUIT, SIGINT);
}

/* Hand every pending record to the core, then close the batch (the core
 * judges records that changed under the program only at batch end). */
/* What inotify has queued (nothing: one read that finds EAGAIN). */
static void read_inotify(struct loop *L)
{
    if (L->done || L->ifd < 0 || !watch_read(on_inotify, L))
        return;
    /* the queue overflowed or a file system went: compare everything */
    say(AW_SAY_VERBOSE, "inotify queue overflowed or a file system was unmounted: rescanning");
    rescan_tracked(L);
    if (!L->done)
        watch_relist(on_fs, L); /* names created meanwhile */
}

static unsigned drain_batch(struct loop *L)
{
    unsigned n = drain_channel(L);
    /* A record is judged against what is there now (its file may have
     * changed since the program read it), and inotify may already hold the
     * word on why: a chmod's attribute event, queued before our look. The
     * core hears it before the end of the batch. */
    if (n)
        read_inotify(L);
    for (size_t i = 0; i < L->nscans; i++)
        run_scan(L, L->scans[i].path, L->scans[i].since);
    L->nscans = 0;
    if (n && !L->done)
        step_bare(L, AW_EV_DRAINED, 0);
    /* a stall that lost records leaves records queued: they bring us here */
    int lost = n ? channel_lost() : 0;
    if (lost > L->lost && !L->done) {
        L->lost = lost;
        struct aw_event ev;
        memset(&ev, 0, sizeof ev);
        ev.type = AW_EV_LOST;
        ev.status = lost;
        step(L, &ev);
    }
    return n;
}

/* A death reaches the core only after everything the dead sent has: the
 * records are in the socket before the process is gone. */
static void step_after_drain(struct loop *L, enum aw_event_type type, int status)
{
    drain_batch(L);
    if (L->done)
        return;
    struct aw_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = type;
    ev.status = status;
    step(L, &ev);
}

static void check_group(struct loop *L)
{
    if (L->done || L->child != 0 || L->pgid <= 0)
        return;
    if (!core_group_alive(L->core)) {
        L->group_check = -1;
        return;
    }
    if (!L->pg_gone && kill(-L->pgid, 0) < 0 && errno == ESRCH)
        L->pg_gone = 1;
    if (L->pg_gone) {
        /* orphans re-parented to us die as zombies of ours: reap them first
         * (the direct child is reaped already) */
        pid_t z;
        while ((z = waitpid(-1, NULL, WNOHANG)) > 0)
            term_reaped(z);
    }
    if (L->pg_gone && find_strays() == 0) {
        L->pgid = 0;
        L->tree_gone = 1;
        L->group_check = -1;
        guardian_set_pgid(0);
        aw_timing("group-gone");
        step_after_drain(L, AW_EV_GROUP_GONE, 0);
        return;
    }
    /* still there: look again soon (backing off: members that outlive their
     * leader normally die with a SIGCHLD to us, the subreaper) */
    L->group_check = now_ms() + L->group_backoff;
    if (L->group_backoff < 1000)
        L->group_backoff *= 2;
}

static void reap(struct loop *L)
{
    for (;;) {
        int st;
        pid_t pid = waitpid(-1, &st, WNOHANG);
        if (pid <= 0)
            break;
        term_reaped(pid);
        if (pid == L->child) {
            aw_timing("child-reaped");
            /* Ctrl-C while the generation was in front can kill it before the
             * sentinel's word is read, and taking the terminal back kills the
             * sentinel: a death by SIGINT in front is that Ctrl-C. */
            int ctrlc = L->ce.term && !term_holding() && WIFSIGNALED(st) &&
                        WTERMSIG(st) == SIGINT;
            L->child = 0;
            term_take();
            step_after_drain(L, AW_EV_CHILD_EXIT, st);
            if (L->done)
                return;
            if (ctrlc) {
                quit_ctrlc(L);
                if (L->done)
                    return;
            }
            want_group_check(L, 1);
        }
    }
    if (L->child == 0 && L->pgid > 0)
        want_group_check(L, 0);
}

static void read_signals(struct loop *L)
{
    /* every pending signal in one read; a full buffer means look again */
    struct signalfd_siginfo si[8];
    for (;;) {
        ssize_t r = read(L->sfd, si, sizeof si);
        if (r < (ssize_t)sizeof si[0])
            break;
        size_t n = (size_t)r / sizeof si[0];
        for (size_t i = 0; i < n; i++)
            if (si[i].ssi_signo != SIGCHLD) /* SIGHUP: a manual restart, not a quit */
                step_bare(L, si[i].ssi_signo == SIGHUP ? AW_EV_RESTART : AW_EV_QUIT,
                          (int)si[i].ssi_signo);
        if (n < sizeof si / sizeof si[0])
            break;
    }
    reap(L); /* cheap; also catches a SIGCHLD merged with another signal */
}

/* Ctrl-C reached the generation (term.c's sentinel): stop everything. */
static void read_ctrlc(struct loop *L)
{
    char b[16];
    if (read(term_ctrlc_fd(), b, sizeof b) <= 0)
        return;
    quit_ctrlc(L);
}

/* autowrap holds the terminal (no generation running in front): a line
 * typed there, Enter, is a manual restart. */
static void read_key(struct loop *L)
{
    char b[256];
    ssize_t n = read(0, b, sizeof b);
    if (n <= 0 || memchr(b, '\n', (size_t)n) == NULL)
        return;
    step_bare(L, AW_EV_RESTART, 0);
}

static void fs_changed(struct loop *L, const char *path, size_t len, unsigned flags)
{
    int attr_only = !!(flags & AW_FS_ATTR_ONLY);
    int writing = flags & AW_FS_CLOSED ? -1 : flags & AW_FS_WRITTEN ? 1 : 0;
    if (L->done || !core_wants_path(L->core, path, len))
        return;
    aw_timing("fs-event");
    int contended = writing < 0 && cpu_contended(now_ms()); /* asked for closed files only */
    struct aw_event ev;
    fs_event(&ev, path, len);
    ev.attr_only = attr_only;
    ev.writing = writing;
    ev.contended = contended;
    step(L, &ev);
    /* a new directory under -w DIR: watch it, and see what is already in it */
    struct stat sb;
    if (!L->done && ev.cur.exists && !ev.cur.is_reg && core_user_watched(L->core, path, len) &&
        len <= AW_PATH_MAX && lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        char dir[AW_PATH_MAX + 1];
        memcpy(dir, path, len);
        dir[len] = '\0';
        watch_path(L, dir, 0, 1);
    }
    for (size_t i = 0; i < naliases && !L->done; i++) {
        if (strlen(aliases[i].target) != len || memcmp(aliases[i].target, path, len) != 0)
            continue;
        const char *link = aliases[i].link;
        if (!core_wants_path(L->core, link, strlen(link)))
            continue;
        fs_event(&ev, link, strlen(link));
        ev.attr_only = attr_only;
        ev.writing = writing;
        ev.contended = contended;
        step(L, &ev);
    }
}

static void on_fs(void *arg, const char *path, size_t len)
{
    fs_changed(arg, path, len, 0);
}

static void on_inotify(void *arg, const char *path, size_t len, unsigned flags)
{
    fs_changed(arg, path, len, flags);
}

/* No inotify instance: one line, then everything is polled. EMFILE is
 * either this process's descriptor table (ulimit -n; inherited descriptors
 * can fill it) or the per-user instance limit: a spare descriptor tells. */
static void say_no_inotify(int err, int any_fd)
{
    const char *hint = "";
    char lim[96];
    if (err == EMFILE) {
        int t = fcntl(any_fd, F_DUPFD_CLOEXEC, 0);
        if (t >= 0)
            close(t);
        if (t >= 0 || errno != EMFILE) {
            hint = " (raise sysctl fs.inotify.max_user_instances)";
        } else {
            struct rlimit rl;
            if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
                snprintf(lim, sizeof lim, " (out of file descriptors: raise ulimit -n, now %llu)",
                         (unsigned long long)rl.rlim_cur);
            else
                snprintf(lim, sizeof lim, " (out of file descriptors)");
            hint = lim;
        }
    }
    say(AW_SAY_ERROR, "inotify: %s: polling every %d ms instead%s", strerror(err),
        AW_DEFAULT_POLL_MS, hint);
}

int loop_run(const struct aw_options *opt, const char *shim, FILE *out)
{
    static struct loop L;
    memset(&L, 0, sizeof L);
    L.opt = opt;
    L.out = out;
    L.target = opt->target ? opt->target : opt->argv[0];
    L.chfd = L.ifd = L.sfd = L.tfd = -1;
    L.deadline = -1;
    L.group_check = -1;
    L.coalesce = 1;
    L.nap_us = AW_NAP_US;
    L.rr.stuck_since = -1;
    L.ce.opt = opt;
    L.ce.shim = shim;
    /* a file or pipe gets a block buffer (flush_out says when it goes out);
     * a terminal stays line-buffered */
    if (out && !isatty(fileno(out)))
        setvbuf(out, NULL, _IOFBF, 1 << 16);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, NULL);
    /* taking the terminal back from the background must not stop us */
    sigset_t tty;
    sigemptyset(&tty);
    sigaddset(&tty, SIGTTOU);
    sigaddset(&tty, SIGTTIN);
    sigprocmask(SIG_BLOCK, &tty, NULL);
    L.ce.term = opt->mode == AW_MODE_RUN && term_init();
    signal(SIGPIPE, SIG_IGN);

    int code = 1;
    char cwd[AW_PATH_MAX + 1];
    if (!getcwd(cwd, sizeof cwd))
        strcpy(cwd, "/");

    L.chfd = channel_open();
    if (L.chfd < 0)
        goto out;
    L.ce.sock = channel_sock();
    if (opt->signal) {
        snprintf(changed_path, sizeof changed_path, "%s/changed", channel_dir());
        L.ce.changed = changed_path;
    }
    if (guardian_start(channel_dir(), channel_sock()) < 0) {
        say(AW_SAY_ERROR, "cannot start the guardian process: %s", strerror(errno));
        goto out;
    }
    /* only now: the guardian must not be re-parented to us */
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    L.sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    L.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (L.sfd < 0 || L.tfd < 0) {
        say(AW_SAY_ERROR, "signalfd/timerfd: %s", strerror(errno));
        goto out;
    }
    L.next_poll = L.next_retry = -1;
    if (opt->mode == AW_MODE_RUN && opt->poll_ms == 0) {
        L.ifd = watch_init();
        if (L.ifd < 0)
            say_no_inotify(errno, L.chfd);
    }
    L.core = core_new(opt, cwd);
    if (!L.core) {
        say(AW_SAY_ERROR, "out of memory");
        goto out;
    }

    step_bare(&L, AW_EV_BEGIN, 0);

    while (!L.done) {
        struct pollfd pf[7];
        int np = 0;
        /* each descriptor is read only when poll says so: a turn woken by
         * one record costs the poll and that record's recv, not a read of
         * every descriptor (a start-up sends thousands of records) */
        enum { P_CH, P_SIG, P_TIMER, P_PAIR };
        pf[np++] = (struct pollfd){.fd = L.chfd, .events = POLLIN};
        pf[np++] = (struct pollfd){.fd = L.sfd, .events = POLLIN};
        pf[np++] = (struct pollfd){.fd = L.tfd, .events = POLLIN};
        pf[np++] = (struct pollfd){.fd = channel_pair(), .events = POLLIN}; /* -1: ignored */
        int ino = -1;
        if (L.ifd >= 0) {
            ino = np;
            pf[np++] = (struct pollfd){.fd = L.ifd, .events = POLLIN};
        }
        int cfd = L.ce.term ? term_ctrlc_fd() : -1, kfd = -1, cix = -1;
        if (cfd >= 0) {
            cix = np;
            pf[np++] = (struct pollfd){.fd = cfd, .events = POLLIN};
        }
        if (L.ce.term && term_holding()) {
            kfd = np;
            pf[np++] = (struct pollfd){.fd = 0, .events = POLLIN};
        }
        /* a listing owed for want of a descriptor: poll until it is made */
        if (scan_owed() && L.next_poll < 0) {
            start_polling(&L, AW_DEFAULT_POLL_MS);
            L.owed_poll = 1;
        }
        int timeout = -1;
        int64_t wake[3] = {L.group_check, L.next_poll, L.next_retry};
        for (int w = 0; w < 3; w++) {
            if (wake[w] < 0)
                continue;
            int64_t d = wake[w] - now_ms();
            int t = d < 0 ? 0 : (int)d;
            if (timeout < 0 || t < timeout)
                timeout = t;
        }
        flush_out(&L);
        /* Records come in bursts (a start-up: one or two per module). A
         * wake-up per record costs more than the record (the sender's
         * wake-up of a sleeping poll and ours, ~10 us each on a VM), so
         * after a turn that had records, nap briefly and let the next ones
         * queue up: the senders then find nobody to wake. Only while naps
         * find records (or a drain got several): a lone record is answered
         * at once and costs no extra timer wake-up. The channel queues at
         * most ~10 datagrams (net.unix.max_dgram_qlen), so the nap is kept
         * short; it only happens right after records, never when idle. */
        int nap = L.got && (L.coalesce || L.got > 1);
        L.got = 0;
        if (!nap || !L.coalesce)
            L.nap_us = AW_NAP_US;
        if (nap) {
            /* A nap ends early for a signal (the child's exit: a program
             * that ends its burst by exiting is reaped at once, not after
             * up to 2 ms) or a file system event; records do not end it. */
            struct timespec ts = {0, L.nap_us * 1000L};
            if (L.nap_us < AW_NAP_MAX_US)
                L.nap_us *= 2;
            struct pollfd wake[2] = {pf[P_SIG], {.fd = L.ifd, .events = POLLIN}};
            ppoll(wake, 2, &ts, NULL);
            timeout = 0;
        }
        /* The ring wakes nobody: before a wait, ask its writers to (the
         * next one sends a byte), unless a record came in the meantime. */
        void *ring = channel_ring();
        if (ring && timeout != 0 && aw_ring_sleep(ring, &L.rr))
            timeout = 0;
        int r = poll(pf, (nfds_t)np, timeout);
        if (ring)
            aw_ring_awake(ring);
        int records = pf[P_CH].revents || pf[P_PAIR].revents || (ring && aw_ring_ready(ring, &L.rr));
        if (nap)
            L.coalesce = records;
        if (r < 0 && errno != EINTR) {
            say(AW_SAY_ERROR, "poll: %s", strerror(errno));
            L.code = 1;
            break;
        }
        /* 0. re-watch lost directories before the records of a new generation
         * are judged: a recreated file must be confirmed before it is read */
        if (L.ifd >= 0)
            retry_lost(&L);
        /* 1. the channel first, then the end of the batch */
        if (records)
            L.got = drain_batch(&L);
        if (!L.done && cix >= 0 && pf[cix].revents)
            read_ctrlc(&L);
        if (!L.done && kfd >= 0 && (pf[kfd].revents & POLLIN))
            read_key(&L);
        if (!L.done && kfd >= 0 && (pf[kfd].revents & (POLLHUP | POLLERR)))
            L.ce.term = 0; /* the terminal went away: no more keys */
        /* 2. signals and reaping */
        if (!L.done && pf[P_SIG].revents)
            read_signals(&L);
        if (!L.done && L.group_check >= 0 && now_ms() >= L.group_check)
            check_group(&L);
        /* 3. inotify */
        if (ino >= 0 && pf[ino].revents)
            read_inotify(&L);
        /* 3b. polled directories and tracked files; lost watches */
        if (!L.done && L.next_poll >= 0 && now_ms() >= L.next_poll) {
            poll_scan(on_fs, &L);
            if (!L.done)
                rescan_tracked(&L);
            if (!L.done && scan_owed())
                scan_retry(on_fs, descend_owed, &L);
            L.next_poll = now_ms() + L.poll_ms;
            if (L.owed_poll && !scan_owed()) {
                /* every owed listing made: back to inotify alone */
                L.owed_poll = 0;
                if (L.ifd >= 0 && poll_count() == 0) {
                    L.poll_ms = 0;
                    L.next_poll = -1;
                }
            }
        }
        if (!L.done && L.ifd >= 0)
            retry_lost(&L);
        /* 4. the core's timer */
        if (!L.done) {
            uint64_t ticks;
            if (pf[P_TIMER].revents) {
                ssize_t tr = read(L.tfd, &ticks, sizeof ticks);
                (void)tr;
            }
            if (L.deadline >= 0 && now_ms() >= L.deadline) {
                L.deadline = -1;
                aw_timing("timer");
                step_bare(&L, AW_EV_TIMER, 0);
            }
        }
    }
    code = L.code;
    if (L.out)
        flush_out(&L);

out:
    /* whatever is left of the tree does not outlive us (unless the last
     * look found nothing left: each look reads /proc/PID/stat of every
     * process on the machine) */
    for (int round = 0; round < 400 && !L.tree_gone; round++) {
        int left = L.pgid > 0 && kill(-L.pgid, 0) == 0;
        if (left)
            kill(-L.pgid, SIGKILL);
        size_t n = find_strays();
        for (size_t i = 0; i < n; i++)
            kill(strays[i], SIGKILL);
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if (!left && n == 0)
            break;
        struct timespec ts = {0, 5000000}; /* SIGKILL is quick; bounded at ~2 s */
        nanosleep(&ts, NULL);
    }
    term_restore();
    if (L.ce.changed)
        unlink(changed_path);
    guardian_stop(!strays_unseen);
    channel_cleanup();
    if (L.core)
        core_free(L.core);
    free(L.scans);
    return code;
}
