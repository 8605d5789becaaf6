#!/usr/bin/env python3
"""A hostile server for check-server's cleanup test: it forks N children
that sleep forever (in its process group), then serves like webserver3a.
check-server must leave none of them behind (tests/check-server.bats).

    python3 tests/servers/forker.py N PORT
"""
import os
import signal
import socket
import sys


def main():
    count, port = int(sys.argv[1]), int(sys.argv[2])
    for _ in range(count):
        if os.fork() == 0:
            while True:
                signal.pause()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(5)
    print("Serving HTTP on port %d ..." % listener.getsockname()[1])
    while True:
        conn, _ = listener.accept()
        conn.recv(1024)
        conn.sendall(b"HTTP/1.1 200 OK\n\nHello, World!\n")
        conn.close()


if __name__ == "__main__":
    main()
