# shellcheck shell=bash
# Shared by the gate suites in tests/gates/ (make valgrind, make soak): the
# repository's test helper (start_server, wait_for, teardown...) plus what
# the gates need. These suites are not part of `make test`: bats runs
# tests/*.bats only, not this folder.

GATES="$BATS_TEST_DIRNAME"
: "${SOCKLAB_BIN:=$(cd "$GATES/../.." && pwd)/bin}"
export SOCKLAB_BIN
load ../test_helper
SOCKLAB_ROOT="$(cd "$GATES/../.." && pwd)"
export SOCKLAB_ROOT

# client.py MODE PORT [ARG]: the well-behaved and hostile clients.
client() { python3 "$GATES/client.py" "$@"; }

# fd_count PID / rss_kb PID: open descriptors and resident memory (kB).
fd_count() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# has_tool NAME: the tool is built (the gates cover tools as they land).
has_tool() { [[ -x "$SOCKLAB_BIN/$1" ]]; }
