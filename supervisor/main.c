/* autowrap: parse the command line, find the shim, run the loop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shell.h"

#ifndef AUTOWRAP_VERSION
#define AUTOWRAP_VERSION "0.0.0"
#endif

int main(int argc, char **argv)
{
    static struct aw_options opt;
    char err[512];
    enum aw_parse_result r = aw_parse_options_env(getenv(AW_ENV_OPTS), argc, argv, &opt, err,
                                                  sizeof err);
    say_init(r == AW_PARSE_OK ? opt.verbosity : 0);
    switch (r) {
    case AW_PARSE_HELP:
        fputs(aw_usage, stdout);
        return 0;
    case AW_PARSE_VERSION:
        printf("autowrap %s\n", AUTOWRAP_VERSION);
        return 0;
    case AW_PARSE_ERROR:
        say_line(AW_SAY_ERROR, err);
        return 2;
    case AW_PARSE_OK:
        break;
    }
    char shim[4096];
    if (shim_find(shim, sizeof shim, err, sizeof err) != 0) {
        say_line(AW_SAY_ERROR, err);
        return 2;
    }
    FILE *out = NULL;
    if (opt.mode == AW_MODE_LIST) {
        if (opt.output) {
            out = fopen(opt.output, "we");
            if (!out) {
                say(AW_SAY_ERROR, "%s: %s", opt.output, strerror(errno));
                return 2;
            }
        } else {
            out = stdout;
        }
    }
    if (sockets_open(&opt) != 0)
        return 2;
    int code = loop_run(&opt, shim, out);
    sockets_cleanup();
    if (out && out != stdout)
        fclose(out);
    else if (out)
        fflush(out);
    return code;
}
