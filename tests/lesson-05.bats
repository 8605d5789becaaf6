#!/usr/bin/env bats
# docs/05-fork-and-zombies.md: runs the lesson's command blocks, each in a
# terminal of its own (the server is the foreground job of its terminal, as
# a learner's is: its zombies show as Z+), compares every output block with
# what was printed (doc_expect), and checks what the lesson says about them.
# Under make pace, a person's pauses between the steps.

load test_helper

L=docs/05-fork-and-zombies.md

# The lesson finds its server with pgrep; another test's server (tests may
# run at the same time) could match too: the tests use their own.
ours() {
	doc_subst "\$(pgrep -o -f '$1')" "$SERVER_PID"
}

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
	doc_expect "$L" three-curls
	running_are "$SERVER_PID" 3
	doc_expect "$L" "start-fork after three-curls"
	assert_equal "$(grep -c "^Child PID: [0-9]*\\. Parent PID $SERVER_PID\$" "$BATS_TEST_TMPDIR/doc-start-fork.out")" 3
}

@test "lesson 5: the correct server lets curl finish at once; --keep-conn hangs it, and the parent keeps fd 4" {
	doc_start "$L" correct-server
	doc_run "$L" correct-curl "$PORT"
	assert_success
	doc_expect "$L" correct-curl
	doc_ctrl_c correct-server
	assert_equal "$STOP_STATUS" 0

	doc_start "$L" keep-server
	doc_run "$L" keep-curl "$PORT"
	doc_expect "$L" keep-curl
	# The child has gone: it was not the child that held the connection.
	wait_for running_are "$SERVER_PID" 0
	ours 'srv-fork --keep-conn'
	doc_run "$L" keep-fds "$PORT"
	assert_success
	doc_expect "$L" keep-fds
}

@test "lesson 5: --keep-conn --child-sleep: parent and child share the connection's inode" {
	doc_start "$L" keep-sleep-server
	doc_run "$L" keep-sleep-curl "$PORT"
	assert_output_contains "Hello, World!"
	assert_output_contains "curl exit status: 28"
	ours 'srv-fork --keep-conn'
	doc_run "$L" same-inode "$PORT"
	assert_success
	doc_expect "$L" same-inode
	local lines
	mapfile -t lines <<<"$output"
	assert_equal "${lines[1]}" "${lines[0]}"
}

@test "lesson 5: --keep-conn --max-fds 16: 12 connections, then EMFILE, and the server stops" {
	doc_start "$L" emfile-server
	doc_run "$L" emfile-clients "$PORT"
	doc_expect "$L" emfile-clients
	doc_wait emfile-server
	assert_equal "$STOP_STATUS" 1
	doc_expect "$L" "emfile-server after emfile-clients"
}

@test "lesson 5: --reap none: three zombies (Z+ in a terminal), and kill -9 leaves them" {
	doc_start "$L" zombie-server
	doc_run "$L" zombie-curls "$PORT"
	assert_success
	doc_expect "$L" zombie-curls
	wait_for zombies_are "$SERVER_PID" 3
	ours 'srv-fork --reap none'
	doc_run "$L" zombie-ps "$PORT"
	assert_success
	doc_expect "$L" zombie-ps
	assert_equal "$(grep -cE "^ *[0-9]+ +$SERVER_PID Z" <<<"$output")" 3
	doc_run "$L" zombie-kill9 "$PORT"
	doc_expect "$L" zombie-kill9
	zombies_are "$SERVER_PID" 3
	doc_ctrl_c zombie-server
	assert_equal "$STOP_STATUS" 0
	assert_output_contains "children: 3 forked, 3 reaped, 0 left" "$(doc_out zombie-server)"
}

@test "lesson 5: --nproc, as root through setpriv: the clients beyond the limit get 503, the server goes on" {
	[[ "$(id -u)" -eq 0 ]] || skip "the block is the one for root (setpriv); not root here"
	command -v setpriv >/dev/null || skip "setpriv is not installed (util-linux)"
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$SOCKLAB_BIN/srv-fork" 2>/dev/null ||
		skip "$SOCKLAB_BIN/srv-fork is not reachable by uid 65534"
	# LeakSanitizer's exit-time thread would count against the limit.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" doc_start "$L" nproc-server
	doc_run "$L" nproc-clients "$PORT"
	doc_expect "$L" nproc-clients
	assert_line_matches '^replies read: +30 \(([0-9]|1[0-9]) of them 2xx\)$' # at most 19 children
	doc_expect "$L" "nproc-server after nproc-clients"
	alive "$SERVER_PID"
	assert_output_contains "503 Service Unavailable" "$(curl -sS -D - "http://127.0.0.1:$PORT/")"
	doc_ctrl_c nproc-server
	assert_equal "$STOP_STATUS" 0
	assert_line_matches '^children: [0-9]+ forked, [0-9]+ reaped, 0 left$' "$(doc_out nproc-server)"
}

@test "lesson 5: --reap once: accept fails with EINTR and the server exits" {
	doc_start "$L" eintr-server
	doc_run "$L" eintr-curl "$PORT"
	assert_success
	assert_equal "$output" "Hello, World!"
	doc_wait eintr-server
	assert_equal "$STOP_STATUS" 1
	doc_expect "$L" "eintr-server after eintr-curl"
}

@test "lesson 5: 128 clients: zombies are back with wait-once, none with the waitpid loop" {
	doc_start "$L" once-server
	local once="$SERVER_PID"
	doc_run "$L" burst-128 "$PORT"
	assert_success
	doc_expect "$L" burst-128
	wait_for running_are "$once" 0
	ours 'srv-fork --reap once'
	doc_run "$L" count-zombies-once "$PORT"
	doc_expect "$L" count-zombies-once
	((output > 0 && output < 128)) || fail "expected zombies, got '$output'"
	echo "# zombies after 128 clients with wait-once: $output" >&3
	doc_ctrl_c once-server

	doc_start "$L" loop-server
	local before
	before="$(ls "/proc/$SERVER_PID/fd" | wc -l)"
	doc_run "$L" burst-128 "$PORT"
	assert_success
	doc_expect "$L" burst-128
	wait_for running_are "$SERVER_PID" 0
	ours 'srv-fork --backlog 128'
	doc_run "$L" count-zombies-loop "$PORT"
	doc_expect "$L" count-zombies-loop
	assert_equal "$(ls "/proc/$SERVER_PID/fd" | wc -l)" "$before"
}
