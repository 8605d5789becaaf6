# shellcheck shell=bash
# scripts/doc-lib.sh: reading the lessons' blocks, shared by the test helper
# (tests/test_helper.bash) and the classroom demos (scripts/demo-lib.sh), so
# that there is one implementation of what a block is. Not run by itself:
# source it. Only bash and awk (any POSIX awk: mawk is Debian's default).
#
# A lesson marks the line before each fenced block (HACKING.md, "Lessons whose
# commands run"):
#
#   <!-- test: NAME -->               a command block a test runs
#   <!-- not run: REASON -->          a command block no test runs
#   <!-- output: NAME -->             a text block: what block NAME prints
#   <!-- output: NAME after STEP -->  a text block: what the background block
#                                     NAME (a server) prints from the moment
#                                     STEP (a block, or Ctrl-C) begins
#   <!-- not compared: REASON -->     a text block no test compares
#
# Placeholders in an output block (docs/README.md, "Conventions", explains
# them to learners):
#
#   [PORT] [PID] [INODE]   a number the kernel chooses (digits; socket:[INODE]
#                          stands for socket:[81170], brackets included)
#   [N]                    a number that changes from run to run or machine
#                          to machine (a count, a size, a time: 83, 1.0)
#   [..]                   any text, within one line
#   ...                    alone on a line: any number of lines, none included
#
# A run of two or more spaces stretches (one or more spaces; none at the
# start of a line): columns move when a number is longer or shorter, or with
# the terminal's width. Spaces at the end of a line are ignored. 8888, the
# lesson's port, stands for the port the test's server got.

# doclib_block FILE NAME: the text of the fenced block after the line
# "<!-- test: NAME -->" of FILE; status 1 when there is none.
doclib_block() {
	awk -v want="<!-- test: $2 -->" '
		$0 == want { armed = 1; next }
		armed && !inside && /^```/ { inside = 1; next }
		inside && /^```/ { found = 1; exit }
		inside { print }
		END { if (!found) exit 1 }
	' "$1"
}

# doclib_output FILE MARK: the text block after "<!-- output: MARK -->" of
# FILE, preceded by one line: the line number of its first line in FILE.
# Status 1 when there is none.
doclib_output() {
	awk -v want="<!-- output: $2 -->" '
		$0 == want { armed = 1; next }
		armed && !inside && /^```/ { inside = 1; print NR + 1; next }
		inside && /^```/ { found = 1; exit }
		inside { print }
		END { if (!found) exit 1 }
	' "$1"
}

# doclib_compare LABEL LINE PORT EXPECTED_FILE ACTUAL_FILE: compares an
# output block (EXPECTED_FILE, whose first line is line LINE of the page
# LABEL) with what was printed (ACTUAL_FILE). PORT (may be empty) replaces
# 8888 in the block. Status 0 when they match; otherwise status 1 and, on
# stdout, a line-by-line diff: "  " lines that match, "- PAGE:LINE: " lines
# of the block that nothing matched (as the page has them: 8888 stays), "+ "
# printed lines the block lacks.
doclib_compare() {
	awk -v label="$1" -v line0="$2" -v port="$3" -v efile="$4" '
	# --- one line: tokens (L literal, S stretching spaces, P placeholder)
	function tokenize(s,    n, i, c, lit, j, min) {
		n = 0; lit = ""; i = 1
		while (i <= length(s)) {
			c = substr(s, i, 1)
			if (c == "[" && (substr(s, i, 6) == "[PORT]" || substr(s, i, 5) == "[PID]" ||
			    substr(s, i, 7) == "[INODE]" || substr(s, i, 3) == "[N]" ||
			    substr(s, i, 4) == "[..]")) {
				if (lit != "") { n++; TT[n] = "L"; TX[n] = lit; lit = "" }
				j = index(substr(s, i), "]")
				n++; TT[n] = "P"; TX[n] = substr(s, i, j)
				i += j
				continue
			}
			if (c == " " && substr(s, i + 1, 1) == " ") {
				min = (i == 1) ? 0 : 1
				while (substr(s, i, 1) == " ") i++
				if (lit != "") { n++; TT[n] = "L"; TX[n] = lit; lit = "" }
				n++; TT[n] = "S"; TX[n] = min
				continue
			}
			lit = lit c
			i++
		}
		if (lit != "") { n++; TT[n] = "L"; TX[n] = lit }
		return n
	}
	function isdigit(c) { return c != "" && index("0123456789", c) > 0 }
	# does s, from position p, match tokens k..NT?
	function m(s, k, p,    t, q, L) {
		L = length(s)
		if (k > NT) return p == L + 1
		t = TT[k]
		if (t == "L") {
			if (substr(s, p, length(TX[k])) != TX[k]) return 0
			return m(s, k + 1, p + length(TX[k]))
		}
		if (t == "S") {
			q = p
			while (substr(s, q, 1) == " ") q++
			if (q - p < TX[k]) return 0
			return m(s, k + 1, q)
		}
		if (TX[k] == "[..]") {
			for (q = L + 1; q >= p; q--)
				if (m(s, k + 1, q)) return 1
			return 0
		}
		# a number: digits; [N] also takes a fraction; [INODE] also takes
		# the brackets around it (socket:[INODE] is socket:[81170])
		q = p
		if (TX[k] == "[INODE]" && substr(s, q, 1) == "[") {
			q++
			while (isdigit(substr(s, q, 1))) q++
			if (q == p + 1 || substr(s, q, 1) != "]") return 0
			return m(s, k + 1, q + 1)
		}
		while (isdigit(substr(s, q, 1))) q++
		if (q == p) return 0
		if (TX[k] == "[N]" && substr(s, q, 1) == "." && isdigit(substr(s, q + 1, 1))) {
			q++
			while (isdigit(substr(s, q, 1))) q++
		}
		return m(s, k + 1, q)
	}
	function rtrim(s) { sub(/[ \t\r]+$/, "", s); return s }
	function flush(    k) {
		for (k = 1; k <= nm; k++) printf "- %s\n", MI[k]
		for (k = 1; k <= np; k++) printf "+ %s\n", PL[k]
		nm = 0; np = 0
	}
	function linematch(i, j) {
		if (!((i, j) in OK)) {
			NT = tokenize(E[i])
			OK[i, j] = m(A[j], 1, 1)
		}
		return OK[i, j]
	}
	BEGIN {
		ne = 0
		while ((getline l < efile) > 0) {
			l = rtrim(l)
			EO[++ne] = l
			if (port != "") gsub(/8888/, port, l)
			E[ne] = l
		}
		close(efile)
	}
	{ A[++na] = rtrim($0) }
	END {
		# C[i, j]: the fewest unmatched lines aligning E[i..] with A[j..].
		for (j = na + 1; j >= 1; j--) C[ne + 1, j] = na + 1 - j
		for (i = ne; i >= 1; i--) {
			C[i, na + 1] = C[i + 1, na + 1] + (E[i] == "..." ? 0 : 1)
			for (j = na; j >= 1; j--) {
				if (E[i] == "...") {
					b = C[i + 1, j]
					if (C[i, j + 1] < b) b = C[i, j + 1]
				} else {
					b = C[i + 1, j] + 1
					if (C[i, j + 1] + 1 < b) b = C[i, j + 1] + 1
					if (C[i + 1, j + 1] < b && linematch(i, j)) b = C[i + 1, j + 1]
				}
				C[i, j] = b
			}
		}
		if (C[1, 1] == 0) exit 0
		printf "%s:%d: the output block does not match (%d line(s) differ; - the block, + what was printed):\n", label, line0, C[1, 1]
		# The alignment, walked from the top; where lines differ, the
		# lines of the block (-) then the printed ones (+), as diff -u shows them.
		i = 1; j = 1; nm = 0; np = 0
		while (i <= ne || j <= na) {
			if (i <= ne && E[i] == "...") {
				if (C[i, j] == C[i + 1, j]) i++
				else { flush(); printf "  %s\n", A[j]; j++ }
				continue
			}
			if (i <= ne && j <= na && linematch(i, j) && C[i, j] == C[i + 1, j + 1]) {
				flush(); printf "  %s\n", A[j]; i++; j++
			} else if (j <= na && C[i, j] == C[i, j + 1] + 1) {
				PL[++np] = A[j]; j++
			} else {
				MI[++nm] = sprintf("%s:%d: %s", label, line0 + i - 1, EO[i]); i++
			}
		}
		flush()
		exit 1
	}
	' "$5"
}
