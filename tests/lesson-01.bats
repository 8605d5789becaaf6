#!/usr/bin/env bats
# docs/01-iterative-server.md: runs the lesson's command blocks and checks
# what the lesson says about them, in both editions of the course: English
# and Chinese (docs/zh/, whose blocks tests/docs.bats keeps identical).

load test_helper

EDITIONS=(docs/01-iterative-server.md docs/zh/01-iterative-server.md)

# each_edition FUNCTION: runs FUNCTION with L set to each edition of the
# lesson, stopping what one edition started before the next one starts.
each_edition() {
	local L
	for L in "${EDITIONS[@]}"; do
		echo "# edition: $L"
		"$1"
		socklab_teardown
	done
}

check_narrates_its_calls() {
	doc_start "$L" start-server
	run bg_out doc-start-server
	assert_line_matches '^socket\(AF_INET, SOCK_STREAM, 0\) +-> fd 3$'
	assert_line_matches '^setsockopt\(3, SO_REUSEADDR, 1\) +-> ok$'
	assert_line_matches '^bind\(3, 127\.0\.0\.1:0\) +-> ok$'
	assert_line_matches '^listen\(3, 5\) +-> ok$'
	assert_output_contains "Serving HTTP on port $PORT ..."
}

@test "lesson 1: the server narrates its four calls and prints the article's line" {
	each_edition check_narrates_its_calls
}

check_curl_hello() {
	doc_start "$L" start-server
	doc_run "$L" curl-hello "$PORT"
	assert_success
	assert_output_contains "Hello, World!"
	wait_for bg_out_has doc-start-server "close(4)"
	run bg_out doc-start-server
	assert_line_matches '^accept\(3\) +-> fd 4, socket pair \{127\.0\.0\.1:'"$PORT"', 127\.0\.0\.1:[0-9]+\}$'
	assert_line_matches '^  \| GET /hello HTTP/1\.1$'
	assert_line_matches '^send\(4, "HTTP/1\.1 200 OK\.\.\."\)'
}

@test "lesson 1: curl prints Hello, World! and the server prints the request and fd 4" {
	each_edition check_curl_hello
}

check_cli_connect() {
	doc_start "$L" start-server
	doc_run "$L" cli-connect "$PORT"
	assert_success
	assert_line_matches '^socket\(AF_INET, SOCK_STREAM, 0\) +-> fd 3$'
	assert_line_matches '^connect\(3, 127\.0\.0\.1:'"$PORT"'\) +-> ok, socket pair \{127\.0\.0\.1:[0-9]+, 127\.0\.0\.1:'"$PORT"'\}$'
	assert_line_matches '^send\(3, "test"\) +-> 4 bytes$'
	assert_line_matches '^  \| Hello, World!$'
	assert_line_matches '^recv\(3\) +-> 0: the server closed the connection'
	assert_line_matches '^close\(3\) +-> ok$'
	wait_for bg_out_has doc-start-server "close(4)"
	run bg_out doc-start-server
	assert_line_matches '^  \| test$'
}

@test "lesson 1: cli-connect narrates, sends test, and reads until the close" {
	each_edition check_cli_connect
}

check_python_client() {
	doc_start "$L" start-server
	doc_run "$L" python-client "$PORT"
	assert_success
	assert_output_contains "HTTP/1.1 200 OK"
	assert_output_contains "Hello, World!"
}

@test "lesson 1: the article's Python client gets the reply" {
	each_edition check_python_client
}

check_figure_socket_pair() {
	doc_start "$L" figure-server
	doc_run "$L" figure-client "$PORT"
	assert_success
	assert_line_matches '^bind\(3, 127\.10\.10\.2:0\) +-> ok$'
	[[ "$output" =~ socket\ pair\ \{127\.10\.10\.2:([0-9]+),\ 127\.12\.12\.3:$PORT\} ]]
	local cport="${BASH_REMATCH[1]}"
	wait_for bg_out_has doc-figure-server "close(4)"
	run bg_out doc-figure-server
	assert_output_contains "socket pair {127.12.12.3:$PORT, 127.10.10.2:$cport}"
}

@test "lesson 1: the figure's socket pair, seen mirrored from both ends" {
	each_edition check_figure_socket_pair
}

check_content_length() {
	doc_start "$L" start-server
	doc_run "$L" headers "$PORT"
	assert_success
	assert_output_contains "Connection: close"
	refute_output_contains "Content-Length"
	assert_output_contains "Hello, World!"

	doc_start "$L" framed-server
	doc_run "$L" framed-headers "$PORT"
	assert_success
	assert_output_contains "Content-Length: 14"
}

@test "lesson 1: the default reply has no Content-Length; --content-length adds it" {
	each_edition check_content_length
}

check_ctrl_c() {
	doc_start "$L" start-server
	doc_run "$L" curl-hello "$PORT"
	stop_gracefully "$SERVER_PID" INT
	assert_equal "$STOP_STATUS" 0
	assert_output_contains "Stopped: served 1 request." "$(bg_out doc-start-server)"
}

@test "lesson 1: Ctrl-C stops the server with the count and status 0" {
	each_edition check_ctrl_c
}

@test "lesson 1, exercise 3: an HTTP start without its empty line gets 408 after the timeout" {
	start_server srv srv-iter --port 0 --timeout 0.3
	run cli-connect --send 'GET / HTTP/1.0' "127.0.0.1:$PORT"
	assert_success
	assert_output_contains "HTTP/1.1 408 Request Timeout"
	run bg_err srv
	assert_output_contains "no request within 0.3 s (--timeout)"
}
