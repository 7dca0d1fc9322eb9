"""The index cache: NoteRecords keyed on path, size and mtime_ns.

An unchanged vault re-checks without re-reading or re-parsing a single note. The cache is
one pickle in `.notewarden-cache/` at the vault root (a dot-folder, so neither Obsidian nor
notewarden scans it). It is thrown away whole when notewarden's version, the config's
schema mapping or any schema file changes, since cached findings depend on them.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

from notewarden import __version__
from notewarden.model import NoteRecord

CACHE_DIR = ".notewarden-cache"
_FILE = "index.pickle"
_FORMAT = 2  # bump when NoteRecord changes shape


def _key(salt: str) -> str:
    return f"{__version__}:{_FORMAT}:{salt}"


def load(root: Path, salt: str) -> dict[str, NoteRecord]:
    try:
        with open(root / CACHE_DIR / _FILE, "rb") as handle:
            key, records = pickle.load(handle)
    except Exception:  # missing, unreadable, truncated or from another version: start over
        return {}
    return records if key == _key(salt) and isinstance(records, dict) else {}


def save(root: Path, salt: str, records: dict[str, NoteRecord]) -> None:
    """Write the cache atomically; a read-only vault simply goes uncached."""
    folder = root / CACHE_DIR
    try:
        folder.mkdir(exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by notewarden\n*\n", encoding="utf-8")
        handle, temp = tempfile.mkstemp(dir=folder, prefix=".index-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump((_key(salt), records), out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, folder / _FILE)
        except BaseException:
            os.unlink(temp)
            raise
    except OSError:
        pass
