#!/usr/bin/env bash
# scripts/listings.sh: the code the lessons show, made from the files.
#
#   scripts/listings.sh [--check] [PAGE.md...]
#
# A lesson shows a listing or a diff in a fenced block marked on the line
# before it:
#
#   <!-- listing: article/webserver3a.c -->               a ```c block: the file
#   <!-- listing: diff -u article/webserver3a.c article/webserver3b.c -->
#                                                         a ```diff block: what
#                                                         diff(1) prints
#
# Without --check, each marked block of each PAGE (default: every page of
# docs/ and docs/zh/) is rewritten with what the file or diff(1) gives now
# (make listings). With --check, nothing is written: a block that differs
# is printed as a diff (the page, then what the files give) and the status
# is 1. A diff is run with --label NAME for each file, so that its header
# names the files without their timestamps. Every ```c and ```diff block of
# a page must be marked: no code is pasted by hand. Run from anywhere: the
# paths are the repository's.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

check=0
if [[ "${1-}" == --check ]]; then
	check=1
	shift
fi
if [[ "${1-}" == -h || "${1-}" == --help ]]; then
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0
fi
pages=("$@")
((${#pages[@]} > 0)) || pages=(docs/*.md docs/zh/*.md)

# produce SPEC: what a marker's block holds. SPEC is a repository file, or
# diff [-u | -U N] FILE FILE.
produce() {
	local -a w
	read -ra w <<<"$1"
	if [[ "${w[0]}" != diff ]]; then
		((${#w[@]} == 1)) || { echo "listings: not a file: $1" >&2; return 2; }
		safe "${w[0]}" && cat -- "${w[0]}"
		return
	fi
	local n=${#w[@]} a b rc=0
	((n >= 3)) || { echo "listings: diff needs two files: $1" >&2; return 2; }
	a="${w[n - 2]}" b="${w[n - 1]}"
	safe "$a" && safe "$b" || return 2
	diff "${w[@]:1:n-3}" --label "$a" --label "$b" -- "$a" "$b" || rc=$?
	((rc <= 1)) || { echo "listings: $1: diff failed" >&2; return 2; }
}

# safe PATH: a file of the repository (relative, no ..).
safe() {
	[[ "$1" != /* && "$1" != *..* && -f "$1" ]] && return 0
	echo "listings: not a file of the repository: $1" >&2
	return 1
}

# rewrite PAGE: the page with every marked block made from the files, on
# stdout.
rewrite() {
	local line spec="" state=out fence
	while IFS= read -r line || [[ -n "$line" ]]; do
		case "$state" in
		out)
			printf '%s\n' "$line"
			if [[ "$line" =~ ^'<!-- listing: '(.+)' -->'$ ]]; then
				spec="${BASH_REMATCH[1]}"
				state=fence
			elif [[ "$line" == '```c' || "$line" == '```diff' ]]; then
				echo "listings: $1: a $line block without a <!-- listing: ... --> marker" >&2
				return 1
			fi
			;;
		fence)
			fence='```c'
			[[ "$spec" == diff\ * ]] && fence='```diff'
			[[ "$line" == "$fence" ]] || {
				echo "listings: $1: <!-- listing: $spec --> is not followed by a $fence block" >&2
				return 1
			}
			printf '%s\n' "$line"
			produce "$spec" || return 1
			state=in
			;;
		in)
			if [[ "$line" == '```' ]]; then
				printf '%s\n' "$line"
				state=out
			fi
			;;
		esac
	done <"$1"
	[[ "$state" == out ]] || { echo "listings: $1: a listing block without its end" >&2; return 1; }
}

status=0
for page in "${pages[@]}"; do
	new="$(mktemp)"
	if ! rewrite "$page" >"$new"; then
		rm -f "$new"
		status=1
		continue
	fi
	if cmp -s "$page" "$new"; then
		rm -f "$new"
	elif ((check)); then
		echo "listings: $page: a listing differs from the files (scripts/listings.sh rewrites it):"
		diff -u --label "$page" --label "what the files give" "$page" "$new" || true
		rm -f "$new"
		status=1
	else
		cat "$new" >"$page"
		rm -f "$new"
		echo "listings: $page: rewritten"
	fi
done
exit "$status"
