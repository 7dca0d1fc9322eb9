"""Shared test helpers: real vaults in temporary folders, the real console script."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# The five seed documents. example-vault/ keeps them byte for byte; tests/seeds/ links to
# those copies so the suite runs anywhere (test_seeds.py checks them against shared/).
SEEDS = REPO / "tests" / "seeds"
SHARED_SEEDS = REPO.parent / "shared" / "seeds"
EXAMPLE_VAULT = REPO / "example-vault"


def console_script() -> str:
    """The installed `notewarden` script, next to the running interpreter."""
    script = Path(sys.executable).parent / ("notewarden.exe" if os.name == "nt" else "notewarden")
    assert script.exists(), f"notewarden is not installed in this environment ({script})"
    return str(script)


def make_vault(root: Path, files: dict[str, str | bytes], *, obsidian: bool = True,
               config: str | None = None) -> Path:
    """Write a vault: {relative path: text or bytes}. Text is written as given (no newline
    translation), so tests control line endings exactly."""
    root.mkdir(parents=True, exist_ok=True)
    if obsidian:
        (root / ".obsidian").mkdir(exist_ok=True)
    if config is not None:
        (root / ".notewarden.toml").write_text(config, encoding="utf-8")
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
    return root


def run_cli(*args: str | Path, cwd: Path | None = None,
            input: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the installed console script as a user would."""
    return subprocess.run(
        [console_script(), *map(str, args)], cwd=cwd, input=input, capture_output=True,
        text=True, timeout=timeout, env={**os.environ, "NO_COLOR": "1"},
    )


def check_json(vault: Path, *args: str | Path) -> list[dict[str, Any]]:
    """Run `notewarden check VAULT --format json` and return its findings."""
    result = run_cli("check", vault, "--format", "json", "--no-cache", *args)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    data = json.loads(result.stdout)
    return data["findings"]


def findings_of(rule: str, findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in findings if f["rule"] == rule]


def lint(vault: Path, *paths: Path, select: tuple[str, ...] = ()) -> list[Any]:
    """Check a vault in-process (real files, no cache, one process): fast for rule tests."""
    from notewarden.engine import run_check

    return run_check([*(paths or [vault])], select=select, use_cache=False, jobs=1).findings


def rules_at(findings: list[Any], rule: str) -> list[tuple[str, int, int]]:
    """(path, line, column) of each finding of `rule`."""
    return [(f.path, f.line, f.column) for f in findings if f.rule == rule]


def store_of(vault: Path) -> Path:
    """The vault's store (the SQLite file) in this test run's cache folder."""
    from notewarden.store import cache_root, store_file

    return store_file(vault, cache_root())


def forget_last_check(vault: Path) -> None:
    """Drop the store's record of the last check (not its parsed notes), so the next run
    takes the path that reads records."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(store_of(vault))) as connection, connection:
        connection.execute("DELETE FROM checked")


@contextlib.contextmanager
def another_users_note(mode: int) -> Iterator[Path]:
    """A note holding b"old\\n", owned by 4321:4321 with `mode`, alone in a fresh folder
    under /tmp that any user may enter and write; removed afterwards. Needs root."""
    folder = Path(tempfile.mkdtemp(prefix="notewarden-shared-"))
    try:
        folder.chmod(0o777)
        note = folder / "N.md"
        note.write_bytes(b"old\n")
        note.chmod(mode)
        os.chown(note, 4321, 4321)
        yield note
    finally:
        shutil.rmtree(folder)


def refusal_as_uid_1234(note: Path) -> Exception:
    """Read the note, then try to write b"new\\n" over it with the effective uid and gid
    1234 (put back to root's afterwards); the WriteSkipped that refuses it."""
    import pytest

    from notewarden.writer import WriteSkipped, read_with_snapshot, write_atomic

    _data, snapshot = read_with_snapshot(note)
    os.setegid(1234)
    os.seteuid(1234)
    try:
        with pytest.raises(WriteSkipped) as caught:
            write_atomic(note, b"new\n", snapshot, note.parent)
    finally:
        os.seteuid(0)
        os.setegid(0)
    return caught.value
