#!/usr/bin/env bats
# Signals: SIGINT (Ctrl-C), SIGTERM and every other signal that asks a
# process to stop (SIGHUP, SIGQUIT, SIGUSR1...) end a server cleanly at any
# moment - while it waits for a client, while a client is half-way through
# its request, in the middle of a run of requests, between the loop's test
# of its stop flag and its wait: the listening socket is closed (the port is
# free again), the server says how many requests it served, and it exits 0;
# srv-fork also reaps every child. (issues 7 and 12)

load test_helper

CLIENT="$BATS_TEST_DIRNAME/gates/client.py"

listening() { ss -ltnH "sport = :$1" | grep -q .; }

# stopped_cleanly NAME PORT: exit 0, the port free, the closing line.
stopped_cleanly() {
	assert_equal "$STOP_STATUS" 0
	! listening "$2" || fail "port $2 is still listening"
	run bg_out "$1"
	assert_line_matches '^Stopped: served [0-9]+ requests?\.$'
}

@test "SIGINT while srv-iter waits in accept(): listener closed, exit 0" {
	start_server srv srv-iter --port 0
	listening "$PORT"
	stop_gracefully "$SERVER_PID" INT
	stopped_cleanly srv "$PORT"
	assert_output_contains "Stopped: served 0 requests."
}

@test "SIGTERM after two requests: srv-iter says it served 2 and exits 0" {
	start_server srv srv-iter --port 0
	http_get "$PORT" >/dev/null
	http_get "$PORT" >/dev/null
	wait_for bg_out_has srv "close("
	stop_gracefully "$SERVER_PID" TERM
	stopped_cleanly srv "$PORT"
	assert_output_contains "Stopped: served 2 requests."
}

@test "SIGTERM while a client is half-way through its request ends srv-iter at once, not after --timeout" {
	start_server srv srv-iter --port 0 --timeout 60
	start_bg partial '^sent' python3 "$CLIENT" partial "$PORT"
	wait_for bg_out_has srv "recv("
	local t0=$SECONDS
	stop_gracefully "$SERVER_PID" TERM
	((SECONDS - t0 < 10)) || fail "took $((SECONDS - t0)) s to stop"
	stopped_cleanly srv "$PORT"
	run bg_err srv
	assert_output_contains "interrupted: stopping"
}

@test "SIGINT while a client is half-way through its request ends srv-iter at once" {
	start_server srv srv-iter --port 0 --timeout 60
	start_bg partial '^sent' python3 "$CLIENT" partial "$PORT"
	wait_for bg_out_has srv "recv("
	stop_gracefully "$SERVER_PID" INT
	stopped_cleanly srv "$PORT"
}

@test "SIGTERM in the middle of a run of requests: srv-iter exits 0 whatever call it was in" {
	start_server srv srv-iter --quiet --port 0
	# A client that keeps requesting until the server goes away.
	start_bg loop '^go' python3 -c '
import socket, sys
print("go", flush=True)
while True:
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
        s.sendall(b"GET / HTTP/1.1\r\n\r\n")
        while s.recv(4096):
            pass
        s.close()
        print("served", flush=True)
    except OSError:
        break' "$PORT"
	# Let requests flow: the signal lands in the middle of the run.
	served_20() { (($(grep -c served "$BATS_TEST_TMPDIR/loop.out") >= 20)); }
	wait_for served_20
	stop_gracefully "$SERVER_PID" TERM
	stopped_cleanly srv "$PORT"
	run bg_err srv
	refute_output_contains "Sanitizer"
}

@test "srv-sleep: SIGTERM during the sleep, with a client's connection open, exits 0 at once" {
	[[ -x "$SOCKLAB_BIN/srv-sleep" ]] || skip "srv-sleep is not built"
	start_server srv srv-sleep --port 0 --sleep 60
	start_bg curl 'Hello, World!' curl -sSN "http://127.0.0.1:$PORT/"
	wait_for bg_out_has srv "sleep("
	local t0=$SECONDS
	stop_gracefully "$SERVER_PID" TERM
	((SECONDS - t0 < 10)) || fail "took $((SECONDS - t0)) s to stop"
	assert_equal "$STOP_STATUS" 0
	! listening "$PORT" || fail "port $PORT is still listening"
}

@test "srv-fork: SIGTERM while a child serves a client: listener closed, every child reaped, exit 0" {
	[[ -x "$SOCKLAB_BIN/srv-fork" ]] || skip "srv-fork is not built"
	start_server srv srv-fork --port 0 --child-sleep 30
	start_bg curl 'Hello, World!' curl -sSN "http://127.0.0.1:$PORT/"
	start_bg partial '^sent' python3 "$CLIENT" partial "$PORT"
	local t0=$SECONDS
	stop_gracefully "$SERVER_PID" TERM
	((SECONDS - t0 < 10)) || fail "took $((SECONDS - t0)) s to stop"
	stopped_cleanly srv "$PORT"
	# The server led its own session (start_bg uses setsid): none of
	# its children is left, running or zombie.
	run ps -o pid=,stat=,comm= --sid "$SERVER_PID"
	assert_equal "$output" ""
}

@test "srv-fork: SIGINT while it waits in accept(): exit 0" {
	[[ -x "$SOCKLAB_BIN/srv-fork" ]] || skip "srv-fork is not built"
	start_server srv srv-fork --port 0
	stop_gracefully "$SERVER_PID" INT
	stopped_cleanly srv "$PORT"
}

# ------------------------------------------------------------- issue 12

@test "every signal that asks a process to stop stops srv-iter cleanly, exit 0 (item 7)" {
	local sig
	for sig in HUP QUIT USR1 USR2 ALRM; do
		start_server "srv-$sig" srv-iter --port 0
		http_get "$PORT" >/dev/null
		stop_gracefully "$SERVER_PID" "$sig"
		stopped_cleanly "srv-$sig" "$PORT"
		assert_output_contains "Stopped: served 1 request."
	done
}

@test "srv-fork: SIGHUP, SIGQUIT, SIGUSR1 and SIGALRM go through the stop sequence: no child left with PPID 1 (item 7)" {
	local sig kid
	for sig in HUP QUIT USR1 ALRM; do
		start_server "srv-$sig" srv-fork --port 0 --child-sleep 60
		start_bg "curl-$sig" 'Hello, World!' curl -sSN "http://127.0.0.1:$PORT/"
		kid="$(pgrep -P "$SERVER_PID")"
		[[ -n "$kid" ]] || fail "no child"
		stop_gracefully "$SERVER_PID" "$sig"
		stopped_cleanly "srv-$sig" "$PORT"
		assert_output_contains "sending SIGTERM"
		assert_output_contains "children: 1 forked, 1 reaped, 0 left"
		[[ ! -e "/proc/$kid" ]] || fail "child $kid still runs, PPID $(ps -o ppid= -p "$kid")"
	done
}

# stop_before_wait NAME TOOL...: starts TOOL with the LD_PRELOAD shim
# tests/unit/stop-before.c, which stops it (SIGSTOP) at its first call of
# accept(), ppoll() or pselect(): after its loop tested the stop flag,
# before it waits for a client. Sets SERVER_PID and PORT.
stop_before_wait() {
	local name="$1"
	shift
	LD_PRELOAD="$SOCKLAB_ROOT/build/unit/stop-before.so" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		start_server "$name" "$@"
	wait_for is_stopped "$SERVER_PID"
}
is_stopped() { [[ "$(cut -d' ' -f3 "/proc/$1/stat")" == T ]]; }

@test "a stop signal that lands between the loop's test and its wait is not lost (item 2)" {
	[[ "$(uname -s)" == Linux ]] || skip "LD_PRELOAD shim: Linux only"
	run make -s -C "$SOCKLAB_ROOT" --no-print-directory build/unit/stop-before.so
	assert_success
	local tool
	for tool in srv-iter srv-sleep srv-fork; do
		stop_before_wait "$tool" "$tool" --port 0
		# The signal arrives while the server is stopped right before its
		# wait, then it goes on: no client will ever come to wake it.
		kill -TERM "$SERVER_PID"
		kill -CONT "$SERVER_PID"
		wait_for exited "$SERVER_PID"
		STOP_STATUS=0
		wait "$SERVER_PID" || STOP_STATUS=$?
		stopped_cleanly "$tool" "$PORT"
		assert_output_contains "Stopped: served 0 requests."
	done
}
