"""`python3 -m shmfb ls/info` say what `shmfb ls/info` say; the samples run."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
from conftest import BIN, PYTHONPATH, ROOT

import shmfb

ENV = dict(os.environ, PYTHONPATH=PYTHONPATH, PYTHONDONTWRITEBYTECODE="1")
LIVE = {"heartbeat_ns", "now_ns"}  # times read a moment apart


def py(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "shmfb", *args], env=ENV, capture_output=True,
                          text=True, timeout=30)


def c(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([os.path.join(BIN, "shmfb"), *args], capture_output=True, text=True, timeout=30)


def test_info_and_ls_mirror_the_cli(name):
    # A minute before it is stale: a slow (sanitized) run takes more than the default 3 s.
    with shmfb.Writer(name, 320, 240, "nv12", fps=(30000, 1001), audio_rate=44100,
                      heartbeat_timeout_ms=60000) as w:
        for _ in range(2):
            w.send(np.zeros(320 * 240 * 3 // 2, np.uint8))
        mine, theirs = json.loads(py("info", name, "--json").stdout), json.loads(c("info", name, "--json").stdout)
        for d in (mine, theirs):
            for k in LIVE:
                d.pop(k)
        assert mine == theirs
        text = py("info", name).stdout.splitlines()
        assert text[:2] == c("info", name).stdout.splitlines()[:2]
        assert "rate:       30000/1001 fps" in text
        entry = [e for e in json.loads(py("ls", "--json").stdout) if e["name"] == name]
        assert entry == [e for e in json.loads(c("ls", "--json").stdout) if e["name"] == name]
        listing = py("ls")
        assert any(line.startswith(name + " ") and "running" in line and "320x240" in line
                   for line in listing.stdout.splitlines()), (listing.stdout, listing.stderr)


def test_errors_are_one_line_with_the_clis_status(name):
    p = py("info", name)
    assert (p.returncode, p.stdout) == (1, "") and p.stderr == f"shmfb: {name}: no such mapping\n"
    assert c("info", name).stderr == p.stderr
    p = py("info", "bad name")
    assert p.returncode == 2 and len(p.stderr.splitlines()) == 1 and "bad name" in p.stderr
    p = py("frobnicate")
    assert p.returncode == 2 and p.stderr.startswith("shmfb: unknown command 'frobnicate'")
    assert py("--help").returncode == 0


def test_the_sample_writer_and_reader(name):
    w = subprocess.Popen([sys.executable, os.path.join(ROOT, "samples/writer.py"), name, "40"], env=ENV,
                         stdout=subprocess.PIPE, text=True)
    try:
        r = subprocess.run([sys.executable, os.path.join(ROOT, "samples/reader.py"), name], env=ENV,
                           capture_output=True, text=True, timeout=30)
        for _ in range(50):  # the reader may start before the writer has created the name
            if r.returncode == 0:
                break
            r = subprocess.run([sys.executable, os.path.join(ROOT, "samples/reader.py"), name], env=ENV,
                               capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        lines = r.stdout.splitlines()
        assert lines[0] == f"{name}: 640x480 rgba"
        assert lines[-2].startswith("frame 39 ") and lines[-1] == f"{name}: no frame for 3 s, producer closed"
        assert w.wait(timeout=30) == 0 and w.stdout.read() == f"writer.py: 40 frames published to {name}\n"
    finally:
        w.kill()
        w.wait()
