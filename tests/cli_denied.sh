#!/bin/sh
# cli_denied.sh - a mapping this user may not open (another user's 0600):
# `shmfb ls` lists it as "denied" with whose it is (uid, mode), not as
# "invalid", in text and JSON, and `shmfb info` fails (1) saying the same.
# Real users: the producer runs as one uid and shmfb as another (setpriv,
# as root); skipped where that is not possible.
TAG=denied
. "$(dirname "$0")/tools/producer_env.sh"
[ "$(id -u)" = 0 ] || { echo "skip: needs root to run as two other users"; exit 77; }
command -v setpriv >/dev/null 2>&1 || { echo "skip: no setpriv (util-linux)"; exit 77; }
OWNER=54321
OTHER=54322
# run_as replaces its shell by the program: started with &, $! is then the
# program itself, which cleanup can kill.  (Through a function that forks,
# $! was a subshell, and the producer, another uid, outlived every run.)
run_as() { u=$1; shift; exec setpriv --reuid "$u" --regid "$u" --clear-groups "$@"; }
as() { (run_as "$@"); }
as $OTHER "$S" --help >/dev/null 2>&1 || { echo "skip: uid $OTHER cannot run $S (directory permissions)"; exit 77; }

run_as $OWNER "$P" --size 32x32 --fps 10 --mode 0600 "$N" >"$T/p.log" 2>&1 &
PIDS="$PIDS $!"
wait_for "$N"
[ "$(stat -c '%u %a' "/dev/shm/shmfb-$N")" = "$OWNER 600" ] || fail "the mapping is not uid $OWNER's with mode 0600"

as $OTHER "$S" ls >"$T/ls" 2>"$T/ls.err" || { cat "$T/ls.err"; fail "ls as another user failed"; }
line=$(grep "^$N " "$T/ls")
echo "$line"
[ -n "$line" ] || fail "ls does not list the mapping it may not open"
echo "$line" | grep -q "invalid" && fail "ls calls another user's mapping invalid"
echo "$line" | grep -q "^$N  *denied  *.*access denied: owned by uid $OWNER, mode 0600" ||
	fail "ls does not say access is denied, whose the mapping is and its mode"

as $OTHER "$S" ls --json >"$T/ls.json" || fail "ls --json as another user failed"
grep -q "{\"name\": \"$N\", \"state\": \"denied\", \"error\": \"[^\"]*owned by uid $OWNER, mode 0600" "$T/ls.json" ||
	{ cat "$T/ls.json"; fail "ls --json does not say denied and whose it is"; }

as $OTHER "$S" info "$N" >"$T/info" 2>"$T/info.err"
rc=$?
cat "$T/info.err"
[ $rc -eq 1 ] || fail "info of a mapping it may not open exited $rc, expected 1"
grep -q "access denied: owned by uid $OWNER, mode 0600 (this process is uid $OTHER)" "$T/info.err" ||
	fail "info does not say whose the mapping is"

# Its owner still sees it running.
as $OWNER "$S" ls | grep -q "^$N  *running" || fail "the owner does not see the mapping running"
echo ok
