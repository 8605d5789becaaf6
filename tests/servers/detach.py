#!/usr/bin/env python3
"""A server that detaches, as a daemon does, for check-server
(tests/check-server.bats): it forks, the child calls setsid() and forks
again, and the first process exits 0 at once; the grandchild listens on
PORT and serves, in a session of its own.

    python3 tests/servers/detach.py PORT [late]

late: the first process exits only once the grandchild listens (as on a
busy machine, where it may be scheduled after it).
"""
import os
import socket
import sys

REPLY = b"HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\nHello, World!\n"


def main():
    port = int(sys.argv[1])
    late = sys.argv[2:] == ["late"]
    ready_r, ready_w = os.pipe()
    if os.fork() > 0:
        if late:
            os.close(ready_w)
            os.read(ready_r, 1)  # the grandchild listens
        os._exit(0)  # the first process: "started", and gone
    os.close(ready_r)
    os.setsid()
    if os.fork() > 0:
        os._exit(0)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(16)
    if late:  # else nobody reads: the write could fail with EPIPE
        os.write(ready_w, b"l")
    os.close(ready_w)
    while True:
        conn, _ = listener.accept()
        conn.recv(1024)
        conn.sendall(REPLY)
        conn.close()


if __name__ == "__main__":
    main()
