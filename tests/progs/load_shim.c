/* Loads the shim named by argv[1] with dlopen, so its constructor runs even
 * where the loader ignores LD_PRELOAD (a setuid or file-capability copy of
 * this program: AT_SECURE). Prints "loaded secure=N", N the kernel's
 * AT_SECURE (1: it did run with elevated rights), and exits 0; 1 when
 * dlopen fails. test_security.py checks that the shim then writes nothing. */
#include <dlfcn.h>
#include <stdio.h>
#include <sys/auxv.h>

/* Sanitizer build: a setgid process is not dumpable, so the runtime cannot
 * read ASAN_OPTIONS from /proc/self/environ, and LeakSanitizer (which
 * cannot work there) would fail the run. Unused otherwise. */
const char *__asan_default_options(void);
__attribute__((used)) const char *__asan_default_options(void)
{
    return "detect_leaks=0:verify_asan_link_order=0";
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: load_shim SHIM\n");
        return 2;
    }
    if (!dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL)) {
        fprintf(stderr, "load_shim: %s\n", dlerror());
        return 1;
    }
    printf("loaded secure=%lu\n", getauxval(AT_SECURE));
    return 0;
}
