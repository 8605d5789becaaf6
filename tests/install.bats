#!/usr/bin/env bats
# make install / uninstall honour PREFIX and DESTDIR and remove exactly what
# they installed.

load test_helper

@test "make install puts every tool and man page under DESTDIR/PREFIX; uninstall removes them" {
	local dest="$BATS_TEST_TMPDIR/root"
	mkdir -p "$dest/opt/socklab/share/keep"
	touch "$dest/opt/socklab/share/keep/other-file"
	run make -s -C "$SOCKLAB_ROOT" install DESTDIR="$dest" PREFIX=/opt/socklab
	assert_success
	local t
	for t in $(make -s -C "$SOCKLAB_ROOT" --no-print-directory list-tools); do
		[[ -x "$dest/opt/socklab/bin/$t" ]] || fail "bin/$t not installed"
		[[ -f "$dest/opt/socklab/share/man/man1/$t.1" ]] || fail "$t.1 not installed"
	done
	run "$dest/opt/socklab/bin/srv-iter" --version
	assert_success

	run make -s -C "$SOCKLAB_ROOT" uninstall DESTDIR="$dest" PREFIX=/opt/socklab
	assert_success
	# Only files we did not install remain.
	run find "$dest" -type f
	assert_equal "$output" "$dest/opt/socklab/share/keep/other-file"
}
