/* Is the machine's CPU contended right now? A tool writing many files
 * (checkout, formatter) stalls between two of them when it waits for a
 * CPU, so the short quiet window for a landed save is only taken on a
 * machine that is not. Linux's pressure stall information says how much of
 * the last 10 s runnable tasks spent waiting (/proc/pressure/cpu, 4.20+);
 * without it, the 1-minute load average against the CPU count. Read at most
 * every 250 ms: it is asked per closed file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shell.h"

#define PSI_CONTENDED 10.0 /* % of the last 10 s with a task waiting for a CPU */

static int read_psi(double *some)
{
    char buf[256];
    if (read_small("/proc/pressure/cpu", buf, sizeof buf) <= 0)
        return -1;
    const char *p = strstr(buf, "some avg10=");
    if (!p)
        return -1;
    *some = strtod(p + 11, NULL);
    return 0;
}

int cpu_contended(int64_t now_ms)
{
    static int64_t at = -1;
    static int last;
    if (at >= 0 && now_ms - at < 250)
        return last;
    at = now_ms;
    double some, load;
    if (read_psi(&some) == 0) {
        last = some >= PSI_CONTENDED;
    } else if (getloadavg(&load, 1) == 1) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        last = load > (double)(cpus > 0 ? cpus : 1);
    } else {
        last = 1; /* cannot tell: the careful window */
    }
    return last;
}
