#include "depset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct aw_depset {
    struct aw_dep **slot;
    size_t cap; /* power of two */
    size_t n;
};

static uint64_t hash(const char *p, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

struct aw_depset *aw_depset_new(void)
{
    struct aw_depset *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cap = 64;
    s->slot = calloc(s->cap, sizeof *s->slot);
    if (!s->slot) {
        free(s);
        return NULL;
    }
    return s;
}

void aw_depset_free(struct aw_depset *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slot[i]) {
            free(s->slot[i]->exts);
            free(s->slot[i]);
        }
    free(s->slot);
    free(s);
}

static size_t probe(struct aw_dep *const *slot, size_t cap, const char *path, size_t len)
{
    size_t i = (size_t)hash(path, len) & (cap - 1);
    while (slot[i] && !(slot[i]->len == len && memcmp(slot[i]->path, path, len) == 0))
        i = (i + 1) & (cap - 1);
    return i;
}

struct aw_dep *aw_depset_find(const struct aw_depset *s, const char *path, size_t len)
{
    return s->slot[probe(s->slot, s->cap, path, len)];
}

static int grow(struct aw_depset *s)
{
    size_t cap = s->cap * 2;
    struct aw_dep **slot = calloc(cap, sizeof *slot);
    if (!slot)
        return -1;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slot[i])
            slot[probe(slot, cap, s->slot[i]->path, s->slot[i]->len)] = s->slot[i];
    free(s->slot);
    s->slot = slot;
    s->cap = cap;
    return 0;
}

struct aw_dep *aw_depset_add(struct aw_depset *s, const char *path, size_t len)
{
    size_t i = probe(s->slot, s->cap, path, len);
    if (s->slot[i])
        return s->slot[i];
    if ((s->n + 1) * 2 > s->cap) {
        if (grow(s) < 0)
            return NULL;
        i = probe(s->slot, s->cap, path, len);
    }
    struct aw_dep *d = calloc(1, sizeof *d + len + 1);
    if (!d)
        return NULL;
    memcpy(d->path, path, len);
    d->path[len] = '\0';
    d->len = len;
    s->slot[i] = d;
    s->n++;
    return d;
}

size_t aw_depset_size(const struct aw_depset *s)
{
    return s->n;
}

struct aw_dep *aw_depset_next(const struct aw_depset *s, size_t *it)
{
    while (*it < s->cap) {
        struct aw_dep *d = s->slot[(*it)++];
        if (d)
            return d;
    }
    return NULL;
}

static int all_digits(const char *p, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    return 1;
}

const char *aw_ext_key(const char *path, size_t len, size_t *n)
{
    size_t b = len;
    while (b > 0 && path[b - 1] != '/')
        b--;
    const char *base = path + b;
    size_t bl = len - b;
    for (;;) {
        size_t dot = bl;
        while (dot > 0 && base[dot - 1] != '.')
            dot--;
        if (dot <= 1) { /* no dot, or only a leading one */
            *n = dot == 1 ? bl : 0;
            return dot == 1 ? base : base + bl;
        }
        /* "libfoo.so.1": the version is not the kind of file */
        if (all_digits(base + dot, bl - dot)) {
            bl = dot - 1;
            continue;
        }
        *n = bl - dot;
        return base + dot;
    }
}

int aw_dep_has_ext(const struct aw_dep *d, const char *key, size_t n)
{
    for (size_t i = 0; i < d->extlen;) {
        size_t l = strlen(d->exts + i);
        if (l == n && memcmp(d->exts + i, key, n) == 0)
            return 1;
        i += l + 1;
    }
    return 0;
}

int aw_dep_note_ext(struct aw_dep *d, const char *key, size_t n)
{
    if (memchr(key, '\0', n) || aw_dep_has_ext(d, key, n))
        return 0;
    char *e = realloc(d->exts, d->extlen + n + 1);
    if (!e)
        return -1;
    memcpy(e + d->extlen, key, n);
    e[d->extlen + n] = '\0';
    d->exts = e;
    d->extlen += n + 1;
    return 0;
}
