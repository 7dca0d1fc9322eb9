"""`notewarden watch` end to end: the real console script in a subprocess, the real
watchdog observer (inotify, or polling with --polling), real files. Nothing synthetic:
every pass is read back as a JSON line from the daemon's stdout.

Each test starts its own daemon and always stops it in a `finally` block. Where timing is
not the point, `--debounce 0.1` keeps the file fast; the burst and folder-move tests use
the real default (300 ms quiet, 2 s at most), since that is what they are about.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import check_json, console_script, make_vault

Pass = dict[str, Any]

FAST = ("--debounce", "0.1")
BACKLINKS = "%% notewarden:backlinks:start %%\n%% notewarden:backlinks:end %%\n"


class Daemon:
    """A running `notewarden watch VAULT --format json`: its passes, read by a thread."""

    def __init__(self, vault: Path, *args: str) -> None:
        self.argv = [console_script(), "watch", str(vault), "--format", "json", *args]
        if os.geteuid() == 0 and shutil.which("setpriv"):
            # Root reads any file; without these capabilities permissions apply to the
            # daemon as to any user (everything the tests create is root's own).
            caps = "-dac_override,-dac_read_search"
            self.argv = ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", *self.argv]
        self.process = subprocess.Popen(
            self.argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            encoding="utf-8", env={**os.environ, "NO_COLOR": "1"},
            start_new_session=True)  # its own process group: see kill()
        self.passes: list[Pass] = []
        self.not_json: list[str] = []  # stdout must be JSON Lines and nothing else
        self.stderr: list[str] = []
        self.cursor = 0  # wait_for looks at passes from here on
        self._changed = threading.Condition()
        self._threads = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._changed:
                try:
                    self.passes.append(json.loads(line))
                except ValueError:
                    self.not_json.append(line)
                self._changed.notify_all()

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._changed:
                self.stderr.append(line)
                self._changed.notify_all()

    def wait_stderr(self, text: str, timeout: float = 10) -> bool:
        """Wait for a stderr line containing `text` (stderr and stdout are read by two
        threads: a line on one may arrive before or after a line on the other)."""
        with self._changed:
            return self._changed.wait_for(
                lambda: any(text in line for line in self.stderr), timeout)

    def wait_closed(self, timeout: float = 10) -> None:
        """Wait until the reader threads have read both streams to their end."""
        for thread in self._threads:
            thread.join(timeout)

    def _describe(self) -> str:
        return (f"passes: {json.dumps(self.passes, indent=1)[:6000]}\n"
                f"stderr: {''.join(self.stderr)[-3000:]}\nexit: {self.process.poll()}")

    def wait_for(self, predicate: Callable[[Pass], bool], timeout: float = 10) -> Pass:
        """The first pass (after those already matched) for which `predicate` holds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for i in range(self.cursor, len(self.passes)):
                    if predicate(self.passes[i]):
                        self.cursor = i + 1
                        return self.passes[i]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no matching pass within {timeout} s\n"
                                         + self._describe())
                if self.process.poll() is not None and not any(
                        t.is_alive() for t in self._threads):
                    raise AssertionError("the daemon exited\n" + self._describe())
                self._changed.wait(min(left, 0.2))

    def wait_ready(self, timeout: float = 20) -> Pass:
        """The initial pass, then the "watching" line: the observer is running (the
        initial pass is printed before the observer starts)."""
        initial = self.wait_for(lambda p: p["event"] == "initial", timeout)
        deadline = time.monotonic() + timeout
        with self._changed:
            while not any("watching" in line for line in self.stderr):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise AssertionError("the daemon never said 'watching'\n"
                                         + self._describe())
                self._changed.wait(0.1)
        return initial

    def mark(self) -> int:
        with self._changed:
            self.cursor = len(self.passes)
            return self.cursor

    def since(self, mark: int) -> list[Pass]:
        with self._changed:
            return list(self.passes[mark:])

    def quiet_for(self, seconds: float) -> list[Pass]:
        """The passes that arrive during the next `seconds` (expected: none)."""
        start = self.mark()
        time.sleep(seconds)
        return self.since(start)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 5) -> int:
        self.process.send_signal(sig)
        code = self.process.wait(timeout=timeout)
        for thread in self._threads:
            thread.join(timeout=2)
        return code

    def kill(self) -> None:
        """Stop the daemon if it still runs, then anything left in its process group (the
        group holds only the daemon and the workers it forked)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)


@contextmanager
def watching(vault: Path, *args: str) -> Iterator[Daemon]:
    daemon = Daemon(vault, *args)
    try:
        daemon.wait_ready()
        yield daemon
        assert daemon.process.poll() is None, "the daemon died\n" + daemon._describe()
        assert not daemon.not_json, f"stdout is not JSON Lines: {daemon.not_json}"
        assert "Traceback" not in "".join(daemon.stderr), daemon._describe()
    finally:
        daemon.kill()


def rules_in(report: Pass, path: str) -> list[str]:
    return sorted(f["rule"] for f in report["findings"] if f["path"] == path)


def findings_in(report: Pass, path: str, rule: str | None = None) -> list[dict[str, Any]]:
    return [f for f in report["findings"]
            if f["path"] == path and (rule is None or f["rule"] == rule)]


def touch(path: Path) -> None:
    """What `touch FILE` does: open it for writing, close it, set its times."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o644))
    os.utime(path)


def mentions(*names: str) -> Callable[[Pass], bool]:
    return lambda p: p["event"] != "initial" and any(name in p["paths"] for name in names)


# --- edits, creates, deletes ----------------------------------------------------------


def test_edit_reports_a_new_broken_link(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "# A\n[[B]]\n", "B.md": "# B\n"})
    with watching(vault, *FAST) as daemon:
        with (vault / "A.md").open("a", encoding="utf-8") as file:
            file.write("and [[Nowhere]]\n")
        report = daemon.wait_for(mentions("A.md"))
        assert report["event"] == "change"
        assert report["paths"] == ["A.md"]
        (finding,) = findings_in(report, "A.md")
        assert (finding["rule"], finding["line"], finding["column"]) == ("broken-link", 3, 5)
        assert set(finding) >= {"path", "line", "column", "rule", "severity", "message",
                                "fixable"}
        assert isinstance(report["elapsed_ms"], (int, float)) and report["elapsed_ms"] >= 0
        # The same fields as `check --format json` (but `file`, relative to the folder
        # check ran in), and the same finding.
        assert [{key: value for key, value in finding.items() if key != "file"}
                for finding in check_json(vault)] == report["findings"]

        (vault / "A.md").write_text("# A\n[[B]]\n", encoding="utf-8")  # fixed by hand
        report = daemon.wait_for(mentions("A.md"))
        assert findings_in(report, "A.md") == []


def test_create_fixes_a_broken_link(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "# A\n[[Later]] and [[Other]]\n",
                                        "Other.md": "# Other\n"})
    with watching(vault, *FAST) as daemon:
        initial = daemon.passes[0]
        assert [f["message"] for f in findings_in(initial, "A.md", "broken-link")] \
            and "Later" in findings_in(initial, "A.md", "broken-link")[0]["message"]
        (vault / "Later.md").write_text("# Later\n", encoding="utf-8")
        report = daemon.wait_for(mentions("Later.md"))
        assert report["event"] == "create"
        # A.md did not change but its finding depended on the new name: it is re-checked
        # and reported, and its broken link is gone.
        assert findings_in(report, "A.md", "broken-link") == []
        assert check_json(vault) == []


def test_delete_breaks_links_in_the_other_note(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "# A\nsee [[B#Part]]\n",
                                        "B.md": "# B\n## Part\n"})
    with watching(vault, *FAST) as daemon:
        assert daemon.passes[0]["findings"] == []
        (vault / "B.md").unlink()
        report = daemon.wait_for(mentions("B.md"))
        assert report["event"] == "delete"
        (finding,) = report["findings"]
        assert (finding["path"], finding["rule"], finding["line"], finding["column"]) \
            == ("A.md", "broken-link", 2, 5)
        assert "renamed" not in finding["message"]


# --- renames ---------------------------------------------------------------------------


def test_rename_without_fix_reports_the_rename(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "# A\n[[B|shown]] and [[B#Sec]]\n",
                                        "B.md": "# B\n## Sec\n"})
    with watching(vault, *FAST) as daemon:
        (vault / "B.md").rename(vault / "Bravo.md")
        report = daemon.wait_for(mentions("B.md", "Bravo.md"))
        assert report["event"] == "rename"
        assert report["renames"] == [{"from": "B.md", "to": "Bravo.md"}]
        assert "fixed" not in report
        broken = findings_in(report, "A.md", "broken-link")
        assert [(f["line"], f["column"]) for f in broken] == [(2, 1), (2, 17)]
        for finding in broken:
            assert "renamed to 'Bravo'" in finding["message"], finding
    # Nothing was written without --fix.
    assert (vault / "A.md").read_text(encoding="utf-8") == "# A\n[[B|shown]] and [[B#Sec]]\n"
    assert (vault / "Bravo.md").read_text(encoding="utf-8") == "# B\n## Sec\n"


def test_rename_with_fix_rewrites_links_and_adds_the_old_name_as_alias(
        tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "A.md": "# A\nSee [[B]], [[B|shown]], [[B#Sec]] and ![[B#Sec|x]].\n",
        "C.md": "---\ntags: [c]\n---\n[[B#Sec|the section]]\n",
        "B.md": "---\ntitle: Bee\n---\n# B\n## Sec\n"})
    with watching(vault, "--fix", *FAST) as daemon:
        (vault / "B.md").rename(vault / "Bravo.md")
        report = daemon.wait_for(mentions("B.md", "Bravo.md"))
        assert report["event"] == "rename"
        assert report["renames"] == [{"from": "B.md", "to": "Bravo.md"}]
        assert sorted(report["fixed"]) == ["A.md", "Bravo.md", "C.md"]
        assert report["findings"] == []
        assert daemon.quiet_for(1.5) == []  # its own writes cause no pass
    assert (vault / "A.md").read_text(encoding="utf-8") == \
        "# A\nSee [[Bravo]], [[Bravo|shown]], [[Bravo#Sec]] and ![[Bravo#Sec|x]].\n"
    assert (vault / "C.md").read_text(encoding="utf-8") == \
        "---\ntags: [c]\n---\n[[Bravo#Sec|the section]]\n"
    bravo = (vault / "Bravo.md").read_text(encoding="utf-8")
    assert bravo.startswith("---\ntitle: Bee\naliases:")
    assert bravo.endswith("---\n# B\n## Sec\n")
    assert check_json(vault) == []


def test_rename_with_fix_into_a_folder_without_front_matter(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "[[B|shown]]\n", "B.md": "# B\n",
                                        "Sub/Keep.md": "# keep\n"})
    with watching(vault, "--fix", *FAST) as daemon:
        (vault / "B.md").rename(vault / "Sub" / "Bravo.md")
        report = daemon.wait_for(mentions("Sub/Bravo.md"))
        assert report["event"] == "rename" and report["findings"] == []
    assert (vault / "A.md").read_text(encoding="utf-8") == "[[Bravo|shown]]\n"
    assert (vault / "Sub" / "Bravo.md").read_text(encoding="utf-8") == \
        "---\naliases:\n  - B\n---\n# B\n"


@pytest.mark.parametrize("config", ["", "[watch]\nrename-adds-alias = false\n"],
                         ids=["alias", "no-alias"])
def test_rename_with_fix_repairs_the_notes_links_to_itself(tmp_path: Path,
                                                             config: str) -> None:
    """The renamed note's own `[[B#Sec]]` points at the old name too: it is rewritten like
    any other link (no display text added), not left broken."""
    vault = make_vault(tmp_path / "v", {"A.md": "[[B]]\n",
                                        "B.md": "# B\n## Sec\nsee [[B#Sec]]\n"}, config=config)
    with watching(vault, "--fix", *FAST) as daemon:
        (vault / "B.md").rename(vault / "Bravo.md")
        report = daemon.wait_for(mentions("Bravo.md"))
        assert report["event"] == "rename"
        assert report["findings"] == []
    assert (vault / "A.md").read_text(encoding="utf-8") == "[[Bravo]]\n"
    body = (vault / "Bravo.md").read_text(encoding="utf-8").split("# B\n", 1)[1]
    assert body in ("## Sec\nsee [[Bravo#Sec]]\n", "## Sec\nsee [[#Sec]]\n"), body
    assert check_json(vault) == []


def test_rename_with_fix_alias_turned_off_by_config(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "[[B|shown]] [[B#Sec]]\n",
                                        "B.md": "# B\n## Sec\n"},
                       config="[watch]\nrename-adds-alias = false\n")
    with watching(vault, "--fix", *FAST) as daemon:
        (vault / "B.md").rename(vault / "Bravo.md")
        report = daemon.wait_for(mentions("Bravo.md"))
        assert report["event"] == "rename" and report["fixed"] == ["A.md"]
    assert (vault / "A.md").read_text(encoding="utf-8") == "[[Bravo|shown]] [[Bravo#Sec]]\n"
    assert (vault / "Bravo.md").read_text(encoding="utf-8") == "# B\n## Sec\n"


def test_turning_the_alias_off_while_running(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "[[B]] [[C]]\n", "B.md": "# B\n",
                                        "C.md": "# C\n"}, config="")
    with watching(vault, "--fix", *FAST) as daemon:
        (vault / "B.md").rename(vault / "Bravo.md")
        daemon.wait_for(mentions("Bravo.md"))
        (vault / ".notewarden.toml").write_text("[watch]\nrename-adds-alias = false\n",
                                                encoding="utf-8")
        daemon.wait_for(lambda p: p["event"] == "config")
        (vault / "C.md").rename(vault / "Charlie.md")
        report = daemon.wait_for(mentions("Charlie.md"))
        assert report["event"] == "rename" and report["fixed"] == ["A.md"]
    assert (vault / "A.md").read_text(encoding="utf-8") == "[[Bravo]] [[Charlie]]\n"
    assert (vault / "Bravo.md").read_text(encoding="utf-8") == "---\naliases:\n  - B\n---\n# B\n"
    assert (vault / "Charlie.md").read_text(encoding="utf-8") == "# C\n"


# --- saves that are not renames ---------------------------------------------------------


@pytest.mark.parametrize("temp_name", [".A.md.tmp", "A.md___jb_tmp___"])
def test_atomic_save_is_an_edit(tmp_path: Path, temp_name: str) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "# A\n[[B]]\n", "B.md": "# B\n"})
    with watching(vault, *FAST) as daemon:
        temp = vault / temp_name
        temp.write_text("# A\n[[B]] [[Gone]]\n", encoding="utf-8")
        os.replace(temp, vault / "A.md")
        report = daemon.wait_for(mentions("A.md"))
        assert report["event"] != "rename" and "renames" not in report
        assert [(f["rule"], f["line"], f["column"]) for f in findings_in(report, "A.md")] \
            == [("broken-link", 2, 7)]
        assert "renamed" not in report["findings"][0]["message"]
        # The next atomic save is seen too (inotify follows the new inode).
        temp.write_text("# A\n[[B]]\n", encoding="utf-8")
        os.replace(temp, vault / "A.md")
        report = daemon.wait_for(mentions("A.md"))
        assert findings_in(report, "A.md") == []


def test_vim_style_save_is_an_edit(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "# A\n[[B]]\n", "B.md": "# B\n[[A]]\n"})
    with watching(vault, *FAST) as daemon:
        # vim (backupcopy=no): move the note aside, write the new one, drop the backup.
        (vault / "A.md").rename(vault / "A.md~")
        (vault / "A.md").write_text("# A\n[[B]] [[Gone]]\n", encoding="utf-8")
        (vault / "A.md~").unlink()
        report = daemon.wait_for(mentions("A.md"))
        assert report["event"] != "rename" and "renames" not in report
        assert [(f["rule"], f["column"]) for f in findings_in(report, "A.md")] \
            == [("broken-link", 7)]
        # B's link to A never broke.
        assert findings_in(report, "B.md") == []
        # With `set backup`, the ~ file stays: still an edit, and not a note.
        (vault / "A.md").rename(vault / "A.md~")
        (vault / "A.md").write_text("# A\n[[B]]\n", encoding="utf-8")
        report = daemon.wait_for(mentions("A.md"))
        assert report["event"] != "rename" and report["findings"] == []
    assert check_json(vault) == []


# --- bursts and folder moves --------------------------------------------------------------


@pytest.mark.parametrize("new_folder", [False, True], ids=["existing-folder", "new-folder"])
def test_a_burst_of_500_files_is_one_pass(tmp_path: Path, new_folder: bool) -> None:
    files: dict[str, str | bytes] = {"Index.md": "# Index\n[[Note 499]]\n"}
    if not new_folder:
        files["Burst/Old.md"] = "# old\n"
    vault = make_vault(tmp_path / "v", files)
    with watching(vault) as daemon:  # the real debounce
        start = daemon.mark()
        # A new folder's files are written before inotify watches it: a rescan finds them.
        (vault / "Burst").mkdir(exist_ok=True)
        for i in range(500):
            target = "Nope" if i == 250 else f"Note {(i + 1) % 500}"
            (vault / "Burst" / f"Note {i}.md").write_text(f"# {i}\n[[{target}]]\n",
                                                          encoding="utf-8")
        daemon.wait_for(mentions("Burst/Note 499.md"), timeout=20)
        time.sleep(2.5)  # anything left over would show up by now
        burst = [p for p in daemon.since(start)
                 if any(path.startswith("Burst/Note ") for path in p["paths"])]
        assert 1 <= len(burst) <= 3, [(p["event"], len(p["paths"])) for p in burst]
        seen = {path for p in burst for path in p["paths"] if path.startswith("Burst/")}
        assert seen == {f"Burst/Note {i}.md" for i in range(500)}
        last = burst[-1]
        # The final findings: exactly Note 250's link, and Index.md's link now resolves.
        broken = [(f["path"], f["rule"]) for p in burst for f in p["findings"]
                  if p is last or f["path"] not in last["paths"]]
        assert broken == [("Burst/Note 250.md", "broken-link")]
        assert [(f["path"], f["rule"]) for f in check_json(vault)] == broken


def test_folder_move_is_one_pass(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "Home.md": "[[Topics/One]] [[Topics/Two|two]] [x](Topics/Three.md)\n[[Elsewhere]]\n",
        "Elsewhere.md": "# here\n",
        "Topics/One.md": "# One\n[[Two]]\n", "Topics/Two.md": "# Two\n[[Three]]\n",
        "Topics/Three.md": "# Three\n[[One]]\n"})
    with watching(vault) as daemon:  # the real debounce
        assert daemon.passes[0]["findings"] == []
        start = daemon.mark()
        (vault / "Topics").rename(vault / "Subjects")
        report = daemon.wait_for(lambda p: p["event"] != "initial")
        home = findings_in(report, "Home.md")
        assert [(f["rule"], f["line"], f["column"]) for f in home] \
            == [("broken-link", 1, 1), ("broken-link", 1, 16), ("broken-link", 1, 35)]
        # A folder move renames the notes in it: the messages say so.
        assert report["event"] == "rename"
        assert sorted((r["from"], r["to"]) for r in report["renames"]) == [
            (f"Topics/{name}.md", f"Subjects/{name}.md") for name in ("One", "Three", "Two")]
        for finding, name in zip(home, ("One", "Two", "Three"), strict=True):
            assert f"renamed to 'Subjects/{name}'" in finding["message"], finding
        # Links inside the moved folder are bare names: they still resolve.
        assert [f for f in report["findings"] if f["path"] != "Home.md"] == []
        assert daemon.quiet_for(2.5) == []
        assert len(daemon.since(start)) == 1
        assert [(f["path"], f["line"], f["column"]) for f in check_json(vault)] \
            == [(f["path"], f["line"], f["column"]) for f in home]


def test_folder_move_with_fix_repairs_the_links(tmp_path: Path) -> None:
    home = "[[Topics/One]] [[Topics/Two|two]] [x](Topics/Three.md) [[Topics/One#Sec]]\n"
    vault = make_vault(tmp_path / "v", {
        "Home.md": home,
        "Topics/One.md": "# One\n## Sec\n[[Two]]\n", "Topics/Two.md": "# Two\n[[Three]]\n",
        "Topics/Three.md": "# Three\n[[One]]\n"})
    with watching(vault, "--fix") as daemon:  # the real debounce
        start = daemon.mark()
        (vault / "Topics").rename(vault / "Subjects")
        report = daemon.wait_for(lambda p: p["event"] != "initial")
        assert report["event"] == "rename"
        assert "Home.md" in report["fixed"]
        assert report["findings"] == []
        assert daemon.quiet_for(2.0) == []
        assert len(daemon.since(start)) == 1
    text = (vault / "Home.md").read_text(encoding="utf-8")
    assert "|two]]" in text and "[x](" in text and "#Sec]]" in text
    assert "Topics/" not in text
    # The notes kept their names: no alias is added.
    assert (vault / "Subjects" / "One.md").read_text(encoding="utf-8") == "# One\n## Sec\n[[Two]]\n"
    assert check_json(vault) == []


def test_folder_moved_out_and_back_in(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "Home.md": "[[Topics/One]] [[Topics/Two]] [[Topics/Three]]\n",
        **{f"Topics/{name}.md": f"# {name}\n" for name in ("One", "Two", "Three")}})
    outside = tmp_path / "outside"
    with watching(vault) as daemon:  # the real debounce
        start = daemon.mark()
        (vault / "Topics").rename(outside)
        report = daemon.wait_for(lambda p: p["event"] != "initial")
        assert rules_in(report, "Home.md") == ["broken-link"] * 3
        assert daemon.quiet_for(2.0) == []
        assert len(daemon.since(start)) == 1

        start = daemon.mark()
        outside.rename(vault / "Topics")
        report = daemon.wait_for(lambda p: p["event"] != "initial")
        assert rules_in(report, "Home.md") == []
        assert daemon.quiet_for(2.0) == []
        assert len(daemon.since(start)) == 1
        # Notes in the folder that came back are watched again.
        (vault / "Topics" / "Two.md").write_text("# Two\n[[Gone]]\n", encoding="utf-8")
        report = daemon.wait_for(mentions("Topics/Two.md"))
        assert rules_in(report, "Topics/Two.md") == ["broken-link"]


# --- configuration and schemas ------------------------------------------------------------


def test_config_edit_reloads(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "# A\n[[Nope]]\n", "B.md": "[[Nope#x]]\n"},
                       config="# nothing yet\n")
    with watching(vault, *FAST) as daemon:
        assert rules_in(daemon.passes[0], "A.md") == ["broken-link"]
        with (vault / ".notewarden.toml").open("a", encoding="utf-8") as file:
            file.write('[rules]\nbroken-link = "off"\n')
        report = daemon.wait_for(lambda p: p["event"] != "initial")
        assert report["event"] == "config"
        assert ".notewarden.toml" in report["paths"]
        assert [f for f in report["findings"] if f["rule"] == "broken-link"] == []
        # The reloaded config sticks for later passes.
        (vault / "C.md").write_text("[[Also missing]]\n", encoding="utf-8")
        report = daemon.wait_for(mentions("C.md"))
        assert report["findings"] == []
        # A broken config is reported on stderr; the previous one stays in force.
        (vault / ".notewarden.toml").write_text("[rules\n", encoding="utf-8")
        time.sleep(1.0)
        (vault / "D.md").write_text("[[Missing too]]\n", encoding="utf-8")
        report = daemon.wait_for(mentions("D.md"))
        assert report["findings"] == []
        assert daemon.wait_stderr("config"), daemon.stderr


def test_a_steady_stream_of_changes_is_checked_every_2_s_at_most(tmp_path: Path) -> None:
    """The debounce waits for 300 ms of quiet, but never more than 2 s: a note saved
    every 100 ms (autosave while typing) is still checked while it is being edited."""
    vault = make_vault(tmp_path / "v", {"A.md": "# A\n"})
    with watching(vault) as daemon:  # the real debounce
        start = daemon.mark()
        first_write = time.monotonic()
        first_pass = None
        while time.monotonic() - first_write < 4.6:
            with (vault / "A.md").open("a", encoding="utf-8") as file:
                file.write("typing [[Nope]]\n")
            if first_pass is None and daemon.since(start):
                first_pass = time.monotonic() - first_write
            time.sleep(0.1)
        during = len(daemon.since(start))
        assert first_pass is not None and first_pass < 2.6, first_pass
        assert during >= 2
        time.sleep(1.5)  # the last changes settle into one more pass
        passes = daemon.since(start)
        assert len(passes) > during and len(passes) <= 5, len(passes)
        assert {p["event"] for p in passes} == {"change"}
        lines = (vault / "A.md").read_text(encoding="utf-8").count("[[Nope]]")
        assert len(findings_in(passes[-1], "A.md", "broken-link")) == lines


def test_deleting_the_config_and_editing_app_json_reload(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "[[Nope]]\n", "B.md": "[[Gone]]\n"},
                       config='[rules]\nbroken-link = "off"\n')
    with watching(vault, *FAST) as daemon:
        assert daemon.passes[0]["findings"] == []
        (vault / ".notewarden.toml").unlink()
        report = daemon.wait_for(lambda p: p["event"] != "initial")
        assert report["event"] == "config"
        assert sorted(f["path"] for f in report["findings"]) == ["A.md", "B.md"]
        # Obsidian's "Excluded files" live in .obsidian/app.json.
        (vault / ".obsidian" / "app.json").write_text('{"userIgnoreFilters": ["A.md"]}',
                                                      encoding="utf-8")
        report = daemon.wait_for(lambda p: p["event"] != "initial")
        assert report["event"] == "config"
        assert [f["path"] for f in report["findings"]] == ["B.md"]


@pytest.mark.parametrize("folder", ["vault", "My Vault"])
def test_schema_edit_reloads(tmp_path: Path, folder: str) -> None:
    statuses = ["draft", "done"]
    schema = {"type": "object", "properties": {"status": {"enum": statuses}}}
    vault = make_vault(tmp_path / folder, {
        "Sources/S.md": "---\nstatus: reading\n---\n# S\n",
        "_schemas/source.schema.json": json.dumps(schema)},
        config='[schemas]\n"Sources/**" = "_schemas/source.schema.json"\n')
    with watching(vault, *FAST) as daemon:
        assert rules_in(daemon.passes[0], "Sources/S.md") == ["schema"]
        statuses.append("reading")
        (vault / "_schemas" / "source.schema.json").write_text(json.dumps(schema),
                                                               encoding="utf-8")
        report = daemon.wait_for(lambda p: p["event"] != "initial")
        assert report["event"] == "config"
        assert report["paths"] == ["_schemas/source.schema.json"]
        assert report["findings"] == []
        # And back: the schema finding returns.
        statuses.remove("reading")
        (vault / "_schemas" / "source.schema.json").write_text(json.dumps(schema),
                                                               encoding="utf-8")
        report = daemon.wait_for(lambda p: p["event"] != "initial")
        assert rules_in(report, "Sources/S.md") == ["schema"]


# --- --fix ---------------------------------------------------------------------------------


def test_fix_converges_and_never_reacts_to_its_own_writes(tmp_path: Path) -> None:
    b_before = "---\naliases: [Alias]\n---\n# B\n" + BACKLINKS
    vault = make_vault(tmp_path / "v", {"A.md": "# A\n[[Alias]]\n", "B.md": b_before})
    with watching(vault, "--fix", *FAST) as daemon:
        # What was wrong at the start is repaired at the start (as `check --fix` would).
        initial = daemon.passes[0]
        assert sorted(initial["fixed"]) == ["A.md", "B.md"]
        assert initial["findings"] == []
        # No further pass: it did not react to its own writes, and did not loop.
        assert daemon.quiet_for(3.0) == []
        touch(vault / "A.md")  # a save that changes nothing fixes nothing
        assert all("fixed" not in report for report in daemon.quiet_for(2.0))
    assert (vault / "A.md").read_text(encoding="utf-8") == "# A\n[[B|Alias]]\n"
    assert (vault / "B.md").read_text(encoding="utf-8") == \
        "---\naliases: [Alias]\n---\n# B\n%% notewarden:backlinks:start %%\n- [[A]]\n" \
        "%% notewarden:backlinks:end %%\n"
    assert check_json(vault) == []


def test_fix_then_the_users_next_saves_are_still_seen(tmp_path: Path) -> None:
    """After fixing a note, the daemon still reacts to the user's next saves of it: an
    undo that brings back exactly the text it fixed, then a new edit."""
    vault = make_vault(tmp_path / "v", {"A.md": "# A\n", "B.md": "---\naliases: [Bee]\n---\n"})
    with watching(vault, "--fix", *FAST) as daemon:
        for _round in range(2):  # the second time, the user has undone the fix
            (vault / "A.md").write_text("# A\n[[Bee]]\n", encoding="utf-8")
            report = daemon.wait_for(mentions("A.md"))
            assert report["fixed"] == ["A.md"]
            assert (vault / "A.md").read_text(encoding="utf-8") == "# A\n[[B|Bee]]\n"
            assert daemon.quiet_for(1.0) == []
        (vault / "A.md").write_text("# A\n[[Bee]] [[Nope]]\n", encoding="utf-8")
        report = daemon.wait_for(mentions("A.md"))
        assert report["fixed"] == ["A.md"]
        assert rules_in(report, "A.md") == ["broken-link"]
        assert daemon.quiet_for(1.0) == []
    assert (vault / "A.md").read_text(encoding="utf-8") == "# A\n[[B|Bee]] [[Nope]]\n"


# --- robustness ----------------------------------------------------------------------------


def test_survives_notes_and_folders_vanishing(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "Home.md": "[[Deep/Gone/X]]\n", "Deep/Gone/X.md": "# X\n", "Deep/Gone/Y.md": "# Y\n",
        "Deep/Keep.md": "# keep\n"})
    with watching(vault, *FAST) as daemon:
        for name in ("X.md", "Y.md"):
            (vault / "Deep" / "Gone" / name).unlink()
        (vault / "Deep" / "Gone").rmdir()
        report = daemon.wait_for(lambda p: p["event"] != "initial")
        assert rules_in(report, "Home.md") == ["broken-link"]
        # Files that appear and vanish before the pass reads them.
        for i in range(20):
            flash = vault / f"Flash {i}.md"
            flash.write_text("# flash\n", encoding="utf-8")
            flash.unlink()
        folder = vault / "Brief"
        folder.mkdir()
        (folder / "N.md").write_text("# n\n", encoding="utf-8")
        (folder / "N.md").unlink()
        folder.rmdir()
        (vault / "loop.md").symlink_to("loop.md")  # a symlink loop appears
        time.sleep(1.0)
        (vault / "Deep" / "Keep.md").write_text("[[Still missing]]\n", encoding="utf-8")
        report = daemon.wait_for(mentions("Deep/Keep.md"))
        assert rules_in(report, "Deep/Keep.md") == ["broken-link"]
        assert not any("Flash" in f["path"] or "Brief" in f["path"]
                       for p in daemon.passes for f in p["findings"])


def test_a_metadata_only_change_is_seen(tmp_path: Path) -> None:
    """`Path.touch()`, `os.utime`, `chmod`: inotify reports only IN_ATTRIB (watchdog's
    "attrib" event). Touching a note must re-check it (with --fix, what is wrong at the
    start is fixed at the start); a chmod can make a note unreadable or readable again."""
    vault = make_vault(tmp_path / "v", {"A.md": "# A\n[[Alias]]\n",
                                        "B.md": "---\naliases: [Alias]\n---\n"})
    with watching(vault, *FAST) as daemon:
        (vault / "A.md").touch()  # os.utime only: no open, no write
        report = daemon.wait_for(mentions("A.md"), timeout=5)
        assert rules_in(report, "A.md") == ["alias-link"]
    assert (vault / "A.md").read_text(encoding="utf-8") == "# A\n[[Alias]]\n"


def test_survives_permission_errors(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "# A\n", "B.md": "# B\n"})
    with watching(vault, *FAST) as daemon:
        (vault / "A.md").write_text("# A\n[[B]]\n", encoding="utf-8")
        (vault / "A.md").chmod(0)
        try:
            report = daemon.wait_for(mentions("A.md"))
            assert rules_in(report, "A.md") == ["unreadable"]
            (vault / "B.md").write_text("# B\n[[Nope]]\n", encoding="utf-8")
            report = daemon.wait_for(mentions("B.md"))
            assert rules_in(report, "B.md") == ["broken-link"]
        finally:
            (vault / "A.md").chmod(0o644)


# --- stopping --------------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_cleanly_and_removes_the_pidfile(tmp_path: Path, sig: int) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "# A\n"})
    pidfile = tmp_path / "run" / "watch.pid"
    pidfile.parent.mkdir()
    daemon = Daemon(vault, "--pidfile", str(pidfile), *FAST)
    try:
        daemon.wait_ready()
        assert pidfile.read_text(encoding="utf-8").strip() == str(daemon.process.pid)
        # Busy with a change when the signal arrives.
        (vault / "A.md").write_text("# A\n[[Nope]]\n", encoding="utf-8")
        daemon.wait_for(mentions("A.md"))
        started = time.monotonic()
        code = daemon.stop(sig)
        took = time.monotonic() - started
        assert code == 0, daemon._describe()
        assert took < 2.0, took
        assert not pidfile.exists()
        assert "Traceback" not in "".join(daemon.stderr)
        assert not daemon.not_json
    finally:
        daemon.kill()


def _group(pgid: int) -> set[int]:
    """The live processes of a process group (from /proc)."""
    members = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":  # fields: state, ppid, pgrp
            members.add(int(entry.name))
    return members


def _describe(pids: list[int]) -> list[str]:
    """Each process's state and command line, to tell a pool worker from anything else."""
    described = []
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[:2]
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            stat, cmdline = ["gone"], ""
        described.append(f"{pid} state={stat} {cmdline.strip()}")
    return described


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs /proc")
def test_sigterm_during_the_initial_index(tmp_path: Path) -> None:
    """The initial index of a big vault takes seconds (on all cores). A signal then stops
    the daemon as cleanly as later: exit 0 within 2 s, no pidfile, no worker left."""
    vault = make_vault(tmp_path / "v", {f"N{i}.md": f"# {i}\n[[N{i + 1}]] text\n" * 60
                                        for i in range(3000)})
    pidfile = tmp_path / "watch.pid"
    daemon = Daemon(vault, "--pidfile", str(pidfile), *FAST)
    pid = daemon.process.pid
    try:
        deadline = time.monotonic() + 15
        while len(_group(pid)) < 2 and time.monotonic() < deadline and not daemon.passes:
            time.sleep(0.02)
        if daemon.passes or len(_group(pid)) < 2:
            pytest.skip("the initial index ended before its workers could be seen")
        started = time.monotonic()
        daemon.process.send_signal(signal.SIGTERM)
        code = daemon.process.wait(timeout=10)
        took = time.monotonic() - started
        deadline = time.monotonic() + 2
        while _group(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = sorted(_group(pid))
        assert code == 0, daemon._describe()
        assert took < 2.0, took
        assert not pidfile.exists()
        assert left == [], f"worker processes outlived the daemon: {_describe(left)}"
    finally:
        daemon.kill()


def test_a_change_right_after_the_initial_pass_is_seen(tmp_path: Path) -> None:
    """A client sees the initial pass and edits a note at once: the change must not fall
    into the gap before the observer starts (nor may a change during the initial index)."""
    vault = make_vault(tmp_path / "v", {
        "A.md": "# A\n", **{f"Folder {i}/N.md": f"# {i}\n" for i in range(50)}})
    daemon = Daemon(vault, *FAST)
    try:
        daemon.wait_for(lambda p: p["event"] == "initial", timeout=20)
        (vault / "A.md").write_text("# A\n[[Nope]]\n", encoding="utf-8")
        report = daemon.wait_for(mentions("A.md"), timeout=5)
        assert rules_in(report, "A.md") == ["broken-link"]
    finally:
        daemon.kill()


# --- polling --------------------------------------------------------------------------------


def test_polling_sees_an_edit(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "# A\n", "B.md": "[[A]]\n"})
    with watching(vault, "--polling", *FAST) as daemon:
        (vault / "A.md").write_text("# A\n[[Nope]]\n", encoding="utf-8")
        report = daemon.wait_for(mentions("A.md"))
        assert rules_in(report, "A.md") == ["broken-link"]
        (vault / "A.md").unlink()
        report = daemon.wait_for(mentions("A.md"))
        assert report["event"] == "delete"
        assert rules_in(report, "B.md") == ["broken-link"]


@pytest.mark.parametrize("how", ["config edit", "SIGHUP"])
def test_fix_repairs_what_a_reload_brings_into_force(tmp_path: Path, how: str) -> None:
    """With --fix, a reload (the config edited, or SIGHUP after editing it) repairs what
    the new config now reports, as the daemon's start does: not only later changes."""
    off = '[rules]\nalias-format = "off"\n'
    vault = make_vault(tmp_path / "v", {"A.md": "---\naliases: Foo\n---\n# A\n"}, config=off)
    with watching(vault, "--fix", *FAST) as daemon:
        assert "fixed" not in daemon.passes[0]
        config = vault / ".notewarden.toml"
        if how == "SIGHUP":
            daemon.process.send_signal(signal.SIGSTOP)  # the edit alone must not reload
            config.write_text("# alias-format back on\n", encoding="utf-8")
            daemon.process.send_signal(signal.SIGHUP)
            daemon.process.send_signal(signal.SIGCONT)
        else:
            config.write_text("# alias-format back on\n", encoding="utf-8")
        report = daemon.wait_for(lambda p: p["event"] in ("config", "reload")
                                 and "fixed" in p)
        assert report["fixed"] == ["A.md"]
        assert (vault / "A.md").read_text(encoding="utf-8") == \
            "---\naliases:\n  - Foo\n---\n# A\n"
        assert [f for f in report["findings"] if f["rule"] == "alias-format"] == []


def test_sighup_reloads_and_sigterm_stops_cleanly(tmp_path: Path) -> None:
    """SIGHUP reloads the config and schemas, as daemons do, and says so; SIGTERM then
    stops the daemon with exit 0, its stop line, and no pidfile left behind."""
    vault = make_vault(tmp_path / "v", {"A.md": "# A\n[[Nope]]\n"}, config="# nothing yet\n")
    pidfile = tmp_path / "watch.pid"
    daemon = Daemon(vault, "--pidfile", str(pidfile), *FAST)
    try:
        daemon.wait_ready()
        assert rules_in(daemon.passes[0], "A.md") == ["broken-link"]
        daemon.process.send_signal(signal.SIGHUP)
        report = daemon.wait_for(lambda p: p["event"] == "reload")
        assert rules_in(report, "A.md") == ["broken-link"]  # the whole vault, reported anew
        assert daemon.wait_stderr("SIGHUP: reloaded"), daemon._describe()
        assert daemon.process.poll() is None  # SIGHUP's default would have ended it
        # The reloaded daemon still follows changes.
        (vault / "B.md").write_text("[[Also missing]]\n", encoding="utf-8")
        assert rules_in(daemon.wait_for(mentions("B.md")), "B.md") == ["broken-link"]
        daemon.process.send_signal(signal.SIGTERM)
        assert daemon.process.wait(timeout=10) == 0
        daemon.wait_closed()
        assert any("stopped" in line for line in daemon.stderr), daemon._describe()
        assert not pidfile.exists()
    finally:
        daemon.kill()


def test_editing_a_schema_a_ref_reaches_reloads(tmp_path: Path) -> None:
    """A schema's $ref'd file is part of the config: editing it reloads, as editing the
    schema itself does."""
    base = '{"type": "object", "properties": {"rating": {"$ref": "parts.json#/rating"}}}'
    vault = make_vault(tmp_path / "v", {
        "A.md": "---\nrating: 9\n---\n",
        "_schemas/note.json": base,
        "_schemas/parts.json": '{"rating": {"type": "integer"}}',
    }, config='[schemas]\n"**" = "_schemas/note.json"\n')
    with watching(vault, *FAST) as daemon:
        assert rules_in(daemon.passes[0], "A.md") == []
        (vault / "_schemas/parts.json").write_text(
            '{"rating": {"type": "integer", "maximum": 5}}', encoding="utf-8")
        report = daemon.wait_for(lambda p: p["event"] == "config")
        assert rules_in(report, "A.md") == ["schema"]
