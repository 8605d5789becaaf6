#!/usr/bin/env bats
# docs/04-ephemeral-ports.md: runs the lesson's command blocks, each in a
# terminal of its own, compares every output block with what was printed
# (doc_expect), and checks what the lesson says about them. Ports: ranges,
# never values.

load test_helper

L=docs/04-ephemeral-ports.md

range() { read -r LO HI </proc/sys/net/ipv4/ip_local_port_range; }

@test "lesson 4: alone, the local port is in the range the lesson shows" {
	range
	doc_run "$L" alone
	assert_success
	doc_expect "$L" alone
	[[ "$output" =~ getsockname\([0-9]+\)\ +-\>\ 127\.0\.0\.1:([0-9]+) ]]
	local port="${BASH_REMATCH[1]}"
	((port >= LO && port <= HI))
	doc_run "$L" range
	assert_success
	doc_expect "$L" range
	assert_equal "$output" "$LO	$HI"
}

@test "lesson 4: against srv-iter: an ephemeral local port; the server sees it" {
	range
	doc_start "$L" server
	doc_run "$L" to-server "$PORT"
	assert_success
	doc_expect "$L" to-server
	[[ "$output" =~ getsockname\([0-9]+\)\ +-\>\ 127\.0\.0\.1:([0-9]+) ]]
	local lport="${BASH_REMATCH[1]}"
	((lport >= LO && lport <= HI))
	doc_expect "$L" "server after to-server"
	assert_output_contains "127.0.0.1:$lport}" "$(doc_out server)"
}

@test "lesson 4: /etc/services names 22 ssh and 80 http, and nothing else" {
	doc_run "$L" services
	assert_success
	doc_expect "$L" services
	refute_output_contains "http-alt"
}

@test "lesson 4: curl's local port is in the same range" {
	range
	doc_start "$L" server
	doc_run "$L" curl-port "$PORT"
	assert_success
	doc_expect "$L" curl-port
	((output >= LO && output <= HI))
}

@test "lesson 4: --count 8 lists eight different ports inside the range" {
	range
	doc_run "$L" count
	assert_success
	doc_expect "$L" count
	[[ "$output" =~ ports\ of\ the\ 8\ connections,\ in\ order:((\ [0-9]+){8}) ]]
	local -a ports
	read -ra ports <<<"${BASH_REMATCH[1]}"
	local p
	for p in "${ports[@]}"; do
		((p >= LO && p <= HI)) || fail "port $p outside $LO-$HI"
	done
	assert_equal "$(printf '%s\n' "${ports[@]}" | sort -u | wc -l)" 8
}

# The text block of the lesson that follows the marker starting with $1.
block_after() {
	awk -v want="$1" '
		index($0, want) == 1 { armed = 1; next }
		armed && !inside && /^```/ { inside = 1; next }
		inside && /^```/ { exit }
		inside { print }
	' "$SOCKLAB_ROOT/$L"
}

@test "lesson 4: where localhost is ::1 first (Debian, Ubuntu), the first try fails as the lesson shows, and the block still holds" {
	[[ "$(id -u)" -eq 0 ]] || skip "a mount namespace with another /etc/hosts needs root"
	command -v unshare >/dev/null || skip "unshare is not installed (util-linux)"
	local hosts="$BATS_TEST_TMPDIR/hosts" wrap="$BATS_TEST_TMPDIR/with-hosts"
	printf '::1\tlocalhost\n127.0.0.1\tlocalhost\n' >"$hosts"
	printf '#!/bin/sh\nmount --bind "%s" /etc/hosts || exit 1\nexec "$@"\n' "$hosts" >"$wrap"
	chmod +x "$wrap"
	run unshare -m "$wrap" getent ahosts localhost
	[[ "$status" -eq 0 && "${lines[0]}" == "::1 "* ]] ||
		skip "no mount namespace here, or ::1 does not sort first: $output"
	doc_start "$L" server
	DOC_WRAP="unshare -m $wrap" doc_run "$L" to-server "$PORT"
	assert_success
	doc_expect "$L" to-server
	# The lines the lesson shows for such a host, then the block's own.
	local first="$BATS_TEST_TMPDIR/first" printed="$BATS_TEST_TMPDIR/printed"
	{ block_after '<!-- not compared: what the block above prints first'; echo '...'; } >"$first"
	[[ "$(wc -l <"$first")" -eq 3 ]] || fail "the lesson's block for ::1 changed:" "$(cat "$first")"
	printf '%s\n' "$output" >"$printed"
	doclib_compare "$L" 0 "$PORT" "$first" "$printed" || fail "the lesson's ::1 lines are not what was printed"
}

@test "lesson 4, exercise 1: the server's accept() lines end with the three ports show-ephemeral-port listed" {
	start_server srv srv-iter --port 0
	run show-ephemeral-port --count 3 "localhost:$PORT"
	assert_success
	[[ "$output" =~ ports\ of\ the\ 3\ connections,\ in\ order:\ ([0-9]+)\ ([0-9]+)\ ([0-9]+) ]] ||
		fail "no ports line:" "$output"
	local p
	for p in "${BASH_REMATCH[@]:1}"; do
		wait_for bg_out_has srv "socket pair {127.0.0.1:$PORT, 127.0.0.1:$p}"
	done
}

@test "lesson 4, exercise 2: cli-connect --bind 127.10.10.2: the address is ours, the port the kernel's (bind()'s parity: odd from 32768)" {
	start_server srv srv-iter --port 0
	run cli-connect --bind 127.10.10.2 "localhost:$PORT"
	assert_success
	[[ "$output" =~ socket\ pair\ \{127\.10\.10\.2:([0-9]+), ]] || fail "no socket pair:" "$output"
	local port="${BASH_REMATCH[1]}"
	# The other parity than the range's start (odd from 32768, the default).
	range
	((port % 2 != LO % 2)) || fail "port $port: the parity of the range's start, $LO"
	wait_for bg_out_has srv "127.10.10.2:$port}"
}
