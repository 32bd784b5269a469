#!/bin/sh
# gst_recipes.sh - docs/GSTREAMER.md's screen and recording recipes, as
# written there (the network ones are tests/gst_net.sh):
#   - the screen: ximagesrc of a private Xvfb -> shmfbsink: frames of the
#     screen's size, read back by shmfb cat;
#   - recording: shmfbsrc -> H.264 -> mp4mux -> filesink, finished by the
#     producer's close (EOS): ffprobe counts the frames, and the first
#     decoded frame's stamp is the producer's first frame number.
TAG=gstrecipe
. "$(dirname "$0")/tools/gst_env.sh"

# ---- the screen
if command -v Xvfb >/dev/null && gst-inspect-1.0 ximagesrc >/dev/null 2>&1; then
	d=$(( ($$ % 400) + 200 ))
	Xvfb ":$d" -screen 0 320x200x24 -nolisten tcp >/dev/null 2>&1 & PIDS="$PIDS $!"
	i=0
	until [ -e "/tmp/.X11-unix/X$d" ]; do
		i=$((i + 1)); [ $i -gt 100 ] && fail "Xvfb :$d did not start"; sleep 0.05
	done
	gstl ximagesrc display-name=":$d" use-damage=false num-buffers=40 ! videoconvert ! \
		video/x-raw,format=BGRA,framerate=10/1 ! shmfbsink location="$N" >"$T/screen.out" 2>&1 & gp=$!
	PIDS="$PIDS $gp"
	wait_for "$N"
	"$S" info "$N" | grep -q '^format: *320x200 bgra' || fail "screen mapping: $("$S" info "$N")"
	"$S" cat "$N" --frames 5 --timeout 5 >"$T/screen.raw" || fail "cat of the screen"
	[ "$(wc -c <"$T/screen.raw")" -eq $((320 * 200 * 4 * 5)) ] || fail "screen frames: $(wc -c <"$T/screen.raw") bytes"
	wait $gp || fail "screen pipeline: $(cat "$T/screen.out")"
	echo "ok: the screen (ximagesrc) into shmfbsink"
else
	echo "Xvfb or ximagesrc not installed: the screen recipe not checked"
fi

# ---- recording to MP4
ENC=
for e in x264enc openh264enc; do gst-inspect-1.0 $e >/dev/null 2>&1 && { ENC=$e; break; }; done
[ -n "$ENC" ] || { echo "no H.264 encoder (x264enc or openh264enc): recording not checked"; exit 77; }
(exec "$P" --size 320x240 --fps 15 --frames 45 "$N-a" 2>/dev/null) & pp=$!
PIDS="$PIDS $pp"
wait_for "$N-a"
# shellcheck disable=SC2086 # the encoder's name is one word
gstl -e shmfbsrc location="$N-a" ! videoconvert ! $ENC ! h264parse ! mp4mux ! filesink location="$T/rec.mp4" \
	>"$T/rec.out" 2>&1 || fail "recording: $(cat "$T/rec.out")"
wait $pp
frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
	-of csv=p=0 "$T/rec.mp4") || fail "ffprobe"
# The source attached after the producer started: it starts at the latest frame.
[ "$frames" -ge 35 ] && [ "$frames" -le 45 ] || fail "the MP4 has $frames frames, want 35 to 45"
# Every recorded frame's stamp decodes, in order, the last the producer's last (44).
IMG="$SHMFB_BUILD/tests/tools/imgtool"
[ -x "$IMG" ] || fail "imgtool not built (make test builds it)"
mkdir "$T/png"
# Each frame in the file once: by default ffmpeg fills a gap (a frame the
# source skipped for a newer one, under load) by repeating the frame before.
ffmpeg -nostdin -loglevel error -i "$T/rec.mp4" -fps_mode passthrough "$T/png/%03d.png" || fail "ffmpeg decode"
for f in "$T"/png/*.png; do "$IMG" stamp "$f" || echo none; done >"$T/stamps"
[ "$(wc -l <"$T/stamps")" -eq "$frames" ] || fail "ffmpeg decoded $(wc -l <"$T/stamps") frames of $frames"
awk '{ n = $1 + 0; if ($1 == "none" || (NR > 1 && n <= prev)) bad = 1; prev = n }
     END { exit bad || prev != 44 }' "$T/stamps" || fail "stamps of the recording: $(paste -sd' ' "$T/stamps")"
echo "ok: recording with $ENC to MP4: $frames frames, ended by the producer's close"
echo "gst recipes ok"
