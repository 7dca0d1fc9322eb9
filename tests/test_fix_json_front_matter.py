"""Front-matter fixes never damage JSON front-matter, and never leave YAML that no longer
parses.

Obsidian reads `---` front-matter written as JSON (`{"aliases": "Foo"}`): js-yaml takes
it as a flow mapping. Its keys have no lines of their own, so the key-by-key splicer
(fm_edit) cannot rewrite one; an earlier version spliced a block list into the middle of
the braces and broke the note. These fixes are now not offered, and every splice is
parsed again before it is returned (FrontMatterEditor._checked).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from notewarden.fm_edit import FrontMatterEditor, NotSpliceable
from notewarden.parsing.note import parse_note
from tests.helpers import make_vault, run_cli

JSON_NOTE = (
    '---\n{\n  "title": "x",\n  "aliases": "Foo, Bar",\n  "tags": ["#a"],\n'
    '  "related": ["[[B]]"]\n}\n---\nbody [[B]]\n'
)


def test_json_front_matter_is_reported_but_not_rewritten(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": JSON_NOTE, "B.md": "b\n"},
                       config='[backlinks]\nsymmetric = ["related"]\n')
    result = run_cli("check", vault, "--no-cache", "--fix", "--unsafe-fixes")
    assert "Traceback" not in result.stderr and "internal error" not in result.stdout
    assert (vault / "A.md").read_text() == JSON_NOTE  # byte for byte
    assert "alias-format" in result.stdout and "tag-format" in result.stdout
    assert "yaml-syntax" not in result.stdout


def test_json_front_matter_findings_are_not_marked_fixable(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": JSON_NOTE, "B.md": "b\n"})
    result = run_cli("check", vault, "--no-cache")
    lines = [line for line in result.stdout.splitlines() if "-format" in line]
    assert lines and not any(line.endswith("[*]") for line in lines)


def test_symmetric_property_is_not_appended_to_json_front_matter(tmp_path: Path) -> None:
    note_b = '---\n{"title": "b"}\n---\nb\n'
    vault = make_vault(tmp_path / "v", {
        "A.md": '---\nrelated: ["[[B]]"]\n---\na\n', "B.md": note_b,
    }, config='[backlinks]\nsymmetric = ["related"]\n')
    result = run_cli("check", vault, "--no-cache", "--fix")
    assert "Traceback" not in result.stderr
    assert (vault / "B.md").read_text() == note_b
    assert "missing-backlink" in result.stdout  # still reported, for the author to fix


def _editor(text: str) -> FrontMatterEditor:
    return FrontMatterEditor(parse_note("A.md", text.encode()))


def test_editor_refuses_a_flow_mapping() -> None:
    with pytest.raises(NotSpliceable, match="flow"):
        _editor('---\n{"aliases": "Foo"}\n---\n')


def test_an_edit_that_would_repeat_a_key_is_refused() -> None:
    # Appending a key the note already has would make js-yaml reject the whole block.
    with pytest.raises(NotSpliceable, match="break the front-matter"):
        _editor("---\ntitle: x\n---\nbody\n").append_key("title", "y")


def test_an_edit_that_adds_a_key_the_note_has_is_refused() -> None:
    editor = _editor("---\ntitle: x\nrating: 3\n---\n")

    def rewrite(loaded: dict[str, object]) -> dict[str, object]:
        return {"title": "x", "rating": 4}  # `rating` has lines of its own below

    with pytest.raises(NotSpliceable, match="break the front-matter"):
        editor.rewrite_key("title", rewrite)


def test_an_edit_that_changes_a_key_outside_its_lines_is_refused() -> None:
    # No ruamel dump is known to do this; the check guards the splice arithmetic itself
    # (a span that runs past its key's lines), so it is driven directly.
    text = "---\ntitle: x\nrating: 3\n---\n"
    editor = _editor(text)
    start, end = text.index("title"), text.index("---", 4)
    with pytest.raises(NotSpliceable, match="change `rating` too"):
        editor._checked(start, end, "title: y\nrating: 4\n", {"title"})
    assert editor._checked(start, end, "title: y\nrating: 3\n", {"title"}) is not None


def test_a_checked_edit_keeps_the_other_keys() -> None:
    editor = _editor("---\ntitle: x  # kept\naliases: Foo\nrating: 3\n---\n")
    edit = editor.rewrite_key("aliases", lambda loaded: {"aliases": ["Foo"]})
    assert edit is not None and edit.replacement == b"aliases:\n  - Foo\n"


def test_a_rule_failing_while_making_its_fix_is_reported(tmp_path: Path, monkeypatch) -> None:
    """A rule that fails while building a fix gives one line naming the note and the rule
    (the check after the fix reports its finding, which would otherwise leave the user
    wondering why --fix did nothing). The failure is injected: no known input fails."""
    from notewarden.fixer import run_fix
    from notewarden.rules import alias_format

    def fail(note: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(alias_format, "make_fix", fail)
    note = "---\naliases: Foo\n---\n# A\n"
    vault = make_vault(tmp_path / "v", {"A.md": note})
    outcome = run_fix([vault], use_cache=False)
    assert outcome.errors == [
        "A.md: internal error in rule alias-format: RuntimeError('boom'); please report "
        "this; its fixes were not made"]
    assert (vault / "A.md").read_text() == note
    assert [f.rule for f in outcome.check.findings] == ["alias-format"]


def test_a_key_whose_lines_do_not_load_alone_is_not_spliceable() -> None:
    # `*x` names an anchor on another key's line: the whole block parses, the key alone not.
    editor = _editor("---\na: &x 1\nb: *x\n---\n")
    with pytest.raises(NotSpliceable, match="do not load alone"):
        editor.rewrite_key("b", lambda loaded: {"b": [1]})


def test_a_nan_value_outside_the_edit_counts_as_kept_and_a_changed_one_not() -> None:
    text = "---\ntitle: a\nx: .nan\n---\n"
    editor = _editor(text)
    title = (text.index("title"), text.index("x:"))
    assert editor._checked(*title, "title: b\n", {"title"}) is not None  # NaN is itself
    both = (text.index("title"), text.index("---", 4))
    with pytest.raises(NotSpliceable, match="change `x` too"):
        editor._checked(*both, "title: b\nx: 1\n", {"title"})
    text = "---\ntitle: a\nx: 2\n---\n"
    both = (text.index("title"), text.index("---", 4))
    with pytest.raises(NotSpliceable, match="change `x` too"):
        _editor(text)._checked(*both, "title: b\nx: .nan\n", {"title"})
