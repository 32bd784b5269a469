"""Audio through the ring: the real producer's tone, every frame once and
none lost; numpy audio written and read back exactly; an overrun counted."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import open_when_ready

import shmfb

RATE = 48000


def test_the_producers_tone_arrives_whole(name, producer):
    producer(name, "--size", "64x48", "--fps", "30", "--audio", "tone=440", "--audio-rate", str(RATE),
             "--audio-channels", "2")
    with open_when_ready(name) as r:
        a = r.audio
        assert (a.rate, a.channels, a.dtype) == (RATE, 2, np.int16)
        chunks, lost = [], 0
        while sum(len(c) for c in chunks) < RATE:  # one second
            a.wait(timeout=5)
            block, n_lost = a.read(2048)
            assert block.dtype == np.int16 and block.shape[1] == 2 and len(block) <= 2048
            chunks.append(block.copy())
            lost += n_lost
    assert lost == 0
    x = np.concatenate(chunks)[:RATE].astype(np.float64)
    assert np.array_equal(x[:, 0], x[:, 1])
    # One continuous 440 Hz sine at half full scale: a least-squares fit of
    # one leaves only rounding; a lost or repeated block would leave a step.
    t = np.arange(RATE) / RATE
    basis = np.stack([np.sin(2 * np.pi * 440 * t), np.cos(2 * np.pi * 440 * t)], axis=1)
    coef, *_ = np.linalg.lstsq(basis, x[:, 0], rcond=None)
    assert abs(np.hypot(*coef) - 16383.5) < 40
    assert np.max(np.abs(basis @ coef - x[:, 0])) < 2.0


@pytest.mark.parametrize("fmt,dtype", [("s16", np.int16), ("f32", np.float32)])
def test_numpy_audio_is_read_back_exactly(fmt, dtype, name):
    rng = np.random.default_rng(7)
    sent = [(rng.standard_normal((n, 3)) * 1000).astype(dtype) for n in (1, 480, 4800, 333)]
    with shmfb.Writer(name, 64, 48, "gray8", audio_rate=RATE, audio_channels=3, audio_format=fmt) as w, \
            shmfb.Reader(name) as r:
        got = []
        for s in sent:
            w.audio.write(s)
            block, lost = r.audio.read(8192)
            assert lost == 0
            got.append(block.copy())
        assert w.audio.written == sum(len(s) for s in sent)
        out = np.zeros((100, 3), dtype)
        block, lost = r.audio.read(100, out=out)
        assert len(block) == 0 and lost == 0
    assert np.array_equal(np.concatenate(got), np.concatenate(sent))


def test_an_overrun_is_counted(name):
    with shmfb.Writer(name, 64, 48, "gray8", audio_rate=RATE, audio_channels=1,
                      audio_capacity_ms=100) as w, shmfb.Reader(name) as r:
        block = np.arange(2400, dtype=np.int16).reshape(-1, 1)
        for _ in range(6):  # 300 ms into a 100 ms ring, unread
            w.audio.write(block)
        got, lost = r.audio.read(100000)
        assert lost > 0 and len(got) + lost == 6 * 2400


def test_audio_is_refused_where_there_is_none(name):
    with shmfb.Writer(name, 64, 48, "gray8") as w, shmfb.Reader(name) as r:
        with pytest.raises(ValueError, match="without audio"):
            w.audio.write(np.zeros((10, 2), np.int16))
        with pytest.raises(shmfb.Error, match="carries no audio") as e:
            r.audio.read(10)
        assert e.value.name in ("SHMFB_EINVAL", "SHMFB_ENOAUDIO")
    with shmfb.Writer(name, 64, 48, "gray8", audio_rate=RATE) as w:
        with pytest.raises(ValueError, match=r"float32 \(10, 2\).*int16"):
            w.audio.write(np.zeros((10, 2), np.float32))
