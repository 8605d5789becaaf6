#!/usr/bin/env bats
# docs/06-beyond-fork.md, its event loop (srv-poll) and its measured table:
# runs the lesson's command blocks, each in a terminal of its own, compares
# every output block with what was printed (doc_expect), and checks what the
# lesson says about them, in both editions (docs/zh/ has the same blocks).
# Under make pace, a person's pauses between the steps.

load test_helper

LESSON=06-beyond-fork.md

each_edition() {
	local L
	for L in $(doc_editions "$LESSON"); do
		echo "# edition: $L"
		"$1"
		socklab_teardown
	done
}

# The lesson finds its server with pgrep; another test's server could match
# too: the tests use their own.
ours() {
	doc_subst "\$(pgrep -o -f '$1')" "$SERVER_PID"
}

check_one_request() {
	doc_start "$L" poll-server
	doc_expect "$L" poll-server
	doc_run "$L" poll-curl "$PORT"
	assert_success
	doc_expect "$L" poll-curl
	doc_expect "$L" "poll-server after poll-curl"
}

@test "lesson 6: the event loop narrates its start and one request, a wakeup a line" {
	each_edition check_one_request
}

check_slow_client() {
	doc_start "$L" poll-server
	doc_launch "$L" slow-client "$PORT" '^send\('
	doc_expect "$L" "poll-server after slow-client"
	local t0=$SECONDS
	doc_run "$L" fast-curl "$PORT"
	assert_success
	doc_expect "$L" fast-curl
	((SECONDS - t0 < 3)) || fail "curl took $((SECONDS - t0)) s"
	doc_expect "$L" "poll-server after fast-curl"
	# The slow client still waits: it has had no reply.
	doc_alive slow-client || fail "the slow client was answered or closed"
	refute_output_contains "Hello, World!" "$(doc_out slow-client)"
	refute_output_contains "408" "$(doc_out slow-client)"
	doc_ctrl_c slow-client
}

@test "lesson 6: a client with half a request delays nobody: curl is answered at once" {
	each_edition check_slow_client
}

check_idle() {
	doc_start "$L" poll-server
	doc_launch "$L" idle-clients "$PORT" '^holding 100 idle'
	ours 'srv-poll --timeout 0'
	wait_for bg_fds_are "$SERVER_PID" 105
	doc_run "$L" count-fds "$PORT"
	assert_success
	doc_expect "$L" count-fds
	# One process, one thread.
	assert_equal "$(ps -o nlwp= -p "$SERVER_PID" | tr -d ' ')" 1
	doc_ctrl_c idle-clients
	doc_expect "$L" idle-clients
	doc_expect "$L" "poll-server after Ctrl-C"
}
bg_fds_are() { [[ "$(find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l)" -eq "$2" ]]; }

@test "lesson 6: 100 idle connections cost the one process 100 descriptors" {
	each_edition check_idle
}

check_select() {
	doc_start "$L" select-server
	doc_run "$L" select-idle "$PORT"
	assert_failure 1
	doc_expect "$L" select-idle
	doc_expect "$L" "select-server after select-idle"
	# The 1,030 are closed after 3 s: the server is back to 0-3.
	wait_for bg_fds_are "$SERVER_PID" 4
	doc_ctrl_c select-server
	assert_equal "$STOP_STATUS" 0
	doc_expect "$L" "select-server after Ctrl-C"
}

@test "lesson 6: select cannot watch descriptor 1024: the 1,021st idle client gets 503, with a message" {
	each_edition check_select
}

@test "lesson 6: the code it quotes is the code of the tools, line for line" {
	local L lines line missing=""
	for L in docs/$LESSON docs/zh/$LESSON; do
		# The c blocks of the lesson (indented in a list), each line with
		# its spaces collapsed, against the sources' lines collapsed alike.
		lines="$(awk '/^ *```c$/ { inside = 1; next } /^ *```$/ { inside = 0 } inside' "$SOCKLAB_ROOT/$L")"
		[[ -n "$lines" ]] || fail "$L quotes no code"
		while IFS= read -r line; do
			line="$(tr -s ' \t' ' ' <<<"$line" | sed 's/^ //')"
			tr -s ' \t' ' ' <"$SOCKLAB_ROOT/tools/srv-poll.c" | sed 's/^ //' | grep -qxF -- "$line" ||
				missing+="$L: not in tools/srv-poll.c: $line"$'\n'
		done <<<"$lines"
	done
	assert_equal "$missing" ""
}

# ------------------------------------------------------------- exercises

@test "lesson 6, exercise 1: behind srv-iter's slow client, curl waits in the queue" {
	start_server srv srv-iter --port 0 --timeout 30
	start_bg slow '^send\(' cli-connect --timeout 0 --send 'GET /slow HTTP/1.1' "127.0.0.1:$PORT"
	run curl -sS --max-time 2 "http://127.0.0.1:$PORT/hello"
	assert_failure 28
}

@test "lesson 6, exercise 2: half a request gets 408 at --timeout; nothing at all, a close without a reply" {
	start_server srv srv-poll --port 0 --timeout 1
	run cli-connect --timeout 0 --send 'GET /slow HTTP/1.1' "127.0.0.1:$PORT"
	assert_success
	assert_output_contains "HTTP/1.1 408 Request Timeout"
	run client_silent "$PORT"
	assert_equal "$output" "silent: 0 bytes before the close"
	wait_for bg_err_has srv "no request within 1 s (--timeout)"
}
client_silent() { python3 "$BATS_TEST_DIRNAME/gates/client.py" silent "$1"; }

@test "lesson 6, exercise 4: --defer-accept: no EAGAIN after accept4, no epoll_ctl for the connection" {
	[[ "$(uname -s)" == Linux ]] || skip "TCP_DEFER_ACCEPT: Linux only"
	start_server srv srv-poll --port 0 --defer-accept
	run curl -s "http://127.0.0.1:$PORT/hello"
	assert_equal "$output" "Hello, World!"
	wait_for bg_out_has srv "close(5)"
	run bg_out srv
	assert_line_matches '^setsockopt\(3, TCP_DEFER_ACCEPT, 1\) +-> ok$'
	refute_output_contains "EAGAIN"
	refute_output_contains "EPOLL_CTL_ADD, 5"
}
