#!/usr/bin/env bats
# article/: the article's programs in C, webserver3a to 3g and client3, and
# their Python twins (tests/servers/). Each listing is one screen; each
# differs from the one before it by the article's step; each does what the
# article's script does, mistakes included: 3b makes the next client wait,
# 3c leaves zombies, 3d keeps descriptors, 3e dies of EINTR, 3f leaves
# zombies when SIGCHLDs coalesce, 3g leaves none. Order of events and
# counts, never timings: a stopped server (SIGSTOP) makes the coalescing
# certain.

load test_helper

ART="$SOCKLAB_ROOT/article"       # the listings
L="$SOCKLAB_BIN/article"          # their build under test
PY="$SOCKLAB_ROOT/tests/servers"  # the Python twins
LISTINGS=(webserver3a webserver3b webserver3c webserver3d webserver3e
	webserver3f webserver3g client3)
# A request, as the article's client3 sends it.
GET=$'GET /hello HTTP/1.0\r\nHost: localhost\r\n\r\n'

# changed A B: the lines diff(1) shows changed from webserverA.c to B.c;
# body A B: the same without the header comments (diff -I: a hunk whose
# lines all start with "/*" or " *" is left out).
changed() { diff "$ART/webserver$1.c" "$ART/webserver$2.c" | grep -c '^[<>]'; }
body() { diff -I '^\(/\| \)\*' "$ART/webserver$1.c" "$ART/webserver$2.c" || true; }

# step A B MAX REGEX...: diff A B changes at most MAX lines, and its body
# has a line matching each REGEX (a diff line: "> " added, "< " removed).
step() {
	local a="$1" b="$2" max="$3" n re text
	shift 3
	n="$(changed "$a" "$b")"
	((n > 0 && n <= max)) || fail "diff webserver$a.c webserver$b.c: $n lines changed, expected 1 to $max"
	text="$(body "$a" "$b")"
	for re in "$@"; do
		assert_line_matches "$re" "$text" || fail "diff webserver$a.c webserver$b.c: no line matches $re"
	done
}

fd_count() { ls "/proc/$1/fd" | wc -l; }
fd_count_is() { [[ "$(fd_count "$1")" -eq "$2" ]]; }
# state PID: the state letter of /proc/PID/stat (R, S, T, Z...).
state() {
	local line
	read -r line <"/proc/$1/stat" || return 1
	line="${line##*) }"
	printf '%s\n' "${line%% *}"
}
stopped() { [[ "$(state "$1")" == T ]]; }
# What background tool NAME printed: how many lines hold STR; a line that
# is LINE.
count_in() { grep -c -- "$2" "$BATS_TEST_TMPDIR/$1.out" || true; }
out_line() { grep -qxF -- "$2" "$BATS_TEST_TMPDIR/$1.out"; }
count_is() { [[ "$(count_in "$1" "$2")" -eq "$3" ]]; }

# read_to_eof FD: what FD gives until its end (the peer's FIN), within the
# deadline; fails when the deadline passes first.
read_to_eof() {
	local text rc=0
	IFS= read -r -d '' -t "$SOCKLAB_DEADLINE" -u "$1" text || rc=$?
	((rc == 1)) || { fail "no end of file on fd $1 within ${SOCKLAB_DEADLINE}s (read: $rc)"; return 1; }
	printf '%s' "$text"
}

# coalesce N: the server started by start_server (its port PORT) gets N
# clients that send nothing yet, so that N children wait in their recv();
# once the parent holds none of their descriptors, it is stopped (SIGSTOP);
# the N requests are sent and the N replies read to their end, so the N
# children exit while the parent cannot run: their N SIGCHLDs are one
# pending signal; SIGCONT delivers it, once. ZOMBIES: the parent's zombies
# once it has accepted again (its handler has returned).
coalesce() {
	local n="$1" i fd base fds=() reply
	base="$(fd_count "$SERVER_PID")"
	for ((i = 0; i < n; i++)); do
		exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
		fds+=("$fd")
	done
	wait_for running_are "$SERVER_PID" "$n"
	wait_for fd_count_is "$SERVER_PID" "$base"
	kill -STOP "$SERVER_PID"
	wait_for stopped "$SERVER_PID"
	for fd in "${fds[@]}"; do
		printf '%s' "$GET" >&"$fd"
	done
	for fd in "${fds[@]}"; do
		reply="$(read_to_eof "$fd")" || return 1
		assert_output_contains "Hello, World!" "$reply"
		exec {fd}>&-
	done
	wait_for zombies_are "$SERVER_PID" "$n"
	stopped "$SERVER_PID" || fail "the server ran before SIGCONT"
	kill -CONT "$SERVER_PID"
	# One client more, silent: once its child runs, the parent has accepted
	# again, so its handler has run and returned.
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
	wait_for running_are "$SERVER_PID" 1
	ZOMBIES="$(zombies_of "$SERVER_PID")"
	printf '%s' "$GET" >&"$fd"
	reply="$(read_to_eof "$fd")" || return 1
	assert_output_contains "Hello, World!" "$reply"
	exec {fd}>&-
	alive "$SERVER_PID" || fail "the server died"
}

@test "each listing is one screen: at most 80 lines, a header, C11 and POSIX, no lib/" {
	local name f n
	for name in "${LISTINGS[@]}"; do
		f="$ART/$name.c"
		[[ -f "$f" ]] || fail "no $f"
		n="$(wc -l <"$f")"
		((n <= 80)) || fail "$name.c: $n lines"
		[[ "$(head -n 1 "$f")" == "/* $name.c: the article's $name.py in C"* ]] ||
			fail "$name.c: the header does not say which script it is"
		grep -q '^#define _POSIX_C_SOURCE 200809L$' "$f" || fail "$name.c: no _POSIX_C_SOURCE"
		! grep -q '^#include "' "$f" || fail "$name.c: includes a header of its own (lib/?)"
		[[ -x "$L/$name" ]] || fail "$L/$name not built"
	done
}

@test "consecutive listings differ only by the article's step (diff(1), as the lessons show it)" {
	step 3a 3b 24 '^> .*sleep\(seconds\);' '^> .*argv\[2\]'
	step 3a 3c 36 '^> .*fork\(\)' '^> .*getppid\(\)' '^> .*close\(lfd\);'
	# lesson 5 shows the step from 3b, the server of lesson 2
	step 3b 3c 24 '^> .*fork\(\)' '^> .*getppid\(\)' '^> .*close\(lfd\);'
	step 3c 3d 36 '^< .*close\(conn\); /\* the parent' '^> .*\+\+clients'
	step 3d 3e 36 '^> .*sigaction\(SIGCHLD, &sa, NULL\)' '^> .*wait\(&status\)' \
		'^> .*close\(conn\); /\* the parent'
	step 3e 3f 20 '^> .*errno == EINTR' '^> .*continue;' '^< .*dprintf'
	step 3f 3g 12 '^> .*while \(waitpid\(-1, &status, WNOHANG\) > 0\)' '^< .*wait\(&status\);'
	# 3f to 3g is the reaping loop and nothing else.
	run body 3f 3g
	assert_equal "$(grep -c '^[<>]' <<<"$output")" 3
	# 3e: no SA_RESTART; the handler's C-only duties are said where they are.
	grep -q 'struct sigaction sa = { .sa_handler = grim_reaper }; /\* no SA_RESTART \*/' "$ART/webserver3e.c"
	grep -q 'int saved = errno, status; /\* C: ' "$ART/webserver3e.c"
	grep -q 'not async-signal-safe' "$ART/webserver3e.c"
}

@test "webserver3a answers Hello, World! and prints the request; a bad or busy port is an error" {
	start_server srv "$L/webserver3a" 0
	run http_get "$PORT"
	assert_success
	assert_equal "$output" "Hello, World!"
	wait_for bg_out_has srv "GET /hello HTTP/1.1"
	run --separate-stderr "$L/webserver3a" "$PORT"
	assert_failure 1
	assert_equal "$stderr" "bind: Address already in use"
	local bad
	for bad in 65536 -1 8888x ''; do
		run --separate-stderr "$L/webserver3a" "$bad"
		assert_failure 2
		assert_stderr_contains "usage: "
	done
	run --separate-stderr "$L/webserver3b" 0 soon
	assert_failure 2
	assert_stderr_contains "[PORT [SECONDS]]"
}

@test "webserver3b: a second client is answered only once the first connection has ended" {
	local a b line lines=() ended=''
	start_server srv "$L/webserver3b" 0 1
	exec {a}<>"/dev/tcp/127.0.0.1/$PORT"
	printf '%s' "$GET" >&"$a"
	while ((${#lines[@]} < 3)) && IFS= read -r -t "$SOCKLAB_DEADLINE" -u "$a" line; do
		lines+=("$line")
	done
	assert_equal "${lines[*]}" "HTTP/1.1 200 OK  Hello, World!"
	exec {b}<>"/dev/tcp/127.0.0.1/$PORT"
	printf '%s' "$GET" >&"$b"
	# Wait for B's first byte; A has nothing left to read but its end.
	wait_for read -t 0 -u "$b"
	read -t 0 -u "$a" && ended=1
	[[ -n "$ended" ]] || fail "B was answered while A's connection was still open"
	run read_to_eof "$a"
	assert_success
	assert_equal "$output" ""
	assert_equal "$(count_in srv 'GET /hello')" 2
	exec {a}>&- {b}>&-
}

@test "webserver3c: the child says its parent is the server; it ends a zombie, waited for by nobody" {
	start_server srv "$L/webserver3c" 0 1
	wait_for bg_out_has srv "Parent PID (PPID): $SERVER_PID"
	run http_get "$PORT"
	assert_success
	assert_equal "$output" "Hello, World!"
	wait_for bg_out_has srv "Child PID: "
	local line child
	line="$(grep '^Child PID: ' "$BATS_TEST_TMPDIR/srv.out")"
	[[ "$line" =~ ^Child\ PID:\ ([0-9]+)\.\ Parent\ PID\ ([0-9]+)$ ]] || fail "not the article's line: $line"
	child="${BASH_REMATCH[1]}"
	assert_equal "${BASH_REMATCH[2]}" "$SERVER_PID"
	wait_for zombies_are "$SERVER_PID" 1
	assert_equal "$(kid_states "$SERVER_PID")" "$child Z"
}

@test "webserver3d keeps a descriptor per client; under a small ulimit -n, client3 makes accept() fail with EMFILE" {
	local base
	start_server srv "$L/webserver3d" 0
	base="$(fd_count "$SERVER_PID")"
	run "$L/client3" --max-clients 3 "$PORT"
	assert_success
	wait_for fd_count_is "$SERVER_PID" $((base + 3))
	wait_for out_line srv 3
	run "$L/client3" --max-clients 2 "$PORT"
	assert_success
	wait_for fd_count_is "$SERVER_PID" $((base + 5))
	# 16 descriptors: 0, 1, 2, the listener and 12 clients. (Under make
	# check, LeakSanitizer would need descriptors at the exit: none is left.)
	# shellcheck disable=SC2016 # $0: expanded by the inner bash
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		start_server small bash -c 'ulimit -n 16 && exec "$0" 0' "$L/webserver3d"
	# In the background, in its own group (teardown kills it and its client).
	setsid "$L/client3" --max-conns 20 "$PORT" >/dev/null 2>&1 &
	SOCKLAB_PIDS+=("$!")
	wait_for exited "$SERVER_PID"
	local st=0
	wait "$SERVER_PID" || st=$?
	assert_equal "$st" 1
	assert_equal "$(bg_err small)" "accept: Too many open files"
	assert_equal "$(tail -n 1 "$BATS_TEST_TMPDIR/small.out")" 12
}

@test "webserver3e dies of EINTR when its child exits while it waits in accept(); webserver3e.py survives (PEP 475)" {
	start_server srv "$L/webserver3e" 0
	run http_get "$PORT"
	assert_success
	assert_equal "$output" "Hello, World!"
	wait_for exited "$SERVER_PID"
	local st=0
	wait "$SERVER_PID" || st=$?
	assert_equal "$st" 1
	assert_equal "$(bg_err srv)" "accept: Interrupted system call"
	assert_line_matches '^Child [0-9]+ terminated with status 0$' "$(bg_out srv)"
	# Python 3 retries the accept() its handler interrupted.
	start_server py python3 "$PY/webserver3e.py" 0
	run http_get "$PORT"
	assert_success
	wait_for bg_out_has py "terminated with status 0"
	alive "$SERVER_PID"
	local fd line
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
	printf '%s' "$GET" >&"$fd"
	IFS= read -r -t "$SOCKLAB_DEADLINE" -u "$fd" line
	assert_equal "$line" "HTTP/1.1 200 OK"
	exec {fd}>&-
}

@test "webserver3f: four children exit while the parent is stopped; one SIGCHLD, one wait, three zombies (and webserver3f.py)" {
	start_server srv "$L/webserver3f" 0
	coalesce 4
	assert_equal "$ZOMBIES" 3
	start_server py python3 "$PY/webserver3f.py" 0
	coalesce 4
	assert_equal "$ZOMBIES" 3
}

@test "webserver3g: the same four children leave no zombie: the waitpid loop (and webserver3g.py)" {
	start_server srv "$L/webserver3g" 0
	coalesce 4
	assert_equal "$ZOMBIES" 0
	start_server py python3 "$PY/webserver3g.py" 0
	coalesce 4
	assert_equal "$ZOMBIES" 0
}

@test "client3 makes N x M connections and waits for its clients; client3.py makes N (the article's quirk)" {
	start_server srv "$L/webserver3g" 0
	run --separate-stderr "$L/client3" --max-clients 3 --max-conns 4 "$PORT"
	assert_success
	assert_equal "$(sort -n <<<"$output" | uniq -c | awk '{ print $1 "x" $2 }' | tr '\n' ' ')" "3x0 3x1 3x2 3x3 "
	wait_for count_is srv "GET /hello" 12
	run python3 "$PY/client3.py" --max-clients 3 --max-conns 4 "$PORT"
	assert_success
	wait_for count_is srv "GET /hello" 15
	# Its exit status is its clients': it waited for each.
	run --separate-stderr "$L/client3" --max-clients 2 1
	assert_failure 1
	assert_equal "$stderr" $'connect: Connection refused\nconnect: Connection refused'
	run --separate-stderr "$L/client3" --max-clients
	assert_failure 2
	assert_stderr_contains "usage: client3 [--max-clients N] [--max-conns M] [PORT]"
}

# docs/article-map.md (and docs/zh/article-map.md): the note on article/.
@test "the article map's block runs a listing (both editions)" {
	local page
	for page in $(doc_editions article-map.md); do
		doc_start "$page" article-listing
		run http_get "$PORT"
		assert_success
		assert_equal "$output" "Hello, World!"
		wait_for doc_out_has article-listing "GET /hello HTTP/1.1"
		doc_ctrl_c article-listing
	done
}
