"""Reading a mapping: frames as numpy arrays, copied or zero-copy, and audio."""
from __future__ import annotations

import asyncio
import ctypes
import threading
import weakref
from typing import Any, Callable, Iterator, Optional

import numpy as np

from . import errors
from ._arrays import Image, Planes, Region, format_name, image_of, plane_shapes, split_planes
from ._lib import SLOTS, AudioBlock, CFrame, CView, Info, lib
from .color import Color
from .errors import Error, check

_NS = 1_000_000_000
#: A wait wakes this often to ask whether the producer is still there (and
#: reattach when the name has a new one); the futex wakes it at once on a frame.
_POLL_S = 0.25
#: shmfb_reader_latest says ETORN when the producer laps it between two loads.
_LATEST_TRIES = 64

_reader_latest = lib.shmfb_reader_latest
_STATUS = {0: "running", errors.ECLOSED: "closed", errors.EDEAD: "dead",
           errors.ESTALE: "stale", errors.EREPLACED: "replaced"}


def _timeout_ns(timeout: Optional[float]) -> int:
    """Seconds (None = forever) to the library's nanoseconds (< 0 = forever)."""
    if timeout is None:
        return -1
    if timeout < 0:
        raise ValueError(f"timeout {timeout}: must not be negative (None waits forever)")
    return int(timeout * _NS)


class _Handle:
    """One open shmfb_reader.  Closed when nothing refers to it any more: not
    the Reader, and no array over its mapping."""

    def __init__(self, name: str) -> None:
        ptr = ctypes.c_void_p()
        check(lib.shmfb_open(name.encode(), ctypes.byref(ptr)))
        self.ptr = ptr.value
        # A copy: the reader's own lives only as long as the handle.
        self.info: Info = Info.from_buffer_copy(lib.shmfb_reader_info(self.ptr).contents)
        # Asked per frame: kept as Python values.
        self.format = format_name(self.info.format)
        self.width, self.height = int(self.info.width), int(self.info.height)
        self.frame_bytes = int(self.info.layout.frame_bytes)
        self._close = weakref.finalize(self, lib.shmfb_reader_close, self.ptr)


class Frame:
    """One frame and its metadata.

    ``array`` is the frame as the format's array: (H, W, 4) uint8 for rgba and
    bgra, (H, W, 3) rgb24, (H, W) gray8, (H, W, 2) yuyv, and for nv12 and
    i420 the tuple of planes (Y, UV) or (Y, U, V).  ``planes`` is always that
    tuple, ``packed`` the whole frame as one 1-D uint8 array.

    ``dropped`` counts the frames published between the one the reader
    returned before and this one, which the reader never returned.

    A frame from ``Reader.view()`` lies in the mapping: its arrays are
    read-only, and the producer may rewrite the slot after two frame
    periods, so check ``valid()`` after reading the pixels.  A frame from
    ``Reader.latest()`` is a private copy and always valid.
    """

    __slots__ = ("index", "frame_number", "pts_ns", "publish_ns", "format", "width", "height",
                 "dropped", "planes", "packed", "_handle", "_cframe", "_view")

    def __init__(self, cf: CFrame, h: _Handle, dropped: int, packed: np.ndarray, planes: Planes,
                 zero_copy: bool, view: Optional["_CowView"] = None) -> None:
        self.index: int = cf.index
        self.frame_number: int = cf.frame_number
        self.pts_ns: int = cf.pts_ns
        self.publish_ns: int = cf.publish_ns
        self.format: str = h.format
        self.width: int = h.width
        self.height: int = h.height
        self.dropped: int = dropped
        self.packed: np.ndarray = packed
        self.planes: Planes = planes
        self._handle = h if zero_copy else None
        self._cframe = cf
        self._view = view

    @property
    def array(self) -> Image:
        """The frame as the format's array (a tuple of planes for nv12, i420)."""
        return image_of(self.planes)

    def valid(self) -> bool:
        """True when the producer has not begun to rewrite this frame's slot
        since it was taken: call it after reading a view's pixels."""
        if self._handle is None:
            return True
        if self._view is not None:
            return self._view.check() == 0
        return lib.shmfb_frame_valid(self._handle.ptr, ctypes.byref(self._cframe)) == 1

    def release(self) -> None:
        """Gives back a writable view's private pages (its arrays then show the
        slot as it is, and valid() is False).  Nothing for other frames."""
        if self._view is not None:
            self._view.release()

    def __enter__(self) -> "Frame":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()

    def __repr__(self) -> str:
        kind = "copy" if self._handle is None else "writable view" if self._view else "view"
        return (f"<shmfb.Frame {kind} #{self.index} frame_number={self.frame_number} "
                f"{self.width}x{self.height} {self.format} dropped={self.dropped}>")


class Reader:
    """A read-only reader of the mapping NAME.

    ::

        with shmfb.Reader("cam0") as r:
            r.wait(timeout=1)
            frame = r.latest()

    Nothing the reader does is visible to the producer.  When the producer
    closes, dies or is replaced, ``wait``, ``frames`` and ``next`` open the
    name again and go on with the new producer (``reattach=False`` keeps the
    reader on the first one).  Opening raises shmfb.NotFoundError when no
    mapping has the name, shmfb.CorruptError when it fails validation.

    A Reader is for one thread at a time (as a file object is); open one
    per thread to read in several.
    """

    def __init__(self, name: str, *, reattach: bool = True) -> None:
        self.name = name
        self.reattach = reattach
        self._handle: Optional[_Handle] = _Handle(name)
        self._seen = 0          # index of the last frame returned
        self._views: dict[int, tuple[np.ndarray, Planes]] = {}
        self._out: Optional[tuple[np.ndarray, int, np.ndarray, Planes]] = None
        self._cow: dict[int, weakref.ref[_CowView]] = {}
        self.audio = AudioReader(self)

    # ------------------------------------------------------------- plumbing
    def _h(self) -> _Handle:
        if self._handle is None:
            raise ValueError(f"shmfb.Reader({self.name!r}) is closed")
        return self._handle

    def close(self) -> None:
        """Lets go of the mapping; it is unmapped once no array from view() is left."""
        self._handle = None
        self._views.clear()
        self._out = None

    def __enter__(self) -> "Reader":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        if self._handle is None:
            return f"<shmfb.Reader {self.name!r} closed>"
        return f"<shmfb.Reader {self.name!r} {self.width}x{self.height} {self.format}>"

    # ----------------------------------------------------------- description
    @property
    def info(self) -> Info:
        """The validated header (shmfb_info) of the mapping read now."""
        return self._h().info

    @property
    def width(self) -> int:
        """The frame's width in pixels."""
        return int(self.info.width)

    @property
    def height(self) -> int:
        """The frame's height in pixels."""
        return int(self.info.height)

    @property
    def format(self) -> str:
        """The pixel format's name: rgba, bgra, rgb24, gray8, yuyv, nv12 or i420."""
        return self._h().format

    @property
    def fps(self) -> float:
        """The producer's nominal rate; 0.0 when it gave none."""
        i = self.info
        return i.fps_num / i.fps_den if i.fps_num and i.fps_den else 0.0

    @property
    def frame_bytes(self) -> int:
        """The size of one whole frame in bytes, row padding included."""
        return self._h().frame_bytes

    @property
    def shapes(self) -> list[tuple[int, ...]]:
        """The shape of each plane's array."""
        return plane_shapes(self.format, self.width, self.height)

    @property
    def color(self) -> Color:
        """What the values mean, as the producer described it."""
        return Color.from_c(self.info.color)

    @property
    def generation(self) -> int:
        """The producer's generation id: a new one when the reader reattaches."""
        return int(self.info.generation)

    @property
    def status(self) -> str:
        """"running", "closed", "dead", "stale" or "replaced" (the name now
        holds a newer producer).  Makes system calls: ask it now and then,
        not per frame.  Raises shmfb.CorruptError for a corrupt or truncated
        mapping."""
        rc = lib.shmfb_reader_status(self._h().ptr)
        if rc in _STATUS:
            return _STATUS[rc]
        raise errors.error(rc)

    # ---------------------------------------------------------------- frames
    def _dropped(self, index: int) -> int:
        dropped = index - self._seen - 1 if self._seen and index > self._seen else 0
        self._seen = index
        return dropped

    def latest(self, out: Optional[np.ndarray] = None) -> Frame:
        """Copies the newest complete frame, never a torn one.

        With ``out`` (a C-contiguous, writable uint8 array of the frame's
        size, shaped as the frame or flat) the pixels go there and nothing
        is allocated for them.  Raises shmfb.Error with code SHMFB_ENOFRAME
        before the first frame.
        """
        frame = self._copy(out, every_frame=False)
        assert frame is not None  # copy_latest says ENOFRAME by raising
        return frame

    def _copy(self, out: Optional[np.ndarray], every_frame: bool) -> Optional[Frame]:
        """Copies the newest frame (shmfb_reader_copy_latest), or the oldest
        still held after the last one returned (shmfb_reader_copy_next: None
        when there is none yet)."""
        h = self._h()
        address, packed, planes = self._buffer(h, out)
        cf = CFrame()
        if every_frame:
            rc = lib.shmfb_reader_copy_next(h.ptr, self._seen, address, h.frame_bytes, ctypes.byref(cf))
            if rc == errors.ENOFRAME:
                return None
        else:
            rc = lib.shmfb_reader_copy_latest(h.ptr, address, h.frame_bytes, ctypes.byref(cf))
        check(rc)
        return Frame(cf, h, self._dropped(cf.index), packed, planes, False)

    def _buffer(self, h: _Handle, out: Optional[np.ndarray]) -> tuple[int, np.ndarray, Planes]:
        """Where latest() copies to: a new array, or `out` (checked, and its
        address and planes kept while the same array comes back)."""
        if out is not None and self._out is not None and self._out[0] is out:
            return self._out[1], self._out[2], self._out[3]
        buf = np.empty(h.frame_bytes, np.uint8) if out is None else _check_out(out, h.frame_bytes, self.name)
        packed = buf.reshape(-1)
        if out is not None and h.info.layout.plane_count == 1 and out.shape == tuple(self.shapes[0]):
            planes: Planes = (out,)
        else:
            planes = split_planes(packed, h.info.layout, h.format, h.width, h.height)
        address = buf.ctypes.data
        if out is not None:
            self._out = (out, address, packed, planes)
        return address, packed, planes

    def view(self, writable: bool = False) -> Frame:
        """The newest complete frame in place, zero-copy: read-only arrays
        over the slot.  Read the pixels, then check ``frame.valid()``.

        ``writable=True`` gives a copy-on-write view instead: arrays you may
        write (draw on, blank, filter in place) that only this process sees;
        only the pages written are copied.  ``valid()`` then says whether
        all that was read and written is still that one frame.  Release it
        with ``frame.release()`` (or ``with r.view(writable=True) as f:``);
        it is released when its arrays are gone, or when a new writable view
        of the same slot is taken.
        """
        h = self._h()
        if writable:
            return self._writable_view(h)
        cf = CFrame()
        ref = ctypes.byref(cf)
        rc = _reader_latest(h.ptr, ref)  # per frame: the direct call first, retries after
        if rc < 0:
            check(_retry_torn(lambda: _reader_latest(h.ptr, ref), self.name) if rc == errors.ETORN else rc)
        packed, planes = self._slot_arrays(h, cf)
        return Frame(cf, h, self._dropped(cf.index), packed, planes, True)

    def _writable_view(self, h: _Handle) -> Frame:
        v = _CowView(h)
        for _ in range(SLOTS):
            rc = _retry_torn(lambda: lib.shmfb_reader_view_latest(h.ptr, ctypes.byref(v.v)), self.name)
            if rc != errors.EBUSY:
                break
            # This reader still holds a view of the latest slot: released for the new one.
            cf = CFrame()
            check(_retry_torn(lambda: lib.shmfb_reader_latest(h.ptr, ctypes.byref(cf)), self.name))
            older = self._cow.get(cf.slot)
            if older is not None and older() is not None:
                older().release()  # type: ignore[union-attr]
        check(rc)
        v.held = True
        cf = v.v.frame
        self._cow[cf.slot] = weakref.ref(v)
        layout = h.info.layout
        packed = np.asarray(Region(v.v.data[0] - layout.offset[0], h.frame_bytes, True, v))
        planes = split_planes(packed, layout, h.format, h.width, h.height)
        return Frame(cf, h, self._dropped(cf.index), packed, planes, True, v)

    def _slot_arrays(self, h: _Handle, cf: CFrame) -> tuple[np.ndarray, Planes]:
        """Read-only arrays over one slot, made once per slot."""
        cached = self._views.get(cf.slot)
        if cached is None:
            layout = h.info.layout
            base = cf.data[0] - layout.offset[0]
            packed = np.asarray(Region(base, layout.frame_bytes, False, h))
            cached = (packed, split_planes(packed, layout, h.format, h.width, h.height))
            self._views[cf.slot] = cached
        return cached

    def wait(self, timeout: Optional[float] = None) -> None:
        """Waits for a frame newer than the last one returned (any frame at
        first), sleeping on a futex; other threads run meanwhile.  Reattaches
        when the producer is gone and the name has a new one.  Raises
        shmfb.TimeoutError when none comes within ``timeout`` seconds
        (None = forever)."""
        self._wait(timeout, None)

    def _wait(self, timeout: Optional[float], cancel: Optional[threading.Event]) -> None:
        total = _timeout_ns(timeout)
        start = lib.shmfb_now_ns()
        while cancel is None or not cancel.is_set():
            left = -1 if total < 0 else total - (lib.shmfb_now_ns() - start)
            if total >= 0 and left <= 0:
                raise errors.TimeoutError(errors.ETIMEDOUT,
                                          f"{self.name}: no new frame within {timeout} s "
                                          f"(producer {self.status})")
            step = int(_POLL_S * _NS) if left < 0 else min(left, int(_POLL_S * _NS))
            h = self._h()
            rc = lib.shmfb_reader_wait(h.ptr, self._seen, step, 0)
            if rc == 0:
                return
            if rc not in (errors.ETIMEDOUT, errors.ECLOSED):
                raise errors.error(rc)
            if rc == errors.ECLOSED or self.status != "running":
                self._reattach(pause=rc == errors.ECLOSED)

    def _reattach(self, pause: bool) -> bool:
        """Opens the name again; switches to it when it holds a new
        generation.  True when it did."""
        if not self.reattach:
            if pause:  # a closed mapping wakes waits at once: do not spin on it
                threading.Event().wait(_POLL_S)
            return False
        try:
            fresh = _Handle(self.name)
        except Error:
            fresh = None
        if fresh is None or fresh.info.generation == self._h().info.generation:
            if pause:
                threading.Event().wait(_POLL_S)
            return False
        self._handle = fresh
        self._views.clear()
        self._out = None
        self._seen = 0
        return True

    def frames(self, timeout: Optional[float] = None, out: Optional[np.ndarray] = None,
               every_frame: bool = True) -> Iterator[Frame]:
        """Every new frame, copied as ``latest(out)`` copies; ends when no new
        frame comes within ``timeout`` seconds.

        The first is the newest; after it, by default, every frame the three
        slots still hold, oldest first, so a loop up to one frame behind the
        producer loses none; further behind it goes on from the oldest still
        held.  ``every_frame=False``
        takes only the newest each time (lower latency, a slow loop skips
        frames).  Either way ``frame.dropped`` counts the frames skipped."""
        while True:
            try:
                self.wait(timeout)
            except errors.TimeoutError:
                return
            # The first is the newest: frames before the loop began are not its to catch up.
            frame = self._copy(out, every_frame and self._seen != 0)
            if frame is not None:
                yield frame

    async def next(self, timeout: Optional[float] = None, out: Optional[np.ndarray] = None) -> Frame:
        """``await r.next()``: waits for a new frame in a worker thread (the
        event loop keeps running, nothing polls) and returns ``latest(out)``."""
        loop = asyncio.get_running_loop()
        cancel = threading.Event()
        try:
            await loop.run_in_executor(None, self._wait, timeout, cancel)
        finally:
            cancel.set()  # a cancelled await stops the worker at its next poll
        return self.latest(out)


class _CowView:
    """One copy-on-write view (shmfb_view); released when nothing refers to
    it, and holding the reader's handle until then."""

    def __init__(self, h: _Handle) -> None:
        self.h = h
        self.v = CView()
        self.held = False
        self._release = weakref.finalize(self, _release_view, h, self.v)

    def check(self) -> int:
        return lib.shmfb_view_check(self.h.ptr, ctypes.byref(self.v)) if self.held else errors.EINVAL

    def release(self) -> None:
        self.held = False
        self._release()


def _release_view(h: _Handle, v: CView) -> None:
    lib.shmfb_view_release(h.ptr, ctypes.byref(v))


def _retry_torn(call: Callable[[], int], name: str) -> int:
    """Calls again while the producer laps the reader between two loads."""
    for _ in range(_LATEST_TRIES):
        rc = call()
        if rc != errors.ETORN:
            return rc
    raise Error(rc, f"{name}: the producer rewrote the latest slot {_LATEST_TRIES} times in a row")


def _check_out(out: np.ndarray, n: int, name: str) -> np.ndarray:
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out: a numpy array, not {type(out).__name__}")
    if out.dtype != np.uint8 or out.nbytes != n:
        raise ValueError(f"out: {out.dtype} array of {out.nbytes} bytes; {name} needs uint8 of {n} bytes")
    if not out.flags.c_contiguous or not out.flags.writeable:
        raise ValueError("out: the array must be C-contiguous and writable")
    return out


_DTYPES = {1: np.dtype(np.int16), 2: np.dtype(np.float32)}


class AudioReader:
    """The audio ring of a reader's mapping.  ``rate`` is 0 when the mapping
    carries none (and reading raises shmfb.Error SHMFB_ENOAUDIO)."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader
        self._block = AudioBlock()

    @property
    def rate(self) -> int:
        """Audio frames per second; 0 when the mapping carries no audio."""
        return int(self._reader.info.audio_rate)

    @property
    def channels(self) -> int:
        """Interleaved channels in each audio frame; 0 without audio."""
        return int(self._reader.info.audio_channels)

    @property
    def dtype(self) -> np.dtype:
        """int16 or float32, as the producer writes samples."""
        return _DTYPES.get(self._reader.info.audio_format, np.dtype(np.int16))

    @property
    def available(self) -> int:
        """Frames written but not yet read by this reader."""
        return int(lib.shmfb_audio_available(self._reader._h().ptr))

    def read(self, max_frames: int, out: Optional[np.ndarray] = None) -> tuple[np.ndarray, int]:
        """Up to ``max_frames`` new audio frames as a (frames, channels) array
        of ``dtype``, and the count of frames lost to an overrun just before
        them (the reader fell more than the ring behind).  ``out`` (a
        C-contiguous (max_frames, channels) array of ``dtype``) avoids the
        allocation; the result is then its first rows."""
        h = self._reader._h()
        if self.rate == 0:
            check(lib.shmfb_audio_read(h.ptr, None, 0, ctypes.byref(self._block)))
        shape = (max_frames, self.channels)
        if out is None:
            out = np.empty(shape, self.dtype)
        elif out.shape != shape or out.dtype != self.dtype or not out.flags.c_contiguous:
            raise ValueError(f"out: {out.dtype} {out.shape}; needs C-contiguous {self.dtype} {shape}")
        n = check(lib.shmfb_audio_read(h.ptr, out.ctypes.data, max_frames, ctypes.byref(self._block)))
        return out[:n], int(self._block.lost)

    def wait(self, timeout: Optional[float] = None) -> None:
        """Waits until an audio frame is available (other threads run);
        raises shmfb.TimeoutError after ``timeout`` seconds."""
        check(lib.shmfb_audio_wait(self._reader._h().ptr, _timeout_ns(timeout), 0))
