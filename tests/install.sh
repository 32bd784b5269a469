#!/bin/sh
# make install puts the library, header, pkg-config file, programs and their
# manual pages where PREFIX says, and a program builds against them with pkg-config alone.
set -eu
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
make -s install DESTDIR="$dest" PREFIX=/opt/shmfb BUILD="$BUILD" >/dev/null
for f in include/shmfb.h lib/libshmfb.a lib/libshmfb.so lib/libshmfb.so.0 lib/pkgconfig/shmfb.pc bin/shmfb; do
	[ -e "$dest/opt/shmfb/$f" ] || { echo "missing after install: $f"; exit 1; }
done
grep -q '^prefix=/opt/shmfb$' "$dest/opt/shmfb/lib/pkgconfig/shmfb.pc"
# The manual pages, as built, and readable with man -l (without man-db, a
# dependency of make test, that part alone is skipped, saying so).
command -v man >/dev/null 2>&1 || echo "man -l not tried: man (man-db) is not installed (make deps-test installs it)"
for p in shmfb shmfb-producer; do
	f="$dest/opt/shmfb/share/man/man1/$p.1"
	cmp "$f" "$BUILD/man/$p.1" || { echo "manual page $p.1 not installed as built"; exit 1; }
	if command -v man >/dev/null 2>&1; then
		LC_ALL=C man -l "$f" | grep -q "^NAME" || { echo "man -l $f shows no NAME section"; exit 1; }
		echo "man -l $p.1: NAME section shown"
	fi
done
if [ -n "${SAN:-}" ]; then
	echo "built with SAN=$SAN: skipping the compile against the installed library"
	exit 0
fi
export PKG_CONFIG_PATH="$dest/opt/shmfb/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
cat >"$dest/use.c" <<'C'
#include <shmfb.h>
#include <stdio.h>
int main(void)
{
	shmfb_layout l;
	if (shmfb_layout_compute(1920, 1080, SHMFB_FMT_NV12, &l) != 0)
		return 1;
	printf("%llu\n", (unsigned long long)l.frame_bytes);
	return 0;
}
C
cc -o "$dest/use" "$dest/use.c" $(pkg-config --cflags shmfb) -static-libgcc \
	"$dest/opt/shmfb/lib/libshmfb.a" -lpthread
[ "$("$dest/use")" = 3110400 ] # 1920*1080*3/2
cc -o "$dest/use-so" "$dest/use.c" $(pkg-config --cflags --libs shmfb) -Wl,-rpath,"$dest/opt/shmfb/lib"
[ "$("$dest/use-so")" = 3110400 ]
echo "installed and linked, static and shared"
