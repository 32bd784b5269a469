"""numpy arrays published by shmfb.Writer, read back by the real `shmfb cat`
bit for bit; what send() refuses; read-only arrays over the mapping."""
from __future__ import annotations

import os
import subprocess

import numpy as np
import pytest
from conftest import BIN

import shmfb

W, H = 64, 48
BYTES = {"rgba": W * H * 4, "bgra": W * H * 4, "rgb24": W * H * 3, "gray8": W * H,
         "yuyv": W * H * 2, "nv12": W * H * 3 // 2, "i420": W * H * 3 // 2}


def read_exactly(pipe, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = pipe.read(n - len(data))
        assert chunk, f"shmfb cat ended after {len(data)} of {n} bytes"
        data += chunk
    return data


@pytest.mark.parametrize("fmt", list(BYTES))
@pytest.mark.parametrize("how", ["send", "planes", "frame"])
def test_cat_gets_exactly_what_was_sent(fmt, how, name):
    rng = np.random.default_rng(sum(map(ord, fmt + how)))
    frames = [rng.integers(0, 256, BYTES[fmt], dtype=np.uint8) for _ in range(3)]
    with shmfb.Writer(name, W, H, fmt, fps=30) as w:
        def publish(packed: np.ndarray) -> None:
            if how == "send":  # the format's own array shape (or flat for planar formats)
                w.send(packed.reshape(w.shapes[0]) if len(w.shapes) == 1 else packed)
            elif how == "planes":
                offsets = np.cumsum([0] + [int(np.prod(s)) for s in w.shapes])
                w.send([packed[a:b].reshape(s) for a, b, s in zip(offsets, offsets[1:], w.shapes)])
            else:
                with w.frame(packed=True) as buf:
                    buf[...] = packed

        publish(frames[0])
        cat = subprocess.Popen([os.path.join(BIN, "shmfb"), "cat", name, "--frames", "3"],
                               stdout=subprocess.PIPE)
        try:
            got = [read_exactly(cat.stdout, BYTES[fmt])]  # cat starts with the latest frame
            for f in frames[1:]:
                publish(f)
                got.append(read_exactly(cat.stdout, BYTES[fmt]))
            assert cat.wait(timeout=10) == 0
        finally:
            cat.kill()
            cat.wait()
    for k, (sent, written) in enumerate(zip(frames, got)):
        assert written == sent.tobytes(), f"frame {k} differs"


def test_frame_numbers_and_pts_default_to_count_and_now(name):
    with shmfb.Writer(name, W, H, "gray8") as w, shmfb.Reader(name) as r:
        before = shmfb.now_ns()
        w.send(np.zeros((H, W), np.uint8))
        w.send(np.zeros((H, W), np.uint8), frame_number=1000, pts_ns=123)
        f = r.latest()
        assert (f.frame_number, f.pts_ns, f.index) == (1000, 123, 2)
        w.send(np.zeros((H, W), np.uint8))
        f = r.latest()
        assert f.frame_number == 2 and before <= f.pts_ns <= shmfb.now_ns()


def test_send_refuses_wrong_arrays_clearly(name):
    with shmfb.Writer(name, W, H, "rgba") as w:
        with pytest.raises(ValueError, match=r"shape \(48, 64, 3\).*64x48 rgba.*\(48, 64, 4\)"):
            w.send(np.zeros((H, W, 3), np.uint8))
        with pytest.raises(ValueError, match="dtype float32.*uint8"):
            w.send(np.zeros((H, W, 4), np.float32))
        with pytest.raises(ValueError, match="not C-contiguous"):
            w.send(np.zeros((W, H, 4), np.uint8).transpose(1, 0, 2))
        assert w.published == 0
    with shmfb.Writer(name, W, H, "nv12") as w:
        with pytest.raises(ValueError, match=r"plane 1 is uint8 \(24, 32\).*\(24, 32, 2\)"):
            w.send([np.zeros((H, W), np.uint8), np.zeros((H // 2, W // 2), np.uint8)])
        with pytest.raises(ValueError, match="1 planes.*has 2"):
            w.send([np.zeros((H, W), np.uint8)])
    with pytest.raises(ValueError, match="pixel format 'rgbx'"):
        shmfb.Writer(name, W, H, "rgbx")
    with pytest.raises(shmfb.Error) as e:
        shmfb.Writer(name, W + 1, H, "nv12")
    assert e.value.name == "SHMFB_EBADFORMAT" and e.value.code == -1003


def test_a_second_writer_gets_exists(name):
    with shmfb.Writer(name, W, H, "rgba"):
        with pytest.raises(shmfb.ExistsError) as e:
            shmfb.Writer(name, W, H, "rgba")
        assert e.value.name == "SHMFB_EEXIST" and str(os.getpid()) in e.value.detail


def test_arrays_over_the_mapping_are_read_only(name):
    with shmfb.Writer(name, W, H, "i420") as w, shmfb.Reader(name) as r:
        w.send(np.full(BYTES["i420"], 9, np.uint8))
        v = r.view()
        for a in (v.packed,) + v.planes:
            assert not a.flags.writeable
            with pytest.raises(ValueError, match="read-only"):
                a[0] = 1
            with pytest.raises(ValueError):
                a.flags.writeable = True
            with pytest.raises(ValueError, match="read-only"):
                np.copyto(a, 0)
        assert v.valid() and int(v.packed.sum()) == 9 * BYTES["i420"]
        c = r.latest()  # a copy is the caller's own
        c.packed[0] = 1
        with w.frame() as (y, u, v2):
            y[...] = 1
        with pytest.raises(ValueError, match="read-only"):
            y[0, 0] = 2  # published: the writer's array may no longer be written
        del y, u, v2


def test_a_view_stays_readable_after_its_reader_closes(name):
    with shmfb.Writer(name, W, H, "gray8") as w:
        w.send(np.full((H, W), 5, np.uint8))
        r = shmfb.Reader(name)
        v = r.view()
        r.close()
        assert int(v.array.sum()) == 5 * W * H  # still mapped: the view holds it
        with pytest.raises(ValueError, match="closed"):
            r.latest()


def test_a_lapped_view_is_not_valid(name):
    """A read-only view stays valid for the two frames after it, which go to
    the other two slots; the third rewrites its slot: valid() is then False,
    while a fresh view of that frame is valid."""
    with shmfb.Writer(name, W, H, "gray8") as w, shmfb.Reader(name) as r:
        w.send(np.full((H, W), 1, np.uint8))
        v = r.view()
        assert v.valid() and v.index == 1 and int(v.array[0, 0]) == 1
        w.send(np.full((H, W), 2, np.uint8))
        w.send(np.full((H, W), 3, np.uint8))
        assert v.valid()  # its slot is not yet rewritten
        w.send(np.full((H, W), 4, np.uint8))  # back in v's slot
        assert not v.valid()
        assert int(v.array[0, 0]) == 4  # the arrays show the slot as it is now
        fresh = r.view()
        assert fresh.valid() and fresh.index == 4 and int(fresh.array[0, 0]) == 4


def test_writer_close_tells_readers(name):
    w = shmfb.Writer(name, W, H, "gray8")
    w.send(np.zeros((H, W), np.uint8))
    with shmfb.Reader(name, reattach=False) as r:
        assert r.status == "running"
        w.close()
        assert r.status == "closed"
    with pytest.raises(shmfb.NotFoundError):
        shmfb.Reader(name)


def test_colour_and_padded_rows_reach_the_cli(name):
    """A padded rgb24 frame (rows to 64 bytes) with a colour description:
    shmfb cat writes it tight, bit for bit, and shmfb info names the colour."""
    w_, h_ = 50, 6  # 150 bytes a row, padded to 192
    img = np.random.default_rng(3).integers(0, 256, (h_, w_, 3), dtype=np.uint8)
    c = shmfb.Color(matrix="rgb", range="pc", transfer="iec61966-2-1", primaries="bt709")
    with shmfb.Writer(name, w_, h_, "rgb24", row_align=64, color=c) as w, shmfb.Reader(name) as r:
        assert w.frame_bytes == 192 * h_
        w.send(img)
        assert r.color == c and r.frame_bytes == 192 * h_
        f = r.latest()
        assert np.array_equal(f.array, img) and f.array.strides == (192, 3, 1)
        cat = subprocess.run([os.path.join(BIN, "shmfb"), "cat", name, "--frames", "1"], capture_output=True,
                             timeout=10)
        assert cat.stdout == img.tobytes()
        info = subprocess.run([os.path.join(BIN, "shmfb"), "info", name], capture_output=True, text=True).stdout
        assert "matrix rgb, range pc, transfer iec61966-2-1, primaries bt709, chroma_site unspecified" in info
    with pytest.raises(ValueError, match="color range 'full': not one of tv, pc"):
        shmfb.Writer(name, w_, h_, "rgb24", color=shmfb.Color(range="full"))
    with pytest.raises(shmfb.Error, match="SHMFB_EINVAL"):
        shmfb.Writer(name, w_, h_, "rgb24", row_align=3)


def test_a_writable_view_is_this_process_own(name):
    """view(writable=True): writes land in this process only; the producer's
    slot, another reader and a fresh view still see the published frame."""
    with shmfb.Writer(name, W, H, "rgba") as w, shmfb.Reader(name) as r, shmfb.Reader(name) as other:
        w.send(np.full((H, W, 4), 7, np.uint8))
        with r.view(writable=True) as f:
            assert f.array.flags.writeable and f.valid()
            f.array[:10] = 200  # draw on it
            assert int(f.array[0, 0, 0]) == 200 and int(f.array[20, 0, 0]) == 7
            assert int(other.view().array[0, 0, 0]) == 7  # the slot itself is untouched
            assert f.valid()
            g = r.view(writable=True)  # the same slot again: the old view is given back
            assert not f.valid() and int(g.array[0, 0, 0]) == 7
            g.release()
        w.send(np.full((H, W, 4), 8, np.uint8))
        w.send(np.full((H, W, 4), 9, np.uint8))
        w.send(np.full((H, W, 4), 10, np.uint8))  # back in the first slot
        h = r.view(writable=True)
        h.array[0, 0, 0] = 1
        w.send(np.full((H, W, 4), 11, np.uint8))
        w.send(np.full((H, W, 4), 12, np.uint8))
        assert h.valid()  # two frames later the slot is still its own
        w.send(np.full((H, W, 4), 13, np.uint8))  # the producer rewrites it
        assert not h.valid()


def test_a_kept_frame_buffer_defers_the_close_and_says_so(name):
    w = shmfb.Writer(name, W, H, "gray8")
    with w.frame() as buf:
        buf[...] = 4
    with shmfb.Reader(name, reattach=False) as r:
        with pytest.warns(ResourceWarning, match="still referenced"):
            w.close()
        assert r.status == "running" and int(buf[0, 0]) == 4  # still mapped: reading it is safe
        del buf
        assert r.status == "closed"


@pytest.mark.parametrize("every", [True, False])
def test_frames_takes_every_frame_still_held(every, name):
    """frames(): the newest first; then, with every_frame (the default), each
    frame the slots still hold, oldest first, so a loop that fell behind by
    up to two frames loses none; with every_frame=False only the newest.
    Pixels, numbers and the dropped count are checked against what was sent."""
    def gray(n: int) -> np.ndarray:
        return np.full((H, W), n, np.uint8)

    with shmfb.Writer(name, W, H, "gray8") as w, shmfb.Reader(name) as r:
        for n in range(1, 6):
            w.send(gray(n), frame_number=n)
        it = r.frames(timeout=0.2, every_frame=every)
        first = next(it)
        assert first.frame_number == 5 and (first.array == 5).all()
        for n in (6, 7, 8):  # the loop is busy while three are published
            w.send(gray(n), frame_number=n)
        got = [(f.frame_number, int(f.array[0, 0]), f.dropped) for f in it]
    assert got == ([(6, 6, 0), (7, 7, 0), (8, 8, 0)] if every else [(8, 8, 2)])
