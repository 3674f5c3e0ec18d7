#include "pathnorm.h"

#include <string.h>

size_t aw_path_normalize(char *buf, size_t len)
{
    if (len == 0 || buf[0] != '/')
        return 0;
    size_t r = 0, w = 1; /* result is "/" or "/a/b" (no trailing slash) */
    while (r < len) {
        while (r < len && buf[r] == '/')
            r++;
        if (r >= len)
            break;
        size_t s = r;
        while (r < len && buf[r] != '/')
            r++;
        size_t n = r - s;
        if (n == 1 && buf[s] == '.')
            continue;
        if (n == 2 && buf[s] == '.' && buf[s + 1] == '.') {
            while (w > 1 && buf[w - 1] != '/')
                w--;
            if (w > 1)
                w--;
            continue;
        }
        if (w > 1)
            buf[w++] = '/';
        memmove(buf + w, buf + s, n);
        w += n;
    }
    buf[0] = '/';
    buf[w] = '\0';
    return w;
}

size_t aw_path_absolute(char *out, size_t cap, const char *base, size_t blen, const char *path,
                        size_t plen)
{
    if (plen == 0 || cap < 2)
        return 0;
    size_t n = 0;
    if (path[0] != '/') {
        if (!base || blen == 0 || base[0] != '/' || blen + 1 + plen >= cap)
            return 0;
        memcpy(out, base, blen);
        out[blen] = '/';
        n = blen + 1;
    } else if (plen >= cap) {
        return 0;
    }
    memcpy(out + n, path, plen);
    n += plen;
    out[n] = '\0';
    return aw_path_normalize(out, n);
}
