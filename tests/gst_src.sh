#!/bin/sh
# gst_src.sh - shmfbsrc with real producers:
#   - ffmpeg frames at 350x240 (rows GStreamer pads: rgb24 to 1052 bytes,
#     gray and yuv420p luma to 352, chroma to 176) -> shmfb-producer --raw ->
#     shmfbsrc -> videoconvert -> filesink, bit-exact against ffmpeg's own
#     frames, every one, in order, ending in EOS when the producer closes;
#   - a producer killed (SIGKILL) and another started in its place at another
#     size and format: shmfbsrc (wait-for-new-producer) renegotiates and goes
#     on, the stamps of both in order;
#   - without wait-for-new-producer a killed producer is an error naming it.
TAG=gstsrc
. "$(dirname "$0")/tools/gst_env.sh"
command -v ffmpeg >/dev/null || { echo "ffmpeg not installed"; exit 77; }

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
echo "shmfbsrc ok"
