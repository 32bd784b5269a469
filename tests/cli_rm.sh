#!/bin/sh
# cli_rm.sh - `shmfb rm` removes only what is shmfb's (shmfb.h, shmfb_unlink):
#  - an explicit path only when its file starts with shmfb's magic: any other
#    file, small or mapping-sized, a directory or a symbolic link is refused
#    with one line and exit 1, and stays as it was;
#  - a mapping's file, even one corrupt past the magic, is removed;
#  - a plain name is always removed, even a half-made object (no header).
TAG=rm
. "$(dirname "$0")/tools/producer_env.sh"

# refused PATH: rm exits 1 with one line naming PATH and saying why.
refused() {
	"$S" rm "$1" >"$T/out" 2>"$T/err"
	rc=$?
	cat "$T/err"
	[ $rc -eq 1 ] || fail "rm $1 exited $rc, expected 1"
	[ "$(wc -l <"$T/err")" -eq 1 ] || fail "rm $1: not one line"
	grep -q "^shmfb: $1: $2" "$T/err" || fail "rm $1: the line does not say '$2'"
	[ -s "$T/out" ] && fail "rm $1 wrote to stdout"
	[ -e "$1" ] || [ -L "$1" ] || fail "rm $1 removed it"
}

printf 'precious user data\n' >"$T/notes.txt"
refused "$T/notes.txt" "not a shmfb mapping"
grep -qx 'precious user data' "$T/notes.txt" || fail "rm changed the file it refused"
head -c 16384 /dev/zero | tr '\0' 'x' >"$T/big.bin"
refused "$T/big.bin" "not a shmfb mapping"
[ "$(tr -d x <"$T/big.bin" | wc -c)" -eq 0 ] && [ "$(wc -c <"$T/big.bin")" -eq 16384 ] ||
	fail "rm changed the mapping-sized file it refused"
mkdir "$T/dir"
refused "$T/dir" "not a regular file"
ln -s "$T/notes.txt" "$T/link"
refused "$T/link" ".*symbolic link"

# A mapping's file, kept, then corrupted past its magic: removed.
"$P" --size 16x16 --fps 0 --frames 1 --keep "$T/m.shmfb" >"$T/p.log" 2>&1 || { cat "$T/p.log"; fail "producer"; }
printf '\377\377\377\377' | dd of="$T/m.shmfb" bs=1 seek=8 conv=notrunc 2>/dev/null
"$S" info "$T/m.shmfb" >/dev/null 2>&1 && fail "the scribbled mapping is still valid"
"$S" rm "$T/m.shmfb" || fail "rm of a corrupt mapping's file failed"
[ -e "$T/m.shmfb" ] && fail "rm left the mapping's file"

# A plain name with no header at all (a creator that died half way): removed.
if [ -d /dev/shm ]; then
	: >"/dev/shm/shmfb-$N"
	"$S" rm "$N" || fail "rm of a half-made plain name failed"
	[ -e "/dev/shm/shmfb-$N" ] && fail "rm left the half-made plain name"
fi
echo ok
