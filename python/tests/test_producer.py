"""The real C producer, in every format, read through the package: arrays of
the shapes the issue's table gives, and every frame's stamp (drawn by the
producer, docs/PATTERN.md) decodes to that frame's frame_number."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import open_when_ready

import shmfb

W, H = 320, 240
# The table, written out here independently of the package: the
# shape of each plane and the bytes of a packed frame.
SHAPES = {
    "rgba": [(H, W, 4)], "bgra": [(H, W, 4)], "rgb24": [(H, W, 3)], "gray8": [(H, W)],
    "yuyv": [(H, W, 2)],
    "nv12": [(H, W), (H // 2, W // 2, 2)],
    "i420": [(H, W), (H // 2, W // 2), (H // 2, W // 2)],
}
FRAME_BYTES = {"rgba": W * H * 4, "bgra": W * H * 4, "rgb24": W * H * 3, "gray8": W * H,
               "yuyv": W * H * 2, "nv12": W * H * 3 // 2, "i420": W * H * 3 // 2}


def check_arrays(frame: shmfb.Frame, fmt: str) -> None:
    assert [p.shape for p in frame.planes] == SHAPES[fmt]
    assert all(p.dtype == np.uint8 for p in frame.planes)
    assert frame.packed.shape == (FRAME_BYTES[fmt],) and frame.packed.dtype == np.uint8
    assert all(np.shares_memory(p, frame.packed) for p in frame.planes)
    if len(SHAPES[fmt]) == 1:
        assert isinstance(frame.array, np.ndarray) and frame.array.shape == SHAPES[fmt][0]
    else:
        assert isinstance(frame.array, tuple) and len(frame.array) == len(SHAPES[fmt])
    assert (frame.format, frame.width, frame.height) == (fmt, W, H)


@pytest.mark.parametrize("fmt", list(SHAPES))
def test_every_frame_is_the_one_its_stamp_says(fmt, name, producer):
    producer(name, "--size", f"{W}x{H}", "--format", fmt, "--fps", "60")
    with open_when_ready(name) as r:
        assert r.format == fmt and r.shapes == SHAPES[fmt]
        previous = None
        frames = r.frames(timeout=5)
        for _ in range(12):
            f = next(frames)
            check_arrays(f, fmt)
            assert shmfb.decode_stamp(f)[0] == f.frame_number
            if previous is not None:
                assert f.index > previous.index
                assert f.dropped == f.index - previous.index - 1
                assert f.frame_number - previous.frame_number == f.index - previous.index
            assert f.publish_ns >= f.pts_ns - 10**9 and f.publish_ns <= shmfb.now_ns()
            previous = f


@pytest.mark.parametrize("fmt", list(SHAPES))
def test_views_decode_in_place_and_are_valid(fmt, name, producer):
    producer(name, "--size", f"{W}x{H}", "--format", fmt, "--fps", "60")
    with open_when_ready(name) as r:
        decoded = 0
        for _ in range(6):
            r.wait(timeout=5)
            v = r.view()
            check_arrays(v, fmt)
            stamp = shmfb.decode_stamp(v)
            if v.valid():  # read while the slot was not rewritten: the pixels are that frame's
                assert stamp[0] == v.frame_number
                decoded += 1
        assert decoded >= 4


def test_latest_into_out_allocates_no_pixels(name, producer):
    producer(name, "--size", f"{W}x{H}", "--format", "rgba", "--fps", "60")
    with open_when_ready(name) as r:
        out = np.zeros((H, W, 4), np.uint8)
        f = r.latest(out=out)
        assert f.array is out and np.shares_memory(f.packed, out)
        assert shmfb.decode_stamp(out, "rgba", W, H)[0] == f.frame_number
        flat = np.zeros(W * H * 4, np.uint8)
        g = r.latest(out=flat)
        assert np.shares_memory(g.array, flat)
        with pytest.raises(ValueError, match="uint8 of 307200 bytes"):
            r.latest(out=np.zeros((H, W, 3), np.uint8))
        with pytest.raises(ValueError, match="C-contiguous"):
            r.latest(out=np.zeros((W, H, 4), np.uint8).transpose(1, 0, 2))
