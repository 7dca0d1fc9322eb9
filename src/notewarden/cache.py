"""The caches in `.notewarden-cache/` at the vault root (a dot-folder: never scanned).

- `records.pickle`: every note's NoteRecord, keyed on path, size and mtime_ns (or git
  blob id), so an unchanged note is never re-read or re-parsed (see index.RecordStore).
- `summary.pickle`: every file's size and mtime and each note's findings, so a run on an
  unchanged vault needs neither the records nor link resolution at all.

Both are thrown away whole when notewarden's version, the config, or any schema file
changes, since cached findings depend on them. A read-only vault simply goes uncached.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from notewarden import __version__

CACHE_DIR = ".notewarden-cache"
_FORMAT = 7  # bump when a cached record changes shape


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
