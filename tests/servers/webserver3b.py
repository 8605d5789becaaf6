#!/usr/bin/env python3
"""The article's webserver3b, written again for the tests: webserver3a,
but it sleeps with the connection open after each reply, so the next
clients wait in the listen queue.

    python3 tests/servers/webserver3b.py [PORT [SECONDS]]   # 8888, 60

PORT 0: the kernel chooses; the ready line says which.
"""
import socket
import sys
import time

QUEUE = 5
REPLY = b"HTTP/1.1 200 OK\n\nHello, World!\n"


def line(text):
    """text and a newline in one write(): children share stdout, and
    print() writes its newline apart when Python is unbuffered
    (PYTHONUNBUFFERED, -u): another child's line could come between."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8888
    pause = float(sys.argv[2]) if len(sys.argv) > 2 else 60
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(QUEUE)
    print("Serving HTTP on port %d ..." % listener.getsockname()[1], flush=True)
    while True:
        conn, _ = listener.accept()
        request = conn.recv(1024)
        line(request.decode(errors="replace"))
        conn.sendall(REPLY)
        time.sleep(pause)  # the connection stays open: curl waits
        conn.close()


if __name__ == "__main__":
    main()
