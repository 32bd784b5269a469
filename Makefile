# shmfb - top-level Makefile.
#
#   make                 library, pkg-config file and programs into build/
#   make test            build and run every test; ends with "N passed, N failed"
#   make test SAN=address,undefined   (or SAN=thread) the same under sanitizers
#   make demo            producer and viewer together
#   make install PREFIX=/usr/local
#   V=1                  show full command lines; WERROR=1 turns warnings into errors
#   make CROSS=x86_64-w64-mingw32-   the Windows build, into build/win32
#   make test-win32      the Windows build's tests under Wine (docs/WINDOWS.md)
#   make python          the Python package into build/python (PYTHONPATH=build/python)
#   make gst             the GStreamer plugin build/gst/libgstshmfb.so (docs/GSTREAMER.md)

CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
AR ?= ar
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
# A cross compiler prefix selects its platform: mingw-w64 means Windows.
ifneq ($(CROSS),)
CC := $(CROSS)gcc
AR := $(CROSS)ar
PLATFORM ?= win32
endif
PLATFORM ?= posix
EXE := $(if $(filter win32,$(PLATFORM)),.exe,)

CFLAGS ?= -O2 -g
override CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers \
	-fno-strict-aliasing -MMD -MP -pthread
override LDFLAGS += -pthread
LDLIBS ?=

ifeq ($(WERROR),1)
override CFLAGS += -Werror
endif

# Windows: static, so the programs need no mingw DLL beside them (such as
# libwinpthread's); bcrypt gives the random generation id.
PIC_CFLAGS := -fPIC -fvisibility=hidden
# mingw's gcc checks format(printf) against msvcrt's printf, but _GNU_SOURCE
# selects mingw's own C99 printf (%zu, %llu): the Linux builds check formats.
ifeq ($(PLATFORM),win32)
override CFLAGS += -D_WIN32_WINNT=0x0601 -Wno-format
override LDFLAGS += -static
override LDLIBS += -lbcrypt
PIC_CFLAGS := -DSHMFB_BUILDING_DLL
endif

# Each sanitizer build has its own tree so objects never mix.
ifneq ($(SAN),)
override CFLAGS += -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all
override LDFLAGS += -fsanitize=$(SAN)
BUILD ?= build/san-$(subst $(comma),-,$(SAN))
# gcc warns that TSan does not model fences; the seqlock's fences pair across
# processes, which TSan does not see anyway.
ifneq ($(findstring thread,$(SAN)),)
ifeq ($(findstring clang,$(CC)),)
override CFLAGS += -Wno-tsan
endif
endif
else
BUILD ?= $(if $(CROSS),build/win32,build)
endif
comma := ,

ifneq ($(V),1)
Q := @
quiet = @printf '  %-7s %s\n' $(1) $(2);
else
Q :=
quiet =
endif

OBJ := $(BUILD)/obj
LIBA := $(BUILD)/lib/libshmfb.a
ifeq ($(PLATFORM),win32)
LIBSO := $(BUILD)/bin/shmfb.dll
LIBSO_LDFLAGS = -Wl,--out-implib,$(BUILD)/lib/libshmfb.dll.a
else
LIBSO := $(BUILD)/lib/libshmfb.so
LIBSO_LDFLAGS = -Wl,-z,defs -Wl,-soname,libshmfb.so.0
endif
PCFILE := $(BUILD)/lib/pkgconfig/shmfb.pc
BIN := $(BUILD)/bin

# core/ and the white-box tests see core/src; the front ends only the public header.
INC = -Icore/include -Icore/src
# One platform file (the OS) and one copy file (the CPU), no #ifdefs.  The
# core's platform layer is Linux's, not any POSIX system's (futex, O_TMPFILE).
CORE_OS := $(if $(filter win32,$(PLATFORM)),win32,linux)
COPY_ARCH := $(if $(findstring x86_64,$(shell $(CC) -dumpmachine)),x86_64,generic)
CORE_SRC := $(filter-out core/src/platform_%.c core/src/copy_%.c,$(wildcard core/src/*.c)) \
	core/src/platform_$(CORE_OS).c core/src/copy_$(COPY_ARCH).c
CORE_OBJ := $(CORE_SRC:%.c=$(OBJ)/%.o)
CORE_PIC := $(CORE_SRC:%.c=$(OBJ)/pic/%.o)
CORE_LIBS := -lpthread $(if $(filter win32,$(PLATFORM)),-lbcrypt,)

# FILE_posix.c and FILE_win32.c build only for their platform.
OTHER_PLATFORM := $(if $(filter posix,$(PLATFORM)),win32,posix)
CLI_SRC := $(filter-out %_$(OTHER_PLATFORM).c,$(wildcard core/cli/*.c))
PRODUCER_SRC := $(filter-out %_$(OTHER_PLATFORM).c,$(wildcard producer/*.c))
SAMPLE_SRC := $(wildcard samples/*.c)
ifeq ($(PLATFORM),win32)
# The benchmark is Linux-only: core/cli/bench/none.c says so.
BENCH_SRC := core/cli/bench/none.c
else
BENCH_SRC := $(filter-out core/cli/bench/none.c,$(wildcard core/cli/bench/*.c))
endif
VIEWER_SRC := $(filter-out %_$(OTHER_PLATFORM).c,$(wildcard viewer/*.c))
TEST_SRC := $(sort $(filter-out tests/%_$(OTHER_PLATFORM).c,$(wildcard tests/test_*.c)))
TEST_COMMON := $(filter-out $(TEST_SRC) tests/%_posix.c tests/%_win32.c,$(wildcard tests/*.c)) \
	$(filter-out tests/test_%,$(wildcard tests/*_$(PLATFORM).c))

# -isystem: warnings in Debian's headers are not ours to fix.
STB_CFLAGS = $(patsubst -I%,-isystem %,$(shell $(PKG_CONFIG) --cflags stb 2>/dev/null))
ifeq ($(PLATFORM),win32)
# Debian's libstb is for Linux: producer/stb_win32.c compiles stb_image in.
STB_LIBS = -lm
else
STB_LIBS = $(shell $(PKG_CONFIG) --libs stb 2>/dev/null) -lm
endif
ifeq ($(PLATFORM),win32)
# Debian has no SDL2 for mingw.  The viewer is built against SDL2_MINGW=DIR
# (libsdl.org's SDL2-devel-*-mingw package unpacked, or a prefix of your
# own), else against the copy `make test-win32` builds once from SDL's
# source tarball into build/ (mk/sdl2-mingw.sh); without either it is skipped.
MINGW_HOST := $(patsubst %-,%,$(notdir $(CROSS)))
SDL2_TARBALL ?= $(firstword $(wildcard ../shared/vendor/SDL2-2.26.5-src.tar.xz))
SDL2_BUILT := build/sdl2-$(MINGW_HOST)
SDL2_MINGW ?= $(if $(wildcard $(SDL2_BUILT)/.done),$(SDL2_BUILT))
# libsdl.org's package holds one prefix per target: DIR/x86_64-w64-mingw32.
SDL2_PREFIX := $(if $(SDL2_MINGW),$(or $(wildcard $(SDL2_MINGW)/$(MINGW_HOST)),$(SDL2_MINGW)))
ifneq ($(SDL2_PREFIX),)
ifeq ($(wildcard $(SDL2_PREFIX)/include/SDL2/SDL.h),)
$(error SDL2_MINGW=$(SDL2_MINGW): no include/SDL2/SDL.h there (expected an SDL2 for $(MINGW_HOST)))
endif
endif
SDL_CFLAGS = -isystem $(SDL2_PREFIX)/include/SDL2
# SDL2main gives main() its UTF-8 arguments; the import library, named
# whole, links SDL2.dll even under -static.  No -mwindows: the viewer is a
# console program (its messages and --stats).
SDL_LIBS = -L$(SDL2_PREFIX)/lib -lmingw32 -lSDL2main $(SDL2_PREFIX)/lib/libSDL2.dll.a
SDL_DLL := $(if $(SDL2_PREFIX),$(BIN)/SDL2.dll)
ifeq ($(SDL2_PREFIX),)
VIEWER_SRC :=
endif
else
SDL_CFLAGS = $(patsubst -I%,-isystem %,$(shell $(PKG_CONFIG) --cflags sdl2 2>/dev/null))
SDL_LIBS = $(shell $(PKG_CONFIG) --libs sdl2 2>/dev/null)
endif

PROGRAMS := $(BIN)/shmfb$(EXE)
ifneq ($(PRODUCER_SRC),)
PROGRAMS += $(BIN)/shmfb-producer$(EXE)
endif
ifneq ($(VIEWER_SRC),)
PROGRAMS += $(BIN)/shmfb-viewer$(EXE)
endif
TESTS := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%$(EXE))
SAMPLES := $(SAMPLE_SRC:samples/%.c=$(BUILD)/samples/%$(EXE))

.PHONY: all lib programs man test check demo install uninstall clean samples deps \
	deps-test lint fuzz valgrind soak test-win32 win32-check sdl2-mingw no-viewer python \
	gst gst-if-found gst-check-build
.DEFAULT_GOAL := all

all: deps lib programs man gst-if-found

# Debian packages: installed when run as root, otherwise the command printed.
DEPS_BUILD := gcc make pkg-config libsdl2-dev libstb-dev
DEPS_GST := libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-tools \
	gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav \
	iproute2
DEPS_TEST := $(DEPS_BUILD) ffmpeg xvfb x11-apps x11-utils openbox imagemagick procps jq libx11-dev man-db \
	python3 python3-numpy python3-pytest \
	$(DEPS_GST) \
	libiceoryx-binding-c-dev iceoryx
deps:
	$(Q)sh mk/need-packages.sh $(DEPS_BUILD)
deps-test:
	$(Q)sh mk/need-packages.sh $(DEPS_TEST)
DEPS_WIN32 := make gcc gcc-mingw-w64-x86-64 wine64 wine libstb-dev xz-utils xvfb x11-apps imagemagick jq

lib: $(LIBA) $(LIBSO) $(PCFILE)
programs: $(PROGRAMS)
ifeq ($(PLATFORM),win32)
ifeq ($(VIEWER_SRC),)
programs: no-viewer
# CI says WIN32_VIEWER=required, so that a missing SDL2 fails instead of
# leaving the viewer's Wine tests out unseen.
no-viewer:
	@echo "  SKIP    shmfb-viewer.exe: no SDL2 for mingw (SDL2_MINGW=DIR, or make test-win32 builds one; docs/WINDOWS.md)"
	@test "$(WIN32_VIEWER)" != required || { echo "shmfb-viewer.exe is required (WIN32_VIEWER=required)" >&2; exit 1; }
endif
endif

$(OBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(call quiet,CC,$<)$(CC) $(CFLAGS) $(INC) $(EXTRA_CFLAGS) -c -o $@ $<
$(OBJ)/pic/%.o: %.c
	@mkdir -p $(@D)
	$(call quiet,CC,$<)$(CC) $(CFLAGS) $(PIC_CFLAGS) $(INC) -c -o $@ $<

$(LIBA): $(CORE_OBJ)
	@mkdir -p $(@D)
	$(call quiet,AR,$@)rm -f $@ && $(AR) rcs $@ $^
$(LIBSO): $(CORE_PIC)
	@mkdir -p $(@D)
	$(call quiet,LD,$@)$(CC) -shared $(LIBSO_LDFLAGS) $(LDFLAGS) -o $@ $^ $(CORE_LIBS)
# The .pc file names the PREFIX it was made for, so it is made again whenever
# PREFIX, LIBDIR or INCLUDEDIR change (make install PREFIX=... after make).
VERSION := $(shell sed -n 's/^\#define SHMFB_VERSION_\(MAJOR\|MINOR\|PATCH\) //p' core/include/shmfb.h | paste -sd.)
PC_VARS := $(PREFIX)|$(LIBDIR)|$(INCLUDEDIR)
PC_STAMP := $(BUILD)/lib/pkgconfig/.vars
$(PC_STAMP): FORCE
	@mkdir -p $(@D)
	@[ "$$(cat $@ 2>/dev/null)" = '$(PC_VARS)' ] || echo '$(PC_VARS)' > $@
$(PCFILE): core/shmfb.pc.in Makefile $(PC_STAMP)
	@mkdir -p $(@D)
	$(call quiet,GEN,$@)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' $< > $@
.PHONY: FORCE

# Front ends see only the public header (producer/ and viewer/ never use core/src).
$(OBJ)/producer/%.o: EXTRA_CFLAGS = $(STB_CFLAGS)
$(OBJ)/producer/stb_win32.o: EXTRA_CFLAGS = $(STB_CFLAGS) -w
$(OBJ)/viewer/%.o: EXTRA_CFLAGS = $(SDL_CFLAGS) $(STB_CFLAGS)
$(OBJ)/producer/%.o $(OBJ)/viewer/%.o $(OBJ)/samples/%.o: INC = -Icore/include
# What the programs share (core/app/app.h), linked into each beside the library.
APP_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(wildcard core/app/*.c))
$(OBJ)/producer/%.o $(OBJ)/viewer/%.o $(OBJ)/tests/test_app.o: INC = -Icore/include -Icore/app
# The shmfb command: its subcommands (bench in core/cli/bench) see cli.h.
$(OBJ)/core/cli/%.o: INC = -Icore/include -Icore/app -Icore/cli
$(OBJ)/core/app/%.o: INC = -Icore/include

$(BIN)/shmfb$(EXE): $(CLI_SRC:%.c=$(OBJ)/%.o) $(BENCH_SRC:%.c=$(OBJ)/%.o) $(APP_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(call quiet,LINK,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lm
$(BIN)/shmfb-producer$(EXE): $(PRODUCER_SRC:%.c=$(OBJ)/%.o) $(APP_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(call quiet,LINK,$@)$(CC) $(LDFLAGS) -o $@ $^ $(STB_LIBS) $(LDLIBS)
$(BIN)/shmfb-viewer$(EXE): $(VIEWER_SRC:%.c=$(OBJ)/%.o) $(APP_OBJ) $(LIBA) | $(SDL_DLL)
	@mkdir -p $(@D)
	$(call quiet,LINK,$@)$(CC) $(LDFLAGS) -o $@ $^ $(SDL_LIBS) $(STB_LIBS) $(LDLIBS)
$(OBJ)/viewer/stb_win32.o: EXTRA_CFLAGS = $(STB_CFLAGS) -w
# The DLL the viewer loads, beside it (Windows looks there first).
$(BIN)/SDL2.dll: $(SDL2_PREFIX)/bin/SDL2.dll
	@mkdir -p $(@D)
	$(call quiet,CP,$@)cp $< $@

# Manual pages made from each program's --help (mk/man.sh), so they cannot
# drift from it; tests/man.sh compares them.  Not for a cross build, whose
# programs do not run here.
MAN_WHAT_shmfb := inspect, dump and measure shmfb mappings
MAN_WHAT_shmfb-producer := publish a test pattern, pictures or raw frames into a shmfb mapping
MAN_WHAT_shmfb-viewer := show the frames of a shmfb mapping, and play its audio
MANPAGES := $(if $(CROSS),,$(PROGRAMS:$(BIN)/%$(EXE)=$(BUILD)/man/%.1))
man: $(MANPAGES)
$(BUILD)/man/%.1: $(BIN)/% mk/man.sh
	@mkdir -p $(@D)
	$(call quiet,GEN,$@)$< --help | sh mk/man.sh $* "$(MAN_WHAT_$*)" $(VERSION) >$@.tmp && mv $@.tmp $@

samples: $(SAMPLES)
$(BUILD)/samples/%$(EXE): $(OBJ)/samples/%.o $(LIBA)
	@mkdir -p $(@D)
	$(call quiet,LINK,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lm
# samples/make_images.c makes the sample pictures with stb_image_write.
$(OBJ)/samples/make_images.o: EXTRA_CFLAGS = $(STB_CFLAGS)
$(BUILD)/samples/make_images$(EXE): LDLIBS += $(STB_LIBS)
ifeq ($(PLATFORM),posix)
samples: $(BUILD)/samples/images/1-bars.png
$(BUILD)/samples/images/1-bars.png: $(BUILD)/samples/make_images
	@mkdir -p $(@D)
	$(call quiet,GEN,$(@D))$< $(@D) >/dev/null
endif

# Tests may look inside core/src (white-box unit tests).
# test_app checks what the programs share.
$(BUILD)/tests/test_app$(EXE): $(APP_OBJ)
$(BUILD)/tests/%$(EXE): $(OBJ)/tests/%.o $(TEST_COMMON:%.c=$(OBJ)/%.o) $(LIBA)
	@mkdir -p $(@D)
	$(call quiet,LINK,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lm

# Helpers for the shell tests (tests/tools/*.c, e.g. imgtool: stamp decoding
# and picture comparison for the viewer's tests): the library and stb.
ifeq ($(PLATFORM),posix)
TOOLS := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(wildcard tests/tools/*.c))
endif
$(OBJ)/tests/tools/%.o: EXTRA_CFLAGS = $(STB_CFLAGS)
$(BUILD)/tests/tools/%: $(OBJ)/tests/tools/%.o $(LIBA)
	@mkdir -p $(@D)
	$(call quiet,LINK,$@)$(CC) $(LDFLAGS) -o $@ $^ $(STB_LIBS) $(LDLIBS)
# xkey sends keys to the viewer's window in Xvfb (plain Xlib, no XTEST).
$(OBJ)/tests/tools/xkey.o: EXTRA_CFLAGS = $(patsubst -I%,-isystem %,$(shell $(PKG_CONFIG) --cflags x11 2>/dev/null))
$(BUILD)/tests/tools/xkey: LDLIBS += $(or $(shell $(PKG_CONFIG) --libs x11 2>/dev/null),-lX11)

# python/tests/run.sh runs tests/run.sh, then pytest, and counts both.
test check: deps-test all $(TESTS) $(TOOLS) samples python
	$(Q)$(MAKE) --no-print-directory gst-check-build
	$(Q)BUILD=$(BUILD) SAN=$(SAN) PYTHON=$(PYTHON) sh python/tests/run.sh \
		sh tests/run.sh $(TESTS) $(sort $(filter-out tests/run.sh,$(wildcard tests/*.sh)))

# The Python package (python/; numpy only at run time): the modules and a
# copy of libshmfb.so in build/python/shmfb, so that from the repository root
# PYTHONPATH=build/python /usr/bin/python3 -c 'import shmfb' works.  Debian's
# interpreter is the one with python3-numpy; PYTHON= picks another.
PYTHON ?= /usr/bin/python3
PY_SRC := $(wildcard python/shmfb/*.py) python/shmfb/py.typed
PY_OUT := $(PY_SRC:python/%=$(BUILD)/python/%) $(BUILD)/python/shmfb/libshmfb.so.0
python: $(PY_OUT)
$(BUILD)/python/shmfb/libshmfb.so.0: $(LIBSO)
	@mkdir -p $(@D)
	$(call quiet,CP,$@)cp $< $@
$(BUILD)/python/shmfb/%: python/shmfb/%
	@mkdir -p $(@D)
	$(call quiet,CP,$@)cp $< $@

# The GStreamer plugin: GStreamer only here, the core linked in (PIC).  Built
# by `make` when the dev packages are there; make test installs them first,
# so it builds the plugin and its test programs in a make that sees them.
GST_PKGS := gstreamer-1.0 gstreamer-base-1.0 gstreamer-video-1.0 gstreamer-audio-1.0
GST_FOUND := $(if $(filter posix,$(PLATFORM)),$(shell $(PKG_CONFIG) --exists $(GST_PKGS) && echo yes),)
GST_CFLAGS = $(patsubst -I%,-isystem %,$(shell $(PKG_CONFIG) --cflags $(GST_PKGS)))
GST_LIBS = $(shell $(PKG_CONFIG) --libs $(GST_PKGS))
GST_PLUGIN := $(BUILD)/gst/libgstshmfb.so
GST_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(wildcard gst/*.c))
GST_PLUGINDIR ?= $(LIBDIR)/gstreamer-1.0
GST_TEST_BINS := $(BUILD)/tests/gst_harness $(BUILD)/tests/gst_tool
# shmfb bench's iceoryx peer (zero-copy section): its own program, built when
# the C binding is installed (libiceoryx-binding-c-dev); nothing else links it.
# It is built without SAN: it tests iceoryx, not shmfb, and under ASan its
# publisher exited 1 before sending a frame (iceoryx's own C++ runtime).
PEER_CFLAGS = $(filter-out -fsanitize=% -fno-sanitize-recover=%,$(CFLAGS))
PEER_LDFLAGS = $(filter-out -fsanitize=%,$(LDFLAGS))
ICEORYX_INC := $(firstword $(wildcard /usr/include/iceoryx/v*/iceoryx_binding_c/api.h))
ifneq ($(and $(ICEORYX_INC),$(filter posix,$(PLATFORM))),)
BENCH_ICEORYX_PEER := $(BIN)/shmfb-bench-iceoryx
programs: $(BENCH_ICEORYX_PEER)
$(OBJ)/bench-peers/iceoryx_peer.o: core/cli/bench/peers/iceoryx_peer.c
	@mkdir -p $(@D)
	$(call quiet,CC,$<)$(CC) $(PEER_CFLAGS) -isystem $(patsubst %/iceoryx_binding_c/api.h,%,$(ICEORYX_INC)) -c -o $@ $<
$(BENCH_ICEORYX_PEER): $(OBJ)/bench-peers/iceoryx_peer.o
	@mkdir -p $(@D)
	$(call quiet,LINK,$@)$(CC) $(PEER_LDFLAGS) -o $@ $< -liceoryx_binding_c
endif

# shmfb bench's GStreamer peer (paced delivery): a program of its own, so that
# neither the library nor the shmfb command links GStreamer.
BENCH_GST_PEER := $(BIN)/shmfb-bench-gst
gst: $(GST_PLUGIN) $(BENCH_GST_PEER)
$(OBJ)/core/cli/bench/peers/%.o: core/cli/bench/peers/%.c
	@mkdir -p $(@D)
	$(call quiet,CC,$<)$(CC) $(CFLAGS) $(GST_CFLAGS) $(shell $(PKG_CONFIG) --cflags gstreamer-app-1.0) -c -o $@ $<
$(BENCH_GST_PEER): $(OBJ)/core/cli/bench/peers/gst_peer.o
	@mkdir -p $(@D)
	$(call quiet,LINK,$@)$(CC) $(LDFLAGS) -o $@ $< $(shell $(PKG_CONFIG) --libs gstreamer-1.0 gstreamer-app-1.0)
gst-if-found:
ifeq ($(GST_FOUND),yes)
	$(Q)$(MAKE) --no-print-directory gst
else ifeq ($(PLATFORM),posix)
	@echo "  SKIP    gst/ plugin: no GStreamer dev packages (libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev)"
endif
# Sanitized plugins cannot load into gst-launch-1.0: those runs skip the plugin tests.
gst-check-build:
ifeq ($(GST_FOUND)$(SAN),yes)
	$(Q)$(MAKE) --no-print-directory gst $(GST_TEST_BINS)
endif
$(OBJ)/gst/%.o: gst/%.c
	@mkdir -p $(@D)
	$(call quiet,CC,$<)$(CC) $(CFLAGS) $(PIC_CFLAGS) -Icore/include $(GST_CFLAGS) -c -o $@ $<
$(GST_PLUGIN): $(GST_OBJ) $(CORE_PIC)
	@mkdir -p $(@D)
	$(call quiet,LD,$@)$(CC) -shared -Wl,-z,defs $(LDFLAGS) -o $@ $^ $(GST_LIBS) $(CORE_LIBS)
$(OBJ)/tests/gst/%.o: tests/gst/%.c
	@mkdir -p $(@D)
	$(call quiet,CC,$<)$(CC) $(CFLAGS) -Icore/include -Itests $(GST_CFLAGS) -c -o $@ $<
.SECONDARY: $(GST_TEST_BINS:$(BUILD)/tests/gst_%=$(OBJ)/tests/gst/%.o)
$(BUILD)/tests/gst_%: $(OBJ)/tests/gst/%.o $(LIBA)
	@mkdir -p $(@D)
	$(call quiet,LINK,$@)$(CC) $(LDFLAGS) -o $@ $^ \
		$(shell $(PKG_CONFIG) --libs $(GST_PKGS) gstreamer-check-1.0 gstreamer-app-1.0) -lm

# The Windows build's tests under Wine, in a throwaway prefix: first SDL2
# for the viewer (built once, unless SDL2_MINGW names one), then the rest.
WIN32_CROSS := $(or $(CROSS),x86_64-w64-mingw32-)
test-win32:
	$(Q)sh mk/need-packages.sh $(DEPS_WIN32)
	$(Q)$(MAKE) --no-print-directory CROSS=$(WIN32_CROSS) sdl2-mingw
	$(Q)$(MAKE) --no-print-directory CROSS=$(WIN32_CROSS) win32-check
# Without SDL2_MINGW nor the tarball nothing happens here; `programs` says
# that it skips the viewer.
sdl2-mingw:
ifeq ($(SDL2_PREFIX)-$(if $(SDL2_TARBALL),tarball),-tarball)
	$(Q)sh mk/sdl2-mingw.sh $(SDL2_TARBALL) $(SDL2_BUILT) $(MINGW_HOST)
endif
	@:
# The viewer's tests are tests/viewer_*.sh run against the .exe programs;
# their picture and sound helpers are Linux programs, built into build/.
ifneq ($(VIEWER_SRC),)
# viewer_x11.sh first: Wine's desktop keeps the display of the program that
# started it, and the headless scripts start theirs without DISPLAY; it
# closes a moment after its last program, but not always before the next.
WIN32_SHELL_TESTS := tests/viewer_x11.sh tests/viewer_headless.sh tests/viewer_errors.sh tests/viewer_audio.sh
WIN32_TOOLS := build/tests/tools/imgtool build/tests/tools/pcmtool
endif
win32-check: lib programs $(TESTS)
ifneq ($(WIN32_TOOLS),)
	$(Q)$(MAKE) --no-print-directory CROSS= BUILD=build $(WIN32_TOOLS)
endif
	$(Q)BUILD=$(BUILD) SHMFB_TOOLS=$(abspath build/tests/tools) sh mk/wine-test.sh $(TESTS) $(WIN32_SHELL_TESTS)

demo: all
	$(Q)BUILD=$(BUILD) sh mk/demo.sh

# Every atomic access (a memory_order_, an atomic_* call or a fence) needs a
# comment on its line or one of the two above saying its order and why, and
# none may be an implicit seq_cst.  tests/lint_atomics.sh runs this target.
LINT_DIRS := core/include core/src core/app core/cli core/cli/bench core/cli/bench/peers producer viewer samples tests tests/tools tests/fuzz \
	gst tests/gst
LINT_SRC := $(sort $(wildcard $(addsuffix /*.c,$(LINT_DIRS)) $(addsuffix /*.h,$(LINT_DIRS))))
lint:
	$(Q)sh mk/lint-atomics.sh $(LINT_SRC)

# libFuzzer with ASan+UBSan on header validation and frame access (clang).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Icore/include -Icore/src
fuzz: build/fuzz/fuzz_header
	@mkdir -p build/fuzz/corpus
	build/fuzz/fuzz_header -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		build/fuzz/corpus tests/fuzz/corpus
build/fuzz/fuzz_header: tests/fuzz/fuzz_header.c $(CORE_SRC) $(wildcard core/src/*.h core/include/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_header.c $(CORE_SRC) -lpthread
build/fuzz/make_corpus: tests/fuzz/make_corpus.c $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Icore/include -Icore/src -o $@ $^ -lm

# Ten minutes of 1080p at 240 fps with 4 readers and the viewer (not in make test).
soak: all $(TOOLS)
	$(Q)BUILD=$(BUILD) sh mk/soak.sh

# valgrind memcheck on the multi-process tests, scaled down (SHMFB_TEST_QUICK).
VALGRIND_TESTS := test_rw test_takeover test_validate test_audio test_procs test_crash test_hostile
VALGRIND ?= valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	--trace-children=yes --child-silent-after-fork=yes
valgrind: all $(VALGRIND_TESTS:%=$(BUILD)/tests/%)
	$(Q)SHMFB_TEST_QUICK=1 RUNNER="$(VALGRIND)" BUILD=$(BUILD) sh tests/run.sh \
		$(VALGRIND_TESTS:%=$(BUILD)/tests/%)

# The Python package goes where Debian's python3 looks for PREFIX's modules
# (/usr/local/lib/python3.X/dist-packages); _paths.py tells it the library.
PYTHON_SITE ?= $(PREFIX)/lib/$(shell $(PYTHON) -c 'import sys; print("python%d.%d" % sys.version_info[:2])' 2>/dev/null || echo python3)/dist-packages
install: all
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(BINDIR)
	install -m 644 $(LIBA) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(LIBSO) $(DESTDIR)$(LIBDIR)/libshmfb.so.0
	ln -sf libshmfb.so.0 $(DESTDIR)$(LIBDIR)/libshmfb.so
	install -m 644 core/include/shmfb.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 $(PCFILE) $(DESTDIR)$(LIBDIR)/pkgconfig/
	install -m 755 $(PROGRAMS) $(DESTDIR)$(BINDIR)/
ifneq ($(MANPAGES),)
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1/
endif
	install -d $(DESTDIR)$(PYTHON_SITE)/shmfb
	install -m 644 $(PY_SRC) $(DESTDIR)$(PYTHON_SITE)/shmfb/
	echo 'LIBRARY = "$(LIBDIR)/libshmfb.so.0"' > $(DESTDIR)$(PYTHON_SITE)/shmfb/_paths.py
ifeq ($(GST_FOUND),yes)
	install -d $(DESTDIR)$(GST_PLUGINDIR)
	install -m 755 $(GST_PLUGIN) $(DESTDIR)$(GST_PLUGINDIR)/
endif

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libshmfb.a $(DESTDIR)$(LIBDIR)/libshmfb.so* \
		$(DESTDIR)$(INCLUDEDIR)/shmfb.h $(DESTDIR)$(LIBDIR)/pkgconfig/shmfb.pc \
		$(PROGRAMS:$(BIN)/%=$(DESTDIR)$(BINDIR)/%) $(DESTDIR)$(GST_PLUGINDIR)/libgstshmfb.so \
		$(MANPAGES:$(BUILD)/man/%=$(DESTDIR)$(MANDIR)/man1/%)
	rm -rf $(DESTDIR)$(PYTHON_SITE)/shmfb

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
