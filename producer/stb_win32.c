/*
 * stb_win32.c - stb_image's implementation, for the Windows build only.
 *
 * On Linux the producer links Debian's libstb, which has it compiled in.
 * That library is a Linux one, so the mingw build compiles the same header
 * (from libstb-dev's /usr/include/stb) here, in this one translation unit;
 * the Makefile picks this file only for PLATFORM=win32.
 */
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
