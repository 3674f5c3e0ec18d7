/* libFuzzer target: what the supervisor does with the datagrams on its
 * channel. Each datagram goes through aw_wire_decode (preload/wire.h), as
 * loop.c's drain_channel does; every accepted record is then stepped through
 * the pure core (supervisor/core.c) as an AW_EV_RECORD, and every PRINT action
 * is formatted by aw_listfmt, so the fuzzer reaches the dependency set, the
 * ignore globs, the change batch and the --list output with hostile paths.
 *
 * Input: byte 0 configures the session (bit 0 --list, bits 1-2 the format,
 * bit 3 --all, bit 4 -v); then a stream of
 *     CTL (1 byte)  LEN (2 bytes, little-endian)  LEN bytes of datagram
 * (the last datagram takes what is left). CTL says what the world does next:
 * bit 0 the file exists now, bit 1 with the identity the record carries (else
 * a newer mtime), bit 2 regular, bit 3 executable, bit 4 end of a batch
 * (DRAINED), bit 5 then an inotify event on the path (if the core wants it),
 * bit 6 then the armed timer fires, bit 7 the child exits.
 *
 * Each datagram is copied into a buffer of its exact length and freed after
 * its step, so ASan sees the decoder or the core reading past the datagram
 * or keeping a pointer into it (the loop reuses one receive buffer).
 *
 * Oracles: decode accepts exactly what encode produces (a re-encode of an
 * accepted datagram gives back its bytes); the core never drops an action;
 * every --list line is one line (two for make), NUL-terminated, within the
 * buffer, without raw control bytes in text and JSON. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core.h"
#include "listfmt.h"
#include "wire.h"

#define CHECK(c)                                                                    \
    do {                                                                            \
        if (!(c)) {                                                                 \
            fprintf(stderr, "fuzz_wire: %s:%d: check failed: %s\n", __FILE__,       \
                    __LINE__, #c);                                                  \
            abort();                                                                \
        }                                                                           \
    } while (0)

#define MAX_STEPS 4096

static char *ARGV[] = {"python3", "app.py", NULL};
static const char *IGNORE[] = {"*.log", "/proj/build", "node_modules"};
static const char *WATCH[] = {"/proj/conf"};
static char outbuf[AW_LISTFMT_MAX];

struct session {
    struct aw_options opt;
    struct aw_core *core;
    struct aw_actions acts;
    int64_t now;
    uint32_t pid;
    int running, done, steps;
};

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Undo aw_esc_text or aw_esc_json on S (N bytes, up to the closing quote for
 * JSON) into OUT; returns the length, or -1 on an escape the format lacks. */
static long unescape(enum aw_format fmt, const char *s, size_t n, char *out)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\') {
            out[w++] = s[i];
            continue;
        }
        if (++i >= n)
            return -1;
        int h[4];
        switch (s[i]) {
        case '\\': out[w++] = '\\'; break;
        case 'n': out[w++] = '\n'; break;
        case 't': out[w++] = '\t'; break;
        case '"': if (fmt != AW_FMT_JSON) return -1; out[w++] = '"'; break;
        case 'r': if (fmt != AW_FMT_JSON) return -1; out[w++] = '\r'; break;
        case 'b': if (fmt != AW_FMT_JSON) return -1; out[w++] = '\b'; break;
        case 'f': if (fmt != AW_FMT_JSON) return -1; out[w++] = '\f'; break;
        case 'x':
            if (fmt != AW_FMT_TEXT || i + 2 >= n + 0 || (h[0] = hexval(s[i + 1])) < 0 ||
                (h[1] = hexval(s[i + 2])) < 0)
                return -1;
            out[w++] = (char)(h[0] << 4 | h[1]);
            i += 2;
            break;
        case 'u': /* \u00XX (a control byte) or \udcXX (a byte that is not UTF-8) */
            if (fmt != AW_FMT_JSON || i + 4 >= n)
                return -1;
            for (int k = 0; k < 4; k++)
                if ((h[k] = hexval(s[i + 1 + k])) < 0)
                    return -1;
            if (h[0] == 0 && h[1] == 0 && h[2] < 2)
                out[w++] = (char)(h[2] << 4 | h[3]);
            else if (h[0] == 13 && h[1] == 12 && h[2] >= 8)
                out[w++] = (char)(h[2] << 4 | h[3]);
            else
                return -1;
            i += 4;
            break;
        default:
            return -1;
        }
    }
    return (long)w;
}

static char backbuf[AW_LISTFMT_MAX];

/* One --list record as printed: the right shape, and for text and JSON the
 * path comes back byte for byte. */
static void check_line(enum aw_format fmt, const char *b, size_t n, const char *path,
                       unsigned kind, uint32_t pid)
{
    size_t plen = strlen(path);
    CHECK(n > 0 && n < sizeof outbuf && b[n] == '\0' && b[n - 1] == '\n');
    size_t nl = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)b[i];
        if (c == '\n')
            nl++;
        else if (fmt == AW_FMT_TEXT)
            CHECK(c >= 0x20 && c != 0x7f);
        else if (fmt == AW_FMT_JSON)
            CHECK(c >= 0x20); /* JSON strings may hold DEL */
    }
    /* make: "TARGET: PATH" and the empty rule "PATH:", except for a path
     * holding a tab, which cannot be a make target: its prerequisite only */
    CHECK(nl == (fmt != AW_FMT_MAKE ? 1u : strchr(path, '\t') ? 1u : 2u));
    if (fmt == AW_FMT_TEXT) {
        long m = unescape(fmt, b, n - 1, backbuf);
        CHECK(m == (long)plen && memcmp(backbuf, path, plen) == 0);
    } else if (fmt == AW_FMT_JSON) {
        static const char head[] = "{\"path\":\"";
        CHECK(strncmp(b, head, sizeof head - 1) == 0);
        char tail[96];
        snprintf(tail, sizeof tail, "\",\"kind\":\"%s\",\"pid\":%u}\n", aw_kind_name(kind),
                 (unsigned)pid);
        size_t tl = strlen(tail);
        CHECK(n >= sizeof head - 1 + tl && strcmp(b + n - tl, tail) == 0);
        const char *q = b + sizeof head - 1;
        size_t ql = n - tl - (sizeof head - 1);
        for (size_t i = 0; i < ql; i++) /* no unescaped quote inside the string */
            if (q[i] == '\\')
                i++;
            else
                CHECK(q[i] != '"');
        long m = unescape(fmt, q, ql, backbuf);
        CHECK(m == (long)plen && memcmp(backbuf, path, plen) == 0);
    }
}

/* Events the loop would send back after carrying out an action. */
#define QCAP 64
static struct aw_event queue[QCAP];
static unsigned qhead, qtail;

static void enqueue(const struct aw_event *ev)
{
    CHECK(qtail - qhead < QCAP);
    queue[qtail++ % QCAP] = *ev;
}

/* Carry out the actions as the loop would, as far as they feed back. */
static void react(struct session *s)
{
    const struct aw_actions *a = &s->acts;
    CHECK(a->dropped == 0);
    CHECK(a->n <= AW_MAX_ACTIONS);
    for (unsigned i = 0; i < a->n && !s->done; i++) {
        const struct aw_action *x = &a->a[i];
        switch (x->type) {
        case AW_ACT_START: {
            s->pid++;
            s->running = 1;
            struct aw_event ev = {.type = AW_EV_STARTED, .now = s->now, .pid = s->pid};
            enqueue(&ev);
            break;
        }
        case AW_ACT_SIGNAL:
            if (x->tree && s->running && (x->sig == SIGKILL || x->sig == s->opt.stop_signal)) {
                s->running = 0;
                struct aw_event ev = {.type = AW_EV_CHILD_EXIT, .now = s->now, .status = x->sig};
                enqueue(&ev);
                struct aw_event g = {.type = AW_EV_GROUP_GONE, .now = s->now};
                enqueue(&g);
            }
            break;
        case AW_ACT_PRINT: {
            CHECK(x->path && x->path[0] == '/');
            size_t n = aw_listfmt(s->opt.format, x->kind, x->pid, x->path, strlen(x->path),
                                  s->opt.target, outbuf, sizeof outbuf);
            if (n)
                check_line(s->opt.format, outbuf, n, x->path, x->kind, x->pid);
            break;
        }
        case AW_ACT_WATCH:
            CHECK(x->path && x->path[0] == '/');
            break;
        case AW_ACT_SCAN:
            CHECK(x->path && x->path[0] == '/' && x->since > 0);
            break;
        case AW_ACT_SAY:
            CHECK(memchr(x->text, '\0', sizeof x->text));
            break;
        case AW_ACT_EXIT:
            s->done = 1;
            break;
        case AW_ACT_CLEAR:
        case AW_ACT_CHANGED:
            break;
        }
    }
}

static void step(struct session *s, struct aw_event *ev)
{
    qhead = qtail = 0;
    enqueue(ev);
    while (qhead != qtail && !s->done && ++s->steps <= MAX_STEPS) {
        struct aw_event e = queue[qhead++ % QCAP];
        core_step(s->core, &e, &s->acts);
        react(s);
    }
}

static void record(struct session *s, unsigned ctl, const unsigned char *dg, size_t n)
{
    struct aw_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = AW_EV_RECORD;
    ev.now = ++s->now;
    if (aw_wire_decode(dg, n, &ev.rec) != 0)
        return;

    /* decode is the inverse of encode on what it accepts */
    const struct aw_record *r = &ev.rec;
    CHECK(r->kind >= 1 && r->kind <= AW_KIND_MAX && !(r->flags & ~AW_FLAG_MASK));
    CHECK(r->len >= 1 && r->len <= AW_PATH_MAX && r->path == (const char *)dg + AW_WIRE_HDR);
    CHECK(r->path[0] == '/' && !memchr(r->path, '\0', r->len));
    static unsigned char again[AW_WIRE_MAX];
    size_t m = aw_wire_encode_flags(again, r->kind, r->flags, r->pid, &r->ident, r->path, r->len);
    CHECK(m == n && memcmp(again, dg, n) == 0);

    ev.cur.exists = ctl & 1;
    if (ev.cur.exists) {
        ev.cur.id = r->ident;
        if (!(ctl & 2))
            ev.cur.id.mtime_ns++;
        ev.cur.is_reg = (ctl & 4) != 0;
        ev.cur.xok = ev.cur.is_reg && (ctl & 8);
    }
    step(s, &ev);
}

static void world(struct session *s, unsigned ctl, const char *path, size_t len)
{
    if (ctl & 16) {
        struct aw_event ev = {.type = AW_EV_DRAINED, .now = ++s->now};
        step(s, &ev);
    }
    if ((ctl & 32) && path && core_wants_path(s->core, path, len)) {
        struct aw_event ev = {.type = AW_EV_FS, .now = ++s->now, .path = path, .len = len};
        ev.cur.exists = !(ctl & 1);
        ev.cur.is_reg = 1;
        ev.cur.id.dev = 1;
        ev.cur.id.ino = len;
        ev.cur.id.mtime_ns = s->now;
        ev.attr_only = (ctl & 2) != 0;
        step(s, &ev);
    }
    if ((ctl & 64) && s->acts.deadline >= 0) {
        if (s->acts.deadline > s->now)
            s->now = s->acts.deadline;
        struct aw_event ev = {.type = AW_EV_TIMER, .now = s->now};
        step(s, &ev);
    }
    if ((ctl & 128) && s->running) {
        s->running = 0;
        struct aw_event ev = {.type = AW_EV_CHILD_EXIT, .now = ++s->now, .status = (ctl & 3) << 8};
        step(s, &ev);
        struct aw_event g = {.type = AW_EV_GROUP_GONE, .now = s->now};
        step(s, &g);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static struct session s;
    memset(&s, 0, sizeof s);
    struct aw_options *o = &s.opt;
    o->mode = data[0] & 1 ? AW_MODE_LIST : AW_MODE_RUN;
    o->format = (enum aw_format)((data[0] >> 1 & 3) % 3);
    aw_extset_default(&o->exts);
    o->exts.all = (data[0] & 8) != 0;
    o->verbosity = data[0] & 16 ? 1 : 0;
    o->debounce_ms = 20;
    o->stop_signal = SIGTERM;
    o->stop_timeout_ms = 5000;
    o->restart_code = -1;
    for (unsigned i = 0; i < sizeof IGNORE / sizeof *IGNORE; i++)
        o->ignore[o->nignore++] = IGNORE[i];
    for (unsigned i = 0; i < sizeof WATCH / sizeof *WATCH; i++)
        o->watch[o->nwatch++] = WATCH[i];
    o->argv = ARGV;
    o->argc = 2;
    s.core = core_new(o, "/proj");
    CHECK(s.core);
    s.pid = 1000;
    struct aw_event begin = {.type = AW_EV_BEGIN};
    step(&s, &begin);

    size_t i = 1;
    while (i < size && !s.done && s.steps < MAX_STEPS) {
        unsigned ctl = data[i++];
        size_t len = 0;
        if (i + 2 <= size) {
            len = (size_t)data[i] | (size_t)data[i + 1] << 8;
            i += 2;
        }
        if (len > size - i)
            len = size - i;
        unsigned char *dg = malloc(len ? len : 1);
        CHECK(dg);
        memcpy(dg, data + i, len);
        i += len;
        char *path = NULL;
        size_t plen = 0;
        if (len > AW_WIRE_HDR && dg[AW_WIRE_HDR] == '/') {
            plen = len - AW_WIRE_HDR;
            path = malloc(plen + 1);
            memcpy(path, dg + AW_WIRE_HDR, plen);
            path[plen] = '\0';
            if (memchr(path, '\0', plen)) {
                free(path);
                path = NULL;
            }
        }
        record(&s, ctl, dg, len);
        free(dg);
        world(&s, ctl, path, plen);
        free(path);
    }
    struct aw_event last = {.type = AW_EV_DRAINED, .now = ++s.now};
    step(&s, &last);
    core_free(s.core);
    return 0;
}
