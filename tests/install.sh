#!/bin/sh
# make install puts the library, header, pkg-config file and programs where
# PREFIX says, and a program builds against them with pkg-config alone.
set -eu
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
make -s install DESTDIR="$dest" PREFIX=/opt/shmfb BUILD="$BUILD" >/dev/null
for f in include/shmfb.h lib/libshmfb.a lib/libshmfb.so lib/libshmfb.so.0 lib/pkgconfig/shmfb.pc bin/shmfb; do
	[ -e "$dest/opt/shmfb/$f" ] || { echo "missing after install: $f"; exit 1; }
done
grep -q '^prefix=/opt/shmfb$' "$dest/opt/shmfb/lib/pkgconfig/shmfb.pc"
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
