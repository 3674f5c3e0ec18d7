/* Reads what contention.c decides from. Asked per closed file, so the
 * answer is kept for a few milliseconds: a burst of files is one read, and
 * a save after a pause sees the machine as it is now.
 *
 * A "busy" answer that rests on the tasks runnable at this instant alone is
 * read twice, SECOND_LOOK_US apart. At the moment a file
 * is closed the writer is still on its CPU and we are on ours, so on two
 * CPUs a single passing task (a kworker flushing the write, the writer's
 * other thread) made a quiet machine look busy: a save of a 2000-module app
 * waited the whole 50 ms window on every edit (bench/restart-breakdown
 * --modules 2000). Load that lasts is still there a moment later. */
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "contention.h"
#include "shell.h"

#define KEEP_MS 10
#define SECOND_LOOK_US 1000

int cpu_contended(int64_t now_ms)
{
    static int64_t at = -1;
    static int last;
    if (at >= 0 && now_ms - at < KEEP_MS)
        return last;
    at = now_ms;
    char psi[256], la[128];
    const char *p = read_small("/proc/pressure/cpu", psi, sizeof psi) > 0 ? psi : NULL;
    const char *l = read_small("/proc/loadavg", la, sizeof la) > 0 ? la : NULL;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    last = aw_contended(p, l, cpus);
    if (last && !aw_contended_lasting(p, l, cpus)) {
        struct timespec ts = {0, SECOND_LOOK_US * 1000L};
        nanosleep(&ts, NULL);
        l = read_small("/proc/loadavg", la, sizeof la) > 0 ? la : NULL;
        last = aw_contended(p, l, cpus);
    }
    return last;
}
