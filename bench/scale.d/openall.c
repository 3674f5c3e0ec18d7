/* openall LIST CHANGED [--once]: bench/scale's program. Reads the number at
 * the start of CHANGED and prints "gen VALUE MONOTONIC_NS" (one write), then
 * opens and closes every path listed in LIST (one a line), prints
 * "opened COUNT MONOTONIC_NS" and sleeps until killed (exits with --once).
 * The first line comes before the opens, so a restart's latency is the
 * supervisor's, not the time to open LIST's files again. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void say(const char *fmt, long a, long long b)
{
    char buf[128];
    int n = snprintf(buf, sizeof buf, fmt, a, b);
    if (n > 0 && write(1, buf, (size_t)n) < 0)
        _exit(3);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: openall LIST CHANGED [--once]\n");
        return 2;
    }
    char v[64] = {0};
    int fd = open(argv[2], O_RDONLY);
    if (fd < 0 || read(fd, v, sizeof v - 1) < 0) {
        perror(argv[2]);
        return 1;
    }
    close(fd);
    say("gen %ld %lld\n", atol(v), mono_ns());
    FILE *f = fopen(argv[1], "re");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    char line[4096];
    long n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        int d = open(line, O_RDONLY | O_CLOEXEC);
        if (d >= 0) {
            close(d);
            n++;
        }
    }
    fclose(f);
    say("opened %ld %lld\n", n, mono_ns());
    if (argc > 3 && strcmp(argv[3], "--once") == 0)
        return 0;
    for (;;)
        pause();
}
