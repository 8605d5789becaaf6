#!/usr/bin/env python3
"""Servers that never show what check-server looks for, for its "not
shown" verdict (tests/check-server.bats): each would have passed a check
without evidence.

    python3 tests/servers/unfinished.py MODE PORT

MODE:
  reset     a status line, headers without Content-Length, 32 kB of the
            body, then close() with SO_LINGER {1, 0}: a reset (RST) where
            the close (FIN) should be. The reset comes once the client's
            kernel has acknowledged every byte (SIOCOUTQ says 0): the
            client reads them all, then ECONNRESET
  endless   headers without Content-Length, then 100 bytes of body every
            0.05 s, forever: the reply never ends
  open      headers and a body without Content-Length, then nothing, and
            the connection left open: the end never comes
  noaccept  listens, and never calls accept(): no client is ever answered
  stopped   listens, prints its ready line, then stops itself (SIGSTOP):
            the kernel completes the handshakes, nobody answers

Iterative, a thread per connection for the replies that never end (a
client that waits for the end must not block the next one). Ready line
on stdout: "Serving HTTP on port N ..." (PORT 0: a port of the kernel's).
"""
import fcntl
import os
import signal
import socket
import struct
import sys
import termios
import threading
import time

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"


def read_request(conn):
    request = b""
    while b"\r\n\r\n" not in request:
        got = conn.recv(1024)
        if not got:
            return False
        request += got
    return True


def unsent(conn):
    """Bytes not yet acknowledged by the peer (SIOCOUTQ = TIOCOUTQ)."""
    buf = fcntl.ioctl(conn.fileno(), termios.TIOCOUTQ, b"\0" * 4)
    return struct.unpack("i", buf)[0]


def serve(conn, mode):
    try:
        if not read_request(conn):
            return
        if mode == "reset":
            conn.sendall(HEAD + b"x" * 32768)
            deadline = time.monotonic() + 5
            while unsent(conn) > 0 and time.monotonic() < deadline:
                time.sleep(0.001)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
        elif mode == "endless":
            conn.sendall(HEAD)
            while True:
                conn.sendall(b"y" * 99 + b"\n")
                time.sleep(0.05)
        elif mode == "open":
            conn.sendall(HEAD + b"Hello, World!\n")
            while conn.recv(1024):
                pass
    except OSError:
        pass
    finally:
        conn.close()


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(128)
    print("Serving HTTP on port %d ..." % listener.getsockname()[1],
          flush=True)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    if mode == "stopped":
        os.kill(os.getpid(), signal.SIGSTOP)
    if mode in ("noaccept", "stopped"):
        while True:
            signal.pause()
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, mode), daemon=True).start()


if __name__ == "__main__":
    main()
