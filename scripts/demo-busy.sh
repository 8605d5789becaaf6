#!/usr/bin/env bash
# shellcheck disable=SC2034 # DEMO_*: read by demo-lib.sh
# Classroom demo of lesson 2 (docs/02-busy-server-and-backlog.md): the
# article's webserver3b experiment, a sleeping server and two curls, then the
# backlog experiment.
# `make demo-busy`, or scripts/demo-busy.sh --help (--sleep S: a shorter sleep).

DEMO_NAME=busy
DEMO_LESSON=2
DEMO_LESSON_FILE=docs/02-busy-server-and-backlog.md

demo_steps() {
	# The lesson sleeps 60 s, as the article does, so that a learner has the
	# time for two curls and two looks with ss; in class, 20 s leave the
	# teacher the time to talk before the second curl, and no more.
	if [[ -z "$DEMO_SLEEP" && -z "$DEMO_AUTO" ]]; then
		DEMO_SLEEP=20
	fi
	step "Start the sleeping server (the article's webserver3b)" \
		"After each reply it sleeps with the connection still open."
	server_in server start-sleepy

	step "The first client" \
		"curl prints Hello, World! at once, but does not return: it waits for the close."
	run_in client1 curl-first
	expect client1 "Hello, World!"
	expect server "sleep("

	step "The second client, before the sleep ends" \
		"It prints nothing, and the server says nothing about it... except its queue line:" \
		"the kernel has connected it, and it waits in the listen queue."
	run_in client2 curl-second
	expect server "queue: 1 waiting"

	step "Wait for the sleep to end" \
		"The server closes the first connection (the first curl returns), then accepts the second."
	expect server "close(4)"
	expect client2 "Hello, World!"
	expect server "close(4)" 2

	step "More clients than the queue holds" \
		"show-backlog listens with backlog 5 and never accepts: 8 clients connect." \
		"backlog + 1 get in; the others are stuck in SYN-SENT, not refused."
	run_in client1 backlog-default
	expect client1 "result:"
}

# shellcheck source=scripts/demo-lib.sh
. "${BASH_SOURCE[0]%/*}/demo-lib.sh"
demo_main "$@"
