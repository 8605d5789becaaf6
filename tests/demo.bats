#!/usr/bin/env bats
# The classroom demos (scripts/demo-NAME.sh, make demo-NAME): run in --auto
# mode in a detached tmux session on its own tmux server, on port 0, and the
# panes are checked with capture-pane.

load test_helper

DEMOS=(iterative busy fork)

setup() {
	TMUX_SOCKET="socklab-test-$$-$BATS_TEST_NUMBER"
	# The test's own tmux server, its socket in the test's directory.
	export TMUX_TMPDIR="$BATS_TEST_TMPDIR"
	unset TMUX
	# The panes run a plain bash: no rc file, no history written.
	export SOCKLAB_DEMO_SHELL="bash --norc --noprofile"
}

teardown() {
	if command -v tmux >/dev/null; then
		tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null || true
	fi
	socklab_teardown
}

need_tmux() {
	command -v tmux >/dev/null ||
		skip "tmux is not installed (Debian/Ubuntu package: tmux)"
}

# demo NAME ARGS...: runs the demo non-interactively on the test's tmux server.
demo() {
	local name="$1"
	shift
	cd "$SOCKLAB_ROOT" || return 1
	run --separate-stderr timeout 120 "scripts/demo-$name.sh" --auto --no-attach \
		--delay 0 --port 0 --socket "$TMUX_SOCKET" --session "demo-$name" \
		--bin "$SOCKLAB_BIN" "$@"
}

# pane_of SESSION ROLE: what the pane of that role shows, history included.
pane_of() {
	local id
	id="$(tmux -L "$TMUX_SOCKET" list-panes -t "$1" -F '#{pane_id} #{@role}' |
		awk -v r="$2" '$2 == r { print $1 }')"
	[[ -n "$id" ]] || { fail "no $2 pane in $1"; return 1; }
	tmux -L "$TMUX_SOCKET" capture-pane -p -J -S - -t "$id"
}

@test "demo: every demo is a make target and has --help" {
	run make -s -C "$SOCKLAB_ROOT" demo-list
	assert_success
	local d
	for d in "${DEMOS[@]}"; do
		assert_output_contains "demo-$d"
	done
	for d in "${DEMOS[@]}"; do
		run "$SOCKLAB_ROOT/scripts/demo-$d.sh" --help
		assert_success
		assert_output_contains "--port N"
		assert_output_contains "make demo-$d"
	done
}

@test "demo: without tmux, a clear message and exit 1" {
	# A PATH with what bash needs but no tmux.
	local dir="$BATS_TEST_TMPDIR/path"
	mkdir -p "$dir"
	run env PATH="$dir" /bin/bash "$SOCKLAB_ROOT/scripts/demo-iterative.sh" --port 0
	assert_failure 1
	assert_output_contains "demo-iterative: tmux is not installed"
	assert_output_contains "apt-get install tmux"
	assert_output_contains "docs/01-iterative-server.md"
}

@test "demo: bad options are usage errors (exit 2)" {
	run "$SOCKLAB_ROOT/scripts/demo-busy.sh" --port 70000
	assert_failure 2
	assert_output_contains "--port: '70000' is not a port number"
	run "$SOCKLAB_ROOT/scripts/demo-busy.sh" --sleep soon
	assert_failure 2
	run "$SOCKLAB_ROOT/scripts/demo-busy.sh" --bogus
	assert_failure 2
	assert_output_contains "unknown option '--bogus'"
	run "$SOCKLAB_ROOT/scripts/demo-busy.sh" --port
	assert_failure 2
}

@test "demo-iterative --auto: the panes show the server, curl, cli-connect and the mirrored socket pair" {
	need_tmux
	demo iterative
	assert_success
	assert_output_contains "End of the demo (done)."

	run pane_of demo-iterative server
	assert_line_matches '^listen\(3, 5\) +-> ok$'
	[[ "$output" =~ Serving\ HTTP\ on\ port\ ([0-9]+) ]]
	local port="${BASH_REMATCH[1]}"
	assert_line_matches '^  \| GET /hello HTTP/1\.1$'
	assert_line_matches '^  \| test$'
	[[ "$output" =~ socket\ pair\ \{127\.12\.12\.3:([0-9]+),\ 127\.10\.10\.2:([0-9]+)\} ]]
	local sport="${BASH_REMATCH[1]}" cport="${BASH_REMATCH[2]}"
	assert_output_contains "Stopped: served 1 request."
	[[ "$port" != 8888 && "$sport" != 8888 ]]

	run pane_of demo-iterative client1
	assert_output_contains "Hello, World!"
	assert_output_contains "curl -v http://localhost:$port/hello"

	run pane_of demo-iterative client2
	assert_line_matches '^send\(3, "test"\) +-> 4 bytes$'
	assert_output_contains "socket pair {127.10.10.2:$cport, 127.12.12.3:$sport}"
}

@test "demo-busy --auto: the second curl waits in the listen queue, then gets its reply" {
	need_tmux
	# The sleep is the window in which the demo's next step (typed into a
	# pane, a curl started, connected) must land: a step's worth of the
	# machine's time, the deadline (1 s was too short on a busy machine:
	# the second curl came after the sleep, and no queue line).
	demo busy --sleep "$SOCKLAB_DEADLINE"
	assert_success

	run pane_of demo-busy server
	assert_output_contains "sleep($SOCKLAB_DEADLINE)"
	assert_output_contains "queue: 1 waiting (backlog 5)"
	# Two clients served one after the other.
	[[ "$(grep -c '^close(4) ' <<<"$output")" -ge 2 ]]

	run pane_of demo-busy client2
	assert_output_contains "Hello, World!"

	run pane_of demo-busy client1
	assert_output_contains "Hello, World!"
	assert_line_matches '^result: 6 of 8 clients ESTABLISHED = backlog 5 \+ 1'
}

@test "demo: a session of the same name already running is an error, not a takeover" {
	need_tmux
	tmux -L "$TMUX_SOCKET" new-session -d -s demo-iterative
	demo iterative
	assert_failure 1
	assert_stderr_contains "a tmux session named demo-iterative is already running"
}

@test "demo: without a terminal and without --no-attach, it says so (exit 1) and leaves no session" {
	need_tmux
	cd "$SOCKLAB_ROOT"
	run env -u TMUX scripts/demo-iterative.sh --port 0 --socket "$TMUX_SOCKET" </dev/null
	assert_failure 1
	assert_output_contains "not a terminal"
	assert_output_contains "--no-attach"
	run tmux -L "$TMUX_SOCKET" has-session -t socklab-iterative
	assert_failure
}

@test "demo-fork --auto: three children answer at once, zombies survive kill -9, none with the waitpid loop" {
	need_tmux
	# The children's sleep is the window for the three curls, typed one
	# after the other, to be answered while every child sleeps: the
	# deadline, as for demo-busy.
	demo fork --sleep "$SOCKLAB_DEADLINE"
	assert_success

	run pane_of demo-fork server
	[[ "$(grep -c '^\[child [0-9]*\] Child PID: [0-9]*\. Parent PID [0-9]*$' <<<"$output")" -ge 3 ]]
	assert_output_contains "children: 3 forked, 3 reaped, 0 left"
	# The PIDs the servers printed first, as the demo read them: the second
	# (--reap none) and the third (the loop) servers'.
	local pids
	pids="$(sed -n 's/^\[parent\] getpid() *-> \([0-9]*\)$/\1/p' <<<"$output" | tr '\n' ' ')"
	[[ "$pids" =~ ^[0-9]+\ ([0-9]+)\ ([0-9]+)\ $ ]] || fail "three servers' PIDs expected: $pids"
	local none="${BASH_REMATCH[1]}" loop="${BASH_REMATCH[2]}"

	run pane_of demo-fork client1
	[[ "$(grep -c '^Hello, World!$' <<<"$output")" -ge 6 ]]
	assert_line_matches '^our clients reaped: +128 of 128'

	# The lesson's notes, typed with the numbers of the panes: each server's
	# PID, then a zombie that ps listed as that server's child.
	run pane_of demo-fork client2
	assert_line_matches "(^|[#$] )SRV=$none\$" # after the pane's prompt
	assert_line_matches "(^|[#$] )SRV=$loop\$"
	[[ "$output" =~ ZOMBIE=([0-9]+) ]] || fail "no zombie noted"
	assert_line_matches "^ *${BASH_REMATCH[1]} +$none Z.* \\[srv-fork\\] <defunct>\$"
	[[ "$(grep -c 'Z.* \[srv-fork\] <defunct>$' <<<"$output")" -ge 4 ]]
	assert_line_matches '^0$'
}
