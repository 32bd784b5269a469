#!/bin/sh
# viewer_errors.sh - shmfb-viewer's failures, each with its own one-line
# message and exit status: usage errors (2), no display, a name that never
# appears, mappings the core rejects (the core's own message, as `shmfb info`
# prints it), a screenshot that cannot be written.
. "$(dirname "$0")/tools/viewer_env.sh"

# expect STATUS TEXT CMD...: CMD exits with STATUS and its stderr has TEXT.
expect() {
	_want=$1 _text=$2
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	_rc=$?
	[ "$_rc" = "$_want" ] || { cat "$TMP/err"; fail "$*: exit $_rc, expected $_want"; }
	grep -qF -- "$_text" "$TMP/err" || { cat "$TMP/err"; fail "$*: stderr lacks '$_text'"; }
	[ "$(wc -l <"$TMP/err")" -le 1 ] || [ "$_want" = 2 ] || { cat "$TMP/err"; fail "$*: more than one line on stderr"; }
	grep -q "^shmfb-viewer: " "$TMP/err" || { cat "$TMP/err"; fail "$*: message not prefixed"; }
}

# --- usage
expect 2 "missing the mapping NAME" "$VIEWER"
expect 2 "unknown option '--bogus'" "$VIEWER" --bogus x
expect 2 "--frames" "$VIEWER" --frames 0 x
expect 2 "--frames" "$VIEWER" --frames -3 x
expect 2 "--timeout" "$VIEWER" --timeout soon x
expect 2 "--stats-json" "$VIEWER" x --stats-json
expect 2 "one NAME only" "$VIEWER" a b
expect 2 "bad name" "$VIEWER" "bad name"
"$VIEWER" --help >"$TMP/out" 2>&1 || fail "--help failed"
grep -q -- "--headless" "$TMP/out" || fail "--help does not mention --headless"

# --- no display: a clear message that suggests --headless (Windows always
# has its desktop)
[ -n "$WINDOWS" ] ||
	expect 1 "no display (DISPLAY is not set); use --headless" \
		env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER "$VIEWER" "$(new_name nodisplay)"

# --- a name that never appears within --timeout
n=$(new_name never)
start=$(date +%s)
expect 1 "$n did not appear within 0.5 s" "$VIEWER" --headless --timeout 0.5 "$n"
[ $(($(date +%s) - start)) -le 5 ] || fail "--timeout 0.5 took more than 5 s"

# --- invalid mappings: each core error with the core's own message
core_msg() { "$SHMFB" info "$1" 2>&1 >/dev/null | sed 's/^shmfb: //'; }
check_invalid() {
	_m=$(core_msg "$1")
	[ -n "$_m" ] || fail "shmfb info accepted $1"
	expect 1 "$_m" "$VIEWER" --headless --timeout 5 "$1"
	cat "$TMP/err" >>"$TMP/msgs"
	note "$(cat "$TMP/err")"
}
head -c 16384 /dev/zero >"$TMP/zero"
check_invalid "$TMP/zero"
grep -q "magic" "$TMP/err" || fail "zeros not reported as bad magic"
printf 'short' >"$TMP/short"
check_invalid "$TMP/short"
# A good file-backed mapping, then broken in two different ways.
"$PRODUCER" --size 64x48 --frames 2 --fps 100 --keep "$TMP/good" >/dev/null 2>&1 || fail "producer --keep"
"$VIEWER" --headless --frames 1 --timeout 5 "$TMP/good" >/dev/null 2>&1 || fail "viewer rejects a good closed mapping"
cp "$TMP/good" "$TMP/badversion"
printf '\377\377' | dd of="$TMP/badversion" bs=1 seek=8 conv=notrunc 2>/dev/null
check_invalid "$TMP/badversion"
grep -q "version" "$TMP/err" || fail "bad version not named"
head -c 8192 "$TMP/good" >"$TMP/truncated"
check_invalid "$TMP/truncated"
# Four different failures, four different messages.
[ "$(sort -u "$TMP/msgs" | wc -l)" = 4 ] || { cat "$TMP/msgs"; fail "messages not distinct"; }

# --screenshot with nothing received is an error, and so is a bad path.
n=$(new_name nothing)
expect 1 "did not appear" "$VIEWER" --headless --timeout 0.3 --screenshot "$TMP/none.png" "$n"
[ ! -e "$TMP/none.png" ] || fail "a screenshot was written without a frame"
n=$(new_name badpath)
"$PRODUCER" --size 160x120 --fps 50 "$n" >/dev/null 2>&1 &
track $!
expect 1 "$TMP/no/such/dir/x.png" "$VIEWER" --headless --frames 2 --timeout 10 \
	--screenshot "$TMP/no/such/dir/x.png" "$n"
echo "ok"
