#!/bin/sh
# viewer_keys.sh - the viewer's keys and window in a private Xvfb, driven by
# tests/tools/xkey (key events and resizes sent with plain Xlib):
# space freezes the picture while the producer goes on, s saves the frozen
# frame as received (equal to the window's pixels), a resized window
# letterboxes with the frame's aspect, 1 shows the frame pixel-exact in the
# middle, i draws the overlay clear of the stamp band, q quits cleanly.
# (f is tested in viewer_fullscreen.sh, under a window manager.)
. "$(dirname "$0")/tools/viewer_env.sh"
start_xvfb
XKEY="$SHMFB_BUILD/tests/tools/xkey"
[ -x "$XKEY" ] || fail "missing $XKEY"

stamp_of() { "$IMGTOOL" stamp "$1" 2>/dev/null | cut -d' ' -f1; }
same() { # same A B [--rgb]: identical pictures
	_d=$("$IMGTOOL" diff "$1" "$2" $3)
	[ "$_d" = "max=0 mean=0.0000" ] || fail "$(basename "$1") and $(basename "$2") differ: $_d"
}
black() { # black FILE X Y: that pixel is black (letterbox)
	_p=$("$IMGTOOL" pixel "$1" "$2" "$3")
	case "$_p" in "0 0 0 "*) ;; *) fail "$(basename "$1") ($2,$3) is '$_p', not black" ;; esac
}

n=$(new_name keys)
T="shmfb-viewer: $n"
key() { "$XKEY" "$T" "$@" || fail "xkey $*"; }
"$PRODUCER" --size 640x360 --fps 30 "$n" >"$TMP/p.log" 2>&1 &
track $!
# In $TMP, where the s key saves its screenshots.
(cd "$TMP" && exec "$VIEWER" --stats --stats-json "$TMP/keys.json" "$n") >"$TMP/v.out" 2>"$TMP/v.err" &
V=$!
track $V
wait_window "$n"
wait_line "$TMP/v.out" "shown=[1-9]" 5

# --- space: frozen picture, the producer goes on
key space
shot "$n" "$TMP/frozen1.png" || fail "xwd"
p1=$(published "$n")
sleep 0.7
shot "$n" "$TMP/frozen2.png" || fail "xwd"
p2=$(published "$n")
f=$(stamp_of "$TMP/frozen1.png")
note "frozen at frame $f; the producer went from $p1 to $p2 frames meanwhile"
[ -n "$f" ] || fail "no stamp in the frozen window"
[ "$(stamp_of "$TMP/frozen2.png")" = "$f" ] || fail "the frozen picture changed"
[ "$p2" -gt "$p1" ] || fail "the producer did not go on"

# --- s: the frozen frame as received, which the 1:1 window shows exactly
key s
wait_line "$TMP/v.out" "saved screenshot shmfb-$n-$f.png" 3
saved="$TMP/shmfb-$n-$f.png"
[ "$(stamp_of "$saved")" = "$f" ] || fail "the saved screenshot is not frame $f"
[ "$("$IMGTOOL" size "$TMP/frozen2.png")" = "640 360" ] || fail "the window was not sized to the frame"
same "$saved" "$TMP/frozen2.png" --rgb

# --- resized: letterboxed, aspect kept (640x360 in 1000x600 is 1000x563 at y 18)
key pos=0,0 size=1000x600 # all on the 1280x800 screen, so xwd sees all of it
shot "$n" "$TMP/letterbox.png" || fail "xwd"
[ "$("$IMGTOOL" size "$TMP/letterbox.png")" = "1000 600" ] || fail "the window did not resize"
black "$TMP/letterbox.png" 500 5
black "$TMP/letterbox.png" 500 594
[ "$(stamp_of "$TMP/letterbox.png")" = "$f" ] || fail "no frame $f in the letterboxed window"

# --- 1: pixel-exact, centred: the window's middle is the saved frame
key 1
shot "$n" "$TMP/exact.png" || fail "xwd"
"$IMGTOOL" crop "$TMP/exact.png" 180 120 640 360 "$TMP/exact-mid.png" || fail "crop"
same "$saved" "$TMP/exact-mid.png" --rgb
black "$TMP/exact.png" 100 300
black "$TMP/exact.png" 900 300
key 1

# --- i: the overlay, drawn below the stamp band (still frozen, so comparable)
shot "$n" "$TMP/plain.png" || fail "xwd"
key i
"$IMGTOOL" crop "$TMP/plain.png" 0 440 400 160 "$TMP/plain-bl.png"
# The viewer draws it on its next pass: give a busy machine up to 3 s.
i=0
while :; do
	shot "$n" "$TMP/overlay.png" || fail "xwd"
	"$IMGTOOL" crop "$TMP/overlay.png" 0 440 400 160 "$TMP/overlay-bl.png"
	d=$("$IMGTOOL" diff "$TMP/plain-bl.png" "$TMP/overlay-bl.png")
	[ "$d" != "max=0 mean=0.0000" ] || [ $i -ge 30 ] && break
	i=$((i + 1))
	sleep 0.1
done
note "bottom left without and with the overlay: $d"
[ "$d" != "max=0 mean=0.0000" ] || fail "i drew no overlay"
"$IMGTOOL" crop "$TMP/plain.png" 0 0 1000 160 "$TMP/plain-top.png"
"$IMGTOOL" crop "$TMP/overlay.png" 0 0 1000 160 "$TMP/overlay-top.png"
same "$TMP/plain-top.png" "$TMP/overlay-top.png"

# --- space again: live, with the overlay on
key space
sleep 0.5
shot "$n" "$TMP/live.png" || fail "xwd"
g=$(stamp_of "$TMP/live.png")
[ -n "$g" ] && [ "$g" -gt "$f" ] || fail "unfrozen window shows '$g', not a frame after $f"

# --- q: quits, status 0, statistics written
key q
i=0
while kill -0 $V 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 $V 2>/dev/null && fail "q did not quit"
wait $V
rc=$?
[ $rc = 0 ] || { cat "$TMP/v.err"; fail "exit status $rc after q"; }
[ "$(json_num "$TMP/keys.json" frames_shown)" -gt 0 ] || fail "no statistics after q"
echo "ok"
