#!/bin/sh
# need-packages.sh PKG... - make sure these Debian packages are installed.
# As root it installs what is missing; otherwise it prints the command.
missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
	echo "shmfb: missing packages:$missing (install them with your package manager)" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "shmfb: missing packages; run:  sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "shmfb: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
{ apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; } >/tmp/shmfb-apt.log 2>&1 || {
	echo "shmfb: apt-get install failed; see /tmp/shmfb-apt.log" >&2
	tail -n 5 /tmp/shmfb-apt.log >&2
	exit 1
}
