#!/usr/bin/env python3
"""A student's first server, as the article's webserver3a is written: one
client at a time, one recv(1024), the reply, close; no timeout, no framing.
check-server must find that it is not concurrent (tests/check-server.bats).

    python3 tests/servers/webserver3a.py PORT     # 0: the kernel chooses

It prints the article's ready line with the real port.
"""
import socket
import sys

QUEUE = 5
REPLY = b"HTTP/1.1 200 OK\n\nHello, World!\n"


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8888
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(QUEUE)
    print("Serving HTTP on port %d ..." % listener.getsockname()[1])
    while True:
        conn, _ = listener.accept()
        request = conn.recv(1024)
        print(request.decode(errors="replace"))
        conn.sendall(REPLY)
        conn.close()


if __name__ == "__main__":
    main()
