#!/usr/bin/env bats
# make soak, the heavy half: the scenarios that need thousands of processes
# or hundreds of runs, kept out of `make test` so that the suite a newcomer
# runs stays within minutes on a 2-CPU machine (docs/performance.md, "The
# suite"). Each was a test of make test, moved here whole, with what it
# asserts:
#
#   - show-pids --children past 4096 children (a Python process forks
#     4,100 that exit unreaped), and the true count, in the table and in
#     the JSON;
#   - show-fds --file never blocks when a swapper turns the name into a
#     FIFO between the check and open(): 300 runs, each must end;
#   - check-server against a server that forks a thousand children before
#     it listens: sigterm fails, naming all of them, and none is left.
#
# A wait here is for the machine to do the work that was asked: its
# deadline grows with that work (a deadline per step of progress, or a
# limit computed from the count), and its failure says what it waited for.

load gate_helper
load ../check_helper

# The children a process forks before it goes on, and how long the machine
# may take for each: 15 ms a fork was measured for a Python process with
# its 4,000th child, on our 2-CPU machine at load 5 (1.5 ms of it CPU);
# 50 ms leaves room for a busier machine.
FORK_BUDGET_MS=50

@test "show-pids --children: all of them, even more than 4096, and the true count" {
	local n=4100 step=100 k secs
	# It says how far it got every $step forks; each step has the deadline
	# plus the budget of its forks: the wait grows with the work, and a
	# stall is named.
	secs=$((SOCKLAB_DEADLINE + step * FORK_BUDGET_MS / 1000))
	start_bg -t "$secs" many '^forked ([0-9]+)$' python3 -c '
import os, sys, time
n, step = int(sys.argv[1]), int(sys.argv[2])
for i in range(1, n + 1):
    if os.fork() == 0:
        os._exit(0)  # a zombie once it exits: never waited for
    if i % step == 0 or i == n:
        print("forked", i, flush=True)
print("ready", n, flush=True)
time.sleep(600)' "$n" "$step"
	for ((k = step; k <= n; k += step)); do
		wait_for -t "$secs" bg_out_has many "forked $k" ||
			fail "the forker stalled: 'forked $k' not printed within ${secs}s of 'forked $((k - step))'"
	done
	wait_for bg_out_has many "ready $n"
	run show-pids --pid "$BG_PID" --children
	assert_success
	assert_output_contains "Children of $BG_PID: $n"
	# one row each (zombies by now, or about to be: their state is not
	# the point)
	assert_equal "$(grep -cE "^ +[0-9]+ +$BG_PID  [A-Za-z] " <<<"$output")" "$n"
	show-pids --pid "$BG_PID" --children --json >"$BATS_TEST_TMPDIR/kids.json"
	run python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["children"]))' "$BATS_TEST_TMPDIR/kids.json"
	assert_equal "$output" "$n"
}

@test "show-fds --file never blocks, even when the name becomes a FIFO between its check and open()" {
	# A swapper renames a FIFO and a regular file over one name, again and
	# again; show-fds checks the name, then opens it. Before the fstat()
	# of what it opened, a swap in between left it in open() for ever (a
	# race: not every run hit it); now every run ends, either way.
	local dir="$BATS_TEST_TMPDIR" i st ended=0 fifo=0 runs=300
	mkfifo "$dir/p"
	echo data >"$dir/f"
	touch "$dir/run"
	python3 -c '
import os, sys, time
d = sys.argv[1]
end = time.monotonic() + 600
while time.monotonic() < end and os.path.exists(d + "/run"):
    os.link(d + "/p", d + "/t"); os.rename(d + "/t", d + "/name")
    os.link(d + "/f", d + "/t"); os.rename(d + "/t", d + "/name")
' "$dir" 3>&- &
	local swapper=$!
	SOCKLAB_PIDS+=("$swapper")
	for ((i = 1; i <= runs; i++)); do
		# A run that blocks is cut at the deadline: status 124.
		st=0
		timeout "$SOCKLAB_DEADLINE" show-fds --file "$dir/name" >/dev/null 2>&1 </dev/null || st=$?
		[[ "$st" == 0 || "$st" == 1 ]] ||
			{ rm -f "$dir/run"; fail "run $i: exit $st (124: it blocked in open() for ${SOCKLAB_DEADLINE}s)"; }
		[[ "$st" == 1 ]] && fifo=$((fifo + 1))
		ended=$((ended + 1))
	done
	rm -f "$dir/run"
	wait "$swapper"
	assert_equal "$ended" "$runs"
	echo "# $fifo of $runs runs found a FIFO and said so" >&3
	((fifo > 0)) || skip "no run met the FIFO: the swapper was too slow here"
}

@test "check-server: a server that forks a thousand children: sigterm fails, naming them; none is left running" {
	local n=1000 ready
	# It forks them before it listens: the ready limit grows with them.
	ready=$((SOCKLAB_DEADLINE + n * FORK_BUDGET_MS / 1000))
	grade --only sigterm --limit sigterm=1 --limit "ready=$ready" -- python3 "$SERVERS/forker.py" "$n" '{port}'
	[[ "$status" -eq 1 ]] || fail "exit $status, expected 1 (the forker had ${ready}s to fork $n children and listen)" "$stderr"
	[[ "$(evidence sigterm)" == "stopped (killed by signal 15 (Terminated)), but left $n processes of its group behind 1 s after SIGTERM: pid "* ]] ||
		fail "$(evidence sigterm)"
	assert_nothing_left
}
