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
#     it listens: sigterm fails, naming all of them, and none is left;
#   - bench/run --quick, every table and then the models' table: the
#     figures are numbers and every row is there (tests/bench.bats has the
#     rest of bench/run's tests).
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

setup_file() {
	# bench/run's slow-client load, built the way `make bench` builds it
	# (tests/bench.bats does the same). The floors, the article's listings,
	# are those of the build under test ($SOCKLAB_BIN/article/).
	"${CC:-cc}" -std=c11 -D_DEFAULT_SOURCE -O2 \
		-o "$BATS_FILE_TMPDIR/load" "$SOCKLAB_ROOT/bench/load.c"
}

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
	[[ "$(evidence sigterm)" == "stopped (killed by signal 15 (Terminated)), but left $n of its processes behind 1 s after SIGTERM: pid "* ]] ||
		fail "$(evidence sigterm)"
	assert_nothing_left
}

# bench QUICK-FLAGS...: bench/run in quick mode against the build under test.
bench() {
	run --separate-stderr python3 "$SOCKLAB_ROOT/bench/run" --quick \
		--bin "$SOCKLAB_BIN" --ref-bin "$BATS_FILE_TMPDIR" "$@"
}

N='[0-9]+(\.[0-9]+)?'

@test "bench/run --quick prints the servers, concurrency, inspectors and targets tables" {
	bench --only servers,clients,concurrency,inspectors --json "$BATS_TEST_TMPDIR/bench.json" \
		--vs "python3 $SOCKLAB_ROOT/bench/webserver3a.py --port 0"
	assert_success
	# requests/s, server CPU µs/req, children CPU µs/req are numbers
	assert_line_matches "^\| srv-iter --quiet \| $N \| $N \| $N \|"
	assert_line_matches "^\| webserver3a \| $N \| $N \| $N \|"
	assert_line_matches "^\| webserver3g \| $N \| $N \| $N \| -?$N \| $N \| 0 \|"
	if [[ -x "$SOCKLAB_BIN/srv-fork" ]]; then
		assert_line_matches "^\| srv-fork --quiet \| $N \| $N \| $N \| -?$N \| $N \| 0 \|"
		assert_line_matches "^\| srv-fork --child-sleep 0.05 \| $N \| $N+x faster \|"
		assert_line_matches "^\| srv-sleep --sleep 0.05 \| $N \|"
	fi
	assert_line_matches "^\| vs: \`python3 .*webserver3a.py --port 0\` \| $N \| $N \|"
	assert_line_matches "^\| vs: .* \| $N \($N+x srv-iter\) \|"
	# The floors' targets: each server against its listing, in this run (a
	# quick run's CPU may be 0 ticks: n/a).
	assert_line_matches "^\| srv-iter CPU/req within 1\.10x of webserver3a's \| ($N""x \($N vs $N µs\) \| (yes|NO)|n/a \| n/a) \|$"
	assert_line_matches "^\| srv-iter requests/s at least 0\.90x webserver3a's \| $N""x \($N vs $N req/s\) \| (yes|NO) \|$"
	assert_line_matches "^\| srv-fork CPU/req \(own \+ children\) within 1\.10x of webserver3g's \| ($N""x \($N vs $N µs\) \| (yes|NO)|n/a \| n/a) \|$"
	assert_line_matches "^\| srv-fork requests/s at least 0\.90x webserver3g's \| $N""x \($N vs $N req/s\) \| (yes|NO) \|$"
	assert_line_matches "^\| srv-iter peak RSS under 2 MiB \| $N KiB \($N MiB\) \| (yes|NO) \|$"
	# webserver3a's backlog is the article's 5: no cli-connect column for it.
	assert_line_matches "^- note: cli-connect --clients 20: webserver3a skipped \(its backlog is the article's 5\)$"
	assert_line_matches "^\| show-fds --pid at least 20x faster than lsof -p \|"
	if [[ -x "$SOCKLAB_BIN/show-fds" ]] && command -v lsof >/dev/null; then
		assert_line_matches "^\| show-fds --pid P \| $N \| lsof -p P \| $N \| $N+x faster \|"
	fi
	assert_line_matches "^- the floor: \`[^\`]*true\`, a process that does nothing, takes $N ms"
	# The JSON has the same figures.
	run python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
it = d["servers"]["srv-iter"]
assert it["rps"] > 0 and it["cpu_us"] >= 0 and it["rss_kib"] > 0, it
assert d["machine"]["nproc"] >= 1 and d["targets"], d
print("ok")' "$BATS_TEST_TMPDIR/bench.json"
	assert_success
	assert_equal "$output" "ok"
}

@test "bench/run --quick --only models: a row per model, missing ones n/a (not built), the commands, the targets" {
	bench --only models --json "$BATS_TEST_TMPDIR/models.json"
	assert_success
	assert_line_matches '^\| model \(each with --port 0 --backlog 1024\) \| CPU µs/req incl\. children, 8 clients \| requests/s, 8 clients \| requests/s, 100 clients \(10 slow\) \| Pss KiB at 20 idle \| KiB per idle connection \| idle connections held \(of 50\) \|$'
	# The baselines: figures; an iterative loop holds one idle client.
	assert_line_matches "^\| webserver3a \(baseline\) \| $N \| $N \| $N \| n/a \| n/a \(holds 1: its queue, 5, drops the others\) \| n/a \|$"
	assert_line_matches "^\| webserver3g \(baseline\) \| $N \| $N \| $N \| $N \| -?$N \| [0-9]+ \|$"
	assert_line_matches "^\| srv-iter \| $N \| $N \| $N \| n/a \| n/a \(holds 1\) \| 1 \|$"
	assert_line_matches "^\| srv-fork \| $N \| $N \| $N \| $N \| -?$N \| [0-9]+ \|$"
	local api
	for api in select poll epoll; do
		assert_line_matches "^\| srv-poll --api $api \| $N \| $N \| $N \| $N \| -?$N \| 50 \|$"
	done
	# The models of the pools helper: a row either way.
	local m
	for m in srv-prefork srv-thread "srv-thread --pool 8"; do
		assert_line_matches "^\| $m \| ($N|n/a \(not built\)|n/a \(no --pool\)) \|"
	done
	# Each column says how it was measured (the backquotes are the table's).
	# shellcheck disable=SC2016
	assert_line_matches '^- 8 clients: `(taskset -c 1 )?ab -n 200 -c 8 http://127\.0\.0\.1:PORT/hello`'
	# shellcheck disable=SC2016
	assert_line_matches '^- 100 clients: `(taskset -c 1 )?BIN/load --port PORT --clients 90 --slow 10 --seconds 0\.5 --every 0\.5`'
	# shellcheck disable=SC2016
	# shellcheck disable=SC2016
	assert_line_matches '^- servers: .*the baselines: `BIN/article/webserver3a PORT` and `webserver3g PORT`, the article.s listings'
	# shellcheck disable=SC2016
	assert_line_matches '^- idle: `cli-connect --idle 20 --hold 600 --timeout 10 127\.0\.0\.1:PORT`; then up to 50, from such clients started one after the other'
	# The targets, last.
	assert_line_matches '^\| srv-prefork CPU/req at most 1/4 of srv-fork.s \| .* \| (yes|NO|n/a) \|$'
	assert_line_matches '^\| srv-thread CPU/req at most 1/2 of srv-fork.s \| .* \| (yes|NO|n/a) \|$'
	assert_line_matches "^\| srv-poll \(epoll\) CPU/req at 8 clients within 1\.2x of srv-iter.s \| $N"'x \(.*\) \| (yes|NO) \|$'
	assert_line_matches "^\| srv-poll \(epoll\) memory per idle connection at most 4 KiB \| -?$N KiB \(srv-fork: $N KiB\) \| (yes|NO) \|$"
	run python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
rows = {r["key"]: r for r in d["models"]}
assert rows["srv-iter"]["cpu_us"] > 0 and rows["srv-iter"]["max_held"] == 1, rows["srv-iter"]
assert rows["srv-poll-epoll"]["max_held"] == 50, rows["srv-poll-epoll"]
print("ok")' "$BATS_TEST_TMPDIR/models.json"
	assert_success
	assert_equal "$output" "ok"
}
