/* What is already in a directory that has just been watched: entries created
 * before the watch existed would otherwise never be reported (a missing
 * path's directory made by `mkdir -p d && echo > d/f` in one go). The loop
 * stats and hands to the core, after the current step, each entry the core
 * wants. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "shell.h"

static char **q;
static size_t qn, qcap, qhead;
static char *cur;

void scan_queue_dir(const struct aw_core *core, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return; /* gone again: its parent's watch will tell */
    size_t dl = strlen(dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t nl = strlen(e->d_name);
        char *p = malloc(dl + 1 + nl + 1);
        if (!p)
            break;
        memcpy(p, dir, dl);
        size_t n = dl;
        if (dl == 0 || dir[dl - 1] != '/')
            p[n++] = '/';
        memcpy(p + n, e->d_name, nl + 1);
        n += nl;
        if (!core_wants_path(core, p, n)) {
            free(p);
            continue;
        }
        if (qn == qcap) {
            size_t c = qcap ? qcap * 2 : 16;
            char **g = realloc(q, c * sizeof *g);
            if (!g) {
                free(p);
                break;
            }
            q = g;
            qcap = c;
        }
        q[qn++] = p;
    }
    closedir(d);
}

const char *scan_next(void)
{
    free(cur);
    cur = NULL;
    if (qhead == qn) {
        qhead = qn = 0;
        return NULL;
    }
    cur = q[qhead++];
    return cur;
}
