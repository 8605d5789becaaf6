#!/usr/bin/env python3
"""A server that opens a second listening socket on its port (SO_REUSEPORT)
after its 20th request, for check-server's fds check, which must not call
that listener a leaked socket (tests/check-server.bats). The same happens,
by timing, to workers whose listeners come one after the other: here it
comes at a request, every run.

    python3 tests/servers/late-listener.py PORT

Iterative: select() on its listeners, accept(), read the request, reply,
close. Ready line on stdout: "Serving HTTP on port N ..." (PORT 0: a port
of the kernel's).
"""
import select
import signal
import socket
import sys

REPLY = b"HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\nHello, World!\n"
LATE = 20


def listen(port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(128)
    return listener


def serve(conn):
    conn.settimeout(5)
    request = b""
    try:
        while b"\r\n\r\n" not in request:
            got = conn.recv(1024)
            if not got:
                return
            request += got
        conn.sendall(REPLY)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    listeners = [listen(int(sys.argv[1]))]
    port = listeners[0].getsockname()[1]
    print("Serving HTTP on port %d ..." % port, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    served = 0
    while True:
        ready, _, _ = select.select(listeners, [], [])
        for listener in ready:
            try:
                conn, _ = listener.accept()
            except BlockingIOError:
                continue
            serve(conn)
            served += 1
            if served == LATE:
                listeners.append(listen(port))


if __name__ == "__main__":
    main()
