# shellcheck shell=bash disable=SC2034 # DEMO_PANE_*: read through pane()
# scripts/demo-lib.sh: the engine of the classroom demos (scripts/demo-NAME.sh,
# run by `make demo-NAME`). Not run by itself: a demo script sets DEMO_NAME and
# DEMO_LESSON, defines demo_steps() with the step functions below, sources this
# file and calls demo_main "$@".
#
# A demo opens a tmux session with the article's terminals side by side: the
# server on top, the first and the second client below, and a narrator pane at
# the bottom, where the teacher presses Enter to run each step. The commands
# are the lesson's own marked blocks (<!-- test: NAME -->), read from the
# lesson, so the demo shows exactly what the lesson (and its test) runs.
#
# Until tmux is found, only bash builtins are used, so that the "tmux is
# missing" message works with any PATH.

DEMO_ROOT="$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)"
DEMO_SCRIPT="$DEMO_ROOT/scripts/demo-$DEMO_NAME.sh"
# shellcheck source=scripts/doc-lib.sh
. "$DEMO_ROOT/scripts/doc-lib.sh"
DEMO_ROLES="server client1 client2"

demo_usage() {
	cat <<EOF
usage: make demo-$DEMO_NAME [DEMO_PORT=N] [DEMO_FLAGS=...]
   or: scripts/demo-$DEMO_NAME.sh [OPTION]...
Opens a tmux session with the article's terminals (server, first client,
second client) and runs lesson $DEMO_LESSON's experiment in them, step by step.

  --port N        the server's port (default 8888; 0: the kernel chooses)
  --auto          run every step without waiting for Enter
  --delay S       seconds between steps with --auto (default 2)
  --sleep S       the sleep of the sleeping server (--sleep) or of its
                  children (--child-sleep), for demos that have one
  --no-attach     do not attach: narrate here and leave the session running
                  (tmux attach -t SESSION to look, tmux kill-session to end)
  --session NAME  the tmux session's name (default socklab-$DEMO_NAME)
  --socket NAME   use a separate tmux server (tmux -L NAME)
  --bin DIR       the tools to run instead of ./bin/ (the build under test)
  -h, --help      this help

Exit status: 0 done, 1 tmux missing or an expected output not seen (--auto),
2 usage error.
EOF
}

demo_usage_error() {
	printf 'demo-%s: %s\n' "$DEMO_NAME" "$1" >&2
	printf "Try 'scripts/demo-%s.sh --help' for more information.\n" "$DEMO_NAME" >&2
	exit 2
}

demo_error() {
	printf 'demo-%s: %s\n' "$DEMO_NAME" "$@" >&2
	exit 1
}

# ------------------------------------------------------------------ tmux

T() { tmux ${DEMO_SOCKET:+-L "$DEMO_SOCKET"} "$@"; }

# pane ROLE: the tmux pane id of a role (server, client1, client2).
pane() {
	local v="DEMO_PANE_$1"
	printf '%s' "${!v}"
}

pane_text() { T capture-pane -p -J -S - -t "$(pane "$1")"; }

# The number of lines a pane has written so far (trailing empty lines apart).
pane_lines() { pane_text "$1" | awk 'NF { n = NR } END { print n + 0 }'; }

# mark: what every pane shows now; expect looks only at what comes after.
mark() {
	local r
	for r in $DEMO_ROLES; do
		printf -v "DEMO_MARK_$r" '%s' "$(pane_lines "$r")"
	done
}

# seen_since_mark ROLE TEXT [N]: N (1) new lines of ROLE's pane contain TEXT.
seen_since_mark() {
	local from="DEMO_MARK_$1"
	pane_text "$1" | awk -v from="${!from}" -v want="$2" -v n="${3:-1}" \
		'NR > from && index($0, want) { seen++ } END { exit seen < n }'
}

# ----------------------------------------------------------- the narrator

say() { printf '%s\n' "$@"; }

step() {
	DEMO_STEP=$((DEMO_STEP + 1))
	printf '\n\033[1m%d. %s\033[0m\n' "$DEMO_STEP" "$1"
	shift
	[[ $# -gt 0 ]] && say "$@"
	return 0
}

# pause WHAT: waits for Enter (q quits), or --delay seconds with --auto.
pause() {
	if [[ -n "$DEMO_AUTO" ]]; then
		printf '   %s\n' "$1"
		sleep "$DEMO_DELAY"
		return 0
	fi
	local answer
	read -r -p "   [Enter] $1 (q: quit) " answer || answer=q
	if [[ "$answer" == q* ]]; then
		demo_finish quit
	fi
}

# block NAME: the lesson's marked block, for this session: ./bin/ is --bin
# when given. scripts/doc-lib.sh reads it, as the tests do.
block() {
	local text
	text="$(doclib_block "$DEMO_ROOT/$DEMO_LESSON_FILE" "$1")" ||
		demo_error "no block '$1' in $DEMO_LESSON_FILE"
	if [[ -n "$DEMO_BIN" ]]; then
		text="${text//.\/bin\//$DEMO_BIN/}"
	fi
	if [[ -n "$DEMO_SLEEP" ]]; then
		text="$(printf '%s' "$text" | sed -E "s/(--(child-)?sleep) [0-9.]+/\1 $DEMO_SLEEP/")"
	fi
	printf '%s' "$text"
}

# with_port TEXT PORT: the lesson's port (${PORT:-8888}, or 8888) is PORT.
with_port() {
	local text="${1//\$\{PORT:-8888\}/$2}"
	printf '%s' "${text//8888/$2}"
}

# type_in ROLE TEXT: types TEXT and Enter in a pane, as a person would.
type_in() {
	mark
	T send-keys -t "$(pane "$1")" -l -- "$2"
	T send-keys -t "$(pane "$1")" Enter
}

# run_in ROLE BLOCK: shows the lesson's command, waits, types it in ROLE's pane.
run_in() {
	local cmd
	cmd="$(with_port "$(block "$2")" "$DEMO_CUR_PORT")"
	printf '   %s $ %s\n' "$1" "${cmd//$'\n'/$'\n     '}"
	pause "runs it in the $1 pane"
	type_in "$1" "$cmd"
}

# server_in ROLE BLOCK: run_in for a block that starts a server: on the
# session's port (8888 replaced, or --port added), then waits for the ready
# line and takes the port from it (with --port 0 the kernel chooses).
server_in() {
	local cmd
	cmd="$(block "$2")"
	if [[ "$DEMO_PORT" != 8888 ]]; then
		if [[ "$cmd" == *8888* ]]; then
			cmd="$(with_port "$cmd" "$DEMO_PORT")"
		else
			cmd="$cmd --port $DEMO_PORT"
		fi
	fi
	printf '   %s $ %s\n' "$1" "$cmd"
	pause "starts it in the $1 pane"
	type_in "$1" "$cmd"
	expect "$1" "Serving HTTP on port" || return 0
	DEMO_CUR_PORT="$(pane_text "$1" |
		sed -n 's/.*Serving HTTP on port \([0-9][0-9]*\) \.\.\..*/\1/p' | tail -n 1)"
}

# last_match ROLE ERE [N]: group N (1) of ERE (sed -E) in the last line of
# ROLE's pane that matches it: a number a program printed there.
last_match() { pane_text "$1" | sed -En "s/$2/\\${3:-1}/p" | tail -n 1; }

# note_in ROLE BLOCK NUMBER: types the lesson's block BLOCK, in which the
# learner notes a number a server printed (VAR=EXAMPLE, its PID), into ROLE's
# pane, with NUMBER, read from the panes as a person reads it, in place of
# the lesson's example.
note_in() {
	local text
	text="$(block "$2")"
	[[ "$3" =~ ^[0-9]+$ ]] || demo_error "block '$2': no number to note (got '$3')"
	[[ "$text" =~ ^([A-Z][A-Z0-9_]*)=[0-9]+$ ]] ||
		demo_error "block '$2' of $DEMO_LESSON_FILE is not VAR=NUMBER: $text"
	text="${BASH_REMATCH[1]}=$3"
	printf '   %s $ %s\n' "$1" "$text"
	pause "notes it in the $1 pane"
	type_in "$1" "$text"
}

# server_pid ROLE: the PID the server in ROLE's pane printed first
# (getpid() -> N, or srv-fork's [parent] getpid() -> N), the last one.
server_pid() { last_match "$1" '^(\[parent\] )?getpid\(\) +-> ([0-9]+)$' 2; }

# key_in ROLE KEY: sends a key (C-c) to a pane.
key_in() {
	pause "sends $2 to the $1 pane"
	mark
	T send-keys -t "$(pane "$1")" "$2"
}

# expect ROLE TEXT [N]: waits until a new line (N new lines) of ROLE's pane
# contains TEXT; new: since the last command typed or key sent.
# With --auto a miss ends the demo with status 1; otherwise it is reported.
expect() {
	local end=$((SECONDS + DEMO_TIMEOUT))
	until seen_since_mark "$@"; do
		if ((SECONDS >= end)); then
			printf '   not seen in the %s pane after %s s: %s\n' "$1" "$DEMO_TIMEOUT" "$2" >&2
			if [[ -n "$DEMO_AUTO" ]]; then
				DEMO_FAILED=1
				demo_finish failed
			fi
			return 1
		fi
		sleep 0.1
	done
	printf '   %-8s shows: %s\n' "$1" "$2"
}

# --------------------------------------------------------------- session

demo_session() {
	local shell=()
	if [[ -n "${SOCKLAB_DEMO_SHELL-}" ]]; then
		read -r -a shell <<<"$SOCKLAB_DEMO_SHELL"
	fi
	T new-session -d -s "$DEMO_SESSION" -x 160 -y 48 -c "$DEMO_ROOT" \
		-n "lesson-$DEMO_LESSON" "${shell[@]}" || demo_error "tmux could not start the session"
	DEMO_PANE_server="$(T display-message -p -t "$DEMO_SESSION" '#{pane_id}')"
	DEMO_PANE_client1="$(T split-window -v -l 50% -t "$DEMO_PANE_server" \
		-c "$DEMO_ROOT" -P -F '#{pane_id}' "${shell[@]}")"
	DEMO_PANE_client2="$(T split-window -h -l 50% -t "$DEMO_PANE_client1" \
		-c "$DEMO_ROOT" -P -F '#{pane_id}' "${shell[@]}")"
	local r
	for r in $DEMO_ROLES; do
		T set-option -p -t "$(pane "$r")" @role "$r"
	done
	T set-option -w -t "$DEMO_SESSION" pane-border-status top
	T set-option -w -t "$DEMO_SESSION" pane-border-format \
		" #{?#{@role},#{@role},narrator} "
}

demo_finish() {
	say "" "End of the demo ($1)."
	if [[ -n "$DEMO_IN_PANE" ]]; then
		local answer
		read -r -p "[Enter] closes the session " answer || true
		T kill-session -t "$DEMO_SESSION"
	elif [[ "$1" == quit ]]; then
		T kill-session -t "$DEMO_SESSION"
	else
		say "The session is still open: tmux${DEMO_SOCKET:+ -L $DEMO_SOCKET} attach -t $DEMO_SESSION" \
			"Close it with: tmux${DEMO_SOCKET:+ -L $DEMO_SOCKET} kill-session -t $DEMO_SESSION"
	fi
	exit "${DEMO_FAILED:-0}"
}

# The narrator: runs the steps (in the narrator pane, or here with --no-attach).
demo_drive() {
	DEMO_STEP=0
	say "socklab: lesson $DEMO_LESSON ($DEMO_LESSON_FILE), tmux session $DEMO_SESSION"
	demo_steps
	demo_finish "done"
}

demo_main() {
	DEMO_PORT=8888 DEMO_AUTO='' DEMO_DELAY=2 DEMO_SLEEP='' DEMO_ATTACH=1
	DEMO_SESSION="socklab-$DEMO_NAME" DEMO_SOCKET='' DEMO_BIN='' DEMO_IN_PANE=
	DEMO_TIMEOUT=20
	local args=("$@")
	while [[ $# -gt 0 ]]; do
		case "$1" in
		--port | --delay | --sleep | --session | --socket | --bin)
			[[ $# -ge 2 ]] || demo_usage_error "option '$1' requires an argument"
			;;
		esac
		case "$1" in
		--port)
			if ! [[ "$2" =~ ^[0-9]{1,5}$ ]] || ((10#$2 > 65535)); then
				demo_usage_error "--port: '$2' is not a port number (0-65535)"
			fi
			DEMO_PORT=$((10#$2))
			shift
			;;
		--delay | --sleep)
			[[ "$2" =~ ^[0-9]+(\.[0-9]+)?$ ]] ||
				demo_usage_error "$1: '$2' is not a number of seconds"
			if [[ "$1" == --delay ]]; then DEMO_DELAY="$2"; else DEMO_SLEEP="$2"; fi
			shift
			;;
		--session)
			[[ "$2" =~ ^[A-Za-z0-9_-]+$ ]] ||
				demo_usage_error "--session: '$2' is not a session name (letters, digits, - and _)"
			DEMO_SESSION="$2"
			shift
			;;
		--socket) DEMO_SOCKET="$2"; shift ;;
		--bin) DEMO_BIN="$2"; shift ;;
		--auto) DEMO_AUTO=1 ;;
		--no-attach) DEMO_ATTACH= ;;
		--in-pane) DEMO_IN_PANE=1 ;;
		-h | --help) demo_usage; exit 0 ;;
		*) demo_usage_error "unknown option '$1'" ;;
		esac
		shift
	done
	DEMO_CUR_PORT="$DEMO_PORT"

	if ! command -v tmux >/dev/null 2>&1; then
		demo_error "tmux is not installed, and the demo needs it for the side-by-side terminals." \
			"install it (Debian/Ubuntu: apt-get install tmux; macOS: brew install tmux)," \
			"or run the lesson's commands in three terminals yourself: $DEMO_LESSON_FILE"
	fi

	if [[ -n "$DEMO_IN_PANE" ]]; then
		# Started by the session below, in its narrator pane.
		local r
		for r in $DEMO_ROLES; do
			printf -v "DEMO_PANE_$r" '%s' "$(T list-panes -t "$DEMO_SESSION" \
				-F '#{pane_id} #{@role}' | awk -v r="$r" '$2 == r { print $1 }')"
		done
		demo_drive
	fi

	if T has-session -t "=$DEMO_SESSION" 2>/dev/null; then
		demo_error "a tmux session named $DEMO_SESSION is already running" \
			"close it (tmux kill-session -t $DEMO_SESSION) or choose another with --session"
	fi
	if [[ -n "$DEMO_ATTACH" && -z "${TMUX-}" ]] && ! [[ -t 0 && -t 1 ]]; then
		demo_error "not a terminal: tmux cannot show the session here" \
			"run it from a terminal, or with --no-attach to narrate here (--auto: no Enter needed)"
	fi
	demo_session
	if [[ -z "$DEMO_ATTACH" ]]; then
		demo_drive
	fi
	T split-window -v -f -l 9 -t "$DEMO_PANE_client1" -c "$DEMO_ROOT" -- \
		bash "$DEMO_SCRIPT" --in-pane "${args[@]}" >/dev/null
	if [[ -n "${TMUX-}" && -z "$DEMO_SOCKET" ]]; then
		T switch-client -t "$DEMO_SESSION"
	else
		T attach-session -t "$DEMO_SESSION"
	fi
	# The narrator pane closes the session when the demo ends.
	exit 0
}
