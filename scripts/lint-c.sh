#!/usr/bin/env bash
# scripts/lint-c.sh: the C parts of `make lint` that loop over files.
#
#   scripts/lint-c.sh tidy CLANG_TIDY -- FILE... -- COMPILER_FLAGS...
#       clang-tidy (.clang-tidy) on each file, in parallel, one file per run:
#       clang-tidy 14 carries analyzer state from one file to the next and
#       reports false "uninitialized va_list" errors otherwise.
#   scripts/lint-c.sh format CLANG_FORMAT ENFORCE FILE...
#       clang-format (.clang-format): lists the files that are not formatted;
#       fails when ENFORCE is 1 (clang-format -i FILE fixes one).
set -u
what="$1" tool="$2"
shift 2
case "$what" in
tidy)
	shift # --
	files=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		files+=("$1")
		shift
	done
	shift # --
	echo "$tool on ${#files[@]} files"
	export TIDY="$tool"
	# shellcheck disable=SC2016 # the inner script expands its own "$1"
	printf '%s\n' "${files[@]}" | xargs -P "$(nproc 2>/dev/null || echo 2)" -I{} \
		bash -c 'out="$("$TIDY" --quiet "$1" -- "${@:2}" 2>&1)"; rc=$?
			printf "%s\n" "$out" | grep -v -e "warnings* generated\.$" -e "^$"
			exit $rc' sh {} "$@"
	;;
format)
	enforce="$1"
	shift
	n=0
	for f in "$@"; do
		if ! "$tool" --dry-run -Werror "$f" 2>/dev/null; then
			n=$((n + 1))
			echo "lint-format: $f is not formatted"
		fi
	done
	if [ "$n" -gt 0 ] && [ "$enforce" = 1 ]; then
		echo "lint-format: $n files (clang-format -i FILE fixes them)"
		exit 1
	elif [ "$n" -gt 0 ]; then
		echo "lint-format: $n files would change (not enforced: FORMAT_ENFORCE=1)"
	else
		echo "lint-format: clean"
	fi
	;;
*)
	echo "usage: $0 tidy|format ..." >&2
	exit 2
	;;
esac
