#!/usr/bin/env bats
# check-server --trace DIR: each check's steps as events (lib/trace's format),
# one file per check, that show-timeline draws: check-server's lane and one
# lane per server it started, from its start to its reap. Bad input: a
# directory that is missing, not a directory, or not writable.

load test_helper

setup() {
	TDIR="$(mktemp -d)"
}

teardown() {
	chmod -R u+w "$TDIR" 2>/dev/null || true
	rm -rf "$TDIR"
}

@test "--trace DIR: one file per check run, each a trace show-timeline draws with the server's lane" {
	run --separate-stderr check-server --trace "$TDIR" --only reply,zombies --clients 4 -- srv-fork --port 0 --quiet
	assert_success
	# The report on stdout as without --trace: no narration.
	refute_output_contains "fork() + execvp()"
	assert_equal "$(cd "$TDIR" && echo *)" "reply.jsonl zombies.jsonl"
	local f pid
	for f in reply zombies; do
		run python3 -c 'import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
head, ev = lines[0], lines[1:]
assert head["socklab_trace"] == 1 and head["source"] == "check-server", head
forks = [e for e in ev if e["ev"] == "fork"]
reaps = [e for e in ev if e["ev"] == "reap"]
assert len(forks) == 1 and len(reaps) == 1, ev
assert forks[0]["child"] == reaps[0]["child"], ev
assert forks[0]["t"] <= reaps[0]["t"], ev
print(forks[0]["child"])' "$TDIR/$f.jsonl"
		assert_success
		pid="$output"
		run show-timeline --json "$TDIR/$f.jsonl"
		assert_success
		run python3 -c 'import json, sys
d = json.loads(sys.argv[1])
print(len(d["lanes"]), d["counts"]["forked"], d["marks"]["reap"])' "$output"
		assert_equal "$output" "2 1 1"
		run show-timeline --width 80 "$TDIR/$f.jsonl"
		assert_success
		assert_line_matches "^ $pid "
	done
}

@test "--trace with --verbose: the narration on stdout too, and a socklab server's own trace beside it ({port})" {
	run --separate-stderr check-server --verbose --trace "$TDIR" --only zombies --clients 4 -- srv-fork --port '{port}' --trace "$TDIR/srv-fork-{port}.jsonl"
	assert_success
	assert_output_contains "[zombies] fork() + execvp()"
	[[ -s "$TDIR/zombies.jsonl" ]]
	local own=("$TDIR"/srv-fork-*.jsonl)
	[[ -s "${own[0]}" ]] || fail "no trace of the server's own: $(ls "$TDIR")"
	run show-timeline --json "${own[0]}"
	assert_success
	# srv-fork's children, one per client, in its own trace.
	run python3 -c 'import json, sys
print(json.loads(sys.argv[1])["counts"]["forked"] >= 4)' "$output"
	assert_equal "$output" "True"
}

@test "--trace DIR: a missing directory, a file, an unwritable directory are usage errors (exit 2)" {
	run --separate-stderr check-server --trace "$TDIR/missing" -- srv-iter --port 0
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "check-server: --trace: $TDIR/missing: No such file or directory"
	: >"$TDIR/file"
	run --separate-stderr check-server --trace "$TDIR/file" -- srv-iter --port 0
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "check-server: --trace: $TDIR/file: Not a directory"
	run --separate-stderr check-server --trace '' -- srv-iter --port 0
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "check-server: --trace: no directory given"
	if [[ "$(id -u)" != 0 ]]; then
		mkdir "$TDIR/ro" && chmod a-w "$TDIR/ro"
		run --separate-stderr check-server --trace "$TDIR/ro" -- srv-iter --port 0
		assert_failure 2
		assert_equal "${stderr%%$'\n'*}" "check-server: --trace: $TDIR/ro: Permission denied"
	fi
}

@test "--trace DIR where a check's file cannot be created: exit 1, said, no server started" {
	mkdir "$TDIR/reply.jsonl"
	run --separate-stderr check-server --trace "$TDIR" --only reply -- srv-iter --port 0
	assert_failure 1
	assert_stderr_contains "check-server: --trace: $TDIR/reply.jsonl: Is a directory"
}
