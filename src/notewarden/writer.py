"""Writing fixed notes safely.

A write goes to a temp file in the same folder, is fsynced, keeps the file's mode, and then
replaces the note with `os.replace`, so a crash leaves either the old note or the new one.
Just before replacing, the note is read again: if it changed since notewarden read it
(Obsidian may be saving), the write is skipped. A symlink is written through only when its
target is inside the vault.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a file looked like when it was read."""

    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, path: Path, data: bytes) -> Snapshot:
        info = path.stat()
        return cls(info.st_size, info.st_mtime_ns, hashlib.sha256(data).hexdigest())


class WriteSkipped(Exception):
    """The file was not written; the message says why."""


def read_with_snapshot(path: Path) -> tuple[bytes, Snapshot]:
    data = path.read_bytes()
    return data, Snapshot.of(path, data)


def write_atomic(path: Path, data: bytes, expected: Snapshot, vault_root: Path) -> None:
    """Replace `path` with `data` if it still matches `expected`. Raises WriteSkipped."""
    try:
        target = path.resolve()
        root = vault_root.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop (RuntimeError before 3.13)
        raise WriteSkipped(f"{path}: cannot resolve: {exc}") from None
    if not target.is_relative_to(root):
        raise WriteSkipped(f"{path} is a symlink to {target}, outside the vault; not written")
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except OSError as exc:
        raise WriteSkipped(f"{path}: cannot stat: {exc.strerror}") from None
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".notewarden-tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp_name, mode)
        _check_unchanged(target, expected)
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def _check_unchanged(target: Path, expected: Snapshot) -> None:
    try:
        info = target.stat()
        current = target.read_bytes()
    except OSError as exc:
        raise WriteSkipped(f"{target}: cannot re-read before writing: {exc.strerror}") from None
    if (info.st_size != expected.size or info.st_mtime_ns != expected.mtime_ns
            or hashlib.sha256(current).hexdigest() != expected.sha256):
        raise WriteSkipped(f"{target} changed since it was read (an editor saving?); "
                           "not written")
