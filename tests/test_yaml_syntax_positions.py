"""yaml-syntax points where the problem starts, through `notewarden check` as a user runs it.

One vault holds a note per kind of problem; the installed console script checks it once,
and each test reads its own note's finding: (line, column) in the note, and the words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import check_json, make_vault

NOTES = {
    # kind: (note text, line, column, words in the message)
    "unclosed-double-quote": (
        '---\ntitle: "Scaling: what next?\ntags: [ai]\nstatus: done\n---\nBody\n',
        2, 8, "the quote opened here is never closed"),
    "unclosed-single-quote": (
        "---\na: 1\ntitle: 'it''s\nb: 2\nc: 3\n---\n", 3, 8, "never closed"),
    "unclosed-quote-in-a-list": (
        '---\ntags:\n  - "ai\n  - research\n---\n', 3, 5, "never closed"),
    "unclosed-quote-crlf": (
        '---\r\ntitle: "x\r\ntags: [a]\r\n---\r\n', 2, 8, "never closed"),
    "unclosed-bracket": (
        "---\ntags: [a, b\nnext: 1\n---\n", 2, 7, "`[` opened here"),
    "hash-in-brackets": (
        "---\ntitle: x\ntags: [#tag]\n---\n", 3, 7, "`#` after a space starts a comment"),
    "repeated-key": (
        "---\ntitle: A\ntags: [x]\nstatus: done\ntitle: B\n---\n", 5, 1,
        "'title' appears twice (first at line 2)"),
    "repeated-nested-key": (
        "---\nmeta:\n  rating: 4\n  rating: 5\n---\n", 4, 3, "appears twice (first at line 3)"),
    "tab-indentation": (
        "---\nouter:\n\tinner: 1\n---\n", 3, 1, "a tab cannot indent YAML"),
    "control-character": (
        "---\ntitle: ok\nsummary: a\x80b\n---\n", 3, 11, "control character U+0080"),
    "flow-continuation": (
        "---\ntags: [one, two\nthree]\n---\n", 3, 1, "indented past its key"),
    "key-without-colon": (
        "---\ntitle: first\nsecond\n---\n", 3, 1, "has no `key:`"),
}


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    vault = make_vault(tmp_path_factory.mktemp("positions") / "vault",
                       {f"{kind}.md": text for kind, (text, *_) in NOTES.items()})
    by_note: dict[str, list[dict[str, Any]]] = {kind: [] for kind in NOTES}
    for finding in check_json(Path(vault)):
        if finding["rule"] == "yaml-syntax":
            by_note[finding["path"].removesuffix(".md")].append(finding)
    return by_note


@pytest.mark.parametrize("kind", sorted(NOTES))
def test_yaml_syntax_points_where_the_problem_starts(
        kind: str, findings: dict[str, list[dict[str, Any]]]) -> None:
    _, line, column, words = NOTES[kind]
    assert len(findings[kind]) == 1, findings[kind]
    finding = findings[kind][0]
    assert (finding["line"], finding["column"]) == (line, column), finding["message"]
    assert words in finding["message"]
    assert finding["severity"] == "error"
