/* --list formats (docs/design-notes.md, "--list output"). Pure. */
#include "listfmt.h"

#include <stdio.h>
#include <string.h>

static const char hexd[] = "0123456789abcdef";

static int put(char *buf, size_t cap, size_t *pos, const char *s, size_t n)
{
    if (*pos + n >= cap) /* keep room for the NUL */
        return -1;
    memcpy(buf + *pos, s, n);
    *pos += n;
    return 0;
}

static int putc1(char *buf, size_t cap, size_t *pos, char c)
{
    return put(buf, cap, pos, &c, 1);
}

int aw_esc_text(char *buf, size_t cap, size_t *pos, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        int r;
        if (c == '\\')
            r = put(buf, cap, pos, "\\\\", 2);
        else if (c == '\n')
            r = put(buf, cap, pos, "\\n", 2);
        else if (c == '\t')
            r = put(buf, cap, pos, "\\t", 2);
        else if (c < 0x20 || c == 0x7f) {
            char e[4] = {'\\', 'x', hexd[c >> 4], hexd[c & 15]};
            r = put(buf, cap, pos, e, 4);
        } else
            r = putc1(buf, cap, pos, (char)c);
        if (r)
            return -1;
    }
    return 0;
}

/* Length of a valid UTF-8 sequence at s (multi-byte only), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t need;
    unsigned cp;
    if (c >= 0xc2 && c <= 0xdf) {
        need = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4;
        cp = c & 0x07;
    } else
        return 0;
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)))
        return 0;
    if (need == 4 && (cp < 0x10000 || cp > 0x10ffff))
        return 0;
    return need;
}

int aw_esc_json(char *buf, size_t cap, size_t *pos, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        unsigned char c = u[i];
        int r;
        if (c < 0x80) {
            switch (c) {
            case '"': r = put(buf, cap, pos, "\\\"", 2); break;
            case '\\': r = put(buf, cap, pos, "\\\\", 2); break;
            case '\n': r = put(buf, cap, pos, "\\n", 2); break;
            case '\t': r = put(buf, cap, pos, "\\t", 2); break;
            case '\r': r = put(buf, cap, pos, "\\r", 2); break;
            case '\b': r = put(buf, cap, pos, "\\b", 2); break;
            case '\f': r = put(buf, cap, pos, "\\f", 2); break;
            default:
                if (c < 0x20) {
                    char e[6] = {'\\', 'u', '0', '0', hexd[c >> 4], hexd[c & 15]};
                    r = put(buf, cap, pos, e, 6);
                } else
                    r = putc1(buf, cap, pos, (char)c);
            }
            i++;
        } else {
            size_t n = utf8_len(u + i, len - i);
            if (n) {
                r = put(buf, cap, pos, s + i, n);
                i += n;
            } else { /* surrogateescape: byte b -> U+DC00+b */
                char e[6] = {'\\', 'u', 'd', 'c', hexd[c >> 4], hexd[c & 15]};
                r = put(buf, cap, pos, e, 6);
                i++;
            }
        }
        if (r)
            return -1;
    }
    return 0;
}

int aw_esc_make(char *buf, size_t cap, size_t *pos, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        int r;
        if (c == ' ')
            r = put(buf, cap, pos, "\\ ", 2);
        else if (c == '\t')
            r = put(buf, cap, pos, "\\\t", 2);
        else if (c == '#')
            r = put(buf, cap, pos, "\\#", 2);
        else if (c == ':') /* unescaped, GNU make reads a static pattern rule */
            r = put(buf, cap, pos, "\\:", 2);
        else if (c == '$')
            r = put(buf, cap, pos, "$$", 2);
        else
            r = putc1(buf, cap, pos, c);
        if (r)
            return -1;
    }
    return 0;
}

size_t aw_listfmt(enum aw_format fmt, unsigned kind, uint32_t pid, const char *path, size_t len,
                  const char *target, char *buf, size_t cap)
{
    size_t pos = 0;
    if (!buf || cap == 0)
        return 0;
    buf[0] = '\0';
    int bad = 0;
    switch (fmt) {
    case AW_FMT_TEXT:
        if (!aw_kind_is_dependency(kind))
            return 0;
        bad |= aw_esc_text(buf, cap, &pos, path, len);
        bad |= putc1(buf, cap, &pos, '\n');
        break;
    case AW_FMT_JSON: {
        char tail[64];
        bad |= put(buf, cap, &pos, "{\"path\":\"", 9);
        bad |= aw_esc_json(buf, cap, &pos, path, len);
        int n = snprintf(tail, sizeof tail, "\",\"kind\":\"%s\",\"pid\":%u}\n", aw_kind_name(kind),
                         (unsigned)pid);
        bad |= put(buf, cap, &pos, tail, (size_t)n);
        break;
    }
    case AW_FMT_MAKE: {
        if (!aw_kind_is_dependency(kind) || memchr(path, '\n', len))
            return 0;
        const char *t = target && *target ? target : "all";
        if (memchr(t, '\n', strlen(t)))
            return 0;
        bad |= aw_esc_make(buf, cap, &pos, t, strlen(t));
        bad |= put(buf, cap, &pos, ": ", 2);
        bad |= aw_esc_make(buf, cap, &pos, path, len);
        bad |= putc1(buf, cap, &pos, '\n');
        bad |= aw_esc_make(buf, cap, &pos, path, len);
        bad |= put(buf, cap, &pos, ":\n", 2);
        break;
    }
    }
    if (bad) {
        buf[0] = '\0';
        return 0;
    }
    buf[pos] = '\0';
    return pos;
}
