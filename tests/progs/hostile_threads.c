/* hostile_threads DIR THREADS OPS FORKS: THREADS threads each do OPS calls,
 * alternating stat() and open()+close() over DIR/t0..t7.json (tracked) and
 * DIR/u0..u7.dat (untracked); FORKS times per thread, in between, a fork()
 * whose child stats DIR/c<thread*FORKS+k>.py (one file per child, tracked)
 * and opens t0.json, then _exits. Prints the parent's pid; exit 0 when every
 * call succeeded. The test counts the records per pid. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *dir;
static long ops, forks;
static char names[16][4096];

static void *worker(void *arg)
{
    long id = (long)arg;
    long every = forks ? ops / forks : ops + 1;
    struct stat st;
    for (long i = 0; i < ops; i++) {
        const char *p = names[(i + id) % 16];
        if (i % 2) {
            if (stat(p, &st) != 0)
                return (void *)1;
        } else {
            int fd = open(p, O_RDONLY);
            if (fd < 0)
                return (void *)1;
            close(fd);
        }
        if (forks && i % every == every - 1) {
            char c[4096];
            snprintf(c, sizeof c, "%s/c%ld.py", dir, id * forks + i / every);
            pid_t pid = fork();
            if (pid == 0) {
                int fd = open(names[0], O_RDONLY);
                _exit(stat(c, &st) != 0 || fd < 0);
            }
            int status;
            if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
                WEXITSTATUS(status) != 0)
                return (void *)1;
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 5)
        return 2;
    dir = argv[1];
    long nt = atol(argv[2]);
    ops = atol(argv[3]);
    forks = atol(argv[4]);
    for (int i = 0; i < 8; i++) {
        snprintf(names[i], sizeof names[i], "%s/t%d.json", dir, i);
        snprintf(names[8 + i], sizeof names[i], "%s/u%d.dat", dir, i);
    }
    pthread_t *t = calloc((size_t)nt, sizeof *t);
    if (!t)
        return 1;
    for (long i = 0; i < nt; i++)
        if (pthread_create(&t[i], NULL, worker, (void *)i) != 0)
            return 1;
    int bad = 0;
    for (long i = 0; i < nt; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad |= r != NULL;
    }
    printf("%d\n", (int)getpid());
    return bad;
}
