"""Waits release the GIL (another Python thread keeps running), and
`await r.next()` waits without a busy loop."""
from __future__ import annotations

import asyncio
import os
import threading
import time

import numpy as np
import pytest

import shmfb


class Counter(threading.Thread):
    """Counts as fast as it can while it holds the GIL."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.count = 0
        self.stop = False

    def run(self) -> None:
        while not self.stop:
            self.count += 1


def counted_during(wait) -> int:
    """How far the counter got while `wait` ran in this thread."""
    c = Counter()
    c.start()
    time.sleep(0.05)
    before = c.count
    wait()
    during = c.count - before
    c.stop = True
    c.join()
    return during


def test_a_frame_wait_lets_other_threads_run(name):
    with shmfb.Writer(name, 64, 48, "rgba") as w, shmfb.Reader(name) as r:
        w.send(np.zeros((48, 64, 4), np.uint8))
        r.latest()

        def wait() -> None:
            with pytest.raises(shmfb.TimeoutError):
                r.wait(timeout=0.5)

        # Held through the wait, the GIL lets the counter run only between
        # the wait's 250 ms polls (about 5% of a sleep's count here).
        assert counted_during(wait) > 0.3 * counted_during(lambda: time.sleep(0.5))


def test_an_audio_wait_lets_other_threads_run(name):
    with shmfb.Writer(name, 64, 48, "rgba", audio_rate=48000) as w, shmfb.Reader(name) as r:
        def wait() -> None:
            with pytest.raises(shmfb.TimeoutError):
                r.audio.wait(timeout=0.5)

        assert counted_during(wait) > 0.3 * counted_during(lambda: time.sleep(0.5))
        assert w.audio.written == 0


def test_a_wait_wakes_when_another_thread_publishes(name):
    with shmfb.Writer(name, 64, 48, "gray8") as w, shmfb.Reader(name) as r:
        t = threading.Timer(0.2, w.send, [np.zeros((48, 64), np.uint8)])
        start = time.monotonic()
        t.start()
        r.wait(timeout=5)
        assert 0.15 < time.monotonic() - start < 2
        t.join()


def test_await_next_sleeps_without_spinning(name):
    with shmfb.Writer(name, 64, 48, "gray8") as w, shmfb.Reader(name) as r:
        async def main() -> shmfb.Frame:
            loop = asyncio.get_running_loop()
            loop.call_later(0.6, w.send, np.full((48, 64), 7, np.uint8))
            ticks = 0
            task = asyncio.ensure_future(r.next(timeout=5))
            while not task.done():  # the event loop keeps running meanwhile
                ticks += 1
                await asyncio.sleep(0.01)
            assert ticks > 20
            return await task

        cpu = os.times()
        start = time.monotonic()
        f = asyncio.run(main())
        used = (os.times().user - cpu.user) + (os.times().system - cpu.system)
        assert f.index == 1 and int(f.array[0, 0]) == 7
        assert time.monotonic() - start >= 0.55
        # A busy wait would burn the whole 0.6 s; sleeping costs a few ms.
        assert used < 0.3


def test_await_next_times_out(name):
    with shmfb.Writer(name, 64, 48, "gray8"), shmfb.Reader(name) as r:
        with pytest.raises(shmfb.TimeoutError):
            asyncio.run(r.next(timeout=0.2))
