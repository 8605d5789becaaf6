#!/usr/bin/env python3
"""Two programs on one port, for check-server's "the port is the server's"
(tests/check-server.bats):

    python3 tests/servers/impostor.py ROLE ADDR PORT

Both bind ADDR:PORT with SO_REUSEPORT, listen and print "Serving HTTP on
port N ..." (PORT 0: a port of the kernel's).
ROLE:
  answers  replies to every GET: the impostor, started first, outside
           check-server
  silent   accepts and never replies: the server under test, on the same
           port at another address (0.0.0.0 against the impostor's
           127.0.0.1, which the kernel prefers for 127.0.0.1's clients;
           or the reverse)
"""
import signal
import socket
import sys

REPLY = b"HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\nHello, World!\n"


def main():
    role, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind((addr, port))
    listener.listen(64)
    print("Serving HTTP on port %d ..." % listener.getsockname()[1],
          flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    held = []
    while True:
        conn, _ = listener.accept()
        if role == "silent":
            held.append(conn)
            continue
        conn.settimeout(5)
        try:
            conn.recv(1024)
            conn.sendall(REPLY)
        except OSError:
            pass
        conn.close()


if __name__ == "__main__":
    main()
