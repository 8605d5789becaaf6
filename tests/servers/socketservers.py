#!/usr/bin/env python3
"""Python's standard library servers, as a learner would write the
homework with them, for check-server's appendix (docs/check-server.md)
and its tests (tests/check-server.bats):

    python3 tests/servers/socketservers.py KIND PORT

KIND:
  forking    socketserver.ForkingTCPServer: a child per connection,
             reaped by the parent between requests (collect_children)
  threading  socketserver.ThreadingTCPServer: a thread per connection

The handler reads the request up to its empty line and replies. SIGTERM
stops the server (server_close(), then exit): what happens to a child
still serving is the server's own business, and what check-server grades.
Ready line on stdout: "Serving HTTP on port N ..." (PORT 0: a port of the
kernel's).
"""
import signal
import socketserver
import sys

REPLY = b"HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\nHello, World!\n"


class Hello(socketserver.StreamRequestHandler):
    def handle(self):
        while True:
            line = self.rfile.readline()
            if not line or line in (b"\r\n", b"\n"):
                break
        if line:
            self.wfile.write(REPLY)


def main():
    kind, port = sys.argv[1], int(sys.argv[2])
    cls = {"forking": socketserver.ForkingTCPServer,
           "threading": socketserver.ThreadingTCPServer}[kind]
    cls.allow_reuse_address = True
    cls.daemon_threads = True
    server = cls(("127.0.0.1", port), Hello)

    def stop(_sig, _frame):
        server.server_close()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    print("Serving HTTP on port %d ..." % server.server_address[1],
          flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
