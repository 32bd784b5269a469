#!/bin/sh
# wine-test.sh TEST.exe... - runs the Windows build's test programs under
# Wine through tests/run.sh, which ends with "N passed, N failed, N skipped".
#
# A throwaway prefix per run (the first start creates it: 10-60 s), and one
# persistent wineserver for the whole run, so all the tests and the child
# processes they start share one kernel object namespace, as on Windows.
set -u
WINE=${WINE:-/usr/lib/wine/wine64}
WINESERVER=${WINESERVER:-/usr/lib/wine/wineserver}
[ -x "$WINE" ] || { echo "wine-test: $WINE not found (apt-get install wine64)" >&2; exit 1; }
WINEPREFIX=$(mktemp -d /tmp/shmfb-wine-XXXXXX) || exit 1
WINEDEBUG=-all
export WINEPREFIX WINEDEBUG
cleanup() {
	"$WINESERVER" -k >/dev/null 2>&1
	"$WINESERVER" -w >/dev/null 2>&1
	rm -rf "$WINEPREFIX"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
"$WINESERVER" -p
echo "wine-test: preparing a Wine prefix in $WINEPREFIX"
"$WINE" wineboot --init >/dev/null 2>&1
RUNNER=$WINE sh tests/run.sh "$@"
