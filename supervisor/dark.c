/* Programs that went dark: see dark.h. */
#include "dark.h"

#include <stdlib.h>
#include <string.h>

struct slot {
    uint32_t pid; /* 0: free (no record carries pid 0) */
    int64_t at;
    char *name;
};

struct aw_dark {
    struct slot s[AW_DARK_SLOTS];
    size_t n; /* slots in use: records from pids with nothing armed cost one test */
};

struct aw_dark *aw_dark_new(void)
{
    return calloc(1, sizeof(struct aw_dark));
}

static void drop(struct aw_dark *d, struct slot *s)
{
    free(s->name);
    memset(s, 0, sizeof *s);
    d->n--;
}

void aw_dark_clear(struct aw_dark *d)
{
    for (size_t i = 0; d->n && i < AW_DARK_SLOTS; i++)
        if (d->s[i].pid)
            drop(d, &d->s[i]);
}

void aw_dark_free(struct aw_dark *d)
{
    if (!d)
        return;
    aw_dark_clear(d);
    free(d);
}

static struct slot *find(const struct aw_dark *d, uint32_t pid)
{
    if (!d->n || !pid)
        return NULL;
    for (size_t i = 0; i < AW_DARK_SLOTS; i++)
        if (d->s[i].pid == pid)
            return (struct slot *)&d->s[i];
    return NULL;
}

void aw_dark_exec(struct aw_dark *d, uint32_t pid, const char *name, size_t len, int64_t now)
{
    if (!pid || !name)
        return;
    struct slot *s = find(d, pid);
    if (s)
        drop(d, s);
    for (size_t i = 0; i < AW_DARK_SLOTS && !s; i++)
        if (!d->s[i].pid)
            s = &d->s[i];
    if (!s)
        return; /* full: keep the older entries */
    char *copy = malloc(len + 1);
    if (!copy)
        return;
    memcpy(copy, name, len);
    copy[len] = '\0';
    s->pid = pid;
    s->at = now;
    s->name = copy;
    d->n++;
}

void aw_dark_heard(struct aw_dark *d, uint32_t pid)
{
    struct slot *s = find(d, pid);
    if (s)
        drop(d, s);
}

const char *aw_dark_name(const struct aw_dark *d, uint32_t pid)
{
    const struct slot *s = find(d, pid);
    return s ? s->name : NULL;
}

static const struct slot *oldest(const struct aw_dark *d)
{
    const struct slot *o = NULL;
    for (size_t i = 0; d->n && i < AW_DARK_SLOTS; i++)
        if (d->s[i].pid && (!o || d->s[i].at < o->at))
            o = &d->s[i];
    return o;
}

const char *aw_dark_due(const struct aw_dark *d, int64_t now, int64_t min_age)
{
    const struct slot *o = oldest(d);
    return o && (min_age <= 0 || now - o->at >= min_age) ? o->name : NULL;
}

int64_t aw_dark_next(const struct aw_dark *d)
{
    const struct slot *o = oldest(d);
    return o ? o->at + AW_DARK_MS : -1;
}

size_t aw_dark_count(const struct aw_dark *d)
{
    return d->n;
}
