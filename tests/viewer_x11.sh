#!/bin/sh
# viewer_x11.sh - the real viewer in a real X server (a private Xvfb):
# waiting for a name, attaching when the pattern producer starts, the window
# (captured from outside with xwd) showing a frame at most a few frames
# behind the producer, near-zero CPU while the producer is paused, the last
# frame kept when the producer is killed, and reattaching to a restarted
# producer of another size and format without a restart.  The stats JSON
# written at exit counts both generations and holds plausible latencies.
# make test-win32 runs it against the .exe programs under Wine, in the Xvfb
# of mk/wine-test.sh (tests/tools/viewer_env.sh).
. "$(dirname "$0")/tools/viewer_env.sh"
start_xvfb

FPS=30
LAG=6 # "a few frames": 200 ms at 30 fps
# Under Wine the window is drawn by Direct3D on Wine's OpenGL on Mesa's
# software rasterizer: the same 200 ms, as 2 frames at 10 fps.
if [ -n "$WINDOWS" ]; then
	FPS=10
	LAG=2
fi

# stamp_of FILE: the frame number of the stamp in a screenshot, or "".
stamp_of() { "$IMGTOOL" stamp "$1" 2>/dev/null | cut -d' ' -f1; }

# check_live NAME TAG: a screenshot of the window shows a frame at most LAG
# frames older than the newest the producer had published when it was taken
# (three tries, for a loaded machine).
check_live() {
	for _try in 1 2 3; do
		_before=$(published "$1")
		shot "$1" "$TMP/$2.png" || fail "xwd of the window failed: $(cat "$TMP/shot.err")"
		_after=$(published "$1")
		_f=$(stamp_of "$TMP/$2.png")
		note "$2: producer had published $_before..$_after frames; the window shows frame ${_f:-none}"
		if [ -n "$_f" ]; then
			# Frame numbers count from 0: the newest is published - 1.
			[ "$_f" -le $((_after - 1)) ] || fail "$2: frame $_f was never published"
			[ "$_f" -ge $((_before - 1 - LAG)) ] && return 0
		fi
		sleep 0.5
	done
	fail "$2: the window is more than $LAG frames behind the producer"
}

n=$(new_name live)
out="$TMP/viewer.out"

# --- waiting for a name that does not exist yet
"$VIEWER" --stats --stats-json "$TMP/live.json" "$n" >"$out" 2>"$TMP/viewer.err" &
V=$!
track $V
wait_window "$n"
wait_line "$out" "state=waiting" 5
shot "$n" "$TMP/waiting.png" || fail "no screenshot while waiting"

# --- the producer appears: attached within a second or so
"$PRODUCER" --size 640x360 --fps $FPS "$n" >"$TMP/p1.log" 2>&1 &
P=$!
track $P
wait_line "$out" "state=running .*shown=[1-9]" 5
sleep 0.5
check_live "$n" gen1

# --- producer paused: the viewer sleeps (no busy wait)
kill -STOP $P
sleep 0.5
t0=$(cpu_ticks $V)
sleep 2
t1=$(cpu_ticks $V)
kill -CONT $P
hz=$(getconf CLK_TCK)
note "viewer CPU while the producer was paused: $((t1 - t0)) ticks of $((2 * hz))"
# Near zero: at most 3% of one CPU.
[ $((t1 - t0)) -le $((2 * hz * 3 / 100)) ] || fail "viewer used $((t1 - t0)) ticks in 2 s while idle"

# --- producer killed: the viewer stays up with the last frame (stopped
# first, so that its last frame is known while its mapping surely exists)
sleep 0.5
kill -STOP $P
last=$(($(published "$n") - 1))
kill -9 $P
wait $P 2>/dev/null
mark=$(lines "$out")
wait_after "$out" "$mark" "state=dead" 5
kill -0 $V 2>/dev/null || fail "the viewer exited when the producer died"
shot "$n" "$TMP/dead1.png" || fail "no screenshot after the producer died"
sleep 0.7
shot "$n" "$TMP/dead2.png" || fail "no second screenshot"
f1=$(stamp_of "$TMP/dead1.png")
f2=$(stamp_of "$TMP/dead2.png")
note "producer's last frame $last; window shows $f1, then $f2"
[ "$f1" = "$last" ] || fail "after the producer died the window shows frame '$f1', not its last frame $last"
[ "$f2" = "$last" ] || fail "the last frame did not stay ('$f2')"

# --- a new producer (new generation, other size and format): reattached
wait_free "$n"
"$PRODUCER" --size 480x360 --format nv12 --fps $FPS "$n" >"$TMP/p2.log" 2>&1 &
P=$!
track $P
mark=$(lines "$out")
wait_after "$out" "$mark" "state=running" 5
sleep 1
check_live "$n" gen2
kill -0 $V 2>/dev/null || fail "the viewer exited"

# --- quit (as the user would: see quit_viewer): the stats JSON covers both generations
quit_viewer $V
wait $V
rc=$?
[ $rc = 0 ] || { cat "$TMP/viewer.err"; fail "viewer exit status $rc"; }
cat "$TMP/live.json"
[ "$(json_num "$TMP/live.json" generations)" = 2 ] || fail "generations is not 2"
shown=$(json_num "$TMP/live.json" frames_shown)
[ "$shown" -ge $FPS ] || fail "only $shown frames shown"
p50=$(json_num "$TMP/live.json" p50)
p99=$(json_num "$TMP/live.json" p99)
awk -v a="$p50" -v b="$p99" 'BEGIN { exit !(a > 0 && a < 200 && b >= a && b < 2000) }' ||
	fail "implausible latency p50 $p50 p99 $p99 ms"
[ ! -s "$TMP/viewer.err" ] || { cat "$TMP/viewer.err"; fail "the viewer wrote to stderr"; }
[ -n "$KEEP_SHOTS" ] && cp "$TMP"/*.png "$KEEP_SHOTS"/
echo "ok"
