#!/usr/bin/env bats
# srv-iter: the article's iterative server (docs/article-map.md: webserver3a).

load test_helper

@test "srv-iter --help prints usage with the defaults and exits 0" {
	run srv-iter --help
	assert_success
	assert_output_contains "Usage: srv-iter"
	assert_output_contains "default 8888"
	assert_output_contains "default 127.0.0.1"
	assert_output_contains "(default 5)"
	assert_output_contains "0 = never"
}

@test "srv-iter --version prints the version on stdout" {
	run --separate-stderr srv-iter --version
	assert_success
	assert_line_matches '^srv-iter \(socklab\) [0-9]+\.[0-9]+\.[0-9]+$'
	assert_equal "$stderr" ""
}

@test "srv-iter narrates socket, setsockopt, bind and listen in order, then the ready line" {
	start_server srv srv-iter --port 0
	run bg_out srv
	assert_line_matches '^socket\(AF_INET, SOCK_STREAM, 0\) +-> fd [0-9]+$'
	local order
	order="$(grep -oE '^(socket|setsockopt|bind|listen)\(' "$BATS_TEST_TMPDIR/srv.out" | tr -d '(' | tr '\n' ' ')"
	assert_equal "$order" "socket setsockopt bind listen "
	assert_line_matches '^setsockopt\([0-9]+, SO_REUSEADDR, 1\) +-> ok$'
	assert_line_matches '^bind\([0-9]+, 127\.0\.0\.1:0\) +-> ok$'
	assert_line_matches '^listen\([0-9]+, 5\) +-> ok$'
	# The ready line names the port the kernel chose, not 0.
	((PORT > 0 && PORT <= 65535))
	ss -ltn | grep -q "127.0.0.1:$PORT "
}

@test "curl gets Hello, World! and the server prints the raw request" {
	start_server srv srv-iter --port 0
	run http_get "$PORT" /hello
	assert_success
	assert_equal "$output" "Hello, World!"
	wait_for bg_out_has srv "close("
	run bg_out srv
	assert_line_matches '^accept\([0-9]+\) +-> fd [0-9]+, socket pair \{127\.0\.0\.1:'"$PORT"', 127\.0\.0\.1:[0-9]+\}$'
	assert_line_matches '^GET /hello HTTP/1\.1$'
	assert_line_matches '^Host: 127\.0\.0\.1:'"$PORT"'$'
	assert_line_matches '^send\([0-9]+, "HTTP/1\.1 200 OK\.\.\."\) +-> [0-9]+ bytes$'
}

@test "the default reply is delimited by the close; --content-length frames it" {
	start_server plain srv-iter --port 0
	run curl -sS -D - -o /dev/null "http://127.0.0.1:$PORT/"
	assert_success
	assert_output_contains "HTTP/1.1 200 OK"
	assert_output_contains "Connection: close"
	refute_output_contains "Content-Length"

	start_server framed srv-iter --port 0 --content-length
	run curl -sS -D - "http://127.0.0.1:$PORT/"
	assert_success
	assert_output_contains "Content-Length: 14"
	assert_output_contains "Hello, World!"
}

@test "the article's six-line Python client gets the reply" {
	start_server srv srv-iter --port 0
	run python3 -c '
import socket, sys
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect(("localhost", int(sys.argv[1])))
sock.sendall(b"test")
data = sock.recv(1024)
print(data.decode())' "$PORT"
	assert_success
	assert_output_contains "HTTP/1.1 200 OK"
	assert_output_contains "Hello, World!"
	wait_for bg_out_has srv "close("
	run bg_out srv
	assert_line_matches '^test$'
}

@test "bash's /dev/tcp gets the reply" {
	start_server srv srv-iter --port 0
	run bash -c 'exec 5<>"/dev/tcp/127.0.0.1/$1"; printf "GET / HTTP/1.0\r\n\r\n" >&5; cat <&5' _ "$PORT"
	assert_success
	assert_output_contains "Hello, World!"
}

@test "srv-iter serves over IPv6 with --host ::1" {
	start_server srv srv-iter --port 0 --host ::1
	run curl -sS -g "http://[::1]:$PORT/"
	assert_success
	assert_equal "$output" "Hello, World!"
	run bg_out srv
	assert_line_matches '^socket\(AF_INET6, SOCK_STREAM, 0\)'
	assert_line_matches 'socket pair \{\[::1\]:'"$PORT"', \[::1\]:[0-9]+\}$'
}

@test "--quiet prints only the ready line" {
	start_server srv srv-iter --port 0 --quiet
	run http_get "$PORT"
	assert_success
	stop_gracefully "$SERVER_PID"
	run bg_out srv
	refute_output_contains "socket("
	refute_output_contains "GET /"
	assert_output_contains "Serving HTTP on port $PORT ..."
}

@test "SIGTERM and SIGINT stop the server: listener closed, count printed, exit 0" {
	local sig
	for sig in TERM INT; do
		start_server "srv-$sig" srv-iter --port 0
		http_get "$PORT" >/dev/null
		http_get "$PORT" >/dev/null
		stop_gracefully "$SERVER_PID" "$sig"
		assert_equal "$STOP_STATUS" 0
		assert_output_contains "Stopped: served 2 requests." "$(bg_out "srv-$sig")"
		run ss -ltn
		refute_output_contains "127.0.0.1:$PORT "
	done
}

# ------------------------------------------------------------- bad input

@test "every malformed port is rejected with its reason and exit 2" {
	local bad reason
	while IFS='|' read -r bad reason; do
		run --separate-stderr srv-iter --port "$bad"
		assert_failure 2
		assert_stderr_contains "srv-iter: invalid port '$bad': $reason"
		assert_stderr_contains "Try 'srv-iter --help'"
		assert_equal "$output" ""
	done <<'LIST'
|empty
abc|not a number
-1|must not be negative
65536|too large (at most 65535)
80x|unexpected 'x' after the number
 80|spaces are not allowed
LIST
}

@test "bad backlog, timeout and max-request values are usage errors" {
	run --separate-stderr srv-iter --backlog -3
	assert_failure 2
	assert_stderr_contains "invalid backlog '-3'"
	run --separate-stderr srv-iter --timeout soon
	assert_failure 2
	assert_stderr_contains "invalid timeout 'soon': not a number"
	run --separate-stderr srv-iter --max-request 1
	assert_failure 2
	assert_stderr_contains "invalid max-request '1': too small"
}

@test "an unknown option, a missing value and a stray argument are usage errors" {
	run --separate-stderr srv-iter --bogus
	assert_failure 2
	assert_stderr_contains "srv-iter: unknown option '--bogus'"
	run --separate-stderr srv-iter --port
	assert_failure 2
	assert_stderr_contains "option '--port' needs a value"
	run --separate-stderr srv-iter extra
	assert_failure 2
	assert_stderr_contains "unexpected argument 'extra'"
}

@test "a port already in use fails with the address and a hint, exit 1" {
	start_server first srv-iter --port 0
	run --separate-stderr srv-iter --port "$PORT"
	assert_failure 1
	assert_stderr_contains "srv-iter: bind 127.0.0.1:$PORT: Address already in use"
	assert_stderr_contains "try --port 0"
}

@test "an address that is not on this host fails with a hint, exit 1" {
	# 198.51.100.0/24 is reserved for documentation: never ours.
	run --separate-stderr srv-iter --port 0 --host 198.51.100.7
	assert_failure 1
	assert_stderr_contains "bind 198.51.100.7:0: Cannot assign requested address"
	assert_stderr_contains "not an address of this host"
}

@test "a host that cannot be resolved fails with the resolver's reason, exit 1" {
	run --separate-stderr srv-iter --port 0 --host nosuch.invalid
	assert_failure 1
	assert_stderr_contains "srv-iter: cannot resolve 'nosuch.invalid':"
}

# -------------------------------------------------------- hostile clients

# After each hostile client, a normal client must still be served.
served_after() {
	run http_get "$PORT"
	assert_success
	assert_equal "$output" "Hello, World!"
}

@test "a client that sends 100 KiB gets 431 and the server goes on" {
	start_server srv srv-iter --port 0
	run python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
try:
    s.sendall(b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 102400)
except OSError:
    pass
try:
    print(s.recv(200).decode(errors="replace"))
except OSError as e:
    print("reset:", e)' "$PORT"
	assert_success
	wait_for bg_err_has srv "larger than 8192 bytes"
	served_after
}

@test "a client that sends nothing is dropped after --timeout; the next one is served" {
	start_server srv srv-iter --port 0 --timeout 0.3
	python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(10)
print(s.recv(100))' "$PORT" >"$BATS_TEST_TMPDIR/silent.out" &
	local silent=$!
	SOCKLAB_PIDS+=("$silent")
	wait_for bg_err_has srv "no request within 0.3 s"
	served_after
	wait "$silent"
	# The silent client was closed on, without a reply.
	assert_equal "$(cat "$BATS_TEST_TMPDIR/silent.out")" "b''"
}

@test "a client that connects and closes at once is reported; the next one is served" {
	start_server srv srv-iter --port 0
	python3 -c '
import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1]))).close()' "$PORT"
	wait_for bg_err_has srv "closed the connection without sending a request"
	served_after
}

@test "a client that resets mid-request is reported; the next one is served" {
	start_server srv srv-iter --port 0
	python3 -c '
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /half")
# SO_LINGER with a zero timeout: close() sends RST instead of FIN.
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()' "$PORT"
	wait_for bg_err_has srv "Connection reset by peer"
	served_after
}

@test "escape sequences and NUL bytes are printed escaped, never raw" {
	start_server srv srv-iter --port 0
	run python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"\x1b]0;pwned\x07\x1b[31mred\x00nul\\")
print(s.recv(1000).decode())' "$PORT"
	assert_success
	assert_output_contains "Hello, World!"
	wait_for bg_out_has srv "close("
	local out
	out="$(bg_out srv)"
	assert_output_contains '\x1b]0;pwned\x07\x1b[31mred\x00nul\\' "$out"
	# No raw ESC, BEL or NUL byte reached the terminal.
	if LC_ALL=C grep -q "$(printf '[\033\007]')" "$BATS_TEST_TMPDIR/srv.out"; then
		fail "a raw ESC or BEL byte was printed"
	fi
	[[ "$(tr -d '\000' <"$BATS_TEST_TMPDIR/srv.out" | wc -c)" -eq "$(wc -c <"$BATS_TEST_TMPDIR/srv.out")" ]]
	served_after
}

@test "--timeout bounds the whole request: a client that trickles for ever gets 408" {
	start_server srv srv-iter --port 0 --timeout 0.5
	# One byte every 0.1 s: each recv() returns well within 0.5 s, so only a
	# deadline for the whole request can stop it.
	run python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(0.1)
reply, sent, end = b"", 0, time.monotonic() + 30
while time.monotonic() < end:
    try:
        d = s.recv(1000)
    except socket.timeout:
        s.send(b"GET /slow"[sent:sent + 1] or b"x")
        sent += 1
        continue
    if not d:
        break
    reply += d
print(reply.decode(errors="replace"))' "$PORT"
	assert_success
	assert_output_contains "408 Request Timeout"
	wait_for bg_err_has srv "no request within 0.5 s (--timeout)"
	served_after
}

@test "a client that trickles its request byte by byte is served once complete" {
	start_server srv srv-iter --port 0
	run python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
for b in b"GET /slow HTTP/1.1\r\n\r\n":
    s.send(bytes([b]))
data = b""
while True:
    d = s.recv(1000)
    if not d: break
    data += d
print(data.decode())' "$PORT"
	assert_success
	assert_output_contains "Hello, World!"
	run bg_out srv
	assert_line_matches '^GET /slow HTTP/1\.1$'
}

@test "errors name the client by its address, with --quiet as without" {
	local q
	for q in "" --quiet; do
		start_server "srv$q" srv-iter --port 0 --timeout 0.3 $q
		# One client closes at once, the next one sends nothing.
		python3 -c '
import socket, sys
port = int(sys.argv[1])
socket.create_connection(("127.0.0.1", port)).close()
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(10)
s.recv(100)' "$PORT"
		run bg_err "srv$q"
		assert_line_matches '^srv-iter: 127\.0\.0\.1:[0-9]+ closed the connection without sending a request$'
		assert_line_matches '^srv-iter: recv from 127\.0\.0\.1:[0-9]+: no request within 0\.3 s \(--timeout\)$'
		served_after
	done
}

@test "--max-request above the default serves a 20 KiB request; below it, 431" {
	# GET with a header of N bytes; "open": without the empty line that ends
	# the headers, so that the server has read all of it when it answers.
	local big='
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
req = b"GET / HTTP/1.1\r\nX-Big: " + b"a" * int(sys.argv[2])
s.sendall(req if sys.argv[3:] == ["open"] else req + b"\r\n\r\n")
reply = b""
while True:
    d = s.recv(4096)
    if not d: break
    reply += d
print(reply.decode(errors="replace"))'
	start_server large srv-iter --port 0 --quiet --max-request 65536
	run python3 -c "$big" "$PORT" 20480
	assert_success
	assert_output_contains "HTTP/1.1 200 OK"
	assert_output_contains "Hello, World!"

	# 16 + 7 + 41 = 64 bytes: exactly --max-request, headers not complete.
	start_server small srv-iter --port 0 --quiet --max-request 64
	run python3 -c "$big" "$PORT" 41 open
	assert_success
	assert_output_contains "HTTP/1.1 431 Request Header Fields Too Large"
	wait_for bg_err_has small "is larger than 64 bytes (--max-request)"
	# ...and goes on: a request that fits is served.
	run python3 -c "$big" "$PORT" 1
	assert_success
	assert_output_contains "Hello, World!"
}
