/*
 * stb_win32.c - stb_image_write's implementation, for the Windows build only.
 *
 * On Linux the viewer links Debian's libstb, which has it compiled in; that
 * library is a Linux one, so the mingw build compiles libstb-dev's header
 * here, as producer/stb_win32.c does for stb_image.
 */
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
