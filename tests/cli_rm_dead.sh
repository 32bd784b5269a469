#!/bin/sh
# cli_rm_dead.sh - `shmfb rm --dead` removes the names of producers that died
# (SIGKILL) and never one a producer holds, with real producer processes:
#  1. with names: a SIGKILLed producer's name goes; a running one's, a
#     stopped (stale) one's and a cleanly closed --keep one's stay, and each
#     name it leaves, or that does not exist, is said in one line (status 1);
#  2. without names, every dead name goes, and the names it leaves are not
#     mentioned: run in a private /dev/shm (a mount namespace) so that other
#     tests' names on this machine are safe.  Where no mount namespace can be
#     made, part 2 is skipped and the test passes on part 1, saying so last.
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
	# A name that does not exist first: it is said, and the others still handled.
	"$S" rm --dead "$N-none" "$N-a" "$N-b" "$N-c" "$N-d" >"$T/rm.out" 2>"$T/rm.err"
	rc=$?
	cat "$T/rm.out" "$T/rm.err"
	exists "$N-b" && fail "rm --dead left the killed producer's name"
	exists "$N-a" || fail "rm --dead removed a running producer's name"
	exists "$N-d" || fail "rm --dead removed a stopped (stale) producer's name"
	exists "$N-c" || fail "rm --dead removed a name its producer closed and kept"
	grep -q "^removed $N-b " "$T/rm.out" || fail "rm --dead did not say what it removed"
	[ "$(wc -l <"$T/rm.out")" -eq 1 ] || fail "rm --dead said it removed more than one name"
	# Each NAME given that it left: one line of the program's, and status 1.
	[ $rc -eq 1 ] || fail "rm --dead with names it could not remove exited $rc, want 1"
	[ "$(wc -l <"$T/rm.err")" -eq 4 ] || fail "rm --dead: want one line on stderr for each of the 4 names it left"
	grep -qx "shmfb: $N-none: no such mapping" "$T/rm.err" || fail "rm --dead did not say the missing name is missing"
	grep -qx "shmfb: $N-a: not removed: producer pid [0-9]* is running" "$T/rm.err" ||
		fail "rm --dead did not say why it left the running producer's name"
	grep -Eqx "shmfb: $N-d: not removed: producer pid [0-9]+ is (running|alive but stale)" "$T/rm.err" ||
		fail "rm --dead did not say why it left the stopped producer's name"
	grep -qx "shmfb: $N-c: not removed: its producer closed it and kept the name (plain shmfb rm removes it)" \
		"$T/rm.err" || fail "rm --dead did not say why it left the closed --keep name"
	# Status 0 and not a word on stderr when every name given is removed.
	start "$N-e"
	kill -KILL $LAST
	wait $LAST 2>/dev/null
	"$S" rm --dead "$N-e" >"$T/e.out" 2>"$T/e.err" || { cat "$T/e.err"; fail "rm --dead of a dead name failed"; }
	[ -s "$T/e.err" ] && { cat "$T/e.err"; fail "rm --dead of a dead name wrote to stderr"; }
	grep -q "^removed $N-e " "$T/e.out" || fail "rm --dead did not say it removed $N-e"
	# A name already gone is a name it did not remove.
	"$S" rm --dead "$N-e" >/dev/null 2>"$T/e.err" && fail "rm --dead of a missing name exited 0"
	grep -qx "shmfb: $N-e: no such mapping" "$T/e.err" || { cat "$T/e.err"; fail "rm --dead of a missing name: not one line"; }

	# --- 2. every name, in a private /dev/shm
	if ! unshare --mount sh -c 'mount -t tmpfs shmfb-test /dev/shm' 2>"$T/unshare.err"; then
		note=$(cat "$T/unshare.err")
		# Part 2 lists names where part 1 names them; the removal is the
		# same code.  A partial skip: part 1 stands as a pass, and the last
		# line says what did not run.
		echo "ok, part 1 only: part 2 (rm --dead without names) skipped: no private /dev/shm here ($note)"
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
cat "$T/all.out" "$T/all.err"
[ -s "$T/all.err" ] && fail "rm --dead without names spoke of a name it was not asked about"
exists "$N-f" && fail "rm --dead left $N-f, whose producer was killed"
exists "$N-g" && fail "rm --dead left $N-g, whose producer was killed"
exists "$N-e" || fail "rm --dead removed a running producer's name"
[ "$(wc -l <"$T/all.out")" -eq 2 ] || fail "rm --dead should have said it removed two names"
echo ok
