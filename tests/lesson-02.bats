#!/usr/bin/env bats
# docs/02-busy-server-and-backlog.md: runs the lesson's command blocks and
# checks what the lesson says about them. The lesson's server sleeps 5 s;
# the tests look while it sleeps, then stop it (or, to see the end of a
# sleep, run the same block with a shorter one).

load test_helper

L=docs/02-busy-server-and-backlog.md

# launch NAME SCRIPT: a lesson block in the background, as start_bg starts
# tools, without waiting for any line. Sets LAUNCH_PID.
launch() {
	local name="$1" script="$2"
	cd "$SOCKLAB_ROOT" || return 1
	setsid bash -c "exec $script" </dev/null >"$BATS_TEST_TMPDIR/$name.out" \
		2>"$BATS_TEST_TMPDIR/$name.err" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	LAUNCH_PID=$!
	SOCKLAB_PIDS+=("$LAUNCH_PID")
}

# nobuf SCRIPT: a curl block with curl's output unbuffered (-N) so that the test sees
# Hello, World! when curl does, not when it exits.
nobuf() { printf '%s\n' "${1/curl /curl -N }"; }

lines_of() { grep -nE -- "$2" "$BATS_TEST_TMPDIR/$1.out" | cut -d: -f1 | tr '\n' ' '; }

@test "lesson 2: while srv-sleep sleeps, curl 1 has its reply and waits, curl 2 waits in the queue; ss shows it" {
	doc_start "$L" start-sleepy
	local srv=doc-start-sleepy
	launch c1 "$(nobuf "$(doc_script "$L" curl-first "$PORT")")"
	local c1="$LAUNCH_PID"
	wait_for bg_out_has "$srv" "sleep(5)"
	wait_for bg_out_has c1 "Hello, World!"
	launch c2 "$(nobuf "$(doc_script "$L" curl-second "$PORT")")"
	local c2="$LAUNCH_PID"
	wait_for bg_out_has "$srv" "queue: 1 waiting (backlog 5)"

	# Within the 5 s sleep: curl 1 printed but has not returned, curl 2
	# has printed nothing, the server has accepted one client only.
	alive "$c1"
	alive "$c2"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/c2.out")" ""
	run bg_out "$srv"
	assert_line_matches '^sleep\(5\) +-> sleeping 5 s with the connection still open \(fd 4\); new clients wait in the listen queue$'
	assert_output_contains "queue: 0 waiting (backlog 5)"
	assert_equal "$(grep -c '^accept(' "$BATS_TEST_TMPDIR/$srv.out")" 1
	refute_output_contains "close(4)"

	doc_run "$L" ss-listen "$PORT"
	assert_success
	assert_line_matches "^LISTEN +1 +5 +127\\.0\\.0\\.1:$PORT "
	doc_run "$L" ss-clients "$PORT"
	assert_success
	assert_equal "$(grep -cE "127\\.0\\.0\\.1:$PORT *\$" <<<"$output")" 2

	stop_gracefully "$SERVER_PID" INT
	assert_equal "$STOP_STATUS" 0
}

@test "lesson 2: curl 2 gets its reply only after curl 1's connection is closed (the lesson's blocks, a shorter sleep)" {
	local script
	script="$(doc_script "$L" start-sleepy 0)"
	[[ "$script" == *"--sleep 5"* ]] || fail "the lesson's server block changed: $script"
	start_server srv bash -c "exec ${script/--sleep 5/--sleep 1.5} --port 0"
	launch c1 "$(nobuf "$(doc_script "$L" curl-first "$PORT")")"
	local c1="$LAUNCH_PID"
	wait_for bg_out_has srv "sleep(1.5)"
	launch c2 "$(nobuf "$(doc_script "$L" curl-second "$PORT")")"
	wait_for bg_out_has c2 "Hello, World!"
	wait_for exited "$c1"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/c1.out")" "Hello, World!"
	local q close1 accept2
	q="$(lines_of srv '^queue: 1 waiting' | cut -d' ' -f1)"
	close1="$(lines_of srv '^close\(4\)' | cut -d' ' -f1)"
	accept2="$(lines_of srv '^accept\(3\)' | cut -d' ' -f2)"
	[[ -n "$q" && -n "$close1" && -n "$accept2" ]] || fail "missing lines:" "$(bg_out srv)"
	((q < close1 && close1 < accept2)) || fail "wrong order:" "$(bg_out srv)"
	stop_gracefully "$SERVER_PID" INT
	assert_equal "$STOP_STATUS" 0
}

@test "lesson 2: with --content-length the first curl returns while the server still sleeps" {
	doc_start "$L" framed-sleepy
	launch c1 "$(nobuf "$(doc_script "$L" curl-framed "$PORT")")"
	wait_for exited "$LAUNCH_PID"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/c1.out")" "Hello, World!"
	run bg_out doc-framed-sleepy
	assert_output_contains "sleep(5)"
	refute_output_contains "close(4)"
	stop_gracefully "$SERVER_PID"
	assert_equal "$STOP_STATUS" 0
}

@test "lesson 2: show-backlog admits 6 of 8 with backlog 5, and 1 of 3 with backlog 0" {
	doc_run "$L" backlog-default
	assert_success
	assert_line_matches '^listen\([0-9]+, 5\) +-> ok; and we never call accept\(\)'
	assert_line_matches '^getsockopt\([0-9]+, TCP_INFO\) +-> 6 waiting in the queue \(tcpi_unacked\), backlog 5 \(tcpi_sacked\)$'
	assert_output_contains "result: 6 of 8 clients ESTABLISHED = backlog 5 + 1; 2 stuck in SYN-SENT; none refused"

	doc_run "$L" backlog-zero
	assert_success
	assert_output_contains "result: 1 of 3 clients ESTABLISHED = backlog 0 + 1; 2 stuck in SYN-SENT; none refused"
}

@test "lesson 2: ss agrees while show-backlog holds, and a ninth client times out, not refused" {
	local script
	script="$(doc_script "$L" backlog-hold 0)"
	start_bg hold "^holding for 60 s .*sport = :([0-9]+)'" bash -c "exec $script"
	local port="$BG_MATCH"
	doc_run "$L" ss-backlog "$port"
	assert_success
	assert_line_matches "^LISTEN +6 +5 +127\\.0\\.0\\.1:$port "
	assert_equal "$(grep -cE "^0 +1 +127\\.0\\.0\\.1:[0-9]+ +127\\.0\\.0\\.1:$port *\$" <<<"$output")" 2

	doc_run "$L" curl-stuck "$port"
	assert_failure 28
	assert_line_matches '^curl: \(28\) .*([Tt]imeout|timed out)'
	refute_output_contains "refused"

	stop_gracefully "$BG_PID" INT
	assert_equal "$STOP_STATUS" 0
}

@test "lesson 2: when the queue drains, the stuck clients get in" {
	doc_run "$L" backlog-drain
	assert_success
	assert_output_contains "result: 2 of 4 clients ESTABLISHED = backlog 1 + 1; 2 stuck in SYN-SENT; none refused"
	assert_equal "$(grep -cE '^client [34]: SYN-SENT -> ESTABLISHED, [0-9.]+ s after its connect\(\): a resent SYN found room$' <<<"$output")" 2
	assert_output_contains "all 4 clients connected and accepted; 2 of them only once the queue had room"
}

@test "lesson 2, exercise 1: fewer clients than the queue holds all get in" {
	doc_run "$L" ex-fewer
	assert_success
	assert_output_contains "result: all 3 clients ESTABLISHED: the queue (room for backlog 2 + 1) never filled"
}

@test "lesson 2, exercise 2: a backlog of 5000 is capped at net.core.somaxconn, and said so" {
	local max
	max="$(cat /proc/sys/net/core/somaxconn)"
	doc_run "$L" ex-capped
	assert_success
	if ((max < 5000)); then
		assert_output_contains "note: backlog 5000 capped to $max by net.core.somaxconn"
		assert_line_matches "backlog $max \\(tcpi_sacked\\)\$"
	else
		refute_output_contains "capped"
	fi
}

@test "lesson 2, exercise 3: a bigger backlog does not serve the second client sooner" {
	start_server srv srv-sleep --port 0 --sleep 1.5 --backlog 100
	launch c1 "curl -sSN http://127.0.0.1:$PORT/first"
	wait_for bg_out_has srv "sleep(1.5)"
	launch c2 "curl -sSN http://127.0.0.1:$PORT/second"
	wait_for bg_out_has srv "queue: 1 waiting (backlog 100)"
	wait_for bg_out_has c2 "Hello, World!"
	local close1 get2
	close1="$(lines_of srv '^close\(4\)' | cut -d' ' -f1)"
	get2="$(lines_of srv '^  \| GET /second ')"
	[[ -n "$close1" && -n "$get2" ]] || fail "missing lines:" "$(bg_out srv)"
	((close1 < get2)) || fail "the second request was read before the first close" "$(bg_out srv)"
}
