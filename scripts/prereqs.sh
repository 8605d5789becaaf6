#!/usr/bin/env bash
# scripts/prereqs.sh (make prereqs): checks that this machine has what the
# course needs (docs/README.md, "Before you start"), says what is missing
# and how to install it on Debian/Ubuntu, Fedora and macOS.
#
#   scripts/prereqs.sh          check the course's prerequisites
#   scripts/prereqs.sh --tests  also what `make test` and the demos need
#
# Exit status: 0 nothing required is missing, 1 something is, 2 usage.

set -u

usage() {
	cat <<'EOF'
Usage: scripts/prereqs.sh [--tests]
Checks the commands the course uses (make prereqs): a C compiler and make,
curl, python3, ss, ps and pgrep, pstree, bash with /dev/tcp, and, for root,
setpriv. Prints one line per command and, for what is missing, how to
install it. Then what make bench uses if it is there (ab: optional, not
counted as missing). With --tests, also what make test and the demos need
(bats, script, tmux, lsof).

Exit status: 0 nothing required is missing, 1 something is, 2 usage.
EOF
}

tests=''
case "${1-}" in
'') ;;
--tests) tests=1 ;;
-h | --help) usage; exit 0 ;;
*)
	printf "prereqs: unknown option '%s'\n" "$1" >&2
	printf "Try 'scripts/prereqs.sh --help' for more information.\n" >&2
	exit 2
	;;
esac

os="$(uname -s 2>/dev/null)"
missing=0
missing_pkgs=''

# report STATUS WHAT WHERE_OR_HOW
report() { printf '  %-8s %-50s %s\n' "$1" "$2" "$3"; }

# how DEBIAN FEDORA MACOS: the install line for this kind of machine (all
# three when we cannot tell which one this is).
how() {
	local deb="$1" fed="$2" mac="$3"
	if [[ "$os" == Darwin ]]; then
		printf 'macOS: %s' "$mac"
	elif command -v apt-get >/dev/null 2>&1; then
		printf 'Debian/Ubuntu: sudo apt-get install %s' "$deb"
	elif command -v dnf >/dev/null 2>&1; then
		printf 'Fedora: sudo dnf install %s' "$fed"
	else
		printf 'Debian/Ubuntu: apt-get install %s; Fedora: dnf install %s; macOS: %s' "$deb" "$fed" "$mac"
	fi
}

# need COMMAND WHAT DEBIAN FEDORA MACOS: a required command.
need() {
	local cmd="$1" what="$2"
	if command -v "$cmd" >/dev/null 2>&1; then
		report ok "$cmd ($what)" "$(command -v "$cmd")"
	else
		report MISSING "$cmd ($what)" "$(how "$3" "$4" "$5")"
		missing=$((missing + 1))
		missing_pkgs+=" $3"
	fi
}

echo "The course (docs/README.md):"
if command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || command -v clang >/dev/null 2>&1; then
	report ok "cc (a C compiler)" "$(command -v cc || command -v gcc || command -v clang)"
else
	report MISSING "cc (a C compiler)" "$(how gcc gcc 'xcode-select --install')"
	missing=$((missing + 1))
	missing_pkgs+=" gcc"
fi
need make "builds the tools" make make 'xcode-select --install'
need curl "the article's client" curl curl 'built in'
need python3 "the article's Python client" python3 python3 'brew install python'
if [[ "$os" == Darwin ]]; then
	report note "ss (the listen queue)" "not on macOS: the lessons use netstat -Lan there"
else
	need ss "the listen queue, lessons 2 and 4" iproute2 iproute 'none: netstat -Lan'
fi
need ps "processes and zombies, lessons 3 and 5" procps procps-ng 'built in'
need pgrep "counts zombies in scripts/zombie-spread.sh" procps procps-ng 'built in'
need pstree "a process's parents, lesson 3" psmisc psmisc 'brew install pstree'

# bash's /dev/tcp (lesson 3): a build option of bash; a refused connection
# proves that bash knows it ("No such file" would mean it does not).
if command -v bash >/dev/null 2>&1; then
	tcp="$(bash -c 'exec 3<>/dev/tcp/127.0.0.1/1' 2>&1)"
	if [[ "$tcp" == *"No such file"* ]]; then
		report MISSING "bash /dev/tcp (lesson 3)" "this bash was built without network redirections: $(how bash bash 'brew install bash')"
		missing=$((missing + 1))
		missing_pkgs+=" bash"
	else
		report ok "bash /dev/tcp (lesson 3)" "$(command -v bash)"
	fi
else
	report MISSING "bash (the lessons' shell, /dev/tcp)" "$(how bash bash 'brew install bash')"
	missing=$((missing + 1))
	missing_pkgs+=" bash"
fi

# --nproc (lesson 5): RLIMIT_NPROC is not enforced for root; root runs the
# server as another user with setpriv.
if [[ "$(id -u)" -eq 0 ]]; then
	if [[ "$os" == Darwin ]]; then
		report note "setpriv (--nproc as root, lesson 5)" "not on macOS: run lesson 5's --nproc as a normal user"
	else
		need setpriv "--nproc as root, lesson 5" util-linux util-linux 'none'
	fi
else
	report ok "a user other than root (--nproc, lesson 5)" "uid $(id -u)"
fi

# want COMMAND WHAT DEBIAN FEDORA MACOS: an optional command: said, and how
# to install it, but not counted as missing.
want() {
	local cmd="$1" what="$2"
	if command -v "$cmd" >/dev/null 2>&1; then
		report ok "$cmd ($what)" "$(command -v "$cmd")"
	else
		report optional "$cmd ($what)" "$(how "$3" "$4" "$5")"
	fi
}

echo "The benchmark (make bench, docs/performance.md):"
want ab "make bench's load generator; without it, a slower Python client" apache2-utils httpd-tools 'built in'

if [[ -n "$tests" ]]; then
	echo "The tests and the demos (make test, make demo-NAME):"
	need bats "make test" bats bats 'brew install bats-core'
	need parallel "make test runs 4 tests at a time" parallel parallel 'brew install parallel'
	if [[ "$os" != Darwin ]]; then
		need script "make test runs each block in a terminal" bsdutils util-linux-script 'built in'
	fi
	need tmux "make demo-NAME" tmux tmux 'brew install tmux'
	need lsof "lesson 3 compares with it" lsof lsof 'built in'
fi

if ((missing > 0)); then
	# shellcheck disable=SC2086 # one package a word
	pkgs="$(printf '%s\n' $missing_pkgs | sort -u | tr '\n' ' ')"
	echo "prereqs: $missing missing; on Debian/Ubuntu: sudo apt-get install ${pkgs% }"
	exit 1
fi
echo "prereqs: nothing missing"
