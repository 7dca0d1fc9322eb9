"""FIFOs, sockets and devices in a vault are reported, never read: reading one could block
for ever (a FIFO with no writer, a terminal) or never end (/dev/zero)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import console_script, make_vault, run_cli

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX special files")


def _unreadable(stdout: str) -> dict[str, str]:
    findings = json.loads(stdout)["findings"]
    return {f["path"]: f["message"] for f in findings if f["rule"] == "unreadable"}


def test_fifo_and_links_to_special_files_are_reported_not_read(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"Home.md": "[[Missing]]\n"})
    os.mkfifo(vault / "pipe.md")
    (vault / "to-pipe.md").symlink_to(vault / "pipe.md")
    (vault / "zero.md").symlink_to("/dev/zero")
    (vault / "stdin.md").symlink_to("/dev/stdin")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(vault / "sock.md"))
    # stdin is an open pipe nobody writes to: reading /dev/stdin would wait for ever.
    with subprocess.Popen(
        [console_script(), "check", str(vault), "--format", "json", "--no-cache"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=60)
        finally:
            process.kill()
            server.close()
    assert process.returncode == 1, stderr
    unreadable = _unreadable(stdout)
    assert unreadable["pipe.md"] == "not a regular file (a FIFO); not read"
    assert unreadable["to-pipe.md"] == "not a regular file (a FIFO); not read"
    assert unreadable["zero.md"] == "not a regular file (a character device); not read"
    assert unreadable["stdin.md"] == "not a regular file (a FIFO); not read"
    assert unreadable["sock.md"] == "not a regular file (a socket); not read"
    # The other notes are still checked.
    assert "broken-link" in stdout


@pytest.mark.parametrize("name", [".notewarden.toml", ".obsidian/app.json"])
def test_a_settings_file_that_is_a_fifo_is_a_one_line_error(tmp_path: Path, name: str) -> None:
    vault = make_vault(tmp_path / "v", {"Home.md": "hello\n"})
    os.mkfifo(vault / name)
    result = run_cli("check", vault, "--no-cache", timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().endswith("not a regular file (a FIFO)")
    assert len(result.stderr.strip().splitlines()) == 1


def test_watch_starts_past_a_fifo(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"Home.md": "hello\n"})
    os.mkfifo(vault / "pipe.md")
    with subprocess.Popen(
        [console_script(), "watch", str(vault), "--format", "json"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as process:
        try:
            assert process.stdout is not None
            first = json.loads(process.stdout.readline())
        finally:
            process.terminate()
            process.wait(timeout=30)
    assert first["event"] == "initial"
    assert [f["path"] for f in first["findings"] if f["rule"] == "unreadable"] == ["pipe.md"]
