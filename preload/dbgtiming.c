/* AUTOWRAP_DEBUG_TIMING=1: stamps around the shim's constructor, in the
 * format of supervisor/timing.c, for bench/restart-breakdown (where the
 * milliseconds between exec and the program's first line go). Off by
 * default: then a call is one getenv at start-up. No allocation, no stdio.
 * Off, whatever the environment says, in a process with elevated rights
 * (AT_SECURE), like the rest of the shim: the first stamp comes before the
 * constructor's own check. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shim.h"

void aw_dbg_timing(const char *phase)
{
    static int on = -1;
    if (on < 0) {
        int saved = errno; /* aw_secure_process may set it */
        const char *v = aw_secure_process() ? NULL : getenv("AUTOWRAP_DEBUG_TIMING");
        on = v && *v && strcmp(v, "0") != 0;
        errno = saved;
    }
    if (!on)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    char buf[128];
    int n = snprintf(buf, sizeof buf, "[autowrap-timing] %lld %s %ld\n",
                     (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, phase, (long)getpid());
    if (n > 0 && (size_t)n < sizeof buf) {
        ssize_t w = write(2, buf, (size_t)n);
        (void)w;
    }
}
