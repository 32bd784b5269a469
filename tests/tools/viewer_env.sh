# viewer_env.sh - sourced by tests/viewer_*.sh: a temporary directory,
# unique mapping names, cleanup of every process started, a private Xvfb,
# screenshots of a viewer window taken from outside, and waiting helpers.
# (Not a test itself: tests/run.sh runs only tests/*.sh.)
#
# The same tests check the Windows build under Wine (make test-win32 runs
# them through mk/wine-test.sh, which sets RUNNER): then WINDOWS=1, the
# programs are the .exe ones behind small wrappers that start them with
# Wine, and the picture and sound helpers are the Linux ones (SHMFB_TOOLS).

: "${SHMFB_BIN:?run through tests/run.sh}"
: "${SHMFB_BUILD:?run through tests/run.sh}"
TOOLS=${SHMFB_TOOLS:-$SHMFB_BUILD/tests/tools}
IMGTOOL="$TOOLS/imgtool"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/shmfb-viewer-test.XXXXXX")
PIDS=
XVFB_PID=

WINDOWS=
if [ -e "$SHMFB_BIN/shmfb.exe" ]; then
	WINDOWS=1
	: "${RUNNER:?the Windows build runs through mk/wine-test.sh}"
	[ -e "$SHMFB_BIN/shmfb-viewer.exe" ] || { echo "skip: no shmfb-viewer.exe (no SDL2 for mingw)"; rm -rf "$TMP"; exit 77; }
	mkdir "$TMP/bin"
	for _p in shmfb shmfb-producer shmfb-viewer; do
		printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$RUNNER" "$SHMFB_BIN/$_p.exe" >"$TMP/bin/$_p"
		chmod +x "$TMP/bin/$_p"
	done
	SHMFB_BIN="$TMP/bin"
fi
PRODUCER="$SHMFB_BIN/shmfb-producer"
VIEWER="$SHMFB_BIN/shmfb-viewer"
SHMFB="$SHMFB_BIN/shmfb"

[ -x "$IMGTOOL" ] || { echo "missing $IMGTOOL (make test builds it)"; exit 1; }
[ -x "$VIEWER" ] || { echo "missing $VIEWER"; exit 1; }
[ -x "$PRODUCER" ] || { echo "missing $PRODUCER"; exit 1; }

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do kill -CONT "$p" 2>/dev/null; done
	sleep 0.2
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	for n in $("$SHMFB" ls 2>/dev/null | awk -v p="vt$$-" 'index($1, p) == 1 { print $1 }'); do
		"$SHMFB" rm "$n" >/dev/null 2>&1
	done
	if [ -n "$XVFB_PID" ]; then kill "$XVFB_PID" 2>/dev/null; wait "$XVFB_PID" 2>/dev/null; fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

fail() { echo "FAIL: $*"; exit 1; }
note() { echo "# $*"; }

# A mapping name unique to this run (every vt$$-* is removed at exit).
new_name() { echo "vt$$-$1"; }

# Remembers a background process for cleanup: track PID
track() { PIDS="$PIDS $1"; }

# quit_viewer PID: asks the viewer to quit as a user would: SIGTERM on Linux
# (SDL turns it into SDL_QUIT), SIGINT under Wine (Wine turns it into Ctrl-C,
# then SDL into SDL_QUIT; Wine ends a process at SIGTERM without telling it).
quit_viewer() {
	if [ -n "$WINDOWS" ]; then kill -INT "$1"; else kill "$1"; fi
}

# Starts Xvfb on a free display number and exports DISPLAY.
start_xvfb() {
	command -v Xvfb >/dev/null 2>&1 || { echo "skip: Xvfb is not installed"; exit 77; }
	command -v xwd >/dev/null 2>&1 || { echo "skip: xwd (x11-apps) is not installed"; exit 77; }
	command -v convert >/dev/null 2>&1 || { echo "skip: ImageMagick is not installed"; exit 77; }
	# Under Wine, the display mk/wine-test.sh started for the whole run.
	if [ -n "$WINDOWS" ] && [ -n "${SHMFB_WINE_DISPLAY:-}" ]; then
		DISPLAY=$SHMFB_WINE_DISPLAY
		export DISPLAY
		note "Wine's Xvfb on $DISPLAY"
		return 0
	fi
	_d=$(( $$ % 500 + 200 ))
	_tries=0
	while [ $_tries -lt 30 ]; do
		if [ ! -e "/tmp/.X$_d-lock" ] && [ ! -e "/tmp/.X11-unix/X$_d" ]; then
			Xvfb ":$_d" -screen 0 1280x800x24 -nolisten tcp -noreset >"$TMP/xvfb.log" 2>&1 &
			XVFB_PID=$!
			_i=0
			while [ $_i -lt 100 ] && kill -0 "$XVFB_PID" 2>/dev/null; do
				# It answers, and it is ours (not a racing server on the same number).
				if xwd -root -silent -display ":$_d" >/dev/null 2>&1 && kill -0 "$XVFB_PID" 2>/dev/null; then
					DISPLAY=":$_d"
					export DISPLAY
					unset WAYLAND_DISPLAY
					note "Xvfb on $DISPLAY"
					return 0
				fi
				sleep 0.1
				_i=$((_i + 1))
			done
			kill "$XVFB_PID" 2>/dev/null
			wait "$XVFB_PID" 2>/dev/null
			XVFB_PID=
		fi
		_d=$((_d + 1))
		_tries=$((_tries + 1))
	done
	cat "$TMP/xvfb.log"
	fail "cannot start Xvfb"
}

# shot NAME FILE.png: the viewer window of NAME as the X server shows it.
shot() {
	xwd -silent -name "shmfb-viewer: $1" >"$TMP/shot.xwd" 2>"$TMP/shot.err" &&
		convert "xwd:$TMP/shot.xwd" "png:$2" 2>>"$TMP/shot.err"
}

# within A B MEAN MAX [--rgb]: the pictures differ by at most that.
within() {
	_d=$("$IMGTOOL" diff "$1" "$2" $5) || fail "cannot compare $1 $2: $_d"
	note "$(basename "$1") vs $(basename "$2"): $_d (allowed mean $3 max $4)"
	_mean=${_d#*mean=}
	_max=${_d#max=}
	_max=${_max%% *}
	awk -v m="$_mean" -v x="$_max" -v am="$3" -v ax="$4" 'BEGIN { exit !(m <= am && x <= ax) }' ||
		fail "$(basename "$2") differs from $(basename "$1") by $_d"
}

# view_once NAME TAG: a viewer of NAME until it has shown a frame; its window
# as $TMP/win-TAG.png (xwd) and its --screenshot as $TMP/ss-TAG.png.
view_once() {
	"$VIEWER" --stats --screenshot "$TMP/ss-$2.png" "$1" >"$TMP/v-$2.out" 2>"$TMP/v-$2.err" &
	_v=$!
	track $_v
	wait_window "$1"
	# A new window first shows whatever was on the screen there (the last
	# viewer's picture): wait until this one has presented a frame.
	wait_line "$TMP/v-$2.out" "shown=[1-9]" 10
	shot "$1" "$TMP/win-$2.png" || fail "$2: xwd failed: $(cat "$TMP/shot.err")"
	kill $_v
	wait $_v || { cat "$TMP/v-$2.err"; fail "$2: viewer exit status $?"; }
}

# wait_window NAME: until the viewer's window exists (10 s; 30 s under Wine,
# whose first window of a program takes seconds on a loaded machine).
wait_window() {
	_i=0
	_max=100
	[ -n "$WINDOWS" ] && _max=300
	while ! xwd -silent -name "shmfb-viewer: $1" >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ $_i -gt $_max ] && { xwininfo -root -tree | grep -i shmfb; cat "$TMP"/v-*.log "$TMP"/*.err 2>/dev/null; ps aux | grep shmfb- | grep -v grep; fail "no window for $1"; }
		sleep 0.1
	done
}

# wait_line FILE PATTERN SECONDS: until a line of FILE matches (grep -E).
wait_line() {
	_i=0
	while ! grep -Eq "$2" "$1" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -gt $(($3 * 10)) ] && { echo "--- $1:"; tail -n 5 "$1"; fail "no line matching '$2' in $1 within $3 s"; }
		sleep 0.1
	done
}

# last_line FILE: the newest complete --stats line.
last_line() { tail -n 1 "$1"; }

# field LINE KEY: the value of key=value in a --stats line.
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# wait_free NAME: until a new producer can create NAME after its producer
# died.  On Windows a name lives as long as anyone has it open, and the
# viewer lets go of a dead producer's mapping at its next check (5 a
# second); elsewhere a new producer takes a dead one's name over at once.
wait_free() {
	[ -n "$WINDOWS" ] || return 0
	_i=0
	while "$SHMFB" info "$1" >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ $_i -gt 50 ] && fail "$1 is still taken after its producer died"
		sleep 0.1
	done
}

# wait_name NAME: until NAME's producer has created it (10 s; a Windows
# program under Wine takes a second or more to start on a loaded machine).
wait_name() {
	_i=0
	until "$SHMFB" info "$1" >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ $_i -gt 100 ] && fail "$1 never appeared"
		sleep 0.1
	done
}

# published NAME: frames the producer of NAME has published (its frame
# numbers count from 0, so the newest is this minus one).
published() { "$SHMFB" info "$1" 2>/dev/null | awk '/^published:/ { print $2 }'; }

# json_num FILE KEY: a number from the viewer's --stats-json file.
json_num() { sed -n "s/.*\"$2\": \([0-9.e+-]*\).*/\1/p" "$1" | head -n 1; }

# cpu_ticks PID: user+system clock ticks the process has used.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# lines FILE: how many lines FILE has now (a mark for wait_after).
lines() { wc -l <"$1" 2>/dev/null || echo 0; }

# wait_after FILE MARK PATTERN SECONDS: like wait_line, for lines after MARK.
wait_after() {
	_i=0
	while ! tail -n +"$(($2 + 1))" "$1" 2>/dev/null | grep -Eq "$3"; do
		_i=$((_i + 1))
		[ $_i -gt $(($4 * 10)) ] && { echo "--- $1:"; tail -n 5 "$1"; fail "no new line matching '$3' in $1 within $4 s"; }
		sleep 0.1
	done
}
