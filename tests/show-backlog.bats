#!/usr/bin/env bats
# show-backlog: the accept-queue experiment (lesson 2). Linux lets
# backlog + 1 connections wait; the others' SYNs are dropped, so they sit
# in SYN-SENT instead of being refused.

load test_helper

# json_get JSON KEY: one number (or null) of show-backlog's JSON object.
json_get() {
	local re="\"$2\": ([^,}]*)"
	[[ "$1" =~ $re ]] || { fail "no $2 in: $1"; return 1; }
	printf '%s\n' "${BASH_REMATCH[1]}"
}

# ss -ltn for PORT: "Recv-Q Send-Q" of the listener.
listen_queue() { ss -Hltn "sport = :$1" | awk '{ print $2, $3 }'; }

# How many of the clients of PORT ss shows in STATE.
clients_in() { ss -Htn state "$2" "dport = :$1" | grep -c .; }

@test "show-backlog --help names every option and its default; --version" {
	run show-backlog --help
	assert_success
	assert_output_contains "Usage: show-backlog"
	assert_output_contains "default 5"
	assert_output_contains "default B + 3"
	assert_output_contains "default 0.5"
	assert_output_contains "--accept-after S"
	assert_output_contains "--json"
	run --separate-stderr show-backlog --version
	assert_success
	assert_line_matches '^show-backlog \(socklab\) [0-9]+\.[0-9]+\.[0-9]+$'
	assert_equal "$stderr" ""
}

@test "exactly backlog + 1 clients are ESTABLISHED, for backlog 0, 1 and 5; the rest are in SYN-SENT" {
	local b out
	for b in 0 1 5; do
		run --separate-stderr show-backlog --backlog "$b" --wait 0.2 --json
		assert_success
		out="$output"
		assert_equal "$(json_get "$out" backlog_asked)" "$b"
		assert_equal "$(json_get "$out" backlog)" "$b"
		assert_equal "$(json_get "$out" clients)" $((b + 3))
		assert_equal "$(json_get "$out" established)" $((b + 1))
		assert_equal "$(json_get "$out" syn_sent)" 2
		assert_equal "$(json_get "$out" other)" 0
		# The listener's own count (TCP_INFO) agrees with the clients'.
		assert_equal "$(json_get "$out" queue_waiting)" $((b + 1))
		assert_equal "$(json_get "$out" queue_backlog)" "$b"
		python3 -c 'import json, sys; s = json.loads(sys.argv[1])["states"]; assert s.count("ESTABLISHED") == int(sys.argv[2]) + 1 and s.count("SYN-SENT") == 2, s' "$out" "$b"
	done
}

@test "the report narrates the experiment: the calls, each client's state, the queue, the result" {
	run --separate-stderr show-backlog
	assert_success
	assert_line_matches '^listen\([0-9]+, 5\) +-> ok; and we never call accept\(\)'
	assert_equal "$(grep -cE '^connect\([0-9]+, 127\.0\.0\.1:[0-9]+\) +-> EINPROGRESS \(client [0-9]+, from 127\.0\.0\.1:[0-9]+\)$' <<<"$output")" 8
	assert_equal "$(grep -cE '^  client +[0-9]+ +fd [0-9]+ +127\.0\.0\.1:[0-9]+ +ESTABLISHED +handshake done: waiting in the accept queue$' <<<"$output")" 6
	assert_equal "$(grep -cE '^  client +[0-9]+ +fd [0-9]+ +127\.0\.0\.1:[0-9]+ +SYN-SENT +no SYN-ACK: the full queue made the kernel drop its SYN$' <<<"$output")" 2
	assert_line_matches '^getsockopt\([0-9]+, TCP_INFO\) +-> 6 waiting in the queue \(tcpi_unacked\), backlog 5 \(tcpi_sacked\)$'
	assert_output_contains "result: 6 of 8 clients ESTABLISHED = backlog 5 + 1; 2 stuck in SYN-SENT; none refused"
	# The why is the lesson's (docs/02-busy-server-and-backlog.md), not the tool's.
	refute_output_contains "why B + 1"
	refute_output_contains "why they hang"
	# It has exited when ss could look: it says how to look, not "check it".
	assert_line_matches "^ss sees this only while it runs: add --hold S, and look with ss -ltn meanwhile$"
	refute_output_contains "check it:"
	assert_equal "$stderr" ""
}

@test "with --hold the ss commands come, with the port, while it holds" {
	start_bg sbh "^holding for 30 s" show-backlog --backlog 1 --clients 3 --wait 0.1 --hold 30
	run bg_out sbh
	assert_line_matches "^check it: ss -ltn 'sport = :[0-9]+'"
	assert_line_matches "ss -tn state syn-sent 'dport = :[0-9]+'"
	refute_output_contains "ss sees this only while it runs"
}

@test "fewer clients than the queue holds: all of them get in" {
	run show-backlog --backlog 2 --clients 3 --wait 0.1
	assert_success
	assert_output_contains "result: all 3 clients ESTABLISHED: the queue (room for backlog 2 + 1) never filled"
}

@test "its numbers agree with ss -ltn and ss state syn-sent while it holds" {
	start_bg sb "^holding for 30 s .*sport = :([0-9]+)'" show-backlog --backlog 3 --wait 0.1 --hold 30
	local port="$BG_MATCH"
	run bg_out sb
	assert_line_matches '^getsockopt\(3, TCP_INFO\) +-> 4 waiting in the queue \(tcpi_unacked\), backlog 3 \(tcpi_sacked\)$'
	# ss reads the same kernel counters: Recv-Q = waiting, Send-Q = backlog.
	assert_equal "$(listen_queue "$port")" "4 3"
	assert_equal "$(clients_in "$port" established)" 4
	assert_equal "$(clients_in "$port" syn-sent)" 2
	stop_gracefully "$BG_PID" INT
	assert_equal "$STOP_STATUS" 0
	run ss -Hltn "sport = :$port"
	assert_equal "$output" ""
}

@test "with --json --hold the JSON object comes first, and ss agrees with it" {
	start_bg sbj '"port": ([0-9]+)' show-backlog --backlog 1 --clients 4 --wait 0.1 --json --hold 30
	local port="$BG_MATCH" out
	out="$(bg_out sbj)"
	assert_equal "$(json_get "$out" port)" "$port"
	assert_equal "$(listen_queue "$port")" "$(json_get "$out" queue_waiting) $(json_get "$out" queue_backlog)"
	assert_equal "$(clients_in "$port" syn-sent)" "$(json_get "$out" syn_sent)"
	stop_gracefully "$BG_PID"
	assert_equal "$STOP_STATUS" 0
}

@test "--accept-after: the queue drains and the stuck clients get in, later" {
	run --separate-stderr show-backlog --backlog 1 --clients 4 --wait 0.1 --accept-after 0
	assert_success
	assert_equal "$(grep -cE '^accept\([0-9]+\) +-> fd [0-9]+, socket pair \{127\.0\.0\.1:[0-9]+, 127\.0\.0\.1:[0-9]+\} \(client [1-4]\)$' <<<"$output")" 4
	assert_equal "$(grep -cE '^client [34]: SYN-SENT -> ESTABLISHED, [0-9.]+ s after its connect\(\): a resent SYN found room$' <<<"$output")" 2
	assert_output_contains "all 4 clients connected and accepted; 2 of them only once the queue had room"
	# Each stuck client is accepted only after its handshake completed.
	local c
	for c in 3 4; do
		local done_at accepted_at
		done_at="$(grep -nE "^client $c: SYN-SENT -> ESTABLISHED" <<<"$output" | cut -d: -f1)"
		accepted_at="$(grep -nE "\\(client $c\\)\$" <<<"$output" | cut -d: -f1)"
		((done_at < accepted_at)) || fail "client $c accepted before it connected"
	done

	run show-backlog --backlog 0 --clients 3 --wait 0.1 --accept-after 0 --json
	assert_success
	assert_equal "$(json_get "$output" accepted)" 3
	assert_equal "$(json_get "$output" completed_late)" 2
	assert_equal "$(json_get "$output" not_connected)" 0
}

@test "SIGTERM or SIGINT during --hold ends it cleanly, exit 0" {
	local sig
	for sig in TERM INT; do
		start_bg "sb-$sig" "^holding for 60 s" show-backlog --backlog 0 --clients 2 --wait 0.1 --hold 60
		stop_gracefully "$BG_PID" "$sig"
		assert_equal "$STOP_STATUS" 0
		# Not silently: it says what ended the hold.
		run bg_out "sb-$sig"
		assert_line_matches "^SIG$sig ended --hold early: every socket closed \(exit 0: a hold is meant to be ended\)$"
	done
}

# ------------------------------------------------------------- bad input

@test "a negative or non-numeric backlog, clients, wait or hold is a usage error that names it" {
	usage_errors show-backlog <<'LIST'
--backlog -1|invalid backlog '-1': must not be negative
--backlog five|invalid backlog 'five': not a number
--backlog 70000|invalid backlog '70000': too large (at most 65535)
--clients 0|invalid clients '0': too small (at least 1)
--clients -2|invalid clients '-2': must not be negative
--clients 3x|invalid clients '3x': unexpected 'x' after the number
--clients 10001|invalid clients '10001': too large (at most 10000)
--wait -0.5|invalid wait '-0.5': must not be negative
--accept-after later|invalid accept-after 'later': not a number
--hold -1|invalid hold '-1': must not be negative
--port 65536|invalid port '65536': too large (at most 65535)
--bogus|unknown option '--bogus'
--backlog|option '--backlog' needs a value
extra|unexpected argument 'extra'
LIST
}

@test "a backlog above net.core.somaxconn is accepted, capped, and said so" {
	local max
	max="$(cat /proc/sys/net/core/somaxconn)"
	((max < 65535)) || skip "somaxconn is $max: no backlog above it"
	run show-backlog --backlog $((max + 10)) --clients 2 --wait 0.1
	assert_success
	assert_output_contains "note: backlog $((max + 10)) capped to $max by net.core.somaxconn (/proc/sys/net/core/somaxconn)"
	assert_line_matches "backlog $max \\(tcpi_sacked\\)\$"
	run show-backlog --backlog $((max + 10)) --clients 2 --wait 0.1 --json
	assert_success
	assert_equal "$(json_get "$output" backlog_asked)" $((max + 10))
	assert_equal "$(json_get "$output" backlog)" "$max"
	assert_equal "$(json_get "$output" somaxconn)" "$max"
}

@test "a port in use is a runtime failure with a hint" {
	start_bg first "^holding" show-backlog --clients 1 --wait 0.1 --hold 30
	local port
	port="$(sed -n 's/.*ok, port \([0-9]*\)$/\1/p' "$BATS_TEST_TMPDIR/first.out")"
	run --separate-stderr show-backlog --port "$port"
	assert_failure 1
	assert_stderr_contains "show-backlog: bind 127.0.0.1:$port: Address already in use"
	assert_stderr_contains "try --port 0"
}

# ------------------------------------------------- hostile conditions

# sockets PID N: the process has N sockets open (its listener and clients).
sockets() { (($(find "/proc/$1/fd" -lname 'socket:*' 2>/dev/null | wc -l) >= $2)); }

@test "SIGINT during --wait: the report of what was seen so far, said to be interrupted, exit 130" {
	start_bg sb '^waiting 30 s for the handshakes' show-backlog --backlog 1 --clients 3 --wait 30
	stop_gracefully "$BG_PID" INT
	assert_equal "$STOP_STATUS" 130
	run bg_out sb
	assert_line_matches '^interrupted by SIGINT: what was seen so far$'
	assert_line_matches '^getsockopt\([0-9]+, TCP_INFO\) +-> [0-9]+ waiting in the queue'
	assert_line_matches '^result: [0-9]+ of 3 clients ESTABLISHED'
}

@test "SIGTERM during --wait with --json: valid JSON that says so, exit 143" {
	# shellcheck disable=SC2016 # for the inner bash
	start_bg sbj '^started$' bash -c 'echo started; exec "$@"' _ \
		show-backlog --backlog 1 --clients 3 --wait 30 --json
	wait_for sockets "$BG_PID" 4
	stop_gracefully "$BG_PID" TERM
	assert_equal "$STOP_STATUS" 143
	run python3 -c '
import json, sys
j = json.loads(open(sys.argv[1]).read().split("\n", 1)[1])
assert j["interrupted"] == "SIGTERM", j
assert j["clients"] == 3 and len(j["states"]) == 3, j
print("ok")' "$BATS_TEST_TMPDIR/sbj.out"
	assert_output_contains "ok"
	assert_equal "$(bg_err sbj)" ""
}

@test "SIGINT during the accept phase: its summary says so, exit 130" {
	start_bg sba '^in 30 s we accept' show-backlog --backlog 1 --clients 3 --wait 0.1 --accept-after 30
	stop_gracefully "$BG_PID" INT
	assert_equal "$STOP_STATUS" 130
	run bg_out sba
	assert_line_matches '^0 of 3 clients accepted when SIGINT stopped it, [0-9.]+ s in; [0-9]+ still not connected$'
	refute_output_contains "(--deadline)"
}

@test "accept() failing (EMFILE) stops the accept phase at once, and says so: not 'after 10 s (--deadline)'" {
	# 0-2, the listener, 4 clients, one accepted connection: the second
	# accept() has no descriptor left.
	local start=$SECONDS
	# shellcheck disable=SC2016 # for the inner bash
	run --separate-stderr bash -c 'for fd in /proc/$$/fd/*; do fd=${fd##*/}; ((fd > 2)) && eval "exec $fd>&-"; done
exec prlimit --nofile=9:9 show-backlog --backlog 1 --clients 4 --wait 0.1 --accept-after 0 --deadline 10'
	assert_failure 1
	assert_stderr_contains "show-backlog: accept: Too many open files"
	assert_stderr_contains "hint: every accepted connection is one more descriptor"
	assert_line_matches '^[0-9] of 4 clients accepted when accept\(\) failed, [0-9.]+ s in; [0-9]+ still not connected$'
	refute_output_contains "(--deadline)"
	((SECONDS - start < 8)) || fail "took $((SECONDS - start)) s: it waited for the deadline"
}

@test "more clients than descriptors: the failed socket() is said, with a hint, exit 1" {
	# shellcheck disable=SC2016 # for the inner bash
	run --separate-stderr bash -c 'for fd in /proc/$$/fd/*; do fd=${fd##*/}; ((fd > 2)) && eval "exec $fd>&-"; done
exec prlimit --nofile=6:6 show-backlog --clients 4 --wait 0.1'
	assert_failure 1
	assert_stderr_contains "show-backlog: socket for client 3: Too many open files"
	assert_stderr_contains "hint: each client is a descriptor"
}

@test "misleading messages: '--port -' is not a number; '--h' is ambiguous" {
	run --separate-stderr show-backlog --port -
	assert_failure 2
	assert_stderr_contains "show-backlog: invalid port '-': not a number"
	run --separate-stderr show-backlog --h
	assert_failure 2
	assert_stderr_contains "show-backlog: option '--h' is ambiguous: it could be '--hold', '--help'"
}
