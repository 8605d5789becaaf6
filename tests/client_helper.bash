# shellcheck shell=bash disable=SC2034 # sets PEER_PORT for the tests
# Shared by the tests of cli-connect (tests/cli-connect*.bats): load it
# after test_helper.

# start_peer NAME CODE: a server written in Python for the test, in the
# background (start_bg): it listens on 127.0.0.1 port 0 (the socket is `s`),
# prints its ready line, then runs CODE (accept, and misbehave). Sets
# PEER_PORT.
start_peer() {
	start_bg "$1" '^ready ([0-9]+)$' python3 -c '
import socket, struct, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
print("ready", s.getsockname()[1], flush=True)
'"$2" || return 1
	PEER_PORT="$BG_MATCH"
}

# json_field NAME: a value of the JSON object in $output (null: None).
json_field() {
	python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$output" "$1"
}
