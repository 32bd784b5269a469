#!/usr/bin/python3
"""writer.py - the smallest useful Python producer: a 640x480 rgba mapping
with a gradient that scrolls, 30 frames a second, until Ctrl-C (or N frames).

    make python
    PYTHONPATH=build/python /usr/bin/python3 samples/writer.py [NAME [N]]
    build/bin/shmfb-viewer sample          (or samples/reader.py)
"""
import sys
import time

import numpy as np

import shmfb

name = sys.argv[1] if len(sys.argv) > 1 else "sample"
count = int(sys.argv[2]) if len(sys.argv) > 2 else -1
W, H, FPS = 640, 480, 30
x = np.arange(W, dtype=np.uint16)
with shmfb.Writer(name, W, H, "rgba", fps=FPS) as w:
    image = np.zeros((H, W, 4), np.uint8)
    image[..., 3] = 255
    start = time.monotonic()
    n = 0
    try:
        while n != count:
            image[..., 0] = ((x + 4 * n) % 256).astype(np.uint8)  # red scrolls left
            image[..., 2] = np.arange(H, dtype=np.uint8)[:, None] // 2  # blue rises
            w.send(image)  # copy-publish; pts is now, frame_number counts from 0
            n += 1
            time.sleep(max(0.0, start + n / FPS - time.monotonic()))
    except KeyboardInterrupt:
        pass
print(f"writer.py: {n} frames published to {name}")
