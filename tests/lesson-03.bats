#!/usr/bin/env bats
# docs/03-processes-and-descriptors.md: runs the lesson's command blocks,
# each in a terminal of its own, compares every output block with what was
# printed (doc_expect), and checks what the lesson says about them. Section
# 4 is typed into one shell, as a learner does; under make pace, with a
# person's pauses between the steps (the server's --timeout must allow them).

load test_helper

L=docs/03-processes-and-descriptors.md

@test "lesson 3: show-pids prints its PID, its PPID (the shell), and a chain that ends at PID 1" {
	doc_run "$L" show-pids
	assert_success
	doc_expect "$L" show-pids
	[[ "$output" =~ getpid\(\)\ +-\>\ ([0-9]+) ]]
	local pid="${BASH_REMATCH[1]}"
	[[ "$output" =~ getppid\(\)\ +-\>\ ([0-9]+) ]]
	local ppid="${BASH_REMATCH[1]}"
	assert_line_matches "^ +$pid +$ppid  R +show-pids  \\(running\\)\$"
	assert_line_matches "^ +$ppid +[0-9]+  S +bash  \\(sleeping\\)\$"
}

@test "lesson 3: ps shows the interactive shell as Ss (session leader, not the foreground job); pstree its parents" {
	# Typed into an interactive shell, as a learner's: a shell that runs the
	# block itself (bash -c) would be the foreground job, Ss+.
	doc_shell ps
	doc_type ps "$L" ps
	doc_expect "$L" ps
	assert_line_matches "^ *${DOC_JOB[ps]} +[0-9]+ Ss +bash\$" "$(doc_out ps)"
	doc_run "$L" pstree
	assert_success
	assert_line_matches '\(1\)(---|───)' # ASCII, or the terminal's line drawing
}

@test "lesson 3: --fork: the child's PPID is the parent's PID, a zombie, then none" {
	doc_run "$L" fork
	assert_success
	doc_expect "$L" fork
	[[ "$output" =~ \[child\]\ \ getpid\(\)\ +-\>\ ([0-9]+) ]]
	local child="${BASH_REMATCH[1]}"
	[[ "$output" =~ \[child\]\ \ getppid\(\)\ +-\>\ ([0-9]+) ]]
	local ppid="${BASH_REMATCH[1]}"
	assert_line_matches "^\\[parent\\] fork\\(\\) +-> $child: the child's PID\$"
	assert_line_matches "^\\[parent\\] getpid\\(\\) +-> $ppid: the child's PPID is my PID\$"
}

@test "lesson 3: show-fds: 0, 1, 2 on the terminal, the lowest free numbers, and hello" {
	doc_run "$L" show-fds
	assert_success
	doc_expect "$L" show-fds
}

@test "lesson 3: redirected, 0 is /dev/null and 1 a pipe; hello still arrives" {
	doc_run "$L" redirected
	assert_success
	doc_expect "$L" redirected
}

@test "lesson 3: --no-proc finds the same first numbers with fcntl" {
	doc_run "$L" no-proc
	assert_success
	doc_expect "$L" no-proc
}

@test "lesson 3: inside a running srv-iter: LISTEN on 3, the held connection on 4, for as long as the learner takes" {
	doc_start "$L" server
	doc_expect "$L" server
	# The learner notes the PID the server printed first: SERVER_PID is
	# the server (the job of its terminal); it must be the one it printed.
	assert_line_matches "^getpid\\(\\) +-> $SERVER_PID\$" "$(doc_out server)"
	doc_remember "$L" note-pid "$SERVER_PID"
	doc_shell shell
	doc_type shell "$L" hold "$PORT"
	doc_expect "$L" "server after hold"

	doc_run "$L" look-inside "$PORT"
	assert_success
	doc_expect "$L" look-inside
	assert_line_matches "^   4  socket     socket:\\[[0-9]+\\] TCP \\{127\\.0\\.0\\.1:$PORT, 127\\.0\\.0\\.1:[0-9]+\\} ESTABLISHED\$"

	doc_type shell "$L" release
	doc_expect "$L" "server after release"
}

@test "lesson 3, exercise 2: a descriptor the shell holds is inherited (the file gets 4), and the exercise closes it again" {
	doc_shell sh
	local shell="${DOC_JOB[sh]}"
	doc_type sh "$L" ex-inherited
	wait_for doc_out_has sh "close(4), close(5)"
	run doc_out sh
	assert_line_matches '^   4  file       /etc/hosts$'
	assert_line_matches '^open\("/etc/hosts", O_RDONLY\) +-> fd 4'
	assert_output_contains "more were open already, inherited from the parent"
	# The exercise's last line: the shell's 3 is closed again.
	wait_for test ! -e "/proc/$shell/fd/3"
}
