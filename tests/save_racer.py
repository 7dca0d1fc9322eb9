"""Editors that save notes while notewarden is fixing them: a separate process, started by
tests/test_write_safety.py (Linux only: it watches with inotify, through ctypes).

It watches the given folders for notewarden's temp files (`.NAME.XXXXXXXX.notewarden-tmp`,
created after notewarden has read NAME and before it writes it). When one appears for a
note it has not saved yet, it waits a delay spread over 0-3 ms and saves that note once, as
one of these editors, in turn:

- in-place: open with O_TRUNC, write the whole note, close (Obsidian, VS Code by default);
- append: open with O_APPEND, write a line, close;
- rename: write its own temp file, rename it onto the note (VS Code's atomic save, most
  "atomic write" libraries);
- move-aside: rename the note to NAME~, write a new NAME, delete NAME~ (vim's default).

Every save carries a unique marker line. A save "raced" when it began while notewarden's
temp file still existed, so between notewarden's read and the end of its write
("still_fixing_after": the temp file was still there when the save was done). On "stop"
(a line on stdin) it finishes the saves it has scheduled and prints one JSON list of its
saves on stdout.

Usage: python save_racer.py CONFIG.json, where CONFIG holds "folders" (absolute paths),
"template" (the text an editor has loaded for a note, with {stem} for its name), "seed",
"max_delay" (seconds) and "kinds".
"""

from __future__ import annotations

import ctypes
import heapq
import json
import os
import random
import select
import struct
import sys
import time
from typing import Any

IN_CREATE = 0x100
TEMP_SUFFIX = ".notewarden-tmp"
TEMP_TAIL = len(".12345678" + TEMP_SUFFIX)  # what follows the note's name in a temp name
EVENT = struct.Struct("iIII")


def inotify(folders: list[str]) -> tuple[int, dict[int, str]]:
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.inotify_init1(os.O_CLOEXEC)
    if fd < 0:
        raise OSError(ctypes.get_errno(), "inotify_init1")
    watches = {}
    for folder in folders:
        wd = libc.inotify_add_watch(fd, os.fsencode(folder), IN_CREATE)
        if wd < 0:
            raise OSError(ctypes.get_errno(), "inotify_add_watch", folder)
        watches[wd] = folder
    return fd, watches


def events(fd: int, watches: dict[int, str]) -> list[tuple[str, str]]:
    """(folder, name) of each file created since the last call."""
    data = os.read(fd, 1 << 16)
    out = []
    offset = 0
    while offset < len(data):
        wd, _mask, _cookie, length = EVENT.unpack_from(data, offset)
        raw = data[offset + EVENT.size : offset + EVENT.size + length].rstrip(b"\0")
        offset += EVENT.size + length
        if wd in watches:
            out.append((watches[wd], os.fsdecode(raw)))
    return out


def save(kind: str, note: str, text: str, marker: str) -> None:
    body = f"{text}{marker}\n".encode()
    if kind == "in-place":
        fd = os.open(note, os.O_WRONLY | os.O_TRUNC)
        try:
            os.write(fd, body)
        finally:
            os.close(fd)
    elif kind == "append":
        fd = os.open(note, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, f"{marker}\n".encode())
        finally:
            os.close(fd)
    elif kind == "rename":
        folder, name = os.path.split(note)
        temp = os.path.join(folder, f".{name}.editor-{os.getpid()}")
        with open(temp, "wb") as out:
            out.write(body)
        os.rename(temp, note)
    elif kind == "move-aside":
        backup = note + "~"
        os.rename(note, backup)
        fd = os.open(note, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, body)
        finally:
            os.close(fd)
        os.unlink(backup)
    else:
        raise ValueError(kind)


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as file:
        config = json.load(file)
    rng = random.Random(config["seed"])
    kinds: list[str] = config["kinds"]
    max_delay: float = config["max_delay"]
    fd, watches = inotify(config["folders"])
    print("ready", flush=True)

    scheduled: set[str] = set()
    pending: list[tuple[float, int, str, str, str, float]] = []
    saves: list[dict[str, Any]] = []
    stopping = False
    while not (stopping and not pending):
        timeout = max(0.0, pending[0][0] - time.monotonic()) if pending else 0.5
        ready, _, _ = select.select([fd] if stopping else [fd, sys.stdin], [], [], timeout)
        if fd in ready:
            seen = time.monotonic()
            for folder, name in events(fd, watches):
                if not (name.startswith(".") and name.endswith(TEMP_SUFFIX)):
                    continue
                note = os.path.join(folder, name[1:-TEMP_TAIL])
                if note in scheduled or not note.endswith(".md"):
                    continue
                scheduled.add(note)
                # Spread over 0-3 ms, denser near 0, where a fix is still being written.
                delay = max_delay * rng.random() ** 2
                kind = kinds[len(scheduled) % len(kinds)]
                heapq.heappush(pending, (seen + delay, len(scheduled), note,
                                         os.path.join(folder, name), kind, delay))
        if sys.stdin in ready and sys.stdin.readline().strip() in ("", "stop"):
            stopping = True  # "stop", or stdin closed
        now = time.monotonic()
        while pending and pending[0][0] <= now:
            _due, number, note, temp, kind, delay = heapq.heappop(pending)
            stem = os.path.basename(note)[: -len(".md")]
            marker = f"saved-by-editor {kind} {stem} {number}"
            error = None
            raced = os.path.lexists(temp)  # notewarden is still writing this note
            try:
                save(kind, note, config["template"].format(stem=stem), marker)
            except OSError as exc:
                error = f"{type(exc).__name__}: {exc}"
            saves.append({"note": note, "kind": kind, "marker": marker, "raced": raced,
                          "still_fixing_after": os.path.lexists(temp),
                          "delay_us": round(delay * 1e6), "error": error})
            now = time.monotonic()
    json.dump(saves, sys.stdout)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
