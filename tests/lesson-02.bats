#!/usr/bin/env bats
# docs/02-busy-server-and-backlog.md: runs the lesson's command blocks, each
# in a terminal of its own, compares every output block with what was
# printed (doc_expect) and checks what the lesson says about them. The
# lesson's server sleeps 60 s (the article's); the tests look while it
# sleeps, then stop it, or, to see the end of a sleep, run the same block
# with a shorter one. Under make pace, a person's pauses between the steps:
# the 60 s must leave the time to start two curls and run ss twice.

load test_helper

L=docs/02-busy-server-and-backlog.md

# launch NAME SCRIPT: a client in the background, without waiting for any
# line. Sets LAUNCH_PID.
launch() {
	local name="$1" script="$2"
	cd "$SOCKLAB_ROOT" || return 1
	setsid bash -c "exec $script" </dev/null >"$BATS_TEST_TMPDIR/$name.out" \
		2>"$BATS_TEST_TMPDIR/$name.err" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	LAUNCH_PID=$!
	SOCKLAB_PIDS+=("$LAUNCH_PID")
}

# nobuf SCRIPT: a curl block with curl's output unbuffered (-N), so that the
# test sees Hello, World! when curl has it (no terminal here).
nobuf() { printf '%s\n' "${1/curl /curl -N }"; }

lines_of() { grep -nE -- "$2" "$BATS_TEST_TMPDIR/$1.out" | cut -d: -f1 | tr '\n' ' '; }

@test "lesson 2: while srv-sleep sleeps, curl 1 has its reply and waits, curl 2 waits in the queue; ss shows it; stopped, the server closes curl 1 and the kernel resets curl 2" {
	doc_start "$L" start-sleepy
	doc_launch "$L" curl-first "$PORT" 'Hello, World!'
	local c1="$LAUNCH_PID"
	doc_expect "$L" curl-first
	doc_launch "$L" curl-second "$PORT"
	local c2="$LAUNCH_PID"
	doc_expect "$L" "start-sleepy after curl-first"

	# Within the sleep: curl 1 printed but has not returned, curl 2 has
	# printed nothing, the server has accepted one client only.
	doc_run "$L" ss-listen "$PORT"
	assert_success
	doc_expect "$L" ss-listen
	doc_run "$L" ss-clients "$PORT"
	assert_success
	doc_expect "$L" ss-clients
	alive "$c1"
	alive "$c2"
	assert_equal "$(doc_out curl-second)" ""
	assert_equal "$(grep -c '^accept(' "$BATS_TEST_TMPDIR/doc-start-sleepy.out")" 1
	refute_output_contains "close(4)" "$(doc_out start-sleepy)"

	# Section 3: the server stopped within its minute. Curl 1 has its close;
	# curl 2, still in the queue, is reset by the kernel.
	doc_ctrl_c start-sleepy
	assert_equal "$STOP_STATUS" 0
	doc_wait curl-second
	assert_equal "$STOP_STATUS" 56
	doc_expect "$L" "curl-second after Ctrl-C"
	doc_wait curl-first
	assert_equal "$STOP_STATUS" 0
	assert_equal "$(doc_out curl-first)" "Hello, World!"
}

@test "lesson 2: curl 2 gets its reply only after curl 1's connection is closed (the lesson's blocks, a shorter sleep)" {
	# The lesson's blocks, but the server's sleep shortened, to see its end:
	# nothing here runs at a person's pace (make pace), hence no doc_start.
	local script
	script="$(doc_script "$L" start-sleepy 0)"
	[[ "$script" == *"--sleep 60 "* ]] || fail "the lesson's server block changed: $script"
	start_server srv bash -c "exec ${script/--sleep 60 /--sleep 1.5 }"
	launch c1 "$(nobuf "$(doc_script "$L" curl-first "$PORT")")"
	local c1="$LAUNCH_PID"
	wait_for bg_out_has srv "sleep(1.5)"
	launch c2 "$(nobuf "$(doc_script "$L" curl-second "$PORT")")"
	wait_for bg_out_has c2 "Hello, World!"
	wait_for exited "$c1"
	assert_equal "$(bg_out c1)" "Hello, World!"
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
	doc_run "$L" curl-framed "$PORT"
	assert_success
	doc_expect "$L" curl-framed
	run doc_out framed-sleepy
	assert_output_contains "sleep(60)"
	refute_output_contains "close(4)"
	doc_ctrl_c framed-sleepy
	assert_equal "$STOP_STATUS" 0
}

@test "lesson 2: show-backlog admits 6 of 8 with backlog 5, and 1 of 3 with backlog 0" {
	doc_run "$L" backlog-default
	assert_success
	doc_expect "$L" backlog-default
	doc_run "$L" backlog-zero
	assert_success
	doc_expect "$L" backlog-zero
}

@test "lesson 2: ss agrees while show-backlog holds, and a ninth client times out, not refused" {
	doc_launch "$L" backlog-hold 0 "^holding for 60 s .*sport = :([0-9]+)'"
	PORT="$BG_MATCH"
	doc_run "$L" ss-backlog "$PORT"
	assert_success
	doc_expect "$L" ss-backlog
	# The SYN queue: empty while the accept queue is full (its SYNs dropped).
	doc_run "$L" ss-syn-recv "$PORT"
	assert_success
	doc_expect "$L" ss-syn-recv
	doc_run "$L" syn-sysctls
	assert_success
	doc_expect "$L" syn-sysctls
	assert_line_matches '^/proc/sys/net/ipv4/tcp_syncookies:[012]$'
	doc_run "$L" curl-stuck "$PORT"
	assert_failure 28
	doc_expect "$L" curl-stuck
	doc_ctrl_c backlog-hold
	assert_equal "$STOP_STATUS" 0
}

@test "lesson 2: when the queue drains, the stuck clients get in" {
	doc_run "$L" backlog-drain
	assert_success
	doc_expect "$L" backlog-drain
	# Clients 3 and 4 (the lesson writes [N]: either may come first).
	assert_equal "$(grep -cE '^client [34]: SYN-SENT -> ESTABLISHED' <<<"$output")" 2
	assert_equal "$(grep -cE '^accept\(3\) .*\(client [34]\)$' <<<"$output")" 2
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

@test "lesson 2: Ctrl-C ends show-backlog early, and it says so, before its report or once it accepts (status 130)" {
	start_bg wait '^waiting 30 s for the handshakes' show-backlog --wait 30
	stop_gracefully "$BG_PID" INT
	assert_equal "$STOP_STATUS" 130
	run bg_out wait
	assert_line_matches '^interrupted by SIGINT: what was seen so far$'
	assert_line_matches '^result: '
	start_bg drain '^in 30 s we accept' show-backlog --backlog 1 --clients 4 --accept-after 30
	stop_gracefully "$BG_PID" INT
	assert_equal "$STOP_STATUS" 130
	run bg_out drain
	assert_line_matches '^[0-9]+ of 4 clients accepted when SIGINT stopped it, '
}

@test "lesson 2 shows the step webserver3a to 3b as diff(1) prints it, in both editions" {
	run "$SOCKLAB_ROOT/scripts/listings.sh" --check docs/02-busy-server-and-backlog.md docs/zh/02-busy-server-and-backlog.md
	assert_success
	local page
	for page in docs/02-busy-server-and-backlog.md docs/zh/02-busy-server-and-backlog.md; do
		grep -qxF '<!-- listing: diff -u article/webserver3a.c article/webserver3b.c -->' "$SOCKLAB_ROOT/$page" ||
			fail "$page does not show the step webserver3a to 3b"
	done
}
