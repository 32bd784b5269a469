#!/bin/sh
# viewer_formats.sh - every pixel format shows the same picture.  A picture
# made by imgtool is published by `shmfb-producer --image` in each format;
# the viewer runs in a private Xvfb, its window is captured from outside
# (xwd) and its --screenshot is written at exit.
#
# Tolerances (per channel, 0..255):
#   rgba, bgra, rgb24   window and --screenshot equal the source exactly
#                       (the screenshot in RGBA, alpha included)
#   gray8               equal to the source's BT.709 luma within 1
#                       (--screenshot) or 2 (window)
#   nv12, i420, yuyv    within mean 2 / max 24 of the source (4:2:x chroma
#                       of smooth gradients plus rounding), and the window
#                       within 3 of the --screenshot (SDL's YUV conversion
#                       and the viewer's agree)
. "$(dirname "$0")/tools/viewer_env.sh"
start_xvfb

W=320 H=240
"$IMGTOOL" gen "$TMP/src.png" $W $H 7 opaque || fail "imgtool gen"
"$IMGTOOL" luma "$TMP/src.png" "$TMP/luma.png" || fail "imgtool luma"

for f in rgba bgra rgb24 gray8 nv12 i420 yuyv; do
	n=$(new_name "$f")
	"$PRODUCER" --image "$TMP/src.png" --size ${W}x$H --format $f --fps 20 "$n" >"$TMP/p-$f.log" 2>&1 &
	P=$!
	track $P
	view_once "$n" $f
	kill $P
	wait $P
	[ "$("$IMGTOOL" size "$TMP/win-$f.png")" = "$W $H" ] || fail "$f: the window is not ${W}x$H"
	case $f in
	rgba | bgra | rgb24)
		within "$TMP/src.png" "$TMP/ss-$f.png" 0 0
		within "$TMP/src.png" "$TMP/win-$f.png" 0 0 --rgb
		;;
	gray8)
		within "$TMP/luma.png" "$TMP/ss-$f.png" 1 1
		within "$TMP/luma.png" "$TMP/win-$f.png" 2 2 --rgb
		;;
	*)
		within "$TMP/src.png" "$TMP/ss-$f.png" 2 24
		within "$TMP/src.png" "$TMP/win-$f.png" 2 24 --rgb
		within "$TMP/ss-$f.png" "$TMP/win-$f.png" 1 3 --rgb
		;;
	esac
done
echo "ok"
