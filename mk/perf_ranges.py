#!/usr/bin/python3
"""perf_ranges.py - the ranges over several `shmfb bench --json` runs, as the
Markdown tables of docs/PERFORMANCE.md.

    /usr/bin/python3 mk/perf_ranges.py run1.json run2.json run3.json

Each cell is "lo-hi" over the runs (one value when they agree to the shown
precision); a target's verdicts are listed run by run.
"""
import json
import sys


def rng(values, fmt="{:.1f}"):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    lo, hi = fmt.format(min(values)), fmt.format(max(values))
    return lo if lo == hi else f"{lo}-{hi}"


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def find(items, **keys):
    for it in items:
        if all(it.get(k) == v for k, v in keys.items()):
            return it
    return None


def main(paths):
    runs = [json.load(open(p)) for p in paths]
    print(f"Ranges over {len(runs)} runs.\n")
    m = [r["machine"] for r in runs]
    print(table(["run", "load at start (1/5/15 min)", "load at end", "steal", "CPU MHz", "THP", "available", "length"],
                [[i + 1, f"{x['load_start']:.2f} {x['load5']:.2f} {x['load15']:.2f}", f"{x['load_end']:.2f}",
                  f"{100 * x['steal_share']:.1f} %", f"{x['cpu_mhz']:.0f}", x["thp"],
                  f"{x['mem_available_mb'] / 1024:.1f} GiB", f"{r['elapsed_s']:.0f} s"]
                 for i, (x, r) in enumerate(zip(m, runs))]))

    print("\n**1. Latency, µs**\n")
    rows = []
    for key, label in [("futex", "shmfb futex wait"), ("futex_floor", "bare futex"),
                       ("poll", "shmfb poll"), ("poll_floor", "bare flag poll")]:
        rows.append([label] + [rng([r["latency"][key][q] / 1e3 for r in runs], "{:.1f}")
                               for q in ("p50_ns", "p90_ns", "p99_ns", "p999_ns")])
    print(table(["", "p50", "p90", "p99", "p99.9"], rows))

    print("\n**2. Copy-publish beside memcpy, GB/s (medians of 5 rounds)**\n")
    rows = []
    for s in runs[0]["throughput"]["sizes"]:
        key = dict(width=s["width"], height=s["height"], format=s["format"])
        got = [find(r["throughput"]["sizes"], **key) for r in runs]
        unstable = sum(1 for g in got for v in g["gbps"].values() if v["unstable"])
        rows.append([f"{s['width']}x{s['height']} {s['format']}", rng([g["publish_gbps"] for g in got], "{:.2f}"),
                     rng([g["memcpy_gbps"] for g in got], "{:.2f}"), rng([100 * g["ratio"] for g in got], "{:.0f}"),
                     rng([g["memcpy3_gbps"] for g in got], "{:.2f}"), unstable])
    print(table(["frame", "copy-publish", "memcpy", "% of memcpy", "memcpy x3", "unstable figures"], rows))
    print(f"\nzero-copy acquire+publish: {rng([r['throughput']['zero_copy_ns'] for r in runs], '{:.0f}')} ns")

    print("\n**3. Writer with copying readers (1080p RGBA), frames/s**\n")
    rows = []
    for k in [x["readers"] for x in runs[0]["readers"]]:
        got = [find(r["readers"], readers=k) for r in runs]
        rows.append([k, rng([g["writer_fps"] for g in got], "{:.0f}"), rng([g["writer_vs_one"] * 100 for g in got], "{:.0f}"),
                     rng([min(g["reader_fps"]) for g in got], "{:.0f}")])
    print(table(["readers", "writer f/s", "% of 1 reader", "slowest reader f/s"], rows))

    print("\n**4. Peers, unpaced, 1080p RGBA, one reader**\n")
    rows = []
    for key in ("shmfb", "pipe", "unix_socket", "gstreamer_shm", "gstreamer_shmfb"):
        got = [r["peers"][key] for r in runs if key in r["peers"] and r["peers"][key]["ran"]]
        rows.append([key, rng([g["fps"] for g in got], "{:.0f}"), rng([g["writer_fps"] for g in got], "{:.0f}"),
                     rng([g["latency"]["p50_ns"] / 1e3 for g in got], "{:.0f}"),
                     rng([g["latency"]["p99_ns"] / 1e3 for g in got], "{:.0f}"), f"{len(got)}/{len(runs)}"])
    print(table(["", "received f/s", "sent f/s", "p50 µs", "p99 µs", "ran"], rows))

    if all(r.get("writecopy", {}).get("ran") for r in runs):
        print("\n**5. Copy-on-write view, share of a full copy's time**\n")
        rows = [[f"{v['percent']} %", rng([find(r["writecopy"]["views"], percent=v["percent"])["of_copy"] * 100
                                           for r in runs], "{:.1f}")] for v in runs[0]["writecopy"]["views"]]
        print(table(["pages written", "% of a copy"], rows))

    print("\n**6. Paced delivery: highest rate at which every reader got ≥ 99.9 %, f/s "
          "(the worst reader's p99 there, ms)**\n")
    # Every configuration and transport any run measured, in the order of
    # their first appearance (a later bench may measure more than an earlier).
    groups, transports = [], []
    for l in (l for r in runs for l in r["delivery"]["lossless"]):
        g = (l["width"], l["height"], l["format"], l["readers"])
        if g not in groups:
            groups.append(g)
        if l["transport"] not in transports:
            transports.append(l["transport"])
    frames = [g[:3] for g in groups]
    groups.sort(key=lambda g: (frames.index(g[:3]), g[3]))
    rows = []
    for (w, h, f, k) in groups:
        row = [f"{w}x{h} {f}, {k}"]
        for t in transports:
            got = [find(r["delivery"]["lossless"], width=w, height=h, format=f, readers=k, transport=t) for r in runs]
            got = [g for g in got if g]
            rate = rng([g["max_fps"] for g in got], "{:.0f}")
            p99 = rng([g["p99_ns"] / 1e6 for g in got if g["max_fps"] > 0], "{:.1f}")
            row.append(f"{rate} ({p99})" if p99 != "-" else rate)
        rows.append(row)
    print(table(["frame, readers"] + transports, rows))
    fails = [(r_i + 1, d) for r_i, r in enumerate(runs) for d in r["delivery"]["runs"] if d["failures"]]
    if fails:
        print("\nExternal peer tries that failed: " + "; ".join(
            f"run {i} {d['transport']} {d['width']}x{d['height']} {d['format']} {d['readers']} readers "
            f"{d['rate_fps']:.0f} f/s: {d['failures']} of {d['attempts']}" for i, d in fails))

    if all(r.get("zerocopy", {}).get("runs") for r in runs):
        print("\n**7. Zero-copy beside iceoryx, 1080p RGBA**\n")
        rows = []
        for z in runs[0]["zerocopy"]["runs"]:
            got = [find(r["zerocopy"]["runs"], transport=z["transport"], subscribers=z["subscribers"]) for r in runs]
            got = [g for g in got if g and g["ran"]]
            rows.append([z["transport"], z["subscribers"], rng([g["latency"]["p50_ns"] / 1e3 for g in got], "{:.0f}"),
                         rng([g["latency"]["p99_ns"] / 1e3 for g in got], "{:.0f}"),
                         rng([g["fps"] for g in got], "{:.0f}")])
        print(table(["", "subscribers", "p50 µs", "p99 µs", "slowest subscriber f/s"], rows))

    print("\n**Targets, run by run**\n")
    rows = []
    for t in runs[0]["targets"]:
        got = [find(r["targets"], name=t["name"]) for r in runs]
        verdicts = ["n/a" if not g["evaluated"] else "unstable" if g.get("unstable") else
                    "met" if g["met"] else "MISS" for g in got]
        rows.append([f"`{t['name']}`", rng([g["value"] for g in got], "{:.2f}"), " ".join(verdicts)])
    print(table(["target", "value", "verdicts"], rows))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: perf_ranges.py RUN.json...")
    main(sys.argv[1:])
