#!/usr/bin/env bats
# srv-sleep: the article's busy iterative server, webserver3b (lesson 2).
# The options it shares with every server: tests/server-options.bats.
# The tests follow the order of events, never a stopwatch: a long sleep
# that the test ends with SIGTERM once it has seen what it needs, or a
# short one whose end the server's own log orders.

load test_helper

# client MODE PORT [ARG...]: tests/gates/client.py.
client() { python3 "$BATS_TEST_DIRNAME/gates/client.py" "$@"; }

# launch NAME COMMAND...: a background client, as start_bg starts tools
# (own process group, fd 3 and up closed), without waiting for any line.
launch() {
	local name="$1"
	shift
	setsid "$@" </dev/null >"$BATS_TEST_TMPDIR/$name.out" \
		2>"$BATS_TEST_TMPDIR/$name.err" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	LAUNCH_PID=$!
	SOCKLAB_PIDS+=("$LAUNCH_PID")
}

# The line numbers (in the server's log) of the lines that match REGEX.
lines_of() { grep -nE -- "$2" "$BATS_TEST_TMPDIR/$1.out" | cut -d: -f1 | tr '\n' ' '; }

# ss -ltn for PORT: "Recv-Q Send-Q" of the listener.
listen_queue() { ss -Hltn "sport = :$1" | awk '{ print $2, $3 }'; }

queue_is() { [[ "$(listen_queue "$1")" == "$2" ]]; }

@test "srv-sleep --help shows --sleep (default 60) and its queue lines" {
	run srv-sleep --help
	assert_success
	assert_output_contains "Usage: srv-sleep"
	assert_output_contains "--sleep S"
	assert_output_contains "default 60"
	assert_output_contains "queue: N waiting (backlog B)"
}

@test "srv-sleep narrates the calls of srv-iter, from the same code" {
	start_server srv srv-sleep --port 0 --sleep 0
	run http_get "$PORT"
	assert_equal "$output" "Hello, World!"
	wait_for bg_out_has srv "close("
	run bg_out srv
	assert_line_matches '^socket\(AF_INET, SOCK_STREAM, 0\) +-> fd 3$'
	assert_line_matches '^setsockopt\(3, SO_REUSEADDR, 1\) +-> ok$'
	assert_line_matches '^bind\(3, 127\.0\.0\.1:0\) +-> ok$'
	assert_line_matches '^listen\(3, 5\) +-> ok$'
	assert_line_matches '^accept\(3\) +-> fd 4, socket pair \{127\.0\.0\.1:'"$PORT"', 127\.0\.0\.1:[0-9]+\}$'
	assert_line_matches '^send\(4, "HTTP/1\.1 200 OK\.\.\."\) +-> [0-9]+ bytes$'
	# --sleep 0 does not sleep.
	refute_output_contains "sleep("
}

@test "while it sleeps: curl has its reply but waits, the 2nd client is ESTABLISHED in the queue, ss agrees" {
	start_server srv srv-sleep --port 0 --sleep 60
	launch c1 curl -sSN "http://127.0.0.1:$PORT/first"
	local c1="$LAUNCH_PID"
	wait_for bg_out_has srv "sleep(60)"
	wait_for bg_out_has c1 "Hello, World!"

	launch c2 curl -sSN "http://127.0.0.1:$PORT/second"
	local c2="$LAUNCH_PID"
	wait_for bg_out_has srv "queue: 1 waiting (backlog 5)"
	wait_for queue_is "$PORT" "1 5"

	# The 60 s sleep is far from over (the test ends it below): curl 1 has
	# its Hello, World! and still waits for the close; curl 2 has nothing;
	# the server has accepted one client and read one request.
	alive "$c1"
	alive "$c2"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/c2.out")" ""
	run bg_out srv
	assert_line_matches '^sleep\(60\) +-> sleeping 60 s with the connection still open \(fd 4\); new clients wait in the listen queue$'
	assert_output_contains "the same queue from outside: ss -ltn 'sport = :$PORT'  (Recv-Q = waiting, Send-Q = backlog)"
	assert_output_contains "queue: 0 waiting (backlog 5)"
	assert_equal "$(grep -c '^accept(' "$BATS_TEST_TMPDIR/srv.out")" 1
	refute_output_contains "GET /second"
	refute_output_contains "close(4)"
	# Both clients' connections are ESTABLISHED, though only one was accepted.
	run ss -Htn state established "dport = :$PORT"
	assert_equal "$(grep -c . <<<"$output")" 2
	# ... and ss -ltn shows the listener's queue: Recv-Q 1, Send-Q 5.
	assert_equal "$(listen_queue "$PORT")" "1 5"

	# SIGTERM ends the sleep at once: the connection is closed (curl 1
	# finishes with its reply), the count is printed, exit 0.
	stop_gracefully "$SERVER_PID"
	assert_equal "$STOP_STATUS" 0
	wait_for exited "$c1"
	wait "$c1"
	run bg_out srv
	assert_line_matches '^sleep\(60\) +-> interrupted after [0-9.]+ s by a signal: stopping$'
	assert_line_matches '^close\(4\) +-> ok, connection closed$'
	assert_output_contains "Stopped: served 1 request."
	assert_equal "$(cat "$BATS_TEST_TMPDIR/c1.out")" "Hello, World!"
	# The queued client never got a reply.
	wait_for exited "$c2"
	refute_output_contains "Hello" "$(cat "$BATS_TEST_TMPDIR/c2.out")"
}

@test "the 2nd client's reply comes only after the 1st connection is closed" {
	start_server srv srv-sleep --port 0 --sleep 2
	launch c1 curl -sSN "http://127.0.0.1:$PORT/first"
	local c1="$LAUNCH_PID"
	wait_for bg_out_has srv "sleep(2)"
	launch c2 curl -sSN "http://127.0.0.1:$PORT/second"
	wait_for bg_out_has c2 "Hello, World!"
	wait_for exited "$c1"
	wait "$c1"
	# Curl 2 got its reply; curl 1 its own and its close.
	assert_equal "$(cat "$BATS_TEST_TMPDIR/c1.out")" "Hello, World!"

	# The server's log orders it all: client 2 waited in the queue during
	# the sleep, and was accepted, read and answered only after close(4).
	local q close1 accept2 get2 send2
	q="$(lines_of srv '^queue: 1 waiting' | cut -d' ' -f1)"
	close1="$(lines_of srv '^close\(4\)' | cut -d' ' -f1)"
	accept2="$(lines_of srv '^accept\(3\)' | cut -d' ' -f2)"
	get2="$(lines_of srv '^  \| GET /second ')"
	send2="$(lines_of srv '^send\(4' | cut -d' ' -f2)"
	[[ -n "$q" && -n "$close1" && -n "$accept2" && -n "$get2" && -n "$send2" ]] ||
		fail "missing lines in:" "$(bg_out srv)"
	((q < close1 && close1 < accept2 && accept2 < get2 && get2 < send2)) ||
		fail "wrong order: queue $q close $close1 accept $accept2 GET $get2 send $send2" "$(bg_out srv)"
	# Curl 2 waits for its own sleep: the server sleeps after its reply,
	# before its close (the log's order, not whether curl 2 still runs when
	# we look: 2 s after its reply it no longer does, and a busy machine
	# takes that long to get here). Stop the server rather than wait.
	two_sleeps() { [[ "$(grep -c '^sleep(2)' "$BATS_TEST_TMPDIR/srv.out")" -ge 2 ]]; }
	wait_for two_sleeps
	local sleep2
	sleep2="$(lines_of srv '^sleep\(2\)' | cut -d' ' -f2)"
	((send2 < sleep2)) || fail "the second sleep (line $sleep2) is not after the reply to curl 2 (line $send2)" "$(bg_out srv)"
	stop_gracefully "$SERVER_PID"
	assert_equal "$STOP_STATUS" 0
	assert_output_contains "Stopped: served 2 requests." "$(bg_out srv)"
}

@test "with --content-length curl finishes at once, while the server still sleeps" {
	start_server srv srv-sleep --port 0 --sleep 60 --content-length
	launch c1 curl -sSN "http://127.0.0.1:$PORT/hello"
	local c1="$LAUNCH_PID"
	wait_for exited "$c1"
	wait "$c1"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/c1.out")" "Hello, World!"
	# curl is done, and the server has not closed: it is still asleep.
	run bg_out srv
	assert_output_contains "sleep(60)"
	refute_output_contains "close(4)"
	alive "$SERVER_PID"
	stop_gracefully "$SERVER_PID" INT
	assert_equal "$STOP_STATUS" 0
	assert_output_contains "Stopped: served 1 request." "$(bg_out srv)"
}

@test "--backlog shows in the queue lines and in ss's Send-Q" {
	start_server srv srv-sleep --port 0 --sleep 60 --backlog 2
	launch c1 curl -sSN "http://127.0.0.1:$PORT/"
	wait_for bg_out_has srv "queue: 0 waiting (backlog 2)"
	launch c2 curl -sSN "http://127.0.0.1:$PORT/"
	launch c3 curl -sSN "http://127.0.0.1:$PORT/"
	wait_for bg_out_has srv "queue: 2 waiting (backlog 2)"
	wait_for queue_is "$PORT" "2 2"
	stop_gracefully "$SERVER_PID"
	assert_equal "$STOP_STATUS" 0
}

@test "--quiet: no narration, no queue lines, only the ready line" {
	start_server srv srv-sleep --port 0 --sleep 60 --quiet
	launch c1 curl -sSN "http://127.0.0.1:$PORT/"
	wait_for bg_out_has c1 "Hello, World!"
	stop_gracefully "$SERVER_PID"
	assert_equal "$STOP_STATUS" 0
	run bg_out srv
	refute_output_contains "sleep("
	refute_output_contains "queue:"
	refute_output_contains "accept("
}

# ------------------------------------------------------------- bad input

@test "a negative, non-numeric or too large --sleep is a usage error that names it" {
	usage_errors srv-sleep --sleep <<'LIST'
-1|invalid sleep '-1': must not be negative
soon|invalid sleep 'soon': not a number
|invalid sleep '': empty
1e3|invalid sleep '1e3': unexpected 'e' after the number
90000|invalid sleep '90000': too large (at most 86400)
LIST
	usage_errors srv-sleep <<'LIST'
--sleep|option '--sleep' needs a value
LIST
}

# ------------------------------------------------- hostile conditions (issue 12)

@test "a client that fails gets no sleep: the next one is served at once (item 5)" {
	start_server srv srv-sleep --port 0 --sleep 60 --timeout 0.3
	# One vanishes, one resets mid-request, one sends nothing in time.
	client vanish "$PORT" 1
	client reset "$PORT" 1
	client silent "$PORT" >/dev/null
	# Served now, not after one (or three) 60 s sleeps.
	launch c1 curl -sSN "http://127.0.0.1:$PORT/hello"
	wait_for bg_out_has c1 "Hello, World!"
	wait_for bg_out_has srv "sleep(60)"
	run bg_err srv
	assert_output_contains "closed the connection without sending a request"
	assert_output_contains "Connection reset by peer"
	assert_output_contains "no request within 0.3 s"
	# One sleep, "with the connection still open", for the one served.
	assert_equal "$(grep -c 'sleep(60)' "$BATS_TEST_TMPDIR/srv.out")" 1
	assert_equal "$(grep -c '^close(4) ' "$BATS_TEST_TMPDIR/srv.out")" 3
	stop_gracefully "$SERVER_PID"
	assert_equal "$STOP_STATUS" 0
	assert_output_contains "Stopped: served 1 request." "$(bg_out srv)"
}

@test "accept() failing with EMFILE stops srv-sleep with exit 1 and a hint, never a log flood (item 1)" {
	command -v prlimit >/dev/null || skip "prlimit is not installed"
	start_server srv prlimit --nofile=4 srv-sleep --port 0 --sleep 0
	curl -sS --max-time 5 "http://127.0.0.1:$PORT/" >/dev/null 2>&1 || true
	wait_for exited "$SERVER_PID"
	local st=0
	wait "$SERVER_PID" || st=$?
	assert_equal "$st" 1
	run bg_err srv
	assert_line_matches '^srv-sleep: accept: Too many open files \(EMFILE\)'
	assert_line_matches '^srv-sleep: hint: '
	assert_equal "${#lines[@]}" 3
}

