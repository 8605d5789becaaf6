#!/usr/bin/env python3
"""A forking server slow to fork, for check-server (tests/check-server.bats):
between accept() and fork() it waits DELAY seconds, as a forking server
on a loaded machine (or under AddressSanitizer) may take that long. The
client it accepted is the listening process's alone meanwhile; check-server
must still name the child that serves it.

    python3 tests/servers/slowfork.py DELAY PORT [linger]

linger: at SIGTERM the server exits at once, and a child takes 0.3 s more
to exit: it exits an orphan (check-server's, a subreaper), which must not
be counted as left behind.
"""
import os
import signal
import socket
import sys
import time

REPLY = b"HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\nHello, World!\n"


def stop(signum, frame):
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.killpg(0, signal.SIGTERM)  # its children, then itself


def linger(signum, frame):
    time.sleep(0.3)
    os._exit(0)


def main():
    delay, port = float(sys.argv[1]), int(sys.argv[2])
    in_child = linger if sys.argv[3:] == ["linger"] else signal.SIG_DFL
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # no zombies
    signal.signal(signal.SIGTERM, stop)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(128)
    print("Serving HTTP on port %d ..." % listener.getsockname()[1], flush=True)
    while True:
        conn, _ = listener.accept()
        time.sleep(delay)
        if os.fork() == 0:
            signal.signal(signal.SIGTERM, in_child)
            listener.close()
            conn.settimeout(2)
            try:
                if conn.recv(1024):
                    conn.sendall(REPLY)
            except OSError:
                pass
            os._exit(0)
        conn.close()


if __name__ == "__main__":
    main()
