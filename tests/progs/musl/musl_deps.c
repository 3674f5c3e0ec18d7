/* Built with musl-gcc: makes each kind of file-level call through musl's own
 * entry points (musl's fopen/opendir call its internal open directly, so the
 * shim must interpose them explicitly). Usage:
 *   musl_deps READ.json STAT.json OPEN.py MISSING.json DIR LIB.so [EXEC ARG...]
 * then execs EXEC (a script, a glibc or a musl program) if given. */
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: musl_deps READ STAT OPEN MISSING DIR LIB [EXEC ARG...]\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f)
        return 3;
    fclose(f);
    struct stat st;
    if (stat(argv[2], &st) != 0)
        return 4;
    int fd = open(argv[3], O_RDONLY);
    if (fd < 0)
        return 5;
    close(fd);
    if (access(argv[4], R_OK) == 0)
        return 6;
    DIR *d = opendir(argv[5]);
    if (!d)
        return 7;
    closedir(d);
    if (!dlopen(argv[6], RTLD_NOW))
        return 8;
    printf("musl_deps ok\n");
    fflush(stdout);
    if (argc > 7) {
        execv(argv[7], argv + 7);
        return 9;
    }
    return 0;
}
