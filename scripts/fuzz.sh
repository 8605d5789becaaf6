#!/usr/bin/env bash
# scripts/fuzz.sh: what `make fuzz` runs once the targets are built
# (fuzz/README.md). For each target NAME: replay its seeds (fuzz/corpus/NAME)
# and every past crash (fuzz/regress/NAME), then fuzz it for SECONDS from a
# fresh working corpus. A failure prints the end of the log and where
# libFuzzer saved the input.
#
#   scripts/fuzz.sh DIR SECONDS NAME...    (DIR holds the fuzz_NAME binaries)
set -u
dir="$1" secs="$2"
shift 2
for t in "$@"; do
	seeds="fuzz/corpus/$t" regress=()
	[ -d "fuzz/regress/$t" ] && regress=("fuzz/regress/$t")
	echo "fuzz: $t: replaying $seeds ${regress[*]}"
	if ! "$dir/fuzz_$t" -runs=0 -close_fd_mask=3 "$seeds" "${regress[@]}" \
		>"$dir/$t-replay.log" 2>&1; then
		cat "$dir/$t-replay.log"
		exit 1
	fi
	rm -rf "$dir/corpus/$t" && mkdir -p "$dir/corpus/$t"
	echo "fuzz: $t: $secs s"
	if ! "$dir/fuzz_$t" -max_total_time="$secs" -close_fd_mask=3 \
		-print_final_stats=1 -artifact_prefix="$dir/$t-" \
		"$dir/corpus/$t" "$seeds" >"$dir/$t.log" 2>&1; then
		tail -n 60 "$dir/$t.log"
		echo "fuzz: $t FAILED: input saved as $(ls "$dir/$t"-crash-* "$dir/$t"-leak-* "$dir/$t"-timeout-* 2>/dev/null)"
		echo "fuzz: copy it into fuzz/regress/$t/ with the fix (fuzz/README.md)"
		exit 1
	fi
	grep -E '^stat::number_of_executed_units' "$dir/$t.log" | sed "s/^/fuzz: $t: /"
done
echo "fuzz: no crash"
