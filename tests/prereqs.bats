#!/usr/bin/env bats
# scripts/prereqs.sh (make prereqs, docs/README.md "Before you start"): says
# what the course needs, what is missing, and how to install it.

load test_helper

# path_with COMMAND...: a directory holding only these commands (links to
# the real ones), for a PATH that lacks every other.
path_with() {
	local dir="$BATS_TEST_TMPDIR/path" c
	rm -rf "$dir"
	mkdir -p "$dir"
	for c in "$@"; do
		ln -s "$(command -v "$c")" "$dir/$c"
	done
	printf '%s\n' "$dir"
}

@test "make prereqs (the course's block) finds everything the course needs on this machine" {
	doc_run docs/README.md prereqs
	assert_success
	assert_output_contains "prereqs: nothing missing"
	assert_line_matches '^  ok +ss \(the listen queue'
	assert_line_matches '^  ok +pstree '
	assert_line_matches '^  ok +bash /dev/tcp '
	if [[ "$(id -u)" -eq 0 ]]; then
		assert_line_matches '^  ok +setpriv \(--nproc as root'
	else
		assert_line_matches '^  ok +a user other than root'
	fi
}

@test "prereqs: each missing command is named with its package and the install line; exit 1" {
	local path
	path="$(path_with cc make curl python3 ps pgrep bash id uname sort tr)"
	PATH="$path" run "$SOCKLAB_ROOT/scripts/prereqs.sh"
	assert_failure 1
	assert_line_matches '^  MISSING +ss \(the listen queue.*iproute2'
	assert_line_matches '^  MISSING +pstree \(.*psmisc'
	assert_line_matches '^  ok +curl '
	refute_output_contains "MISSING  curl"
	assert_line_matches '^prereqs: [0-9]+ missing; on Debian/Ubuntu: sudo apt-get install .*iproute2.*psmisc'
}

@test "prereqs: ab, make bench's load generator, is listed; missing, it is optional: said with its package, not counted" {
	local path
	path="$(path_with cc make curl python3 ss ps pgrep pstree bash id uname sort tr setpriv)"
	PATH="$path" run "$SOCKLAB_ROOT/scripts/prereqs.sh"
	assert_success
	assert_line_matches '^  optional +ab \(make bench.s load generator; without it, a slower Python client\) +.*apache2-utils'
	assert_output_contains "prereqs: nothing missing"
	if command -v ab >/dev/null; then
		run "$SOCKLAB_ROOT/scripts/prereqs.sh"
		assert_line_matches '^  ok +ab \(make bench.s load generator'
	fi
}

@test "prereqs: as root without setpriv, --nproc's way is missing" {
	[[ "$(id -u)" -eq 0 ]] || skip "not root"
	local path
	path="$(path_with cc make curl python3 ss ps pgrep pstree bash id uname sort tr)"
	PATH="$path" run "$SOCKLAB_ROOT/scripts/prereqs.sh"
	assert_failure 1
	assert_line_matches '^  MISSING +setpriv \(--nproc as root, lesson 5\).*util-linux'
}

@test "prereqs --tests also checks what make test and the demos need" {
	run "$SOCKLAB_ROOT/scripts/prereqs.sh" --tests
	assert_output_contains "bats (make test)"
	assert_output_contains "parallel (make test runs 4 tests at a time)"
	assert_output_contains "script (make test runs each block in a terminal)"
	assert_output_contains "tmux (make demo-NAME)"
}

@test "prereqs: --help, and a bad option is a usage error (exit 2)" {
	run "$SOCKLAB_ROOT/scripts/prereqs.sh" --help
	assert_success
	assert_output_contains "Usage: scripts/prereqs.sh [--tests]"
	run --separate-stderr "$SOCKLAB_ROOT/scripts/prereqs.sh" --bogus
	assert_failure 2
	assert_stderr_contains "prereqs: unknown option '--bogus'"
}

@test "prereqs: the course's table (docs/README.md, both editions) names the package of every command make prereqs checks" {
	# With nothing on PATH but what the script itself runs, every command is
	# missing, and each line gives its Debian package (no apt-get here: the
	# line names all three systems, "apt-get install PKG; ...").
	local path pkg problems="" n=0
	path="$(path_with bash id uname sort tr)"
	PATH="$path" run "$SOCKLAB_ROOT/scripts/prereqs.sh"
	assert_failure 1
	while IFS= read -r pkg; do
		n=$((n + 1))
		grep -qE "^\|.*\`$pkg\`" "$SOCKLAB_ROOT/docs/README.md" ||
			problems+="docs/README.md: no row with \`$pkg\`"$'\n'
		grep -qE "^\|.*\`$pkg\`" "$SOCKLAB_ROOT/docs/zh/README.md" ||
			problems+="docs/zh/README.md: no row with \`$pkg\`"$'\n'
	done < <(grep -oE 'apt-get install [a-z0-9.+-]+;' <<<"$output" | sed 's/^apt-get install //; s/;$//' | sort -u)
	((n >= 7)) || problems+="only $n packages read from prereqs' output"$'\n'
	assert_equal "$problems" ""
}
