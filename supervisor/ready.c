/* The check the loop makes right before a START (see ready.h): GNU ld
 * creates its output 0666 and chmods it 0755 only once written, so a start
 * in between fails with EACCES; the core holds the start instead. */
#include "ready.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* 1 ready, 0 not ready, -1 nothing runnable-looking here */
static int check(const char *p)
{
    struct stat sb;
    if (stat(p, &sb) != 0 || !S_ISREG(sb.st_mode))
        return -1;
    return access(p, X_OK) == 0 && sb.st_size > 0;
}

int aw_prog_ready(const char *cmd)
{
    if (!cmd || !*cmd)
        return 1;
    if (strchr(cmd, '/'))
        return check(cmd) != 0;
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    size_t cl = strlen(cmd);
    int seen = 0;
    for (const char *s = path;; ) {
        const char *e = strchr(s, ':');
        size_t dl = e ? (size_t)(e - s) : strlen(s);
        char buf[4096];
        if (dl + 1 + cl < sizeof buf) {
            if (dl == 0) /* an empty entry is the current directory */
                buf[0] = '.', dl = 1;
            else
                memcpy(buf, s, dl);
            buf[dl] = '/';
            memcpy(buf + dl + 1, cmd, cl + 1);
            int r = check(buf);
            if (r == 1)
                return 1;
            if (r == 0)
                seen = 1; /* execvp goes on past EACCES; so do we */
        }
        if (!e)
            break;
        s = e + 1;
    }
    return !seen;
}
