#!/bin/sh
# viewer_headless.sh - shmfb-viewer --headless (SDL's offscreen driver, no X)
# with real producers: --frames, --stats lines, --stats-json with plausible
# latencies, --screenshot of a pattern frame (its stamp reads back), a raw
# RGBA frame with alpha saved exactly, a producer publishing as fast as it
# can (uploads torn by it are redone, never saved), and --timeout.
. "$(dirname "$0")/tools/viewer_env.sh"
unset DISPLAY WAYLAND_DISPLAY

# --- headless with a real producer: --frames N, --stats-json, --screenshot
n=$(new_name headless)
"$PRODUCER" --size 320x240 --fps 50 "$n" >"$TMP/prod.log" 2>&1 &
track $!
"$VIEWER" --headless --frames 40 --timeout 20 --stats-json "$TMP/s.json" \
	--screenshot "$TMP/s.png" "$n" >"$TMP/v.out" 2>"$TMP/v.err" || { cat "$TMP/v.err"; fail "headless viewer"; }
cat "$TMP/s.json"
[ "$(json_num "$TMP/s.json" frames_shown)" = 40 ] || fail "frames_shown is not 40"
dropped=$(json_num "$TMP/s.json" frames_dropped)
received=$(json_num "$TMP/s.json" frames_received)
[ "$received" -ge 40 ] || fail "received $received < shown 40"
[ "$dropped" -le $((received - 40)) ] || fail "dropped $dropped > received $received - shown 40"
p50=$(json_num "$TMP/s.json" p50)
p99=$(json_num "$TMP/s.json" p99)
# Plausible: positive, below a second, ordered.
awk -v a="$p50" -v b="$p99" 'BEGIN { exit !(a > 0 && a < 1000 && b >= a && b < 1000) }' ||
	fail "implausible latency p50 $p50 p99 $p99 ms"
grep -q "saved screenshot $TMP/s.png" "$TMP/v.out" || fail "screenshot path not printed"
# The screenshot is a frame of the producer: its stamp reads back.
"$IMGTOOL" stamp "$TMP/s.png" >"$TMP/stamp" || fail "no stamp in the --screenshot"
note "screenshot stamp: $(cat "$TMP/stamp")"
[ "$("$IMGTOOL" size "$TMP/s.png")" = "320 240" ] || fail "screenshot is not 320x240"

# --- --stats: one line a second with the documented fields
n=$(new_name statsline)
"$PRODUCER" --size 160x120 --fps 25 "$n" >/dev/null 2>&1 &
P=$!
track $P
wait_name "$n" # the 4 s are for the viewer, not for the producer's start
# --timeout counts from the viewer's start, and a Windows program under Wine on
# a loaded machine took 1.7 s to its first line: 4 s leave room for two lines.
"$VIEWER" --headless --stats --timeout 4 "$n" >"$TMP/st.out" 2>"$TMP/st.err" ||
	{ cat "$TMP/st.err"; fail "--timeout with a producer should end with status 0"; }
kill $P
cat "$TMP/st.out"
[ "$(grep -c '^t=' "$TMP/st.out")" -ge 2 ] || fail "fewer than 2 --stats lines in 4 s"
line=$(grep '^t=' "$TMP/st.out" | tail -n 1)
for k in state received_fps shown_fps shown dropped latency_p50_ms latency_p99_ms; do
	[ -n "$(field "$line" $k)" ] || fail "--stats line lacks $k: $line"
done
[ "$(field "$line" state)" = running ] || fail "state is not running: $line"
fps=$(field "$line" received_fps)
awk -v f="$fps" 'BEGIN { exit !(f > 12 && f < 40) }' || fail "received_fps $fps for a 25 fps producer"

# --- producer paused: the headless viewer sleeps too (no polling loop)
n=$(new_name idle)
"$PRODUCER" --size 160x120 --fps 25 "$n" >/dev/null 2>&1 &
P=$!
track $P
"$VIEWER" --headless --stats "$n" >"$TMP/idle.out" 2>&1 &
V=$!
track $V
wait_line "$TMP/idle.out" "shown=[1-9]" 5
kill -STOP $P
sleep 0.5
t0=$(cpu_ticks $V)
sleep 2
t1=$(cpu_ticks $V)
kill -CONT $P
hz=$(getconf CLK_TCK)
note "headless viewer CPU while the producer was paused: $((t1 - t0)) ticks of $((2 * hz))"
[ $((t1 - t0)) -le $((2 * hz * 3 / 100)) ] || fail "viewer used $((t1 - t0)) ticks in 2 s while idle"
kill $V $P

# --- --timeout with --frames not reached is an error
n=$(new_name slow)
"$PRODUCER" --size 160x120 --fps 2 "$n" >/dev/null 2>&1 &
P=$!
track $P
"$VIEWER" --headless --frames 100 --timeout 1.5 "$n" >/dev/null 2>"$TMP/slow.err"
rc=$?
kill $P
[ $rc = 1 ] || fail "--frames 100 at 2 fps within 1.5 s: exit $rc, expected 1"
grep -q "of 100 frames shown within 1.5 s" "$TMP/slow.err" || { cat "$TMP/slow.err"; fail "message"; }

# --- a raw RGBA frame with alpha: the screenshot holds exactly its bytes
W=96 H=64
"$IMGTOOL" gen "$TMP/alpha.png" $W $H 3 || fail "imgtool gen"
"$IMGTOOL" raw "$TMP/alpha.png" >"$TMP/one.raw" || fail "imgtool raw"
i=0
while [ $i -lt 30 ]; do cat "$TMP/one.raw"; i=$((i + 1)); done >"$TMP/frames.raw"
n=$(new_name raw)
"$VIEWER" --headless --frames 3 --timeout 20 --screenshot "$TMP/raw.png" "$n" >/dev/null 2>"$TMP/raw.err" &
V=$!
track $V
"$PRODUCER" --raw --size ${W}x$H --format rgba --fps 10 "$n" <"$TMP/frames.raw" >/dev/null 2>&1 &
track $!
wait $V || { cat "$TMP/raw.err"; fail "viewer of the raw producer"; }
d=$("$IMGTOOL" diff "$TMP/alpha.png" "$TMP/raw.png")
note "raw RGBA with alpha vs --screenshot: $d"
[ "$d" = "max=0 mean=0.0000" ] || fail "the screenshot differs from the raw frame: $d"

# --- a producer as fast as it can go: every saved frame is whole
n=$(new_name fast)
"$PRODUCER" --size 1280x720 --fps 0 "$n" >/dev/null 2>&1 &
P=$!
track $P
"$VIEWER" --headless --frames 60 --timeout 30 --stats-json "$TMP/fast.json" \
	--screenshot "$TMP/fast.png" "$n" >/dev/null 2>"$TMP/fast.err" || { cat "$TMP/fast.err"; fail "fast"; }
kill $P
note "fast producer: $(tr -d '\n' <"$TMP/fast.json")"
"$IMGTOOL" stamp "$TMP/fast.png" >/dev/null || fail "the screenshot of a fast producer has no valid stamp"
[ "$(json_num "$TMP/fast.json" frames_dropped)" -gt 0 ] || fail "a producer at full speed dropped nothing?"
echo "ok"
