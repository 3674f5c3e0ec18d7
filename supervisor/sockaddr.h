/* --socket ADDR -> a socket address. Pure (no I/O) so unit tests can feed it
 * strings. Accepted forms:
 *   PORT                 127.0.0.1:PORT (loopback by default: a dev server
 *                        should not be reachable from the network unasked)
 *   HOST:PORT            HOST: dotted IPv4, "localhost" (127.0.0.1) or "*"
 *                        (0.0.0.0, every IPv4 interface)
 *   [IPV6]:PORT          e.g. [::1]:8000, [::]:8000 (IPV6_V6ONLY is set)
 *   unix:PATH            a unix stream socket at PATH */
#ifndef AUTOWRAP_SOCKADDR_H
#define AUTOWRAP_SOCKADDR_H

#include <sys/socket.h>

struct aw_sockaddr {
    struct sockaddr_storage ss;
    socklen_t len;
    int family;          /* AF_INET, AF_INET6 or AF_UNIX */
    int port;            /* inet only */
    char name[64];       /* LISTEN_FDNAMES entry: tcp-PORT, tcp6-PORT, unix */
    char text[128];      /* canonical form for messages: 127.0.0.1:8000 */
};

/* 0, or -1 with one line (no prefix) in err. */
int aw_sockaddr_parse(const char *s, struct aw_sockaddr *out, char *err, unsigned errlen);

#endif
