#!/usr/bin/env bats
# docs/06-beyond-fork.md: runs the lesson's command blocks, each in a
# terminal of its own, compares every output block with what was printed
# (doc_expect), and checks what the lesson says about them. Sections 1 to 5
# (srv-prefork, srv-thread): the same children serve every client, the
# meter's wakeups for nothing, the threads' tasks and descriptors, the race
# of --by-pointer, the growth of --no-detach. Section 6 (srv-poll), in both
# editions (docs/zh/ has the same blocks): a wakeup a line, a slow client
# delays nobody, idle connections cost descriptors, select's FD_SETSIZE,
# edge-triggered epoll drained until EAGAIN and the clients --no-drain
# leaves in the queue.
# The servers are found by the PID they print first, noted as the learner
# notes it (doc_remember). Both halves check that the code the lesson
# points at or quotes is the tools' code. Under make pace, a person's pauses
# between the steps.

load test_helper

L=docs/06-beyond-fork.md
LESSON=06-beyond-fork.md

# said_its_pid NAME: the server of background block NAME printed its PID
# first (getpid() -> PID, tagged [parent] or [main] where several flows
# narrate), the PID the learner notes: the server's (SERVER_PID, the job of
# its terminal).
said_its_pid() {
	assert_line_matches "^(\\[(parent|main)\\] )?getpid\\(\\) +-> $SERVER_PID\$" \
		"$(doc_out "$1" | head -n 1)"
}

# kids_of, kids_are, tasks_are: tests/test_helper.bash.

# futile NAME: the meter's total of wakeups for nothing, in block NAME's
# terminal.
futile() {
	local line
	line="$(doc_out "$1" | grep -E '^meter: [0-9]+ child')" || { fail "no meter"; return 1; }
	[[ "$line" =~ :\ 40\ connections\;\ woke\ [0-9]+\ times?,\ ([0-9]+)\ for\ nothing ]] ||
		{ fail "meter not understood: $line"; return 1; }
	echo "${BASH_REMATCH[1]}"
}

@test "lesson 6: srv-prefork: three children forked once serve every client; one killed is replaced; the meter" {
	doc_start "$L" start-prefork
	doc_expect "$L" start-prefork
	wait_for kids_are "$SERVER_PID" 3
	local kids
	kids="$(kids_of "$SERVER_PID" | sort)"
	doc_run "$L" six-curls "$PORT"
	assert_success
	doc_expect "$L" six-curls
	doc_expect "$L" "start-prefork after six-curls"
	# Each accept() was one of the three children's: no fork per client.
	local pid
	while read -r pid; do
		grep -qx "$pid" <<<"$kids" || fail "accept() by $pid, not one of $kids"
	done < <(doc_out start-prefork | sed -n 's/^\[child \([0-9]*\)\] accept(3) .*/\1/p')
	assert_equal "$(doc_out start-prefork | grep -c '^\[parent\] fork()')" 3

	# The learner notes a child's PID from a fork() line, and kills it.
	local child
	child="$(doc_out start-prefork | sed -n 's/^\[parent\] fork() *-> child pid \([0-9]*\) (1 of 3)$/\1/p')"
	grep -qx "$child" <<<"$kids" || fail "fork()'s child '$child' is not one of $kids"
	doc_remember "$L" prefork-child "$child"
	doc_run "$L" kill-child "$PORT"
	assert_success
	doc_expect "$L" "start-prefork after kill-child"
	wait_for doc_out_has start-prefork "-> pid $child (killed by signal 9)"
	wait_for doc_out_has start-prefork ", in place of $child"
	wait_for kids_are "$SERVER_PID" 3
	doc_run "$L" six-curls "$PORT"
	assert_success
	doc_ctrl_c start-prefork
	assert_equal "$STOP_STATUS" 0
	doc_expect "$L" "start-prefork after Ctrl-C"
}

@test "lesson 6: the herd: blocked in accept() (almost) no wakeup for nothing, in poll() most, with SO_REUSEPORT none" {
	local n
	doc_start "$L" herd-accept
	doc_run "$L" forty-curls "$PORT"
	assert_success
	doc_expect "$L" forty-curls
	doc_ctrl_c herd-accept
	assert_equal "$STOP_STATUS" 0
	doc_expect "$L" "herd-accept after Ctrl-C"
	n="$(futile herd-accept)"
	((n * 4 <= 40)) || fail "blocked in accept(): $n wakeups for nothing"

	doc_start "$L" herd-poll
	doc_run "$L" forty-curls "$PORT"
	assert_success
	doc_ctrl_c herd-poll
	assert_equal "$STOP_STATUS" 0
	doc_expect "$L" "herd-poll after Ctrl-C"
	n="$(futile herd-poll)"
	((n >= 40)) || fail "in poll(): only $n wakeups for nothing"
	echo "# --wait poll: $n wakeups for nothing for 40 clients" >&3

	doc_start "$L" herd-reuseport
	doc_run "$L" count-listeners "$PORT"
	assert_success
	doc_expect "$L" count-listeners
	doc_run "$L" forty-curls "$PORT"
	assert_success
	doc_ctrl_c herd-reuseport
	assert_equal "$STOP_STATUS" 0
	doc_expect "$L" "herd-reuseport after Ctrl-C"
}

@test "lesson 6: srv-thread: a silent client holds thread 1 (two tasks, one copy of fd 4) while another is served at once" {
	doc_start "$L" start-thread
	doc_shell shell
	doc_type shell "$L" hold-thread "$PORT"
	doc_expect "$L" "start-thread after hold-thread"
	wait_for tasks_are "$SERVER_PID" 2
	said_its_pid start-thread
	doc_remember "$L" thread-pid "$SERVER_PID"
	doc_run "$L" look-thread "$PORT"
	assert_success
	doc_expect "$L" look-thread
	[[ -z "$(kids_of "$SERVER_PID")" ]] || fail "srv-thread has child processes"
	doc_run "$L" curl-thread "$PORT"
	assert_success
	doc_expect "$L" curl-thread
	doc_type shell "$L" release-thread
	doc_expect "$L" "start-thread after release-thread"
	wait_for tasks_are "$SERVER_PID" 1
	doc_ctrl_c start-thread
	assert_equal "$STOP_STATUS" 0
	doc_expect "$L" "start-thread after Ctrl-C"
}

@test "lesson 6: --by-pointer: one of two clients answered, two threads serve fd 5, fd 4 leaks" {
	doc_start "$L" by-pointer-server
	doc_run "$L" by-pointer-clients "$PORT"
	doc_expect "$L" by-pointer-clients
	doc_expect "$L" "by-pointer-server after by-pointer-clients"
	wait_for tasks_are "$SERVER_PID" 1
	said_its_pid by-pointer-server
	doc_remember "$L" by-pointer-pid "$SERVER_PID"
	doc_run "$L" by-pointer-fds "$PORT"
	assert_success
	doc_expect "$L" by-pointer-fds
	doc_ctrl_c by-pointer-server
	assert_equal "$STOP_STATUS" 0
}

@test "lesson 6: --no-detach: VmSize grows by a stack per client, one task left; joined at Ctrl-C" {
	doc_start "$L" no-detach-server
	said_its_pid no-detach-server
	doc_remember "$L" no-detach-pid "$SERVER_PID"
	doc_run "$L" no-detach-growth "$PORT"
	assert_success
	doc_expect "$L" no-detach-growth
	local sizes
	mapfile -t sizes < <(sed -n 's/^\([0-9]*\) kB$/\1/p' <<<"$output")
	assert_equal "${#sizes[@]}" 2
	local growth=$((sizes[1] - sizes[0]))
	echo "# VmSize grew by $growth kB for 10 clients" >&3
	((growth >= 10 * 1024)) || fail "VmSize grew by $growth kB only"
	doc_ctrl_c no-detach-server
	assert_equal "$STOP_STATUS" 0
	doc_expect "$L" "no-detach-server after Ctrl-C"
}

@test "lesson 6: --pool 3: four tasks, the six clients served by the pool, Ctrl-C joins them" {
	doc_start "$L" start-pool
	said_its_pid start-pool
	doc_remember "$L" pool-pid "$SERVER_PID"
	wait_for tasks_are "$SERVER_PID" 4
	doc_run "$L" pool-tasks "$PORT"
	assert_success
	doc_expect "$L" pool-tasks
	doc_run "$L" six-curls "$PORT"
	assert_success
	doc_expect "$L" "start-pool after six-curls"
	doc_ctrl_c start-pool
	assert_equal "$STOP_STATUS" 0
	doc_expect "$L" "start-pool after Ctrl-C"
}

# ----------------------------------------------- section 6: the event loop

each_edition() {
	local L
	for L in $(doc_editions "$LESSON"); do
		echo "# edition: $L"
		"$1"
		socklab_teardown
	done
}

check_one_request() {
	doc_start "$L" poll-server
	doc_expect "$L" poll-server
	doc_run "$L" poll-curl "$PORT"
	assert_success
	doc_expect "$L" poll-curl
	doc_expect "$L" "poll-server after poll-curl"
}

@test "lesson 6: the event loop narrates its start and one request, a wakeup a line" {
	each_edition check_one_request
}

check_slow_client() {
	doc_start "$L" poll-server
	doc_launch "$L" slow-client "$PORT" '^send\('
	doc_expect "$L" "poll-server after slow-client"
	# The block's curl has --max-time 2: "curl exit status: 0" is the
	# proof that it was answered at once (a timer here would also count
	# make pace's pause before the step).
	doc_run "$L" fast-curl "$PORT"
	assert_success
	doc_expect "$L" fast-curl
	doc_expect "$L" "poll-server after fast-curl"
	# The slow client still waits: it has had no reply.
	doc_alive slow-client || fail "the slow client was answered or closed"
	# No reply at all: nothing received (a port number may contain any
	# three digits, so look for a recv() that got bytes, not for a code).
	! grep -E '^recv\([0-9]+\) +-> [0-9]+ bytes' <<<"$(doc_out slow-client)" ||
		fail "the slow client received a reply"
	doc_ctrl_c slow-client
}

@test "lesson 6: a client with half a request delays nobody: curl is answered at once" {
	each_edition check_slow_client
}

check_idle() {
	doc_start "$L" poll-server
	doc_launch "$L" idle-clients "$PORT" '^holding 100 idle'
	said_its_pid poll-server
	doc_remember "$L" poll-pid "$SERVER_PID"
	wait_for bg_fds_are "$SERVER_PID" 105
	doc_run "$L" count-fds "$PORT"
	assert_success
	doc_expect "$L" count-fds
	# One process, one thread.
	assert_equal "$(ps -o nlwp= -p "$SERVER_PID" | tr -d ' ')" 1
	doc_ctrl_c idle-clients
	doc_expect "$L" idle-clients
	doc_expect "$L" "poll-server after Ctrl-C"
}
bg_fds_are() { [[ "$(find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l)" -eq "$2" ]]; }

@test "lesson 6: 100 idle connections cost the one process 100 descriptors" {
	each_edition check_idle
}

check_select() {
	# The server's copy (tee): one per test, as each learner has theirs.
	doc_subst /tmp/srv-poll.log "$BATS_TEST_TMPDIR/srv-poll.log"
	doc_start "$L" select-server
	# The block runs the server through tee: the job of its terminal is the
	# shell; the server is its child, the one that printed its PID first.
	local pid
	pid="$(doc_out select-server | sed -n 's/^getpid() *-> \([0-9]*\)$/\1/p' | head -n 1)"
	[[ "$(ps -o ppid= -p "$pid" | tr -d ' ')" == "$SERVER_PID" ]] ||
		fail "no server child of the block's shell: '$pid'" "$(doc_out select-server)"
	SERVER_PID="$pid"
	doc_run "$L" select-idle "$PORT"
	assert_failure 1
	doc_expect "$L" select-idle
	# The 1,030 are closed after 3 s: the server is back to 0-3.
	wait_for bg_fds_are "$SERVER_PID" 4
	doc_run "$L" select-log "$PORT"
	assert_success
	doc_expect "$L" select-log
	echo "# the server's terminal: $(wc -l <"$BATS_TEST_TMPDIR/doc-select-server.out") lines" >&3
	doc_ctrl_c select-server
	assert_equal "$STOP_STATUS" 0
	doc_expect "$L" "select-server after Ctrl-C"
}

@test "lesson 6: select cannot watch descriptor 1024: the 1,021st idle client gets 503, with a message" {
	each_edition check_select
}

# edge_line NAME: the wakeups, clients accepted and clients left of the
# last line --edge printed in background block NAME's terminal.
edge_line() {
	local line
	line="$(doc_out "$1" | grep '^wakeups of the listener: ')" || { fail "no wakeups line"; return 1; }
	[[ "$line" =~ ^wakeups\ of\ the\ listener:\ ([0-9]+)\ .*accepted:\ ([0-9]+)\;\ left\ in\ the\ accept\ queue:\ ([0-9]+)\.$ ]] ||
		{ fail "not understood: $line"; return 1; }
	echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[3]}"
}

check_edge() {
	local woke accepted left
	doc_start "$L" edge-server
	doc_expect "$L" edge-server
	doc_run "$L" edge-burst "$PORT"
	assert_success
	doc_expect "$L" edge-burst
	doc_expect "$L" "edge-server after edge-burst"
	# The clients have gone: each accepted connection closed (0-4 left).
	wait_for bg_fds_are "$SERVER_PID" 5
	doc_ctrl_c edge-server
	assert_equal "$STOP_STATUS" 0
	doc_expect "$L" "edge-server after Ctrl-C"
	read -r woke accepted left < <(edge_line edge-server)
	# Drained: all 100 accepted, none left; never more wakeups than
	# clients, and each wakeup's accept4() loop ends with EAGAIN.
	assert_equal "$accepted $left" "100 0"
	((woke >= 1 && woke <= 100)) || fail "$woke wakeups for 100 clients"
	assert_equal "$(doc_out edge-server | grep -c 'EAGAIN: the queue is empty: ')" "$woke"
	echo "# --edge: $woke wakeups of the listener for 100 clients" >&3

	doc_start "$L" nodrain-server
	doc_run "$L" edge-burst "$PORT"
	assert_success
	doc_expect "$L" edge-burst
	doc_expect "$L" "nodrain-server after edge-burst"
	doc_run "$L" nodrain-curl "$PORT"
	doc_expect "$L" nodrain-curl
	# curl's arrival took one more of the burst, not curl.
	! doc_out_has nodrain-server "GET /hello" || fail "curl was served"
	wait_for bg_fds_are "$SERVER_PID" 5
	doc_ctrl_c nodrain-server
	assert_equal "$STOP_STATUS" 0
	doc_expect "$L" "nodrain-server after Ctrl-C"
	read -r woke accepted left < <(edge_line nodrain-server)
	# One accept() a wakeup; the burst and curl: 101 in all.
	assert_equal "$woke" "$accepted"
	assert_equal "$((accepted + left))" 101
	((left >= 1)) || fail "no client left in the queue"
	echo "# --edge --no-drain: $accepted accepted, $left left in the queue" >&3
}

@test "lesson 6: --edge accepts a burst until EAGAIN; --no-drain leaves clients in the queue, and curl behind them" {
	[[ "$(uname -s)" == Linux ]] || skip "epoll: Linux only"
	each_edition check_edge
}

# ------------------------------------------ the code the lesson points at

@test "lesson 6: every function the lesson points at is in the file it links" {
	local ed f name file problems=""
	while IFS= read -r ed; do
		f="$SOCKLAB_ROOT/$ed"
		# shellcheck disable=SC2016 # Markdown's backquotes, not commands
		while IFS='|' read -r name file; do
			grep -qE "^[a-z].*[ *]$name\\(" "${f%/*}/$file" ||
				problems+="$ed: $name() is not defined in ${file#../}"$'\n'
		done < <(grep -oE '\[`[a-z_]+\(\)`\]\([^)]+\)' "$f" | sed -E 's/^\[`([a-z_]+)\(\)`\]\(([^)]+)\)$/\1|\2/')
	done < <(doc_editions 06-beyond-fork.md)
	assert_equal "$problems" ""
}

@test "lesson 6: the code it quotes is the code of the tools, line for line" {
	local L lines line missing=""
	for L in docs/$LESSON docs/zh/$LESSON; do
		# The c blocks of the lesson (indented in a list), each line with
		# its spaces collapsed, against the sources' lines collapsed alike.
		lines="$(awk '/^ *```c$/ { inside = 1; next } /^ *```$/ { inside = 0 } inside' "$SOCKLAB_ROOT/$L")"
		[[ -n "$lines" ]] || fail "$L quotes no code"
		while IFS= read -r line; do
			line="$(tr -s ' \t' ' ' <<<"$line" | sed 's/^ //')"
			tr -s ' \t' ' ' <"$SOCKLAB_ROOT/tools/srv-poll.c" | sed 's/^ //' | grep -qxF -- "$line" ||
				missing+="$L: not in tools/srv-poll.c: $line"$'\n'
		done <<<"$lines"
	done
	assert_equal "$missing" ""
}

# ------------------------------------------------------------- exercises

@test "lesson 6, exercise 5: behind srv-iter's slow client, curl waits in the queue" {
	start_server srv srv-iter --port 0 --timeout 30
	start_bg slow '^send\(' cli-connect --timeout 0 --send 'GET /slow HTTP/1.1' "127.0.0.1:$PORT"
	run curl -sS --max-time 2 "http://127.0.0.1:$PORT/hello"
	assert_failure 28
}

@test "lesson 6, exercise 6: half a request gets 408 at --timeout; nothing at all, a close without a reply" {
	start_server srv srv-poll --port 0 --timeout 1
	run cli-connect --timeout 0 --send 'GET /slow HTTP/1.1' "127.0.0.1:$PORT"
	assert_success
	assert_output_contains "HTTP/1.1 408 Request Timeout"
	run client_silent "$PORT"
	assert_equal "$output" "silent: 0 bytes before the close"
	wait_for bg_err_has srv "no request within 1 s (--timeout)"
}
client_silent() { python3 "$BATS_TEST_DIRNAME/gates/client.py" silent "$1"; }

@test "lesson 6, exercise 8: --defer-accept: no EAGAIN after accept4, no epoll_ctl for the connection" {
	[[ "$(uname -s)" == Linux ]] || skip "TCP_DEFER_ACCEPT: Linux only"
	start_server srv srv-poll --port 0 --defer-accept
	run curl -s "http://127.0.0.1:$PORT/hello"
	assert_equal "$output" "Hello, World!"
	wait_for bg_out_has srv "close(5)"
	run bg_out srv
	assert_line_matches '^setsockopt\(3, TCP_DEFER_ACCEPT, 1\) +-> ok$'
	refute_output_contains "EAGAIN"
	refute_output_contains "EPOLL_CTL_ADD, 5"
}
