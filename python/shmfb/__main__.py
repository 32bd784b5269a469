"""python3 -m shmfb ls [--json] | info NAME [--json]: what `shmfb ls` and
`shmfb info` print, through the Python package."""
from __future__ import annotations

import ctypes
import json
import sys
from typing import Any, Optional

from . import Error, Reader, errors, list_names, now_ns
from ._lib import CFrame, lib

USAGE = ("usage: python3 -m shmfb COMMAND [ARGS]\n\ncommands:\n"
         "  info NAME [--json]      describe a mapping and its producer\n"
         "  ls [--json]             list every shmfb mapping on this machine\n")


def _fail(status: int, message: str) -> int:
    print(f"shmfb: {message}", file=sys.stderr)
    return status


#: The status codes `shmfb` calls "corrupt": a live field broken after the
#: header was validated (core/cli/inspect.c, status_word).
_CORRUPT = {"SHMFB_EBADSTATE", "SHMFB_EBADLATEST", "SHMFB_EBACKWARDS", "SHMFB_EBADCLAIM",
            "SHMFB_EBADTOTALSIZE"}


def _state(r: Reader) -> tuple[str, Optional[str]]:
    """The producer's state word, and the error's detail when it is corrupt."""
    try:
        return r.status, None
    except Error as e:
        return ("corrupt", e.detail) if e.name in _CORRUPT else ("invalid", None)


def _slots(r: Reader) -> list[dict[str, Any]]:
    """Each slot's metadata, read under its seqlock (shmfb_reader_slot)."""
    info, out = r.info, []
    for s in range(info.slot_count):
        f = CFrame()
        rc = lib.shmfb_reader_slot(r._h().ptr, s, ctypes.byref(f))
        d: dict[str, Any] = {"offset": info.slot_offset[s], "size": info.slot_size[s],
                             "state": "ready" if rc == 0 else "empty" if rc == errors.ENOFRAME else "writing"}
        if rc == 0:
            d.update(index=f.index, frame_number=f.frame_number, pts_ns=f.pts_ns, publish_ns=f.publish_ns)
        out.append(d)
    return out


def _describe(r: Reader, name: str, state: str) -> dict[str, Any]:
    """What `shmfb info --json` says; with a corrupt state, as it, no value
    read from the live fields (published, heartbeat, audio written, slots)."""
    i = r.info
    live = state != "corrupt"
    d: dict[str, Any] = {
        "name": name, "version": i.version, "total_size": i.total_size, "width": i.width,
        "height": i.height, "format": r.format, "frame_bytes": i.layout.frame_bytes,
        "fps_num": i.fps_num, "fps_den": i.fps_den,
        "planes": [{"offset": i.layout.offset[p], "stride": i.layout.stride[p], "rows": i.layout.rows[p]}
                   for p in range(i.layout.plane_count)],
        "color": r.color._asdict(), "producer_pid": i.producer_pid, "state": state, "generation": f"{i.generation:016x}",
    }
    if i.audio_rate:
        d["audio"] = {"rate": i.audio_rate, "channels": i.audio_channels,
                      "format": lib.shmfb_sampfmt_name(i.audio_format).decode(), "capacity": i.audio_capacity}
        if live:
            d["audio"]["written"] = lib.shmfb_audio_written(r._h().ptr)
    if live:
        d.update(heartbeat_ns=lib.shmfb_reader_heartbeat(r._h().ptr),
                 published=lib.shmfb_reader_latest_index(r._h().ptr))
    d.update(now_ns=now_ns(), slots=_slots(r) if live else
             [{"offset": i.slot_offset[s], "size": i.slot_size[s]} for s in range(i.slot_count)])
    return d


def _ms_ago(now: int, t: int) -> float:
    return (now - t) / 1e6 if t and now >= t else -1.0


def _print_text(d: dict[str, Any]) -> None:
    now = d["now_ns"]
    print(f"name:       {d['name']}")
    print(f"format:     {d['width']}x{d['height']} {d['format']}, {d['frame_bytes']} bytes a frame, "
          f"{len(d['planes'])} plane(s)")
    for n, p in enumerate(d["planes"]):
        print(f"  plane {n}:  offset {p['offset']} stride {p['stride']} rows {p['rows']}")
    if d["fps_num"]:
        print(f"rate:       {d['fps_num']}/{d['fps_den']} fps")
    print("colour:    " + ",".join(f" {k} {v or 'unspecified'}" for k, v in d["color"].items()))
    if "audio" in d:
        a = d["audio"]
        written = f", {a['written']} frames written" if "written" in a else ""
        print(f"audio:      {a['rate']} Hz, {a['channels']} channel(s), {a['format']}, ring of "
              f"{a['capacity']} frames{written}")
    print(f"mapping:    {d['total_size']} bytes, version {d['version']}, {len(d['slots'])} slots")
    print(f"producer:   pid {d['producer_pid']}, {d['state']}, generation {d['generation']}")
    if "published" in d:
        print(f"heartbeat:  {_ms_ago(now, d['heartbeat_ns']):.1f} ms ago")
        print(f"published:  {d['published']} frames")
    for n, s in enumerate(d["slots"]):
        head = f"  slot {n}:   offset {s['offset']} size {s['size']}: "
        if "state" not in s:
            print(head[:-2])
        elif s["state"] == "ready":
            print(head + f"frame {s['frame_number']} (#{s['index']}) pts {s['pts_ns']} published "
                  f"{_ms_ago(now, s['publish_ns']):.3f} ms ago")
        else:
            print(head + ("empty" if s["state"] == "empty" else "being written"))


def cmd_info(args: list[str]) -> int:
    as_json, name = False, None
    for a in args:
        if a == "--json":
            as_json = True
        elif a.startswith("-") and a != "-":
            return _fail(2, f"info: unknown option '{a}'")
        elif name is not None:
            return _fail(2, f"info: one NAME only (got '{name}' and '{a}')")
        else:
            name = a
    if name is None:
        return _fail(2, "usage: python3 -m shmfb info NAME [--json]")
    try:
        with Reader(name, reattach=False) as r:
            state, corrupt = _state(r)
            d = _describe(r, name, state)
    except Error as e:
        return _fail(2 if e.name in ("SHMFB_EBADNAME", "SHMFB_ENAMETOOLONG") else 1, e.detail)
    if as_json:
        print(json.dumps(d))
    else:
        _print_text(d)
    sys.stdout.flush()
    return _fail(1, corrupt) if corrupt else 0


def _ls_entry(name: str) -> tuple[dict[str, Any], Optional[str]]:
    """As `shmfb ls`: a mapping it may not open is "denied" (another user's),
    not "invalid", and either kind carries the error's detail."""
    try:
        with Reader(name, reattach=False) as r:
            i = r.info
            return ({"name": name, "state": _state(r)[0], "width": i.width, "height": i.height,
                     "format": r.format, "producer_pid": i.producer_pid,
                     "published": lib.shmfb_reader_latest_index(r._h().ptr)}, None)
    except Error as e:
        state = "denied" if e.name == "SHMFB_EACCES" else "invalid"
        return {"name": name, "state": state, "error": e.detail}, e.detail


def cmd_ls(args: list[str]) -> int:
    as_json = False
    for a in args:
        if a != "--json":
            return _fail(2, f"ls: unexpected argument '{a}'")
        as_json = True
    try:
        entries = [_ls_entry(n) for n in list_names()]
    except Error as e:
        return _fail(1, e.detail)
    if as_json:
        print(json.dumps([d for d, _ in entries]))
        return 0
    for d, detail in entries:
        if detail is not None:
            print(f"{d['name']:<24} {d['state']:<9} {detail}")
        else:
            size = f"{d['width']}x{d['height']}"
            print(f"{d['name']:<24} {d['state']:<9} {size:<11} {d['format']:<6} pid {d['producer_pid']:<8} "
                  f"{d['published']} frames")
    return 0


def main(argv: list[str]) -> int:
    if not argv:
        print(USAGE, end="", file=sys.stderr)
        return 2
    if argv[0] in ("-h", "--help", "help"):
        print(USAGE, end="")
        return 0
    commands = {"info": cmd_info, "ls": cmd_ls}
    if argv[0] not in commands:
        return _fail(2, f"unknown command '{argv[0]}' (try python3 -m shmfb --help)")
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
