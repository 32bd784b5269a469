# producer_env.sh - sourced by tests/producer.sh, producer_audio.sh and
# ffmpeg_roundtrip.sh: the programs, a temporary directory T, mapping names
# N and N-a ... N-g (removed at exit with every process listed in PIDS), and
# the checks they share.  Set TAG before sourcing it.
# (Not a test itself: tests/run.sh runs only tests/*.sh.)
set -u
: "${SHMFB_BIN:?run through tests/run.sh}"
P="$SHMFB_BIN/shmfb-producer"
S="$SHMFB_BIN/shmfb"
[ -x "$P" ] || { echo "shmfb-producer not built"; exit 77; }
T=$(mktemp -d "/tmp/shmfb-$TAG-test.XXXXXX")
N=t-$TAG-$$
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	for s in "" -a -b -c -d -e -f -g; do "$S" rm "$N$s" >/dev/null 2>&1; done
	rm -rf "$T"
}
# A signal ends the test (cleanup then runs once, at exit) instead of
# resuming it after a cleanup, with its processes already gone.
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fail() { echo "FAIL: $*"; exit 1; }

# wait_for NAME: until the mapping exists (5 s)
wait_for() {
	i=0
	until "$S" info "$1" >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -gt 100 ] && fail "$1 never appeared"; sleep 0.05
	done
}

# expect_usage ARGS...: the producer exits 2 with one line on stderr, naming
# the program and containing $want, and writes nothing to stdout.
expect_usage() {
	"$P" "$@" >"$T/out" 2>"$T/err"; rc=$?
	[ $rc -eq 2 ] || fail "'$*': exit $rc, want 2 ($(cat "$T/err"))"
	[ "$(wc -l <"$T/err")" -eq 1 ] || fail "'$*': not one line: $(cat "$T/err")"
	grep -q '^shmfb-producer: ' "$T/err" || fail "'$*': no program prefix: $(cat "$T/err")"
	[ -n "$want" ] && { grep -q -- "$want" "$T/err" || fail "'$*': '$want' not in: $(cat "$T/err")"; }
	[ -s "$T/out" ] && fail "'$*': wrote to stdout"
	return 0
}
