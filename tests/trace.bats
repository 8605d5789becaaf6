#!/usr/bin/env bats
# --trace FILE: every server and cli-connect write what they narrate as
# show-timeline's events (lib/trace.c). The traces of live runs parse (each
# line one JSON object, show-timeline draws them) and say what the lessons
# say: srv-fork --reap none leaves a zombie per client that nobody ends,
# --reap loop none, --keep-conn connections that outlive their child.

load test_helper

# json EXPR: EXPR evaluated in Python on the JSON object on stdin (d).
json() {
	python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

# events_are FILE EV N: FILE has N events "ev":"EV" (or more).
events_are() { [[ "$(grep -c "\"ev\":\"$2\"" "$1" || true)" -ge "$3" ]]; }

# parses FILE: every line is one JSON object, and show-timeline draws it.
parses() {
	python3 -c '
import json, sys
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    assert line.endswith("\n"), "line %d: no newline" % n
    assert isinstance(json.loads(line), dict), "line %d: not an object" % n
' "$1" || return 1
	show-timeline --width 80 "$1" >/dev/null
}

# snapshot FILE: the trace as it is now, in FILE.now (a server still runs:
# what has happened so far).
snapshot() { cp "$1" "$1.now"; }

@test "srv-fork --reap none, 3 clients: 3 children, each a zombie that never ends" {
	T="$BATS_TEST_TMPDIR/run.trace"
	start_server srv srv-fork --port 0 --reap none --trace "$T"
	for _ in 1 2 3; do http_get "$PORT" >/dev/null; done
	wait_for events_are "$T" exit 3
	snapshot "$T"
	parses "$T.now"
	run show-timeline --json "$T.now"
	assert_success
	assert_equal "$(json 'd["counts"]["forked"]' <<<"$output")" 3
	assert_equal "$(json 'd["counts"]["zombies_unreaped"]' <<<"$output")" 3
	assert_equal "$(json 'sum(1 for l in d["lanes"] if l["zombie"] == "unreaped" and l["reaped"] is None and l["parent"] is not None)' <<<"$output")" 3
	assert_equal "$(json 'd["marks"]["reap"]' <<<"$output")" 0
	# Each zombie is the lane of a child the parent forked, named as the tool.
	assert_equal "$(json '{l["name"] for l in d["lanes"]}' <<<"$output")" "{'srv-fork'}"
	stop_gracefully "$SERVER_PID"
	parses "$T"
}

@test "srv-fork --reap loop, 3 clients: every child reaped, no zombie left" {
	T="$BATS_TEST_TMPDIR/run.trace"
	start_server srv srv-fork --port 0 --reap loop --trace "$T"
	for _ in 1 2 3; do http_get "$PORT" >/dev/null; done
	wait_for events_are "$T" reap 3
	snapshot "$T"
	parses "$T.now"
	run show-timeline --json "$T.now"
	assert_success
	assert_equal "$(json 'd["counts"]["forked"]' <<<"$output")" 3
	assert_equal "$(json 'd["counts"]["zombies_unreaped"]' <<<"$output")" 0
	assert_equal "$(json 'sum(1 for l in d["lanes"] if l["parent"] is not None and l["reaped"] is not None)' <<<"$output")" 3
	# Every reap came from the SIGCHLD handler: at least one SIGCHLD, at
	# most one per child (several may have become one).
	run json 'd["marks"]["sigchld"]' <<<"$output"
	((output >= 1 && output <= 3))
	stop_gracefully "$SERVER_PID"
	parses "$T"
	# The stop: the signal that asked for it, then the parent's exit.
	grep -q '"ev":"signal","sig":"SIGTERM"' "$T"
	[[ "$(tail -n 1 "$T")" == *'"ev":"exit","code":0}' ]]
}

@test "srv-fork --keep-conn: connections that outlive their child" {
	T="$BATS_TEST_TMPDIR/run.trace"
	# --content-length: curl knows the reply is whole without the FIN
	# that the parent's copy holds back.
	start_server srv srv-fork --port 0 --keep-conn --content-length --trace "$T"
	for _ in 1 2; do http_get "$PORT" >/dev/null; done
	wait_for events_are "$T" reap 2
	snapshot "$T"
	parses "$T.now"
	run show-timeline --json "$T.now"
	assert_success
	assert_equal "$(json 'd["counts"]["connections_open"]' <<<"$output")" 2
	# Each open connection: the parent holds it still, its child has exited.
	assert_equal "$(json '
sum(1 for c in d["connections"]
    if c["open"]
    and any(h["pid"] == c["by"] and h["open"] for h in c["holders"])
    and any(h["pid"] != c["by"] and not h["open"]
            and [l for l in d["lanes"] if l["pid"] == h["pid"]][0]["exit"] is not None
            for h in c["holders"]))' <<<"$output")" 2
}

@test "every server's trace parses, with its accept, its close and its exit" {
	local srv
	for srv in srv-iter srv-sleep srv-fork srv-prefork srv-thread srv-poll; do
		T="$BATS_TEST_TMPDIR/$srv.trace"
		# --content-length: srv-sleep's reply is whole before its sleep.
		start_server "$srv" "$srv" --port 0 --content-length --trace "$T"
		http_get "$PORT" >/dev/null
		stop_gracefully "$SERVER_PID"
		assert_equal "$srv $STOP_STATUS" "$srv 0"
		parses "$T" || fail "$srv: the trace does not parse"
		head -n 1 "$T" | grep -qF "\"source\":\"$srv\"" || fail "$srv: header"
		grep -qE '"call":"accept4?","fd":[0-9]+,"ret":[0-9]+,"local":"127\.0\.0\.1:[0-9]+","peer":"127\.0\.0\.1:[0-9]+"' "$T" ||
			fail "$srv: no accept with its socket pair:" "$(cat "$T")"
		grep -q '"call":"close"' "$T" || fail "$srv: no close"
		events_are "$T" exit 1 || fail "$srv: no exit"
	done
}

@test "cli-connect --trace: connect with its socket pair, the process's exit" {
	T="$BATS_TEST_TMPDIR/cli.trace"
	start_server srv srv-iter --port 0
	run cli-connect --trace "$T" --port "$PORT"
	assert_success
	parses "$T"
	grep -qE '"call":"connect","fd":[0-9]+,"ret":0,"local":"127\.0\.0\.1:[0-9]+","peer":"127\.0\.0\.1:'"$PORT"'"' "$T"
	[[ "$(tail -n 1 "$T")" == *'"ev":"exit","code":0}' ]]
}

@test "--trace: the listener is fd 3 still (the trace's descriptor is out of the way)" {
	T="$BATS_TEST_TMPDIR/run.trace"
	start_server srv srv-iter --port 0 --trace "$T"
	grep -qE '^socket\(AF_INET, SOCK_STREAM, 0\) +-> fd 3$' "$BATS_TEST_TMPDIR/srv.out"
}

@test "--trace: bad uses" {
	run srv-fork --port 0 --quiet --trace "$BATS_TEST_TMPDIR/x"
	assert_failure 2
	assert_output_contains "srv-fork: --trace records the narration: not with --quiet"
	run cli-connect --json --trace "$BATS_TEST_TMPDIR/x" --port 1
	assert_failure 2
	assert_output_contains "cli-connect: --trace records the narration"
	run srv-iter --port 0 --trace "$BATS_TEST_TMPDIR/no/such/dir/x"
	assert_failure 1
	assert_output_contains "srv-iter: --trace $BATS_TEST_TMPDIR/no/such/dir/x: No such file or directory"
	run srv-iter --port 0 --trace
	assert_failure 2
}

@test "make pictures: the lessons' pictures, drawn again from their traces, are the committed ones byte for byte" {
	run make -s -C "$SOCKLAB_ROOT" pictures IMG_OUT="$BATS_TEST_TMPDIR" TIMELINE="$(command -v show-timeline)"
	assert_success
	local t n count=0
	for t in "$SOCKLAB_ROOT"/docs/img/*.trace; do
		n="$(basename "$t" .trace)"
		cmp "$SOCKLAB_ROOT/docs/img/$n.svg" "$BATS_TEST_TMPDIR/$n.svg" || fail "docs/img/$n.svg is not what make pictures draws"
		# Each picture is shown by a lesson, in both editions.
		grep -qF "img/$n.svg" "$SOCKLAB_ROOT"/docs/0[56]-*.md || fail "no lesson shows $n.svg"
		grep -qF "../img/$n.svg" "$SOCKLAB_ROOT"/docs/zh/0[56]-*.md || fail "no Chinese lesson shows $n.svg"
		count=$((count + 1))
	done
	assert_equal "$count" 5
}
