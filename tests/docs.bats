#!/usr/bin/env bats
# The docs run: every shell block in README.md and docs/ is either executed
# by a test (marked <!-- test: NAME -->) or says why not (<!-- not run: ... -->),
# and every text block (the output to expect) is compared with what its
# command prints (<!-- output: ... -->) or says why not (<!-- not compared:
# ... -->); the comparison itself is tested here (scripts/doc-lib.sh). The
# course (docs/README.md) links every lesson, the lessons link each other and
# their twins, and the two editions, English (docs/) and Chinese (docs/zh/),
# stay in step: the same pages, and in each the same blocks with the same
# content. The Chinese prose uses Chinese punctuation. No file points outside
# the repository.

load test_helper

# Its tests run side by side (make test runs a file's tests one after the
# other, Makefile, TEST_JOBS): they wait more than they compute, and one
# after the other they would be the suite's longest path.
setup_file() {
	# shellcheck disable=SC2034 # read by bats, after setup_file
	BATS_NO_PARALLELIZE_WITHIN_FILE=False
}

# Pages of docs/ that have no Chinese edition, with the reason. Every other
# docs/*.md (the lessons, docs/NN-*.md, the course, docs/README.md, and the
# article map) has a twin of the same name in docs/zh/.
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
				else if (lang !~ /^(sh|bash|shell|console|text|mermaid|c|python|diff)$/)
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
# headed by its fence and its marker (a not run: or not compared: reason may
# be translated, so only "not run" or "not compared" is kept): what both
# editions share.
shared_blocks() {
	awk '
		/^```/ {
			if (inside) { inside = 0; if (keep) print "```"; next }
			inside = 1
			keep = ($0 != "```mermaid")
			if (!keep) next
			marker = ""
			if (prev ~ /^<!-- (test|output): /) marker = prev
			else if (prev ~ /^<!-- not run: /) marker = "<!-- not run -->"
			else if (prev ~ /^<!-- not compared: /) marker = "<!-- not compared -->"
			print "=== " $0 " " marker
			next
		}
		inside && keep { print; next }
		!inside && NF { prev = $0 }
	' "$SOCKLAB_ROOT/$1"
}

# test_blocks ARRAY FILE: ARRAY[NAME] = the text of FILE's block NAME (as
# doc_block gives it), for every test: block of FILE, read in one pass.
test_blocks() {
	local -n into="$1"
	local name text
	# shellcheck disable=SC2034 # into is the caller's array
	while IFS= read -r -d $'\x1e' name && IFS= read -r -d $'\x1f' text; do
		into["$name"]="$text"
	done < <(awk '
		/^<!-- test: [A-Za-z0-9_-]+ -->$/ { name = $3; armed = 1; next }
		armed && !inside && /^```/ { inside = 1; printf "%s\036", name; next }
		inside && /^```/ { inside = 0; armed = 0; printf "\037"; next }
		inside { print }
	' "$SOCKLAB_ROOT/$2")
}

# The .bats files, read once per test: BATS_TEXT[FILE] is FILE's text;
# BATS_RUNS[FILE] the names of the blocks it runs (doc_run, doc_start,
# doc_launch, doc_script, doc_block, doc_remember FILE NAME; doc_type SHELL
# FILE NAME), BATS_COMPARES[FILE] the marks it compares (doc_expect FILE
# MARK), each a list with a newline before and after every entry. One grep
# per file: a regex per block over every file's text took 20 s a test.
declare -gA BATS_TEXT=() BATS_RUNS=() BATS_COMPARES=()
bats_texts() {
	local b kind name
	((${#BATS_TEXT[@]} > 0)) && return 0
	for b in "$SOCKLAB_ROOT"/tests/*.bats; do
		BATS_TEXT["$b"]="$(<"$b")"
		BATS_RUNS["$b"]=$'\n' BATS_COMPARES["$b"]=$'\n'
	done
	# One awk for every file: "FILE<tab>run|compare<tab>NAME" lines.
	while IFS=$'\t' read -r b kind name; do
		if [[ "$kind" == run ]]; then
			BATS_RUNS["$b"]+="$name"$'\n'
		else
			BATS_COMPARES["$b"]+="$name"$'\n'
		fi
	done < <(awk '
		function all(re, kind, field,    s, m, w) {
			s = $0
			while (match(s, re)) {
				m = substr(s, RSTART, RLENGTH)
				s = substr(s, RSTART + RLENGTH)
				split(m, w, " ")
				if (kind == "compare") {
					m = substr(m, index(m, w[3]))
					if (m ~ /^".*"$/ || m ~ /^\047.*\047$/) m = substr(m, 2, length(m) - 2)
					print FILENAME "\t" kind "\t" m
				} else
					print FILENAME "\t" kind "\t" w[field]
			}
		}
		{
			all("doc_(run|start|launch|script|block|remember) [^ ]+ [^[:space:])\"]+", "run", 3)
			all("doc_type [^ ]+ [^ ]+ [^[:space:]]+", "run", 4)
			all("doc_expect [^ ]+ (\"[^\"]*\"|\047[^\047]*\047|[^[:space:]]+)", "compare", 3)
		}' "$SOCKLAB_ROOT"/tests/*.bats)
}

# naming PAGE: the .bats files whose text names PAGE, one a line (a glob
# over a file's whole text costs milliseconds: asked once per page).
declare -gA BATS_NAMING=()
naming() {
	local b list=''
	bats_texts
	if [[ -z "${BATS_NAMING[$1]+set}" ]]; then
		for b in "${!BATS_TEXT[@]}"; do
			[[ "${BATS_TEXT[$b]}" == *"$1"* ]] && list+="$b"$'\n'
		done
		BATS_NAMING["$1"]="$list"
	fi
	printf '%s' "${BATS_NAMING[$1]}"
}

# is_run FILE NAME: a .bats file that names FILE runs its block NAME.
is_run() {
	local b
	naming "$1" >/dev/null # fills the cache in this shell
	while IFS= read -r b; do
		[[ -n "$b" && "${BATS_RUNS[$b]}" == *$'\n'"$2"$'\n'* ]] && return 0
	done <<<"${BATS_NAMING[$1]}"
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

blocks_are_run() {
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

@test "every block marked test: is run by a .bats file that names its page (zh: or by its identical English twin)" {
	untraced blocks_are_run
}

@test "doc_block finds a block and fails clearly on a missing one" {
	run doc_block docs/01-iterative-server.md start-server
	assert_success
	# shellcheck disable=SC2016 # the block's text, not an expansion
	assert_equal "$output" './bin/srv-iter --port ${PORT:-8888}'
	run doc_block docs/01-iterative-server.md no-such-block
	assert_failure
	assert_output_contains "no block 'no-such-block'"
}

@test "a Ctrl-C typed into a lesson's terminal ends its block, even when the suite was started with SIGINT and SIGQUIT ignored (make test &)" {
	env --default-signal true 2>/dev/null || skip "env has no --default-signal (not GNU coreutils 8.31+)"
	# What a shell without job control gives a command started with &: the
	# two keyboard signals ignored, and passed on to every child.
	trap '' INT QUIT
	doc_bg idle '^ready$' "grep -E '^SigIgn' /proc/self/status; echo ready; exec sleep 60"
	trap - INT QUIT
	# A new terminal's job ignores nothing: SigIgn is a mask of ignored
	# signals, and bits 2 and 3 (0x6) are SIGINT and SIGQUIT.
	[[ "$(doc_out idle)" =~ SigIgn:[[:space:]]*([0-9a-f]+) ]] || fail "no SigIgn line:" "$(doc_out idle)"
	((("0x${BASH_REMATCH[1]}" & 0x6) == 0)) || fail "the block ignores SIGINT or SIGQUIT:" "$(doc_out idle)"
	doc_ctrl_c idle
	assert_equal "$STOP_STATUS" 130
}

@test "the two editions have the same pages: docs/X.md and docs/zh/X.md (but ENGLISH_ONLY)" {
	local f base problems=""
	for f in "$SOCKLAB_ROOT"/docs/*.md; do
		base="${f##*/}"
		if [[ " ${ENGLISH_ONLY[*]} " == *" $base "* ]]; then
			continue
		fi
		[[ -f "$SOCKLAB_ROOT/docs/zh/$base" ]] ||
			problems+="docs/$base has no Chinese edition: docs/zh/$base (the same blocks, translated prose), or list it in ENGLISH_ONLY in tests/docs.bats with the reason"$'\n'
	done
	for f in "$SOCKLAB_ROOT"/docs/zh/*.md; do
		[[ -f "$f" ]] || continue
		base="${f##*/}"
		[[ -f "$SOCKLAB_ROOT/docs/$base" ]] ||
			problems+="docs/zh/$base has no English edition: docs/$base"$'\n'
	done
	assert_equal "$problems" ""
}

editions_share_blocks() {
	local f zh en name problems=""
	local -A zh_text=() en_text=()
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
		# Each test: block of zh byte-identical to the English one (each
		# page's blocks read at once; diff only for those that differ).
		zh_text=() en_text=()
		test_blocks zh_text "$zh"
		test_blocks en_text "$en"
		while IFS= read -r name; do
			if [[ -z "${en_text[$name]+set}" || "${zh_text[$name]-}" != "${en_text[$name]}" ]]; then
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

@test "the Chinese lessons have the English blocks: the same test: names, byte-identical, and the same other blocks in the same order" {
	untraced editions_share_blocks
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

doc_links_exist() {
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

@test "every relative link in README.md and docs/ points to a file that exists" {
	untraced doc_links_exist
}

@test "README.md: the curl of Set up gets the article's Hello, World!" {
	start_server srv srv-iter --port 0
	doc_run README.md readme-curl "$PORT"
	assert_success
	assert_output_contains "Hello, World!"
}

# ------------------------------------------------------------ output blocks

# Every page whose blocks the suite governs.
doc_pages() {
	local f
	for f in "$SOCKLAB_ROOT/README.md" "$SOCKLAB_ROOT"/docs/*.md "$SOCKLAB_ROOT"/docs/*/*.md; do
		[[ -f "$f" ]] && printf '%s\n' "${f#"$SOCKLAB_ROOT"/}"
	done
}

# Lists "file:line: problem" for text blocks without an output: or a not
# compared: marker.
unmarked_text_blocks() {
	local rel
	while IFS= read -r rel; do
		awk -v file="$rel" '
			/^```/ {
				if (inside) { inside = 0; next }
				inside = 1
				if (substr($0, 4) == "text" &&
				    prev !~ /^<!-- (output: [A-Za-z0-9_-]+( after ([A-Za-z0-9_-]+|Ctrl-C))?|not compared: .+) -->$/)
					printf "%s:%d: text block without an output: or not compared: marker\n", file, NR
				next
			}
			!inside && NF { prev = $0 }
		' "$SOCKLAB_ROOT/$rel"
	done < <(doc_pages)
}

# The output: marks of a page, one a line ("NAME" or "NAME after STEP").
output_marks() {
	sed -n 's/^<!-- output: \(.*\) -->$/\1/p' "$SOCKLAB_ROOT/$1"
}

# is_compared FILE MARK: a .bats file that names FILE compares MARK.
is_compared() {
	local b
	naming "$1" >/dev/null # fills the cache in this shell
	while IFS= read -r b; do
		[[ -n "$b" && "${BATS_COMPARES[$b]}" == *$'\n'"$2"$'\n'* ]] && return 0
	done <<<"${BATS_NAMING[$1]}"
	return 1
}

# sample_of: the lines of an output block (stdin) with its placeholders made
# concrete, as a run could print them.
sample_of() {
	sed -e '/^\.\.\.$/d' -e 's/\[PORT\]/49152/g; s/\[PID\]/4242/g; s/\[INODE\]/81170/g; s/\[N\]/7/g; s/\[\.\.\]/x/g'
}

# mutants_of: for each line of an output block (stdin) but ..., the block
# with one literal character of that line changed (a letter or a digit
# outside the placeholders, or, on an empty line, an x added), one block per
# line, separated by a line "=====".
mutants_of() {
	awk '
		{ L[++n] = $0 }
		END {
			for (k = 1; k <= n; k++) {
				if (L[k] == "...") continue
				line = L[k]; pos = 0; i = 1
				while (i <= length(line)) {
					if (substr(line, i, 1) == "[" && match(substr(line, i), /^\[(PORT|PID|INODE|N|\.\.)\]/)) {
						i += RLENGTH; continue
					}
					if (substr(line, i, 1) ~ /[A-Za-z0-9]/) { pos = i; break }
					i++
				}
				for (j = 1; j <= n; j++) {
					if (j != k) { print L[j]; continue }
					if (line == "") { print "x"; continue }
					if (pos == 0) { print "#" line; continue }
					c = substr(line, pos, 1)
					print substr(line, 1, pos - 1) (c == "Q" ? "R" : "Q") substr(line, pos + 1)
				}
				print "====="
			}
		}'
}

@test "every text block in README.md and docs/ is compared with its command's output or says why not" {
	run unmarked_text_blocks
	assert_success
	assert_equal "$output" ""
}

outputs_are_compared() {
	local rel mark name step problems=""
	while IFS= read -r rel; do
		while IFS= read -r mark; do
			name="${mark%% after *}"
			step=""
			[[ "$mark" == *" after "* ]] && step="${mark#* after }"
			grep -qxF "<!-- test: $name -->" "$SOCKLAB_ROOT/$rel" ||
				problems+="$rel: <!-- output: $mark -->: no block '$name' on the page"$'\n'
			if [[ -n "$step" && "$step" != Ctrl-C ]]; then
				grep -qxF "<!-- test: $step -->" "$SOCKLAB_ROOT/$rel" ||
					problems+="$rel: <!-- output: $mark -->: no block '$step' on the page"$'\n'
			fi
			is_compared "$rel" "$mark" && continue
			if [[ "$rel" == docs/zh/* ]] && is_compared "$(english_of "$rel")" "$mark"; then
				continue
			fi
			problems+="$rel: <!-- output: $mark --> is compared by no .bats file (doc_expect FILE '$mark')"$'\n'
		done < <(output_marks "$rel")
	done < <(doc_pages)
	assert_equal "$problems" ""
}

@test "every output: block names blocks of its page (the step may be Ctrl-C) and is compared by a .bats file that names its page (zh: or its English twin)" {
	untraced outputs_are_compared
}

lines_are_load_bearing() {
	local rel mark block line0 problems="" n=0
	local exp="$BATS_TEST_TMPDIR/exp" sample="$BATS_TEST_TMPDIR/sample" mut="$BATS_TEST_TMPDIR/mut"
	while IFS= read -r rel; do
		[[ "$rel" == docs/zh/* ]] && continue # byte-identical blocks (test above)
		while IFS= read -r mark; do
			block="$(doclib_output "$SOCKLAB_ROOT/$rel" "$mark")" || { problems+="$rel: no block for '$mark'"$'\n'; continue; }
			line0="${block%%$'\n'*}"
			printf '%s\n' "${block#*$'\n'}" >"$exp"
			sample_of <"$exp" >"$sample"
			# The block matches a run's output (its placeholders made concrete).
			doclib_compare "$rel" "$line0" "" "$exp" "$sample" >/dev/null ||
				problems+="$rel:$line0: the block does not match its own sample: $(doclib_compare "$rel" "$line0" "" "$exp" "$sample")"$'\n'
			# Each mutant, one line changed, must not.
			local k=0
			while IFS= read -r -d $'\x1e' one; do
				k=$((k + 1))
				printf '%s' "$one" >"$mut"
				if doclib_compare "$rel" "$line0" "" "$mut" "$sample" >/dev/null; then
					problems+="$rel:$line0: block '$mark': change a letter of its line $k and it still matches: give that line something literal"$'\n'
				fi
				n=$((n + 1))
			done < <(mutants_of <"$exp" | awk '$0 == "=====" { printf "\x1e"; next } { print }')
		done < <(output_marks "$rel")
	done < <(doc_pages)
	echo "# $n mutants, each caught" >&3
	((n > 100)) || problems+="only $n mutants: the scan found too few blocks"$'\n'
	assert_equal "$problems" ""
}

@test "every line of every compared block is load-bearing: one literal character changed, the block no longer matches" {
	selftest_only
	untraced lines_are_load_bearing
}

@test "the comparison: placeholders, stretching spaces and ... match; a changed, a missing and an extra line are each caught, with PAGE:LINE" {
	local exp="$BATS_TEST_TMPDIR/exp" act="$BATS_TEST_TMPDIR/act"
	printf '%s\n' \
		'accept(3)       -> fd 4, socket pair {127.0.0.1:8888, 127.0.0.1:[PORT]}' \
		'recv(4)         -> [N] bytes' \
		'User-Agent: curl/[..]' \
		'...' \
		'  [PID]   [PID] Z+   [srv-fork] <defunct>' \
		'   4  socket     socket:[INODE] TCP' \
		'elapsed: [N] s' >"$exp"
	printf '%s\n' \
		'accept(3)   -> fd 4, socket pair {127.0.0.1:41234, 127.0.0.1:50321}' \
		'recv(4)         -> 83 bytes' \
		'User-Agent: curl/7.88.1' \
		'Accept: */*' \
		'' \
		'1234567   24290 Z+   [srv-fork] <defunct>   ' \
		'   4  socket     socket:[81170] TCP' \
		'elapsed: 1.034 s' >"$act"
	run doclib_compare docs/x.md 10 41234 "$exp" "$act"
	assert_success
	assert_equal "$output" ""

	# A changed line: the block's line (with its PAGE:LINE), then what was printed.
	sed 's/^recv(4) /recv(5) /' "$act" >"$act.changed"
	run doclib_compare docs/x.md 10 41234 "$exp" "$act.changed"
	assert_failure 1
	assert_output_contains "docs/x.md:10: the output block does not match"
	assert_output_contains "- docs/x.md:11: recv(4)         -> [N] bytes"
	assert_output_contains "+ recv(5)         -> 83 bytes"
	# ... after a line: the change is caught all the same (the ... takes it,
	# the block's line is missing).
	sed 's/Z+/S+/' "$act" >"$act.changed2"
	run doclib_compare docs/x.md 10 41234 "$exp" "$act.changed2"
	assert_failure 1
	assert_output_contains "- docs/x.md:14:   [PID]   [PID] Z+   [srv-fork] <defunct>"

	# A missing line.
	sed '/socket:/d' "$act" >"$act.missing"
	run doclib_compare docs/x.md 10 41234 "$exp" "$act.missing"
	assert_failure 1
	assert_output_contains "- docs/x.md:15:    4  socket     socket:[INODE] TCP"

	# An extra line, at the end and in the middle.
	{ cat "$act"; echo 'Stopped.'; } >"$act.extra"
	run doclib_compare docs/x.md 10 41234 "$exp" "$act.extra"
	assert_failure 1
	assert_output_contains "+ Stopped."
	sed '2a\
surprise' "$act" >"$act.extra2"
	run doclib_compare docs/x.md 10 41234 "$exp" "$act.extra2"
	assert_failure 1
	assert_output_contains "+ surprise"

	# Placeholders are not wildcards: [PORT] wants digits, 8888 the test's port.
	sed 's/50321/abc/' "$act" >"$act.port"
	run doclib_compare docs/x.md 10 41234 "$exp" "$act.port"
	assert_failure 1
	run doclib_compare docs/x.md 10 41235 "$exp" "$act"
	assert_failure 1
	# One space is literal; two or more stretch (but never to none).
	printf 'a b\n' >"$exp.sp"
	printf 'a  b\n' >"$act.sp"
	run doclib_compare docs/x.md 1 "" "$exp.sp" "$act.sp"
	assert_failure 1
	printf 'a  b\n' >"$exp.sp"
	printf 'ab\n' >"$act.sp"
	run doclib_compare docs/x.md 1 "" "$exp.sp" "$act.sp"
	assert_failure 1
}

# run_lesson_copy EDIT TEST_FILTER: copies the repository's tests, scripts
# and docs into a scratch root, applies the sed script EDIT to its lesson 1,
# and runs its tests/lesson-01.bats (the tests that match TEST_FILTER, the
# English edition only) against the build under test. An edited copy's
# block never matches: its comparison gives up after 2 s
# (SOCKLAB_EXPECT_WAIT) rather than the deadline, while everything the test
# waits for from the machine keeps the deadline.
run_lesson_copy() {
	local root="$BATS_TEST_TMPDIR/root" wait=()
	rm -rf "$root"
	mkdir -p "$root"
	cp -R "$SOCKLAB_ROOT/tests" "$SOCKLAB_ROOT/scripts" "$SOCKLAB_ROOT/docs" "$root/"
	if [[ -n "$1" ]]; then
		sed -i "$1" "$root/docs/01-iterative-server.md"
		wait=(SOCKLAB_EXPECT_WAIT=2)
	fi
	run env SOCKLAB_PACE=1 "${wait[@]}" SOCKLAB_BIN="$SOCKLAB_BIN" \
		bats -f "$2" "$root/tests/lesson-01.bats"
}

@test "make test fails when one literal character, a line or an extra line of a lesson's output block is wrong" {
	selftest_only
	# The copy as it is passes (SOCKLAB_PACE=1: English only, 1 s pauses).
	run_lesson_copy '' "narrates its four calls"
	assert_success
	# A changed character (the server's startup block, compared while it runs).
	run_lesson_copy '/^<!-- output: start-server -->$/,/^```$/s/-> fd 3$/-> fd 5/' "narrates its four calls"
	assert_failure
	assert_output_contains "- docs/01-iterative-server.md:"
	assert_output_contains "+ socket(AF_INET, SOCK_STREAM, 0)              -> fd 3"
	# A missing line (the block shows a line nothing printed).
	run_lesson_copy '/^<!-- output: start-server -->$/,/^```$/s/^listen(3, 5) .*/&\nlisten(3, 6)/' "narrates its four calls"
	assert_failure
	assert_output_contains "listen(3, 6)"
	# An extra line (printed, but not in the block), in a command's own output.
	run_lesson_copy '/^<!-- output: python-client -->$/,/^```$/{/^Connection: close$/d}' "Python client"
	assert_failure
	assert_output_contains "+ Connection: close"
}

# ------------------------------------------------------------ the port
#
# Every command of the course follows PORT (docs/README.md, "If port 8888 is
# busy"): what a learner types in a terminal where `export PORT=8899` ran
# must reach 8899, never 8888. port_problem CMD [prose] prints why CMD would
# not (nothing when it does):
# - a bare 8888 (the port is written ${PORT:-8888});
# - a server (./bin/srv-*) without --port: it would listen on 8888;
# - cli-connect without HOST:${PORT:-8888}: it would connect to 8888;
# - a listing (./bin/article/webserver3*) without its PORT argument;
# - curl to localhost or 127.0.0.1 without :PORT (port 80);
# - bash's /dev/tcp/HOST/ followed by a number.
port_problem() {
	local cmd="$1" rest
	# shellcheck disable=SC2016 # the text ${PORT:-8888}, not an expansion
	local word='${PORT:-8888}'
	rest="${cmd//"$word"/}"
	# In prose (a second argument), a path alone names the file (`make`
	# builds `./bin/srv-fork`); in a block, it is a command.
	[[ -n "${2-}" && "$cmd" =~ ^\./bin/[a-z0-9/-]+$ ]] && cmd="" rest=""
	if [[ "$rest" == *8888* ]]; then
		echo "8888 without $word"
	elif [[ "$cmd" =~ \./bin/srv-[a-z]+([^a-z-]|$) && "$cmd" != *--port* ]]; then
		echo "a server without --port (it listens on 8888, whatever PORT says)"
	elif [[ "$cmd" == *"./bin/cli-connect"* && "$cmd" != *"$word"* && "$cmd" != *--help* ]]; then
		echo "a client without HOST:$word (it connects to 8888)"
	elif [[ "$cmd" =~ \./bin/article/webserver3[a-h]([^ ]|$|\ +[^\ 0$\{]) ]]; then
		echo "a listing without its PORT argument (it listens on 8888)"
	elif [[ "$cmd" =~ (^|[^a-z])curl\  && "$cmd" =~ (localhost|127\.0\.0\.1)([^:]|$) ]]; then
		echo "a curl to ${BASH_REMATCH[1]} without :$word (port 80)"
	elif [[ "$cmd" =~ /dev/tcp/[^/]+/[0-9] ]]; then
		echo "/dev/tcp with a number, not $word"
	fi
}

@test "port_problem: what does not follow PORT is caught, what does passes" {
	local cmd
	# shellcheck disable=SC2016 # commands as a lesson writes them
	for cmd in './bin/srv-iter --port ${PORT:-8888}' './bin/srv-iter --port 0' \
		'make && ./bin/srv-iter --port ${PORT:-8888}' \
		'./bin/cli-connect --bind 127.10.10.2 127.12.12.3:${PORT:-8888}' \
		'./bin/article/webserver3a ${PORT:-8888}' './bin/check-server -- ./bin/article/webserver3g {port}' \
		'curl http://localhost:${PORT:-8888}/hello' 'curl http://localhost:N/' \
		'(for i in 1 2 3; do curl -sN --max-time 3 http://localhost:${PORT:-8888}/hello & done; wait)' \
		'exec 5<>/dev/tcp/127.0.0.1/${PORT:-8888}' 'ss -ltn "sport = :${PORT:-8888}"' \
		'./bin/show-fds --pid $SRV' 'kill -9 $SRV'; do
		run port_problem "$cmd"
		assert_equal "$output" "" "$cmd"
	done
	for cmd in './bin/srv-iter' './bin/srv-prefork --wait poll --children 8' \
		'make && ./bin/srv-iter --port 8888' 'curl http://localhost:8888/' \
		'./bin/cli-connect localhost:8899' './bin/cli-connect --clients 40 localhost' \
		'./bin/article/webserver3a' './bin/article/webserver3b 8899' \
		'curl http://localhost/hello' 'for i in 1 2; do curl -s 127.0.0.1/; done' \
		'exec 5<>/dev/tcp/localhost/8899'; do
		run port_problem "$cmd"
		[[ -n "$output" ]] || fail "not caught: $cmd"
	done
	# In prose, a path alone is the file's name; with options, a command.
	run port_problem './bin/srv-fork' prose
	assert_equal "$output" ""
	run port_problem './bin/srv-fork --reap none' prose
	assert_output_contains "a server without --port"
}

# block_commands FILE: the lines of FILE's sh blocks, "LINE:command".
block_commands() {
	awk '
		/^```/ { if (inside) { inside = 0; next } inside = 1; lang = substr($0, 4); next }
		inside && lang == "sh" { print NR ":" $0 }
	' "$1"
}

@test "every command of a command block in README.md and docs/ follows PORT: a server's --port, a client's \${PORT:-8888}, never a bare 8888" {
	local rel line why problems=""
	while IFS= read -r rel; do
		while IFS= read -r line; do
			why="$(port_problem "${line#*:}")"
			[[ -z "$why" ]] || problems+="$rel:${line%%:*}: $why: ${line#*:}"$'\n'
		done < <(block_commands "$SOCKLAB_ROOT/$rel")
	done < <(doc_pages)
	assert_equal "$problems" ""
}

# prose_commands FILE: the commands a page gives in its prose (code spans,
# even across lines, outside the fenced blocks and the tables) that start
# with ./bin/, curl, python3, exec or a loop, or that hold a curl or a
# /dev/tcp, one a line, their spaces collapsed.
prose_commands() {
	# shellcheck disable=SC2016 # Markdown's backquotes, not commands
	awk '/^ *```/ { inside = !inside; next } !inside && !/^ *\|/' "$1" | tr '\n' ' ' |
		grep -oE '`[^`]*`' | tr -s ' ' | sed 's/^`//; s/`$//' |
		grep -E '^(\./bin/|curl |python3 |exec |\(?for )|[^a-z]curl |/dev/tcp/' || true
}

@test "every command the prose of the course gives follows PORT: a server's --port, a client's \${PORT:-8888}, never a bare 8888" {
	local rel cmd why problems=""
	while IFS= read -r rel; do
		[[ "$rel" == README.md || "$rel" == docs/* ]] || continue
		[[ "$rel" == docs/performance.md ]] && continue # not part of the course
		while IFS= read -r cmd; do
			why="$(port_problem "$cmd" prose)"
			[[ -z "$why" ]] || problems+="$rel: $why: $cmd"$'\n'
		done < <(prose_commands "$SOCKLAB_ROOT/$rel")
	done < <(doc_pages)
	assert_equal "$problems" ""
}

# exercise_spans FILE: the code spans of a lesson's exercises ("Try this
# next", 接下来试试, up to the answers), one a line, spaces collapsed.
exercise_spans() {
	# shellcheck disable=SC2016 # Markdown's backquotes, not commands
	awk '
		/^## / { inside = ($0 == "## Try this next" || $0 == "## 接下来试试"); next }
		/^<details>/ { inside = 0 }
		inside && /^ *```/ { fence = !fence; next }
		inside && !fence
	' "$1" | tr '\n' ' ' | grep -oE '`[^`]*`' | tr -s ' ' | sed 's/^`//; s/`$//' || true
}

@test "the exercises give each command in full, as the lessons do: ./bin/TOOL with its options, never TOOL alone with options" {
	local f rel span problems="" n=0
	for f in "$SOCKLAB_ROOT"/docs/[0-9][0-9]-*.md "$SOCKLAB_ROOT"/docs/zh/[0-9][0-9]-*.md; do
		rel="${f#"$SOCKLAB_ROOT"/}"
		while IFS= read -r span; do
			n=$((n + 1))
			[[ "$span" =~ ^(srv-[a-z]+|cli-connect|show-[a-z-]+|check-server)\ +- ]] &&
				problems+="$rel: an exercise's command without ./bin/ (and its --port): $span"$'\n'
		done < <(exercise_spans "$f")
	done
	((n > 50)) || problems+="only $n code spans in the exercises: the scan found too few"$'\n'
	assert_equal "$problems" ""
}

# ------------------------------------------------------------ links

lessons_link_around() {
	local f base n prev next problems="" dir
	for dir in docs docs/zh; do
		for f in "$SOCKLAB_ROOT/$dir"/[0-9][0-9]-*.md; do
			base="${f##*/}"
			n=$((10#${base%%-*}))
			# The lessons numbered one less and one more, if any.
			prev="$(compgen -G "$SOCKLAB_ROOT/$dir/$(printf '%02d' $((n - 1)))-*.md" | head -n 1 || true)"
			next="$(compgen -G "$SOCKLAB_ROOT/$dir/$(printf '%02d' $((n + 1)))-*.md" | head -n 1 || true)"
			prev="${prev##*/}" next="${next##*/}"
			if [[ "$dir" == docs ]]; then
				grep -qF "](zh/$base)" "$f" || problems+="$dir/$base does not link its Chinese twin zh/$base"$'\n'
			else
				grep -qF "](../$base)" "$f" || problems+="$dir/$base does not link its English twin ../$base"$'\n'
			fi
			grep -qF "](README.md)" "$f" || problems+="$dir/$base does not link the course, README.md"$'\n'
			[[ -z "$prev" ]] || grep -qF "]($prev)" "$f" || problems+="$dir/$base does not link the lesson before it, $prev"$'\n'
			[[ -z "$next" ]] || grep -qF "]($next)" "$f" || problems+="$dir/$base does not link the lesson after it, $next"$'\n'
		done
	done
	assert_equal "$problems" ""
}

@test "every lesson links its twin, the course, the lesson before it and the one after it" {
	untraced lessons_link_around
}

# The anchors a page offers: the slugs of its headings (GitHub's: lower
# case, punctuation dropped, spaces to -) and its <a id="..."></a>.
anchors_of() {
	sed -n 's/.*<a id="\([^"]*\)">.*/\1/p' "$1"
	sed -n 's/^#\{1,6\} //p' "$1" | tr '[:upper:]' '[:lower:]' |
		sed 's/[][!"#$%&'"'"'()*+,./:;<=>?@\\^`{|}~]//g; s/ /-/g'
}

anchors_exist() {
	local rel f target page anchor problems=""
	local -A anchors=()
	while IFS= read -r rel; do
		f="$SOCKLAB_ROOT/$rel"
		while IFS= read -r target; do
			[[ "$target" == *"#"* && ! "$target" =~ ^[a-z]+: ]] || continue
			page="${target%%#*}"
			anchor="${target#*#}"
			if [[ -z "$page" ]]; then page="$f"; else page="${f%/*}/$page"; fi
			[[ -f "$page" ]] || continue # the test above reports it
			# Each page's anchors read once, one a line, framed by newlines.
			[[ -n "${anchors[$page]+set}" ]] || anchors["$page"]=$'\n'"$(anchors_of "$page")"$'\n'
			[[ "${anchors[$page]}" == *$'\n'"$anchor"$'\n'* ]] ||
				problems+="$rel: no anchor '#$anchor' in ${target%%#*}"$'\n'
		done < <(grep -oE '\]\([^) ]+\)' "$f" | sed 's/^](//; s/)$//')
	done < <(doc_pages)
	assert_equal "$problems" ""
}

@test "every #anchor of a link in README.md and docs/ exists in the page it points to" {
	untraced anchors_exist
}

@test "no file of the repository points to a file outside it" {
	cd "$SOCKLAB_ROOT"
	command -v git >/dev/null && git rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
		skip "not a git checkout: cannot list the repository's files"
	# The patterns are split so that this file does not match itself.
	local pats=("CONCEPTS"".md" "concept"" map" "\\.\\./shared""/" "概念""表")
	local p hits=""
	for p in "${pats[@]}"; do
		hits+="$(git ls-files -z | xargs -0 grep -nIE -- "$p" 2>/dev/null || true)"
	done
	assert_equal "$hits" ""
}

repo_links_exist() {
	cd "$SOCKLAB_ROOT" || return 1
	if ! command -v git >/dev/null || ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		skip "not a git checkout: cannot list the repository's files"
	fi
	local f target dir problems=""
	# shellcheck disable=SC2016 # backquotes of Markdown, not a command
	local strip_code='s/``.*``//g; s/`[^`]*`//g'
	while IFS= read -r f; do
		while IFS= read -r target; do
			target="${target%%#*}"
			[[ -z "$target" || "$target" =~ ^[a-z]+: ]] && continue
			[[ "$f" == */* ]] && dir="${f%/*}" || dir=.
			[[ -e "$dir/$target" ]] || problems+="$f: broken link: $target"$'\n'
		done < <(sed "$strip_code" "$f" | grep -oE '\]\([^) ]+\)' | sed 's/^](//; s/)$//')
	done < <(git ls-files '*.md')
	assert_equal "$problems" ""
}

@test "every relative link in the repository's Markdown points to a file of the repository" {
	untraced repo_links_exist
}

# ------------------------------------------------------------ Chinese prose

# zh_prose FILE: the prose of a Chinese page, "LINE:text", without what may
# keep half-width punctuation: fenced blocks, HTML comments (the markers) and
# tags, code spans (even across lines), link targets, URLs, and a name
# followed by parentheses (a call, fork(); a man page, socket(2)).
zh_prose() {
	awk '
		/^```/ { inside = !inside; next }
		inside { next }
		/^<!--.*-->$/ { next }
		{
			line = ""
			for (i = 1; i <= length($0); i++) {
				c = substr($0, i, 1)
				if (c == "`") { code = !code; continue }
				if (!code) line = line c
			}
			gsub(/\]\([^)]*\)/, "]", line)
			gsub(/<[^>]*>/, "", line)
			gsub(/https?:[^ ）)]*/, "", line)
			gsub(/[A-Za-z_][A-Za-z0-9_]*\([A-Za-z0-9_, |&-]*\)/, "", line)
			print NR ":" line
		}
	' "$1"
}

zh_punctuation() {
	local f rel problems=""
	for f in "$SOCKLAB_ROOT"/docs/zh/*.md; do
		rel="${f#"$SOCKLAB_ROOT"/}"
		# Half-width , : ; ? ! ( ) in prose, but between two digits (20,000; 5:00).
		problems+="$(zh_prose "$f" | awk -v file="$rel" '
			{
				n = index($0, ":"); nr = substr($0, 1, n - 1); line = substr($0, n + 1)
				for (i = 1; i <= length(line); i++) {
					c = substr(line, i, 1)
					if (index(",:;?!()", c) == 0) continue
					if (substr(line, i - 1, 1) ~ /[0-9]/ && substr(line, i + 1, 1) ~ /[0-9]/) continue
					printf "%s:%s: half-width %s in prose: %s\n", file, nr, c, line
					break
				}
			}')"
	done
	assert_equal "$problems" ""
}

@test "the Chinese pages use Chinese punctuation in their prose (，：（）；？！), half-width only in code" {
	untraced zh_punctuation
}

# zh_read FILE: sets PROSE to the prose of a Chinese page (zh_prose), read
# once: the checks below match it in bash, and run grep only to quote a hit.
zh_read() {
	PROSE="$(zh_prose "$1")"
}

# zh_count WORD: how many times WORD is in PROSE.
zh_count() {
	local rest="${PROSE//"$1"/}"
	echo $(((${#PROSE} - ${#rest}) / ${#1}))
}

# zh_first PATTERN [GREP_OPTIONS...]: the first line of PROSE that matches.
zh_first() {
	local pattern="$1"
	shift
	grep -m1 "$@" -- "$pattern" <<<"$PROSE" || true
}

zh_terms() {
	local f rel problems="" first n PROSE
	for f in "$SOCKLAB_ROOT"/docs/zh/*.md; do
		rel="${f#"$SOCKLAB_ROOT"/}"
		zh_read "$f"
		# iterative server is 迭代服务器: 轮询 is poll's word (lesson 6).
		n="$(zh_count 轮询服务器)"
		((n <= 1)) || problems+="$rel: 轮询服务器 $n times: once at most, as a gloss of 迭代服务器"$'\n'
		if ((n > 0)); then
			first="$(zh_first 轮询服务器 -F)"
			[[ "$first" == *迭代服务器* ]] ||
				problems+="$rel: 轮询服务器 used as the term, not as a gloss beside 迭代服务器: ${first}"$'\n'
		fi
		if [[ "$PROSE" == *通用端口* ]]; then
			first="$(zh_first 通用端口 -F)"
			[[ "$first" == *"通用端口（知名端口"* ]] ||
				problems+="$rel: the first 通用端口 is not followed by （知名端口/熟知端口…）: ${first}"$'\n'
		fi
	done
	assert_equal "$problems" ""
}

@test "the Chinese pages gloss the translation's 通用端口 at its first use, and 轮询服务器 only as a gloss of 迭代服务器, once a page at most" {
	untraced zh_terms
}

# The one Chinese term for each thing, and the words it replaced.
ZH_TERMS=(
	'监听队列|全连接队列 (the queue accept() takes from; UNP: 已完成连接队列)'
	'接受队列|全连接队列 (the queue accept() takes from; UNP: 已完成连接队列)'
	'回复|响应 (the reply)'
	'叙述|讲述 (the tools\x27 narration)'
	'通讯|通信 (通信端点)'
	'应答|响应 (the reply; the kernel 完成 a handshake)'
)

@test "the Chinese pages hold one term for each thing: 全连接队列, 文件描述符, 响应, 讲述, 通信" {
	untraced zh_one_term
}

@test "the Chinese pages read as written in Chinese: no line says 它的 twice, lessons 1-5 say it 3 times a page at most" {
	untraced zh_style
}

@test "the Chinese terms tests fail on each retired word, a second gloss, and a 它的 chain" {
	selftest_only
	local root="$BATS_TEST_TMPDIR/root" t page line
	# One line of prose each, added to a page (lesson NN) of a copy of the pages.
	local -a bad=(
		'01|一个轮询服务器。'
		'01|迭代服务器，译文作轮询服务器；又一个轮询服务器。'
		'01|这就是监听队列。'
		'01|这就是接受队列。'
		'01|服务器的回复。'
		'01|工具的叙述。'
		'01|一个通讯端点。'
		'01|一个描述符。'
		'01|内核应答握手。'
		'02|UNP 又称为已完成连接队列。'
		'02|UNP 又称为未完成连接队列。'
		'01|已完成连接队列就是全连接队列。'
		'01|它的栈和它的记录。'
		'03|它的栈。\n它的记录。\n它的任务。'
	)
	# The three pages the lines go to (the checks read every page of docs/zh).
	mkdir -p "$root/docs/zh"
	cp "$SOCKLAB_ROOT"/docs/zh/0[123]-*.md "$root/docs/zh/"
	SOCKLAB_ROOT="$root" run untraced zh_checks
	assert_success # the pages as they are pass
	assert_equal "$output" ""
	for t in "${bad[@]}"; do
		page="$(echo "$root"/docs/zh/"${t%%|*}"-*.md)"
		line="${t#*|}"
		cp "$SOCKLAB_ROOT/docs/zh/${page##*/}" "$page.orig"
		printf '\n%b\n' "$line" >>"$page"
		SOCKLAB_ROOT="$root" run untraced zh_checks
		[[ "$status" -ne 0 ]] || fail "the tests let pass, in ${page##*/}: $line"
		assert_output_contains "docs/zh/${page##*/}"
		mv "$page.orig" "$page"
	done
}

# zh_checks: the terms and style checks above, in one run (for the test of the tests).
zh_checks() {
	local rc=0
	(zh_terms) || rc=1
	(zh_one_term) || rc=1
	(zh_style) || rc=1
	return "$rc"
}

zh_style() {
	local f rel problems="" n PROSE twice='它的[^'$'\n'']*它的'
	for f in "$SOCKLAB_ROOT"/docs/zh/*.md; do
		rel="${f#"$SOCKLAB_ROOT"/}"
		zh_read "$f"
		n="$(zh_count 它的)"
		if ((n > 1)) && [[ "$PROSE" =~ $twice ]]; then
			problems+="$rel: 它的 twice in a line (say whose, or drop it): $(zh_first '它的.*它的' -E)"$'\n'
		fi
		case "$rel" in
		docs/zh/0[1-5]-*)
			((n <= 3)) || problems+="$rel: 它的 $n times (3 at most in lessons 1-5)"$'\n'
			;;
		esac
	done
	assert_equal "$problems" ""
}

zh_one_term() {
	local f rel problems="" t word rest PROSE
	for f in "$SOCKLAB_ROOT"/docs/zh/*.md; do
		rel="${f#"$SOCKLAB_ROOT"/}"
		zh_read "$f"
		for t in "${ZH_TERMS[@]}"; do
			word="${t%%|*}"
			[[ "$PROSE" != *"$word"* ]] ||
				problems+="$rel: $word where the pages say ${t#*|}: $(zh_first "$word" -F)"$'\n'
		done
		# 描述符 alone: the pages say 文件描述符.
		rest="${PROSE//文件描述符/}"
		[[ "$rest" != *描述符* ]] ||
			problems+="$rel: 描述符 without 文件 (the pages say 文件描述符): $(zh_first '(?<!文件)描述符' -P)"$'\n'
		# UNP's names are a gloss: once a page at most, on a line that says UNP.
		for word in 已完成连接队列 未完成连接队列; do
			[[ "$PROSE" == *"$word"* ]] || continue
			(($(grep -cF -- "$word" <<<"$PROSE") <= 1)) ||
				problems+="$rel: $word more than once: UNP's name is a gloss, the term is 全连接队列 / 半连接队列"$'\n'
			[[ "$(zh_first "$word" -F)" == *UNP* ]] ||
				problems+="$rel: $word used as the term, not as UNP's name beside 全连接队列 / 半连接队列: $(zh_first "$word" -F)"$'\n'
		done
	done
	# 全连接队列 and 半连接队列 are given UNP's terms once, where they are taught.
	grep -q '已完成连接队列' "$SOCKLAB_ROOT/docs/zh/02-busy-server-and-backlog.md" ||
		problems+="docs/zh/02-busy-server-and-backlog.md: 全连接队列 without UNP's 已完成连接队列"$'\n'
	grep -q '未完成连接队列' "$SOCKLAB_ROOT/docs/zh/02-busy-server-and-backlog.md" ||
		problems+="docs/zh/02-busy-server-and-backlog.md: 半连接队列 without UNP's 未完成连接队列"$'\n'
	assert_equal "$problems" ""
}

# ------------------------------------------------------------ listings
#
# The code the lessons show (<!-- listing: FILE --> before a c block,
# <!-- listing: diff -u A B --> before a diff block) is what
# scripts/listings.sh (make listings) makes from the files: never pasted.

@test "every listing and diff the docs show is what scripts/listings.sh makes from the files (make listings)" {
	run "$SOCKLAB_ROOT/scripts/listings.sh" --check
	assert_success
	assert_equal "$output" ""
	# Lessons 1, 2 and 5 show code, in both editions.
	local page
	for page in 01-iterative-server.md 02-busy-server-and-backlog.md 05-fork-and-zombies.md; do
		grep -q '^<!-- listing: ' "$SOCKLAB_ROOT/docs/$page" || fail "docs/$page shows no listing"
		grep -q '^<!-- listing: ' "$SOCKLAB_ROOT/docs/zh/$page" || fail "docs/zh/$page shows no listing"
	done
}

@test "scripts/listings.sh --check fails on a changed listing, a hand-edited diff and an unmarked c block" {
	selftest_only
	local root="$BATS_TEST_TMPDIR/root"
	mkdir -p "$root"
	cp -R "$SOCKLAB_ROOT/scripts" "$SOCKLAB_ROOT/docs" "$SOCKLAB_ROOT/article" "$root/"
	run "$root/scripts/listings.sh" --check
	assert_success
	# A listing changed: the lessons that show it fail, with the line.
	sed -i 's/listen(lfd, 5)/listen(lfd, 6)/' "$root/article/webserver3a.c"
	run "$root/scripts/listings.sh" --check
	assert_failure 1
	assert_output_contains "docs/01-iterative-server.md: a listing differs"
	assert_output_contains "docs/zh/01-iterative-server.md: a listing differs"
	assert_output_contains "+	check(listen(lfd, 6), \"listen\");"
	# make listings puts it right.
	run "$root/scripts/listings.sh"
	assert_success
	run "$root/scripts/listings.sh" --check
	assert_success
	# A diff pasted by hand (a line that diff(1) does not print).
	# shellcheck disable=SC2016 # Markdown fences, not commands
	printf '\n<!-- listing: diff -u article/webserver3a.c article/webserver3b.c -->\n```diff\n+	sleep(seconds);\n```\n' >>"$root/docs/02-busy-server-and-backlog.md"
	run "$root/scripts/listings.sh" --check
	assert_failure 1
	assert_output_contains "docs/02-busy-server-and-backlog.md: a listing differs"
	assert_output_contains "+-static void handle_request(int conn)"
	run "$root/scripts/listings.sh" docs/02-busy-server-and-backlog.md
	assert_success
	# A c block nobody marked.
	# shellcheck disable=SC2016 # Markdown fences, not commands
	printf '\n```c\nint main(void) { return 0; }\n```\n' >>"$root/docs/01-iterative-server.md"
	run "$root/scripts/listings.sh" --check
	assert_failure 1
	assert_output_contains 'a ```c block without a <!-- listing: ... --> marker'
}
