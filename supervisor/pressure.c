/* Reads what contention.c decides from. Asked per closed file, so the
 * answer is kept for a few milliseconds: a burst of files is one read, and
 * a save after a pause sees the machine as it is now. */
#include <stdint.h>
#include <unistd.h>

#include "contention.h"
#include "shell.h"

#define KEEP_MS 10

int cpu_contended(int64_t now_ms)
{
    static int64_t at = -1;
    static int last;
    if (at >= 0 && now_ms - at < KEEP_MS)
        return last;
    at = now_ms;
    char psi[256], la[128];
    int have_psi = read_small("/proc/pressure/cpu", psi, sizeof psi) > 0;
    int have_la = read_small("/proc/loadavg", la, sizeof la) > 0;
    last = aw_contended(have_psi ? psi : NULL, have_la ? la : NULL, sysconf(_SC_NPROCESSORS_ONLN));
    return last;
}
