#!/bin/sh
# cli_usage.sh - the programs behave like Unix tools on their command line:
#  - `shmfb SUB --help` (and -h) prints that subcommand's usage on stdout,
#    exits 0 and does nothing else (`shmfb rm --help` removes nothing);
#  - `shmfb --help` lists every option each subcommand's usage lists;
#  - `--` ends the options: a NAME that starts with - is a NAME;
#  - exit status 0 success, 1 failure at run time (a missing mapping, a
#    refused symbolic link), 2 usage errors only;
#  - the same for shmfb-producer and shmfb-viewer.
TAG=usage
. "$(dirname "$0")/tools/producer_env.sh"
V="$SHMFB_BIN/shmfb-viewer"

# st EXPECTED CMD...: runs CMD (stdout to $T/out, stderr to $T/err), checks its exit status.
st() {
	want=$1
	shift
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	[ "$got" = "$want" ] || { cat "$T/out" "$T/err"; fail "'$*' exited $got, expected $want"; }
}
# options FILE: the options an usage text lists ("  --x ..." lines), one a line.
options() { sed -n 's/^  -h, \(--help\) .*/\1/p; t; s/^  \(-[-a-z0-9]*\) .*/\1/p' "$1" | sort -u; }

# --- help of each subcommand: stdout, status 0, nothing on stderr
"$S" --help >"$T/all" 2>"$T/err" || fail "shmfb --help did not exit 0"
[ -s "$T/err" ] && fail "shmfb --help wrote to stderr"
for sub in info ls rm cat bench; do
	for h in --help -h; do
		st 0 "$S" $sub $h
		[ -s "$T/err" ] && { cat "$T/err"; fail "shmfb $sub $h wrote to stderr"; }
		head -n 1 "$T/out" | grep -q "^usage: shmfb $sub" || { cat "$T/out"; fail "shmfb $sub $h: no usage line for $sub"; }
	done
	# Every option of the subcommand is in shmfb --help.
	for o in $(options "$T/out"); do
		grep -q -- "^  $o \|^  -h, $o " "$T/all" || fail "shmfb --help does not list $sub's $o"
	done
done
for o in --audio --seconds --info --frames --timeout --dead; do
	grep -q -- "^  $o " "$T/all" || fail "shmfb --help does not list $o"
done

# --- `shmfb rm --help` removes nothing, even a mapping called --help
"$P" --frames 1 --fps 0 --size 16x16 --keep -- --help >"$T/p.log" 2>&1 || { cat "$T/p.log"; fail "producer of a mapping named --help (after --)"; }
st 0 "$S" info -- --help
st 0 "$S" rm --help
st 0 "$S" info -- --help
st 0 "$S" rm -- --help
st 1 "$S" info -- --help
grep -q "no such mapping" "$T/err" || fail "rm -- --help did not remove the mapping called --help"

# --- -- ends options; exit statuses
st 1 "$S" info -- -nothing-$$
grep -q "no such mapping" "$T/err" || fail "info -- -NAME: not taken as a NAME"
st 1 "$S" cat --timeout 0.2 -- -nothing-$$
grep -q "did not appear within 0.2 s" "$T/err" || fail "cat -- -NAME: not taken as a NAME"
st 2 "$S" info --bogus "$N"
st 2 "$S" info 'bad name'
st 2 "$S" rm "$N" 'bad name'
st 2 "$S" ls extra
st 2 "$S" bench --no-such-option
st 2 "$S" bench -- extra
st 2 "$S" frobnicate
st 2 "$S"
ln -s "$T/elsewhere" "$T/link"
for sub in info; do
	st 1 "$S" $sub "$T/link"
	grep -q "symbolic link" "$T/err" || { cat "$T/err"; fail "$sub of a symbolic link: not refused as one"; }
done
st 1 "$S" cat --frames 1 "$T/link"
grep -q "symbolic link" "$T/err" || { cat "$T/err"; fail "cat of a symbolic link: not refused as one"; }

# --- shmfb-producer
st 0 "$P" --help
head -n 1 "$T/out" | grep -q "^usage: shmfb-producer" || fail "shmfb-producer --help: no usage line"
[ -s "$T/err" ] && fail "shmfb-producer --help wrote to stderr"
st 2 "$P" --bogus "$N"
st 2 "$P" 'bad name'
st 2 "$P"
st 1 "$P" --frames 1 "$T/link"
grep -q "symbolic link" "$T/err" || { cat "$T/err"; fail "producer on a symbolic link: not refused as one"; }
st 0 "$P" --frames 1 --fps 0 --size 16x16 -- "-$N"
st 1 "$S" info -- "-$N"  # closed at exit without --keep: gone

# --- shmfb-viewer
if [ -x "$V" ]; then
	st 0 "$V" --help
	head -n 1 "$T/out" | grep -q "^usage: shmfb-viewer" || fail "shmfb-viewer --help: no usage line"
	[ -s "$T/err" ] && fail "shmfb-viewer --help wrote to stderr"
	st 2 "$V" --bogus "$N"
	st 2 "$V" --headless 'bad name'
	st 1 "$V" --headless --timeout 0.3 -- "-nothing-$$"
	st 1 "$V" --headless --timeout 1 "$T/link"
fi
echo ok
