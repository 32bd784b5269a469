#!/bin/sh
# gst_src.sh - shmfbsrc with real producers:
#   - ffmpeg frames at 350x240 (rows GStreamer pads: rgb24 to 1052 bytes,
#     gray and yuv420p luma to 352, chroma to 176) -> shmfb-producer --raw ->
#     shmfbsrc -> videoconvert -> filesink, bit-exact against ffmpeg's own
#     frames, every one, in order, ending in EOS when the producer closes;
#   - a producer killed (SIGKILL) and another started in its place at another
#     size and format: shmfbsrc (wait-for-new-producer) renegotiates and goes
#     on, the stamps of both in order;
#   - without wait-for-new-producer a killed producer is an error naming it;
#   - a mapping whose latest slot never reads whole (seq odd, or another
#     frame's index in it) from a live producer: shmfbsrc sleeps instead of
#     spinning and its timeout ends it, timed against gst-launch's own start.
TAG=gstsrc
. "$(dirname "$0")/tools/gst_env.sh"
command -v ffmpeg >/dev/null || { echo "ffmpeg not installed"; exit 77; }
# test_live_posix's rogue writer, built only from docs/FORMAT.md's offsets.
ROGUE="$SHMFB_BUILD/tests/test_live_posix"
[ -x "$ROGUE" ] || { echo "test_live_posix not built (make test builds it)"; exit 77; }

W=350 H=240 FRAMES=12
md5s() { # md5s FILE BYTES: the md5 of each frame, one a line
	rm -rf "$T/split"; mkdir "$T/split"
	split -b "$2" -d -a 4 "$1" "$T/split/f."
	for f in "$T"/split/f.*; do md5sum <"$f" | cut -d' ' -f1; done
}
# child_of PID: the one child of PID (gst-launch under timeout)
child_of() {
	i=0
	until c=$(pgrep -P "$1" | head -n 1) && [ -n "$c" ]; do
		i=$((i + 1)); [ $i -gt 100 ] && fail "no child of $1"; sleep 0.05
	done
	echo "$c"
}

roundtrip() { # roundtrip FFMPEG_PIX SHMFB_FORMAT GST_FORMAT TIGHT_BYTES
	pix=$1 fmt=$2 gfmt=$3 fs=$4
	rm -f "$T/gate" "$T/out.pad"; mkfifo "$T/gate"
	ffmpeg -nostdin -y -loglevel error -f lavfi -i "testsrc2=size=${W}x$H:rate=10" -frames:v $FRAMES \
		-pix_fmt "$pix" -f rawvideo "$T/ref.raw" || fail "ffmpeg"
	{ read go <"$T/gate"; cat "$T/ref.raw"; } |
		"$P" --raw --size ${W}x$H --format "$fmt" --fps 10 "$N" 2>"$T/producer.err" & pp=$!
	PIDS="$PIDS $pp"
	wait_for "$N"
	timeout -k 2 30 gst-launch-1.0 -q shmfbsrc location="$N" ! videoconvert ! \
		"video/x-raw,format=$gfmt" ! filesink location="$T/out.pad" >"$T/gst.out" 2>&1 & tp=$!
	PIDS="$PIDS $tp"
	gst_wait_mapped "$(child_of $tp)" "$N"
	echo go >"$T/gate"
	wait $pp || fail "$fmt: producer: $(cat "$T/producer.err")"
	wait $tp || fail "$fmt: gst-launch did not end cleanly at the producer's close: $(cat "$T/gst.out")"
	"$GT" strip "$gfmt" ${W}x$H "$T/out.pad" "$T/out.raw" || fail "$fmt: strip"
	md5s "$T/ref.raw" "$fs" >"$T/want"
	md5s "$T/out.raw" "$fs" >"$T/got"
	cmp -s "$T/want" "$T/got" || fail "$fmt: frames differ: $(diff "$T/want" "$T/got" | head -n 5)"
	echo "ok: $fmt: $(wc -l <"$T/got") ffmpeg frames bit-exact through shmfbsrc and videoconvert, then EOS"
}
roundtrip rgb24 rgb24 RGB $((W * H * 3))
roundtrip gray gray8 GRAY8 $((W * H))
roundtrip yuv420p i420 I420 $((W * H * 3 / 2))

# ---- producer killed, another in its place: renegotiated, and on it goes
(exec "$P" --size 320x240 --fps 20 "$N-a" 2>/dev/null) & pa=$!
PIDS="$PIDS $pa"
wait_for "$N-a"
timeout -k 2 30 "$GT" frames "$N-a" 30 wait-for-new-producer=true >"$T/frames" 2>"$T/frames.err" & tp=$!
PIDS="$PIDS $tp"
gst_wait_mapped "$(child_of $tp)" "$N-a"
sleep 0.7
kill -KILL $pa
wait $pa 2>/dev/null # gone before the next producer looks at the name
(exec "$P" --size 160x120 --format nv12 --fps 20 "$N-a" 2>"$T/pb.err") & pb=$!
PIDS="$PIDS $pb"
wait $tp || fail "frames across a restart: $(cat "$T/frames" "$T/frames.err" | tail -n 5)"
first=$(grep -c '^frame 320 240 RGBA ' "$T/frames")
second=$(grep -c '^frame 160 120 NV12 ' "$T/frames")
[ "$first" -ge 5 ] && [ "$second" -ge 5 ] && [ $((first + second)) -eq 30 ] ||
	fail "want RGBA 320x240 frames then NV12 160x120 ones: $first and $second: $(cat "$T/frames")"
# Each producer's frames are in order, the first producer's all before the
# second's, and each stamp says the frame number the producer gave.
awk '$1 == "frame" {
	key = $2 "x" $3
	if (key != last) { if (seen[key]++) bad = "producer " key " came back"; prev = -1; last = key }
	if ($7 != $5) bad = "stamp " $7 " is not frame " $5
	if ($5 <= prev) bad = "frame " $5 " after " prev
	prev = $5
} END { if (bad) { print bad; exit 1 } }' "$T/frames" || fail "order: $(cat "$T/frames")"
echo "ok: a killed producer replaced at another size and format: renegotiated ($first + $second frames)"

# ---- without waiting, a producer that dies is an error naming it
timeout -k 2 30 "$GT" frames "$N-a" 1000 >"$T/frames" 2>&1 & tp=$!
PIDS="$PIDS $tp"
gst_wait_mapped "$(child_of $tp)" "$N-a"
kill -KILL $pb
wait $tp && fail "a dead producer did not fail the pipeline"
grep -q "^error: the producer vanished: $N-a: producer pid $pb died without closing (SHMFB_EDEAD)" "$T/frames" ||
	fail "no error naming the dead producer: $(tail -n 2 "$T/frames")"
echo "ok: a vanished producer is an error naming it"

# ---- a latest slot that never reads whole: no spinning, and the timeout holds
# timed CMD...: runs CMD (output in $T/timed.out); sets rc, and wall and cpu
# in seconds: its CPU is what this shell's reaped children gained (`times`).
timed() {
	t0=$(date +%s.%N)
	times >"$T/times0"
	"$@" >"$T/timed.out" 2>&1
	rc=$?
	times >"$T/times1"
	t1=$(date +%s.%N)
	wall=$(echo "$t0 $t1" | awk '{ printf "%.3f", $2 - $1 }')
	cpu=$(awk 'function s(x, a) { split(x, a, "m"); return a[1] * 60 + a[2] }
		FNR == 2 { c[FILENAME == ARGV[1]] = s($1) + s($2) }
		END { printf "%.3f", c[0] - c[1] }' "$T/times0" "$T/times1")
}
# rogue NAME SCENARIO: starts the rogue (pid in rp) and waits for its mapping;
# a killed one's name is removed first (the rogue creates it anew).
rogue() {
	"$S" rm "$1" >/dev/null 2>&1
	rm -f "$T/rogue.ready"
	"$ROGUE" --child rogue "$1" "$2" >"$T/rogue.ready" 2>"$T/rogue.err" & rp=$!
	PIDS="$PIDS $rp"
	i=0
	until [ -s "$T/rogue.ready" ]; do
		i=$((i + 1)); [ $i -gt 100 ] && fail "$2: the rogue never got ready: $(cat "$T/rogue.err")"; sleep 0.05
	done
}
# The start allowance: the same gst-launch taking one good frame and ending
# at once (plugin, mapping, caps, PLAYING, EOS, exit), worst wall and CPU of three.
rogue "$N-c" good
start_wall=0 start_cpu=0
for i in 1 2 3; do
	timed timeout -k 2 10 gst-launch-1.0 shmfbsrc location="$N-c" num-buffers=1 ! fakesink
	[ $rc -eq 0 ] || fail "one good frame: exit $rc: $(tail -n 3 "$T/timed.out")"
	start_wall=$(echo "$start_wall $wall" | awk '{ print ($2 > $1 ? $2 : $1) }')
	start_cpu=$(echo "$start_cpu $cpu" | awk '{ print ($2 > $1 ? $2 : $1) }')
done
kill $rp; wait $rp 2>/dev/null
echo "gst-launch's start and exit: ${start_wall} s, ${start_cpu} s of CPU (worst of three)"
for sc in stuck_odd stuck_index; do
	rogue "$N-b" $sc
	# timeout is in ns: 2 s.
	timed timeout -k 2 10 gst-launch-1.0 shmfbsrc location="$N-b" timeout=2000000000 ! fakesink
	echo "$sc: exit $rc after $wall s, $cpu s of CPU"
	[ $rc -eq 1 ] || fail "$sc: exit $rc, want 1 (124: killed by timeout 10 s): $(tail -n 3 "$T/timed.out")"
	grep -q "$N-b: no new frame within 2000 ms (timeout)" "$T/timed.out" ||
		fail "$sc: no timeout error: $(tail -n 3 "$T/timed.out")"
	echo "$wall $start_wall" | awk '{ exit !($1 <= 2.5 + $2) }' ||
		fail "$sc: ended after $wall s, want at most 2.5 s + the start's $start_wall s"
	# Under 5 % of a CPU while waiting, beyond what the start costs.
	echo "$cpu $start_cpu $wall" | awk '{ exit !($1 - $2 < 0.05 * $3) }' ||
		fail "$sc: $cpu s of CPU in $wall s (the start alone: $start_cpu s): it spins"
	kill $rp; wait $rp 2>/dev/null
done
echo "ok: a latest slot that never reads whole: shmfbsrc sleeps, and its timeout ends it with an error"
echo "shmfbsrc ok"
