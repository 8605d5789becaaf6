#!/usr/bin/env bats
# docs/04-ephemeral-ports.md: runs the lesson's command blocks and checks
# what the lesson says about them. Ports: ranges, never values.

load test_helper

L=docs/04-ephemeral-ports.md

range() { read -r LO HI </proc/sys/net/ipv4/ip_local_port_range; }

@test "lesson 4: alone, the local port is in the range the lesson shows" {
	range
	doc_run "$L" alone
	assert_success
	[[ "$output" =~ getsockname\([0-9]+\)\ +-\>\ 127\.0\.0\.1:([0-9]+) ]]
	local port="${BASH_REMATCH[1]}"
	((port >= LO && port <= HI))
	assert_line_matches "^local port $port: inside the range: an ephemeral port\$"
	doc_run "$L" range
	assert_success
	assert_equal "$output" "$LO	$HI"
}

@test "lesson 4: against srv-iter: an ephemeral local port; the server sees it" {
	range
	doc_start "$L" server
	doc_run "$L" to-server "$PORT"
	assert_success
	[[ "$output" =~ getsockname\([0-9]+\)\ +-\>\ 127\.0\.0\.1:([0-9]+) ]]
	local lport="${BASH_REMATCH[1]}"
	((lport >= LO && lport <= HI))
	assert_line_matches "^remote port $PORT: "
	wait_for bg_out_has doc-server "127.0.0.1:$lport}"
}

@test "lesson 4: /etc/services names 22 ssh and 80 http" {
	doc_run "$L" services
	assert_success
	assert_line_matches '^ssh[[:space:]]+22/tcp'
	assert_line_matches '^http[[:space:]]+80/tcp'
}

@test "lesson 4: curl's local port is in the same range" {
	range
	doc_start "$L" server
	doc_run "$L" curl-port "$PORT"
	assert_success
	((output >= LO && output <= HI))
}

@test "lesson 4: --count 8 lists eight different ports inside the range" {
	range
	doc_run "$L" count
	assert_success
	[[ "$output" =~ ports\ of\ the\ 8\ connections,\ in\ order:((\ [0-9]+){8}) ]]
	local -a ports
	read -ra ports <<<"${BASH_REMATCH[1]}"
	local p
	for p in "${ports[@]}"; do
		((p >= LO && p <= HI)) || fail "port $p outside $LO-$HI"
	done
	assert_equal "$(printf '%s\n' "${ports[@]}" | sort -u | wc -l)" 8
	assert_output_contains "8 of 8 inside the range"
}
