#!/usr/bin/env bats
# srv-thread: a thread per connection, or a pool (--pool, UNP's serv07/08),
# and the mistakes --by-pointer and --no-detach. The threads are read from
# /proc/PID/task, the descriptors from /proc/PID/fd, the memory from
# /proc/PID/status: relations, never timing thresholds.
# The options every server shares: tests/server-options.bats.

load test_helper

# client MODE PORT [ARG...]: tests/gates/client.py.
client() { python3 "$BATS_TEST_DIRNAME/gates/client.py" "$@"; }

tasks() { ls "/proc/$1/task" | wc -l; }
# tasks_are, fds_of: tests/test_helper.bash.
fds_are() { [[ "$(fds_of "$1")" == "$2" ]]; }
vmsize() { awk '/^VmSize:/ { print $2 }' "/proc/$1/status"; }
listening() { ss -ltnH "sport = :$1" | grep -q .; }
lines() { grep -c -- "$2" "$BATS_TEST_TMPDIR/$1.out" || true; }
lines_are() { [[ "$(lines "$1" "$2")" -eq "$3" ]]; }

# output_is REGEX...: $output has exactly one line per REGEX, each matching.
output_is() {
	local -a got
	local i
	mapfile -t got <<<"$output"
	[[ ${#got[@]} -eq $# ]] || { show_run; fail "expected $# lines, got ${#got[@]}"; return 1; }
	for ((i = 0; i < $#; i++)); do
		local re="${*:i+1:1}"
		[[ "${got[i]}" =~ $re ]] || { show_run; fail "line $((i + 1)) does not match: $re"; return 1; }
	done
}

# start_silent NAME PORT: a client that connects and sends nothing.
start_silent() {
	start_bg "$1" '^connected' python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
print("connected", flush=True); time.sleep(60)' "$2"
}

# blocked_sig TID SIG: signal SIG is blocked in task TID of SERVER_PID.
blocked_sig() {
	local mask
	mask="$(awk '/^SigBlk:/ { print $2 }' "/proc/$SERVER_PID/task/$1/status")"
	(((0x$mask >> ($2 - 1)) & 1))
}

# asan: the build under test is the sanitizer's (ulimit -v breaks it).
asan() { ldd "$SOCKLAB_BIN/srv-thread" 2>/dev/null | grep -q libasan; }

@test "srv-thread --help states the modes and each mistake" {
	run srv-thread --help
	assert_success
	assert_output_contains "Usage: srv-thread"
	assert_output_contains "creates a thread that serves it (pthread_create)"
	assert_output_contains "accept() under a mutex (at most 1024)"
	assert_output_contains "mistake: give each thread a pointer"
	assert_output_contains "mistake: threads are neither detached nor"
}

@test "a thread per connection: main accepts, a thread serves and closes; every line tagged" {
	start_server srv srv-thread --port 0
	run client seq "$PORT" 3
	assert_success
	wait_for lines_are srv '^\[thread 3\] close(4) ' 1
	run bg_out srv
	assert_line_matches "^\\[main\\] getpid\\(\\) +-> $SERVER_PID\$"
	assert_line_matches '^\[main\] accept\(3\) +-> fd 4, socket pair'
	assert_line_matches '^\[main\] pthread_create\(&t, 0, one_client, j\) +-> thread 1, for fd 4 \(arg: a copy\)$'
	assert_line_matches '^\[thread 1\] pthread_detach\(pthread_self\(\)\) +-> ok$'
	assert_line_matches '^\[thread 2\]   \| GET /hello HTTP/1\.1$'
	assert_line_matches '^\[thread 3\] close\(4\) +-> ok$'
	local line
	while IFS= read -r line; do
		[[ "$line" == "Serving HTTP on port "* ]] && continue
		[[ "$line" =~ ^\[(main|thread\ [0-9]+)\]\  ]] || fail "untagged: $line"
		[[ "$line" != *" -> "* || "${line:44:4}" == " -> " ]] || fail "arrow not in column 45: $line"
	done <"$BATS_TEST_TMPDIR/srv.out"
}

@test "a thread is a task of the same process: it shares the descriptors, and no child is forked" {
	start_server srv srv-thread --port 0 --timeout 60
	tasks_are "$SERVER_PID" 1
	start_silent silent "$PORT"
	wait_for tasks_are "$SERVER_PID" 2
	# The connection the thread serves is the process's fd 4.
	wait_for fds_are "$SERVER_PID" "0 1 2 3 4 "
	[[ -z "$(pgrep -P "$SERVER_PID")" ]] || fail "srv-thread has children"
	# A slow client holds its thread only: the next one is served.
	run curl -sS --max-time 5 "http://127.0.0.1:$PORT/"
	assert_success
	assert_equal "$output" "Hello, World!"
	kill "$BG_PID"
	wait_for tasks_are "$SERVER_PID" 1
	wait_for fds_are "$SERVER_PID" "0 1 2 3 "
}

@test "the stop signals stay blocked in every thread but main, which lets them in while it waits" {
	start_server srv srv-thread --port 0 --pool 3
	wait_for tasks_are "$SERVER_PID" 4
	local t others=0
	# main, once it waits (sigsuspend()), lets them in...
	lets_in() { ! blocked_sig "$SERVER_PID" 15 && ! blocked_sig "$SERVER_PID" 2; }
	wait_for lets_in
	# ...the threads never do.
	for t in "/proc/$SERVER_PID/task"/*; do
		t="${t##*/}"
		if [[ "$t" != "$SERVER_PID" ]]; then
			blocked_sig "$t" 15 || fail "thread $t lets SIGTERM in"
			blocked_sig "$t" 2 || fail "thread $t lets SIGINT in"
			others=$((others + 1))
		fi
	done
	assert_equal "$others" 3
	# Nor while one waits for its client's request (its wait lets in
	# SIGURG, the stop's wake-up, and nothing else).
	start_silent silent "$PORT"
	in_wait() {
		local t
		for t in "/proc/$SERVER_PID/task"/*; do
			t="${t##*/}"
			[[ "$t" != "$SERVER_PID" ]] && ! blocked_sig "$t" 23 && WAITING="$t" && return 0
		done
		return 1
	}
	wait_for in_wait
	blocked_sig "$WAITING" 15 || fail "thread $WAITING lets SIGTERM in while it waits"
	blocked_sig "$WAITING" 2 || fail "thread $WAITING lets SIGINT in while it waits"
	# So a signal sent to the process lands in main, which stops the server.
	stop_gracefully "$SERVER_PID" INT
	assert_equal "$STOP_STATUS" 0
}

@test "--by-pointer: two clients at once: one thread reads the other's descriptor, one client is never answered, its fd leaks" {
	# --timeout 1: the thread that waits on the descriptor the other one
	# closed holds the socket (and its FIN) until its deadline.
	start_server srv srv-thread --port 0 --by-pointer --timeout 1
	run cli-connect --clients 2 --read --timeout 3 --json "127.0.0.1:$PORT"
	assert_output_contains '"connections": 2, "replies": 1, "replies_ok": 1'
	assert_output_contains '"timed_out": 1'
	wait_for lines_are srv 'closed by another thread already' 1
	run bg_out srv
	assert_line_matches '^\[main\] pthread_create\(&t, 0, one_client, j\) +-> thread 1, for fd 4 \(arg = &fd: main.s variable\)$'
	assert_line_matches "^\\[thread 1\\] \\*arg +-> fd 5, not 4: main's variable changed since \\(--by-pointer\\)\$"
	assert_line_matches '^\[thread 2\] \*arg +-> fd 5$'
	assert_line_matches '^\[thread [12]\] close\(5\) +-> Bad file descriptor: closed by another thread already$'
	# Both threads are done, and fd 4 is still open: nobody will close it.
	wait_for tasks_are "$SERVER_PID" 1
	assert_equal "$(fds_of "$SERVER_PID")" "0 1 2 3 4 "
}

@test "--by-pointer: a stop while a thread has yet to read main's variable: it reads the descriptor it was given" {
	# The thread reads main's variable 0.1 s late; a stop in between ends
	# the function that declared it on its stack. Read from a frame that has
	# returned, it is whatever was written there since: make check's build
	# says stack-use-after-scope and aborts (an -O2 build, which inlines
	# the function into main(), happened to read 4 all the same).
	start_server srv srv-thread --port 0 --by-pointer --timeout 1
	start_silent quiet "$PORT"
	wait_for bg_out_has srv 'thread 1, for fd 4'
	kill -TERM "$SERVER_PID"
	wait_for bg_out_has srv '[thread 1] *arg'
	run bg_out srv
	assert_line_matches '^\[thread 1\] \*arg +-> fd 4$'
	wait_for exited "$SERVER_PID"
	local st=0
	wait "$SERVER_PID" || st=$?
	assert_equal "$st" 0
}

@test "without --by-pointer the same two clients are both answered, and no descriptor is left" {
	start_server srv srv-thread --port 0
	run cli-connect --clients 2 --read --timeout 2 --json "127.0.0.1:$PORT"
	assert_output_contains '"connections": 2, "replies": 2, "replies_ok": 2'
	wait_for tasks_are "$SERVER_PID" 1
	wait_for fds_are "$SERVER_PID" "0 1 2 3 "
}

@test "--no-detach: every finished thread keeps its stack: VmSize grows by a stack per client; joined at the stop" {
	start_server nd srv-thread --port 0 --no-detach
	local nd="$SERVER_PID" nd_port="$PORT"
	start_server dt srv-thread --port 0
	local dt="$SERVER_PID"
	# One request each first: the first thread's malloc arena is mapped.
	client seq "$nd_port" 1 >/dev/null
	client seq "$PORT" 1 >/dev/null
	wait_for tasks_are "$nd" 1
	wait_for tasks_are "$dt" 1
	local nd0 dt0 nd_growth dt_growth
	nd0="$(vmsize "$nd")"
	dt0="$(vmsize "$dt")"
	run client seq "$nd_port" 10
	assert_success
	run client seq "$PORT" 10
	assert_success
	wait_for tasks_are "$nd" 1 # finished: no task left, yet...
	wait_for tasks_are "$dt" 1
	nd_growth=$(($(vmsize "$nd") - nd0))
	dt_growth=$(($(vmsize "$dt") - dt0))
	echo "# VmSize growth after 10 clients: --no-detach $nd_growth kB, detached $dt_growth kB" >&3
	((nd_growth >= 10 * 1024)) || fail "--no-detach: VmSize grew by $nd_growth kB only"
	((dt_growth * 4 < nd_growth)) || fail "detached threads grew too: $dt_growth kB vs $nd_growth kB"
	run bg_out nd
	assert_line_matches '^\[main\] \(no pthread_join\) +-> 11 not joined, [0-9]+ finished: VmSize [0-9]+ kB, VmRSS [0-9]+ kB$'
	refute_output_contains "pthread_detach"
	stop_gracefully "$nd" TERM
	assert_equal "$STOP_STATUS" 0
	run bg_out nd
	assert_line_matches '^\[main\] pthread_join\(\), late +-> 11 threads joined: VmSize [0-9]+ kB'
	assert_output_contains "threads: 11 created, 11 finished, 0 left"
}

@test "--no-detach until the address space is full: pthread_create fails, the client gets 503, the server goes on" {
	asan && skip "ulimit -v and AddressSanitizer do not mix"
	# shellcheck disable=SC2016 # $@ is bash -c's
	start_server srv bash -c 'ulimit -v 160000 && exec "$@"' _ srv-thread --port 0 --quiet --no-detach
	local got503=0 out
	for _ in $(seq 30); do
		out="$(curl -sS -D - --max-time 5 "http://127.0.0.1:$PORT/")"
		[[ "$out" == *"503 Service Unavailable"* ]] && got503=1 && break
		[[ "$out" == *"Hello, World!"* ]] || fail "neither 200 nor 503: $out"
	done
	((got503)) || fail "30 threads fit in 160 MB"
	run bg_err srv
	assert_output_contains "srv-thread: pthread_create: Resource temporarily unavailable (EAGAIN): no thread for this client"
	assert_output_contains "hint: each thread needs a stack"
	alive "$SERVER_PID"
	stop_gracefully "$SERVER_PID" TERM
	assert_equal "$STOP_STATUS" 0
}

@test "--pool 3: three threads created at the start serve every client; accept() under the mutex" {
	start_server srv srv-thread --port 0 --pool 3
	wait_for tasks_are "$SERVER_PID" 4
	local before
	before="$(ls "/proc/$SERVER_PID/task" | sort)"
	run client seq "$PORT" 9
	assert_success
	assert_equal "$(ls "/proc/$SERVER_PID/task" | sort)" "$before"
	assert_equal "$(lines srv '^\[main\] pthread_create(&t, 0, pool_thread, j) ')" 3
	# (fd 4 or 5: a thread blocked in accept() holds the number it will
	# return, reserved when it began to wait.)
	wait_for lines_are srv '^\[thread [123]\] close([45]) ' 9
	run bg_out srv
	assert_line_matches '^\[thread [123]\] pthread_mutex_lock\(&accept_lock\) +-> ok, this thread.s turn to accept\(\)$'
	assert_line_matches '^\[thread [123]\] accept\(3\) +-> fd [45], socket pair'
	refute_output_contains "one_client"
	stop_gracefully "$SERVER_PID" TERM
	assert_equal "$STOP_STATUS" 0
	run bg_out srv
	assert_equal "$(grep -c 'EINVAL (the listener is shut down): the thread returns' <<<"$output")" 3
	assert_line_matches '^\[main\] pthread_join\(\) of each +-> 3 joined$'
	assert_output_contains "threads: 3 created, 3 finished, 0 left"
	assert_output_contains "Stopped: served 9 requests."
}

@test "--pool --no-mutex: every thread blocks in accept() at once, each client served once" {
	start_server srv srv-thread --port 0 --pool 3 --no-mutex
	wait_for tasks_are "$SERVER_PID" 4
	run client seq "$PORT" 9
	assert_success
	run cli-connect --clients 6 --read --json "127.0.0.1:$PORT"
	assert_output_contains '"connections": 6, "replies": 6, "replies_ok": 6'
	stop_gracefully "$SERVER_PID" TERM
	assert_equal "$STOP_STATUS" 0
	run bg_out srv
	refute_output_contains "pthread_mutex_lock"
	assert_output_contains "Stopped: served 15 requests."
}

@test "--pool: a slow client holds one thread; with --pool 1 the next client waits" {
	start_server srv srv-thread --port 0 --pool 2 --timeout 60
	start_silent silent "$PORT"
	wait_for bg_out_has srv "accept(3)"
	run curl -sS --max-time 5 "http://127.0.0.1:$PORT/"
	assert_success
	assert_equal "$output" "Hello, World!"

	start_server one srv-thread --port 0 --pool 1 --timeout 60
	start_silent silent1 "$PORT"
	wait_for bg_out_has one "accept(3)"
	run curl -sS --max-time 1 "http://127.0.0.1:$PORT/"
	assert_failure 28
}

@test "hostile clients: nothing sent, too much, a reset, a trickle: each reported, the next served, no descriptor left" {
	local mode
	for mode in "" "--pool 2"; do
		# shellcheck disable=SC2086
		start_server "srv$mode" srv-thread --port 0 --timeout 0.3 $mode
		run client silent "$PORT"
		assert_output_contains "silent: 0 bytes before the close"
		run client oversized "$PORT" 102400
		assert_success
		client reset "$PORT" 2
		client vanish "$PORT" 2
		run client drip "$PORT"
		assert_output_contains "408 Request Timeout"
		run client seq "$PORT" 10
		assert_success
		run bg_err "srv$mode"
		assert_line_matches '^srv-thread: recv from 127\.0\.0\.1:[0-9]+: no request within 0\.3 s \(--timeout\)$'
		assert_output_contains "larger than 8192 bytes (--max-request)"
		assert_output_contains "Connection reset by peer"
		assert_output_contains "closed the connection without sending a request"
		wait_for fds_are "$SERVER_PID" "0 1 2 3 "
	done
}

@test "every stop signal stops it cleanly, per connection and pooled: exit 0, port closed, no thread left" {
	local sig mode
	for mode in "" "--pool 3"; do
		for sig in INT TERM HUP QUIT USR1; do
			# shellcheck disable=SC2086
			start_server "srv-$sig$mode" srv-thread --port 0 --quiet $mode
			run client seq "$PORT" 3
			assert_success
			stop_gracefully "$SERVER_PID" "$sig"
			assert_equal "$STOP_STATUS" 0
			! listening "$PORT" || fail "port $PORT still listening after SIG$sig"
			run bg_out "srv-$sig$mode"
			assert_line_matches '^threads: ([0-9]+) created, \1 finished, 0 left; VmSize [0-9]+ kB, VmRSS [0-9]+ kB$'
			assert_output_contains "Stopped: served 3 requests."
		done
	done
}

@test "a stop while threads wait for silent clients: after the grace each is woken (SIGURG), interrupted, exit 0" {
	local mode
	for mode in "" "--pool 2"; do
		# shellcheck disable=SC2086
		start_server "srv$mode" srv-thread --port 0 --timeout 60 $mode
		start_silent "silent$mode" "$PORT"
		wait_for bg_out_has "srv$mode" "accept(3)"
		stop_gracefully "$SERVER_PID" TERM
		assert_equal "$STOP_STATUS" 0
		run bg_out "srv$mode"
		assert_output_contains "Stopping: waiting up to 2 s for 1 thread serving a client"
		assert_output_contains "Stopping: 1 thread still serving after 2 s: sending it SIGURG"
		assert_line_matches '^threads: ([0-9]+) created, \1 finished, 0 left'
		assert_output_contains "recv from 127.0.0.1:" "$(bg_err "srv$mode")"
		assert_output_contains "interrupted: stopping" "$(bg_err "srv$mode")"
	done
}

@test "--quiet: the ready line and the summary only" {
	start_server srv srv-thread --port 0 --quiet
	run client seq "$PORT" 2
	assert_success
	stop_gracefully "$SERVER_PID" TERM
	run bg_out srv
	output_is "^Serving HTTP on port $PORT \\.\\.\\.\$" \
		'^threads: 2 created, 2 finished, 0 left; VmSize [0-9]+ kB, VmRSS [0-9]+ kB$' \
		'^Stopped: served 2 requests\.$'
}

@test "--pool: a thread whose accept() fails with EMFILE stops the server, exit 1" {
	command -v prlimit >/dev/null || skip "prlimit is not installed"
	start_server srv srv-thread --port 0 --pool 2
	wait_for tasks_are "$SERVER_PID" 3
	prlimit --pid "$SERVER_PID" --nofile=4:
	curl -sS --max-time 5 "http://127.0.0.1:$PORT/" >/dev/null 2>&1 || true
	wait_for exited "$SERVER_PID"
	local st=0
	wait "$SERVER_PID" || st=$?
	assert_equal "$st" 1
	run bg_err srv
	assert_output_contains "srv-thread: accept: Too many open files (EMFILE)"
	assert_output_contains "threads: 2 created, 2 finished, 0 left" "$(bg_out srv)"
}

@test "a thread per connection: accept() fails with EMFILE in main: said why, exit 1" {
	command -v prlimit >/dev/null || skip "prlimit is not installed"
	start_server srv srv-thread --port 0
	prlimit --pid "$SERVER_PID" --nofile=4:
	curl -sS --max-time 5 "http://127.0.0.1:$PORT/" >/dev/null 2>&1 || true
	wait_for exited "$SERVER_PID"
	local st=0
	wait "$SERVER_PID" || st=$?
	assert_equal "$st" 1
	assert_output_contains "srv-thread: accept: Too many open files (EMFILE)" "$(bg_err srv)"
}

# ------------------------------------------------------------- bad input

@test "every bad value or combination is a usage error naming it, exit 2" {
	usage_errors srv-thread <<'LIST'
--pool 0|invalid pool '0': too small
--pool 1025|invalid pool '1025': too large
--pool few|invalid pool 'few': not a number
-n 2x|invalid pool '2x': unexpected 'x'
--pool|option '--pool' needs a value
--no-mutex|--no-mutex goes with --pool
--pool 2 --by-pointer|--by-pointer is a mistake of the thread per connection: not with --pool
--pool 2 --no-detach|--no-detach is a mistake of the thread per connection: not with --pool
--by-pointer=1|option '--by-pointer' takes no value
LIST
}

@test "srv-thread: an ambiguous abbreviation names its candidates" {
	run --separate-stderr srv-thread --no
	assert_failure 2
	assert_stderr_contains "srv-thread: option '--no' is ambiguous: it could be '--no-mutex', '--no-detach'"
}

