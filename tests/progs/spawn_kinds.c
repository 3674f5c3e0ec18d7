/* spawn_kinds DIR: every way a process tree grows without fork+exec, plus a
 * signal handler that opens files while the main loop is inside stat():
 *   vfork + execve /bin/cat DIR/vfork.json
 *   vfork, no exec: the child stats DIR/vforkstat.json and _exits; then the
 *   parent stats DIR/vforkafter.json (its records name it again)
 *   posix_spawn /bin/cat DIR/spawn.json
 *   clone(SIGCHLD), no exec: the child opens DIR/clone.json (no atfork ran)
 *   clone(CLONE_VM|CLONE_VFORK), no exec: the child stats DIR/clonevm.json
 *   SIGALRM every ms: the handler opens DIR/sig.json; main stats DIR/t.py
 * Prints the pid; exit 0 when everything succeeded. */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static char dir[3000];
static volatile sig_atomic_t hits;

static int ok_wait(pid_t pid)
{
    int st;
    return pid > 0 && waitpid(pid, &st, __WALL) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int clone_child(void *arg)
{
    char p[4096];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, (const char *)arg);
    if (strcmp(arg, "clone.json") == 0) {
        int fd = open(p, O_RDONLY);
        _exit(fd < 0);
    }
    _exit(stat(p, &st) != 0);
}

static void on_alarm(int sig)
{
    (void)sig;
    char p[4096];
    snprintf(p, sizeof p, "%s/sig.json", dir);
    int fd = open(p, O_RDONLY);
    if (fd >= 0) {
        close(fd);
        hits++;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2 || strlen(argv[1]) > 2000)
        return 2;
    strcpy(dir, argv[1]);
    char a[4096], b[4096], t[4096];
    snprintf(a, sizeof a, "%s/vfork.json", dir);
    snprintf(b, sizeof b, "%s/spawn.json", dir);
    snprintf(t, sizeof t, "%s/t.py", dir);
    int bad = 0;

    pid_t pid = vfork();
    if (pid == 0) {
        char *av[] = {"cat", a, NULL};
        execve("/bin/cat", av, environ);
        _exit(127);
    }
    bad |= !ok_wait(pid);

    char vs[4096], va[4096];
    struct stat vst;
    snprintf(vs, sizeof vs, "%s/vforkstat.json", dir);
    snprintf(va, sizeof va, "%s/vforkafter.json", dir);
    pid = vfork();
    if (pid == 0)
        _exit(stat(vs, &vst) != 0);
    bad |= !ok_wait(pid);
    bad |= stat(va, &vst) != 0;

    char *av2[] = {"cat", b, NULL};
    bad |= posix_spawn(&pid, "/bin/cat", NULL, NULL, av2, environ) != 0 || !ok_wait(pid);

    static char stack1[1 << 16], stack2[1 << 16];
    pid = clone(clone_child, stack1 + sizeof stack1, SIGCHLD, "clone.json");
    bad |= !ok_wait(pid);
    pid = clone(clone_child, stack2 + sizeof stack2, CLONE_VM | CLONE_VFORK | SIGCHLD,
                "clonevm.json");
    bad |= !ok_wait(pid);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 1000}, {0, 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
    struct stat st;
    for (long i = 0; hits < 50 && i < 100000000; i++)
        bad |= stat(t, &st) != 0;
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_REAL, &it, NULL);
    bad |= hits < 50;
    printf("%d\n", (int)getpid());
    return bad;
}
