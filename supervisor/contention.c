/* Two signs, because either alone misses what stalls a tool's writer. The
 * pressure stall average (the share of the last 10 s in which a runnable
 * task waited for a CPU) misses load that began a moment ago, such as a
 * parallel test run's next suite; the count of tasks runnable right now
 * (/proc/loadavg's "R/T") catches it. Without pressure information
 * (before Linux 4.20) the 1-minute load average stands in for the first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contention.h"

#define PSI_CONTENDED 10.0 /* % of the last 10 s with a task waiting for a CPU */

/* "some avg10=X": X, or -1 */
static double psi_some(const char *psi)
{
    const char *p = psi ? strstr(psi, "some avg10=") : NULL;
    if (!p)
        return -1;
    char *end;
    double v = strtod(p + 11, &end);
    return end == p + 11 ? -1 : v;
}

/* "L1 L5 L15 R/T LAST": the 1-minute load and R */
static int loadavg_fields(const char *la, double *load1, long *running)
{
    return la && sscanf(la, "%lf %*s %*s %ld/", load1, running) == 2 ? 0 : -1;
}

/* RUNNABLE: count the tasks runnable at this instant too */
static int judge(const char *psi, const char *loadavg, long cpus, int runnable)
{
    if (cpus < 1)
        cpus = 1;
    double some = psi_some(psi), load1;
    long running;
    int have_la = loadavg_fields(loadavg, &load1, &running) == 0;
    if (some >= PSI_CONTENDED)
        return 1;
    if (runnable && have_la && running - 1 >= cpus) /* besides the reader, every CPU taken */
        return 1;
    if (some < 0 && have_la && load1 > (double)cpus)
        return 1;
    return some < 0 && !have_la; /* cannot tell: the careful window */
}

int aw_contended(const char *psi, const char *loadavg, long cpus)
{
    return judge(psi, loadavg, cpus, 1);
}

int aw_contended_lasting(const char *psi, const char *loadavg, long cpus)
{
    return judge(psi, loadavg, cpus, 0);
}
