#!/usr/bin/env bats
# docs/05-fork-and-zombies.md: runs the lesson's command blocks, each in a
# terminal of its own (the server is the foreground job of its terminal, as
# a learner's is: its zombies show as Z+), compares every output block with
# what was printed (doc_expect), and checks what the lesson says about them.
# Under make pace, a person's pauses between the steps.

load test_helper

L=docs/05-fork-and-zombies.md

# said_its_pid NAME: the server of background block NAME printed its PID
# first ([parent] getpid() -> PID), the PID the learner notes: the server's
# (SERVER_PID, the job of its terminal).
said_its_pid() {
	assert_line_matches "^\\[parent\\] getpid\\(\\) +-> $SERVER_PID\$" "$(doc_out "$1")"
}

# piped_server NAME: block NAME runs the server through tee (section 7): the
# job of its terminal is the shell that runs the pipe, and the server the
# child of it that printed its PID first, the PID the learner notes. Sets
# SERVER_PID to it.
piped_server() {
	local pid
	pid="$(doc_out "$1" | sed -n 's/^\[parent\] getpid() *-> \([0-9]*\)$/\1/p' | head -n 1)"
	[[ -n "$pid" ]] || { fail "$1: no getpid() line:" "$(doc_out "$1")"; return 1; }
	[[ "$(ps -o ppid= -p "$pid" | tr -d ' ')" == "${DOC_JOB[$1]}" ]] ||
		{ fail "$1: $pid is not a child of the block's shell ${DOC_JOB[$1]}"; return 1; }
	SERVER_PID="$pid"
}

# log_file: where the tests' /tmp/srv-fork.log is (one per test, as each
# learner has theirs).
log_file() { printf '%s/srv-fork.log\n' "$BATS_TEST_TMPDIR"; }

# in_order TEXT REGEX...: TEXT has a line matching each REGEX, in this order.
in_order() {
	local text="$1" re line
	shift
	for re in "$@"; do
		while :; do
			[[ -n "$text" ]] || { fail "no line matches $re (in order)"; return 1; }
			line="${text%%$'\n'*}"
			[[ "$text" == *$'\n'* ]] && text="${text#*$'\n'}" || text=''
			[[ "$line" =~ $re ]] && break
		done
	done
}

@test "lesson 5: three curls are answered at once while every child sleeps 60 s; each process tags its lines" {
	doc_start "$L" start-fork
	doc_expect "$L" start-fork
	said_its_pid start-fork
	# Typed into an interactive shell, as the learner's is: a shell with job
	# control would print a line for each job started with & and for each
	# that ends (Exit 28), and the block shows none.
	doc_shell three-curls
	doc_type three-curls "$L" three-curls "$PORT"
	# curl timed out (no close for 60 s), but each got its reply.
	doc_expect "$L" three-curls
	running_are "$SERVER_PID" 3
	# Once the shell has run the next command, any job line it had to print is
	# printed: still only the three replies.
	printf ': >%q\n' "$BATS_TEST_TMPDIR/typed" >&"${DOC_KEYS[three-curls]}"
	wait_for test -e "$BATS_TEST_TMPDIR/typed"
	doc_expect "$L" three-curls
	doc_expect "$L" "start-fork after three-curls"
	local out kids kid
	out="$(doc_out start-fork)"
	# Every child: the PID fork() returned in the parent, its article's
	# line, and its own lines, in order, tagged with that PID.
	kids="$(sed -n 's/^\[parent\] fork() *-> child pid \([0-9]*\)$/\1/p' <<<"$out")"
	assert_equal "$(wc -w <<<"$kids")" 3
	for kid in $kids; do
		wait_for doc_out_has start-fork "[child $kid] sleep(60)"
	done
	out="$(doc_out start-fork)"
	for kid in $kids; do
		in_order "$(grep -F "[child $kid] " <<<"$out")" \
			"^\\[child $kid\\] close\\(3\\) +-> ok, the child's copy" \
			"^\\[child $kid\\] Child PID: $kid\\. Parent PID $SERVER_PID\$" \
			"^\\[child $kid\\] recv\\(4\\) +-> [0-9]+ bytes\$" \
			"^\\[child $kid\\]   \\| GET /hello HTTP/1\\.1\$" \
			"^\\[child $kid\\] send\\(4, " \
			"^\\[child $kid\\] sleep\\(60\\) +-> sleeps with the connection open \\(fd 4\\)\$"
	done
}

@test "lesson 5: the correct server lets curl finish at once; --keep-conn hangs it, and the parent keeps fd 4" {
	doc_start "$L" correct-server
	doc_run "$L" correct-curl "$PORT"
	assert_success
	doc_expect "$L" correct-curl
	doc_ctrl_c correct-server
	assert_equal "$STOP_STATUS" 0

	doc_start "$L" keep-server
	said_its_pid keep-server
	doc_remember "$L" keep-pid "$SERVER_PID"
	doc_run "$L" keep-curl "$PORT"
	doc_expect "$L" keep-curl
	# The child has gone: it was not the child that held the connection.
	wait_for running_are "$SERVER_PID" 0
	doc_run "$L" keep-fds "$PORT"
	assert_success
	doc_expect "$L" keep-fds
}

@test "lesson 5: --keep-conn --child-sleep: parent and child share the connection's inode" {
	doc_start "$L" keep-sleep-server
	said_its_pid keep-sleep-server
	doc_remember "$L" keep-sleep-pid "$SERVER_PID"
	doc_run "$L" keep-sleep-curl "$PORT"
	assert_output_contains "Hello, World!"
	assert_output_contains "curl exit status: 28"
	# The child's PID, as the server printed it: fork()'s result, and the tag.
	local out child
	out="$(doc_out keep-sleep-server)"
	child="$(sed -n 's/^\[parent\] fork() *-> child pid \([0-9]*\)$/\1/p' <<<"$out")"
	[[ "$child" =~ ^[0-9]+$ ]] || fail "no fork() line:" "$out"
	assert_output_contains "[child $child] Child PID: $child. Parent PID $SERVER_PID" "$out"
	doc_remember "$L" note-child "$child"
	doc_run "$L" same-inode "$PORT"
	assert_success
	doc_expect "$L" same-inode
	local lines
	mapfile -t lines <<<"$output"
	assert_equal "${lines[1]}" "${lines[0]}"
}

@test "lesson 5: --keep-conn --max-fds 16: 12 connections, then EMFILE, and the server stops" {
	doc_start "$L" emfile-server
	doc_run "$L" emfile-clients "$PORT"
	doc_expect "$L" emfile-clients
	doc_wait emfile-server
	assert_equal "$STOP_STATUS" 1
	doc_expect "$L" "emfile-server after emfile-clients"
}

@test "lesson 5: --reap none: three zombies (Z+ in a terminal), and kill -9 leaves them" {
	doc_start "$L" zombie-server
	said_its_pid zombie-server
	doc_remember "$L" zombie-pid "$SERVER_PID"
	doc_run "$L" zombie-curls "$PORT"
	assert_success
	doc_expect "$L" zombie-curls
	wait_for zombies_are "$SERVER_PID" 3
	doc_run "$L" zombie-ps "$PORT"
	assert_success
	doc_expect "$L" zombie-ps
	assert_equal "$(grep -cE "^ *[0-9]+ +$SERVER_PID Z" <<<"$output")" 3
	# The learner notes one of them: the first column of ps.
	[[ "$output" =~ $'\n'\ *([0-9]+)\ +$SERVER_PID\ Z ]] || fail "no zombie in ps's output"
	doc_remember "$L" note-zombie "${BASH_REMATCH[1]}"
	doc_run "$L" zombie-kill9 "$PORT"
	doc_expect "$L" zombie-kill9
	zombies_are "$SERVER_PID" 3
	doc_ctrl_c zombie-server
	assert_equal "$STOP_STATUS" 0
	assert_output_contains "children: 3 forked, 3 reaped, 0 left" "$(doc_out zombie-server)"
}

@test "lesson 5: --nproc, as root through setpriv: the clients beyond the limit get 503, the server goes on" {
	[[ "$(id -u)" -eq 0 ]] || skip "the block is the one for root (setpriv); not root here"
	command -v setpriv >/dev/null || skip "setpriv is not installed (util-linux)"
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$SOCKLAB_BIN/srv-fork" 2>/dev/null ||
		skip "$SOCKLAB_BIN/srv-fork is not reachable by uid 65534"
	# LeakSanitizer's exit-time thread would count against the limit.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" doc_start "$L" nproc-server
	doc_run "$L" nproc-clients "$PORT"
	doc_expect "$L" nproc-clients
	assert_line_matches '^replies read: +30 \(([0-9]|1[0-9]) of them 2xx\)$' # at most 19 children
	doc_expect "$L" "nproc-server after nproc-clients"
	alive "$SERVER_PID"
	assert_output_contains "503 Service Unavailable" "$(curl -sS -D - "http://127.0.0.1:$PORT/")"
	doc_ctrl_c nproc-server
	assert_equal "$STOP_STATUS" 0
	assert_line_matches '^children: [0-9]+ forked, [0-9]+ reaped, 0 left$' "$(doc_out nproc-server)"
}

@test "lesson 5: --reap once: accept fails with EINTR and the server exits" {
	doc_start "$L" eintr-server
	doc_run "$L" eintr-curl "$PORT"
	assert_success
	assert_equal "$output" "Hello, World!"
	doc_wait eintr-server
	assert_equal "$STOP_STATUS" 1
	doc_expect "$L" "eintr-server after eintr-curl"
}

@test "lesson 5: 128 clients: zombies are back with one waitpid per signal, none with the waitpid loop" {
	doc_subst /tmp/srv-fork.log "$(log_file)"
	doc_start "$L" once-server
	piped_server once-server
	said_its_pid once-server
	doc_remember "$L" once-pid "$SERVER_PID"
	local once="$SERVER_PID" reaped zombies
	doc_run "$L" burst-128 "$PORT"
	assert_success
	doc_expect "$L" burst-128
	wait_for running_are "$once" 0
	# The parent's lines, from tee's copy: one reaped line per run of the
	# handler (and an EINTR wherever a signal interrupted accept()).
	doc_run "$L" grep-once "$PORT"
	assert_success
	doc_expect "$L" grep-once
	reaped="$(grep -c ': reaped$' <<<"$output")"
	echo "# accept() interrupted (EINTR) $(grep -c 'EINTR' <<<"$output") times, the handler ran $reaped times" >&3
	doc_run "$L" count-zombies-once "$PORT"
	doc_expect "$L" count-zombies-once
	zombies="$output"
	((zombies > 0 && zombies < 128)) || fail "expected zombies, got '$zombies'"
	echo "# zombies after 128 clients with wait-once: $zombies" >&3
	# The lesson's count of the reaped lines, plus the zombies: every child.
	assert_equal "$(grep -c ': reaped$' "$(log_file)")" "$reaped"
	assert_equal "$((reaped + zombies))" 128
	# The copy is what the terminal showed, line for line.
	assert_equal "$(tr -d '\r' <"$BATS_TEST_TMPDIR/doc-once-server.out" | grep -c ': reaped$')" "$reaped"
	doc_ctrl_c once-server
	assert_equal "$STOP_STATUS" 0
	# tee ignored the Ctrl-C: the server's last lines reached the terminal.
	assert_output_contains "children: 128 forked, 128 reaped, 0 left" "$(doc_out once-server)"

	doc_start "$L" loop-server
	piped_server loop-server
	said_its_pid loop-server
	doc_remember "$L" loop-pid "$SERVER_PID"
	local before
	before="$(ls "/proc/$SERVER_PID/fd" | wc -l)"
	doc_run "$L" burst-128 "$PORT"
	assert_success
	doc_expect "$L" burst-128
	wait_for running_are "$SERVER_PID" 0
	doc_run "$L" count-zombies-loop "$PORT"
	doc_expect "$L" count-zombies-loop
	assert_equal "$(ls "/proc/$SERVER_PID/fd" | wc -l)" "$before"
	doc_run "$L" count-reaped-loop "$PORT"
	assert_success
	doc_expect "$L" count-reaped-loop
	# 128 reaped lines, and never an EINTR: it waits in ppoll(), not accept().
	run grep -cE '^\[parent\] waitpid\(-1, &st, WNOHANG\) +-> pid [0-9]+ \(exit 0\): reaped$' "$BATS_TEST_TMPDIR/doc-loop-server.out"
	assert_equal "$output" 128
	refute_output_contains "EINTR" "$(doc_out loop-server)"
}

@test "lesson 5 shows the article's steps 3b to 3c, 3c to 3d, 3d to 3e, 3e to 3f and 3f to 3g as diff(1) prints them, in both editions" {
	run "$SOCKLAB_ROOT/scripts/listings.sh" --check docs/05-fork-and-zombies.md docs/zh/05-fork-and-zombies.md
	assert_success
	local pair page
	for page in docs/05-fork-and-zombies.md docs/zh/05-fork-and-zombies.md; do
		for pair in b:c c:d d:e e:f f:g; do
			grep -qxF "<!-- listing: diff -u article/webserver3${pair%:*}.c article/webserver3${pair#*:}.c -->" \
				"$SOCKLAB_ROOT/$page" || fail "$page does not show the step webserver3${pair%:*} to 3${pair#*:}"
		done
	done
}
