"""The store (store.py): where it lives, what a run reads from it after a small change,
that it gives the same answers as a cold run, and that nothing in it can run code, block
a run or make it write into the vault."""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from notewarden.engine import Vault, open_store, run_check
from notewarden.indexing import build_index
from notewarden.pool import git_blob_id
from notewarden.store import Records, Store, cache_root, store_file
from tests.helpers import console_script, make_vault, run_cli, store_of

NOTES = {
    "Alpha.md": "---\naliases: [First]\n---\n# Alpha\n\n## Part\n\nText ^block\n",
    "Beta.md": "[[Alpha#Part]] [[First]] [[Gamma]]\n",
    "Folder/Gamma.md": "[[Alpha#^block]] [[Missing]]\n",
    "Delta.md": "No links. %% notewarden: ignore broken-link %%\n",
}


def open_vault_store(root: Path) -> tuple[Vault, Store]:
    vault, _ = Vault.open([root])
    store = open_store(vault)
    assert store is not None
    return vault, store


def index_of(root: Path):  # type: ignore[no-untyped-def]
    """Index the vault with its store, as a check does, and store what was parsed."""
    from notewarden.engine import save_check
    from notewarden.vault import walk_vault

    vault, store = open_vault_store(root)
    files, problems = walk_vault(root)
    index = build_index(vault.config, vault.schemas, store=store, walked=(files, problems))
    save_check(store, index, {f.path: (f.size, f.mtime_ns) for f in files}, {})
    return index, store


def read_from_store(records: Records) -> set[str]:
    """The paths whose stored record this run has read."""
    return {path for path, record in records._records.items()
            if record is not None and not records.is_fresh(path)}


def test_a_stored_record_reads_back_as_it_was_written(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "vault", NOTES)
    first, store = index_of(root)
    store.close()
    _vault, store = open_vault_store(root)
    assert set(store.notes) == set(NOTES)
    for path in NOTES:
        assert store.record(path) == first.records[path]
        assert store.notes[path].blob_id == git_blob_id((root / path).read_bytes())
    assert store.aliases("Alpha.md") == ("First",)
    assert store.linking_to({"alpha"}) == {"Beta.md", "Folder/Gamma.md"}
    assert store.linking_to({"missing"}) == {"Folder/Gamma.md"}
    assert store.suppressions("Delta.md") == ({1: frozenset({"broken-link"})}, frozenset())


def test_an_unchanged_vault_reads_no_record_to_build_its_index(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "vault", NOTES)
    index_of(root)
    index, _store = index_of(root)
    assert read_from_store(index.records) == set()
    assert index.changed == set()
    # Names and aliases come from the store's columns...
    assert index.alias_owners == {"first": ["Alpha.md"]}
    assert index.records.linking_to({"gamma"}) == {"Beta.md"}
    # ...and a record is read when a rule first asks for it.
    assert index.records["Beta.md"].link_keys == {"alpha", "first", "gamma"}
    assert read_from_store(index.records) == {"Beta.md"}


def test_after_one_edit_only_that_note_is_parsed_and_the_rest_stay_stored(
        tmp_path: Path) -> None:
    root = make_vault(tmp_path / "vault", NOTES)
    index_of(root)
    note = root / "Delta.md"
    note.write_text("[[Folder/Gamma]] and [[Alpha]]\n", encoding="utf-8")
    os.utime(note, ns=(1, 1))  # a different mtime even on a coarse clock
    index, _store = index_of(root)
    assert index.changed == {"Delta.md"}
    assert read_from_store(index.records) == set()
    assert index.records.linking_to({"gamma"}) == {"Beta.md", "Delta.md"}
    # The store written afterwards holds the new record and the untouched ones.
    _vault, store = open_vault_store(root)
    assert store.linking_to({"gamma"}) == {"Beta.md", "Delta.md"}
    assert store.record("Delta.md").link_keys == {"alpha", "gamma"}
    assert store.record("Beta.md").link_keys == {"alpha", "first", "gamma"}


def test_a_check_after_edits_gives_the_same_findings_as_a_cold_one(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "vault", NOTES)
    run_check([root])
    (root / "Alpha.md").write_text("---\naliases: [First]\n---\n# Alpha\n", encoding="utf-8")
    os.utime(root / "Alpha.md", ns=(1, 1))
    (root / "Folder/Gamma.md").unlink()
    warm = run_check([root]).findings
    cold = run_check([root], use_cache=False).findings
    assert warm == cold
    assert {(f.path, f.rule) for f in warm} == {
        ("Beta.md", "broken-heading"), ("Beta.md", "broken-link"), ("Beta.md", "alias-link")}
    # And once more with nothing changed: answered from the store alone.
    assert run_check([root]).findings == cold


def test_backlinks_findings_follow_edits_and_the_store_knows_which_notes_have_blocks(
        tmp_path: Path) -> None:
    """missing-backlink can change for any note when any note changes, but it can only
    speak for notes with a backlinks block (or opted in), which the store's columns tell
    without reading records: re-checks skip the others."""
    block = "## Backlinks\n%% notewarden:backlinks:start %%\n%% notewarden:backlinks:end %%\n"
    root = make_vault(tmp_path / "vault", {**NOTES, "Hub.md": "# Hub\n\n" + block})
    assert "missing-backlink" not in {f.rule for f in run_check([root]).findings}
    (root / "Delta.md").write_text("[[Hub]]\n", encoding="utf-8")
    os.utime(root / "Delta.md", ns=(1, 1))
    findings = run_check([root]).findings
    assert [(f.path, f.rule) for f in findings if f.rule == "missing-backlink"] == [
        ("Hub.md", "missing-backlink")]
    assert findings == run_check([root], use_cache=False).findings
    index, _store = index_of(root)
    assert index.records.has_backlinks_block("Hub.md")
    assert not index.records.has_backlinks_block("Beta.md")
    assert read_from_store(index.records) == set()


# --- where the store lives ---------------------------------------------------------------


def _tree(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every entry under `root`, dot-folders included, with its mode, size and mtime."""
    out = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            info = path.lstat()
            out[str(path.relative_to(root))] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return out


def test_a_check_writes_nothing_inside_the_vault(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "vault", NOTES, config='[rules]\nmojibake = "error"\n')
    before = _tree(root)
    for args in ((), ("--format", "json"), ("--no-cache",)):
        result = run_cli("check", root, *args)
        assert result.returncode == 1, result.stderr
        assert _tree(root) == before
    assert store_of(root).is_file()


def test_the_default_store_is_in_the_users_cache_folder(tmp_path: Path) -> None:
    """With no --cache-dir and no NOTEWARDEN_CACHE_DIR: platformdirs' user cache folder,
    which on Linux honours XDG_CACHE_HOME. Folders 0700, the database 0600."""
    root = make_vault(tmp_path / "vault", NOTES)
    env = {key: value for key, value in os.environ.items() if key != "NOTEWARDEN_CACHE_DIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")
    result = subprocess.run([console_script(), "check", str(root)], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    folder = tmp_path / "xdg" / "notewarden"
    if sys.platform.startswith("linux"):
        stores = list((folder / "vaults").glob("*.sqlite3"))
        assert [path.name for path in stores] == [store_file(root, folder).name]
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert stat.S_IMODE((folder / "vaults").stat().st_mode) == 0o700
        assert stat.S_IMODE(stores[0].stat().st_mode) == 0o600
        with contextlib.closing(sqlite3.connect(stores[0])) as connection:
            assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_cache_dir_and_the_environment_choose_the_folder(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "vault", NOTES)
    chosen = tmp_path / "ci-cache"
    assert run_cli("check", root, "--cache-dir", chosen).returncode == 1
    assert store_file(root, chosen).is_file()
    env_folder = Path(os.environ["NOTEWARDEN_CACHE_DIR"])
    assert cache_root() == env_folder
    assert store_file(root, env_folder) == store_of(root)


def test_one_store_per_vault(tmp_path: Path) -> None:
    first = make_vault(tmp_path / "a" / "notes", NOTES)
    second = make_vault(tmp_path / "b" / "notes", {"Other.md": "[[Nothing]]\n"})
    run_check([first])
    run_check([second])
    assert store_of(first) != store_of(second)
    assert {f.path for f in run_check([first]).findings} <= set(NOTES)
    assert [f.path for f in run_check([second]).findings] == ["Other.md"]


def test_a_new_store_has_16_kb_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    # 16 KB pages make the parse workers' inserts cheaper (see store._connect); SQLite
    # cannot change the page size of a WAL database, so an existing store keeps its pages.
    root = make_vault(tmp_path / "vault", NOTES)
    run_check([root])
    with contextlib.closing(sqlite3.connect(store_of(root))) as connection:
        assert connection.execute("PRAGMA page_size").fetchone() == (16384,)
    old = make_vault(tmp_path / "old", NOTES)
    path = store_of(old)
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE old (x)")
    path.chmod(0o600)
    first = {f.path for f in run_check([old]).findings}
    assert first == {f.path for f in run_check([old]).findings}
    with contextlib.closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA page_size").fetchone() == (4096,)


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
@pytest.mark.parametrize("which", ["database", "wal", "folder"])
def test_a_symlink_in_the_store_is_not_followed(tmp_path: Path, which: str) -> None:
    root = make_vault(tmp_path / "vault", NOTES)
    cache = tmp_path / "cache"
    store = store_file(root, cache)
    store.parent.parent.mkdir(mode=0o700)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "victim"
    target.write_bytes(b"keep me\n")
    if which == "folder":
        (store.parent).symlink_to(elsewhere)
    else:
        store.parent.mkdir(mode=0o700)
        link = store if which == "database" else Path(f"{store}-wal")
        link.symlink_to(target)
    expected = run_cli("check", root, "--no-cache", "--format", "json").stdout
    result = run_cli("check", root, "--cache-dir", cache, "--format", "json")
    assert result.returncode == 1, result.stderr
    assert "running without a cache" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == expected
    assert target.read_bytes() == b"keep me\n"
    assert sorted(path.name for path in elsewhere.iterdir()) == ["victim"]


# --- nothing in a store runs code, and damage means a cold run ----------------------------


class _Planted:
    """A pickle that runs a command when unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, (f"touch {self.marker}",))


def test_a_planted_pickle_is_never_loaded(tmp_path: Path) -> None:
    """Old versions loaded `.notewarden-cache/*.pickle` from the vault: a repository that
    commits such a file must not run code. The leftover folder gets a one-line hint."""
    root = make_vault(tmp_path / "vault", NOTES)
    marker = tmp_path / "code-ran"
    legacy = root / ".notewarden-cache"
    legacy.mkdir()
    for name in ("records.pickle", "summary.pickle", "index.pickle"):
        (legacy / name).write_bytes(pickle.dumps(_Planted(marker)))
    for args in (("check",), ("check", "--diff"), ("check", "--fix")):
        result = run_cli(*args, root)
        assert result.returncode == 1, result.stderr
        assert not marker.exists()
        assert "no longer used; it can be deleted" in result.stderr
    # Planted in the store too (as a value, and as the whole file).
    run_cli("check", root)
    with contextlib.closing(sqlite3.connect(store_of(root))) as connection, connection:
        connection.execute("UPDATE notes SET record = ?", (pickle.dumps(_Planted(marker)),))
    result = run_cli("check", root, "--format", "json")
    assert not marker.exists()
    assert "Traceback" not in result.stderr
    store_of(root).write_bytes(pickle.dumps(_Planted(marker)))
    result = run_cli("check", root, "--format", "json")
    assert not marker.exists()
    assert result.returncode == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("column, value", [
    ("record", b"\xc1 not msgpack"),
    ("record", b"\x93\x01\x02\x03"),  # a valid msgpack list of the wrong shape
    ("problems", b"\x91\x95\xa6schema\xa3one\x01\xa1x\xc2"),  # a line that is a string
    ("aliases", b"\x91\x05"),  # an alias that is a number
    ("suppressed", b"\xc7\x01\x05x"),  # a msgpack extension type
])
def test_a_damaged_value_gives_a_cold_run_and_is_rewritten(
        tmp_path: Path, column: str, value: bytes) -> None:
    root = make_vault(tmp_path / "vault", NOTES)
    expected = json.loads(run_cli("check", root, "--format", "json", "--no-cache").stdout)
    run_cli("check", root)
    (root / "Beta.md").write_text("[[Alpha#Part]] [[First]] [[Gamma]] \n", encoding="utf-8")
    expected_after = json.loads(run_cli("check", root, "--format", "json",
                                        "--no-cache").stdout)
    with contextlib.closing(sqlite3.connect(store_of(root))) as connection, connection:
        connection.execute(f"UPDATE notes SET {column} = ?", (value,))
    result = run_cli("check", root, "--format", "json")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert json.loads(result.stdout) == expected_after
    assert "the cache was damaged" in result.stderr
    again = run_cli("check", root, "--format", "json")
    assert again.stderr == ""  # rewritten: no damage left
    assert json.loads(again.stdout) == expected_after == expected


def test_a_locked_store_makes_the_run_uncached_not_blocked(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "vault", NOTES)
    expected = run_cli("check", root, "--format", "json", "--no-cache").stdout
    run_cli("check", root)
    (root / "Beta.md").write_text("[[Nowhere]]\n", encoding="utf-8")
    expected = run_cli("check", root, "--format", "json", "--no-cache").stdout
    with contextlib.closing(sqlite3.connect(store_of(root), isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")  # another process writing, and never finishing
        result = run_cli("check", root, "--format", "json", timeout=60)
        other.execute("ROLLBACK")
    assert result.returncode == 1, result.stderr
    assert result.stdout == expected
    assert run_cli("check", root, "--format", "json").stdout == expected


def test_an_unchanged_vault_is_answered_from_the_summary_alone(tmp_path: Path) -> None:
    """The last check's summary answers a check when no file changed: the notes' rows
    are not even read (here they are garbage, and nobody notices)."""
    root = make_vault(tmp_path / "vault", NOTES)
    expected = run_cli("check", root, "--format", "json").stdout
    with contextlib.closing(sqlite3.connect(store_of(root))) as connection, connection:
        connection.execute("UPDATE notes SET record = x'c1', problems = x'c1'")
    result = run_cli("check", root, "--format", "json")
    assert (result.stdout, result.stderr) == (expected, "")


def test_a_damaged_summary_gives_a_cold_run(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "vault", NOTES)
    expected = run_cli("check", root, "--format", "json").stdout
    with contextlib.closing(sqlite3.connect(store_of(root))) as connection, connection:
        connection.execute("UPDATE summary SET data = x'93c0c0c0'")
    result = run_cli("check", root, "--format", "json")
    assert result.stdout == expected
    assert "the cache was damaged" in result.stderr
    assert run_cli("check", root, "--format", "json").stderr == ""
