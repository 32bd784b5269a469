#!/bin/sh
# ffmpeg_colour.sh - the colour description reaches ffmpeg:
#
#   shmfb-producer --pattern bars -> shmfb cat -> ffmpeg $(shmfb cat --info) -> rgb24
#
# The red bar is pure red (255,0,0) in the producer's picture.  Decoded with
# the arguments `shmfb cat --info` gives (which now include the header's
# matrix and range: BT.709 limited), every sampled pixel of it must come
# back within 2 of (255,0,0) in nv12, i420 and yuyv; told nothing, ffmpeg
# assumes BT.601 and shows (231,0,1).  rgb24 must stay exact.  A --raw
# producer, which cannot know its bytes' colour, gives ffmpeg no colour
# options at all, unless it is told the colour (--colorspace ...): then
# shmfb info shows it and cat --info gives it to ffmpeg (ffprobe reads it
# back), also for input whose rows are padded (--row-align 4), which cat
# writes tight, as the input was before it was padded.
TAG=ffcol
. "$(dirname "$0")/tools/producer_env.sh"
command -v ffmpeg >/dev/null || { echo "ffmpeg not installed"; exit 77; }

W=320 H=240

# pixel X Y FILE: "R G B" of an rgb24 picture W wide
pixel() {
	dd if="$3" bs=1 skip=$((($2 * W + $1) * 3)) count=3 2>/dev/null | od -An -tu1 |
		awk '{ print $1, $2, $3 }'
}

red_bar() {
	fmt=$1 tol=$2
	"$P" --pattern bars --size ${W}x$H --format "$fmt" --fps 30 --frames 300 "$N" 2>"$T/producer.err" &
	pp=$!
	PIDS="$PIDS $pp"
	wait_for "$N"
	info=$("$S" cat "$N" --info) || fail "$fmt: cat --info failed"
	"$S" cat "$N" --frames 1 --timeout 5 >"$T/frame.raw" 2>"$T/cat.err" ||
		fail "$fmt: cat failed: $(cat "$T/cat.err")"
	kill $pp
	wait $pp 2>/dev/null
	# shellcheck disable=SC2086 # the arguments are meant to split
	ffmpeg -loglevel error $info -i "$T/frame.raw" -f rawvideo -pix_fmt rgb24 -y "$T/rgb.raw" ||
		fail "$fmt: ffmpeg refused cat --info's arguments: $info"
	# Inside the red bar (x in [5W/8, 6W/8)), between the moving box and the
	# grey ramp (y in (7H/12, 4H/5)), away from the bar's edges.
	for x in $((5 * W / 8 + W / 32)) $((11 * W / 16)) $((6 * W / 8 - W / 32)); do
		for y in $((13 * H / 20)) $((7 * H / 10)) $((3 * H / 4)); do
			rgb=$(pixel $x $y "$T/rgb.raw")
			echo "$rgb" | awk -v t="$tol" '{ d = $1 - 255; if (d < 0) d = -d;
				exit !(d <= t && $2 <= t && $3 <= t) }' ||
				fail "$fmt: red bar at ($x,$y) decoded as ($rgb), want (255,0,0) within $tol; ffmpeg was given: $info"
		done
	done
	echo "ok: $fmt: the red bar decodes to ($rgb) with: $info"
}

red_bar nv12 2
red_bar i420 2
red_bar yuyv 2
red_bar rgb24 0

# --raw: the colour is unspecified, and cat --info says nothing about it.
mkfifo "$T/in"
"$P" --raw --size ${W}x$H --format nv12 --fps 5 "$N" <"$T/in" 2>/dev/null &
pp=$!
PIDS="$PIDS $pp"
exec 3>"$T/in" # the producer runs until this end is closed
wait_for "$N"
info=$("$S" cat "$N" --info)
case "$info" in
*-color*) fail "--raw: cat --info claims a colour the producer cannot know: $info" ;;
esac
"$S" info "$N" | grep -q "colour: *matrix unspecified, range unspecified" ||
	fail "--raw: shmfb info: $("$S" info "$N" | grep colour)"
exec 3>&-
wait $pp
echo "ok: --raw: no colour claimed"

# --raw told its colour, rows padded to 4 bytes (i420 at width 350: luma
# rows of 350 bytes padded to 352, chroma rows of 175 to 176).
RW=350 RH=20
ffmpeg -loglevel error -f lavfi -i "testsrc2=size=${RW}x$RH:rate=30" -frames:v 1 -pix_fmt yuv420p \
	-f rawvideo -y "$T/tight.raw" || fail "ffmpeg testsrc2"
# pad ROW PADDED ROWS...: rows of ROW bytes to PADDED bytes, pad bytes 0xAA
python3 - "$T/tight.raw" "$T/padded.raw" <<'PY' || fail "padding the rows"
import sys
data, out, at = open(sys.argv[1], "rb").read(), bytearray(), 0
for row, padded, rows in ((350, 352, 20), (175, 176, 10), (175, 176, 10)):
    for _ in range(rows):
        out += data[at:at + row] + b"\xaa" * (padded - row)
        at += row
assert at == len(data)
open(sys.argv[2], "wb").write(out)
PY
"$P" --raw --size ${RW}x$RH --format i420 --fps 0 --keep --row-align 4 --colorspace bt709 \
	--color-range tv --color-trc bt709 --color-primaries bt470bg --chroma-sample-location left \
	"$N-b" <"$T/padded.raw" 2>"$T/producer.err" || fail "--raw --row-align 4: $(cat "$T/producer.err")"
"$S" info --json "$N-b" >"$T/info.json" || fail "info --json of the --raw mapping"
want='"color": {"matrix": "bt709", "range": "tv", "transfer": "bt709", "primaries": "bt470bg", "chroma_site": "left"}'
grep -qF "$want" "$T/info.json" || fail "--raw colour: info --json says $(cat "$T/info.json")"
grep -qF '"planes": [{"offset": 0, "stride": 352, "rows": 20}, {"offset": 7040, "stride": 176, "rows": 10}' \
	"$T/info.json" || fail "--row-align 4: info --json says $(cat "$T/info.json")"
info=$("$S" cat "$N-b" --info)
"$S" cat "$N-b" --frames 1 --timeout 5 >"$T/out.raw" 2>"$T/cat.err" || fail "cat: $(cat "$T/cat.err")"
cmp "$T/tight.raw" "$T/out.raw" || fail "--row-align 4: cat did not give back the frame before padding"
# shellcheck disable=SC2086 # the arguments are meant to split
got=$(ffprobe -v error $info -i "$T/out.raw" -of compact=p=0 \
	-show_entries stream=color_space,color_range,color_transfer,color_primaries,chroma_location) ||
	fail "ffprobe refused cat --info's arguments: $info"
[ "$got" = "color_range=tv|color_space=bt709|color_transfer=bt709|color_primaries=bt470bg|chroma_location=left" ] ||
	fail "ffmpeg was not given the stated colour: $got (cat --info: $info)"
echo "ok: --raw --row-align 4 with a stated colour: $info"
echo "ffmpeg_colour.sh ok"
