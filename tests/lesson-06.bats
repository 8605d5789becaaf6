#!/usr/bin/env bats
# docs/06-beyond-fork.md: runs the lesson's command blocks (srv-prefork and
# srv-thread; srv-poll's section has its own tests), each in a terminal of
# its own, compares every output block with what was printed (doc_expect),
# and checks what the lesson says about them: the same children serve every
# client, the meter's wakeups for nothing, the threads' tasks and
# descriptors, the race of --by-pointer, the growth of --no-detach. Under
# make pace, a person's pauses between the steps.

load test_helper

L=docs/06-beyond-fork.md

# The lesson finds its server with pgrep; another test's server (tests may
# run at the same time) could match too: the tests use their own.
ours() {
	doc_subst "\$(pgrep -o -f '$1')" "$SERVER_PID"
}

# kids_of PID: the pids of PID's children (from /proc: no fork per file).
kids_of() {
	local f line rest ppid
	for f in /proc/[0-9]*/stat; do
		{ read -r line <"$f"; } 2>/dev/null || continue
		rest="${line##*) }"
		read -r _ ppid _ <<<"$rest"
		[[ "$ppid" == "$1" ]] && printf '%s\n' "${line%% *}"
	done
	return 0
}
kids_are() { [[ "$(kids_of "$1" | grep -c . || true)" -eq "$2" ]]; }
tasks_are() { [[ "$(find "/proc/$1/task" -mindepth 1 -maxdepth 1 | wc -l)" -eq "$2" ]]; }

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

	ours 'srv-prefork --children 3'
	doc_run "$L" kill-child "$PORT"
	assert_success
	doc_expect "$L" "start-prefork after kill-child"
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
	ours 'srv-thread --timeout 120'
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
	ours 'srv-thread --by-pointer'
	doc_run "$L" by-pointer-fds "$PORT"
	assert_success
	doc_expect "$L" by-pointer-fds
	doc_ctrl_c by-pointer-server
	assert_equal "$STOP_STATUS" 0
}

@test "lesson 6: --no-detach: VmSize grows by a stack per client, one task left; joined at Ctrl-C" {
	doc_start "$L" no-detach-server
	ours 'srv-thread --no-detach'
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
	ours 'srv-thread --pool 3'
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
