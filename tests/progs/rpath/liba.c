/* Library A: RUNPATH $ORIGIN; dlopens its sibling B by bare name. */
#include <dlfcn.h>
#include <stdio.h>

__attribute__((visibility("default"))) int a_run(void)
{
    void *h = dlopen("librpb.so", RTLD_NOW);
    if (!h) {
        fprintf(stderr, "liba: %s\n", dlerror());
        return -1;
    }
    int (*b)(void) = (int (*)(void))dlsym(h, "b_value");
    return b ? b() : -2;
}
