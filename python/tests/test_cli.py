"""`python3 -m shmfb ls/info` say what `shmfb ls/info` say; the samples run."""
from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys

import numpy as np
import pytest
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


OTHER_UID = 54322  # as tests/cli_denied.sh: a user who may not open root's 0600 mapping


def as_other(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(["setpriv", "--reuid", str(OTHER_UID), "--regid", str(OTHER_UID), "--clear-groups",
                           *argv], env=ENV, capture_output=True, text=True, timeout=30)


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root and setpriv")
def test_ls_says_denied_for_a_mapping_it_may_not_open(name):
    with shmfb.Writer(name, 32, 32, "rgba", mode=0o600):
        mine = as_other(sys.executable, "-m", "shmfb", "ls", "--json")
        theirs = as_other(os.path.join(BIN, "shmfb"), "ls", "--json")
        if theirs.returncode != 0:
            pytest.skip(f"uid {OTHER_UID} cannot run the programs here: {theirs.stderr}")
        entry = [e for e in json.loads(mine.stdout) if e["name"] == name]
        assert entry == [e for e in json.loads(theirs.stdout) if e["name"] == name]
        assert entry[0]["state"] == "denied"
        assert "access denied: owned by root, uid 0, mode 0600" in entry[0]["error"]
        line = [x for x in as_other(sys.executable, "-m", "shmfb", "ls").stdout.splitlines()
                if x.startswith(name + " ")]
        assert line == [x for x in as_other(os.path.join(BIN, "shmfb"), "ls").stdout.splitlines()
                        if x.startswith(name + " ")]
        assert "denied" in line[0] and "invalid" not in line[0]


def test_info_of_a_corrupt_mapping_mirrors_the_cli(tmp_path):
    path = str(tmp_path / "corrupt.shmfb")
    with shmfb.Writer(path, 32, 32, "rgba", audio_rate=48000, heartbeat_timeout_ms=60000) as w:
        w.send(np.zeros((32, 32, 4), np.uint8))
        with open(path, "r+b") as f:  # the producer's state word (docs/FORMAT.md): undefined 7
            f.seek(256)
            f.write(struct.pack("<I", 7))
        for args in (("info", path), ("info", path, "--json")):
            mine, theirs = py(*args), c(*args)
            assert (mine.returncode, mine.stderr) == (theirs.returncode, theirs.stderr) == (1, mine.stderr)
            assert "state word 7" in mine.stderr
            if "--json" in args:
                d, e = json.loads(mine.stdout), json.loads(theirs.stdout)
                d.pop("now_ns"), e.pop("now_ns")
                assert d == e and d["state"] == "corrupt" and "published" not in d
            else:
                assert mine.stdout == theirs.stdout and "published" not in mine.stdout


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
