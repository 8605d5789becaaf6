#!/usr/bin/env python3
"""Servers whose processes leave check-server's process group, for its
tracking of every descendant (tests/check-server.bats).

    python3 tests/servers/escape.py MODE PORT

MODE:
  setsid    a child per connection, which calls setsid() (a session and a
            process group of its own), serves, and stays 60 s
  helper    the first process forks a helper that calls setsid() and
            does all the work: accept(), a child per client, never
            reaped (zombies, outside the group)
  spawner   serves iteratively; after each reply, forks a process that
            calls setsid() and forks again, forever, each one exiting
            once its child exists: descendants that keep moving

Ready line on stdout: "Serving HTTP on port N ..." (PORT 0: a port of the
kernel's), printed once listening.
"""
import os
import signal
import socket
import sys
import time

REPLY = b"HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\nHello, World!\n"


def listen(port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(128)
    print("Serving HTTP on port %d ..." % listener.getsockname()[1],
          flush=True)
    return listener


def answer(conn):
    conn.settimeout(5)
    request = b""
    try:
        while b"\r\n\r\n" not in request:
            got = conn.recv(1024)
            if not got:
                return
            request += got
        conn.sendall(REPLY)
    except OSError:
        pass
    finally:
        conn.close()


def wander():
    """setsid() and fork, forever: each generation exits once its child
    exists, the child goes on."""
    while True:
        try:
            os.setsid()
        except OSError:
            pass
        if os.fork() > 0:
            os._exit(0)
        time.sleep(0.05)


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    if mode == "helper":
        listener = listen(port)
        if os.fork() > 0:
            listener.close()
            signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
            while True:
                signal.pause()
        os.setsid()
    else:
        listener = listen(port)
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    while True:
        conn, _ = listener.accept()
        if mode == "spawner":
            answer(conn)
            if os.fork() == 0:
                listener.close()
                wander()
            continue
        if os.fork() == 0:
            listener.close()
            if mode == "setsid":
                os.setsid()
            answer(conn)
            if mode == "setsid":
                time.sleep(60)
            os._exit(0)
        conn.close()


if __name__ == "__main__":
    main()
