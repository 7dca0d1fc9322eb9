"""The caches in `.notewarden-cache/` at the vault root (a dot-folder: never scanned).

- `records.pickle`: every note's NoteRecord, keyed on path, size and mtime_ns (or git
  blob id), so an unchanged note is never re-read or re-parsed (see index.RecordStore).
- `summary.pickle`: every file's size and mtime and each note's findings, so a run on an
  unchanged vault needs neither the records nor link resolution at all.

Both are thrown away whole when notewarden's version, the config, or any schema file
changes, since cached findings depend on them. A read-only vault simply goes uncached.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from notewarden import __version__

CACHE_DIR = ".notewarden-cache"
_FORMAT = 10  # bump when a cached record changes shape, or what parsing finds in a note


def _key(salt: str) -> str:
    return f"{__version__}:{_FORMAT}:{salt}"


def load(root: Path, name: str, salt: str) -> Any:
    """The cached object, or None when missing, unreadable or made for another setup."""
    try:
        with open(root / CACHE_DIR / f"{name}.pickle", "rb") as handle:
            key, payload, _sizes = pickle.load(handle)
    except Exception:  # missing, truncated, garbage or from another version: start over
        return None
    return payload if key == _key(salt) else None


def save(root: Path, name: str, salt: str, payload: Any,
         sections: Sequence[bytes] = ()) -> None:
    """Write atomically; any failure (read-only vault, full disk) leaves things uncached.
    `sections` are byte strings stored after the payload, read back with Sections."""
    import tempfile  # only a run that changed something writes

    folder = root / CACHE_DIR
    try:
        folder.mkdir(exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by notewarden\n*\n", encoding="utf-8")
        handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                sizes = [len(section) for section in sections]
                pickle.dump((_key(salt), payload, sizes), out,
                            protocol=pickle.HIGHEST_PROTOCOL)
                for section in sections:
                    out.write(section)
            os.replace(temp, folder / f"{name}.pickle")
        except BaseException:
            os.unlink(temp)
            raise
    except OSError:
        pass


class Sections:
    """The byte sections stored after a cache file's payload, mapped rather than read:
    a run that needs a few records of a 20 MB cache touches only their pages."""

    def __init__(self, data: Any, start: int, sizes: list[int]) -> None:
        self._data = data
        self._starts = [start]
        for size in sizes:
            self._starts.append(self._starts[-1] + size)

    def section(self, number: int) -> memoryview:
        return memoryview(self._data)[self._starts[number] : self._starts[number + 1]]


def load_with_sections(root: Path, name: str, salt: str) -> tuple[Any, Sections] | None:
    """Like load, for a file saved with sections: (payload, its sections), or None."""
    import mmap

    try:
        with open(root / CACHE_DIR / f"{name}.pickle", "rb") as handle:
            key, payload, sizes = pickle.load(handle)
            if key != _key(salt):
                return None
            start = handle.tell()
            if os.fstat(handle.fileno()).st_size != start + sum(sizes):
                return None  # truncated
            data: Any = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) \
                if sizes and sum(sizes) else b""
    except Exception:  # missing, truncated, garbage or from another version: start over
        return None
    return payload, Sections(data, start, sizes)


def write_in_background(write: Callable[[], None]) -> int | None:
    """Call `write` in a forked child and return its process id, or return None (having
    done nothing) where that is not safe: off Linux, or with other threads running, which
    a fork would copy mid-flight. The caller must `wait_for` the child before it exits.

    A cold check of 10,000 notes spends 0.2-0.3 s writing the records cache, while its
    link rules keep one core busy and leave the other idle: the child uses that one."""
    import sys
    import threading

    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return None
    try:
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child: write, then leave at once (no atexit, no stdio flush)
        code = 1
        try:
            write()
            code = 0
        finally:
            os._exit(code)
    return pid


def wait_for(pid: int | None) -> None:
    """Wait for a child started by write_in_background (None: nothing to wait for)."""
    if pid is not None:
        with contextlib.suppress(ChildProcessError):  # already reaped
            os.waitpid(pid, 0)
