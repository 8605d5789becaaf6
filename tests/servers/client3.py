#!/usr/bin/env python3
"""The article's client3, written again for the tests: it forks
--max-clients processes; each connects, sends a GET request, keeps its
socket and exits without reading the reply. As in the article's script,
os._exit() sits inside the loop over the connections, so each client makes
one connection whatever --max-conns says.

    python3 tests/servers/client3.py [--max-clients N] [--max-conns M] [PORT]
"""
import argparse
import os
import socket
import sys

REQUEST = b"GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n"


def line(text):
    """text and a newline in one write(): children share stdout, and
    print() writes its newline apart when Python is unbuffered
    (PYTHONUNBUFFERED, -u): another child's line could come between."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main(max_clients, max_conns, port):
    for _ in range(max_clients):
        pid = os.fork()
        if pid == 0:
            socks = []
            for number in range(max_conns):
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.connect(("localhost", port))
                sock.sendall(REQUEST)
                socks.append(sock)
                line(str(number))
                os._exit(0)  # the article's indentation: after the first
    for _ in range(max_clients):  # not in the article: a test knows
        os.wait()  # when its clients are done, and none is a zombie


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="the article's test client")
    parser.add_argument("--max-conns", type=int, default=1024)
    parser.add_argument("--max-clients", type=int, default=1)
    parser.add_argument("port", type=int, nargs="?", default=8888)
    args = parser.parse_args()
    main(args.max_clients, args.max_conns, args.port)
