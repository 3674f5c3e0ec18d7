/* errno_check DIR: under the shim, return values and errno must be exactly
 * what libc gives. Prints "ok" or the first mismatch. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECK(cond, what)                                                                    \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            printf("FAIL %s errno=%d\n", what, errno);                                       \
            return 1;                                                                        \
        }                                                                                    \
    } while (0)

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]) != 0)
        return 2;
    struct stat st;
    errno = 0;
    CHECK(stat("missing.py", &st) == -1 && errno == ENOENT, "stat missing");
    errno = 0;
    CHECK(lstat("missing.json", &st) == -1 && errno == ENOENT, "lstat missing");
    errno = 0;
    CHECK(access("nodir/x.py", R_OK) == -1 && errno == ENOENT, "access missing");
    errno = 0;
    CHECK(open("missing.py", O_RDONLY) == -1 && errno == ENOENT, "open missing");
    errno = 0;
    CHECK(fopen("missing.py", "r") == NULL && errno == ENOENT, "fopen missing");
    errno = 0;
    CHECK(stat("present.py/x", &st) == -1 && errno == ENOTDIR, "stat enotdir");
    /* Success must not clobber errno. */
    errno = 12345;
    CHECK(stat("present.py", &st) == 0 && errno == 12345, "stat ok keeps errno");
    errno = 777;
    int fd = open("present.py", O_RDONLY);
    CHECK(fd >= 0 && errno == 777, "open ok keeps errno");
    /* The next descriptor libc hands out is the lowest free one, as without us. */
    int fd2 = open("present.py", O_RDONLY);
    CHECK(fd2 == fd + 1, "fd numbering");
    close(fd2);
    close(fd);
    errno = 0;
    CHECK(open("present.py", O_RDONLY | O_DIRECTORY) == -1 && errno == ENOTDIR, "O_DIRECTORY");
    errno = 0;
    int w = open("written.py", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(w >= 0, "open for write");
    close(w);
    errno = 0;
    CHECK(open("/", O_WRONLY) == -1 && errno == EISDIR, "EISDIR");
    printf("ok\n");
    return 0;
}
