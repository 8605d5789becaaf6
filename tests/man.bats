#!/usr/bin/env bats
# Every tool has a man page that groff accepts, that documents every option
# --help shows (and no other), and a row in the README's table.

load test_helper

tools() { make -s -C "$SOCKLAB_ROOT" --no-print-directory list-tools; }

@test "the Makefile lists the tools and each one is built" {
	run tools
	assert_success
	[[ -n "$output" ]]
	local t
	for t in $output; do
		[[ -x "$SOCKLAB_BIN/$t" ]] || fail "$t is not built in $SOCKLAB_BIN"
	done
}

@test "every tool has a man page that groff formats without warnings" {
	local t
	for t in $(tools); do
		[[ -f "$SOCKLAB_ROOT/man/$t.1" ]] || fail "man/$t.1 is missing"
		run groff -man -ww -z "$SOCKLAB_ROOT/man/$t.1"
		assert_success
		assert_equal "$output" ""
	done
}

@test "the man page and --help name the same long options" {
	local t from_help from_man
	for t in $(tools); do
		from_help="$("$t" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u)"
		# The tag line of each .TP entry: ".BR \-p ", " \-\-port ..." or, for
		# a long-only option, ".B \-\-retry\-accept".
		from_man="$(awk 'prev == ".TP" { print } { prev = $0 }' "$SOCKLAB_ROOT/man/$t.1" |
			grep -oE '^\.BR? (\\-. ", " )?\\-\\-[a-z][a-z\\-]*' |
			sed -e 's/.*\\-\\-/--/' -e 's/\\-/-/g' | sort -u)"
		[[ "$from_help" == "$from_man" ]] ||
			fail "$t: --help and man page differ:" "$(diff <(echo "$from_help") <(echo "$from_man"))"
	done
}

@test "every tool has --version, and a row in the README's table" {
	local t
	for t in $(tools); do
		run "$t" --version
		assert_success
		assert_line_matches "^$t \\(socklab\\) "
		grep -qE "^\| \`$t\` \|" "$SOCKLAB_ROOT/README.md" || fail "README.md has no row for $t"
	done
}

@test "every tool file opens with its lesson header" {
	local t f
	for t in $(tools); do
		f="$SOCKLAB_ROOT/tools/$t.c"
		head -n 40 "$f" | grep -q "What it demonstrates" || fail "$f: no 'What it demonstrates'"
		head -n 60 "$f" | grep -q "Try it" || fail "$f: no 'Try it'"
		head -n 60 "$f" | grep -q "Things to notice" || fail "$f: no 'Things to notice'"
		head -n 70 "$f" | grep -q "See also" || fail "$f: no 'See also'"
	done
}
