#!/usr/bin/env bats
# lib/proc.c: the /proc parsers, by the C unit test tests/unit/proc_test.c
# (odd command names such as "a) (b" and "x y", /proc/net/tcp and tcp6
# lines, malformed input), lib/diag.c's reading of sock_diag replies, and
# netlink and /proc/net/tcp agreeing on a listening socket.

load test_helper

@test "the /proc parsers pass their C unit test" {
	run make -s -C "$SOCKLAB_ROOT" --no-print-directory build/unit/proc_test
	assert_success
	run "$SOCKLAB_ROOT/build/unit/proc_test"
	assert_success
	assert_output_contains "proc_test: all checks passed"
}
