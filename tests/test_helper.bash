# shellcheck shell=bash disable=SC2034 # sets PORT, BG_PID... for the tests
# Shared by every .bats file: load it with `load test_helper`.
#
#   - PATH starts with the tools under test ($SOCKLAB_BIN, default ./bin;
#     `make check` points it at the sanitizer build).
#   - start_server / start_bg run a tool in the background, in its own
#     process group, with bats' fd 3 closed, and wait for its ready line
#     under a deadline while checking that it is still alive.
#   - wait_for polls a condition under a deadline: tests never sleep to
#     synchronise.
#   - teardown kills every process group the test started.
#   - doc_script / doc_run / doc_start run the command blocks of docs/.

bats_require_minimum_version 1.5.0

SOCKLAB_ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
: "${SOCKLAB_BIN:=$SOCKLAB_ROOT/bin}"
export SOCKLAB_ROOT SOCKLAB_BIN
PATH="$SOCKLAB_BIN:$PATH"

# How long a readiness line or a condition may take before the test fails.
: "${SOCKLAB_DEADLINE:=10}"

SOCKLAB_PIDS=()

# ---------------------------------------------------------------- asserts

fail() {
	printf '%s\n' "$@" >&2
	return 1
}

show_run() {
	printf 'status: %s\n--- output:\n%s\n' "$status" "$output" >&2
	if [[ -n "${stderr+x}" ]]; then
		printf -- '--- stderr:\n%s\n' "$stderr" >&2
	fi
}

assert_success() {
	[[ "$status" -eq 0 ]] || { show_run; fail "expected success, got status $status"; }
}

# assert_failure [CODE]: any non-zero status, or exactly CODE.
assert_failure() {
	if [[ $# -gt 0 ]]; then
		[[ "$status" -eq "$1" ]] || { show_run; fail "expected status $1, got $status"; }
	else
		[[ "$status" -ne 0 ]] || { show_run; fail "expected failure, got status 0"; }
	fi
}

assert_equal() {
	[[ "$1" == "$2" ]] || fail "expected: '$2'" "actual:   '$1'"
}

# assert_output_contains STR [TEXT]: TEXT defaults to $output.
assert_output_contains() {
	local text="${2-$output}"
	[[ "$text" == *"$1"* ]] || { show_run; fail "expected to find: '$1'"; }
}

refute_output_contains() {
	local text="${2-$output}"
	[[ "$text" != *"$1"* ]] || { show_run; fail "did not expect: '$1'"; }
}

# assert_line_matches REGEX [TEXT]: some line of TEXT matches (bash ERE).
assert_line_matches() {
	local line text="${2-$output}"
	while IFS= read -r line; do
		[[ "$line" =~ $1 ]] && return 0
	done <<<"$text"
	show_run
	fail "no line matches: $1"
}

# assert_stderr_contains STR: for `run --separate-stderr`.
assert_stderr_contains() {
	[[ "$stderr" == *"$1"* ]] || { show_run; fail "expected on stderr: '$1'"; }
}

# --------------------------------------------------------------- waiting

# wait_for [-t SECONDS] COMMAND...: polls COMMAND every 20 ms until it
# succeeds; fails after the deadline.
wait_for() {
	local secs="$SOCKLAB_DEADLINE"
	if [[ "$1" == -t ]]; then
		secs="$2"
		shift 2
	fi
	local end=$((SECONDS + ${secs%.*} + 1))
	while ! "$@"; do
		if ((SECONDS >= end)); then
			fail "timed out after ${secs}s waiting for: $*"
			return 1
		fi
		sleep 0.02
	done
}

alive() { kill -0 "$1" 2>/dev/null; }

# exited PID: the process has ended (a zombie until its parent waits counts).
exited() {
	local st
	st="$(ps -o stat= -p "$1" 2>/dev/null)" || return 0
	[[ -z "$st" || "$st" == Z* ]]
}

# -------------------------------------------------------- background tools

# start_bg NAME READY_REGEX COMMAND...: starts COMMAND in the background
# (its own process group, fd 3 closed, stdin from /dev/null), stdout in
# $BATS_TEST_TMPDIR/NAME.out, stderr in NAME.err, then waits until a line
# of NAME.out matches READY_REGEX. Sets BG_PID and BG_MATCH (BASH_REMATCH[1]
# of the ready line).
start_bg() {
	local name="$1" ready="$2"
	shift 2
	local out="$BATS_TEST_TMPDIR/$name.out" err="$BATS_TEST_TMPDIR/$name.err"
	: >"$out"
	# Close what bats leaves open (3 and up), so that the tool's descriptors
	# start at 3 as they would in a terminal, and bats never waits on it.
	# bats holds more than 3-9 (10 and up, 251, 255): close every one.
	(
		local f
		for f in /proc/"$BASHPID"/fd/*; do
			f="${f##*/}"
			if ((f > 2)); then eval "exec $f>&-" 2>/dev/null; fi
		done
		exec setsid "$@" </dev/null >"$out" 2>"$err"
	) &
	BG_PID=$!
	SOCKLAB_PIDS+=("$BG_PID")
	local end=$((SECONDS + SOCKLAB_DEADLINE + 1)) line
	while :; do
		while IFS= read -r line; do
			if [[ "$line" =~ $ready ]]; then
				BG_MATCH="${BASH_REMATCH[1]-}"
				return 0
			fi
		done <"$out"
		if ! alive "$BG_PID"; then
			fail "$name exited before it was ready:" "$(cat "$out" "$err")"
			return 1
		fi
		if ((SECONDS >= end)); then
			fail "$name not ready after ${SOCKLAB_DEADLINE}s:" "$(cat "$out" "$err")"
			return 1
		fi
		sleep 0.02
	done
}

# start_server NAME COMMAND...: start_bg waiting for the article's ready line;
# sets PORT and SERVER_PID.
start_server() {
	local name="$1"
	shift
	start_bg "$name" 'Serving HTTP on port ([0-9]+) \.\.\.' "$@" || return 1
	PORT="$BG_MATCH"
	SERVER_PID="$BG_PID"
}

# The stdout / stderr a background tool has written so far.
bg_out() { cat "$BATS_TEST_TMPDIR/$1.out"; }
bg_err() { cat "$BATS_TEST_TMPDIR/$1.err"; }

# bg_out_has NAME STR: for wait_for.
bg_out_has() { grep -qF -- "$2" "$BATS_TEST_TMPDIR/$1.out"; }
bg_err_has() { grep -qF -- "$2" "$BATS_TEST_TMPDIR/$1.err"; }

# stop_gracefully PID [SIGNAL]: sends SIGNAL (TERM) and waits for the exit;
# sets STOP_STATUS to the exit status.
stop_gracefully() {
	local pid="$1" sig="${2:-TERM}"
	kill -s "$sig" "$pid"
	wait_for exited "$pid"
	STOP_STATUS=0
	wait "$pid" || STOP_STATUS=$?
}

# Kills every process group this test started; waits for them.
socklab_teardown() {
	local pid
	for pid in "${SOCKLAB_PIDS[@]}"; do
		kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
	done
	for pid in "${SOCKLAB_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	SOCKLAB_PIDS=()
}

teardown() { socklab_teardown; }

# ------------------------------------------------------------ tiny clients

# http_get PORT [PATH]: the reply body via curl (fails on connection errors).
http_get() {
	curl -sS --max-time "$SOCKLAB_DEADLINE" "http://127.0.0.1:$1${2:-/hello}"
}

# ------------------------------------------------------------ docs blocks

# doc_block FILE NAME: the text of the fenced block that follows the line
# "<!-- test: NAME -->" in FILE (relative to the repository).
doc_block() {
	local file="$SOCKLAB_ROOT/$1" name="$2"
	[[ -f "$file" ]] || { fail "no such lesson: $1"; return 1; }
	awk -v want="<!-- test: $name -->" '
		$0 == want { armed = 1; next }
		armed && !inside && /^```/ { inside = 1; next }
		inside && /^```/ { found = 1; exit }
		inside { print }
		END { if (!found) exit 1 }
	' "$file" || { fail "no block '$name' in $1"; return 1; }
}

# doc_script FILE NAME [PORT]: the block as a script to run here: ./bin/ is
# the build under test and, when PORT is given, the article's port 8888 is
# replaced by PORT (the tests never take a fixed port).
doc_script() {
	local text
	text="$(doc_block "$1" "$2")" || return 1
	text="${text//.\/bin\//$SOCKLAB_BIN/}"
	if [[ -n "${3-}" ]]; then
		text="${text//8888/$3}"
	fi
	printf '%s\n' "$text"
}

# doc_run FILE NAME [PORT]: runs the block with `run`, from the repository,
# with the descriptors bats keeps open (3 and up) closed, as in a terminal.
doc_run() {
	local script
	script="$(doc_script "$@")" || return 1
	cd "$SOCKLAB_ROOT" || return 1
	run bash -c "exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
$script"
}

# doc_start FILE NAME: starts a one-command server block in the background
# on port 0 (8888 replaced by 0, or --port 0 added where the block relies on
# the default); sets PORT to the port the server got.
doc_start() {
	local script
	script="$(doc_script "$1" "$2" 0)" || return 1
	if [[ "$(doc_block "$1" "$2")" != *8888* ]]; then
		script="$script --port 0"
	fi
	cd "$SOCKLAB_ROOT" || return 1
	start_server "doc-$2" bash -c "exec $script"
}
