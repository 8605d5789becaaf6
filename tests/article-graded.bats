#!/usr/bin/env bats
# docs/article-map.md, "The article, graded": check-server's verdict on each
# of the article's listings (bin/article/webserver3a to 3g), as the table of
# the page shows it, in both editions. The table is the pin: a change to
# check-server or to a listing that changes a verdict fails here until the
# table (docs/article-map.md and docs/zh/article-map.md) says the new one.
# A "-" cell is a check not run (--only leaves it out). One test a listing,
# so that bats --jobs spreads them.

load test_helper

# Its tests run side by side (make test runs a file's tests one after the
# other, Makefile, TEST_JOBS): they wait more than they compute, and one
# after the other they would be the suite's longest path.
setup_file() {
	# shellcheck disable=SC2034 # read by bats, after setup_file
	BATS_NO_PARALLELIZE_WITHIN_FILE=False
}

MAP="$SOCKLAB_ROOT/docs/article-map.md"
MAP_ZH="$SOCKLAB_ROOT/docs/zh/article-map.md"
CHECKS=(reply fin concurrent zombies survives fds silent reset sigterm)

# rows FILE: the table's rows, "| `webserver3a` | pass | ...".
# shellcheck disable=SC2016 # Markdown backquotes, not a command
rows() { grep '^| `webserver3[a-g]` |' "$1"; }

# cells NAME: the table's verdicts for NAME, one a line, in CHECKS' order.
cells() {
	rows "$MAP" | awk -F'|' -v want=" \`$1\` " '$2 == want {
		for (i = 3; i < NF; i++) { c = $i; gsub(/ /, "", c); print c }
	}'
}

# grade NAME ARG...: runs check-server on bin/article/NAME ARG... with the
# checks the table does not mark "-", and compares each verdict with the
# table's. FIN_LIMIT: more options (webserver3b and 3c: --limit fin=0.5,
# their one-second sleep then always late).
FIN_LIMIT=()
grade() {
	local name="$1" i only="" problems="" got want
	shift
	local -a want_cells
	mapfile -t want_cells < <(cells "$name")
	((${#want_cells[@]} == ${#CHECKS[@]})) || fail "docs/article-map.md: no row of ${#CHECKS[@]} verdicts for $name"
	for i in "${!CHECKS[@]}"; do
		[[ "${want_cells[$i]}" == - ]] || only+="${only:+,}${CHECKS[$i]}"
	done
	run --separate-stderr check-server --json --only "$only" "${FIN_LIMIT[@]}" -- "$SOCKLAB_BIN/article/$name" "$@"
	[[ "$status" -eq 0 || "$status" -eq 1 ]] || { show_run; fail "check-server: status $status"; }
	local report="$output"
	for i in "${!CHECKS[@]}"; do
		want="${want_cells[$i]}"
		[[ "$want" == - ]] && continue
		got="$(printf '%s' "$report" | python3 -c '
import json, sys
for c in json.load(sys.stdin)["checks"]:
    if c["name"] == sys.argv[1]:
        print(c["result"], "|", c.get("evidence", ""))' "${CHECKS[$i]}")"
		[[ "${got%% |*}" == "$want" ]] ||
			problems+="$name ${CHECKS[$i]}: check-server says ${got:-nothing} (the table: $want)"$'\n'
	done
	[[ -z "$problems" ]] || fail "$problems" "update docs/article-map.md and docs/zh/article-map.md if the new verdict is right"
}

@test "the article, graded: the table has a row per listing, the same in both editions" {
	assert_equal "$(rows "$MAP" | wc -l)" 7
	assert_equal "$(rows "$MAP_ZH")" "$(rows "$MAP")"
	grep -qF '| listing | reply | fin | concurrent | zombies | survives | fds | silent | reset | sigterm |' "$MAP" ||
		fail "the table's header is not CHECKS"
}

@test "the article, graded: webserver3a (iterative: concurrent and silent fail)" { grade webserver3a '{port}'; }
@test "the article, graded: webserver3b (sleeps 1 s: fin, concurrent, silent fail)" { FIN_LIMIT=(--limit fin=0.5); grade webserver3b '{port}' 1; }
@test "the article, graded: webserver3c (zombies fail, once its children have exited)" { FIN_LIMIT=(--limit fin=0.5); grade webserver3c '{port}' 1; }
@test "the article, graded: webserver3d (fin, zombies and fds fail)" { grade webserver3d '{port}'; }
@test "the article, graded: webserver3e (dies of EINTR: survives and reset fail)" { grade webserver3e '{port}'; }
@test "the article, graded: webserver3f (zombies fail: SIGCHLDs coalesce)" { grade webserver3f '{port}'; }
@test "the article, graded: webserver3g (every check of the lessons passes)" { grade webserver3g '{port}'; }
