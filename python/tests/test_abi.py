"""The binding's ctypes structs against shmfb.h itself: a C program compiled
here prints every field's offset and every struct's size, which must be the
binding's.  A field added to the header without the binding following fails
here, not as memory corruption in a user's program."""
from __future__ import annotations

import ctypes
import os
import shutil
import subprocess

import pytest
from conftest import ROOT

import shmfb
from shmfb import _lib, errors

STRUCTS = {
    "shmfb_layout": _lib.Layout, "shmfb_color": _lib.Color, "shmfb_writer_options": _lib.WriterOptions,
    "shmfb_planes": _lib.Planes, "shmfb_info": _lib.Info, "shmfb_frame": _lib.CFrame,
    "shmfb_stamp": _lib.Stamp, "shmfb_audio_block": _lib.AudioBlock,
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


def test_the_codes_the_exceptions_use_are_the_librarys():
    for code, name in [(errors.ENOENT, "ENOENT"), (errors.EEXIST, "EEXIST"), (errors.EINVAL, "EINVAL"),
                       (errors.ETIMEDOUT, "ETIMEDOUT"), (errors.ENOFRAME, "ENOFRAME"),
                       (errors.ETORN, "ETORN"), (errors.ECLOSED, "ECLOSED"), (errors.EDEAD, "EDEAD"),
                       (errors.ESTALE, "ESTALE"), (errors.EREPLACED, "EREPLACED"),
                       (errors.EBACKWARDS, "EBACKWARDS")]:
        assert shmfb.code_name(code) == "SHMFB_" + name
    # Every header-validation code, and only those, is a CorruptError.
    for code in range(-1100, -1200, -1):
        if _lib.lib.shmfb_errname(code):
            assert isinstance(errors.error(code, "x"), shmfb.CorruptError), shmfb.code_name(code)
    assert type(errors.error(-1200, "x")) is shmfb.Error
