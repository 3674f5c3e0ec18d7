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
 * not. INSERT: claim the first empty slot. A walk that ends in a full
 * window counts as "not in", so insert() says "new" (sent, never dropped). */
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
    return 0;
}

int aw_dedupe_insert(uint64_t *tab, size_t nslots, uint64_t h)
{
    int added = 0;
    return !walk(tab, nslots, h, 1, &added) || added;
}

int aw_dedupe_contains(const uint64_t *tab, size_t nslots, uint64_t h)
{
    int added = 0;
    /* no store happens without insert: the cast only shares the walk */
    return walk((uint64_t *)tab, nslots, h, 0, &added);
}
