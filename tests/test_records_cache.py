"""The records cache (index.RecordStore) and the lazily unpickled Records built on it:
what a run after a small change reads, and that it reads the same answers."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

from notewarden import cache
from notewarden.engine import Vault, run_check
from notewarden.index import Records, build_index, git_blob_id, load_store
from tests.helpers import make_vault

NOTES = {
    "Alpha.md": "---\naliases: [First]\n---\n# Alpha\n\n## Part\n\nText ^block\n",
    "Beta.md": "[[Alpha#Part]] [[First]] [[Gamma]]\n",
    "Folder/Gamma.md": "[[Alpha#^block]] [[Missing]]\n",
    "Delta.md": "No links.\n",
}


def index_of(root: Path):  # type: ignore[no-untyped-def]
    vault, _ = Vault.open([root])
    return build_index(vault.config, vault.schemas), vault


def unpickled(records: Records) -> set[str]:
    return {path for path, record in records._records.items() if record is not None}


def test_store_round_trip_keeps_every_record(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "vault", NOTES)
    first, vault = index_of(root)
    store = load_store(root, vault.schemas)
    assert store is not None
    assert set(store.meta) == set(NOTES)
    for path in NOTES:
        assert store.record(path) == first.records[path]
        assert store.meta[path][2] == git_blob_id((root / path).read_bytes())
    assert store.meta["Alpha.md"][3] == ("First",)
    assert set(store.linkers["alpha"]) == {"Beta.md", "Folder/Gamma.md"}
    assert store.linkers["missing"] == ("Folder/Gamma.md",)


def test_an_unchanged_vault_unpickles_no_record_to_build_its_index(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "vault", NOTES)
    index_of(root)
    index, _ = index_of(root)
    assert unpickled(index.records) == set()
    assert index.changed == set()
    # Names and aliases come from the store's metadata...
    assert index.alias_owners == {"first": ["Alpha.md"]}
    assert index.records.linking_to({"gamma"}) == {"Beta.md"}
    # ...and a record is unpickled when a rule first asks for it.
    assert index.records["Beta.md"].link_keys == {"alpha", "first", "gamma"}
    assert unpickled(index.records) == {"Beta.md"}


def test_after_one_edit_only_that_note_is_parsed_and_the_rest_stay_pickled(
        tmp_path: Path) -> None:
    root = make_vault(tmp_path / "vault", NOTES)
    index_of(root)
    note = root / "Delta.md"
    note.write_text("[[Folder/Gamma]] and [[Alpha]]\n", encoding="utf-8")
    os.utime(note, ns=(1, 1))  # a different mtime even on a coarse clock
    index, _ = index_of(root)
    assert index.changed == {"Delta.md"}
    assert unpickled(index.records) == {"Delta.md"}
    assert index.records.linking_to({"gamma"}) == {"Beta.md", "Delta.md"}
    # The cache written afterwards holds the new record and the untouched ones.
    index, vault = index_of(root)
    store = load_store(root, vault.schemas)
    assert store is not None
    assert set(store.linkers["gamma"]) == {"Beta.md", "Delta.md"}
    assert store.record("Delta.md").link_keys == {"alpha", "gamma"}
    assert store.record("Beta.md").link_keys == {"alpha", "first", "gamma"}


def test_a_check_after_an_edit_gives_the_same_findings_as_a_cold_one(tmp_path: Path) -> None:
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


def test_a_damaged_cache_is_ignored(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "vault", NOTES)
    index_of(root)
    cache_file = root / ".notewarden-cache" / "records.pickle"
    cache_file.write_bytes(cache_file.read_bytes()[:-10])  # truncated
    _, vault = index_of(root)  # rewrites it
    assert load_store(root, vault.schemas) is not None
    cache_file.write_bytes(b"garbage")
    assert load_store(root, vault.schemas) is None
    assert {f.rule for f in run_check([root]).findings} == {"broken-link", "alias-link"}


def test_backlinks_findings_follow_edits_and_the_cache_knows_which_notes_have_blocks(
        tmp_path: Path) -> None:
    """missing-backlink can change for any note when any note changes, but it can only
    speak for notes with a backlinks block (or opted in), which the cache's metadata
    tells without unpickling: re-checks skip the others."""
    block = "## Backlinks\n%% notewarden:backlinks:start %%\n%% notewarden:backlinks:end %%\n"
    root = make_vault(tmp_path / "vault", {**NOTES, "Hub.md": "# Hub\n\n" + block})
    assert "missing-backlink" not in {f.rule for f in run_check([root]).findings}
    (root / "Delta.md").write_text("[[Hub]]\n", encoding="utf-8")
    os.utime(root / "Delta.md", ns=(1, 1))
    findings = run_check([root]).findings
    assert [(f.path, f.rule) for f in findings if f.rule == "missing-backlink"] == [
        ("Hub.md", "missing-backlink")]
    assert findings == run_check([root], use_cache=False).findings
    vault, _ = Vault.open([root])
    index = build_index(vault.config, vault.schemas)
    assert index.records.has_backlinks_block("Hub.md")
    assert not index.records.has_backlinks_block("Beta.md")
    assert unpickled(index.records) == set()


def test_a_check_returns_only_once_the_records_cache_is_written(tmp_path: Path) -> None:
    """run_check writes the records cache in a forked child while the link rules run; by
    the time it returns the child is gone and the cache is whole."""
    root = make_vault(tmp_path / "vault", NOTES)
    had_children = not _no_children()  # another test's, say: then this cannot be told
    run_check([root])
    assert had_children or _no_children()  # none left behind, running or unreaped
    vault, _ = Vault.open([root])
    store = load_store(root, vault.schemas)
    assert store is not None and set(store.meta) == set(NOTES)
    assert [entry.name for entry in (root / ".notewarden-cache").iterdir()
            if entry.name.endswith(".tmp")] == []


def _no_children() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks only on Linux")
def test_the_records_cache_is_written_by_a_child_process_only_when_that_is_safe(
        tmp_path: Path) -> None:
    marker = tmp_path / "writer"

    def write() -> None:
        marker.write_text(str(os.getpid()), encoding="utf-8")

    pid = cache.write_in_background(write)
    assert pid is not None and pid != os.getpid()
    cache.wait_for(pid)
    assert marker.read_text(encoding="utf-8") == str(pid)
    # With another thread running a fork would copy it mid-flight: nothing is started,
    # and the caller writes the cache itself.
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert cache.write_in_background(write) is None
    finally:
        release.set()
        other.join()


def test_a_cache_that_cannot_be_written_leaves_the_check_as_it_was(tmp_path: Path) -> None:
    """The forked writer failing (here `.notewarden-cache` is a file, so no folder can be
    made; on a read-only vault likewise) changes nothing for the check itself."""
    root = make_vault(tmp_path / "vault", NOTES)
    expected = [(f.path, f.line, f.rule) for f in run_check([root], use_cache=False).findings]
    (root / ".notewarden-cache").write_text("not a folder\n", encoding="utf-8")
    for _ in range(2):  # the second run finds no cache either, and says the same
        result = run_check([root])
        assert [(f.path, f.line, f.rule) for f in result.findings] == expected
    assert (root / ".notewarden-cache").read_text(encoding="utf-8") == "not a folder\n"
    assert expected  # the vault has findings to compare
