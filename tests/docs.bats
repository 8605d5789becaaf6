#!/usr/bin/env bats
# The docs run: every shell block in README.md and docs/ is either executed
# by a test (marked <!-- test: NAME -->) or says why not (<!-- not run: ... -->).
# The course (docs/README.md) links every lesson, and its two editions,
# English (docs/) and Chinese (docs/zh/), stay in step: the same lessons, and
# in each lesson the same blocks with the same content.

load test_helper

# Pages of docs/ that have no Chinese edition, with the reason. Every other
# docs/*.md (the lessons, docs/NN-*.md, and the course, docs/README.md) has a
# twin of the same name in docs/zh/.
#   performance.md: the toolkit's benchmark (how fast the servers are, on the
#   machine that measured them), for the people who change the tools; it is
#   not a lesson of the article and not part of the course.
ENGLISH_ONLY=(performance.md)

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

# Lists "file:line: problem" for commands shown outside the shell blocks that
# the markers govern: a fence without a language, a language the docs do not
# use, or a text block (expected output) that holds a prompt and a command.
hidden_commands() {
	local f
	for f in "$SOCKLAB_ROOT/README.md" "$SOCKLAB_ROOT"/docs/*.md "$SOCKLAB_ROOT"/docs/*/*.md; do
		[[ -f "$f" ]] || continue
		awk -v file="${f#"$SOCKLAB_ROOT"/}" '
			/^```/ {
				if (inside) { inside = 0; next }
				inside = 1
				lang = substr($0, 4)
				if (lang == "")
					printf "%s:%d: a fence without a language (sh for commands, text for output)\n", file, NR
				else if (lang !~ /^(sh|bash|shell|console|text|mermaid|c|python)$/)
					printf "%s:%d: a fence in %s (sh for commands, text for output)\n", file, NR, lang
				next
			}
			inside && lang == "text" && /^(\$|#|%) [a-z.\/]/ {
				printf "%s:%d: a command in a text block: put it in a marked sh block\n", file, NR
			}
		' "$f"
	done
}

# The names of the test: blocks of a file, one a line, in order.
block_names() {
	sed -n 's/^<!-- test: \([A-Za-z0-9_-]*\) -->$/\1/p' "$SOCKLAB_ROOT/$1"
}

# Every fenced block of a file but the pictures (mermaid, translated), each
# headed by its fence and, for shell blocks, its marker (a not run: reason
# may be translated, so only "not run" is kept): what both editions share.
shared_blocks() {
	awk '
		/^```/ {
			if (inside) { inside = 0; if (keep) print "```"; next }
			inside = 1
			keep = ($0 != "```mermaid")
			if (!keep) next
			marker = ""
			if (prev ~ /^<!-- test: /) marker = prev
			else if (prev ~ /^<!-- not run: /) marker = "<!-- not run -->"
			print "=== " $0 " " marker
			next
		}
		inside && keep { print; next }
		!inside && NF { prev = $0 }
	' "$SOCKLAB_ROOT/$1"
}

# is_run FILE NAME: a .bats file that names FILE runs its block NAME.
is_run() {
	local bats
	for bats in "$SOCKLAB_ROOT"/tests/*.bats; do
		grep -qF -- "$1" "$bats" &&
			grep -qE "doc_(run|start|script|block) [^ ]+ $2( |\$)" "$bats" &&
			return 0
	done
	return 1
}

# The English twin of a Chinese page: docs/zh/X.md -> docs/X.md.
english_of() { printf 'docs/%s\n' "${1#docs/zh/}"; }

@test "every shell block in README.md and docs/ is run by a test or marked not run" {
	run unmarked_blocks
	assert_success
	assert_equal "$output" ""
}

@test "no command hides in another fence (no language, another language, a prompt in a text block)" {
	run hidden_commands
	assert_success
	assert_equal "$output" ""
}

@test "every block marked test: is run by a .bats file that names its page (zh: or by its identical English twin)" {
	local f name missing=""
	for f in "$SOCKLAB_ROOT"/docs/*.md "$SOCKLAB_ROOT"/docs/*/*.md "$SOCKLAB_ROOT/README.md"; do
		[[ -f "$f" ]] || continue
		local rel="${f#"$SOCKLAB_ROOT"/}"
		while IFS= read -r name; do
			is_run "$rel" "$name" && continue
			# A Chinese block is run through its English twin: the test
			# "the Chinese lessons have the English blocks" checks that both
			# are byte-identical.
			if [[ "$rel" == docs/zh/* ]] && is_run "$(english_of "$rel")" "$name"; then
				continue
			fi
			missing+="$rel: $name"$'\n'
		done < <(block_names "$rel")
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

@test "the two editions have the same lessons: docs/NN-*.md and docs/zh/NN-*.md, docs/README.md and docs/zh/README.md" {
	local f base problems=""
	for f in "$SOCKLAB_ROOT"/docs/*.md; do
		base="${f##*/}"
		if [[ " ${ENGLISH_ONLY[*]} " == *" $base "* ]]; then
			continue
		fi
		if [[ "$base" != [0-9][0-9]-*.md && "$base" != README.md ]]; then
			problems+="docs/$base: not a lesson (docs/NN-topic.md): give it docs/zh/$base, or list it in ENGLISH_ONLY in tests/docs.bats with the reason"$'\n'
			continue
		fi
		[[ -f "$SOCKLAB_ROOT/docs/zh/$base" ]] ||
			problems+="docs/$base has no Chinese edition: docs/zh/$base (the same blocks, translated prose)"$'\n'
	done
	for f in "$SOCKLAB_ROOT"/docs/zh/*.md; do
		[[ -f "$f" ]] || continue
		base="${f##*/}"
		[[ -f "$SOCKLAB_ROOT/docs/$base" ]] ||
			problems+="docs/zh/$base has no English edition: docs/$base"$'\n'
	done
	assert_equal "$problems" ""
}

@test "the Chinese lessons have the English blocks: the same test: names, byte-identical, and the same other blocks in the same order" {
	local f zh en name problems=""
	for f in "$SOCKLAB_ROOT"/docs/zh/*.md; do
		[[ -f "$f" ]] || continue
		zh="${f#"$SOCKLAB_ROOT"/}"
		en="$(english_of "$zh")"
		[[ -f "$SOCKLAB_ROOT/$en" ]] || continue # the test above reports it
		# The same names, in the same order.
		if [[ "$(block_names "$zh")" != "$(block_names "$en")" ]]; then
			problems+="$zh and $en name different test: blocks:"$'\n'
			problems+="$(diff <(block_names "$en") <(block_names "$zh") |
				sed -n 's/^< /  in English only (or moved): /p; s/^> /  in Chinese only (or moved): /p' || true)"$'\n'
		fi
		# Each test: block of zh byte-identical to the English one.
		while IFS= read -r name; do
			if ! cmp -s <(doc_block "$zh" "$name" 2>&1) <(doc_block "$en" "$name" 2>&1); then
				problems+="$zh: block '$name' differs from $en's:"$'\n'
				problems+="$(diff <(doc_block "$en" "$name" 2>&1) <(doc_block "$zh" "$name" 2>&1) || true)"$'\n'
			fi
		done < <(block_names "$zh")
		# Every other block (commands not run, expected output) too.
		if ! cmp -s <(shared_blocks "$zh") <(shared_blocks "$en"); then
			problems+="$zh: its blocks (other than mermaid) are not those of $en (< English, > Chinese):"$'\n'
			problems+="$(diff <(shared_blocks "$en") <(shared_blocks "$zh") || true)"$'\n'
		fi
	done
	assert_equal "$problems" ""
}

@test "the course links every lesson of its edition, and README.md links the course" {
	local f base problems=""
	for f in "$SOCKLAB_ROOT"/docs/[0-9][0-9]-*.md; do
		base="${f##*/}"
		grep -qF "]($base)" "$SOCKLAB_ROOT/docs/README.md" ||
			problems+="docs/README.md does not link $base"$'\n'
	done
	for f in "$SOCKLAB_ROOT"/docs/zh/[0-9][0-9]-*.md; do
		[[ -f "$f" ]] || continue
		base="${f##*/}"
		grep -qF "]($base)" "$SOCKLAB_ROOT/docs/zh/README.md" ||
			problems+="docs/zh/README.md does not link $base"$'\n'
	done
	grep -qF "](zh/README.md)" "$SOCKLAB_ROOT/docs/README.md" ||
		problems+="docs/README.md does not link the Chinese edition"$'\n'
	grep -qF "](docs/README.md)" "$SOCKLAB_ROOT/README.md" ||
		problems+="README.md does not link the course, docs/README.md"$'\n'
	assert_equal "$problems" ""
}

@test "every relative link in README.md and docs/ points to a file that exists" {
	local f rel target problems=""
	for f in "$SOCKLAB_ROOT/README.md" "$SOCKLAB_ROOT"/docs/*.md "$SOCKLAB_ROOT"/docs/*/*.md; do
		[[ -f "$f" ]] || continue
		rel="${f#"$SOCKLAB_ROOT"/}"
		while IFS= read -r target; do
			target="${target%%#*}"
			[[ -z "$target" || "$target" =~ ^[a-z]+: ]] && continue
			[[ -e "${f%/*}/$target" ]] || problems+="$rel: broken link: $target"$'\n'
		done < <(grep -oE '\]\([^) ]+\)' "$f" | sed 's/^](//; s/)$//')
	done
	assert_equal "$problems" ""
}

@test "README.md: the curl of Set up gets the article's Hello, World!" {
	start_server srv srv-iter --port 0
	doc_run README.md readme-curl "$PORT"
	assert_success
	assert_output_contains "Hello, World!"
}
