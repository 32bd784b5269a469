"""A producer killed: the reader says it is dead, then goes on with the next
producer of the name; a closed one is "closed"; a replaced one "replaced"; a
live one silent past its heartbeat timeout "stale"."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import numpy as np
import pytest
from conftest import BIN, open_when_ready

import shmfb


def test_killed_producer_is_dead_then_the_next_one_is_read(name, producer):
    first = producer(name, "--size", "320x240", "--fps", "60")
    r = open_when_ready(name)
    f = r.latest()
    assert shmfb.decode_stamp(f)[0] == f.frame_number
    generation = r.generation
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait()
    with pytest.raises(shmfb.TimeoutError):
        r.wait(timeout=0.6)
    assert r.status == "dead"
    assert r.generation == generation  # nothing to go on with yet

    producer(name, "--size", "320x240", "--format", "nv12", "--fps", "60")
    r.wait(timeout=10)
    assert r.status == "running" and r.generation != generation
    f = r.latest()
    assert f.format == "nv12" and f.dropped == 0
    assert shmfb.decode_stamp(f)[0] == f.frame_number
    assert f.frame_number < 120  # the new producer counts from 0
    r.close()


def test_closed_then_recreated(name):
    w = shmfb.Writer(name, 64, 48, "gray8")
    w.send(np.full((48, 64), 1, np.uint8))
    with shmfb.Reader(name) as r:
        r.latest()
        w.close()
        assert r.status == "closed"
        start = time.monotonic()
        with pytest.raises(shmfb.TimeoutError, match="closed"):
            r.wait(timeout=0.5)
        assert time.monotonic() - start >= 0.45
        with shmfb.Writer(name, 32, 16, "rgba") as w2:
            w2.send(np.full((16, 32, 4), 2, np.uint8))
            r.wait(timeout=5)
            f = r.latest()
            assert (r.width, r.height, f.array.shape, int(f.array[0, 0, 0])) == (32, 16, (16, 32, 4), 2)


def test_replaced_producer(name):
    with shmfb.Writer(name, 64, 48, "gray8") as w:
        w.send(np.zeros((48, 64), np.uint8))
        with shmfb.Reader(name, reattach=False) as r:
            with shmfb.Writer(name, 64, 48, "gray8", replace=True):
                assert r.status == "replaced"


def test_silent_producer_is_stale(name):
    """A live writer that published once and then said nothing for longer
    than its heartbeat_timeout_ms is "stale", as `shmfb info` says too; a
    heartbeat makes it "running" again."""
    timeout_ms = 300
    with shmfb.Writer(name, 64, 48, "gray8", heartbeat_timeout_ms=timeout_ms) as w, \
            shmfb.Reader(name, reattach=False) as r:
        assert r.info.heartbeat_timeout_ms == timeout_ms
        w.send(np.zeros((48, 64), np.uint8))  # a publish refreshes the heartbeat
        assert r.status == "running"
        time.sleep(2 * timeout_ms / 1000)
        assert r.status == "stale"
        info = subprocess.run([os.path.join(BIN, "shmfb"), "info", name, "--json"], capture_output=True,
                              text=True, timeout=10)
        assert json.loads(info.stdout)["state"] == "stale"
        w.heartbeat()
        assert r.status == "running"
