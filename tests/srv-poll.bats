#!/usr/bin/env bats
# srv-poll: one process, non-blocking sockets, an event loop (lesson 6).
# Every API (select, poll, epoll) serves, narrates its wakeups, and lets
# no client delay another: a trickling one, a silent one, one that never
# reads. select's FD_SETSIZE and the descriptor limit are met with a 503
# and a message. The clients are tests/gates/client.py's.
# The options every server shares: tests/server-options.bats.

load test_helper

APIS=(select poll epoll)

client() { python3 "$BATS_TEST_DIRNAME/gates/client.py" "$@"; }

# fd_count PID: how many descriptors PID has open.
fd_count() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l; }
fds_are() { [[ "$(fd_count "$1")" -eq "$2" ]]; }

# The request of a client served while another misbehaves: within 2 s,
# where the server's --timeout is 10 s (an iterative server would make it
# wait until then).
served_quickly() {
	run client get "$PORT" 2
	assert_success
	assert_output_contains "get: ok"
}

@test "srv-poll --help prints usage with --api and --defer-accept, exits 0" {
	run srv-poll --help
	assert_success
	assert_output_contains "Usage: srv-poll"
	assert_output_contains "--api API"
	assert_output_contains "--defer-accept"
	assert_output_contains "--edge"
	assert_output_contains "--no-drain"
}

@test "each API serves curl and narrates the wakeup: what the call was given, how many were ready" {
	local api wakeup c
	for api in "${APIS[@]}"; do
		# The connection's descriptor: 4, or 5 after epoll's own 4.
		c=4
		[[ "$api" == epoll ]] && c=5
		start_server "srv-$api" srv-poll --api "$api" --port 0
		run http_get "$PORT" /hello
		assert_success
		assert_equal "$output" "Hello, World!"
		wait_for bg_out_has "srv-$api" "close($c)"
		stop_gracefully "$SERVER_PID"
		assert_equal "$STOP_STATUS" 0
		run bg_out "srv-$api"
		assert_equal "${lines[0]}" "getpid()                                     -> $SERVER_PID"
		assert_line_matches '^listen\(3, 5\) +-> ok$'
		assert_line_matches '^fcntl\(3, F_SETFL, O_NONBLOCK\) +-> ok$'
		case "$api" in
		epoll)
			assert_line_matches '^epoll_create1\(EPOLL_CLOEXEC\) +-> fd 4$'
			assert_line_matches '^epoll_ctl\(4, EPOLL_CTL_ADD, 3, EPOLLIN\) +-> ok$'
			wakeup='^epoll_pwait\(4, \.\.\.\) +-> 1 ready of [12] watched$' ;;
		poll) wakeup='^ppoll\(fds, [12], \.\.\.\) +-> 1 ready of [12] watched$' ;;
		select) wakeup='^pselect\([45], \.\.\.\) +-> 1 ready of [12] watched$' ;;
		esac
		assert_line_matches "$wakeup"
		assert_line_matches '^accept4\(3, SOCK_NONBLOCK\) +-> fd '"$c"', socket pair \{127\.0\.0\.1:'"$PORT"', 127\.0\.0\.1:[0-9]+\}$'
		assert_line_matches '^  \| GET /hello HTTP/1\.1$'
		assert_line_matches '^send\('"$c"', "HTTP/1\.1 200 OK\.\.\."\) +-> 78 bytes$'
		assert_line_matches '^close\('"$c"'\) +-> ok, connection closed$'
		assert_line_matches '^close\(3\) +-> ok, no more clients$'
		assert_equal "${lines[-1]}" "Stopped: served 1 request."
	done
}

@test "a connection whose request is not complete is watched, not waited for" {
	start_server srv srv-poll --port 0
	start_bg partial '^sent' python3 "$BATS_TEST_DIRNAME/gates/client.py" partial "$PORT"
	wait_for bg_out_has srv "recv(5)                                      -> 8 bytes"
	run bg_out srv
	# Whether the 8 bytes were there at once or came after an EAGAIN,
	# the loop watches the connection and goes back to waiting for all.
	assert_line_matches '^epoll_ctl\(4, EPOLL_CTL_ADD, 5, EPOLLIN\) +-> ok$'
	served_quickly
}

@test "each API: a client that trickles its request (slowloris) delays nobody, and gets 408 at --timeout" {
	local api
	for api in "${APIS[@]}"; do
		start_server "srv-$api" srv-poll --api "$api" --port 0 --timeout 10 --quiet
		start_bg "trickle-$api" '^connected' python3 "$BATS_TEST_DIRNAME/gates/client.py" trickle "$PORT"
		start_bg "partial-$api" '^sent' python3 "$BATS_TEST_DIRNAME/gates/client.py" partial "$PORT"
		served_quickly
		served_quickly
	done
	# The whole request has a deadline: one byte every 0.1 s is cut.
	start_server drip srv-poll --port 0 --timeout 0.5 --quiet
	run client drip "$PORT"
	assert_success
	assert_output_contains "408 Request Timeout"
	wait_for bg_err_has drip "no request within 0.5 s (--timeout)"
}

@test "each API: clients that send nothing hold a slot each, delay nobody, and are closed at --timeout" {
	local api
	for api in "${APIS[@]}"; do
		# A backlog for the burst: else the kernel drops some of the
		# handshakes (lesson 2), and they come in late.
		start_server "srv-$api" srv-poll --api "$api" --port 0 --timeout 1 --quiet --backlog 64
		start_bg "idle-$api" '^holding' cli-connect --idle 20 --hold 30 "127.0.0.1:$PORT"
		served_quickly
		# Each got its own deadline: closed without a reply (nothing
		# was asked), and the server is back to 0-2, 3 and its own.
		wait_for bg_out_has "idle-$api" "closed by server: 20 (0 of them with a reply)"
		wait_for fds_are "$SERVER_PID" "$([[ "$api" == epoll ]] && echo 5 || echo 4)"
		assert_equal "$(grep -c 'no request within 1 s (--timeout)' "$BATS_TEST_TMPDIR/srv-$api.err")" 20
	done
}

@test "a reply the socket takes in pieces is sent in pieces, and a client that never reads is closed at --timeout (shim)" {
	[[ "$(uname -s)" == Linux ]] || skip "LD_PRELOAD shim: Linux only"
	run make -s -C "$SOCKLAB_ROOT" --no-print-directory build/unit/short-send.so
	assert_success
	local shim="$SOCKLAB_ROOT/build/unit/short-send.so"
	local asan="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	# send() takes 10 bytes, then says EAGAIN, then 10 more...: the rest
	# waits in the connection's slot, and the loop watches for POLLOUT.
	SOCKLAB_SEND_MAX=10 LD_PRELOAD="$shim" ASAN_OPTIONS="$asan" \
		start_server pieces srv-poll --port 0
	run client send "$PORT" 'GET / HTTP/1.0\r\n\r\n'
	assert_success
	[[ "$output" == "HTTP/1.1 200 OK"*"Hello, World!" ]] || fail "not the whole reply:" "$output"
	run bg_out pieces
	assert_line_matches '^send\(5, "HTTP/1\.1 200 OK\.\.\."\) +-> 10 bytes, the rest later$'
	assert_line_matches '^send\(5\) +-> EAGAIN: the socket is full; wait for POLLOUT$'
	assert_line_matches '^epoll_ctl\(4, EPOLL_CTL_(ADD|MOD), 5, EPOLLOUT\) +-> ok$'
	assert_line_matches '^send\(5, "HTTP/1\.1 200 OK\.\.\."\) +-> 8 bytes$'
	# send() never takes anything: the client does not read. Its reply
	# has a deadline of its own; the others are served meanwhile.
	SOCKLAB_SEND_MAX=0 LD_PRELOAD="$shim" ASAN_OPTIONS="$asan" \
		start_server stuck srv-poll --port 0 --timeout 1
	start_bg never '^sent' python3 "$BATS_TEST_DIRNAME/gates/client.py" partial "$PORT"
	run client send "$PORT" 'GET / HTTP/1.0\r\n\r\n'
	assert_success
	wait_for bg_err_has stuck "the reply was not taken within 1 s (--timeout)"
	wait_for fds_are "$SERVER_PID" 5
}

@test "select: the descriptor numbered FD_SETSIZE gets 503 and a message, not a write past the fd_set; poll and epoll hold it" {
	start_server sel srv-poll --api select --port 0 --timeout 0 --backlog 2048
	assert_output_contains "select() watches descriptors 0 to 1023 only (FD_SETSIZE 1024)" "$(bg_out sel)"
	start_bg idle '^holding' cli-connect --idle 1030 --hold 60 "127.0.0.1:$PORT"
	wait_for bg_err_has sel "select() cannot watch a descriptor numbered FD_SETSIZE (1024) or more"
	run bg_err sel
	assert_line_matches '^srv-poll: accept: fd 1024: select\(\) cannot watch a descriptor numbered FD_SETSIZE \(1024\) or more: this client and the next ones get 503$'
	assert_line_matches '^srv-poll: hint: --api poll and --api epoll have no such limit$'
	# While 1020 are held (4 to 1023), one more gets the 503; the server
	# is alive and serves again once they are gone.
	wait_for bg_out_has sel "accept4(3, SOCK_NONBLOCK)"
	run client send "$PORT" 'GET / HTTP/1.0\r\n\r\n'
	assert_output_contains "HTTP/1.1 503 Service Unavailable"
	kill "$BG_PID"
	wait_for fds_are "$SERVER_PID" 4
	run http_get "$PORT"
	assert_equal "$output" "Hello, World!"
	stop_gracefully "$SERVER_PID"
	assert_equal "$STOP_STATUS" 0
	assert_line_matches '^Stopped: served 1 request, refused [0-9]+ \(503\)\.$' "$(bg_out sel)"

	start_server ep srv-poll --api epoll --port 0 --timeout 0 --backlog 2048 --quiet
	run cli-connect --idle 1030 --hold 0.5 --quiet "127.0.0.1:$PORT"
	assert_success
	assert_output_contains "idle connections: 1030 asked, 1030 established, 1030 held to the end"
}

# HIGH_FDS N CMD...: CMD with N more descriptors open (/dev/null), so
# that its own are numbered above N + 2.
HIGH_FDS='
import os, sys
for _ in range(int(sys.argv[1])):
    os.set_inheritable(os.open("/dev/null", os.O_RDONLY), True)
os.execvp(sys.argv[2], sys.argv[2:])'

@test "select: a listener numbered above FD_SETSIZE is refused at the start, exit 1; poll serves with such numbers" {
	run --separate-stderr python3 -c "$HIGH_FDS" 1030 srv-poll --api select --port 0
	assert_failure 1
	assert_line_matches '^srv-poll: the listener is fd 1[0-9]{3}: select\(\) cannot watch it \(FD_SETSIZE\)$' "$stderr"
	refute_output_contains "Stopped:"
	start_server high python3 -c "$HIGH_FDS" 1030 srv-poll --api poll --port 0
	run http_get "$PORT"
	assert_equal "$output" "Hello, World!"
	wait_for bg_out_has high "close(1034)"
	assert_line_matches '^accept4\(1033, SOCK_NONBLOCK\) +-> fd 1034, ' "$(bg_out high)"
}

@test "the last descriptor (RLIMIT_NOFILE) is kept free: that client gets 503, accept() never fails with EMFILE" {
	command -v prlimit >/dev/null || skip "prlimit is not installed"
	# 0-2, the listener 3, epoll 4: connections on 5 and 6; 7 is the last.
	start_server srv prlimit --nofile=8 srv-poll --port 0 --timeout 0
	assert_line_matches '^getrlimit\(RLIMIT_NOFILE\) +-> 8 descriptors at most$' "$(bg_out srv)"
	run cli-connect --idle 3 --hold 0.5 "127.0.0.1:$PORT"
	assert_failure 1
	assert_output_contains "closed by server: 1 (1 of them with a reply)"
	run bg_err srv
	assert_line_matches '^srv-poll: accept: fd 7 is the last descriptor of this process \(RLIMIT_NOFILE 8\): this client and the next ones get 503$'
	# Alive, and serving once the others are gone.
	wait_for fds_are "$SERVER_PID" 5
	run http_get "$PORT"
	assert_equal "$output" "Hello, World!"
}

@test "the soft descriptor limit is raised to the hard one, and said" {
	command -v prlimit >/dev/null || skip "prlimit is not installed"
	start_server srv prlimit --nofile=64:2048 srv-poll --port 0
	assert_line_matches '^setrlimit\(RLIMIT_NOFILE, 2048\) +-> ok, the soft limit was 64$' "$(bg_out srv)"
	assert_equal "$(awk '/Max open files/ {print $4}' "/proc/$SERVER_PID/limits")" 2048
}

@test "--defer-accept: the kernel hands over the connection with its request: no EAGAIN, one wakeup" {
	[[ "$(uname -s)" == Linux ]] || skip "TCP_DEFER_ACCEPT: Linux only"
	start_server srv srv-poll --port 0 --defer-accept
	run client send "$PORT" 'GET / HTTP/1.0\r\n\r\n'
	assert_output_contains "Hello, World!"
	wait_for bg_out_has srv "close(5)"
	run bg_out srv
	assert_line_matches '^setsockopt\(3, TCP_DEFER_ACCEPT, 1\) +-> ok$'
	assert_line_matches '^recv\(5\) +-> 18 bytes$'
	refute_output_contains "EAGAIN"
	refute_output_contains "epoll_ctl(4, EPOLL_CTL_ADD, 5"
}

@test "hostile clients: too large (431), vanishing, resetting, escape sequences; descriptors back to the start" {
	local api
	for api in "${APIS[@]}"; do
		start_server "srv-$api" srv-poll --api "$api" --port 0
		local base
		base="$(fd_count "$SERVER_PID")"
		run client oversized "$PORT" 102400
		assert_success
		run client vanish "$PORT" 5
		assert_success
		run client reset "$PORT" 5
		assert_success
		run client halfclose "$PORT"
		assert_success
		run client bytewise "$PORT"
		assert_success
		run client send "$PORT" '\x1b]0;pwned\x07GET / HTTP/1.0\r\n\r\n'
		assert_output_contains "Hello, World!"
		run client seq "$PORT" 20
		assert_success
		wait_for bg_err_has "srv-$api" "larger than 8192 bytes"
		wait_for fds_are "$SERVER_PID" "$base"
		run bg_err "srv-$api"
		assert_equal "$(grep -c 'closed the connection without sending a request' <<<"$output")" 5
		assert_output_contains "Connection reset by peer"
		if LC_ALL=C grep -q "$(printf '[\033\007]')" "$BATS_TEST_TMPDIR/srv-$api.out"; then
			fail "a raw ESC or BEL byte was printed"
		fi
		stop_gracefully "$SERVER_PID"
		assert_line_matches '^Stopped: served 23 requests\.$' "$(bg_out "srv-$api")"
	done
}

@test "--max-request: a 20 KiB request under 64 KiB is served; 64 bytes and more get 431" {
	start_server large srv-poll --port 0 --quiet --max-request 65536
	run client header "$PORT" 20480
	assert_output_contains "HTTP/1.1 200 OK"
	start_server small srv-poll --port 0 --quiet --max-request 64
	run client header "$PORT" 41 open
	assert_output_contains "HTTP/1.1 431 Request Header Fields Too Large"
	wait_for bg_err_has small "is larger than 64 bytes (--max-request)"
}

@test "a stop closes every connection still open and counts them in the last line, exit 0" {
	local sig
	for sig in TERM INT HUP; do
		start_server "srv-$sig" srv-poll --port 0 --timeout 0 --backlog 64
		start_bg "idle-$sig" '^holding' cli-connect --idle 7 --hold 60 "127.0.0.1:$PORT"
		wait_for fds_are "$SERVER_PID" 12
		http_get "$PORT" >/dev/null
		stop_gracefully "$SERVER_PID" "$sig"
		assert_equal "$STOP_STATUS" 0
		run bg_out "srv-$sig"
		assert_line_matches '^close\(\) x 7 +-> ok, every connection still open$'
		assert_equal "${lines[-1]}" "Stopped: served 1 request, closed 7 connections still open."
		# The clients see the close of each.
		wait_for bg_out_has "idle-$sig" "closed by server: 7"
	done
}

@test "a stop signal that lands between the loop's test and its wait is not lost, with each API" {
	[[ "$(uname -s)" == Linux ]] || skip "LD_PRELOAD shim: Linux only"
	run make -s -C "$SOCKLAB_ROOT" --no-print-directory build/unit/stop-before.so
	assert_success
	local api
	for api in "${APIS[@]}"; do
		LD_PRELOAD="$SOCKLAB_ROOT/build/unit/stop-before.so" \
			ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
			start_server "srv-$api" srv-poll --api "$api" --port 0
		wait_for is_stopped "$SERVER_PID"
		kill -TERM "$SERVER_PID"
		kill -CONT "$SERVER_PID"
		wait_for exited "$SERVER_PID"
		STOP_STATUS=0
		wait "$SERVER_PID" || STOP_STATUS=$?
		assert_equal "$STOP_STATUS" 0
		assert_output_contains "Stopped: served 0 requests." "$(bg_out "srv-$api")"
	done
}
is_stopped() { [[ "$(cut -d' ' -f3 "/proc/$1/stat")" == T ]]; }

@test "a stop signal that comes while descriptors are ready is let in at once, not at the next quiet moment" {
	[[ "$(uname -s)" == Linux ]] || skip "LD_PRELOAD shim: Linux only"
	run make -s -C "$SOCKLAB_ROOT" --no-print-directory build/unit/stop-before.so
	assert_success
	local api
	for api in "${APIS[@]}"; do
		LD_PRELOAD="$SOCKLAB_ROOT/build/unit/stop-before.so" \
			ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
			start_server "srv-$api" srv-poll --api "$api" --port 0 --timeout 0 --backlog 256
		wait_for is_stopped "$SERVER_PID"
		# 100 clients in the listen queue: the listener stays ready for
		# 100 wakeups. Linux's waits deliver a signal only when they
		# have to wait: the loop must let the pending one in itself.
		start_bg "idle-$api" '^holding' cli-connect --idle 100 --hold 60 "127.0.0.1:$PORT"
		kill -TERM "$SERVER_PID"
		kill -CONT "$SERVER_PID"
		wait_for exited "$SERVER_PID"
		run bg_out "srv-$api"
		assert_equal "${lines[-1]}" "Stopped: served 0 requests."
		refute_output_contains "accept4("
	done
}

# frozen_burst NAME N: N idle clients connect while server NAME is stopped
# (SIGSTOP): every one is in the accept queue before the loop can look,
# so one event of the listener announces them all. Then SIGCONT.
frozen_burst() {
	kill -STOP "$SERVER_PID"
	wait_for is_stopped "$SERVER_PID"
	start_bg "idle-$1" '^holding' cli-connect --idle "$2" --hold 60 "127.0.0.1:$PORT"
	kill -CONT "$SERVER_PID"
}

@test "--edge: EPOLLET on each descriptor; clients that came together are all accepted in one wakeup, until EAGAIN" {
	[[ "$(uname -s)" == Linux ]] || skip "epoll: Linux only"
	start_server srv srv-poll --edge --port 0 --timeout 0 --backlog 64
	assert_line_matches '^epoll_ctl\(4, EPOLL_CTL_ADD, 3, EPOLLIN\|EPOLLET\) +-> ok$' "$(bg_out srv)"
	frozen_burst srv 5
	wait_for bg_out_has srv "EAGAIN: the queue is empty: 5 accepted in one wakeup"
	wait_for fds_are "$SERVER_PID" 10
	run bg_out srv
	assert_equal "$(grep -c '^accept4(3, SOCK_NONBLOCK) *-> fd ' <<<"$output")" 5
	assert_line_matches '^epoll_ctl\(4, EPOLL_CTL_ADD, 9, EPOLLIN\|EPOLLET\) +-> ok$'
	# A request in pieces: each wakeup reads until EAGAIN.
	run client bytewise "$PORT"
	assert_success
	start_bg partial '^sent' python3 "$BATS_TEST_DIRNAME/gates/client.py" partial "$PORT"
	wait_for bg_out_has srv "recv(10)                                     -> 8 bytes"
	wait_for bg_out_has srv "recv(10)                                     -> EAGAIN: all read; EPOLLET: wait for new bytes"
	served_quickly
	stop_gracefully "$SERVER_PID"
	assert_equal "$STOP_STATUS" 0
	# 5 together, then the three clients one by one: 4 wakeups.
	assert_line_matches '^wakeups of the listener: 4 \(EPOLLET\); clients accepted: 8; left in the accept queue: 0\.$' "$(bg_out srv)"
}

@test "--edge --no-drain: one accept() per event: the others wait in the queue with no event to come, and a new client waits behind them" {
	[[ "$(uname -s)" == Linux ]] || skip "epoll: Linux only"
	start_server srv srv-poll --edge --no-drain --port 0 --timeout 0 --backlog 64
	frozen_burst srv 5
	wait_for bg_out_has srv "no new event: 4 still in the accept queue (--no-drain: one accept() per wakeup)"
	# A new client is an event: the loop accepts one more, the oldest
	# waiting (not curl), and curl waits behind the others.
	run curl -sS --max-time 1 "http://127.0.0.1:$PORT/hello"
	assert_failure 28
	run bg_out srv
	assert_equal "$(grep -c '^accept4(3, SOCK_NONBLOCK) *-> fd ' <<<"$output")" 2
	refute_output_contains "GET /hello"
	stop_gracefully "$SERVER_PID"
	assert_equal "$STOP_STATUS" 0
	assert_line_matches '^wakeups of the listener: 2 \(EPOLLET\); clients accepted: 2; left in the accept queue: 4\.$' "$(bg_out srv)"
}

# ------------------------------------------------------------- bad input

@test "a bad --api, a missing value, a value to --defer-accept: usage errors, exit 2" {
	run --separate-stderr srv-poll --api kqueue
	assert_failure 2
	assert_stderr_contains "srv-poll: invalid api 'kqueue': expected select, poll or epoll"
	assert_stderr_contains "Try 'srv-poll --help'"
	run --separate-stderr srv-poll --api
	assert_failure 2
	assert_stderr_contains "option '--api' needs a value"
	run --separate-stderr srv-poll --defer-accept=1
	assert_failure 2
	assert_stderr_contains "option '--defer-accept' takes no value"
	assert_equal "$output" ""
}

@test "--edge with select or poll, --no-drain without --edge, a value to --edge: usage errors, exit 2" {
	local api
	for api in select poll; do
		run --separate-stderr srv-poll --api "$api" --edge --port 0
		assert_failure 2
		assert_stderr_contains "srv-poll: --edge is epoll's (EPOLLET): select and poll are level-triggered only; use --api epoll"
		assert_equal "$output" ""
	done
	# The order of the options does not matter.
	run --separate-stderr srv-poll --edge --api poll --port 0
	assert_failure 2
	run --separate-stderr srv-poll --no-drain --port 0
	assert_failure 2
	assert_stderr_contains "srv-poll: --no-drain goes with --edge"
	assert_stderr_contains "Try 'srv-poll --help'"
	run --separate-stderr srv-poll --edge=1
	assert_failure 2
	assert_stderr_contains "option '--edge' takes no value"
}

@test "a unique abbreviation of its own option is taken" {
	run --separate-stderr srv-poll --a select --help
	assert_success
}

@test "too few descriptors to serve one client: said before the ready line, exit 1" {
	command -v prlimit >/dev/null || skip "prlimit is not installed"
	# bats's own descriptors closed: the server starts with 0, 1, 2 only.
	# shellcheck disable=SC2016 # expanded by the inner bash
	run bash -c 'for f in /proc/$$/fd/*; do f=${f##*/}; ((f > 2)) && eval "exec $f>&-"; done; exec timeout "$1" prlimit --nofile=5:5 srv-poll --port 0' _ "$SOCKLAB_DEADLINE"
	assert_equal "$status" 1
	refute_output_contains "Serving HTTP"
	assert_output_contains "srv-poll: RLIMIT_NOFILE is 5: too few descriptors to serve a client"
	assert_output_contains "ulimit -n 6"
}

@test "a peer's U+2028 and U+2029 are escaped in the narration: no line break for a line-splitting reader" {
	start_server srv srv-poll --port 0
	local c
	exec {c}<>"/dev/tcp/127.0.0.1/$PORT"
	printf 'GET /a\xe2\x80\xa8b\xe2\x80\xa9c HTTP/1.0\r\n\r\n' 1>&"$c"
	cat <&"$c" >/dev/null
	exec {c}>&-
	wait_for bg_out_has srv 'GET /a'
	run bg_out srv
	assert_output_contains 'GET /a\xe2\x80\xa8b\xe2\x80\xa9c HTTP/1.0'
	# Python's splitlines() and a split on "\n" see the same lines.
	run python3 -c 'import sys; t = open(sys.argv[1], encoding="utf-8").read(); print(len(t.splitlines()) == len(t.split("\n")) - 1)' "$BATS_TEST_TMPDIR/srv.out"
	assert_equal "$output" True
}
