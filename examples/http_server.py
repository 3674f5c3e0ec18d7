#!/usr/bin/env python3
"""A small HTTP server (standard library only) that serves from the socket
autowrap passes with --socket (systemd's LISTEN_FDS protocol), or binds one
itself when run without it.

    autowrap -S 8000 -- python3 examples/http_server.py
    curl http://127.0.0.1:8000/

On SIGTERM it finishes the request in hand and exits; connections not yet
accepted stay queued in the socket autowrap keeps, for the next generation."""

import http.server
import os
import signal
import socket
import socketserver
import sys

GREETING = "hello"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("%s from pid %d\n" % (GREETING, os.getpid())).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


def inherited_socket():
    """fd 3 if LISTEN_FDS says there is one for us. LISTEN_PID, when set,
    must be our pid (it is absent under autowrap --no-listen-pid)."""
    if int(os.environ.get("LISTEN_FDS", "0") or 0) < 1:
        return None
    pid = os.environ.get("LISTEN_PID")
    if pid and pid != str(os.getpid()):
        return None
    for k in ("LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"):
        os.environ.pop(k, None)  # not for our own children
    return socket.socket(fileno=3)  # family and type are read from the fd


class Server(socketserver.TCPServer):
    allow_reuse_address = True

    def __init__(self, sock, addr):
        if sock is not None:
            super().__init__(None, Handler, bind_and_activate=False)
            self.socket = sock
            self.server_address = sock.getsockname()
        else:
            super().__init__(addr, Handler)


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    sock = inherited_socket()
    srv = Server(sock, ("127.0.0.1", port))
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    srv.timeout = 0.05
    print("serving on %s (%s socket)" % (srv.server_address,
                                         "inherited" if sock else "own"), flush=True)
    while not stopping:
        srv.handle_request()
    # server_close() would close the listener: only our copy, autowrap keeps its own.
    srv.server_close()


if __name__ == "__main__":
    main()
