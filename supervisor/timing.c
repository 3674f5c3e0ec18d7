/* AUTOWRAP_DEBUG_TIMING=1: a monotonic stamp on stderr at each phase of a
 * restart, for bench/restart-breakdown. Off by default; when off, a call
 * costs one test of a cached flag. One line per stamp, one write():
 *   [autowrap-timing] <CLOCK_MONOTONIC ns> <phase> <pid>
 * (CLOCK_MONOTONIC is the clock of Python's time.monotonic_ns(), so the
 * stamps line up with the ones the benchmarked programs print). Safe in a
 * forked child before exec: no allocation, no stdio. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shell.h"

static int enabled = -1;

int aw_timing_on(void)
{
    if (enabled < 0) {
        const char *v = getenv("AUTOWRAP_DEBUG_TIMING");
        enabled = v && *v && strcmp(v, "0") != 0;
    }
    return enabled;
}

void aw_timing(const char *phase)
{
    if (!aw_timing_on())
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
