#!/bin/sh
# sdl2-mingw.sh TARBALL PREFIX HOST - builds SDL2 for mingw-w64 from SDL's
# source tarball and installs it into PREFIX (bin/SDL2.dll, lib/, include/),
# once: a finished PREFIX (its .done stamp) is reused as it is.
#
# Debian packages no SDL2 for mingw, so the Windows viewer is built against
# this copy unless SDL2_MINGW names another (docs/WINDOWS.md).  About 5
# minutes on 2 cores; the output goes to PREFIX.log, its tail on failure.
set -u
TARBALL=$1 PREFIX=$2 HOST=$3
[ -f "$PREFIX/.done" ] && exit 0
[ -r "$TARBALL" ] || { echo "sdl2-mingw: $TARBALL: not found" >&2; exit 1; }
mkdir -p "$PREFIX" || exit 1
PREFIX=$(cd "$PREFIX" && pwd)
SRC=$PREFIX.src
LOG=$PREFIX.log
echo "  SDL2    building SDL2 for $HOST once from $TARBALL (about 5 minutes; log $LOG)"
rm -rf "$SRC" && mkdir -p "$SRC" || exit 1
# --disable-static: the viewer links SDL2.dll, which sits beside the .exe as
# with libsdl.org's package.
if ! { tar -xJf "$TARBALL" -C "$SRC" --strip-components=1 &&
	cd "$SRC" &&
	./configure --host="$HOST" --prefix="$PREFIX" --disable-static &&
	make -j"${SDL2_JOBS:-2}" && make install; } >"$LOG" 2>&1; then
	echo "sdl2-mingw: building SDL2 failed; the end of $LOG:" >&2
	tail -n 20 "$LOG" >&2
	exit 1
fi
rm -rf "$SRC"
touch "$PREFIX/.done"
