#!/bin/sh
# viewer_nosound.sh - shmfb-viewer on machines without real sound:
#  1. SDL's dummy audio driver (SDL_AUDIODRIVER=dummy, common in headless CI)
#     plays a mapping's audio without corrupting memory: SDL 2.26 rounds the
#     dummy device's buffer to a power of two but allocates the size asked
#     for, so a 480-frame request overflowed its buffer (make test
#     SAN=address,undefined runs this viewer under ASan);
#  2. ALSA without a sound card: the viewer says so in one line of its own,
#     none of ALSA's, and goes on showing pictures.  Where ALSA opens even a
#     card that does not exist, part 2 cannot run: exit 77 (skip).
. "$(dirname "$0")/tools/viewer_env.sh"
unset DISPLAY WAYLAND_DISPLAY

# --- 1. the dummy driver, s16 stereo and f32 mono (480 frames of 10 ms each)
for fmt in s16:2 f32:1; do
	n=$(new_name dummy-${fmt%:*})
	"$PRODUCER" --size 160x120 --fps 30 --audio tone --audio-rate 48000 \
		--audio-format "${fmt%:*}" --audio-channels "${fmt#*:}" "$n" >"$TMP/p.log" 2>&1 &
	P=$!
	track $P
	for run in 1 2 3; do
		SDL_AUDIODRIVER=dummy "$VIEWER" --headless --frames 20 --timeout 20 \
			--stats-json "$TMP/d.json" "$n" >"$TMP/d.out" 2>"$TMP/d.err"
		rc=$?
		[ $rc -eq 0 ] || { cat "$TMP/d.err"; fail "$fmt run $run: the viewer with SDL_AUDIODRIVER=dummy exited $rc"; }
		grep -q '"state": "playing"' "$TMP/d.json" ||
			{ cat "$TMP/d.json" "$TMP/d.err"; fail "$fmt: the dummy device did not play"; }
		! grep -Eq 'AddressSanitizer|runtime error|invalid pointer' "$TMP/d.err" ||
			{ cat "$TMP/d.err"; fail "$fmt: memory error with the dummy driver"; }
	done
	kill $P
	note "dummy driver, $fmt: 3 runs clean"
done

# --- 2. ALSA with no card: one line, ours
n=$(new_name alsa)
"$PRODUCER" --size 160x120 --fps 30 --audio tone "$n" >"$TMP/p.log" 2>&1 &
P=$!
track $P
SDL_AUDIODRIVER=alsa ALSA_CARD=shmfb_no_such_card AUDIODEV=hw:CARD=shmfb_no_such_card \
	"$VIEWER" --headless --frames 10 --timeout 20 "$n" >"$TMP/a.out" 2>"$TMP/a.err" ||
	{ cat "$TMP/a.err"; fail "the viewer without a sound card should still show its frames"; }
kill $P
cat "$TMP/a.err"
if [ ! -s "$TMP/a.err" ]; then
	# Part 2 is the only test of the no-sound-card line (docs/RELIABILITY.md
	# has a row for each part): when it cannot run, the test is a skip, not a
	# pass, and its line says that part 1 passed.
	echo "skip: part 2 cannot run here: ALSA opened a device for a card that does not exist (part 1, the dummy driver, passed)"
	exit 77
fi
! grep -q '^ALSA lib' "$TMP/a.err" || fail "ALSA's own lines reached stderr"
[ "$(wc -l <"$TMP/a.err")" -eq 1 ] || fail "more than one line on stderr without a sound card"
grep -q '^shmfb-viewer: no sound: ' "$TMP/a.err" || fail "the one line is not the viewer's 'no sound' line"
echo "ok"
