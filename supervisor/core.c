/* The decision core: see core.h and docs/design-notes.md ("Supervisor
 * semantics", "Status lines"). Everything here is pure: no I/O, no clock. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "core.h"

#include <errno.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "dark.h"
#include "depset.h"
#include "extset.h"

/* Kinds that make a path a trigger; bit 0 marks a new file seen in a listed
 * directory (no record, but tracked from then on). */
#define NEW_IN_LISTED 1u
#define TRIGGER_MASK                                                                   \
    (NEW_IN_LISTED | 1u << AW_KIND_READ | 1u << AW_KIND_STAT | 1u << AW_KIND_MISSING | \
     1u << AW_KIND_EXEC | 1u << AW_KIND_LIB)

struct glob {
    char *pat;
    int base; /* no '/': matched against each path component */
};

struct aw_core {
    const struct aw_options *opt;
    char *cwd;
    size_t cwdlen;
    struct aw_depset *deps; /* files (and listed directories) */
    struct aw_depset *dirs; /* directories a WATCH went out for; exts looked up in each */
    struct aw_depset *anc;  /* directories on the way to a missing path (it included) */
    struct aw_dep *lexts;   /* exts looked up in any listed directory (key list only) */
    struct glob *ign;
    unsigned nign;
    char **uwatch; /* -w paths, absolute */
    unsigned nuwatch;
    struct aw_dep **sus; /* suspects of the current batch */
    size_t nsus, capsus;

    unsigned gen;
    unsigned said_gen;   /* the generation whose "starting" line was said last */
    int child_alive, group_alive;
    int stopping;      /* stop signal sent to the current group */
    int64_t kill_at;   /* SIGKILL the group then (-1: not armed) */
    int pending;       /* a restart is due once the group is gone and changes are quiet */
    int pending_signal;/* --signal: send it once changes are quiet */
    int restart_now;   /* --restart-code: start as soon as the group is gone */
    int64_t last_change;
    unsigned batch;    /* changes since the last start/signal carry this mark */
    const char *chg_path;
    const char *chg_verb;
    unsigned chg_more;
    unsigned nwriting; /* deps of this batch written and not closed yet */
    int settled;       /* the batch's newest event landed a whole file (note_writer) */
    int calm_before;   /* no change for AW_BURST_QUIET_MS before the batch's first */
    int changed_once;  /* last_change holds a change */
    int quitting, quit_sig;
    int64_t stop_since; /* when the stop signal went to the current group (-1: none) */
    int list_child_done, list_status, list_group_gone;
    int exited;
    /* A start the loop refused (AW_EV_NOT_READY) waits for the next change,
     * or until held_since + the stop timeout, then starts anyway. */
    int start_sent;     /* the last step returned a START not yet confirmed */
    int64_t held_since; /* first refusal of the start now pending (-1: none) */
    unsigned changes, held_changes; /* change() count, and its value at the refusal */
    /* Programs the shim cannot see (dark.h): named once per session. */
    struct aw_dark *dark;
    uint32_t child_pid; /* COMMAND's pid (AW_EV_STARTED), 0 until then */
    int dark_said;
    int lost_said; /* AW_EV_LOST total already told */
};

/* ---- small helpers ---- */

static const struct { int sig; const char *name; } sigtab[] = {
    {SIGHUP, "SIGHUP"},   {SIGINT, "SIGINT"},     {SIGQUIT, "SIGQUIT"}, {SIGILL, "SIGILL"},
    {SIGTRAP, "SIGTRAP"}, {SIGABRT, "SIGABRT"},   {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},
    {SIGKILL, "SIGKILL"}, {SIGUSR1, "SIGUSR1"},   {SIGSEGV, "SIGSEGV"}, {SIGUSR2, "SIGUSR2"},
    {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"},   {SIGTERM, "SIGTERM"}, {SIGCHLD, "SIGCHLD"},
    {SIGCONT, "SIGCONT"}, {SIGSTOP, "SIGSTOP"},   {SIGTSTP, "SIGTSTP"}, {SIGTTIN, "SIGTTIN"},
    {SIGTTOU, "SIGTTOU"}, {SIGURG, "SIGURG"},     {SIGXCPU, "SIGXCPU"}, {SIGXFSZ, "SIGXFSZ"},
    {SIGVTALRM, "SIGVTALRM"}, {SIGPROF, "SIGPROF"}, {SIGWINCH, "SIGWINCH"}, {SIGIO, "SIGIO"},
    {SIGPWR, "SIGPWR"},   {SIGSYS, "SIGSYS"},
};

static const char *signame(int sig, char *buf, size_t n)
{
    for (size_t i = 0; i < sizeof sigtab / sizeof sigtab[0]; i++)
        if (sigtab[i].sig == sig)
            return sigtab[i].name;
    snprintf(buf, n, "signal %d", sig);
    return buf;
}

static struct aw_action *push(struct aw_actions *out, enum aw_action_type t)
{
    static struct aw_action scratch;
    struct aw_action *a;
    if (out->n >= AW_MAX_ACTIONS) {
        out->dropped++;
        a = &scratch;
    } else {
        a = &out->a[out->n++];
    }
    memset(a, 0, sizeof *a);
    a->type = t;
    return a;
}

__attribute__((format(printf, 3, 4))) static void say(struct aw_actions *out, int level,
                                                      const char *fmt, ...)
{
    struct aw_action *a = push(out, AW_ACT_SAY);
    a->level = level;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->text, sizeof a->text, fmt, ap);
    va_end(ap);
}

/* A stop: the group and whatever else descends from autowrap. */
static void act_signal(struct aw_actions *out, int sig)
{
    struct aw_action *a = push(out, AW_ACT_SIGNAL);
    a->sig = sig;
    a->tree = 1;
}

static const char *shown_rel(const struct aw_core *c, const char *path)
{
    if (c->cwdlen == 1 && c->cwd[0] == '/')
        return path[0] == '/' && path[1] ? path + 1 : path;
    if (c->cwdlen && strncmp(path, c->cwd, c->cwdlen) == 0) {
        if (path[c->cwdlen] == '/' && path[c->cwdlen + 1])
            return path + c->cwdlen + 1;
        if (path[c->cwdlen] == '\0')
            return ".";
    }
    return path;
}

/* A path as status lines show it: relative to the cwd when under it, and
 * at most AW_SHOWN_MAX bytes: a longer one keeps its tail from a '/' on,
 * after "...", so the line still ends with what happened ("changed,
 * restarting") within the action's text. */
static const char *shown(const struct aw_core *c, const char *path)
{
    const char *p = shown_rel(c, path);
    size_t n = strlen(p);
    if (n <= AW_SHOWN_MAX)
        return p;
    const char *tail = p + n - AW_SHOWN_MAX, *slash = strchr(tail, '/');
    if (slash && slash[1])
        tail = slash;
    else
        while ((unsigned char)*tail >= 0x80 && (unsigned char)*tail < 0xc0)
            tail++; /* not in the middle of a UTF-8 sequence */
    static char buf[AW_SHOWN_MAX + 8];
    snprintf(buf, sizeof buf, "...%s", tail);
    return buf;
}

static int debounce(const struct aw_core *c)
{
    return c->opt->debounce_ms < 0 ? AW_DEFAULT_DEBOUNCE_MS : c->opt->debounce_ms;
}

/* Would a program reading the file now read what it read then? A ctime
 * that moved alone is a write whose mtime was put back (cp -p, touch -r,
 * tar, rsync -t). If mode, links or owner moved with it, a chmod, chown or
 * new hard link may explain it, but cp -p copies mode and owner along with
 * the bytes: only inotify's word that nothing was written (attr_only) makes
 * it metadata. Polling and the program's own view cannot tell, and count it.
 * A ctime of 0 is unknown, not different. */
static int same_content(const struct aw_ident *a, const struct aw_ident *b, int attr_only)
{
    if (a->dev != b->dev || a->ino != b->ino || a->mtime_ns != b->mtime_ns || a->size != b->size)
        return 0;
    if (a->ctime_ns == b->ctime_ns || a->ctime_ns == 0 || b->ctime_ns == 0)
        return 1;
    if (a->mode == b->mode && a->nlink == b->nlink && a->uid == b->uid && a->gid == b->gid)
        return 0;
    return attr_only;
}

static int same_stat(const struct aw_stat *a, const struct aw_stat *b, int attr_only)
{
    if (a->exists != b->exists)
        return 0;
    return !a->exists || same_content(&a->id, &b->id, attr_only);
}

/* For an executed file the execute bits count too: ld creates the output
 * 0666 and chmods it 0755 last, and only the chmod makes it runnable. */
static int same_dep_stat(const struct aw_dep *d, const struct aw_stat *cur, int attr_only)
{
    if (!same_stat(&d->rec, cur, attr_only))
        return 0;
    return !(d->kinds & 1u << AW_KIND_EXEC) || !cur->exists || d->rec.xok == cur->xok;
}

static int ident_known(const struct aw_ident *id)
{
    return id->dev != 0 || id->ino != 0;
}

static size_t dir_len(const char *path, size_t len)
{
    while (len > 0 && path[len - 1] != '/')
        len--;
    if (len > 1)
        len--; /* drop the slash, keep "/" for the root */
    return len;
}

static const char *base_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int editor_artefact(const char *b)
{
    size_t n = strlen(b);
    if (n == 0)
        return 1;
    if (strncmp(b, ".#", 2) == 0 || b[n - 1] == '~' || strcmp(b, "4913") == 0)
        return 1;
    if (n >= 4 && (strcmp(b + n - 4, ".swp") == 0 || strcmp(b + n - 4, ".swx") == 0))
        return 1;
    if (b[0] == '.' && n >= 5 && strncmp(b + n - 4, ".sw", 3) == 0)
        return 1;
    return 0;
}

/* path must be NUL-terminated. */
static int ignored(const struct aw_core *c, const char *path)
{
    if (!c->nign)
        return 0;
    char buf[AW_PATH_MAX + 1];
    size_t len = strlen(path);
    if (len > AW_PATH_MAX)
        return 0;
    memcpy(buf, path, len + 1);
    for (unsigned i = 0; i < c->nign; i++) {
        const struct glob *g = &c->ign[i];
        if (g->base) {
            /* every component, so "-i node_modules" covers what is under it */
            const char *p = buf;
            while (*p) {
                while (*p == '/')
                    p++;
                const char *e = strchr(p, '/');
                size_t n = e ? (size_t)(e - p) : strlen(p);
                if (n) {
                    char comp[AW_PATH_MAX + 1];
                    memcpy(comp, p, n);
                    comp[n] = '\0';
                    if (fnmatch(g->pat, comp, 0) == 0)
                        return 1;
                }
                p += n;
            }
        } else {
            if (fnmatch(g->pat, buf, 0) == 0)
                return 1;
            /* and every ancestor: "-i build" style directory globs */
            for (size_t k = len; k > 1; k--) {
                if (buf[k - 1] != '/' || k - 1 == 0)
                    continue;
                char save = buf[k - 1];
                buf[k - 1] = '\0';
                int m = fnmatch(g->pat, buf, 0) == 0;
                buf[k - 1] = save;
                if (m)
                    return 1;
            }
        }
    }
    return 0;
}

static char *absolute(const struct aw_core *c, const char *p)
{
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        n--;
    if (p[0] == '/') {
        char *s = malloc(n + 1);
        if (s) {
            memcpy(s, p, n);
            s[n] = '\0';
        }
        return s;
    }
    while (n >= 2 && p[0] == '.' && p[1] == '/') {
        p += 2;
        n -= 2;
    }
    int root = c->cwdlen == 1 && c->cwd[0] == '/';
    char *s = malloc(c->cwdlen + 1 + n + 1);
    if (!s)
        return NULL;
    if (n == 1 && p[0] == '.') {
        memcpy(s, c->cwd, c->cwdlen + 1);
        return s;
    }
    sprintf(s, "%s%s%.*s", root ? "" : c->cwd, "/", (int)n, p);
    return s;
}

/* Returns the WATCH pushed, or NULL when the directory was asked for before. */
static struct aw_action *watch_dir(struct aw_core *c, struct aw_actions *out, const char *path,
                                   size_t len)
{
    struct aw_dep *d = aw_depset_add(c->dirs, path, len);
    if (!d || d->watched)
        return NULL;
    d->watched = 1;
    struct aw_action *w = push(out, AW_ACT_WATCH);
    w->path = d->path;
    return w;
}

/* The program looked this path up: its directory may now trigger on new
 * files of that kind (new_in_listed), and a missing path's directories,
 * which may not exist yet, are walked down as they appear (on_fs). */
static void note_lookup(struct aw_core *c, const struct aw_dep *d, unsigned kind)
{
    size_t dl = dir_len(d->path, d->len);
    struct aw_dep *dir = aw_depset_add(c->dirs, d->path, dl);
    size_t kn;
    const char *key = aw_ext_key(d->path, d->len, &kn);
    if (dir)
        aw_dep_note_ext(dir, key, kn);
    const struct aw_dep *l = aw_depset_find(c->deps, d->path, dl);
    if (l && l->listed)
        aw_dep_note_ext(c->lexts, key, kn);
    if (kind != AW_KIND_MISSING)
        return;
    while (dl > 1 && aw_depset_find(c->anc, d->path, dl) == NULL) {
        if (!aw_depset_add(c->anc, d->path, dl))
            return;
        dl = dir_len(d->path, dl);
    }
}

static int is_trigger(const struct aw_dep *d)
{
    return (d->kinds & TRIGGER_MASK) && !d->written;
}

/* What "watching M files" counts: triggers that are files, not failed lookups. */
static int is_counted(const struct aw_dep *d)
{
    return is_trigger(d) && (d->kinds & (TRIGGER_MASK & ~(1u << AW_KIND_MISSING)));
}

static int under_user_watch(const struct aw_core *c, const char *path, size_t len)
{
    for (unsigned i = 0; i < c->nuwatch; i++) {
        size_t n = strlen(c->uwatch[i]);
        if (n == 1 && c->uwatch[i][0] == '/')
            return 1;
        if (len >= n && memcmp(path, c->uwatch[i], n) == 0 && (len == n || path[n] == '/'))
            return 1;
    }
    return 0;
}

/* ---- lifecycle ---- */

struct aw_core *core_new(const struct aw_options *opt, const char *cwd)
{
    struct aw_core *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->opt = opt;
    c->kill_at = -1;
    c->stop_since = -1;
    c->held_since = -1;
    c->batch = 1;
    if (!cwd || cwd[0] != '/')
        cwd = "/";
    c->cwd = strdup(cwd);
    if (!c->cwd)
        goto fail;
    c->cwdlen = strlen(c->cwd);
    while (c->cwdlen > 1 && c->cwd[c->cwdlen - 1] == '/')
        c->cwd[--c->cwdlen] = '\0';
    c->deps = aw_depset_new();
    c->dirs = aw_depset_new();
    c->anc = aw_depset_new();
    c->lexts = calloc(1, sizeof *c->lexts + 1);
    c->dark = aw_dark_new();
    if (!c->deps || !c->dirs || !c->anc || !c->lexts || !c->dark)
        goto fail;
    if (opt->nignore) {
        c->ign = calloc(opt->nignore, sizeof *c->ign);
        if (!c->ign)
            goto fail;
        for (unsigned i = 0; i < opt->nignore; i++) {
            const char *g = opt->ignore[i];
            if (!g || !*g)
                continue;
            struct glob *x = &c->ign[c->nign];
            x->base = strchr(g, '/') == NULL;
            x->pat = x->base ? strdup(g) : absolute(c, g);
            if (!x->pat)
                goto fail;
            c->nign++;
        }
    }
    if (opt->nwatch) {
        c->uwatch = calloc(opt->nwatch, sizeof *c->uwatch);
        if (!c->uwatch)
            goto fail;
        for (unsigned i = 0; i < opt->nwatch; i++) {
            if (!opt->watch[i] || !*opt->watch[i])
                continue;
            if (!(c->uwatch[c->nuwatch] = absolute(c, opt->watch[i])))
                goto fail;
            c->nuwatch++;
        }
    }
    return c;
fail:
    core_free(c);
    return NULL;
}

void core_free(struct aw_core *c)
{
    if (!c)
        return;
    for (unsigned i = 0; i < c->nign; i++)
        free(c->ign[i].pat);
    free(c->ign);
    for (unsigned i = 0; i < c->nuwatch; i++)
        free(c->uwatch[i]);
    free(c->uwatch);
    free(c->sus);
    aw_depset_free(c->deps);
    aw_depset_free(c->dirs);
    aw_depset_free(c->anc);
    if (c->lexts)
        free(c->lexts->exts);
    free(c->lexts);
    aw_dark_free(c->dark);
    free(c->cwd);
    free(c);
}

/* ---- transitions ---- */

static void do_exit(struct aw_core *c, struct aw_actions *out, int code)
{
    push(out, AW_ACT_EXIT)->code = code;
    c->exited = 1;
}

/* ---- records lost on the way ---- */

/* A record the shim could not deliver is a dependency autowrap may not
 * know: never silent. Said once per new loss, with the way out. */
static void on_lost(struct aw_core *c, const struct aw_event *ev, struct aw_actions *out)
{
    if (ev->status <= c->lost_said)
        return;
    int n = ev->status - c->lost_said;
    c->lost_said = ev->status;
    if (c->opt->mode == AW_MODE_LIST)
        say(out, AW_SAY_ERROR,
            "%d record%s could not be delivered in time (autowrap stalled or overloaded): "
            "this list may be incomplete; run it again",
            n, n == 1 ? "" : "s");
    else
        say(out, AW_SAY_ERROR,
            "%d record%s could not be delivered in time (autowrap stalled or overloaded): "
            "what is watched may be incomplete; press Enter or send SIGHUP to restart and "
            "record again",
            n, n == 1 ? "" : "s");
}

/* ---- programs the shim cannot see (dark.h) ---- */

static int dark_on(const struct aw_core *c)
{
    return !c->dark_said && c->opt->mode != AW_MODE_LIST;
}

/* Every record: an exec record flagged EXECING arms its pid (named as
 * shown), anything else says its pid runs under the shim. path: NUL-ended. */
static void dark_feed(struct aw_core *c, const struct aw_record *r, const char *path,
                      int64_t now)
{
    if (!dark_on(c))
        return;
    if (r->kind == AW_KIND_EXEC && (r->flags & AW_FLAG_EXECING)) {
        const char *name = shown(c, path);
        aw_dark_exec(c->dark, r->pid, name, strlen(name), now);
    } else {
        aw_dark_heard(c->dark, r->pid);
    }
}

static void dark_say(struct aw_core *c, struct aw_actions *out, const char *name)
{
    if (!name || !dark_on(c))
        return;
    say(out, AW_SAY_NORMAL, "%s reported no dependencies: static or setuid program? use --watch",
        name);
    c->dark_said = 1;
    aw_dark_clear(c->dark);
}

/* The oldest program silent for min_age ms, while the generation runs and
 * no stop of ours is under way (a stop kills what has not reported yet). */
static void dark_check(struct aw_core *c, int64_t now, int64_t min_age, struct aw_actions *out)
{
    if (!c->group_alive || c->stopping || c->quitting || c->exited)
        return;
    dark_say(c, out, aw_dark_due(c->dark, now, min_age));
}

static void stop_group(struct aw_core *c, int64_t now, struct aw_actions *out)
{
    act_signal(out, c->opt->stop_signal > 0 ? c->opt->stop_signal : SIGTERM);
    c->stopping = 1;
    c->stop_since = now;
    c->kill_at = now + (c->opt->stop_timeout_ms >= 0 ? c->opt->stop_timeout_ms
                                                     : AW_DEFAULT_STOP_TIMEOUT_MS);
}

static void reset_changes(struct aw_core *c)
{
    c->batch++;
    c->nwriting = 0; /* dep->writing marks of the old batch no longer count */
    c->settled = 0;
    c->chg_path = NULL;
    c->chg_verb = NULL;
    c->chg_more = 0;
}

static void say_changes(struct aw_core *c, struct aw_actions *out, const char *what)
{
    if (!c->chg_path)
        return;
    if (c->chg_more)
        say(out, AW_SAY_NORMAL, "%s and %u more changed, %s", shown(c, c->chg_path),
            c->chg_more, what);
    else
        say(out, AW_SAY_NORMAL, "%s %s, %s", shown(c, c->chg_path), c->chg_verb, what);
}

static void do_start(struct aw_core *c, struct aw_actions *out, int force)
{
    int list = c->opt->mode == AW_MODE_LIST;
    if (c->opt->clear && !list)
        push(out, AW_ACT_CLEAR);
    say_changes(c, out, "restarting");
    reset_changes(c);
    c->gen++;
    if (!list) {
        char line[512];
        size_t n = 0;
        line[0] = '\0';
        for (int i = 0; c->opt->argv && c->opt->argv[i] && n < sizeof line; i++)
            n += (size_t)snprintf(line + n, sizeof line - n, "%s%s", i ? " " : "",
                                  c->opt->argv[i]);
        /* not again for the same start exec-ed after all (on_not_ready) */
        if (c->said_gen != c->gen)
            say(out, AW_SAY_NORMAL, "starting generation %u: %s", c->gen, line);
        c->said_gen = c->gen;
    }
    aw_dark_clear(c->dark); /* what the last generation left is not this one's */
    c->child_pid = 0;
    struct aw_action *st = push(out, AW_ACT_START);
    st->gen = c->gen;
    st->force = force;
    c->start_sent = 1;
    c->child_alive = c->group_alive = 1;
    c->stopping = 0;
    c->stop_since = -1;
    c->kill_at = -1;
    c->pending = c->pending_signal = c->restart_now = 0;
}

static int stop_timeout(const struct aw_core *c)
{
    return c->opt->stop_timeout_ms >= 0 ? c->opt->stop_timeout_ms : AW_DEFAULT_STOP_TIMEOUT_MS;
}

/* A refused start with no change since: retry only when the hold runs out */
static int held(const struct aw_core *c)
{
    return c->held_since >= 0 && c->changes == c->held_changes;
}

/* How long changes must have been quiet: a person's save is one or two
 * files and gets the short window; a burst of AW_BURST_FILES or more is a
 * tool whose writer may pause longer than that between files. */
static int64_t quiet_window(const struct aw_core *c)
{
    int64_t d = debounce(c);
    if (!c->opt->debounce_given && c->chg_more + 1 >= AW_BURST_FILES && d < AW_BURST_QUIET_MS)
        d = AW_BURST_QUIET_MS;
    else if (!c->opt->debounce_given && c->settled && !c->nwriting && c->chg_more == 0 &&
             c->calm_before)
        d = AW_SETTLED_QUIET_MS; /* one file saved and landed: restart now */
    if (c->nwriting && d < AW_WRITER_HOLD_MS)
        d = AW_WRITER_HOLD_MS; /* until the writer closes it: a half-written file is no change */
    return d;
}

static void try_start(struct aw_core *c, int64_t now, struct aw_actions *out)
{
    if (c->exited || c->quitting || !c->pending || c->group_alive)
        return;
    if (held(c)) {
        if (now >= c->held_since + stop_timeout(c))
            do_start(c, out, 1); /* never hang: exec it and report what exec says */
        return;
    }
    if (now >= c->last_change + quiet_window(c))
        do_start(c, out, 0);
}

static void try_signal(struct aw_core *c, int64_t now, struct aw_actions *out)
{
    if (c->exited || c->quitting || !c->pending_signal)
        return;
    if (now < c->last_change + quiet_window(c))
        return;
    char b[32], what[64];
    snprintf(what, sizeof what, "sending %s", signame(c->opt->signal, b, sizeof b));
    say_changes(c, out, what);
    push(out, AW_ACT_CHANGED)->batch = c->batch; /* what changed, for a hot reloader */
    push(out, AW_ACT_SIGNAL)->sig = c->opt->signal; /* a reload: the group only */
    reset_changes(c);
    c->pending_signal = 0;
}

/* inotify's word on a writer (ev->writing): one that wrote and still holds
 * the file open makes the quiet window wait for its close. */
static void note_writer(struct aw_core *c, struct aw_dep *d, const struct aw_event *ev)
{
    int open_now = d->writing == c->batch + 1;
    if (ev->writing > 0 && ev->cur.exists && !open_now) {
        d->writing = c->batch + 1;
        c->nwriting++;
    } else if ((ev->writing < 0 || !ev->cur.exists) && open_now) {
        d->writing = 0;
        c->nwriting--;
    }
    /* The newest word on the batch: a file closed by its writer or renamed
     * into place has landed whole; a chmod after it (vim restores the
     * mode) changes nothing of that. Anything else (a write still open, a
     * deletion, a poll that cannot tell) may be half of a save. */
    if (ev->writing < 0 && ev->cur.exists)
        c->settled = !ev->contended;
    else if (!ev->attr_only)
        c->settled = 0;
}

static void change(struct aw_core *c, struct aw_dep *d, const char *verb, int64_t now,
                   struct aw_actions *out)
{
    if (c->exited || c->quitting || c->opt->mode == AW_MODE_LIST)
        return;
    if (!c->chg_path) {
        c->chg_path = d->path;
        c->chg_verb = verb;
        /* a batch that follows another closely is the rest of a tool's work */
        c->calm_before = !c->changed_once || now - c->last_change >= AW_BURST_QUIET_MS;
    } else if (d->path == c->chg_path) {
        /* the net effect for the line: a vim-style save (rename away, write
         * anew) is "changed", not "deleted" */
        const char *o = c->chg_verb;
        if (strcmp(verb, "deleted") == 0)
            c->chg_verb = "deleted";
        else if (strcmp(o, "deleted") == 0)
            c->chg_verb = "changed";
        else if (strcmp(o, "created") != 0)
            c->chg_verb = verb;
    } else if (d->batch != c->batch) {
        c->chg_more++; /* distinct paths: entries carry the batch they were counted in */
    }
    d->batch = c->batch;
    c->last_change = now;
    c->changed_once = 1;
    c->changes++;
    if (c->opt->signal && c->child_alive && !c->pending) {
        c->pending_signal = 1;
        try_signal(c, now, out);
        return;
    }
    c->pending = 1;
    if (c->group_alive && !c->stopping)
        stop_group(c, now, out);
    try_start(c, now, out);
}

/* D differs from what was last known: judged at the end of the batch
 * (on_drained), once inotify's events have said whether only its metadata
 * moved. HOW: 1 changed, 2 created, 3 deleted; META: only metadata differs. */
static void mark_suspect(struct aw_core *c, struct aw_dep *d, int how, int meta)
{
    if (d->suspect) {
        d->suspect = (unsigned char)how;
        d->meta_only = d->meta_only && meta;
        return;
    }
    if (c->nsus == c->capsus) {
        size_t cap = c->capsus ? c->capsus * 2 : 16;
        struct aw_dep **p = realloc(c->sus, cap * sizeof *p);
        if (!p)
            return;
        c->sus = p;
        c->capsus = cap;
    }
    d->suspect = (unsigned char)how;
    d->meta_only = (unsigned char)meta;
    d->attr_seen = 0;
    c->sus[c->nsus++] = d;
}

static void on_record(struct aw_core *c, const struct aw_event *ev, struct aw_actions *out)
{
    const struct aw_record *r = &ev->rec;
    if (!r->path || r->len == 0 || r->len > AW_PATH_MAX || r->kind == 0 || r->kind > AW_KIND_MAX)
        return;
    char buf[AW_PATH_MAX + 1];
    memcpy(buf, r->path, r->len);
    buf[r->len] = '\0';
    if (memchr(buf, '\0', r->len))
        return;
    dark_feed(c, r, buf, ev->now); /* an ignored path still says its pid is alive */
    if (ignored(c, buf))
        return;
    struct aw_dep *d = aw_depset_add(c->deps, r->path, r->len);
    if (!d)
        return;
    unsigned bit = 1u << r->kind;
    int was_trigger = (d->kinds & TRIGGER_MASK) != 0;
    int was_listed = d->listed;
    d->kinds |= bit;

    if (c->opt->mode == AW_MODE_LIST) {
        if (c->opt->format == AW_FMT_JSON) {
            if (d->printed & bit)
                return;
            d->printed |= bit;
        } else {
            if (!aw_kind_is_dependency(r->kind) || (d->printed & 1u))
                return;
            d->printed |= 1u;
        }
        struct aw_action *a = push(out, AW_ACT_PRINT);
        a->kind = r->kind;
        a->pid = r->pid;
        a->path = d->path;
        return;
    }

    if (r->kind == AW_KIND_WRITE) {
        d->written = 1;
        return;
    }
    if (r->kind == AW_KIND_LISTED) {
        d->listed = 1;
        if (!was_listed) {
            /* what was looked up in it before the listing was reported */
            const struct aw_dep *x = aw_depset_find(c->dirs, d->path, d->len);
            for (size_t i = 0; x && i < x->extlen; i += strlen(x->exts + i) + 1)
                aw_dep_note_ext(c->lexts, x->exts + i, strlen(x->exts + i));
        }
        if (!was_listed && c->opt->verbosity > 0)
            say(out, AW_SAY_VERBOSE, "tracking %s (listed)", shown(c, d->path));
        watch_dir(c, out, d->path, d->len);
        /* a file made after the listing and before the watch (or before
         * this record was read: inotify's word on it came first) is
         * reported by nothing else */
        if (!was_listed && r->ident.mtime_ns > 0 && c->opt->mode != AW_MODE_LIST) {
            struct aw_action *s = push(out, AW_ACT_SCAN);
            s->path = d->path;
            s->since = r->ident.mtime_ns;
        }
        return;
    }
    /* a dependency or a missing path */
    if (!was_trigger) {
        /* ev->cur was read before this watch existed */
        struct aw_action *w = watch_dir(c, out, d->path, dir_len(d->path, d->len));
        if (w)
            w->confirm = d->path;
        if (!d->written && c->opt->verbosity > 0)
            say(out, AW_SAY_VERBOSE, "tracking %s (%s)", shown(c, d->path), aw_kind_name(r->kind));
    }
    if (d->written)
        return;
    note_lookup(c, d, r->kind);
    if (ev->real && ev->real_len && ev->real_len <= AW_PATH_MAX && ev->real[0] == '/' &&
        !(ev->real_len == d->len && memcmp(ev->real, d->path, d->len) == 0)) {
        struct aw_dep *a = aw_depset_add(c->deps, ev->real, ev->real_len);
        if (a && !a->alias_of && !(a->kinds & TRIGGER_MASK) && !a->written) {
            a->alias_of = d;
            struct aw_action *w = watch_dir(c, out, a->path, dir_len(a->path, a->len));
            if (w)
                w->confirm = a->path;
        }
    }
    /* Changed since the program saw it, or since we last confirmed it (a
     * second reader may report the new version before inotify does: earlier
     * readers still run the old one). Decided at the end of the batch,
     * after the loop has read inotify's events: a chmod, chown or hard
     * link made in between moved ctime and queued an attribute event. */
    int suspect = 0, meta = 1;
    if (ident_known(&r->ident) && (!ev->cur.exists || !same_content(&r->ident, &ev->cur.id, 0))) {
        suspect = 1;
        meta = ev->cur.exists && same_content(&r->ident, &ev->cur.id, 1);
    }
    if (d->rec_known && !same_dep_stat(d, &ev->cur, 0)) {
        suspect = 1;
        meta = meta && same_dep_stat(d, &ev->cur, 1);
    }
    if (r->kind == AW_KIND_MISSING && ev->cur.exists && !d->rec_known) {
        suspect = 1; /* created since the lookup failed */
        meta = 0;
    }
    /* 1 changed, 2 created, 3 deleted: for the status line */
    if (suspect)
        suspect = !ev->cur.exists ? 3
                  : (r->kind == AW_KIND_MISSING && !d->rec_known) || (d->rec_known && !d->rec.exists) ? 2
                                                                                                        : 1;
    d->rec = ev->cur;
    d->rec_known = 1;
    if (suspect)
        mark_suspect(c, d, suspect, meta);
}

static void on_drained(struct aw_core *c, int64_t now, struct aw_actions *out)
{
    dark_check(c, now, AW_DARK_MS, out);
    size_t n = c->nsus;
    c->nsus = 0;
    for (size_t i = 0; i < n; i++) {
        struct aw_dep *d = c->sus[i];
        int how = d->suspect;
        int metadata = how == 1 && d->meta_only && d->attr_seen;
        d->suspect = d->meta_only = d->attr_seen = 0;
        if (how && !d->written && !metadata)
            change(c, d, how == 3 ? "deleted" : how == 2 ? "created" : "changed", now, out);
    }
}

static int new_in_listed(const struct aw_core *c, const char *path, size_t len)
{
    size_t dl = dir_len(path, len);
    const struct aw_dep *dir = aw_depset_find(c->deps, path, dl);
    if (!dir || !dir->listed || dl == len)
        return 0;
    if (!aw_extset_match(&c->opt->exts, path, len))
        return 0;
    /* only names of a kind the program looked up in that directory: a
     * Django package directory lists *.py, so local.json there is noise.
     * A directory nothing was looked up in yet (an import path entry with
     * no module found so far) goes by what the program looked up in all
     * the directories it listed. */
    const struct aw_dep *seen = aw_depset_find(c->dirs, path, dl);
    if (!seen || !seen->extlen)
        seen = c->lexts;
    size_t kn;
    const char *key = aw_ext_key(path, len, &kn);
    if (!aw_dep_has_ext(seen, key, kn))
        return 0;
    return !editor_artefact(base_of(path));
}

static void on_fs(struct aw_core *c, const struct aw_event *ev, struct aw_actions *out)
{
    if (c->opt->mode == AW_MODE_LIST || !ev->path)
        return;
    size_t len = ev->len ? ev->len : strlen(ev->path);
    if (len == 0 || len > AW_PATH_MAX)
        return;
    char buf[AW_PATH_MAX + 1];
    memcpy(buf, ev->path, len);
    buf[len] = '\0';
    if (ignored(c, buf))
        return;
    if (ev->cur.exists && !ev->cur.is_reg && aw_depset_find(c->anc, buf, len)) {
        /* a directory on the way to a missing path appeared: watch it, and
         * have the loop report what is already in it (created before the
         * watch), which walks further down the same way */
        const struct aw_dep *a = aw_depset_find(c->anc, buf, len);
        struct aw_action *w = push(out, AW_ACT_WATCH);
        w->path = a->path;
        w->scan = 1;
    }
    struct aw_dep *d = aw_depset_find(c->deps, buf, len);
    if (d && d->alias_of && !(d->kinds & TRIGGER_MASK) && !d->written)
        d = d->alias_of; /* the target of a symlink the program named */
    if (d && d->written)
        return;
    if (d && (d->kinds & TRIGGER_MASK)) {
        if (ev->confirm && d->rec_known && same_dep_stat(d, &ev->cur, 0))
            return; /* no word on a writer either: nothing was seen */
        if (ev->confirm && d->rec_known && d->rec.exists && ev->cur.exists &&
            same_dep_stat(d, &ev->cur, 1)) {
            /* only metadata moved between our two looks (a chmod, chown or
             * link): judged like a record's look, with the batch's events */
            d->rec = ev->cur;
            mark_suspect(c, d, 1, 1);
            return;
        }
        if (d->suspect) {
            /* inotify's word on a file whose record the batch still judges */
            if (!ev->attr_only)
                d->meta_only = 0;
            else if (d->rec_known && same_dep_stat(d, &ev->cur, 1))
                d->attr_seen = 1;
        }
        note_writer(c, d, ev);
        if (d->rec_known && same_dep_stat(d, &ev->cur, ev->attr_only)) {
            d->rec = ev->cur; /* a chmod's ctime is the baseline now */
            return;
        }
        const char *verb = !ev->cur.exists ? "deleted"
                           : (d->rec_known && !d->rec.exists) ? "created"
                                                              : "changed";
        d->rec = ev->cur;
        d->rec_known = 1;
        d->suspect = 0; /* judged now, not again at the end of the batch */
        change(c, d, verb, ev->now, out);
        return;
    }
    /* -w: regular files under it, and the deletion of one we saw */
    int user = under_user_watch(c, buf, len) && !editor_artefact(base_of(buf)) &&
               (ev->cur.is_reg || (d && d->rec_known && d->rec.exists && !ev->cur.exists));
    int fresh = ev->cur.exists && ev->cur.is_reg && new_in_listed(c, buf, len);
    if (!user && !fresh)
        return;
    if (d)
        note_writer(c, d, ev);
    if (d && d->rec_known && same_stat(&d->rec, &ev->cur, ev->attr_only)) {
        d->rec = ev->cur;
        return;
    }
    int existed = d && d->rec_known ? d->rec.exists : 0;
    d = aw_depset_add(c->deps, buf, len);
    if (!d)
        return;
    d->rec = ev->cur;
    d->rec_known = 1;
    note_writer(c, d, ev);
    if (fresh)
        d->kinds |= NEW_IN_LISTED;
    change(c, d, !ev->cur.exists ? "deleted" : (fresh && !existed) ? "created" : "changed",
           ev->now, out);
}

static void on_child_exit(struct aw_core *c, const struct aw_event *ev, struct aw_actions *out)
{
    int st = ev->status;
    c->child_alive = 0;
    if (c->opt->mode == AW_MODE_LIST) {
        c->list_child_done = 1;
        c->list_status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WIFEXITED(st) ? WEXITSTATUS(st) : 1;
        if (c->list_group_gone && !c->quitting)
            do_exit(c, out, c->list_status);
        return;
    }
    if (c->quitting || c->stopping)
        return; /* we asked for it */
    /* COMMAND is dead and all it sent is in: silent since its start, it was
     * never seen (its helpers may still report: the timer judges them) */
    const char *dark = c->child_pid ? aw_dark_name(c->dark, c->child_pid) : NULL;
    if (WIFEXITED(st) && c->opt->restart_code >= 0 && WEXITSTATUS(st) == c->opt->restart_code) {
        say(out, AW_SAY_NORMAL, "generation %u exited with status %d (restart code), restarting",
            c->gen, WEXITSTATUS(st));
        dark_say(c, out, dark);
        reset_changes(c);
        c->pending_signal = 0;
        c->pending = 0;
        c->restart_now = 1;
        if (c->group_alive)
            stop_group(c, ev->now, out); /* what is left of the group */
        else
            do_start(c, out, 0);
        return;
    }
    char b[32];
    size_t m = core_tracked_count(c);
    if (WIFSIGNALED(st))
        say(out, AW_SAY_NORMAL, "generation %u killed by %s; watching %zu files", c->gen,
            signame(WTERMSIG(st), b, sizeof b), m);
    else
        say(out, AW_SAY_NORMAL, "generation %u exited with status %d; watching %zu files", c->gen,
            WIFEXITED(st) ? WEXITSTATUS(st) : st, m);
    dark_say(c, out, dark);
    if (c->pending_signal) {
        /* nothing left to signal: the change restarts instead */
        c->pending_signal = 0;
        c->pending = 1;
        if (c->group_alive && !c->stopping)
            stop_group(c, ev->now, out);
        try_start(c, ev->now, out);
    }
}

static void on_group_gone(struct aw_core *c, const struct aw_event *ev, struct aw_actions *out)
{
    /* everything is dead and drained: a program still silent since its exec
     * never ran under the shim, however short its life */
    dark_check(c, ev->now, 0, out);
    aw_dark_clear(c->dark);
    if (c->stop_since >= 0 && c->group_alive && c->opt->mode != AW_MODE_LIST) {
        int64_t ms = ev->now - c->stop_since;
        say(out, AW_SAY_NORMAL, "generation %u stopped in %.2f s", c->gen,
            (ms < 0 ? 0 : ms) / 1000.0);
    }
    c->stop_since = -1;
    c->group_alive = 0;
    c->child_alive = 0;
    c->stopping = 0;
    c->kill_at = -1;
    if (c->opt->mode == AW_MODE_LIST) {
        c->list_group_gone = 1;
        if (c->quitting)
            do_exit(c, out, 128 + c->quit_sig);
        else if (c->list_child_done)
            do_exit(c, out, c->list_status);
        return;
    }
    if (c->quitting) {
        do_exit(c, out, 128 + c->quit_sig);
        return;
    }
    if (c->restart_now) {
        do_start(c, out, 0);
        return;
    }
    try_start(c, ev->now, out);
}

static void on_timer(struct aw_core *c, int64_t now, struct aw_actions *out)
{
    dark_check(c, now, AW_DARK_MS, out);
    if (c->kill_at >= 0 && now >= c->kill_at && c->group_alive) {
        char b[32];
        int ss = c->opt->stop_signal > 0 ? c->opt->stop_signal : SIGTERM;
        int ms = c->opt->stop_timeout_ms >= 0 ? c->opt->stop_timeout_ms : AW_DEFAULT_STOP_TIMEOUT_MS;
        say(out, AW_SAY_NORMAL, "generation %u did not stop within %g s after %s; sending SIGKILL",
            c->gen, ms / 1000.0, signame(ss, b, sizeof b));
        act_signal(out, SIGKILL);
        c->kill_at = -1;
    }
    try_signal(c, now, out);
    try_start(c, now, out);
}

static void on_quit(struct aw_core *c, const struct aw_event *ev, struct aw_actions *out)
{
    char b[32];
    int sig = ev->sig > 0 ? ev->sig : SIGTERM;
    if (c->quitting) {
        if (c->group_alive) {
            act_signal(out, SIGKILL);
            c->kill_at = -1;
        } else {
            do_exit(c, out, 128 + c->quit_sig);
        }
        return;
    }
    c->quitting = 1;
    c->quit_sig = sig;
    c->pending = c->pending_signal = c->restart_now = 0;
    say(out, AW_SAY_NORMAL, "stopping (%s)", signame(sig, b, sizeof b));
    if (!c->group_alive)
        do_exit(c, out, 128 + sig);
    else if (!c->stopping)
        stop_group(c, ev->now, out);
}

/* A manual restart: no file changed, the user asked. Not debounced, and a
 * full restart even in --signal mode (a reload is what a change gets). */
static void on_restart(struct aw_core *c, const struct aw_event *ev, struct aw_actions *out)
{
    if (c->quitting || c->opt->mode == AW_MODE_LIST)
        return;
    say(out, AW_SAY_NORMAL, "manual restart (%s), restarting",
        ev->sig == SIGHUP ? "SIGHUP" : "key");
    reset_changes(c);
    c->pending = c->pending_signal = 0;
    c->restart_now = 1;
    if (!c->group_alive)
        do_start(c, out, 0);
    else if (!c->stopping)
        stop_group(c, ev->now, out);
}

/* The loop refused the START: undo it and keep the start pending. The first
 * generation is not held (a COMMAND that is not executable is a user error
 * to report now), nor a start already forced. */
static void on_not_ready(struct aw_core *c, const struct aw_event *ev, struct aw_actions *out)
{
    if (!c->start_sent || c->quitting)
        return;
    c->start_sent = 0;
    if (c->gen <= 1) {
        c->gen--;
        do_start(c, out, 1);
        return;
    }
    const char *cmd = c->opt->argv && c->opt->argv[0] ? c->opt->argv[0] : "COMMAND";
    say(out, AW_SAY_NORMAL, "%s is not executable yet (being written?): generation %u waits "
        "for it to change", cmd, c->gen);
    c->gen--;
    c->said_gen = 0; /* when it does start, say so */
    c->child_alive = c->group_alive = 0;
    c->pending = 1;
    c->restart_now = 0;
    if (c->held_since < 0)
        c->held_since = ev->now;
    c->held_changes = c->changes;
}

static void on_start_failed(struct aw_core *c, const struct aw_event *ev, struct aw_actions *out)
{
    c->child_alive = c->group_alive = 0;
    c->stopping = 0;
    c->kill_at = -1;
    const char *cmd = c->opt->argv && c->opt->argv[0] ? c->opt->argv[0] : "COMMAND";
    int notfound = ev->err == ENOENT || ev->err == ENOTDIR;
    const char *what = notfound                                 ? "command not found"
                       : ev->err == EACCES || ev->err == EPERM ? "permission denied"
                       : ev->err == ENOEXEC                     ? "exec format error"
                       : ev->err == EISDIR                      ? "is a directory"
                                                                : NULL;
    if (what)
        say(out, AW_SAY_ERROR, "%s: %s", cmd, what);
    else /* autowrap's own pipe or fork failed (EMFILE, EAGAIN, ENOMEM), or exec did */
        say(out, AW_SAY_ERROR, "%s: cannot start: %s", cmd, strerror(ev->err));
    if (c->gen <= 1 || c->quitting)
        do_exit(c, out, c->quitting ? 128 + c->quit_sig : notfound ? 127 : 126);
}

/* COMMAND runs as pid: armed like an exec, cleared by its first record. */
static void on_started(struct aw_core *c, const struct aw_event *ev)
{
    c->child_pid = ev->pid;
    const char *cmd = c->opt->argv && c->opt->argv[0] ? c->opt->argv[0] : NULL;
    if (dark_on(c) && c->group_alive && cmd)
        aw_dark_exec(c->dark, ev->pid, cmd, strlen(cmd), ev->now);
}

static void on_begin(struct aw_core *c, struct aw_actions *out)
{
    if (c->gen)
        return;
    if (c->opt->mode != AW_MODE_LIST)
        for (unsigned i = 0; i < c->nuwatch; i++)
            watch_dir(c, out, c->uwatch[i], strlen(c->uwatch[i]));
    do_start(c, out, 0);
}

static int64_t deadline(const struct aw_core *c)
{
    int64_t dl = -1;
    if (c->exited)
        return -1;
#define AT(t)                      \
    do {                           \
        int64_t t_ = (t);          \
        if (dl < 0 || t_ < dl)     \
            dl = t_;               \
    } while (0)
    if (c->kill_at >= 0 && c->group_alive)
        AT(c->kill_at);
    if (c->pending_signal)
        AT(c->last_change + quiet_window(c));
    if (c->pending && !c->group_alive && !c->quitting)
        AT(held(c) ? c->held_since + stop_timeout(c) : c->last_change + quiet_window(c));
    int64_t dark_at = aw_dark_next(c->dark);
    if (dark_on(c) && c->group_alive && !c->stopping && !c->quitting && dark_at >= 0)
        AT(dark_at);
#undef AT
    return dl;
}

void core_step(struct aw_core *c, const struct aw_event *ev, struct aw_actions *out)
{
    out->n = 0;
    out->dropped = 0;
    if (c->start_sent && ev->type != AW_EV_NOT_READY) {
        c->start_sent = 0; /* that start happened (or failed to exec): the hold is over */
        c->held_since = -1;
    }
    if (!c->exited) {
        switch (ev->type) {
        case AW_EV_BEGIN: on_begin(c, out); break;
        case AW_EV_RECORD: on_record(c, ev, out); break;
        case AW_EV_DRAINED: on_drained(c, ev->now, out); break;
        case AW_EV_FS: on_fs(c, ev, out); break;
        case AW_EV_START_FAILED: on_start_failed(c, ev, out); break;
        case AW_EV_CHILD_EXIT: on_child_exit(c, ev, out); break;
        case AW_EV_GROUP_GONE: on_group_gone(c, ev, out); break;
        case AW_EV_TIMER: on_timer(c, ev->now, out); break;
        case AW_EV_QUIT: on_quit(c, ev, out); break;
        case AW_EV_RESTART: on_restart(c, ev, out); break;
        case AW_EV_NOT_READY: on_not_ready(c, ev, out); break;
        case AW_EV_STARTED: on_started(c, ev); break;
        case AW_EV_LOST: on_lost(c, ev, out); break;
        }
    }
    out->deadline = deadline(c);
}

/* ---- questions ---- */

int core_wants_path(const struct aw_core *c, const char *path, size_t len)
{
    if (c->exited || c->opt->mode == AW_MODE_LIST || !path)
        return 0;
    if (!len)
        len = strlen(path);
    if (len == 0 || len > AW_PATH_MAX)
        return 0;
    char buf[AW_PATH_MAX + 1];
    memcpy(buf, path, len);
    buf[len] = '\0';
    if (ignored(c, buf))
        return 0;
    if (aw_depset_find(c->anc, buf, len))
        return 1;
    const struct aw_dep *d = aw_depset_find(c->deps, buf, len);
    if (d && d->alias_of && !(d->kinds & TRIGGER_MASK) && !d->written)
        d = d->alias_of;
    if (d && d->written)
        return 0;
    if (d && (d->kinds & TRIGGER_MASK))
        return 1;
    if (under_user_watch(c, buf, len) && !editor_artefact(base_of(buf)))
        return 1;
    return new_in_listed(c, buf, len);
}

unsigned core_generation(const struct aw_core *c)
{
    return c->gen;
}

int core_group_alive(const struct aw_core *c)
{
    return c->group_alive;
}

size_t core_tracked_count(const struct aw_core *c)
{
    size_t it = 0, n = 0;
    const struct aw_dep *d;
    while ((d = aw_depset_next(c->deps, &it)))
        if (is_counted(d))
            n++;
    return n;
}

const char *core_batch_next(const struct aw_core *c, unsigned batch, size_t *it)
{
    const struct aw_dep *d;
    while ((d = aw_depset_next(c->deps, it)))
        if (d->batch == batch && !d->written && !d->alias_of)
            return d->path;
    return NULL;
}

/* Polling and rescans: every path whose identity the core compares, so the
 * loop can stat each and send AW_EV_FS (unchanged ones are no-ops). The
 * pointer stays valid until core_free, even across later core_step calls. */
const char *core_next_tracked(const struct aw_core *c, size_t *it, size_t *len)
{
    const struct aw_dep *d;
    while ((d = aw_depset_next(c->deps, it))) {
        if (d->written || !(d->rec_known || (d->kinds & TRIGGER_MASK)))
            continue;
        *len = d->len;
        return d->path;
    }
    return NULL;
}

int core_user_watched(const struct aw_core *c, const char *path, size_t len)
{
    return under_user_watch(c, path, len ? len : strlen(path));
}
