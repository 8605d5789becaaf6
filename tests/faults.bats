#!/usr/bin/env bats
# The servers under faults of their own output: a stdout nobody reads (a
# full pipe) or one that is closed must never keep a stop signal from
# stopping them, and never turn into another error.

load test_helper

# fifo_server NAME COMMAND...: COMMAND in the background (its own process
# group, fds 3 and up closed) with its stdout into a FIFO that this shell
# reads (fd FIFO_FD); the ready line is read from it, and nothing more is
# read unless the test does. Sets PORT and SERVER_PID.
fifo_server() {
	local name="$1" fifo="$BATS_TEST_TMPDIR/$1.fifo" line
	shift
	mkfifo "$fifo"
	(
		local f
		trap - DEBUG
		for f in /proc/"$BASHPID"/fd/*; do
			f="${f##*/}"
			if ((f > 2)); then eval "exec $f>&-" 2>/dev/null; fi
		done
		exec setsid "$@" </dev/null >"$fifo" 2>"$BATS_TEST_TMPDIR/$name.err"
	) &
	SERVER_PID=$!
	SOCKLAB_PIDS+=("$SERVER_PID")
	exec {FIFO_FD}<"$fifo"
	while IFS= read -r -t "$SOCKLAB_DEADLINE" -u "$FIFO_FD" line; do
		if [[ "$line" =~ Serving\ HTTP\ on\ port\ ([0-9]+) ]]; then
			PORT="${BASH_REMATCH[1]}"
			return 0
		fi
	done
	fail "$name: no ready line" "$(cat "$BATS_TEST_TMPDIR/$name.err")"
}

# in_pipe_write PID: PID, one of its threads or one of its children waits
# on its full stdout: asleep in the write (/proc/.../wchan: pipe_write,
# anon_pipe_write), or in lib/say.c's wait for room (poll(stdout, 1, 50):
# /proc/.../syscall "7 ADDR 0x1 0x32" on x86-64).
in_pipe_write() {
	local t p line
	for p in "$1" $(kids_of "$1"); do
		for t in /proc/"$p"/task/*; do
			[[ "$(cat "$t/wchan" 2>/dev/null)" == *pipe_write ]] && return 0
			line="$(cat "$t/syscall" 2>/dev/null)" || continue
			[[ "$line" =~ ^7\ 0x[0-9a-f]+\ 0x1\ 0x32\  ]] && return 0
		done
	done
	return 1
}

# fill_stdout PID PORT: requests, each on a connection opened by bash
# itself (/dev/tcp: no process per request), until the server sleeps in a
# write to its full stdout (looked at every 25); at most 5,000.
fill_stdout() {
	local i c
	for ((i = 0; i < 5000; i++)); do
		((i % 25)) || ! in_pipe_write "$1" || return 0
		exec {c}<>"/dev/tcp/127.0.0.1/$2" || continue
		printf 'GET /fill HTTP/1.0\r\n\r\n' 1>&"$c" 2>/dev/null || true
		exec {c}>&-
	done
	wait_for in_pipe_write "$1"
}

# stops_with_full_stdout NAME COMMAND...: the server's stdout fills (its
# reader read the ready line, then nothing); SIGTERM; it must exit within
# the deadline, and say on stderr that it gave up its narration.
stops_with_full_stdout() {
	local name="$1"
	fifo_server "$@"
	fill_stdout "$SERVER_PID" "$PORT"
	kill -TERM "$SERVER_PID"
	wait_for exited "$SERVER_PID"
	local code=0
	wait "$SERVER_PID" || code=$?
	[[ "$code" -eq 0 ]] || fail "$name exited $code" "$(cat "$BATS_TEST_TMPDIR/$name.err")"
	grep -q "standard output is full" "$BATS_TEST_TMPDIR/$name.err" ||
		fail "$name said nothing of its full stdout:" "$(cat "$BATS_TEST_TMPDIR/$name.err")"
	exec {FIFO_FD}<&-
}

@test "srv-poll --api epoll stops on SIGTERM while its stdout is a full pipe" {
	stops_with_full_stdout poll srv-poll --api epoll --port 0 -b 128
}

@test "srv-poll --api poll stops on SIGTERM while its stdout is a full pipe" {
	stops_with_full_stdout poll srv-poll --api poll --port 0 -b 128
}

@test "srv-poll --api select stops on SIGTERM while its stdout is a full pipe" {
	stops_with_full_stdout poll srv-poll --api select --port 0 -b 128
}

@test "srv-thread stops on SIGTERM while its stdout is a full pipe" {
	stops_with_full_stdout thread srv-thread --port 0 -b 128
}

@test "srv-thread --pool 4 stops on SIGTERM while its stdout is a full pipe" {
	stops_with_full_stdout thread srv-thread --pool 4 --port 0 -b 128
}

@test "srv-prefork (parent and children) stops on SIGTERM while its stdout is a full pipe" {
	stops_with_full_stdout prefork srv-prefork --port 0 -b 128
}

@test "srv-poll stopped with its stdout closed: the write error, not 'wait: Broken pipe'" {
	fifo_server poll srv-poll --port 0
	exec {FIFO_FD}<&- # the reader goes: a write now fails with EPIPE
	kill -TERM "$SERVER_PID"
	wait_for exited "$SERVER_PID"
	local code=0
	wait "$SERVER_PID" || code=$?
	run cat "$BATS_TEST_TMPDIR/poll.err"
	refute_output_contains "wait:"
	assert_output_contains "srv-poll: write error on standard output"
	((code == 1)) || fail "exit status $code, wanted 1"
}

@test "srv-iter stops on SIGTERM while its stdout is a full pipe" {
	stops_with_full_stdout iter srv-iter --port 0 -b 128
}

@test "srv-fork (parent and children) stops on SIGTERM while its stdout is a full pipe" {
	stops_with_full_stdout fork srv-fork --port 0 -b 128
}

# ------------------------------------------------- short of descriptors

# idle_clients N S: N connections held S seconds, in the background
# (cli-connect --idle); sets IDLE_PID.
idle_clients() {
	cli-connect --idle "$1" --hold "$2" "127.0.0.1:$PORT" >/dev/null 2>&1 &
	IDLE_PID=$!
	SOCKLAB_PIDS+=("$IDLE_PID")
}

# thread_waits_for_descriptors NAME [OPTION]...: srv-thread under ulimit -n
# 64, 70 idle clients (2 s): accept() fails with EMFILE while its threads
# hold 59 connections they will close. It says so once, waits, serves the
# next client, and stops with exit 0 (it stopped with exit 1, and --pool
# 100 printed the three lines 41 times).
thread_waits_for_descriptors() {
	local name="$1"
	shift
	start_server "$name" bash -c 'ulimit -n 64 && exec srv-thread "$@"' \
		srv-thread --port 0 --quiet --backlog 128 "$@"
	idle_clients 70 2
	wait_for bg_err_has "$name" "said once"
	alive "$SERVER_PID" || fail "srv-thread stopped:" "$(bg_err "$name")"
	run http_get "$PORT"
	assert_equal "$output" "Hello, World!"
	wait "$IDLE_PID" || true
	stop_gracefully "$SERVER_PID"
	assert_equal "$STOP_STATUS" 0
	run bg_err "$name"
	refute_output_contains "stopping"
	assert_equal "$(grep -c 'Too many open files (EMFILE)' <<<"$output")" 1
	assert_equal "$(grep -c 'raise the limit' <<<"$output")" 1
	assert_line_matches '^srv-thread: [0-9]+ connections are open: accept\(\) waits until one is closed, then goes on \(said once\)$'
	assert_line_matches '^descriptors: accept\(\) found none free [0-9]+ times?, and waited for a connection to close$' "$(bg_out "$name")"
}

@test "srv-thread short of descriptors (ulimit -n 64, 70 idle clients) waits for its threads to close theirs, says so once, goes on" {
	thread_waits_for_descriptors thread
}

@test "srv-thread --pool 100 short of descriptors (ulimit -n 64, 70 idle clients) waits, says so once (not once per thread), goes on" {
	thread_waits_for_descriptors pool --pool 100
}

# fd_count PID: the descriptors PID has open. fd_count_is PID N: for
# wait_for.
fd_count() {
	local f n=0
	for f in /proc/"$1"/fd/*; do n=$((n + 1)); done
	echo "$n"
}
fd_count_is() { [[ "$(fd_count "$1")" -eq "$2" ]]; }

@test "srv-poll short of descriptors (its limit lowered to what it holds) stops watching the listener until a connection closes, says so once, goes on" {
	command -v prlimit >/dev/null || skip "prlimit is not installed"
	local api n
	for api in epoll poll select; do
		start_server "$api" srv-poll --api "$api" --port 0 --timeout 1
		idle_clients 3 3
		# 0-2, the listener (and epoll's), the 3 idle connections.
		n=7
		[[ "$api" != epoll ]] || n=8
		wait_for fd_count_is "$SERVER_PID" "$n"
		prlimit --pid "$SERVER_PID" --nofile="$n:$n"
		# No descriptor for this client until the idle ones time out
		# (--timeout 1): then it is served.
		run http_get "$PORT"
		assert_equal "$output" "Hello, World!"
		alive "$SERVER_PID" || fail "srv-poll --api $api stopped:" "$(bg_err "$api")"
		stop_gracefully "$SERVER_PID"
		assert_equal "$STOP_STATUS" 0
		run bg_err "$api"
		refute_output_contains "stopping"
		assert_equal "$(grep -c 'Too many open files (EMFILE)' <<<"$output")" 1
		assert_line_matches '^srv-poll: [0-9]+ connections? (is|are) open: accept\(\) waits until one is closed, then goes on \(said once\)$'
		assert_line_matches '^accept4\([0-9]+, SOCK_NONBLOCK\) +-> EMFILE: no descriptor free; the listener is not watched until a connection closes$' "$(bg_out "$api")"
		wait "$IDLE_PID" || true
	done
}

@test "srv-thread --pool 100 under a process limit (pthread_create EAGAIN) says so before its ready line, exit 1" {
	command -v prlimit >/dev/null || skip "prlimit is not installed"
	# The limit (ulimit -u) counts every task of the user; root is not
	# held to it: the server then runs as nobody, who has none.
	local limit as=()
	if ((EUID == 0)); then
		command -v setpriv >/dev/null || skip "setpriv is not installed"
		as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
		limit=20
	else
		limit=$(($(ps -L -u "$EUID" --no-headers | wc -l) + 20))
	fi
	run --separate-stderr timeout "$SOCKLAB_DEADLINE" prlimit --nproc="$limit" \
		"${as[@]}" "$(command -v srv-thread)" --pool 100 --port 0
	assert_failure 1
	refute_output_contains "Serving HTTP"
	assert_line_matches '^srv-thread: pthread_create: Resource temporarily unavailable \(EAGAIN\): thread [0-9]+ of 100: the pool cannot start$' "$stderr"
	assert_output_contains "try a smaller --pool" "$stderr"
}

@test "srv-prefork whose children die as soon as they are forked (EMFILE at once) pauses before each next fork, says so once, goes on; meter and last line agree" {
	command -v prlimit >/dev/null || skip "prlimit is not installed"
	# 0-2 and the listener 3: a child's accept() fails with EMFILE, and
	# it exits, as soon as a client waits.
	start_server srv prlimit --nofile=4:4 srv-prefork --port 0 --children 1
	local c
	exec {c}<>"/dev/tcp/127.0.0.1/$PORT"
	wait_for bg_err_has srv "said once"
	wait_for bg_out_has srv "children die at once"
	alive "$SERVER_PID" || fail "srv-prefork stopped:" "$(bg_err srv)"
	exec {c}>&-
	stop_gracefully "$SERVER_PID"
	assert_equal "$STOP_STATUS" 0
	run bg_err srv
	assert_equal "$(grep -c 'die as soon as they are forked' <<<"$output")" 1
	assert_line_matches '^srv-prefork: children die as soon as they are forked: a pause before each next fork\(\), up to 5 s \(said once\)$'
	run bg_out srv
	assert_line_matches '^\[parent\] \(no fork\(\)\) +-> 0\.1 s first: children die at once$'
	# The meter's replaced children and the forks agree: 1 + R forked.
	local r
	r="$(sed -n 's/^meter: 1 child (and \([0-9]*\) replaced).*/\1/p' <<<"$output")"
	[[ -n "$r" ]] || fail "no meter line of replaced children" "$output"
	assert_output_contains "children: $((r + 1)) forked, $((r + 1)) reaped, 0 left"
}
