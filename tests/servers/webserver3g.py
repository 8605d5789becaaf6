#!/usr/bin/env python3
"""The article's webserver3g, written again for the tests: the SIGCHLD
handler calls waitpid(-1, WNOHANG) until no exited child is left.

    python3 tests/servers/webserver3g.py [PORT]   # 8888
"""
import errno
import os
import signal
import socket
import sys

QUEUE = 1024
REPLY = b"HTTP/1.1 200 OK\n\nHello, World!\n"


def line(text):
    """text and a newline in one write(): children share stdout, and
    print() writes its newline apart when Python is unbuffered
    (PYTHONUNBUFFERED, -u): another child's line could come between."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def grim_reaper(signum, frame):
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except OSError:  # ECHILD: no child at all
            return
        if pid == 0:  # children left, none exited
            return


def handle(conn):
    request = conn.recv(1024)
    line(request.decode(errors="replace"))
    conn.sendall(REPLY)


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8888
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(QUEUE)
    print("Serving HTTP on port %d ..." % listener.getsockname()[1], flush=True)
    signal.signal(signal.SIGCHLD, grim_reaper)
    while True:
        try:
            conn, _ = listener.accept()
        except OSError as e:
            if e.errno == errno.EINTR:
                continue
            raise
        pid = os.fork()
        if pid == 0:  # the child
            listener.close()
            handle(conn)
            conn.close()
            os._exit(0)
        else:  # the parent
            conn.close()


if __name__ == "__main__":
    main()
