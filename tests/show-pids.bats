#!/usr/bin/env bats
# show-pids: processes, PIDs and PPIDs (lessons 3 and 5).

load test_helper

# json_get JSON PYTHON-EXPR: evaluates EXPR with j = the parsed object.
json_get() { python3 -c 'import json, sys; j = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }

# named NAME: starts a process that calls itself NAME (its bytes, with
# prctl PR_SET_NAME, as any process may) and sleeps; sets BG_PID.
named() {
	start_bg named '^ready$' python3 -c '
import ctypes, os, sys, time
ctypes.CDLL(None).prctl(15, os.fsencode(sys.argv[1]), 0, 0, 0)
print("ready", flush=True)
time.sleep(30)' "$1"
}

@test "show-pids --help and --version" {
	run show-pids --help
	assert_success
	assert_output_contains "Usage: show-pids"
	assert_output_contains "--children"
	run show-pids --version
	assert_success
	assert_line_matches '^show-pids \(socklab\) [0-9.]+$'
}

@test "show-pids narrates getpid and getppid: its parent is the shell that ran it" {
	# (`; true`: without it bash would exec show-pids in its own place)
	run bash -c 'echo "shell $$"; exec 3>&-; show-pids; true'
	assert_success
	local shell
	shell="$(sed -n 's/^shell //p' <<<"$output")"
	assert_line_matches '^getpid\(\) +-> [0-9]+$'
	assert_line_matches "^getppid\\(\\) +-> $shell\$"
	assert_line_matches "^ +[0-9]+ +$shell  R +show-pids  \\(running\\)\$"
}

@test "the chain goes from the process to PID 1, each PPID the next PID" {
	run show-pids --json
	assert_success
	run json_get "$output" '" ".join("%d:%d" % (p["pid"], p["ppid"]) for p in j["chain"])'
	assert_success
	local -a chain
	read -ra chain <<<"$output"
	local i
	for ((i = 0; i + 1 < ${#chain[@]}; i++)); do
		# this entry's PPID is the next entry's PID
		assert_equal "${chain[i]#*:}" "${chain[i + 1]%:*}"
	done
	assert_equal "${chain[-1]}" "1:0"
}

@test "the chain agrees with ps and pstree -s -p" {
	sleep 30 3>&- &
	local pid=$!
	SOCKLAB_PIDS+=("$pid")
	run show-pids --pid "$pid" --json
	assert_success
	local json="$output"
	# Each entry's parent and name, as ps sees them. Its state is a valid
	# letter; whether an ancestor runs (R) or sleeps (S) changes from one
	# moment to the next, so it is never compared with what ps saw later.
	local pid_ ppid_ state comm
	while IFS=' ' read -r pid_ ppid_ state comm; do
		read -r _ psppid pscomm < <(ps -o pid=,ppid=,comm= -p "$pid_")
		assert_equal "$psppid" "$ppid_"
		assert_equal "$pscomm" "$comm"
		[[ "$state" =~ ^[RSDZTtXIPW]$ ]] || fail "state '$state' of $pid_"
	done < <(json_get "$json" '"\n".join("%d %d %s %s" % (p["pid"], p["ppid"], p["state"], p["comm"]) for p in j["chain"])')
	# pstree -s -p lists the same PIDs, from PID 1 down to the process
	# (and then the process's own children, which we leave out).
	local from_pstree from_us
	from_pstree="$(pstree -l -s -p "$pid" | head -n 1 | sed "s/($pid).*/($pid)/" |
		grep -oE '\([0-9]+\)' | tr -d '()' | tr '\n' ' ')"
	from_us="$(json_get "$json" '" ".join(str(p["pid"]) for p in reversed(j["chain"]))') "
	assert_equal "$from_pstree" "$from_us"
}

@test "a command name with spaces and parentheses is read whole" {
	named "a) (b x"
	run show-pids --pid "$BG_PID" --json
	assert_success
	run json_get "$output" 'j["chain"][0]["comm"] + "|" + j["chain"][0]["state"]'
	assert_equal "$output" "a) (b x|S"
	run show-pids --pid "$BG_PID"
	assert_line_matches "^ +$BG_PID +[0-9]+  S +a\\) \\(b x  \\(sleeping\\)\$"
}

@test "--fork: the child's PPID is the parent's PID; a zombie until waitpid, then gone" {
	run show-pids --fork
	assert_success
	[[ "$output" =~ \[child\]\ \ getppid\(\)\ +-\>\ ([0-9]+) ]]
	local child_ppid="${BASH_REMATCH[1]}"
	[[ "$output" =~ \[parent\]\ getpid\(\)\ +-\>\ ([0-9]+) ]]
	assert_equal "${BASH_REMATCH[1]}" "$child_ppid"
	[[ "$output" =~ \[child\]\ \ getpid\(\)\ +-\>\ ([0-9]+) ]]
	local child="${BASH_REMATCH[1]}"
	assert_line_matches "^\\[parent\\] fork\\(\\) +-> $child: the child's PID\$"
	assert_line_matches '^\[child\]  fork\(\) +-> 0: I am the child$'
	assert_line_matches "^\\[parent\\] /proc/$child/stat +-> state Z: a zombie"
	assert_line_matches "^\\[parent\\] waitpid\\($child, &status, 0\\) +-> $child, exit status 0\$"
	assert_line_matches "^\\[parent\\] /proc/$child/stat +-> gone: no zombie left\$"
	# the child's lines come once: stdio was flushed before fork()
	assert_equal "$(grep -c 'I am the child' <<<"$output")" 1
}

@test "--fork --json reports both sides" {
	run show-pids --fork --json
	assert_success
	run json_get "$output" 'j["child"]["ppid"] == j["parent"]["pid"] and j["child"]["pid"] == j["child"]["fork_returned"] and j["zombie_before_wait"] and j["gone_after_wait"] and j["exit_status"] == 0'
	assert_equal "$output" "True"
}

@test "--children shows a live child and a zombie (Z) under a process" {
	start_bg parent '^ready ([0-9]+) ([0-9]+)$' python3 -c '
import os, sys, time
z = os.fork()
if z == 0:
    os._exit(0)
live = os.fork()
if live == 0:
    time.sleep(30); os._exit(0)
# wait until the first child has exited, without reaping it
while open("/proc/%d/stat" % z).read().rsplit(")", 1)[1].split()[0] != "Z":
    time.sleep(0.01)
print("ready", z, live, flush=True)
time.sleep(30)'
	local zombie="$BG_MATCH" live
	live="$(bg_out parent | sed -n 's/^ready [0-9]* //p')"
	run show-pids --pid "$BG_PID" --children
	assert_success
	assert_output_contains "Children of $BG_PID: 2"
	assert_line_matches "^ +$zombie +$BG_PID  Z +python3  \\(zombie: exited, not yet waited for\\)\$"
	assert_line_matches "^ +$live +$BG_PID  S +python3  \\(sleeping\\)\$"
	# ps agrees
	run ps -o stat= -p "$zombie"
	[[ "$output" == Z* ]]
	run show-pids --pid "$BG_PID" --children --json
	run json_get "$output" '" ".join("%d%s" % (c["pid"], c["state"]) for c in j["children"])'
	assert_output_contains "${zombie}Z"
	assert_output_contains "${live}S"
}

# ------------------------------------------------------------- bad input

@test "--pid of a process that does not exist: no such process, exit 1" {
	# the highest pid the kernel may hand out, plus one, never exists
	local pid=$(($(cat /proc/sys/kernel/pid_max) + 1))
	run --separate-stderr show-pids --pid "$pid"
	assert_failure 1
	assert_stderr_contains "show-pids: pid $pid: no such process"
	assert_equal "$output" ""
}

@test "non-numeric, negative and zero pids are usage errors (exit 2)" {
	local bad
	for bad in abc -5 0 12x ''; do
		run --separate-stderr show-pids --pid "$bad"
		assert_failure 2
		assert_stderr_contains "show-pids: invalid pid '$bad'"
	done
	run --separate-stderr show-pids --fork --pid 1
	assert_failure 2
	run --separate-stderr show-pids --bogus
	assert_failure 2
	assert_stderr_contains "unknown option '--bogus'"
	run --separate-stderr show-pids extra
	assert_failure 2
}

# ------------------------------------------------- hostile conditions

@test "--json: a command name passes as UTF-8, a byte that is not as \\udcXX, and comes back whole" {
	named $'h\xc3\xa9-\xff\xfe'
	run show-pids --pid "$BG_PID" --json
	assert_success
	assert_output_contains '"comm": "hé-\udcff\udcfe"'
	run python3 -c '
import json, sys
comm = json.loads(sys.argv[1])["chain"][0]["comm"]
assert comm.encode("utf-8", "surrogateescape") == b"h\xc3\xa9-\xff\xfe", comm
print("ok")' "$output"
	assert_output_contains "ok"
}

@test "a command name with a newline stays on its row, escaped" {
	named $'x\n   1 0  S'
	run show-pids --pid "$BG_PID"
	assert_success
	assert_line_matches "^ +$BG_PID +[0-9]+  S +x\\\\n   1 0  S  \\(sleeping\\)\$"
	refute_output_contains $'\n   1 0  S'
}

# --children past 4096 children (4,100 forked): make soak
# (tests/gates/heavy.bats).

@test "--fork works when the caller ignores SIGCHLD (the tool puts it back to its default)" {
	run python3 -c '
import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
os.execvp("show-pids", ["show-pids", "--fork"])'
	assert_success
	assert_output_contains "state Z: a zombie, until we wait for it"
	assert_line_matches '^\[parent\] waitpid\([0-9]+, &status, 0\) +-> [0-9]+, exit status 0$'
}

@test "misleading messages: '--pid --json' is not a number; an abbreviation is taken, an unknown option named" {
	run --separate-stderr show-pids --pid --json
	assert_failure 2
	assert_stderr_contains "show-pids: invalid pid '--json': not a number"
	# No two long options of show-pids share a beginning: --ch is
	# --children (the ambiguous case is tested on the other tools).
	run show-pids --ch
	assert_success
	assert_output_contains "Children of "
	run --separate-stderr show-pids --childs
	assert_failure 2
	assert_stderr_contains "show-pids: unknown option '--childs'"
}
