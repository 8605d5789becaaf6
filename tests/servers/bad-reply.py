#!/usr/bin/env python3
"""An iterative server whose replies are not complete HTTP replies, for
check-server's reply check (tests/check-server.bats).

    python3 tests/servers/bad-reply.py MODE PORT

MODE: nohttp (a line of text), noend (a status line and a header, and no
empty line), short (a body shorter than its Content-Length), 404.
"""
import socket
import sys

REPLIES = {
    "nohttp": b"Hello, World!\n",
    "noend": b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n",
    "short": b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort",
    "404": b"HTTP/1.1 404 Not Found\r\n\r\nno such page\n",
}


def main():
    reply = REPLIES[sys.argv[1]]
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", int(sys.argv[2])))
    listener.listen(5)
    while True:
        conn, _ = listener.accept()
        conn.recv(1024)
        conn.sendall(reply)
        conn.close()


if __name__ == "__main__":
    main()
