#!/bin/sh
# run.sh TEST... - runs each test program or shell script with a time limit
# and ends with the line "N passed, N failed, N skipped".
# Exit status of a test: 0 pass, 77 skip, anything else fail.
# Environment for the tests: BUILD (the build tree), SHMFB_BIN (its bin/).
# RUNNER, when set, runs each test program (mk/wine-test.sh: RUNNER=wine64).
: "${BUILD:=build}"
SHMFB_BIN=$(cd "$BUILD/bin" && pwd)
SHMFB_BUILD=$(cd "$BUILD" && pwd)
export BUILD SHMFB_BIN SHMFB_BUILD
LIMIT=${TEST_TIMEOUT:-300}
LOGDIR="$BUILD/test-logs"
mkdir -p "$LOGDIR"
pass=0 fail=0 skip=0 failed=
for t in "$@"; do
	name=$(basename "$t")
	log="$LOGDIR/$name.log"
	start=$(date +%s)
	case "$t" in
	*.sh) timeout -k 5 "$LIMIT" sh "$t" >"$log" 2>&1 ;;
	*) timeout -k 5 "$LIMIT" ${RUNNER:-} "$t" >"$log" 2>&1 ;;
	esac
	rc=$?
	secs=$(($(date +%s) - start))
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); echo "PASS $name (${secs}s)"
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1)); echo "SKIP $name: $(tail -n 1 "$log")"
	else
		fail=$((fail + 1)); failed="$failed $name"
		[ $rc -eq 124 ] && echo "TIMEOUT after ${LIMIT}s" >>"$log"
		echo "FAIL $name (exit $rc, ${secs}s); last lines of $log:"
		tail -n 15 "$log" | sed 's/^/    /'
	fi
done
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
