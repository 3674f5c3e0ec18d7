/* Preloaded into autowrap itself by test_watch_edges.py: right before autowrap
 * adds its inotify watch on $AW_RACE_DIR, append a newline to $AW_RACE_FILE
 * (with AW_RACE_CREATE=1, creating it: a module made between the program's
 * listing of the directory and the watch).
 * That is an editor's save landing after autowrap looked at the file a
 * record named and before the watch that would have reported the save,
 * a window of microseconds that a test cannot hit by timing. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int inotify_add_watch(int fd, const char *path, uint32_t mask)
{
    static int (*real)(int, const char *, uint32_t);
    static int done;
    if (!real)
        real = (int (*)(int, const char *, uint32_t))dlsym(RTLD_NEXT, "inotify_add_watch");
    const char *dir = getenv("AW_RACE_DIR"), *file = getenv("AW_RACE_FILE");
    if (!done && dir && file && strcmp(path, dir) == 0) {
        done = 1;
        const char *create = getenv("AW_RACE_CREATE");
        int f = open(file, O_WRONLY | O_APPEND | O_CLOEXEC |
                               (create && strcmp(create, "1") == 0 ? O_CREAT : 0), 0644);
        if (f >= 0) {
            ssize_t w = write(f, "\n", 1);
            (void)w;
            close(f);
        }
    }
    return real ? real(fd, path, mask) : -1;
}

/* autowrap's children are not to carry this hook */
__attribute__((constructor)) static void drop_from_environment(void)
{
    unsetenv("LD_PRELOAD");
}
