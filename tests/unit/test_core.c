/* The decision core, stepped one event at a time. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "dark.h"
#include "extset.h"

#define WEXIT(code) ((code) << 8)
#define WSIG(sig) (sig)

static char *ARGV[] = {"python3", "app.py", NULL};
static struct aw_options O;
static struct aw_core *C;
static struct aw_actions A;

static void opts_default(void)
{
    memset(&O, 0, sizeof O);
    O.mode = AW_MODE_RUN;
    O.format = AW_FMT_TEXT;
    aw_extset_default(&O.exts);
    O.debounce_ms = 20;
    O.signal = 0;
    O.stop_signal = SIGTERM;
    O.stop_timeout_ms = 5000;
    O.restart_code = -1;
    O.verbosity = 0;
    O.argv = ARGV;
    O.argc = 2;
}

static void mk(void)
{
    C = core_new(&O, "/proj");
    ck_assert_ptr_nonnull(C);
}

static void setup(void)
{
    opts_default();
    C = NULL;
    memset(&A, 0, sizeof A);
}

static void teardown(void)
{
    core_free(C);
    C = NULL;
}

/* A regular file as stat shows it: written at mtime, ctime with it. */
static struct aw_stat ST(uint64_t ino, int64_t mtime)
{
    struct aw_stat s = {.exists = 1, .is_reg = 1, .xok = 1};
    s.id = (struct aw_ident){.dev = 7, .ino = ino, .mtime_ns = mtime, .size = 100,
                             .ctime_ns = mtime, .mode = 0100755, .nlink = 1, .uid = 1000, .gid = 1000};
    return s;
}

static const struct aw_stat NOST = {.exists = 0};

static void step(struct aw_event *e)
{
    core_step(C, e, &A);
    ck_assert_uint_eq(A.dropped, 0);
}

static void begin(int64_t now)
{
    struct aw_event e = {.type = AW_EV_BEGIN, .now = now};
    step(&e);
}

static void record_id(int64_t now, unsigned kind, const char *path, struct aw_ident id,
                      struct aw_stat cur)
{
    struct aw_event e = {.type = AW_EV_RECORD, .now = now, .cur = cur};
    e.rec.kind = kind;
    e.rec.pid = 42;
    e.rec.ident = id;
    e.rec.path = path;
    e.rec.len = strlen(path);
    step(&e);
}

/* the program saw what the supervisor sees (or nothing known for write/missing/listed) */
static void record(int64_t now, unsigned kind, const char *path, struct aw_stat cur)
{
    struct aw_ident none = {.dev = 0};
    int dep = aw_kind_is_dependency(kind) && cur.exists;
    record_id(now, kind, path, dep ? cur.id : none, cur);
}

static void drained(int64_t now)
{
    struct aw_event e = {.type = AW_EV_DRAINED, .now = now};
    step(&e);
}

static void fs(int64_t now, const char *path, struct aw_stat cur)
{
    struct aw_event e = {.type = AW_EV_FS, .now = now, .path = path, .len = strlen(path), .cur = cur};
    step(&e);
}

/* inotify's IN_ATTRIB alone: attributes changed, nothing written */
static void fs_attr(int64_t now, const char *path, struct aw_stat cur)
{
    struct aw_event e = {.type = AW_EV_FS, .now = now, .path = path, .len = strlen(path), .cur = cur,
                         .attr_only = 1};
    step(&e);
}

/* inotify: written by a writer still holding it (1), or closed (-1) */
static void fs_w(int64_t now, const char *path, struct aw_stat cur, int writing)
{
    struct aw_event e = {.type = AW_EV_FS, .now = now, .path = path, .len = strlen(path), .cur = cur,
                         .writing = writing};
    step(&e);
}

static void child_exit(int64_t now, int status)
{
    struct aw_event e = {.type = AW_EV_CHILD_EXIT, .now = now, .status = status};
    step(&e);
}

static void gone(int64_t now)
{
    struct aw_event e = {.type = AW_EV_GROUP_GONE, .now = now};
    step(&e);
}

static void timer(int64_t now)
{
    struct aw_event e = {.type = AW_EV_TIMER, .now = now};
    step(&e);
}

static void quit(int64_t now, int sig)
{
    struct aw_event e = {.type = AW_EV_QUIT, .now = now, .sig = sig};
    step(&e);
}

static void manual(int64_t now, int sig)
{
    struct aw_event e = {.type = AW_EV_RESTART, .now = now, .sig = sig};
    step(&e);
}

static void start_failed(int64_t now, int err)
{
    struct aw_event e = {.type = AW_EV_START_FAILED, .now = now, .err = err};
    step(&e);
}

static unsigned count(enum aw_action_type t)
{
    unsigned n = 0;
    for (unsigned i = 0; i < A.n; i++)
        n += A.a[i].type == t;
    return n;
}

static const struct aw_action *nth(enum aw_action_type t, unsigned k)
{
    for (unsigned i = 0; i < A.n; i++)
        if (A.a[i].type == t && k-- == 0)
            return &A.a[i];
    return NULL;
}

static int said(const char *text)
{
    for (unsigned i = 0; i < A.n; i++)
        if (A.a[i].type == AW_ACT_SAY && strcmp(A.a[i].text, text) == 0)
            return 1;
    return 0;
}

static void assert_said(const char *text)
{
    if (!said(text)) {
        for (unsigned i = 0; i < A.n; i++)
            if (A.a[i].type == AW_ACT_SAY)
                fprintf(stderr, "  said: %s\n", A.a[i].text);
        ck_abort_msg("expected status line '%s'", text);
    }
}

static void assert_nothing(void)
{
    ck_assert_msg(A.n == 0, "expected no action, got %u (first type %d)", A.n,
                  A.n ? (int)A.a[0].type : -1);
}

static void assert_start(unsigned gen)
{
    ck_assert_uint_eq(count(AW_ACT_START), 1);
    ck_assert_uint_eq(nth(AW_ACT_START, 0)->gen, gen);
    ck_assert_uint_eq(core_generation(C), gen);
}

static void assert_signal(int sig)
{
    ck_assert_uint_eq(count(AW_ACT_SIGNAL), 1);
    ck_assert_int_eq(nth(AW_ACT_SIGNAL, 0)->sig, sig);
}

#define APP "/proj/app.py"
#define LIB "/proj/lib/util.py"

/* BEGIN, gen 1 reads app.py (ino 10, mtime 1000). */
static void running(void)
{
    mk();
    begin(0);
    record(1, AW_KIND_READ, APP, ST(10, 1000));
    drained(1);
}

/* ---- start ---- */

START_TEST(test_begin_starts_gen1)
{
    mk();
    begin(0);
    assert_start(1);
    assert_said("starting generation 1: python3 app.py");
    ck_assert_uint_eq(count(AW_ACT_CLEAR), 0);
    ck_assert_int_eq(A.deadline, -1);
    ck_assert_int_eq(core_group_alive(C), 1);
}
END_TEST

START_TEST(test_begin_clear_first)
{
    O.clear = 1;
    mk();
    begin(0);
    ck_assert_uint_eq(count(AW_ACT_CLEAR), 1);
    ck_assert_int_eq(A.a[0].type, AW_ACT_CLEAR);
    assert_start(1);
}
END_TEST

START_TEST(test_record_watches_dir_once)
{
    mk();
    begin(0);
    record(1, AW_KIND_READ, APP, ST(10, 1000));
    ck_assert_uint_eq(count(AW_ACT_WATCH), 1);
    ck_assert_str_eq(nth(AW_ACT_WATCH, 0)->path, "/proj");
    record(2, AW_KIND_STAT, "/proj/conf.toml", ST(11, 1000));
    ck_assert_uint_eq(count(AW_ACT_WATCH), 0);
    record(3, AW_KIND_MISSING, "/proj/missing/x.py", NOST);
    ck_assert_uint_eq(count(AW_ACT_WATCH), 1);
    ck_assert_str_eq(nth(AW_ACT_WATCH, 0)->path, "/proj/missing");
    record(4, AW_KIND_READ, "/top.py", ST(12, 1));
    ck_assert_str_eq(nth(AW_ACT_WATCH, 0)->path, "/");
    record(5, AW_KIND_LISTED, "/proj/plugins", NOST);
    ck_assert_str_eq(nth(AW_ACT_WATCH, 0)->path, "/proj/plugins");
    /* files: app.py, conf.toml, /top.py; not the failed lookup, not the directory */
    ck_assert_uint_eq(core_tracked_count(C), 3);
}
END_TEST

/* The loop stat-ed a record's path before the watch on its directory
 * existed: a save in between leaves inotify nothing to report. The core asks
 * for a second look once the watch is in place, and only for the record
 * that brought the watch. */
START_TEST(test_new_watch_confirms_record)
{
    mk();
    begin(0);
    record(1, AW_KIND_READ, APP, ST(10, 1000));
    ck_assert_uint_eq(count(AW_ACT_WATCH), 1);
    ck_assert_ptr_nonnull(nth(AW_ACT_WATCH, 0)->confirm);
    ck_assert_str_eq(nth(AW_ACT_WATCH, 0)->confirm, APP);
    record(2, AW_KIND_READ, "/proj/conf.py", ST(11, 1000));
    ck_assert_uint_eq(count(AW_ACT_WATCH), 0); /* watched already: inotify sees the rest */
    record(3, AW_KIND_MISSING, "/proj/opt/x.py", NOST);
    ck_assert_str_eq(nth(AW_ACT_WATCH, 0)->confirm, "/proj/opt/x.py");
    record(4, AW_KIND_LISTED, "/proj/plugins", NOST);
    ck_assert_ptr_null(nth(AW_ACT_WATCH, 0)->confirm); /* a listing has no state to compare */
}
END_TEST

/* A listing's record says when it happened: the core asks the loop, once
 * the batch is in, for the entries made since (made before the watch, or
 * reported by inotify before the record was read), once per directory,
 * not without a time, not in --list. */
START_TEST(test_listing_asks_for_entries_made_since)
{
    mk();
    begin(0);
    struct aw_ident when = {.mtime_ns = 1700000000123456789LL};
    record_id(1, AW_KIND_LISTED, "/proj/plugins", when, NOST);
    ck_assert_uint_eq(count(AW_ACT_SCAN), 1);
    ck_assert_str_eq(nth(AW_ACT_SCAN, 0)->path, "/proj/plugins");
    ck_assert_int_eq(nth(AW_ACT_SCAN, 0)->since, when.mtime_ns);
    record_id(2, AW_KIND_LISTED, "/proj/plugins", when, NOST);
    ck_assert_uint_eq(count(AW_ACT_SCAN), 0); /* listed again: the watch sees the rest */
    record(3, AW_KIND_LISTED, "/proj/other", NOST);
    ck_assert_uint_eq(count(AW_ACT_SCAN), 0); /* an older shim: no time */
    ck_assert_uint_eq(count(AW_ACT_WATCH), 1);
}
END_TEST

START_TEST(test_listing_scan_not_in_list_mode)
{
    opts_default();
    O.mode = AW_MODE_LIST;
    mk();
    begin(0);
    struct aw_ident when = {.mtime_ns = 5};
    record_id(1, AW_KIND_LISTED, "/proj/plugins", when, NOST);
    ck_assert_uint_eq(count(AW_ACT_SCAN), 0);
}
END_TEST

static void fs_confirm(int64_t now, const char *path, struct aw_stat cur)
{
    struct aw_event e = {.type = AW_EV_FS, .now = now, .path = path, .len = strlen(path), .cur = cur,
                         .confirm = 1};
    step(&e);
}

START_TEST(test_confirm_unchanged_is_silent)
{
    running();
    fs_confirm(2, APP, ST(10, 1000));
    assert_nothing();
    ck_assert_int_eq(A.deadline, -1);
}
END_TEST

START_TEST(test_confirm_sees_save_before_watch)
{
    running();
    fs_confirm(2, APP, ST(10, 2000));
    assert_signal(SIGTERM);
    gone(3);
    timer(A.deadline);
    assert_start(2);
    assert_said("app.py changed, restarting");
}
END_TEST

START_TEST(test_confirm_sees_creation_before_watch)
{
    running();
    record(2, AW_KIND_MISSING, "/proj/opt/x.py", NOST);
    drained(2);
    fs_confirm(3, "/proj/opt/x.py", ST(12, 3000));
    assert_signal(SIGTERM);
    gone(4);
    timer(A.deadline);
    assert_start(2);
    assert_said("opt/x.py created, restarting");
}
END_TEST

START_TEST(test_verbose_tracking)
{
    O.verbosity = 1;
    mk();
    begin(0);
    record(1, AW_KIND_READ, APP, ST(10, 1000));
    assert_said("tracking app.py (read)");
    ck_assert_int_eq(nth(AW_ACT_SAY, 0)->level, AW_SAY_VERBOSE);
    record(2, AW_KIND_STAT, APP, ST(10, 1000));
    ck_assert_uint_eq(count(AW_ACT_SAY), 0);
    record(3, AW_KIND_READ, "/elsewhere/m.py", ST(11, 1000));
    assert_said("tracking /elsewhere/m.py (read)");
}
END_TEST

/* ---- change while running ---- */

START_TEST(test_change_stops_then_starts)
{
    running();
    fs(100, APP, ST(10, 2000));
    assert_signal(SIGTERM);
    ck_assert_uint_eq(count(AW_ACT_START), 0);
    ck_assert_int_eq(A.deadline, 100 + 5000);
    child_exit(101, WSIG(SIGTERM));
    ck_assert_uint_eq(count(AW_ACT_SAY), 0); /* we asked for it */
    ck_assert_uint_eq(count(AW_ACT_START), 0);
    gone(102);
    ck_assert_uint_eq(count(AW_ACT_START), 0);
    ck_assert_int_eq(A.deadline, 120);
    timer(119);
    ck_assert_uint_eq(count(AW_ACT_START), 0);
    timer(120);
    assert_start(2);
    assert_said("app.py changed, restarting");
    assert_said("starting generation 2: python3 app.py");
    ck_assert_int_eq(A.deadline, -1);
    /* gen 2 reads what we confirmed: nothing to do */
    record(130, AW_KIND_READ, APP, ST(10, 2000));
    drained(130);
    assert_nothing();
    ck_assert_int_eq(A.deadline, -1);
}
END_TEST

START_TEST(test_change_while_stopping_extends_debounce)
{
    running();
    record(2, AW_KIND_READ, LIB, ST(20, 1000));
    fs(100, APP, ST(10, 2000));
    assert_signal(SIGTERM);
    fs(110, LIB, ST(20, 2000));
    ck_assert_uint_eq(count(AW_ACT_SIGNAL), 0);
    fs(115, APP, ST(10, 3000));
    ck_assert_uint_eq(count(AW_ACT_SIGNAL), 0);
    child_exit(116, WEXIT(0));
    gone(117);
    ck_assert_uint_eq(count(AW_ACT_START), 0);
    ck_assert_int_eq(A.deadline, 135);
    timer(134);
    ck_assert_uint_eq(count(AW_ACT_START), 0);
    fs(134, LIB, ST(20, 3000));
    ck_assert_int_eq(A.deadline, 154);
    timer(154);
    assert_start(2);
    assert_said("app.py and 1 more changed, restarting");
}
END_TEST

/* A checkout, formatter or build writing many files: its writer may pause
 * longer than the debounce between two of them on a loaded machine. From
 * AW_BURST_FILES distinct files on, the quiet window is AW_BURST_QUIET_MS. */
static void burst(unsigned nfiles)
{
    running();
    char p[64];
    for (unsigned i = 0; i < nfiles; i++) {
        snprintf(p, sizeof p, "/proj/m%u.py", i);
        record(2, AW_KIND_READ, p, ST(100 + i, 1000));
    }
    drained(3);
    for (unsigned i = 0; i < nfiles; i++) {
        snprintf(p, sizeof p, "/proj/m%u.py", i);
        fs(100 + i, p, ST(100 + i, 2000));
    }
    gone(100 + nfiles);
}

START_TEST(test_burst_waits_longer)
{
    O.debounce_ms = -1; /* the default, 50 */
    burst(AW_BURST_FILES);
    int64_t last = 100 + AW_BURST_FILES - 1;
    ck_assert_int_eq(A.deadline, last + AW_BURST_QUIET_MS);
    timer(last + AW_DEFAULT_DEBOUNCE_MS);
    ck_assert_uint_eq(count(AW_ACT_START), 0);
    timer(last + AW_BURST_QUIET_MS);
    assert_start(2);
}
END_TEST

START_TEST(test_small_batch_and_given_debounce_keep_short_window)
{
    O.debounce_ms = -1;
    burst(AW_BURST_FILES - 1);
    int64_t last = 100 + AW_BURST_FILES - 2;
    ck_assert_int_eq(A.deadline, last + AW_DEFAULT_DEBOUNCE_MS);
    teardown();
    setup();
    O.debounce_ms = 20;
    O.debounce_given = 1; /* -d 20: the user's window, whatever the batch */
    burst(AW_BURST_FILES * 2);
    last = 100 + AW_BURST_FILES * 2 - 1;
    ck_assert_int_eq(A.deadline, last + 20);
}
END_TEST

/* A linker or a stalled copy writes part of the file, pauses longer than
 * the debounce, then writes the rest: one restart, after its close. */
START_TEST(test_open_writer_holds_start_until_close)
{
    O.debounce_ms = -1;
    running();
    fs_w(100, APP, ST(10, 2000), 1);
    gone(101);
    ck_assert_int_eq(A.deadline, 100 + AW_WRITER_HOLD_MS);
    timer(100 + AW_DEFAULT_DEBOUNCE_MS + 200);
    ck_assert_uint_eq(count(AW_ACT_START), 0);
    fs_w(400, APP, ST(10, 3000), 1);
    timer(400 + AW_DEFAULT_DEBOUNCE_MS);
    ck_assert_uint_eq(count(AW_ACT_START), 0);
    fs_w(500, APP, ST(10, 3000), -1); /* closed: the bytes did not move since */
    ck_assert_int_eq(A.deadline, 400 + AW_SETTLED_QUIET_MS);
    timer(500);
    assert_start(2);
    /* the next save, by a writer that closes at once, gets the short window */
    fs_w(1000, APP, ST(10, 4000), 1);
    fs_w(1000, APP, ST(10, 4000), -1);
    gone(1001);
    ck_assert_int_eq(A.deadline, 1000 + AW_SETTLED_QUIET_MS);
}
END_TEST

/* A writer that never closes (or a close inotify lost) delays a restart by
 * AW_WRITER_HOLD_MS at most, and does not slow the batches after it. */
START_TEST(test_writer_that_never_closes_is_waited_for_boundedly)
{
    O.debounce_ms = -1;
    running();
    fs_w(100, APP, ST(10, 2000), 1);
    gone(101);
    timer(100 + AW_WRITER_HOLD_MS - 1);
    ck_assert_uint_eq(count(AW_ACT_START), 0);
    timer(100 + AW_WRITER_HOLD_MS);
    assert_start(2);
    fs(5000, APP, ST(10, 5000));
    gone(5001);
    ck_assert_int_eq(A.deadline, 5000 + AW_DEFAULT_DEBOUNCE_MS);
}
END_TEST

static int said_part(const char *part)
{
    for (unsigned i = 0; i < A.n; i++)
        if (A.a[i].type == AW_ACT_SAY && strstr(A.a[i].text, part))
            return 1;
    return 0;
}

/* Once inotify says the newest change landed whole (closed by its writer,
 * or renamed into place) the window is AW_SETTLED_QUIET_MS: an editor's
 * save restarts within milliseconds. What may be half a save keeps the
 * debounce: a write still open, a deletion (vim renames the file away
 * first), a poll; a chmod after the close changes nothing of it; -d is
 * the user's window whatever inotify says. */
START_TEST(test_landed_save_gets_the_short_window)
{
    O.debounce_ms = -1;
    running();
    fs_w(100, APP, ST(10, 2000), 1);
    fs_w(101, APP, ST(10, 2000), -1);
    fs_attr(102, APP, ST(10, 2000));
    gone(103);
    ck_assert_int_eq(A.deadline, 100 + AW_SETTLED_QUIET_MS);
    timer(100 + AW_SETTLED_QUIET_MS);
    assert_start(2);
    /* vim: the file renamed away (deleted), then written anew and closed */
    fs(1000, APP, (struct aw_stat){0});
    gone(1001);
    ck_assert_int_eq(A.deadline, 1000 + AW_DEFAULT_DEBOUNCE_MS);
    fs_w(1010, APP, ST(11, 3000), 1);
    fs_w(1011, APP, ST(11, 3000), -1);
    ck_assert_int_eq(A.deadline, 1010 + AW_SETTLED_QUIET_MS);
    timer(1015);
    assert_start(3);
    /* a second file in the batch: a tool writing several, the debounce */
    record(1016, AW_KIND_READ, "/proj/b.py", ST(20, 1000));
    drained(1016);
    fs_w(2000, APP, ST(11, 3500), -1);
    fs_w(2001, "/proj/b.py", ST(20, 1500), -1);
    gone(2002);
    ck_assert_int_eq(A.deadline, 2001 + AW_DEFAULT_DEBOUNCE_MS);
    timer(2001 + AW_DEFAULT_DEBOUNCE_MS);
    assert_start(4);
    /* the rest of that tool's work, one file, close behind: not a save */
    fs_w(2100, "/proj/b.py", ST(20, 1600), -1);
    gone(2101);
    ck_assert_int_eq(A.deadline, 2100 + AW_DEFAULT_DEBOUNCE_MS);
    timer(2150);
    assert_start(5);
    /* a poll (no word on writers) keeps the debounce */
    fs(3000, APP, ST(11, 4000));
    gone(3001);
    ck_assert_int_eq(A.deadline, 3000 + AW_DEFAULT_DEBOUNCE_MS);
    timer(3050);
    assert_start(6);
    /* a save landed while the CPUs are contended: its writer may be a tool
     * that stalls between files, the debounce */
    struct aw_event e = {.type = AW_EV_FS, .now = 4000, .path = APP, .len = strlen(APP),
                         .cur = ST(11, 5000), .writing = -1, .contended = 1};
    step(&e);
    gone(4001);
    ck_assert_int_eq(A.deadline, 4000 + AW_DEFAULT_DEBOUNCE_MS);
    teardown();
    setup();
    O.debounce_ms = 20;
    O.debounce_given = 1;
    running();
    fs_w(100, APP, ST(10, 2000), -1);
    gone(101);
    ck_assert_int_eq(A.deadline, 120);
}
END_TEST

static void lost(int64_t now, int total)
{
    struct aw_event e = {.type = AW_EV_LOST, .now = now, .status = total};
    step(&e);
}

/* Records the shim could not deliver: said once per new loss, nothing else
 * happens (no restart: what is lost is unknown). */
START_TEST(test_lost_records_are_said_once_per_loss)
{
    running();
    lost(10, 3);
    assert_said("3 records could not be delivered in time (autowrap stalled or overloaded): "
                "what is watched may be incomplete; press Enter or send SIGHUP to restart and "
                "record again");
    ck_assert_uint_eq(count(AW_ACT_START), 0);
    ck_assert_uint_eq(count(AW_ACT_SIGNAL), 0);
    lost(20, 3);
    assert_nothing();
    lost(30, 4);
    ck_assert(said_part("1 record could not be delivered in time ("));
    teardown();
    setup();
    O.mode = AW_MODE_LIST;
    mk();
    begin(0);
    lost(5, 2);
    ck_assert(said_part("2 records could not be delivered in time"));
    ck_assert(said_part("this list may be incomplete; run it again"));
}
END_TEST

START_TEST(test_group_gone_after_quiet_starts_at_once)
{
    running();
    fs(100, APP, ST(10, 2000));
    child_exit(200, WSIG(SIGTERM));
    gone(200);
    assert_start(2);
}
END_TEST

START_TEST(test_child_exits_during_debounce)
{
    running();
    fs(100, APP, ST(10, 2000));
    child_exit(105, WEXIT(1)); /* dies of the stop: no exit line */
    ck_assert_uint_eq(count(AW_ACT_SAY), 0);
    gone(106);
    ck_assert_uint_eq(count(AW_ACT_START), 0);
    timer(120);
    assert_start(2);
    ck_assert_uint_eq(count(AW_ACT_SIGNAL), 0);
}
END_TEST

START_TEST(test_second_change_before_restart_finished)
{
    running();
    fs(100, APP, ST(10, 2000));
    gone(150);
    assert_start(2);
    /* gen 2 running; a second change arrives before gen 2 read anything */
    fs(151, APP, ST(10, 3000));
    assert_signal(SIGTERM);
    child_exit(152, WSIG(SIGTERM));
    gone(153);
    ck_assert_uint_eq(count(AW_ACT_START), 0);
    fs(160, APP, ST(10, 3000)); /* same identity again: nothing */
    assert_nothing();
    timer(171);
    assert_start(3);
    timer(500);
    ck_assert_uint_eq(count(AW_ACT_START), 0);
}
END_TEST

START_TEST(test_burst_one_restart)
{
    mk();
    begin(0);
    char p[64];
    for (int i = 0; i < 200; i++) {
        snprintf(p, sizeof p, "/proj/m%d.py", i);
        record(1, AW_KIND_READ, p, ST(100 + i, 1));
    }
    drained(1);
    unsigned sigs = 0, starts = 0;
    for (int i = 0; i < 200; i++) {
        snprintf(p, sizeof p, "/proj/m%d.py", i);
        fs(1000 + i / 50, p, ST(100 + i, 2));
        sigs += count(AW_ACT_SIGNAL);
        starts += count(AW_ACT_START);
        if (i == 10) {
            child_exit(1000, WSIG(SIGTERM));
            gone(1000);
            starts += count(AW_ACT_START);
        }
    }
    ck_assert_uint_eq(sigs, 1);
    ck_assert_uint_eq(starts, 0);
    ck_assert_int_eq(A.deadline, 1003 + AW_BURST_QUIET_MS); /* a burst: the longer window */
    timer(1003 + AW_BURST_QUIET_MS);
    assert_start(2);
    assert_said("m0.py and 199 more changed, restarting");
}
END_TEST

/* ---- exits on its own ---- */

START_TEST(test_crash_then_change)
{
    running();
    record(2, AW_KIND_READ, LIB, ST(20, 1000));
    child_exit(50, WEXIT(1));
    assert_said("generation 1 exited with status 1; watching 2 files");
    ck_assert_uint_eq(count(AW_ACT_START), 0);
    gone(50);
    assert_nothing();
    ck_assert_int_eq(A.deadline, -1);
    fs(1000, LIB, ST(20, 2000));
    ck_assert_uint_eq(count(AW_ACT_SIGNAL), 0);
    ck_assert_uint_eq(count(AW_ACT_START), 0);
    ck_assert_int_eq(A.deadline, 1020);
    timer(1020);
    assert_start(2);
    assert_said("lib/util.py changed, restarting");
}
END_TEST

START_TEST(test_killed_by_signal_line)
{
    running();
    child_exit(50, WSIG(SIGSEGV));
    assert_said("generation 1 killed by SIGSEGV; watching 1 files");
}
END_TEST

START_TEST(test_stragglers_stopped_on_change)
{
    running();
    child_exit(50, WEXIT(0));
    ck_assert_int_eq(core_group_alive(C), 1);
    fs(100, APP, ST(10, 2000));
    assert_signal(SIGTERM);
    gone(101);
    timer(120);
    assert_start(2);
}
END_TEST

START_TEST(test_debounce_zero_starts_in_same_step)
{
    O.debounce_ms = 0;
    running();
    child_exit(50, WEXIT(0));
    gone(50);
    fs(100, APP, ST(10, 2000));
    assert_start(2);
    ck_assert_int_eq(A.deadline, -1);
}
END_TEST

/* ---- restart code ---- */

START_TEST(test_restart_code)
{
    O.restart_code = 3;
    running();
    child_exit(50, WEXIT(3));
    assert_said("generation 1 exited with status 3 (restart code), restarting");
    assert_signal(SIGTERM); /* the rest of the group */
    ck_assert_uint_eq(count(AW_ACT_START), 0);
    gone(51);
    assert_start(2); /* no debounce */
}
END_TEST

START_TEST(test_restart_code_other_status)
{
    O.restart_code = 3;
    running();
    child_exit(50, WEXIT(4));
    assert_said("generation 1 exited with status 4; watching 1 files");
    gone(51);
    assert_nothing();
}
END_TEST

/* ---- signal mode ---- */

START_TEST(test_signal_mode)
{
    O.signal = SIGHUP;
    running();
    fs(100, APP, ST(10, 2000));
    ck_assert_uint_eq(count(AW_ACT_SIGNAL), 0);
    ck_assert_int_eq(A.deadline, 120);
    fs(110, APP, ST(10, 3000));
    ck_assert_uint_eq(count(AW_ACT_SIGNAL), 0);
    ck_assert_int_eq(A.deadline, 130);
    timer(130);
    assert_signal(SIGHUP);
    assert_said("app.py changed, sending SIGHUP");
    ck_assert_uint_eq(count(AW_ACT_START), 0);
    ck_assert_int_eq(A.deadline, -1);
    ck_assert_uint_eq(core_generation(C), 1);
}
END_TEST

START_TEST(test_signal_mode_nothing_running_starts)
{
    O.signal = SIGHUP;
    running();
    child_exit(50, WEXIT(0));
    gone(50);
    fs(100, APP, ST(10, 2000));
    timer(120);
    ck_assert_uint_eq(count(AW_ACT_SIGNAL), 0);
    assert_start(2);
}
END_TEST

START_TEST(test_signal_mode_child_dies_during_debounce)
{
    O.signal = SIGHUP;
    running();
    fs(100, APP, ST(10, 2000));
    child_exit(105, WEXIT(0));
    gone(106);
    timer(120);
    ck_assert_uint_eq(count(AW_ACT_SIGNAL), 0);
    assert_start(2);
}
END_TEST

/* ---- written files ---- */

START_TEST(test_written_after_read_never_triggers)
{
    running();
    record(2, AW_KIND_READ, "/proj/db.json", ST(30, 1));
    record(3, AW_KIND_WRITE, "/proj/db.json", ST(30, 1));
    drained(3);
    fs(100, "/proj/db.json", ST(30, 2));
    assert_nothing();
    ck_assert_int_eq(A.deadline, -1);
    ck_assert_int_eq(core_wants_path(C, "/proj/db.json", 13), 0);
    ck_assert_uint_eq(core_tracked_count(C), 1);
}
END_TEST

START_TEST(test_written_before_read_never_triggers)
{
    running();
    record(2, AW_KIND_WRITE, "/proj/db.json", NOST);
    record(3, AW_KIND_READ, "/proj/db.json", ST(30, 1));
    drained(3);
    fs(100, "/proj/db.json", ST(30, 2));
    assert_nothing();
    /* a later generation reading it changes nothing */
    record(200, AW_KIND_READ, "/proj/db.json", ST(30, 2));
    fs(300, "/proj/db.json", NOST);
    assert_nothing();
}
END_TEST

START_TEST(test_same_identity_no_action)
{
    running();
    fs(100, APP, ST(10, 1000));
    assert_nothing();
    ck_assert_int_eq(A.deadline, -1);
    fs(100, "/proj/other.py", ST(99, 1)); /* untracked, not in a listed dir */
    assert_nothing();
}
END_TEST

/* cp -p / touch -r: the bytes changed and the mtime was put back; only
 * ctime shows it. */
START_TEST(test_ctime_alone_is_a_change)
{
    running();
    struct aw_stat st = ST(10, 1000);
    st.id.ctime_ns = 5000;
    fs(100, APP, st);
    assert_signal(SIGTERM);
    gone(101);
    timer(120);
    assert_said("app.py changed, restarting");
}
END_TEST

/* chmod, chown and a new hard link move ctime but change no byte, when
 * inotify says nothing was written; the moved ctime becomes the baseline,
 * so a later mtime-restoring write is still seen. */
static struct aw_stat meta_moved(int what, int64_t ctime)
{
    struct aw_stat st = ST(10, 1000);
    st.id.ctime_ns = ctime;
    if (what == 0)
        st.id.mode = 0100600;
    else if (what == 1)
        st.id.uid = 0;
    else if (what == 2)
        st.id.gid = 0;
    else if (what == 3)
        st.id.nlink = 2;
    return st;
}

START_TEST(test_metadata_change_is_not_a_change)
{
    running();
    int64_t t = 1000;
    for (int what = 0; what < 4; what++) {
        fs_attr(100 + what, APP, meta_moved(what, t += 1000));
        assert_nothing();
        ck_assert_int_eq(A.deadline, -1);
        fs_attr(100 + what, APP, meta_moved(-1, t += 1000)); /* and back */
        assert_nothing();
    }
    fs(200, APP, meta_moved(-1, t += 1000)); /* cp -p of the same mode and owner */
    assert_signal(SIGTERM);
}
END_TEST

/* A chmod between the look at a record's path and the second look once the
 * watch exists: judged with the batch's inotify events, as a record's look
 * is. The attribute event says nothing was written; without it, a change. */
START_TEST(test_confirm_metadata_only_waits_for_events)
{
    running();
    fs_confirm(2, APP, meta_moved(0, 5000));
    assert_nothing();
    fs_attr(2, APP, meta_moved(0, 5000));
    drained(2);
    assert_nothing();
    ck_assert_int_eq(A.deadline, -1);
}
END_TEST

START_TEST(test_confirm_metadata_only_without_event_counts)
{
    running();
    fs_confirm(2, APP, meta_moved(0, 5000));
    assert_nothing();
    drained(2);
    assert_signal(SIGTERM);
}
END_TEST

/* cp -p copies mode and owner with the bytes: without inotify's word that
 * nothing was written (polling), a ctime that moved with the mode counts. */
START_TEST(test_metadata_change_unknown_counts)
{
    running();
    fs(100, APP, meta_moved(0, 5000));
    assert_signal(SIGTERM);
    gone(101);
    timer(120);
    assert_said("app.py changed, restarting");
}
END_TEST

/* The program's own view counts the same way: a ctime that moved between
 * its read and our look is a change. */
START_TEST(test_suspect_ctime)
{
    mk();
    begin(0);
    struct aw_ident saw = ST(10, 1000).id;
    record_id(1, AW_KIND_READ, APP, saw, ST(10, 1000));
    drained(2);
    assert_nothing();
    record_id(3, AW_KIND_READ, "/proj/lib.py", saw, meta_moved(-1, 3000));
    drained(4);
    assert_signal(SIGTERM);
}
END_TEST

/* A chmod, chown or hard link made between the program's read and our look
 * (a tool run the moment the program is up): the directory was watched, so
 * inotify has the attribute event queued, and the loop reads it before the
 * batch is judged. Only attribute events, and only mode, owner or links
 * moved with ctime: metadata, no restart. */
START_TEST(test_suspect_metadata_explained_by_inotify)
{
    mk();
    begin(0);
    struct aw_ident saw = ST(10, 1000).id;
    for (int what = 0; what < 4; what++) {
        record_id(1, AW_KIND_READ, APP, saw, meta_moved(what, 3000 + what));
        fs_attr(2, APP, meta_moved(what, 3000 + what));
        drained(2);
        assert_nothing();
        saw = meta_moved(what, 3000 + what).id; /* the next reader's view */
    }
}
END_TEST

/* ... but a write among the events, or no event at all (the watch came
 * later, or polling), leaves it a change: cp -p writes the bytes too. */
START_TEST(test_suspect_metadata_with_write_counts)
{
    mk();
    begin(0);
    struct aw_ident saw = ST(10, 1000).id;
    record_id(1, AW_KIND_READ, APP, saw, meta_moved(0, 3000));
    fs(2, APP, meta_moved(0, 3000));
    fs_attr(2, APP, meta_moved(0, 3000));
    drained(2);
    assert_signal(SIGTERM);
}
END_TEST

START_TEST(test_suspect_metadata_without_event_counts)
{
    mk();
    begin(0);
    struct aw_ident saw = ST(10, 1000).id;
    record_id(1, AW_KIND_READ, APP, saw, meta_moved(0, 3000));
    drained(2);
    assert_signal(SIGTERM);
}
END_TEST

/* the bytes differ too: no attribute event explains that */
START_TEST(test_suspect_content_not_explained_by_attr)
{
    mk();
    begin(0);
    struct aw_ident saw = ST(10, 1000).id;
    struct aw_stat now = meta_moved(0, 3000);
    now.id.size = 101;
    record_id(1, AW_KIND_READ, APP, saw, now);
    fs_attr(2, APP, now);
    drained(2);
    assert_signal(SIGTERM);
}
END_TEST

START_TEST(test_deleted_and_recreated)
{
    running();
    fs(100, APP, NOST);
    assert_signal(SIGTERM);
    gone(101);
    timer(120);
    assert_said("app.py deleted, restarting");
}
END_TEST

START_TEST(test_vim_style_save_says_changed)
{
    running();
    fs(100, APP, NOST);        /* renamed to app.py~ */
    fs(101, APP, ST(11, 2000)); /* written anew */
    ck_assert_uint_eq(count(AW_ACT_SIGNAL), 0);
    gone(102);
    timer(121);
    assert_said("app.py changed, restarting");
}
END_TEST

START_TEST(test_created_then_modified_says_created)
{
    running();
    record(2, AW_KIND_MISSING, "/proj/late.py", NOST);
    drained(2);
    fs(100, "/proj/late.py", ST(60, 1));
    fs(101, "/proj/late.py", ST(60, 2));
    gone(102);
    timer(121);
    assert_said("late.py created, restarting");
}
END_TEST

static void record_real(int64_t now, unsigned kind, const char *path, const char *real,
                        struct aw_stat cur)
{
    struct aw_event e = {.type = AW_EV_RECORD, .now = now, .cur = cur};
    e.rec.kind = kind;
    e.rec.pid = 42;
    e.rec.ident = cur.id;
    e.rec.path = path;
    e.rec.len = strlen(path);
    e.real = real;
    e.real_len = strlen(real);
    step(&e);
}

START_TEST(test_symlink_target_watched)
{
    mk();
    begin(0);
    record_real(1, AW_KIND_READ, "/proj/conf.json", "/proj/real/conf.json", ST(10, 1));
    ck_assert_uint_eq(count(AW_ACT_WATCH), 2);
    ck_assert_str_eq(nth(AW_ACT_WATCH, 0)->path, "/proj");
    ck_assert_str_eq(nth(AW_ACT_WATCH, 1)->path, "/proj/real");
    drained(1);
    ck_assert_int_eq(core_wants_path(C, "/proj/real/conf.json", 20), 1);
    ck_assert_uint_eq(core_tracked_count(C), 1);
    fs(50, "/proj/real/conf.json", ST(10, 1)); /* same identity */
    assert_nothing();
    fs(100, "/proj/real/conf.json", ST(10, 2));
    assert_signal(SIGTERM);
    fs(101, "/proj/conf.json", ST(10, 2)); /* the same change seen by name */
    ck_assert_uint_eq(count(AW_ACT_SIGNAL), 0);
    gone(102);
    timer(121);
    assert_said("conf.json changed, restarting"); /* the name the program used */
    /* same path: no alias */
    record_real(200, AW_KIND_READ, "/proj/a.py", "/proj/a.py", ST(11, 1));
    ck_assert_uint_eq(count(AW_ACT_WATCH), 0);
}
END_TEST

START_TEST(test_symlink_written_target)
{
    mk();
    begin(0);
    record_real(1, AW_KIND_READ, "/proj/state.json", "/data/state.json", ST(10, 1));
    record(1, AW_KIND_WRITE, "/proj/state.json", NOST);
    drained(1);
    fs(100, "/data/state.json", ST(10, 2));
    assert_nothing();
}
END_TEST

/* ---- listed directories ---- */

START_TEST(test_new_file_in_listed_dir)
{
    running();
    record(2, AW_KIND_LISTED, "/proj/plugins", NOST);
    record(2, AW_KIND_STAT, "/proj/plugins/old.py", ST(39, 1)); /* a .py looked up there */
    drained(2);
    ck_assert_int_eq(core_wants_path(C, "/proj/plugins/new.py", 20), 1);
    fs(100, "/proj/plugins/new.py", ST(40, 1));
    assert_signal(SIGTERM);
    gone(101);
    timer(120);
    assert_said("plugins/new.py created, restarting");
    assert_start(2);
    /* from now on it is tracked by identity */
    fs(200, "/proj/plugins/new.py", ST(40, 1));
    assert_nothing();
    fs(300, "/proj/plugins/new.py", ST(40, 2));
    assert_signal(SIGTERM);
}
END_TEST

START_TEST(test_listed_dir_artefacts_and_untracked)
{
    running();
    record(2, AW_KIND_LISTED, "/proj/plugins", NOST);
    const char *no[] = {"/proj/plugins/.#new.py", "/proj/plugins/new.py~",
                        "/proj/plugins/.new.py.swp", "/proj/plugins/.new.py.swo",
                        "/proj/plugins/x.swx",   "/proj/plugins/4913",
                        "/proj/plugins/notes.txt", "/proj/plugins/sub/deep.py"};
    for (unsigned i = 0; i < sizeof no / sizeof no[0]; i++) {
        fs(100, no[i], ST(50 + i, 1));
        ck_assert_msg(A.n == 0, "%s should not be a change", no[i]);
        ck_assert_int_eq(core_wants_path(C, no[i], strlen(no[i])), 0);
    }
    /* a directory named like a tracked file is not a new file */
    struct aw_stat dir = ST(70, 1);
    dir.is_reg = 0;
    fs(100, "/proj/plugins/pkg.py", dir);
    assert_nothing();
    /* a file the program itself creates there */
    record(101, AW_KIND_WRITE, "/proj/plugins/out.json", NOST);
    fs(102, "/proj/plugins/out.json", ST(71, 1));
    assert_nothing();
}
END_TEST

START_TEST(test_missing_created)
{
    running();
    record(2, AW_KIND_MISSING, "/proj/local_settings.py", NOST);
    drained(2);
    assert_nothing();
    fs(100, "/proj/local_settings.py", ST(60, 1));
    assert_signal(SIGTERM);
    gone(101);
    timer(120);
    assert_said("local_settings.py created, restarting");
}
END_TEST

/* ---- suspect identity ---- */

START_TEST(test_suspect_changed_before_watch)
{
    mk();
    begin(0);
    struct aw_ident saw = ST(10, 1000).id;
    record_id(1, AW_KIND_READ, APP, saw, ST(10, 2000));
    ck_assert_uint_eq(count(AW_ACT_SIGNAL), 0); /* not before the batch ends */
    drained(2);
    assert_signal(SIGTERM);
    gone(3);
    timer(22);
    assert_start(2);
    assert_said("app.py changed, restarting");
    /* the new identity is the recorded one now */
    fs(30, APP, ST(10, 2000));
    assert_nothing();
}
END_TEST

START_TEST(test_reread_new_version_before_inotify)
{
    running();
    /* a subprocess of gen 1 reads the edited file; its record beats inotify */
    record(100, AW_KIND_READ, APP, ST(10, 2000));
    ck_assert_uint_eq(count(AW_ACT_SIGNAL), 0);
    drained(100);
    assert_signal(SIGTERM);
    fs(101, APP, ST(10, 2000)); /* inotify catches up: same change, nothing new */
    assert_nothing();
    gone(102);
    timer(120);
    assert_start(2);
}
END_TEST

START_TEST(test_reread_same_version)
{
    running();
    record(100, AW_KIND_STAT, APP, ST(10, 1000));
    record(100, AW_KIND_READ, APP, ST(10, 1000));
    drained(100);
    assert_nothing();
    ck_assert_int_eq(A.deadline, -1);
}
END_TEST

START_TEST(test_argv_line)
{
    static char *argv3[] = {"node", "--watch-not", "server.js", NULL};
    O.argv = argv3;
    O.argc = 3;
    mk();
    begin(0);
    assert_said("starting generation 1: node --watch-not server.js");
}
END_TEST

START_TEST(test_signal_mode_two_files)
{
    O.signal = SIGUSR1;
    running();
    record(2, AW_KIND_READ, LIB, ST(20, 1000));
    fs(100, LIB, ST(20, 2000));
    fs(101, APP, ST(10, 2000));
    fs(102, LIB, ST(20, 3000));
    timer(122);
    assert_signal(SIGUSR1);
    assert_said("lib/util.py and 1 more changed, sending SIGUSR1");
    /* the changed paths go out first, then the signal */
    ck_assert_uint_eq(count(AW_ACT_CHANGED), 1);
    ck_assert_int_eq(A.a[A.n - 1].type, AW_ACT_SIGNAL);
    ck_assert_int_eq(A.a[A.n - 2].type, AW_ACT_CHANGED);
    {
        size_t it = 0;
        const char *p;
        int app = 0, lib = 0, other = 0;
        while ((p = core_batch_next(C, nth(AW_ACT_CHANGED, 0)->batch, &it)))
            strcmp(p, APP) == 0 ? app++ : strcmp(p, LIB) == 0 ? lib++ : other++;
        ck_assert_int_eq(app, 1);
        ck_assert_int_eq(lib, 1);
        ck_assert_int_eq(other, 0);
    }
    /* the next batch starts from scratch */
    fs(200, APP, ST(10, 3000));
    timer(220);
    assert_said("app.py changed, sending SIGUSR1");
}
END_TEST

START_TEST(test_suspect_deleted_before_watch)
{
    mk();
    begin(0);
    struct aw_ident saw = ST(10, 1000).id;
    record_id(1, AW_KIND_READ, APP, saw, NOST);
    drained(2);
    assert_signal(SIGTERM);
    gone(3);
    timer(22);
    assert_said("app.py deleted, restarting");
}
END_TEST

START_TEST(test_suspect_but_written_in_same_batch)
{
    mk();
    begin(0);
    struct aw_ident saw = ST(10, 1000).id;
    record_id(1, AW_KIND_READ, "/proj/cache.json", saw, ST(10, 2000));
    record(1, AW_KIND_WRITE, "/proj/cache.json", NOST);
    drained(2);
    assert_nothing();
    ck_assert_int_eq(A.deadline, -1);
}
END_TEST

START_TEST(test_missing_then_exists_at_receipt)
{
    mk();
    begin(0);
    record(1, AW_KIND_MISSING, "/proj/late.py", ST(80, 1));
    drained(2);
    assert_signal(SIGTERM);
    gone(3);
    timer(22);
    assert_said("late.py created, restarting");
    /* gen 2 finds it: the identity is the confirmed one, nothing to do */
    record(30, AW_KIND_READ, "/proj/late.py", ST(80, 1));
    drained(30);
    assert_nothing();
}
END_TEST

START_TEST(test_missing_then_written_same_batch)
{
    mk();
    begin(0);
    record(1, AW_KIND_MISSING, "/proj/late.json", ST(80, 1));
    record(1, AW_KIND_WRITE, "/proj/late.json", NOST);
    drained(2);
    assert_nothing();
}
END_TEST

/* ---- stop timeout, quit ---- */

START_TEST(test_stop_timeout_sigkill)
{
    running();
    fs(100, APP, ST(10, 2000));
    ck_assert_int_eq(A.deadline, 5100);
    timer(5099);
    ck_assert_uint_eq(count(AW_ACT_SIGNAL), 0);
    timer(5100);
    assert_signal(SIGKILL);
    assert_said("generation 1 did not stop within 5 s after SIGTERM; sending SIGKILL");
    ck_assert_int_eq(A.deadline, -1);
    gone(5101);
    assert_start(2); /* quiet long ago */
}
END_TEST

START_TEST(test_stop_timeout_fraction)
{
    O.stop_timeout_ms = 1500;
    O.stop_signal = SIGINT;
    running();
    fs(100, APP, ST(10, 2000));
    assert_signal(SIGINT);
    timer(1600);
    assert_said("generation 1 did not stop within 1.5 s after SIGINT; sending SIGKILL");
}
END_TEST

START_TEST(test_quit_while_running)
{
    running();
    quit(10, SIGINT);
    assert_said("stopping (SIGINT)");
    assert_signal(SIGTERM);
    ck_assert_uint_eq(count(AW_ACT_EXIT), 0);
    ck_assert_int_eq(A.deadline, 5010);
    fs(11, APP, ST(10, 2000)); /* changes no longer matter */
    assert_nothing();
    child_exit(12, WSIG(SIGTERM));
    ck_assert_uint_eq(count(AW_ACT_SAY), 0);
    gone(13);
    ck_assert_uint_eq(count(AW_ACT_EXIT), 1);
    ck_assert_int_eq(nth(AW_ACT_EXIT, 0)->code, 130);
    ck_assert_uint_eq(count(AW_ACT_START), 0);
}
END_TEST

START_TEST(test_quit_twice)
{
    running();
    quit(10, SIGTERM);
    assert_signal(SIGTERM);
    quit(11, SIGINT);
    assert_signal(SIGKILL);
    gone(12);
    ck_assert_int_eq(nth(AW_ACT_EXIT, 0)->code, 128 + SIGTERM);
}
END_TEST

START_TEST(test_quit_while_stopping)
{
    running();
    fs(100, APP, ST(10, 2000));
    quit(101, SIGINT);
    ck_assert_uint_eq(count(AW_ACT_SIGNAL), 0); /* already sent */
    ck_assert_int_eq(A.deadline, 5100);
    gone(102);
    ck_assert_int_eq(nth(AW_ACT_EXIT, 0)->code, 130);
    ck_assert_uint_eq(count(AW_ACT_START), 0);
}
END_TEST

START_TEST(test_quit_when_idle)
{
    running();
    child_exit(50, WEXIT(0));
    gone(50);
    quit(60, SIGHUP);
    assert_said("stopping (SIGHUP)");
    ck_assert_uint_eq(count(AW_ACT_SIGNAL), 0);
    ck_assert_int_eq(nth(AW_ACT_EXIT, 0)->code, 129);
    /* nothing after exit */
    fs(70, APP, ST(10, 2000));
    assert_nothing();
    ck_assert_int_eq(A.deadline, -1);
}
END_TEST

START_TEST(test_quit_during_debounce_wait)
{
    running();
    fs(100, APP, ST(10, 2000));
    gone(101);
    ck_assert_int_eq(A.deadline, 120);
    quit(105, SIGINT);
    ck_assert_int_eq(nth(AW_ACT_EXIT, 0)->code, 130);
    ck_assert_uint_eq(count(AW_ACT_START), 0);
}
END_TEST

/* ---- manual restart, stop duration ---- */

START_TEST(test_manual_restart_running)
{
    running();
    manual(10, SIGHUP);
    assert_said("manual restart (SIGHUP), restarting");
    assert_signal(SIGTERM);
    ck_assert_uint_eq(count(AW_ACT_START), 0); /* not while generation 1 lives */
    child_exit(20, WSIG(SIGTERM));
    ck_assert_uint_eq(count(AW_ACT_START), 0);
    gone(260);
    assert_said("generation 1 stopped in 0.25 s");
    assert_start(2); /* no debounce wait */
}
END_TEST

START_TEST(test_manual_restart_idle)
{
    running();
    child_exit(50, WEXIT(1));
    gone(50);
    manual(60, 0);
    assert_said("manual restart (key), restarting");
    ck_assert_uint_eq(count(AW_ACT_SIGNAL), 0);
    assert_start(2);
}
END_TEST

START_TEST(test_manual_restart_signal_mode_restarts)
{
    O.signal = SIGHUP;
    running();
    manual(10, SIGHUP);
    assert_signal(SIGTERM); /* a full restart, not the reload signal */
    gone(11);
    assert_start(2);
}
END_TEST

START_TEST(test_manual_restart_while_stopping_and_quitting)
{
    running();
    fs(100, APP, ST(10, 2000));
    assert_signal(SIGTERM);
    manual(101, SIGHUP);
    ck_assert_uint_eq(count(AW_ACT_SIGNAL), 0); /* already stopping */
    gone(102);
    assert_start(2);
    quit(200, SIGINT);
    manual(201, SIGHUP);
    ck_assert_uint_eq(count(AW_ACT_SAY), 0);
    ck_assert_uint_eq(count(AW_ACT_START), 0);
    gone(202);
    ck_assert_int_eq(nth(AW_ACT_EXIT, 0)->code, 130);
}
END_TEST

/* ---- programs the shim cannot see: static, setuid (dark.h) ---- */

#define DARK_SUFFIX " reported no dependencies: static or setuid program? use --watch"
#define HELPER "/proj/bin/helper"

/* the loop carried out the START: COMMAND runs as pid */
static void started(int64_t now, uint32_t pid)
{
    struct aw_event e = {.type = AW_EV_STARTED, .now = now, .pid = pid};
    step(&e);
}

/* a record from pid; flags: AW_FLAG_EXECING for "pid is about to exec path" */
static void record_from(int64_t now, uint32_t pid, unsigned kind, unsigned flags,
                        const char *path, struct aw_stat cur)
{
    struct aw_event e = {.type = AW_EV_RECORD, .now = now, .cur = cur};
    e.rec.kind = kind;
    e.rec.flags = flags;
    e.rec.pid = pid;
    e.rec.ident = cur.id;
    e.rec.path = path;
    e.rec.len = strlen(path);
    step(&e);
}

static unsigned dark_lines(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < A.n; i++) {
        size_t l = strlen(A.a[i].text), k = strlen(DARK_SUFFIX);
        n += A.a[i].type == AW_ACT_SAY && l > k && strcmp(A.a[i].text + l - k, DARK_SUFFIX) == 0;
    }
    return n;
}

START_TEST(test_dark_command_exits_at_once)
{
    mk();
    begin(0);
    started(1, 500);
    child_exit(5, WEXIT(0)); /* a static COMMAND: not one record */
    assert_said("generation 1 exited with status 0; watching 0 files");
    assert_said("python3" DARK_SUFFIX); /* argv[0] as given */
    ck_assert_int_eq(nth(AW_ACT_SAY, 1)->level, AW_SAY_NORMAL);
    ck_assert_str_eq(nth(AW_ACT_SAY, 0)->text, "generation 1 exited with status 0; watching 0 files");
    gone(6);
    ck_assert_uint_eq(dark_lines(), 0);
    /* once per session: not for the next generation */
    manual(10, SIGHUP);
    assert_start(2);
    started(11, 501);
    child_exit(12, WEXIT(0));
    ck_assert_uint_eq(dark_lines(), 0);
    gone(13);
    ck_assert_uint_eq(dark_lines(), 0);
}
END_TEST

START_TEST(test_dark_command_alive_named_after_the_window)
{
    mk();
    begin(0);
    started(2, 500);
    ck_assert_int_eq(A.deadline, 2 + AW_DARK_MS);
    drained(500);
    ck_assert_uint_eq(dark_lines(), 0);
    timer(2 + AW_DARK_MS);
    assert_said("python3" DARK_SUFFIX);
    ck_assert_uint_eq(A.n, 1);
    ck_assert_int_eq(A.deadline, -1);
    timer(5000);
    assert_nothing();
}
END_TEST

START_TEST(test_dark_command_that_reports_is_not_named)
{
    mk();
    begin(0);
    started(1, 500);
    record_from(3, 500, AW_KIND_EXEC, 0, "/usr/bin/python3.11", ST(1, 1)); /* its exe */
    ck_assert_int_eq(A.deadline, -1);
    drained(3);
    timer(5000);
    child_exit(6000, WEXIT(0));
    ck_assert_uint_eq(dark_lines(), 0);
    gone(6001);
    ck_assert_uint_eq(dark_lines(), 0);
    /* no START carried out yet (no pid): nothing is armed */
    teardown();
    mk();
    begin(0);
    timer(5000);
    child_exit(6000, WEXIT(0));
    ck_assert_uint_eq(dark_lines(), 0);
}
END_TEST

START_TEST(test_dark_helper_named_not_the_script)
{
    mk();
    begin(0);
    started(0, 500);
    record_from(1, 500, AW_KIND_EXEC, 0, "/usr/bin/bash", ST(1, 1));
    record_from(1, 500, AW_KIND_READ, 0, "/proj/run.sh", ST(2, 1));
    /* a fork child of the script execs the static helper */
    record_from(10, 501, AW_KIND_EXEC, AW_FLAG_EXECING, HELPER, ST(3, 1));
    drained(10);
    ck_assert_int_eq(A.deadline, 10 + AW_DARK_MS);
    record_from(900, 500, AW_KIND_READ, 0, "/proj/lib.sh", ST(4, 1)); /* the script goes on */
    drained(900);
    ck_assert_uint_eq(dark_lines(), 0);
    drained(10 + AW_DARK_MS);
    assert_said("bin/helper" DARK_SUFFIX); /* shown relative, like every path */
    ck_assert_uint_eq(dark_lines(), 1);
    ck_assert_int_eq(A.deadline, -1);
    /* the helper is a dependency like any program run */
    fs(2000, HELPER, ST(3, 2));
    assert_signal(SIGTERM);
}
END_TEST

START_TEST(test_dark_exec_then_its_image_reports)
{
    O.ignore[0] = "*.lib";
    O.nignore = 1;
    mk();
    begin(0);
    started(0, 42);
    record_from(1, 42, AW_KIND_READ, 0, APP, ST(10, 1000));
    /* a dynamic program: the shim in the new image reports its exe at once */
    record_from(10, 501, AW_KIND_EXEC, AW_FLAG_EXECING, "/usr/bin/ls", ST(3, 1));
    record_from(11, 501, AW_KIND_EXEC, 0, "/usr/bin/ls", ST(3, 1));
    record_from(11, 501, AW_KIND_LIB, 0, "/lib/libc.so.6", ST(5, 1));
    /* a failed exec is followed by the same record unflagged */
    record_from(20, 502, AW_KIND_EXEC, AW_FLAG_EXECING, "/proj/noexec", ST(6, 1));
    record_from(20, 502, AW_KIND_EXEC, 0, "/proj/noexec", ST(6, 1));
    /* a record of an ignored path says its pid is alive all the same */
    record_from(30, 503, AW_KIND_EXEC, AW_FLAG_EXECING, "/proj/x", ST(8, 1));
    record_from(31, 503, AW_KIND_READ, 0, "/proj/data.lib", ST(9, 1));
    drained(31);
    ck_assert_int_eq(A.deadline, -1);
    timer(5000);
    child_exit(6000, WEXIT(0));
    gone(6001);
    ck_assert_uint_eq(dark_lines(), 0);
}
END_TEST

START_TEST(test_dark_group_gone_names_even_a_short_life)
{
    mk();
    begin(0);
    started(0, 500);
    record_from(1, 500, AW_KIND_EXEC, 0, "/usr/bin/bash", ST(1, 1));
    record_from(10, 501, AW_KIND_EXEC, AW_FLAG_EXECING, HELPER, ST(3, 1));
    drained(10);
    child_exit(40, WEXIT(0)); /* the script: it reported */
    ck_assert_uint_eq(dark_lines(), 0);
    gone(50); /* 40 ms after the exec: everything is dead and drained */
    assert_said("bin/helper" DARK_SUFFIX);
}
END_TEST

START_TEST(test_dark_not_during_a_stop_of_ours)
{
    running();
    started(1, 42);
    record_from(10, 501, AW_KIND_EXEC, AW_FLAG_EXECING, HELPER, ST(3, 1));
    drained(10);
    fs(500, APP, ST(10, 2000)); /* a restart: our stop kills the helper */
    assert_signal(SIGTERM);
    ck_assert_int_eq(A.deadline, 500 + 5000); /* the kill timer only */
    drained(10 + AW_DARK_MS);
    timer(10 + AW_DARK_MS);
    ck_assert_uint_eq(dark_lines(), 0);
    gone(1100);
    ck_assert_uint_eq(dark_lines(), 0);
    assert_start(2); /* the old generation's entries went with it */
    started(1101, 43);
    record_from(1102, 43, AW_KIND_READ, 0, APP, ST(10, 2000));
    drained(1102);
    ck_assert_int_eq(A.deadline, -1);
    timer(9000);
    ck_assert_uint_eq(dark_lines(), 0);
    /* nor when autowrap is quitting */
    record_from(9001, 601, AW_KIND_EXEC, AW_FLAG_EXECING, HELPER, ST(3, 1));
    quit(9002, SIGINT);
    ck_assert_int_eq(A.deadline, 9002 + 5000);
    child_exit(9003, WSIG(SIGINT));
    gone(9004);
    ck_assert_uint_eq(dark_lines(), 0);
    ck_assert_int_eq(nth(AW_ACT_EXIT, 0)->code, 130);
}
END_TEST

START_TEST(test_dark_restart_code_exit_names_command)
{
    O.restart_code = 3;
    mk();
    begin(0);
    started(1, 500);
    child_exit(5, WEXIT(3));
    assert_said("generation 1 exited with status 3 (restart code), restarting");
    assert_said("python3" DARK_SUFFIX);
}
END_TEST

START_TEST(test_dark_said_once_per_session)
{
    mk();
    begin(0);
    started(0, 500);
    record_from(1, 500, AW_KIND_EXEC, 0, "/usr/bin/bash", ST(1, 1));
    record_from(2, 501, AW_KIND_EXEC, AW_FLAG_EXECING, HELPER, ST(3, 1));
    record_from(3, 502, AW_KIND_EXEC, AW_FLAG_EXECING, "/proj/bin/other", ST(7, 1));
    drained(3);
    timer(2 + AW_DARK_MS);
    assert_said("bin/helper" DARK_SUFFIX); /* the oldest */
    ck_assert_uint_eq(dark_lines(), 1);
    ck_assert_int_eq(A.deadline, -1);
    timer(3 + AW_DARK_MS);
    gone(5000);
    ck_assert_uint_eq(dark_lines(), 0);
}
END_TEST

START_TEST(test_dark_shares_the_deadline)
{
    O.signal = SIGHUP;
    running();
    started(1, 42);
    record_from(0, 501, AW_KIND_EXEC, AW_FLAG_EXECING, HELPER, ST(3, 1));
    ck_assert_int_eq(A.deadline, AW_DARK_MS);
    fs(100, APP, ST(10, 2000));
    ck_assert_int_eq(A.deadline, 120); /* the quiet window first */
    timer(120);
    assert_signal(SIGHUP);
    ck_assert_uint_eq(dark_lines(), 0);
    ck_assert_int_eq(A.deadline, AW_DARK_MS); /* a reload is not a stop */
    timer(AW_DARK_MS);
    assert_said("bin/helper" DARK_SUFFIX);
    ck_assert_int_eq(A.deadline, -1);
}
END_TEST

START_TEST(test_dark_not_in_list_mode)
{
    O.mode = AW_MODE_LIST;
    mk();
    begin(0);
    started(1, 500);
    ck_assert_int_eq(A.deadline, -1);
    child_exit(5, WEXIT(0));
    gone(6);
    ck_assert_uint_eq(dark_lines(), 0);
    ck_assert_int_eq(nth(AW_ACT_EXIT, 0)->code, 0);
}
END_TEST

START_TEST(test_no_stop_line_for_crash)
{
    running();
    child_exit(50, WSIG(SIGSEGV));
    assert_said("generation 1 killed by SIGSEGV; watching 1 files");
    gone(51);
    ck_assert_uint_eq(count(AW_ACT_SAY), 0);
}
END_TEST

/* ---- exec failures ---- */

START_TEST(test_start_failed_enoent)
{
    mk();
    begin(0);
    start_failed(1, ENOENT);
    assert_said("python3: command not found");
    ck_assert_int_eq(nth(AW_ACT_SAY, 0)->level, AW_SAY_ERROR);
    ck_assert_int_eq(nth(AW_ACT_EXIT, 0)->code, 127);
}
END_TEST

START_TEST(test_start_failed_eacces)
{
    mk();
    begin(0);
    start_failed(1, EACCES);
    assert_said("python3: permission denied");
    ck_assert_int_eq(nth(AW_ACT_EXIT, 0)->code, 126);
}
END_TEST

START_TEST(test_start_failed_other_errno_named)
{
    /* autowrap's own pipe or fork failed: say why, not "cannot execute" */
    mk();
    begin(0);
    start_failed(1, EMFILE);
    assert_said("python3: cannot start: Too many open files");
    ck_assert_int_eq(nth(AW_ACT_EXIT, 0)->code, 126);
}
END_TEST

START_TEST(test_long_path_shown_by_its_tail)
{
    /* a 4000-byte path: the status line keeps "changed, restarting" */
    static char p[4001];
    size_t n = (size_t)snprintf(p, sizeof p, "/proj");
    while (n + 101 < 3990)
        n += (size_t)snprintf(p + n, sizeof p - n, "/%0100d", 0);
    snprintf(p + n, sizeof p - n, "/deep.py");
    running();
    record(2, AW_KIND_READ, p, ST(11, 1000));
    drained(2);
    fs(100, p, ST(11, 2000));
    child_exit(101, WSIG(SIGTERM));
    gone(102);
    timer(200);
    assert_start(2);
    const struct aw_action *a = nth(AW_ACT_SAY, 0);
    ck_assert_ptr_nonnull(a);
    ck_assert_msg(strncmp(a->text, ".../", 4) == 0, "%s", a->text);
    size_t tl = strlen(a->text), want = strlen("/deep.py changed, restarting");
    ck_assert_uint_ge(tl, want);
    ck_assert_str_eq(a->text + tl - want, "/deep.py changed, restarting");
    ck_assert_uint_le(tl, 4 + AW_SHOWN_MAX + strlen(" changed, restarting"));
}
END_TEST

START_TEST(test_start_failed_later_gen_keeps_watching)
{
    running();
    fs(100, APP, ST(10, 2000));
    gone(101);
    timer(120);
    assert_start(2);
    start_failed(121, ENOENT);
    assert_said("python3: command not found");
    ck_assert_uint_eq(count(AW_ACT_EXIT), 0);
    ck_assert_int_eq(core_group_alive(C), 0);
    fs(200, APP, ST(10, 3000));
    timer(220);
    assert_start(3);
}
END_TEST

/* ---- list mode ---- */

static void list_mode(enum aw_format f)
{
    O.mode = AW_MODE_LIST;
    O.format = f;
    mk();
    begin(0);
    assert_start(1);
    ck_assert_uint_eq(count(AW_ACT_SAY), 0);
}

START_TEST(test_list_text_dedupe)
{
    list_mode(AW_FMT_TEXT);
    record(1, AW_KIND_STAT, APP, ST(10, 1));
    ck_assert_uint_eq(count(AW_ACT_PRINT), 1);
    ck_assert_str_eq(nth(AW_ACT_PRINT, 0)->path, APP);
    ck_assert_uint_eq(nth(AW_ACT_PRINT, 0)->kind, AW_KIND_STAT);
    ck_assert_uint_eq(nth(AW_ACT_PRINT, 0)->pid, 42);
    ck_assert_uint_eq(count(AW_ACT_WATCH), 0);
    record(2, AW_KIND_READ, APP, ST(10, 1));
    assert_nothing();
    record(3, AW_KIND_MISSING, "/proj/nope.py", NOST);
    assert_nothing();
    record(4, AW_KIND_WRITE, "/proj/out.json", NOST);
    assert_nothing();
    record(5, AW_KIND_LISTED, "/proj", NOST);
    assert_nothing();
    record(6, AW_KIND_LIB, "/usr/lib/libc.so.6", ST(11, 1));
    ck_assert_uint_eq(count(AW_ACT_PRINT), 1);
    drained(7);
    fs(8, APP, ST(10, 2)); /* no reaction in list mode */
    assert_nothing();
}
END_TEST

START_TEST(test_list_make_dedupe)
{
    list_mode(AW_FMT_MAKE);
    record(1, AW_KIND_EXEC, "/usr/bin/python3", ST(10, 1));
    record(2, AW_KIND_READ, "/usr/bin/python3", ST(10, 1));
    assert_nothing();
}
END_TEST

START_TEST(test_list_json_every_kind_once)
{
    list_mode(AW_FMT_JSON);
    record(1, AW_KIND_STAT, APP, ST(10, 1));
    record(2, AW_KIND_READ, APP, ST(10, 1));
    ck_assert_uint_eq(count(AW_ACT_PRINT), 1);
    ck_assert_uint_eq(nth(AW_ACT_PRINT, 0)->kind, AW_KIND_READ);
    record(3, AW_KIND_READ, APP, ST(10, 1));
    assert_nothing();
    record(4, AW_KIND_WRITE, APP, NOST);
    ck_assert_uint_eq(nth(AW_ACT_PRINT, 0)->kind, AW_KIND_WRITE);
    record(5, AW_KIND_MISSING, "/proj/nope.py", NOST);
    ck_assert_uint_eq(count(AW_ACT_PRINT), 1);
    record(6, AW_KIND_LISTED, "/proj", NOST);
    ck_assert_uint_eq(count(AW_ACT_PRINT), 1);
}
END_TEST

START_TEST(test_list_exit_status)
{
    list_mode(AW_FMT_TEXT);
    child_exit(10, WEXIT(3));
    ck_assert_uint_eq(count(AW_ACT_EXIT), 0); /* group not gone yet */
    ck_assert_uint_eq(count(AW_ACT_SAY), 0);
    record(11, AW_KIND_READ, APP, ST(10, 1)); /* a grandchild still reports */
    ck_assert_uint_eq(count(AW_ACT_PRINT), 1);
    gone(12);
    ck_assert_int_eq(nth(AW_ACT_EXIT, 0)->code, 3);
}
END_TEST

START_TEST(test_list_exit_signal)
{
    list_mode(AW_FMT_JSON);
    child_exit(10, WSIG(SIGKILL));
    gone(11);
    ck_assert_int_eq(nth(AW_ACT_EXIT, 0)->code, 137);
}
END_TEST

START_TEST(test_list_gone_before_exit_event)
{
    list_mode(AW_FMT_TEXT);
    gone(11);
    ck_assert_uint_eq(count(AW_ACT_EXIT), 0);
    child_exit(12, WEXIT(0));
    ck_assert_int_eq(nth(AW_ACT_EXIT, 0)->code, 0);
}
END_TEST

START_TEST(test_list_quit)
{
    list_mode(AW_FMT_TEXT);
    quit(5, SIGINT);
    assert_signal(SIGTERM);
    child_exit(6, WEXIT(0));
    ck_assert_uint_eq(count(AW_ACT_EXIT), 0);
    gone(7);
    ck_assert_int_eq(nth(AW_ACT_EXIT, 0)->code, 130);
}
END_TEST

START_TEST(test_list_start_failed)
{
    list_mode(AW_FMT_TEXT);
    start_failed(1, ENOENT);
    ck_assert_int_eq(nth(AW_ACT_EXIT, 0)->code, 127);
}
END_TEST

START_TEST(test_list_ignore)
{
    O.ignore[0] = "*.pyc";
    O.nignore = 1;
    list_mode(AW_FMT_JSON);
    record(1, AW_KIND_READ, "/proj/x.pyc", ST(10, 1));
    assert_nothing();
}
END_TEST

/* ---- ignore globs ---- */

START_TEST(test_ignore_globs)
{
    O.ignore[0] = "*.json";         /* basename, any directory */
    O.ignore[1] = "build/*";        /* relative: /proj/build/... */
    O.ignore[2] = "/etc/*.conf";    /* absolute */
    O.ignore[3] = "node_modules";   /* a component */
    O.nignore = 4;
    mk();
    begin(0);
    const char *ign[] = {"/proj/a.json", "/x/y/b.json", "/proj/build/gen.py",
                         "/proj/build/sub/deep.py", "/etc/app.conf",
                         "/proj/node_modules/pkg/index.js"};
    for (unsigned i = 0; i < sizeof ign / sizeof ign[0]; i++) {
        record(1, AW_KIND_READ, ign[i], ST(10 + i, 1));
        ck_assert_msg(A.n == 0, "%s should be ignored", ign[i]);
        fs(2, ign[i], ST(10 + i, 2));
        ck_assert_msg(A.n == 0, "%s should be ignored", ign[i]);
        ck_assert_int_eq(core_wants_path(C, ign[i], strlen(ign[i])), 0);
    }
    ck_assert_uint_eq(core_tracked_count(C), 0);
    const char *ok[] = {"/proj/a.py", "/other/build/x.py", "/etc/sub/app.conf.py"};
    for (unsigned i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        record(1, AW_KIND_READ, ok[i], ST(30 + i, 1));
        ck_assert_int_eq(core_wants_path(C, ok[i], strlen(ok[i])), 1);
    }
    ck_assert_uint_eq(core_tracked_count(C), 3);
}
END_TEST

START_TEST(test_ignore_new_file_in_listed_dir)
{
    O.ignore[0] = "test_*.py";
    O.nignore = 1;
    running();
    record(2, AW_KIND_LISTED, "/proj", NOST);
    fs(100, "/proj/test_x.py", ST(90, 1));
    assert_nothing();
}
END_TEST

/* ---- negative dependencies (issue 3) ---- */

START_TEST(test_listed_dir_only_kinds_looked_up_there)
{
    running();
    /* a Django-style package directory: listed, *.py loaded from it */
    record(2, AW_KIND_LISTED, "/proj/site", NOST);
    record(2, AW_KIND_READ, "/proj/site/settings.py", ST(30, 1));
    drained(2);
    ck_assert_int_eq(core_wants_path(C, "/proj/site/local.json", 21), 0);
    fs(100, "/proj/site/local.json", ST(31, 1));
    assert_nothing();
    /* a .py there is what a later import would find */
    fs(110, "/proj/site/urls.py", ST(32, 1));
    assert_signal(SIGTERM);
    gone(111);
    timer(140);
    assert_said("site/urls.py created, restarting");
}
END_TEST

START_TEST(test_listed_dir_kind_from_missing_lookup_and_versions)
{
    running();
    record(2, AW_KIND_LISTED, "/opt/lib", NOST);
    record(2, AW_KIND_MISSING, "/opt/lib/conf.toml", NOST); /* looked up, not found */
    record(2, AW_KIND_LIB, "/opt/lib/libx.so.1.2", ST(33, 1));
    drained(2);
    /* a .json was never looked up in /opt/lib */
    fs(50, "/opt/lib/data.json", ST(34, 1));
    assert_nothing();
    /* a .so was (as libx.so.1.2) */
    ck_assert_int_eq(core_wants_path(C, "/opt/lib/liby.so", 16), 1);
    fs(60, "/opt/lib/other.toml", ST(35, 1));
    assert_signal(SIGTERM);
}
END_TEST

START_TEST(test_listed_dir_without_lookups_goes_by_all_listed_dirs)
{
    running(); /* app.py read from /proj (before /proj is reported listed) */
    record(2, AW_KIND_LISTED, "/proj/plugins", NOST); /* a sys.path entry, nothing found */
    drained(2);
    /* no listed directory had a .py looked up in it yet */
    ck_assert_int_eq(core_wants_path(C, "/proj/plugins/optional.py", 25), 0);
    record(3, AW_KIND_LISTED, "/proj", NOST);
    record(3, AW_KIND_LISTED, "/opt/site", NOST);
    record(3, AW_KIND_READ, "/opt/site/extra.pth", ST(41, 1)); /* after its listing */
    drained(3);
    ck_assert_int_eq(core_wants_path(C, "/proj/plugins/optional.py", 25), 1);
    ck_assert_int_eq(core_wants_path(C, "/proj/plugins/more.pth", 22), 1);
    ck_assert_int_eq(core_wants_path(C, "/proj/plugins/local.json", 24), 0);
    fs(100, "/proj/plugins/optional.py", ST(42, 1));
    assert_signal(SIGTERM);
}
END_TEST

START_TEST(test_listed_dir_kind_from_another_dir_does_not_count)
{
    running(); /* .py read in /proj, not in /proj/data */
    record(2, AW_KIND_LISTED, "/proj/data", NOST);
    record(2, AW_KIND_WRITE, "/proj/data/out.py", NOST); /* its own output is no lookup */
    record(2, AW_KIND_READ, "/proj/data/out.py", ST(36, 1));
    drained(2);
    fs(100, "/proj/data/new.py", ST(37, 1));
    assert_nothing();
}
END_TEST

START_TEST(test_untracked_names_in_listed_dir_are_no_change)
{
    running(); /* app.py read from /proj */
    record(2, AW_KIND_LISTED, "/proj", NOST);
    drained(2);
    const char *no[] = {"/proj/README.md", "/proj/.app.py.swp", "/proj/4913", "/proj/app.py~"};
    for (unsigned i = 0; i < sizeof no / sizeof no[0]; i++) {
        ck_assert_int_eq(core_wants_path(C, no[i], strlen(no[i])), 0);
        fs(100, no[i], ST(80 + i, 1));
        ck_assert_msg(A.n == 0, "%s should not be a change", no[i]);
    }
    fs(200, APP, ST(10, 2000));
    assert_signal(SIGTERM);
}
END_TEST

static void fs_dir(int64_t now, const char *path)
{
    struct aw_stat d = ST(500, 1);
    d.is_reg = 0;
    fs(now, path, d);
}

START_TEST(test_missing_in_missing_dir_walks_down)
{
    running();
    record(2, AW_KIND_MISSING, "/home/u/.config/app/conf.toml", NOST);
    drained(2);
    /* the directory the lookup needs, and every one on the way, are wanted */
    ck_assert_int_eq(core_wants_path(C, "/home/u/.config", 15), 1);
    ck_assert_int_eq(core_wants_path(C, "/home/u/.config/app", 19), 1);
    ck_assert_int_eq(core_wants_path(C, "/home/u/.cache", 14), 0);
    /* .config appears: watch it and scan what is already in it */
    fs_dir(10, "/home/u/.config");
    ck_assert_uint_eq(count(AW_ACT_WATCH), 1);
    ck_assert_str_eq(nth(AW_ACT_WATCH, 0)->path, "/home/u/.config");
    ck_assert_int_eq(nth(AW_ACT_WATCH, 0)->scan, 1);
    ck_assert_uint_eq(count(AW_ACT_SIGNAL), 0);
    /* (what the scan finds) app appears */
    fs_dir(11, "/home/u/.config/app");
    ck_assert_uint_eq(count(AW_ACT_WATCH), 1);
    ck_assert_str_eq(nth(AW_ACT_WATCH, 0)->path, "/home/u/.config/app");
    ck_assert_int_eq(nth(AW_ACT_WATCH, 0)->scan, 1);
    ck_assert_uint_eq(count(AW_ACT_SIGNAL), 0);
    /* a file named like an ancestor is no walk */
    fs(12, "/home/u/.config", ST(501, 1));
    ck_assert_uint_eq(count(AW_ACT_WATCH), 0);
    /* the file itself: one restart */
    fs(20, "/home/u/.config/app/conf.toml", ST(502, 1));
    assert_signal(SIGTERM);
    gone(21);
    timer(50);
    assert_said("/home/u/.config/app/conf.toml created, restarting");
    assert_start(2);
}
END_TEST

START_TEST(test_rc_file_probe_then_created)
{
    running();
    record(2, AW_KIND_MISSING, "/home/u/.apprc", NOST);
    drained(2);
    ck_assert_int_eq(core_wants_path(C, "/home/u/.apprc", 14), 1);
    fs(10, "/home/u/.apprc", ST(600, 1));
    assert_signal(SIGTERM);
}
END_TEST

/* ---- shown paths ---- */

START_TEST(test_paths_relative_to_cwd)
{
    mk();
    begin(0);
    record(1, AW_KIND_READ, "/projx/a.py", ST(10, 1)); /* not under /proj */
    drained(1);
    fs(100, "/projx/a.py", ST(10, 2));
    gone(101);
    timer(120);
    assert_said("/projx/a.py changed, restarting");
}
END_TEST

/* ---- -w ---- */

/* Polling / overflow rescans: the core lists what to stat, and an unchanged
 * identity from a poll tick is a no-op while a changed one restarts once. */
START_TEST(test_tracked_iteration_for_polling)
{
    running();
    record(2, AW_KIND_STAT, "/proj/conf.toml", ST(11, 1000));
    record(3, AW_KIND_WRITE, "/proj/out.log", NOST);
    record(4, AW_KIND_MISSING, "/proj/later.py", NOST);
    drained(5);
    int app = 0, conf = 0, missing = 0, other = 0;
    size_t it = 0, len;
    const char *p;
    while ((p = core_next_tracked(C, &it, &len))) {
        ck_assert_uint_eq(len, strlen(p));
        if (strcmp(p, APP) == 0)
            app++;
        else if (strcmp(p, "/proj/conf.toml") == 0)
            conf++;
        else if (strcmp(p, "/proj/later.py") == 0)
            missing++;
        else
            other++;
    }
    ck_assert_int_eq(app, 1);
    ck_assert_int_eq(conf, 1);
    ck_assert_int_eq(missing, 1);
    ck_assert_int_eq(other, 0); /* not the written file */
    /* a poll tick: same identities, nothing happens */
    fs(100, APP, ST(10, 1000));
    fs(100, "/proj/conf.toml", ST(11, 1000));
    fs(100, "/proj/later.py", NOST);
    assert_nothing();
    /* the next tick sees one change: one stop */
    fs(200, "/proj/conf.toml", ST(11, 2000));
    assert_signal(SIGTERM);
    fs(200, APP, ST(10, 1000));
    assert_nothing();
}
END_TEST

START_TEST(test_user_watched_is_recursive)
{
    O.watch[0] = "conf";
    O.nwatch = 1;
    mk();
    begin(0);
    ck_assert_int_eq(core_user_watched(C, "/proj/conf", 0), 1);
    ck_assert_int_eq(core_user_watched(C, "/proj/conf/a/b", 0), 1);
    ck_assert_int_eq(core_user_watched(C, "/proj/confx", 0), 0);
    ck_assert_int_eq(core_user_watched(C, "/proj", 0), 0);
    /* a file two levels down counts as one under -w */
    fs(100, "/proj/conf/a/b/x.txt", ST(5, 1));
    assert_signal(SIGTERM);
}
END_TEST

START_TEST(test_user_watch)
{
    O.watch[0] = "conf";
    O.nwatch = 1;
    mk();
    begin(0);
    ck_assert_uint_eq(count(AW_ACT_WATCH), 1);
    ck_assert_str_eq(nth(AW_ACT_WATCH, 0)->path, "/proj/conf");
    ck_assert_int_eq(core_wants_path(C, "/proj/conf/x.txt", 16), 1);
    fs(100, "/proj/conf/x.txt", ST(5, 1));
    assert_signal(SIGTERM);
    gone(101);
    timer(120);
    assert_start(2);
    fs(130, "/proj/conf/x.txt", ST(5, 1));
    assert_nothing();
    struct aw_stat dir = ST(6, 1);
    dir.is_reg = 0;
    fs(140, "/proj/conf/sub", dir); /* a new directory is not a change */
    assert_nothing();
    fs(150, "/proj/conf/x.txt", NOST);
    assert_signal(SIGTERM);
    gone(151);
    timer(170);
    assert_said("conf/x.txt deleted, restarting");
}
END_TEST

/* ---- deadlines ---- */

START_TEST(test_deadline_earliest)
{
    O.debounce_ms = 100;
    O.stop_timeout_ms = 50;
    running();
    fs(1000, APP, ST(10, 2000));
    ck_assert_int_eq(A.deadline, 1050); /* kill before the quiet window matters */
    timer(1050);
    assert_signal(SIGKILL);
    ck_assert_int_eq(A.deadline, -1); /* waiting for GROUP_GONE */
    gone(1060);
    ck_assert_int_eq(A.deadline, 1100);
    fs(1070, APP, ST(10, 3000));
    ck_assert_int_eq(A.deadline, 1170);
    timer(1170);
    assert_start(2);
    ck_assert_int_eq(A.deadline, -1);
}
END_TEST

/* ---- a program not executable yet (ld chmods +x last) ---- */

#define SRV "/proj/server"

static void not_ready(int64_t now)
{
    struct aw_event e = {.type = AW_EV_NOT_READY, .now = now};
    step(&e);
}

static struct aw_stat STX(uint64_t ino, int64_t mtime, int xok)
{
    struct aw_stat s = ST(ino, mtime);
    s.xok = xok;
    return s;
}

/* gen 1 runs SRV; it is relinked (new inode, 0666 for now); gen 2 is due at 120 */
static void relinked(void)
{
    mk();
    begin(0);
    record(1, AW_KIND_EXEC, SRV, STX(10, 1000, 1));
    drained(1);
    fs(100, SRV, STX(11, 2000, 0));
    assert_signal(SIGTERM);
    child_exit(101, WSIG(SIGTERM));
    gone(102);
    timer(120);
    assert_start(2);
    ck_assert_int_eq(nth(AW_ACT_START, 0)->force, 0);
}

/* The first start is never held (there is no running generation to keep):
 * it is exec-ed at once, and its line is not said a second time. */
START_TEST(test_not_ready_first_start_said_once)
{
    mk();
    begin(0);
    assert_said("starting generation 1: python3 app.py");
    not_ready(1);
    assert_start(1);
    ck_assert_int_eq(nth(AW_ACT_START, 0)->force, 1);
    ck_assert_uint_eq(count(AW_ACT_SAY), 0);
}
END_TEST

START_TEST(test_not_ready_waits_for_chmod)
{
    relinked();
    not_ready(120);
    ck_assert_uint_eq(count(AW_ACT_START), 0);
    ck_assert_uint_eq(core_generation(C), 1); /* generation 2 did not happen */
    assert_said("python3 is not executable yet (being written?): generation 2 waits "
                "for it to change");
    ck_assert_int_eq(A.deadline, 120 + 5000); /* not a retry every debounce */
    timer(200);
    assert_nothing();
    /* the chmod: same inode, mtime and size; only the execute bits differ */
    fs(300, SRV, STX(11, 2000, 1));
    ck_assert_uint_eq(count(AW_ACT_SIGNAL), 0);
    ck_assert_uint_eq(count(AW_ACT_START), 0);
    ck_assert_int_eq(A.deadline, 320);
    timer(320);
    assert_start(2);
    ck_assert_int_eq(nth(AW_ACT_START, 0)->force, 0);
    assert_said("server changed, restarting");
}
END_TEST

START_TEST(test_not_ready_is_bounded)
{
    relinked();
    not_ready(120);
    timer(5119);
    assert_nothing();
    timer(5120);
    assert_start(2); /* start anyway: exec reports what is wrong, as without the check */
    ck_assert_int_eq(nth(AW_ACT_START, 0)->force, 1);
    start_failed(5120, EACCES);
    assert_said("python3: permission denied");
    ck_assert_uint_eq(count(AW_ACT_EXIT), 0);
}
END_TEST

START_TEST(test_not_ready_again_keeps_the_bound)
{
    relinked();
    not_ready(120);
    fs(300, SRV, STX(11, 3000, 0)); /* still written, still not executable */
    timer(320);
    assert_start(2);
    not_ready(320);
    ck_assert_int_eq(A.deadline, 120 + 5000); /* from the first refusal */
    timer(5120);
    assert_start(2);
    ck_assert_int_eq(nth(AW_ACT_START, 0)->force, 1);
}
END_TEST

START_TEST(test_not_ready_hold_ends_with_a_start)
{
    relinked();
    not_ready(120);
    fs(300, SRV, STX(11, 2000, 1));
    timer(320);
    assert_start(2);
    record(321, AW_KIND_EXEC, SRV, STX(11, 2000, 1)); /* it runs */
    drained(321);
    assert_nothing();
    /* a later relink is held from its own refusal, not the old one */
    fs(9000, SRV, STX(12, 4000, 0));
    child_exit(9001, WSIG(SIGTERM));
    gone(9002);
    timer(9020);
    assert_start(3);
    not_ready(9020);
    ck_assert_int_eq(A.deadline, 9020 + 5000);
}
END_TEST

START_TEST(test_not_ready_first_generation_not_held)
{
    mk();
    begin(0);
    assert_start(1);
    not_ready(0);
    assert_start(1); /* a COMMAND that is not executable: report it now */
    ck_assert_int_eq(nth(AW_ACT_START, 0)->force, 1);
}
END_TEST

START_TEST(test_mode_counts_for_exec_deps_only)
{
    mk();
    begin(0);
    record(1, AW_KIND_READ, APP, STX(10, 1000, 1));
    record(1, AW_KIND_EXEC, SRV, STX(20, 1000, 1));
    drained(1);
    fs(100, APP, STX(10, 1000, 0)); /* chmod -x of a script read as data: no change */
    assert_nothing();
    fs(100, SRV, STX(20, 1000, 0)); /* of the program run: a change */
    assert_signal(SIGTERM);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("core");
    TCase *t = tcase_create("core");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, test_begin_starts_gen1);
    tcase_add_test(t, test_begin_clear_first);
    tcase_add_test(t, test_record_watches_dir_once);
    tcase_add_test(t, test_new_watch_confirms_record);
    tcase_add_test(t, test_listing_asks_for_entries_made_since);
    tcase_add_test(t, test_confirm_metadata_only_waits_for_events);
    tcase_add_test(t, test_confirm_metadata_only_without_event_counts);
    tcase_add_test(t, test_listing_scan_not_in_list_mode);
    tcase_add_test(t, test_confirm_unchanged_is_silent);
    tcase_add_test(t, test_confirm_sees_save_before_watch);
    tcase_add_test(t, test_confirm_sees_creation_before_watch);
    tcase_add_test(t, test_verbose_tracking);
    tcase_add_test(t, test_change_stops_then_starts);
    tcase_add_test(t, test_change_while_stopping_extends_debounce);
    tcase_add_test(t, test_group_gone_after_quiet_starts_at_once);
    tcase_add_test(t, test_open_writer_holds_start_until_close);
    tcase_add_test(t, test_lost_records_are_said_once_per_loss);
    tcase_add_test(t, test_landed_save_gets_the_short_window);
    tcase_add_test(t, test_writer_that_never_closes_is_waited_for_boundedly);
    tcase_add_test(t, test_burst_waits_longer);
    tcase_add_test(t, test_small_batch_and_given_debounce_keep_short_window);
    tcase_add_test(t, test_child_exits_during_debounce);
    tcase_add_test(t, test_second_change_before_restart_finished);
    tcase_add_test(t, test_burst_one_restart);
    tcase_add_test(t, test_crash_then_change);
    tcase_add_test(t, test_killed_by_signal_line);
    tcase_add_test(t, test_stragglers_stopped_on_change);
    tcase_add_test(t, test_debounce_zero_starts_in_same_step);
    tcase_add_test(t, test_restart_code);
    tcase_add_test(t, test_restart_code_other_status);
    tcase_add_test(t, test_signal_mode);
    tcase_add_test(t, test_signal_mode_nothing_running_starts);
    tcase_add_test(t, test_signal_mode_child_dies_during_debounce);
    tcase_add_test(t, test_written_after_read_never_triggers);
    tcase_add_test(t, test_written_before_read_never_triggers);
    tcase_add_test(t, test_same_identity_no_action);
    tcase_add_test(t, test_ctime_alone_is_a_change);
    tcase_add_test(t, test_metadata_change_is_not_a_change);
    tcase_add_test(t, test_metadata_change_unknown_counts);
    tcase_add_test(t, test_suspect_ctime);
    tcase_add_test(t, test_suspect_metadata_explained_by_inotify);
    tcase_add_test(t, test_suspect_metadata_with_write_counts);
    tcase_add_test(t, test_suspect_metadata_without_event_counts);
    tcase_add_test(t, test_suspect_content_not_explained_by_attr);
    tcase_add_test(t, test_deleted_and_recreated);
    tcase_add_test(t, test_vim_style_save_says_changed);
    tcase_add_test(t, test_created_then_modified_says_created);
    tcase_add_test(t, test_symlink_target_watched);
    tcase_add_test(t, test_symlink_written_target);
    tcase_add_test(t, test_new_file_in_listed_dir);
    tcase_add_test(t, test_listed_dir_artefacts_and_untracked);
    tcase_add_test(t, test_missing_created);
    tcase_add_test(t, test_suspect_changed_before_watch);
    tcase_add_test(t, test_suspect_deleted_before_watch);
    tcase_add_test(t, test_reread_new_version_before_inotify);
    tcase_add_test(t, test_reread_same_version);
    tcase_add_test(t, test_argv_line);
    tcase_add_test(t, test_signal_mode_two_files);
    tcase_add_test(t, test_suspect_but_written_in_same_batch);
    tcase_add_test(t, test_missing_then_exists_at_receipt);
    tcase_add_test(t, test_missing_then_written_same_batch);
    tcase_add_test(t, test_stop_timeout_sigkill);
    tcase_add_test(t, test_stop_timeout_fraction);
    tcase_add_test(t, test_quit_while_running);
    tcase_add_test(t, test_manual_restart_running);
    tcase_add_test(t, test_manual_restart_idle);
    tcase_add_test(t, test_manual_restart_signal_mode_restarts);
    tcase_add_test(t, test_manual_restart_while_stopping_and_quitting);
    tcase_add_test(t, test_no_stop_line_for_crash);
    tcase_add_test(t, test_dark_command_exits_at_once);
    tcase_add_test(t, test_dark_command_alive_named_after_the_window);
    tcase_add_test(t, test_dark_command_that_reports_is_not_named);
    tcase_add_test(t, test_dark_helper_named_not_the_script);
    tcase_add_test(t, test_dark_exec_then_its_image_reports);
    tcase_add_test(t, test_dark_group_gone_names_even_a_short_life);
    tcase_add_test(t, test_dark_not_during_a_stop_of_ours);
    tcase_add_test(t, test_dark_restart_code_exit_names_command);
    tcase_add_test(t, test_dark_said_once_per_session);
    tcase_add_test(t, test_dark_shares_the_deadline);
    tcase_add_test(t, test_dark_not_in_list_mode);
    tcase_add_test(t, test_quit_twice);
    tcase_add_test(t, test_quit_while_stopping);
    tcase_add_test(t, test_quit_when_idle);
    tcase_add_test(t, test_quit_during_debounce_wait);
    tcase_add_test(t, test_start_failed_enoent);
    tcase_add_test(t, test_start_failed_eacces);
    tcase_add_test(t, test_start_failed_later_gen_keeps_watching);
    tcase_add_test(t, test_list_text_dedupe);
    tcase_add_test(t, test_list_make_dedupe);
    tcase_add_test(t, test_list_json_every_kind_once);
    tcase_add_test(t, test_list_exit_status);
    tcase_add_test(t, test_list_exit_signal);
    tcase_add_test(t, test_list_gone_before_exit_event);
    tcase_add_test(t, test_list_quit);
    tcase_add_test(t, test_list_start_failed);
    tcase_add_test(t, test_list_ignore);
    tcase_add_test(t, test_ignore_globs);
    tcase_add_test(t, test_ignore_new_file_in_listed_dir);
    tcase_add_test(t, test_listed_dir_only_kinds_looked_up_there);
    tcase_add_test(t, test_listed_dir_kind_from_missing_lookup_and_versions);
    tcase_add_test(t, test_listed_dir_kind_from_another_dir_does_not_count);
    tcase_add_test(t, test_listed_dir_without_lookups_goes_by_all_listed_dirs);
    tcase_add_test(t, test_untracked_names_in_listed_dir_are_no_change);
    tcase_add_test(t, test_missing_in_missing_dir_walks_down);
    tcase_add_test(t, test_rc_file_probe_then_created);
    tcase_add_test(t, test_paths_relative_to_cwd);
    tcase_add_test(t, test_user_watch);
    tcase_add_test(t, test_tracked_iteration_for_polling);
    tcase_add_test(t, test_user_watched_is_recursive);
    tcase_add_test(t, test_deadline_earliest);
    tcase_add_test(t, test_not_ready_first_start_said_once);
    tcase_add_test(t, test_not_ready_waits_for_chmod);
    tcase_add_test(t, test_not_ready_is_bounded);
    tcase_add_test(t, test_not_ready_again_keeps_the_bound);
    tcase_add_test(t, test_not_ready_hold_ends_with_a_start);
    tcase_add_test(t, test_not_ready_first_generation_not_held);
    tcase_add_test(t, test_mode_counts_for_exec_deps_only);
    tcase_add_test(t, test_start_failed_other_errno_named);
    tcase_add_test(t, test_long_path_shown_by_its_tail);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
