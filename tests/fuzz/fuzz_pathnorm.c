/* libFuzzer target: the path normaliser (preload/pathnorm.c), which the shim
 * runs on every relative or dirfd-relative path before reporting it.
 *
 * Input: byte 0 picks the output capacity for aw_path_absolute (0..127, or
 * the shim's real AW_PATH_MAX + 1); the rest is BASE '\0' PATH (no '\0': PATH
 * alone, BASE absent). Every buffer is allocated at its exact size so ASan
 * sees a byte read or written past it.
 *
 * Oracles: a separate segment-stack model of lexical normalisation; the
 * exact acceptance rule of aw_path_absolute's header; idempotence; the result
 * is absolute, NUL-terminated, has no empty, "." or ".." component and no
 * trailing '/'. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pathnorm.h"
#include "wire.h"

#define CHECK(c)                                                                    \
    do {                                                                            \
        if (!(c)) {                                                                 \
            fprintf(stderr, "fuzz_pathnorm: %s:%d: check failed: %s\n", __FILE__,   \
                    __LINE__, #c);                                                  \
            abort();                                                                \
        }                                                                           \
    } while (0)

/* The model: split on '/', keep a stack of components. */
static size_t model(const char *in, size_t len, char *out)
{
    size_t start[AW_PATH_MAX * 2 + 8], depth = 0, w = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && in[i] == '/')
            i++;
        size_t s = i;
        while (i < len && in[i] != '/')
            i++;
        size_t n = i - s;
        if (n == 0 || (n == 1 && in[s] == '.'))
            continue;
        if (n == 2 && in[s] == '.' && in[s + 1] == '.') {
            if (depth)
                w = start[--depth];
            continue;
        }
        start[depth++] = w;
        out[w++] = '/';
        memcpy(out + w, in + s, n);
        w += n;
    }
    if (w == 0)
        out[w++] = '/';
    out[w] = '\0';
    return w;
}

static void check_normal(const char *p, size_t n)
{
    CHECK(n >= 1 && p[0] == '/' && p[n] == '\0');
    CHECK(n == 1 || p[n - 1] != '/');
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '/')
            continue;
        size_t e = i + 1;
        while (e < n && p[e] != '/')
            e++;
        size_t c = e - i - 1;
        CHECK(c > 0 || n == 1);
        CHECK(!(c == 1 && p[i + 1] == '.'));
        CHECK(!(c == 2 && p[i + 1] == '.' && p[i + 2] == '.'));
    }
}

static void fuzz_normalize(const char *in, size_t len)
{
    /* The header: BUF holds LEN + 1 bytes (the result is NUL-terminated). */
    char *buf = malloc(len + 1);
    char *want = malloc(len + 2);
    CHECK(buf && want);
    if (len)
        memcpy(buf, in, len);
    size_t n = aw_path_normalize(buf, len);
    if (len == 0 || in[0] != '/') {
        CHECK(n == 0);
    } else {
        CHECK(n <= len);
        check_normal(buf, n);
        size_t m = model(in, len, want);
        CHECK(m == n && memcmp(buf, want, n) == 0);
        CHECK(aw_path_normalize(buf, n) == n && memcmp(buf, want, n) == 0); /* idempotent */
    }
    free(buf);
    free(want);
}

static void fuzz_absolute(size_t cap, const char *base, size_t blen, const char *path,
                          size_t plen)
{
    char *out = cap ? malloc(cap) : NULL;
    size_t n = aw_path_absolute(out, cap, base, blen, path, plen);
    int rel = plen && path[0] != '/';
    int ok = plen != 0 && cap >= 2;
    if (ok && rel)
        ok = base && blen && base[0] == '/' && blen + 1 + plen < cap;
    else if (ok)
        ok = plen < cap;
    if (!ok) {
        CHECK(n == 0);
    } else {
        size_t jl = rel ? blen + 1 + plen : plen;
        char *joined = malloc(jl + 1), *want = malloc(jl + 2);
        CHECK(joined && want);
        if (rel) {
            memcpy(joined, base, blen);
            joined[blen] = '/';
            memcpy(joined + blen + 1, path, plen);
        } else {
            memcpy(joined, path, plen);
        }
        size_t m = model(joined, jl, want);
        CHECK(n == m && n < cap && memcmp(out, want, n + 1) == 0);
        check_normal(out, n);
        free(joined);
        free(want);
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 3 * AW_PATH_MAX)
        return 0;
    size_t cap = data[0] < 128 ? data[0] : AW_PATH_MAX + 1;
    const char *rest = (const char *)data + 1;
    size_t rlen = size - 1;

    fuzz_normalize(rest, rlen);

    const char *nul = memchr(rest, '\0', rlen);
    char *base = NULL, *path;
    size_t blen = 0, plen;
    if (nul) {
        blen = (size_t)(nul - rest);
        base = blen ? malloc(blen) : NULL;
        if (blen)
            memcpy(base, rest, blen);
        plen = rlen - blen - 1;
        path = malloc(plen + 1);
        memcpy(path, nul + 1, plen);
    } else {
        plen = rlen;
        path = malloc(plen + 1);
        memcpy(path, rest, plen);
    }
    fuzz_absolute(cap, base, blen, path, plen);
    free(base);
    free(path);
    return 0;
}
