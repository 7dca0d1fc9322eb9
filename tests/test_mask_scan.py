"""The body scanner finds masked spans (code, math, comments) by trying its regex only
where a match can start (body._mask_matches). It must give exactly what the plain
`finditer` of the same regex gives, on any text and from any line start, but for the two
departures it makes on purpose (which the reference, `_plain`, makes too)."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from notewarden.parsing import body

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
# The characters the mask regex cares about, plus a little prose.
_PIECES = st.sampled_from(["`", "``", "```", "~~~", "$", "$$", "<!--", "-->", "<", "\n",
                           "\n\n", " ", "    ", "\t", "\\", "a", "word ", "- ", "1. ", "#",
                           "\r\n", "!", "[[x]]"])


def _plain(text: str, offset: int) -> list[tuple[int, int, str | None]]:
    """The regex searched from each match's end, as finditer does, and with the two
    departures _mask_matches makes: a code span, math or comment that opens in an ATX
    heading and closes on a later line, or runs from a paragraph onto a quote line, is none
    (a heading is one line, a quote interrupts a paragraph; a code span's backticks are
    then a run of their own); a `$$` line is a math block to the first line
    that ends with `$$` (read here line by line), unless there is none or the line goes on
    a paragraph (a block cannot interrupt one; an HTML comment block, indented code or a
    math block is none): then it is inline math, or none."""
    found: list[tuple[int, int, str | None]] = []
    at = offset
    last_block_end = -1
    while (m := body._MASK_RE.search(text, at)) is not None:
        if m.lastgroup in ("mathblock", "mathopen"):
            block_end = _math_block_end(text, m, last_block_end)
            if block_end is not None:
                found.append((m.start(), block_end, "mathblock"))
                at = block_end
                last_block_end = block_end + 1
                continue
            dollar = text.index("$", m.start())
            m = body._INLINE_MATH_RE.match(text, dollar)
            if m is None:
                at = dollar + 1
                continue
        if m.lastgroup in ("code_span", "math", "comment") and (
                body._opens_past_its_heading(text, m) or body._runs_into_a_quote(text, m)):
            if m.lastgroup != "code_span":  # its `$` or `<` is text
                at = m.start() + 1
                continue
            m = body._BACKTICK_RUN_RE.match(text, m.start())
            assert m is not None
        if m.lastgroup == "comment" and (m.start() == 0 or text[m.start() - 1] == "\n"):
            last_block_end = m.end() + 1  # an HTML block: no paragraph above what follows
        elif m.lastgroup == "indented":  # (code, with no caller to say otherwise)
            last_block_end = m.end()
        found.append((m.start(), m.end(), m.lastgroup))
        at = m.end()
    return found


_CLOSING_LINE = re.compile(r"[^\n]*\$\$" + body._MATH_BLOCK_END)


def _math_block_end(text: str, m: re.Match[str], block_end: int) -> int | None:
    """Where the math block a `$$` line opens ends, read line by line; None: no block.
    `block_end`: where the last comment block or indented code ended, past its line."""
    if block_end != m.start() and body._is_under_paragraph_text(text, m.start()):
        return None
    if m.lastgroup == "mathblock":
        return m.end()
    at = m.end() + 1
    while at <= len(text):
        line_end = text.find("\n", at)
        line_end = len(text) if line_end == -1 else line_end
        if _CLOSING_LINE.fullmatch(text, at, line_end):
            return line_end
        at = line_end + 1
    return None


def _skipping(text: str, offset: int) -> list[tuple[int, int, str | None]]:
    return [(m.start(), m.end(), m.lastgroup) for m in body._mask_matches(text, offset)]


@settings(max_examples=3_000)
@given(st.lists(_PIECES, max_size=60).map("".join), st.integers(0, 40))
@example("# `\n`", 0)  # a heading's backtick: a run of its own, not a span's opening
@example("`\r\n$$$$", 0)  # a `$$` line under paragraph text: inline, here no math
def test_skipping_to_candidates_finds_the_same_matches(text: str, cut: int) -> None:
    offset = text.find("\n", 0, cut) + 1  # the body starts at a line start
    assert _skipping(text, offset) == _plain(text, offset)


def test_the_same_matches_on_the_seed_documents() -> None:
    for seed in sorted(SEEDS.glob("*.txt")):
        text = seed.read_text(encoding="utf-8")
        assert _skipping(text, 0) == _plain(text, 0), seed.name


@settings(max_examples=500)
@given(st.lists(_PIECES, max_size=60).map("".join), st.integers(0, 40), st.integers(1, 9))
def test_candidates_listed_a_window_at_a_time_are_the_same(text: str, cut: int,
                                                            window: int) -> None:
    # Small windows, so that candidates and matches fall across their edges.
    offset = text.find("\n", 0, cut) + 1
    saved = body._CANDIDATE_WINDOW
    body._CANDIDATE_WINDOW = window
    try:
        assert _skipping(text, offset) == _plain(text, offset)
    finally:
        body._CANDIDATE_WINDOW = saved


@given(st.lists(_PIECES, max_size=60).map("".join), st.integers(0, 60), st.integers(0, 60))
def test_the_listed_candidates_are_where_the_candidate_regex_stops(text: str, start: int,
                                                                   length: int) -> None:
    start = min(start, len(text))
    end = start + length
    expected = [m.start() for m in body._MASK_CANDIDATE_RE.finditer(text, start)
                if m.start() < end]
    assert body._candidates(text, start, end) == expected
