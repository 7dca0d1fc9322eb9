"""Content rules on the real seed documents and their edge cases: duplicate-block,
mojibake, and (for text that is fine) encoding. Real files in temporary vaults."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import SEEDS, lint, make_vault, rules_at


def seed(number: str) -> bytes:
    return next(SEEDS.glob(f"{number}_*.txt")).read_bytes()


FindingsOf = Callable[[str, str], list[Any]]
DuplicateLines = Callable[[str], list[int]]


@pytest.fixture
def findings_of(tmp_path: Path) -> FindingsOf:
    """findings_of(text, rule): lint a fresh one-note vault holding `text` as A.md; the
    findings of `rule`."""
    vaults = itertools.count()

    def run(text: str, rule: str) -> list[Any]:
        vault = make_vault(tmp_path / f"v{next(vaults)}", {"A.md": text})
        return [f for f in lint(vault) if f.rule == rule]

    return run


@pytest.fixture
def duplicate_lines(findings_of: FindingsOf) -> DuplicateLines:
    """duplicate_lines(text): the line of each duplicate-block finding."""
    return lambda text: [f.line for f in findings_of(text, "duplicate-block")]


# --- duplicate-block ------------------------------------------------------------------------

# Each is 85 characters with its suffix digit: three of them make 255 (over the 200 bar).
LONG = "This line is long enough that three of them pass the two hundred characters bar. "
A, B, C = LONG + "1", LONG + "2", LONG + "3"
D, E, F = LONG + "4", LONG + "5", LONG + "6"


def test_seed_003_comment_thread_pasted_twice_is_one_duplicate(tmp_path: Path) -> None:
    raw = seed("003")
    lines = raw.decode("utf-8").split("\n")
    assert lines[1] == lines[48]  # the premise: the thread starts again at line 49
    vault = make_vault(tmp_path / "v", {"Comments/003.md": raw})
    found = lint(vault)
    duplicates = [f for f in found if f.rule == "duplicate-block"]
    assert len(duplicates) == 1, duplicates
    (duplicate,) = duplicates
    assert (duplicate.path, duplicate.line, duplicate.column) == ("Comments/003.md", 2, 1)
    assert duplicate.severity == "warning"
    assert "lines 2-48" in duplicate.message
    assert re.search(r"\b49-\d+", duplicate.message), duplicate.message
    assert duplicate.fixable


def test_seed_002_repeated_attributions_are_not_duplicates(tmp_path: Path) -> None:
    raw = seed("002")
    text = raw.decode("utf-8")
    attribution = "> — Kenia, [4:04](https://www.youtube.com/watch?v=bjNQoo73gK4&t=244s)"
    assert text.count(attribution) >= 2  # the premise: the same line, on purpose, twice
    vault = make_vault(tmp_path / "v", {"Videos/002.md": raw})
    assert rules_at(lint(vault), "duplicate-block") == []


@pytest.mark.parametrize("number", ["000", "001", "002", "004"])
def test_other_seeds_have_no_duplicate_block(tmp_path: Path, number: str) -> None:
    vault = make_vault(tmp_path / "v", {f"{number}.md": seed(number)})
    assert rules_at(lint(vault), "duplicate-block") == []


@pytest.mark.parametrize("text", [
    "- [ ] call Bob\n- [ ] call Bob\n",
    "- [ ] call Bob\nsomething\n- [ ] call Bob\nelse\n- [ ] call Bob\n",
    "# Tasks\n- [ ] call Bob\n- [ ] call Bob\n- [ ] call Bob\n- [ ] call Bob\n",
], ids=["twice", "three-times-apart", "four-in-a-row"])
def test_a_task_listed_twice_is_not_a_duplicate(text: str, duplicate_lines: DuplicateLines) -> None:
    assert duplicate_lines(text) == []


@pytest.mark.parametrize("text", [
    f"{A}\nmiddle\n{A}\n",
    f"{A * 4}\nmiddle\n{A * 4}\nend\n{A * 4}\n",
], ids=["twice", "very-long-three-times"])
def test_a_single_repeated_long_line_is_not_a_duplicate(text: str,
        duplicate_lines: DuplicateLines) -> None:
    assert duplicate_lines(text) == []


def test_one_long_line_many_times_in_a_row_is_not_a_duplicate(
        duplicate_lines: DuplicateLines) -> None:
    # Lines 1-3 equal lines 4-6, but the "run" is one line repeated: the rule's own
    # documentation says a single repeated line is never a duplicate.
    assert duplicate_lines(f"{A}\n" * 6) == []


def test_a_short_three_line_run_is_not_a_duplicate(duplicate_lines: DuplicateLines) -> None:
    run = "alpha one\nbeta two\ngamma three\n"
    assert len(run) < 200
    assert duplicate_lines(f"{run}middle\n{run}") == []


def test_two_long_lines_repeated_are_not_a_duplicate(duplicate_lines: DuplicateLines) -> None:
    two = f"{A * 2}\n{B * 2}\n"  # 340 characters, but only 2 lines
    assert duplicate_lines(f"{two}middle\n{two}") == []


def _three_lines_totalling(total: int) -> str:
    first = "x" * (total - 2 * 60)
    return f"{first}\n{'y' * 60}\n{'z' * 60}\n"


def test_the_200_character_bar_is_inclusive(duplicate_lines: DuplicateLines) -> None:
    assert duplicate_lines(f"{_three_lines_totalling(199)}middle\n"
                           f"{_three_lines_totalling(199)}") == []
    assert duplicate_lines(f"{_three_lines_totalling(200)}middle\n"
                           f"{_three_lines_totalling(200)}") == [1]


def test_a_long_three_line_run_repeated_identically_is_a_duplicate(findings_of: FindingsOf) -> None:
    text = f"# Title\n\nintro\n{A}\n{B}\n{C}\nmiddle\n{A}\n{B}\n{C}\n"
    (finding,) = findings_of(text, "duplicate-block")
    assert (finding.line, finding.column) == (4, 1)  # the first copy's first line
    assert finding.severity == "warning"
    assert "lines 4-6" in finding.message and "8-10" in finding.message
    assert "in between" not in finding.message


def test_a_duplicate_right_after_the_first_copy_is_found(duplicate_lines: DuplicateLines) -> None:
    assert duplicate_lines(f"{A}\n{B}\n{C}\n{A}\n{B}\n{C}\n") == [1]


def test_blank_lines_inside_the_run_do_not_break_it(findings_of: FindingsOf) -> None:
    text = f"{A}\n\n{B}\n\n\n{C}\n\nmiddle\n\n{A}\n{B}\n{C}\n"
    (finding,) = findings_of(text, "duplicate-block")
    assert finding.line == 1
    assert "lines 1-6" in finding.message


def test_a_later_copy_with_extra_lines_in_between_still_counts(findings_of: FindingsOf) -> None:
    text = f"{A}\n{B}\n{C}\nmiddle\n{A}\n> reply: a new line\n{B}\nanother reply\n{C}\n"
    (finding,) = findings_of(text, "duplicate-block")
    assert finding.line == 1
    assert "lines 1-3" in finding.message and "5-9" in finding.message
    assert "in between" in finding.message


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_line_endings_and_trailing_spaces_do_not_hide_a_duplicate(newline: str,
        duplicate_lines: DuplicateLines) -> None:
    text = newline.join([A, B, C, "middle", A + "  ", B + "\t", C]) + newline
    assert duplicate_lines(text) == [1]


@pytest.mark.parametrize("text", [
    f"```\n{A}\n{B}\n{C}\n```\n\n```\n{A}\n{B}\n{C}\n```\n",
    f"```text\n{A}\n{B}\n{C}\n```\n{A}\n{B}\n{C}\n",
    f"{A}\n{B}\n{C}\n~~~\n{A}\n{B}\n{C}\n~~~\n",
    f"````\n{A}\n{B}\n{C}\n```\n{A}\n{B}\n{C}\n````\n",  # a longer fence holds a short one
], ids=["both-in-code", "first-in-code", "second-in-tilde-code", "nested-fences"])
def test_runs_inside_fenced_code_are_ignored(text: str, duplicate_lines: DuplicateLines) -> None:
    assert duplicate_lines(text) == []


def test_front_matter_is_not_part_of_a_duplicate(duplicate_lines: DuplicateLines) -> None:
    properties = f"a: {A}\nb: {B}\nc: {C}\n"
    assert duplicate_lines(f"---\n{properties}---\n{properties}") == []


def test_a_duplicate_after_front_matter_has_note_line_numbers(
        duplicate_lines: DuplicateLines) -> None:
    text = f"---\ntitle: T\ntags: [x]\n---\n{A}\n{B}\n{C}\nmiddle\n{A}\n{B}\n{C}\n"
    assert duplicate_lines(text) == [5]


def test_two_separate_duplicated_runs_give_two_findings(findings_of: FindingsOf) -> None:
    text = (f"{A}\n{B}\n{C}\nmiddle\n{A}\n{B}\n{C}\n\n"  # lines 1-7
            f"{D}\n{E}\n{F}\nmiddle two\n{D}\n{E}\n{F}\n")  # lines 9-15
    found = findings_of(text, "duplicate-block")
    assert [f.line for f in found] == [1, 9]
    assert "lines 1-3" in found[0].message and "lines 9-11" in found[1].message


def test_a_run_repeated_in_a_different_order_is_not_a_duplicate(
        duplicate_lines: DuplicateLines) -> None:
    assert duplicate_lines(f"{A}\n{B}\n{C}\nmiddle\n{C}\n{B}\n{A}\n") == []


def test_a_partial_repeat_shorter_than_three_lines_is_not_a_duplicate(
        duplicate_lines: DuplicateLines) -> None:
    assert duplicate_lines(f"{A}\n{B}\n{C}\nmiddle\n{A}\n{B}\nsomething else\n") == []


# --- mojibake -------------------------------------------------------------------------------


def test_seed_000_mojibake_is_found_at_the_bad_characters(tmp_path: Path) -> None:
    text = seed("000").decode("utf-8")
    line_text = text.split("\n")[35]  # line 36
    assert "â€”" in line_text  # the premise
    vault = make_vault(tmp_path / "v", {"Sources/000.md": seed("000")})
    found = [f for f in lint(vault) if f.rule == "mojibake"]
    assert [(f.path, f.line) for f in found] == [("Sources/000.md", 36)]
    (finding,) = found
    assert finding.severity == "warning"
    assert finding.column == line_text.index("â€”") + 1
    assert line_text[finding.column - 1 : finding.column + 2] == "â€”"
    assert "â€”" in finding.message


@pytest.mark.parametrize("number", ["001", "002", "003", "004"])
def test_other_seeds_have_no_mojibake(tmp_path: Path, number: str) -> None:
    vault = make_vault(tmp_path / "v", {f"{number}.md": seed(number)})
    assert rules_at(lint(vault), "mojibake") == []


@pytest.mark.parametrize("text", [
    "Economic diffusion lag is “cope”—if these were true AGI — they’d integrate faster.\n",
    "Curly “double” and ‘single’ quotes, an ellipsis… and an en dash – too.\n",
    "Accents: café, naïve, résumé, Zürich, straße, façade, Ångström, São Paulo, Łódź.\n",
    "CJK: 日本語のテキスト、中文文本，한국어 텍스트。\n",
    "Emoji: 🚀🎉👍🏽 👩‍💻 ❤️ and flags 🇫🇷🇯🇵\n",
    "Symbols: €100, £5, ©2025, ®, ™, 25 °C, ±1, ×÷, ½, «guillemets», ¿qué? ¡sí!\n",
    "Other scripts: Привет, Ελληνικά, עברית, العربية, हिन्दी\n",
    "---\ntitle: “Scaling” — what’s next?\naliases: [Café]\n---\n# Café — “notes” 🚀\n",
], ids=["em-dash", "quotes", "accents", "cjk", "emoji", "symbols", "scripts", "front-matter"])
def test_correct_text_is_not_mojibake(text: str, findings_of: FindingsOf) -> None:
    assert findings_of(text, "mojibake") == []


@pytest.mark.parametrize(("text", "bad"), [
    ("It was Ã©tÃ© again.\n", "Ã©"),
    ("I donâ€™t know.\n", "â€™"),
    ("Economic diffusion lag is \"cope\"â€”if these were true AGI\n", "â€”"),
    ("â€œquotedâ€\x9d\n", "â€œ"),
])
def test_mojibake_is_caught_with_a_column_at_the_bad_characters(text: str, bad: str,
        findings_of: FindingsOf) -> None:
    (finding,) = findings_of(text, "mojibake")
    assert finding.line == 1
    assert finding.column == text.index(bad) + 1
    assert finding.severity == "warning"


@pytest.mark.parametrize("text", ["CafÃ© au lait\n", "The SÃ£o Paulo office\n",
                                  "a naÃ¯ve reading\n"])
def test_mojibake_column_is_at_the_bad_characters_not_the_letter_before(
        text: str, findings_of: FindingsOf) -> None:
    # `Ã` is where the damage starts, even when a plain letter comes right before it.
    (finding,) = findings_of(text, "mojibake")
    assert finding.column == text.index("Ã") + 1, finding


def test_mojibake_line_numbers_count_every_line(findings_of: FindingsOf) -> None:
    text = "first\r\n\r\nthird has donâ€™t\r\n"
    (finding,) = findings_of("\ufeff" + text, "mojibake")
    assert (finding.line, finding.column) == (3, len("third has don") + 1)


def test_mojibake_after_correct_non_ascii_on_the_same_line(findings_of: FindingsOf) -> None:
    text = "日本語 café — “ok” " * 5 + "but donâ€™t\n"
    (finding,) = findings_of(text, "mojibake")
    assert finding.column == text.index("â€™") + 1


def test_one_finding_per_mojibake_line(findings_of: FindingsOf) -> None:
    text = "Ã©tÃ© and donâ€™t on one line\nclean line\nand CafÃ© here\n"
    assert [f.line for f in findings_of(text, "mojibake")] == [1, 3]


@pytest.mark.parametrize("text", [
    "——\nâ€” starts the next line\n",
    "日本語 ends here 語語\nðŸ˜€ starts the next line\n",
    "a line ending in two non-ASCII characters: é—\r\nâ€™ starts the next line\r\n",
], ids=["dashes", "cjk", "crlf"])
def test_mojibake_is_reported_on_its_own_line_not_the_one_before(
        text: str, findings_of: FindingsOf) -> None:
    # A pair of non-ASCII characters ending a line is screened; ftfy's detector must look
    # only within that line, not into the damage that opens the next one.
    (finding,) = findings_of(text, "mojibake")
    assert (finding.line, finding.column) == (2, 1), finding


@pytest.mark.parametrize("text", [
    "```\nâ€” in code is left alone\nÃ©tÃ©\n```\n",
    "~~~text\ndonâ€™t\n~~~\n",
    "Intro\n\n```python\nprint('Ã©tÃ©')\n```\n\nOutro\n",
], ids=["backticks", "tildes", "with-language"])
def test_mojibake_inside_fenced_code_is_ignored(text: str, findings_of: FindingsOf) -> None:
    assert findings_of(text, "mojibake") == []


def test_mojibake_after_a_code_block_is_still_found(findings_of: FindingsOf) -> None:
    text = "```\nÃ©tÃ© in code\n```\nÃ©tÃ© outside\n"
    assert [f.line for f in findings_of(text, "mojibake")] == [4]


# --- encoding -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "\ufeff# Title\n\nPlain text.\n",
    "\ufeff---\ntitle: Café\n---\n# Café — “notes” 日本語 🚀\n",
    "\ufeff# CRLF\r\nwith a BOM\r\n",
], ids=["ascii", "non-ascii", "crlf"])
def test_valid_utf8_with_a_bom_is_not_an_encoding_error(tmp_path: Path, text: str) -> None:
    raw = text.encode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbf")
    vault = make_vault(tmp_path / "v", {"Bom.md": raw})
    assert lint(vault) == []


def test_invalid_utf8_is_an_encoding_error(tmp_path: Path) -> None:  # the positive case
    vault = make_vault(tmp_path / "v", {"Bad.md": b"# caf\xe9\n",
                                        "Bom2.md": b"\xef\xbb\xbfok\ncaf\xe9\n"})
    assert rules_at(lint(vault), "encoding") == [("Bad.md", 1, 6), ("Bom2.md", 2, 4)]


def test_invalid_utf8_after_a_bom_is_located_without_the_bom(tmp_path: Path) -> None:
    # The BOM is not a character of the line (every other rule drops it before counting
    # columns): the bad byte is the 6th character of line 1, as in the same note without it.
    vault = make_vault(tmp_path / "v", {"Bad.md": b"\xef\xbb\xbf# caf\xe9\n"})
    assert rules_at(lint(vault), "encoding") == [("Bad.md", 1, 6)]


def test_mojibake_detection_uses_ftfys_own_pattern_without_its_package_init() -> None:
    # Detection loads ftfy/badness.py on its own (ftfy's package init costs 70 ms of a
    # staged check); it must be ftfy's pattern, and must not pose as ftfy.badness.
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from notewarden.rules.mojibake import _badness_re\n"
        "pattern = _badness_re()\n"
        "assert 'ftfy' not in sys.modules and 'ftfy.badness' not in sys.modules\n"
        "assert pattern.search('caf\\u00c3\\u00a9') and not pattern.search('caf\\u00e9')\n"
        "import ftfy.badness\n"
        "assert ftfy.badness.BADNESS_RE.pattern == pattern.pattern\n"
        "assert ftfy.fix_encoding('caf\\u00c3\\u00a9') == 'caf\\u00e9'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
