"""What a frame's numbers mean as colour (docs/FORMAT.md, "Colour"), in
ffmpeg's words, as `shmfb info` and `shmfb cat --info` say them.  None is
"unspecified" in every field."""
from __future__ import annotations

from typing import NamedTuple, Optional

from ._lib import Color as CColor

# The header's values (shmfb.h: shmfb_color_*); python/tests/test_abi.py
# compares them with the header's own.
MATRIX = {"rgb": 1, "smpte170m": 2, "bt709": 3, "bt2020nc": 4}
RANGE = {"tv": 1, "pc": 2}
TRANSFER = {"bt709": 1, "iec61966-2-1": 2, "smpte170m": 3, "bt2020-10": 4, "smpte2084": 5,
            "arib-std-b67": 6, "linear": 7}
PRIMARIES = {"bt709": 1, "bt470bg": 2, "smpte170m": 3, "bt2020": 4}
CHROMA_SITE = {"left": 1, "center": 2, "topleft": 3}
_TABLES = {"matrix": MATRIX, "range": RANGE, "transfer": TRANSFER, "primaries": PRIMARIES,
           "chroma_site": CHROMA_SITE}


class Color(NamedTuple):
    """A colour description: ``Color(matrix="bt709", range="tv")``.

    matrix: rgb, smpte170m (BT.601), bt709, bt2020nc; range: tv (limited),
    pc (full); transfer: bt709, iec61966-2-1 (sRGB), smpte170m, bt2020-10,
    smpte2084 (PQ), arib-std-b67 (HLG), linear; primaries: bt709, bt470bg,
    smpte170m, bt2020; chroma_site: left, center, topleft.
    """

    matrix: Optional[str] = None
    range: Optional[str] = None
    transfer: Optional[str] = None
    primaries: Optional[str] = None
    chroma_site: Optional[str] = None

    def to_c(self) -> CColor:
        c = CColor()
        for field, table in _TABLES.items():
            value = getattr(self, field)
            if value is None:
                continue
            if value not in table:
                raise ValueError(f"color {field} {value!r}: not one of {', '.join(table)}")
            setattr(c, field, table[value])
        return c

    @classmethod
    def from_c(cls, c: CColor) -> "Color":
        """The names of a header's values; an unknown value is None, as the library reads it."""
        names = {}
        for field, table in _TABLES.items():
            by_value = {v: k for k, v in table.items()}
            names[field] = by_value.get(getattr(c, field))
        return cls(**names)
