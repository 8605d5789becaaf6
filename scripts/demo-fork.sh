#!/usr/bin/env bash
# shellcheck disable=SC2034 # DEMO_*: read by demo-lib.sh
# Classroom demo of lesson 5 (docs/05-fork-and-zombies.md): the article's
# concurrent server, its zombies and the waitpid loop, in the article's
# side-by-side terminals.
# `make demo-fork`, or scripts/demo-fork.sh --help (--sleep S: the children's
# sleep, 60 s in the lesson).

DEMO_NAME=fork
DEMO_LESSON=5
DEMO_LESSON_FILE=docs/05-fork-and-zombies.md

demo_steps() {
	step "Start the concurrent server (the article's webserver3g)" \
		"It forks a child per client; each child sleeps after its reply, connection open." \
		"Each line says which process printed it: [parent], or [child PID]; first, the parent's PID."
	server_in server start-fork

	step "Three clients at once" \
		"All three get Hello, World! at once: each has its own process. fork() returns twice:" \
		"the parent gets the child's PID, the child 0 (Child PID: ... Parent PID ...)."
	run_in client1 three-curls
	expect server "Child PID:" 3
	expect client1 "Hello, World!" 3

	step "Stop it: the server waits for its children" \
		"Ctrl-C: the children stop sleeping and exit, and the server reaps them all."
	key_in server C-c
	expect server "children: 3 forked, 3 reaped, 0 left"

	step "A server that never waits (webserver3c): zombies" \
		"--reap none: no SIGCHLD handler, no wait()."
	server_in server zombie-server
	run_in client1 zombie-curls
	expect client1 "Hello, World!" 3
	say "   The children have exited. Are they gone? Their parent's PID, noted from the server pane:"
	note_in client2 zombie-pid "$(server_pid server)"
	run_in client2 zombie-ps
	expect client2 "<defunct>" 3

	step "kill -9 cannot kill a zombie" \
		"It runs no code any more: only its parent's wait() removes it. One of them, from ps:"
	note_in client2 note-zombie "$(last_match client2 '^ *([0-9]+) +[0-9]+ +Z.*<defunct>$')"
	run_in client2 zombie-kill9
	expect client2 "<defunct>"

	step "The server exits and waits: the zombies are gone"
	key_in server C-c
	expect server "3 reaped"

	step "The article's last server: waitpid(-1, &st, WNOHANG) in a loop" \
		"128 clients at once, and then we count the zombies."
	server_in server loop-server
	note_in client2 loop-pid "$(server_pid server)"
	run_in client1 burst-128
	expect client1 "our clients reaped:"
	run_in client2 count-zombies-loop
	expect client2 "0"
}

# shellcheck source=scripts/demo-lib.sh
. "${BASH_SOURCE[0]%/*}/demo-lib.sh"
demo_main "$@"
