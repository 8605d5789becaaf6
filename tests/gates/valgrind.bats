#!/usr/bin/env bats
# make valgrind: the servers and clients under valgrind memcheck, with
# --track-fds=yes and --leak-check=full. Each run fails on a memcheck error,
# a definite leak, or a descriptor other than 0, 1 and 2 still open at exit
# (tests/gates/vg-run starts the tool with every inherited descriptor above
# 2 closed; tests/gates/vg-check reads the log, since valgrind 3.19 does not
# fail on leaked descriptors by itself).
#
# Adding a tool: a server is vg_server_start NAME CMD... / requests /
# vg_server_stop NAME; a client is vg_client NAME STATUS CMD.... Tools that
# are not built yet are skipped with has_tool.

load gate_helper
load ../client_helper

setup() {
	command -v valgrind >/dev/null || skip "valgrind is not installed"
	# valgrind is slow to start a tool: give ready lines more time.
	export SOCKLAB_DEADLINE=30
}

# vg_server_start NAME CMD...: starts a server under valgrind, waits for its
# ready line; sets PORT and SERVER_PID (valgrind's pid is the tool's).
vg_server_start() {
	local name="$1"
	shift
	start_server "$name" "$GATES/vg-run" "$BATS_TEST_TMPDIR/vg-$name.%p.log" "$@"
}

# vg_server_stop NAME [SIGNAL]: stops it (TERM), expects exit 0 and a clean
# log.
vg_server_stop() {
	stop_gracefully "$SERVER_PID" "${2:-TERM}"
	assert_equal "$STOP_STATUS" 0
	"$GATES/vg-check" "$BATS_TEST_TMPDIR/vg-$1".*.log
}

# vg_client NAME STATUS CMD...: runs a client under valgrind, expects exit
# STATUS and a clean log.
vg_client() {
	local name="$1" want="$2"
	shift 2
	run "$GATES/vg-run" "$BATS_TEST_TMPDIR/vg-$name.%p.log" "$@"
	assert_failure_or_success "$want"
	"$GATES/vg-check" "$BATS_TEST_TMPDIR/vg-$name".*.log
}

assert_failure_or_success() {
	[[ "$status" -eq "$1" ]] || { show_run; fail "expected status $1, got $status"; }
}

@test "srv-iter under valgrind: requests and hostile clients, then SIGTERM: no error, leak or open descriptor" {
	vg_server_start srv srv-iter --port 0 --timeout 1
	run client get "$PORT" 20
	assert_success
	run client seq "$PORT" 20
	assert_success
	run client halfclose "$PORT"
	assert_success
	run client halfclose-raw "$PORT"
	assert_success
	run client oversized "$PORT" 20000
	assert_success
	run client vanish "$PORT" 3
	assert_success
	run client reset "$PORT" 3
	assert_success
	# A client that sends half a request and goes silent: 408 after 1 s.
	start_bg partial '^sent' python3 "$GATES/client.py" partial "$PORT"
	wait_for bg_err_has srv "no request within"
	run python3 -c 'import socket,sys; s=socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.sendall(b"\x1b]0;x\x07\x00\\\r\n\r\n"); print(s.recv(100))' "$PORT"
	assert_success
	vg_server_stop srv TERM
}

@test "srv-iter under valgrind: SIGINT while a client is mid-request: no error, leak or open descriptor" {
	vg_server_start srv srv-iter --port 0 --timeout 60
	start_bg partial '^sent' python3 "$GATES/client.py" partial "$PORT"
	wait_for bg_out_has srv "recv("
	vg_server_stop srv INT
	run bg_err srv
	assert_output_contains "interrupted"
}

@test "srv-iter under valgrind: SIGHUP, SIGQUIT and SIGUSR1 stop it cleanly: no error, leak or open descriptor" {
	local sig
	for sig in HUP QUIT USR1; do
		vg_server_start "srv-$sig" srv-iter --port 0
		run client get "$PORT" 20
		assert_success
		vg_server_stop "srv-$sig" "$sig"
		assert_output_contains "Stopped: served 1 request." "$(bg_out "srv-$sig")"
	done
}

@test "srv-iter under valgrind: accept() fails with EMFILE, the server stops with exit 1: no error, leak or open descriptor" {
	command -v prlimit >/dev/null || skip "prlimit is not installed"
	vg_server_start srv srv-iter --port 0
	# valgrind keeps descriptors of its own above the client's limit:
	# lower the running server's soft limit to 4 (0-2, the listener 3).
	prlimit --pid "$SERVER_PID" --nofile=4:
	curl -sS --max-time 5 "http://127.0.0.1:$PORT/" >/dev/null 2>&1 || true
	wait_for exited "$SERVER_PID"
	local st=0
	wait "$SERVER_PID" || st=$?
	assert_equal "$st" 1
	assert_output_contains "accept: Too many open files (EMFILE)" "$(bg_err srv)"
	"$GATES/vg-check" "$BATS_TEST_TMPDIR"/vg-srv.*.log
}

@test "srv-iter under valgrind: usage errors and a busy port: no error, leak or open descriptor" {
	vg_client help 0 srv-iter --help
	vg_client badport 2 srv-iter --port 99999
	start_server busy srv-iter --port 0
	vg_client busy 1 srv-iter --port "$PORT"
}

@test "cli-connect under valgrind: a request, a refused connection, bad input: no error, leak or open descriptor" {
	start_server srv srv-iter --port 0
	vg_client http 0 cli-connect --http /hello "127.0.0.1:$PORT"
	assert_output_contains "Hello, World!"
	vg_client test 0 cli-connect --bind 127.0.0.1 --port "$PORT" 127.0.0.1
	vg_client ipv6 1 cli-connect --timeout 2 "[::1]:$PORT"
	stop_gracefully "$SERVER_PID"
	vg_client refused 1 cli-connect "127.0.0.1:$PORT"
	vg_client usage 2 cli-connect --http 'no-slash' 127.0.0.1
	vg_client resolve 1 cli-connect --timeout 1 no-such-host.invalid:80
	vg_client help 0 cli-connect --help
}

@test "srv-sleep under valgrind: a request, then SIGTERM during the sleep: no error, leak or open descriptor" {
	has_tool srv-sleep || skip "srv-sleep is not built"
	vg_server_start sleep srv-sleep --port 0 --sleep 30
	# curl has its reply but not the close: the server sleeps.
	start_bg curl 'Hello, World!' curl -sSN "http://127.0.0.1:$PORT/"
	wait_for bg_out_has sleep "sleep("
	vg_server_stop sleep TERM
}

@test "srv-fork under valgrind: parent and children, then SIGTERM: no error, leak or open descriptor" {
	has_tool srv-fork || skip "srv-fork is not built"
	# Each child is a fork of the parent under valgrind: one log per pid.
	vg_server_start fork srv-fork --port 0 --timeout 1
	run client seq "$PORT" 5
	assert_success
	run client halfclose "$PORT"
	assert_success
	run client vanish "$PORT" 2
	assert_success
	run client reset "$PORT" 2
	assert_success
	vg_server_stop fork TERM
	# The parent's log and one per child.
	(($(find "$BATS_TEST_TMPDIR" -name 'vg-fork.*.log' | wc -l) >= 6))
}

@test "srv-fork under valgrind: --keep-conn until EMFILE, then the stop sequence: no error, leak or open descriptor" {
	has_tool srv-fork || skip "srv-fork is not built"
	vg_server_start fork srv-fork --port 0 --keep-conn --max-fds 8 --timeout 1
	run client vanish "$PORT" 6
	wait_for exited "$SERVER_PID"
	local st=0
	wait "$SERVER_PID" || st=$?
	assert_equal "$st" 1
	run bg_err fork
	assert_output_contains "accept: Too many open files (EMFILE)"
	assert_output_contains "(--keep-conn)"
	# The parent closes everything. Each child inherits the connections
	# the parent kept before it (the mistake: webserver3d's children do
	# too) and leaves them to the kernel: its log is checked for memcheck
	# errors and leaks only.
	"$GATES/vg-check" "$BATS_TEST_TMPDIR/vg-fork.$SERVER_PID.log"
	local log
	for log in "$BATS_TEST_TMPDIR"/vg-fork.*.log; do
		grep -q 'ERROR SUMMARY: 0 errors' "$log" || fail "memcheck errors:" "$(cat "$log")"
		! grep -qE 'definitely lost: [1-9]' "$log" || fail "a leak:" "$(cat "$log")"
	done
}

@test "srv-fork under valgrind: SIGHUP with a sleeping child goes through the stop sequence: no error, leak or open descriptor" {
	has_tool srv-fork || skip "srv-fork is not built"
	vg_server_start fork srv-fork --port 0 --child-sleep 30
	start_bg curl 'Hello, World!' curl -sSN "http://127.0.0.1:$PORT/"
	vg_server_stop fork HUP
	run bg_out fork
	assert_output_contains "sending SIGTERM"
	assert_output_contains "children: 1 forked, 1 reaped, 0 left"
}

@test "srv-prefork under valgrind: parent and children, hostile clients, then SIGTERM: no error, leak or open descriptor" {
	has_tool srv-prefork || skip "srv-prefork is not built"
	# The children are forks of the parent under valgrind: one log each.
	vg_server_start prefork srv-prefork --port 0 --children 2 --timeout 1
	run client seq "$PORT" 6
	assert_success
	run client halfclose "$PORT"
	assert_success
	run client oversized "$PORT" 20000
	assert_success
	run client vanish "$PORT" 2
	assert_success
	run client reset "$PORT" 2
	assert_success
	vg_server_stop prefork TERM
	assert_output_contains "children: 2 forked, 2 reaped, 0 left" "$(bg_out prefork)"
	(($(find "$BATS_TEST_TMPDIR" -name 'vg-prefork.*.log' | wc -l) == 3))
}

@test "srv-prefork under valgrind: --wait poll --reuseport, a child killed and replaced, SIGINT: no error, leak or open descriptor" {
	has_tool srv-prefork || skip "srv-prefork is not built"
	vg_server_start prefork srv-prefork --port 0 --children 2 --wait poll --reuseport
	run client seq "$PORT" 4
	assert_success
	local victim
	victim="$(pgrep -P "$SERVER_PID" | head -n 1)"
	kill -KILL "$victim"
	wait_for bg_out_has prefork "in place of $victim"
	run client seq "$PORT" 4
	assert_success
	stop_gracefully "$SERVER_PID" INT
	assert_equal "$STOP_STATUS" 0
	# The killed child never wrote its summary: every other log is checked.
	local log n=0
	for log in "$BATS_TEST_TMPDIR"/vg-prefork.*.log; do
		[[ "$log" == *".$victim.log" ]] && continue
		"$GATES/vg-check" "$log"
		n=$((n + 1))
	done
	assert_equal "$n" 3 # the parent, a child, the replacement
}

@test "srv-thread under valgrind: a thread per connection, hostile clients, a silent one at the stop: no error, leak or open descriptor" {
	has_tool srv-thread || skip "srv-thread is not built"
	vg_server_start thread srv-thread --port 0 --timeout 30
	run client seq "$PORT" 6
	assert_success
	run client halfclose "$PORT"
	assert_success
	run client oversized "$PORT" 20000
	assert_success
	run client vanish "$PORT" 2
	assert_success
	run client reset "$PORT" 2
	assert_success
	# A client that sends half a request and waits: the stop wakes its
	# thread (SIGURG) after the grace.
	start_bg partial '^sent' python3 "$GATES/client.py" partial "$PORT"
	wait_for bg_out_has thread "recv("
	vg_server_stop thread TERM
	assert_output_contains "interrupted: stopping" "$(bg_err thread)"
}

@test "srv-thread under valgrind: --pool 3, and --no-detach joined at the stop: no error, leak or open descriptor" {
	has_tool srv-thread || skip "srv-thread is not built"
	vg_server_start pool srv-thread --port 0 --pool 3 --timeout 1
	run client seq "$PORT" 6
	assert_success
	run client vanish "$PORT" 2
	assert_success
	vg_server_stop pool HUP
	assert_output_contains "threads: 3 created, 3 finished, 0 left" "$(bg_out pool)"
	vg_server_start nodetach srv-thread --port 0 --no-detach
	run client seq "$PORT" 5
	assert_success
	vg_server_stop nodetach TERM
	assert_output_contains "5 threads joined" "$(bg_out nodetach)"
}

# hg_thread NAME ARGS...: srv-thread under helgrind (valgrind's thread
# checker), 5 sequential clients and 2 at once, then SIGTERM; sets HG_LOG.
hg_thread() {
	local name="$1"
	shift
	HG_LOG="$BATS_TEST_TMPDIR/hg-$name.log"
	start_server "$name" valgrind --tool=helgrind --log-file="$HG_LOG" \
		"$SOCKLAB_BIN/srv-thread" --port 0 --quiet "$@"
	client seq "$PORT" 5 >/dev/null || true
	cli-connect --clients 2 --read --timeout 2 "127.0.0.1:$PORT" >/dev/null || true
	stop_gracefully "$SERVER_PID" TERM
	assert_equal "$STOP_STATUS" 0
}

@test "srv-thread under helgrind: no data race per connection nor in the pool; --by-pointer's race is found where it is" {
	has_tool srv-thread || skip "srv-thread is not built"
	hg_thread hg-conn
	grep -q 'ERROR SUMMARY: 0 errors' "$HG_LOG" || fail "helgrind:" "$(cat "$HG_LOG")"
	hg_thread hg-pool --pool 3
	grep -q 'ERROR SUMMARY: 0 errors' "$HG_LOG" || fail "helgrind:" "$(cat "$HG_LOG")"
	# The mistake is a data race: the thread reads main's variable while
	# main writes it (the next accept()).
	hg_thread hg-pointer --by-pointer
	grep -q 'Possible data race during read of size 4' "$HG_LOG" || fail "helgrind saw no race:" "$(cat "$HG_LOG")"
	grep -A3 'Possible data race during read' "$HG_LOG" | grep -q 'one_client (srv-thread.c' ||
		fail "the race is not in one_client:" "$(cat "$HG_LOG")"
}

@test "srv-poll under valgrind, each API: requests, hostile and idle clients, a stop with connections open: no error, leak or open descriptor" {
	has_tool srv-poll || skip "srv-poll is not built"
	local api
	for api in select poll epoll; do
		vg_server_start "poll-$api" srv-poll --api "$api" --port 0 --timeout 1 --backlog 64
		run client seq "$PORT" 10
		assert_success
		run client halfclose "$PORT"
		assert_success
		run client bytewise "$PORT"
		assert_success
		run client oversized "$PORT" 20000
		assert_success
		run client vanish "$PORT" 3
		assert_success
		run client reset "$PORT" 3
		assert_success
		# Half a request, then silence: 408 at the deadline.
		start_bg "partial-$api" '^sent' python3 "$GATES/client.py" partial "$PORT"
		wait_for bg_err_has "poll-$api" "no request within"
		# Idle clients held when the stop comes: each closed by the
		# server, counted in its last line.
		start_bg "idle-$api" '^holding' cli-connect --idle 10 --hold 60 "127.0.0.1:$PORT"
		vg_server_stop "poll-$api" TERM
		assert_line_matches '^Stopped: served 12 requests, closed [0-9]+ connections still open\.$' "$(bg_out "poll-$api")"
	done
}

@test "srv-poll under valgrind: select's FD_SETSIZE, and a reply sent in pieces (shim): no error, leak or open descriptor" {
	has_tool srv-poll || skip "srv-poll is not built"
	vg_server_start sel srv-poll --api select --port 0 --timeout 0 --backlog 2048 --quiet
	run cli-connect --idle 1030 --hold 0.5 --quiet "127.0.0.1:$PORT"
	assert_output_contains "of them with a reply"
	vg_server_stop sel INT
	assert_output_contains "refused" "$(bg_out sel)"
	run make -s -C "$SOCKLAB_ROOT" --no-print-directory build/unit/short-send.so
	assert_success
	SOCKLAB_SEND_MAX=10 LD_PRELOAD="$SOCKLAB_ROOT/build/unit/short-send.so" \
		vg_server_start pieces srv-poll --port 0
	run client get "$PORT" 20
	assert_success
	assert_output_contains "10 bytes, the rest later" "$(bg_out pieces)"
	vg_server_stop pieces TERM
}

@test "cli-connect --clients under valgrind: forked clients, each log clean" {
	cli-connect --help | grep -q -- '--clients' || skip "cli-connect has no --clients yet"
	start_server srv srv-iter --port 0 --quiet
	vg_client many 0 cli-connect --clients 3 --conns 2 --read "127.0.0.1:$PORT"
}

# vg_clients_stopped SIGNAL: three clients wait forever for a reply (a
# server that accepts and never answers, --timeout 0); SIGNAL to the parent
# under valgrind: exit 1, every client reaped, every log clean (the parent's
# and each child's: the children close their connections in their stop
# handler).
vg_clients_stopped() {
	local sig="$1" pid kids
	start_peer "mute-$sig" '
held = []
while True:
    c, _ = s.accept(); held.append(c)
    print("accepted", len(held), flush=True)'
	start_bg "vg-$sig" '^starting$' sh -c 'echo starting; exec "$@"' sh \
		"$GATES/vg-run" "$BATS_TEST_TMPDIR/vg-stop-$sig.%p.log" \
		cli-connect --clients 3 --read --timeout 0 "127.0.0.1:$PEER_PORT"
	pid="$BG_PID"
	wait_for bg_out_has "mute-$sig" "accepted 3"
	kids="$(pgrep -P "$pid" | tr '\n' ' ')"
	stop_gracefully "$pid" "$sig"
	assert_equal "$STOP_STATUS" 1
	assert_output_contains "our clients reaped: 3 of 3" "$(bg_out "vg-$sig")"
	for pid in $kids; do
		! alive "$pid" || fail "client $pid was left running"
	done
	"$GATES/vg-check" "$BATS_TEST_TMPDIR/vg-stop-$sig".*.log
	(($(find "$BATS_TEST_TMPDIR" -name "vg-stop-$sig.*.log" | wc -l) == 4))
}

@test "cli-connect --clients under valgrind: SIGINT, SIGTERM, SIGHUP to the parent: no orphan, every log clean" {
	vg_clients_stopped INT
	vg_clients_stopped TERM
	vg_clients_stopped HUP
}

@test "cli-connect --idle under valgrind: held, then SIGTERM; too few descriptors: no error, leak or open descriptor" {
	start_server srv srv-fork --port 0 --backlog 64 --timeout 60 --quiet
	vg_client idle 0 cli-connect --idle 20 --hold 0.2 "127.0.0.1:$PORT"
	start_bg vg-idle '^holding ' "$GATES/vg-run" "$BATS_TEST_TMPDIR/vg-idle-stop.%p.log" \
		cli-connect --idle 5 "127.0.0.1:$PORT"
	stop_gracefully "$BG_PID" TERM
	assert_equal "$STOP_STATUS" 0
	"$GATES/vg-check" "$BATS_TEST_TMPDIR"/vg-idle-stop.*.log
	# shellcheck disable=SC2016 # $@ is bash -c's
	vg_client idle-emfile 1 bash -c 'ulimit -n 40 && exec "$@"' _ cli-connect --idle 60 --hold 0 "127.0.0.1:$PORT"
}

# The other tools, as they land: their --help, a bad option, and the
# example of their --help (on a port-0 server where they need one).
@test "show-* tools under valgrind: --help, a bad option and a real run: no error, leak or open descriptor" {
	local t ran=0
	start_server srv srv-iter --port 0 --quiet
	for t in show-backlog show-pids show-fds show-ephemeral-port; do
		has_tool "$t" || continue
		ran=$((ran + 1))
		vg_client "$t-help" 0 "$t" --help
		vg_client "$t-bad" 2 "$t" --no-such-option
	done
	((ran > 0)) || skip "no show-* tool is built yet"
	if has_tool show-backlog; then
		vg_client show-backlog 0 show-backlog --port 0 --backlog 2 --clients 4 --accept-after 0.2
	fi
	if has_tool show-pids; then
		vg_client show-pids 0 show-pids --pid "$SERVER_PID"
	fi
	if has_tool show-fds; then
		vg_client show-fds 0 show-fds --pid "$SERVER_PID"
	fi
	if has_tool show-ephemeral-port; then
		vg_client show-ephemeral-port 0 show-ephemeral-port --count 3 "127.0.0.1:$PORT"
	fi
}

# The inspectors on their hostile paths (issue 12): a listing refused or
# cut short, a FIFO, an interrupted experiment, every address tried.
@test "show-fds under valgrind: its own view, --pid --json, a FIFO refused, a process gone: no error, leak or open descriptor" {
	has_tool show-fds || skip "show-fds is not built"
	start_server srv srv-iter --port 0 --quiet
	vg_client fds-own 0 show-fds --no-proc
	vg_client fds-json 0 show-fds --pid "$SERVER_PID" --json
	vg_client fds-netlink 0 show-fds --pid "$SERVER_PID" --no-netlink
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	vg_client fds-fifo 1 show-fds --file "$BATS_TEST_TMPDIR/fifo"
	local gone=$(($(cat /proc/sys/kernel/pid_max) + 1))
	vg_client fds-gone 1 show-fds --pid "$gone" --json
	assert_output_contains "no such process"
	refute_output_contains "{"
}

@test "show-pids under valgrind: --fork (parent and child), --children: no error, leak or open descriptor" {
	has_tool show-pids || skip "show-pids is not built"
	vg_client pids-fork 0 show-pids --fork
	(($(find "$BATS_TEST_TMPDIR" -name 'vg-pids-fork.*.log' | wc -l) == 2))
	vg_client pids-kids 0 show-pids --pid 1 --children --json
}

@test "show-backlog under valgrind: SIGINT during --wait, then a report: no error, leak or open descriptor" {
	has_tool show-backlog || skip "show-backlog is not built"
	start_bg vg-sb '^waiting 60 s for the handshakes' \
		"$GATES/vg-run" "$BATS_TEST_TMPDIR/vg-sb.%p.log" show-backlog --backlog 1 --clients 3 --wait 60
	stop_gracefully "$BG_PID" INT
	assert_equal "$STOP_STATUS" 130
	run bg_out vg-sb
	assert_output_contains "interrupted by SIGINT"
	"$GATES/vg-check" "$BATS_TEST_TMPDIR"/vg-sb.*.log
}

@test "show-ephemeral-port under valgrind: an address refused, --count --json, a port refused: no error, leak or open descriptor" {
	has_tool show-ephemeral-port || skip "show-ephemeral-port is not built"
	start_server srv srv-iter --port 0 --quiet
	# The server is on 127.0.0.1 only: [::1] is refused.
	vg_client eph-v6 1 show-ephemeral-port --timeout 2 "[::1]:$PORT"
	vg_client eph-json 0 show-ephemeral-port --count 3 --json "127.0.0.1:$PORT"
	stop_gracefully "$SERVER_PID"
	vg_client eph-refused 1 show-ephemeral-port "127.0.0.1:$PORT"
}

# vg_main_log PREFIX: of the logs PREFIX.PID.log, the one of the process that
# vg-run started: the others (its children) name it as their parent.
vg_main_log() {
	local f pids=" " parent
	for f in "$1".*.log; do
		f="${f%.log}"
		pids+="${f##*.} "
	done
	for f in "$1".*.log; do
		parent="$(sed -n 's/^==[0-9]*== Parent PID: //p' "$f")"
		if [[ "$pids" != *" $parent "* ]]; then
			echo "$f"
			return 0
		fi
	done
	return 1
}

@test "check-server under valgrind: checks of srv-fork, a command not found, a usage error: no error, leak or open descriptor" {
	# Its children exec the server at once, and valgrind does not follow an
	# exec: their logs end there. check-server's own log must be clean.
	local name log
	for name in grade notfound usage; do
		case "$name" in
		grade)
			run "$GATES/vg-run" "$BATS_TEST_TMPDIR/vg-$name.%p.log" check-server \
				--only reply,fin,zombies,sigterm --clients 8 \
				--limit zombies=5,sigterm=10 -- srv-fork --port 0 --quiet
			assert_success ;;
		notfound)
			run "$GATES/vg-run" "$BATS_TEST_TMPDIR/vg-$name.%p.log" check-server \
				--only reply -- no-such-server
			assert_failure 3 ;;
		usage)
			run "$GATES/vg-run" "$BATS_TEST_TMPDIR/vg-$name.%p.log" check-server \
				--only nope -- srv-fork
			assert_failure 2 ;;
		esac
		log="$(vg_main_log "$BATS_TEST_TMPDIR/vg-$name")" || fail "no main log for $name"
		"$GATES/vg-check" "$log"
	done
}

@test "show-timeline under valgrind: traces drawn (text, SVG, JSON), strace's log read, a bad trace, a recording: no error, leak or open descriptor" {
	local data="$SOCKLAB_ROOT/tests/data/timeline" t="$BATS_TEST_TMPDIR" log
	vg_client draw 0 show-timeline --width 100 --svg "$t/3d.svg" "$data/webserver3d.trace"
	vg_client json 0 show-timeline --json "$data/example.trace"
	vg_client strace 0 show-timeline -q --strace "$data/webserver3g.strace" --trace "$t/3g.trace"
	printf '{"socklab_trace":1}\n{"t":1,"pid":1,"ev":"exit"}\n{"t":0,"pid":1,"ev":"exit"}\n' >"$t/bad.trace"
	vg_client bad 1 show-timeline "$t/bad.trace"
	vg_client usage 2 show-timeline --width 1 "$data/example.trace"
	command -v strace >/dev/null || skip "strace is not installed"
	# Its child execs strace, which valgrind does not follow: its own log
	# is the one to read.
	run "$GATES/vg-run" "$t/vg-record.%p.log" show-timeline -q --trace "$t/true.trace" -- true
	assert_success
	log="$(vg_main_log "$t/vg-record")" || fail "no main log"
	"$GATES/vg-check" "$log"
}

@test "--trace under valgrind: srv-fork and its children, cli-connect, check-server --trace DIR, a trace file refused: no error, leak or open descriptor" {
	local t="$BATS_TEST_TMPDIR/trace" log
	mkdir -p "$t"
	# The server's trace is open in the parent and in every child.
	vg_server_start trace srv-fork --port 0 --timeout 1 --trace "$t/srv-fork.jsonl"
	vg_client cli 0 cli-connect --http /hello --trace "$t/cli.jsonl" "127.0.0.1:$PORT"
	run client seq "$PORT" 3
	assert_success
	vg_server_stop trace TERM
	# Both traces were written whole: show-timeline draws each, and each
	# ends with its process's exit.
	local f
	for f in srv-fork cli; do
		run show-timeline "$t/$f.jsonl"
		assert_success
		[[ "$(tail -n 1 "$t/$f.jsonl")" == *'"ev":"exit"'* ]] || fail "$f: $(tail -n 1 "$t/$f.jsonl")"
	done
	# A trace file that cannot be opened: a runtime error, nothing leaked.
	vg_client refused 1 cli-connect --trace "$t/no-such-dir/cli.jsonl" "127.0.0.1:$PORT"
	# check-server's own steps, one trace a check.
	run "$GATES/vg-run" "$BATS_TEST_TMPDIR/vg-check.%p.log" check-server \
		--trace "$t" --only reply,zombies --clients 4 --limit zombies=5 -- srv-fork --port 0 --quiet
	assert_success
	log="$(vg_main_log "$BATS_TEST_TMPDIR/vg-check")" || fail "no main log for check-server"
	"$GATES/vg-check" "$log"
	(($(find "$t" -name 'zombies*' | wc -l) >= 1)) || fail "no trace of zombies: $(ls "$t")"
}
