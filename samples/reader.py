#!/usr/bin/python3
"""reader.py - the smallest useful Python reader: waits for each new frame,
copies it into one reused numpy array, reads its stamp and prints how old
the frame is, until no frame comes for 3 seconds.

    make python
    PYTHONPATH=build/python /usr/bin/python3 samples/reader.py [NAME]   (default "sample")
"""
import sys

import numpy as np

import shmfb

name = sys.argv[1] if len(sys.argv) > 1 else "sample"
try:
    r = shmfb.Reader(name)
except shmfb.Error as e:
    sys.exit(f"reader.py: {e.detail}")
with r:
    print(f"{name}: {r.width}x{r.height} {r.format}")
    buf = np.empty(r.frame_bytes, np.uint8)  # latest(out=buf) allocates no pixels
    for frame in r.frames(timeout=3, out=buf):
        try:
            stamp = f"stamp {shmfb.decode_stamp(frame)[0]}"
        except shmfb.Error:
            stamp = "no stamp"
        age_ms = (shmfb.now_ns() - frame.publish_ns) / 1e6
        print(f"frame {frame.frame_number} ({stamp}), {age_ms:.2f} ms old, "
              f"{frame.dropped} dropped, mean {frame.planes[0].mean():.1f}")
    print(f"{name}: no frame for 3 s, producer {r.status}")
