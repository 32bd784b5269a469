"""Speed of the Python package beside the C library, in one run.

    make python && /usr/bin/python3 python/bench.py [--seconds S] [--json FILE]

1. copy: Reader.latest(out=arr) of a 1920x1080 rgba frame against the C
   reader's shmfb_reader_copy_latest on the same frame and buffer, called
   bare (one prebuilt ctypes call, whose own cost is printed: a trivial
   call, shmfb_now_ns); rounds alternate so both see the same machine.
2. view: Reader.view() + Frame.valid() per frame, in microseconds.
3. keep up: a Python reader copying every frame of the real shmfb-producer
   at 1920x1080 rgba 240 fps: frames it got against frames published.  The
   producer copies raw frames from /dev/zero (--raw), so that drawing the
   test pattern (which a loaded 2-CPU machine cannot do 240 times a
   second) does not set the rate; --source pattern draws it anyway.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("SHMFB_BUILD") or os.path.join(os.path.dirname(HERE), "build")
sys.path.insert(0, os.path.join(BUILD, "python"))

import numpy as np  # noqa: E402

import shmfb  # noqa: E402
from shmfb._lib import CFrame, lib  # noqa: E402

W, H = 1920, 1080
ROUNDS = 21


def per_call(fn, seconds: float) -> float:
    """Seconds a call of fn takes, over about `seconds`."""
    n, start = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        if n % 8 == 0 and time.perf_counter() - start >= seconds:
            return (time.perf_counter() - start) / n


def bench_copy(seconds: float) -> dict:
    name = f"pybench-{os.getpid()}"
    with shmfb.Writer(name, W, H, "rgba") as w, shmfb.Reader(name) as r:
        w.send(np.random.default_rng(1).integers(0, 256, (H, W, 4), dtype=np.uint8))
        out = np.empty((H, W, 4), np.uint8)
        ptr, dst, n, cf = r._h().ptr, out.ctypes.data, out.nbytes, ctypes.byref(CFrame())
        c_copy = lib.shmfb_reader_copy_latest

        def c_reader() -> None:
            c_copy(ptr, dst, n, cf)

        def py_reader() -> None:
            r.latest(out=out)

        c_times, py_times = [], []
        for _ in range(ROUNDS):  # alternate short rounds: both see the same load
            c_times.append(per_call(c_reader, seconds / (2 * ROUNDS)))
            py_times.append(per_call(py_reader, seconds / (2 * ROUNDS)))
        trivial = per_call(lib.shmfb_now_ns, 0.2)
    ratios = sorted(p / c for p, c in zip(py_times, c_times))
    med = ROUNDS // 2
    return {"frame": f"{W}x{H} rgba", "rounds": ROUNDS, "c_best_us": min(c_times) * 1e6,
            "py_best_us": min(py_times) * 1e6, "c_median_us": sorted(c_times)[med] * 1e6,
            "py_median_us": sorted(py_times)[med] * 1e6, "ratio_median": ratios[med],
            "ratio_best": min(py_times) / min(c_times), "ctypes_trivial_call_us": trivial * 1e6}


def bench_view(seconds: float) -> dict:
    name = f"pybench-v-{os.getpid()}"
    with shmfb.Writer(name, W, H, "rgba") as w, shmfb.Reader(name) as r:
        w.send(np.zeros((H, W, 4), np.uint8))

        def view_valid() -> None:
            r.view().valid()

        t = per_call(view_valid, seconds)
    return {"view_valid_us": t * 1e6}


def bench_keep_up(seconds: float, bin_dir: str, source: str) -> dict:
    name = f"pybench-p-{os.getpid()}"
    args = ["--raw"] if source == "raw" else ["--pattern", "bars"]
    with open(os.devnull, "rb") if source != "raw" else open("/dev/zero", "rb") as stdin:
        prod = subprocess.Popen([os.path.join(bin_dir, "shmfb-producer"), name, "--size", f"{W}x{H}",
                                 "--format", "rgba", "--fps", "240", *args], stdin=stdin,
                                stderr=subprocess.DEVNULL)
    try:
        for _ in range(500):
            try:
                r = shmfb.Reader(name)
                break
            except shmfb.NotFoundError:
                time.sleep(0.01)
        r.wait(timeout=5)
        c_peer = c_cat_keep_up(name, seconds, bin_dir)
        out = np.empty((H, W, 4), np.uint8)
        r.latest(out=out)
        first = lib.shmfb_reader_latest_index(r._h().ptr)
        got, dropped, cpu0, start = 0, 0, time.process_time(), time.perf_counter()
        for f in r.frames(timeout=2, out=out):
            got += 1
            dropped += f.dropped
            if time.perf_counter() - start >= seconds:
                break
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu0
        published = f.index - first
        r.close()
    finally:
        prod.terminate()
        prod.wait()
    return {"producer": f"shmfb-producer {W}x{H} rgba --fps 240 {' '.join(args)}", "seconds": wall,
            "published": published, "got": got, "dropped": dropped,
            "producer_fps": published / wall, "reader_fps": got / wall,
            "reader_cpu_percent": 100 * cpu / wall, "c_cat": c_peer}


def c_cat_keep_up(name: str, seconds: float, bin_dir: str) -> dict:
    """The C reader beside it, on the same producer just before: `shmfb cat`
    copying every new frame (shmfb_reader_copy_latest) to /dev/null, which
    reports the frames it missed."""
    frames = int(240 * seconds)
    start = time.perf_counter()
    p = subprocess.run([os.path.join(bin_dir, "shmfb"), "cat", name, "--frames", str(frames)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=60)
    wall = time.perf_counter() - start
    missed = [int(w) for w in p.stderr.split() if w.isdigit()]
    dropped = missed[0] if missed else 0
    return {"seconds": wall, "got": frames, "dropped": dropped, "reader_fps": frames / wall}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=3.0, help="per section (default 3)")
    ap.add_argument("--json", help="also write the numbers to this file")
    ap.add_argument("--source", choices=["raw", "pattern"], default="raw",
                    help="the 240 fps producer's frames (default raw, from /dev/zero)")
    a = ap.parse_args()
    load = os.getloadavg()[0]
    res = {"python": sys.version.split()[0], "numpy": np.__version__, "cpus": os.cpu_count(),
           "load_average": load}
    res["copy"] = c = bench_copy(a.seconds)
    print(f"shmfb python bench: Python {res['python']}, numpy {res['numpy']}, {res['cpus']} CPUs, "
          f"load average {load:.2f}")
    print(f"1. copy {c['frame']}, {c['rounds']} rounds each, alternating: C shmfb_reader_copy_latest "
          f"median {c['c_median_us']:.0f} us (best {c['c_best_us']:.0f}), Python latest(out=arr) median "
          f"{c['py_median_us']:.0f} us (best {c['py_best_us']:.0f}); Python / C: median of the rounds' "
          f"ratios {c['ratio_median']:.3f}x, best / best {c['ratio_best']:.3f}x "
          f"(a bare ctypes call: {c['ctypes_trivial_call_us']:.2f} us)")
    res["view"] = v = bench_view(a.seconds)
    print(f"2. view() + valid(): {v['view_valid_us']:.2f} us a frame")
    res["keep_up"] = k = bench_keep_up(a.seconds, os.path.join(BUILD, "bin"), a.source)
    print(f"3. keep up with {k['producer']}: {k['published']} frames published in "
          f"{k['seconds']:.1f} s ({k['producer_fps']:.0f} f/s), the Python reader copied {k['got']} "
          f"({k['reader_fps']:.0f} f/s), {k['dropped']} dropped, reader CPU {k['reader_cpu_percent']:.0f}% "
          f"({k['reader_cpu_percent'] * 10 / max(k['reader_fps'], 1):.2f} ms a frame)")
    cc = k["c_cat"]
    print(f"   the C reader on the same producer just before (shmfb cat > /dev/null): {cc['got']} frames "
          f"in {cc['seconds']:.1f} s ({cc['reader_fps']:.0f} f/s), {cc['dropped']} dropped")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
