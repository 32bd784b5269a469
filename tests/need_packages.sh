#!/bin/sh
# need_packages.sh - mk/need-packages.sh when the package manager is busy
# (two builds started together on a fresh machine):
#  1. two runs at once that both need a package: both succeed, one installs;
#  2. apt's lock held by someone else for 2 s: the run waits, then installs;
#  3. held for good: the run gives up after SHMFB_APT_WAIT with one line;
#  4. the real apt-get waits for its dpkg lock as the script asks it to
#     (-o DPkg::Lock::Timeout), so 1-3's stand-in apt-get behaves as it does.
# 1-3 use stand-ins for dpkg-query and apt-get on PATH that keep their state
# in a temporary directory; each apt-get takes its locks the way apt does:
# update fails at once when the lists are locked, install waits only when
# given DPkg::Lock::Timeout.
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "skip: need-packages.sh installs only as root"; exit 77; }
command -v flock >/dev/null 2>&1 || { echo "skip: no flock (util-linux)"; exit 77; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/shmfb-need.XXXXXX")
HOLDERS=
trap 'for p in $HOLDERS; do kill $p 2>/dev/null; done; rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
mkdir "$TMP/bin" "$TMP/installed"

cat >"$TMP/bin/dpkg-query" <<EOS
#!/bin/sh
# dpkg-query -W -f=FORMAT PKG
for p; do :; done
[ -e "$TMP/installed/\$p" ] && printf 'install ok installed' && exit 0
exit 1
EOS
cat >"$TMP/bin/apt-get" <<EOS
#!/bin/sh
timeout=
pkgs=
cmd=
while [ \$# -gt 0 ]; do
	case \$1 in
	-o) case \$2 in DPkg::Lock::Timeout=*) timeout=\${2#*=};; esac; shift;;
	-*) ;;
	update|install) cmd=\$1;;
	*) pkgs="\$pkgs \$1";;
	esac
	shift
done
if [ "\$cmd" = update ]; then
	flock -n "$TMP/lists.lock" sleep 0.5 && exit 0
	echo "E: Could not get lock $TMP/lists.lock. It is held by another process"; exit 100
fi
exec 8>>"$TMP/dpkg.lock"
wait="-n"
[ -n "\$timeout" ] && wait="-w \$timeout"
if ! flock \$wait 8; then
	echo "E: Could not get lock $TMP/dpkg.lock. It is held by another process"; exit 100
fi
sleep 1
for p in \$pkgs; do touch "$TMP/installed/\$p"; echo "\$p" >>"$TMP/installs"; done
EOS
chmod +x "$TMP/bin/dpkg-query" "$TMP/bin/apt-get"
need() { PATH="$TMP/bin:$PATH" sh mk/need-packages.sh "$@"; }
# hold FILE SECONDS: another program holds the lock on FILE (one process: killing it frees the lock).
hold() {
	sh -c 'exec 7>>"$1"; flock 7; exec sleep "$2"' hold "$1" "$2" &
	HOLDERS="$HOLDERS $!"
}

# --- 1. two at once
need shmfb-fake-a >"$TMP/1a.log" 2>&1 &
A=$!
need shmfb-fake-a >"$TMP/1b.log" 2>&1
rb=$?
wait $A
ra=$?
cat "$TMP/1a.log" "$TMP/1b.log"
[ $ra -eq 0 ] && [ $rb -eq 0 ] || fail "two runs at once: exit $ra and $rb, expected 0 and 0"
[ -e "$TMP/installed/shmfb-fake-a" ] || fail "the package was not installed"

# --- 2. apt's locks held by another program for 2 s
hold "$TMP/dpkg.lock" 2
hold "$TMP/lists.lock" 2
sleep 0.3
need shmfb-fake-b >"$TMP/2.log" 2>&1 || { cat "$TMP/2.log"; fail "a busy package manager for 2 s made the run fail"; }
[ -e "$TMP/installed/shmfb-fake-b" ] || fail "the package was not installed after the wait"

# --- 3. held for good: bounded
hold "$TMP/dpkg.lock" 60
H=$!
sleep 0.3
start=$(date +%s)
SHMFB_APT_WAIT=2 need shmfb-fake-c >"$TMP/3.log" 2>&1 && fail "a package manager busy for ever: the run succeeded"
took=$(($(date +%s) - start))
cat "$TMP/3.log"
[ $took -le 8 ] || fail "gave up after $took s with SHMFB_APT_WAIT=2"
grep -q '^shmfb: the package manager stayed busy for 2 s' "$TMP/3.log" || fail "no line saying the package manager was busy"
kill $H

# --- 4. the real apt-get and the real dpkg lock (an installed package: nothing changes)
if command -v apt-get >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1 && [ -e /var/lib/dpkg/lock-frontend ]; then
	python3 -c 'import fcntl, time
f = open("/var/lib/dpkg/lock-frontend", "a")
fcntl.lockf(f, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(2)' >"$TMP/held" &
	HOLDERS="$HOLDERS $!"
	i=0
	while ! grep -q held "$TMP/held"; do i=$((i + 1)); [ $i -lt 50 ] || fail "cannot hold the dpkg lock"; sleep 0.1; done
	apt-get install -y -qq -o DPkg::Lock::Timeout=30 dpkg >"$TMP/4.log" 2>&1 ||
		{ cat "$TMP/4.log"; fail "the real apt-get did not wait for the dpkg lock"; }
fi
echo "ok"
