#!/bin/sh
# producer.sh - shmfb-producer and shmfb cat from the outside: bad option
# values, every picture format stb_image reads, corrupt, truncated and
# oversized pictures, slideshows, animated GIFs, signals, --keep, and the
# ways shmfb cat ends.  Pictures are made here with ImageMagick.
TAG=prodsh
. "$(dirname "$0")/tools/producer_env.sh"
command -v convert >/dev/null || { echo "ImageMagick (convert) not installed"; exit 77; }

# ---- bad option values: exit 2 and one line naming the option
want='--size 0x10: width must be at least 1';  expect_usage --size 0x10 x
want='height must be at least 1';              expect_usage --size 10x0 x
want='nv12 needs an even width';               expect_usage --size 641x480 --format nv12 x
want='i420 needs an even height';              expect_usage --size 640x481 --format i420 x
want='yuyv needs an even width';               expect_usage --size 641x480 --format yuyv x
want='width is limited to';                    expect_usage --size 99999999999999999999999x10 x
want='height is limited to';                   expect_usage --size 10x4294967297 x
want='height is limited to';                   expect_usage --size 16x16385 x
want='--size 12by10';                          expect_usage --size 12by10 x
want='--size x10';                             expect_usage --size x10 x
want='--format foo: unknown format';           expect_usage --format foo x
want='--fps -1: must not be negative';         expect_usage --fps -1 x
want='--fps abc';                              expect_usage --fps abc x
want='--frames 0';                             expect_usage --frames 0 x
want='--frames -3';                            expect_usage --frames -3 x
want='--hold 0';                               expect_usage --image a.png --hold 0 x
want='--hold is only for --image';             expect_usage --hold 2 x
want='--pattern nope';                         expect_usage --pattern nope x
want='only one source';                        expect_usage --image a.png --raw x
want='--colorspace is only for --raw';         expect_usage --colorspace bt709 x
want='--row-align is only for --raw';          expect_usage --row-align 4 x
want='values: rgb, smpte170m, bt709, bt2020nc'; expect_usage --raw --colorspace bt601 x
want='--color-range full: unknown value';      expect_usage --raw --color-range full x
want='--row-align 3: expected a power of two'; expect_usage --raw --row-align 3 x
want='--row-align 8192';                       expect_usage --raw --row-align 8192 x
want='colour matrix 1 is unknown or not for nv12'; expect_usage --raw --format nv12 --colorspace rgb "$N-x" </dev/null
want='chroma site 1 is unknown or not for rgba'; expect_usage --raw --chroma-sample-location left "$N-x" </dev/null
want='--size needs a value';                   expect_usage x --size
want="unknown option '--bogus'";               expect_usage --bogus x
want='no mapping NAME';                        expect_usage --fps 30
want='one NAME only';                          expect_usage a b
long=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
want='';                                       expect_usage "$long"
want='';                                       expect_usage 'no spaces allowed'
echo "ok: bad options"

# ---- every picture format stb_image reads loads and publishes
convert -size 48x32 gradient:red-blue "$T/g.png"
for ext in png jpg bmp gif tga psd hdr ppm pgm; do
	convert "$T/g.png" "$T/g.$ext" 2>/dev/null || fail "convert to $ext"
	"$P" --size 64x48 --fps 0 --frames 2 --image "$T/g.$ext" "$N-a" 2>"$T/err" ||
		fail "$ext did not load: $(cat "$T/err")"
done
convert -size 40x30 xc:'rgba(255,0,0,0.5)' "$T/alpha.png"
"$P" --size 64x48 --fps 0 --frames 1 --image "$T/alpha.png" "$N-a" || fail "alpha png"
echo "ok: png jpg bmp gif tga psd hdr ppm pgm"

# ---- corrupt, truncated and oversized pictures: exit 1, one line naming the file
expect_bad_image() {
	f=$1; shift
	"$P" --size 64x48 --fps 0 --frames 1 --image "$f" "$N-b" >"$T/out" 2>"$T/err"; rc=$?
	[ $rc -eq 1 ] || fail "$f: exit $rc, want 1 ($(cat "$T/err"))"
	[ "$(wc -l <"$T/err")" -eq 1 ] || fail "$f: not one line: $(cat "$T/err")"
	grep -q "^shmfb-producer: $f: " "$T/err" || fail "$f: file not named: $(cat "$T/err")"
	for w in "$@"; do grep -q -- "$w" "$T/err" || fail "$f: '$w' not in: $(cat "$T/err")"; done
	"$S" info "$N-b" >/dev/null 2>&1 && fail "$f: a mapping was left behind"
	return 0
}
convert -size 256x256 plasma:fractal "$T/big.png" 2>/dev/null || convert -size 256x256 xc:gray +noise Random "$T/big.png"
head -c 2000 "$T/big.png" >"$T/truncated.png"
head -c 30 "$T/big.png" >"$T/header-only.png"
convert -size 256x256 xc:gray +noise Random "$T/noise.jpg"
head -c 700 "$T/noise.jpg" >"$T/truncated.jpg"
head -c 4000 /dev/urandom >"$T/random.png"
: >"$T/empty.png"
expect_bad_image "$T/truncated.png"
expect_bad_image "$T/header-only.png"
expect_bad_image "$T/truncated.jpg"
expect_bad_image "$T/random.png"
expect_bad_image "$T/empty.png"
expect_bad_image "$T/missing.png" "No such file"
# Headers claiming 12000x12000 (PNG), 20000x100 (PNG) and 16000x16000 (BMP)
# pixels: refused before decoding, so even a small address-space limit is
# fine; and one of 100000x100000, which stb_image itself refuses.
png_header() { # WIDTH_BYTES HEIGHT_BYTES as octal escapes
	printf "\211PNG\r\n\032\n\000\000\000\015IHDR$1$2\010\006\000\000\000\000\000\000\000"
	head -c 64 /dev/zero
}
png_header '\000\000\056\340' '\000\000\056\340' >"$T/huge.png"
png_header '\000\000\116\040' '\000\000\000\144' >"$T/wide.png"
png_header '\000\001\206\240' '\000\001\206\240' >"$T/enormous.png"
printf 'BM\000\000\000\000\000\000\000\000\066\000\000\000\050\000\000\000\200\076\000\000\200\076\000\000\001\000\040\000\000\000\000\000' >"$T/huge.bmp"
head -c 100 /dev/zero >>"$T/huge.bmp"
for f in "$T/huge.png" "$T/wide.png" "$T/huge.bmp" "$T/enormous.png"; do
	# (sanitizers reserve terabytes of address space: no limit under them)
	(if [ -z "${SAN:-}" ]; then ulimit -v 400000; fi
	 "$P" --size 64x48 --fps 0 --frames 1 --image "$f" "$N-b") >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -eq 1 ] || fail "$f: exit $rc: $(cat "$T/err")"
	grep -q "^shmfb-producer: $f: " "$T/err" || fail "$f: $(cat "$T/err")"
	case $f in
	*enormous*) ;;
	*) grep -q "over the limit" "$T/err" || fail "$f: $(cat "$T/err")" ;;
	esac
done
echo "ok: corrupt, truncated and oversized pictures"

# ---- a slideshow skips a bad picture with a warning and goes on
mkdir "$T/show"
convert -size 32x24 xc:red "$T/show/1.png"
cp "$T/truncated.png" "$T/show/2.png"
convert -size 32x24 xc:blue "$T/show/3.bmp"
"$P" --size 32x24 --format rgb24 --fps 20 --image "$T/show" --hold 0.2 "$N-c" 2>"$T/err" &
PIDS="$PIDS $!"; pp=$!
wait_for "$N-c"
"$S" cat "$N-c" --frames 16 >"$T/show.raw" || fail "cat of slideshow"
kill -TERM $pp; wait $pp || fail "slideshow producer exit"
grep -q "$T/show/2.png: .*skipped" "$T/err" || fail "no warning for the bad slide: $(cat "$T/err")"
# first pixel of each frame: both good pictures appear
od -An -v -tx1 -w2304 "$T/show.raw" | awk '{print $1 $2 $3}' | sort -u >"$T/colours"
grep -q ff0000 "$T/colours" && grep -q 0000ff "$T/colours" || fail "slides seen: $(cat "$T/colours")"
echo "ok: slideshow"

# ---- an animated GIF plays with its own delays (100 ms a frame here)
convert -delay 10 -size 32x24 xc:red xc:lime xc:blue -loop 0 "$T/anim.gif"
"$P" --size 32x24 --format rgb24 --fps 30 --image "$T/anim.gif" "$N-d" 2>"$T/err" &
PIDS="$PIDS $!"; pp=$!
wait_for "$N-d"
"$S" cat "$N-d" --frames 24 >"$T/anim.raw" || fail "cat of gif"
kill -INT $pp; wait $pp || fail "gif producer exit (SIGINT)"
od -An -v -tx1 -w2304 "$T/anim.raw" | awk '{print $1 $2 $3}' | uniq >"$T/seq"
# 24 frames at 30 fps is 0.8 s: the colours cycle red, lime, blue in order
tr '\n' ' ' <"$T/seq" | grep -Eq 'ff0000 00ff00 0000ff|00ff00 0000ff ff0000|0000ff ff0000 00ff00' ||
	fail "gif frames: $(tr '\n' ' ' <"$T/seq")"
[ "$(wc -l <"$T/seq")" -ge 6 ] || fail "gif changed too rarely: $(tr '\n' ' ' <"$T/seq")"
echo "ok: animated gif"

# ---- SIGTERM with --keep: closed, name kept
"$P" --size 64x48 --fps 10 --keep "$N-e" 2>"$T/err" &
PIDS="$PIDS $!"; pp=$!
wait_for "$N-e"
kill -TERM $pp; wait $pp || fail "--keep producer exit"
"$S" info "$N-e" >"$T/info" 2>&1 || fail "--keep: name gone"
grep -q closed "$T/info" || fail "--keep: not closed: $(cat "$T/info")"
"$S" rm "$N-e"
echo "ok: --keep"

# ---- shmfb cat
"$P" --size 64x48 --format i420 --fps 30 "$N-f" 2>/dev/null &
PIDS="$PIDS $!"; pp=$!
wait_for "$N-f"
[ "$("$S" cat "$N-f" --info)" = "-f rawvideo -pixel_format yuv420p -video_size 64x48 -framerate 30/1 -colorspace bt709 -color_range tv -color_trc iec61966-2-1 -color_primaries bt709 -chroma_sample_location center" ] ||
	fail "cat --info: $("$S" cat "$N-f" --info)"
# a closed pipe ends cat quietly with 0
{ "$S" cat "$N-f" 2>"$T/cat.err"; echo $? >"$T/cat.rc"; } | head -c 100 >/dev/null
[ "$(cat "$T/cat.rc")" = 0 ] || fail "cat into a closed pipe: exit $(cat "$T/cat.rc")"
[ -s "$T/cat.err" ] && fail "cat into a closed pipe said: $(cat "$T/cat.err")"
"$S" cat "$N-f" --frames 0 >/dev/null 2>&1; [ $? -eq 2 ] || fail "cat --frames 0"
"$S" cat "$N-f" --timeout -1 >/dev/null 2>&1; [ $? -eq 2 ] || fail "cat --timeout -1"
"$S" cat "$N-f" --bogus >/dev/null 2>&1; [ $? -eq 2 ] || fail "cat --bogus"
# a missing name is waited for (a pipeline may start its reader first), up to --timeout
"$S" cat "$N-missing" --timeout 0.3 >/dev/null 2>"$T/cat.err"; [ $? -eq 1 ] || fail "cat of a missing name"
grep -q "did not appear within 0.3 s" "$T/cat.err" || fail "cat of a missing name said: $(cat "$T/cat.err")"
kill -TERM $pp; wait $pp
# the producer closing ends cat with 0, every frame whole
"$P" --size 64x48 --format nv12 --fps 30 --frames 15 "$N-f" 2>/dev/null &
PIDS="$PIDS $!"; pp=$!
wait_for "$N-f"
"$S" cat "$N-f" >"$T/all.raw" 2>"$T/cat.err" || fail "cat after close: $(cat "$T/cat.err")"
wait $pp
size=$(wc -c <"$T/all.raw")
[ "$size" -gt 0 ] && [ $((size % 4608)) -eq 0 ] || fail "cat wrote $size bytes, not whole nv12 64x48 frames"
# no frame within --timeout: exit 1 with a message
sleep 8 | "$P" --size 64x48 --raw "$N-g" 2>"$T/raw.err" &
pp=$!
PIDS="$PIDS $pp"
wait_for "$N-g"
"$S" cat "$N-g" --timeout 0.5 >"$T/none.raw" 2>"$T/cat.err"; rc=$?
[ $rc -eq 1 ] || fail "cat --timeout: exit $rc"
grep -q "no new frame within" "$T/cat.err" || fail "cat --timeout said: $(cat "$T/cat.err")"
[ -s "$T/none.raw" ] && fail "cat --timeout wrote frames"
# blocked on stdin past the 3 s heartbeat timeout, the producer still counts as running
sleep 3.5
"$S" info "$N-g" | grep -q "running" || fail "producer waiting on stdin went stale: $("$S" info "$N-g")"
# and SIGTERM ends the wait: exit 0, name removed
kill -TERM $pp; wait $pp; rc=$?
[ $rc -eq 0 ] || fail "SIGTERM while reading stdin: exit $rc ($(cat "$T/raw.err"))"
"$S" info "$N-g" >/dev/null 2>&1 && fail "name left after SIGTERM"
echo "ok: cat"
echo "producer.sh ok"
