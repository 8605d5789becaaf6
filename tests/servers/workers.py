#!/usr/bin/env python3
"""Preforked servers of designs other than socklab's, for check-server,
which must grade any design (tests/check-server.bats):

    python3 tests/servers/workers.py MODE PORT

MODE:
  reuseport  3 workers, each with a listening socket of its own
             (SO_REUSEPORT, as nginx's "reuseport" does), opened 0.2 s
             one after the other; the parent holds no listener: it only
             waits for its workers. A correct server.
  ready      as reuseport, but the parent prints the ready line ("Serving
             HTTP on port N ...", PORT 0: a port of the kernel's) once all
             3 workers listen, opened at once: a grader that reads the line
             finds every listener there (check-server's fds check counts a
             listener opened after its first count as a socket leaked)
  leak       one listener, 3 workers in accept(), each of which keeps every
             connection it served (in C: the close() forgotten): the
             client gets its reply but never the FIN, and the worker's
             descriptors grow. The parent keeps the listener, as
             srv-prefork's does, and its descriptors do not grow.

Each worker serves each connection in a thread of its own (a worker that
served one client at a time would make a client wait behind a slow one
whenever the kernel's hash gives it the busy worker's socket): it reads
until the request's empty line (5 s at most: a silent client is let go),
replies, and, but in leak, closes. SIGTERM to the parent: it stops its
workers, reaps them and exits.
"""
import os
import signal
import socket
import sys
import threading
import time

WORKERS = 3
REPLY = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nHello, World!\n"


def listen(port, reuseport):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuseport:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(16)
    return listener


def serve(conn):
    conn.settimeout(5)
    request = b""
    try:
        while b"\r\n\r\n" not in request and b"\n\n" not in request:
            got = conn.recv(1024)
            if not got:
                return
            request += got
        conn.sendall(REPLY)
    except OSError:
        pass


def worker(listener, keep):
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    kept = []

    def one(conn):
        serve(conn)
        if keep:
            kept.append(conn)  # the mistake: never closed
        else:
            conn.close()

    while True:
        conn, _ = listener.accept()
        threading.Thread(target=one, args=(conn,), daemon=True).start()


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    shared = listen(port, False) if mode == "leak" else None
    ready = None
    if mode == "ready":
        # The port: bound (SO_REUSEPORT), never listened on, by the parent;
        # each worker tells a pipe once it listens.
        bound = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        bound.bind(("127.0.0.1", port))
        port = bound.getsockname()[1]
        ready = os.pipe()
    pids = []
    for i in range(WORKERS):
        pid = os.fork()
        if pid == 0:
            if mode == "reuseport":
                time.sleep(0.2 * i)  # one after the other
            listener = shared if shared else listen(port, True)
            if ready:
                bound.close()
                os.write(ready[1], b"l")
                os.close(ready[0])
                os.close(ready[1])
            worker(listener, mode == "leak")
        pids.append(pid)
    if ready:
        os.close(ready[1])
        for _ in range(WORKERS):
            os.read(ready[0], 1)
        bound.close()
        print("Serving HTTP on port %d ..." % port, flush=True)

    def stop(_sig, _frame):
        for p in pids:
            os.kill(p, signal.SIGTERM)
        for p in pids:
            os.waitpid(p, 0)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
