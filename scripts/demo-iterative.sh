#!/usr/bin/env bash
# shellcheck disable=SC2034 # DEMO_*: read by demo-lib.sh
# Classroom demo of lesson 1 (docs/01-iterative-server.md): the iterative
# server and its clients, in the article's side-by-side terminals.
# `make demo-iterative`, or scripts/demo-iterative.sh --help.

DEMO_NAME=iterative
DEMO_LESSON=1
DEMO_LESSON_FILE=docs/01-iterative-server.md

demo_steps() {
	step "Start the iterative server" \
		"It narrates socket, setsockopt, bind and listen, then prints the article's line."
	server_in server start-server
	expect server "listen(3, 5)"

	step "A client: curl" \
		"accept() returns a new descriptor, 4, for this connection; the server prints the request."
	run_in client1 curl-hello
	expect client1 "Hello, World!"
	expect server "close(4)"

	step "The article's client, in C" \
		"socket and connect: no bind, no accept. The server prints the whole request: test."
	run_in client2 cli-connect
	expect client2 "close(3)"
	expect server "test"

	step "The article's own Python client"
	run_in client1 python-client
	expect client1 "Hello, World!"

	step "The socket pair from both ends" \
		"Stop the server, start it on 127.12.12.3 and connect from 127.10.10.2:" \
		"each end prints the same pair, mirrored."
	key_in server C-c
	expect server "Stopped: served"
	server_in server figure-server
	run_in client2 figure-client
	expect client2 "socket pair {127.10.10.2:"
	expect server "socket pair {127.12.12.3:"

	step "Ctrl-C stops the server" "It closes its listening socket and says how many requests it served."
	key_in server C-c
	expect server "Stopped: served 1 request."
}

# shellcheck source=scripts/demo-lib.sh
. "${BASH_SOURCE[0]%/*}/demo-lib.sh"
demo_main "$@"
