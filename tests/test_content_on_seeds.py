"""duplicate-block and mojibake on the real seed documents, plus their edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import SEEDS, lint, make_vault, rules_at


def seed(number: str) -> bytes:
    return next(SEEDS.glob(f"{number}_*.txt")).read_bytes()


def test_seed_findings(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {f"{n}.md": seed(n) for n in ("000", "001", "002",
                                                                     "003", "004")})
    found = lint(vault)
    (duplicate,) = [f for f in found if f.rule == "duplicate-block"]
    assert (duplicate.path, duplicate.line) == ("003.md", 2)
    assert "lines 2-48" in duplicate.message and "49-" in duplicate.message
    # 002 repeats its quote attributions on purpose: a single repeated line is no duplicate.
    assert rules_at(found, "mojibake") == [("000.md", 36, 446)]


LONG = "This line is long enough that three of them pass the two hundred characters bar. "


@pytest.mark.parametrize(("body", "expected"), [
    ("- [ ] call Bob\nother\n- [ ] call Bob\n", []),
    (f"{LONG}\nx\n{LONG}\n", []),
    ("short a\nshort b\nshort c\nmid\nshort a\nshort b\nshort c\n", []),
    (f"{LONG}1\n{LONG}2\n{LONG}3\nmid\n{LONG}1\n{LONG}2\n{LONG}3\n", [1]),
    (f"{LONG}1\n\n{LONG}2\n\n{LONG}3\nmid\n{LONG}1\n{LONG}2\nnew reply\n{LONG}3\n", [1]),
    (f"```\n{LONG}1\n{LONG}2\n{LONG}3\n```\n{LONG}1\n{LONG}2\n{LONG}3\n", []),
    (f"{LONG}1\n{LONG}2\n{LONG}3\nmid\n{LONG}1\n{LONG}2\n{LONG}3\n\n"
     f"{LONG}a\n{LONG}b\n{LONG}c\nmid2\n{LONG}a\n{LONG}b\n{LONG}c\n", [1, 9]),
])
def test_duplicate_block_cases(tmp_path: Path, body: str, expected: list[int]) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": body})
    assert [line for _path, line, _col in rules_at(lint(vault), "duplicate-block")] == expected


def test_front_matter_is_not_part_of_a_duplicate(tmp_path: Path) -> None:
    fm = "".join(f"k{i}: {LONG}\n" for i in range(3))
    vault = make_vault(tmp_path / "v", {"A.md": f"---\n{fm}---\n" + fm})
    assert rules_at(lint(vault), "duplicate-block") == []


@pytest.mark.parametrize(("text", "bad"), [
    ("Curly “quotes” — dashes, café, 日本語 and 🚀 are fine\n", False),
    ("It was Ã©tÃ© again\n", True),
    ("don’t â€™ do this\n", True),
    ("```\nâ€” in code is left alone\n```\n", False),
])
def test_mojibake_cases(tmp_path: Path, text: str, bad: bool) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": text})
    assert bool(rules_at(lint(vault), "mojibake")) == bad
