#!/usr/bin/env bats
# lib/: the escapers (text, json), the HTTP framing and replies, the
# narration column, number messages, the TCP state names and the
# interruptible waits, by the C unit test tests/unit/lib_test.c.

load test_helper

@test "the pure functions of lib/ pass their C unit test" {
	run make -s -C "$SOCKLAB_ROOT" --no-print-directory build/unit/lib_test
	assert_success
	run "$SOCKLAB_ROOT/build/unit/lib_test"
	assert_success
	assert_output_contains "lib_test: all checks passed"
}
