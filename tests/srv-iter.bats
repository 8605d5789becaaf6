#!/usr/bin/env bats
# srv-iter: the article's iterative server (lesson 1). The clients, well
# behaved and hostile, are tests/gates/client.py's. The options every server
# shares (--help, --version, their bad values, a busy port, --host's forms):
# tests/server-options.bats.

load test_helper

# client MODE PORT [ARG...]: tests/gates/client.py.
client() { python3 "$BATS_TEST_DIRNAME/gates/client.py" "$@"; }

@test "srv-iter narrates socket, setsockopt, bind and listen in order, then the ready line" {
	start_server srv srv-iter --port 0
	run bg_out srv
	assert_line_matches '^socket\(AF_INET, SOCK_STREAM, 0\) +-> fd [0-9]+$'
	local order
	order="$(grep -oE '^(socket|setsockopt|bind|listen)\(' "$BATS_TEST_TMPDIR/srv.out" | tr -d '(' | tr '\n' ' ')"
	assert_equal "$order" "socket setsockopt bind listen "
	assert_line_matches '^setsockopt\([0-9]+, SO_REUSEADDR, 1\) +-> ok$'
	assert_line_matches '^bind\([0-9]+, 127\.0\.0\.1:0\) +-> ok$'
	assert_line_matches '^listen\([0-9]+, 5\) +-> ok$'
	# The ready line names the port the kernel chose, not 0.
	((PORT > 0 && PORT <= 65535))
	ss -ltn | grep -q "127.0.0.1:$PORT "
}

@test "curl gets Hello, World! and the server prints the raw request" {
	start_server srv srv-iter --port 0
	run http_get "$PORT" /hello
	assert_success
	assert_equal "$output" "Hello, World!"
	wait_for bg_out_has srv "close("
	run bg_out srv
	assert_line_matches '^accept\([0-9]+\) +-> fd [0-9]+, socket pair \{127\.0\.0\.1:'"$PORT"', 127\.0\.0\.1:[0-9]+\}$'
	assert_line_matches '^  \| GET /hello HTTP/1\.1$'
	assert_line_matches '^  \| Host: 127\.0\.0\.1:'"$PORT"'$'
	assert_line_matches '^send\([0-9]+, "HTTP/1\.1 200 OK\.\.\."\) +-> [0-9]+ bytes$'
}

@test "the default reply is delimited by the close; --content-length frames it" {
	start_server plain srv-iter --port 0
	run curl -sS -D - -o /dev/null "http://127.0.0.1:$PORT/"
	assert_success
	assert_output_contains "HTTP/1.1 200 OK"
	assert_output_contains "Connection: close"
	refute_output_contains "Content-Length"

	start_server framed srv-iter --port 0 --content-length
	run curl -sS -D - "http://127.0.0.1:$PORT/"
	assert_success
	assert_output_contains "Content-Length: 14"
	assert_output_contains "Hello, World!"
}

@test "the article's client, which sends just test, gets the reply" {
	start_server srv srv-iter --port 0
	run client send "$PORT" test
	assert_success
	assert_output_contains "HTTP/1.1 200 OK"
	assert_output_contains "Hello, World!"
	wait_for bg_out_has srv "close("
	run bg_out srv
	assert_line_matches '^  \| test$'
}

@test "bash's /dev/tcp gets the reply" {
	start_server srv srv-iter --port 0
	run bash -c 'exec 5<>"/dev/tcp/127.0.0.1/$1"; printf "GET / HTTP/1.0\r\n\r\n" >&5; cat <&5' _ "$PORT"
	assert_success
	assert_output_contains "Hello, World!"
}

@test "--quiet prints only the ready line" {
	start_server srv srv-iter --port 0 --quiet
	run http_get "$PORT"
	assert_success
	stop_gracefully "$SERVER_PID"
	run bg_out srv
	refute_output_contains "socket("
	refute_output_contains "GET /"
	assert_output_contains "Serving HTTP on port $PORT ..."
}

@test "SIGTERM and SIGINT stop the server: listener closed, count printed, exit 0" {
	local sig
	for sig in TERM INT; do
		start_server "srv-$sig" srv-iter --port 0
		http_get "$PORT" >/dev/null
		http_get "$PORT" >/dev/null
		stop_gracefully "$SERVER_PID" "$sig"
		assert_equal "$STOP_STATUS" 0
		assert_output_contains "Stopped: served 2 requests." "$(bg_out "srv-$sig")"
		run ss -ltn
		refute_output_contains "127.0.0.1:$PORT "
	done
}

# ------------------------------------------------------------- bad input

# -------------------------------------------------------- hostile clients

# After each hostile client, a normal client must still be served.
served_after() {
	run http_get "$PORT"
	assert_success
	assert_equal "$output" "Hello, World!"
}

@test "a client that sends 100 KiB gets 431 and the server goes on" {
	start_server srv srv-iter --port 0
	run client oversized "$PORT" 102400
	assert_success
	wait_for bg_err_has srv "larger than 8192 bytes"
	served_after
}

@test "a client that sends nothing is dropped after --timeout; the next one is served" {
	start_server srv srv-iter --port 0 --timeout 0.3
	client silent "$PORT" >"$BATS_TEST_TMPDIR/silent.out" &
	local silent=$!
	SOCKLAB_PIDS+=("$silent")
	wait_for bg_err_has srv "no request within 0.3 s"
	served_after
	wait "$silent"
	# The silent client was closed on, without a reply.
	assert_equal "$(cat "$BATS_TEST_TMPDIR/silent.out")" "silent: 0 bytes before the close"
}

@test "a client that connects and closes at once is reported; the next one is served" {
	start_server srv srv-iter --port 0
	client vanish "$PORT" 1
	wait_for bg_err_has srv "closed the connection without sending a request"
	served_after
}

@test "a client that resets mid-request is reported; the next one is served" {
	start_server srv srv-iter --port 0
	client reset "$PORT" 1
	wait_for bg_err_has srv "Connection reset by peer"
	served_after
}

@test "escape sequences and NUL bytes are printed escaped, never raw" {
	start_server srv srv-iter --port 0
	run client send "$PORT" '\x1b]0;pwned\x07\x1b[31mred\x00nul\\'
	assert_success
	assert_output_contains "Hello, World!"
	wait_for bg_out_has srv "close("
	local out
	out="$(bg_out srv)"
	assert_output_contains '\x1b]0;pwned\x07\x1b[31mred\x00nul\\' "$out"
	# No raw ESC, BEL or NUL byte reached the terminal.
	if LC_ALL=C grep -q "$(printf '[\033\007]')" "$BATS_TEST_TMPDIR/srv.out"; then
		fail "a raw ESC or BEL byte was printed"
	fi
	[[ "$(tr -d '\000' <"$BATS_TEST_TMPDIR/srv.out" | wc -c)" -eq "$(wc -c <"$BATS_TEST_TMPDIR/srv.out")" ]]
	served_after
}

@test "a request cannot forge the server's own lines: each line of it is marked (issue 12, item 11)" {
	start_server srv srv-iter --port 0
	run client send "$PORT" 'GET / HTTP/1.1\r\nStopped: served 99 requests.\r\nServing HTTP on port 1 ...\nclose(4)                                     -> ok\r\n\r\n'
	assert_success
	assert_output_contains "Hello, World!"
	wait_for bg_out_has srv "close("
	run bg_out srv
	assert_line_matches '^  \| Stopped: served 99 requests\.$'
	assert_line_matches '^  \| Serving HTTP on port 1 \.\.\.$'
	# At the start of a line, only the server's own.
	refute_output_contains "$(printf '\nStopped: served 99')"
	assert_equal "$(grep -c '^Serving HTTP on port' "$BATS_TEST_TMPDIR/srv.out")" 1
	assert_equal "$(grep -c '^close(4) ' "$BATS_TEST_TMPDIR/srv.out")" 1
}

@test "--timeout bounds the whole request: a client that trickles for ever gets 408" {
	start_server srv srv-iter --port 0 --timeout 0.5
	# One byte every 0.1 s: each recv() returns well within 0.5 s, so only a
	# deadline for the whole request can stop it.
	run client drip "$PORT"
	assert_success
	assert_output_contains "408 Request Timeout"
	wait_for bg_err_has srv "no request within 0.5 s (--timeout)"
	served_after
}

@test "a client that trickles its request byte by byte is served once complete" {
	start_server srv srv-iter --port 0
	run client bytewise "$PORT"
	assert_success
	wait_for bg_out_has srv "close("
	run bg_out srv
	assert_line_matches '^  \| GET /hello HTTP/1\.1$'
}

@test "errors name the client by its address, with --quiet as without" {
	local q
	for q in "" --quiet; do
		start_server "srv$q" srv-iter --port 0 --timeout 0.3 $q
		# One client closes at once, the next one sends nothing.
		client vanish "$PORT" 1
		client silent "$PORT" >/dev/null
		run bg_err "srv$q"
		assert_line_matches '^srv-iter: 127\.0\.0\.1:[0-9]+ closed the connection without sending a request$'
		assert_line_matches '^srv-iter: recv from 127\.0\.0\.1:[0-9]+: no request within 0\.3 s \(--timeout\)$'
		served_after
	done
}

@test "--max-request above the default serves a 20 KiB request; below it, 431" {
	start_server large srv-iter --port 0 --quiet --max-request 65536
	run client header "$PORT" 20480
	assert_success
	assert_output_contains "HTTP/1.1 200 OK"

	# 16 + 7 + 41 = 64 bytes: exactly --max-request, headers not complete.
	start_server small srv-iter --port 0 --quiet --max-request 64
	run client header "$PORT" 41 open
	assert_success
	assert_output_contains "HTTP/1.1 431 Request Header Fields Too Large"
	wait_for bg_err_has small "is larger than 64 bytes (--max-request)"
	# ...and goes on: a request that fits is served.
	run client header "$PORT" 1
	assert_success
	assert_output_contains "HTTP/1.1 200 OK"
}

# ------------------------------------------------- hostile conditions (issue 12)

@test "the server says its own PID first, so that no pgrep is needed (issue 13)" {
	start_server srv srv-iter --port 0
	run bg_out srv
	assert_equal "${lines[0]}" "getpid()                                     -> $SERVER_PID"
	start_server quiet srv-iter --port 0 --quiet
	refute_output_contains "getpid" "$(bg_out quiet)"
}

@test "accept() failing with EMFILE stops the server with exit 1 and a hint, never a log flood (item 1)" {
	command -v prlimit >/dev/null || skip "prlimit is not installed"
	# 0, 1, 2 and the listener 3: no descriptor is left for accept().
	start_server srv prlimit --nofile=4 srv-iter --port 0
	curl -sS --max-time 5 "http://127.0.0.1:$PORT/" >/dev/null 2>&1 || true
	wait_for exited "$SERVER_PID"
	local st=0
	wait "$SERVER_PID" || st=$?
	assert_equal "$st" 1
	run bg_err srv
	assert_line_matches '^srv-iter: accept: Too many open files \(EMFILE\): this process has used up its descriptors \(RLIMIT_NOFILE\)$'
	assert_line_matches '^srv-iter: hint: raise the limit before starting the server \(ulimit -n\)$'
	assert_line_matches '^srv-iter: no descriptor will be freed: stopping$'
	assert_equal "${#lines[@]}" 3
	assert_output_contains "Stopped: served 0 requests." "$(bg_out srv)"
}

# port_of PID: sets PORT to the port PID listens on (from ss, for a server
# whose ready line cannot be read).
port_of() {
	PORT="$(ss -Hltnp | grep -F "pid=$1," | grep -oE '127\.0\.0\.1:[0-9]+' | head -n 1)"
	PORT="${PORT#*:}"
	[[ -n "$PORT" ]]
}

@test "started with stdout and stderr closed, nothing it says goes into a client's connection (item 10)" {
	(
		for f in /proc/"$BASHPID"/fd/*; do
			f="${f##*/}"
			if ((f > 2)); then eval "exec $f>&-" 2>/dev/null; fi
		done
		exec setsid srv-iter --port 0 --timeout 0.3 </dev/null >&- 2>&-
	) &
	local pid=$!
	SOCKLAB_PIDS+=("$pid")
	wait_for port_of "$pid"
	# An unfinished request: the server says why (to /dev/null now) and
	# answers 408; the reply is the reply, nothing before it.
	run client send "$PORT" 'GET / HTTP/1.0\r\n'
	assert_success
	[[ "$output" == "HTTP/1.1 408 Request Timeout"* ]] || fail "not the 408 alone:" "$output"
	run client send "$PORT" 'GET / HTTP/1.0\r\n\r\n'
	assert_success
	[[ "$output" == "HTTP/1.1 200 OK"* ]] || fail "not the reply alone:" "$output"
	# Its descriptors 1 and 2 are /dev/null, not sockets.
	assert_equal "$(readlink "/proc/$pid/fd/1") $(readlink "/proc/$pid/fd/2")" "/dev/null /dev/null"
}


# ------------------------------------------- how a connection ends (lesson 7)

# tw_on PORT: a connection of the server's PORT sits in TIME_WAIT on its side.
tw_on() { [[ -n "$(ss -Htan state time-wait "sport = :$1")" ]]; }

@test "--no-reuseaddr: a restart while the port's connections sit in TIME_WAIT fails with EADDRINUSE; the default restarts" {
	start_server srv srv-iter --port 0
	local port="$PORT"
	run cli-connect "127.0.0.1:$port"
	assert_success
	# The server closed first: its end waits in TIME_WAIT.
	wait_for tw_on "$port"
	stop_gracefully "$SERVER_PID"
	run --separate-stderr srv-iter --port "$port" --no-reuseaddr
	assert_failure 1
	refute_output_contains "SO_REUSEADDR"
	assert_stderr_contains "srv-iter: bind 127.0.0.1:$port: Address already in use"
	tw_on "$port" # still there: the relation holds
	# (Linux lets a bind() through a TIME_WAIT only when both sockets,
	# the old one and the new, have SO_REUSEADDR.)
	start_server again srv-iter --port "$port"
	assert_equal "$PORT" "$port"
	assert_output_contains "setsockopt(3, SO_REUSEADDR, 1)" "$(bg_out again)"
}

# A client that is ahead in the queue holds the iterative server (it
# sends nothing); the second one sends its request, shutdown(SHUT_WR),
# gives up (recv times out) and resets: when the server gets to it, its
# connection has had the FIN and then the RST.
sigpipe_setup() {
	start_server srv srv-iter --port 0 --timeout 0 "$@"
	start_bg idle '^connect' cli-connect --idle 1 "127.0.0.1:$PORT"
	wait_for bg_out_has srv "accept("
	run --separate-stderr cli-connect --half-close --reset --timeout 0.3 "127.0.0.1:$PORT"
	assert_failure 1
	assert_stderr_contains "recv: timed out"
	assert_line_matches '^close\([0-9]+\) +-> ok, RST sent$'
	stop_gracefully "$BG_PID" # the idle one closes: the server moves on
}

@test "--sigpipe: writing to a client that has gone kills the server with SIGPIPE, status 141" {
	sigpipe_setup --sigpipe
	wait_for exited "$SERVER_PID"
	local st=0
	wait "$SERVER_PID" || st=$?
	assert_equal "$st" 141
	refute_output_contains "Stopped" "$(bg_out srv)"
}

@test "without --sigpipe the same write fails with EPIPE, said, and the server goes on" {
	sigpipe_setup
	wait_for bg_err_has srv "Broken pipe"
	run bg_err srv
	assert_line_matches '^srv-iter: send to 127\.0\.0\.1:[0-9]+: Broken pipe$'
	run cli-connect "127.0.0.1:$PORT"
	assert_success
	alive "$SERVER_PID"
}
