#!/usr/bin/env bats
# cli-connect: the article's client (lessons 1 and 5), its bad input and its
# hostile servers. --clients: also tests/cli-connect-clients.bats; --idle:
# tests/cli-connect-idle.bats.

load test_helper
load client_helper

# The socket pair printed on a line matching PREFIX, as "{a, b}".
pair_of() {
	sed -n 's/.*socket pair \({[^}]*}\).*/\1/p' <<<"$1" | head -n 1
}

@test "cli-connect --help prints usage and exits 0" {
	run cli-connect --help
	assert_success
	assert_output_contains "Usage: cli-connect"
	assert_output_contains "--bind ADDR[:PORT]"
	assert_output_contains "default 10"
}

@test "cli-connect --version prints the version" {
	run cli-connect --version
	assert_success
	assert_line_matches '^cli-connect \(socklab\) [0-9.]+$'
}

@test "the client narrates socket and connect, sends test, prints the reply" {
	start_server srv srv-iter --port 0
	run --separate-stderr cli-connect "127.0.0.1:$PORT"
	assert_success
	assert_line_matches '^socket\(AF_INET, SOCK_STREAM, 0\) +-> fd [0-9]+$'
	assert_line_matches '^connect\([0-9]+, 127\.0\.0\.1:'"$PORT"'\) +-> ok, socket pair'
	assert_line_matches '^send\([0-9]+, "test"\) +-> 4 bytes$'
	assert_line_matches '^  \| HTTP/1\.1 200 OK$'
	assert_line_matches '^  \| Hello, World!$'
	assert_line_matches 'the server closed the connection'
	refute_output_contains "bind("
	refute_output_contains "accept("
	wait_for bg_out_has srv "close("
	run bg_out srv
	assert_line_matches '^  \| test$'
}

@test "client and server print the same socket pair, mirrored" {
	start_server srv srv-iter --port 0
	run cli-connect "127.0.0.1:$PORT"
	assert_success
	local cpair spair mine remote
	cpair="$(pair_of "$output")"
	wait_for bg_out_has srv "close("
	spair="$(pair_of "$(bg_out srv)")"
	[[ "$cpair" =~ ^\{([^,]+),\ ([^}]+)\}$ ]]
	mine="${BASH_REMATCH[1]}" remote="${BASH_REMATCH[2]}"
	assert_equal "$remote" "127.0.0.1:$PORT"
	assert_equal "$spair" "{$remote, $mine}"
}

@test "the article's figure: --bind 127.10.10.2 to a server on 127.12.12.3" {
	start_server srv srv-iter --host 127.12.12.3 --port 0
	run cli-connect --bind 127.10.10.2 "127.12.12.3:$PORT"
	assert_success
	assert_line_matches '^bind\([0-9]+, 127\.10\.10\.2:0\) +-> ok$'
	assert_line_matches 'socket pair \{127\.10\.10\.2:[0-9]+, 127\.12\.12\.3:'"$PORT"'\}$'
	wait_for bg_out_has srv "close("
	run bg_out srv
	assert_line_matches 'socket pair \{127\.12\.12\.3:'"$PORT"', 127\.10\.10\.2:[0-9]+\}$'
}

@test "--http PATH sends a real GET request" {
	start_server srv srv-iter --port 0
	run cli-connect --quiet --http /hello "127.0.0.1:$PORT"
	assert_success
	assert_line_matches '^Hello, World!$'
	refute_output_contains "socket("
	wait_for bg_out_has srv "close("
	run bg_out srv
	assert_line_matches '^  \| GET /hello HTTP/1\.1$'
}

@test "--send TEXT replaces the article's payload; --port works with a bare host" {
	start_server srv srv-iter --port 0
	run cli-connect --send "hello there" --port "$PORT" 127.0.0.1
	assert_success
	wait_for bg_out_has srv "close("
	run bg_out srv
	assert_line_matches '^  \| hello there$'
}

@test "an IPv6 target in brackets works" {
	start_server srv srv-iter --port 0 --host ::1
	run cli-connect "[::1]:$PORT"
	assert_success
	assert_line_matches '^socket\(AF_INET6, SOCK_STREAM, 0\)'
	assert_line_matches 'socket pair \{\[::1\]:[0-9]+, \[::1\]:'"$PORT"'\}$'
}

# ------------------------------------------------------------- bad input

@test "a refused connection says so with a hint, exit 1" {
	# Take a free port and close it: nothing listens there.
	local port
	port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
	run --separate-stderr cli-connect "127.0.0.1:$port"
	assert_failure 1
	assert_stderr_contains "cli-connect: connect to 127.0.0.1:$port: Connection refused"
	assert_stderr_contains "is a server listening there? start one with: ./bin/srv-iter --port $port"
}

@test "an unresolvable host says so, exit 1" {
	run --separate-stderr cli-connect nosuch.invalid:80
	assert_failure 1
	assert_stderr_contains "cli-connect: cannot resolve 'nosuch.invalid':"
}

@test "an unreachable network says so, exit 1" {
	# A new network namespace has only a loopback interface, and it is down.
	unshare -n true 2>/dev/null || skip "unshare -n is not permitted here"
	run --separate-stderr unshare -n "$SOCKLAB_BIN/cli-connect" 127.0.0.1:80
	assert_failure 1
	assert_stderr_contains "connect to 127.0.0.1:80: Network is unreachable"
}

@test "a connection that cannot complete times out after --timeout, exit 1" {
	# A listener with backlog 0 that never accepts: once its queue holds one
	# connection the kernel drops further SYNs, so our connect() hangs.
	start_bg full '^ready ([0-9]+)$' python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)
port = s.getsockname()[1]
held = []
for _ in range(3):
    c = socket.socket(); c.setblocking(False)
    c.connect_ex(("127.0.0.1", port)); held.append(c)
print("ready", port, flush=True)
time.sleep(60)'
	local port="$BG_MATCH"
	# Wait until the queue is full as the kernel sees it.
	wait_for bash -c "ss -tn state syn-sent | grep -q ':$port '"
	run --separate-stderr cli-connect --timeout 0.3 "127.0.0.1:$port"
	assert_failure 1
	assert_stderr_contains "connect to 127.0.0.1:$port: timed out after 0.3 s"
}

@test "a server that never closes makes recv time out, exit 1" {
	start_bg mute '^ready ([0-9]+)$' python3 -c '
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5)
print("ready", s.getsockname()[1], flush=True)
c, _ = s.accept(); c.sendall(b"partial"); time.sleep(60)'
	run --separate-stderr cli-connect --timeout 0.3 "127.0.0.1:$BG_MATCH"
	assert_failure 1
	assert_output_contains "partial"
	assert_stderr_contains "recv: timed out after 0.3 s"
}

@test "a server that resets the connection is reported, exit 1" {
	start_bg rst '^ready ([0-9]+)$' python3 -c '
import socket, struct
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5)
print("ready", s.getsockname()[1], flush=True)
c, _ = s.accept(); c.recv(100)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); c.close()
s.accept()'
	run --separate-stderr cli-connect "127.0.0.1:$BG_MATCH"
	assert_failure 1
	assert_stderr_contains "cli-connect: recv: Connection reset by peer"
}

# ------------------------------------------------- hostile conditions

@test "stdout closed (>&-): nothing of ours goes into the connection" {
	# Issue 12, item 10: a closed stdout would make the socket fd 1.
	start_server srv srv-iter --port 0
	run bash -c 'cli-connect "$1" >&-' _ "127.0.0.1:$PORT"
	assert_success
	wait_for bg_out_has srv "close(4)"
	run bg_out srv
	assert_equal "$(grep '^  |' <<<"$output")" "  | test"
}

@test "a server cannot forge the client's narration: its lines are marked" {
	# Issue 12, item 11: the reply holds lines that look like ours.
	start_peer forger '
c, _ = s.accept(); c.recv(100)
pad = lambda call: call.ljust(44).encode()
c.sendall(b"HTTP/1.1 200 OK\r\n\r\n" + pad("recv(3)") +
          b" -> 0: the server closed the connection (19 bytes in all)\n" +
          pad("close(3)") + b" -> ok\n\x1b[2J")
c.close()'
	run cli-connect "127.0.0.1:$PEER_PORT"
	assert_success
	assert_equal "$(grep -cE '^recv\([0-9]+\) +-> 0:' <<<"$output")" 1
	assert_equal "$(grep -cE '^close\(' <<<"$output")" 1
	assert_line_matches '^  \| recv\(3\) +-> 0: the server closed'
	assert_line_matches '^  \| \\x1b\[2J$'
	[[ "$output" != *$'\e'* ]] || fail "a raw ESC reached the terminal"
}

@test "a reply chunk without a newline: the next narration starts its own line" {
	start_peer partial '
c, _ = s.accept(); c.recv(100); c.sendall(b"partial"); c.close()'
	run cli-connect "127.0.0.1:$PEER_PORT"
	assert_success
	assert_line_matches '^  \| partial$'
	assert_line_matches '^recv\([0-9]+\) +-> 0: the server closed the connection \(7 bytes in all\)$'
}

@test "a server that closes without a reply: a failure with a clear message, exit 1" {
	# Issue 12, item 18: single mode and --clients --read agree.
	start_peer silent '
while True:
    c, _ = s.accept(); c.recv(1000); c.close()'
	run --separate-stderr cli-connect "127.0.0.1:$PEER_PORT"
	assert_failure 1
	assert_line_matches '^recv\([0-9]+\) +-> 0: the server closed the connection \(0 bytes in all\)$'
	assert_stderr_contains "cli-connect: the server closed the connection without a reply"
	run cli-connect --clients 3 --read --json "127.0.0.1:$PEER_PORT"
	assert_failure 1
	assert_equal "$(json_field connections)" 3
	assert_equal "$(json_field replies)" 0
	assert_equal "$(json_field no_reply)" 3
}

@test "the send narration marks a shortened payload with ..." {
	start_server srv srv-iter --port 0
	run cli-connect --send "$(printf 'x%.0s' {1..40})" "127.0.0.1:$PORT"
	assert_success
	assert_line_matches '^send\([0-9]+, "x{24}\.\.\."\) +-> 40 bytes$'
	run cli-connect --send $'ab\ncd' "127.0.0.1:$PORT"
	assert_success
	assert_line_matches '^send\([0-9]+, "ab\.\.\."\) +-> 5 bytes$'
	run cli-connect --send "short" "127.0.0.1:$PORT"
	assert_success
	assert_line_matches '^send\([0-9]+, "short"\) +-> 5 bytes$'
}

@test "--http: a long path is sent whole, never cut" {
	# Issue 12, item 16: the request was cut at 1,099 bytes (408, exit 0).
	start_server srv srv-iter --port 0 --timeout 2
	local path
	path="/$(printf 'a%.0s' {1..3000})"
	run --separate-stderr cli-connect --quiet --http "$path" "127.0.0.1:$PORT"
	assert_success
	assert_line_matches '^Hello, World!$'
	wait_for bg_out_has srv "close(4)"
	run bg_out srv
	assert_line_matches "^  \| GET $path HTTP/1\.1$"
}

@test "--http to an IPv6 address: the Host header has brackets" {
	start_server srv srv-iter --port 0 --host ::1
	run cli-connect --quiet --http /v6 "[::1]:$PORT"
	assert_success
	wait_for bg_out_has srv "close(4)"
	run bg_out srv
	assert_line_matches '^  \| Host: \[::1\]:'"$PORT"'$'
}

@test "malformed targets and ports are usage errors, exit 2" {
	# The target is one argument (usage_errors: tests/test_helper.bash).
	usage_errors cli-connect '' <<'LIST'
localhost:|invalid port '': empty
localhost:abc|invalid port 'abc': not a number
localhost:-1|invalid port '-1': must not be negative
localhost:65536|invalid port '65536': too large
localhost:80x|invalid port '80x': unexpected 'x'
localhost: 80|invalid port ' 80': spaces are not allowed
:80|invalid address ':80': missing host
[::1|invalid address '[::1': missing ']'
[::1]80|invalid address '[::1]80': expected ':' after ']'
LIST
}

@test "bad options are usage errors, exit 2" {
	run --separate-stderr cli-connect --bogus
	assert_failure 2
	assert_stderr_contains "unknown option '--bogus'"
	run --separate-stderr cli-connect --timeout -1
	assert_failure 2
	assert_stderr_contains "invalid timeout '-1': must not be negative"
	run --separate-stderr cli-connect --http nopath
	assert_failure 2
	assert_stderr_contains "invalid path 'nopath'"
	run --separate-stderr cli-connect --port 1 127.0.0.1:2
	assert_failure 2
	assert_stderr_contains "two ports given"
	run --separate-stderr cli-connect a b
	assert_failure 2
	assert_stderr_contains "unexpected argument 'b'"
}

@test "port 0 cannot be connected to: a usage error, as in show-ephemeral-port" {
	run --separate-stderr cli-connect 127.0.0.1:0
	assert_failure 2
	assert_stderr_contains "cli-connect: '127.0.0.1:0': port 0 cannot be connected to"
	run --separate-stderr cli-connect --port 0 127.0.0.1
	assert_failure 2
	assert_stderr_contains "cli-connect: --port 0: port 0 cannot be connected to"
	# --bind with port 0 is fine: the kernel chooses (see the figure test).
}

@test "an ambiguous abbreviation lists the options it could be" {
	run --separate-stderr cli-connect --c 3 127.0.0.1
	assert_failure 2
	assert_stderr_contains "cli-connect: option '--c' is ambiguous: it could be '--clients', '--conns'"
	run --separate-stderr cli-connect --h
	assert_failure 2
	assert_stderr_contains "option '--h' is ambiguous: it could be"
	assert_stderr_contains "'--http'"
	assert_stderr_contains "'--help'"
}

@test "ESC and invalid UTF-8 in an argument are echoed escaped" {
	run --separate-stderr cli-connect 127.0.0.1:1 $'b\e]0;pwned\a'
	assert_failure 2
	assert_stderr_contains "unexpected argument 'b\\x1b]0;pwned\\x07'"
	[[ "$stderr" != *$'\e'* ]] || fail "a raw ESC reached the terminal"
	run --separate-stderr cli-connect --timeout $'5\xa0' 127.0.0.1:1
	assert_failure 2
	assert_stderr_contains "invalid timeout '5\\xa0'"
	[[ "$stderr" != *$'\xa0'* ]] || fail "a raw invalid byte was echoed"
}

@test "--bind to an address that is not ours fails with a hint, exit 1" {
	start_server srv srv-iter --port 0
	run --separate-stderr cli-connect --bind 198.51.100.7 "127.0.0.1:$PORT"
	assert_failure 1
	assert_stderr_contains "bind 198.51.100.7:0: Cannot assign requested address"
}

# ------------------------------------------- many clients (the article's client3)

@test "--clients 20: twenty clients connect, send GET /hello and exit without reading" {
	start_server srv srv-fork --port 0 --backlog 32
	run cli-connect --clients 20 "127.0.0.1:$PORT"
	assert_success
	assert_line_matches '^clients: +20 started of 20, 1 connection each$'
	assert_line_matches '^connections made: 20 of 20$'
	assert_line_matches '^replies read: +not read'
	assert_line_matches '^failures: +0 refused, 0 reset, 0 timed out, 0 other$'
	# Issue 13: the summary says whose children were reaped.
	assert_line_matches "^our clients reaped: +20 of 20 \\(the server's children are the server's to reap\\)$"
	assert_line_matches '^elapsed: +[0-9]+\.[0-9]{3} s$'
	wait_for bg_out_has srv "GET /hello HTTP/1.1"
	run bg_out srv
	assert_line_matches '^(\[child [0-9]+\] )?  \| Host: 127\.0\.0\.1:'"$PORT"'$'
}

@test "--clients --read --json: every reply read, every child reaped" {
	start_server srv srv-fork --port 0 --backlog 32 --quiet
	run cli-connect --clients 10 --conns 3 --read --json "127.0.0.1:$PORT"
	assert_success
	assert_equal "$(json_field connections)" 30
	assert_equal "$(json_field replies)" 30
	assert_equal "$(json_field replies_ok)" 30
	assert_equal "$(json_field reaped)" 10
	assert_equal "$(json_field reports)" 10
}

@test "--clients counts refused connections and exits 1" {
	local port
	port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
	run cli-connect --clients 5 --json "127.0.0.1:$port"
	assert_failure 1
	assert_equal "$(json_field refused)" 5
	assert_equal "$(json_field connections)" 0
	assert_equal "$(json_field reaped)" 5
}

@test "--clients --read counts resets and timeouts by reason" {
	start_bg rst '^ready ([0-9]+)$' python3 -c '
import socket, struct
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print("ready", s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept(); c.recv(100)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); c.close()'
	run cli-connect --clients 3 --read --json "127.0.0.1:$BG_MATCH"
	assert_failure 1
	assert_equal "$(json_field reset)" 3
	start_bg mute '^ready ([0-9]+)$' python3 -c '
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print("ready", s.getsockname()[1], flush=True)
time.sleep(60)'
	run cli-connect --clients 3 --read --timeout 0.3 --json "127.0.0.1:$BG_MATCH"
	assert_failure 1
	assert_equal "$(json_field timed_out)" 3
	assert_equal "$(json_field connections)" 3
}

@test "--clients against srv-fork --max-children: the busy replies are not 2xx" {
	start_server srv srv-fork --port 0 --max-children 1 --child-sleep 60
	start_bg hold 'Hello, World!' curl -sSN "http://127.0.0.1:$PORT/"
	run cli-connect --clients 3 --read --json "127.0.0.1:$PORT"
	assert_success
	assert_equal "$(json_field replies)" 3
	assert_equal "$(json_field replies_ok)" 0
}

@test "bad values of the many-client and idle options are usage errors, exit 2" {
	usage_errors cli-connect <<'LIST'
--clients 0|invalid clients '0': too small
--clients many|invalid clients 'many': not a number
--clients 10001|invalid clients '10001': too large
--clients 2 --conns 0|invalid conns '0': too small
--clients 2 --conns 1x|invalid conns '1x': unexpected 'x'
--conns 2|--conns works only with --clients N
--read|--read works only with --clients N
--json|--json works only with --clients N
--clients 2 --bind 127.0.0.2|--bind works only with a single client
--idle 0|invalid idle '0': too small
--idle many|invalid idle 'many': not a number
--idle 100001|invalid idle '100001': too large
--idle 2 --hold -1|invalid hold '-1': must not be negative
--hold 2|--hold works only with --idle N
--idle 2 --clients 2|--idle, --clients and --short do not go together
--idle 2 --send x|--send works only with a single client or --clients
--idle 2 --http /x|--http works only with a single client or --clients
--idle 2 --read|--read works only with --clients N
--idle 2 --bind 127.0.0.2|--bind works only with a single client
LIST
}
