/* old_xstat FILE MISSING: call the pre-2.33 entry points (__xstat64,
 * __lxstat64, __fxstatat64) the way binaries built against older glibc do. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

int old_xstat64(int, const char *, struct stat *);
int old_lxstat64(int, const char *, struct stat *);
int old_fxstatat64(int, int, const char *, struct stat *, int);
__asm__(".symver old_xstat64,__xstat64@GLIBC_2.2.5");
__asm__(".symver old_lxstat64,__lxstat64@GLIBC_2.2.5");
__asm__(".symver old_fxstatat64,__fxstatat64@GLIBC_2.4");

int main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    struct stat st;
    if (old_xstat64(1, argv[1], &st) != 0 || old_xstat64(1, argv[2], &st) == 0)
        return 1;
    if (old_lxstat64(1, argv[3], &st) != 0)
        return 1;
    if (old_fxstatat64(1, AT_FDCWD, argv[3], &st, 0) != 0)
        return 1;
    printf("%lld\n", (long long)st.st_size);
    return 0;
}
