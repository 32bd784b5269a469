#!/bin/sh
# man.sh - the manual pages shmfb(1), shmfb-producer(1) and shmfb-viewer(1)
# render with man -l without a warning and say what each program's --help
# says: every option with its whole description, no option more, the
# synopsis, and an EXIT STATUS section.  (make builds them from --help with
# mk/man.sh; this catches a page that is stale, lost or mangled.)
: "${SHMFB_BIN:?run through tests/run.sh}"
: "${SHMFB_BUILD:?run through tests/run.sh}"
command -v man >/dev/null 2>&1 || { echo "skip: man (man-db) is not installed (make deps-test installs it)"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/shmfb-man.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# flat: all whitespace runs as one space.
flat() { tr -s ' \t\n' '   '; }

for prog in shmfb shmfb-producer shmfb-viewer; do
	[ -x "$SHMFB_BIN/$prog" ] || continue
	page="$SHMFB_BUILD/man/$prog.1"
	[ -f "$page" ] || fail "no manual page $page"
	"$SHMFB_BIN/$prog" --help >"$T/help" || fail "$prog --help failed"
	LC_ALL=C MANWIDTH=200 man --warnings -l "$page" >"$T/page" 2>"$T/warn" || fail "man -l $page failed"
	[ -s "$T/warn" ] && { cat "$T/warn"; fail "man -l $page warns"; }
	flat <"$T/page" >"$T/page.flat"
	# Each option of --help with its description (continuation lines joined).
	awk '/^  -/ { if (o != "") print o; o = $0; next }
	     /^      / && o != "" { o = o " " $0; next }
	     { if (o != "") print o; o = "" }
	     END { if (o != "") print o }' "$T/help" >"$T/options"
	n=0
	while IFS= read -r o; do
		want=$(printf '%s' "$o" | flat | sed 's/^ //')
		grep -qF -- "$want" "$T/page.flat" || fail "$prog(1) lacks '$want'"
		n=$((n + 1))
	done <"$T/options"
	[ $n -ge 3 ] || fail "$prog --help: only $n options found (layout changed?)"
	tp=$(grep -c '^\.TP' "$page")
	[ "$tp" -eq $n ] || fail "$prog(1) lists $tp options, --help $n"
	synopsis=$(sed -n '1s/^usage: //p' "$T/help" | flat)
	grep -qF -- "SYNOPSIS $synopsis" "$T/page.flat" || fail "$prog(1) synopsis is not '$synopsis'"
	grep -q '^EXIT STATUS' "$T/page" || fail "$prog(1) has no EXIT STATUS section"
	grep -qF -- "$(sed -n 's/^Exit status: //p' "$T/help")" "$T/page.flat" || fail "$prog(1) exit status differs"
	echo "$prog(1): $n options, as --help says"
done
echo ok
