#!/bin/sh
# cli_rm_dead.sh - `shmfb rm --dead` removes the names of producers that died
# (SIGKILL) and never one a producer holds, with real producer processes:
#  1. with names: a SIGKILLed producer's name goes; a running one's, a
#     stopped (stale) one's and a cleanly closed --keep one's stay;
#  2. without names, every dead name goes: run in a private /dev/shm (a
#     mount namespace) so that other tests' names on this machine are safe.
TAG=rmdead
. "$(dirname "$0")/tools/producer_env.sh"

# start NAME ARGS...: a producer of NAME in the background, once it is there.
start() {
	n=$1
	shift
	"$P" --size 32x32 --fps 30 "$@" "$n" >"$T/$n.log" 2>&1 &
	PIDS="$PIDS $!"
	LAST=$!
	wait_for "$n"
}
exists() { "$S" info "$1" >/dev/null 2>&1; }
# A stopped producer must be continued to end on the cleanup's SIGTERM.
trap 'for p in $PIDS; do kill -CONT "$p" 2>/dev/null; done; cleanup' EXIT

if [ "${1:-}" != --private ]; then
	# --- 1. named
	start "$N-a"
	start "$N-b"
	kill -KILL $LAST
	wait $LAST 2>/dev/null
	start "$N-d"
	kill -STOP $LAST
	"$P" --size 32x32 --fps 0 --frames 1 --keep "$N-c" >"$T/c.log" 2>&1 || fail "producer --keep"
	"$S" ls | grep -q "^$N-b  *dead" || { "$S" ls; fail "the killed producer's name is not listed as dead"; }
	"$S" rm --dead "$N-a" "$N-b" "$N-c" "$N-d" >"$T/rm.out" 2>"$T/rm.err" ||
		{ cat "$T/rm.err"; fail "rm --dead NAME... failed"; }
	cat "$T/rm.out" "$T/rm.err"
	exists "$N-b" && fail "rm --dead left the killed producer's name"
	exists "$N-a" || fail "rm --dead removed a running producer's name"
	exists "$N-d" || fail "rm --dead removed a stopped (stale) producer's name"
	exists "$N-c" || fail "rm --dead removed a name its producer closed and kept"
	grep -q "^removed $N-b " "$T/rm.out" || fail "rm --dead did not say what it removed"
	[ "$(wc -l <"$T/rm.out")" -eq 1 ] || fail "rm --dead said it removed more than one name"
	[ -s "$T/rm.err" ] && fail "rm --dead complained about names it had to keep"

	# --- 2. every name, in a private /dev/shm
	if ! unshare --mount sh -c 'mount -t tmpfs shmfb-test /dev/shm' 2>"$T/unshare.err"; then
		note=$(cat "$T/unshare.err")
		echo "part 2 skipped: no private /dev/shm here ($note)"
		echo ok
		exit 0
	fi
	unshare --mount sh -c 'mount -t tmpfs shmfb-test /dev/shm && exec sh "$0" --private' "$0"
	exit $?
fi

# (in the private /dev/shm)
start "$N-e"
start "$N-f"
kill -KILL $LAST
wait $LAST 2>/dev/null
start "$N-g"
kill -KILL $LAST
wait $LAST 2>/dev/null
[ "$("$S" ls | grep -c ' dead ')" -eq 2 ] || { "$S" ls; fail "two dead names expected before rm --dead"; }
"$S" rm --dead >"$T/all.out" 2>"$T/all.err" || { cat "$T/all.err"; fail "rm --dead failed"; }
cat "$T/all.out"
exists "$N-f" && fail "rm --dead left $N-f, whose producer was killed"
exists "$N-g" && fail "rm --dead left $N-g, whose producer was killed"
exists "$N-e" || fail "rm --dead removed a running producer's name"
[ "$(wc -l <"$T/all.out")" -eq 2 ] || fail "rm --dead should have said it removed two names"
echo ok
