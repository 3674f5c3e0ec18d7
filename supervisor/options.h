/* Command-line options: parsed by a pure function so tests can feed it argv
 * vectors and check the result or the one-line error. */
#ifndef AUTOWRAP_OPTIONS_H
#define AUTOWRAP_OPTIONS_H

#include "../preload/extset.h"
#include "sockaddr.h"

enum aw_mode { AW_MODE_RUN, AW_MODE_LIST };
enum aw_format { AW_FMT_TEXT, AW_FMT_JSON, AW_FMT_MAKE };

#define AW_MAX_LIST 256 /* --watch / --ignore entries */
#define AW_MAX_SOCKETS 16 /* --socket entries: fds 3..18 */

/* AUTOWRAP_OPTS: options from the environment, applied before the command line. */
#define AW_ENV_OPTS "AUTOWRAP_OPTS"
#define AW_ENV_OPTS_MAX 4096  /* bytes of AUTOWRAP_OPTS, its NUL included */
#define AW_ENV_OPTS_WORDS 256 /* words of AUTOWRAP_OPTS */

struct aw_options {
    enum aw_mode mode;
    enum aw_format format;
    const char *output;        /* -o FILE: --list output goes here instead of stdout */
    const char *target;        /* --target NAME: the rule's target for --format make */
    struct aw_extset exts;     /* --ext / --all, or the default set */
    int ext_given;             /* --ext or --all was given: pass it to the shim */
    const char *ext_arg;       /* the --ext LIST as given */
    const char *watch[AW_MAX_LIST];
    unsigned nwatch;
    const char *ignore[AW_MAX_LIST];
    unsigned nignore;
    int debounce_ms;           /* -1 until parsed: then the default */
    int debounce_given;        /* -d given: no longer window for bursts */
    int signal;                /* --signal SIG: 0 = restart mode */
    int stop_signal;           /* default SIGTERM */
    int stop_timeout_ms;       /* default 5000 */
    int restart_code;          /* -1 = none */
    int clear;
    int verbosity;             /* -1 quiet, 0 normal, 1 verbose */
    struct aw_sockaddr sockets[AW_MAX_SOCKETS]; /* -S/--socket, in order: fd 3, 4, ... */
    unsigned nsockets;
    int no_listen_pid;         /* --no-listen-pid: leave LISTEN_PID unset (wrappers) */
    int poll_ms;               /* --poll[=MS]: 0 = inotify (with automatic fallback) */
    char **argv;               /* COMMAND [ARG...], NULL-terminated */
    int argc;
    /* The words of AUTOWRAP_OPTS (option values point into env_buf). */
    char env_buf[AW_ENV_OPTS_MAX];
    char *env_words[AW_ENV_OPTS_WORDS + 1];
    int env_nwords;
};

#define AW_DEFAULT_DEBOUNCE_MS 50
/* ...and the window when the batch is one file, inotify said it landed
 * whole (its writer closed it, or a rename put it in place), nothing had
 * changed for AW_BURST_QUIET_MS before it and the CPUs are not contended
 * (a tool's writer then stalls between files): an editor's save restarts
 * within milliseconds. A second file in the batch brings the debounce
 * back. */
#define AW_SETTLED_QUIET_MS 5
/* A batch of this many files is a tool at work (checkout, formatter, build),
 * and tools stall on a loaded machine: wait for a longer quiet window. */
#define AW_BURST_FILES 32
#define AW_BURST_QUIET_MS 250
/* A file written by a writer that has not closed it yet (a linker, a copy
 * that stalls on a loaded machine) holds the restart until it is closed,
 * for at most this long after the last change. */
#define AW_WRITER_HOLD_MS 2000
#define AW_DEFAULT_STOP_TIMEOUT_MS 5000
#define AW_DEFAULT_POLL_MS 500 /* --poll without =MS, and the automatic fallback */

enum aw_parse_result {
    AW_PARSE_OK = 0,
    AW_PARSE_HELP,    /* -h: print usage, exit 0 */
    AW_PARSE_VERSION, /* -V: print version, exit 0 */
    AW_PARSE_ERROR    /* err holds one line (no newline, no prefix): exit 2 */
};

enum aw_parse_result aw_parse_options(int argc, char **argv, struct aw_options *o,
                                      char *err, unsigned errlen);

/* The same, with the options in env (the value of AUTOWRAP_OPTS, or NULL)
 * applied first: split by aw_split_words, options only (no COMMAND, no "--"),
 * every option as on the command line. The command line is applied after
 * them, so a value given there wins; repeatable options (-w, -i, -S) add to
 * the environment's. An error in env is one line starting "AUTOWRAP_OPTS: ". */
enum aw_parse_result aw_parse_options_env(const char *env, int argc, char **argv,
                                          struct aw_options *o, char *err, unsigned errlen);

/* Split s into words, shell-like without expansion: blanks (space, tab,
 * newline, CR, VT, FF) separate words; '...' keeps everything literally;
 * "..." too, except that \" and \\ stand for " and \; elsewhere a backslash
 * makes the next character literal. Quotes join with what touches them
 * (--target="a b" is one word), '' is an empty word. The words are written
 * NUL-terminated into buf (cap bytes: strlen(s) + 1 always suffices) and
 * pointed to by words[0..n-1], words[n] = NULL (maxwords + 1 slots).
 * Returns n, or -1 with one line in err (unterminated quote, a trailing
 * backslash, more than maxwords words, buf too small). */
int aw_split_words(const char *s, char *buf, unsigned cap, char **words, unsigned maxwords,
                   char *err, unsigned errlen);

/* "TERM", "SIGTERM", "sigterm", "15" -> 15; -1 if unknown. */
int aw_signal_from_name(const char *name);
const char *aw_signal_name(int sig); /* 15 -> "SIGTERM" */

extern const char aw_usage[];

#endif
