"""Nothing in a note can make notewarden's work or memory grow without bound: findings are
capped per rule and note, and the costly searches have budgets. (Speed itself is measured
in bench/, not here: these tests only check that a pathological note finishes and says
what it left out.)"""

from __future__ import annotations

import json

from notewarden.rules import MAX_PROBLEMS_PER_NOTE
from tests.helpers import make_vault, run_cli


def test_findings_are_capped_per_rule_and_note_with_a_count_of_the_rest(tmp_path) -> None:
    links = " ".join(f"[[Missing {i}]]" for i in range(MAX_PROBLEMS_PER_NOTE + 500))
    vault = make_vault(tmp_path / "v", {"Many.md": links + "\n", "Few.md": "[[Gone]]\n"})
    result = run_cli("check", vault, "--format", "json", "--no-cache")
    findings = json.loads(result.stdout)["findings"]
    many = [f for f in findings if f["path"] == "Many.md"]
    assert len(many) == MAX_PROBLEMS_PER_NOTE + 1
    assert many[-1]["message"] == ("and 500 more broken-link finding(s) in this note (only "
                                   "the first 1,000 are listed)")
    assert [f["message"] for f in findings if f["path"] == "Few.md"] == [
        "[[Gone]]: no note named 'Gone'"]


def test_a_note_of_one_line_over_and_over_is_checked_in_bounded_time(tmp_path) -> None:
    """duplicate-block's search has a budget: such a note once took minutes per MB."""
    vault = make_vault(tmp_path / "v", {
        "Same.md": "a\n" * 1_000_000,
        "Pairs.md": ("first line, long enough to count as text for the duplicate rule\n"
                     "second line, long enough to count as text for the duplicate rule\n")
        * 50_000,
    })
    result = run_cli("check", vault, "--format", "json", "--no-cache", timeout=60)
    assert result.returncode in (0, 1), result.stderr
    rules = {f["path"]: f["rule"] for f in json.loads(result.stdout)["findings"]}
    assert rules.get("Pairs.md") == "duplicate-block"
    assert "Same.md" not in rules
