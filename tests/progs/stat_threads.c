/* stat_threads FILE...: 8 threads stat every FILE 2000 times, then fork; the
 * child stats them again and opens them. Exit 0 when everything succeeded. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int nfiles;
static char **files;

static void *worker(void *arg)
{
    (void)arg;
    struct stat st;
    for (int i = 0; i < 2000; i++)
        for (int k = 0; k < nfiles; k++)
            if (stat(files[k], &st) != 0)
                return (void *)1;
    return NULL;
}

int main(int argc, char **argv)
{
    nfiles = argc - 1;
    files = argv + 1;
    pthread_t t[8];
    for (int i = 0; i < 8; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    int bad = 0;
    for (int i = 0; i < 8; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad |= r != NULL;
    }
    pid_t pid = fork();
    if (pid == 0) {
        struct stat st;
        for (int k = 0; k < nfiles; k++) {
            for (int i = 0; i < 100; i++)
                stat(files[k], &st);
            int fd = open(files[k], O_RDONLY);
            if (fd < 0)
                _exit(1);
            close(fd);
        }
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return bad || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
}
