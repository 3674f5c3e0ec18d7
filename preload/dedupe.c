#include "dedupe.h"

uint64_t aw_dedupe_hash(unsigned kind, const char *path, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;
    h ^= (unsigned char)kind;
    h *= 0x100000001b3ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)path[i];
        h *= 0x100000001b3ull;
    }
    h ^= h >> 29; /* spread the high bits into the index */
    return h ? h : 1;
}

/* One probe walk for both: 1 when H is (now) in the table, 0 when it is
 * not and an empty slot says so, -1 when the window is full of others.
 * INSERT: claim the first empty slot. */
static int walk(uint64_t *tab, size_t nslots, uint64_t h, int insert, int *added)
{
    if (h == 0)
        h = 1;
    size_t mask = nslots - 1;
    size_t i = (size_t)h & mask;
    for (unsigned p = 0; p < AW_DEDUPE_PROBES && p < nslots; p++, i = (i + 1) & mask) {
        uint64_t cur = __atomic_load_n(&tab[i], __ATOMIC_ACQUIRE);
        if (cur == h)
            return 1;
        if (cur != 0)
            continue;
        if (!insert)
            return 0;
        uint64_t expect = 0;
        if (__atomic_compare_exchange_n(&tab[i], &expect, h, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
            *added = 1;
            return 1;
        }
        if (expect == h)
            return 1;
    }
    return -1;
}

/* A walk that ends in a full window counts as "not in", so insert() says
 * "new" (sent, never dropped). */
int aw_dedupe_insert(uint64_t *tab, size_t nslots, uint64_t h)
{
    int added = 0;
    return walk(tab, nslots, h, 1, &added) != 1 || added;
}

int aw_dedupe_contains(const uint64_t *tab, size_t nslots, uint64_t h)
{
    int added = 0;
    /* no store happens without insert: the cast only shares the walk */
    return walk((uint64_t *)tab, nslots, h, 0, &added) == 1;
}

int aw_seen_insert(const struct aw_seen *s, uint64_t h, int *far)
{
    int added = 0;
    int r = walk(s->near, s->nnear, h, 1, &added);
    if (r == 1)
        return added;
    if (far)
        *far = 1;
    return aw_dedupe_insert(s->far, s->nfar, h);
}

int aw_seen_contains(const struct aw_seen *s, uint64_t h)
{
    int added = 0;
    int r = walk(s->near, s->nnear, h, 0, &added);
    return r == 1 || (r < 0 && aw_dedupe_contains(s->far, s->nfar, h));
}
