#!/bin/sh
# demo.sh - `make demo`: shmfb-producer's test pattern shown by shmfb-viewer.
#
# With a display the viewer opens a window and runs until you quit it
# (q or Esc; i shows the overlay).  Without one (or if the window cannot
# open) it runs headless for DEMO_SECONDS (5), prints a statistics line a
# second and the statistics file, and saves a screenshot; both go to
# DEMO_DIR (default $BUILD/demo).  The producer is stopped at the end.
: "${BUILD:=build}"
BIN="$BUILD/bin"
NAME="shmfb-demo-$$"
DEMO_SECONDS=${DEMO_SECONDS:-5}
DEMO_DIR=${DEMO_DIR:-$BUILD/demo}

for p in shmfb-producer shmfb-viewer; do
	[ -x "$BIN/$p" ] || { echo "demo: $BIN/$p is missing; run make first" >&2; exit 1; }
done
mkdir -p "$DEMO_DIR" || exit 1
DEMO_DIR=$(cd "$DEMO_DIR" && pwd)

"$BIN/shmfb-producer" --size 1280x720 --fps 60 "$NAME" &
PRODUCER=$!
stop_producer() {
	kill "$PRODUCER" 2>/dev/null
	wait "$PRODUCER" 2>/dev/null
}
trap stop_producer EXIT
trap 'exit 130' INT TERM HUP

headless() {
	echo "demo: running the viewer headless for $DEMO_SECONDS s"
	"$BIN/shmfb-viewer" --headless --stats --timeout "$DEMO_SECONDS" \
		--stats-json "$DEMO_DIR/stats.json" --screenshot "$DEMO_DIR/screenshot.png" "$NAME" ||
		return 1
	echo "demo: statistics ($DEMO_DIR/stats.json):"
	cat "$DEMO_DIR/stats.json"
	echo "demo: screenshot: $DEMO_DIR/screenshot.png"
}

if [ -n "$DISPLAY" ] || [ -n "$WAYLAND_DISPLAY" ]; then
	echo "demo: showing $NAME; keys: i overlay, f fullscreen, 1 pixel-exact 1:1,"
	echo "      space freeze, s screenshot, q or Esc quit"
	if ! "$BIN/shmfb-viewer" "$NAME"; then
		echo "demo: the window did not work out; trying headless" >&2
		headless
	fi
else
	echo "demo: no display (DISPLAY is not set)"
	headless
fi
