#!/usr/bin/env bash
# scripts/zombie-spread.sh [RUNS] (--help): how many zombies the article's
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

usage() {
	echo "Usage: scripts/zombie-spread.sh [RUNS]   (default 10)"
	echo "Runs the article's webserver3f experiment RUNS times (srv-fork --reap once"
	echo "--retry-accept, then cli-connect --clients 128 --read) and prints how many"
	echo "of the server's children are zombies after each run, then the smallest"
	echo "and the largest count. SOCKLAB_BIN: where the tools are (default ./bin)."
}

case "${1-}" in
-h | --help)
	usage
	exit 0
	;;
esac
if (($# > 1)); then
	echo "zombie-spread: one argument at most, the number of runs" >&2
	usage >&2
	exit 2
fi
runs="${1:-10}"
case "$runs" in
'' | *[!0-9]*) runs_ok='' ;;
*) runs_ok="$((10#$runs > 0 ? 1 : 0))" ;;
esac
if [[ "$runs_ok" != 1 ]]; then
	echo "zombie-spread: '$runs' is not a number of runs (1 or more)" >&2
	usage >&2
	exit 2
fi
root="$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)"
bin="${SOCKLAB_BIN:-$root/bin}"
tmp="$(mktemp -d)" || exit 1
# Whatever ends this script (the end, a failure, Ctrl-C, a reader that stops
# reading: head -n 1) stops the server of the run in progress: no server and
# no zombies are left behind.
server=''
cleanup() {
	if [[ -n "$server" ]] && kill -0 "$server" 2>/dev/null; then
		kill -INT "$server" 2>/dev/null
		wait "$server" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 141' PIPE

# children PID, zombies PID: how many children PID has, how many are zombies.
children() { pgrep -c -P "$1" || true; }
zombies() { pgrep -c -P "$1" -r Z || true; }

min='' max=''
for ((run = 1; run <= runs; run++)); do
	# The file first: the server's redirection is its own (in the
	# background), and sed may look before it is made.
	: >"$tmp/out"
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
	echo "$z" 2>/dev/null # a reader that stopped reading: the PIPE trap ends the script
	kill -INT "$server"
	wait "$server"
	server=''
	if [[ -z "$min" ]] || ((z < min)); then min="$z"; fi
	if [[ -z "$max" ]] || ((z > max)); then max="$z"; fi
done
echo "zombies after 128 clients, $runs runs: min $min, max $max"
