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

# python3, found once per run. The tests start Python hundreds of times (the
# article's clients, JSON readers); a version manager's python3 is a shim
# (pyenv's: a chain of bash scripts that asks which version to run), and
# each start through it cost 0.7 s of CPU on our 2-CPU machine, against
# 0.04 s for the interpreter itself: most of what the suite spent outside
# the tools. The interpreter the shim picks, asked once, is started
# directly from then on (a one-line wrapper at the front of PATH, which
# keeps the interpreter's own path: a virtualenv stays one). Shared by the
# run's tests through $BATS_RUN_TMPDIR; SOCKLAB_PYDIR, when set, is used as
# it is.
socklab_python() {
	local dir="${BATS_RUN_TMPDIR:-${BATS_TMPDIR:-/tmp}}/socklab-python" py tmp q
	if [[ ! -x "$dir/python3" ]]; then
		py="$(command python3 -c 'import sys; print(sys.executable)' 2>/dev/null)" || return 0
		[[ -n "$py" && -x "$py" ]] || return 0
		mkdir -p "$dir" || return 0
		tmp="$dir/python3.$$.$RANDOM"
		q="'\\''" # a ' inside '...'
		printf "#!/bin/sh\nexec '%s' \"\$@\"\n" "${py//\'/$q}" >"$tmp" && chmod +x "$tmp" &&
			mv -f "$tmp" "$dir/python3" # atomic: tests of a parallel run share it
	fi
	SOCKLAB_PYDIR="$dir"
}
[[ -n "${SOCKLAB_PYDIR-}" ]] || socklab_python
if [[ -n "${SOCKLAB_PYDIR-}" ]]; then
	export SOCKLAB_PYDIR
	PATH="$SOCKLAB_PYDIR:$PATH"
fi

# How long a readiness line or a condition may take before the test fails.
: "${SOCKLAB_DEADLINE:=10}"

SOCKLAB_PIDS=()

# ---------------------------------------------------------- selftest

# selftest_only: the test is a test of the tests themselves (that a check
# of the docs fails when it must: mutants of the blocks, a changed listing,
# a wrong word). They read every page many times, a third of docs.bats's
# time, and prove the tests rather than the toolkit: make selftest runs them
# (CI does, .ci/run), make test says they were skipped and where they run.
selftest_only() {
	[[ -n "${SOCKLAB_SELFTEST-}" ]] || skip "a test of the tests: make selftest runs it"
}

# ---------------------------------------------------------------- untraced

# untraced COMMAND...: runs COMMAND (a helper's loop) without bats's DEBUG
# trap. To name the line of a failing test, bats runs a function of its own
# before every command of the test, 0.6 ms each on our 2-CPU machine when
# it was busy: a loop of 5,000 empty commands took 3 s, 0.04 s without it.
# A wait that polls every 20 ms, or a scan of /proc, then spent most of a
# CPU on the trap, beside the tools it waited for. The test's own lines
# keep the trap (a failure names its line: that of the helper's call); a
# helper's loop runs without it. Errors inside COMMAND do not end it early
# (as in a condition): the helpers return their status.
untraced() {
	if [[ -n "${SOCKLAB_UNTRACED-}" ]]; then
		"$@"
		return
	fi
	# The trap as bats set it (read once per test: bats sets it after the
	# helpers are loaded).
	[[ -n "${SOCKLAB_DEBUG_TRAP+set}" ]] || SOCKLAB_DEBUG_TRAP="$(trap -p DEBUG)"
	local rc=0
	SOCKLAB_UNTRACED=1
	trap - DEBUG
	"$@" || rc=$?
	SOCKLAB_UNTRACED=''
	eval "$SOCKLAB_DEBUG_TRAP"
	return "$rc"
}

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
assert_line_matches() { untraced socklab_line_matches "$1" "${2-$output}"; }
socklab_line_matches() {
	local line
	while IFS= read -r line; do
		[[ "$line" =~ $1 ]] && return 0
	done <<<"$2"
	show_run
	fail "no line matches: $1"
}

# assert_stderr_contains STR: for `run --separate-stderr`.
assert_stderr_contains() {
	[[ "$stderr" == *"$1"* ]] || { show_run; fail "expected on stderr: '$1'"; }
}

# usage_errors TOOL [OPTION]: the bad-input table on stdin, one case a line,
# ARGS|MESSAGE. Runs TOOL ARGS (ARGS split at spaces) or, when OPTION is
# given, TOOL OPTION ARGS with ARGS one word as written (empty, or with
# spaces; OPTION '' for that word alone), and expects what every usage
# error gives: exit 2, nothing on stdout, and on stderr "TOOL: MESSAGE" and
# "Try 'TOOL --help'". Every case runs; the test fails with the list of
# those that did not hold.
usage_errors() { untraced socklab_usage_errors "$@"; }
socklab_usage_errors() {
	local tool="$1" one="${2+1}" opt="${2-}" line args msg problems="" n=0
	local -a table argv
	mapfile -t table
	for line in "${table[@]}"; do
		[[ "$line" == *"|"* ]] || { problems+="not ARGS|MESSAGE: '$line'"$'\n'; continue; }
		args="${line%%|*}" msg="${line#*|}"
		if [[ -n "$opt" ]]; then
			argv=("$opt" "$args")
		elif [[ -n "$one" ]]; then
			argv=("$args")
		else
			read -ra argv <<<"$args"
		fi
		# Under timeout: a case that is not a usage error must not hang.
		run --separate-stderr timeout "$SOCKLAB_DEADLINE" "$tool" "${argv[@]}" </dev/null
		n=$((n + 1))
		if [[ "$status" -ne 2 || -n "$output" || "$stderr" != *"$tool: $msg"* ||
			"$stderr" != *"Try '$tool --help'"* ]]; then
			problems+="$tool$(printf ' %q' "${argv[@]}"): exit $status, expected 2 and '$tool: $msg'"$'\n'
			problems+="  stdout: $output"$'\n'"  stderr: $stderr"$'\n'
		fi
	done
	((n > 0)) || problems+="usage_errors $tool: no case in the table"$'\n'
	[[ -z "$problems" ]] || fail "$problems"
}

# --------------------------------------------------------------- waiting

# nap SECONDS: sleeps without starting a process (read's timeout on a FIFO
# of our own that nobody writes to). A process start cost 7 ms of CPU on
# our 2-CPU machine: a wait that ran sleep(1) every 20 ms spent a third of
# a CPU on it, beside the tools it waited for.
nap() {
	if [[ -z "${SOCKLAB_NAP_FD-}" ]]; then
		local fifo="${BATS_TEST_TMPDIR:-${TMPDIR:-/tmp}}/.socklab-nap.$BASHPID"
		[[ -p "$fifo" ]] || mkfifo "$fifo" 2>/dev/null
		if ! exec {SOCKLAB_NAP_FD}<>"$fifo"; then
			SOCKLAB_NAP_FD=''
			sleep "$1"
			return 0
		fi
	fi
	read -r -t "$1" -u "$SOCKLAB_NAP_FD" _ || true
}

# poll_nap N: the pause after the Nth look of a wait (0 first): 10 ms,
# then twice as long each time, at most 200 ms. A condition met at once
# costs little, and a long wait few looks.
POLL_NAPS=(0.01 0.02 0.04 0.08 0.16 0.2)
poll_nap() { nap "${POLL_NAPS[$1 < 5 ? $1 : 5]}"; }

# wait_for [-t SECONDS] COMMAND...: polls COMMAND (poll_nap between two
# looks) until it succeeds; fails after the deadline, saying what it waited
# for.
wait_for() { untraced socklab_wait_for "$@"; }
socklab_wait_for() {
	local secs="$SOCKLAB_DEADLINE"
	if [[ "$1" == -t ]]; then
		secs="$2"
		shift 2
	fi
	local end=$((SECONDS + ${secs%.*} + 1)) n=0
	while ! "$@"; do
		if ((SECONDS >= end)); then
			fail "timed out after ${secs}s waiting for: $*"
			return 1
		fi
		poll_nap $((n++))
	done
}

alive() { kill -0 "$1" 2>/dev/null; }

# kid_states PID: "pid state" of every child of PID, from /proc/*/stat (the
# command name may hold spaces or parentheses: the fields after the last
# ')'). No fork per file: fast enough to poll. The helpers after it count
# those children: all, the zombies (Z), the others.
kid_states() { untraced socklab_kid_states "$@"; }
socklab_kid_states() {
	local f line rest st ppid
	for f in /proc/[0-9]*/stat; do
		{ read -r line <"$f"; } 2>/dev/null || continue
		rest="${line##*) }"
		read -r st ppid _ <<<"$rest"
		[[ "$ppid" == "$1" ]] && printf '%s %s\n' "${line%% *}" "$st"
	done
	return 0
}
kids_of() { kid_states "$1" | cut -d' ' -f1; } # their pids
zombies_of() { kid_states "$1" | grep -c ' Z$' || true; } # how many are Z
zombies_are() { [[ "$(zombies_of "$1")" -eq "$2" ]]; }
running_are() { [[ "$(kid_states "$1" | grep -vc ' Z$' || true)" -eq "$2" ]]; }
kids_are() { [[ "$(kids_of "$1" | grep -c . || true)" -eq "$2" ]]; }
tasks_are() { [[ "$(ls "/proc/$1/task" | wc -l)" -eq "$2" ]]; } # threads
fds_of() { ls "/proc/$1/fd" | sort -n | tr '\n' ' '; }

# exited PID: the process has ended (a zombie until its parent waits counts).
exited() {
	local line
	# Its state, the field after the command name's last ')': no process
	# started to read it (this is polled).
	{ read -r line <"/proc/$1/stat"; } 2>/dev/null || return 0
	line="${line##*) }"
	[[ "${line:0:1}" == [ZX] ]]
}

# -------------------------------------------------------- background tools

# start_bg [-t SECONDS] NAME READY_REGEX COMMAND...: starts COMMAND in the
# background (its own process group, fd 3 closed, stdin from /dev/null),
# stdout in $BATS_TEST_TMPDIR/NAME.out, stderr in NAME.err, then waits until
# a line of NAME.out matches READY_REGEX, SECONDS at most (the deadline; more
# for a command that has more work to do before it is ready). Sets BG_PID
# and BG_MATCH (BASH_REMATCH[1] of the ready line).
start_bg() {
	local secs="$SOCKLAB_DEADLINE"
	if [[ "$1" == -t ]]; then
		secs="$2"
		shift 2
	fi
	local name="$1" ready="$2"
	shift 2
	local out="$BATS_TEST_TMPDIR/$name.out" err="$BATS_TEST_TMPDIR/$name.err"
	: >"$out"
	# Close what bats leaves open (3 and up), so that the tool's descriptors
	# start at 3 as they would in a terminal, and bats never waits on it.
	# bats holds more than 3-9 (10 and up, 251, 255): close every one.
	(
		local f
		trap - DEBUG # this process only: it becomes the tool (untraced above)
		for f in /proc/"$BASHPID"/fd/*; do
			f="${f##*/}"
			if ((f > 2)); then eval "exec $f>&-" 2>/dev/null; fi
		done
		exec setsid "$@" </dev/null >"$out" 2>"$err"
	) &
	BG_PID=$!
	SOCKLAB_PIDS+=("$BG_PID")
	untraced socklab_bg_ready "$name" "$ready" "$secs"
}

# socklab_bg_ready NAME READY_REGEX SECONDS: start_bg's wait.
socklab_bg_ready() {
	local name="$1" ready="$2" secs="$3"
	local out="$BATS_TEST_TMPDIR/$name.out" err="$BATS_TEST_TMPDIR/$name.err"
	local end=$((SECONDS + ${secs%.*} + 1)) line n=0
	while :; do
		while IFS= read -r line; do
			if [[ "$line" =~ $ready ]]; then
				BG_MATCH="${BASH_REMATCH[1]-}"
				return 0
			fi
		done <"$out"
		if ! alive "$BG_PID"; then
			fail "$name exited before it was ready (a line matching $ready):" "$(cat "$out" "$err")"
			return 1
		fi
		if ((SECONDS >= end)); then
			fail "$name not ready after ${secs}s: no line matching $ready; it printed:" "$(cat "$out" "$err")"
			return 1
		fi
		poll_nap $((n++))
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
	DOC_VARS=() # the learner's notes (doc_remember) belong to one run
}

teardown() { socklab_teardown; }

# ------------------------------------------------------------ tiny clients

# http_get PORT [PATH]: the reply body via curl (fails on connection errors).
http_get() {
	curl -sS --max-time "$SOCKLAB_DEADLINE" "http://127.0.0.1:$1${2:-/hello}"
}

# ------------------------------------------------------------ docs blocks
#
# The lessons' blocks, run as a learner runs them: each in a terminal of its
# own (a pseudo-terminal from util-linux's script(1), 80 columns), from the
# top of the repository. So the tools see a terminal on 0, 1 and 2, stdout
# and stderr interleave as on a screen, a server is the foreground job of
# its terminal (its zombies show as Z+ in ps), and Ctrl-C is SIGINT to that
# job. HACKING.md, "Lessons whose commands run", says how to use them.
#
#   doc_run FILE NAME [PORT]      a block that ends (bats' run: $status, $output)
#   doc_start FILE NAME           a server block, on port 0: PORT, SERVER_PID
#   doc_launch FILE NAME PORT [REGEX]
#                                 a block left running in its terminal (a curl
#                                 that waits, a shell holding a connection)
#   doc_ctrl_c NAME               Ctrl-C in NAME's terminal; STOP_STATUS
#   doc_wait NAME                 waits for NAME's terminal to end; STOP_STATUS
#   doc_expect FILE MARK [PORT]   compares the block <!-- output: MARK -->
#                                 with what was printed
#   doc_remember FILE NAME VALUE  the learner's note of a server's PID
#                                 (SRV=12345), typed before the next blocks
#
# SOCKLAB_PACE=S (make pace): before each step taken while a lesson's server
# runs, pause S seconds, as a person does between two commands. The pauses
# are the point of this mode, not a way to synchronise: they give the
# lesson's servers (their --timeout, their sleeps) the time to do whatever
# they would do to a learner who types at a human pace, and the lesson's
# claims must still hold. Everything else still waits with deadlines.

# Next to this file, whoever loads it (tests/gates/ too).
# shellcheck source=scripts/doc-lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/doc-lib.sh"

: "${SOCKLAB_PACE:=}"

# Per background block NAME: its terminal (the script(1) process, our
# child), the job it runs (the block's process: a server's PID), the
# descriptor we type into its terminal with (a FIFO), whether the
# test asked for port 0 where the lesson says 8888; per "NAME after STEP":
# how many lines NAME had printed when STEP began.
declare -gA DOC_TERM=() DOC_JOB=() DOC_KEYS=() DOC_ZERO=() DOC_MARKS=()
# DOC_SUBST[TEXT]=REPLACEMENT (doc_subst): what a test must change in the
# blocks it runs besides the port.
declare -gA DOC_SUBST=()
doc_subst() { DOC_SUBST["$1"]="$2"; }
# DOC_VARS[VAR]=VALUE (doc_remember): the numbers the learner has noted in
# a shell variable (SRV=12345), typed before each block the test runs.
declare -gA DOC_VARS=()
DOC_LAST=''

# doc_block FILE NAME: the text of the fenced block that follows the line
# "<!-- test: NAME -->" in FILE (relative to the repository).
doc_block() {
	local file="$SOCKLAB_ROOT/$1"
	[[ -f "$file" ]] || { fail "no such lesson: $1"; return 1; }
	doclib_block "$file" "$2" || { fail "no block '$2' in $1"; return 1; }
}

# doc_script FILE NAME [PORT]: the block as a script to run here: ./bin/ is
# the build under test and, when PORT is given, the lesson's port (written
# ${PORT:-8888}, or 8888) is PORT (the tests never take a fixed port).
doc_script() {
	local text
	text="$(doc_block "$1" "$2")" || return 1
	text="${text//.\/bin\//$SOCKLAB_BIN/}"
	if [[ -n "${3-}" ]]; then
		text="${text//\$\{PORT:-8888\}/$3}"
		text="${text//8888/$3}"
	fi
	local from
	for from in "${!DOC_SUBST[@]}"; do
		text="${text//"$from"/${DOC_SUBST[$from]}}"
	done
	printf '%s\n' "$text"
}

# doc_noted FILE NAME [PORT]: doc_script, after the lines that set the
# learner's notes (DOC_VARS), as the learner's terminal has them.
doc_noted() {
	local var
	for var in "${!DOC_VARS[@]}"; do
		printf '%s=%s\n' "$var" "${DOC_VARS[$var]}"
	done
	doc_script "$@"
}

# doc_remember FILE NAME VALUE: block NAME is the learner noting a number a
# server printed (its PID, after getpid()) in a shell variable, VAR=EXAMPLE
# (one line; the lesson says where to read the number). The test notes
# VALUE instead, and, since each block runs in a terminal of its own, every
# block it runs from now on (doc_run, doc_launch, doc_type) runs after
# VAR=VALUE, as it does in the learner's terminal. Status 1 when the block
# is not of that form.
doc_remember() {
	local text
	text="$(doc_block "$1" "$2")" || return 1
	[[ "$3" =~ ^[0-9]+$ ]] || { fail "doc_remember $2: not a number: '$3'"; return 1; }
	[[ "$text" =~ ^([A-Z][A-Z0-9_]*)=[0-9]+$ ]] ||
		{ fail "block '$2' of $1 is not VAR=NUMBER: $text"; return 1; }
	DOC_VARS["${BASH_REMATCH[1]}"]="$3"
}

# doc_terminal SCRIPT [KEYBOARD]: runs SCRIPT in a new pseudo-terminal
# (exec), with every descriptor above 2 closed, as a terminal's shell would
# have it. KEYBOARD: a file (a FIFO) whose bytes are typed into the terminal;
# /dev/null by default. DOC_WRAP (optional): a command, with its arguments,
# that the terminal runs the block through (unshare -m WRAPPER: the block
# sees another /etc/hosts). The block's signals are at their defaults, as a
# new terminal's are: a suite started in the background (`make test &`, or
# under nohup) passes its ignored SIGINT and SIGQUIT on, and a Ctrl-C typed
# into the terminal would then end nothing (GNU env's --default-signal;
# without it, as on macOS, they stay as inherited).
DOC_SIGDFL=''
if env --default-signal true 2>/dev/null; then
	DOC_SIGDFL=--default-signal
fi

doc_terminal() {
	local f
	trap - DEBUG # a process of its own, about to become the terminal
	for f in /proc/"$BASHPID"/fd/*; do
		f="${f##*/}"
		if ((f > 2)); then eval "exec $f>&-" 2>/dev/null; fi
	done
	# -e: script's status is the block's; -f: no buffering. stty: no CR
	# before each newline (a terminal's output would have them), 80 columns.
	# shellcheck disable=SC2016 # $DOC_BLOCK: expanded by the terminal's shell
	DOC_BLOCK="$1" DOC_WRAP="${DOC_WRAP-}" DOC_SIGDFL="$DOC_SIGDFL" SHELL=/bin/sh exec script -qefc \
		'stty -onlcr cols 80 rows 24 2>/dev/null; exec $DOC_WRAP env $DOC_SIGDFL -u DOC_BLOCK -u DOC_WRAP -u DOC_SIGDFL bash -c "$DOC_BLOCK"' \
		/dev/null <"${2:-/dev/null}"
}

doc_alive() { [[ -n "${DOC_TERM[$1]-}" ]] && alive "${DOC_TERM[$1]}"; }

# doc_step STEP: a step begins. With SOCKLAB_PACE, pause first when a
# lesson's block runs in the background (see above); then remember where
# each background block's output is, for "NAME after STEP".
doc_step() {
	local name busy=''
	for name in "${!DOC_TERM[@]}"; do
		doc_alive "$name" && busy=1
	done
	if [[ -n "$SOCKLAB_PACE" && -n "$busy" ]]; then
		sleep "$SOCKLAB_PACE" # the pace of a person: the point of make pace
	fi
	for name in "${!DOC_TERM[@]}"; do
		doc_alive "$name" || continue
		DOC_MARKS["$name after $1"]="$(wc -l <"$BATS_TEST_TMPDIR/doc-$name.out")"
	done
}

# doc_run FILE NAME [PORT]: runs the block with bats' run, in a terminal,
# by a shell that stays its parent (as the learner's shell does: no exec of
# the last command).
doc_run() {
	local script
	script="$(doc_noted "$@")" || return 1
	doc_step "$2"
	cd "$SOCKLAB_ROOT" || return 1
	DOC_LAST="$2"
	run doc_terminal "$script"$'\n''exit $?'
}

# doc_bg NAME READY SCRIPT: SCRIPT in a terminal in the background, output
# in $BATS_TEST_TMPDIR/doc-NAME.out; waits for a line that matches READY
# (unless empty). Sets DOC_TERM[NAME], DOC_JOB[NAME] and BG_MATCH.
doc_bg() {
	local name="$1" ready="$2" out="$BATS_TEST_TMPDIR/doc-$1.out"
	local keys="$BATS_TEST_TMPDIR/doc-$1.keys" kfd
	: >"$out"
	rm -f "$keys"
	mkfifo "$keys" || return 1
	exec {kfd}<>"$keys" # held open: the terminal's keyboard never ends
	DOC_KEYS["$name"]="$kfd"
	cd "$SOCKLAB_ROOT" || return 1
	(doc_terminal "$3" "$keys") >"$out" 2>"$BATS_TEST_TMPDIR/doc-$name.err" &
	local term=$!
	SOCKLAB_PIDS+=("$term")
	DOC_TERM["$name"]="$term"
	DOC_JOB["$name"]=''
	DOC_ZERO["$name"]=''
	BG_MATCH=''
	untraced socklab_doc_ready "$name" "$ready" "$term"
}

# socklab_doc_ready NAME READY TERM: doc_bg's wait for the job of terminal
# TERM, and for its ready line.
socklab_doc_ready() {
	local name="$1" ready="$2" term="$3" out="$BATS_TEST_TMPDIR/doc-$1.out"
	local end=$((SECONDS + SOCKLAB_DEADLINE + 1)) line job n=0
	while :; do
		# The job: script's child, the block's shell (exec'd into its command).
		if [[ -z "${DOC_JOB[$name]}" ]]; then
			job="$(pgrep -P "$term" 2>/dev/null | head -n 1)"
			if [[ -n "$job" ]]; then
				DOC_JOB["$name"]="$job"
				SOCKLAB_PIDS+=("$job") # its own session: teardown kills it too
			fi
		fi
		if [[ -n "${DOC_JOB[$name]}" && -z "$ready" ]]; then
			return 0
		fi
		if [[ -n "$ready" && -n "${DOC_JOB[$name]}" ]]; then
			while IFS= read -r line; do
				if [[ "$line" =~ $ready ]]; then
					BG_MATCH="${BASH_REMATCH[1]-}"
					return 0
				fi
			done <"$out"
		fi
		# No ready line asked for: a block that ended before its job was
		# seen (a quick client) is done, not broken (doc_wait takes its
		# status).
		[[ -z "$ready" ]] && ! alive "$term" && return 0
		if ! alive "$term"; then
			fail "doc-$name ended before it was ready:" "$(cat "$out")"
			return 1
		fi
		if ((SECONDS >= end)); then
			if [[ -z "${DOC_JOB[$name]}" ]]; then
				fail "doc-$name not ready after ${SOCKLAB_DEADLINE}s: its terminal started no job:" "$(cat "$out")"
			else
				fail "doc-$name not ready after ${SOCKLAB_DEADLINE}s: no line matching $ready:" "$(cat "$out")"
			fi
			return 1
		fi
		poll_nap $((n++))
	done
}

# doc_start FILE NAME: starts a one-command server block in its terminal on
# port 0 (8888 replaced by 0, or --port 0 added where the block relies on
# the default); sets PORT to the port the server got and SERVER_PID to the
# server.
doc_start() {
	local script
	script="$(doc_script "$1" "$2" 0)" || return 1
	if [[ "$(doc_block "$1" "$2")" != *8888* ]]; then
		script="$script --port 0"
	fi
	doc_step "$2"
	doc_bg "$2" 'Serving HTTP on port ([0-9]+) \.\.\.' "$script" || return 1
	DOC_ZERO["$2"]=1
	PORT="$BG_MATCH"
	SERVER_PID="${DOC_JOB[$2]}"
}

# doc_launch FILE NAME PORT [READY]: the block in its terminal, left
# running (a curl that waits for the close, a shell that holds a
# connection); waits for a line that matches READY when given. Sets
# LAUNCH_PID to the block's process.
doc_launch() {
	local script
	script="$(doc_noted "$1" "$2" "$3")" || return 1
	doc_step "$2"
	doc_bg "$2" "${4-}" "$script" || return 1
	LAUNCH_PID="${DOC_JOB[$2]}"
}

# doc_ctrl_c NAME: types Ctrl-C in the terminal of background block NAME
# (the terminal sends SIGINT to its foreground job, children included, and
# echoes ^C); waits for the terminal to end; STOP_STATUS is the block's
# exit status.
doc_ctrl_c() {
	doc_alive "$1" || { fail "doc_ctrl_c: $1 is not running"; return 1; }
	doc_step Ctrl-C
	printf '\003' >&"${DOC_KEYS[$1]}"
	doc_wait "$1"
}

# doc_wait NAME: waits (under the deadline) for the terminal of background
# block NAME to end; STOP_STATUS is the block's exit status.
doc_wait() {
	local term="${DOC_TERM[$1]-}"
	[[ -n "$term" ]] || { fail "doc_wait: no background block $1"; return 1; }
	wait_for exited "$term" || return 1
	STOP_STATUS=0
	wait "$term" || STOP_STATUS=$?
}

# doc_out NAME: what background block NAME has printed so far.
doc_out() { cat "$BATS_TEST_TMPDIR/doc-$1.out"; }
doc_out_has() { grep -qF -- "$2" "$BATS_TEST_TMPDIR/doc-$1.out"; }

# doc_printed MARK: what the output block MARK compares: the last doc_run's
# output, or what background block NAME printed (all of it, or from STEP
# on for "NAME after STEP"). The narration of bind() of a server the test
# started on port 0 (srv-fork's: "[parent] bind(...)") reads as the port
# it got (the lesson's 8888).
doc_printed() {
	local name="${1%% after *}" from=0
	if [[ -z "${DOC_TERM[$name]-}" ]]; then
		printf '%s\n' "$output"
		return 0
	fi
	if [[ "$1" == *" after "* ]]; then
		from="${DOC_MARKS[$1]-}"
		[[ -n "$from" ]] || { fail "no step '${1#* after }' was taken while $name ran"; return 1; }
	fi
	if [[ -n "${DOC_ZERO[$name]}" ]]; then
		tail -n "+$((from + 1))" "$BATS_TEST_TMPDIR/doc-$name.out" |
			sed -E "s/^((\\[parent\\] )?bind\\([0-9]+, [^)]*):0\\)/\\1:$PORT)/"
	else
		tail -n "+$((from + 1))" "$BATS_TEST_TMPDIR/doc-$name.out"
	fi
}

# doc_expect FILE MARK [PORT]: compares the text block marked
# <!-- output: MARK --> in FILE with what was printed (doc_printed): the
# output of the last doc_run (which must be MARK's block), or, for a
# background block, what it has printed, polled until it matches or the
# deadline passes (SOCKLAB_EXPECT_WAIT seconds when set: tests/docs.bats's
# mutants, whose blocks never match, need not wait for the machine). 8888
# in the block is PORT (default: $PORT). On a mismatch, fails with a
# line-by-line diff (scripts/doc-lib.sh).
doc_expect() { untraced socklab_doc_expect "$@"; }
socklab_doc_expect() {
	local file="$1" mark="$2" port="${3-${PORT-}}" name="${2%% after *}"
	local exp="$BATS_TEST_TMPDIR/doc-expected" act="$BATS_TEST_TMPDIR/doc-printed"
	local line0 diff
	doclib_output "$SOCKLAB_ROOT/$file" "$mark" >"$exp" ||
		{ fail "no block <!-- output: $mark --> in $file"; return 1; }
	line0="$(head -n 1 "$exp")"
	sed -i 1d "$exp"
	if [[ -z "${DOC_TERM[$name]-}" ]]; then
		[[ "$DOC_LAST" == "$name" ]] ||
			{ fail "doc_expect '$mark': the last block run was '$DOC_LAST', not '$name'"; return 1; }
		doc_printed "$mark" >"$act"
		diff="$(doclib_compare "$file" "$line0" "$port" "$exp" "$act")" && return 0
		fail "$diff"
		return 1
	fi
	local wait="${SOCKLAB_EXPECT_WAIT:-$SOCKLAB_DEADLINE}"
	local end=$((SECONDS + ${wait%.*} + 1)) n=0
	while :; do
		doc_printed "$mark" >"$act" || return 1
		diff="$(doclib_compare "$file" "$line0" "$port" "$exp" "$act")" && return 0
		if ((SECONDS >= end)); then
			fail "$diff" "(what $name printed: it did not match the block within ${wait}s)"
			return 1
		fi
		poll_nap $((n++))
	done
}

# doc_editions LESSON: the editions of docs/LESSON a test runs: English and
# Chinese (whose blocks tests/docs.bats keeps identical); under make pace,
# English only (the same blocks, twice as long).
doc_editions() {
	printf 'docs/%s\n' "$1"
	[[ -n "$SOCKLAB_PACE" ]] || printf 'docs/zh/%s\n' "$1"
}

# doc_shell NAME: a terminal with an interactive shell in it (bash, no rc
# file, no prompt, no echo of what is typed), into which doc_type types
# blocks, one after the other, as a learner does: what one block leaves in
# the shell (a descriptor opened with exec) is there for the next.
doc_shell() {
	doc_step "$1"
	doc_bg "$1" '' 'stty -echo; PS1= PS2= exec bash --norc --noprofile --noediting -i 2>&1'
}

# doc_type SHELL FILE NAME [PORT]: types block NAME into the terminal of
# doc_shell SHELL (the step NAME begins).
doc_type() {
	local script
	doc_alive "$1" || { fail "doc_type: no shell $1"; return 1; }
	script="$(doc_noted "$2" "$3" "${4-}")" || return 1
	doc_step "$3"
	printf '%s\n' "$script" >&"${DOC_KEYS[$1]}"
}
