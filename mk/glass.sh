#!/bin/sh
# glass.sh - frame to glass: what the viewer adds between a frame's publish
# and its present, at 60 frames/s in a private Xvfb.
#
#   sh mk/glass.sh [SIZE] [FRAMES]      (1920x1080, 600: ten seconds)
#
# The pattern producer publishes at 60 frames/s; shmfb-viewer shows them in
# a window and writes its statistics (latency_ms: the slot's publish_ns to
# the return of SDL_RenderPresent, per frame shown).  Prints p50 and p99
# beside one refresh interval (16.7 ms at 60 Hz) and the frames dropped,
# and leaves the viewer's JSON in $OUT (default build/glass.json).  Xvfb has
# no vertical blank to wait for: on a real display add up to one refresh.
set -eu
BUILD=${BUILD:-build}
SIZE=${1:-1920x1080}
FRAMES=${2:-600}
OUT=${OUT:-$BUILD/glass.json}
for p in Xvfb jq; do
	command -v "$p" >/dev/null 2>&1 || { echo "glass.sh: $p is not installed (make deps-test)" >&2; exit 1; }
done
[ -x "$BUILD/bin/shmfb-viewer" ] || { echo "glass.sh: $BUILD/bin/shmfb-viewer is not built (make)" >&2; exit 1; }
NAME=glass-$$
XPID= PPID_=
cleanup() {
	[ -n "$PPID_" ] && kill "$PPID_" 2>/dev/null
	[ -n "$XPID" ] && kill "$XPID" 2>/dev/null
	return 0
}
trap cleanup EXIT INT TERM
# A free display number: no lock file, no socket.
d=$(( $$ % 400 + 600 ))
while [ -e "/tmp/.X$d-lock" ] || [ -e "/tmp/.X11-unix/X$d" ]; do d=$((d + 1)); done
Xvfb ":$d" -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
XPID=$!
i=0
while [ ! -e "/tmp/.X11-unix/X$d" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
"$BUILD/bin/shmfb-producer" --size "$SIZE" --fps 60 "$NAME" >/dev/null 2>&1 &
PPID_=$!
DISPLAY=":$d" "$BUILD/bin/shmfb-viewer" --frames "$FRAMES" --stats-json "$OUT" "$NAME" >/dev/null
jq -r '"frame to glass, \(.latency_ms.count) frames at 60 f/s: p50 \(.latency_ms.p50) ms, p99 \(.latency_ms.p99) ms, max \(.latency_ms.max) ms (one refresh: 16.7 ms); p50 \(.latency_ms.p50 / 16.667 * 100 | floor) % and p99 \(.latency_ms.p99 / 16.667 * 100 | floor) % of a refresh; dropped \(.frames_dropped)"' "$OUT"
