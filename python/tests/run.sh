#!/bin/sh
# run.sh COMMAND... - runs COMMAND (make test's tests/run.sh and its list),
# then the Python package's tests under pytest, and ends with one line over
# both: "N passed, N failed, N skipped" (pytest's tests each counted).
# Environment: BUILD (the build tree), PYTHON (Debian's interpreter, which
# has python3-numpy and python3-pytest), PYTEST_ARGS (more arguments for
# pytest, e.g. -k audio), SAN (the sanitizers the build has), CC.
: "${BUILD:=build}" "${PYTHON:=/usr/bin/python3}"
out=$(mktemp) && trap 'rm -f "$out"' EXIT
"$@" | tee "$out"
c_line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
[ -n "$c_line" ] || c_line="0 passed, 1 failed, 0 skipped" # the C runner died before its summary
set -- $(echo "$c_line" | tr -d ',')
pass=$1 fail=$3 skip=${5:-0}

count() { # count WORD LINE: the number before WORD in pytest's summary line
	echo "$2" | grep -oE "[0-9]+ $1" | awk '{s += $1} END {print s + 0}'
}
log="$BUILD/test-logs/pytest.log"
mkdir -p "$BUILD/test-logs"
# A sanitized libshmfb.so needs its runtime loaded first: ASan and UBSan are
# preloaded into the interpreter (whose own leaks are not ours to report);
# TSan cannot start inside a running process.
preload=
case "${SAN:-}" in
*thread*) preload=none ;;
*address*) preload="$(${CC:-gcc} -print-file-name=libasan.so) $(${CC:-gcc} -print-file-name=libubsan.so)" ;;
*undefined*) preload="$(${CC:-gcc} -print-file-name=libubsan.so)" ;;
esac
if [ "$preload" = none ]; then
	echo "SKIP pytest: SAN=$SAN: a TSan-built libshmfb.so cannot be loaded into the interpreter"
	skip=$((skip + 1))
else
	start=$(date +%s)
	SHMFB_BUILD=$(cd "$BUILD" && pwd) PYTHONDONTWRITEBYTECODE=1 LD_PRELOAD="$preload" \
		ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} timeout -k 5 "${TEST_TIMEOUT:-300}" \
		"$PYTHON" -m pytest -p no:cacheprovider -q -rfEs ${PYTEST_ARGS:-} python/tests >"$log" 2>&1
	rc=$?
	summary=$(tail -n 1 "$log")
	p=$(count passed "$summary") f=$(count failed "$summary") e=$(count error "$summary")
	s=$(count skipped "$summary")
	# 5: pytest collected no test, which is a failure here, as is any other
	# exit without a count of failures (2 interrupted, 3 internal, 4 usage).
	if [ $rc -ne 0 ] && [ $((f + e)) -eq 0 ]; then
		e=1
		summary="$summary (pytest exit $rc)"
	fi
	echo "pytest: $summary ($(($(date +%s) - start))s)"
	[ $((f + e)) -ne 0 ] && grep -E '^(FAILED|ERROR) ' "$log" | sed 's/^/    /' && tail -n 30 "$log" | sed 's/^/    /'
	pass=$((pass + p)) fail=$((fail + f + e)) skip=$((skip + s))
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
