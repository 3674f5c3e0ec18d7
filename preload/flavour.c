/* PT_INTERP sniffing for the shim flavour; see flavour.h. */
#include "flavour.h"

#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long rd(int fd, void *buf, size_t n, long off)
{
    return syscall(SYS_pread64, fd, buf, n, off);
}

static int elf_is_musl(int fd)
{
    Elf64_Ehdr eh;
    if (rd(fd, &eh, sizeof eh, 0) != (long)sizeof eh || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
        eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr))
        return 0;
    for (unsigned i = 0; i < eh.e_phnum && i < 64; i++) {
        Elf64_Phdr ph;
        if (rd(fd, &ph, sizeof ph, (long)(eh.e_phoff + i * sizeof ph)) != (long)sizeof ph)
            return 0;
        if (ph.p_type != PT_INTERP)
            continue;
        char interp[256];
        size_t n = ph.p_filesz < sizeof interp - 1 ? ph.p_filesz : sizeof interp - 1;
        long r = rd(fd, interp, n, (long)ph.p_offset);
        if (r <= 0)
            return 0;
        interp[r] = 0;
        return strstr(interp, "/ld-musl-") != NULL;
    }
    return 0; /* static: preloads do not matter */
}

int aw_exec_is_musl(const char *path)
{
    char cur[256];
    if (!path || strlen(path) >= sizeof cur)
        return 0;
    strcpy(cur, path);
    for (int depth = 0; depth < 4; depth++) { /* a #! interpreter may be a script */
        long fd = syscall(SYS_openat, AT_FDCWD, cur, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return 0;
        char head[256];
        long n = rd((int)fd, head, sizeof head - 1, 0);
        if (n >= 2 && head[0] == '#' && head[1] == '!') {
            syscall(SYS_close, (int)fd);
            head[n] = 0;
            char *p = head + 2;
            while (*p == ' ' || *p == '\t')
                p++;
            size_t l = strcspn(p, " \t\n");
            if (!l || p[0] != '/')
                return 0;
            p[l] = 0;
            memmove(cur, p, l + 1);
            continue;
        }
        int m = elf_is_musl((int)fd);
        syscall(SYS_close, (int)fd);
        return m;
    }
    return 0;
}

size_t aw_flavour_sibling(char *out, size_t cap, const char *shim, size_t shim_len, int musl)
{
    size_t d = shim_len;
    while (d && shim[d - 1] != '/')
        d--;
    const char *name = musl ? AW_SHIM_MUSL : AW_SHIM_GLIBC;
    size_t nl = strlen(name);
    if (d + nl + 1 > cap)
        return 0;
    memcpy(out, shim, d);
    memcpy(out + d, name, nl + 1);
    return d + nl;
}
