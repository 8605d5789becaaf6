#!/usr/bin/env bats
# srv-fork: the article's concurrent server and its mistakes (webserver3c
# to 3g in docs/article-map.md). Order of events, never timing thresholds.
# The options every server shares: tests/server-options.bats.

load test_helper

# kid_states, kids_of, kids_are, zombies_of, zombies_are, running_are:
# tests/test_helper.bash.
count_kids() { kids_of "$1" | grep -c . || true; }
fd_count() { ls "/proc/$1/fd" | wc -l; }
# in_accept PID: the process is blocked in accept() (Linux: its wchan), as
# the article's server (--reap once) is between clients.
in_accept() { [[ "$(cat "/proc/$1/wchan" 2>/dev/null)" == *accept* ]]; }
# waiting PID: blocked waiting for a client, in accept() or, as srv-fork
# --reap loop is (it waits in ppoll() with the signals let in: issue 12,
# item 2), in poll.
waiting() { [[ "$(cat "/proc/$1/wchan" 2>/dev/null)" =~ accept|poll ]]; }
is_stopped() { [[ "$(cut -d' ' -f3 "/proc/$1/stat")" == T ]]; }
count_lines() { grep -c -- "$2" "$BATS_TEST_TMPDIR/$1.out" || true; }
lines_are() { [[ "$(count_lines "$1" "$2")" -eq "$3" ]]; }

@test "srv-fork --help states the defaults and every mistake" {
	run srv-fork --help
	assert_success
	assert_output_contains "Usage: srv-fork"
	assert_output_contains "(default 1024)"
	assert_output_contains "(the default, webserver3g)"
	assert_output_contains "mistake: one wait() per SIGCHLD"
	assert_output_contains "mistake: no SIGCHLD handler"
	assert_output_contains "mistake: the parent does not close"
	assert_output_contains "Not
                        enforced for root"
}

@test "fork returns twice: the parent prints the child's pid, the child its PID and PPID" {
	start_server srv srv-fork --port 0
	run http_get "$PORT"
	assert_success
	assert_equal "$output" "Hello, World!"
	wait_for bg_out_has srv "exits"
	run bg_out srv
	[[ "$output" =~ fork\(\)\ +-\>\ child\ pid\ ([0-9]+) ]]
	local child="${BASH_REMATCH[1]}"
	# Each line says which process printed it (issue 13): [parent] or
	# [child PID], the arrow in the same column.
	assert_line_matches "^\\[parent\\] getpid\\(\\) +-> $SERVER_PID\$"
	assert_line_matches "^\\[child $child\\] Child PID: $child\\. Parent PID $SERVER_PID\$"
	# The child closes its copy of the listener, the parent its copy of
	# the connection.
	assert_line_matches "^\\[child $child\\] close\\(3\\) +-> ok, the child.s copy of the listening socket\$"
	assert_line_matches '^\[parent\] close\(4\) +-> ok, the parent.s copy'
	assert_line_matches "^\\[child $child\\]   \\| GET /hello HTTP/1\\.1\$"
	wait_for bg_out_has srv "pid $child (exit 0): reaped"
	# Every line but the ready and summary lines is tagged, and every
	# arrow is in column 45.
	run bg_out srv
	local line
	while IFS= read -r line; do
		[[ "$line" == "Serving HTTP on port "* ]] && continue
		[[ "$line" =~ ^\[(parent|child\ [0-9]+)\]\  ]] || fail "untagged: $line"
		[[ "$line" != *" -> "* || "${line:44:4}" == " -> " ]] || fail "arrow not in column 45: $line"
	done <"$BATS_TEST_TMPDIR/srv.out"
}

@test "5 clients of srv-fork --child-sleep 60 all get their reply while every child still sleeps" {
	start_server srv srv-fork --port 0 --child-sleep 60
	local i
	for i in 1 2 3 4 5; do
		# start_bg returns once curl has printed the reply.
		start_bg "curl$i" 'Hello, World!' curl -sSN "http://127.0.0.1:$PORT/hello"
	done
	# Five replies are in, and yet no child has finished its sleep: five
	# live children (none a zombie), no curl has finished, no child exited.
	kids_are "$SERVER_PID" 5
	zombies_are "$SERVER_PID" 0
	for pid in "${SOCKLAB_PIDS[@]:1}"; do alive "$pid"; done
	refute_output_contains "exits" "$(bg_out srv)"
	assert_equal "$(count_lines srv 'sleeps with the connection open')" 5
}

@test "against srv-sleep the same clients are served one after another" {
	[[ -x "$SOCKLAB_BIN/srv-sleep" ]] || skip "srv-sleep is not built"
	start_server srv srv-sleep --port 0 --sleep 60
	start_bg curl1 'Hello, World!' curl -sSN "http://127.0.0.1:$PORT/hello"
	setsid curl -sSN "http://127.0.0.1:$PORT/hello" >"$BATS_TEST_TMPDIR/c2" 2>&1 3>&- &
	SOCKLAB_PIDS+=("$!")
	setsid curl -sSN "http://127.0.0.1:$PORT/hello" >"$BATS_TEST_TMPDIR/c3" 2>&1 3>&- &
	SOCKLAB_PIDS+=("$!")
	# Both later clients are connected and waiting in the queue...
	wait_for bg_out_has srv "queue: 2 waiting"
	# ...and neither has a byte of reply: one accept() so far.
	assert_equal "$(cat "$BATS_TEST_TMPDIR/c2" "$BATS_TEST_TMPDIR/c3")" ""
	assert_equal "$(count_lines srv '^accept(')" 1
}

@test "a burst of 128 clients leaves no zombie and the parent's descriptors as they were" {
	start_server srv srv-fork --port 0 --quiet --backlog 128
	local before
	before="$(fd_count "$SERVER_PID")"
	run cli-connect --clients 128 --read --json "127.0.0.1:$PORT"
	assert_success
	assert_output_contains '"connections": 128, "replies": 128, "replies_ok": 128'
	wait_for kids_are "$SERVER_PID" 0
	assert_equal "$(fd_count "$SERVER_PID")" "$before"
	stop_gracefully "$SERVER_PID"
	assert_equal "$STOP_STATUS" 0
	assert_output_contains "children: 128 forked, 128 reaped, 0 left" "$(bg_out srv)"
	assert_output_contains "Stopped: served 128 requests." "$(bg_out srv)"
}

@test "parent and child share the connection's socket inode while both hold it (--keep-conn)" {
	start_server srv srv-fork --port 0 --keep-conn --child-sleep 60
	start_bg curl 'Hello, World!' curl -sSN "http://127.0.0.1:$PORT/hello"
	wait_for kids_are "$SERVER_PID" 1
	local child parent_fd child_fd
	child="$(kids_of "$SERVER_PID")"
	parent_fd="$(readlink "/proc/$SERVER_PID/fd/4")"
	child_fd="$(readlink "/proc/$child/fd/4")"
	[[ "$parent_fd" =~ ^socket:\[[0-9]+\]$ ]]
	assert_equal "$child_fd" "$parent_fd"
	# The child closed its copy of the listener; the parent still has it.
	[[ "$(readlink "/proc/$SERVER_PID/fd/3")" == socket:* ]]
	[[ ! -e "/proc/$child/fd/3" ]]
	if [[ -x "$SOCKLAB_BIN/show-fds" ]]; then # the same, seen by show-fds
		local inode="${parent_fd#socket:[}"
		inode="${inode%]}"
		run show-fds --pid "$SERVER_PID"
		assert_success
		assert_output_contains "$inode"
		run show-fds --pid "$child"
		assert_success
		assert_output_contains "$inode"
	fi
}

@test "by default the parent closes its copy: only the child holds the connection" {
	start_server srv srv-fork --port 0 --child-sleep 60
	start_bg curl 'Hello, World!' curl -sSN "http://127.0.0.1:$PORT/hello"
	wait_for kids_are "$SERVER_PID" 1
	local child
	child="$(kids_of "$SERVER_PID")"
	[[ "$(readlink "/proc/$child/fd/4")" == socket:* ]]
	[[ ! -e "/proc/$SERVER_PID/fd/4" ]]
	if [[ -x "$SOCKLAB_BIN/show-fds" ]]; then
		run show-fds --pid "$child"
		assert_success
		assert_output_contains "$(readlink "/proc/$child/fd/4")"
	fi
}

@test "--keep-conn: curl gets the body but never finishes (no FIN)" {
	start_server srv srv-fork --port 0 --keep-conn
	run curl -sS --max-time 1 "http://127.0.0.1:$PORT/hello"
	assert_failure 28 # curl: operation timed out
	assert_output_contains "Hello, World!"
	run bg_out srv
	assert_output_contains "the parent keeps fd 4 (--keep-conn)"
	assert_output_contains "(the parent still holds its copy: no FIN)"
}

@test "--keep-conn --max-fds 8: accept fails with EMFILE, said clearly, and the server stops" {
	start_server srv srv-fork --port 0 --keep-conn --max-fds 8
	run bg_out srv
	assert_line_matches '^\[parent\] setrlimit\(RLIMIT_NOFILE, 8\) +-> ok$'
	# 0-2, the listener 3, then 4..7 kept: the 5th accept() has no fd left.
	run cli-connect --clients 6 --json "127.0.0.1:$PORT"
	wait_for exited "$SERVER_PID"
	local st=0
	wait "$SERVER_PID" || st=$?
	assert_equal "$st" 1
	run bg_err srv
	assert_output_contains "srv-fork: accept: Too many open files (EMFILE)"
	assert_output_contains "holds 4 connections it never closed (--keep-conn)"
	assert_output_contains "stopping"
	assert_equal "$(count_lines srv '^\[parent\] fork()')" 4
}

@test "--reap none: every child stays a zombie, kill -9 cannot remove it, the stop reaps them" {
	start_server srv srv-fork --port 0 --reap none
	local i
	for i in 1 2 3; do http_get "$PORT" >/dev/null; done
	wait_for zombies_are "$SERVER_PID" 3
	local zombie
	zombie="$(kids_of "$SERVER_PID" | head -n 1)"
	run ps -o pid=,ppid=,stat=,args= -p "$zombie"
	assert_line_matches "^ *$zombie +$SERVER_PID +Z"
	assert_output_contains "<defunct>"
	kill -9 "$zombie"
	zombies_are "$SERVER_PID" 3
	[[ "$(cut -d' ' -f3 "/proc/$zombie/stat")" == Z ]]
	stop_gracefully "$SERVER_PID"
	assert_equal "$STOP_STATUS" 0
	assert_output_contains "children: 3 forked, 3 reaped, 0 left" "$(bg_out srv)"
	[[ ! -e "/proc/$zombie" ]]
}

@test "--reap once: the SIGCHLD handler interrupts accept, which fails with EINTR, and the server exits" {
	start_server srv srv-fork --port 0 --reap once --child-sleep 60
	start_bg curl 'Hello, World!' curl -sSN "http://127.0.0.1:$PORT/hello"
	wait_for kids_are "$SERVER_PID" 1
	wait_for in_accept "$SERVER_PID"
	kill -TERM "$(kids_of "$SERVER_PID")" # the child ends
	wait_for exited "$SERVER_PID"
	local st=0
	wait "$SERVER_PID" || st=$?
	assert_equal "$st" 1
	run bg_err srv
	assert_output_contains "srv-fork: accept: Interrupted system call (EINTR)"
	assert_output_contains "hint: retry accept() on EINTR (--retry-accept)"
	# One reap per signal, without blocking (issue 12, item 4): WNOHANG.
	assert_line_matches '^\[parent\] waitpid\(-1, &st, WNOHANG\) +-> pid [0-9]+ \(exit 0\): reaped$' "$(bg_out srv)"
}

@test "--reap once --retry-accept: accept is called again after EINTR and the server goes on" {
	start_server srv srv-fork --port 0 --reap once --retry-accept --child-sleep 60
	start_bg curl 'Hello, World!' curl -sSN "http://127.0.0.1:$PORT/hello"
	wait_for kids_are "$SERVER_PID" 1
	wait_for in_accept "$SERVER_PID"
	kill -TERM "$(kids_of "$SERVER_PID")"
	wait_for bg_out_has srv "EINTR (a signal handler ran): calling accept() again"
	run curl -sS --max-time 1 "http://127.0.0.1:$PORT/hello"
	assert_failure 28 # the new child sleeps 60 s: the body came, the close not
	assert_output_contains "Hello, World!"
	alive "$SERVER_PID"
}

# burst_while_stopped MODE...: 10 clients, each child held by --child-sleep;
# the parent is stopped (SIGSTOP) while all 10 children exit, so 10 SIGCHLDs
# arrive while one is already pending. Sets KIDS to their pids.
burst_while_stopped() {
	start_server srv srv-fork --port 0 --backlog 16 --child-sleep 60 "$@"
	cli-connect --clients 10 "127.0.0.1:$PORT" >/dev/null
	wait_for kids_are "$SERVER_PID" 10
	wait_for waiting "$SERVER_PID"
	KIDS="$(kids_of "$SERVER_PID")"
	kill -STOP "$SERVER_PID"
	wait_for is_stopped "$SERVER_PID"
	# shellcheck disable=SC2086
	kill -TERM $KIDS
	wait_for zombies_are "$SERVER_PID" 10
	kill -CONT "$SERVER_PID"
}

@test "standard signals are not queued: wait() once per SIGCHLD leaves 9 of 10 zombies" {
	burst_while_stopped --reap once --retry-accept
	# The pending SIGCHLD is delivered once: one wait(), one child reaped,
	# then accept() is called again; no other signal is coming.
	wait_for bg_out_has srv "calling accept() again"
	assert_equal "$(count_lines srv '^\[parent\] waitpid(-1, &st, WNOHANG)')" 1
	zombies_are "$SERVER_PID" 9
	alive "$SERVER_PID"
	stop_gracefully "$SERVER_PID"
	assert_output_contains "children: 10 forked, 10 reaped, 0 left" "$(bg_out srv)"
}

@test "the waitpid loop reaps all 10 children from the same single signal" {
	burst_while_stopped
	wait_for zombies_are "$SERVER_PID" 0
	kids_are "$SERVER_PID" 0
}

@test "a burst of 128 clients brings zombies back with --reap once --retry-accept, not with the loop" {
	start_server once srv-fork --port 0 --quiet --backlog 128 --reap once --retry-accept
	local once="$SERVER_PID" port_once="$PORT"
	start_server loop srv-fork --port 0 --quiet --backlog 128
	local loop="$SERVER_PID"
	run cli-connect --clients 128 --read --json "127.0.0.1:$port_once"
	assert_success
	run cli-connect --clients 128 --read --json "127.0.0.1:$PORT"
	assert_success
	# Every reply has been read: every child has exited.
	wait_for kids_are "$loop" 0
	wait_for running_are "$once" 0
	local z
	z="$(zombies_of "$once")"
	((z > 0)) || fail "expected zombies under wait-once, got $z"
	echo "# zombies left by wait-once after 128 clients: $z" >&3
}

@test "--quiet: the children print nothing, report a client's error with its address, and are all reaped" {
	start_server srv srv-fork --port 0 --quiet --timeout 0.3
	run http_get "$PORT"
	assert_success
	assert_equal "$output" "Hello, World!"
	python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(10)
s.recv(100)' "$PORT"
	run bg_err srv
	assert_line_matches '^srv-fork: recv from 127\.0\.0\.1:[0-9]+: no request within 0\.3 s \(--timeout\)$'
	wait_for kids_are "$SERVER_PID" 0
	stop_gracefully "$SERVER_PID"
	assert_equal "$STOP_STATUS" 0
	run bg_out srv
	assert_equal "$output" "Serving HTTP on port $PORT ...
children: 2 forked, 2 reaped, 0 left
Stopped: served 1 request."
}

@test "--max-children 2: the third client gets 503 and the server goes on" {
	start_server srv srv-fork --port 0 --max-children 2 --child-sleep 60
	start_bg c1 'Hello, World!' curl -sSN "http://127.0.0.1:$PORT/"
	start_bg c2 'Hello, World!' curl -sSN "http://127.0.0.1:$PORT/"
	run curl -sS -D - "http://127.0.0.1:$PORT/"
	assert_success
	assert_output_contains "HTTP/1.1 503 Service Unavailable"
	run bg_err srv
	assert_output_contains "2 children already (--max-children 2)"
	alive "$SERVER_PID"
}

@test "--max-children 1: every refused client reads the whole 503, never a reset" {
	# A refused client may still be sending its request when the server
	# closes: the FIN must come right after the 503, before any RST.
	start_server srv srv-fork --port 0 --quiet --max-children 1 --child-sleep 60
	start_bg hold 'Hello, World!' curl -sSN "http://127.0.0.1:$PORT/"
	local i
	for i in $(seq 30); do
		run cli-connect --clients 3 --read --json "127.0.0.1:$PORT"
		assert_success
		assert_output_contains '"connections": 3, "replies": 3, "replies_ok": 0, "refused": 0, "reset": 0'
	done
}

@test "SIGTERM with sleeping children: waits, sends them SIGTERM, reaps all, exits 0" {
	start_server srv srv-fork --port 0 --child-sleep 60
	start_bg c1 'Hello, World!' curl -sSN "http://127.0.0.1:$PORT/"
	start_bg c2 'Hello, World!' curl -sSN "http://127.0.0.1:$PORT/"
	local kids
	kids="$(kids_of "$SERVER_PID")"
	stop_gracefully "$SERVER_PID" TERM
	assert_equal "$STOP_STATUS" 0
	run bg_out srv
	assert_output_contains "Stopping: waiting up to 2 s for 2 children"
	assert_output_contains "sending SIGTERM"
	assert_output_contains "children: 2 forked, 2 reaped, 0 left"
	assert_line_matches '^Stopped: served [0-9]+ requests?\.$'
	local k
	for k in $kids; do [[ ! -e "/proc/$k" ]]; done
}

@test "--nproc: fork fails with EAGAIN for an unprivileged user, the client gets 503" {
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	local nobody=65534 as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	"${as[@]}" test -x "$SOCKLAB_BIN/srv-fork" 2>/dev/null ||
		skip "$SOCKLAB_BIN/srv-fork is not reachable by uid $nobody"
	local others
	others="$(ps -u "$nobody" -o pid= | wc -l)"
	# RLIMIT_NPROC counts every process of the user: the server and 2 zombies.
	# (LeakSanitizer's exit-time thread would count too: not for this test.)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		start_server srv "${as[@]}" "$SOCKLAB_BIN/srv-fork" --port 0 --reap none --nproc $((others + 3))
	http_get "$PORT" >/dev/null
	http_get "$PORT" >/dev/null
	run curl -sS -D - "http://127.0.0.1:$PORT/"
	assert_output_contains "503 Service Unavailable"
	run bg_err srv
	assert_output_contains "fork: Resource temporarily unavailable (EAGAIN)"
	assert_output_contains "zombies count too"
	alive "$SERVER_PID"
}

@test "--nproc as root says that the limit is not enforced for root" {
	[[ "$(id -u)" -eq 0 ]] || skip "not root"
	start_server srv srv-fork --port 0 --nproc 5
	assert_output_contains "not enforced for root" "$(bg_out srv)"
}

# ------------------------------------------------------------- bad input

@test "every bad value of a new option is a usage error naming it, exit 2" {
	usage_errors srv-fork <<'LIST'
--child-sleep soon|invalid child-sleep 'soon': not a number
--child-sleep -1|invalid child-sleep '-1': must not be negative
--max-children 0|invalid max-children '0': too small
--max-children 12x|invalid max-children '12x': unexpected 'x'
--reap sometimes|invalid reap mode 'sometimes': expected loop, once, none, ignore or nocldwait
--exec=|--exec: an empty command
--no-cloexec|--no-cloexec goes with --exec CMD
--max-fds 3|invalid max-fds '3': too small
--max-fds many|invalid max-fds 'many': not a number
--nproc 0|invalid nproc '0': too small
--nproc -5|invalid nproc '-5': must not be negative
--retry-accept|--retry-accept goes with --reap once
--reap loop --retry-accept|--retry-accept goes with --reap once
--reap|option '--reap' needs a value
LIST
}

@test "a descriptor limit above the hard limit is a runtime error, exit 1" {
	run --separate-stderr bash -c 'ulimit -n 64 && exec srv-fork --port 0 --max-fds 100'
	assert_failure 1
	assert_stderr_contains "setrlimit RLIMIT_NOFILE 100: above the hard limit 64"
}

# ------------------------------------------------- hostile conditions (issue 12)

@test "--reap once: a SIGCHLD that no exit caused does not block the handler (item 4)" {
	start_server srv srv-fork --port 0 --reap once --retry-accept --child-sleep 60
	start_bg c1 'Hello, World!' curl -sSN "http://127.0.0.1:$PORT/hello"
	wait_for kids_are "$SERVER_PID" 1
	wait_for in_accept "$SERVER_PID"
	kill -CHLD "$SERVER_PID"
	# One wait per signal, as the article's handler; WNOHANG: no child has
	# exited, so it returns at once instead of blocking until one does.
	wait_for bg_out_has srv "0: no child has exited"
	assert_line_matches '^\[parent\] waitpid\(-1, &st, WNOHANG\) +-> 0: no child has exited$' "$(bg_out srv)"
	# The server is back in accept(): the next client is answered now
	# (its child sleeps too: the body comes, the close does not).
	run curl -sS --max-time 3 "http://127.0.0.1:$PORT/hello"
	assert_failure 28
	assert_output_contains "Hello, World!"
	kids_are "$SERVER_PID" 2
}

@test "SIGCHLD ignored by whoever started the server: zombies and counts as usual (item 8)" {
	# The launcher sets SIGCHLD to SIG_IGN and execs the server: that
	# disposition survives exec(), and would make the kernel reap the
	# children itself (no zombie, waitpid() fails with ECHILD).
	start_server srv python3 -c 'import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
os.execvp(sys.argv[1], sys.argv[1:])' srv-fork --port 0 --reap none
	local i
	for i in 1 2 3; do http_get "$PORT" >/dev/null; done
	wait_for zombies_are "$SERVER_PID" 3
	stop_gracefully "$SERVER_PID"
	assert_equal "$STOP_STATUS" 0
	run bg_out srv
	assert_output_contains "children: 3 forked, 3 reaped, 0 left"
	assert_output_contains "Stopped: served 3 requests."
}

@test "srv-fork: an ambiguous abbreviation names its candidates" {
	run --separate-stderr srv-fork --re
	assert_failure 2
	assert_stderr_contains "srv-fork: option '--re' is ambiguous: it could be '--reap', '--retry-accept'"
}


# ------------------------------------------- how a connection ends (lesson 7)

# listeners_of PID: the listening TCP sockets process PID holds.
listeners_of() { ss -Hltnp | grep -c "pid=$1," || true; }
listens() { (($(listeners_of "$1") > 0)); }

@test "--exec: the child becomes CMD with the connection as stdin and stdout; the listener is close-on-exec" {
	# shellcheck disable=SC2016 # $$ and $line are the command's (sh -c)
	start_server srv srv-fork --port 0 --exec 'echo "hello from $$"; read line; echo "got: $line"; sleep 30'
	run bg_out srv
	assert_line_matches '^\[parent\] fcntl\(3, F_SETFD, FD_CLOEXEC\) +-> ok: closed in whatever a child execs$'
	start_bg cgi '^  \| hello from ([0-9]+)' cli-connect --half-close --timeout 30 "127.0.0.1:$PORT"
	local cmd="$BG_MATCH"
	wait_for bg_out_has cgi "got: test"
	# The command's descriptors: the connection (0 and 1), no listener.
	assert_equal "$(readlink "/proc/$cmd/fd/0")" "$(readlink "/proc/$cmd/fd/1")"
	[[ "$(readlink "/proc/$cmd/fd/0")" == socket:* ]]
	run listeners_of "$cmd"
	assert_equal "$output" 0
	# The server killed (no stop sequence): its port is free again.
	kill -9 "$SERVER_PID"
	wait_for exited "$SERVER_PID"
	start_server again srv-fork --port "$PORT"
}

@test "--exec --no-cloexec: CMD inherits the listener and keeps the port after the server is gone" {
	start_server srv srv-fork --port 0 --exec 'sleep 30' --no-cloexec
	refute_output_contains "FD_CLOEXEC" "$(bg_out srv)"
	start_bg idle '^connect' cli-connect --idle 1 "127.0.0.1:$PORT"
	wait_for bg_out_has srv "fork()"
	local cmd
	cmd="$(sed -n 's/.*fork() *-> child pid \([0-9]*\).*/\1/p' "$BATS_TEST_TMPDIR/srv.out" | head -n 1)"
	wait_for listens "$cmd"
	kill -9 "$SERVER_PID"
	wait_for exited "$SERVER_PID"
	listens "$cmd"
	run --separate-stderr srv-fork --port "$PORT"
	assert_failure 1
	assert_stderr_contains "Address already in use"
	kill "$cmd"
}

@test "--reap ignore and --reap nocldwait: no zombie, no exit status: waitpid says ECHILD" {
	local mode
	for mode in ignore nocldwait; do
		start_server "srv-$mode" srv-fork --port 0 --reap "$mode"
		run bg_out "srv-$mode"
		assert_line_matches '^\[parent\] sigaction\(SIGCHLD, SIG_(IGN|DFL, SA_NOCLDWAIT)\) +-> ok: the kernel reaps every child; no exit status$'
		local i
		for i in 1 2 3; do http_get "$PORT" >/dev/null; done
		wait_for kids_are "$SERVER_PID" 0
		assert_equal "$(zombies_of "$SERVER_PID")" 0
		stop_gracefully "$SERVER_PID"
		assert_equal "$STOP_STATUS" 0
		run bg_out "srv-$mode"
		assert_line_matches '^\[parent\] waitpid\(-1, NULL, WNOHANG\) +-> ECHILD: no child left, each reaped by the kernel; no exit status, none counted as served$'
		assert_output_contains "children: 3 forked, 0 reaped, 0 left"
	done
}
