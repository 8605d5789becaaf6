#!/usr/bin/env bats
# bench/run, the benchmark behind `make bench`: a smoke test of its quick
# mode. It checks that the figures are numbers and that the tables have
# their rows; it asserts no timing (docs/performance.md has a recorded run).
# The two runs of every table (--quick, and its models) take half a minute
# of both CPUs: make soak runs them (tests/gates/heavy.bats).

load test_helper

setup_file() {
	# The slow-client load, built the way `make bench` builds it. The floors,
	# the article's listings, are those of the build under test
	# ($SOCKLAB_BIN/article/, bench/run's default).
	"${CC:-cc}" -std=c11 -D_DEFAULT_SOURCE -O2 \
		-o "$BATS_FILE_TMPDIR/load" "$BATS_TEST_DIRNAME/../bench/load.c"
}

# bench QUICK-FLAGS...: the script in quick mode against the build under test.
bench() {
	run --separate-stderr python3 "$SOCKLAB_ROOT/bench/run" --quick \
		--bin "$SOCKLAB_BIN" --ref-bin "$BATS_FILE_TMPDIR" "$@"
}

N='[0-9]+(\.[0-9]+)?'


@test "bench/run --loadgen python measures the servers without ab" {
	bench --loadgen python --requests 50 --only servers
	assert_success
	assert_output_contains "load generator: the built-in Python client"
	assert_line_matches "^\| srv-iter --quiet \| $N \| $N \| $N \|"
	assert_line_matches "^\| webserver3a \| $N \| $N \| $N \|"
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
		bench --requests 20 --only servers
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
	assert_line_matches "^\| webserver3g \| $N \| $N \| $N \| -?$N \| $N \| 0 \| n/a \|$"
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
	assert_stderr_contains "--only: expected a comma-separated list of servers, clients, concurrency, inspectors, models"
	run --separate-stderr python3 "$SOCKLAB_ROOT/bench/run" --only models --settle -1
	assert_failure 2
	assert_stderr_contains "--settle must be between 0 and 600"
}


@test "bench/load: fast and slow clients for a time, one JSON line; bad input is a usage error" {
	start_server srv srv-iter --port 0 --quiet
	run "$BATS_FILE_TMPDIR/load" --port "$PORT" --clients 2 --slow 0 --seconds 0.3
	assert_success
	run python3 -c 'import json, sys; d = json.loads(sys.argv[1]); assert d["ok"] > 0 and d["failed"] == 0, d; print("ok")' "$output"
	assert_equal "$output" "ok"
	# One slow client holds the iterative server: no fast request is answered.
	start_server held srv-iter --port 0 --quiet --timeout 10
	run "$BATS_FILE_TMPDIR/load" --port "$PORT" --clients 2 --slow 1 --seconds 0.5
	assert_success
	assert_output_contains '"ok": 0,'
	run "$BATS_FILE_TMPDIR/load" --port 0
	assert_failure 2
	run "$BATS_FILE_TMPDIR/load" --port 80 --seconds soon
	assert_failure 2
	assert_output_contains "load: invalid seconds 'soon'"
}

@test "bench/run says at the start what is missing: ab (then the Python client is slow), a listing" {
	local py
	py="$(python3 -c 'import sys; print(sys.executable)')"
	# No ab on this PATH (nor taskset: no pinning).
	run --separate-stderr env PATH=/nonexistent "$py" "$SOCKLAB_ROOT/bench/run" --quick \
		--bin "$SOCKLAB_BIN" --ref-bin "$BATS_FILE_TMPDIR" --only servers --requests 20
	assert_success
	[[ "$(head -n 1 <<<"$stderr")" == "bench: ab (ApacheBench) is not installed: \`apt-get install apache2-utils\`"*"much slower"* ]] ||
		{ show_run; fail "ab's absence is not the first thing said"; }
	assert_output_contains "load generator: the built-in Python client"
	# A listing not built: said first too (--loadgen python: whether ab
	# is installed or not, nothing is said of it); its rows and targets
	# say n/a.
	bench --loadgen python --only servers --requests 20 --article-bin "$BATS_TEST_TMPDIR"
	assert_success
	[[ "$(head -n 1 <<<"$stderr")" == "bench: $BATS_TEST_TMPDIR/webserver3a not built: \`make bench\` builds it"* ]] ||
		{ show_run; fail "the missing listing is not the first thing said"; }
	assert_line_matches "^\| srv-iter CPU/req within 1\.10x of webserver3a's \| n/a \| n/a \|$"
	assert_line_matches "^\| srv-fork requests/s at least 0\.90x webserver3g's \| n/a \| n/a \|$"
}
