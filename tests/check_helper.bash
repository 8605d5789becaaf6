# shellcheck shell=bash disable=SC2034 # sets CHECK_RESULTS... for the tests
# Reading check-server's report, shared by tests/check-server.bats and the
# heavy gate (tests/gates/heavy.bats): load it after test_helper.
#
#   grade ARGS... -- COMMAND...   check-server --json, small sizes and short
#                                 limits ($status, $output, $stderr), and
#                                 its report read once (below)
#   grade_pass ARGS... -- COMMAND...  the same with check-server's own
#                                 limits, for a server expected to pass
#   results, evidence NAME, groups  what the report says
#   passes_all COMMAND...         every check passes, and nothing is left
#   assert_nothing_left           every server check-server started is
#                                 gone, with all its processes

# Small bursts keep a grading to seconds; the defaults (128 clients, 1000
# requests) are checked once, in the report's head and by the appendix's
# lesson. The short limits are for the checks a test expects to fail,
# which wait for all of it (a fin=0.5 that no FIN comes in, a silent=3 that
# no reply comes in). A check that passes never waits for its limit: its
# limit is only how long the machine may take, so a server expected to
# pass gets check-server's own limits, those a user gets (under load, a
# worker thread of a Python server closed its last connection more than
# 0.5 s after its reply: fds failed by +1).
SIZES=(--clients 32 --requests 100)
SHORT=(--limit fin=0.5 --limit silent=3 --limit sigterm=4)
SERVERS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/servers"

# check_report: reads the JSON in $output once into CHECK_RESULTS ("reply=pass
# fin=fail ..."), CHECK_EVIDENCE[NAME] and CHECK_PID[NAME].
declare -gA CHECK_EVIDENCE=() CHECK_PID=()
CHECK_RESULTS=''
check_report() {
	local name result pid ev
	CHECK_EVIDENCE=() CHECK_PID=() CHECK_RESULTS=''
	while IFS= read -r -d '' name && IFS= read -r -d '' result &&
		IFS= read -r -d '' pid && IFS= read -r -d '' ev; do
		CHECK_RESULTS+="${CHECK_RESULTS:+ }$name=$result"
		CHECK_EVIDENCE["$name"]="$ev"
		CHECK_PID["$name"]="$pid"
	done < <(python3 -c 'import json, sys
try:
    d = json.loads(sys.argv[1])
except ValueError:
    sys.exit(0)
for c in d.get("checks", []):
    for v in (c["name"], c["result"], c["pid"], c["evidence"]):
        sys.stdout.write("%s\0" % v)' "$output")
}

# grade ARGS... -- COMMAND...: check-server --json with the small sizes and
# the short limits.
grade() {
	run --separate-stderr check-server --json "${SIZES[@]}" "${SHORT[@]}" "$@"
	check_report
}

# grade_pass ARGS... -- COMMAND...: the same with check-server's limits.
grade_pass() {
	run --separate-stderr check-server --json "${SIZES[@]}" "$@"
	check_report
}

results() { printf '%s\n' "$CHECK_RESULTS"; }

# evidence NAME: the evidence of check NAME.
evidence() { printf '%s\n' "${CHECK_EVIDENCE[$1]-}"; }

# The process groups the report names (one per check): the server's pids.
groups() {
	local name
	for name in "${!CHECK_PID[@]}"; do
		((CHECK_PID[$name] > 0)) && printf '%s\n' "${CHECK_PID[$name]}"
	done
	return 0
}

# group_gone PGID: no process (zombies included) is in process group PGID.
group_gone() {
	local f line rest pgrp
	for f in /proc/[0-9]*/stat; do
		{ read -r line <"$f"; } 2>/dev/null || continue
		rest="${line##*) }"
		read -r _ _ pgrp _ <<<"$rest"
		[[ "$pgrp" != "$1" ]] || return 1
	done
}

# Every server check-server started is gone, with all its processes.
assert_nothing_left() {
	local g
	for g in $(groups); do
		group_gone "$g" || fail "process group $g is still there:" "$(ps -eo pid,pgid,stat,args | awk -v g="$g" '$2 == g' | head)"
	done
}

ALL_PASS="reply=pass fin=pass concurrent=pass zombies=pass survives=pass fds=pass silent=pass reset=pass sigterm=pass"

# passes_all COMMAND...: graded with check-server's limits, every check
# passes (exit 0), and nothing is left; else the checks that did not pass,
# with their evidence.
passes_all() {
	grade_pass -- "$@"
	if [[ "$status" -ne 0 || "$(results)" != "$ALL_PASS" ]]; then
		local name bad=''
		for name in "${!CHECK_EVIDENCE[@]}"; do
			[[ " $CHECK_RESULTS " == *" $name=pass "* ]] || bad+="$name: ${CHECK_EVIDENCE[$name]}"$'\n'
		done
		fail "$* (exit $status): $(results)" "$bad" "$stderr"
		return 1
	fi
	assert_nothing_left
}
