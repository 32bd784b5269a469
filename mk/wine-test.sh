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
XVFB_PID=
cleanup() {
	"$WINESERVER" -k >/dev/null 2>&1
	"$WINESERVER" -w >/dev/null 2>&1
	[ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null
	rm -rf "$WINEPREFIX"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# One X display for the whole run, when Xvfb is installed: Wine's desktop
# process keeps the display of the first program that needed it, so a
# display set later for one test (the viewer's window) may not get windows.
# tests/tools/viewer_env.sh uses this one under Wine (SHMFB_WINE_DISPLAY).
if command -v Xvfb >/dev/null 2>&1; then
	Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset 3>"$WINEPREFIX/display" >/dev/null 2>&1 &
	XVFB_PID=$!
	i=0
	while [ ! -s "$WINEPREFIX/display" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	if [ -s "$WINEPREFIX/display" ]; then
		DISPLAY=:$(cat "$WINEPREFIX/display")
		SHMFB_WINE_DISPLAY=$DISPLAY
		export DISPLAY SHMFB_WINE_DISPLAY
		echo "wine-test: Xvfb on $DISPLAY"
	fi
fi
"$WINESERVER" -p
echo "wine-test: preparing a Wine prefix in $WINEPREFIX"
"$WINE" wineboot --init >/dev/null 2>&1
RUNNER=$WINE sh tests/run.sh "$@"
