#!/bin/sh
# gst_sink.sh - shmfbsink from the outside, with real gst-launch-1.0 and
# `shmfb cat` processes:
#   - videotestsrc in all seven formats at 350x240 (GStreamer pads RGB, GRAY8
#     and I420 rows to 4 bytes) -> shmfbsink -> shmfb cat, bit-exact against
#     the same videotestsrc written by filesink and stripped of its padding
#     by gst_tool's own rule; every frame published in place (videotestsrc
#     writes into the sink's pool), none copied;
#   - the mode and keep properties;
#   - bad input: a name a live producer owns, caps shmfb refuses, a bad name:
#     a GStreamer error naming it, and no mapping left behind.
TAG=gstsink
. "$(dirname "$0")/tools/gst_env.sh"

W=350 H=240 FRAMES=8
# tight frame bytes of a W x H frame of format $1 (width and height even)
tight_bytes() {
	case $1 in
	RGBA|BGRA) echo $((W * H * 4)) ;;
	RGB) echo $((W * H * 3)) ;;
	GRAY8) echo $((W * H)) ;;
	YUY2) echo $((W * H * 2)) ;;
	NV12|I420) echo $((W * H * 3 / 2)) ;;
	esac
}
# md5 of each frame of file $1 in frames of $2 bytes, one a line
frame_md5s() {
	rm -rf "$T/split"; mkdir "$T/split"
	split -b "$2" -d -a 4 "$1" "$T/split/f."
	for f in "$T"/split/f.*; do md5sum <"$f" | cut -d' ' -f1; done
}

for F in RGBA BGRA RGB GRAY8 NV12 I420 YUY2; do
	caps="video/x-raw,format=$F,width=$W,height=$H,framerate=10/1"
	gstl videotestsrc num-buffers=$FRAMES pattern=ball ! "$caps" ! filesink location="$T/ref.pad" ||
		fail "$F: reference pipeline failed"
	"$GT" strip "$F" "${W}x$H" "$T/ref.pad" "$T/ref.raw" || fail "$F: strip"
	fs=$(tight_bytes "$F")
	[ "$(wc -c <"$T/ref.raw")" -eq $((fs * FRAMES)) ] || fail "$F: reference has $(wc -c <"$T/ref.raw") bytes"
	GST_DEBUG=shmfb:5 GST_DEBUG_NO_COLOR=1 gstl videotestsrc num-buffers=$FRAMES pattern=ball ! "$caps" ! \
		shmfbsink location="$N" 2>"$T/sink.log" & gp=$!
	PIDS="$PIDS $gp"
	wait_for "$N"
	"$S" cat "$N" --timeout 10 >"$T/got.raw" 2>"$T/cat.err" || fail "$F: cat: $(cat "$T/cat.err")"
	wait $gp || fail "$F: sink pipeline failed: $(grep -v ' DEBUG \| INFO ' "$T/sink.log" | tail -n 3)"
	frame_md5s "$T/ref.raw" "$fs" | tr '\n' ' ' >"$T/want"
	frame_md5s "$T/got.raw" "$fs" | tr '\n' ' ' >"$T/got"
	got=$(wc -w <"$T/got")
	# cat starts at the latest frame when it attaches: it may miss the first.
	[ "$got" -ge $((FRAMES - 2)) ] || fail "$F: cat got $got frames of $FRAMES"
	grep -qF "$(cat "$T/got")" "$T/want" || fail "$F: frames differ from videotestsrc's, or out of order"
	inplace=$(grep -c 'published in place' "$T/sink.log")
	copied=$(grep -c ': copied' "$T/sink.log")
	[ "$inplace" -eq $FRAMES ] && [ "$copied" -eq 0 ] ||
		fail "$F: $inplace frames published in place and $copied copied, want $FRAMES and 0"
	echo "ok: $F: $got frames bit-exact through shmfbsink and shmfb cat, all in place"
done

# Upstream without the pool (identity drops the allocation query): copied.
GST_DEBUG=shmfb:5 GST_DEBUG_NO_COLOR=1 gstl videotestsrc num-buffers=3 ! video/x-raw,format=I420,width=$W,height=$H ! \
	identity drop-allocation=true ! shmfbsink location="$N" sync=false 2>"$T/sink.log" ||
	fail "identity pipeline failed"
[ "$(grep -c ': copied' "$T/sink.log")" -eq 3 ] || fail "copy path not taken: $(grep -c ': copied' "$T/sink.log")"
echo "ok: buffers not from the pool are copied"

# ---- mode and keep
gstl videotestsrc num-buffers=1 ! shmfbsink location="$N-a" mode=0640 keep=true ||
	fail "keep pipeline failed"
[ "$(stat -c %a "/dev/shm/shmfb-$N-a")" = 640 ] || fail "mode=0640 gave $(stat -c %a "/dev/shm/shmfb-$N-a")"
"$S" info "$N-a" | grep -q closed || fail "kept mapping not closed: $("$S" info "$N-a")"
gstl videotestsrc num-buffers=1 ! shmfbsink location="$N-b"
[ -e "/dev/shm/shmfb-$N-b" ] && fail "the name stayed after EOS without keep"
echo "ok: mode, keep"

# ---- bad input: one GStreamer error naming what was wrong, nothing left behind
expect_error() { # expect_error WANT PIPELINE...
	want=$1; shift
	gstl "$@" >"$T/out" 2>&1 && fail "'$*' succeeded"
	grep -q "^ERROR: from element .*shmfbsink.*$want" "$T/out" ||
		fail "'$*': no error with '$want': $(cat "$T/out")"
	[ "$(grep -c '^ERROR: from element' "$T/out")" -le 2 ] || fail "'$*': repeated errors: $(cat "$T/out")"
}
(exec "$P" --size 320x240 --fps 10 "$N-c" 2>/dev/null) & pp=$!
PIDS="$PIDS $pp"
wait_for "$N-c"
expect_error "$N-c: in use by running producer pid $pp" videotestsrc num-buffers=2 ! shmfbsink location="$N-c"
"$S" info "$N-c" | grep -q "pid $pp" || fail "the producer's mapping was touched"
expect_error "caps not accepted: size 351x240: nv12 needs an even width" \
	videotestsrc num-buffers=2 ! video/x-raw,format=NV12,width=351,height=240 ! shmfbsink location="$N-d"
[ -e "/dev/shm/shmfb-$N-d" ] && fail "refused caps left a mapping"
expect_error "location: a..b: may not start with '.' or hold \"..\"" videotestsrc num-buffers=2 ! shmfbsink location=a..b
expect_error "no mapping given: set the location property" videotestsrc num-buffers=2 ! shmfbsink
expect_error "mode 0444: only permission bits, and the owner needs read and write" \
	videotestsrc num-buffers=2 ! shmfbsink location="$N-e" mode=0444
# replace takes it over
gstl videotestsrc num-buffers=2 ! shmfbsink location="$N-c" replace=true || fail "replace=true failed"
echo "ok: bad input"
echo "shmfbsink ok"
