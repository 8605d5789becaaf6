#!/usr/bin/env bats
# docs/article-map.md: for each of the article's scripts, the socklab
# command that reproduces it, run here as the lessons' blocks are (each in a
# terminal of its own, compared with the page's output blocks), and the
# measurements behind "what differs, and why". (make pace replays the
# lessons, which explain these experiments, not this page.)

load test_helper

M=docs/article-map.md

# accepted N: the server of map-3a has accepted N connections.
accepted() { [[ "$(grep -c '^accept(3)' "$BATS_TEST_TMPDIR/doc-map-3a.out")" -eq "$1" ]]; }

@test "article map, webserver3a: srv-iter answers curl with the article's Hello, World!" {
	doc_start "$M" map-3a
	doc_run "$M" map-curl "$PORT"
	assert_success
	doc_expect "$M" map-curl
	wait_for doc_out_has map-3a "close(4)"
}

@test "article map, webserver3a: --host 0.0.0.0 binds every interface, as the article's '' does, and says so" {
	start_server srv srv-iter --host 0.0.0.0 --port 0
	run bg_out srv
	assert_line_matches '^bind\(3, 0\.0\.0\.0:0\) +-> ok$'
	assert_output_contains $'Listening on every interface (0.0.0.0): other machines can connect too.\nServing HTTP on port '
}

@test "article map, client3 --max-conns: cli-connect --conns 3 does keep 3 connections per client" {
	doc_start "$M" map-3a
	doc_run "$M" map-conns "$PORT"
	assert_success
	doc_expect "$M" map-conns
	wait_for accepted 6
}

@test "article map, webserver3b: srv-sleep answers, then sleeps with the connection open" {
	doc_start "$M" map-3b
	doc_launch "$M" map-curl "$PORT" 'Hello, World!'
	wait_for doc_out_has map-3b "sleep(60)"
	alive "$LAUNCH_PID"
	doc_ctrl_c map-3b
	assert_equal "$STOP_STATUS" 0
}

@test "article map, processes: from another terminal a plain ps finds no srv-sleep; ps -e finds it in its terminal" {
	doc_start "$M" map-3b
	doc_run "$M" map-ps "$PORT"
	assert_success
	doc_expect "$M" map-ps
	doc_run "$M" map-ps-every "$PORT"
	assert_success
	doc_expect "$M" map-ps-every
	# The line the block shows is the server's.
	assert_line_matches "^ *$SERVER_PID pts/[0-9]+ +[0-9:]+ srv-sleep\$"
}

@test "article map, processes: Python 3 prints a TextIOWrapper for sys.stdin and wants bytes in os.write()" {
	doc_run "$M" map-python3-fds
	doc_expect "$M" map-python3-fds
}

@test "article map, the backlog: backlog + 1 wait, the others are not refused; somaxconn caps it" {
	doc_run "$M" map-backlog
	assert_success
	assert_output_contains "result: 6 of 8 clients ESTABLISHED = backlog 5 + 1; 2 stuck in SYN-SENT; none refused"
	doc_run "$M" map-somaxconn
	assert_success
	local max="$output"
	[[ "$max" =~ ^[0-9]+$ ]] || fail "not a number: $max"
	run show-backlog --backlog 5000 --clients 2
	if ((max < 5000)); then
		assert_output_contains "note: backlog 5000 capped to $max by net.core.somaxconn"
	fi
	# 4096 since Linux 5.4 (unless someone changed it on this machine).
	echo "# net.core.somaxconn here: $max (kernel $(uname -r))" >&3
}

@test "article map, descriptors and ephemeral ports: show-fds and show-ephemeral-port" {
	doc_run "$M" map-fds
	assert_success
	assert_line_matches '^open\("/etc/hosts", O_RDONLY\) +-> fd 3: the lowest free number$'
	assert_line_matches '^hello$'
	doc_run "$M" map-getsockname
	assert_success
	assert_line_matches '^local port [0-9]+: inside the range: an ephemeral port$'
}

@test "article map, webserver3c: a child per client prints the article's Child PID line" {
	doc_start "$M" map-3c
	doc_launch "$M" map-curl "$PORT" 'Hello, World!'
	wait_for doc_out_has map-3c "Child PID:"
	# The article's line, tagged with the child's PID; its parent, the PID
	# the server printed first.
	assert_line_matches "^\\[child ([0-9]+)\\] Child PID: [0-9]+\\. Parent PID $SERVER_PID\$" "$(doc_out map-3c)"
	assert_line_matches "^\\[parent\\] getpid\\(\\) +-> $SERVER_PID\$" "$(doc_out map-3c)"
}

@test "article map, webserver3d: with the article's ulimit -n 256 and 300 clients, accept fails with EMFILE" {
	doc_start "$M" map-3d
	doc_run "$M" map-client3-300 "$PORT"
	doc_wait map-3d
	assert_equal "$STOP_STATUS" 1
	run doc_out map-3d
	assert_output_contains "srv-fork: accept: Too many open files (EMFILE)"
	assert_output_contains "the parent holds 252 connections it never closed (--keep-conn)"
}

@test "article map, webserver3e: one reap per SIGCHLD (waitpid WNOHANG for os.wait()), and accept() fails with EINTR" {
	doc_start "$M" map-3e
	doc_run "$M" map-curl "$PORT"
	assert_success
	doc_wait map-3e
	assert_equal "$STOP_STATUS" 1
	assert_output_contains "srv-fork: accept: Interrupted system call (EINTR)" "$(doc_out map-3e)"
	assert_line_matches '^\[parent\] waitpid\(-1, &st, WNOHANG\) +-> pid [0-9]+ \(exit 0\): reaped$' "$(doc_out map-3e)"
}

@test "article map, PEP 475: today's Python retries accept() after the SIGCHLD handler" {
	doc_run "$M" map-pep475
	assert_success
	doc_expect "$M" map-pep475
}

@test "article map, PEP 475: the same lines under Python 2.7 fail with EINTR, as webserver3e did (where a python2.7 runs)" {
	local py="${SOCKLAB_PYTHON2:-python2.7}"
	"$py" -c 'import sys; sys.exit(sys.version_info[:2] != (2, 7))' 2>/dev/null ||
		skip "no Python 2.7 here ('$py'; SOCKLAB_PYTHON2 names one): the page's 2.7 line is the one seen where it was written"
	doc_subst "python3 -c" "$py -c"
	doc_run "$M" map-pep475
	assert_success
	assert_equal "$output" $'SIGCHLD: the handler reaped the child\naccept() failed with EINTR'
}

@test "article map, Python 3 installs its SIGCHLD handler without SA_RESTART (strace)" {
	command -v strace >/dev/null || skip "strace is not installed"
	strace -o /dev/null true 2>/dev/null || skip "strace cannot trace here (ptrace not permitted)"
	doc_run "$M" map-python-sigaction
	assert_success
	doc_expect "$M" map-python-sigaction
	refute_output_contains "SA_RESTART"
}

@test "article map, glibc signal(): SA_RESTART, but for strict C11, where it is one-shot (SA_RESETHAND); socklab's flags give SA_RESTART" {
	command -v cc >/dev/null || skip "no C compiler"
	doc_run "$M" map-sa-restart
	assert_success
	doc_expect "$M" map-sa-restart
}

@test "article map, webserver3f: 128 clients leave zombies; webserver3g's loop leaves none" {
	doc_start "$M" map-3f
	doc_run "$M" map-client3 "$PORT"
	assert_success
	assert_line_matches '^replies read: +128 \(128 of them 2xx\)$'
	wait_for running_are "$SERVER_PID" 0
	assert_line_matches "^\\[parent\\] getpid\\(\\) +-> $SERVER_PID\$" "$(doc_out map-3f)"
	doc_remember "$M" map-3f-pid "$SERVER_PID"
	doc_run "$M" map-count-zombies "$PORT"
	((output > 0 && output < 128)) || fail "expected zombies, got '$output'"
	local zombies="$output"
	# The macOS section's command, which works on Linux too: the same zombies.
	doc_run "$M" map-macos-ps "$PORT"
	assert_success
	assert_line_matches '^ *PID +PPID STAT COMMAND$'
	assert_equal "$(grep -cE "^ *[0-9]+ +$SERVER_PID Z.* <defunct>\$" <<<"$output")" "$zombies"
	assert_equal "$(grep -cvE "^ *[0-9]+ +$SERVER_PID |^ *PID " <<<"$output")" 0
	doc_ctrl_c map-3f

	doc_start "$M" map-3g
	doc_run "$M" map-client3 "$PORT"
	assert_success
	wait_for running_are "$SERVER_PID" 0
	assert_equal "$(zombies_of "$SERVER_PID")" 0
}

@test "article map, the spread of zombies: scripts/zombie-spread.sh counts run after run" {
	run "$SOCKLAB_ROOT/scripts/zombie-spread.sh" 2
	assert_success
	local counts
	counts="$(grep -E '^[0-9]+$' <<<"$output" | tr '\n' ' ')"
	[[ "$counts" =~ ^([0-9]+)\ ([0-9]+)\ $ ]] || fail "two counts expected: $output"
	local z
	for z in ${counts}; do
		((z > 0 && z < 128)) || fail "a count outside 1-127: $z"
	done
	assert_line_matches '^zombies after 128 clients, 2 runs: min [0-9]+, max [0-9]+$'
}

@test "article map, scripts/zombie-spread.sh: --help prints its usage (exit 0); a bad count is a usage error (exit 2)" {
	local arg
	for arg in --help -h; do
		run --separate-stderr "$SOCKLAB_ROOT/scripts/zombie-spread.sh" "$arg"
		assert_success
		assert_line_matches '^Usage: scripts/zombie-spread\.sh \[RUNS\]'
		assert_equal "$stderr" ""
	done
	for arg in lots 0 00 --runs; do
		run --separate-stderr "$SOCKLAB_ROOT/scripts/zombie-spread.sh" "$arg"
		assert_failure 2
		assert_stderr_contains "zombie-spread: '$arg' is not a number of runs (1 or more)"
		assert_stderr_contains "Usage: scripts/zombie-spread.sh [RUNS]"
		assert_equal "$output" ""
	done
	run --separate-stderr "$SOCKLAB_ROOT/scripts/zombie-spread.sh" 1 2
	assert_failure 2
	assert_stderr_contains "zombie-spread: one argument at most"
}

# spread_servers: the servers zombie-spread.sh starts (this build's srv-fork
# with its options), alive.
spread_servers() {
	local p
	for p in $(pgrep -x srv-fork); do
		[[ "$(readlink "/proc/$p/exe" 2>/dev/null)" == "$SOCKLAB_BIN/srv-fork" ]] || continue
		[[ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" == *"--reap once --retry-accept --backlog 128 --quiet --port 0 "* ]] &&
			echo "$p"
	done
	return 0
}
no_spread_server() { [[ -z "$(spread_servers)" ]]; }

@test "article map, scripts/zombie-spread.sh: a reader that stops after the first count (head -n 1) leaves no server behind" {
	wait_for no_spread_server # none of an earlier run
	run bash -c '"$1" 3 | head -n 1' _ "$SOCKLAB_ROOT/scripts/zombie-spread.sh"
	assert_success
	[[ "$output" =~ ^[0-9]+$ ]] || fail "a count expected: $output"
	wait_for no_spread_server
}

@test "article map, webserver3h: Python 3 has no StringIO, the module 3h imports; Python 2.7 has it (where one runs)" {
	doc_run "$M" map-3h-import
	assert_failure 1
	doc_expect "$M" map-3h-import
	local py="${SOCKLAB_PYTHON2:-python2.7}"
	"$py" -c 'import sys; sys.exit(sys.version_info[:2] != (2, 7))' 2>/dev/null ||
		skip "no Python 2.7 here ('$py'; SOCKLAB_PYTHON2 names one): the page's 2.7 line is the one seen where it was written"
	doc_subst "python3 -c" "$py -c"
	doc_run "$M" map-3h-import
	assert_success
	assert_equal "$output" ""
}

@test "article map, WNOHANG: waitpid returns 0 while a child runs, and fails with ECHILD when none is left" {
	doc_run "$M" map-wnohang
	assert_success
	doc_expect "$M" map-wnohang
}
