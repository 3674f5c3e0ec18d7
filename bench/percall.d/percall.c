/* percall DIR N: ns per stat() call in three cases, N calls each:
 *   untracked  DIR/plain.dat (no tracked extension: a suffix check)
 *   seen       DIR/seen.py stat-ed over and over (dedupe hit after the first)
 *   new        DIR/new0.py .. DIR/new<K-1>.py, each stat-ed once (a new record
 *              every call: normalise, hash, insert, send/trace)
 * Run bare and under LD_PRELOAD=libtrack.so by bench/percall; the program
 * itself knows nothing about the shim. Built by that script with cc -O2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: percall DIR N NEWFILES\n");
        return 2;
    }
    const char *dir = argv[1];
    long n = atol(argv[2]), k = atol(argv[3]);
    char a[4096], b[4096];
    struct stat st;
    snprintf(a, sizeof a, "%s/plain.dat", dir);
    snprintf(b, sizeof b, "%s/seen.py", dir);
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        stat(a, &st);
    double t1 = now_ns();
    for (long i = 0; i < n; i++)
        stat(b, &st);
    double t2 = now_ns();
    /* paths built before timing: the loop measures stat only */
    char (*names)[64] = malloc((size_t)k * 64);
    if (!names)
        return 1;
    for (long i = 0; i < k; i++)
        snprintf(names[i], 64, "%s/new%ld.py", dir, i);
    double t3 = now_ns();
    for (long i = 0; i < k; i++)
        stat(names[i], &st);
    double t4 = now_ns();
    printf("untracked %.1f\nseen %.1f\nnew %.1f\n", (t1 - t0) / n, (t2 - t1) / n, (t4 - t3) / k);
    return 0;
}
