#!/bin/sh
# sample_box.sh - samples/box.c against the real producer: it saves the
# latest frame with a box drawn into its copy-on-write view, exactly the
# producer's picture plus the box (computed here), while a second reader
# (shmfb cat) still gets the producer's frame bit-exact; and its errors.
set -u
BOX=${SHMFB_BUILD:?SHMFB_BUILD not set}/samples/box
IMG=$SHMFB_BUILD/tests/tools/imgtool
[ -x "$BOX" ] && [ -x "$IMG" ] || { echo "build samples and tests/tools first (make test)"; exit 77; }
command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
DIR=$(mktemp -d "${TMPDIR:-/tmp}/sample_box.XXXXXX")
NAME=boxsh-$$
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }

# ---- errors: usage is 2, a missing mapping 1, one line prefixed each time
"$BOX" a b c >/dev/null 2>"$DIR/err"
[ $? -eq 2 ] || fail "three arguments did not exit 2"
grep -q '^sample-box: usage' "$DIR/err" && [ "$(wc -l <"$DIR/err")" -eq 1 ] || fail "usage: $(cat "$DIR/err")"
"$BOX" "nosuch-$$" "$DIR/x.ppm" >/dev/null 2>"$DIR/err"
[ $? -eq 1 ] || fail "a missing mapping did not exit 1"
grep -q "^sample-box: nosuch-$$: no such mapping" "$DIR/err" || fail "missing mapping: $(cat "$DIR/err")"
[ -e "$DIR/x.ppm" ] && fail "a picture was written for a missing mapping"

# ---- a still picture, published 30 times a second
"$IMG" gen "$DIR/pic.png" 320 240 7 opaque || fail "imgtool gen"
"$IMG" raw "$DIR/pic.png" >"$DIR/pic.raw" || fail "imgtool raw"
"$SHMFB_BIN/shmfb-producer" --size 320x240 --image "$DIR/pic.png" --fps 30 "$NAME" 2>"$DIR/prod.err" &
pid=$!
i=0
until "$SHMFB_BIN/shmfb" info "$NAME" >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "producer did not start: $(cat "$DIR/prod.err")"
	sleep 0.05
done

"$BOX" "$NAME" "$DIR/box.ppm" >"$DIR/out" 2>"$DIR/err" || fail "sample-box failed: $(cat "$DIR/err")"
grep -q "of $NAME with a box saved to $DIR/box.ppm" "$DIR/out" || fail "output: $(cat "$DIR/out")"
# A second reader after the box was drawn: the producer's frame, untouched.
"$SHMFB_BIN/shmfb" cat "$NAME" --frames 1 >"$DIR/frame.raw" 2>"$DIR/err" || fail "shmfb cat: $(cat "$DIR/err")"
cmp -s "$DIR/frame.raw" "$DIR/pic.raw" || fail "the producer's frame changed"

# The saved picture: the producer's pixels, red on the box's 4-pixel edge
# from a quarter to three quarters of each side.
python3 - "$DIR/pic.raw" "$DIR/box.ppm" <<'PY' || fail "saved picture differs"
import sys
W, H, T = 320, 240, 4
rgba = open(sys.argv[1], "rb").read()
ppm = open(sys.argv[2], "rb").read()
head = b"P6\n%d %d\n255\n" % (W, H)
assert ppm.startswith(head), ppm[:20]
got = ppm[len(head):]
x0, x1, y0, y1 = W // 4, W - W // 4, H // 4, H - H // 4
want = bytearray()
for y in range(H):
    for x in range(W):
        inside = x0 <= x < x1 and y0 <= y < y1
        edge = inside and (x < x0 + T or x >= x1 - T or y < y0 + T or y >= y1 - T)
        want += b"\xff\x00\x00" if edge else rgba[(y * W + x) * 4:(y * W + x) * 4 + 3]
bad = [i for i in range(len(want)) if got[i:i + 1] != want[i:i + 1]]
if len(got) != len(want) or bad:
    print("differs at %d bytes, first at byte %s" % (len(bad), bad[:1]))
    sys.exit(1)
PY
echo "ok"
