"""Finding a vault's root and the files in it.

Dot-folders (`.obsidian/`, `.trash/`, `.git/`, ...) are never scanned: Obsidian hides
them too. Symlinked folders are followed, as Obsidian does, but a folder already visited
(a symlink loop) is skipped and reported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from notewarden.config import CONFIG_FILE
from notewarden.reading import kind_of


def find_vault_root(path: Path) -> Path:
    """The nearest folder at or above `path` holding `.obsidian/` or `.notewarden.toml`;
    otherwise `path` itself (or its folder, for a file)."""
    start = path if path.is_dir() else path.parent
    for folder in (start, *start.parents):
        if (folder / ".obsidian").is_dir() or (folder / CONFIG_FILE).is_file():
            return folder
    return start


class VaultFile(NamedTuple):  # a tuple: 10,000 of these are made on every run
    path: str  # POSIX, relative to the vault root
    size: int
    mtime_ns: int
    blob_id: str | None = None  # set for a file listed from the git index, not the disk


@dataclass(frozen=True, slots=True)
class WalkProblem:
    path: str
    message: str


def walk_vault(root: Path) -> tuple[list[VaultFile], list[WalkProblem]]:
    """Every non-hidden file in the vault, with the size and mtime the cache keys on."""
    files: list[VaultFile] = []
    problems: list[WalkProblem] = []
    try:
        root_stat = root.stat()
    except OSError as exc:
        return files, [WalkProblem(".", f"cannot read the vault folder: {exc.strerror}")]
    visited = {(root_stat.st_dev, root_stat.st_ino)}
    stack: list[tuple[str, str]] = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            problems.append(WalkProblem(prefix.rstrip("/") or ".",
                                        f"cannot read folder: {exc.strerror}"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = prefix + entry.name
            try:
                if entry.is_dir():  # follows symlinks
                    stat = entry.stat()
                    key = (stat.st_dev, stat.st_ino)
                    if key in visited:
                        if entry.is_symlink():
                            problems.append(WalkProblem(
                                rel, "symlink loop: this folder links back to one already "
                                "scanned; skipped"))
                        continue
                    visited.add(key)
                    stack.append((entry.path, rel + "/"))
                elif entry.is_file():
                    stat = entry.stat()
                    files.append(VaultFile(rel, stat.st_size, stat.st_mtime_ns))
                elif entry.is_symlink():
                    # Dangling, looping, or a link to a FIFO or device: reading it says which.
                    files.append(VaultFile(rel, -1, -1))
                else:  # a FIFO, socket or device in the vault itself
                    kind = kind_of(entry.stat(follow_symlinks=False).st_mode)
                    problems.append(WalkProblem(rel, f"not a regular file ({kind}); not read"))
            except OSError:
                files.append(VaultFile(rel, -1, -1))  # reported when it is read
    files.sort(key=lambda f: f.path)
    return files, problems

