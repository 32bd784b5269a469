#!/bin/sh
# viewer_demo.sh - `make demo` on a machine with no display: mk/demo.sh runs
# the producer and a headless viewer, prints statistics and the path of a
# saved screenshot of the pattern (its stamp reads back), and stops the
# producer (no mapping left behind).
. "$(dirname "$0")/tools/viewer_env.sh"
unset DISPLAY WAYLAND_DISPLAY

before=$("$SHMFB" ls 2>/dev/null | grep -c '^shmfb-demo-')
DEMO_SECONDS=2 DEMO_DIR="$TMP/demo" BUILD="$SHMFB_BUILD" \
	sh "$(dirname "$0")/../mk/demo.sh" >"$TMP/demo.out" 2>&1
rc=$?
cat "$TMP/demo.out"
[ $rc = 0 ] || fail "demo exit status $rc"
grep -q '^t=.*state=running' "$TMP/demo.out" || fail "no statistics lines"
grep -q '"frames_shown": [1-9]' "$TMP/demo.out" || fail "no frames shown in the statistics"
shot=$(sed -n 's/^demo: screenshot: //p' "$TMP/demo.out")
[ "$shot" = "$TMP/demo/screenshot.png" ] || fail "screenshot path '$shot'"
"$IMGTOOL" stamp "$shot" >/dev/null || fail "the demo screenshot has no stamp"
sleep 0.3
after=$("$SHMFB" ls 2>/dev/null | grep -c '^shmfb-demo-')
[ "$after" -le "$before" ] || fail "the demo left its mapping behind"
echo "ok"
