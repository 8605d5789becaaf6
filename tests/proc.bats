#!/usr/bin/env bats
# The readers of /proc, by the C unit test tests/unit/proc_test.c:
# lib/proc (odd command names such as "a) (b" and "x y", the children of a
# process), lib/tcptab (/proc/net/tcp and tcp6 lines, malformed input;
# netlink and /proc/net/tcp agreeing; sockets found by inode; both ends of
# loopback connections found by their addresses, with their queues),
# lib/diag's reading of sock_diag replies, and lib/fds (our own descriptors,
# a zombie, no process at all: never an empty list).

load test_helper

@test "the /proc parsers pass their C unit test" {
	run make -s -C "$SOCKLAB_ROOT" --no-print-directory build/unit/proc_test
	assert_success
	run "$SOCKLAB_ROOT/build/unit/proc_test"
	assert_success
	assert_output_contains "proc_test: all checks passed"
}
