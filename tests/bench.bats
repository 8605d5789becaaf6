#!/usr/bin/env bats
# bench/run, the benchmark behind `make bench`: a smoke test of its quick
# mode. It checks that the figures are numbers and that the tables have
# their rows; it asserts no timing (docs/performance.md has a recorded run).

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
	# A listing not built: said first too; its rows and targets say n/a.
	bench --only servers --requests 20 --article-bin "$BATS_TEST_TMPDIR"
	assert_success
	[[ "$(head -n 1 <<<"$stderr")" == "bench: $BATS_TEST_TMPDIR/webserver3a not built: \`make bench\` builds it"* ]] ||
		{ show_run; fail "the missing listing is not the first thing said"; }
	assert_line_matches "^\| srv-iter CPU/req within 1\.10x of webserver3a's \| n/a \| n/a \|$"
	assert_line_matches "^\| srv-fork requests/s at least 0\.90x webserver3g's \| n/a \| n/a \|$"
}
