"""The binding's ctypes structs against shmfb.h itself: a C program compiled
here prints every field's offset and every struct's size, which must be the
binding's.  A field added to the header without the binding following fails
here, not as memory corruption in a user's program."""
from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess

import pytest
from conftest import ROOT

import shmfb
from shmfb import _lib, color, errors

STRUCTS = {
    "shmfb_layout": _lib.Layout, "shmfb_color": _lib.Color, "shmfb_writer_options": _lib.WriterOptions,
    "shmfb_planes": _lib.Planes, "shmfb_info": _lib.Info, "shmfb_frame": _lib.CFrame, "shmfb_view": _lib.CView,
    "shmfb_stamp": _lib.Stamp, "shmfb_audio_block": _lib.AudioBlock,
}


COLOR_PREFIXES = {"matrix": "MATRIX", "range": "RANGE", "transfer": "TRANSFER", "primaries": "PRIMARIES",
                  "chroma_site": "CHROMA"}
# ffmpeg's word -> the header's constant, per field.
COLOR_CONSTANTS = {
    ("rgb", "matrix"): "RGB", ("smpte170m", "matrix"): "BT601", ("bt709", "matrix"): "BT709",
    ("bt2020nc", "matrix"): "BT2020", ("tv", "range"): "LIMITED", ("pc", "range"): "FULL",
    ("bt709", "transfer"): "BT709", ("iec61966-2-1", "transfer"): "SRGB", ("smpte170m", "transfer"): "BT601",
    ("bt2020-10", "transfer"): "BT2020", ("smpte2084", "transfer"): "PQ", ("arib-std-b67", "transfer"): "HLG",
    ("linear", "transfer"): "LINEAR", ("bt709", "primaries"): "BT709", ("bt470bg", "primaries"): "BT601_625",
    ("smpte170m", "primaries"): "BT601_525", ("bt2020", "primaries"): "BT2020",
    ("left", "chroma_site"): "LEFT", ("center", "chroma_site"): "CENTER", ("topleft", "chroma_site"): "TOPLEFT",
}


def fields(cls):
    return [f[0] for f in cls._fields_ if not f[0].startswith("_")]


@pytest.fixture(scope="module")
def c_layout(tmp_path_factory):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler to read shmfb.h with")
    d = tmp_path_factory.mktemp("abi")
    lines = ["#include <stddef.h>", "#include <stdio.h>", '#include "shmfb.h"', "int main(void) {"]
    for c_name, cls in STRUCTS.items():
        lines.append(f'printf("{c_name} sizeof %zu\\n", sizeof({c_name}));')
        for f in fields(cls):
            lines.append(f'printf("{c_name} {f} %zu\\n", offsetof({c_name}, {f}));')
    for field, prefix in COLOR_PREFIXES.items():
        for word, value in getattr(color, field.upper()).items():
            lines.append(f'printf("color {field}:{word} %d\\n", (int)SHMFB_{prefix}_{COLOR_CONSTANTS[word, field]});')
    lines += ["return 0; }"]
    (d / "abi.c").write_text("\n".join(lines))
    subprocess.run([cc, "-std=c11", "-I", os.path.join(ROOT, "core/include"), "-o", str(d / "abi"),
                    str(d / "abi.c")], check=True)
    out = subprocess.run([str(d / "abi")], check=True, capture_output=True, text=True).stdout
    return {tuple(line.split()[:2]): int(line.split()[2]) for line in out.splitlines()}


@pytest.mark.parametrize("c_name", list(STRUCTS))
def test_structs_match_the_header(c_name, c_layout):
    cls = STRUCTS[c_name]
    for f in fields(cls):
        assert getattr(cls, f).offset == c_layout[(c_name, f)], f"{c_name}.{f}"
    size = c_layout[(c_name, "sizeof")]
    if cls is _lib.WriterOptions:  # plus room for a newer library's options
        assert cls._slack.offset == size
    else:
        assert ctypes.sizeof(cls) == size


def test_colour_values_are_the_headers(c_layout):
    for (word, field), _ in COLOR_CONSTANTS.items():
        assert getattr(color, field.upper())[word] == c_layout[("color", f"{field}:{word}")], (field, word)


#: Every error number errors.py restates (ENOENT, EBUSY, ...): each must be the header's.
RESTATED = {k: v for k, v in vars(errors).items() if re.fullmatch(r"E[A-Z]+", k) and isinstance(v, int)}


def header_codes():
    """SHMFB_ERRNO_MAP's names and values, read from shmfb.h's text."""
    with open(os.path.join(ROOT, "core/include/shmfb.h")) as f:
        text = f.read()
    return {n: int(v) for n, v in re.findall(r"XX\((\w+), (-?\d+),", text)}


def test_the_codes_the_exceptions_use_are_the_librarys():
    assert {"ENOENT", "EBUSY", "ESTALE"} <= set(RESTATED)  # the pattern finds them
    in_header = header_codes()
    assert in_header and all(shmfb.code_name(v) == "SHMFB_" + n for n, v in in_header.items())
    for name, code in RESTATED.items():
        assert shmfb.code_name(code) == "SHMFB_" + name, name
        assert in_header.get(name) == code, name
    # Every header-validation code, and only those, is a CorruptError.
    for code in range(-1100, -1200, -1):
        if _lib.lib.shmfb_errname(code):
            assert isinstance(errors.error(code, "x"), shmfb.CorruptError), shmfb.code_name(code)
    assert type(errors.error(-1200, "x")) is shmfb.Error
