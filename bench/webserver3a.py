#!/usr/bin/env python3
"""The article's iterative server (webserver3a.py), in Python 3, for
`bench/run --vs`: the same socket/setsockopt/bind/listen/accept loop, one
recv(1024), the article's reply, close. Two changes: it binds 127.0.0.1 and
takes `--port N` (0 = the kernel chooses; the ready line shows the real
port), so that the benchmark can start it like socklab's servers.

    python3 bench/webserver3a.py --port 0
    bench/run --vs 'python3 bench/webserver3a.py --port 0'
"""
import socket
import sys

REQUEST_QUEUE_SIZE = 5


def serve_forever(port):
    listen_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listen_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listen_socket.bind(('127.0.0.1', port))
    listen_socket.listen(REQUEST_QUEUE_SIZE)
    port = listen_socket.getsockname()[1]
    print('Serving HTTP on port {port} ...'.format(port=port), flush=True)
    while True:
        client_connection, client_address = listen_socket.accept()
        handle_request(client_connection)
        client_connection.close()


def handle_request(client_connection):
    request = client_connection.recv(1024)
    print(request.decode(errors='replace'))
    http_response = b"""\
HTTP/1.1 200 OK

Hello, World!
"""
    client_connection.sendall(http_response)


if __name__ == '__main__':
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == '--port' and args[1].isdigit():
        serve_forever(int(args[1]))
    elif not args:
        serve_forever(8888)
    else:
        sys.exit('usage: webserver3a.py [--port PORT]')
