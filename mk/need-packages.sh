#!/bin/sh
# need-packages.sh PKG... - make sure these Debian packages are installed.
# As root it installs what is missing; otherwise it prints the command.
#
# Two builds started together on a fresh machine both find packages missing.
# Installs are one at a time: each waits for shmfb's own lock, then looks
# again (the other may have installed everything), and apt waits for its
# locks held by anyone else (unattended-upgrades, say).  Every wait ends
# after SHMFB_APT_WAIT seconds (600) with one line saying what was busy.
WAIT=${SHMFB_APT_WAIT:-600}
LOCK=/tmp/shmfb-apt.lock
LOG=/tmp/shmfb-apt.log

missing_of() {
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || printf ' %s' "$p"
	done
}

# apt-get update does not wait for the package lists' lock (apt 2.6 ignores
# DPkg::Lock::Timeout there): try again until the deadline.
update_lists() {
	while :; do
		apt-get update -qq >>"$LOG" 2>&1 && return 0
		tail -n 3 "$LOG" | grep -q 'Could not get lock' || return 1
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 2
	done
}

missing=$(missing_of "$@")
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
	echo "shmfb: missing packages:$missing (install them with your package manager)" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "shmfb: missing packages; run:  sudo apt-get install -y$missing" >&2
	exit 1
fi
deadline=$(($(date +%s) + WAIT))
exec 9>>"$LOCK"
if ! flock -w "$WAIT" 9; then
	echo "shmfb: another shmfb build has been installing packages for over $WAIT s (lock $LOCK); try again later" >&2
	exit 1
fi
missing=$(missing_of "$@")
[ -z "$missing" ] && exit 0
echo "shmfb: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
: >"$LOG"
left=$((deadline - $(date +%s)))
[ "$left" -gt 0 ] || left=1
{ update_lists && apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout="$left" \
	$missing >>"$LOG" 2>&1; } || {
	if tail -n 3 "$LOG" | grep -q 'Could not get lock'; then
		echo "shmfb: the package manager stayed busy for $WAIT s (another apt or dpkg holds its lock); see $LOG" >&2
	else
		echo "shmfb: apt-get install failed; see $LOG" >&2
	fi
	tail -n 5 "$LOG" >&2
	exit 1
}
