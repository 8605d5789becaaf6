#!/usr/bin/env bats
# check-server's lesson 7 checks (docs/07-how-a-connection-ends.md), run when
# named: restart (SO_REUSEADDR), sigpipe (SIGPIPE), cloexec (close-on-exec).
# Each fails on its socklab mistake switch and passes on the correct servers,
# and says NOT SHOWN when the server never showed what it looks at. They are
# not in the default set (tests/article-graded.bats grades that one).

load test_helper
load check_helper

# ------------------------------------------------------------- restart

@test "restart passes srv-iter and srv-fork: started again on the port their TIME_WAITs hold" {
	local srv
	for srv in srv-iter srv-fork; do
		grade_pass --only restart -- "$srv" --port '{port}' --quiet
		assert_success
		assert_equal "$(results)" "restart=pass"
		[[ "$(evidence restart)" =~ with\ ([0-9]+)\ connections?\ of\ port\ ([0-9]+)\ in\ TIME_WAIT,\ the\ server\'s\ ends\;\ started\ again\ on\ port\ ([0-9]+):\ pid\ [0-9]+\ listens ]] ||
			fail "$srv: $(evidence restart)"
		((BASH_REMATCH[1] >= 1)) || fail "$(evidence restart)"
		assert_equal "${BASH_REMATCH[3]}" "${BASH_REMATCH[2]}"
		assert_nothing_left
	done
}

@test "restart fails --no-reuseaddr (srv-iter, srv-sleep, srv-fork): the restarted server exits, bind() refused" {
	local cmd
	# srv-sleep --sleep 0: it closes first, so the TIME_WAITs are its own.
	for cmd in srv-iter "srv-sleep --sleep 0" srv-fork; do
		# shellcheck disable=SC2086 # the command's words
		grade --only restart -- $cmd --port '{port}' --quiet --no-reuseaddr
		assert_failure 1
		assert_equal "$(results)" "restart=fail"
		[[ "$(evidence restart)" == *" in TIME_WAIT, started again on port "*": it exited (exit status 1) after "*"(no SO_REUSEADDR before bind()?)" ]] ||
			fail "$cmd: $(evidence restart)"
		assert_nothing_left
	done
}

@test "restart is not shown without {port}: the server could not be started on the same port" {
	grade --only restart -- srv-iter --port 0 --quiet
	assert_failure 1
	assert_equal "$(results)" "restart=not_shown"
	[[ "$(evidence restart)" == "the command has no {port}: "* ]] || fail "$(evidence restart)"
}

# ------------------------------------------------------------- sigpipe

@test "sigpipe fails --sigpipe (srv-iter, srv-sleep, srv-fork): the holder killed by SIGPIPE, the reset seen first" {
	local srv
	for srv in srv-iter srv-sleep srv-fork; do
		grade --only sigpipe -- "$srv" --port 0 --quiet --sigpipe
		assert_failure 1
		assert_equal "$(results)" "sigpipe=fail"
		[[ "$(evidence sigpipe)" =~ ^pid\ ([0-9]+),\ which\ held\ the\ connection\ \(fd\ [0-9]+\),\ was\ killed\ by\ SIGPIPE\ \(signal\ 13\):\ the\ reset\ had\ reached\ its\ connection\ while\ every\ process\ of\ the\ server\ \(([0-9]+)\)\ was\ stopped ]] ||
			fail "$srv: $(evidence sigpipe)"
		# srv-fork: the child that served it, not the parent.
		if [[ "$srv" == srv-fork ]]; then
			[[ "${BASH_REMATCH[1]}" != "${CHECK_PID[sigpipe]}" ]] || fail "$(evidence sigpipe)"
			assert_equal "${BASH_REMATCH[2]}" 2
		else
			assert_equal "${BASH_REMATCH[1]}" "${CHECK_PID[sigpipe]}"
		fi
		assert_nothing_left
	done
}

@test "sigpipe passes every correct server: the reset reached it while stopped, and it was not killed" {
	local cmd
	for cmd in "srv-iter --port 0" "srv-sleep --port 0 --sleep 0" "srv-fork --port 0" \
		"srv-prefork --port 0" "srv-thread --port 0" "srv-poll --port 0"; do
		# shellcheck disable=SC2086 # the command's words
		grade_pass --only sigpipe -- $cmd --quiet
		assert_success
		assert_equal "$(results)" "sigpipe=pass"
		[[ "$(evidence sigpipe)" == "the reset reached the connection while every process of the server ("*") was stopped, before it could write; continued, pid "*", not killed by SIGPIPE" ]] ||
			fail "$cmd: $(evidence sigpipe)"
		assert_nothing_left
	done
}

# ------------------------------------------------------------- cloexec

@test "cloexec fails srv-fork --exec CMD --no-cloexec: the program it runs holds the listener" {
	grade --only cloexec -- srv-fork --port 0 --quiet --exec 'sleep 600' --no-cloexec
	assert_failure 1
	assert_equal "$(results)" "cloexec=fail"
	[[ "$(evidence cloexec)" =~ ^pid\ [0-9]+\ runs\ /[^,]+,\ a\ program\ the\ server\ started\ \(exec\),\ and\ holds\ its\ listening\ socket\ 127\.0\.0\.1:([0-9]+)\ as\ fd\ 3:\ it\ keeps\ port\ ([0-9]+)\ after ]] ||
		fail "$(evidence cloexec)"
	assert_equal "${BASH_REMATCH[2]}" "${BASH_REMATCH[1]}"
	# sh and sleep were killed with the server.
	assert_nothing_left
}

@test "cloexec passes srv-fork --exec CMD, and is not shown for a server that runs no program" {
	grade_pass --only cloexec -- srv-fork --port 0 --quiet --exec 'sleep 600'
	assert_success
	assert_equal "$(results)" "cloexec=pass"
	[[ "$(evidence cloexec)" == *" of the server ran another program ("*"...) while a client was served; none holds its listening socket 127.0.0.1:"* ]] ||
		fail "$(evidence cloexec)"
	assert_nothing_left
	grade_pass --only cloexec -- srv-iter --port 0 --quiet
	assert_failure 1
	assert_equal "$(results)" "cloexec=not_shown"
	[[ "$(evidence cloexec)" == "no process of the server ran another program than "*"srv-iter while a client was served: nothing to inherit its listener" ]] ||
		fail "$(evidence cloexec)"
}

# ------------------------------------------------------- which set runs

@test "lesson 7's checks run when named: --help says so, and --only all runs every check" {
	run check-server --help
	assert_success
	assert_output_contains "lesson 7's checks, run when"
	assert_output_contains "named: restart, sigpipe, cloexec; 'all':"
	grade --only all -- srv-fork --port '{port}' --quiet
	assert_equal "$(results)" "reply=pass fin=pass concurrent=pass zombies=pass survives=pass fds=pass silent=pass reset=pass sigterm=pass restart=pass sigpipe=pass cloexec=not_shown"
	assert_failure 1
	assert_nothing_left
}

@test "an unknown check names lesson 7's too" {
	run --separate-stderr check-server --only restrat -- srv-iter --port 0
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "check-server: unknown check 'restrat': the checks are reply, fin, concurrent, zombies, survives, fds, silent, reset, sigterm, and lesson 7's restart, sigpipe, cloexec (or all)"
}
