/* fd_env_hostile DIR MODE: does one hostile thing to inherited state, then
 * opens DIR/after.json (directly, or in the program it execs):
 *   close_range  close_range(3, ~0U, 0)
 *   closefrom    closefrom(3)
 *   dup2         dup2 a file (DIR/sink.bin) onto every socket fd above 2
 *   preload      exec cat with its own LD_PRELOAD (DIR/../none.so is absent)
 *   emptyenv     execve cat with a NULL envp
 *   clearenv     clearenv(), PATH only, execvp cat (sudo-style reset)
 * Exit 0 when everything succeeded. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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
    } else if (strcmp(m, "dup2") == 0) {
        int fd = open(sink, O_WRONLY | O_CREAT, 0644);
        DIR *d = opendir("/proc/self/fd");
        struct dirent *e;
        int n = 0;
        while (d && (e = readdir(d))) {
            char l[300], t[256];
            snprintf(l, sizeof l, "/proc/self/fd/%s", e->d_name);
            ssize_t r = readlink(l, t, sizeof t - 1);
            int k = atoi(e->d_name);
            if (r > 0 && k > 2 && strncmp(t, "socket:", 7) == 0 && k != dirfd(d))
                n += dup2(fd, k) == k;
        }
        if (d)
            closedir(d);
        if (n == 0)
            return 3; /* found no shim descriptor to attack */
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
