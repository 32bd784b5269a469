#!/bin/sh
# soak.sh - `make soak`: SOAK_SECONDS (default 600) of a 1920x1080 producer at
# 240 fps with four reader processes and the viewer in a private Xvfb.
# Reports every process's resident memory and open descriptors after a
# warm-up and at the end, and the frames the readers found torn (a frame's
# stamp disagreeing with its slot's frame number).  Exits 1 if memory grew
# by more than 2 MiB in any process, a descriptor count changed, or a torn
# frame was seen.
set -u
B=${BUILD:-build}
BIN=$B/bin
SECS=${SOAK_SECONDS:-600}
WARM=10
NAME=soak-$$
OUT=$(mktemp -d /tmp/shmfb-soak.XXXXXX)
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	[ -n "${XVFB:-}" ] && kill "$XVFB" 2>/dev/null
	"$BIN/shmfb" rm "$NAME" >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 1' INT TERM

D=$(( $$ % 300 + 500 ))
Xvfb ":$D" -screen 0 1920x1080x24 -nolisten tcp >"$OUT/xvfb.log" 2>&1 &
XVFB=$!
sleep 1
"$BIN/shmfb-producer" "$NAME" --size 1920x1080 --fps 240 --pattern bars >"$OUT/producer.log" 2>&1 &
PRODUCER=$!
PIDS="$PRODUCER"
for i in 1 2 3 4; do
	"$B/tests/tools/soak_reader" "$NAME" >"$OUT/reader$i.json" 2>"$OUT/reader$i.log" &
	PIDS="$PIDS $!"
done
DISPLAY=":$D" "$BIN/shmfb-viewer" "$NAME" --no-vsync --stats-json "$OUT/viewer.json" >"$OUT/viewer.log" 2>&1 &
VIEWER=$!
PIDS="$PIDS $VIEWER"

sample() { # sample FILE: "pid rss_kB fds" per process
	for p in $PIDS; do
		rss=$(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null)
		fds=$(ls "/proc/$p/fd" 2>/dev/null | wc -l)
		echo "$p ${rss:-gone} $fds $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-60)"
	done >"$1"
}

echo "soak: $SECS s of 1920x1080 at 240 fps, 4 readers and the viewer (output in $OUT)" >&2
sleep $WARM
sample "$OUT/start"
left=$((SECS - WARM))
while [ $left -gt 0 ]; do
	step=$((left < 60 ? left : 60))
	sleep $step
	left=$((left - step))
	echo "soak: $((SECS - left)) s" >&2
done
sample "$OUT/end"
published=$("$BIN/shmfb" info "$NAME" --json | sed -n 's/.*"published": \([0-9]*\).*/\1/p')
kill -TERM "$VIEWER" "$PRODUCER"
wait "$PRODUCER" 2>/dev/null
sleep 2
kill -TERM $PIDS 2>/dev/null
for p in $PIDS; do wait "$p" 2>/dev/null; done
PIDS=

status=0
echo "process                                                       rss start  rss end   fds start/end"
while read -r pid r1 f1 rest; do
	r2=$(awk -v p="$pid" '$1 == p {print $2}' "$OUT/end")
	f2=$(awk -v p="$pid" '$1 == p {print $3}' "$OUT/end")
	cmd=$(awk -v p="$pid" '$1 == p {$1=$2=$3=""; print}' "$OUT/start" | cut -c1-55)
	printf '%-60s %8s kB %8s kB %5s/%s\n' "$cmd" "$r1" "$r2" "$f1" "$f2"
	if [ "$r2" = gone ] || [ "$r1" = gone ] || [ $((r2 - r1)) -gt 2048 ] || [ "$f1" != "$f2" ]; then
		echo "  ^ grew or went away"
		echo bad >>"$OUT/verdict"
	fi
done <"$OUT/start"
[ -s "$OUT/verdict" ] && status=1
torn=0
for i in 1 2 3 4; do
	line=$(cat "$OUT/reader$i.json")
	echo "reader $i: $line"
	t=$(echo "$line" | sed -n 's/.*"torn": \([0-9]*\).*/\1/p')
	torn=$((torn + ${t:-1}))
done
echo "viewer: $(cat "$OUT/viewer.json" 2>/dev/null | tr -d '\n' | cut -c1-300)"
echo "producer published ${published:-?} frames in $SECS s ($(( ${published:-0} / SECS )) a second)"
echo "torn frames: $torn"
[ $torn -eq 0 ] || status=1
[ $status -eq 0 ] && echo "soak: passed" || echo "soak: FAILED"
exit $status
