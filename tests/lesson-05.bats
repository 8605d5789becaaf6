#!/usr/bin/env bats
# docs/05-fork-and-zombies.md: runs the lesson's command blocks and checks
# what the lesson says about them.

load test_helper

L=docs/05-fork-and-zombies.md

# The children of PID and their states, from /proc (no fork per file).
kid_states() {
	local f line rest st ppid
	for f in /proc/[0-9]*/stat; do
		{ read -r line <"$f"; } 2>/dev/null || continue
		rest="${line##*) }"
		read -r st ppid _ <<<"$rest"
		[[ "$ppid" == "$1" ]] && echo "$st"
	done
	return 0
}
zombies_are() { [[ "$(kid_states "$1" | grep -c Z || true)" -eq "$2" ]]; }
running_are() { [[ "$(kid_states "$1" | grep -vc Z || true)" -eq "$2" ]]; }

@test "lesson 5: three curls are answered at once while every child sleeps 60 s" {
	doc_start "$L" start-fork
	doc_run "$L" three-curls "$PORT"
	# curl timed out (no close for 60 s), but each got its reply.
	assert_equal "$(grep -c '^Hello, World!$' <<<"$output")" 3
	running_are "$SERVER_PID" 3
	run bg_out doc-start-fork
	# Each line is tagged with the process that printed it (issue 13).
	assert_line_matches '^\[parent\] fork\(\) +-> child pid [0-9]+$'
	assert_line_matches "^\\[child [0-9]+\\] Child PID: [0-9]+\\. Parent PID $SERVER_PID\$"
	assert_line_matches '^\[parent\] close\(4\) +-> ok, the parent.s copy \(the child has its own\)$'
	assert_line_matches '^\[child [0-9]+\] close\(3\) +-> ok, the child.s copy of the listening socket$'
	assert_line_matches '^\[child [0-9]+\] sleep\(60\) +-> sleeps with the connection open \(fd 4\)$'
}

@test "lesson 5: --keep-conn: curl has the reply but times out; parent and child share the socket inode" {
	doc_start "$L" keep-server
	doc_run "$L" keep-curl "$PORT"
	assert_output_contains "Hello, World!"
	assert_output_contains "curl: (28) Operation timed out"
	assert_output_contains "curl exit status: 28"
	doc_run "$L" same-inode "$PORT"
	assert_success
	local lines
	mapfile -t lines <<<"$output"
	[[ "${lines[0]}" =~ ^socket:\[[0-9]+\]$ ]] || fail "not a socket: ${lines[0]}"
	assert_equal "${lines[1]}" "${lines[0]}"
}

@test "lesson 5: --keep-conn --max-fds 16: 12 connections, then EMFILE, and the server stops" {
	doc_start "$L" emfile-server
	# In a terminal the server has 0, 1, 2 and 3 below 16; under bats it may
	# have inherited one more (fd 10): one connection less.
	local f low=0
	for f in /proc/"$SERVER_PID"/fd/*; do ((${f##*/} < 16)) && low=$((low + 1)); done
	doc_run "$L" emfile-clients "$PORT"
	assert_line_matches '^clients: +20 started of 20'
	wait_for exited "$SERVER_PID"
	local st=0
	wait "$SERVER_PID" || st=$?
	assert_equal "$st" 1
	run bg_err doc-emfile-server
	assert_output_contains "srv-fork: accept: Too many open files (EMFILE)"
	assert_output_contains "the parent holds $((16 - low)) connections it never closed (--keep-conn)"
	assert_output_contains "srv-fork: no descriptor will be freed: stopping"
}

@test "lesson 5: --reap none: three zombies, and kill -9 leaves them" {
	doc_start "$L" zombie-server
	doc_run "$L" zombie-curls "$PORT"
	assert_success
	wait_for zombies_are "$SERVER_PID" 3
	doc_run "$L" zombie-ps "$PORT"
	assert_success
	assert_equal "$(grep -cE "^ *[0-9]+ +$SERVER_PID +Z +\\[srv-fork\\] <defunct>\$" <<<"$output")" 3
	doc_run "$L" zombie-kill9 "$PORT"
	assert_line_matches '^ *[0-9]+ Z +\[srv-fork\] <defunct>$'
	zombies_are "$SERVER_PID" 3
	stop_gracefully "$SERVER_PID" INT
	assert_equal "$STOP_STATUS" 0
	assert_output_contains "children: 3 forked, 3 reaped, 0 left" "$(bg_out doc-zombie-server)"
}

@test "lesson 5: --reap once: accept fails with EINTR and the server exits" {
	doc_start "$L" eintr-server
	doc_run "$L" eintr-curl "$PORT"
	assert_success
	assert_equal "$output" "Hello, World!"
	wait_for exited "$SERVER_PID"
	local st=0
	wait "$SERVER_PID" || st=$?
	assert_equal "$st" 1
	# One reap per signal, never blocking (issue 12, item 4); tagged (issue 13).
	assert_line_matches '^\[parent\] waitpid\(-1, &st, WNOHANG\) +-> pid [0-9]+ \(exit 0\): reaped$' "$(bg_out doc-eintr-server)"
	run bg_err doc-eintr-server
	assert_output_contains "srv-fork: accept: Interrupted system call (EINTR): the SIGCHLD handler ran while accept() was blocked"
	assert_output_contains "hint: retry accept() on EINTR (--retry-accept), or install the handler with SA_RESTART"
}

@test "lesson 5: 128 clients: zombies are back with wait-once, none with the waitpid loop" {
	doc_start "$L" once-server
	local once="$SERVER_PID"
	doc_run "$L" burst-128 "$PORT"
	assert_success
	assert_line_matches '^connections made: 128 of 128$'
	assert_line_matches '^replies read: +128 \(128 of them 2xx\)$'
	assert_line_matches '^our clients reaped: +128 of 128'
	wait_for running_are "$once" 0
	doc_run "$L" count-zombies-once "$PORT"
	((output > 0)) || fail "expected zombies, got '$output'"
	echo "# zombies after 128 clients with wait-once: $output" >&3

	doc_start "$L" loop-server
	local before
	before="$(ls "/proc/$SERVER_PID/fd" | wc -l)"
	doc_run "$L" burst-128 "$PORT"
	assert_success
	wait_for running_are "$SERVER_PID" 0
	doc_run "$L" count-zombies-loop "$PORT"
	assert_equal "$output" 0
	assert_equal "$(ls "/proc/$SERVER_PID/fd" | wc -l)" "$before"
}
