/* stat_kinds DIR: stat a.py, lstat b.py (a file), lstat link.py (a symlink
 * to a.py's sibling c.py), statx d.py (full mask) and e.py (STATX_SIZE
 * only), fstatat(dirfd, "f.py"). Each call reaches the shim with the
 * program's own result; the record's identity must be the file's (for the
 * link: its target's). Exit 0 when every call succeeded. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    char p[4096];
    struct stat st;
    struct statx sx;
    int bad = 0;
    snprintf(p, sizeof p, "%s/a.py", argv[1]);
    bad |= stat(p, &st) != 0;
    snprintf(p, sizeof p, "%s/b.py", argv[1]);
    bad |= lstat(p, &st) != 0;
    snprintf(p, sizeof p, "%s/link.py", argv[1]);
    bad |= lstat(p, &st) != 0 || !S_ISLNK(st.st_mode);
    snprintf(p, sizeof p, "%s/d.py", argv[1]);
    bad |= statx(AT_FDCWD, p, 0, STATX_BASIC_STATS, &sx) != 0;
    snprintf(p, sizeof p, "%s/e.py", argv[1]);
    bad |= statx(AT_FDCWD, p, 0, STATX_SIZE, &sx) != 0;
    int d = open(argv[1], O_RDONLY | O_DIRECTORY);
    bad |= d < 0 || fstatat(d, "f.py", &st, 0) != 0;
    return bad;
}
