"""Producing a mapping: numpy arrays published as frames, and audio."""
from __future__ import annotations

import contextlib
import ctypes
import sys
import warnings
import weakref
from fractions import Fraction
from typing import Any, Iterator, Optional, Sequence, Tuple, Union

import numpy as np

from ._arrays import Image, Planes, Region, format_code, image_of, layout_of, plane_shapes, split_planes
from ._lib import Planes as CPlanes
from ._lib import WriterOptions, lib
from .color import Color
from .errors import check

CREATE_REPLACE = 1 << 0
CREATE_KEEP = 1 << 1
_SAMPLE_FORMATS = {"s16": (1, np.dtype(np.int16)), "f32": (2, np.dtype(np.float32))}

Rate = Union[int, float, Fraction, Tuple[int, int], None]


def _fps_pair(fps: Rate) -> tuple[int, int]:
    """A rate as the header's num/den: 30, 29.97, Fraction(30000, 1001) or (30000, 1001)."""
    if fps is None or fps == 0:
        return 0, 1
    if isinstance(fps, tuple):
        num, den = fps
    else:
        f = Fraction(str(fps)) if isinstance(fps, float) else Fraction(fps)
        num, den = f.numerator, f.denominator
    if num <= 0 or den <= 0 or num >= 2**32 or den >= 2**32:
        raise ValueError(f"fps {fps!r}: must be positive and fit num/den in 32 bits")
    return int(num), int(den)


class _Handle:
    """One shmfb_writer.  Closed (readers told, name removed, unmapped) when
    nothing refers to it any more: not the Writer, and no array from frame()."""

    def __init__(self, name: str, o: WriterOptions) -> None:
        ptr = ctypes.c_void_p()
        check(lib.shmfb_create(name.encode(), ctypes.byref(o), ctypes.byref(ptr)))
        self.ptr = ptr.value
        self._close = weakref.finalize(self, lib.shmfb_writer_close, self.ptr)


class Writer:
    """Creates the mapping NAME and publishes frames into it.

    ::

        with shmfb.Writer("cam0", 1280, 720, "rgba", fps=30) as w:
            w.send(frame)                  # a (720, 1280, 4) uint8 array, copied
            with w.frame() as buf:         # or zero-copy: draw into the slot
                buf[...] = 255

    ``format`` is one of rgba, bgra, rgb24, gray8, yuyv, nv12, i420.  Audio
    beside the video: ``audio_rate`` (8000..192000), ``audio_channels`` and
    ``audio_format`` ("s16" or "f32").  ``replace`` takes the name from a
    running producer; ``keep`` leaves it at close.  Raises shmfb.ExistsError
    when a running producer has the name, ValueError for a bad format.

    ``color`` (a shmfb.Color) says what the values mean; ``row_align`` pads
    every row to a multiple of it (a power of two; 4 is GStreamer's layout):
    then ``send`` takes the format's array or the planes (the padding is
    left alone), or a flat array of ``frame_bytes`` with the padding in it.
    """

    def __init__(self, name: str, width: int, height: int, format: str = "rgba", fps: Rate = 30, *,
                 audio_rate: int = 0, audio_channels: int = 2, audio_format: str = "s16",
                 audio_capacity_ms: int = 0, replace: bool = False, keep: bool = False,
                 mode: int = 0o600, heartbeat_timeout_ms: Optional[int] = None,
                 color: Optional[Color] = None, row_align: int = 0) -> None:
        o = WriterOptions()
        lib.shmfb_writer_options_init(ctypes.byref(o))
        o.width, o.height, o.format = width, height, format_code(format)
        o.fps_num, o.fps_den = _fps_pair(fps)
        o.mode = mode
        o.flags = (CREATE_REPLACE if replace else 0) | (CREATE_KEEP if keep else 0)
        o.row_align = row_align
        if color is not None:
            o.color = color.to_c()
        if heartbeat_timeout_ms is not None:
            o.heartbeat_timeout_ms = heartbeat_timeout_ms
        if audio_rate:
            if audio_format not in _SAMPLE_FORMATS:
                raise ValueError(f"audio_format {audio_format!r}: not one of {', '.join(_SAMPLE_FORMATS)}")
            o.audio_rate, o.audio_channels = audio_rate, audio_channels
            o.audio_format = _SAMPLE_FORMATS[audio_format][0]
            if audio_capacity_ms:
                o.audio_capacity_ms = audio_capacity_ms
        self.name, self.width, self.height, self.format = name, width, height, format
        self._handle: Optional[_Handle] = _Handle(name, o)
        self._layout = layout_of(width, height, format, row_align)
        self._tight = all(self._layout.stride[i] == self._layout.row_bytes[i]
                          for i in range(self._layout.plane_count))
        self.shapes = plane_shapes(format, width, height)
        self.frame_bytes = int(self._layout.frame_bytes)
        self.audio = AudioWriter(self, audio_rate, audio_channels,
                                 _SAMPLE_FORMATS.get(audio_format, (0, np.dtype(np.int16)))[1])

    def _h(self) -> _Handle:
        if self._handle is None:
            raise ValueError(f"shmfb.Writer({self.name!r}) is closed")
        return self._handle

    @property
    def published(self) -> int:
        """Frames published so far."""
        return int(lib.shmfb_writer_published(self._h().ptr))

    @property
    def generation(self) -> int:
        """The generation id the library chose at create; readers see the same."""
        return int(lib.shmfb_writer_generation(self._h().ptr))

    def _numbers(self, frame_number: Optional[int], pts_ns: Optional[int]) -> tuple[int, int]:
        n = self.published if frame_number is None else frame_number
        return n, lib.shmfb_now_ns() if pts_ns is None else pts_ns

    def send(self, frame: Union[np.ndarray, Sequence[np.ndarray]], *, frame_number: Optional[int] = None,
             pts_ns: Optional[int] = None) -> None:
        """Copies a frame in and publishes it.

        ``frame`` is the format's array (``shapes[0]`` uint8, C-contiguous),
        the packed frame as a flat uint8 array of ``frame_bytes``, or for
        nv12/i420 a sequence of planes.  ``frame_number`` defaults to the
        count published so far, ``pts_ns`` to now (CLOCK_MONOTONIC).  Raises
        ValueError naming what is wrong with the array.
        """
        h = self._h()
        n, pts = self._numbers(frame_number, pts_ns)
        if isinstance(frame, np.ndarray):
            self._check_whole(frame)
            if self._tight or frame.ndim == 1:
                check(lib.shmfb_writer_publish_copy(h.ptr, frame.ctypes.data, frame.nbytes, n, pts))
                return
            frame = (frame,)  # rows padded in the mapping: copied row by row below
        planes = tuple(frame)
        self._check_planes(planes)
        with self.frame(frame_number=n, pts_ns=pts) as dst:
            for d, s in zip(dst if isinstance(dst, tuple) else (dst,), planes):
                d[...] = s

    def _describe(self) -> str:
        return f"{self.name} is {self.width}x{self.height} {self.format}"

    def _check_whole(self, a: np.ndarray) -> None:
        packed = (self.frame_bytes,)
        if a.dtype != np.uint8:
            raise ValueError(f"send: dtype {a.dtype}; {self._describe()}, which takes uint8")
        if a.shape != packed and (len(self.shapes) > 1 or a.shape != self.shapes[0]):
            want = f"{self.shapes[0]} or " if len(self.shapes) == 1 else "a tuple of planes or "
            raise ValueError(f"send: shape {a.shape}; {self._describe()}, which takes {want}{packed}")
        if not a.flags.c_contiguous:
            raise ValueError("send: the array is not C-contiguous (np.ascontiguousarray makes a copy that is)")

    def _check_planes(self, planes: Planes) -> None:
        if len(planes) != len(self.shapes):
            raise ValueError(f"send: {len(planes)} planes; {self._describe()}, which has {len(self.shapes)}")
        for i, (p, shape) in enumerate(zip(planes, self.shapes)):
            if not isinstance(p, np.ndarray) or p.dtype != np.uint8 or p.shape != shape:
                got = f"{p.dtype} {p.shape}" if isinstance(p, np.ndarray) else type(p).__name__
                raise ValueError(f"send: plane {i} is {got}; {self._describe()}, which takes uint8 {shape}")

    @contextlib.contextmanager
    def frame(self, *, frame_number: Optional[int] = None, pts_ns: Optional[int] = None,
              packed: bool = False) -> Iterator[Image]:
        """Zero-copy: ``with w.frame() as buf: buf[...] = ...`` draws straight
        into the next slot and publishes it when the block ends (not when it
        raises).  ``buf`` is the format's array (the tuple of planes for
        nv12/i420; ``packed=True`` gives the flat frame).  It is made
        read-only once published; do not keep it past the block, the writer
        stays open until the last such array is gone."""
        h = self._h()
        p = CPlanes()
        lib.shmfb_writer_acquire(h.ptr, ctypes.byref(p))
        address = ctypes.cast(p.data[0], ctypes.c_void_p).value - self._layout.offset[0]
        flat = np.asarray(Region(address, self.frame_bytes, True, h))
        planes = split_planes(flat, self._layout, self.format, self.width, self.height)
        yield flat if packed else image_of(planes)
        n, pts = self._numbers(frame_number, pts_ns)
        lib.shmfb_writer_publish(h.ptr, n, pts)
        for a in (flat,) + planes:
            a.flags.writeable = False

    def heartbeat(self) -> None:
        """Tells readers the producer is alive while it publishes nothing."""
        lib.shmfb_writer_heartbeat(self._h().ptr)

    def close(self) -> None:
        """Closes the mapping: readers see it closed and the name goes (unless
        ``keep``).  If an array from frame() is still referenced, that
        happens when the last one is gone."""
        h, self._handle = self._handle, None
        if h is not None and sys.getrefcount(h) > 2:  # h and getrefcount's own
            warnings.warn(f"shmfb.Writer({self.name!r}).close(): an array from frame() is still "
                          "referenced; the mapping closes when it is gone", ResourceWarning, stacklevel=2)

    def __enter__(self) -> "Writer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._handle is None else f"{self.published} published"
        return f"<shmfb.Writer {self.name!r} {self.width}x{self.height} {self.format} {state}>"


class AudioWriter:
    """The audio ring of a writer; ``rate`` is 0 when it was created without."""

    def __init__(self, writer: Writer, rate: int, channels: int, dtype: np.dtype) -> None:
        self._writer = writer
        self.rate, self.channels, self.dtype = rate, channels if rate else 0, dtype

    @property
    def written(self) -> int:
        """Frames written so far."""
        return int(lib.shmfb_writer_audio_written(self._writer._h().ptr))

    def write(self, frames: np.ndarray, *, pts_ns: Optional[int] = None) -> None:
        """Appends a (frames, channels) array of the ring's dtype (C-contiguous),
        whose first frame sounds at ``pts_ns`` (default now).  Never blocks."""
        h = self._writer._h()
        if self.rate == 0:
            raise ValueError(f"audio.write: {self._writer.name} was created without audio (audio_rate=0)")
        if frames.dtype != self.dtype or frames.ndim != 2 or frames.shape[1] != self.channels:
            raise ValueError(f"audio.write: {frames.dtype} {frames.shape}; the ring takes "
                             f"{self.dtype} (frames, {self.channels})")
        if not frames.flags.c_contiguous:
            raise ValueError("audio.write: the array is not C-contiguous")
        pts = lib.shmfb_now_ns() if pts_ns is None else pts_ns
        check(lib.shmfb_writer_audio_write(h.ptr, frames.ctypes.data, frames.shape[0], pts))
