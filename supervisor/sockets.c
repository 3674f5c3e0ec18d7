/* --socket: bind and listen once, before the first generation, and keep the
 * sockets for autowrap's whole life. Connections that arrive while one
 * generation stops and the next starts wait in the kernel's backlog instead
 * of being refused: that is the zero-downtime restart. Each generation gets
 * them at fds 3.. with systemd's LISTEN_FDS / LISTEN_PID / LISTEN_FDNAMES. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "shell.h"

static int fds[AW_MAX_SOCKETS];
static const struct aw_sockaddr *addrs;
static unsigned nfds;
static int created[AW_MAX_SOCKETS]; /* unix path we bound: unlink at exit */

/* Far above 3..3+AW_MAX_SOCKETS, so the child's dup2(fds[i], 3 + i) never
 * overwrites a socket it has yet to move. */
#define AW_SOCK_FD_BASE 64

/* A unix path left by a dead server: a socket nobody accepts on. */
static int unix_stale(const struct sockaddr_un *su)
{
    struct stat st;
    if (lstat(su->sun_path, &st) != 0 || !S_ISSOCK(st.st_mode))
        return 0;
    int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c < 0)
        return 0;
    int r = connect(c, (const struct sockaddr *)su, sizeof *su);
    int e = errno;
    close(c);
    return r != 0 && e == ECONNREFUSED;
}

static int open_one(const struct aw_sockaddr *a, unsigned i)
{
    int s = socket(a->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        say(AW_SAY_ERROR, "--socket %s: %s", a->text, strerror(errno));
        return -1;
    }
    int one = 1;
    if (a->family != AF_UNIX)
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (a->family == AF_INET6) /* [::]:P means IPv6 only; add -S *:P for IPv4 */
        setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    int r = bind(s, (const struct sockaddr *)&a->ss, a->len);
    if (r != 0 && errno == EADDRINUSE && a->family == AF_UNIX) {
        const struct sockaddr_un *su = (const struct sockaddr_un *)&a->ss;
        if (unix_stale(su) && unlink(su->sun_path) == 0)
            r = bind(s, (const struct sockaddr *)&a->ss, a->len);
        else
            errno = EADDRINUSE;
    }
    if (r != 0) {
        int e = errno;
        const char *hint = "";
        if (e == EACCES && a->family != AF_UNIX && a->port < 1024)
            hint = " (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
        else if (e == EADDRINUSE && a->family == AF_UNIX)
            hint = " (a server is listening there, or it is not a socket)";
        say(AW_SAY_ERROR, "--socket %s: cannot bind: %s%s", a->text, strerror(e), hint);
        close(s);
        return -1;
    }
    if (a->family == AF_UNIX)
        created[i] = 1;
    /* A full backlog: every connection made during a restart must wait. */
    if (listen(s, SOMAXCONN) != 0) {
        say(AW_SAY_ERROR, "--socket %s: cannot listen: %s", a->text, strerror(errno));
        close(s);
        return -1;
    }
    int h = fcntl(s, F_DUPFD_CLOEXEC, AW_SOCK_FD_BASE);
    if (h < 0) {
        say(AW_SAY_ERROR, "--socket %s: %s", a->text, strerror(errno));
        close(s);
        return -1;
    }
    close(s);
    return h;
}

int sockets_open(const struct aw_options *opt)
{
    addrs = opt->sockets;
    for (unsigned i = 0; i < opt->nsockets; i++) {
        int fd = open_one(&opt->sockets[i], i);
        if (fd < 0) {
            sockets_cleanup();
            return -1;
        }
        fds[nfds++] = fd;
        say(AW_SAY_NORMAL, "listening on %s (fd %u in each generation)",
            opt->sockets[i].text, 3 + i);
    }
    return 0;
}

void sockets_cleanup(void)
{
    for (unsigned i = 0; i < nfds; i++) {
        close(fds[i]);
        if (created[i]) {
            const struct sockaddr_un *su = (const struct sockaddr_un *)&addrs[i].ss;
            unlink(su->sun_path);
        }
    }
    nfds = 0;
}

/* In the forked child, before exec: sockets to 3.., environment. *errfd is
 * moved out of the way first if it sits in that range. */
void sockets_install(int *errfd, int no_listen_pid)
{
    if (nfds == 0) {
        /* Not ours to pass on: a LISTEN_* from autowrap's own parent (say
         * autowrap under systemd) names fds the generation does not have. */
        unsetenv("LISTEN_FDS");
        unsetenv("LISTEN_PID");
        unsetenv("LISTEN_FDNAMES");
        return;
    }
    if (*errfd >= 3 && *errfd < 3 + (int)nfds) {
        int moved = fcntl(*errfd, F_DUPFD_CLOEXEC, AW_SOCK_FD_BASE + AW_MAX_SOCKETS);
        if (moved >= 0) {
            close(*errfd);
            *errfd = moved;
        }
    }
    char names[AW_MAX_SOCKETS * 65] = "";
    for (unsigned i = 0; i < nfds; i++) {
        dup2(fds[i], 3 + (int)i); /* the copy is not close-on-exec */
        if (i)
            strcat(names, ":");
        strcat(names, addrs[i].name);
    }
    char buf[32];
    snprintf(buf, sizeof buf, "%u", nfds);
    setenv("LISTEN_FDS", buf, 1);
    setenv("LISTEN_FDNAMES", names, 1);
    if (no_listen_pid) {
        unsetenv("LISTEN_PID");
    } else {
        snprintf(buf, sizeof buf, "%d", (int)getpid()); /* this child = the exec'ed server */
        setenv("LISTEN_PID", buf, 1);
    }
}
