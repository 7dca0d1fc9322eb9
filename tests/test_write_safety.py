"""A fix never loses an editor's save, and never changes what it was not asked to change
(issue 12, part B). Real notes; real editors in separate processes (tests/save_racer.py
and small `python -c` editors); the installed console script; the real `watch` daemon.

The race tests count the saves that really raced with a fix (begun while notewarden's temp
file for that note still existed, so between its read and the end of its write), and fail
if too few did: a pass where the race was never hit would prove nothing. The tests of
single steps make one editor act at one exact point of a rewrite, by subclassing the
writer's steps (the file system and the editors stay real).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from notewarden import writer
from notewarden.reading import MAX_NOTE_BYTES
from notewarden.writer import Snapshot, WriteSkipped, read_with_snapshot, write_atomic
from tests.helpers import another_users_note, make_vault, refusal_as_uid_1234, run_cli
from tests.test_watch import FAST, watching

RACER = Path(__file__).with_name("save_racer.py")
TEMPLATE = "---\nalias: Alias {stem}\n---\n# {stem}\n"  # alias-format makes it a list: a safe fix
FIXED = "---\naliases:\n  - Alias {stem}\n---\n# {stem}\n"
KINDS = ["in-place", "append", "rename", "move-aside"]
FOLDERS = 6
NOTES = 300
MAX_DELAY = 0.003
MIN_RACED = 30  # saves that must have landed while their note was being fixed (10%)

linux_only = pytest.mark.skipif(sys.platform != "linux",
                                reason="Linux's inotify, file leases or tmpfs")
root_only = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                               reason="needs root (chown to another user, chattr, mount)")
# Looked up by name, so that the race tests can also be run against the writer before
# issue 12 (to see them fail), which had neither.
exchange_only = pytest.mark.skipif(
    not getattr(writer, "exchange_available", lambda: False)(),
    reason="no renameat2(RENAME_EXCHANGE) on this OS")
Rewrite: Any = getattr(writer, "_Rewrite", object)  # the steps of one rewrite


def fixable_notes(count: int) -> dict[str, str]:
    """{vault path: text} of `count` fixable notes spread over FOLDERS folders."""
    return {f"f{i % FOLDERS}/n{i:03d}.md": TEMPLATE.format(stem=f"n{i:03d}")
            for i in range(count)}


def temp_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.notewarden-tmp"))


def text_now(note: Path) -> str:
    """A note's text, or "" while it is missing (an editor moving it aside to save)."""
    try:
        return note.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("notewarden: warning:")]


# --- racing editors ---------------------------------------------------------------------


class Racer:
    """tests/save_racer.py watching `folders`: one save per note notewarden fixes."""

    def __init__(self, tmp_path: Path, folders: list[Path], seed: int) -> None:
        config = tmp_path / "racer.json"
        config.write_text(json.dumps({
            "folders": [str(folder) for folder in folders], "template": TEMPLATE,
            "seed": seed, "max_delay": MAX_DELAY, "kinds": KINDS}), encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, str(RACER), str(config)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.process.stdout is not None and self.process.stderr is not None
        line = self.process.stdout.readline()
        assert line == "ready\n", line + self.process.stderr.read()

    def stop(self) -> list[dict[str, Any]]:
        out, err = self.process.communicate("stop\n", timeout=30)
        assert self.process.returncode == 0, err
        saves: list[dict[str, Any]] = json.loads(out)
        return saves

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@contextlib.contextmanager
def racing(tmp_path: Path, vault: Path, seed: int) -> Iterator[Racer]:
    racer = Racer(tmp_path, [vault / f"f{i}" for i in range(FOLDERS)], seed)
    try:
        yield racer
    finally:
        racer.kill()


def lost_saves(saves: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The saves whose marker is not in their note any more."""
    return [save for save in saves
            if save["marker"] not in Path(save["note"]).read_text(encoding="utf-8")]


def race_summary(saves: list[dict[str, Any]]) -> str:
    lost = lost_saves(saves)
    raced = sum(save["raced"] for save in saves)
    inside = sum(save["raced"] and save["still_fixing_after"] for save in saves)
    by_kind = {kind: sum(save["kind"] == kind for save in lost) for kind in KINDS}
    return (f"{len(lost)} of {len(saves)} saves lost; {raced} raced with a fix ({inside} "
            f"begun and done while it was being written); lost by kind: {by_kind}")


def assert_no_save_lost(saves: list[dict[str, Any]], vault: Path) -> None:
    print(race_summary(saves))
    assert [save for save in saves if save["error"]] == []
    assert lost_saves(saves) == [], race_summary(saves)
    assert len(saves) == NOTES, "every note was being fixed once, and saved meanwhile"
    assert sum(save["raced"] for save in saves) >= MIN_RACED, race_summary(saves)
    assert temp_files(vault) == []


@linux_only
def test_no_save_is_lost_under_check_fix(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", fixable_notes(NOTES))
    with racing(tmp_path, vault, seed=1) as racer:
        result = run_cli("check", vault, "--fix", "--no-cache")
        saves = racer.stop()
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert_no_save_lost(saves, vault)
    reported = warnings(result.stderr)  # the notes whose save won: each once
    print(f"{len(reported)} notes reported not written")
    assert len(reported) == len(set(reported))


@linux_only
def test_no_save_is_lost_under_watch_fix(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {f"f{i}/clean.md": "# clean\n" for i in range(FOLDERS)})
    notes = fixable_notes(NOTES)
    with watching(vault, "--fix", *FAST) as daemon, racing(tmp_path, vault, seed=2) as racer:
        for rel, text in notes.items():  # new notes, which watch fixes
            (vault / rel).write_text(text, encoding="utf-8")
        # Settled: every note fixed (a save that won is fixed in a later pass), nothing
        # being written, and no pass for a second.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            texts = [text_now(vault / rel) for rel in notes]
            if (all("aliases:" in text for text in texts) and not temp_files(vault)
                    and not daemon.quiet_for(1.0)):
                break
            time.sleep(0.2)
        saves = racer.stop()
    assert_no_save_lost(saves, vault)
    for save in saves:  # the save, fixed afterwards
        stem = Path(save["note"]).stem
        text = Path(save["note"]).read_text(encoding="utf-8")
        assert text.startswith(FIXED.format(stem=stem)), (save, text)


# --- owner, group, mode, links, read-only notes, folders that refuse a temp file ---------


@root_only
def test_a_fix_as_root_keeps_owner_group_mode_and_xattrs(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"N.md": TEMPLATE.format(stem="N")})
    note = vault / "N.md"
    os.chown(note, 1234, 5678)
    os.chmod(note, 0o640)
    os.setxattr(note, "user.notewarden-test", b"kept")
    result = run_cli("check", vault, "--fix", "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert note.read_text(encoding="utf-8") == FIXED.format(stem="N")
    info = note.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (1234, 5678, 0o640)
    assert os.getxattr(note, "user.notewarden-test") == b"kept"
    assert temp_files(vault) == []


@root_only
def test_a_note_whose_owner_this_user_cannot_keep_is_reported(tmp_path: Path) -> None:
    """Another user's note in a shared folder: a rewrite by this user would make it its
    own, so it is reported instead. (The test becomes uid 1234 for the write.)"""
    with another_users_note(0o666) as note:
        assert str(refusal_as_uid_1234(note)) == (
            f"{note}: owned by 4321:4321, which a rewrite by this user cannot keep; "
            "not written")
        assert note.read_bytes() == b"old\n"
        assert sorted(p.name for p in note.parent.iterdir()) == ["N.md"]


def test_a_hard_linked_note_is_reported_and_its_links_still_share_bytes(
        tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"linked.md": TEMPLATE.format(stem="linked"),
                                        "other.md": TEMPLATE.format(stem="other")})
    twin = tmp_path / "twin.md"  # outside the vault: its own name elsewhere
    os.link(vault / "linked.md", twin)
    result = run_cli("check", vault, "--fix", "--no-cache")
    assert "Traceback" not in result.stderr
    assert warnings(result.stderr) == [
        f"notewarden: warning: {vault / 'linked.md'}: has 2 hard links; rewriting would "
        "break them; not written"]
    assert (vault / "linked.md").stat().st_ino == twin.stat().st_ino
    assert twin.read_text(encoding="utf-8") == TEMPLATE.format(stem="linked")
    assert (vault / "other.md").read_text(encoding="utf-8") == FIXED.format(stem="other")
    assert "alias-format" in result.stdout  # what is left is still reported


def test_a_read_only_note_is_reported_not_rewritten(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"ro.md": TEMPLATE.format(stem="ro"),
                                        "rw.md": TEMPLATE.format(stem="rw")})
    os.chmod(vault / "ro.md", 0o444)
    before = (vault / "ro.md").read_bytes(), (vault / "ro.md").stat()
    result = run_cli("check", vault, "--fix", "--no-cache")
    assert warnings(result.stderr) == [
        f"notewarden: warning: {vault / 'ro.md'}: read-only; not written"]
    after = (vault / "ro.md").read_bytes(), (vault / "ro.md").stat()
    assert after[0] == before[0]
    assert (after[1].st_ino, after[1].st_mtime_ns) == (before[1].st_ino, before[1].st_mtime_ns)
    assert (vault / "rw.md").read_text(encoding="utf-8") == FIXED.format(stem="rw")


@contextlib.contextmanager
def immutable(path: Path) -> Iterator[None]:
    """`chattr +i path` for the block (root only), or skip where it can't be set."""
    if shutil.which("chattr") is None:
        pytest.skip("no chattr here")
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot set the immutable attribute here: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@root_only
def test_a_folder_that_refuses_the_temp_file_costs_one_line_for_its_note(
        tmp_path: Path) -> None:
    # Root ignores permissions, so the folder is made immutable: nothing can be created in
    # it, whoever asks.
    vault = make_vault(tmp_path / "v", {"a.md": TEMPLATE.format(stem="a"),
                                        "locked/b.md": TEMPLATE.format(stem="b"),
                                        "z.md": TEMPLATE.format(stem="z")})
    with immutable(vault / "locked"):
        result = run_cli("check", vault, "--fix", "--no-cache")
        assert (vault / "locked/b.md").read_text(encoding="utf-8") == TEMPLATE.format(stem="b")
        assert sorted(p.name for p in (vault / "locked").iterdir()) == ["b.md"]
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert warnings(result.stderr) == [
        f"notewarden: warning: {vault / 'locked/b.md'}: cannot create a temp file in its "
        "folder: Operation not permitted; not written"]
    assert (vault / "a.md").read_text(encoding="utf-8") == FIXED.format(stem="a")
    assert (vault / "z.md").read_text(encoding="utf-8") == FIXED.format(stem="z")
    assert result.returncode == 1 and "locked/b.md" in result.stdout


@root_only
def test_an_immutable_note_is_reported_as_read_only(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"i.md": TEMPLATE.format(stem="i"),
                                        "ok.md": TEMPLATE.format(stem="ok")})
    with immutable(vault / "i.md"):
        result = run_cli("check", vault, "--fix", "--no-cache")
    assert warnings(result.stderr) == [
        f"notewarden: warning: {vault / 'i.md'}: read-only; not written"]
    assert (vault / "i.md").read_text(encoding="utf-8") == TEMPLATE.format(stem="i")
    assert (vault / "ok.md").read_text(encoding="utf-8") == FIXED.format(stem="ok")


@root_only
@linux_only
def test_a_full_disk_costs_one_line_per_note_and_leaves_no_temp_file(
        tmp_path: Path) -> None:
    disk = tmp_path / "small"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        vault = make_vault(disk / "v", {"a.md": TEMPLATE.format(stem="a"),
                                        "b.md": TEMPLATE.format(stem="b")})
        with contextlib.suppress(OSError), (disk / "filler").open("wb") as filler:
            while True:
                filler.write(b"\0" * 4096)
                filler.flush()
        result = run_cli("check", vault, "--fix", "--no-cache")
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr
        assert warnings(result.stderr) == [
            f"notewarden: warning: {vault / name}: cannot write the temp file: No space "
            "left on device; not written" for name in ("a.md", "b.md")]
        assert (vault / "a.md").read_text(encoding="utf-8") == TEMPLATE.format(stem="a")
        assert temp_files(vault) == []
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_vanished_folder_is_a_write_skipped_for_that_note(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"gone/N.md": "old\n"})
    _data, snapshot = read_with_snapshot(vault / "gone/N.md")
    shutil.rmtree(vault / "gone")
    with pytest.raises(WriteSkipped) as caught:
        write_atomic(vault / "gone/N.md", b"new\n", snapshot, vault)
    assert str(caught.value) == (f"{vault / 'gone/N.md'}: cannot open it: No such file or "
                                 "directory; not written")


# --- reading ------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_reading_a_fifo_for_a_fix_never_blocks(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(OSError, match="not a regular file"):
        read_with_snapshot(fifo)
    assert time.monotonic() - started < 5


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_note_replaced_by_a_fifo_before_the_write_is_skipped(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"N.md": "old\n"})
    _data, snapshot = read_with_snapshot(vault / "N.md")
    (vault / "N.md").unlink()
    os.mkfifo(vault / "N.md")
    with pytest.raises(WriteSkipped, match="not a regular file; not written"):
        write_atomic(vault / "N.md", b"new\n", snapshot, vault)
    assert stat.S_ISFIFO((vault / "N.md").lstat().st_mode)


def test_reading_stops_at_the_note_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    with big.open("wb") as file:
        file.truncate(MAX_NOTE_BYTES + 1)  # sparse: no real 32 MB on disk
    with pytest.raises(OSError) as caught:
        read_with_snapshot(big)
    assert caught.value.errno == errno.EFBIG


# --- one editor at one exact point of a rewrite ---------------------------------------------


def rewrite(step_class: Any, note: Path, data: bytes) -> None:
    _old, snapshot = read_with_snapshot(note)
    step_class(note, note.resolve(), data, snapshot).run()


def save_by_rename(note: Path, data: bytes) -> None:
    """What VS Code's atomic save does: a temp file of its own, renamed onto the note."""
    temp = note.with_name(f".{note.name}.editor")
    temp.write_bytes(data)
    os.replace(temp, note)


EDITOR = """
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)
print("open", flush=True)
sys.stdin.readline()
os.write(fd, sys.argv[2].encode())
os.close(fd)
"""


def leases_work(path: Path) -> bool:
    import fcntl

    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.fcntl(fd, fcntl.F_SETSIG, signal.SIGURG)
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


@linux_only
def test_a_note_held_open_for_writing_is_not_rewritten(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"N.md": "old\n"})
    note = vault / "N.md"
    if not leases_work(note):
        pytest.skip("no file leases here")
    _data, snapshot = read_with_snapshot(note)
    editor = subprocess.Popen([sys.executable, "-c", EDITOR, str(note), "typed\n"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert editor.stdout is not None and editor.stdout.readline() == "open\n"
        with pytest.raises(WriteSkipped, match="open for writing by another program"):
            write_atomic(note, b"fixed\n", snapshot, vault)
        editor.communicate("\n", timeout=10)  # the editor writes now, into the note
    finally:
        editor.kill()
    assert note.read_bytes() == b"old\ntyped\n"
    assert temp_files(vault) == []


@linux_only
@exchange_only
def test_an_open_for_writing_during_the_rewrite_waits_and_its_write_lands_in_the_note(
        tmp_path: Path) -> None:
    """An editor opens the note for appending after notewarden leased it and before the
    swap: the kernel holds its open() until notewarden has put the note back."""
    import fcntl

    vault = make_vault(tmp_path / "v", {"N.md": "old\n"})
    note = vault / "N.md"
    if not leases_work(note):
        pytest.skip("no file leases here")
    editors: list[subprocess.Popen[str]] = []

    class EditorOpensBeforeTheSwap(Rewrite):
        def make_visible(self, old_id: Any, lease: Any) -> None:
            editor = subprocess.Popen(
                [sys.executable, "-c", EDITOR.replace("sys.stdin.readline()", ""),
                 self.note, "typed\n"], stdout=subprocess.PIPE, text=True)
            editors.append(editor)
            deadline = time.monotonic() + 10
            while fcntl.fcntl(self.old_fd, fcntl.F_GETLEASE) != fcntl.F_UNLCK:
                assert time.monotonic() < deadline, "the editor never tried to open"
                time.sleep(0.005)
            assert editor.poll() is None  # waiting in open()
            super().make_visible(old_id, lease)

    with pytest.raises(WriteSkipped, match="changed while being fixed"):
        rewrite(EditorOpensBeforeTheSwap, note, b"fixed\n")
    assert editors[0].wait(timeout=10) == 0
    assert note.read_bytes() == b"old\ntyped\n"
    assert temp_files(vault) == []


@exchange_only
def test_a_save_renamed_onto_the_note_just_before_the_swap_is_put_back(
        tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"N.md": "old\n"})
    note = vault / "N.md"

    class SavedJustBeforeTheSwap(Rewrite):
        def make_visible(self, old_id: Any, lease: Any) -> None:
            save_by_rename(note, b"saved\n")
            super().make_visible(old_id, lease)

    with pytest.raises(WriteSkipped, match="changed while being fixed"):
        rewrite(SavedJustBeforeTheSwap, note, b"fixed\n")
    assert note.read_bytes() == b"saved\n"
    assert sorted(p.name for p in vault.iterdir()) == [".obsidian", "N.md"]


@exchange_only
def test_of_two_saves_during_a_rewrite_the_newer_one_stays(tmp_path: Path) -> None:
    """A save lands before the swap; while notewarden puts it back, a newer save lands:
    the newer one is the note afterwards, as it would be without notewarden."""
    vault = make_vault(tmp_path / "v", {"N.md": "old\n"})
    note = vault / "N.md"

    class TwoSaves(Rewrite):
        exchanges = 0

        def make_visible(self, old_id: Any, lease: Any) -> None:
            save_by_rename(note, b"first save\n")
            super().make_visible(old_id, lease)

        def exchange(self) -> None:
            TwoSaves.exchanges += 1
            if TwoSaves.exchanges == 2:  # notewarden is about to put the first save back
                save_by_rename(note, b"second save\n")
            super().exchange()

    with pytest.raises(WriteSkipped, match="changed while being fixed"):
        rewrite(TwoSaves, note, b"fixed\n")
    assert TwoSaves.exchanges == 3
    assert note.read_bytes() == b"second save\n"
    assert sorted(p.name for p in vault.iterdir()) == [".obsidian", "N.md"]


@exchange_only
def test_a_note_moved_aside_while_a_save_is_put_back_gets_the_save(tmp_path: Path) -> None:
    """vim moves the note aside to save it; if that lands while notewarden is putting a
    save back, the name is free: the save goes back under it."""
    vault = make_vault(tmp_path / "v", {"N.md": "old\n"})
    note = vault / "N.md"

    class MovedAside(Rewrite):
        exchanges = 0

        def make_visible(self, old_id: Any, lease: Any) -> None:
            save_by_rename(note, b"saved\n")
            super().make_visible(old_id, lease)

        def exchange(self) -> None:
            MovedAside.exchanges += 1
            if MovedAside.exchanges == 2:
                os.rename(note, vault / "N.md~")
            super().exchange()

    with pytest.raises(WriteSkipped, match="changed while being fixed"):
        rewrite(MovedAside, note, b"fixed\n")
    assert note.read_bytes() == b"saved\n"
    assert sorted(p.name for p in vault.iterdir()) == [".obsidian", "N.md", "N.md~"]


@exchange_only
def test_a_change_before_the_swap_made_in_place_wins(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"N.md": "old\n"})
    note = vault / "N.md"

    class TypedJustBeforeTheSwap(Rewrite):
        def make_visible(self, old_id: Any, lease: Any) -> None:
            subprocess.run([sys.executable, "-c", EDITOR.replace("sys.stdin.readline()", ""),
                            self.note, "typed\n"], check=True, capture_output=True,
                           timeout=30, input=b"")
            super().make_visible(old_id, lease)

    # With a lease, the editor's open() would wait for the rewrite and never return here;
    # this runs without one (SIGURG handled, as a program using it would), so the editor's
    # write lands before the swap and the check of the swapped-out file sees it.
    previous = signal.signal(signal.SIGURG, lambda *_: None)
    try:
        with pytest.raises(WriteSkipped, match="changed while being fixed"):
            rewrite(TypedJustBeforeTheSwap, note, b"fixed\n")
    finally:
        signal.signal(signal.SIGURG, previous)
    assert note.read_bytes() == b"old\ntyped\n"
    assert temp_files(vault) == []


# --- without an exchange, and the exchange itself ------------------------------------------


def test_without_an_exchange_a_checked_replace_still_writes_and_keeps_metadata(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The path macOS and Windows take (and Linux file systems without RENAME_EXCHANGE)."""
    monkeypatch.setattr(writer, "_renameat2", None)  # as if the OS had no renameat2
    vault = make_vault(tmp_path / "v", {"N.md": "old\n", "changed.md": "old\n"})
    os.chmod(vault / "N.md", 0o604)
    _data, snapshot = read_with_snapshot(vault / "N.md")
    info = write_atomic(vault / "N.md", b"new\n", snapshot, vault)
    assert (vault / "N.md").read_bytes() == b"new\n"
    assert stat.S_IMODE((vault / "N.md").stat().st_mode) == 0o604
    assert (info.st_ino, info.st_size) == ((vault / "N.md").stat().st_ino, 4)
    _data, snapshot = read_with_snapshot(vault / "changed.md")
    (vault / "changed.md").write_bytes(b"saved\n")
    with pytest.raises(WriteSkipped, match="changed since it was read"):
        write_atomic(vault / "changed.md", b"new\n", snapshot, vault)
    assert (vault / "changed.md").read_bytes() == b"saved\n"
    assert temp_files(vault) == []


@pytest.mark.skipif(sys.platform != "linux", reason="renameat2 is Linux's")
@pytest.mark.parametrize("maker", ["libc_renameat2", "syscall_renameat2"])
def test_both_ways_to_call_renameat2_exchange_two_files(tmp_path: Path, maker: str) -> None:
    renameat2 = getattr(writer, maker)()
    if renameat2 is None:
        pytest.skip("not available on this libc or machine")
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"A")
    b.write_bytes(b"B")
    writer.exchange_with(renameat2, str(a), str(b))
    assert (a.read_bytes(), b.read_bytes()) == (b"B", b"A")
    b.unlink()
    with pytest.raises(FileNotFoundError):
        writer.exchange_with(renameat2, str(a), str(b))


def test_the_snapshot_compares_size_mtime_and_bytes(tmp_path: Path) -> None:
    note = tmp_path / "N.md"
    note.write_bytes(b"x\n")
    data, snapshot = read_with_snapshot(note)
    assert snapshot == Snapshot.of(note, data)
    assert snapshot.size == 2
