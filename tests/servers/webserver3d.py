#!/usr/bin/env python3
"""The article's webserver3d, written again for the tests: the parent
keeps every connection (a list of them) and never closes its copy: no FIN
reaches the client, and the parent runs out of descriptors.

    python3 tests/servers/webserver3d.py [PORT]   # 8888
"""
import os
import socket
import sys

QUEUE = 5
REPLY = b"HTTP/1.1 200 OK\n\nHello, World!\n"


def handle(conn):
    conn.recv(1024)
    conn.sendall(REPLY)


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8888
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(QUEUE)
    print("Serving HTTP on port %d ..." % listener.getsockname()[1], flush=True)
    clients = []
    while True:
        conn, _ = listener.accept()
        clients.append(conn)  # kept: the parent's copy stays open
        pid = os.fork()
        if pid == 0:  # the child
            listener.close()
            handle(conn)
            conn.close()
            os._exit(0)
        else:  # the parent: no conn.close()
            print(len(clients), flush=True)


if __name__ == "__main__":
    main()
