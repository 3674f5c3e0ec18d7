/* Parse one --socket address (see sockaddr.h). Numeric hosts only, so no
 * resolver I/O: a name that resolves to several addresses would be ambiguous
 * for a single listening socket anyway. */
#include "sockaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

static int bad(char *err, unsigned errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int parse_port(const char *p, int *port)
{
    if (!*p)
        return -1;
    long v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
        if (v > 65535)
            return -1;
    }
    if (v < 1)
        return -1;
    *port = (int)v;
    return 0;
}

int aw_sockaddr_parse(const char *s, struct aw_sockaddr *o, char *err, unsigned errlen)
{
    memset(o, 0, sizeof *o);
    if (!s || !*s)
        return bad(err, errlen, "empty address");
    if (strncmp(s, "unix:", 5) == 0) {
        const char *path = s + 5;
        struct sockaddr_un *su = (struct sockaddr_un *)&o->ss;
        if (!*path)
            return bad(err, errlen, "'%s': empty unix socket path", s);
        if (strlen(path) >= sizeof su->sun_path)
            return bad(err, errlen, "'%s': unix socket path longer than %zu bytes", s,
                       sizeof su->sun_path - 1);
        su->sun_family = AF_UNIX;
        memcpy(su->sun_path, path, strlen(path));
        o->len = (socklen_t)sizeof *su;
        o->family = AF_UNIX;
        snprintf(o->name, sizeof o->name, "unix");
        snprintf(o->text, sizeof o->text, "unix:%.100s", path);
        return 0;
    }
    char host[64];
    const char *portstr;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return bad(err, errlen, "'%s': expected [IPV6]:PORT", s);
        size_t n = (size_t)(close - s - 1);
        if (n == 0 || n >= sizeof host)
            return bad(err, errlen, "'%s': bad IPv6 address", s);
        memcpy(host, s + 1, n);
        host[n] = '\0';
        portstr = close + 2;
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&o->ss;
        if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
            return bad(err, errlen, "'%s': bad IPv6 address '%s'", s, host);
        if (parse_port(portstr, &o->port))
            return bad(err, errlen, "'%s': bad port '%s' (1-65535)", s, portstr);
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((unsigned short)o->port);
        o->len = (socklen_t)sizeof *s6;
        o->family = AF_INET6;
        snprintf(o->name, sizeof o->name, "tcp6-%d", o->port);
        snprintf(o->text, sizeof o->text, "[%s]:%d", host, o->port);
        return 0;
    }
    const char *colon = strrchr(s, ':');
    if (colon) {
        size_t n = (size_t)(colon - s);
        if (memchr(s, ':', n))
            return bad(err, errlen, "'%s': an IPv6 address needs brackets: [ADDR]:PORT", s);
        if (n == 0 || n >= sizeof host)
            return bad(err, errlen, "'%s': bad host", s);
        memcpy(host, s, n);
        host[n] = '\0';
        portstr = colon + 1;
    } else {
        strcpy(host, "127.0.0.1");
        portstr = s;
    }
    if (strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    else if (strcmp(host, "*") == 0)
        strcpy(host, "0.0.0.0");
    struct sockaddr_in *s4 = (struct sockaddr_in *)&o->ss;
    if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
        return bad(err, errlen, "'%s': bad host '%s' (numeric IPv4, localhost or *)", s, host);
    if (parse_port(portstr, &o->port))
        return bad(err, errlen, "'%s': bad port '%s' (1-65535)", s, portstr);
    s4->sin_family = AF_INET;
    s4->sin_port = htons((unsigned short)o->port);
    o->len = (socklen_t)sizeof *s4;
    o->family = AF_INET;
    snprintf(o->name, sizeof o->name, "tcp-%d", o->port);
    snprintf(o->text, sizeof o->text, "%s:%d", host, o->port);
    return 0;
}
