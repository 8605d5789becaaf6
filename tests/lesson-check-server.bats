#!/usr/bin/env bats
# docs/check-server.md (the appendix on grading a server): runs its command
# blocks and checks what the page says about them. The Chinese edition has
# the same blocks, byte for byte (tests/docs.bats).

load test_helper

L=docs/check-server.md

@test "appendix: the article's final server passes all nine checks, at the default sizes" {
	doc_run "$L" grade-fork
	assert_success
	doc_expect "$L" grade-fork
	assert_line_matches '^limits: .* 128 clients, 1000 requests, GET /hello$'
	local k
	for k in reply fin concurrent zombies survives fds silent reset sigterm; do
		assert_line_matches "^PASS $k "
	done
	assert_line_matches '^ +pid [0-9]+, port [0-9]+: the server: ([0-9]+) descriptors after 10 requests, \1 after 1000$'
	assert_line_matches '^9 checks: 9 passed, 0 failed, 0 skipped$'
}

@test "appendix: srv-iter fails concurrent; the slow client is held by the server itself" {
	doc_run "$L" grade-iter
	assert_failure 1
	doc_expect "$L" grade-iter
	assert_line_matches '^FAIL concurrent '
	assert_line_matches 'while the slow client was held by pid ([0-9]+) \(fd [0-9]+\), the process that listens; answered .* one client at a time$'
}

@test "appendix: --reap none leaves 128 zombies, named with their state and parent" {
	doc_run "$L" grade-reap-none
	assert_failure 1
	doc_expect "$L" grade-reap-none
	assert_line_matches '^ +pid ([0-9]+), port [0-9]+: the stop: 128 zombies 1 s after SIGCONT \(128 of 128 children had exited while the server was stopped by SIGSTOP, their SIGCHLDs pending as one\): pids .*, state Z, parent \1$'
}

@test "appendix: --keep-conn fails fin (the parent holds the connection) and fds (+990 sockets)" {
	doc_run "$L" grade-keep-conn
	assert_failure 1
	doc_expect "$L" grade-keep-conn
	assert_line_matches '^ +pid ([0-9]+), port [0-9]+: no FIN 1 s after .* open in pid \1 \(fd [0-9]+\), the process that listens$'
	assert_line_matches ': the server: [0-9]+ descriptors after 10 requests, [0-9]+ after 1000: \+990, 990 of them sockets it never closed$'
}

@test "appendix: --reap once dies of EINTR at the stop's SIGCONT: survives fails, zombies skips pointing at it" {
	doc_run "$L" grade-reap-once
	assert_failure 1
	doc_expect "$L" grade-reap-once
	assert_line_matches "^SKIP zombies "
	assert_line_matches "^ +pid [0-9]+, port [0-9]+: .*: see 'survives'$"
	assert_line_matches '^FAIL survives '
}

@test "appendix: a Python server like webserver3a, through {port}: replies, but neither concurrent nor silent-proof" {
	doc_run "$L" grade-python
	assert_failure 1
	doc_expect "$L" grade-python
	assert_line_matches '^check-server: python3 tests/servers/webserver3a.py \{port\}$'
	assert_line_matches '^PASS reply '
	assert_line_matches '^FAIL concurrent '
	assert_line_matches '^FAIL silent '
	assert_line_matches '^3 checks: 1 passed, 2 failed, 0 skipped$'
}
