"""shmfb: video frames and audio through named shared memory, as numpy arrays.

Read a producer's frames::

    import shmfb
    with shmfb.Reader("cam0") as r:
        for frame in r.frames(timeout=2):
            print(frame.frame_number, frame.array.shape)

Publish numpy arrays::

    with shmfb.Writer("cam0", 640, 480, "rgba", fps=30) as w:
        w.send(image)                     # (480, 640, 4) uint8

The package is a ctypes binding of libshmfb (core/include/shmfb.h); it needs
numpy and nothing else.  Use Debian's interpreter, /usr/bin/python3, where
python3-numpy is installed.
"""
from __future__ import annotations

import ctypes
from typing import Union

import numpy as np

from ._arrays import FORMATS
from ._lib import LIST_FN, Stamp, lib
from .color import Color
from .errors import CorruptError, Error, ExistsError, NotFoundError, TimeoutError, check, code_name
from .reader import AudioReader, Frame, Reader
from .writer import AudioWriter, Writer

__all__ = ["Reader", "Writer", "Color", "Frame", "AudioReader", "AudioWriter", "Error", "NotFoundError",
           "ExistsError", "CorruptError", "TimeoutError", "FORMATS", "code_name", "now_ns",
           "list_names", "unlink", "decode_stamp"]


def now_ns() -> int:
    """CLOCK_MONOTONIC in nanoseconds: the clock of every time in a mapping."""
    return int(lib.shmfb_now_ns())


def list_names() -> list[str]:
    """The name of every shmfb mapping on this machine."""
    names: list[str] = []
    cb = LIST_FN(lambda name, ctx: names.append(name.decode(errors="replace")))
    check(lib.shmfb_list(cb, None))
    return names


def unlink(name: str) -> None:
    """Removes a name (as ``shmfb rm``); readers that have it open keep it."""
    check(lib.shmfb_unlink(name.encode()))


def decode_stamp(frame: Union[Frame, np.ndarray], fmt: str = "", width: int = 0,
                 height: int = 0) -> tuple[int, int]:
    """Reads the test pattern's frame stamp (docs/PATTERN.md) from a frame:
    its (frame_number, time_ns).  Raises shmfb.Error SHMFB_ENOFRAME when the
    picture holds no valid stamp."""
    from ._arrays import format_code

    if isinstance(frame, Frame):
        plane0, fmt, width, height = frame.planes[0], frame.format, frame.width, frame.height
    else:
        plane0 = frame
    plane0 = np.ascontiguousarray(plane0)
    stride = plane0.strides[0]
    out = Stamp()
    check(lib.shmfb_stamp_decode(plane0.ctypes.data, width, height, stride, format_code(fmt),
                                 ctypes.byref(out)))
    return int(out.frame_number), int(out.time_ns)
