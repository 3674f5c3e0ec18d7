/* prefork DIR WORKERS FILES: a pre-fork server in miniature. The parent opens
 * DIR/common/c000.py..c019.py (its configuration), forks WORKERS workers that
 * all wait on one pipe, then releases them at once (closes the pipe): each
 * opens its own DIR/wNNN/fNNNN.py, FILES of them, and prints
 * "worker I NS CPUNS FAULTS" (one write): the wall time its opens took, the
 * CPU time they took (CLOCK_THREAD_CPUTIME_ID: what the worker itself paid,
 * without the time it waited for a CPU while 50 workers share two), and the
 * page faults they took (minor, getrusage). The parent reaps
 * them all and exits 0 (1 if a worker failed). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: prefork DIR WORKERS FILES\n");
        return 2;
    }
    const char *dir = argv[1];
    int workers = atoi(argv[2]), files = atoi(argv[3]);
    char p[4096];
    for (int i = 0; i < 20; i++) {
        snprintf(p, sizeof p, "%s/common/c%03d.py", dir, i);
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            perror(p);
            return 1;
        }
        close(fd);
    }
    int gate[2];
    if (pipe(gate) < 0)
        return 1;
    for (int w = 0; w < workers; w++) {
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        if (pid == 0) {
            close(gate[1]);
            char c;
            if (read(gate[0], &c, 1) < 0) /* EOF: everyone goes */
                _exit(1);
            long long t = clock_ns(CLOCK_MONOTONIC);
            long long c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
            struct rusage r0, r1;
            getrusage(RUSAGE_SELF, &r0);
            for (int i = 0; i < files; i++) {
                snprintf(p, sizeof p, "%s/w%03d/f%04d.py", dir, w, i);
                int fd = open(p, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                    _exit(1);
                close(fd);
            }
            char buf[64];
            long long cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
            getrusage(RUSAGE_SELF, &r1);
            int n = snprintf(buf, sizeof buf, "worker %d %lld %lld %ld\n", w,
                             clock_ns(CLOCK_MONOTONIC) - t, cpu, r1.ru_minflt - r0.ru_minflt);
            _exit(write(1, buf, (size_t)n) == n ? 0 : 1);
        }
    }
    close(gate[0]);
    close(gate[1]);
    int bad = 0, st;
    while (wait(&st) > 0)
        bad |= !WIFEXITED(st) || WEXITSTATUS(st) != 0;
    return bad;
}
