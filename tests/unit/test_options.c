/* Option parsing: every option, every error, signal names. */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

static struct aw_options o;
static char err[256];

/* parse a NULL-terminated list of words (argv[0] added) */
static enum aw_parse_result parsev(const char *const *words)
{
    static char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)"autowrap";
    for (; *words; words++)
        argv[argc++] = (char *)*words;
    argv[argc] = NULL;
    return aw_parse_options(argc, argv, &o, err, sizeof err);
}
#define PARSE(...) parsev((const char *const[]){__VA_ARGS__, NULL})

#define OK(...) ck_assert_int_eq(PARSE(__VA_ARGS__), AW_PARSE_OK)
#define ERR(word, ...)                                            \
    do {                                                          \
        ck_assert_int_eq(PARSE(__VA_ARGS__), AW_PARSE_ERROR);     \
        ck_assert_ptr_null(strchr(err, '\n'));                    \
        ck_assert_msg(strstr(err, word), "'%s' not in '%s'", word, err); \
    } while (0)

START_TEST(defaults)
{
    OK("python3", "app.py");
    ck_assert_int_eq(o.mode, AW_MODE_RUN);
    ck_assert_int_eq(o.format, AW_FMT_TEXT);
    ck_assert_ptr_null(o.output);
    ck_assert_ptr_null(o.target);
    ck_assert_int_eq(o.ext_given, 0);
    ck_assert_int_eq(o.exts.all, 0);
    ck_assert_uint_gt(o.exts.n, 10);
    ck_assert_int_eq(o.debounce_ms, AW_DEFAULT_DEBOUNCE_MS);
    ck_assert_int_eq(o.signal, 0);
    ck_assert_int_eq(o.stop_signal, SIGTERM);
    ck_assert_int_eq(o.stop_timeout_ms, AW_DEFAULT_STOP_TIMEOUT_MS);
    ck_assert_int_eq(o.restart_code, -1);
    ck_assert_int_eq(o.clear, 0);
    ck_assert_int_eq(o.verbosity, 0);
    ck_assert_uint_eq(o.nwatch, 0);
    ck_assert_uint_eq(o.nignore, 0);
    ck_assert_int_eq(o.argc, 2);
    ck_assert_str_eq(o.argv[0], "python3");
    ck_assert_str_eq(o.argv[1], "app.py");
    ck_assert_ptr_null(o.argv[2]);
}
END_TEST

START_TEST(list_and_format)
{
    OK("-l", "cmd");
    ck_assert_int_eq(o.mode, AW_MODE_LIST);
    OK("--list", "--format", "json", "cmd");
    ck_assert_int_eq(o.mode, AW_MODE_LIST);
    ck_assert_int_eq(o.format, AW_FMT_JSON);
    OK("--format=make", "cmd");
    ck_assert_int_eq(o.format, AW_FMT_MAKE);
    OK("--format", "text", "cmd");
    ck_assert_int_eq(o.format, AW_FMT_TEXT);
    ERR("xml", "--list", "--format", "xml", "cmd");
    OK("-o", "deps.txt", "--target", "app.o", "cmd");
    ck_assert_str_eq(o.output, "deps.txt");
    ck_assert_str_eq(o.target, "app.o");
    OK("--output=x", "cmd");
    ck_assert_str_eq(o.output, "x");
    OK("-ox", "cmd");
    ck_assert_str_eq(o.output, "x");
}
END_TEST

START_TEST(watch_ignore)
{
    OK("-w", "a", "--watch", "b", "--watch=c", "-wd", "-i", "*.log", "--ignore", "/x/*", "cmd");
    ck_assert_uint_eq(o.nwatch, 4);
    ck_assert_str_eq(o.watch[0], "a");
    ck_assert_str_eq(o.watch[1], "b");
    ck_assert_str_eq(o.watch[2], "c");
    ck_assert_str_eq(o.watch[3], "d");
    ck_assert_uint_eq(o.nignore, 2);
    ck_assert_str_eq(o.ignore[0], "*.log");
    ck_assert_str_eq(o.ignore[1], "/x/*");
    ERR("--watch", "--watch", "", "cmd");
}
END_TEST

START_TEST(ext_all)
{
    OK("--ext", "py,toml", "cmd");
    ck_assert_int_eq(o.ext_given, 1);
    ck_assert_str_eq(o.ext_arg, "py,toml");
    ck_assert_uint_eq(o.exts.n, 2);
    ck_assert(aw_extset_match(&o.exts, "/a/b.toml", 9));
    ck_assert(!aw_extset_match(&o.exts, "/a/b.json", 9));
    OK("-e", ".py", "cmd");
    ck_assert_uint_eq(o.exts.n, 1);
    OK("--all", "cmd");
    ck_assert_int_eq(o.ext_given, 1);
    ck_assert_int_eq(o.exts.all, 1);
    ERR("--ext", "--ext", "", "cmd");
    ERR("--ext", "--ext", "py,,js", "cmd");
    ERR("a/b", "--ext", "a/b", "cmd");
    ERR("--ext", "--ext", "waytoolongextension", "cmd");
    ERR("--all", "--all=1", "cmd");
}
END_TEST

START_TEST(numbers)
{
    OK("-d", "0", "cmd");
    ck_assert_int_eq(o.debounce_ms, 0);
    OK("--debounce", "250", "cmd");
    ck_assert_int_eq(o.debounce_ms, 250);
    OK("-d100", "cmd");
    ck_assert_int_eq(o.debounce_ms, 100);
    ERR("abc", "--debounce", "abc", "cmd");
    ERR("-5", "--debounce", "-5", "cmd");
    ERR("12x", "-d", "12x", "cmd");
    OK("--stop-timeout", "2", "cmd");
    ck_assert_int_eq(o.stop_timeout_ms, 2000);
    OK("--stop-timeout", "0.5", "cmd");
    ck_assert_int_eq(o.stop_timeout_ms, 500);
    OK("--stop-timeout=0", "cmd");
    ck_assert_int_eq(o.stop_timeout_ms, 0);
    ERR("x", "--stop-timeout", "x", "cmd");
    ERR("1.", "--stop-timeout", "1.", "cmd");
    ERR("-1", "--stop-timeout", "-1", "cmd");
    OK("--restart-code", "3", "cmd");
    ck_assert_int_eq(o.restart_code, 3);
    OK("--restart-code=0", "cmd");
    ck_assert_int_eq(o.restart_code, 0);
    ERR("zz", "--restart-code", "zz", "cmd");
    ERR("256", "--restart-code", "256", "cmd");
}
END_TEST

START_TEST(signals)
{
    OK("-s", "HUP", "cmd");
    ck_assert_int_eq(o.signal, SIGHUP);
    OK("--signal", "SIGUSR1", "cmd");
    ck_assert_int_eq(o.signal, SIGUSR1);
    OK("--signal=10", "cmd");
    ck_assert_int_eq(o.signal, 10);
    OK("--stop-signal", "int", "cmd");
    ck_assert_int_eq(o.stop_signal, SIGINT);
    ck_assert_int_eq(o.signal, 0);
    ERR("SIGFOO", "--signal", "SIGFOO", "cmd");
    ERR("NOPE", "--stop-signal", "NOPE", "cmd");
    ERR("0", "--signal", "0", "cmd");
    ERR("99", "--signal", "99", "cmd");

    ck_assert_int_eq(aw_signal_from_name("TERM"), SIGTERM);
    ck_assert_int_eq(aw_signal_from_name("SIGTERM"), SIGTERM);
    ck_assert_int_eq(aw_signal_from_name("sigterm"), SIGTERM);
    ck_assert_int_eq(aw_signal_from_name("15"), 15);
    ck_assert_int_eq(aw_signal_from_name("KILL"), SIGKILL);
    ck_assert_int_eq(aw_signal_from_name("sigusr2"), SIGUSR2);
    ck_assert_int_eq(aw_signal_from_name("WINCH"), SIGWINCH);
    ck_assert_int_eq(aw_signal_from_name(""), -1);
    ck_assert_int_eq(aw_signal_from_name("SIG"), -1);
    ck_assert_int_eq(aw_signal_from_name("TERMX"), -1);
    ck_assert_int_eq(aw_signal_from_name("15x"), -1);
    ck_assert_int_eq(aw_signal_from_name(NULL), -1);
    ck_assert_str_eq(aw_signal_name(SIGTERM), "SIGTERM");
    ck_assert_str_eq(aw_signal_name(SIGHUP), "SIGHUP");
    ck_assert_str_eq(aw_signal_name(SIGSEGV), "SIGSEGV");
    ck_assert_str_eq(aw_signal_name(SIGKILL), "SIGKILL");
    ck_assert_str_eq(aw_signal_name(34), "SIG34");
    ck_assert_str_eq(aw_signal_name(0), "SIG?");
    for (int s = 1; s < 32; s++) {
        const char *n = aw_signal_name(s);
        if (strcmp(n, "SIG?") != 0)
            ck_assert_int_eq(aw_signal_from_name(n), s);
    }
}
END_TEST

START_TEST(flags)
{
    OK("-c", "-q", "cmd");
    ck_assert_int_eq(o.clear, 1);
    ck_assert_int_eq(o.verbosity, -1);
    OK("--clear", "--verbose", "cmd");
    ck_assert_int_eq(o.clear, 1);
    ck_assert_int_eq(o.verbosity, 1);
    OK("--quiet", "cmd");
    ck_assert_int_eq(o.verbosity, -1);
    OK("-cv", "cmd");
    ck_assert_int_eq(o.clear, 1);
    ck_assert_int_eq(o.verbosity, 1);
    OK("-lqd", "5", "cmd");
    ck_assert_int_eq(o.mode, AW_MODE_LIST);
    ck_assert_int_eq(o.debounce_ms, 5);
    ck_assert_int_eq(PARSE("-h"), AW_PARSE_HELP);
    ck_assert_int_eq(PARSE("--help"), AW_PARSE_HELP);
    ck_assert_int_eq(PARSE("-V"), AW_PARSE_VERSION);
    ck_assert_int_eq(PARSE("--version"), AW_PARSE_VERSION);
    ck_assert_ptr_nonnull(strstr(aw_usage, "--list"));
    ck_assert_ptr_nonnull(strstr(aw_usage, "autowrap"));
}
END_TEST

START_TEST(end_of_options)
{
    OK("--", "-v", "x");
    ck_assert_int_eq(o.verbosity, 0);
    ck_assert_int_eq(o.argc, 2);
    ck_assert_str_eq(o.argv[0], "-v");
    OK("-v", "python3", "-q", "--", "x");
    ck_assert_int_eq(o.verbosity, 1);
    ck_assert_int_eq(o.argc, 4);
    ck_assert_str_eq(o.argv[1], "-q");
    ck_assert_str_eq(o.argv[2], "--");
    OK("-", "x");
    ck_assert_str_eq(o.argv[0], "-");
}
END_TEST

START_TEST(errors)
{
    ERR("--bogus", "--bogus", "--", "cmd");
    ERR("--bogus", "--bogus=1", "cmd");
    ERR("-x", "-x", "cmd");
    ERR("-x", "-vx", "cmd");
    ERR("--lis", "--lis", "cmd");
    ERR("missing command", "-v");
    ERR("missing command", "--");
    ck_assert_int_eq(PARSE(NULL), AW_PARSE_ERROR); /* no arguments at all */
    ck_assert_ptr_nonnull(strstr(err, "missing command"));
    ERR("--debounce", "--debounce");
    ERR("-d", "-d");
    ERR("--format", "--format");
    ERR("--signal", "--signal");
    ERR("--output", "--output");
    ERR("--target", "--target");
    ERR("-w", "-w");
    ERR("-i", "-i");
    ERR("-e", "-e");
    ERR("--list", "--list=yes", "cmd");
}
END_TEST

START_TEST(sockets)
{
    OK("python3", "app.py");
    ck_assert_uint_eq(o.nsockets, 0);
    ck_assert_int_eq(o.no_listen_pid, 0);
    OK("-S", "8000", "--socket=[::1]:8001", "-Sunix:/tmp/x.sock", "--no-listen-pid", "cmd");
    ck_assert_uint_eq(o.nsockets, 3);
    ck_assert_str_eq(o.sockets[0].text, "127.0.0.1:8000"); /* order = fd order */
    ck_assert_str_eq(o.sockets[1].text, "[::1]:8001");
    ck_assert_str_eq(o.sockets[2].text, "unix:/tmp/x.sock");
    ck_assert_int_eq(o.no_listen_pid, 1);
    ck_assert_str_eq(o.argv[0], "cmd");
    ERR("bad port", "-S", "0", "cmd");
    ERR("bad port", "--socket", "70000", "cmd");
    ERR("--socket", "--socket", "http", "cmd");
    ERR("-S", "-S");
    ERR("--no-listen-pid", "--no-listen-pid=1", "cmd");
    ERR("needs --socket", "--no-listen-pid", "cmd");
    const char *many[(AW_MAX_SOCKETS + 1) * 2 + 2]; /* one -S too many, cmd, NULL */
    unsigned k = 0;
    for (unsigned i = 0; i <= AW_MAX_SOCKETS; i++) {
        many[k++] = "-S";
        many[k++] = "9000";
    }
    many[k++] = "cmd";
    many[k] = NULL;
    ck_assert_int_eq(parsev(many), AW_PARSE_ERROR);
    ck_assert_ptr_nonnull(strstr(err, "too many"));
}
END_TEST

/* --poll: optional value only after '=', so "--poll 100 cmd" runs "100" */
START_TEST(poll_option)
{
    OK("cmd");
    ck_assert_int_eq(o.poll_ms, 0);
    OK("--poll", "cmd");
    ck_assert_int_eq(o.poll_ms, AW_DEFAULT_POLL_MS);
    ck_assert_str_eq(o.argv[0], "cmd");
    OK("--poll=20", "cmd");
    ck_assert_int_eq(o.poll_ms, 20);
    OK("--poll", "20", "cmd");
    ck_assert_int_eq(o.poll_ms, AW_DEFAULT_POLL_MS);
    ck_assert_str_eq(o.argv[0], "20");
    ERR("--poll", "--poll=", "cmd");
    ERR("'0'", "--poll=0", "cmd");
    ERR("'abc'", "--poll=abc", "cmd");
    ERR("'-5'", "--poll=-5", "cmd");
    ERR("'99999999'", "--poll=99999999", "cmd");
}
END_TEST

/* aw_split_words: the AUTOWRAP_OPTS quoting rules. */
static char sbuf[AW_ENV_OPTS_MAX];
static char *sw[AW_ENV_OPTS_WORDS + 1];
static int split(const char *s)
{
    return aw_split_words(s, sbuf, sizeof sbuf, sw, AW_ENV_OPTS_WORDS, err, sizeof err);
}

START_TEST(split_words)
{
    ck_assert_int_eq(split(""), 0);
    ck_assert_ptr_null(sw[0]);
    ck_assert_int_eq(split(" \t\n "), 0);
    ck_assert_int_eq(split("-q"), 1);
    ck_assert_str_eq(sw[0], "-q");
    ck_assert_ptr_null(sw[1]);
    ck_assert_int_eq(split("  -q\t-d  100\n"), 3);
    ck_assert_str_eq(sw[0], "-q");
    ck_assert_str_eq(sw[1], "-d");
    ck_assert_str_eq(sw[2], "100");
    /* single quotes: everything literal, backslash and double quote included */
    ck_assert_int_eq(split("-i 'a b\\c\"d'"), 2);
    ck_assert_str_eq(sw[1], "a b\\c\"d");
    /* double quotes: \" and \\ are escapes, other backslashes stay */
    ck_assert_int_eq(split("\"x \\\" \\\\ \\n 'y'\""), 1);
    ck_assert_str_eq(sw[0], "x \" \\ \\n 'y'");
    /* quotes join with what touches them */
    ck_assert_int_eq(split("--target=\"my app\".stamp -w'dir 1'"), 2);
    ck_assert_str_eq(sw[0], "--target=my app.stamp");
    ck_assert_str_eq(sw[1], "-wdir 1");
    /* empty word */
    ck_assert_int_eq(split("--target '' -q"), 3);
    ck_assert_str_eq(sw[1], "");
    ck_assert_int_eq(split("\"\""), 1);
    ck_assert_str_eq(sw[0], "");
    /* backslash outside quotes */
    ck_assert_int_eq(split("a\\ b \\'c"), 2);
    ck_assert_str_eq(sw[0], "a b");
    ck_assert_str_eq(sw[1], "'c");
    /* errors: one line, no newline */
    ck_assert_int_eq(split("-i 'abc"), -1);
    ck_assert_ptr_nonnull(strstr(err, "unterminated ' quote"));
    ck_assert_int_eq(split("-i \"abc"), -1);
    ck_assert_ptr_nonnull(strstr(err, "unterminated \" quote"));
    ck_assert_int_eq(split("-i \"abc\\\""), -1);
    ck_assert_ptr_nonnull(strstr(err, "unterminated"));
    ck_assert_int_eq(split("-q \\"), -1);
    ck_assert_ptr_nonnull(strstr(err, "backslash"));
    ck_assert_ptr_null(strchr(err, '\n'));
    /* limits */
    static char many[AW_ENV_OPTS_MAX];
    size_t k = 0;
    for (unsigned w = 0; w < AW_ENV_OPTS_WORDS; w++) {
        many[k++] = 'q';
        many[k++] = ' ';
    }
    many[k] = '\0';
    ck_assert_int_eq(split(many), AW_ENV_OPTS_WORDS);
    many[k++] = 'q';
    many[k] = '\0';
    ck_assert_int_eq(split(many), -1);
    ck_assert_ptr_nonnull(strstr(err, "too many words"));
    static char big[AW_ENV_OPTS_MAX + 1];
    memset(big, 'x', AW_ENV_OPTS_MAX);
    ck_assert_int_eq(split(big), -1);
    ck_assert_ptr_nonnull(strstr(err, "too long"));
    big[AW_ENV_OPTS_MAX - 1] = '\0';
    ck_assert_int_eq(split(big), 1);
    /* a small buffer is refused, not overrun */
    char tiny[4];
    ck_assert_int_eq(aw_split_words("abcd", tiny, sizeof tiny, sw, 4, err, sizeof err), -1);
    ck_assert_int_eq(aw_split_words("abc", tiny, sizeof tiny, sw, 4, err, sizeof err), 1);
    ck_assert_str_eq(sw[0], "abc");
}
END_TEST

/* parse with AUTOWRAP_OPTS = env */
static enum aw_parse_result parse_env(const char *env, const char *const *words)
{
    static char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)"autowrap";
    for (; *words; words++)
        argv[argc++] = (char *)*words;
    argv[argc] = NULL;
    return aw_parse_options_env(env, argc, argv, &o, err, sizeof err);
}
#define PARSE_ENV(env, ...) parse_env(env, (const char *const[]){__VA_ARGS__, NULL})
#define ENV_OK(env, ...) ck_assert_int_eq(PARSE_ENV(env, __VA_ARGS__), AW_PARSE_OK)
#define ENV_ERR(word, env, ...)                                          \
    do {                                                                 \
        ck_assert_int_eq(PARSE_ENV(env, __VA_ARGS__), AW_PARSE_ERROR);    \
        ck_assert_ptr_null(strchr(err, '\n'));                           \
        ck_assert_msg(strstr(err, word), "'%s' not in '%s'", word, err); \
    } while (0)

START_TEST(env_options)
{
    /* NULL and blank: nothing */
    ENV_OK(NULL, "cmd");
    ck_assert_int_eq(o.debounce_ms, AW_DEFAULT_DEBOUNCE_MS);
    ENV_OK("  ", "cmd");
    ck_assert_int_eq(o.verbosity, 0);
    ck_assert_str_eq(o.argv[0], "cmd");
    /* applied like the command line */
    ENV_OK("-qc -d 100 --stop-timeout=0.5 -i '*.log' -w \"my dir\" --poll", "python3", "a.py");
    ck_assert_int_eq(o.verbosity, -1);
    ck_assert_int_eq(o.clear, 1);
    ck_assert_int_eq(o.debounce_ms, 100);
    ck_assert_int_eq(o.debounce_given, 1);
    ck_assert_int_eq(o.stop_timeout_ms, 500);
    ck_assert_uint_eq(o.nignore, 1);
    ck_assert_str_eq(o.ignore[0], "*.log");
    ck_assert_uint_eq(o.nwatch, 1);
    ck_assert_str_eq(o.watch[0], "my dir");
    ck_assert_int_eq(o.poll_ms, AW_DEFAULT_POLL_MS);
    ck_assert_int_eq(o.argc, 2);
    ck_assert_str_eq(o.argv[0], "python3");
    /* the command line wins; lists add up, the environment's first */
    ENV_OK("-q -d 100 -s HUP -w a -i x --format json --target t",
           "-v", "-d", "7", "--signal=USR1", "-w", "b", "-i", "y", "--format", "make", "cmd");
    ck_assert_int_eq(o.verbosity, 1);
    ck_assert_int_eq(o.debounce_ms, 7);
    ck_assert_int_eq(o.signal, SIGUSR1);
    ck_assert_int_eq(o.format, AW_FMT_MAKE);
    ck_assert_str_eq(o.target, "t");
    ck_assert_uint_eq(o.nwatch, 2);
    ck_assert_str_eq(o.watch[0], "a");
    ck_assert_str_eq(o.watch[1], "b");
    ck_assert_uint_eq(o.nignore, 2);
    ck_assert_str_eq(o.ignore[1], "y");
    ENV_OK("--all", "--ext", "py", "cmd");
    ck_assert_int_eq(o.exts.all, 0);
    ck_assert_str_eq(o.ext_arg, "py");
    ENV_OK("--ext py", "--all", "cmd");
    ck_assert_int_eq(o.exts.all, 1);
    /* --no-listen-pid in the environment, --socket on the command line */
    ENV_OK("--no-listen-pid", "-S", "8000", "cmd");
    ck_assert_int_eq(o.no_listen_pid, 1);
    ck_assert_uint_eq(o.nsockets, 1);
    /* -h and -V work from there too */
    ck_assert_int_eq(PARSE_ENV("--help", "cmd"), AW_PARSE_HELP);
    ck_assert_int_eq(PARSE_ENV("-V", "cmd"), AW_PARSE_VERSION);
    /* errors name AUTOWRAP_OPTS, one line */
    ENV_ERR("AUTOWRAP_OPTS: unknown option '--bogus'", "--bogus", "cmd");
    ENV_ERR("AUTOWRAP_OPTS: unknown option '-Z'", "-qZ", "cmd");
    ENV_ERR("AUTOWRAP_OPTS: option '-d' needs an argument", "-q -d", "cmd");
    ENV_ERR("AUTOWRAP_OPTS: option '--watch' needs an argument", "--watch", "cmd");
    ENV_ERR("AUTOWRAP_OPTS: --debounce: bad number 'soon'", "--debounce=soon", "cmd");
    ENV_ERR("AUTOWRAP_OPTS: --format: unknown format 'xml'", "--format xml", "cmd");
    ENV_ERR("AUTOWRAP_OPTS: 'python3' is not an option", "-q python3", "cmd");
    ENV_ERR("AUTOWRAP_OPTS: '--' is not allowed", "-q -- python3", "cmd");
    ENV_ERR("AUTOWRAP_OPTS: '-' is not an option", "-", "cmd");
    ENV_ERR("AUTOWRAP_OPTS: unterminated ' quote", "-i 'x", "cmd");
    ENV_ERR("AUTOWRAP_OPTS: option '--clear' takes no argument", "--clear=yes", "cmd");
    /* an option's value never comes from the command line */
    ENV_ERR("AUTOWRAP_OPTS: option '-w' needs an argument", "-w", "dir", "cmd");
    /* command-line errors keep their own wording */
    ENV_ERR("missing command", "-q", "-v");
    ENV_ERR("unknown option '--nope'", "-q", "--nope", "cmd");
    ck_assert_ptr_null(strstr(err, "AUTOWRAP_OPTS"));
    ENV_ERR("--no-listen-pid needs --socket", "--no-listen-pid", "cmd");
}
END_TEST

/* Regression (tests/fuzz/fuzz_options): a control byte in the user's words
 * came through into the error, which then spanned lines. */
START_TEST(error_one_line)
{
    ERR("'a\\nb'", "--format", "a\nb", "cmd");
    ERR("'\\t\\x1b[2J\\x7f'", "--signal=\t\x1b[2J\x7f", "cmd");
    ERR("unknown option '-\\x1e'", "-\x1e", "cmd");
    for (const char *p = err; *p; p++)
        ck_assert_int_ge((unsigned char)*p, 0x20);
    /* truncated, never cut inside an escape */
    static char *argv[] = {"autowrap", "--format", "\n\n\n\n", "cmd", NULL};
    char small[28];
    ck_assert_int_eq(aw_parse_options(4, argv, &o, small, sizeof small), AW_PARSE_ERROR);
    ck_assert_str_eq(small, "--format: unknown format '");
    ck_assert_int_eq(aw_parse_options(4, argv, &o, NULL, 0), AW_PARSE_ERROR);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("options");
    TCase *t = tcase_create("parse");
    tcase_add_test(t, defaults);
    tcase_add_test(t, list_and_format);
    tcase_add_test(t, watch_ignore);
    tcase_add_test(t, ext_all);
    tcase_add_test(t, numbers);
    tcase_add_test(t, poll_option);
    tcase_add_test(t, signals);
    tcase_add_test(t, flags);
    tcase_add_test(t, end_of_options);
    tcase_add_test(t, errors);
    tcase_add_test(t, sockets);
    tcase_add_test(t, split_words);
    tcase_add_test(t, env_options);
    tcase_add_test(t, error_one_line);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
