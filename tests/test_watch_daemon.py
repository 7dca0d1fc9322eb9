"""`notewarden watch`: the real console script, the real watchdog observer, real files."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import console_script, make_vault


class Daemon:
    """A running `notewarden watch --format json`, its passes read from stdout."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.passes: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("{"):
                self.passes.put(json.loads(line))

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool],
                 timeout: float = 15) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                item = self.passes.get(timeout=0.1)
            except queue.Empty:
                continue
            self.seen.append(item)
            if predicate(item):
                return item
        raise AssertionError(f"no matching pass within {timeout} s; saw {self.seen}")

    def quiet_for(self, seconds: float) -> list[dict[str, Any]]:
        """Passes that arrive within `seconds` (to show nothing more happens)."""
        time.sleep(seconds)
        extra = []
        while not self.passes.empty():
            extra.append(self.passes.get())
        return extra


@contextmanager
def watching(vault: Path, *args: str) -> Iterator[Daemon]:
    process = subprocess.Popen(
        [console_script(), "watch", str(vault), "--format", "json", "--debounce", "0.1", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    daemon = Daemon(process)
    try:
        daemon.wait_for(lambda p: p["event"] == "initial")
        time.sleep(0.3)  # the observer starts just after the initial pass
        yield daemon
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()


def rules_in(report: dict[str, Any], path: str) -> list[str]:
    return [f["rule"] for f in report["findings"] if f["path"] == path]


def test_edit_create_and_delete(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "# A\n", "B.md": "# B\n[[A]]\n"})
    with watching(vault) as daemon:
        (vault / "A.md").write_text("# A\n[[Missing]]\n")
        report = daemon.wait_for(lambda p: "A.md" in p["paths"])
        assert rules_in(report, "A.md") == ["broken-link"]
        (vault / "Missing.md").write_text("# here now\n")
        report = daemon.wait_for(lambda p: "Missing.md" in p["paths"])
        assert report["event"] == "create" and rules_in(report, "A.md") == []
        (vault / "A.md").unlink()
        report = daemon.wait_for(lambda p: "A.md" in p["paths"])
        assert report["event"] == "delete" and rules_in(report, "B.md") == ["broken-link"]


def test_rename_without_fix_is_reported_with_its_cause(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "[[B]]\n", "B.md": "# B\n"})
    with watching(vault) as daemon:
        (vault / "B.md").rename(vault / "Bravo.md")
        report = daemon.wait_for(lambda p: p["event"] == "rename")
        (finding,) = report["findings"]
        assert finding["path"] == "A.md" and "renamed to 'Bravo'" in finding["message"]


def test_rename_with_fix_rewrites_links_and_keeps_the_old_name(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "A.md": "See [[B]], [[B|the b]] and [[B#Sec]].\n", "B.md": "# B\n## Sec\n"})
    with watching(vault, "--fix") as daemon:
        (vault / "sub").mkdir()
        (vault / "B.md").rename(vault / "sub" / "Bravo.md")
        report = daemon.wait_for(lambda p: p["event"] == "rename")
        assert report["findings"] == []
    assert (vault / "A.md").read_text() == "See [[Bravo]], [[Bravo|the b]] and [[Bravo#Sec]].\n"
    assert (vault / "sub" / "Bravo.md").read_text() == "---\naliases:\n  - B\n---\n# B\n## Sec\n"


def test_rename_alias_can_be_turned_off(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "[[B]]\n", "B.md": "# B\n"},
                       config="[watch]\nrename-adds-alias = false\n")
    with watching(vault, "--fix") as daemon:
        (vault / "B.md").rename(vault / "Bravo.md")
        daemon.wait_for(lambda p: p["event"] == "rename")
    assert (vault / "A.md").read_text() == "[[Bravo]]\n"
    assert (vault / "Bravo.md").read_text() == "# B\n"


def test_folder_move_is_one_pass(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "A.md": "[[Topics/One]] [[Topics/Two]] [[Topics/Three]]\n",
        **{f"Topics/{name}.md": f"# {name}\n" for name in ("One", "Two", "Three")}})
    with watching(vault) as daemon:
        (vault / "Topics").rename(vault / "Subjects")
        report = daemon.wait_for(lambda p: any(f["path"] == "A.md" for f in p["findings"]))
        assert rules_in(report, "A.md") == ["broken-link"] * 3
        assert daemon.quiet_for(1.0) == []


def test_atomic_and_vim_style_saves_are_edits(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "# A\n", "B.md": "# B\n"})
    with watching(vault) as daemon:
        temp = vault / ".A.md.tmp"
        temp.write_text("# A\n[[Nope]]\n")
        os.replace(temp, vault / "A.md")  # atomic save
        report = daemon.wait_for(lambda p: "A.md" in p["paths"])
        assert report["event"] != "rename" and rules_in(report, "A.md") == ["broken-link"]
        (vault / "B.md").rename(vault / "B.md~")  # vim: move aside, write anew
        (vault / "B.md").write_text("# B\n[[Nope]]\n")
        (vault / "B.md~").unlink()
        report = daemon.wait_for(lambda p: "B.md" in p["paths"])
        assert report["event"] != "rename" and rules_in(report, "B.md") == ["broken-link"]


def test_a_burst_of_500_files_is_one_pass(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"Index.md": "[[Note 499]]\n"})
    with watching(vault) as daemon:
        (vault / "burst").mkdir()
        for i in range(500):
            (vault / "burst" / f"Note {i}.md").write_text(f"# {i}\n[[Note {(i + 1) % 500}]]\n")
        report = daemon.wait_for(lambda p: p["event"] != "initial")
        later = daemon.quiet_for(2.5)
        passes = [report, *later]
        assert len(passes) <= 2, [p["paths"][:3] for p in passes]
        assert all(not p["findings"] for p in passes)


def test_config_edit_reloads(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "[[Nope]]\n"}, config="")
    with watching(vault) as daemon:
        (vault / ".notewarden.toml").write_text("[rules]\nbroken-link = 'off'\n")
        report = daemon.wait_for(lambda p: p["event"] == "config")
        assert report["findings"] == []


def test_fix_converges_and_ignores_its_own_writes(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "A.md": "# A\n", "B.md": "---\naliases: [Bee]\n---\n# B\n"
        "%% notewarden:backlinks:start %%\n%% notewarden:backlinks:end %%\n"})
    with watching(vault, "--fix") as daemon:
        (vault / "A.md").write_text("# A\n[[Bee]]\n")
        report = daemon.wait_for(lambda p: "A.md" in p["paths"])
        assert sorted(report["fixed"]) == ["A.md", "B.md"]
        assert daemon.quiet_for(2.0) == []  # no reaction to its own writes, no loop
    assert (vault / "A.md").read_text() == "# A\n[[B|Bee]]\n"
    assert "- [[A]]\n" in (vault / "B.md").read_text()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signals_stop_it_cleanly_and_remove_the_pidfile(tmp_path: Path, sig: int) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "# A\n"})
    pidfile = tmp_path / "watch.pid"
    with watching(vault, "--pidfile", str(pidfile)) as daemon:
        assert int(pidfile.read_text()) == daemon.process.pid
        started = time.monotonic()
        daemon.process.send_signal(sig)
        assert daemon.process.wait(timeout=5) == 0
        assert time.monotonic() - started < 2
    assert not pidfile.exists()


def test_polling_observer_works(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "# A\n"})
    with watching(vault, "--polling") as daemon:
        (vault / "A.md").write_text("# A\n[[Nope]]\n")
        report = daemon.wait_for(lambda p: "A.md" in p["paths"], timeout=20)
        assert rules_in(report, "A.md") == ["broken-link"]


def test_vanishing_folders_and_unreadable_files_do_not_stop_it(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"gone/X.md": "# X\n", "A.md": "# A\n"})
    with watching(vault) as daemon:
        (vault / "gone" / "X.md").unlink()
        (vault / "gone").rmdir()
        (vault / "loop.md").symlink_to("loop.md")
        (vault / "A.md").write_text("# A\n[[Nope]]\n")
        report = daemon.wait_for(lambda p: "A.md" in p["paths"])
        assert "broken-link" in rules_in(report, "A.md")
        assert daemon.process.poll() is None
