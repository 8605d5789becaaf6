#!/usr/bin/env bats
# srv-prefork: children forked once, each in accept() on the listener they
# share (UNP chapter 30); the meter; the thundering herd (--wait poll) and
# SO_REUSEPORT. Relations and counts, never timing thresholds.
# The options every server shares: tests/server-options.bats.

load test_helper

# client MODE PORT [ARG...]: tests/gates/client.py.
client() { python3 "$BATS_TEST_DIRNAME/gates/client.py" "$@"; }

# kids_of, kids_are, fds_of: tests/test_helper.bash.
gone() { [[ ! -e "/proc/$1" ]]; }
listening() { ss -ltnH "sport = :$1" | grep -q .; }

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

# meter NAME: "CONNS WOKE FUTILE" from the meter's last line.
meter() {
	local line
	line="$(grep -E '^meter: [0-9]+ child(ren)?( \(and [0-9]+ replaced\))?: ' "$BATS_TEST_TMPDIR/$1.out")" ||
		{ fail "no meter in $1's output"; return 1; }
	[[ "$line" =~ :\ ([0-9]+)\ connections\;\ woke\ ([0-9]+)\ times?,\ ([0-9]+)\ for\ nothing$ ]] ||
		{ fail "meter line not understood: $line"; return 1; }
	echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[3]}"
}

# children_served NAME: how many children served at least one connection.
children_served() {
	grep -cE '^meter: child [0-9]+: [1-9][0-9]* connections?;' "$BATS_TEST_TMPDIR/$1.out" || true
}

@test "srv-prefork --help states the default, each wait mode and the meter" {
	run srv-prefork --help
	assert_success
	assert_output_contains "Usage: srv-prefork"
	assert_output_contains "how many children (default 4, at most 1024)"
	assert_output_contains "wakes one child (the default)"
	assert_output_contains "(the thundering herd)"
	assert_output_contains "SO_REUSEPORT"
	assert_output_contains "prints the meter"
}

@test "N children are forked once: the same children serve every client, each line tagged" {
	start_server srv srv-prefork --port 0 --children 3
	wait_for kids_are "$SERVER_PID" 3
	local before after
	before="$(kids_of "$SERVER_PID" | sort)"
	run client seq "$PORT" 12
	assert_success
	after="$(kids_of "$SERVER_PID" | sort)"
	assert_equal "$after" "$before"
	assert_equal "$(grep -c '^\[parent\] fork()' "$BATS_TEST_TMPDIR/srv.out")" 3
	# Each accept() was a child's, one of the three.
	local line pid n=0
	while IFS= read -r line; do
		[[ "$line" =~ ^\[child\ ([0-9]+)\]\ accept\(3\)\ +-\>\ fd\ 4, ]] || continue
		pid="${BASH_REMATCH[1]}"
		grep -qx "$pid" <<<"$before" || fail "accept() by $pid, not one of the children"
		n=$((n + 1))
	done <"$BATS_TEST_TMPDIR/srv.out"
	assert_equal "$n" 12
	# Every line but the ready line is tagged, the arrows in column 45.
	while IFS= read -r line; do
		[[ "$line" == "Serving HTTP on port "* ]] && continue
		[[ "$line" =~ ^\[(parent|child\ [0-9]+)\]\  ]] || fail "untagged: $line"
		[[ "$line" != *" -> "* || "${line:44:4}" == " -> " ]] || fail "arrow not in column 45: $line"
	done <"$BATS_TEST_TMPDIR/srv.out"
}

@test "the meter: every connection counted once, spread over the children; blocked in accept(), none woke for nothing" {
	start_server srv srv-prefork --port 0 --quiet
	wait_for kids_are "$SERVER_PID" 4
	run client seq "$PORT" 40
	assert_success
	stop_gracefully "$SERVER_PID" TERM
	assert_equal "$STOP_STATUS" 0
	local conns woke futile
	read -r conns woke futile < <(meter srv)
	assert_equal "$conns" 40
	# The kernel wakes one child per connection (exclusive wait). A child
	# that comes back to accept() just as the next connection arrives may
	# take it before the one woken for it runs: that one slept again for
	# nothing. Rare; never a wakeup per waiting child.
	((futile * 4 <= conns)) || fail "$futile wakeups for nothing for $conns connections"
	(($(children_served srv) >= 2)) || fail "one child served all: $(bg_out srv)"
	echo "# blocking accept(): $conns connections, woke $woke times, $futile for nothing" >&3
}

@test "--wait poll: the thundering herd: every idle child wakes for each connection" {
	start_server srv srv-prefork --port 0 --quiet --wait poll
	wait_for kids_are "$SERVER_PID" 4
	run client seq "$PORT" 40
	assert_success
	stop_gracefully "$SERVER_PID" TERM
	assert_equal "$STOP_STATUS" 0
	local conns woke futile
	read -r conns woke futile < <(meter srv)
	assert_equal "$conns" 40
	# Three idle children woken per connection: about 120.
	((futile >= conns)) || fail "only $futile wakeups for nothing for $conns connections"
	echo "# --wait poll: $conns connections, woke $woke times, $futile for nothing" >&3
}

@test "--wait poll narrates the wakeup and accept() on a non-blocking listener" {
	start_server srv srv-prefork --port 0 --wait poll --children 2
	run bg_out srv
	assert_line_matches '^\[parent\] fcntl\(3, F_SETFL, O_NONBLOCK\) +-> ok$'
	run http_get "$PORT"
	assert_success
	wait_for bg_out_has srv "back to accept()"
	run bg_out srv
	assert_line_matches '^\[child [0-9]+\] poll\(3, POLLIN\) +-> ready$'
	assert_line_matches '^\[child [0-9]+\] accept\(3\) +-> fd 4, socket pair'
}

@test "--reuseport: a listening socket per child on one port, connections spread by hash, none woke for nothing" {
	start_server srv srv-prefork --port 0 --quiet --reuseport --children 4
	wait_for kids_are "$SERVER_PID" 4
	# The parent holds the 4 listeners (3 to 6); each child one of them.
	assert_equal "$(fds_of "$SERVER_PID")" "0 1 2 3 4 5 6 "
	local k inodes=()
	for k in $(kids_of "$SERVER_PID"); do
		assert_equal "$(fds_of "$k")" "0 1 2 $(ls "/proc/$k/fd" | sort -n | tail -n 1) "
		inodes+=("$(readlink "/proc/$k/fd/$(ls "/proc/$k/fd" | sort -n | tail -n 1)")")
	done
	assert_equal "$(printf '%s\n' "${inodes[@]}" | sort -u | wc -l)" 4
	assert_equal "$(ss -ltnH "sport = :$PORT" | wc -l)" 4
	run client seq "$PORT" 40
	assert_success
	stop_gracefully "$SERVER_PID" TERM
	assert_equal "$STOP_STATUS" 0
	local conns woke futile
	read -r conns woke futile < <(meter srv)
	assert_equal "$conns" 40
	# One waiter per socket: nobody else can take its connection.
	assert_equal "$futile" 0
	(($(children_served srv) >= 2)) || fail "one child served all: $(bg_out srv)"
}

@test "--reuseport narrates SO_REUSEPORT before each bind" {
	start_server srv srv-prefork --port 0 --reuseport --children 2
	run bg_out srv
	assert_line_matches '^\[parent\] setsockopt\(3, SO_REUSEPORT, 1\) +-> ok$'
	assert_line_matches '^\[parent\] setsockopt\(4, SO_REUSEPORT, 1\) +-> ok$'
	assert_line_matches "^\\[parent\\] bind\\(4, 127\\.0\\.0\\.1:$PORT\\) +-> ok, the same address and port\$"
}

@test "a child killed with SIGKILL is reaped and replaced; the server goes on" {
	start_server srv srv-prefork --port 0 --children 2
	wait_for kids_are "$SERVER_PID" 2
	local victim
	victim="$(kids_of "$SERVER_PID" | head -n 1)"
	kill -KILL "$victim"
	wait_for bg_out_has srv "in place of $victim"
	run bg_out srv
	assert_line_matches "^\\[parent\\] waitpid\\(-1, &st, WNOHANG\\) +-> pid $victim \\(killed by signal 9\\): it served 0 connections\$"
	wait_for kids_are "$SERVER_PID" 2
	kids_of "$SERVER_PID" | grep -qx "$victim" && fail "$victim is still a child"
	run client seq "$PORT" 4
	assert_success
	stop_gracefully "$SERVER_PID" TERM
	assert_equal "$STOP_STATUS" 0
	run bg_out srv
	assert_output_contains "meter: 2 children (and 1 replaced): 4 connections;"
	assert_output_contains "children: 3 forked, 3 reaped, 0 left"
}

@test "a child whose accept() fails with EMFILE exits; its replacement serves the waiting client" {
	command -v prlimit >/dev/null || skip "prlimit is not installed"
	start_server srv srv-prefork --port 0 --children 1
	wait_for kids_are "$SERVER_PID" 1
	local victim
	victim="$(kids_of "$SERVER_PID")"
	# 0-2 and the listener 3: no descriptor left for a connection.
	prlimit --pid "$victim" --nofile=4:
	run http_get "$PORT"
	assert_success
	assert_equal "$output" "Hello, World!"
	run bg_err srv
	assert_output_contains "srv-prefork: accept: Too many open files (EMFILE)"
	assert_output_contains "in place of $victim" "$(bg_out srv)"
	alive "$SERVER_PID"
}

@test "a slow client holds one child only: the others serve; with --children 1 the next client waits" {
	start_server srv srv-prefork --port 0 --timeout 60
	start_bg silent '^connected' python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
print("connected", flush=True); time.sleep(60)' "$PORT"
	wait_for bg_out_has srv "accept(3)"
	run curl -sS --max-time 5 "http://127.0.0.1:$PORT/"
	assert_success
	assert_equal "$output" "Hello, World!"

	start_server one srv-prefork --port 0 --timeout 60 --children 1
	start_bg silent1 '^connected' python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
print("connected", flush=True); time.sleep(60)' "$PORT"
	wait_for bg_out_has one "accept(3)"
	run curl -sS --max-time 1 "http://127.0.0.1:$PORT/"
	assert_failure 28 # the only child is busy with the silent client
}

@test "hostile clients: nothing sent, too much, a reset: each reported, the next client served" {
	start_server srv srv-prefork --port 0 --timeout 0.3 --children 2
	run client silent "$PORT"
	assert_success
	assert_output_contains "silent: 0 bytes before the close"
	wait_for bg_err_has srv "no request within 0.3 s (--timeout)"
	run client oversized "$PORT" 102400
	assert_success
	wait_for bg_err_has srv "larger than 8192 bytes (--max-request)"
	client reset "$PORT" 1
	wait_for bg_err_has srv "Connection reset by peer"
	client vanish "$PORT" 1
	wait_for bg_err_has srv "closed the connection without sending a request"
	run client drip "$PORT"
	assert_output_contains "408 Request Timeout"
	run http_get "$PORT"
	assert_success
	assert_equal "$output" "Hello, World!"
	run bg_err srv
	assert_line_matches '^srv-prefork: recv from 127\.0\.0\.1:[0-9]+: no request within 0\.3 s \(--timeout\)$'
}

@test "no descriptor leaks: the parent keeps 0-3, each child 0-3 between clients" {
	start_server srv srv-prefork --port 0 --quiet --children 2
	wait_for kids_are "$SERVER_PID" 2
	run client seq "$PORT" 20
	assert_success
	client vanish "$PORT" 3
	client reset "$PORT" 3
	assert_equal "$(fds_of "$SERVER_PID")" "0 1 2 3 "
	local k
	waiting_all() {
		for k in $(kids_of "$SERVER_PID"); do
			[[ "$(fds_of "$k")" == "0 1 2 3 " ]] || return 1
		done
	}
	wait_for waiting_all
}

@test "every stop signal stops it cleanly: children reaped, none left, port closed, exit 0" {
	local sig kids k
	for sig in INT TERM HUP QUIT USR1; do
		start_server "srv-$sig" srv-prefork --port 0 --quiet --children 3
		wait_for kids_are "$SERVER_PID" 3
		kids="$(kids_of "$SERVER_PID")"
		run client seq "$PORT" 3
		assert_success
		stop_gracefully "$SERVER_PID" "$sig"
		assert_equal "$STOP_STATUS" 0
		! listening "$PORT" || fail "port $PORT still listening after SIG$sig"
		for k in $kids; do wait_for gone "$k"; done
		run bg_out "srv-$sig"
		assert_output_contains "children: 3 forked, 3 reaped, 0 left"
		assert_output_contains "Stopped: served 3 requests."
	done
}

@test "the stop wakes every child blocked in accept() at once (shutdown), also in --wait poll" {
	local mode
	for mode in accept poll; do
		start_server "srv-$mode" srv-prefork --port 0 --children 4 --wait "$mode"
		wait_for kids_are "$SERVER_PID" 4
		stop_gracefully "$SERVER_PID" TERM
		assert_equal "$STOP_STATUS" 0
		run bg_out "srv-$mode"
		assert_line_matches '^\[parent\] shutdown\(3, SHUT_RD\) +-> ok'
		assert_equal "$(grep -c 'EINVAL (the listener is shut down): the server stops' <<<"$output")" 4
		refute_output_contains "sending SIGTERM"
	done
}

@test "a stop while a child waits for a silent client: SIGTERM after the grace, every child reaped" {
	start_server srv srv-prefork --port 0 --timeout 60 --children 2
	start_bg silent '^connected' python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
print("connected", flush=True); time.sleep(60)' "$PORT"
	wait_for bg_out_has srv "accept(3)"
	stop_gracefully "$SERVER_PID" TERM
	assert_equal "$STOP_STATUS" 0
	run bg_out srv
	assert_output_contains "sending SIGTERM"
	assert_output_contains "children: 2 forked, 2 reaped, 0 left"
	assert_output_contains "interrupted: stopping" "$(bg_err srv)"
}

@test "--quiet: the ready line, the stop and the meter only" {
	start_server srv srv-prefork --port 0 --quiet --children 2
	run client seq "$PORT" 2
	assert_success
	stop_gracefully "$SERVER_PID" TERM
	run bg_out srv
	output_is "^Serving HTTP on port $PORT \\.\\.\\.\$" \
		'^\[parent\] Stopping: waiting up to 2 s for 2 children$' \
		'^meter: child [0-9]+: [0-9]+ connections?; woke [0-9]+ times?, [0-9]+ for nothing$' \
		'^meter: child [0-9]+: [0-9]+ connections?; woke [0-9]+ times?, [0-9]+ for nothing$' \
		'^meter: 2 children: 2 connections; woke [0-9]+ times?, [0-9]+ for nothing$' \
		'^children: 2 forked, 2 reaped, 0 left$' \
		'^Stopped: served 2 requests\.$'
}

@test "the parent killed with SIGKILL: its children do not stay on as orphans (Linux)" {
	[[ "$(uname -s)" == Linux ]] || skip "PR_SET_PDEATHSIG is Linux's"
	start_server srv srv-prefork --port 0 --children 2
	wait_for kids_are "$SERVER_PID" 2
	local kids k
	kids="$(kids_of "$SERVER_PID")"
	kill -KILL "$SERVER_PID"
	for k in $kids; do wait_for gone "$k"; done
	wait_for exited "$SERVER_PID"
	! listening "$PORT" || fail "port $PORT still listening"
}

# ------------------------------------------------------------- bad input

@test "every bad value is a usage error naming it, exit 2" {
	usage_errors srv-prefork <<'LIST'
--children 0|invalid children '0': too small
--children 1025|invalid children '1025': too large
--children many|invalid children 'many': not a number
-n 4x|invalid children '4x': unexpected 'x'
--wait sometimes|invalid wait mode 'sometimes': expected accept or poll
--wait|option '--wait' needs a value
--reuseport=1|option '--reuseport' takes no value
LIST
}

@test "srv-prefork: an ambiguous abbreviation names its candidates" {
	run --separate-stderr srv-prefork --c 2
	assert_failure 2
	assert_stderr_contains "srv-prefork: option '--c' is ambiguous: it could be '--children', '--content-length'"
}


# all_new PID N OLD: PID has N live children, none of them in OLD.
all_new() {
	local kids p
	kids="$(kid_states "$1" | grep -v ' Z$' | cut -d' ' -f1)"
	[[ "$(grep -c . <<<"$kids")" -eq "$2" ]] || return 1
	for p in $kids; do grep -qx "$p" <<<"$3" && return 1; done
	return 0
}

@test "children killed from outside (kill -9 of all, 5 times) are replaced, not taken for children dying at their start" {
	start_server srv srv-prefork --port 0 --children 4
	local old p
	wait_for kids_are "$SERVER_PID" 4
	# 3 rounds of 4 children each less than a second old were taken for
	# children dying at their start: 5 rounds, the last 4 of them fast.
	for _ in 1 2 3 4 5; do
		old="$(kids_of "$SERVER_PID")"
		for p in $old; do kill -KILL "$p"; done
		wait_for all_new "$SERVER_PID" 4 "$old"
	done
	alive "$SERVER_PID" || fail "srv-prefork stopped:" "$(bg_err srv)"
	[[ "$(http_get "$PORT")" == *Hello* ]] || fail "no reply after the kills"
	stop_gracefully "$SERVER_PID"
	assert_equal "$STOP_STATUS" 0
	run bg_out srv
	assert_output_contains "killed by signal 9"
	refute_output_contains "die as soon as"
	# The meter and the last lines agree: 4 children and 20 replaced is
	# 24 forked.
	assert_output_contains "meter: 4 children (and 20 replaced)"
	assert_output_contains "children: 24 forked, 24 reaped, 0 left"
}
