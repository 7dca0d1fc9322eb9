"""The caches in `.notewarden-cache/` at the vault root (a dot-folder: never scanned).

- `records.pickle`: every note's NoteRecord, keyed on path, size and mtime_ns, so an
  unchanged note is never re-read or re-parsed.
- `summary.pickle`: every file's size and mtime and each note's findings, so a run on an
  unchanged vault needs neither the records nor link resolution at all.

Both are thrown away whole when notewarden's version, the config, or any schema file
changes, since cached findings depend on them. A read-only vault simply goes uncached.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from notewarden import __version__

CACHE_DIR = ".notewarden-cache"
_FORMAT = 4  # bump when a cached record changes shape


def _key(salt: str) -> str:
    return f"{__version__}:{_FORMAT}:{salt}"


def load(root: Path, name: str, salt: str) -> Any:
    """The cached object, or None when missing, unreadable or made for another setup."""
    try:
        with open(root / CACHE_DIR / f"{name}.pickle", "rb") as handle:
            key, payload = pickle.load(handle)
    except Exception:  # missing, truncated, garbage or from another version: start over
        return None
    return payload if key == _key(salt) else None


def save(root: Path, name: str, salt: str, payload: Any) -> None:
    """Write atomically; any failure (read-only vault, full disk) leaves things uncached."""
    folder = root / CACHE_DIR
    try:
        folder.mkdir(exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by notewarden\n*\n", encoding="utf-8")
        handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump((_key(salt), payload), out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, folder / f"{name}.pickle")
        except BaseException:
            os.unlink(temp)
            raise
    except OSError:
        pass
