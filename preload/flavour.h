/* Which libc flavour of the shim a program needs: glibc's ld.so refuses to
 * start a program whose LD_PRELOAD names a musl-linked object (and musl's
 * loader cannot run glibc's shim), so exec must hand over the right one. */
#ifndef AUTOWRAP_FLAVOUR_H
#define AUTOWRAP_FLAVOUR_H

#include <stddef.h>

#define AW_SHIM_GLIBC "libtrack.so"
#define AW_SHIM_MUSL "libtrack-musl.so"

/* 1 if PATH (an ELF file, or a "#!" script whose interpreter is one) has
 * musl's dynamic loader as PT_INTERP; 0 otherwise (glibc, static, unreadable).
 * Raw system calls only: safe in the shim and in a vfork child. */
int aw_exec_is_musl(const char *path);

/* OUT = SHIM's directory + the file name of the MUSL (or glibc) flavour.
 * Length, or 0 if it does not fit. */
size_t aw_flavour_sibling(char *out, size_t cap, const char *shim, size_t shim_len, int musl);

#endif
