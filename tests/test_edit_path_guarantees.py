"""The edit path's promises, each one a test that some mutant of it fails (tools/mutate.py
measures that; tools/mutation.toml maps each module to the test files run against it).

Tests of the public functions (select_edits, apply_edits, FrontMatterEditor, write_atomic,
the fix-making functions of the rules) and of `run_fix` on real files in temporary vaults.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

import ftfy
import pytest
from ruamel.yaml.comments import CommentedSeq

from notewarden.edits import apply_edits, select_edits
from notewarden.engine import run_check
from notewarden.fixer import run_fix
from notewarden.fm_edit import FrontMatterEditor, new_front_matter
from notewarden.model import Edit, Fix, FixSafety
from notewarden.names import did_you_mean, link_key, newline_of, normalize_name, strip_md
from notewarden.parsing.note import parse_note
from notewarden.rules.mojibake import make_fix as mojibake_fix
from notewarden.rules.property_type import split_comma_joined
from notewarden.writer import Snapshot, WriteSkipped, read_with_snapshot, write_atomic
from tests.helpers import another_users_note, lint, make_vault, refusal_as_uid_1234, store_of


def _fix(*spans: tuple[int, int, bytes]) -> Fix:
    return Fix(tuple(Edit(*span) for span in spans), FixSafety.SAFE, "test")


# --- edits.py: which fixes go in a pass, and the splice ------------------------------------


def test_overlapping_fixes_wait_for_the_next_pass() -> None:
    first, overlapping, later = _fix((0, 5, b"a")), _fix((3, 8, b"b")), _fix((9, 10, b"c"))
    edits, applied, deferred = select_edits([first, overlapping, later])
    assert applied == [first, later]
    assert deferred == [overlapping]
    assert edits == [Edit(0, 5, b"a"), Edit(9, 10, b"c")]


def test_a_fix_is_all_or_nothing() -> None:
    first = _fix((4, 6, b"x"))
    partly_overlapping = _fix((0, 1, b"y"), (5, 7, b"z"))  # its first edit alone would fit
    edits, applied, deferred = select_edits([first, partly_overlapping])
    assert (edits, applied, deferred) == ([Edit(4, 6, b"x")], [first], [partly_overlapping])


def test_spans_that_only_touch_do_not_overlap() -> None:
    left, right = _fix((0, 3, b"L")), _fix((3, 6, b"R"))
    assert select_edits([left, right])[1] == [left, right]
    assert select_edits([right, left])[1] == [right, left]


def test_two_insertions_at_one_point_overlap_and_at_two_points_do_not() -> None:
    here, also_here, elsewhere = _fix((4, 4, b"a")), _fix((4, 4, b"b")), _fix((5, 5, b"c"))
    assert select_edits([here, also_here, elsewhere])[1:] == ([here, elsewhere], [also_here])


@pytest.mark.parametrize("point_first", [False, True])
def test_an_insertion_overlaps_a_span_only_strictly_inside_it(point_first: bool) -> None:
    span = _fix((2, 5, b"S"))
    for at, overlaps in ((1, False), (2, False), (3, True), (4, True), (5, False)):
        insertion = _fix((at, at, b"i"))
        order = [insertion, span] if point_first else [span, insertion]
        _edits, applied, deferred = select_edits(order)
        assert (deferred == [order[1]]) is overlaps, at
        assert len(applied) == (1 if overlaps else 2), at


def test_a_fix_whose_own_edits_overlap_is_never_applied() -> None:
    for malformed in (_fix((0, 2, b"a"), (1, 3, b"b")),
                      _fix((6, 8, b"a"), (0, 1, b"b"), (7, 9, b"c")),
                      _fix((3, 3, b"a"), (3, 3, b"b"))):
        assert select_edits([malformed]) == ([], [], [malformed])
    well_formed = _fix((0, 1, b"a"), (1, 2, b"b"), (5, 5, b"c"))
    assert select_edits([well_formed]) == (list(well_formed.edits), [well_formed], [])


def test_accepted_edits_come_back_in_file_order() -> None:
    late, early, middle = _fix((8, 9, b"c")), _fix((0, 1, b"a")), _fix((4, 4, b"b"))
    edits, _applied, _deferred = select_edits([late, early, middle])
    assert edits == [Edit(0, 1, b"a"), Edit(4, 4, b"b"), Edit(8, 9, b"c")]
    assert apply_edits(b"0123456789", edits) == b"a123b4567c9"


def test_a_splice_copies_every_byte_outside_the_edits() -> None:
    data = b"\xef\xbb\xbfone\r\ntwo \r\nthree"
    edits = [Edit(3, 6, b"ONE"), Edit(8, 8, b"+"), Edit(len(data) - 5, len(data), b"3")]
    assert apply_edits(data, edits) == b"\xef\xbb\xbfONE\r\n+two \r\n3"
    assert apply_edits(data, []) == data
    assert apply_edits(b"ab", [Edit(0, 0, b">")]) == b">ab"
    assert apply_edits(b"ab", [Edit(0, 1, b""), Edit(1, 2, b"")]) == b""


@pytest.mark.parametrize("edits", [
    [Edit(2, 4, b"x"), Edit(3, 5, b"y")],  # overlapping
    [Edit(3, 2, b"x")],  # ends before it starts
    [Edit(4, 7, b"x")],  # past the end of the data
])
def test_a_bad_edit_is_refused(edits: list[Edit]) -> None:
    with pytest.raises(ValueError, match="bad edit"):
        apply_edits(b"012345", edits)


# --- names.py: the keys the fixers compare names and newlines by ----------------------------


def test_names_are_compared_nfc_normalised_and_lowercased() -> None:
    assert normalize_name("Cafe\u0301 NOTE") == "caf\u00e9 note"
    assert normalize_name("ASCII Only") == "ascii only"
    assert strip_md("Folder/Note.MD") == "Folder/Note"
    assert strip_md("Note.mdx") == "Note.mdx"
    assert strip_md("Note") == "Note"
    assert link_key("  ../Folder/Sub/Note.md ") == "note"
    assert link_key("Cafe\u0301") == "caf\u00e9"


def test_the_newline_style_is_the_first_line_break() -> None:
    assert newline_of("a\r\nb\nc") == "\r\n"
    assert newline_of("a\nb\r\nc") == "\n"
    assert newline_of("\nstarts with a bare newline\r") == "\n"  # no character before it
    assert newline_of("\r\nstarts with an empty CRLF line") == "\r\n"
    assert newline_of("no line break") == "\n"


def test_a_misspelt_rule_name_gets_the_nearest_known_one() -> None:
    known = {"broken-link", "broken-block", "tag-format"}
    assert did_you_mean("Brokn-Link ", known) == "; did you mean 'broken-link'?"
    assert did_you_mean("zzz", known) == ""


# --- fm_edit.py: only the changed key's lines, in the file's own style ----------------------


def _editor(text: str | bytes) -> FrontMatterEditor:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return FrontMatterEditor(parse_note("Note.md", raw))


def _strip_hashes(loaded: Any) -> None:
    tags = loaded["tags"]
    for index, item in enumerate(tags):
        tags[index] = type(item)(item.lstrip("#"))  # the scalar's own type keeps its quotes


def _rewritten(text: str, key: str, change: Any) -> str:
    """The note's text after the editor's edit for `key` is applied."""
    editor = _editor(text)
    edit = editor.rewrite_key(key, change)
    assert edit is not None
    return apply_edits(text.encode("utf-8"), [edit]).decode("utf-8")


def test_a_note_without_front_matter_has_no_editor() -> None:
    with pytest.raises(ValueError, match="no readable front-matter"):
        _editor("# Just a heading\n")
    with pytest.raises(ValueError, match="no readable front-matter"):
        _editor("---\n: [unclosed\n---\nbody\n")


def test_only_the_changed_keys_lines_are_spliced() -> None:
    text = ("---\ntitle:   'Kept  as is'  # a comment\ntags:\n  - '#a'\n  - \"#b\"\n"
            "# a comment after the list\nother: 1\n---\nbody\n")
    assert _rewritten(text, "tags", _strip_hashes) == text.replace("'#a'", "'a'").replace(
        '"#b"', '"b"')


def test_a_change_that_changes_nothing_is_no_edit() -> None:
    editor = _editor("---\ntags: [a, b]\n---\n")
    assert editor.rewrite_key("tags", lambda loaded: None) is None


@pytest.mark.parametrize("indent", [0, 2, 4])
def test_nested_lists_keep_their_indent(indent: int) -> None:
    pad = " " * indent
    text = f"---\naliases:\n- x\ntags:\n{pad}- '#a'\n{pad}- '#b'\n---\n"
    assert _rewritten(text, "tags", _strip_hashes) == text.replace("#", "")


@pytest.mark.parametrize("indent", [0, 2])
def test_maps_inside_a_list_keep_their_indent(indent: int) -> None:
    pad = " " * indent
    text = f"---\nsources:\n{pad}- title: old\n{pad}  by: me\n---\n"

    def retitle(loaded: Any) -> None:
        loaded["sources"][0]["title"] = "new"

    assert _rewritten(text, "sources", retitle) == text.replace("old", "new")


def test_nested_maps_keep_their_two_space_indent() -> None:
    text = "---\nmeta:\n  rating: 1\n  by:\n    - me\n---\n"

    def rate(loaded: Any) -> None:
        loaded["meta"]["rating"] = 2

    assert _rewritten(text, "meta", rate) == text.replace("1", "2")


def test_a_new_list_takes_the_files_usual_indent() -> None:
    for text, pad in (("---\ntitle: x\n---\n", "  "), ("---\nother:\n- y\n---\n", ""),
                      ("---\nother:\n    - y\n---\n", "    ")):
        editor = _editor(text)
        edit = editor.append_key("tags", CommentedSeq(["a", "b"]))
        out = apply_edits(text.encode(), [edit]).decode()
        assert out == text[:-4] + f"tags:\n{pad}- a\n{pad}- b\n---\n", text


def test_line_endings_survive_a_splice() -> None:
    text = "\ufeff---\r\ntitle: x\r\ntags:\r\n  - '#a'\r\n---\r\nbody\r\n"
    assert _rewritten(text, "tags", _strip_hashes) == text.replace("#", "")
    editor = _editor(text)
    out = apply_edits(text.encode(), [editor.append_key("new", CommentedSeq(["n"]))]).decode()
    assert out == text.replace("---\r\nbody", "new:\r\n  - n\r\n---\r\nbody")


def test_long_values_are_not_folded() -> None:
    long_tag = "#" + " ".join(["word"] * 60)  # 300 characters with spaces to fold at
    text = f"---\ntags:\n  - '{long_tag}'\n---\n"
    assert _rewritten(text, "tags", _strip_hashes) == text.replace("#", "")


def test_the_last_key_and_a_multi_line_value_end_where_they_end() -> None:
    text = "---\nnote: |\n  line one\n  line two\ntags: ['#a']\n---\n"
    editor = _editor(text)
    start, end = editor.key_span("note")
    assert text[start:end] == "note: |\n  line one\n  line two\n"
    start, end = editor.key_span("tags")
    assert text[start:end] == "tags: ['#a']\n"
    with pytest.raises(KeyError):
        editor.key_span("missing")
    assert editor.has_key("tags") and not editor.has_key("missing")


def test_a_closing_delimiter_without_a_final_newline_stays_so() -> None:
    text = "---\ntags: ['#a']\n---"
    assert _rewritten(text, "tags", _strip_hashes) == "---\ntags: ['a']\n---"


@pytest.mark.parametrize(("text", "expected"), [
    ("body\n", "---\nup:\n  - a\n---\nbody\n"),
    ("body\r\nmore\r\n", "---\r\nup:\r\n  - a\r\n---\r\nbody\r\nmore\r\n"),
    ("one line, no newline", "---\nup:\n  - a\n---\none line, no newline"),
])
def test_new_front_matter_goes_at_the_top_in_the_notes_newline(text: str, expected: str) -> None:
    edit = new_front_matter(parse_note("Note.md", text.encode()), "up", CommentedSeq(["a"]))
    assert apply_edits(text.encode(), [edit]).decode() == expected


# --- writer.py: a write happens only when it is safe, and says why not --------------------


def _note(tmp_path: Path, data: bytes = b"old\n") -> tuple[Path, Path, Snapshot]:
    vault = make_vault(tmp_path / "v", {"N.md": data})
    note = vault / "N.md"
    return vault, note, read_with_snapshot(note)[1]


def test_a_write_replaces_the_bytes_keeps_the_mode_and_leaves_no_temp_file(
        tmp_path: Path) -> None:
    vault, note, snapshot = _note(tmp_path)
    note.chmod(0o640)
    data = b"new\r\n" * 40_000  # more than one write() may take
    written = write_atomic(note, data, snapshot, vault)
    assert note.read_bytes() == data
    info = note.stat()
    assert (written.st_size, written.st_ino) == (len(data), info.st_ino)
    assert stat.S_IMODE(info.st_mode) == 0o640
    assert sorted(p.name for p in vault.iterdir()) == [".obsidian", "N.md"]


def test_an_unresolvable_path_is_skipped_with_a_message(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {})
    loop = vault / "loop.md"
    loop.symlink_to("loop.md")
    with pytest.raises(WriteSkipped, match=r"loop\.md: cannot resolve: .*; not written$"):
        write_atomic(loop, b"x\n", Snapshot(0, 0, ""), vault)
    assert loop.is_symlink()


def test_a_symlink_is_written_through_only_inside_the_vault(tmp_path: Path) -> None:
    vault, note, snapshot = _note(tmp_path)
    outside = tmp_path / "outside.md"
    outside.write_bytes(b"old\n")
    (vault / "out.md").symlink_to(outside)
    with pytest.raises(WriteSkipped, match="outside the vault; not written"):
        write_atomic(vault / "out.md", b"new\n", snapshot, vault)
    assert outside.read_bytes() == b"old\n"
    (vault / "in.md").symlink_to("N.md")
    write_atomic(vault / "in.md", b"new\n", snapshot, vault)
    assert (vault / "in.md").is_symlink() and note.read_bytes() == b"new\n"


@pytest.mark.parametrize("change", ["bytes", "size", "mtime"])
def test_a_note_changed_since_it_was_read_is_not_written(tmp_path: Path, change: str) -> None:
    vault, note, snapshot = _note(tmp_path)
    times = note.stat()
    if change == "bytes":  # same size and mtime: only the digest can tell
        note.write_bytes(b"OLD\n")
        os.utime(note, ns=(times.st_atime_ns, times.st_mtime_ns))
    elif change == "size":
        note.write_bytes(b"old!\n")
        os.utime(note, ns=(times.st_atime_ns, times.st_mtime_ns))
    else:
        os.utime(note, ns=(times.st_atime_ns, times.st_mtime_ns + 1_000_000))
    after = note.read_bytes()
    with pytest.raises(WriteSkipped, match=r"N\.md: changed since it was read .*; not written"):
        write_atomic(note, b"new\n", snapshot, vault)
    assert note.read_bytes() == after
    assert sorted(p.name for p in vault.iterdir()) == [".obsidian", "N.md"]


def test_a_note_that_vanished_is_skipped_and_names_the_step(tmp_path: Path) -> None:
    vault, note, snapshot = _note(tmp_path)
    note.unlink()
    with pytest.raises(WriteSkipped, match=r"N\.md: cannot open it: No such file"):
        write_atomic(note, b"new\n", snapshot, vault)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_writability_is_judged_with_the_effective_ids(tmp_path: Path) -> None:
    """A root process that has become uid 1234 may not write 4321's 0644 note (its real id
    could): reported as read-only, before any temp file."""
    with another_users_note(0o644) as note:
        assert str(refusal_as_uid_1234(note)) == f"{note}: read-only; not written"
        assert note.read_bytes() == b"old\n"


# --- the fix-making code of the rules, through --fix on real vaults -------------------------

START = "%% notewarden:backlinks:start %%"
END = "%% notewarden:backlinks:end %%"
OPTED_IN = '[backlinks]\nnotes = ["C.md"]\n'
SYMMETRIC = '[backlinks]\nsymmetric = ["related"]\n'


def _fixed(tmp_path: Path, files: dict[str, str | bytes], name: str, *,
           config: str | None = None, unsafe: bool = False, passes: int | None = None) -> bytes:
    """Fix a fresh vault (in-process, no cache) and return `name`'s bytes afterwards; with
    `passes`, also check that the fix took that many passes."""
    vault = make_vault(tmp_path / "v", files, config=config)
    out = run_fix([vault], unsafe=unsafe, use_cache=False, jobs=1)
    assert passes is None or out.passes == passes
    return (vault / name).read_bytes()


@pytest.mark.parametrize(("before", "after"), [
    ("", f"## Backlinks\n{START}\n- [[A]]\n{END}\n"),
    ("text\n", f"text\n\n## Backlinks\n{START}\n- [[A]]\n{END}\n"),
    ("a\r\nb", f"a\r\nb\r\n\r\n## Backlinks\r\n{START}\r\n- [[A]]\r\n{END}"),
    ("a\r\nb\r\n", f"a\r\nb\r\n\r\n## Backlinks\r\n{START}\r\n- [[A]]\r\n{END}\r\n"),
])
def test_an_appended_backlinks_block_follows_the_notes_newline_and_ending(
        tmp_path: Path, before: str, after: str) -> None:
    files: dict[str, str | bytes] = {"A.md": "[[C]]\n", "C.md": before}
    assert _fixed(tmp_path, files, "C.md", config=OPTED_IN) == after.encode()


def test_a_rewritten_backlinks_block_touches_only_its_inside(tmp_path: Path) -> None:
    before = f"top\r\n{START}\r\n- [[Gone]]\r\n{END}\r\nbottom"
    files: dict[str, str | bytes] = {"A.md": "[[C]]\n", "B.md": "[[C]]\n", "C.md": before}
    assert _fixed(tmp_path, files, "C.md") == (
        f"top\r\n{START}\r\n- [[A]]\r\n- [[B]]\r\n{END}\r\nbottom").encode()


@pytest.mark.parametrize(("before", "after"), [
    ('---\nrelated: "[[C]]"\n---\n', '---\nrelated:\n  - "[[C]]"\n  - "[[A]]"\n---\n'),
    ("---\nrelated:\n---\n", '---\nrelated:\n  - "[[A]]"\n---\n'),
    ('---\nrelated:\n- "[[C]]"\n---\n', '---\nrelated:\n- "[[C]]"\n- "[[A]]"\n---\n'),
])
def test_a_symmetric_property_gains_the_missing_link_in_its_own_style(
        tmp_path: Path, before: str, after: str) -> None:
    files: dict[str, str | bytes] = {"A.md": '---\nrelated: ["[[B]]"]\n---\n', "B.md": before,
                                     "C.md": "# C\n"}
    assert _fixed(tmp_path, files, "B.md", config=SYMMETRIC) == after.encode()


@pytest.mark.parametrize("before", [
    "---\nrelated: [unclosed\n---\n",  # not YAML
    "---\n- a list\n---\n",  # YAML, but not a map
    "---\n---\nbody\n",  # empty: no YAML node to edit
])
def test_a_symmetric_property_in_front_matter_it_cannot_edit_is_left_alone(
        tmp_path: Path, before: str) -> None:
    files: dict[str, str | bytes] = {"A.md": '---\nrelated: ["[[B]]"]\n---\n', "B.md": before}
    assert _fixed(tmp_path, files, "B.md", config=SYMMETRIC) == before.encode()


@pytest.mark.parametrize(("line", "fixed"), [
    ("| [[Alias]] | x |", "| [[Target\\|Alias]] | x |"),  # the header row, at the top
    ("| y | ![[Alias#Part]] |", "| y | ![[Target#Part\\|Alias]] |"),  # the last row
    ("> | [[Alias]] |", "> | [[Target\\|Alias]] |"),
])
def test_an_alias_link_in_a_table_escapes_its_pipe(tmp_path: Path, line: str, fixed: str) -> None:
    for table in ([line, "|---|---|", "| a | b |", "trailer"], [line, "|---|---|"],
                  ["| h | h |", "|---|---|", line]):
        text = "\n".join(table)
        files: dict[str, str | bytes] = {"N.md": text,
                                         "Target.md": "---\naliases: [Alias]\n---\n"}
        assert _fixed(tmp_path / str(len(text)), files, "N.md").decode() == \
            text.replace(line, fixed)


@pytest.mark.parametrize("text", [
    "| a | b |\n|---|---|\n\nintro line\nSee [[Alias]] here.\n",  # two lines below the blank
    "See [[Alias]] here.\nmore text\n\n|---|---|\n| c | d |\n",
    "| a | b |\n|---|---|\n  \t\nSee [[Alias]] here.\n \n| c | d |\n|---|---|\n",
    "> | a | b |\n> |---|---|\n>\n> See [[Alias]] here.\n> \n> | c |\n> |---|\n",
])
def test_lines_of_only_spaces_or_quote_marks_end_a_table(tmp_path: Path, text: str) -> None:
    files: dict[str, str | bytes] = {"N.md": text, "Target.md": "---\naliases: [Alias]\n---\n"}
    assert _fixed(tmp_path, files, "N.md").decode() == text.replace(
        "[[Alias]]", "[[Target|Alias]]")


def test_an_alias_link_outside_a_table_keeps_a_plain_pipe(tmp_path: Path) -> None:
    text = "| not a table, no delimiter row |\n[[Alias|shown]] and ![[Alias]]\n\n| x |\n"
    files: dict[str, str | bytes] = {"N.md": text, "Target.md": "---\naliases: [Alias]\n---\n"}
    assert _fixed(tmp_path, files, "N.md").decode() == text.replace(
        "[[Alias|shown]]", "[[Target|shown]]").replace("![[Alias]]", "![[Target|Alias]]")


@pytest.mark.parametrize(("line", "replaced", "replacement"), [
    ("cafÃ© au lait", "Ã©", "é"),
    ("Ã©tÃ©", "Ã©tÃ©", "été"),
    ("tail: naÃ¯ve", "Ã¯", "ï"),
    ("same on both ends: Ã© x Ã©", "Ã© x Ã©", "é x é"),
])
def test_a_mojibake_fix_edits_only_the_characters_that_change(
        line: str, replaced: str, replacement: str) -> None:
    text = f"prefix line\n{line}\nlast\n"
    raw = text.encode()
    note = parse_note("N.md", raw)
    fix = mojibake_fix(note, text.index(line), line)
    assert fix is not None and fix.safety is FixSafety.UNSAFE
    (edit,) = fix.edits
    assert raw[edit.start : edit.end] == replaced.encode()
    assert edit.start == raw.index(line.encode()) + line.encode().index(replaced.encode())
    assert edit.replacement == replacement.encode()
    assert ftfy.fix_encoding(line) == line.replace(replaced, replacement)


def test_a_line_without_mojibake_gets_no_fix() -> None:
    assert mojibake_fix(parse_note("N.md", b"fine\n"), 0, "fine") is None


@pytest.mark.parametrize(("before", "after"), [
    ("---\ntags: ['#a', '#', b]\n---\n", "---\ntags: ['a', '#', b]\n---\n"),
    ("---\ntags: '#solo'\n---\n", "---\ntags: 'solo'\n---\n"),
    ("---\ntags:\n- '##two'\n---\n", "---\ntags:\n- 'two'\n---\n"),
])
def test_tag_hashes_are_stripped_and_nothing_else_changes(
        tmp_path: Path, before: str, after: str) -> None:
    assert _fixed(tmp_path, {"N.md": before}, "N.md") == after.encode()


# --- duplicate-block: what is found, and the span its fix deletes ---------------------------

LINES = [f"Line {n} of a pasted thread, long enough to count toward the block: {'x' * 40}"
         for n in "ABC"]


def test_a_three_line_copy_at_the_very_top_and_bottom_is_found_and_the_later_one_goes(
        tmp_path: Path) -> None:
    block = "\n".join(LINES)
    text = f"{block}\n\n{block}"  # no front-matter, no final newline
    vault = make_vault(tmp_path / "v", {"N.md": text})
    found = [f for f in lint(vault) if f.rule == "duplicate-block"]
    assert [(f.line, f.message) for f in found] == [
        (1, "lines 1-3 (3 lines) appear again at lines 5-7")]
    assert _fixed(tmp_path / "again", {"N.md": text}, "N.md") == block.encode()


def test_the_earlier_copy_goes_when_the_later_one_holds_more(tmp_path: Path) -> None:
    a, b, c = LINES
    text = f"---\ntitle: t\n---\n{a}\n{b}\n{c}\n\nmiddle\n{a}\n{b}\n> a reply\n{c}\n"
    vault = make_vault(tmp_path / "v", {"N.md": text})
    found = [f for f in lint(vault) if f.rule == "duplicate-block"]
    assert [(f.line, f.message) for f in found] == [
        (4, "lines 4-6 (3 lines) appear again at lines 9-12 (with other lines in between)")]
    assert _fixed(tmp_path / "again", {"N.md": text}, "N.md").decode() == (
        f"---\ntitle: t\n---\nmiddle\n{a}\n{b}\n> a reply\n{c}\n")


# --- fixer.py: the passes, the cache, and what is reported ----------------------------------


def _stored_paths(vault: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(store_of(vault))) as connection:
        return sorted(row[0] for row in connection.execute("SELECT path FROM notes"))


def test_a_fix_leaves_the_notes_it_parsed_from_disk_in_the_cache(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "---\ntags: ['#a']\n---\n", "B.md": "# B\n"})
    out = run_fix([vault], use_cache=True, jobs=1)
    assert set(out.changed) == {"A.md"} and out.passes == 1
    assert _stored_paths(vault) == ["A.md", "B.md"]


def test_a_damaged_cache_during_a_fix_is_rebuilt_and_the_fix_still_made(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "---\ntags: ['#a']\n---\n", "B.md": "# B\n"})
    run_check([vault], jobs=1)  # fills the cache
    (vault / "B.md").write_text("# B, edited\n", encoding="utf-8")  # records get read
    with contextlib.closing(sqlite3.connect(store_of(vault))) as connection, connection:
        connection.execute("UPDATE notes SET record = ?", (b"\xc1 not msgpack",))
    out = run_fix([vault], use_cache=True, jobs=1)
    assert [w for w in out.check.warnings if "the cache was damaged" in w]
    assert (vault / "A.md").read_text() == "---\ntags: ['a']\n---\n"
    assert out.fixed == 1
    assert _stored_paths(vault) == ["A.md", "B.md"]


@pytest.mark.parametrize(("before", "after"), [
    # The note's own name and repeats (as Obsidian compares names) go; the rest keep order.
    ("---\nalias: [N, x, X, y]\n---\n", "---\naliases:\n  - x\n  - y\n---\n"),
    ("---\nalias: Y\naliases:\n  - x\n  - y\n---\n", "---\naliases:\n  - x\n  - y\n---\n"),
    ("---\nalias: [3, n, z]\naliases: [x]\n---\n", "---\naliases: [x, 3, z]\n---\n"),
    ("---\nalias: [z, Z, x]\naliases: [x]\n---\n", "---\naliases: [x, z]\n---\n"),
    ("---\naliases: N\n---\n", "---\naliases: []\n---\n"),
    ("---\naliases: [x, N, X]  # mine\n---\n", "---\naliases: [x]        # mine\n---\n"),
    ("---\nalias: x  # note\n---\n", "---\naliases:\n  - x  # note\n---\n"),
])
def test_aliases_become_a_list_of_distinct_strings_other_than_the_notes_name(
        tmp_path: Path, before: str, after: str) -> None:
    # One fix answers the note's whole alias problem: nothing is left for a second pass.
    assert _fixed(tmp_path, {"N.md": before}, "N.md", passes=1) == after.encode()


def test_comma_joined_values_split_outside_links_and_drop_empty_items() -> None:
    assert split_comma_joined("a,b,,[[x, y]],c, d ,") == ["a", "b", "[[x, y]]", "c", "d"]
    assert split_comma_joined("[[Smith, John]],Doe") == ["[[Smith, John]]", "Doe"]
    assert split_comma_joined("one") == ["one"]
    assert split_comma_joined(5) == [5]


@pytest.mark.parametrize(("before", "after", "unsafe"), [
    ("targets: a,b,,[[x, y]],c # note\n",
     "targets:\n  - a\n  - b\n  - '[[x, y]]'\n  - c  # note\n", True),
    ("targets: one # c\n", "targets:\n  - one  # c\n", False),
    ("targets: a,b\n", "targets: a,b\n", False),  # splitting is unsafe: not without the flag
    ("targets: a,b\n", "targets:\n  - a\n  - b\n", True),
])
def test_a_list_property_becomes_a_block_list_keeping_its_comment(
        tmp_path: Path, before: str, after: str, unsafe: bool) -> None:
    types = json.dumps({"types": {"targets": "multitext"}})
    files: dict[str, str | bytes] = {"N.md": f"---\n{before}---\nbody\n",
                                     ".obsidian/types.json": types}
    assert _fixed(tmp_path, files, "N.md", unsafe=unsafe).decode() == f"---\n{after}---\nbody\n"


@pytest.mark.parametrize("ending", ["last line", "last line\n", "\n", ""])
def test_a_deleted_copy_takes_one_blank_line_and_never_the_line_after_it(
        tmp_path: Path, ending: str) -> None:
    block = "\n".join(LINES)
    text = f"{block}\n\n{block}\n\n{ending}"
    expected = f"{block}\n\n{ending}"
    assert _fixed(tmp_path, {"N.md": text}, "N.md").decode() == expected


def test_the_front_matters_closing_line_is_never_part_of_a_duplicate(tmp_path: Path) -> None:
    """A horizontal rule `---` before the later copy repeats the front-matter's closing
    line; the run must still start at the body, and the fix must leave the front-matter."""
    block = "\n".join(LINES)
    text = f"---\ntitle: t\n---\n{block}\n\n---\n{block}\n"
    vault = make_vault(tmp_path / "v", {"N.md": text})
    found = [f for f in lint(vault) if f.rule == "duplicate-block"]
    assert [(f.line, f.message) for f in found] == [
        (4, "lines 4-6 (3 lines) appear again at lines 9-11")]
    assert _fixed(tmp_path / "again", {"N.md": text}, "N.md").decode() == (
        f"---\ntitle: t\n---\n{block}\n\n---\n")
