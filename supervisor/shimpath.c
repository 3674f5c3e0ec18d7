/* Where is libtrack.so? $AUTOWRAP_LIB, else next to the executable in the
 * build tree (../preload/libtrack.so), else the installed location
 * (../<libdir>/autowrap/libtrack.so). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../preload/wire.h"
#include "shell.h"

#ifndef AUTOWRAP_INSTALL_LIBDIR
#define AUTOWRAP_INSTALL_LIBDIR "lib"
#endif

static int usable(const char *p)
{
    return access(p, R_OK) == 0;
}

int shim_find(char *out, size_t cap, char *err, size_t errlen)
{
    const char *env = getenv(AW_ENV_LIB);
    if (env && *env) {
        char abs[PATH_MAX];
        if (!usable(env) || !realpath(env, abs)) {
            snprintf(err, errlen, "%s=%s: no such shim (libtrack.so)", AW_ENV_LIB, env);
            return -1;
        }
        if (strlen(abs) >= cap || strchr(abs, ':') || strchr(abs, ' ')) {
            snprintf(err, errlen, "%s=%s: unusable path for LD_PRELOAD", AW_ENV_LIB, env);
            return -1;
        }
        strcpy(out, abs);
        return 0;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        snprintf(err, errlen, "cannot find own executable; set %s", AW_ENV_LIB);
        return -1;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    const char *cands[] = {"/../preload/libtrack.so",
                           "/../" AUTOWRAP_INSTALL_LIBDIR "/autowrap/libtrack.so"};
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++) {
        char p[PATH_MAX + 64], abs[PATH_MAX];
        snprintf(p, sizeof p, "%s%s", exe, cands[i]);
        if (usable(p) && realpath(p, abs) && strlen(abs) < cap && !strchr(abs, ':') &&
            !strchr(abs, ' ')) {
            strcpy(out, abs);
            return 0;
        }
    }
    snprintf(err, errlen,
             "cannot find libtrack.so (looked in %s/../preload and %s/../%s/autowrap); set %s",
             exe, exe, AUTOWRAP_INSTALL_LIBDIR, AW_ENV_LIB);
    return -1;
}
