#!/bin/sh
# viewer_colour.sh - the viewer honours the header's colour description.
# colorsrc publishes eight bars of 75% colours and mid tones encoded, from
# the definitions, with a stated matrix and range (rows padded to 64 bytes,
# so padded strides are covered too); the viewer's window (captured from
# outside with xwd) and its --screenshot must show the bars' own RGB within
# a rounding error, for BT.601 and BT.709 in limited and full range, BT.2020,
# and a header that says nothing (BT.709 limited assumed).  Read with the
# wrong matrix or range the bars are off by 10 or more.
#
# Tolerance per channel: mean 1, max 3 (8-bit Y'CbCr rounding, amplified
# by up to 2.2 in the conversion back; bar edges fall on even columns, so
# 4:2:x chroma never straddles two bars).
. "$(dirname "$0")/tools/viewer_env.sh"
COLORSRC="$SHMFB_BUILD/tests/tools/colorsrc"
[ -x "$COLORSRC" ] || { echo "missing $COLORSRC (make test builds it)"; exit 1; }
start_xvfb

W=336 H=240 # bars 42 pixels wide: every edge on an even column

# shows FORMAT MATRIX RANGE
shows() {
	c="$1-$2-$3"
	n=$(new_name "$c")
	"$COLORSRC" "$n" "$1" "$2" "$3" 64 30 $W $H "$TMP/want-$c.png" >"$TMP/p-$c.log" 2>&1 &
	P=$!
	track $P
	view_once "$n" "$c"
	kill $P
	wait $P
	within "$TMP/want-$c.png" "$TMP/ss-$c.png" 1 3
	within "$TMP/want-$c.png" "$TMP/win-$c.png" 1 3 --rgb
	echo "ok: $1 $2 $3"
}

shows nv12 bt601 limited
shows nv12 bt601 full
shows nv12 bt709 limited
shows nv12 bt709 full
shows i420 bt601 full
shows yuyv bt709 full
shows nv12 bt2020 limited
shows i420 unspecified unspecified
shows gray8 bt709 limited
echo "ok"
