#!/bin/sh
# bench_quick.sh - `shmfb bench --quick` runs, writes the documented JSON keys
# (docs/PERFORMANCE.md) with sane values, draws its SVG, removes its mapping
# names, and rejects bad options.  Speed itself is not checked here: the
# machine may be loaded; the numbers only have to be consistent.
set -u
BIN=${SHMFB_BIN:?SHMFB_BIN not set}/shmfb
command -v jq >/dev/null 2>&1 || { echo "jq is not installed (make deps-test)"; exit 77; }
# Under ThreadSanitizer every 8 MB copy is instrumented: a reader on a loaded
# machine finished no frame within a --quick round, so the rate checks below
# would judge TSan, not shmfb.  The plain and ASan/UBSan suites run this test.
case "${SHMFB_BUILD:-}" in *san-thread*) echo "not run under ThreadSanitizer (its copies are too slow for --quick rounds)"; exit 77 ;; esac
DIR=$(mktemp -d "${TMPDIR:-/tmp}/bench_quick.XXXXXX")
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	[ -n "$pid" ] && for f in /dev/shm/shmfb-bench-"$pid"-*; do [ -e "$f" ] && rm -f "$f"; done
	rm -rf "$DIR"
}
trap cleanup EXIT INT TERM
fail() {
	echo "FAIL: $*"
	[ -s "$DIR/table" ] && cat "$DIR/table"
	exit 1
}

# --- usage errors: exit 2, one line naming what was wrong, nothing run
for args in "--size 0x10" "--size 640" "--format nope" "--seconds -1" "--readers 0" \
	"--readers 33" "--sections bogus" "--frobnicate" "--json"; do
	# shellcheck disable=SC2086
	"$BIN" bench $args >"$DIR/out" 2>"$DIR/err"
	rc=$?
	[ $rc -eq 2 ] || fail "'bench $args' exited $rc, want 2"
	grep -q '^shmfb: bench: ' "$DIR/err" || fail "'bench $args' error not prefixed: $(cat "$DIR/err")"
	[ "$(wc -l <"$DIR/err")" -eq 1 ] || fail "'bench $args' printed more than one line"
done
"$BIN" bench --size 3x3 --format nv12 >/dev/null 2>"$DIR/err"
[ $? -eq 2 ] || fail "odd size for nv12 accepted"
"$BIN" bench --quick --json "$DIR/no/such/dir/x.json" >/dev/null 2>"$DIR/err"
[ $? -eq 1 ] || fail "unwritable --json did not exit 1"
grep -q 'x.json' "$DIR/err" || fail "unwritable --json error does not name the file"
"$BIN" bench --help | grep -q -- '--quick' || fail "--help does not describe --quick"

# --- a quick run (smaller frames under sanitizers, whose memcpy is slow)
J="$DIR/b.json"
W=1920 H=1080 SMALL=
if [ -n "${SAN:-}" ]; then W=320 H=240 SMALL="--size 320x240 --seconds 0.5"; fi
# shellcheck disable=SC2086
"$BIN" bench --quick $SMALL --json "$J" >"$DIR/table" 2>"$DIR/progress" &
pid=$!
wait "$pid"
rc=$?
[ $rc -eq 0 ] || { cat "$DIR/progress"; fail "bench --quick exited $rc"; }
ls /dev/shm/shmfb-bench-"$pid"-* >/dev/null 2>&1 && fail "mapping names left in /dev/shm"
pid=
jq -e . "$J" >/dev/null || fail "JSON does not parse"
grep -q '^shmfb bench: latency' "$DIR/progress" || fail "no progress on stderr"
for s in '1. latency' '2. throughput' '3. readers' '4. peers' '5. copy-on-write' '6. paced delivery' \
	'7. zero-copy' 'targets'; do
	grep -q "$s" "$DIR/table" || fail "table lacks '$s'"
done

q() { jq -r "$1" "$J"; }
check() { # check JQ-BOOLEAN-EXPRESSION DESCRIPTION
	jq -e "$1" "$J" >/dev/null || fail "$2 ($1)"
}
check '.schema == "shmfb-bench/1"' "schema"
check ".config.width == $W and .config.height == $H and .config.format == \"rgba\"" "size"
check ".config.frame_bytes == $W*$H*4 and .config.quick == true" "config"
check '.machine.cpus >= 1 and (.machine.kernel | length) > 0 and (.machine.pinned | type) == "boolean"' "machine"

# What may distort the run is reported before anything else.
head -3 "$DIR/table" | grep -q '^what may distort it: load [0-9.]* [0-9.]* [0-9.]*' || fail "no load line at the top"
head -3 "$DIR/table" | grep -q 'transparent huge pages .*memory [0-9.]* GiB free' || fail "no THP/memory line at the top"
check '.machine.load5 >= 0 and .machine.mem_available_mb > 0 and (.machine.steal_visible | type) == "boolean"' \
	"machine environment"

# Every rate: the median of >= 5 rounds between its min and max; unstable exactly
# when the rounds spread by more than 20 % of the median, and then with a reason.
spreads='[.throughput.sizes[].gbps[], .throughput.zero_copy_spread_ns, .throughput.futex_wake_spread_ns,
	.readers[].writer_fps_spread, (.peers[] | select(.ran and .fps_spread.rounds > 0) | .fps_spread)]'
check "$spreads | length >= 14" "spreads reported"
check "all($spreads[]; .rounds >= 5 and .min <= .median and .median <= .max)" "median inside min..max"
# (the JSON rounds to 4 decimals: a hair's tolerance at the border)
check "all($spreads[]; if .unstable then (.max - .min) > 0.199 * .median else (.max - .min) <= 0.201 * .median end)" \
	"unstable is a spread over 20 %"
check "all($spreads[]; (.unstable | not) or (.why | length) > 0)" "unstable says why"
check 'all(.throughput.sizes[]; .publish_gbps == .gbps.publish.median and .memcpy_gbps == .gbps.memcpy.median)' \
	"the GB/s columns are the medians"
check 'all(.targets[]; (.unstable | type) == "boolean")' "targets say whether an input was unstable"

# Latency: every mode measured every frame, quantiles in order.
for m in futex futex_floor poll poll_floor; do
	check ".latency.$m.frames >= .config.latency_frames - .latency.lost_frames" "latency.$m frames"
	check ".latency.$m | .min_ns <= .p50_ns and .p50_ns <= .p90_ns and .p90_ns <= .p99_ns and
		.p99_ns <= .p999_ns and .p999_ns <= .max_ns and .p50_ns > 0 and .mean_ns > 0" "latency.$m order"
done
check '.latency.futex_p50_ratio > 0 and .latency.futex_p99_ratio > 0' "latency ratios"
check '(.latency.futex_p50_ratio - .latency.futex.p50_ns / .latency.futex_floor.p50_ns) | fabs < 0.001' \
	"futex_p50_ratio is futex p50 / floor p50"

# Throughput: the three standard sizes, sizes computed here.
check '[.throughput.sizes[] | "\(.width)x\(.height) \(.format)"] |
	index(["640x480 rgba","1920x1080 rgba","3840x2160 rgba"]) == 0' "throughput sizes"
check 'all(.throughput.sizes[]; .frame_bytes == .width * .height * 4)' "throughput frame bytes"
check 'all(.throughput.sizes[]; .publish_fps > 0 and .publish_gbps > 0 and .memcpy_gbps > 0 and
	.memcpy3_gbps > 0 and .memcpy_huge_gbps > 0)' "throughput positive"
check 'all(.throughput.sizes[]; ((.publish_gbps * 1e9 / .frame_bytes) - .publish_fps | fabs) < .publish_fps * 0.01)' \
	"GB/s and frames/s agree"
check 'all(.throughput.sizes[]; (.ratio - .publish_gbps / .memcpy_gbps | fabs) < 0.001)' "ratio"
check '.throughput.zero_copy_ns > 0 and .throughput.futex_wake_ns > 0' "zero-copy cost"
check '.throughput.publish_page_faults >= 0 and (.throughput.reader_huge_pages | type) == "boolean"' "faults"

# Readers: 1, 2, 4, 8; one entry per reader.
check '[.readers[].readers] == [1,2,4,8]' "reader counts"
check 'all(.readers[]; (.reader_fps | length) == .readers and (.reader_p99_ns | length) == .readers)' \
	"per-reader arrays"
check 'all(.readers[]; .writer_fps > 0 and all(.reader_fps[]; . >= 0)) and .readers[0].reader_fps[0] > 0' \
	"reader rates"
# A reader's rate is its frames over all rounds; the writer's is the median of
# its rounds, which rounds that differ (a sanitizer, a loaded machine) put
# below that mean: no reader may beat the writer's fastest round.
check 'all(.readers[]; (.reader_fps | max) <= .writer_fps_spread.max * 1.05)' "no reader gets more frames than written"
check '.readers[0].writer_vs_one == 1' "writer_vs_one of the first run"

# Peers: shmfb, pipe and socket ran; gstreamer either ran or says why not.
for p in shmfb pipe unix_socket; do
	check ".peers.$p.ran == true and .peers.$p.fps > 0 and .peers.$p.latency.frames > 0" "peers.$p"
	check ".peers.$p.latency | .p50_ns <= .p99_ns and .p99_ns <= .max_ns" "peers.$p latency order"
	check ".peers.$p.fps <= .peers.$p.writer_fps * 1.05" "peers.$p receives no more than sent"
done
for p in gstreamer_shm gstreamer_shmfb; do
	check ".peers.$p.ran == true and .peers.$p.fps > 0 and .peers.$p.fps <= .peers.$p.writer_fps * 1.05 or
		(.peers.$p.ran | not) and (.peers.$p.note | length) > 0" "peers.$p ran or says why not"
done

# Copy-on-write views: 1080p rgba whatever --size, pages counted here, each share
# of the copy computed from the two times it divides.
check '.writecopy.ran == true and .writecopy.width == 1920 and .writecopy.height == 1080' "writecopy size"
check '.writecopy.pages == ((1920*1080*4 + 4095) / 4096 | floor) and .writecopy.frame_bytes == 1920*1080*4' "writecopy pages"
check '[.writecopy.views[].percent] == [0,1,10,100] and
	[.writecopy.views[].pages_written] == [0,20,203,2025]' "writecopy shares"
check '.writecopy.copy_ns as $c | all(.writecopy.views[]; .ns > 0 and ((.of_copy - .ns / $c) | fabs) < 0.001)' \
	"writecopy of_copy is ns / copy_ns"
check '.writecopy.copy_ns > 0 and .writecopy.read_in_place_ns > 0 and .writecopy.read_view_ns > 0' \
	"writecopy times"
check 'all(.writecopy.views[]; .floor_ns > 0) and .writecopy.views[0].floor_ns < .writecopy.views[3].floor_ns' \
	"writecopy floor: the bare mapping's writes measured, more pages cost more"
check '(.targets[] | select(.name == "writecopy_1pct_vs_copy") | .value) - .writecopy.views[1].of_copy | fabs < 0.001' \
	"writecopy target is the 1 % view over the copy"

# Targets: all fifteen named, each judged or marked not evaluated.
check '[.targets[].name] == ["copy_publish_1080p_vs_memcpy","copy_publish_4k_vs_memcpy","zero_copy_ns",
	"futex_p50_vs_floor","futex_p99_vs_floor","poll_p50_ns","frames_vs_pipe_1080p",
	"writer_8_readers_vs_1","frame_path_page_faults","writecopy_1pct_vs_copy","delivery_1080p_4_readers_fps",
	"delivery_4k_2_readers_fps","delivery_rate_vs_peers","delivery_p99_vs_peers","zerocopy_p50_vs_iceoryx"]' "target names"
check 'all(.targets[]; (.evaluated | not) and .met == null or (.met | type) == "boolean")' "target verdicts"

# Paced delivery: shmfb both ways, a pipe and a socket, to 1 and 2 readers, each
# fraction received / frames due; a rate is tried only after the one below it was
# lossless; the lossless rate is the highest such rate, recomputed here.
D='.delivery.runs'
for t in shmfb shmfb_latest pipe unix_socket; do
	for k in 1 2; do
		check "[$D[] | select(.transport == \"$t\" and .readers == $k and .rate_fps == 60)] | length == 1" \
			"delivery $t to $k readers at 60 f/s"
	done
done
check "all($D[]; .ran and (.received | length) == .readers and (.fraction | length) == .readers)" "per-reader arrays"
check "all($D[]; . as \$r | all(range(.readers); (\$r.fraction[.] - \$r.received[.] / \$r.frames | fabs) < 1e-4))" \
	"fraction is received / frames due"
check "all($D[]; all(.received[]; . >= 0) and (.received | max) <= .frames and .frames > 0)" "no reader gets more than due"
# On schedule: the writer never more than 4 frame periods behind (unpaced runs have no schedule).
check "all($D[]; .on_schedule == (.rate_fps == 0 or .writer_lag_max_ns <= 4e9 / .rate_fps))" \
	"on schedule is a writer lag of at most 4 periods"
check "all($D[]; .lossless == (.on_schedule and all(.fraction[]; . >= 0.999)))" \
	"lossless is every reader >= 99.9 % with the writer on schedule"
check "all($D[]; .rounds == 1 and .lossless_rounds == (if .lossless then 1 else 0 end))" "--quick runs each rate once"
check "all($D[]; all(.latency[]; .frames == 0 or (.p50_ns <= .p99_ns and .p99_ns <= .max_ns)))" "delivery latency order"
check "$D as \$all | all(\$all[]; . as \$r | .rate_fps == 60 or any(\$all[]; .transport == \$r.transport and .readers == \$r.readers
	and .width == \$r.width and .format == \$r.format and .rate_fps < \$r.rate_fps and .lossless))" \
	"a rate runs only after a lower one lost nothing"
check "$D as \$all | all(.delivery.lossless[]; . as \$l | .max_fps == ([\$all[] | select(.transport == \$l.transport and
	.readers == \$l.readers and .width == \$l.width and .format == \$l.format and .rate_fps > 0 and .lossless) | .rate_fps] + [0] | max))" \
	"lossless rate is the highest lossless run"

# Zero-copy: shmfb with 1 and 4 subscribers (iceoryx is not in --quick: it says so).
check '[.zerocopy.runs[] | select(.transport == "shmfb") | .subscribers] == [1,4]' "zerocopy shmfb rows"
check 'all(.zerocopy.runs[]; .ran and .fps > 0 and .fps <= .writer_fps * 1.05 and .latency.frames > 0 and
	.latency.p50_ns <= .latency.p99_ns and .fps_spread.rounds >= 5)' "zerocopy rows measured"
check '(.zerocopy.note | test("iceoryx"))' "zerocopy says what it did with iceoryx"

# The picture.
svg=$(q .svg)
[ "$svg" = "$DIR/b.svg" ] || fail "svg written to '$svg', want beside the JSON"
head -c 4 "$svg" | grep -q '<svg' || fail "svg does not start with <svg"
[ "$(grep -c '<polyline' "$svg")" -eq 4 ] || fail "svg lacks the four latency curves"

# --- an interrupted run leaves no mapping names and no processes behind
# (forked children keep the parent's command line, so the unique path finds them)
"$BIN" bench --seconds 5 --json "$DIR/interrupted.json" >/dev/null 2>&1 &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid"
sleep 0.5
ls /dev/shm/shmfb-bench-"$pid"-* >/dev/null 2>&1 && fail "interrupted run left mapping names"
pgrep -f "$DIR/interrupted.json" >/dev/null && fail "interrupted run left processes"
pid=
echo "ok"
