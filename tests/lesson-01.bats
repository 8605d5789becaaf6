#!/usr/bin/env bats
# docs/01-iterative-server.md: runs the lesson's command blocks, each in a
# terminal of its own as a learner would, compares every output block with
# what was printed (doc_expect), and checks what the lesson says about them,
# in both editions of the course: English and Chinese (docs/zh/, whose blocks
# tests/docs.bats keeps identical). Under make pace, a person's pauses
# between the steps (test_helper.bash, SOCKLAB_PACE).

load test_helper

# each_edition FUNCTION: runs FUNCTION with L set to each edition of the
# lesson, stopping what one edition started before the next one starts.
each_edition() {
	local L
	for L in $(doc_editions 01-iterative-server.md); do
		echo "# edition: $L"
		"$1"
		socklab_teardown
	done
}

check_narrates_its_calls() {
	doc_start "$L" start-server
	doc_expect "$L" start-server
	run doc_out start-server
	assert_line_matches '^bind\(3, 127\.0\.0\.1:0\) +-> ok$' # the test asked for port 0
	assert_output_contains "Serving HTTP on port $PORT ..."
	# Its PID, the one lessons 3 and 5 have the learner note: the server's.
	assert_line_matches "^getpid\\(\\) +-> $SERVER_PID\$"
}

@test "lesson 1: the server says its PID, narrates its four calls and prints the article's line" {
	each_edition check_narrates_its_calls
}

check_curl_hello() {
	doc_start "$L" start-server
	doc_run "$L" curl-hello "$PORT"
	assert_success
	assert_output_contains "Hello, World!"
	doc_expect "$L" "start-server after curl-hello"
	assert_output_contains "Connected to localhost (127.0.0.1) port $PORT"
}

@test "lesson 1: curl prints Hello, World! and the server prints the request and fd 4" {
	each_edition check_curl_hello
}

check_cli_connect() {
	doc_start "$L" start-server
	doc_run "$L" cli-connect "$PORT"
	assert_success
	doc_expect "$L" cli-connect
	doc_expect "$L" "start-server after cli-connect"
	# The same client port, seen from both ends.
	[[ "$output" =~ socket\ pair\ \{127\.0\.0\.1:([0-9]+),\ 127\.0\.0\.1:$PORT\} ]]
	assert_output_contains "socket pair {127.0.0.1:$PORT, 127.0.0.1:${BASH_REMATCH[1]}}" "$(doc_out start-server)"
}

@test "lesson 1: cli-connect narrates, sends test, and reads until the close" {
	each_edition check_cli_connect
}

check_python_client() {
	doc_start "$L" start-server
	# In a terminal of its own, all of what it prints is compared: bats' run
	# would drop the empty last line (print()'s newline) that the block shows.
	doc_launch "$L" python-client "$PORT"
	doc_wait python-client
	assert_equal "$STOP_STATUS" 0
	doc_expect "$L" python-client
	[[ "$(tail -c 2 "$BATS_TEST_TMPDIR/doc-python-client.out" | od -An -tx1 | tr -d ' ')" == 0a0a ]] ||
		fail "no empty last line:" "$(doc_out python-client | od -c | tail -n 3)"
}

@test "lesson 1: the article's Python client gets the reply, and print() adds an empty last line" {
	each_edition check_python_client
}

check_figure_socket_pair() {
	doc_start "$L" figure-server
	doc_run "$L" figure-client "$PORT"
	assert_success
	doc_expect "$L" figure-client
	doc_expect "$L" "figure-server after figure-client"
	[[ "$output" =~ socket\ pair\ \{127\.10\.10\.2:([0-9]+),\ 127\.12\.12\.3:$PORT\} ]]
	local cport="${BASH_REMATCH[1]}"
	assert_output_contains "socket pair {127.12.12.3:$PORT, 127.10.10.2:$cport}" "$(doc_out figure-server)"
}

@test "lesson 1: the figure's socket pair, seen mirrored from both ends" {
	each_edition check_figure_socket_pair
}

check_content_length() {
	doc_start "$L" plain-server
	doc_run "$L" headers "$PORT"
	assert_success
	doc_expect "$L" headers
	doc_ctrl_c plain-server
	assert_equal "$STOP_STATUS" 0

	doc_start "$L" framed-server
	doc_run "$L" framed-headers "$PORT"
	assert_success
	doc_expect "$L" framed-headers
	# Section 6: Ctrl-C, after the one request of this run.
	doc_ctrl_c framed-server
	assert_equal "$STOP_STATUS" 0
	doc_expect "$L" "framed-server after Ctrl-C"
}

@test "lesson 1: no Content-Length by default, --content-length adds it; Ctrl-C: 1 request, status 0" {
	each_edition check_content_length
}

@test "lesson 1, exercise 3: an HTTP start without its empty line gets 408 after the timeout" {
	start_server srv srv-iter --port 0 --timeout 0.3
	run cli-connect --send 'GET / HTTP/1.0' "127.0.0.1:$PORT"
	assert_success
	assert_output_contains "HTTP/1.1 408 Request Timeout"
	run bg_err srv
	assert_output_contains "no request within 0.3 s (--timeout)"
}

@test "lesson 1, exercise 4: a line a client sends is marked, and cannot pass for the server's last line" {
	start_server srv srv-iter --port 0
	run cli-connect --send 'Stopped: served 99 requests.' "127.0.0.1:$PORT"
	assert_success
	assert_line_matches '^  \| HTTP/1\.1 200 OK$' # the reply, marked too
	wait_for bg_out_has srv "close(4)"
	stop_gracefully "$SERVER_PID" INT
	run bg_out srv
	assert_line_matches '^recv\(4\) +-> 28 bytes$'
	assert_line_matches '^  \| Stopped: served 99 requests\.$'
	refute_output_contains $'\nStopped: served 99 requests.'
	assert_output_contains $'\nStopped: served 1 request.'
}

@test "lesson 1 through a busy 8888: after the course's export PORT=N, every block of the lesson follows PORT" {
	local block line port
	block="$(doc_script docs/README.md other-port)"
	[[ "$block" == "export PORT=8899" ]] || fail "the course's block changed: $block"
	# The blocks run as written (no port substitution): only PORT moves them.
	# The port: one the kernel has just found free (tests never take a fixed
	# one); should another program take it first, another one.
	for _ in 1 2 3; do
		port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
		line="${block/8899/$port}"
		doc_bg srv "Serving HTTP on port ($port) " "$line
$(doc_script docs/01-iterative-server.md start-server)" && break
		socklab_teardown
	done
	assert_equal "$BG_MATCH" "$port"
	local name
	for name in curl-hello cli-connect python-client; do
		run doc_terminal "$line
$(doc_script docs/01-iterative-server.md "$name")"
		assert_success
		assert_output_contains "Hello, World!"
	done
	wait_for doc_out_has srv "close(4)"
	assert_equal "$(grep -c "^accept(3) .*{127\\.0\\.0\\.1:$port, " "$BATS_TEST_TMPDIR/doc-srv.out")" 3
}

@test "lesson 1 shows article/webserver3a.c as it is, in both editions (scripts/listings.sh)" {
	run "$SOCKLAB_ROOT/scripts/listings.sh" --check docs/01-iterative-server.md docs/zh/01-iterative-server.md
	assert_success
	grep -qxF '<!-- listing: article/webserver3a.c -->' "$SOCKLAB_ROOT/docs/01-iterative-server.md" ||
		fail "lesson 1 does not show article/webserver3a.c"
}
