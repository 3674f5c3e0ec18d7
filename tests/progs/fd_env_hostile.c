/* fd_env_hostile DIR MODE: does one hostile thing to inherited state, then
 * opens DIR/after.json (directly, or in the program it execs):
 *   close_range  close_range(3, ~0U, 0)
 *   closefrom    closefrom(3)
 *   dup2         dup2 a file (DIR/sink.bin) onto every socket fd above 2
 *   dup3         the same with dup3()
 *   sysdup2      the same with syscall(SYS_dup2, ...) (how libuv does it)
 *   tracedup2    syscall(SYS_dup2) of the sink onto every fd above 2 that
 *                names DIR/trace.txt (the shim's AUTOWRAP_TRACE file)
 *   rawclose     close every socket fd above 2 with the syscall instruction
 *                itself (no libc: the shim cannot see it)
 *   preload      exec cat with its own LD_PRELOAD (DIR/../none.so is absent)
 *   emptyenv     execve cat with a NULL envp
 *   clearenv     clearenv(), PATH only, execvp cat (sudo-style reset)
 * Exit 0 when everything succeeded. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Apply HOW to every fd above 2 whose /proc/self/fd link starts with
 * PREFIX (or ends with SUFFIX); returns how many. */
static int attack(const char *sink, const char *prefix, const char *suffix, const char *how)
{
    int fd = open(sink, O_WRONLY | O_CREAT, 0644);
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d))) {
        char l[300], t[4096];
        snprintf(l, sizeof l, "/proc/self/fd/%s", e->d_name);
        ssize_t r = readlink(l, t, sizeof t - 1);
        int k = atoi(e->d_name);
        if (r <= 0 || k <= 2 || k == dirfd(d) || k == fd)
            continue;
        t[r] = '\0';
        size_t sl = suffix ? strlen(suffix) : 0;
        if (prefix ? strncmp(t, prefix, strlen(prefix)) != 0
                   : ((size_t)r < sl || strcmp(t + r - sl, suffix) != 0))
            continue;
        if (strcmp(how, "dup2") == 0) {
            n += dup2(fd, k) == k;
        } else if (strcmp(how, "dup3") == 0) {
            n += dup3(fd, k, 0) == k;
        } else if (strcmp(how, "sysdup2") == 0) {
            n += syscall(SYS_dup2, fd, k) == k;
        } else { /* rawclose */
            long ret;
            __asm__ volatile("syscall" : "=a"(ret) : "a"((long)SYS_close), "D"((long)k)
                             : "rcx", "r11", "memory");
            n += ret == 0;
        }
    }
    if (d)
        closedir(d);
    return n;
}

static int run(char *const av[], char *const env[], int use_path)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (use_path)
            execvp(av[0], av);
        else
            execve(av[0], av, env);
        _exit(127);
    }
    int st;
    return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    const char *m = argv[2];
    char after[4096], sink[4096];
    snprintf(after, sizeof after, "%s/after.json", argv[1]);
    snprintf(sink, sizeof sink, "%s/sink.bin", argv[1]);
    char *cat[] = {"/bin/cat", after, NULL};
    if (strcmp(m, "close_range") == 0) {
        if (close_range(3, ~0U, 0) != 0)
            return 1;
    } else if (strcmp(m, "closefrom") == 0) {
        closefrom(3);
    } else if (strcmp(m, "dup2") == 0 || strcmp(m, "dup3") == 0 || strcmp(m, "sysdup2") == 0 ||
               strcmp(m, "rawclose") == 0) {
        if (attack(sink, "socket:", NULL, m) == 0)
            return 3; /* found no shim descriptor to attack */
    } else if (strcmp(m, "tracedup2") == 0) {
        if (attack(sink, NULL, "/trace.txt", "sysdup2") == 0)
            return 3;
    } else if (strcmp(m, "preload") == 0) {
        char lp[4200];
        snprintf(lp, sizeof lp, "LD_PRELOAD=%s/libnone-aw.so", argv[1]);
        char *env[] = {lp, "PATH=/usr/bin:/bin", NULL};
        return !run(cat, env, 0);
    } else if (strcmp(m, "emptyenv") == 0) {
        return !run(cat, NULL, 0);
    } else if (strcmp(m, "clearenv") == 0) {
        clearenv();
        setenv("PATH", "/usr/bin:/bin", 1);
        char *c2[] = {"cat", after, NULL};
        return !run(c2, NULL, 1);
    } else {
        return 2;
    }
    int fd = open(after, O_RDONLY);
    return fd < 0;
}
