#!/usr/bin/env bats
# cli-connect --idle N (tools/idle.c): N idle connections (established,
# nothing sent) held by one process, RLIMIT_NOFILE raised for them; what
# each server makes of them; fewer made, and why; the stop signals. Bad
# values and combinations: tests/cli-connect.bats.

load test_helper
load client_helper

@test "--idle 20 against srv-fork: twenty connections established and held" {
	start_server srv srv-fork --port 0 --backlog 32 --timeout 60 --quiet
	run cli-connect --idle 20 --hold 0.2 "127.0.0.1:$PORT"
	assert_success
	assert_line_matches '^setrlimit\(RLIMIT_NOFILE, [0-9]+\) +-> '
	assert_line_matches '^connect\([0-9]+, 127\.0\.0\.1:'"$PORT"'\) +-> ok, the first'
	assert_line_matches '^connect\(\) x 19, non-blocking +-> 19 in progress'
	assert_line_matches '^poll\(19 fds, POLLOUT\).* +-> 19 established, 0 refused, 0 timed out'
	assert_line_matches '^holding 20 idle connections \(nothing sent\) for 0\.2 s$'
	assert_line_matches '^idle connections: 20 asked, 20 established, 20 held to the end$'
	run cli-connect --idle 20 --hold 0 --json "127.0.0.1:$PORT"
	assert_success
	assert_equal "$(json_field idle)" 20
	assert_equal "$(json_field established)" 20
	assert_equal "$(json_field held)" 20
	assert_equal "$(json_field timed_out)" 0
	assert_equal "$(json_field stopped_by)" None
}

@test "--idle against srv-iter: only the listen queue's worth is established" {
	# srv-iter accepts one client and waits for its request; the kernel
	# queues backlog + 1 more; the other SYNs are dropped: they time out.
	# Within 0.5 s: a dropped SYN is sent again after 1 s, and a --timeout
	# of 1 s raced that second SYN (once, all 8 were established at 1.002 s).
	start_server srv srv-iter --port 0 --backlog 2 --timeout 60 --quiet
	run --separate-stderr cli-connect --idle 8 --timeout 0.5 --hold 0 --json "127.0.0.1:$PORT"
	assert_failure 1
	local est
	est="$(json_field established)"
	((est >= 1 && est <= 2 + 2)) || fail "established $est, not in [1, backlog + 2]"
	assert_equal "$(json_field timed_out)" "$((8 - est))"
	assert_equal "$(json_field held)" "$est"
	assert_stderr_contains "cli-connect: $((8 - est)) of 8 connections could not be made"
	assert_stderr_contains "timed out after 0.5 s"
	assert_stderr_contains "listen queue"
}

@test "--idle: connections the server closes are counted" {
	# srv-iter gives each idle client --timeout 0.2 s, closes it (nothing
	# was asked: no reply), then accepts the next: both end within a second.
	start_server srv srv-iter --port 0 --timeout 0.2 --quiet
	run --separate-stderr cli-connect --idle 2 --hold 30 "127.0.0.1:$PORT"
	assert_failure 1
	assert_line_matches '^poll\(2 fds, POLLIN\) +-> 1 closed by the server \(without a reply\)$'
	assert_line_matches '^idle connections: 2 asked, 2 established, 0 held to the end$'
	assert_line_matches '^closed by server: 2 \(0 of them with a reply\)$'
	assert_stderr_contains "the server closed 2 of the 2 connections"
}

@test "--idle: a server that answers an idle connection: its reply is shown, escaped" {
	start_peer answer '
while True:
    c, _ = s.accept(); c.sendall(b"HTTP/1.1 408 Request Timeout\x1b[2J\r\n\r\n"); c.close()'
	run --separate-stderr cli-connect --idle 1 --hold 30 "127.0.0.1:$PEER_PORT"
	assert_failure 1
	assert_line_matches '^poll\(1 fds, POLLIN\) +-> 1 closed by the server \(HTTP/1\.1 408 Request Timeout\\x1b\[2J\)$'
	assert_line_matches '^closed by server: 1 \(1 of them with a reply\)$'
	assert_stderr_contains "the server closed 1 of the 1 connections, 1 of them after a reply (the first: HTTP/1.1 408"
}

@test "--idle: with too few descriptors, says how many and why" {
	start_server srv srv-fork --port 0 --backlog 64 --timeout 60 --quiet
	# shellcheck disable=SC2016 # $1 is bash -c's
	run --separate-stderr bash -c 'ulimit -n 24 && exec cli-connect --idle 40 --hold 0 --json "$1"' _ "127.0.0.1:$PORT"
	assert_failure 1
	local est nofd
	est="$(json_field established)"
	nofd="$(json_field no_descriptor)"
	((est > 0 && nofd > 0)) || fail "established $est, no descriptor $nofd"
	assert_equal "$((est + nofd))" 40
	assert_equal "$(json_field nofile_limit)" 24
	assert_stderr_contains "could not be made: $nofd had no descriptor left (EMFILE)"
	assert_stderr_contains "RLIMIT_NOFILE"
}

@test "--idle raises the soft RLIMIT_NOFILE up to the hard limit, and says so" {
	(($(ulimit -Hn) >= 200)) || skip "hard RLIMIT_NOFILE below 200 here"
	start_server srv srv-fork --port 0 --backlog 128 --timeout 60 --quiet
	run bash -c 'ulimit -Sn 32 && exec cli-connect --idle 100 --hold 0 "$1"' _ "127.0.0.1:$PORT"
	assert_success
	assert_line_matches '^setrlimit\(RLIMIT_NOFILE, [0-9]+\) +-> ok: the soft limit was 32'
	assert_line_matches '^idle connections: +100 asked, 100 established, 100 held to the end$'
}

@test "--idle without --hold: held until a signal, then summed up, exit 0" {
	start_server srv srv-fork --port 0 --backlog 32 --timeout 60 --quiet
	start_bg idle '^holding ' cli-connect --idle 5 "127.0.0.1:$PORT"
	assert_output_contains "until a signal" "$(bg_out idle)"
	stop_gracefully "$BG_PID" TERM
	assert_equal "$STOP_STATUS" 0
	run bg_out idle
	assert_line_matches '^idle connections: +5 asked, 5 established, 5 held to the end$'
	assert_line_matches '^stopped: +by SIGTERM$'
}

@test "--idle: a refused connection is a runtime failure, exit 1" {
	local port
	port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
	run --separate-stderr cli-connect --idle 3 "127.0.0.1:$port"
	assert_failure 1
	assert_stderr_contains "cli-connect: connect to 127.0.0.1:$port: Connection refused"
}
