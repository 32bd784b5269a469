#!/bin/sh
# producer_audio.sh - shmfb-producer's --mode and audio options from the
# outside: the mapping's permission bits (shared memory and file-backed),
# bad values, and ffmpeg reading `shmfb cat --audio` with the arguments
# `shmfb cat --audio --info` prints.  (The samples themselves are checked by
# test_producer_audio_posix.)
TAG=paudiosh
. "$(dirname "$0")/tools/producer_env.sh"

want='--mode 9: expected octal';                 expect_usage --mode 9 x
want='--mode 01777: only permission bits';       expect_usage --mode 01777 x
want='--mode abc: expected octal';               expect_usage --mode abc x
want='--mode 0444: the owner needs read and write'; expect_usage --mode 0444 x
want='--mode needs a value';                     expect_usage x --mode
want='--audio beep: expected tone';              expect_usage --audio beep x
want='--audio tone=abc';                         expect_usage --audio tone=abc x
want='below half the rate';                      expect_usage --audio tone=30000 --audio-rate 48000 x
want='--audio-rate 100: expected a whole number from 8000 to 192000'; expect_usage --audio tone --audio-rate 100 x
want='--audio-channels 9';                       expect_usage --audio tone --audio-channels 9 x
want='--audio-format s24: expected s16 or f32';  expect_usage --audio tone --audio-format s24 x
want='need --audio';                             expect_usage --audio-rate 48000 x
want='--av-sync needs the pattern source';       expect_usage --av-sync --raw x
want='--av-sync needs a frame rate';             expect_usage --av-sync --fps 0 x
want='a WAV file has its own';                   expect_usage --audio wav=x.wav --audio-channels 2 x
echo "ok: bad values"

# ---- --mode: exactly those bits, whatever the umask
for mode in 0600 0640 0644 0660; do
	(umask 077; exec "$P" --size 64x48 --fps 10 --mode $mode "$N-a" 2>/dev/null) & PIDS="$PIDS $!"
	wait_for "$N-a"
	got=$(stat -c %a "/dev/shm/shmfb-$N-a") || fail "no /dev/shm/shmfb-$N-a"
	[ "0$got" = "$mode" ] || [ "$got" = "$mode" ] || fail "--mode $mode: /dev/shm has $got"
	f="$T/file.shmfb"
	(umask 077; exec "$P" --size 64x48 --fps 10 --mode $mode "$f" 2>/dev/null) & PIDS="$PIDS $!"
	wait_for "$f"
	got=$(stat -c %a "$f")
	[ "0$got" = "$mode" ] || fail "--mode $mode: the file has $got"
	for p in $PIDS; do kill "$p"; wait "$p"; done; PIDS=
done
(exec "$P" --size 64x48 --fps 10 "$N-a" 2>/dev/null) & PIDS="$PIDS $!"
wait_for "$N-a"
[ "$(stat -c %a "/dev/shm/shmfb-$N-a")" = 600 ] || fail "default mode is not 0600"
for p in $PIDS; do kill "$p"; wait "$p"; done; PIDS=
echo "ok: --mode"

# ---- shmfb cat --audio: --info, refusing a mapping without audio, ffmpeg reads it
"$P" --size 64x48 --fps 10 --audio tone=440 --audio-rate 44100 --audio-channels 1 --audio-format f32 \
	"$N-b" 2>/dev/null & PIDS="$PIDS $!"
(exec "$P" --size 64x48 --fps 10 "$N-c" 2>/dev/null) & PIDS="$PIDS $!"
wait_for "$N-b"
wait_for "$N-c"
info=$("$S" cat "$N-b" --audio --info) || fail "cat --audio --info"
[ "$info" = "-f f32le -ar 44100 -ac 1" ] || fail "cat --audio --info says '$info'"
"$S" cat "$N-c" --audio --info >/dev/null 2>"$T/err" && fail "cat --audio of a mapping without audio"
grep -q "carries no audio" "$T/err" || fail "no audio: $(cat "$T/err")"
"$S" cat "$N-b" --seconds 1 >/dev/null 2>"$T/err"; [ $? -eq 2 ] || fail "--seconds without --audio"
if command -v ffmpeg >/dev/null; then
	# shellcheck disable=SC2086 # the arguments are meant to split
	"$S" cat "$N-b" --audio --seconds 1 | ffmpeg -nostdin -v error $info -i pipe:0 -f f32le "$T/out.raw" \
		2>"$T/ff" || fail "ffmpeg: $(cat "$T/ff")"
	[ -s "$T/ff" ] && fail "ffmpeg complained: $(cat "$T/ff")"
	# Decoded and written again: one second of mono float.
	size=$(wc -c <"$T/out.raw")
	[ "$size" -eq 176400 ] || fail "ffmpeg decoded $size bytes, want 176400"
	echo "ok: ffmpeg reads shmfb cat --audio ($size bytes)"
else
	echo "ffmpeg not installed: not checked"
fi
echo "producer audio options ok"
