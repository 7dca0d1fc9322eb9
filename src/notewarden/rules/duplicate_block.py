"""
duplicate-block: a run of lines pasted twice in the same note.

## What it does
Finds a run of at least 3 non-blank lines (outside front-matter and code), holding at least
200 characters, that appears again later in the same note in the same order. Blank lines
inside the run don't break it, and the later copy may have other lines between the repeated
ones: a comment thread copied once early and again later with new replies is one finding.
A single repeated line (a quote attribution, a task listed twice) is never a duplicate.
In a note of more than 200,000 lines only the first 200,000 are looked at, and the search
stops early in a note that repeats itself pathologically (one line over and over).

## Why it matters
Duplicated pastes bloat notes, confuse search results and make readers wonder which copy is
current, especially in transcripts and comment dumps saved more than once.

## Example
```markdown
Great point about scaling.
I disagree about diffusion.
Sample efficiency is the key.

Great point about scaling.
I disagree about diffusion.
> reply: but what about RL?
Sample efficiency is the key.
```

## Use instead
Keep one copy: the one that contains the other.

## Fix
Safe. Deletes the copy that the other contains: when the later copy holds extra lines, the
earlier copy goes; when both are identical, the later one goes. At most one adjoining blank
line goes with it. Nothing else moves.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from notewarden.model import Fix, FixSafety, Problem, Severity
from notewarden.names import newline_of

if TYPE_CHECKING:  # only for annotations: the warm path must not import the parser
    from notewarden.parsing.note import ParsedNote

NAME = "duplicate-block"
SEVERITY = Severity.WARNING
FIX_SAFETY = FixSafety.SAFE
SUMMARY = "A run of 3+ lines (200+ characters) repeated later in the same note."
SCOPE = "note"

MIN_LINES = 3
MIN_CHARS = 200
MAX_GAP = 10  # extra lines allowed between two repeated lines in the later copy
MAX_CANDIDATES = 16  # later occurrences tried per starting line
# Bounds on the work for one note. A note of one line over and over would otherwise cost
# MAX_CANDIDATES * MAX_GAP matching steps a line (minutes for a 30 MB note). The bench
# vaults and the example vault take at most 0.5 steps a line; past the budget the search
# stops with what it has found. Lines past MAX_LINES are not looked at.
STEPS_PER_LINE = 4
MAX_STEPS = 1_000_000
MAX_LINES = 200_000


@dataclass(frozen=True, slots=True)
class ContentLine:
    number: int  # 1-based line number in the note
    start: int  # character offset of the line
    end: int  # character offset just past its newline (or the end of the text)
    key: str  # the line without trailing whitespace


@dataclass(frozen=True, slots=True)
class Duplicate:
    earlier: list[ContentLine]  # the run, in order
    later: list[ContentLine]  # where each line of the run appears again
    later_extra: bool  # the later copy has other lines between the repeated ones


def check(note: ParsedNote, context: Any) -> Iterator[Problem]:
    for duplicate in find_duplicates(note):
        first, last = duplicate.earlier[0], duplicate.earlier[-1]
        again_first, again_last = duplicate.later[0], duplicate.later[-1]
        extra = " (with other lines in between)" if duplicate.later_extra else ""
        span = _removal_span(note, duplicate)
        fix = None
        if span is not None and context.want_fixes:
            which = "earlier" if duplicate.later_extra else "later"
            fix = Fix((note.edit(*span, ""),), FIX_SAFETY, f"delete the {which} copy")
        yield Problem(
            first.number, 1,
            f"lines {first.number}-{last.number} ({len(duplicate.earlier)} lines) appear "
            f"again at lines {again_first.number}-{again_last.number}{extra}",
            fix, fixable=span is not None,
        )


def _removal_span(note: ParsedNote, duplicate: Duplicate) -> tuple[int, int] | None:
    """Character span to delete: the copy the other contains, plus at most one adjoining
    blank line. None when the copy to delete is not made only of its own lines and blank
    lines (for example a code block sits between them): then deleting it could lose text."""
    copy = duplicate.later if not duplicate.later_extra else duplicate.earlier
    text, starts = note.text, note.lines.starts
    first, last = copy[0].number, copy[-1].number
    if _non_blank_lines(note, first, last) != len(copy):
        return None
    start = starts[first - 1]
    end = starts[last] if last < len(starts) else len(text)

    def blank(line: int) -> bool:
        if not 1 <= line <= len(starts):
            return False
        line_end = starts[line] if line < len(starts) else len(text)
        return not text[starts[line - 1] : line_end].strip() and line_end > starts[line - 1]

    if blank(last + 1):
        end = starts[last + 1] if last + 1 < len(starts) else len(text)
    elif blank(first - 1):
        start = starts[first - 2]
    if end == len(text) and not text.endswith("\n") and start > 0:
        # The copy ends the file with no final newline: delete the line break before it
        # instead, so the file still ends without one.
        newline = newline_of(text)
        if text[:start].endswith(newline):
            start -= len(newline)
    return start, end


def _non_blank_lines(note: ParsedNote, first: int, last: int) -> int:
    starts, text = note.lines.starts, note.text
    count = 0
    for line in range(first, last + 1):
        line_end = starts[line] if line < len(starts) else len(text)
        if text[starts[line - 1] : line_end].strip():
            count += 1
    return count


def content_lines(note: ParsedNote) -> list[ContentLine]:
    """Non-blank lines of the body, outside code, math and comments."""
    text = note.text
    out: list[ContentLine] = []
    starts = note.lines.starts
    body_line = note.lines.line_of(note.body_start) if note.body_start else 1
    masked = note.masked
    for index in range(body_line - 1, min(len(starts), body_line - 1 + MAX_LINES)):
        start = starts[index]
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        key = text[start:end].rstrip()
        if key and not masked.contains(start):
            out.append(ContentLine(index + 1, start, end, key))
    return out


def find_duplicates(note: ParsedNote) -> list[Duplicate]:
    if not note.readable or not note.text:
        return []
    # Cheap screen first: a duplicate needs at least MIN_LINES repeated non-blank lines.
    # (All in C: map, count and set, since this runs on every note.)
    body_line = note.lines.line_of(note.body_start) if note.body_start else 1
    stripped = list(map(str.rstrip, note.lines.lines[body_line - 1 : body_line - 1 + MAX_LINES]))
    blanks = stripped.count("")
    distinct_non_blank = len(set(stripped)) - (1 if blanks else 0)
    if len(stripped) - blanks - distinct_non_blank < MIN_LINES:
        return []
    lines = content_lines(note)
    occurrences: dict[str, list[int]] = {}
    for index, line in enumerate(lines):
        occurrences.setdefault(line.key, []).append(index)
    if len(occurrences) == len(lines):
        return []  # no line repeats at all: the common case, and cheap to rule out

    found: list[Duplicate] = []
    budget = [min(STEPS_PER_LINE * len(lines), MAX_STEPS)]
    i = 0
    while i < len(lines) and budget[0] > 0:
        best: tuple[int, list[int]] | None = None
        later_starts = occurrences[lines[i].key]
        first_later = bisect_right(later_starts, i)
        for q in later_starts[first_later : first_later + MAX_CANDIDATES]:
            matched = _extend(lines, occurrences, i, q, budget)
            if best is None or len(matched) > len(best[1]):
                best = (i, matched)
        if best is not None:
            matched = best[1]
            run = lines[i : i + len(matched)]
            # One line over and over (a run of identical lines) is a repeated line, which
            # is never a duplicate block.
            if len(run) >= MIN_LINES and sum(len(line.key) for line in run) >= MIN_CHARS \
                    and len({line.key for line in run}) > 1:
                later = [lines[p] for p in matched]
                extra = _non_blank_lines(note, later[0].number, later[-1].number) > len(later)
                found.append(Duplicate(run, later, extra))
                i += len(run)
                continue
        i += 1
    return found


def _extend(lines: list[ContentLine], occurrences: dict[str, list[int]], i: int,
            q: int, budget: list[int]) -> list[int]:
    """Match lines i, i+1, ... in order at positions q < p1 < p2 ... (small gaps allowed),
    taking steps from `budget`.

    The earlier run must end before the later copy starts.
    """
    matched = [q]
    t, p = i, q
    budget[0] -= 1
    while t + 1 < q and budget[0] > 0:
        budget[0] -= 1
        positions = occurrences[lines[t + 1].key]
        k = bisect_right(positions, p)
        if k == len(positions) or positions[k] - p - 1 > MAX_GAP:
            break
        t, p = t + 1, positions[k]
        matched.append(p)
    return matched
