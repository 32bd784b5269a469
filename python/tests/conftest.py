"""Fixtures for the Python package's tests: the built package (BUILD/python),
the real C programs (BUILD/bin), unique mapping names and producers run as
subprocesses."""
from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from typing import Callable, Iterator

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SHMFB_BUILD") or os.path.join(ROOT, "build")
BIN = os.path.join(BUILD, "bin")
PYTHONPATH = os.path.join(BUILD, "python")
sys.path.insert(0, PYTHONPATH)

import shmfb  # noqa: E402  (the package as `make python` built it)

_names = itertools.count()


@pytest.fixture
def name() -> Iterator[str]:
    """A mapping name no other test (or run) uses; removed afterwards."""
    n = f"pytest-{os.getpid()}-{next(_names)}"
    yield n
    try:
        shmfb.unlink(n)
    except shmfb.Error:
        pass


def open_when_ready(name: str, timeout: float = 10.0) -> "shmfb.Reader":
    """Opens NAME once its producer has created it and published a frame."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            r = shmfb.Reader(name)
            r.wait(timeout=max(0.0, deadline - time.monotonic()))
            return r
        except shmfb.NotFoundError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class Producer:
    """The real shmfb-producer as a subprocess."""

    def __init__(self, name: str, *args: str) -> None:
        self.proc = subprocess.Popen([os.path.join(BIN, "shmfb-producer"), name, *args],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture
def producer() -> Iterator[Callable[..., Producer]]:
    """producer(name, *options) starts one; all are stopped at the end."""
    started: list[Producer] = []

    def start(name: str, *args: str) -> Producer:
        p = Producer(name, *args)
        started.append(p)
        return p

    yield start
    for p in started:
        p.stop()


def run_python(code: str, timeout: float = 60, **kw: object) -> subprocess.CompletedProcess:
    """Runs CODE in a fresh interpreter (this one) that imports the built package."""
    env = dict(os.environ, PYTHONPATH=PYTHONPATH, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=timeout, **kw)  # type: ignore[arg-type]
