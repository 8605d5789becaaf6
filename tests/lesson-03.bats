#!/usr/bin/env bats
# docs/03-processes-and-descriptors.md: runs the lesson's command blocks and
# checks what the lesson says about them.

load test_helper

L=docs/03-processes-and-descriptors.md

@test "lesson 3: show-pids prints its PID, its PPID, and a chain that ends at PID 1" {
	doc_run "$L" show-pids
	assert_success
	[[ "$output" =~ getpid\(\)\ +-\>\ ([0-9]+) ]]
	local pid="${BASH_REMATCH[1]}"
	[[ "$output" =~ getppid\(\)\ +-\>\ ([0-9]+) ]]
	local ppid="${BASH_REMATCH[1]}"
	assert_line_matches "^ +$pid +$ppid  R +show-pids  \\(running\\)\$"
	assert_line_matches '^ +1 +0  [A-Z] +.*$'
}

@test "lesson 3: ps and pstree show the shell's PID and its parents" {
	doc_run "$L" ps-pstree
	assert_success
	assert_line_matches '^ *PID +PPID STAT COMMAND$'
	assert_line_matches '\(1\)---'
}

@test "lesson 3: --fork: the child's PPID is the parent's PID, a zombie, then none" {
	doc_run "$L" fork
	assert_success
	[[ "$output" =~ \[child\]\ \ getppid\(\)\ +-\>\ ([0-9]+) ]]
	local ppid="${BASH_REMATCH[1]}"
	assert_line_matches "^\\[parent\\] getpid\\(\\) +-> $ppid: the child's PPID is my PID\$"
	assert_output_contains "state Z: a zombie, until we wait for it"
	assert_output_contains "gone: no zombie left"
}

@test "lesson 3: show-fds: 0, 1, 2, the lowest free numbers, and hello" {
	doc_run "$L" show-fds
	assert_success
	assert_line_matches '^   0  [a-z]+ +.* \(stdin\)$'
	assert_line_matches '^   1  [a-z]+ +.* \(stdout\)$'
	assert_line_matches '^   2  [a-z]+ +.* \(stderr\)$'
	# doc_run closes 3-9 as a terminal would; the harness may leave others
	# open above 9, which do not change the lowest numbers.
	assert_line_matches '^open\("/etc/hosts", O_RDONLY\) +-> fd 3: the lowest free number$'
	assert_line_matches '^socket\(AF_INET, SOCK_STREAM, 0\) +-> fd 4: the next lowest free number$'
	assert_line_matches '^hello$'
}

@test "lesson 3: redirected, 0 is /dev/null and 1 a pipe; hello still arrives" {
	doc_run "$L" redirected
	assert_success
	assert_line_matches '^   0  null       /dev/null \(stdin\)$'
	assert_line_matches '^   1  pipe       pipe:\[[0-9]+\] \(stdout\)$'
	assert_line_matches '^hello$'
}

@test "lesson 3: --no-proc finds the same first numbers with fcntl" {
	doc_run "$L" no-proc
	assert_success
	assert_output_contains "from fcntl() and fstat()"
	assert_line_matches '^open\("/etc/hosts", O_RDONLY\) +-> fd 3: the lowest free number$'
}

@test "lesson 3: inside a running srv-iter: LISTEN on 3, the held connection on 4" {
	doc_start "$L" server
	local script
	script="$(doc_script "$L" look-inside "$PORT")"
	# pgrep -n could find another srv-iter on a busy machine: use ours.
	script="${script//\$(pgrep -n srv-iter)/$SERVER_PID}"
	cd "$SOCKLAB_ROOT"
	run bash -c "exec 3>&- 4>&- 6>&- 7>&- 8>&- 9>&-
$script"
	assert_success
	assert_line_matches "^   3  socket     socket:\\[[0-9]+\\] TCP 127\\.0\\.0\\.1:$PORT LISTEN\$"
	assert_line_matches "^   4  socket     socket:\\[[0-9]+\\] TCP \\{127\\.0\\.0\\.1:$PORT, 127\\.0\\.0\\.1:[0-9]+\\} ESTABLISHED\$"
}
