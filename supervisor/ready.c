/* The check the loop makes right before a START (see ready.h): GNU ld
 * creates its output 0666 and chmods it 0755 only once written, so a start
 * in between fails with EACCES; the core holds the start instead. */
#include "ready.h"
#include "shell.h"

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
    char buf[4096];
    const char *it = NULL, *p;
    int seen = 0;
    while ((p = aw_path_next(cmd, &it, buf, sizeof buf))) {
        int r = check(p);
        if (r == 1)
            return 1;
        if (r == 0)
            seen = 1; /* execvp goes on past EACCES; so do we */
    }
    return !seen;
}
