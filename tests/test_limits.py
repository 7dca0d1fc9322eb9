"""Nothing in a note can make notewarden's work or memory grow without bound: findings are
capped per rule and note, and the costly searches have budgets. (Speed itself is measured
in bench/, not here: these tests only check that a pathological note finishes and says
what it left out.)"""

from __future__ import annotations

import json
from pathlib import Path

from notewarden.parsing.front_matter import MAX_FRONT_MATTER_CHARS
from notewarden.parsing.note import MAX_LINES, MAX_MARKERS
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
        "Same.md": "a\n" * 150_000,
        "Pairs.md": ("first line, long enough to count as text for the duplicate rule\n"
                     "second line, long enough to count as text for the duplicate rule\n")
        * 50_000,
    })
    result = run_cli("check", vault, "--format", "json", "--no-cache", timeout=60)
    assert result.returncode in (0, 1), result.stderr
    rules = {f["path"]: f["rule"] for f in json.loads(result.stdout)["findings"]}
    assert rules.get("Pairs.md") == "duplicate-block"
    assert "Same.md" not in rules


def test_math_block_openings_that_never_close_are_scanned_in_bounded_time(tmp_path) -> None:
    """Each `$$x` line opens a math block that no later line closes: looking ahead for
    the closing line from each one took 234 s on these 200 KB."""
    vault = make_vault(tmp_path / "v", {"Math.md": "$$x\n" * 50_000 + "\n[[Missing]]\n"})
    result = run_cli("check", vault, "--format", "json", "--no-cache", timeout=60)
    assert [(f["rule"], f["line"]) for f in json.loads(result.stdout)["findings"]] == [
        ("broken-link", 50_002)]


def test_a_note_too_dense_to_scan_is_reported_and_the_others_are_still_checked(
        tmp_path) -> None:
    """Millions of links or lines in one note once cost gigabytes (31 MB of `[[a]] `: 3.2
    GB); past the limits the note is reported unreadable instead of scanned."""
    vault = make_vault(tmp_path / "v", {
        "Links.md": "[[a]] " * (MAX_MARKERS + 1),
        "Lines.md": "a\n" * MAX_LINES,
        "Just under.md": "[[Gone]] " + "x\n" * (MAX_LINES - 2),
        "Fine.md": "[[Missing]]\n",
    })
    result = run_cli("check", vault, "--format", "json", "--no-cache", timeout=60)
    by_path = {}
    for finding in json.loads(result.stdout)["findings"]:
        by_path.setdefault(finding["path"], []).append((finding["rule"], finding["message"]))
    assert by_path["Links.md"] == [("unreadable", (
        f"note has more than {MAX_MARKERS:,} links, headings, tags and code or math "
        "markers; not checked"))]
    assert by_path["Lines.md"] == [("unreadable", (
        f"note has {MAX_LINES + 1:,} lines, over the {MAX_LINES:,}-line limit; not checked"))]
    assert by_path["Just under.md"] == [("broken-link", "[[Gone]]: no note named 'Gone'")]
    assert by_path["Fine.md"] == [("broken-link", "[[Missing]]: no note named 'Missing'")]


def test_front_matter_over_the_limit_is_not_parsed_but_the_body_is_checked(tmp_path) -> None:
    """Composed YAML costs about a kilobyte a value: 26 MB of one flow mapping took 3.5 GB."""
    flow = "{" + "a: 1, " * (MAX_FRONT_MATTER_CHARS // 6 + 1) + "}"
    vault = make_vault(tmp_path / "v", {"Big.md": f"---\n{flow}\n---\n[[Missing]]\n"})
    result = run_cli("check", vault, "--format", "json", "--no-cache", timeout=60)
    findings = [(f["rule"], f["line"], f["message"])
                for f in json.loads(result.stdout)["findings"]]
    size = len(flow) + 1
    assert findings == [
        ("yaml-syntax", 2, f"front-matter is {size // 1024:,} KB, over the "
                           f"{MAX_FRONT_MATTER_CHARS // 1024} KB limit; it was not read"),
        ("broken-link", 4, "[[Missing]]: no note named 'Missing'"),
    ]


def test_deeply_nested_quotes_with_backticks_do_not_backtrack(tmp_path: Path) -> None:
    """`> > > ... ```` lines: the heading test of a code span (`_ATX_LINE_RE`) once matched
    each `> ` two ways, so 19 levels took minutes for a few hundred lines. Now a check of
    1,000 such lines finishes (run_cli's timeout is the hang guard, not a speed target)."""
    vault = make_vault(tmp_path / "v", {"N.md": ("> " * 19 + "```\n") * 1000})
    result = run_cli("check", vault, "--no-cache", timeout=60)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr


def test_many_unclosed_inline_comments_in_one_paragraph_finish(tmp_path: Path) -> None:
    """`x <!--` on every line: each inline comment used to read on to the paragraph's end
    looking for `-->` (4,000 lines took 4.7 s, 100,000 would take hours). Now the first
    that cannot close makes the scan skip the rest of its paragraph's. The link after the
    paragraph is still checked."""
    text = "x <!--\n" * 100_000 + "\n[[Missing]]\n"
    vault = make_vault(tmp_path / "v", {"N.md": text})
    result = run_cli("check", vault, "--no-cache", "--format", "json", timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert '"broken-link"' in result.stdout
