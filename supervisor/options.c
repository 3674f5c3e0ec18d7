/* argv -> struct aw_options, or one line of error. Pure: no I/O. */
#include "options.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char aw_usage[] =
    "usage: autowrap [OPTIONS] [--] COMMAND [ARG...]\n"
    "\n"
    "Run COMMAND with a preloaded tracker; restart its whole process tree when a\n"
    "file it actually loaded changes.\n"
    "\n"
    "  -l, --list              run COMMAND once, print each dependency as found, exit\n"
    "                          with its status\n"
    "      --format FMT        --list output: text (default), json, make\n"
    "  -o, --output FILE       --list output goes to FILE instead of stdout\n"
    "      --target NAME       target of the make rule (default: the command's name)\n"
    "  -w, --watch PATH        also watch PATH (file or directory; repeatable)\n"
    "  -e, --ext LIST          comma-separated extensions to track (replaces the default)\n"
    "      --all               track every regular file read\n"
    "  -i, --ignore GLOB       never track or react to matching paths (repeatable)\n"
    "  -d, --debounce MS       wait until changes are quiet this long (default 50;\n"
    "                          without -d: 5 for one file closed or renamed into\n"
    "                          place, 250 once 32+ files changed)\n"
    "  -s, --signal SIG        send SIG to the process group instead of restarting\n"
    "      --stop-signal SIG   signal that stops the tree on restart (default SIGTERM)\n"
    "      --stop-timeout SEC  then SIGKILL the group after SEC seconds (default 5)\n"
    "      --restart-code N    COMMAND exiting with status N is restarted at once\n"
    "  -S, --socket ADDR       listen on ADDR and pass the socket to every generation\n"
    "                          (systemd LISTEN_FDS, from fd 3; repeatable): PORT\n"
    "                          (127.0.0.1), HOST:PORT, [IPV6]:PORT or unix:PATH\n"
    "      --no-listen-pid     leave LISTEN_PID unset (COMMAND is a wrapper whose\n"
    "                          server runs under another pid)\n"
    "      --poll[=MS]         stat tracked files every MS ms (default 500) instead of\n"
    "                          inotify; automatic on NFS/SMB/9p/FUSE/vboxsf and when\n"
    "                          inotify runs out of watches or instances\n"
    "  -c, --clear             clear the screen before each start\n"
    "  -q, --quiet             fewer status lines\n"
    "  -v, --verbose           more status lines (name each tracked file)\n"
    "  -h, --help              show this help\n"
    "  -V, --version           show the version\n"
    "\n"
    "AUTOWRAP_OPTS holds options applied before the command line's (which win):\n"
    "split at blanks, '...' and \"...\" quote, e.g. AUTOWRAP_OPTS='-q -d 100'.\n"
    "SIGHUP to autowrap, or Enter in its terminal while no generation runs, restarts.\n"
    "With --signal, AUTOWRAP_CHANGED names a file listing the changed paths.\n"
    "Exit status: 1 could not set itself up (runtime directory, descriptors), 2 bad usage,\n"
    "127 command not found, 126 not executable, 130 Ctrl-C;\n"
    "--list exits with COMMAND's status (128+N when killed by signal N).\n";

static const struct {
    const char *name;
    int sig;
} sigtab[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},       {"QUIT", SIGQUIT},   {"ILL", SIGILL},
    {"TRAP", SIGTRAP}, {"ABRT", SIGABRT},     {"IOT", SIGIOT},     {"BUS", SIGBUS},
    {"FPE", SIGFPE},   {"KILL", SIGKILL},     {"USR1", SIGUSR1},   {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2}, {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},   {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},   {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU},   {"URG", SIGURG},
    {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH}, {"IO", SIGIO},       {"POLL", SIGPOLL},   {"PWR", SIGPWR},
    {"SYS", SIGSYS},
};

int aw_signal_from_name(const char *name)
{
    if (!name || !*name)
        return -1;
    if (name[0] >= '0' && name[0] <= '9') {
        char *end;
        errno = 0;
        long v = strtol(name, &end, 10);
        if (errno || *end || v < 1 || v > 64)
            return -1;
        return (int)v;
    }
    const char *n = name;
    if (strncasecmp(n, "SIG", 3) == 0)
        n += 3;
    for (size_t i = 0; i < sizeof sigtab / sizeof sigtab[0]; i++)
        if (strcasecmp(n, sigtab[i].name) == 0)
            return sigtab[i].sig;
    return -1;
}

const char *aw_signal_name(int sig)
{
    static const char *const names[] = {
        [SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",   [SIGQUIT] = "SIGQUIT",
        [SIGILL] = "SIGILL",   [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
        [SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",   [SIGKILL] = "SIGKILL",
        [SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
        [SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
        [SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",
        [SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP", [SIGTTIN] = "SIGTTIN",
        [SIGTTOU] = "SIGTTOU", [SIGURG] = "SIGURG",   [SIGXCPU] = "SIGXCPU",
        [SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
        [SIGWINCH] = "SIGWINCH", [SIGIO] = "SIGIO",   [SIGPWR] = "SIGPWR",
        [SIGSYS] = "SIGSYS",
    };
    if (sig > 0 && (size_t)sig < sizeof names / sizeof names[0] && names[sig])
        return names[sig];
    static const char *const rt[] = {
        "SIG32", "SIG33", "SIG34", "SIG35", "SIG36", "SIG37", "SIG38", "SIG39", "SIG40",
        "SIG41", "SIG42", "SIG43", "SIG44", "SIG45", "SIG46", "SIG47", "SIG48", "SIG49",
        "SIG50", "SIG51", "SIG52", "SIG53", "SIG54", "SIG55", "SIG56", "SIG57", "SIG58",
        "SIG59", "SIG60", "SIG61", "SIG62", "SIG63", "SIG64"};
    if (sig >= 32 && sig <= 64)
        return rt[sig - 32];
    return "SIG?";
}

/* The message quotes the user's words, which may hold any byte: a control
 * byte is written as \n, \t or \xHH, so the error stays one line on the
 * terminal (found by tests/fuzz/fuzz_options). */
static enum aw_parse_result fail(char *err, unsigned errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return AW_PARSE_ERROR;
    char raw[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    static const char hex[] = "0123456789abcdef";
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)raw; *p; p++) {
        char e[4] = {(char)*p, 0, 0, 0};
        size_t n = 1;
        if (*p == '\n' || *p == '\t') {
            e[0] = '\\';
            e[1] = *p == '\n' ? 'n' : 't';
            n = 2;
        } else if (*p < 0x20 || *p == 0x7f) {
            e[0] = '\\';
            e[1] = 'x';
            e[2] = hex[*p >> 4];
            e[3] = hex[*p & 15];
            n = 4;
        }
        if (w + n >= errlen)
            break;
        memcpy(err + w, e, n);
        w += n;
    }
    err[w] = '\0';
    return AW_PARSE_ERROR;
}

/* Non-negative integer in [0, max]. */
static int parse_uint(const char *s, long max, long *out)
{
    if (!s || !*s || *s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < 0 || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Seconds with an optional fraction ("5", "0.5", "2.25") -> ms. */
static int parse_seconds(const char *s, int *ms)
{
    if (!s || !*s)
        return -1;
    long whole = 0, frac = 0, scale = 1000;
    const char *p = s;
    if (*p == '.' && !p[1])
        return -1;
    if (*p != '.' && (*p < '0' || *p > '9'))
        return -1;
    while (*p >= '0' && *p <= '9') {
        whole = whole * 10 + (*p - '0');
        if (whole > 86400L * 365)
            return -1;
        p++;
    }
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return -1;
        while (*p >= '0' && *p <= '9') {
            scale /= 10;
            frac += (*p - '0') * scale;
            p++;
        }
    }
    if (*p)
        return -1;
    long long v = (long long)whole * 1000 + frac;
    if (v > INT_MAX)
        return -1;
    *ms = (int)v;
    return 0;
}

enum opt_id {
    O_LIST, O_FORMAT, O_OUTPUT, O_TARGET, O_WATCH, O_EXT, O_ALL, O_IGNORE, O_DEBOUNCE,
    O_SIGNAL, O_STOPSIG, O_STOPTIMEOUT, O_RESTARTCODE, O_CLEAR, O_QUIET, O_VERBOSE, O_HELP,
    O_VERSION, O_SOCKET, O_NOLISTENPID, O_POLL
};

static const struct optdef {
    const char *lng;
    char shrt;
    int arg;
    enum opt_id id;
} defs[] = {
    {"list", 'l', 0, O_LIST},
    {"format", 0, 1, O_FORMAT},
    {"output", 'o', 1, O_OUTPUT},
    {"target", 0, 1, O_TARGET},
    {"watch", 'w', 1, O_WATCH},
    {"ext", 'e', 1, O_EXT},
    {"all", 0, 0, O_ALL},
    {"ignore", 'i', 1, O_IGNORE},
    {"debounce", 'd', 1, O_DEBOUNCE},
    {"signal", 's', 1, O_SIGNAL},
    {"stop-signal", 0, 1, O_STOPSIG},
    {"stop-timeout", 0, 1, O_STOPTIMEOUT},
    {"restart-code", 0, 1, O_RESTARTCODE},
    {"socket", 'S', 1, O_SOCKET},
    {"no-listen-pid", 0, 0, O_NOLISTENPID},
    {"clear", 'c', 0, O_CLEAR},
    {"quiet", 'q', 0, O_QUIET},
    {"verbose", 'v', 0, O_VERBOSE},
    {"help", 'h', 0, O_HELP},
    {"version", 'V', 0, O_VERSION},
    {"poll", 0, 2, O_POLL}, /* arg 2: optional, only as --poll=MS */
};
#define NDEFS (sizeof defs / sizeof defs[0])

static void defaults(struct aw_options *o)
{
    memset(o, 0, sizeof *o);
    o->mode = AW_MODE_RUN;
    o->format = AW_FMT_TEXT;
    aw_extset_default(&o->exts);
    o->debounce_ms = AW_DEFAULT_DEBOUNCE_MS;
    o->signal = 0;
    o->stop_signal = SIGTERM;
    o->stop_timeout_ms = AW_DEFAULT_STOP_TIMEOUT_MS;
    o->restart_code = -1;
}

/* Apply one option. name is how the user spelled it (for messages). */
static enum aw_parse_result apply(struct aw_options *o, const struct optdef *d, const char *name,
                                  const char *val, char *err, unsigned errlen)
{
    long n;
    int sig;
    switch (d->id) {
    case O_LIST:
        o->mode = AW_MODE_LIST;
        break;
    case O_FORMAT:
        if (strcmp(val, "text") == 0)
            o->format = AW_FMT_TEXT;
        else if (strcmp(val, "json") == 0)
            o->format = AW_FMT_JSON;
        else if (strcmp(val, "make") == 0)
            o->format = AW_FMT_MAKE;
        else
            return fail(err, errlen, "%s: unknown format '%s' (text, json or make)", name, val);
        break;
    case O_OUTPUT:
        if (!*val)
            return fail(err, errlen, "%s: empty file name", name);
        o->output = val;
        break;
    case O_TARGET:
        o->target = val;
        break;
    case O_WATCH:
        if (!*val)
            return fail(err, errlen, "%s: empty path", name);
        if (o->nwatch >= AW_MAX_LIST)
            return fail(err, errlen, "%s: too many (at most %d)", name, AW_MAX_LIST);
        o->watch[o->nwatch++] = val;
        break;
    case O_EXT:
        if (aw_extset_parse(&o->exts, val) != 0)
            return fail(err, errlen, "%s: bad extension list '%s'", name, val);
        o->exts.all = 0;
        o->ext_given = 1;
        o->ext_arg = val;
        break;
    case O_ALL:
        o->exts.all = 1;
        o->ext_given = 1;
        break;
    case O_IGNORE:
        if (!*val)
            return fail(err, errlen, "%s: empty pattern", name);
        if (o->nignore >= AW_MAX_LIST)
            return fail(err, errlen, "%s: too many (at most %d)", name, AW_MAX_LIST);
        o->ignore[o->nignore++] = val;
        break;
    case O_DEBOUNCE:
        if (parse_uint(val, 3600000, &n))
            return fail(err, errlen, "%s: bad number '%s' (milliseconds)", name, val);
        o->debounce_ms = (int)n;
        o->debounce_given = 1;
        break;
    case O_SIGNAL:
    case O_STOPSIG:
        sig = aw_signal_from_name(val);
        if (sig <= 0)
            return fail(err, errlen, "%s: unknown signal '%s'", name, val);
        if (d->id == O_SIGNAL)
            o->signal = sig;
        else
            o->stop_signal = sig;
        break;
    case O_STOPTIMEOUT:
        if (parse_seconds(val, &o->stop_timeout_ms))
            return fail(err, errlen, "%s: bad number '%s' (seconds)", name, val);
        break;
    case O_RESTARTCODE:
        if (parse_uint(val, 255, &n))
            return fail(err, errlen, "%s: bad number '%s' (0-255)", name, val);
        o->restart_code = (int)n;
        break;
    case O_SOCKET: {
        if (o->nsockets >= AW_MAX_SOCKETS)
            return fail(err, errlen, "%s: too many (at most %d)", name, AW_MAX_SOCKETS);
        char why[200];
        if (aw_sockaddr_parse(val, &o->sockets[o->nsockets], why, sizeof why))
            return fail(err, errlen, "%s: %s", name, why);
        o->nsockets++;
        break;
    }
    case O_NOLISTENPID:
        o->no_listen_pid = 1;
        break;
    case O_CLEAR:
        o->clear = 1;
        break;
    case O_QUIET:
        o->verbosity = -1;
        break;
    case O_VERBOSE:
        o->verbosity = 1;
        break;
    case O_POLL:
        if (!val) {
            o->poll_ms = AW_DEFAULT_POLL_MS;
        } else if (parse_uint(val, 3600000, &n) || n < 1) {
            return fail(err, errlen, "%s: bad interval '%s' (milliseconds, 1-3600000)", name,
                        val);
        } else {
            o->poll_ms = (int)n;
        }
        break;
    case O_HELP:
        return AW_PARSE_HELP;
    case O_VERSION:
        return AW_PARSE_VERSION;
    }
    return AW_PARSE_OK;
}

/* Apply the options of argv[*pi..argc-1]. On the command line (env == 0)
 * options end at "--" (skipped) or at the first word that is not an option,
 * and *pi is left there. In AUTOWRAP_OPTS (env == 1) every word must be an
 * option, and an option's value must be in it too. */
static enum aw_parse_result parse_words(int argc, char **argv, int *pi, int env,
                                        struct aw_options *o, char *err, unsigned errlen)
{
    int i = *pi;
    enum aw_parse_result r;
    while (i < argc) {
        char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            if (env)
                return fail(err, errlen, "'--' is not allowed (options only; COMMAND goes on "
                                         "the command line)");
            i++;
            break;
        }
        if (a[0] != '-' || a[1] == '\0') {
            if (env)
                return fail(err, errlen, "'%s' is not an option (options only; COMMAND goes "
                                         "on the command line)", a);
            break; /* first non-option: the command */
        }
        if (a[1] == '-') {
            const char *body = a + 2;
            const char *eq = strchr(body, '=');
            size_t nlen = eq ? (size_t)(eq - body) : strlen(body);
            const struct optdef *d = NULL;
            for (size_t k = 0; k < NDEFS; k++)
                if (strlen(defs[k].lng) == nlen && memcmp(defs[k].lng, body, nlen) == 0)
                    d = &defs[k];
            if (!d) {
                if (eq)
                    return fail(err, errlen, "unknown option '%.*s' (see --help)",
                                (int)(eq - a), a);
                return fail(err, errlen, "unknown option '%s' (see --help)", a);
            }
            char name[64];
            snprintf(name, sizeof name, "--%s", d->lng);
            const char *val = NULL;
            if (d->arg == 2) {
                val = eq ? eq + 1 : NULL;
            } else if (d->arg) {
                if (eq)
                    val = eq + 1;
                else if (i + 1 < argc)
                    val = argv[++i];
                else
                    return fail(err, errlen, "option '%s' needs an argument", name);
            } else if (eq) {
                return fail(err, errlen, "option '%s' takes no argument", name);
            }
            r = apply(o, d, name, val, err, errlen);
            if (r != AW_PARSE_OK)
                return r;
            i++;
            continue;
        }
        /* one or more short options: -qc, -d50, -d 50 */
        for (const char *p = a + 1; *p; p++) {
            const struct optdef *d = NULL;
            for (size_t k = 0; k < NDEFS; k++)
                if (defs[k].shrt && defs[k].shrt == *p)
                    d = &defs[k];
            if (!d)
                return fail(err, errlen, "unknown option '-%c' (see --help)", *p);
            char name[4] = {'-', *p, 0, 0};
            const char *val = NULL;
            if (d->arg == 1) {
                if (p[1])
                    val = p + 1;
                else if (i + 1 < argc)
                    val = argv[++i];
                else
                    return fail(err, errlen, "option '%s' needs an argument", name);
            }
            r = apply(o, d, name, val, err, errlen);
            if (r != AW_PARSE_OK)
                return r;
            if (d->arg)
                break;
        }
        i++;
    }
    *pi = i;
    return AW_PARSE_OK;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int aw_split_words(const char *s, char *buf, unsigned cap, char **words, unsigned maxwords,
                   char *err, unsigned errlen)
{
    unsigned n = 0, pos = 0;
    if (err && errlen)
        err[0] = '\0';
    if (!s)
        s = "";
    if (cap < strlen(s) + 1) {
        fail(err, errlen, "too long (at most %u bytes)", cap ? cap - 1 : 0);
        return -1;
    }
    const char *p = s;
    for (;;) {
        while (is_blank(*p))
            p++;
        if (!*p)
            break;
        if (n >= maxwords) {
            fail(err, errlen, "too many words (at most %u)", maxwords);
            return -1;
        }
        words[n++] = buf + pos;
        while (*p && !is_blank(*p)) {
            if (*p == '\'') {
                const char *q = strchr(p + 1, '\'');
                if (!q) {
                    fail(err, errlen, "unterminated ' quote");
                    return -1;
                }
                memcpy(buf + pos, p + 1, (size_t)(q - p - 1));
                pos += (unsigned)(q - p - 1);
                p = q + 1;
            } else if (*p == '"') {
                p++;
                while (*p && *p != '"') {
                    if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                        p++;
                    buf[pos++] = *p++;
                }
                if (!*p) {
                    fail(err, errlen, "unterminated \" quote");
                    return -1;
                }
                p++;
            } else if (*p == '\\') {
                if (!p[1]) {
                    fail(err, errlen, "backslash at the end");
                    return -1;
                }
                buf[pos++] = p[1];
                p += 2;
            } else {
                buf[pos++] = *p++;
            }
        }
        buf[pos++] = '\0';
    }
    words[n] = NULL;
    return (int)n;
}

/* err (one line) gets the prefix "AUTOWRAP_OPTS: ". */
static enum aw_parse_result env_fail(char *err, unsigned errlen)
{
    if (err && errlen) {
        char tmp[512];
        snprintf(tmp, sizeof tmp, "%s", err);
        snprintf(err, errlen, "%s: %s", AW_ENV_OPTS, tmp);
    }
    return AW_PARSE_ERROR;
}

enum aw_parse_result aw_parse_options_env(const char *env, int argc, char **argv,
                                          struct aw_options *o, char *err, unsigned errlen)
{
    defaults(o);
    if (err && errlen)
        err[0] = '\0';
    enum aw_parse_result r;
    if (env) {
        int n = aw_split_words(env, o->env_buf, sizeof o->env_buf, o->env_words,
                               AW_ENV_OPTS_WORDS, err, errlen);
        if (n < 0)
            return env_fail(err, errlen);
        o->env_nwords = n;
        int k = 0;
        r = parse_words(n, o->env_words, &k, 1, o, err, errlen);
        if (r == AW_PARSE_ERROR)
            return env_fail(err, errlen);
        if (r != AW_PARSE_OK)
            return r;
    }
    int i = 1;
    r = parse_words(argc, argv, &i, 0, o, err, errlen);
    if (r != AW_PARSE_OK)
        return r;
    if (i >= argc || argv[i][0] == '\0')
        return fail(err, errlen, "missing command (usage: autowrap [OPTIONS] [--] COMMAND [ARG...])");
    if (o->no_listen_pid && o->nsockets == 0)
        return fail(err, errlen, "--no-listen-pid needs --socket");
    o->argv = argv + i;
    o->argc = argc - i;
    return AW_PARSE_OK;
}

enum aw_parse_result aw_parse_options(int argc, char **argv, struct aw_options *o, char *err,
                                      unsigned errlen)
{
    return aw_parse_options_env(NULL, argc, argv, o, err, errlen);
}
