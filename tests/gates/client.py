#!/usr/bin/env python3
"""client.py: well-behaved and hostile clients for the soak and signal gates.

Loopback only: every mode takes a PORT on 127.0.0.1. Each prints one result
line and exits 0 when the server behaved, 1 otherwise.

  seq PORT N            N sequential requests, each must get 200 and the body
  get PORT MAXSECS      one request, served within MAXSECS seconds
  trickle PORT N        send a request one byte a second, N bytes (0: all of
                        it); prints "connected" first, then holds the socket
  partial PORT          send half a request line, print "sent", then hold
  oversized PORT SIZE   headers of SIZE bytes: must get 431 (or a reset)
  halfclose PORT        send a request, shutdown(SHUT_WR): must get 200
  halfclose-raw PORT    send a request line with no blank line, SHUT_WR: 200
  vanish PORT N         N clients that connect and close without a byte
  reset PORT N          N clients that send half a request, then reset (RST)
  burst PORT N          N clients connect at once, send, read the reply
  send PORT DATA        send DATA (backslash escapes: \\r \\n \\x1b...), read
                        until the close, print the reply ("(reset)" if reset)
  silent PORT           connect, send nothing, read until the server closes:
                        print how many bytes came first
  drip PORT             send "GET /slow" and then one byte every 0.1 s until
                        the server answers or closes; print the reply
  bytewise PORT         send a whole request one byte per send(): must get 200
  header PORT SIZE [open]
                        a GET with an X-Big header of SIZE bytes (open: no
                        empty line after it); print the reply's status line
"""
import socket
import struct
import sys
import time

HOST = "127.0.0.1"
REQUEST = b"GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


def connect(port, timeout=10.0):
    s = socket.create_connection((HOST, port), timeout=timeout)
    return s


def read_all(s):
    chunks = []
    while True:
        b = s.recv(65536)
        if not b:
            return b"".join(chunks)
        chunks.append(b)


def request(port, payload=REQUEST, timeout=10.0):
    with connect(port, timeout) as s:
        s.sendall(payload)
        return read_all(s)


def ok(reply):
    return reply.startswith(b"HTTP/1.1 200 OK\r\n") and reply.endswith(b"Hello, World!\n")


def rst_close(s):
    # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def main(argv):
    mode, port = argv[1], int(argv[2])
    arg = argv[3] if len(argv) > 3 else None
    if mode == "seq":
        n, good, t0 = int(arg), 0, time.monotonic()
        for _ in range(n):
            if ok(request(port)):
                good += 1
        print(f"seq: {good}/{n} ok in {time.monotonic() - t0:.1f} s")
        return 0 if good == n else 1
    if mode == "get":
        t0 = time.monotonic()
        reply = request(port, timeout=float(arg))
        took = time.monotonic() - t0
        print(f"get: {'ok' if ok(reply) else 'bad reply'} in {took:.2f} s")
        return 0 if ok(reply) and took <= float(arg) else 1
    if mode in ("trickle", "partial"):
        s = connect(port)
        print("connected", flush=True)
        data = REQUEST if mode == "trickle" else b"GET / HT"
        if mode == "partial":
            s.sendall(data)
            print("sent", flush=True)
            data = b""
        n = int(arg) if arg else 0
        for i, byte in enumerate(data[: n or len(data)]):
            try:
                s.send(bytes([byte]))
            except OSError as e:
                print(f"trickle: server gave up after {i} bytes: {e}", flush=True)
                return 0
            time.sleep(1)
        time.sleep(3600)  # hold the connection; the test kills us
        return 0
    if mode == "oversized":
        size = int(arg)
        s = connect(port)
        try:
            s.sendall(b"GET / HTTP/1.1\r\nX-Big: " + b"a" * size + b"\r\n\r\n")
        except OSError:
            pass  # the server answered and closed before we finished: fine
        try:
            reply = read_all(s)
        except ConnectionResetError:
            reply = b"(reset)"
        s.close()
        line = reply.split(b"\r\n", 1)[0].decode(errors="replace")
        print(f"oversized: {line}")
        return 0 if line.startswith("HTTP/1.1 431") or line == "(reset)" else 1
    if mode in ("halfclose", "halfclose-raw"):
        s = connect(port)
        s.sendall(REQUEST if mode == "halfclose" else b"GET /hello HTTP/1.1\r\n")
        s.shutdown(socket.SHUT_WR)
        reply = read_all(s)
        s.close()
        print(f"{mode}: {'ok' if ok(reply) else repr(reply[:60])}")
        return 0 if ok(reply) else 1
    if mode == "vanish":
        for _ in range(int(arg)):
            connect(port).close()
        print(f"vanish: {arg} clients came and went")
        return 0
    if mode == "reset":
        for _ in range(int(arg)):
            s = connect(port)
            s.sendall(b"GET / HT")
            rst_close(s)
        print(f"reset: {arg} clients reset")
        return 0
    if mode == "burst":
        n = int(arg)
        socks = [connect(port, 30.0) for _ in range(n)]
        for s in socks:
            s.sendall(REQUEST)
        good = sum(1 for s in socks if ok(read_all(s)))
        for s in socks:
            s.close()
        print(f"burst: {good}/{n} ok")
        return 0 if good == n else 1
    if mode == "send":
        data = arg.encode("latin-1").decode("unicode_escape").encode("latin-1")
        s = connect(port)
        try:
            s.sendall(data)
            reply = read_all(s).decode(errors="replace")
        except ConnectionResetError:
            reply = "(reset)"
        s.close()
        print(reply)
        return 0
    if mode == "silent":
        with connect(port) as s:
            got = read_all(s)
        print(f"silent: {len(got)} bytes before the close")
        return 0
    if mode == "drip":
        s = connect(port)
        s.sendall(b"GET /slow")
        s.settimeout(0.1)
        reply, end = b"", time.monotonic() + 30
        while time.monotonic() < end:
            try:
                d = s.recv(1000)
            except socket.timeout:
                s.send(b"x")
                continue
            if not d:
                break
            reply += d
        s.close()
        print(reply.decode(errors="replace"))
        return 0
    if mode == "bytewise":
        with connect(port) as s:
            for b in REQUEST:
                s.send(bytes([b]))
            reply = read_all(s)
        print(f"bytewise: {'ok' if ok(reply) else repr(reply[:60])}")
        return 0 if ok(reply) else 1
    if mode == "header":
        size = int(arg)
        req = b"GET / HTTP/1.1\r\nX-Big: " + b"a" * size
        if argv[4:] != ["open"]:
            req += b"\r\n\r\n"
        s = connect(port)
        try:
            s.sendall(req)
            reply = read_all(s)
        except ConnectionResetError:
            reply = b"(reset)"
        s.close()
        print(reply.split(b"\r\n", 1)[0].decode(errors="replace"))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
