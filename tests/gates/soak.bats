#!/usr/bin/env bats
# make soak: srv-iter under load and under hostile clients, bounded in count
# and time, loopback only (tests/gates/client.py is every client).
#
#   - SOAK_REQUESTS (20,000) sequential requests: afterwards the server has
#     exactly as many descriptors as before, and its resident memory (VmRSS)
#     grew by at most SOAK_RSS_SLACK_KB (256 kB: allocator noise; a leak of
#     one 8 KiB request buffer per request would be 160 MB).
#   - clients that trickle, stall half-way, send oversized headers, reset,
#     half-close or vanish, while a normal client is still served in time.
#   - srv-fork (when it is built): a burst of 500 clients, then no zombie
#     and no descriptor growth.
#   - srv-sleep --sleep 60: 100 clients that vanish or reset delay a normal
#     client by nothing (it sleeps only after a reply).
#   - srv-prefork and srv-thread (per connection and --pool): bursts of 500
#     clients and sequential requests, then the same descriptors, threads
#     and children as before, and VmRSS within SOAK_RSS_SLACK_KB (after a
#     first burst: glibc keeps finished threads' stacks for the next ones;
#     a thread per connection: of the highest of 3 more bursts).
#   - check-server, SOAK_GRADES (64) gradings of a server whose first thread
#     prints the ready line and exits (tests/servers/main-exits.c), 8 at a
#     time: each start is seen ready. The line came between two looks at
#     the server's stdout, and was read but not noted: 16 of 240 gradings
#     failed that way, under this load, before the fix.

load gate_helper

: "${SOAK_REQUESTS:=20000}"
: "${SOAK_RSS_SLACK_KB:=256}"
: "${SOAK_GRADES:=64}"

@test "srv-iter serves $SOAK_REQUESTS sequential requests with no descriptor or memory growth" {
	start_server srv srv-iter --quiet --port 0
	# Warm up: the first requests fault in the pages any request uses.
	run client seq "$PORT" 200
	assert_success
	local fds0 rss0 fds1 rss1
	fds0="$(fd_count "$SERVER_PID")" rss0="$(rss_kb "$SERVER_PID")"
	run client seq "$PORT" "$SOAK_REQUESTS"
	assert_success
	assert_output_contains "$SOAK_REQUESTS/$SOAK_REQUESTS ok"
	fds1="$(fd_count "$SERVER_PID")" rss1="$(rss_kb "$SERVER_PID")"
	echo "# descriptors $fds0 -> $fds1, VmRSS $rss0 -> $rss1 kB ($output)" >&3
	assert_equal "$fds1" "$fds0"
	((rss1 - rss0 <= SOAK_RSS_SLACK_KB)) || fail "VmRSS grew from $rss0 to $rss1 kB"
	stop_gracefully "$SERVER_PID"
	assert_equal "$STOP_STATUS" 0
	run bg_err srv
	assert_equal "$output" ""
}

@test "srv-iter gives up on a trickling and a stalled client after --timeout, then serves the next client" {
	start_server srv srv-iter --quiet --port 0 --timeout 2
	# Ahead of the normal client: one that trickles 3 bytes (1 per second)
	# then goes silent, and one that sends half a request line and stalls.
	start_bg trickle '^connected' python3 "$GATES/client.py" trickle "$PORT" 3
	start_bg partial '^sent' python3 "$GATES/client.py" partial "$PORT"
	# The server owes each at most its trickle time + --timeout: 3 + 2 + 2,
	# plus 2 s of slack.
	run client get "$PORT" 9
	assert_success
	run bg_err srv
	assert_line_matches 'recv from 127\.0\.0\.1:[0-9]+: no request within 2 s'
	[[ "$(grep -c 'no request within' <<<"$output")" -eq 2 ]] || fail "expected two timeouts:" "$output"
	alive "$SERVER_PID"
}

@test "srv-iter survives oversized headers, resets, half-closes and vanishing clients, and serves a normal client within --timeout" {
	start_server srv srv-iter --quiet --port 0 --timeout 2
	run client seq "$PORT" 5
	assert_success
	local fds0
	fds0="$(fd_count "$SERVER_PID")"
	local i
	for i in 1 2 3; do
		run client oversized "$PORT" $((i * 20000))
		assert_success
	done
	run client vanish "$PORT" 50
	assert_success
	run client reset "$PORT" 50
	assert_success
	run client halfclose "$PORT"
	assert_success
	run client halfclose-raw "$PORT"
	assert_success
	# After all that, a normal client within the documented timeout.
	run client get "$PORT" 2
	assert_success
	alive "$SERVER_PID"
	assert_equal "$(fd_count "$SERVER_PID")" "$fds0"
	run bg_err srv
	assert_output_contains "larger than 8192 bytes (--max-request)"
	assert_output_contains "closed the connection without sending a request"
	assert_output_contains "Connection reset by peer"
}

# A slowloris: a client that sends one byte a second, for ever. --timeout is
# a deadline for the whole request, so it cannot hold the iterative server.
@test "srv-iter serves a normal client within --timeout while another trickles a byte a second" {
	start_server srv srv-iter --quiet --port 0 --timeout 2
	start_bg trickle '^connected' python3 "$GATES/client.py" trickle "$PORT" 0
	run client get "$PORT" 4
	assert_success
}

# srv-fork: one child per client. Runs once bin/srv-fork exists.
@test "srv-fork: a burst of 500 clients leaves no zombie and no extra descriptor" {
	has_tool srv-fork || skip "srv-fork is not built yet"
	start_server srv srv-fork --quiet --port 0 --backlog 512
	run client seq "$PORT" 5
	assert_success
	local fds0
	fds0="$(fd_count "$SERVER_PID")"
	run client burst "$PORT" 500
	assert_success
	no_zombies() { ps -o stat= --ppid "$SERVER_PID" | awk '/^Z/ { z = 1 } END { exit z }'; }
	wait_for no_zombies
	assert_equal "$(fd_count "$SERVER_PID")" "$fds0"
	stop_gracefully "$SERVER_PID"
	assert_equal "$STOP_STATUS" 0
}

# srv-sleep sleeps only after a reply (issue 12, item 5): clients that fail
# cost it nothing, so a normal client behind a hundred of them is served at
# once, not after a hundred 60-second sleeps.
@test "srv-sleep: 50 vanishing and 50 resetting clients, then a normal client served within 2 s" {
	has_tool srv-sleep || skip "srv-sleep is not built"
	# --content-length: the normal client's reply is complete without the
	# close, which comes only after the server's 60 s sleep.
	start_server srv srv-sleep --quiet --port 0 --sleep 60 --backlog 128 --content-length
	run client vanish "$PORT" 50
	assert_success
	run client reset "$PORT" 50
	assert_success
	run curl -sS --max-time 2 "http://127.0.0.1:$PORT/"
	assert_success
	assert_equal "$output" "Hello, World!"
	alive "$SERVER_PID"
	stop_gracefully "$SERVER_PID"
	assert_equal "$STOP_STATUS" 0
	assert_output_contains "Stopped: served 1 request." "$(bg_out srv)"
}

# kids PID: the children of PID.
kids() { pgrep -P "$1" | sort -n; }
tasks() { find "/proc/$1/task" -mindepth 1 -maxdepth 1 | wc -l; }

@test "srv-prefork: bursts of 500 and sequential requests: the same children, no descriptor or memory growth" {
	has_tool srv-prefork || skip "srv-prefork is not built"
	start_server srv srv-prefork --quiet --port 0 --backlog 512 --children 4
	run client burst "$PORT" 500
	assert_success
	local k before fds0=() rss0=() i=0
	before="$(kids "$SERVER_PID")"
	for k in $SERVER_PID $before; do
		fds0+=("$(fd_count "$k")") rss0+=("$(rss_kb "$k")")
	done
	run client burst "$PORT" 500
	assert_success
	run client seq "$PORT" $((SOAK_REQUESTS / 4))
	assert_success
	assert_equal "$(kids "$SERVER_PID")" "$before"
	for k in $SERVER_PID $before; do
		assert_equal "$(fd_count "$k")" "${fds0[i]}"
		(($(rss_kb "$k") - rss0[i] <= SOAK_RSS_SLACK_KB)) ||
			fail "VmRSS of $k grew from ${rss0[i]} to $(rss_kb "$k") kB"
		i=$((i + 1))
	done
	stop_gracefully "$SERVER_PID"
	assert_equal "$STOP_STATUS" 0
	assert_output_contains "meter: 4 children: $((1000 + SOAK_REQUESTS / 4)) connections;" "$(bg_out srv)"
}

@test "srv-thread, per connection and --pool 8: bursts of 500 and sequential requests: no thread, descriptor or memory left" {
	has_tool srv-thread || skip "srv-thread is not built"
	local mode fds0 rss0
	tasks_back() { [[ "$(tasks "$SERVER_PID")" -eq "$TASKS0" ]]; }
	for mode in "" "--pool 8"; do
		# shellcheck disable=SC2086
		start_server "srv$mode" srv-thread --quiet --port 0 --backlog 512 $mode
		run client burst "$PORT" 500
		assert_success
		TASKS0="$(tasks "$SERVER_PID")" fds0="$(fd_count "$SERVER_PID")" rss0="$(rss_kb "$SERVER_PID")"
		# A thread per connection: VmRSS goes up and down by up to about
		# 450 kB from burst to burst (glibc keeps the stacks of exited
		# threads for the next ones, up to 40 MiB, and how many of their
		# pages are touched depends on how many threads ran at once:
		# 2132, 2532, 2544, 2388, 2580 ... 2184 kB after 12 bursts, no
		# trend). The highest of 3 more bursts is the base: a leak
		# still grows past it with the requests that follow.
		for _ in 1 2 3; do
			run client burst "$PORT" 500
			assert_success
			wait_for tasks_back
			(($(rss_kb "$SERVER_PID") > rss0)) && rss0="$(rss_kb "$SERVER_PID")"
		done
		run client seq "$PORT" $((SOAK_REQUESTS / 4))
		assert_success
		wait_for tasks_back
		assert_equal "$(fd_count "$SERVER_PID")" "$fds0"
		echo "# srv-thread $mode: VmRSS $rss0 -> $(rss_kb "$SERVER_PID") kB" >&3
		(($(rss_kb "$SERVER_PID") - rss0 <= SOAK_RSS_SLACK_KB)) ||
			fail "VmRSS grew from $rss0 to $(rss_kb "$SERVER_PID") kB"
		stop_gracefully "$SERVER_PID"
		assert_equal "$STOP_STATUS" 0
		assert_output_contains "Stopped: served $((2000 + SOAK_REQUESTS / 4)) requests." "$(bg_out "srv$mode")"
	done
}

@test "check-server: $SOAK_GRADES gradings, 8 at a time, of a server whose first thread prints the ready line and exits: every start is seen" {
	has_tool check-server || skip "check-server is not built"
	run make -s -C "$SOCKLAB_ROOT" --no-print-directory build/servers/main-exits
	assert_success
	local out="$BATS_TEST_TMPDIR/grades"
	mkdir -p "$out"
	# Each grading writes its exit status, then its stderr, to a file.
	# shellcheck disable=SC2016
	seq "$SOAK_GRADES" | xargs -P 8 -I{} sh -c '"$1" --json --clients 32 --requests 100 --limit fin=0.5 \
		--limit silent=3 --limit sigterm=4 -- "$2" 0 >/dev/null 2>"$3.err"; echo "$?" >"$3"' \
		sh "$SOCKLAB_BIN/check-server" "$SOCKLAB_ROOT/build/servers/main-exits" "$out/{}"
	local f bad=0
	for f in "$out"/*[0-9]; do
		[[ "$(cat "$f")" == 0 ]] || { bad=$((bad + 1)); echo "# $(cat "$f.err")" >&3; }
	done
	echo "# $(find "$out" -name "*[0-9]" | wc -l) gradings, $bad not passed" >&3
	assert_equal "$(find "$out" -name '*[0-9]' | wc -l)" "$SOAK_GRADES"
	assert_equal "$bad" 0
}
