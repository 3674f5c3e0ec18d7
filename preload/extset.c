#include "extset.h"

#include <string.h>

static const char *const default_exts[] = {
    "py",  "pyw", "pth", "so",  "json", "toml", "yaml", "yml", "ini", "cfg", "conf", "env",
    "rb",  "pl",  "pm",  "lua", "php",  "js",   "mjs",  "cjs", "sh",  "bash", "zip", "egg",
    "whl",
};

/* The bytes of a short extension as one number: the lookup in every
 * intercepted call compares numbers, not strings. */
static uint64_t key_of(const char *e, size_t n)
{
    uint64_t k = 0;
    for (size_t i = 0; i < n && i < 8; i++)
        k |= (uint64_t)(unsigned char)e[i] << (8 * i);
    return k;
}

/* Open addressing over twice as many slots as extensions: a probe ends at
 * the key or at an empty slot within a few steps. */
static unsigned slot_of(uint64_t k)
{
    return (unsigned)((k * 0x9e3779b97f4a7c15ull) >> 57) % (2 * AW_EXT_MAX);
}

static int add(struct aw_extset *s, const char *e, size_t n)
{
    if (n == 0 || n >= AW_EXT_LEN || s->n >= AW_EXT_MAX || memchr(e, '/', n))
        return -1;
    memcpy(s->ext[s->n], e, n);
    s->ext[s->n][n] = '\0';
    s->len[s->n] = (unsigned char)n;
    if (n <= 8) {
        uint64_t k = key_of(e, n);
        unsigned i = slot_of(k);
        while (s->slot[i] && s->slot[i] != k)
            i = (i + 1) % (2 * AW_EXT_MAX);
        s->slot[i] = k;
    }
    s->n++;
    return 0;
}

void aw_extset_default(struct aw_extset *s)
{
    memset(s, 0, sizeof *s);
    s->rc = 1;
    for (size_t i = 0; i < sizeof default_exts / sizeof *default_exts; i++)
        add(s, default_exts[i], strlen(default_exts[i]));
}

int aw_extset_parse(struct aw_extset *s, const char *list)
{
    memset(s, 0, sizeof *s);
    if (!list || !*list)
        return -1;
    const char *p = list;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n && (*p == ' ' || *p == '\t'))
            p++, n--;
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n && *p == '.')
            p++, n--;
        if (add(s, p, n) < 0)
            return -1;
        if (!end)
            return 0;
        p = end + 1;
    }
}

static int has(const struct aw_extset *s, const char *e, size_t n)
{
    if (n == 0 || n >= AW_EXT_LEN)
        return 0;
    if (n <= 8) {
        uint64_t k = key_of(e, n);
        for (unsigned i = slot_of(k); s->slot[i]; i = (i + 1) % (2 * AW_EXT_MAX))
            if (s->slot[i] == k)
                return 1;
        return 0;
    }
    for (unsigned i = 0; i < s->n; i++)
        if (s->len[i] == n && memcmp(s->ext[i], e, n) == 0)
            return 1;
    return 0;
}

/* Versioned shared objects: NAME.so.DIGITS[.DIGITS...]. */
static int versioned_so(const char *base, size_t n)
{
    for (size_t i = 0; i + 4 <= n; i++) {
        if (memcmp(base + i, ".so.", 4) != 0)
            continue;
        size_t j = i + 4;
        if (j >= n)
            return 0;
        for (; j < n; j++)
            if (!((base[j] >= '0' && base[j] <= '9') || base[j] == '.'))
                break;
        if (j == n && i > 0)
            return 1;
    }
    return 0;
}

int aw_extset_match(const struct aw_extset *s, const char *path, size_t len)
{
    if (s->all)
        return 1;
    /* One scan back from the end, to the last dot of the last component:
     * this runs on every path the program touches. */
    size_t d = len;
    while (d > 0 && path[d - 1] != '/' && path[d - 1] != '.')
        d--;
    if (d > 0 && path[d - 1] == '.') {
        if (has(s, path + d, len - d))
            return 1;
        /* A dot-file named like a run-control file (.apprc, .npmrc,
         * .bashrc) is configuration whatever its name: the one kind of
         * config a program probes for in $HOME without an extension. Part
         * of the default set only: --ext py means .py, and --ext apprc names
         * one such file. (A dot-file whose whole name is an extension, like
         * ".env", matched above.) */
        if (s->rc && (d == 1 || path[d - 2] == '/') && len - d >= 3 && path[len - 2] == 'r' &&
            path[len - 1] == 'c')
            return 1;
    }
    if (len == 0 || path[len - 1] < '0' || path[len - 1] > '9' || !has(s, "so", 2))
        return 0;
    size_t b = len;
    while (b > 0 && path[b - 1] != '/')
        b--;
    return versioned_so(path + b, len - b);
}
