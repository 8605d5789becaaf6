#!/usr/bin/env bats
# bench/run, the benchmark behind `make bench`: a smoke test of its quick
# mode. It checks that the figures are numbers and that the table has its
# rows; it asserts no timing (docs/performance.md has a recorded run).

load test_helper

setup_file() {
	# The reference loops, built the way `make bench` builds them.
	local f
	for f in ref-iter ref-fork; do
		"${CC:-cc}" -std=c11 -D_DEFAULT_SOURCE -O2 \
			-o "$BATS_FILE_TMPDIR/$f" "$BATS_TEST_DIRNAME/../bench/$f.c"
	done
}

# bench QUICK-FLAGS...: the script in quick mode against the build under test.
bench() {
	run --separate-stderr python3 "$SOCKLAB_ROOT/bench/run" --quick \
		--bin "$SOCKLAB_BIN" --ref-bin "$BATS_FILE_TMPDIR" "$@"
}

N='[0-9]+(\.[0-9]+)?'

@test "bench/run --quick prints the servers, concurrency, inspectors and targets tables" {
	bench --json "$BATS_TEST_TMPDIR/bench.json" \
		--vs "python3 $SOCKLAB_ROOT/bench/webserver3a.py --port 0"
	assert_success
	# requests/s, server CPU µs/req, children CPU µs/req are numbers
	assert_line_matches "^\| srv-iter --quiet \| $N \| $N \| $N \|"
	assert_line_matches "^\| ref-iter \| $N \| $N \| $N \|"
	assert_line_matches "^\| ref-fork \| $N \| $N \| $N \| -?$N \| $N \| 0 \|"
	if [[ -x "$SOCKLAB_BIN/srv-fork" ]]; then
		assert_line_matches "^\| srv-fork --quiet \| $N \| $N \| $N \| -?$N \| $N \| 0 \|"
		assert_line_matches "^\| srv-fork --child-sleep 0.05 \| $N \| $N+x faster \|"
		assert_line_matches "^\| srv-sleep --sleep 0.05 \| $N \|"
	fi
	assert_line_matches "^\| vs: \`python3 .*webserver3a.py --port 0\` \| $N \| $N \|"
	assert_line_matches "^\| vs: .* \| $N \($N+x srv-iter\) \|"
	assert_line_matches "^\| srv-iter server CPU/req within 15% of ref-iter \| .* \| (yes|NO|n/a) \|$"
	assert_line_matches "^\| srv-iter peak RSS under 2 MiB \| $N KiB \($N MiB\) \| (yes|NO) \|$"
	assert_line_matches "^\| srv-fork requests/s within 10% of ref-fork \|"
	assert_line_matches "^\| srv-fork CPU/req \(own \+ children\) within 10% of ref-fork \|"
	assert_line_matches "^\| show-fds --pid at least 20x faster than lsof -p \|"
	if [[ -x "$SOCKLAB_BIN/show-fds" ]] && command -v lsof >/dev/null; then
		assert_line_matches "^\| show-fds --pid P \| $N \| lsof -p P \| $N \| $N+x faster \|"
	fi
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

@test "bench/run --loadgen python measures the servers without ab" {
	bench --loadgen python --requests 50
	assert_success
	assert_output_contains "load generator: the built-in Python client"
	assert_line_matches "^\| srv-iter --quiet \| $N \| $N \| $N \|"
	assert_line_matches "^\| ref-iter \| $N \| $N \| $N \|"
}

@test "bench/run without ab says how to install it" {
	if command -v ab >/dev/null; then
		local py
		py="$(python3 -c 'import sys; print(sys.executable)')"
		run --separate-stderr env PATH=/nonexistent "$py" "$SOCKLAB_ROOT/bench/run" \
			--quick --loadgen ab --bin "$SOCKLAB_BIN"
		assert_failure 1
		assert_stderr_contains "apt-get install apache2-utils"
	else
		bench --requests 20
		assert_success
		assert_output_contains "apt-get install apache2-utils"
	fi
}

@test "bench/run says what to build when srv-iter is missing, and rejects bad numbers" {
	run --separate-stderr python3 "$SOCKLAB_ROOT/bench/run" --bin "$BATS_TEST_TMPDIR"
	assert_failure 1
	assert_stderr_contains "srv-iter not found: run \`make bench\`"
	run --separate-stderr python3 "$SOCKLAB_ROOT/bench/run" --runs 0
	assert_failure 2
	assert_stderr_contains "--runs must be at least 1"
}

@test "bench/run --only servers measures the servers and skips the other figures" {
	bench --only servers
	assert_success
	assert_line_matches "^\| srv-iter --quiet \| $N \| $N \| $N \|"
	assert_line_matches "^\| ref-fork \| $N \| $N \| $N \| -?$N \| $N \| 0 \| n/a \|$"
	assert_line_matches "^\| srv-sleep --sleep 0.05 \| n/a \| \|$"
	refute_output_contains "lsof -p P |"
	assert_line_matches "^\| show-fds --pid at least 20x faster than lsof -p \| n/a \| n/a \|$"
	assert_stderr_contains "bench: servers:"
	[[ "$stderr" != *"bench: inspectors"* && "$stderr" != *"bench: concurrency"* ]]
	[[ "$stderr" != *"bench: cli-connect"* ]]
}

@test "bench/run --only concurrency skips the server table; a bad figure is a usage error" {
	bench --only concurrency
	assert_success
	assert_line_matches "^\| srv-iter --quiet \| n/a \| n/a \| n/a \| n/a \| n/a \| not run \(--only\) \| n/a \|$"
	if [[ -x "$SOCKLAB_BIN/srv-fork" ]]; then
		assert_line_matches "^\| srv-fork --child-sleep 0.05 \| $N \| $N+x faster \|"
	fi
	run --separate-stderr python3 "$SOCKLAB_ROOT/bench/run" --only servers,nonsense
	assert_failure 2
	assert_stderr_contains "--only: expected a comma-separated list of servers, clients, concurrency, inspectors"
}
