#!/usr/bin/env bash
# scripts/zombie-spread.sh [RUNS]: how many zombies the article's
# webserver3f leaves after its 128 clients, run after run (lesson 5,
# section 7; docs/article-map.md, webserver3f). Each run starts
# `srv-fork --reap once --retry-accept --backlog 128 --quiet` on a port the
# kernel chooses, sends it `cli-connect --clients 128 --read`, waits until
# none of the server's children is still running, counts those that are
# zombies, and stops the server. Prints each count, then the spread:
#
#   zombies after 128 clients, RUNS runs: min MIN, max MAX
#
# The counts depend on the machine (speed, CPUs, load): that is the point.
# SOCKLAB_BIN: the tools (default: ./bin of this repository).
set -u

runs="${1:-10}"
case "$runs" in
'' | *[!0-9]*)
	echo "zombie-spread: '$runs' is not a number of runs" >&2
	echo "Usage: scripts/zombie-spread.sh [RUNS]   (default 10)" >&2
	exit 2
	;;
esac
root="$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)"
bin="${SOCKLAB_BIN:-$root/bin}"
tmp="$(mktemp -d)" || exit 1
trap 'rm -rf "$tmp"' EXIT

# children PID, zombies PID: how many children PID has, how many are zombies.
children() { pgrep -c -P "$1" || true; }
zombies() { pgrep -c -P "$1" -r Z || true; }

min='' max=''
for ((run = 1; run <= runs; run++)); do
	"$bin/srv-fork" --reap once --retry-accept --backlog 128 --quiet --port 0 >"$tmp/out" 2>&1 &
	server=$!
	port=''
	for ((t = 0; t < 500 && ${#port} == 0; t++)); do
		port="$(sed -n 's/^Serving HTTP on port \([0-9]*\) .*/\1/p' "$tmp/out")"
		[[ -n "$port" ]] || sleep 0.02
	done
	[[ -n "$port" ]] || { echo "zombie-spread: the server did not start:" >&2; cat "$tmp/out" >&2; exit 1; }
	"$bin/cli-connect" --clients 128 --read "localhost:$port" >"$tmp/cli" 2>&1 ||
		{ echo "zombie-spread: the clients failed:" >&2; cat "$tmp/cli" >&2; }
	for ((t = 0; t < 500; t++)); do
		[[ "$(children "$server")" -eq "$(zombies "$server")" ]] && break
		sleep 0.02
	done
	z="$(zombies "$server")"
	echo "$z"
	kill -INT "$server"
	wait "$server"
	if [[ -z "$min" ]] || ((z < min)); then min="$z"; fi
	if [[ -z "$max" ]] || ((z > max)); then max="$z"; fi
done
echo "zombies after 128 clients, $runs runs: min $min, max $max"
