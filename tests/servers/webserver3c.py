#!/usr/bin/env python3
"""The article's webserver3c, written again for the tests: a child per
connection; both copies of each descriptor closed; the child sleeps with
its connection open, then exits; nobody waits for it (zombies).

    python3 tests/servers/webserver3c.py [PORT [SECONDS]]   # 8888, 60
"""
import os
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


def handle(conn, pause):
    request = conn.recv(1024)
    line("Child PID: %d. Parent PID %d\n%s"
         % (os.getpid(), os.getppid(), request.decode(errors="replace")))
    conn.sendall(REPLY)
    time.sleep(pause)


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8888
    pause = float(sys.argv[2]) if len(sys.argv) > 2 else 60
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(QUEUE)
    print("Serving HTTP on port %d ..." % listener.getsockname()[1])
    print("Parent PID (PPID): %d\n" % os.getpid(), flush=True)
    while True:
        conn, _ = listener.accept()
        pid = os.fork()
        if pid == 0:  # the child
            listener.close()
            handle(conn, pause)
            conn.close()
            os._exit(0)
        else:  # the parent
            conn.close()


if __name__ == "__main__":
    main()
