"""The ctypes binding: where libshmfb is, the public structs of shmfb.h, and
the prototypes of the functions the package calls.

ctypes releases the GIL around every call into the library (CDLL, not
PyDLL), so a reader blocked in shmfb_reader_wait never stops other Python
threads.  The structs mirror core/include/shmfb.h field for field;
python/tests/test_abi.py compiles a C program that prints the header's own
sizes and offsets and compares them with these.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
from ctypes import POINTER, Structure, c_char, c_char_p, c_int, c_int64, c_size_t, c_uint
from ctypes import c_uint8, c_uint32, c_uint64, c_void_p

MAX_PLANES = 4
SLOTS = 3
PATH_MAX = 255
#: shmfb_writer_options_init writes the whole options struct; a library newer
#: than this binding may have a larger one, so the binding gives it room.
_OPTIONS_SLACK = 256


class Layout(Structure):
    _fields_ = [
        ("plane_count", c_uint32),
        ("offset", c_uint32 * MAX_PLANES),
        ("stride", c_uint32 * MAX_PLANES),
        ("rows", c_uint32 * MAX_PLANES),
        ("row_bytes", c_uint32 * MAX_PLANES),
        ("frame_bytes", c_uint64),
    ]


class Color(Structure):
    _fields_ = [
        ("matrix", c_int),
        ("range", c_int),
        ("transfer", c_int),
        ("primaries", c_int),
        ("chroma_site", c_int),
    ]


class WriterOptions(Structure):
    _fields_ = [
        ("width", c_uint32),
        ("height", c_uint32),
        ("format", c_int),
        ("fps_num", c_uint32),
        ("fps_den", c_uint32),
        ("mode", c_uint32),
        ("flags", c_uint32),
        ("heartbeat_timeout_ms", c_uint32),
        ("audio_rate", c_uint32),
        ("audio_channels", c_uint32),
        ("audio_format", c_uint32),
        ("audio_capacity_ms", c_uint32),
        ("row_align", c_uint32),
        ("color", Color),
        ("_slack", c_uint8 * _OPTIONS_SLACK),
    ]


class Planes(Structure):
    _fields_ = [
        ("data", POINTER(c_uint8) * MAX_PLANES),
        ("stride", c_uint32 * MAX_PLANES),
        ("plane_count", c_uint32),
        ("frame_bytes", c_uint64),
    ]


class Info(Structure):
    _fields_ = [
        ("name", c_char * (PATH_MAX + 1)),
        ("version", c_uint32),
        ("total_size", c_uint64),
        ("width", c_uint32),
        ("height", c_uint32),
        ("format", c_int),
        ("fps_num", c_uint32),
        ("fps_den", c_uint32),
        ("layout", Layout),
        ("slot_count", c_uint32),
        ("slot_offset", c_uint64 * SLOTS),
        ("slot_size", c_uint64 * SLOTS),
        ("producer_pid", c_uint32),
        ("generation", c_uint64),
        ("create_ns", c_uint64),
        ("heartbeat_timeout_ms", c_uint32),
        ("audio_rate", c_uint32),
        ("audio_channels", c_uint32),
        ("audio_format", c_uint32),
        ("audio_capacity", c_uint32),
        ("audio_frame_bytes", c_uint32),
        ("audio_offset", c_uint64),
        ("audio_size", c_uint64),
        ("color", Color),
    ]


class CFrame(Structure):
    _fields_ = [
        ("index", c_uint64),
        ("frame_number", c_uint64),
        ("pts_ns", c_uint64),
        ("publish_ns", c_uint64),
        ("bytes", c_uint64),
        ("slot", c_uint32),
        ("data", c_void_p * MAX_PLANES),
        ("stride", c_uint32 * MAX_PLANES),
        ("seq__", c_uint64),
    ]


class CView(Structure):
    _fields_ = [("frame", CFrame), ("data", c_void_p * MAX_PLANES)]


class Stamp(Structure):
    _fields_ = [("frame_number", c_uint64), ("time_ns", c_uint64)]


class AudioBlock(Structure):
    _fields_ = [("position", c_uint64), ("lost", c_uint64)]


LIST_FN = ctypes.CFUNCTYPE(None, c_char_p, c_void_p)

# name: (restype, argtypes)
_PROTOTYPES = {
    "shmfb_strerror": (c_char_p, [c_int]),
    "shmfb_errname": (c_char_p, [c_int]),
    "shmfb_errdetail": (c_char_p, []),
    "shmfb_pixfmt_name": (c_char_p, [c_int]),
    "shmfb_pixfmt_from_name": (c_int, [c_char_p]),
    "shmfb_sampfmt_name": (c_char_p, [c_int]),
    "shmfb_sampfmt_from_name": (c_int, [c_char_p]),
    "shmfb_layout_compute": (c_int, [c_uint32, c_uint32, c_int, POINTER(Layout)]),
    "shmfb_layout_compute_aligned": (c_int, [c_uint32, c_uint32, c_int, c_uint32, POINTER(Layout)]),
    "shmfb_writer_options_init": (None, [POINTER(WriterOptions)]),
    "shmfb_create": (c_int, [c_char_p, POINTER(WriterOptions), POINTER(c_void_p)]),
    "shmfb_writer_acquire": (None, [c_void_p, POINTER(Planes)]),
    "shmfb_writer_publish": (None, [c_void_p, c_uint64, c_uint64]),
    "shmfb_writer_publish_copy": (c_int, [c_void_p, c_void_p, c_size_t, c_uint64, c_uint64]),
    "shmfb_writer_heartbeat": (None, [c_void_p]),
    "shmfb_writer_published": (c_uint64, [c_void_p]),
    "shmfb_writer_generation": (c_uint64, [c_void_p]),
    "shmfb_writer_close": (c_int, [c_void_p]),
    "shmfb_writer_audio_write": (c_int, [c_void_p, c_void_p, c_uint32, c_uint64]),
    "shmfb_writer_audio_written": (c_uint64, [c_void_p]),
    "shmfb_open": (c_int, [c_char_p, POINTER(c_void_p)]),
    "shmfb_reader_close": (None, [c_void_p]),
    "shmfb_reader_info": (POINTER(Info), [c_void_p]),
    "shmfb_reader_latest": (c_int, [c_void_p, POINTER(CFrame)]),
    "shmfb_frame_valid": (c_int, [c_void_p, POINTER(CFrame)]),
    "shmfb_reader_copy_latest": (c_int, [c_void_p, c_void_p, c_size_t, POINTER(CFrame)]),
    "shmfb_reader_copy_next": (c_int, [c_void_p, c_uint64, c_void_p, c_size_t, POINTER(CFrame)]),
    "shmfb_reader_slot": (c_int, [c_void_p, c_uint32, POINTER(CFrame)]),
    "shmfb_reader_latest_index": (c_uint64, [c_void_p]),
    "shmfb_reader_view_latest": (c_int, [c_void_p, POINTER(CView)]),
    "shmfb_view_check": (c_int, [c_void_p, POINTER(CView)]),
    "shmfb_view_release": (None, [c_void_p, POINTER(CView)]),
    "shmfb_reader_wait": (c_int, [c_void_p, c_uint64, c_int64, c_uint]),
    "shmfb_reader_status": (c_int, [c_void_p]),
    "shmfb_reader_heartbeat": (c_uint64, [c_void_p]),
    "shmfb_audio_read": (c_int, [c_void_p, c_void_p, c_uint32, POINTER(AudioBlock)]),
    "shmfb_audio_written": (c_uint64, [c_void_p]),
    "shmfb_audio_available": (c_uint64, [c_void_p]),
    "shmfb_audio_wait": (c_int, [c_void_p, c_int64, c_uint]),
    "shmfb_stamp_decode": (c_int, [c_void_p, c_uint32, c_uint32, c_uint32, c_int, POINTER(Stamp)]),
    "shmfb_now_ns": (c_uint64, []),
    "shmfb_name_check": (c_int, [c_char_p]),
    "shmfb_unlink": (c_int, [c_char_p]),
    "shmfb_list": (c_int, [LIST_FN, c_void_p]),
}


def _candidates() -> list[str]:
    """Where to look for libshmfb, first match wins."""
    here = os.path.dirname(os.path.abspath(__file__))
    found = []
    if os.environ.get("SHMFB_LIBRARY"):
        found.append(os.environ["SHMFB_LIBRARY"])
    found.append(os.path.join(here, "libshmfb.so.0"))  # make python copies it here
    try:
        from . import _paths  # written by make install: the installed LIBDIR

        found.append(_paths.LIBRARY)
    except ImportError:
        pass
    found.append(ctypes.util.find_library("shmfb") or "libshmfb.so.0")
    return found


def _load() -> ctypes.CDLL:
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(path + " (missing)")
            continue
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            tried.append(str(e))
    raise ImportError("shmfb: cannot load libshmfb (build it with `make python`, or set "
                      "SHMFB_LIBRARY to its path); tried: " + "; ".join(tried))


def _bind(lib: ctypes.CDLL) -> ctypes.CDLL:
    for name, (restype, argtypes) in _PROTOTYPES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return lib


lib = _bind(_load())
