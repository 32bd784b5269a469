"""A hostile mapping raises shmfb.CorruptError and never crashes the
interpreter: a file that is no mapping, header fields out of range, live
fields rewritten under a reader, and the object truncated under a reader
(the library's SIGBUS guard, beside Python's own signal handling)."""
from __future__ import annotations

import os
import signal
import struct

import numpy as np
import pytest
from conftest import run_python

import shmfb

W, H = 64, 48


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "hostile.shmfb")


def make_mapping(path: str) -> None:
    """A complete mapping left in a file (keep=True), one frame published."""
    with shmfb.Writer(path, W, H, "rgba", keep=True) as w:
        w.send(np.full((H, W, 4), 3, np.uint8))


def poke(path: str, offset: int, fmt: str, value: int) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(struct.pack("<" + fmt, value))


def test_a_file_that_is_no_mapping(path):
    with open(path, "wb") as f:
        f.write(np.random.default_rng(1).integers(0, 256, 3 * 4096, dtype=np.uint8).tobytes())
    with pytest.raises(shmfb.CorruptError) as e:
        shmfb.Reader(path)
    assert e.value.name == "SHMFB_EBADMAGIC" and path in e.value.detail
    with open(path, "wb") as f:
        f.write(b"shmfb" * 20)
    with pytest.raises(shmfb.CorruptError, match="SHMFB_EBADTOTALSIZE"):
        shmfb.Reader(path)


# Offsets and sizes from docs/FORMAT.md.
BAD_FIELDS = [
    ("version", 8, "I", 99, "SHMFB_EBADVERSION"),
    ("total_size", 16, "Q", 1 << 40, "SHMFB_EBADTOTALSIZE"),
    ("slot_count", 24, "I", 7, "SHMFB_EBADSLOTCOUNT"),
    ("slot 0 offset", 32, "Q", 1 << 50, "SHMFB_EBADSLOT"),
    ("width", 80, "I", 100000, "SHMFB_EBADGEOMETRY"),
    ("pixel_format", 88, "I", 99, "SHMFB_EBADGEOMETRY"),
    ("plane 0 offset", 96, "I", 1 << 30, "SHMFB_EBADPLANE"),
]


@pytest.mark.parametrize("field,offset,fmt,value,code", BAD_FIELDS, ids=[b[0] for b in BAD_FIELDS])
def test_a_header_field_out_of_range(path, field, offset, fmt, value, code):
    make_mapping(path)
    shmfb.Reader(path).close()  # whole, it opens
    poke(path, offset, fmt, value)
    with pytest.raises(shmfb.CorruptError) as e:
        shmfb.Reader(path)
    assert e.value.name == code and path in e.value.detail, e.value


def test_live_fields_rewritten_under_a_reader(path):
    with shmfb.Writer(path, W, H, "rgba") as w:
        w.send(np.zeros((H, W, 4), np.uint8))
        with shmfb.Reader(path) as r:
            r.latest()
            poke(path, 264, "Q", (1 << 2) | 3)  # latest names slot 3 of 3
            with pytest.raises(shmfb.CorruptError):
                r.latest()
            with pytest.raises(shmfb.CorruptError):
                r.view()
            with pytest.raises(shmfb.CorruptError):
                r.latest(out=np.zeros((H, W, 4), np.uint8))
            poke(path, 264, "Q", 0)  # publish counter back to nothing: backwards
            with pytest.raises(shmfb.Error):
                r.latest()
            poke(path, 256, "I", 7)  # producer state word
            with pytest.raises(shmfb.CorruptError, match="state"):
                _ = r.status


TRUNCATE = r"""
import faulthandler, os, signal, sys
import numpy as np, shmfb
faulthandler.enable()                      # as pytest and python3 -X faulthandler do
got = []
signal.signal(signal.SIGUSR1, lambda *a: got.append("usr1"))
path = sys.argv[1] if len(sys.argv) > 1 else PATH
w = shmfb.Writer(path, 256, 256, "rgba", audio_rate=48000)
w.send(np.full((256, 256, 4), 9, np.uint8))
r = shmfb.Reader(path)
v = r.view()
assert v.valid() and int(v.packed[-1]) == 9
os.truncate(path, 4096)                    # anyone with write access can do this
print("pixels after truncation:", int(v.packed.sum()))   # read: the guard, not SIGBUS
print("valid:", v.valid())
for call in (r.latest, r.view, lambda: r.wait(0.1), lambda: r.audio.read(10), lambda: r.status):
    try:
        call()
        print("no error")
    except shmfb.CorruptError as e:
        print("raised", e.name, "truncated" in e.detail)
os.kill(os.getpid(), signal.SIGUSR1)       # Python's own handlers still run
print("python handler:", got)
print("alive")
"""


def test_truncated_under_the_reader_raises_and_python_lives_on(path):
    p = run_python(TRUNCATE.replace("PATH", repr(path)))
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == "pixels after truncation: 0"
    assert lines[1] == "valid: False"
    assert lines[2:7] == ["raised SHMFB_EBADTOTALSIZE True"] * 5
    assert lines[7:] == ["python handler: ['usr1']", "alive"]


def test_a_sigbus_elsewhere_still_reaches_faulthandler(path):
    """The guard takes only faults inside a reader's mapping: any other
    SIGBUS goes on to faulthandler, which reports it, and the process dies."""
    code = TRUNCATE.split("os.truncate")[0].replace("PATH", repr(path)) + r"""
import ctypes, mmap
other = path + ".other"
with open(other, "wb") as f:
    f.truncate(8192)
fd = os.open(other, os.O_RDWR)
m = mmap.mmap(fd, 8192)
os.truncate(other, 0)
print("reading", flush=True)
ctypes.string_at(ctypes.addressof(ctypes.c_char.from_buffer(m)), 8192)
print("not reached")
"""
    p = run_python(code)
    assert "reading" in p.stdout and "not reached" not in p.stdout
    assert "Bus error" in p.stderr  # faulthandler's report
    if "asan" in os.environ.get("LD_PRELOAD", ""):  # SAN=address: ASan's handler has the last word
        assert p.returncode != 0 and "AddressSanitizer: BUS" in p.stderr
    else:
        assert p.returncode == -signal.SIGBUS


def test_faulthandler_enabled_after_the_first_reader_still_lets_the_guard_work(path):
    """faulthandler enabled after a Reader opened goes in front of the guard;
    the next Reader's open puts the guard back in front, so a truncation
    under either reader raises instead of killing the process."""
    code = r"""
import faulthandler, os
import numpy as np, shmfb
faulthandler.disable()             # whatever PYTHONFAULTHANDLER says
w1 = shmfb.Writer(PATH + ".1", 64, 48, "gray8")
w1.send(np.zeros((48, 64), np.uint8))
r1 = shmfb.Reader(PATH + ".1")     # the first reader: the guard goes in front of SIG_DFL
faulthandler.enable()              # now in front of the guard
w2 = shmfb.Writer(PATH + ".2", 64, 48, "gray8")
r2 = shmfb.Reader(PATH + ".2")     # the guard in front again, faulthandler behind it
os.truncate(PATH + ".1", 4096)
try:
    r1.latest()
except shmfb.CorruptError as e:
    print("raised", e.name)
print("alive")
""".replace("PATH", repr(path))
    p = run_python(code)
    assert p.stdout == "raised SHMFB_EBADTOTALSIZE\nalive\n", p.stderr


def test_faulthandler_disabled_after_the_guard_went_back_in_front(path):
    """faulthandler enabled between two Readers, then disabled (which puts the
    guard back itself): a SIGBUS elsewhere ends the process, where the guard
    would otherwise have called the disabled faulthandler for ever."""
    code = r"""
import ctypes, faulthandler, mmap, os
import numpy as np, shmfb
faulthandler.disable()
w1 = shmfb.Writer(PATH + ".1", 64, 48, "gray8")
r1 = shmfb.Reader(PATH + ".1")
faulthandler.enable()
w2 = shmfb.Writer(PATH + ".2", 64, 48, "gray8")
r2 = shmfb.Reader(PATH + ".2")     # the guard in front again, faulthandler behind it
faulthandler.disable()             # puts back what it displaced: the guard
other = PATH + ".other"
with open(other, "wb") as f:
    f.truncate(8192)
fd = os.open(other, os.O_RDWR)
m = mmap.mmap(fd, 8192)
os.truncate(other, 0)
print("reading", flush=True)
ctypes.string_at(ctypes.addressof(ctypes.c_char.from_buffer(m)), 8192)
print("not reached")
""".replace("PATH", repr(path))
    p = run_python(code, timeout=20)
    assert p.stdout == "reading\n", p.stderr
    if "asan" in os.environ.get("LD_PRELOAD", ""):  # SAN=address: ASan's handler has the last word
        assert p.returncode != 0
    else:
        assert p.returncode == -signal.SIGBUS
