/* dlopen_runpath LIBA: dlopen LIBA by path and call a_run(), which dlopens
 * a sibling by bare name through LIBA's RUNPATH $ORIGIN. Prints the value. */
#include <dlfcn.h>
#include <stdio.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    void *h = dlopen(argv[1], RTLD_NOW);
    if (!h) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    int (*a)(void) = (int (*)(void))dlsym(h, "a_run");
    int v = a ? a() : -3;
    printf("%d\n", v);
    struct stat st;
    stat("/nonexistent-autowrap-probe.json", &st); /* any intercepted call: rescan */
    return v == 42 ? 0 : 1;
}
