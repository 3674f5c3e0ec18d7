/* shim_calls DIR THREADS CALLS FORKS: THREADS threads each make CALLS calls
 * that the shim intercepts, cycling through open, openat (dirfd-relative),
 * stat on a path with "./" and "..", lstat, access, fstatat, statx, and stat
 * of a missing name that is new every time (so the per-process table of
 * reported paths fills up and stays full). FORKS times per thread, spread over
 * its calls, a fork whose child makes 1000 calls from its one thread, fopen
 * and opendir among them, and exits through exit() (so a leak checker runs
 * in it too). The main thread makes 1000 such calls after the join.
 *
 * The threads' calls allocate nothing: a child forked while another thread is
 * inside fopen would inherit that thread's half-made FILE with nothing
 * pointing to it, a leak of the fork, not of the shim.
 *
 * Names: DIR/t0..t7.json (tracked), DIR/u0..u7.dat (untracked), DIR/sub/ (a
 * directory), DIR/miss-T-I.py (missing). Every result is checked: the call
 * succeeds or fails as the files say, with errno ENOENT for the missing
 * ones. Prints "calls N pid P" (N counts every process's calls) and exits 0
 * when everything was as expected; 1 (with the failing call on stderr)
 * otherwise. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *dir;
static long ncalls, nforks;
static int dirfd_;
static pthread_t *threads;
static char tracked[8][4096], untracked[8][4096], dotted[8][4096], subdir[4096];

static int bad(const char *what, const char *path)
{
    fprintf(stderr, "shim_calls: %s %s: %s\n", what, path, strerror(errno));
    return 1;
}

/* Call number i of thread id; 0 when it went as expected. Only a process's
 * single thread (alloc) takes the fopen and opendir turns. */
static int one(long id, long i, int alloc)
{
    struct stat st;
    int k = (int)(i / 10 % 8);
    char miss[4200], rel[32];
    FILE *f;
    DIR *d;
    int fd;
    long turn = i % 10;
    if (!alloc && (turn == 7 || turn == 8))
        turn = 9;
    switch (turn) {
    case 0:
        if ((fd = open(tracked[k], O_RDONLY | O_CLOEXEC)) < 0)
            return bad("open", tracked[k]);
        close(fd);
        return 0;
    case 1:
        snprintf(rel, sizeof rel, "t%d.json", k);
        if ((fd = openat(dirfd_, rel, O_RDONLY | O_CLOEXEC)) < 0)
            return bad("openat", rel);
        close(fd);
        return 0;
    case 2:
        return stat(dotted[k], &st) ? bad("stat", dotted[k]) : 0;
    case 3:
        return lstat(untracked[k], &st) ? bad("lstat", untracked[k]) : 0;
    case 4:
        return access(tracked[k], R_OK) ? bad("access", tracked[k]) : 0;
    case 5:
        snprintf(rel, sizeof rel, "u%d.dat", k);
        return fstatat(dirfd_, rel, &st, 0) ? bad("fstatat", rel) : 0;
    case 6: {
        struct statx sx;
        return statx(AT_FDCWD, tracked[k], 0, STATX_BASIC_STATS, &sx) ? bad("statx", tracked[k])
                                                                       : 0;
    }
    case 7:
        if (!(f = fopen(k % 2 ? tracked[k] : untracked[k], "re")))
            return bad("fopen", tracked[k]);
        fclose(f);
        return 0;
    case 8:
        if (!(d = opendir(subdir)))
            return bad("opendir", subdir);
        closedir(d);
        return 0;
    default:
        snprintf(miss, sizeof miss, "%s/miss-%ld-%ld.py", dir, id, i);
        errno = 0;
        if (stat(miss, &st) == 0 || errno != ENOENT)
            return bad("stat (missing)", miss);
        return 0;
    }
}

static void *worker(void *arg)
{
    long id = (long)arg;
    long every = nforks ? ncalls / nforks : ncalls + 1;
    long kids = 0;
    pid_t pids[64];
    for (long i = 0; i < ncalls; i++) {
        if (one(id, i, 0))
            return (void *)-1L;
        if (nforks && i % every == every / 2 && kids < 64) {
            pid_t p = fork();
            if (p < 0)
                return (void *)-1L;
            if (p == 0) {
                for (long j = 0; j < 1000; j++)
                    if (one(1000 + id * 64 + kids, j, 1))
                        exit(1);
                exit(0);
            }
            pids[kids++] = p;
        }
    }
    for (long k = 0; k < kids; k++) {
        int status;
        if (waitpid(pids[k], &status, 0) != pids[k] || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
            fprintf(stderr, "shim_calls: child %d failed (status %#x)\n", (int)pids[k], status);
            return (void *)-1L;
        }
    }
    return (void *)kids;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: shim_calls DIR THREADS CALLS FORKS\n");
        return 2;
    }
    dir = argv[1];
    int nthreads = atoi(argv[2]);
    ncalls = atol(argv[3]);
    nforks = atol(argv[4]);
    if (nthreads < 1 || nthreads > 256 || ncalls < 1 || nforks < 0 || nforks > 64) {
        fprintf(stderr, "shim_calls: bad arguments\n");
        return 2;
    }
    for (int k = 0; k < 8; k++) {
        snprintf(tracked[k], sizeof tracked[k], "%s/t%d.json", dir, k);
        snprintf(untracked[k], sizeof untracked[k], "%s/u%d.dat", dir, k);
        snprintf(dotted[k], sizeof dotted[k], "%s/./sub/../t%d.json", dir, k);
    }
    snprintf(subdir, sizeof subdir, "%s/sub", dir);
    if ((dirfd_ = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return bad("open", dir);
    /* a global: a child forked by a worker still reaches it (its leak
     * checker does not see the main thread's stack) */
    threads = calloc((size_t)nthreads, sizeof *threads);
    pthread_t *t = threads;
    if (!t)
        return 1;
    for (long i = 0; i < nthreads; i++)
        if (pthread_create(&t[i], NULL, worker, (void *)i) != 0)
            return bad("pthread_create", "");
    int failed = 0;
    long kids = 0;
    for (int i = 0; i < nthreads; i++) {
        void *r;
        pthread_join(t[i], &r);
        if ((long)r < 0)
            failed = 1;
        else
            kids += (long)r;
    }
    free(threads);
    threads = NULL;
    for (long j = 0; j < 1000 && !failed; j++)
        failed = one(999, j, 1);
    close(dirfd_);
    if (failed)
        return 1;
    printf("calls %ld pid %d\n", nthreads * ncalls + kids * 1000 + 1000, (int)getpid());
    return 0;
}
