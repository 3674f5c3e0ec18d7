/* execvp's PATH search, for the supervisor's looks at the file a generation
 * will exec (its libc flavour, whether it is executable yet). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shell.h"

static const char path_end[1];

const char *aw_path_next(const char *file, const char **it, char *out, size_t cap)
{
    for (;;) {
        if (*it == path_end)
            return NULL;
        if (strchr(file, '/')) {
            *it = path_end;
            return file;
        }
        if (!*it && !(*it = getenv("PATH")))
            *it = "/bin:/usr/bin"; /* glibc execvp's default */
        const char *s = *it, *e = strchr(s, ':');
        size_t dl = e ? (size_t)(e - s) : strlen(s);
        *it = e ? e + 1 : path_end;
        /* an empty entry is the current directory */
        int n = snprintf(out, cap, "%.*s/%s", (int)(dl ? dl : 1), dl ? s : ".", file);
        if (n > 0 && (size_t)n < cap)
            return out;
    }
}
