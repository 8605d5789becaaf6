#!/usr/bin/env bats
# show-timeline: the pictures of recorded runs, byte for byte; the
# structure of live runs of the article's servers under strace; the SVG in
# a real browser; every bad input refused (exit 1, nothing drawn); usage
# errors (exit 2).

load test_helper

DATA="$SOCKLAB_ROOT/tests/data/timeline"
SERVERS="$SOCKLAB_ROOT/tests/servers"

setup() {
	# The interpreter itself, not a wrapper (pyenv's shims are shell
	# scripts whose own processes would be traced too).
	PY="$(python3 -c 'import sys; print(sys.executable)')"
}

# json EXPR: EXPR evaluated in Python on the JSON object on stdin (d).
json() {
	python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

# counts FILE: --json of a trace file.
summary() { show-timeline --json "$1"; }

# lines_are NAME REGEX N: N lines of NAME's stdout match REGEX.
lines_are() { [[ "$(grep -cE -- "$2" "$BATS_TEST_TMPDIR/$1.out" || true)" -ge "$3" ]]; }

# traced_pid: sets TRACED to the recorded command (show-timeline's child is
# strace, strace's child is the command).
traced_pid() {
	local s
	s="$(kids_of "$BG_PID" | head -n 1)"
	[[ -n "$s" ]] || return 1
	TRACED="$(kids_of "$s" | head -n 1)"
	[[ -n "$TRACED" ]]
}

# record NAME SCRIPT ARGS...: show-timeline -- python3 SCRIPT ARGS..., the
# trace in NAME.trace; waits for the server's ready line (PORT) and sets
# TRACED.
record() {
	local name="$1" script="$2"
	shift 2
	command -v strace >/dev/null || skip "strace is not installed"
	start_bg "$name" 'Serving HTTP on port ([0-9]+)' \
		show-timeline -q --trace "$BATS_TEST_TMPDIR/$name.trace" -- \
		"$PY" "$SERVERS/$script" "$@"
	PORT="$BG_MATCH"
	wait_for traced_pid
}

# stop_recording: SIGTERM to show-timeline; it stops the command, reaps
# everything and exits 0.
stop_recording() {
	stop_gracefully "$BG_PID" TERM
	[[ "$STOP_STATUS" -eq 0 ]] || fail "show-timeline exited $STOP_STATUS:" "$(bg_err "$1")"
}

# all_gone TRACE: no process of the trace is left.
all_gone() {
	local p
	for p in $(summary "$1" | json '" ".join(str(l["pid"]) for l in d["lanes"])'); do
		if kill -0 "$p" 2>/dev/null; then
			fail "pid $p is still there: $(ps -o pid=,stat=,args= -p "$p")"
		fi
	done
}

# refused FILE WHY: show-timeline refuses the trace FILE with WHY on stderr,
# exit 1, and draws nothing (no text, no SVG file).
refused() {
	local svg="$BATS_TEST_TMPDIR/refused.svg"
	rm -f "$svg"
	run --separate-stderr show-timeline --svg "$svg" "$1"
	assert_failure 1
	assert_equal "$output" ""
	assert_stderr_contains "show-timeline: $1: "
	assert_stderr_contains "$2"
	[[ ! -e "$svg" ]] || fail "an SVG was written for a refused trace"
}

# ----------------------------------------------------------- the pictures

@test "recorded runs: the same trace gives the same text and SVG, byte for byte" {
	local n
	for n in example webserver3c webserver3d webserver3g; do
		run show-timeline --width 100 --svg "$BATS_TEST_TMPDIR/$n.svg" "$DATA/$n.trace"
		assert_success
		diff -u "$DATA/$n.txt" <(printf '%s\n' "$output") || fail "$n: the text differs"
		cmp "$DATA/$n.svg" "$BATS_TEST_TMPDIR/$n.svg" || fail "$n: the SVG differs"
	done
}

@test "strace's log of webserver3g gives the recorded trace, byte for byte (--strace)" {
	run show-timeline -q --strace "$DATA/webserver3g.strace" --trace "$BATS_TEST_TMPDIR/3g.trace"
	assert_success
	assert_equal "$output" ""
	cmp "$DATA/webserver3g.trace" "$BATS_TEST_TMPDIR/3g.trace"
}

@test "the man page's example trace is tests/data/timeline/example.trace, and draws what the page says" {
	awk '/^\.SS What a writer emits/ { f = 1 } f && /^\.nf/ { p = 1; next } p && /^\.fi/ { exit } p' \
		"$SOCKLAB_ROOT/man/show-timeline.1" | sed 's/\\-/-/g' >"$BATS_TEST_TMPDIR/man.trace"
	cmp "$DATA/example.trace" "$BATS_TEST_TMPDIR/man.trace"
	run summary "$DATA/example.trace"
	assert_success
	# Lane 4242 holds the connection from 100.0001 to 100.00035, lane 4243
	# from its birth (100.0003) to 100.001; 4243 is a zombie from 100.0011
	# to 100.0015; one fork, SIGCHLD, EINTR, reap and empty wait.
	run json '[(h["pid"], round(h["from"], 6), round(h["to"], 6)) for h in d["connections"][0]["holders"]]' <<<"$output"
	assert_equal "$output" "[(4242, 0.0, 0.00025), (4243, 0.0002, 0.0009)]"
	run summary "$DATA/example.trace"
	run json '(round(d["lanes"][1]["exit"], 6), round(d["lanes"][1]["reaped"], 6), d["lanes"][1]["zombie"], d["counts"]["zombies"], d["counts"]["zombies_unreaped"], d["marks"])' <<<"$output"
	assert_equal "$output" "(0.001, 0.0014, 'reaped', 1, 0, {'fork': 1, 'sigchld': 1, 'signal': 0, 'wait': 1, 'reap': 1, 'eintr': 1})"
}

@test "a recorded webserver3c: 3 children, each a zombie that nobody reaps" {
	run summary "$DATA/webserver3c.trace"
	assert_success
	run json '(d["counts"]["processes"], d["counts"]["forked"], d["counts"]["zombies_unreaped"], [l["zombie"] for l in d["lanes"][1:]])' <<<"$output"
	assert_equal "$output" "(4, 3, 3, ['unreaped', 'unreaped', 'unreaped'])"
}

@test "text lanes fit the width: --width, \$COLUMNS, 80 when stdout is not a terminal" {
	local widest='import sys; print(max(len(l) for l in sys.stdin.read().split("\n")))'
	run show-timeline --width 120 "$DATA/webserver3d.trace"
	assert_success
	assert_equal "$(python3 -c "$widest" <<<"$output")" 120
	COLUMNS=60 run show-timeline "$DATA/webserver3d.trace"
	assert_success
	assert_equal "$(python3 -c "$widest" <<<"$output")" 60
	run env -u COLUMNS show-timeline "$DATA/webserver3d.trace"
	assert_success
	assert_equal "$(python3 -c "$widest" <<<"$output")" 80
	# The lanes: parent first, children under it in fork order.
	assert_line_matches '^29306 python3 +█'
	assert_line_matches '^ 29343 python3 +█+░+$'
}

@test "--svg - writes the SVG alone to stdout; - reads the trace from stdin; --json alone" {
	run show-timeline --svg - - <"$DATA/example.trace"
	assert_success
	cmp <(printf '%s\n' "$output") "$DATA/example.svg"
	run show-timeline --json "$DATA/example.trace"
	assert_success
	[[ "${#lines[@]}" -eq 1 ]] || fail "--json: more than one line"
}

@test "the SVG is XML, self-contained: no script, no link, no external font" {
	local n
	for n in example webserver3c webserver3d webserver3g; do
		run python3 - "$DATA/$n.svg" <<'EOF'
import sys, xml.etree.ElementTree as ET
text = open(sys.argv[1], encoding="utf-8").read()
root = ET.fromstring(text)
assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
tags = {e.tag.split("}")[1] for e in root.iter()}
assert not tags & {"script", "foreignObject", "image", "a", "style"}, tags
for e in root.iter():
    for k, v in e.attrib.items():
        assert "href" not in k and not k.startswith("on"), (e.tag, k)
        assert "url(" not in v or v.startswith("url(#"), (e.tag, v)
assert text.count("http") == 1 and "@import" not in text and "@font-face" not in text
print(len(list(root.iter())))
EOF
		assert_success
	done
}

@test "the SVG draws in a real browser (headless Chromium): its picture is not blank" {
	local browser
	browser="$(command -v chromium || command -v chromium-browser || true)"
	[[ -n "$browser" ]] || skip "Chromium is not installed (apt-get install chromium; .ci/run installs it)"
	local svg="$DATA/webserver3d.svg" png="$BATS_TEST_TMPDIR/3d.png" profile height
	profile="$(mktemp -d "$BATS_TEST_TMPDIR/chromium.XXXXXX")"
	height="$(sed -n 's/^<svg .* height="\([0-9]*\)".*/\1/p' "$svg")"
	run timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update \
		--disable-sync --no-first-run --user-data-dir="$profile" \
		--window-size="1000,$height" --screenshot="$png" "file://$svg"
	[[ -s "$png" ]] || { show_run; fail "no screenshot"; }
	# Pixels that are not white, and those of the "alive" bars (#5a9e57).
	run python3 "$DATA/png-ink.py" "$png" 5a9e57
	assert_success
	read -r w h ink green <<<"$output"
	assert_equal "$w" 1000
	((ink > 10000)) || fail "only $ink pixels drawn: $output"
	((green > 2000)) || fail "only $green pixels of the alive bars: $output"
}

@test "a trace of 100,000 events is drawn (text, SVG and --json)" {
	local t="$BATS_TEST_TMPDIR/big.trace"
	# A fork server: per client an accept, a fork, the parent's close, the
	# child's two closes and exit, a SIGCHLD and a reap: 8 events.
	awk 'BEGIN {
		print "{\"socklab_trace\":1,\"clock\":\"monotonic\",\"source\":\"bench\"}"
		for (i = 0; i < 12500; i++) {
			t = i * 0.001; c = 100000 + i
			printf "{\"t\":%.6f,\"pid\":4242,\"ev\":\"call\",\"call\":\"accept\",\"fd\":3,\"ret\":4,\"local\":\"127.0.0.1:8888\",\"peer\":\"127.0.0.1:%d\"}\n", t, 30000 + i % 30000
			printf "{\"t\":%.6f,\"pid\":4242,\"ev\":\"fork\",\"child\":%d}\n", t + 0.0001, c
			printf "{\"t\":%.6f,\"pid\":4242,\"ev\":\"call\",\"call\":\"close\",\"fd\":4,\"ret\":0}\n", t + 0.0002
			printf "{\"t\":%.6f,\"pid\":%d,\"ev\":\"call\",\"call\":\"close\",\"fd\":3,\"ret\":0}\n", t + 0.0002, c
			printf "{\"t\":%.6f,\"pid\":%d,\"ev\":\"call\",\"call\":\"close\",\"fd\":4,\"ret\":0}\n", t + 0.0005, c
			printf "{\"t\":%.6f,\"pid\":%d,\"ev\":\"exit\",\"code\":0}\n", t + 0.0006, c
			printf "{\"t\":%.6f,\"pid\":4242,\"ev\":\"signal\",\"sig\":\"SIGCHLD\",\"from\":%d}\n", t + 0.0007, c
			printf "{\"t\":%.6f,\"pid\":4242,\"ev\":\"reap\",\"child\":%d,\"code\":0}\n", t + 0.0008, c
		}
	}' >"$t"
	assert_equal "$(wc -l <"$t")" 100001
	run show-timeline --json --svg "$BATS_TEST_TMPDIR/big.svg" "$t"
	assert_success
	run json '(d["counts"]["processes"], d["counts"]["connections"], d["counts"]["holds"], d["counts"]["zombies_unreaped"], d["marks"]["reap"])' <<<"$output"
	assert_equal "$output" "(12501, 12500, 25000, 0, 12500)"
	run show-timeline --width 100 "$t"
	assert_success
	assert_line_matches '^12501 processes \(12500 forked\)'
	# A row per process, its label first.
	assert_equal "$(grep -cE '^ ?[0-9]+ +[ █]' <<<"$output")" 12501
}

# ------------------------------------------------------------ live runs

@test "live: webserver3c with 3 clients gives 3 children, each with a zombie span that never ends" {
	record 3c webserver3c.py 0 1
	run "$PY" "$SERVERS/client3.py" --max-clients 3 "$PORT"
	assert_success
	wait_for lines_are 3c '^Child PID' 3
	wait_for zombies_are "$TRACED" 3
	stop_recording 3c
	run summary "$BATS_TEST_TMPDIR/3c.trace"
	assert_success
	run json '(d["counts"]["processes"], d["counts"]["forked"], d["counts"]["connections"], d["counts"]["zombies_unreaped"], [(l["parent"] is not None, l["zombie"]) for l in d["lanes"]], d["marks"]["reap"])' <<<"$output"
	assert_equal "$output" "(4, 3, 3, 3, [(False, 'none'), (True, 'unreaped'), (True, 'unreaped'), (True, 'unreaped')], 0)"
	# Each unreaped zombie runs to the end of the picture.
	run summary "$BATS_TEST_TMPDIR/3c.trace"
	run json 'all(l["zombie_end"] == d["duration"] for l in d["lanes"][1:])' <<<"$output"
	assert_equal "$output" True
	[[ -s "$BATS_TEST_TMPDIR/3c.trace.strace" ]] || fail "strace's log was not kept"
	all_gone "$BATS_TEST_TMPDIR/3c.trace"
}

@test "live: webserver3g's SIGCHLD handler reaps every child: no zombie left" {
	record 3g webserver3g.py 0
	run "$PY" "$SERVERS/client3.py" --max-clients 3 "$PORT"
	assert_success
	wait_for lines_are 3g '^GET /hello' 3
	wait_for kids_are "$TRACED" 0
	stop_recording 3g
	run summary "$BATS_TEST_TMPDIR/3g.trace"
	assert_success
	run json '(d["counts"]["processes"], d["counts"]["connections"], d["counts"]["zombies_unreaped"], d["marks"]["reap"], d["marks"]["sigchld"] >= 1, d["marks"]["eintr"] <= d["marks"]["sigchld"], [l["zombie"] != "unreaped" for l in d["lanes"]])' <<<"$output"
	assert_equal "$output" "(4, 3, 0, 3, True, True, [True, True, True, True])"
	all_gone "$BATS_TEST_TMPDIR/3g.trace"
}

@test "live: webserver3d's connections outlive their children (the parent holds them)" {
	record 3d webserver3d.py 0
	run "$PY" "$SERVERS/client3.py" --max-clients 3 "$PORT"
	assert_success
	wait_for lines_are 3d '^[0-9]+$' 3
	wait_for zombies_are "$TRACED" 3
	stop_recording 3d
	run summary "$BATS_TEST_TMPDIR/3d.trace"
	assert_success
	# For each connection, the parent's hold ends after every child's.
	run python3 -c '
import json, sys
d = json.load(sys.stdin)
root = d["lanes"][0]["pid"]
assert d["counts"]["connections"] == 3, d["counts"]
for c in d["connections"]:
    mine = [h["to"] for h in c["holders"] if h["pid"] == root]
    kids = [h["to"] for h in c["holders"] if h["pid"] != root]
    assert mine and kids and min(mine) > max(kids), c
    exits = [l["exit"] for l in d["lanes"] if l["pid"] in [h["pid"] for h in c["holders"]] and l["pid"] != root]
    assert min(mine) > max(exits), (c, exits)
print("ok")' <<<"$output"
	assert_success
	assert_equal "$output" ok
	all_gone "$BATS_TEST_TMPDIR/3d.trace"
}

@test "live: SIGTERM to show-timeline stops every process of the command, even children still running, and reaps them" {
	record 3c-long webserver3c.py 0 60
	run "$PY" "$SERVERS/client3.py" --max-clients 2 "$PORT"
	assert_success
	wait_for lines_are 3c-long '^Child PID' 2
	wait_for running_are "$TRACED" 2
	local kids
	kids="$(kids_of "$TRACED")"
	stop_recording 3c-long
	local p
	for p in $kids "$TRACED"; do
		! kill -0 "$p" 2>/dev/null || fail "pid $p is still there"
	done
	run summary "$BATS_TEST_TMPDIR/3c-long.trace"
	run json '[l["sig"] for l in d["lanes"]]' <<<"$output"
	assert_equal "$output" "['SIGTERM', 'SIGTERM', 'SIGTERM']"
}

@test "live: Ctrl-C (SIGINT to the whole process group, as a terminal sends it) ends the run, drawn" {
	command -v strace >/dev/null || skip "strace is not installed"
	start_bg cc 'Serving HTTP on port ([0-9]+)' \
		show-timeline --trace "$BATS_TEST_TMPDIR/cc.trace" --width 80 -- "$PY" "$SERVERS/webserver3a.py" 0
	wait_for traced_pid
	kill -INT -- "-$BG_PID"
	wait_for exited "$BG_PID"
	local st=0
	wait "$BG_PID" || st=$?
	assert_equal "$st" 0
	wait_for bg_out_has cc "marks: 0 forks"
	! kill -0 "$TRACED" 2>/dev/null || fail "the server is still there"
	run summary "$BATS_TEST_TMPDIR/cc.trace"
	run json 'd["lanes"][0]["exit"] is not None' <<<"$output"
	assert_equal "$output" True
}

@test "live: --duration stops the command with SIGTERM; the default trace name is printed" {
	command -v strace >/dev/null || skip "strace is not installed"
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr show-timeline --json --duration 2 -- "$PY" "$SERVERS/webserver3a.py" 0
	assert_success
	assert_stderr_contains "written to timeline-"
	local trace
	trace="$(ls timeline-*.trace)"
	[[ -s "$trace" && -s "$trace.strace" ]] || fail "no trace or log: $(ls)"
	run json 'd["lanes"][0]["sig"]' <<<"$(printf '%s\n' "$output" | tail -n 1)"
	assert_equal "$output" SIGTERM
}

@test "no strace: a clear message and exit 1" {
	run --separate-stderr env PATH=/nonexistent "$SOCKLAB_BIN/show-timeline" \
		--trace "$BATS_TEST_TMPDIR/x.trace" -- true
	assert_failure 1
	assert_equal "$output" ""
	assert_stderr_contains "show-timeline: strace: No such file or directory"
	assert_stderr_contains "needs strace"
}

@test "strace that cannot trace (ptrace denied), or a command that does not exist: a clear message and exit 1" {
	mkdir "$BATS_TEST_TMPDIR/fake"
	printf '#!/bin/sh\necho "strace: ptrace(PTRACE_TRACEME, ...): Operation not permitted" >&2\nexit 1\n' \
		>"$BATS_TEST_TMPDIR/fake/strace"
	chmod +x "$BATS_TEST_TMPDIR/fake/strace"
	PATH="$BATS_TEST_TMPDIR/fake:$PATH" run --separate-stderr show-timeline \
		--trace "$BATS_TEST_TMPDIR/x.trace" -- true
	assert_failure 1
	assert_equal "$output" ""
	assert_stderr_contains "Operation not permitted"
	assert_stderr_contains "show-timeline: strace did not trace true (strace's exit status 1)"
	assert_stderr_contains "is ptrace allowed"
	[[ ! -e "$BATS_TEST_TMPDIR/x.trace" ]] || fail "a trace was written"
	command -v strace >/dev/null || skip "strace is not installed"
	run --separate-stderr show-timeline --trace "$BATS_TEST_TMPDIR/y.trace" -- /nonexistent/command
	assert_failure 1
	assert_stderr_contains "show-timeline: strace did not trace /nonexistent/command"
}

# ------------------------------------------------------------ bad input

@test "bad traces are refused, with the line and why: empty, cut short, garbage" {
	local d="$BATS_TEST_TMPDIR"
	: >"$d/empty.trace"
	refused "$d/empty.trace" "empty: not a trace"
	head -n 1 "$DATA/example.trace" >"$d/header.trace"
	refused "$d/header.trace" "no events after the header"
	head -c -1 "$DATA/example.trace" >"$d/nonl.trace"
	refused "$d/nonl.trace" "line 11: cut short: the last line has no newline"
	head -c 300 "$DATA/example.trace" >"$d/cut.trace"
	refused "$d/cut.trace" "line 4: cut short"
	printf '\x00\xff\x13garbage\n' >"$d/garbage.trace"
	refused "$d/garbage.trace" "line 1: not a JSON object"
	head -c 4096 /dev/zero | tr '\0' 'x' >"$d/binary.trace"
	printf '\n' >>"$d/binary.trace"
	refused "$d/binary.trace" "line 1: not a JSON object"
	refused "$d/missing.trace" "No such file or directory"
}

@test "bad traces are refused: not a header, a newer version, bad keys and values" {
	local d="$BATS_TEST_TMPDIR" h='{"socklab_trace":1}'
	sed -n 2p "$DATA/example.trace" >"$d/nohead.trace"
	refused "$d/nohead.trace" 'line 1: not a socklab trace'
	printf '{"socklab_trace":2}\n{"t":1,"pid":1,"ev":"exit"}\n' >"$d/v2.trace"
	refused "$d/v2.trace" "line 1: trace format version 2: this show-timeline reads version 1"
	printf '%s\n{"t":1,"pid":"x","ev":"exit"}\n' "$h" >"$d/type.trace"
	refused "$d/type.trace" 'line 2: "pid" must be a number'
	printf '%s\n{"t":-1,"pid":1,"ev":"exit"}\n' "$h" >"$d/range.trace"
	refused "$d/range.trace" 'line 2: "t" is out of range'
	printf '%s\n{"t":1,"pid":1,"pid":2,"ev":"exit"}\n' "$h" >"$d/twice.trace"
	refused "$d/twice.trace" 'line 2: "pid" given twice'
	printf '%s\n{"t":1,"pid":1,"ev":"call","ret":0}\n' "$h" >"$d/nocall.trace"
	refused "$d/nocall.trace" 'line 2: a "call" event needs "call"'
	printf '%s\n{"t":1,"pid":1,"ev":"fork","child":1}\n' "$h" >"$d/self.trace"
	refused "$d/self.trace" 'line 2: pid 1 cannot be its own child'
	printf '%s\n{"t":1,"pid":1,"ev":"exit"} x\n' "$h" >"$d/after.trace"
	refused "$d/after.trace" 'line 2: text after the object'
	printf '%s\n\n' "$h" >"$d/blank.trace"
	refused "$d/blank.trace" 'line 2: an empty line'
	printf '%s\n%s\n' "$h" "$h" >"$d/two.trace"
	refused "$d/two.trace" 'line 2: a second header'
	# A key this version does not know may hold anything, even nested.
	printf '%s\n{"t":1,"pid":1,"ev":"exit","later":{"a":[1,{"b":null}],"c":"d"}}\n{"t":2,"pid":2,"ev":"joined"}\n' "$h" >"$d/grown.trace"
	run show-timeline --json "$d/grown.trace"
	assert_success
	run json 'd["counts"]["processes"]' <<<"$output"
	assert_equal "$output" 2
}

@test "bad traces are refused: out of order, an event after the exit, born while alive" {
	local d="$BATS_TEST_TMPDIR" h='{"socklab_trace":1}'
	printf '%s\n{"t":2,"pid":7,"ev":"call","call":"close","fd":3,"ret":0}\n{"t":1,"pid":7,"ev":"exit"}\n' "$h" >"$d/back.trace"
	refused "$d/back.trace" "line 3: time goes back for pid 7 (1 after 2 on line 2)"
	# Other processes may be out of order by a little: they are sorted.
	printf '%s\n{"t":2,"pid":7,"ev":"exit"}\n{"t":1,"pid":8,"ev":"exit"}\n' "$h" >"$d/two-pids.trace"
	run show-timeline --json "$d/two-pids.trace"
	assert_success
	printf '%s\n{"t":1,"pid":7,"ev":"exit","code":0}\n{"t":2,"pid":7,"ev":"call","call":"close","fd":3,"ret":0}\n' "$h" >"$d/ghost.trace"
	refused "$d/ghost.trace" "line 3: pid 7 has ended (line 2): no event of it can follow"
	printf '%s\n{"t":1,"pid":7,"ev":"fork","child":8}\n{"t":2,"pid":7,"ev":"fork","child":8}\n' "$h" >"$d/twin.trace"
	refused "$d/twin.trace" "line 3: pid 8 is born, but pid 8 is still alive"
}

@test "huge traces are refused: a line over 4096 bytes, more than 1,000,000 events" {
	local d="$BATS_TEST_TMPDIR"
	{
		echo '{"socklab_trace":1}'
		printf '{"t":1,"pid":1,"ev":"exit","x":"%s"}\n' "$(head -c 5000 /dev/zero | tr '\0' 'a')"
	} >"$d/long.trace"
	refused "$d/long.trace" "line 2: longer than 4096 bytes"
	awk 'BEGIN { print "{\"socklab_trace\":1}"
		for (i = 0; i <= 1000000; i++) printf "{\"t\":%d,\"pid\":1,\"ev\":\"x\"}\n", i }' >"$d/many.trace"
	refused "$d/many.trace" "line 1000002: more than 1000000 events: too many to draw"
}

@test "--strace with a file that strace did not write: no event, exit 1" {
	run --separate-stderr show-timeline --strace "$DATA/example.trace"
	assert_failure 1
	assert_equal "$output" ""
	assert_stderr_contains "show-timeline: $DATA/example.trace: no event in strace's log (11 lines)"
}

@test "usage errors: exit 2 with a message" {
	local t="$DATA/example.trace"
	run --separate-stderr show-timeline
	assert_failure 2
	assert_stderr_contains "what to draw? a trace file, --strace LOG or -- COMMAND"
	run --separate-stderr show-timeline "$t" "$t"
	assert_failure 2
	assert_stderr_contains "unexpected argument"
	run --separate-stderr show-timeline --strace "$t" -- true
	assert_failure 2
	assert_stderr_contains "one of them"
	run --separate-stderr show-timeline --trace x.trace "$t"
	assert_failure 2
	assert_stderr_contains "--trace names the trace that -- COMMAND or --strace writes"
	run --separate-stderr show-timeline --duration 1 "$t"
	assert_failure 2
	assert_stderr_contains "--duration limits -- COMMAND"
	run --separate-stderr show-timeline --duration 0 -- true
	assert_failure 2
	assert_stderr_contains "invalid duration '0'"
	run --separate-stderr show-timeline --width 10 "$t"
	assert_failure 2
	assert_stderr_contains "width"
	run --separate-stderr show-timeline --json --svg - "$t"
	assert_failure 2
	assert_stderr_contains "both on stdout"
	run --separate-stderr show-timeline --
	assert_failure 2
	assert_stderr_contains "no command after '--'"
	run --separate-stderr show-timeline --frobnicate "$t"
	assert_failure 2
	assert_stderr_contains "Try 'show-timeline --help'"
}
