#!/usr/bin/env bats
# The docs run: every shell block in README.md and docs/ is either executed
# by a test (marked <!-- test: NAME -->) or says why not (<!-- not run: ... -->).

load test_helper

# Lists "file:line: problem" for shell blocks without a marker.
unmarked_blocks() {
	local f
	for f in "$SOCKLAB_ROOT/README.md" "$SOCKLAB_ROOT"/docs/*.md "$SOCKLAB_ROOT"/docs/*/*.md; do
		[[ -f "$f" ]] || continue
		awk -v file="${f#"$SOCKLAB_ROOT"/}" '
			/^```/ {
				if (inside) { inside = 0; next }
				inside = 1
				lang = substr($0, 4)
				if (lang ~ /^(sh|bash|shell|console)$/ &&
				    prev !~ /^<!-- (test: [A-Za-z0-9_-]+|not run: .+) -->$/)
					printf "%s:%d: shell block without a test: or not run: marker\n", file, NR
				next
			}
			!inside && NF { prev = $0 }
		' "$f"
	done
}

@test "every shell block in README.md and docs/ is run by a test or marked not run" {
	run unmarked_blocks
	assert_success
	assert_equal "$output" ""
}

@test "every block marked test: is run by some .bats file" {
	local f name missing=""
	for f in "$SOCKLAB_ROOT"/docs/*.md "$SOCKLAB_ROOT"/docs/*/*.md "$SOCKLAB_ROOT/README.md"; do
		[[ -f "$f" ]] || continue
		local rel="${f#"$SOCKLAB_ROOT"/}"
		while IFS= read -r name; do
			# A test names the block, after the lesson's file (or its variable).
			if ! grep -hE "doc_(run|start|script|block) [^ ]+ $name( |\$)" "$SOCKLAB_ROOT"/tests/*.bats |
				grep -q .; then
				missing+="$rel: $name"$'\n'
			fi
		done < <(sed -n 's/^<!-- test: \([A-Za-z0-9_-]*\) -->$/\1/p' "$f")
	done
	assert_equal "$missing" ""
}

@test "doc_block finds a block and fails clearly on a missing one" {
	run doc_block docs/01-iterative-server.md start-server
	assert_success
	assert_equal "$output" "./bin/srv-iter"
	run doc_block docs/01-iterative-server.md no-such-block
	assert_failure
	assert_output_contains "no block 'no-such-block'"
}
