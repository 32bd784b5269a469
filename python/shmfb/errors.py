"""Exceptions: every failure of the library is a shmfb.Error carrying the
library's code, its symbolic name and the one-line detail that names what was
wrong."""
from __future__ import annotations

from ._lib import lib

# The codes the subclasses stand for (shmfb.h, SHMFB_ERRNO_MAP).
ENOENT = -2
EBUSY = -16
EEXIST = -17
EINVAL = -22
ETIMEDOUT = -110
ENOFRAME = -1200
ETORN = -1201
ECLOSED = -1202
EDEAD = -1203
ESTALE = -1204
EREPLACED = -1205
EBACKWARDS = -1206
#: Header validation failures (EBADMAGIC .. EBADCLAIM) and a counter going
#: backwards: the mapping is not one a producer wrote correctly.
_CORRUPT_LOW, _CORRUPT_HIGH = -1199, -1100


class Error(Exception):
    """A failure reported by libshmfb.

    ``code`` is the library's negative code (``shmfb.h``), ``name`` its
    symbolic name (``"SHMFB_ENOENT"``) and ``detail`` the library's line
    naming what was wrong.
    """

    def __init__(self, code: int, detail: str) -> None:
        self.code = code
        self.name = code_name(code)
        self.detail = detail
        super().__init__(f"{detail} ({self.name})")


class NotFoundError(Error):
    """No mapping by that name (SHMFB_ENOENT)."""


class ExistsError(Error):
    """A running producer owns the name (SHMFB_EEXIST)."""


class CorruptError(Error):
    """The mapping fails validation: a bad header, a corrupt live field, a
    counter that went backwards, or the object truncated under the reader."""


class TimeoutError(Error):  # noqa: A001 - as asyncio.TimeoutError, inside the package
    """Nothing arrived within the timeout (SHMFB_ETIMEDOUT)."""


def code_name(code: int) -> str:
    """The library's symbolic name of a code, e.g. ``"SHMFB_ENOENT"``."""
    name = lib.shmfb_errname(code)
    return name.decode() if name else f"SHMFB_E?{code}"


def _class_of(code: int) -> type[Error]:
    if code == ENOENT:
        return NotFoundError
    if code == EEXIST:
        return ExistsError
    if code == ETIMEDOUT:
        return TimeoutError
    if _CORRUPT_LOW <= code <= _CORRUPT_HIGH or code == EBACKWARDS:
        return CorruptError
    return Error


def error(code: int, detail: str | None = None) -> Error:
    """The exception for a code; the detail defaults to the library's line
    for this thread's last failure (read it right after the failing call)."""
    if detail is None:
        detail = lib.shmfb_errdetail().decode(errors="replace")
    return _class_of(code)(code, detail)


def check(rc: int) -> int:
    """Returns rc when it is not an error, else raises the matching Error."""
    if rc < 0:
        raise error(rc)
    return rc
