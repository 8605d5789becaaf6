#!/usr/bin/env bats
# docs/07-how-a-connection-ends.md: runs the lesson's command blocks, each in
# a terminal of its own, compares every output block with what was printed
# (doc_expect), and checks what the lesson says about them with ss and
# /proc. Under make pace, a person's pauses between the steps.

load test_helper

L=docs/07-how-a-connection-ends.md

# tw_server CPORT / tw_client CPORT: the connection from the client's port
# CPORT to PORT sits in TIME_WAIT on the server's / the client's side.
tw_server() { [[ -n "$(ss -Htan state time-wait "sport = :$PORT" and "dport = :$1")" ]]; }
tw_client() { [[ -n "$(ss -Htan state time-wait "sport = :$1" and "dport = :$PORT")" ]]; }
client_port() { sed -n 's/.*socket pair {127\.0\.0\.1:\([0-9]*\), .*/\1/p' <<<"$1" | head -n 1; }
port_free() { [[ -z "$(ss -Hltn "sport = :$PORT")" ]]; }
sleep_listens() { ss -Hltnp "sport = :$PORT" | grep -qF '("sleep",'; }
# The iterative server closes the last connections of a run after the
# client has finished: until then the client's ends wait in FIN-WAIT-2.
# Every client end of a connection to PORT is in TIME_WAIT: none still in
# FIN-WAIT-1 or FIN-WAIT-2 (the server has not closed its end yet).
all_closed() { [[ -z "$(ss -Htan exclude time-wait "dport = :$PORT")" ]]; }

@test "lesson 7: the half-close, a reset for unread data, the server's TIME_WAIT, and no restart without SO_REUSEADDR" {
	doc_start "$L" half-server
	doc_run "$L" half-close "$PORT"
	assert_success
	doc_expect "$L" half-close
	doc_expect "$L" "half-server after half-close"
	local half unread
	half="$(client_port "$output")"
	# The client sent the first FIN: the TIME_WAIT is its own.
	wait_for tw_client "$half"
	tw_server "$half" && fail "the server keeps a TIME_WAIT after a half-close"

	doc_run "$L" unread "$PORT"
	assert_success
	doc_expect "$L" unread
	unread="$(client_port "$output")"
	doc_run "$L" reset-by-peer "$PORT"
	assert_failure 1
	doc_expect "$L" reset-by-peer

	doc_run "$L" plain-client "$PORT"
	assert_success
	doc_expect "$L" plain-client
	doc_run "$L" tw-server "$PORT"
	assert_success
	doc_expect "$L" tw-server
	# The RST of --unread left no TIME_WAIT on either side.
	tw_server "$unread" && fail "a TIME_WAIT after the reset"
	tw_client "$unread" && fail "a TIME_WAIT after the reset"

	doc_ctrl_c half-server
	assert_equal "$STOP_STATUS" 0
	doc_run "$L" no-reuseaddr "$PORT"
	assert_failure 1
	doc_expect "$L" no-reuseaddr
}

@test "lesson 7: a thousand short connections leave about a thousand TIME_WAITs, all on the client's side" {
	doc_start "$L" short-server
	# A server that had this port number within the minute may have left
	# its clients' TIME_WAITs (the lesson says so: "more if you ran other
	# clients"): counted before, and taken off.
	local before
	before="$(ss -Htan state time-wait "dport = :$PORT" | wc -l)"
	doc_run "$L" short "$PORT"
	assert_success
	doc_expect "$L" short
	wait_for all_closed
	doc_run "$L" tw-count "$PORT"
	assert_success
	doc_expect "$L" tw-count
	# About 1000: tcp_tw_reuse (2, loopback) may have taken back a few
	# ports whose TIME_WAIT was over a second old; never more than 1000
	# (this port is the test's own while its server runs).
	local n="${output//[^0-9]/}"
	((n - before > 900 && n - before <= 1000)) ||
		fail "$n TIME_WAITs after 1000 connections ($before before them)"
	[[ -z "$(ss -Htan state time-wait "sport = :$PORT")" ]] || fail "the server has TIME_WAITs"
	doc_ctrl_c short-server
	assert_equal "$STOP_STATUS" 0
}

@test "lesson 7: in a network namespace of 100 ports, the 101st short connection fails with EADDRNOTAVAIL" {
	unshare -rn true 2>/dev/null || skip "no user and network namespace here (unshare -rn)"
	PORT=8888 # the namespace's own: nothing else listens there
	doc_run "$L" exhaust "$PORT"
	assert_failure 1
	doc_expect "$L" exhaust
}

@test "lesson 7: SIGPIPE kills the server that writes to a client gone, status 141" {
	doc_start "$L" sigpipe-server
	doc_launch "$L" hold "$PORT" '^holding 1 idle'
	wait_for doc_out_has sigpipe-server "accept("
	doc_run "$L" give-up "$PORT"
	assert_failure 1
	doc_expect "$L" give-up
	doc_ctrl_c hold
	doc_wait sigpipe-server
	doc_expect "$L" "sigpipe-server after Ctrl-C"
}

@test "lesson 7: without close-on-exec the exec'd program keeps the port after the server is killed" {
	# The server in an interactive shell, as in the learner's terminal: the
	# shell outlives the server, and sleep (its process group) gets no
	# hangup. A port of our own (bind port 0, closed).
	PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
	doc_shell exec-server
	doc_type exec-server "$L" exec-server "$PORT"
	wait_for doc_out_has exec-server "Serving HTTP on port $PORT"
	SERVER_PID="$(doc_out exec-server | sed -n 's/^\[parent\] getpid() *-> \([0-9]*\).*/\1/p' | head -n 1)"
	[[ -n "$SERVER_PID" ]]
	# The job's process group (sh and sleep are in it): teardown kills it
	# even when a step fails before the lesson's own cleanup.
	SOCKLAB_PIDS+=("$SERVER_PID")
	doc_remember "$L" exec-pid "$SERVER_PID"
	doc_launch "$L" exec-client "$PORT" '^holding 1 idle'
	wait_for sleep_listens
	doc_run "$L" exec-kill "$PORT"
	assert_success
	doc_expect "$L" exec-kill
	wait_for exited "$SERVER_PID"
	doc_ctrl_c exec-client
	doc_run "$L" exec-cleanup "$PORT"
	assert_success
	wait_for -t 5 port_free
}

@test "lesson 7: SIGCHLD ignored: no zombies, and waitpid can only say ECHILD" {
	doc_start "$L" ignore-server
	doc_run "$L" ignore-curls "$PORT"
	assert_success
	doc_expect "$L" ignore-curls
	wait_for kids_are "$SERVER_PID" 0
	doc_ctrl_c ignore-server
	assert_equal "$STOP_STATUS" 0
	doc_expect "$L" "ignore-server after Ctrl-C"
}
