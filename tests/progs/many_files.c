/* many_files DIR N: creates DIR/f0.json .. f<N-1>.json with raw syscalls
 * (invisible to the shim, so creating them puts nothing in its dedupe
 * table), then open()s each one twice. N beyond the shim's fixed table
 * (32768 slots) overflows it: the test checks that no path is lost. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    long n = atol(argv[2]);
    char p[4096];
    for (long i = 0; i < n; i++) {
        snprintf(p, sizeof p, "%s/f%ld.json", argv[1], i);
        long fd = syscall(SYS_openat, AT_FDCWD, p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            return 1;
        syscall(SYS_close, fd);
    }
    for (int round = 0; round < 2; round++)
        for (long i = 0; i < n; i++) {
            snprintf(p, sizeof p, "%s/f%ld.json", argv[1], i);
            int fd = open(p, O_RDONLY);
            if (fd < 0)
                return 1;
            close(fd);
        }
    return 0;
}
