#!/bin/sh
# viewer_fullscreen.sh - the f key, under a real window manager: Openbox in
# a private Xvfb (fullscreen is a request the window manager carries out;
# bare Xvfb ignores it).  f fills the 1280x800 screen with the frame
# letterboxed to its aspect, the picture stays live, and f again restores
# the window's size and place.
. "$(dirname "$0")/tools/viewer_env.sh"
command -v openbox >/dev/null 2>&1 || { echo "skip: openbox is not installed"; exit 77; }
start_xvfb
XKEY="$SHMFB_BUILD/tests/tools/xkey"
[ -x "$XKEY" ] || fail "missing $XKEY"
openbox --sm-disable >"$TMP/openbox.log" 2>&1 &
track $!
# Until Openbox manages the screen (it names itself on the root window):
# a window mapped before then is left to it half-handled.
i=0
until xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | grep -q 'window id'; do
	i=$((i + 1))
	[ $i -gt 100 ] && { cat "$TMP/openbox.log"; fail "openbox did not start within 10 s"; }
	sleep 0.1
done

n=$(new_name full)
T="shmfb-viewer: $n"
key() { "$XKEY" "$T" "$@" || fail "xkey $*"; }
# geometry: "X Y W H" of the viewer's window on the screen.
geometry() {
	xwininfo -name "$T" | awk '/Absolute upper-left X/ { x = $4 } /Absolute upper-left Y/ { y = $4 }
		/^ *Width:/ { w = $2 } /^ *Height:/ { h = $2 } END { print x, y, w, h }'
}
black() { # black FILE X Y: that pixel is black (letterbox)
	_p=$("$IMGTOOL" pixel "$1" "$2" "$3")
	case "$_p" in "0 0 0 "*) ;; *) fail "$(basename "$1") ($2,$3) is '$_p', not black" ;; esac
}
stamp_of() { "$IMGTOOL" stamp "$1" 2>/dev/null | cut -d' ' -f1; }

# A 16:9 frame in a 16:10 screen: 1280x720 at y 40, black bands above and below.
"$PRODUCER" --size 320x180 --fps 30 "$n" >"$TMP/p.log" 2>&1 &
track $!
"$VIEWER" --stats "$n" >"$TMP/v.out" 2>"$TMP/v.err" &
track $!
wait_window "$n"
wait_line "$TMP/v.out" "shown=[1-9]" 5
before=$(geometry)
note "windowed: $before"
set -- $before
[ "$3 $4" = "320 180" ] || fail "the window is $3x$4, not the frame's 320x180"

key f
i=0
while [ "$(geometry)" != "0 0 1280 800" ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(geometry)" = "0 0 1280 800" ] || fail "f: the window is at '$(geometry)', not the whole 1280x800 screen"
sleep 0.3 # the viewer's next frame, drawn at the new size
shot "$n" "$TMP/full1.png" || fail "xwd"
[ "$("$IMGTOOL" size "$TMP/full1.png")" = "1280 800" ] || fail "the fullscreen shot is $("$IMGTOOL" size "$TMP/full1.png")"
black "$TMP/full1.png" 640 20
black "$TMP/full1.png" 640 780
f1=$(stamp_of "$TMP/full1.png")
[ -n "$f1" ] || fail "no stamp in the fullscreen picture"
sleep 0.5
shot "$n" "$TMP/full2.png" || fail "xwd"
f2=$(stamp_of "$TMP/full2.png")
note "fullscreen shows frame $f1, then $f2"
[ -n "$f2" ] && [ "$f2" -gt "$f1" ] || fail "the fullscreen picture is not live ($f1, then '$f2')"

key f
i=0
while [ "$(geometry)" != "$before" ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(geometry)" = "$before" ] || fail "f again: the window is at '$(geometry)', not back at '$before'"
echo "ok"
