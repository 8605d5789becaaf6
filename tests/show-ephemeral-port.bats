#!/usr/bin/env bats
# show-ephemeral-port: ephemeral vs well-known ports (docs/article-map.md).
# Loopback only. Ports are the kernel's choice: assert ranges, never values.

load test_helper

json_get() { python3 -c 'import json, sys; j = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }

range() { read -r LO HI </proc/sys/net/ipv4/ip_local_port_range; }

@test "show-ephemeral-port --help and --version" {
	run show-ephemeral-port --help
	assert_success
	assert_output_contains "Usage: show-ephemeral-port"
	assert_output_contains "--count N"
	run show-ephemeral-port --version
	assert_success
	assert_line_matches '^show-ephemeral-port \(socklab\) [0-9.]+$'
}

@test "alone, it connects to its own listener: socket, connect, getsockname; the port is in the range" {
	range
	run show-ephemeral-port
	assert_success
	assert_line_matches '^socket\(AF_INET, SOCK_STREAM, 0\) +-> fd [0-9]+$'
	assert_line_matches '^connect\([0-9]+, 127\.0\.0\.1:[0-9]+\) +-> ok$'
	[[ "$output" =~ getsockname\([0-9]+\)\ +-\>\ 127\.0\.0\.1:([0-9]+):\ port\ ([0-9]+),\ chosen\ by\ the\ kernel ]]
	local port="${BASH_REMATCH[1]}"
	assert_equal "${BASH_REMATCH[2]}" "$port"
	((port >= LO && port <= HI))
	assert_line_matches "^ephemeral range: $LO-$HI \\(/proc/sys/net/ipv4/ip_local_port_range\\)\$"
	assert_line_matches "^local port $port: inside the range: an ephemeral port\$"
}

@test "against srv-iter: the server's port is classified, the server sees our port" {
	range
	start_server srv srv-iter --port 0
	run show-ephemeral-port --json "127.0.0.1:$PORT"
	assert_success
	local json="$output" lport cls
	lport="$(json_get "$json" 'j["local_port"]')"
	((lport >= LO && lport <= HI))
	assert_equal "$(json_get "$json" 'j["in_range"]')" "True"
	assert_equal "$(json_get "$json" 'j["range"]')" "[$LO, $HI]"
	if ((PORT >= LO && PORT <= HI)); then cls=ephemeral
	elif ((PORT <= 49151)); then cls=registered
	else cls=dynamic; fi
	assert_equal "$(json_get "$json" 'j["remote_class"]')" "$cls"
	# srv-iter's accept() saw the same port: the mirror of our pair
	wait_for bg_out_has srv "127.0.0.1:$lport}"
}

@test "--count 8: eight different ports, all in the range, explained" {
	range
	run python3 -c 'import json,sys; j=json.loads(sys.argv[1]); lo,hi=int(sys.argv[2]),int(sys.argv[3]); print(len(set(j["ports"])) == 8 and all(lo <= p <= hi for p in j["ports"]) and j["all_in_range"])' "$(show-ephemeral-port --count 8 --json)" "$LO" "$HI"
	assert_equal "$output" "True"
	run show-ephemeral-port --count 8
	assert_success
	assert_line_matches '^ports of the 8 connections, in order:( [0-9]+){8}$'
	assert_line_matches '^differences:( [+-][0-9]+){7}$'
	assert_line_matches '^8 of 8 inside the range; [0-9] even, [0-9] odd\.$'
	assert_output_contains "Not consecutive: since Linux 4.6"
}

@test "--hold keeps the connection open: ss -tn shows it with the same ports" {
	start_server srv srv-iter --port 0 --timeout 10
	start_bg held '^holding 1 connection open' show-ephemeral-port --hold 10 "127.0.0.1:$PORT"
	local lport
	lport="$(sed -n 's/^getsockname([0-9]*) *-> 127\.0\.0\.1:\([0-9]*\):.*/\1/p' "$BATS_TEST_TMPDIR/held.out")"
	[[ -n "$lport" ]]
	run ss -tnH state established "( sport = :$lport )"
	assert_success
	assert_line_matches "127\\.0\\.0\\.1:$lport +127\\.0\\.0\\.1:$PORT *\$"
}

@test "curl's %{local_port} is in the same range and gets the same classification" {
	range
	start_server srv srv-iter --port 0
	run curl -sS -o /dev/null -w '%{local_port}' "http://127.0.0.1:$PORT/"
	assert_success
	local cport="$output"
	((cport >= LO && cport <= HI))
	run show-ephemeral-port --json "127.0.0.1:$PORT"
	assert_success
	assert_equal "$(json_get "$output" 'j["range"]')" "[$LO, $HI]"
	assert_equal "$(json_get "$output" 'j["in_range"]')" "True"
}

@test "a well-known port is named from /etc/services: 80 http, 22 ssh" {
	[[ "$(id -u)" == 0 ]] || skip "binding a port below 1024 needs root"
	local p addr
	for p in 80 22; do
		addr="127.$p.$p.$p"
		start_bg "wk$p" '^ready$' python3 -c '
import socket, sys, time
s = socket.socket(); s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(5)
print("ready", flush=True); time.sleep(30)' "$addr" "$p"
		run show-ephemeral-port "$addr:$p"
		assert_success
		assert_line_matches "^remote port $p: well-known \\(0-1023: standard services, binding needs root\\)"
	done
	run show-ephemeral-port 127.80.80.80:80
	assert_output_contains "service 'http' in /etc/services"
	run show-ephemeral-port --json 127.22.22.22:22
	assert_equal "$(json_get "$output" 'j["remote_service"]')" "ssh"
}

# ------------------------------------------------------------- bad input

@test "a refused port on loopback: the reason and a hint, exit 1" {
	local port
	port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
	run --separate-stderr show-ephemeral-port "127.0.0.1:$port"
	assert_failure 1
	assert_stderr_contains "show-ephemeral-port: connect to 127.0.0.1:$port: Connection refused"
	assert_stderr_contains "is a server listening there?"
}

@test "an unreachable network (a new network namespace): exit 1" {
	unshare -n true 2>/dev/null || skip "unshare -n is not permitted here"
	run --separate-stderr unshare -n "$SOCKLAB_BIN/show-ephemeral-port" 127.0.0.1:80
	assert_failure 1
	assert_stderr_contains "show-ephemeral-port: connect to 127.0.0.1:80: Network is unreachable"
}

@test "bad values are usage errors, exit 2" {
	local bad
	for bad in abc 0 1001 -2 ''; do
		run --separate-stderr show-ephemeral-port --count "$bad"
		assert_failure 2
		assert_stderr_contains "show-ephemeral-port: invalid count '$bad'"
	done
	run --separate-stderr show-ephemeral-port --hold soon
	assert_failure 2
	assert_stderr_contains "invalid hold 'soon': not a number"
	run --separate-stderr show-ephemeral-port 127.0.0.1
	assert_failure 2
	assert_stderr_contains "which port? give HOST:PORT"
	run --separate-stderr show-ephemeral-port 127.0.0.1:0
	assert_failure 2
	run --separate-stderr show-ephemeral-port 127.0.0.1:99999
	assert_failure 2
	assert_stderr_contains "invalid port '99999'"
	run --separate-stderr show-ephemeral-port a:1 b:2
	assert_failure 2
	assert_stderr_contains "unexpected argument 'b:2'"
}
