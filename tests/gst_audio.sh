#!/bin/sh
# gst_audio.sh - audio through the plugin, sample-exact, with real processes:
#   - a tone from audiotestsrc into shmfbaudiosink beside a shmfbsink ->
#     shmfb cat --audio: exactly audiotestsrc's samples (the same source
#     written by filesink), none lost, none repeated;
#   - shmfb-producer --audio wav=F (noise ffmpeg made, played in a loop) ->
#     shmfbaudiosrc -> filesink: exactly the file's samples, looped;
#   - shmfb-producer --av-sync -> shmfbsrc + shmfbaudiosrc: each white
#     frame's PTS and its click's within 1 ms;
#   - shmfbaudiosrc on a mapping without audio, shmfbaudiosink without a
#     shmfbsink: errors naming it.
TAG=gstaudio
. "$(dirname "$0")/tools/gst_env.sh"

# ---- a tone through shmfbaudiosink, read by shmfb cat --audio
ACAPS=audio/x-raw,format=S16LE,rate=48000,channels=2
TONE="audiotestsrc wave=sine freq=440 samplesperbuffer=960 num-buffers=150"
gstl $TONE ! $ACAPS ! filesink location="$T/tone.ref" || fail "tone reference"
gstl videotestsrc num-buffers=30 ! video/x-raw,width=64,height=48,framerate=10/1 ! shmfbsink location="$N" \
	$TONE ! $ACAPS ! shmfbaudiosink location="$N" 2>"$T/sink.err" & gp=$!
PIDS="$PIDS $gp"
wait_for "$N"
info=$("$S" cat "$N" --audio --info) || fail "cat --audio --info"
[ "$info" = "-f s16le -ar 48000 -ac 2" ] || fail "the ring is '$info', want s16le 48000 2"
"$S" cat "$N" --audio --timeout 10 >"$T/tone.got" 2>"$T/cat.err" || fail "cat --audio: $(cat "$T/cat.err")"
wait $gp || fail "tone pipeline: $(cat "$T/sink.err")"
[ -s "$T/cat.err" ] && fail "cat --audio said: $(cat "$T/cat.err")"
"$GT" pcmmatch "$T/tone.ref" "$T/tone.got" 4 48000 || fail "the tone read back is not audiotestsrc's"
echo "ok: a tone through shmfbaudiosink is read back sample-exact by shmfb cat --audio"

# ---- shmfb-producer --audio wav= -> shmfbaudiosrc -> filesink
command -v ffmpeg >/dev/null || { echo "ffmpeg not installed: the rest needs its noise"; exit 77; }
ffmpeg -nostdin -y -loglevel error -f lavfi -i "anoisesrc=seed=7:amplitude=0.5:duration=0.7:sample_rate=44100" \
	-ac 1 -c:a pcm_s16le "$T/noise.wav" || fail "ffmpeg noise"
ffmpeg -nostdin -y -loglevel error -i "$T/noise.wav" -f s16le "$T/noise.raw" || fail "ffmpeg raw"
(exec "$P" --size 64x48 --fps 10 --audio wav="$T/noise.wav" "$N-a" 2>"$T/p.err") & pa=$!
PIDS="$PIDS $pa"
wait_for "$N-a"
# About 2.5 s, until the producer closes: that is EOS.
gstl shmfbaudiosrc location="$N-a" ! audio/x-raw,format=S16LE,rate=44100,channels=1 ! \
	filesink location="$T/noise.got" >"$T/src.err" 2>&1 &
gp=$!
PIDS="$PIDS $gp"
sleep 2.5
kill -INT $pa
wait $pa
wait $gp || fail "shmfbaudiosrc pipeline: $(cat "$T/src.err")"
"$GT" pcmmatch "$T/noise.raw" "$T/noise.got" 2 44100 || fail "shmfbaudiosrc's samples are not the WAV's"
echo "ok: shmfb-producer --audio wav= through shmfbaudiosrc is sample-exact"

# ---- A/V sync: flash and click within 1 ms in PTS
(exec "$P" --size 160x120 --format gray8 --fps 30 --av-sync "$N-b" 2>"$T/p.err") & pb=$!
PIDS="$PIDS $pb"
wait_for "$N-b"
timeout -k 2 30 "$GT" avsync "$N-b" 3.6 >"$T/avsync" 2>&1 || fail "avsync: $(cat "$T/avsync")"
cat "$T/avsync"
echo "ok: flashes and clicks within 1 ms through shmfbsrc and shmfbaudiosrc"

# ---- bad input
(exec "$P" --size 64x48 --fps 10 "$N-c" 2>/dev/null) & PIDS="$PIDS $!"
wait_for "$N-c"
gstl shmfbaudiosrc location="$N-c" ! fakesink >"$T/out" 2>&1 && fail "audio from a mapping without audio"
grep -q "^ERROR: from element .*shmfbaudiosrc.*: $N-c: the mapping carries no audio" "$T/out" ||
	fail "no error: $(cat "$T/out")"
gstl audiotestsrc num-buffers=5 ! shmfbaudiosink location="$N-d" >"$T/out" 2>&1 &&
	fail "shmfbaudiosink without a shmfbsink succeeded"
grep -q "^ERROR: from element .*shmfbaudiosink.*: $N-d: no shmfbsink with this location in the process" "$T/out" ||
	fail "no error: $(cat "$T/out")"
echo "ok: bad input"
echo "gst audio ok"
