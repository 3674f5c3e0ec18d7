#include "extset.h"

#include <string.h>

static const char *const default_exts[] = {
    "py",  "pyw", "pth", "so",  "json", "toml", "yaml", "yml", "ini", "cfg", "conf", "env",
    "rb",  "pl",  "pm",  "lua", "php",  "js",   "mjs",  "cjs", "sh",  "bash", "zip", "egg",
    "whl",
};

static int add(struct aw_extset *s, const char *e, size_t n)
{
    if (n == 0 || n >= AW_EXT_LEN || s->n >= AW_EXT_MAX || memchr(e, '/', n))
        return -1;
    memcpy(s->ext[s->n], e, n);
    s->ext[s->n][n] = '\0';
    s->len[s->n] = (unsigned char)n;
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
    size_t i = len;
    while (i > 0 && path[i - 1] != '/')
        i--;
    const char *base = path + i;
    size_t n = len - i;
    /* The extension starts after the last dot. A dot-file whose whole name
     * is an extension counts too: ".env" is a dotenv file. */
    size_t d = n;
    while (d > 0 && base[d - 1] != '.')
        d--;
    if (d >= 1 && has(s, base + d, n - d))
        return 1;
    /* A dot-file named like a run-control file (.apprc, .npmrc, .bashrc)
     * is configuration whatever its name: the one kind of config a program
     * probes for in $HOME without an extension. Part of the default set
     * only: --ext py means .py, and --ext apprc names one such file. */
    if (s->rc && d == 1 && n >= 4 && base[n - 2] == 'r' && base[n - 1] == 'c')
        return 1;
    return has(s, "so", 2) && versioned_so(base, n);
}
