/* Is the machine's CPU contended? Decided from the texts of
 * /proc/pressure/cpu and /proc/loadavg, so tests can step it; pressure.c
 * reads them. */
#ifndef AUTOWRAP_CONTENTION_H
#define AUTOWRAP_CONTENTION_H

/* psi and loadavg are the files' contents, NULL when unreadable; cpus is
 * the number of CPUs online. 1 when a writer may wait for a CPU between
 * two files, 0 when not, 1 when neither file says. */
int aw_contended(const char *psi, const char *loadavg, long cpus);
/* The same without the tasks runnable at this instant: what the averages
 * say (or that nothing can be told), which a moment later will not change */
int aw_contended_lasting(const char *psi, const char *loadavg, long cpus);

#endif
