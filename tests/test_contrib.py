"""The daemon units in contrib/: they parse, and the command each one runs starts the
watcher and stops cleanly on SIGTERM (what systemd and launchd send)."""

from __future__ import annotations

import configparser
import plistlib
import shlex
import shutil
import signal
import subprocess
import time
from pathlib import Path

from tests.helpers import REPO, console_script, make_vault

UNIT = REPO / "contrib" / "systemd" / "notewarden.service"
PLIST = REPO / "contrib" / "launchd" / "org.notewarden.watch.plist"


def _run_until_sigterm(argv: list[str]) -> int:
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        line = ""
        while "watching" not in line and time.monotonic() < deadline:
            line = process.stdout.readline()  # type: ignore[union-attr]
            assert line or process.poll() is None, process.stderr.read()  # type: ignore[union-attr]
        process.send_signal(signal.SIGTERM)
        return process.wait(timeout=2)
    finally:
        if process.poll() is None:
            process.kill()


def test_systemd_unit_runs_the_watcher(tmp_path: Path) -> None:
    unit = configparser.ConfigParser(interpolation=None)
    unit.read(UNIT)
    exec_start = unit["Service"]["ExecStart"]
    assert unit["Install"]["WantedBy"] == "default.target"
    vault = make_vault(tmp_path / "Notes", {"A.md": "# A\n"})
    argv = shlex.split(exec_start.replace("%h/.local/bin/notewarden", console_script())
                       .replace("%h/Notes", str(vault)))
    assert argv[1:] == ["watch", str(vault), "--fix"]
    assert _run_until_sigterm(argv) == 0
    if shutil.which("systemd-analyze"):  # validate the unit as systemd would
        local = tmp_path / "notewarden.service"
        local.write_text(UNIT.read_text().replace("%h/.local/bin/notewarden", console_script())
                         .replace("%h/Notes", str(vault)))
        result = subprocess.run(["systemd-analyze", "verify", str(local)],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


def test_launchd_agent_runs_the_watcher(tmp_path: Path) -> None:
    agent = plistlib.loads(PLIST.read_bytes())
    assert agent["Label"] == "org.notewarden.watch"
    assert agent["RunAtLoad"] is True
    vault = make_vault(tmp_path / "Notes", {"A.md": "# A\n"})
    argv = [console_script(), *agent["ProgramArguments"][1:]]
    argv[argv.index("/Users/you/Notes")] = str(vault)
    assert argv[1] == "watch"
    assert _run_until_sigterm(argv) == 0
