#!/usr/bin/env bats
# show-fds: file descriptors (lessons 3 and 5). Under bats a process
# inherits more than 0, 1 and 2: assert "contains", never "exactly".

load test_helper

json_get() { python3 -c 'import json, sys; j = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }

@test "show-fds --help and --version" {
	run show-fds --help
	assert_success
	assert_output_contains "Usage: show-fds"
	assert_output_contains "--no-proc"
	assert_output_contains "--no-netlink"
	run show-fds --version
	assert_success
	assert_line_matches '^show-fds \(socklab\) [0-9.]+$'
}

@test "0, 1 and 2 are described; the file and the socket get the lowest free numbers; hello via write(1)" {
	run bash -c 'show-fds </dev/null 2>"$1" | cat' _ "$BATS_TEST_TMPDIR/err"
	assert_success
	assert_line_matches '^   0  null       /dev/null \(stdin\)$'
	assert_line_matches '^   1  pipe       pipe:\[[0-9]+\] \(stdout\)$'
	assert_line_matches "^   2  file       $BATS_TEST_TMPDIR/err \\(stderr\\)\$"
	assert_line_matches '^open\("/etc/hosts", O_RDONLY\) +-> fd [0-9]+: the lowest free number$'
	assert_line_matches '^socket\(AF_INET, SOCK_STREAM, 0\) +-> fd [0-9]+: the next lowest free number$'
	assert_line_matches '^ +[0-9]+  socket     socket:\[[0-9]+\] TCP 0\.0\.0\.0:0 \(not connected\)$'
	assert_line_matches '^hello$'
	assert_line_matches '^write\(1, "hello\\n", 6\) +-> 6 bytes, on fd 1 \(stdout\)$'
}

@test "with only 0, 1 and 2 open, the file is 3 and the socket 4, as in the article" {
	# Close everything above 2 that bats and the harness leave open.
	run bash -c 'for fd in /proc/$$/fd/*; do fd=${fd##*/}; ((fd > 2)) && eval "exec $fd>&-"; done; show-fds; true'
	assert_success
	assert_line_matches '^open\("/etc/hosts", O_RDONLY\) +-> fd 3: the lowest free number$'
	assert_line_matches '^socket\(AF_INET, SOCK_STREAM, 0\) +-> fd 4: the next lowest free number$'
	refute_output_contains "more were open already"
}

@test "--json: each new descriptor is the lowest free number, and is listed" {
	run show-fds --json
	assert_success
	run json_get "$output" 'j["file"]["fd"] == j["file"]["lowest_free"] and j["socket"]["fd"] == j["socket"]["lowest_free"] and j["socket"]["fd"] > j["file"]["fd"] and j["source"] == "proc"'
	assert_equal "$output" "True"
}

@test "--no-proc finds the same descriptors with fcntl and fstat" {
	run bash -c 'show-fds --no-proc </dev/null | cat'
	assert_success
	assert_output_contains "from fcntl() and fstat()"
	assert_line_matches '^   0  null       /dev/null \(stdin\)$'
	assert_line_matches '^   1  pipe       pipe \(inode [0-9]+\) \(stdout\)$'
	assert_line_matches '^open\("/etc/hosts", O_RDONLY\) +-> fd [0-9]+: the lowest free number$'
	assert_line_matches '^ +[0-9]+  file       \(inode [0-9]+, [0-9]+ bytes\)$'
	assert_line_matches '^hello$'
	# the same numbers as /proc gives
	local a b
	a="$(show-fds --json </dev/null | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["file"]["fd"], j["socket"]["fd"], [(f["fd"], f["type"]) for f in j["fds"]])')"
	b="$(show-fds --json --no-proc </dev/null | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["file"]["fd"], j["socket"]["fd"], [(f["fd"], f["type"]) for f in j["fds"]])')"
	assert_equal "$b" "$a"
}

@test "--pid agrees with ls -l /proc/P/fd: same numbers, same targets" {
	# shellcheck disable=SC2016 # $1 is for the inner bash
	start_bg held '^ready$' bash -c 'exec 5</etc/hosts 7>"$1"; echo ready; exec sleep 30' _ "$BATS_TEST_TMPDIR/seven"
	run show-fds --pid "$BG_PID" --json
	assert_success
	local ours theirs
	ours="$(json_get "$output" '"\n".join("%d %s" % (f["fd"], f["target"]) for f in j["fds"])')"
	theirs="$(ls -l "/proc/$BG_PID/fd" | awk '/->/ { print $9, $11 }' | sort -n)"
	assert_equal "$ours" "$theirs"
	run show-fds --pid "$BG_PID"
	assert_line_matches '^   5  file       /etc/hosts$'
	assert_line_matches "^   7  file       $BATS_TEST_TMPDIR/seven\$"
}

@test "--pid on a running srv-iter: LISTEN on its port, then the ESTABLISHED mirror of a client" {
	start_server srv srv-iter --port 0 --timeout 10
	run show-fds --pid "$SERVER_PID"
	assert_success
	assert_line_matches "^   3  socket     socket:\\[[0-9]+\\] TCP 127\\.0\\.0\\.1:$PORT LISTEN\$"
	# A client that connects and says nothing: the server is mid-request.
	start_bg client '^ready ([0-9]+)$' python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
print("ready", s.getsockname()[1], flush=True)
time.sleep(30)' "$PORT"
	local cport="$BG_MATCH"
	wait_for bg_out_has srv "accept(3)"
	run show-fds --pid "$SERVER_PID"
	assert_success
	assert_line_matches "^   4  socket     socket:\\[[0-9]+\\] TCP \\{127\\.0\\.0\\.1:$PORT, 127\\.0\\.0\\.1:$cport\\} ESTABLISHED\$"
	# ... the client's own socket is the mirror image
	run show-fds --pid "$BG_PID"
	assert_line_matches "TCP \\{127\\.0\\.0\\.1:$cport, 127\\.0\\.0\\.1:$PORT\\} ESTABLISHED\$"
	# lsof sees the same two sockets on the same descriptors
	run lsof -nP -a -p "$SERVER_PID" -d 3,4
	assert_line_matches "^srv-iter +$SERVER_PID .* 3u +IPv4 .*TCP 127\\.0\\.0\\.1:$PORT \\(LISTEN\\)\$"
	assert_line_matches "^srv-iter +$SERVER_PID .* 4u +IPv4 .*TCP 127\\.0\\.0\\.1:$PORT->127\\.0\\.0\\.1:$cport \\(ESTABLISHED\\)\$"
}

@test "--pid --json gives the sockets' addresses and states" {
	start_server srv srv-iter --port 0 --host ::1
	run show-fds --pid "$SERVER_PID" --json
	assert_success
	run json_get "$output" '[ (f["fd"], f["state"], f["local"]) for f in j["fds"] if f.get("proto") == "tcp"]'
	assert_equal "$output" "[(3, 'LISTEN', '[::1]:$PORT')]"
}

# A srv-iter with one silent client connected: sets PORT, SERVER_PID, CPORT
# (the client's port) and CLIENT_PID.
server_with_client() {
	start_server srv srv-iter --port 0 --timeout 10
	start_bg client '^ready ([0-9]+)$' python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
print("ready", s.getsockname()[1], flush=True)
time.sleep(30)' "$PORT"
	CPORT="$BG_MATCH"
	CLIENT_PID="$BG_PID"
	wait_for bg_out_has srv "accept(3)"
}

# strace_ok: strace is there and may trace (LeakSanitizer refuses to run
# under it: the traced runs turn leak detection off).
strace_ok() { command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null; }
traced() {
	local log="$1"
	shift
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -o "$log" -e trace=socket,open,openat "$@"
}

@test "--pid: netlink and --no-netlink give the same lines: LISTEN on the port, the ESTABLISHED mirror of the client" {
	server_with_client
	run show-fds --pid "$SERVER_PID"
	assert_success
	local netlink="$output"
	assert_line_matches "^   3  socket     socket:\\[[0-9]+\\] TCP 127\\.0\\.0\\.1:$PORT LISTEN\$"
	assert_line_matches "^   4  socket     socket:\\[[0-9]+\\] TCP \\{127\\.0\\.0\\.1:$PORT, 127\\.0\\.0\\.1:$CPORT\\} ESTABLISHED\$"
	run show-fds --pid "$SERVER_PID" --no-netlink
	assert_success
	assert_equal "$output" "$netlink"
	# the same for --json, and for the client's side of the pair
	local a b
	a="$(show-fds --pid "$SERVER_PID" --json)"
	b="$(show-fds --pid "$SERVER_PID" --json --no-netlink)"
	assert_equal "$b" "$a"
	a="$(show-fds --pid "$CLIENT_PID")"
	b="$(show-fds --pid "$CLIENT_PID" --no-netlink)"
	assert_equal "$b" "$a"
	assert_line_matches "TCP \\{127\\.0\\.0\\.1:$CPORT, 127\\.0\\.0\\.1:$PORT\\} ESTABLISHED\$" "$a"
}

@test "--pid asks the kernel over netlink; --no-netlink reads /proc/P/net/tcp instead, with the same answer" {
	strace_ok || skip "strace is not installed or may not trace here"
	server_with_client
	local log="$BATS_TEST_TMPDIR/trace" want
	want="$(show-fds --pid "$SERVER_PID")"
	run traced "$log" show-fds --pid "$SERVER_PID"
	assert_success
	grep -q 'socket(AF_NETLINK, .*NETLINK_SOCK_DIAG) = [0-9]' "$log" ||
		fail "no sock_diag socket:" "$(cat "$log")"
	! grep -q "/proc/$SERVER_PID/net/tcp" "$log" ||
		fail "read /proc/$SERVER_PID/net/tcp although netlink worked:" "$(cat "$log")"
	run traced "$log" show-fds --pid "$SERVER_PID" --no-netlink
	assert_success
	assert_equal "$output" "$want"
	grep -q "open.*\"/proc/$SERVER_PID/net/tcp\".* = [0-9]" "$log" ||
		fail "did not read /proc/$SERVER_PID/net/tcp:" "$(cat "$log")"
	! grep -q 'AF_NETLINK' "$log" ||
		fail "opened a netlink socket under --no-netlink:" "$(cat "$log")"
}

@test "from another network namespace, --pid reads the server's own /proc/P/net/tcp (netlink would see ours)" {
	unshare -n true 2>/dev/null || skip "unshare -n is not allowed here"
	server_with_client
	run unshare -n show-fds --pid "$SERVER_PID"
	assert_success
	assert_line_matches "^   3  socket     socket:\\[[0-9]+\\] TCP 127\\.0\\.0\\.1:$PORT LISTEN\$"
	assert_line_matches "^   4  socket     socket:\\[[0-9]+\\] TCP \\{127\\.0\\.0\\.1:$PORT, 127\\.0\\.0\\.1:$CPORT\\} ESTABLISHED\$"
	assert_equal "$output" "$(show-fds --pid "$SERVER_PID")"
}

# ------------------------------------------------------------- bad input

@test "--pid of a process that does not exist: no such process, exit 1" {
	local pid=$(($(cat /proc/sys/kernel/pid_max) + 1))
	run --separate-stderr show-fds --pid "$pid"
	assert_failure 1
	assert_stderr_contains "show-fds: cannot read the descriptors of pid $pid: no such process"
	assert_equal "$output" ""
}

@test "--pid of a process we may not look into: permission denied, exit 1" {
	[[ "$(id -u)" == 0 ]] || skip "needs root to start a process nobody may not inspect"
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$SOCKLAB_BIN/show-fds" ||
		skip "$SOCKLAB_BIN/show-fds is not reachable by uid 65534"
	start_bg rootproc '^ready$' bash -c 'echo ready; exec sleep 30'
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$SOCKLAB_BIN/show-fds" --pid "$BG_PID"
	assert_failure 1
	assert_stderr_contains "show-fds: cannot read the descriptors of pid $BG_PID: permission denied"
	assert_stderr_contains "only the process's owner (or root)"
	assert_equal "$output" ""
}

@test "bad values are usage errors (exit 2); a file that cannot be opened is exit 1" {
	local bad
	for bad in abc -1 0 3x; do
		run --separate-stderr show-fds --pid "$bad"
		assert_failure 2
		assert_stderr_contains "show-fds: invalid pid '$bad'"
	done
	run --separate-stderr show-fds --no-proc --pid 1
	assert_failure 2
	assert_stderr_contains "--no-proc sees only this process's own descriptors"
	run --separate-stderr show-fds --pid
	assert_failure 2
	assert_stderr_contains "option '--pid' needs a value"
	run --separate-stderr show-fds --file /nonexistent/x
	assert_failure 1
	assert_stderr_contains "show-fds: open /nonexistent/x: No such file or directory"
}

# ------------------------------------------------- hostile conditions

@test "--file on a FIFO is refused at once, never blocks in open(); a directory is fine" {
	local fifo="$BATS_TEST_TMPDIR/fifo"
	mkfifo "$fifo"
	run --separate-stderr timeout 10 show-fds --file "$fifo"
	assert_failure 1
	assert_stderr_contains "show-fds: --file $fifo: a FIFO, not a regular file: open() could wait forever"
	run --separate-stderr timeout 10 show-fds --file /dev/zero
	assert_failure 1
	assert_stderr_contains "a device, not a regular file"
	run show-fds --file /etc
	assert_success
	assert_line_matches '^ +[0-9]+  directory  /etc$'
}

# --file never blocks when the name becomes a FIFO between its check and
# open(): a race, tried 300 times by make soak (tests/gates/heavy.bats).

@test "--pid --json: file names pass as UTF-8, bytes that are not UTF-8 as \\udcXX, and come back whole" {
	local dir="$BATS_TEST_TMPDIR"
	# shellcheck disable=SC2016 # $1 is for python
	start_bg held '^ready$' python3 -c '
import os, sys, time
d = os.fsencode(sys.argv[1])
fds = [os.open(d + name, os.O_CREAT | os.O_RDONLY, 0o600)
       for name in (b"/h\xc3\xa9llo-\xe4\xb8\xad", b"/bad-\xff\xfe", b"/line\n   9  file       forged")]
print("ready", flush=True)
time.sleep(30)' "$dir"
	run show-fds --pid "$BG_PID" --json
	assert_success
	run python3 -c '
import json, os, sys
j = json.loads(sys.argv[1])
got = {f["target"].encode("utf-8", "surrogateescape") for f in j["fds"]}
d = os.fsencode(sys.argv[2])
for name in (b"/h\xc3\xa9llo-\xe4\xb8\xad", b"/bad-\xff\xfe", b"/line\n   9  file       forged"):
    assert d + name in got, (d + name, got)
assert "héllo-中" in sys.argv[1], "valid UTF-8 is kept as it is"
print("ok")' "$output" "$dir"
	assert_output_contains "ok"
	# The table: each name on its own row, escaped; no forged row.
	run show-fds --pid "$BG_PID"
	assert_success
	assert_line_matches "^ +[0-9]+  file       $dir/héllo-中\$"
	assert_line_matches "^ +[0-9]+  file       $dir/bad-\\\\xff\\\\xfe\$"
	assert_line_matches "^ +[0-9]+  file       $dir/line\\\\n   9  file       forged\$"
	refute_output_contains $'\n   9  file       forged'
}

@test "--pid: a target that exits during the listing is said so, exit 1, nothing on stdout" {
	strace_ok || skip "strace is not installed or may not trace here"
	start_bg held '^ready$' bash -c 'exec 5</etc/hosts 6</etc/hosts 7</etc/hosts; echo ready; exec sleep 30'
	local log="$BATS_TEST_TMPDIR/trace" out="$BATS_TEST_TMPDIR/fds.out" err="$BATS_TEST_TMPDIR/fds.err"
	# strace holds the third readlink 2 s: the target is killed meanwhile.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -o "$log" -e trace=readlink,readlinkat \
		-e inject=readlink,readlinkat:delay_enter=2000000:when=3 \
		show-fds --pid "$BG_PID" --json >"$out" 2>"$err" &
	local pid=$!
	wait_for grep -qE '(fd/2"|"2"), ' "$log" || fail "$(cat "$err")"
	kill -KILL "$BG_PID"
	local status=0
	wait "$pid" || status=$?
	assert_equal "$status" 1
	assert_equal "$(cat "$out")" ""
	assert_output_contains "show-fds: pid $BG_PID exited while its descriptors were listed" "$(cat "$err")"
}

@test "--pid --json: a descriptor that may not be read (EACCES) means empty stdout, the message and the hint" {
	[[ "$(id -u)" == 0 ]] || skip "needs root: a root process without CAP_SYS_PTRACE, a target that is not dumpable"
	setpriv --bounding-set=-sys_ptrace true 2>/dev/null || skip "setpriv cannot drop CAP_SYS_PTRACE here"
	# Not dumpable: /proc/P/fd opens for its owner, but its links need
	# CAP_SYS_PTRACE (as for PID 1 in a container).
	start_bg nodump '^ready$' python3 -c '
import ctypes, time
ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)
print("ready", flush=True)
time.sleep(30)'
	ls "/proc/$BG_PID/fd" >/dev/null
	run --separate-stderr setpriv --bounding-set=-sys_ptrace --inh-caps=-sys_ptrace \
		"$SOCKLAB_BIN/show-fds" --pid "$BG_PID" --json
	assert_failure 1
	assert_equal "$output" ""
	assert_stderr_contains "show-fds: cannot read the descriptors of pid $BG_PID: permission denied"
	assert_stderr_contains "show-fds: hint: only the process's owner (or root)"
	assert_stderr_contains "CAP_SYS_PTRACE"
}

@test "with 0 closed, the tool opens it on /dev/null first: the file still gets 3, no 'lowest free number is 0'" {
	run bash -c 'for fd in /proc/$$/fd/*; do fd=${fd##*/}; ((fd > 2)) && eval "exec $fd>&-"; done; show-fds <&-; true'
	assert_success
	assert_line_matches '^   0  null       /dev/null \(stdin\)$'
	assert_line_matches '^open\("/etc/hosts", O_RDONLY\) +-> fd 3: the lowest free number$'
	refute_output_contains "lowest free number is 0"
	refute_output_contains "(closed)"
}

@test "a very long name is cut with '...', in the table and in open()'s line; --json keeps it whole" {
	local dir="$BATS_TEST_TMPDIR" part i
	part="$(printf 'd%.0s' {1..200})"
	for i in 1 2 3 4 5 6; do dir="$dir/$part$i"; done
	mkdir -p "$dir"
	: >"$dir/end"
	# shellcheck disable=SC2016 # $1 is for the inner bash
	start_bg held '^ready$' bash -c 'exec 5<"$1"; echo ready; exec sleep 30' _ "$dir/end"
	run show-fds --pid "$BG_PID"
	assert_success
	assert_line_matches '^   5  file       /.*d{20}\.\.\.$'
	run show-fds --pid "$BG_PID" --json
	run json_get "$output" '[f["target"] for f in j["fds"] if f["fd"] == 5][0]'
	assert_equal "$output" "$dir/end"
	run show-fds --file "$dir/end"
	assert_success
	assert_line_matches '^open\(".*d{20}\.\.\.", O_RDONLY\) +-> fd [0-9]+'
}

@test "misleading messages: '--pid --json' is not a number; '--no' is ambiguous" {
	run --separate-stderr show-fds --pid --json
	assert_failure 2
	assert_stderr_contains "show-fds: invalid pid '--json': not a number"
	run --separate-stderr show-fds --no
	assert_failure 2
	assert_stderr_contains "show-fds: option '--no' is ambiguous: it could be '--no-proc', '--no-netlink'"
}
