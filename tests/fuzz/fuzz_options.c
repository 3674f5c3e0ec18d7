/* libFuzzer target: the command-line parser (supervisor/options.c).
 *
 * Input: the arguments after argv[0], separated by '\0' (at most 1024).
 * Each argument is a copy of its exact size, so ASan sees any read past its
 * NUL. The parse runs twice, with a 512-byte error buffer (main.c's) and an
 * 8-byte one: the outcome must not depend on the buffer.
 *
 * Oracles: an error is one non-empty line; a success leaves every field in
 * its documented range and COMMAND a non-empty tail of argv; signal names
 * round-trip. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

#define CHECK(c)                                                                    \
    do {                                                                            \
        if (!(c)) {                                                                 \
            fprintf(stderr, "fuzz_options: %s:%d: check failed: %s\n", __FILE__,    \
                    __LINE__, #c);                                                  \
            abort();                                                                \
        }                                                                           \
    } while (0)

#define MAX_ARGS 1024

static struct aw_options o1, o2;

static void check_ok(const struct aw_options *o, int argc, char **argv)
{
    CHECK(o->argc >= 1 && o->argc < argc);
    CHECK(o->argv == argv + (argc - o->argc));
    CHECK(o->argv[0][0] != '\0' && o->argv[o->argc] == NULL);
    CHECK(o->mode == AW_MODE_RUN || o->mode == AW_MODE_LIST);
    CHECK(o->format == AW_FMT_TEXT || o->format == AW_FMT_JSON || o->format == AW_FMT_MAKE);
    CHECK(o->debounce_ms >= 0 && o->debounce_ms <= 3600000);
    CHECK(o->signal >= 0 && o->signal <= 64);
    CHECK(o->stop_signal >= 1 && o->stop_signal <= 64);
    CHECK(o->stop_timeout_ms >= 0);
    CHECK(o->restart_code >= -1 && o->restart_code <= 255);
    CHECK(o->poll_ms >= 0 && o->poll_ms <= 3600000);
    CHECK(o->verbosity >= -1 && o->verbosity <= 1);
    CHECK(o->nwatch <= AW_MAX_LIST && o->nignore <= AW_MAX_LIST);
    for (unsigned i = 0; i < o->nwatch; i++)
        CHECK(o->watch[i] && o->watch[i][0]);
    for (unsigned i = 0; i < o->nignore; i++)
        CHECK(o->ignore[i] && o->ignore[i][0]);
    CHECK(o->nsockets <= AW_MAX_SOCKETS);
    CHECK(!o->no_listen_pid || o->nsockets > 0);
    for (unsigned i = 0; i < o->nsockets; i++) {
        const struct aw_sockaddr *s = &o->sockets[i];
        CHECK(s->family == AF_INET || s->family == AF_INET6 || s->family == AF_UNIX);
        CHECK(s->len > 0 && s->len <= sizeof s->ss);
        CHECK(memchr(s->name, '\0', sizeof s->name) && memchr(s->text, '\0', sizeof s->text));
        CHECK(s->family == AF_UNIX || (s->port >= 0 && s->port <= 65535));
    }
    CHECK(o->exts.n <= AW_EXT_MAX);
    for (unsigned i = 0; i < o->exts.n; i++)
        CHECK(o->exts.len[i] < AW_EXT_LEN && strlen(o->exts.ext[i]) == o->exts.len[i]);
    CHECK(!o->ext_given || o->exts.all || o->ext_arg);
}

static void check_signal(const char *a)
{
    int s = aw_signal_from_name(a);
    CHECK(s == -1 || (s >= 1 && s <= 64));
    if (s > 0) {
        const char *n = aw_signal_name(s);
        CHECK(n && strncmp(n, "SIG", 3) == 0);
        /* Named signals come back by name; SIG32..SIG64 are given by number. */
        if (s < 32)
            CHECK(aw_signal_from_name(n) == s);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = strdup("autowrap");
    size_t i = 0;
    while (i <= size && argc <= MAX_ARGS) {
        const uint8_t *nul = i < size ? memchr(data + i, '\0', size - i) : NULL;
        size_t n = nul ? (size_t)(nul - data) - i : size - i;
        if (!nul && n == 0 && argc > 1)
            break; /* a trailing '\0' ends the list */
        char *a = malloc(n + 1);
        memcpy(a, data + i, n);
        a[n] = '\0';
        argv[argc++] = a;
        i += n + 1;
    }
    argv[argc] = NULL;

    char *err1 = malloc(512), *err2 = malloc(8);
    enum aw_parse_result r1 = aw_parse_options(argc, argv, &o1, err1, 512);
    enum aw_parse_result r2 = aw_parse_options(argc, argv, &o2, err2, 8);
    CHECK(r1 == r2);
    CHECK(r1 == AW_PARSE_OK || r1 == AW_PARSE_HELP || r1 == AW_PARSE_VERSION ||
          r1 == AW_PARSE_ERROR);
    if (r1 == AW_PARSE_ERROR) {
        size_t l1 = strnlen(err1, 512), l2 = strnlen(err2, 8);
        CHECK(l1 > 0 && l1 < 512 && l2 < 8);
        CHECK(strncmp(err1, err2, l2) == 0);
        /* One line on stderr: no control character from argv gets through. */
        for (size_t k = 0; k < l1; k++)
            CHECK((unsigned char)err1[k] >= 0x20 && err1[k] != 0x7f);
    } else if (r1 == AW_PARSE_OK) {
        check_ok(&o1, argc, argv);
        CHECK(o1.argc == o2.argc && o1.mode == o2.mode && o1.nwatch == o2.nwatch);
    }
    CHECK(aw_parse_options(argc, argv, &o2, NULL, 0) == r1);
    for (int k = 1; k < argc; k++)
        check_signal(argv[k]);

    free(err1);
    free(err2);
    for (int k = 0; k < argc; k++)
        free(argv[k]);
    return 0;
}
