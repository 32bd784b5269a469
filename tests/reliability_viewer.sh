#!/bin/sh
# reliability_viewer.sh - the real programs under faults.
#  1. shmfb-producer is SIGKILLed at random moments, 15 times, while the
#     viewer (headless) and two `shmfb cat` readers run: each next producer
#     takes the stale name without --replace, the viewer stays up, says the
#     producer died, and reattaches every time.
#  2. The viewer and the readers are SIGKILLed while a producer runs: the
#     producer does not notice and keeps its rate.
# (tests/test_crash.c does the same 200 times with library readers.)
. "$(dirname "$0")/tools/viewer_env.sh"
KILLS=15
n=$(new_name rel)
out="$TMP/v.out"
SDL_AUDIODRIVER=dummy "$VIEWER" --headless --stats --stats-json "$TMP/v.json" "$n" >"$out" 2>"$TMP/v.err" &
V=$!
track $V
seed=$$
i=0
while [ $i -lt $KILLS ]; do
	"$PRODUCER" --size 320x240 --fps 120 "$n" >"$TMP/p$i.log" 2>&1 &
	P=$!
	track $P
	mark=$(lines "$out")
	wait_after "$out" "$mark" "state=running" 10
	seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
	sleep "0.$(( seed % 5 + 1 ))"
	kill -9 $P
	wait $P 2>/dev/null
	[ -s "$TMP/p$i.log" ] && fail "producer $i: $(cat "$TMP/p$i.log")"
	mark=$(lines "$out")
	wait_after "$out" "$mark" "state=dead" 5
	kill -0 $V 2>/dev/null || fail "the viewer exited when producer $i was killed"
	i=$((i + 1))
done
note "$KILLS producers killed; the viewer noticed each and stayed up"

# --- 2: readers and the viewer killed; the producer keeps its rate
"$PRODUCER" --size 320x240 --fps 100 "$n" >"$TMP/last.log" 2>&1 &
P=$!
track $P
mark=$(lines "$out")
wait_after "$out" "$mark" "state=running" 10
for k in 1 2 3; do
	"$SHMFB" cat "$n" >/dev/null 2>&1 &
	track $!
	eval "C$k=$!"
done
sleep 1
a=$(published "$n"); sleep 2; b=$(published "$n")
kill -9 $V $C1 $C2 $C3
sleep 0.2
c=$(published "$n"); sleep 2; d=$(published "$n")
before=$((b - a)) after=$((d - c))
note "frames in 2 s with the viewer and 3 readers: $before; after killing them all: $after"
[ "$before" -ge 150 ] || fail "the producer ran at $before frames in 2 s instead of 200"
[ "$after" -ge $((before * 8 / 10)) ] || fail "the producer slowed from $before to $after"
kill -0 $P || fail "the producer died with its readers"
kill $P
wait $P
[ $? = 0 ] || fail "the producer did not exit cleanly on SIGTERM"
echo ok
