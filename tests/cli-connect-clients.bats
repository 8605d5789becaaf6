#!/usr/bin/env bats
# cli-connect --clients (tools/client3.c, the article's client3): the fork,
# the pipe of reports and waitpid narrated; stopped by a signal, it stops
# its clients, reaps them and sums up; a SIGCHLD ignored by whoever started
# it changes nothing. The summary and --json: tests/cli-connect.bats.

load test_helper
load client_helper

# A server that accepts every connection, reads its request, and never
# answers nor closes: with --read and --timeout 0 the clients wait in recv()
# forever. It prints "got N" once it has the Nth client's request: that
# client has counted its connection by then (it sends only after its
# connect() has returned and been counted). Its accept() is not enough: the
# kernel completes a connection, and the server may accept it, before the
# client's connect() has returned; a signal then finds the client still in
# connect(), and it reports no connection (under load: "expected 3, got 2").
# Sets MUTE_PORT.
start_mute() {
	start_peer mute '
held = []
while True:
    c, _ = s.accept(); held.append(c)
    got = b""
    while b"\r\n\r\n" not in got:
        more = c.recv(4096)
        if not more:
            break
        got += more
    print("got", len(held), flush=True)'
	MUTE_PORT="$PEER_PORT"
}

# start_clients N ARGS...: cli-connect --clients N ARGS... in the background,
# without waiting for a line of its own (it prints its summary only at the
# end); sets CLIENTS_PID (cli-connect's pid: sh execs it).
start_clients() {
	start_bg clients '^starting$' sh -c 'echo starting; exec "$@"' sh \
		cli-connect --clients "$@"
	CLIENTS_PID="$BG_PID"
}

@test "--clients narrates the pipe, the forks, the reports and the reaping" {
	start_server srv srv-fork --port 0 --backlog 32 --quiet
	run cli-connect --clients 5 --read "127.0.0.1:$PORT"
	assert_success
	assert_line_matches '^pipe\(\) +-> fds [0-9]+ and [0-9]+'
	assert_line_matches '^fork\(\) x 5 +-> 5 clients started'
	assert_line_matches '^read\([0-9]+\) until every client closed the pipe +-> 5 reports$'
	assert_line_matches '^waitpid\(-1, &st, 0\) x 5 +-> 5 reaped'
	assert_line_matches '^replies read: +5 \(5 of them 2xx\)$'
	run cli-connect --clients 5 --quiet "127.0.0.1:$PORT"
	assert_success
	refute_output_contains "fork()"
	assert_line_matches '^connections made: +5 of 5$'
}

@test "--clients --http to an IPv6 address: the Host header has brackets" {
	start_server srv srv-iter --port 0 --host ::1
	run cli-connect --clients 1 --read --http /v6 "[::1]:$PORT"
	assert_success
	wait_for bg_out_has srv "close(4)"
	run bg_out srv
	assert_line_matches '^  \| GET /v6 HTTP/1\.1$'
	assert_line_matches '^  \| Host: \[::1\]:'"$PORT"'$'
}

@test "SIGCHLD ignored by whoever started us: --clients still reaps every client" {
	# Issue 12, item 8: with SIGCHLD at SIG_IGN the kernel reaps the
	# children itself and waitpid() finds none ("reaped 0 of 5").
	start_server srv srv-fork --port 0 --backlog 32 --quiet
	run python3 -c 'import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
os.execvp(sys.argv[1], sys.argv[1:])' cli-connect --clients 5 --json "127.0.0.1:$PORT"
	assert_success
	assert_equal "$(json_field reaped)" 5
	assert_equal "$(json_field reports)" 5
}

# stop_clients SIGNAL [group]: four clients wait forever for a reply; the
# signal goes to cli-connect (or to its whole process group, as Ctrl-C in a
# terminal does). It must stop its clients, reap them, sum up, exit 1.
stop_clients() {
	local sig="$1" target kids pid
	start_mute
	start_clients 4 --read --timeout 0 "127.0.0.1:$MUTE_PORT"
	wait_for bg_out_has mute "got 4"
	kids="$(pgrep -P "$CLIENTS_PID" | tr '\n' ' ')"
	assert_equal "$(wc -w <<<"$kids")" 4
	target="$CLIENTS_PID"
	[[ "${2-}" == group ]] && target="-$CLIENTS_PID"
	kill -s "$sig" -- "$target"
	wait_for exited "$CLIENTS_PID"
	STOP_STATUS=0
	wait "$CLIENTS_PID" || STOP_STATUS=$?
	assert_equal "$STOP_STATUS" 1
	for pid in $kids; do
		! alive "$pid" || fail "client $pid was left running (an orphan)"
	done
	run bg_out clients
	assert_line_matches '^connections made: +4 of 4$'
	assert_line_matches '^replies read: +0 '
	assert_line_matches "^our clients reaped: +4 of 4 "
	assert_line_matches "^stopped: +by SIG$sig: 4 clients had not finished$"
	run bg_err clients
	assert_output_contains "cli-connect: stopped by SIG$sig"
}

@test "SIGINT to --clients (--timeout 0): clients stopped, reaped, summed up, exit 1" {
	stop_clients INT
}

@test "SIGTERM to --clients (--timeout 0): clients stopped, reaped, summed up, exit 1" {
	stop_clients TERM
}

@test "SIGHUP to --clients (--timeout 0): clients stopped, reaped, summed up, exit 1" {
	stop_clients HUP
}

@test "Ctrl-C (SIGINT to the whole process group): the same summary, exit 1" {
	stop_clients INT group
}

@test "--clients --json after a signal: the summary says who stopped it" {
	start_mute
	start_clients 3 --read --timeout 0 --json "127.0.0.1:$MUTE_PORT"
	wait_for bg_out_has mute "got 3"
	kill -TERM "$CLIENTS_PID"
	wait_for exited "$CLIENTS_PID"
	run bg_out clients
	assert_equal "$(tail -n 1 <<<"$output" | head -c 1)" "{"
	output="$(tail -n 1 <<<"$output")"
	assert_equal "$(json_field stopped_by)" SIGTERM
	assert_equal "$(json_field stopped)" 3
	assert_equal "$(json_field connections)" 3
	assert_equal "$(json_field reaped)" 3
	assert_equal "$(json_field reports)" 3
}
