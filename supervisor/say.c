/* Status lines: "[autowrap] " on stderr, coloured on a terminal unless
 * NO_COLOR is set. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "listfmt.h"
#include "shell.h"

static int colour;
static int verbosity;

void say_init(int v)
{
    const char *nc = getenv("NO_COLOR");
    colour = isatty(2) && !(nc && *nc);
    verbosity = v;
}

void say_line(int level, const char *text)
{
    if (level == AW_SAY_VERBOSE && verbosity < 1)
        return;
    /* design notes: --quiet hides the start line */
    if (level == AW_SAY_NORMAL && verbosity < 0 && strncmp(text, "starting generation ", 20) == 0)
        return;
    /* one line whatever a path in it holds: escaped as --list's text
     * format (newline -> \n, tab -> \t, other control bytes -> \xHH) */
    char esc[4 * 900 + 1];
    size_t el = 0;
    if (aw_esc_text(esc, sizeof esc, &el, text, strlen(text)) != 0)
        el = 0;
    esc[el] = '\0';
    char buf[sizeof esc + 32];
    int n;
    if (colour) {
        const char *c = level == AW_SAY_ERROR ? "\033[1;31m" : "\033[1;36m";
        n = snprintf(buf, sizeof buf, "%s[autowrap]\033[0m %s\n", c, esc);
    } else {
        n = snprintf(buf, sizeof buf, "[autowrap] %s\n", esc);
    }
    if (n < 0)
        return;
    if ((size_t)n >= sizeof buf) {
        n = sizeof buf - 1;
        buf[n - 1] = '\n';
    }
    /* one write per line so lines from autowrap and the child do not mix */
    ssize_t w = write(2, buf, (size_t)n);
    (void)w;
}

void say(int level, const char *fmt, ...)
{
    char text[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    say_line(level, text);
}

int say_fd_short(int err)
{
    static int said;
    if (err != EMFILE && err != ENFILE)
        return 0;
    if (said)
        return 1;
    said = 1;
    char why[96] = " (the system's file table is full)";
    struct rlimit rl;
    if (err == EMFILE && getrlimit(RLIMIT_NOFILE, &rl) == 0)
        snprintf(why, sizeof why, " (raise ulimit -n, now %llu)", (unsigned long long)rl.rlim_cur);
    else if (err == EMFILE)
        snprintf(why, sizeof why, " (raise ulimit -n)");
    say(AW_SAY_ERROR, "out of file descriptors%s: carrying on; directories that cannot be "
                      "listed are polled every %d ms", why, AW_DEFAULT_POLL_MS);
    return 1;
}
