#!/usr/bin/env bats
# The options every server shares, tested once for all six servers rather
# than again in each server's file: tools/server.c parses --port, --host,
# --backlog, --content-length, --timeout, --max-request, --quiet, --help and
# --version for them all, and srv-iter's calls (server_listen) resolve,
# bind and listen for them all. Here: what --help and --version say, every
# bad value, a busy port, an address that is not this host's, a host that
# does not resolve, the forms of --host (IPv6, [::1], every interface), a
# backlog above the kernel's cap, and --content-length. What each server
# does with the options in its own way (its --quiet, its --timeout, its
# --max-request buffers) stays in its own file.

load test_helper

SERVERS=(srv-iter srv-sleep srv-fork srv-prefork srv-thread srv-poll)

# ss -ltn for PORT: "Recv-Q Send-Q" of the listener.
listen_queue() { ss -Hltn "sport = :$1" | awk '{ print $2, $3 }'; }

@test "every server's --help lists the shared options with their defaults; --version prints its version alone" {
	local s
	for s in "${SERVERS[@]}"; do
		run --separate-stderr "$s" --help
		assert_success
		assert_output_contains "Usage: $s [OPTION]..."
		assert_line_matches '^  -p, --port PORT +port to listen on \(default 8888; 0 lets the$'
		assert_line_matches '^  -H, --host ADDR +address to bind \(default 127\.0\.0\.1: only this$'
		assert_line_matches '^  -b, --backlog N +listen\(\) backlog'
		assert_output_contains "kernel queues before accept() (default 5)"
		assert_line_matches '^  -l, --content-length '
		assert_line_matches '^  -t, --timeout S '
		assert_output_contains "0 = never"
		assert_line_matches '^  -m, --max-request N +read at most N bytes of request \(default 8192\)$'
		assert_line_matches '^  -q, --quiet '
		assert_line_matches '^  -h, --help +show this help and exit$'
		assert_line_matches '^  -V, --version +show the version and exit$'
		assert_equal "$stderr" ""
		run --separate-stderr "$s" --version
		assert_success
		assert_line_matches "^$s \\(socklab\\) [0-9]+\\.[0-9]+\\.[0-9]+\$"
		assert_equal "${#lines[@]}" 1
		assert_equal "$stderr" ""
	done
}

@test "every bad value of a shared option is a usage error naming it, the same from every server (exit 2)" {
	local s
	for s in "${SERVERS[@]}"; do
		# The port, one word as written (usage_errors: test_helper.bash).
		usage_errors "$s" --port <<'LIST'
|invalid port '': empty
abc|invalid port 'abc': not a number
-1|invalid port '-1': must not be negative
65536|invalid port '65536': too large (at most 65535)
99999|invalid port '99999': too large (at most 65535)
80x|invalid port '80x': unexpected 'x' after the number
 80|invalid port ' 80': spaces are not allowed
LIST
		usage_errors "$s" <<'LIST'
--backlog -3|invalid backlog '-3': must not be negative
--backlog many|invalid backlog 'many': not a number
--backlog 70000|invalid backlog '70000': too large (at most 65535)
--timeout soon|invalid timeout 'soon': not a number
--timeout -1|invalid timeout '-1': must not be negative
--max-request 1|invalid max-request '1': too small (at least 16)
--quiet=1|option '--quiet' takes no value
--port|option '--port' needs a value
--bogus|unknown option '--bogus'
--h|option '--h' is ambiguous: it could be '--host', '--help'
extra|unexpected argument 'extra'
LIST
	done
}

@test "a port already in use: exit 1, bind's error and a hint, from every server; nothing after setsockopt (no fork, no thread, no last line)" {
	start_server first srv-iter --port 0 --quiet
	local s
	for s in "${SERVERS[@]}"; do
		run --separate-stderr "$s" --port "$PORT"
		assert_failure 1
		assert_stderr_contains "$s: bind 127.0.0.1:$PORT: Address already in use"
		assert_stderr_contains "$s: hint: is another server on port $PORT? try --port 0 to let the kernel choose"
		# The narration ends with the call before bind(): nothing was
		# forked, created or served, and no last line says otherwise.
		assert_line_matches '^(\[(parent|main)\] )?setsockopt\([0-9]+, SO_REUSEADDR, 1\) +-> ok$' "${lines[-1]}"
		refute_output_contains "fork("
		refute_output_contains "pthread_create"
		refute_output_contains "Stopped"
	done
}

@test "an address that is not this host's, a host that does not resolve: exit 1 with the reason, from every server" {
	local s
	for s in "${SERVERS[@]}"; do
		# 198.51.100.0/24 is reserved for documentation: never ours.
		run --separate-stderr "$s" --port 0 --host 198.51.100.7
		assert_failure 1
		assert_stderr_contains "$s: bind 198.51.100.7:0: Cannot assign requested address"
		assert_stderr_contains "not an address of this host"
		run --separate-stderr "$s" --port 0 --host nosuch.invalid
		assert_failure 1
		assert_stderr_contains "$s: cannot resolve 'nosuch.invalid':"
	done
}

@test "every server serves over IPv6, with --host ::1 and with --host [::1] as a user writes it next to a port" {
	local s host
	for s in "${SERVERS[@]}"; do
		for host in ::1 '[::1]'; do
			# --content-length: curl is done at the reply's end, not at the
			# close (srv-sleep's comes after its sleep).
			start_server "$s$host" "$s" --port 0 --host "$host" --content-length
			run curl -sS -g --max-time "$SOCKLAB_DEADLINE" "http://[::1]:$PORT/"
			assert_success
			assert_equal "$output" "Hello, World!"
			run bg_out "$s$host"
			assert_line_matches '^(\[(parent|main)\] )?socket\(AF_INET6, SOCK_STREAM, 0\)'
			assert_line_matches '^(\[(parent|main)\] )?bind\([0-9]+, \[::1\]:0\) +-> ok$'
		done
	done
}

@test "--host 0, 0.0.0.0 or :: binds every interface, and every server says so before its ready line, even with --quiet" {
	local s host shown
	for s in "${SERVERS[@]}"; do
		for host in 0 0.0.0.0 ::; do
			shown=0.0.0.0
			[[ "$host" == :: ]] && shown=::
			start_server "$s$host" "$s" --port 0 --host "$host" --quiet
			run bg_out "$s$host"
			assert_equal "${lines[0]}" "Listening on every interface ($shown): other machines can connect too."
			assert_equal "${lines[1]}" "Serving HTTP on port $PORT ..."
			assert_equal "${#lines[@]}" 2
		done
		# The default, loopback only, says nothing of the kind.
		start_server "$s-lo" "$s" --port 0 --quiet
		assert_equal "$(bg_out "$s-lo")" "Serving HTTP on port $PORT ..."
	done
}

@test "a backlog above net.core.somaxconn is accepted, capped, and said so by every server; ss shows the cap" {
	local max
	max="$(cat /proc/sys/net/core/somaxconn)"
	((max < 65535)) || skip "somaxconn is $max: no backlog above it"
	local asked=$((max + 1)) s
	for s in "${SERVERS[@]}"; do
		start_server "$s" "$s" --port 0 --backlog "$asked"
		run bg_out "$s"
		assert_line_matches "^(\\[(parent|main)\\] )?listen\\(3, $asked\\) +-> ok\$"
		assert_output_contains "note: backlog $asked capped to $max by net.core.somaxconn (/proc/sys/net/core/somaxconn)"
		assert_equal "$(listen_queue "$PORT")" "0 $max"
		# Below the cap nothing is said.
		start_server "$s-small" "$s" --port 0 --backlog "$max"
		refute_output_contains "capped" "$(bg_out "$s-small")"
	done
}

@test "--content-length frames every server's reply: curl has the length, and the body" {
	local s
	for s in "${SERVERS[@]}"; do
		start_server "$s" "$s" --port 0 --quiet --content-length
		run curl -sS -D - --max-time "$SOCKLAB_DEADLINE" "http://127.0.0.1:$PORT/"
		assert_success
		assert_output_contains "Content-Length: 14"
		assert_output_contains "Hello, World!"
	done
}

@test "srv-prefork --reuseport says so when another process already listens on its port with SO_REUSEPORT" {
	start_server first srv-prefork --reuseport --children 2 --port 0
	refute_output_contains "other listening socket" "$(bg_out first)"
	local port="$PORT"
	start_server second srv-prefork --reuseport --children 2 --port "$port"
	wait_for bg_out_has second "note: 2 other listening sockets on port $port"
	run bg_out second
	assert_line_matches "^\[parent\] note: 2 other listening sockets on port $port \(another process with SO_REUSEPORT\): the kernel splits the clients between it and us$"
}
