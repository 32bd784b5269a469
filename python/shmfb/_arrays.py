"""numpy arrays over frames: the shape each pixel format has, and arrays
over memory that the library mapped, kept alive by the handle that owns it."""
from __future__ import annotations

import ctypes
from typing import Any, Tuple, Union

import numpy as np

from ._lib import Layout, lib

#: One array per plane; one-plane formats as (H, W, C) or (H, W).
Planes = Tuple[np.ndarray, ...]
Image = Union[np.ndarray, Planes]

# Per plane: channels per pixel (1 = a 2-D array) and how many times smaller
# each side is than the picture.
_PLANES = {
    "rgba": ((4, 1),), "bgra": ((4, 1),), "rgb24": ((3, 1),), "gray8": ((1, 1),),
    "yuyv": ((2, 1),),
    "nv12": ((1, 1), (2, 2)),
    "i420": ((1, 1), (1, 2), (1, 2)),
}
FORMATS = tuple(_PLANES)


def format_code(name: str) -> int:
    """The library's pixel format for a name ("rgba", "nv12", ...)."""
    code = lib.shmfb_pixfmt_from_name(name.encode()) if isinstance(name, str) else 0
    if code <= 0:
        raise ValueError(f"pixel format {name!r}: not one of {', '.join(FORMATS)}")
    return code


def format_name(code: int) -> str:
    name = lib.shmfb_pixfmt_name(code)
    return name.decode() if name else f"format {code}"


def layout_of(width: int, height: int, fmt: str, row_align: int = 0) -> Layout:
    """The layout of a frame (rows padded to row_align), as the library computes it."""
    from .errors import check

    out = Layout()
    check(lib.shmfb_layout_compute_aligned(width, height, format_code(fmt), row_align, ctypes.byref(out)))
    return out


def plane_shapes(fmt: str, width: int, height: int) -> list[tuple[int, ...]]:
    """The shape of each plane's array: (H, W, C), or (H, W) for one channel."""
    shapes = []
    for channels, div in _PLANES[fmt]:
        shape = (height // div, width // div)
        shapes.append(shape + (channels,) if channels > 1 else shape)
    return shapes


class Region:
    """Bytes the library mapped, seen by numpy through __array_interface__.
    Every array over it holds it, and it holds `owner`, so the mapping is
    unmapped only after the last array is gone."""

    __slots__ = ("__array_interface__", "owner", "__weakref__")

    def __init__(self, address: int, size: int, writable: bool, owner: Any) -> None:
        self.__array_interface__ = {
            "shape": (size,),
            "typestr": "|u1",
            "data": (address, not writable),
            "version": 3,
        }
        self.owner = owner


def split_planes(packed: np.ndarray, layout: Layout, fmt: str, width: int, height: int) -> Planes:
    """Views of each plane of a packed 1-D frame, shaped per plane_shapes."""
    planes = []
    for i, shape in enumerate(plane_shapes(fmt, width, height)):
        rows, stride = layout.rows[i], layout.stride[i]
        start = layout.offset[i]
        plane = packed[start:start + rows * stride].reshape(rows, stride)
        planes.append(plane[:, :layout.row_bytes[i]].reshape(shape))
    return tuple(planes)


def image_of(planes: Planes) -> Image:
    """The table's array: the plane itself for one-plane formats, else the tuple."""
    return planes[0] if len(planes) == 1 else planes
