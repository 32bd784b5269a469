#!/bin/sh
# bench_iceoryx.sh - shmfb bench's zero-copy section beside iceoryx: the
# bench starts iox-roudi itself, runs its peer program (shmfb-bench-iceoryx)
# as a publisher and 1 then 4 subscribers, reports both transports, and
# stops RouDi afterwards.  Speed is not judged here (the machine may be
# loaded): only that every frame count and latency is measured and sane.
set -u
BIN=${SHMFB_BIN:?SHMFB_BIN not set}
command -v jq >/dev/null 2>&1 || { echo "jq is not installed (make deps-test)"; exit 77; }
command -v iox-roudi >/dev/null 2>&1 || { echo "iox-roudi is not installed (package iceoryx)"; exit 77; }
[ -x "$BIN/shmfb-bench-iceoryx" ] || { echo "shmfb-bench-iceoryx not built (libiceoryx-binding-c-dev)"; exit 77; }
pgrep -x iox-roudi >/dev/null && { echo "another iox-roudi runs on this machine"; exit 77; }
DIR=$(mktemp -d "${TMPDIR:-/tmp}/bench_iceoryx.XXXXXX")
trap 'rm -rf "$DIR"' EXIT INT TERM
fail() { echo "FAIL: $*"; cat "$DIR/table" "$DIR/err" 2>/dev/null | tail -30; exit 1; }

J="$DIR/b.json"
"$BIN/shmfb" bench --sections zerocopy --seconds 0.5 --json "$J" >"$DIR/table" 2>"$DIR/err" ||
	fail "bench exited $?"
check() { jq -e "$1" "$J" >/dev/null || fail "$2 ($1)"; }
for t in shmfb iceoryx; do
	check "[.zerocopy.runs[] | select(.transport == \"$t\") | .subscribers] == [1,4]" "$t rows"
done
check 'all(.zerocopy.runs[]; .ran and .fps > 0 and .fps <= .writer_fps * 1.05 and .latency.frames > 0 and
	.latency.min_ns <= .latency.p50_ns and .latency.p50_ns <= .latency.p99_ns and .latency.p99_ns <= .latency.max_ns)' \
	"every row measured"
# Paced at 240 f/s for 0.25 s: each subscriber saw frames of the paced phase, no more than published.
check 'all(.zerocopy.runs[]; .latency.frames <= .subscribers * 240 * 0.25 + .subscribers * 2)' "paced phase frame count"
grep -q 'iceoryx (WaitSet)' "$DIR/table" || fail "table lacks the iceoryx rows"
sleep 0.5
pgrep -x iox-roudi >/dev/null && fail "iox-roudi still runs after the bench"
echo "ok"
