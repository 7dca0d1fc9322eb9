"""Scan a note's Markdown for the things Obsidian indexes: links, headings, block ids, tags.

Nothing inside fenced code, indented code, inline code, math (`$...$`, `$$...$$`) or HTML
comments is indexed, and a backslash-escaped character opens none of them (nor `\\[[` a
link). Inside a blockquote or callout, whose every line starts with `>`, a fence, comment
block or indented code is masked as CommonMark reads the quote's content, at any depth of `>`; a
fence inside a list item belongs to the item whose content column it sits at, and ends at
its closing fence or at the item's end.
Where they start and end follows CommonMark, held to markdown-it-py by
tests/test_commonmark_oracle.py (the differences it allows: tests/oracle/commonmark/).

Obsidian comments (`%% ... %%`) are NOT masked: Obsidian's metadata cache keeps the links
and tags inside them and drops those inside `<!-- -->`, as the CachedMetadata that
obsidian-tasks recorded from Obsidian shows (tests/Obsidian/__test_data__/
comments_markdown_style.json and comments_html_style.json in
github.com/obsidian-tasks-group/obsidian-tasks); backlinks and the graph are built from that
cache, so notewarden checks them too. That is also where inline suppressions
(`%% notewarden: ignore RULE %%`) live.

The scan works on the whole text with a few C-level regex passes and a sorted list of
masked spans, rather than a Python loop over characters, so it stays fast on big vaults.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from functools import partial
from itertools import accumulate
from typing import Any
from urllib.parse import unquote

from notewarden.model import ALL_RULES_MARK, BacklinksBlock, Heading, Link, LinkKind

# A line break inside a paragraph: not a blank line, and no line that starts another block
# (list item, heading, fence, setext underline, table row, HTML comment). An inline code
# span or comment stays within its paragraph.
_STARTS_ANOTHER_BLOCK = r"""[ \t]*\n|[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]|\|
    |\ {0,3}(?:\#{1,6}[ \t\n]|`{3,}[^`\n]*(?:\n|\Z)|~~~|=+[ \t]*\n|-+[ \t]*\n|<!--)"""
_PARAGRAPH_GOES_ON = r"\n(?!" + _STARTS_ANOTHER_BLOCK + ")"
# Where the paragraph ends: the line break _PARAGRAPH_GOES_ON does not step over.
_PARAGRAPH_END_RE = re.compile(r"\n(?=" + _STARTS_ANOTHER_BLOCK + ")", re.VERBOSE)

# markdown-it's whitespace (isWhiteSpace: Zs and \t\n\v\f\r), which dollarmath's single
# `$` may not have inside it next to either dollar.
_MD_SPACE = r"\t\n\v\f\r\x20\xa0\u1680\u2000-\u200a\u202f\u205f\u3000"
# A character of inline math: not an unescaped `$` (a backslash takes the character after it
# along, as dollarmath counts backslashes), and a line break only within the paragraph.
_MATH_CHAR = r"(?:[^$\\\n]|\\[^\n]|\\(?=\n)|" + _PARAGRAPH_GOES_ON + ")"
# What may follow the `$$` that closes a math block on its line: a label `(eq1)`, spaces.
_MATH_LABEL = r"[^\S\n]*\([^)$\r\n]+\)"
_MATH_BLOCK_END = r"(?:" + _MATH_LABEL + r")?[^\S\n]*(?=\n|\Z)"

# One alternation, scanned left to right: whichever construct opens first wins, so a
# backtick inside a fence or a fence inside an HTML comment is handled as Markdown does.
# The rules are CommonMark's, held to it by tests/test_commonmark_oracle.py.
_MASK_PARTS = {
    # A backtick fence's info string holds no backtick (```` ``` a ``` ```` is a code
    # span). A fence runs to its closing fence (of its own character only), else to the
    # note's end. (Fences inside list items, which end with their item, are found and
    # blanked before this scan: _list_item_code.)
    "fence": r"""(?P<fence>^\ {0,3}(?P<fchar>`{3,}(?![^\n]*`)|~{3,})[^\n]*(?:\n[^\n]*)*?
        (?:\n\ {0,3}(?P=fchar)(?:(?<=`)`*|(?<=~)~*)[ \t]*(?=\n|\Z)|\Z))""",
    # A backslash escape is literal text: `\`` opens no code span, `\<!--` no comment.
    # Matched only to be stepped over; not masked.
    "escape": r"(?P<escape>\\[\\`$<\[\]])",
    # At a line's start (a tab there is indented code), an HTML block: to the end of the
    # line with `-->`, or of the note. Inline, a comment closes within its paragraph (as a
    # code span does) or is no comment. `<!-->` and `<!--->` are whole comments (CommonMark 0.31.2).
    "comment": r"""(?P<comment>^\ {0,3}(?:<!---?>|<!--.*?(?:-->|\Z))[^\n]*
        |<!---?>|<!--(?:[^\n]|""" + _PARAGRAPH_GOES_ON + r""")*?-->)""",
    # A `$$` math block (dollarmath's rules, the oracle's; blank lines allowed): closed on
    # its own line where that line ends with `$$` (or `$$ (label)`); else by the first later
    # line that ends so; with no such line, or another `$$` inside its first line, no block
    # (the `$$` is then inline math's). Under a paragraph line it is the paragraph's.
    # `mathopen` is the first line of one that closes later: _mask_matches finds where
    # (a regex that looked ahead for it would read to the note's end from each `$$x` line).
    "mathblock": r"""(?P<mathblock>^\ {0,3}\$\$(?:
        [^\n]*\$\$""" + _MATH_BLOCK_END + "|" + _MATH_LABEL + r"""[^\S\n]*(?=\n|\Z)))
        |(?P<mathopen>^\ {0,3}\$\$(?:[^$\n]|\$(?!\$))*(?=\n))""",
    # Indented lines (after a blank line, or at a line start: _is_indented_code decides).
    # Four columns: four spaces, a tab, or up to three spaces and a tab.
    # Its first line is not blank: a line of spaces alone is a blank line.
    "indented": r"""(?P<indented>(?:\A|(?<=\n))(?:[ \t]*\n)?
        (?P<code>(?:\ {4}|\ {0,3}\t)[ \t]*[^\s][^\n]*(?:\n|\Z)(?:[ \t]*\n)*
        (?:(?:\ {4}|\ {0,3}\t)[^\n]*(?:\n|\Z)(?:[ \t]*\n)*)*))""",
    # A code span stays within its paragraph.
    "code_span": r"""(?P<code_span>(?P<ticks>`+)(?!`)
        (?:[^\n]|""" + _PARAGRAPH_GOES_ON + r""")*?
        (?<!`)(?P=ticks)(?!`))""",
    # A run of backticks that opens no code span is literal text, all of it: stepped over
    # whole, so no span opens in its middle (as none opens after `\``'s backtick).
    "backticks": r"(?P<backticks>`+)",
    # Inline math, as dollarmath reads it (no digit before the opening `$` or after the
    # closing one; no space inside a single `$`): `$$` to the first unescaped `$$`, else `$`
    # to the first unescaped `$`, within the paragraph; where that one cannot close, none
    # does. (An escaped `\$` never opens: the escape alternative steps over it.)
    # (The `$` comes first, the digit before it is looked back at after it: a pattern that
    # opens with a literal fails at once where there is none.)
    "math": r"(?P<math>\$(?<!\d\$)(?:\$(?:" + _MATH_CHAR + r"|\$(?!\$))+\$\$(?!\d)"
            r"|(?=[^$" + _MD_SPACE + "])" + _MATH_CHAR
            + r"*(?<![" + _MD_SPACE + r"])\$(?!\d)))",
}
_STEPPED_OVER = frozenset({"escape", "backticks"})
_BACKTICK_RUN_RE = re.compile(_MASK_PARTS["backticks"])
_MASK_FLAGS = re.MULTILINE | re.DOTALL | re.VERBOSE
_MASK_RE = re.compile("|".join(_MASK_PARTS.values()), _MASK_FLAGS)
_INLINE_MATH_RE = re.compile(_MASK_PARTS["math"], _MASK_FLAGS)
# A line that can close a math block: where it ends. (Starts with a literal: fast to find.)
_MATH_CLOSE_RE = re.compile(r"\$\$" + _MATH_BLOCK_END)
# A math block from its first line to the end of its closing line, as a match of its own.
_MATH_BLOCK_SPAN_RE = re.compile(r"(?P<mathblock>.+)", re.DOTALL)
_MATH_BLOCK_GROUPS = frozenset({"mathblock", "mathopen"})
# The same without indented code: for the inside of a list item's indented continuation.
_MASK_NO_INDENT_RE = re.compile(
    "|".join(part for name, part in _MASK_PARTS.items() if name != "indented"), _MASK_FLAGS)
_LIST_OR_INDENT_RE = re.compile(r"[ \t]*(?:[-*+]|\d+[.)])[ \t]|(?: {4}| {0,3}\t)")

# Patterns start with a literal (never an optional group or `^`) so the regex engine can
# jump between candidates; that alone makes them about ten times faster. The `!` of an
# embed is checked in Python.
# `[[inner]]` with the inner text split by the regex itself: the target up to the first
# `#` or `|`, then the subpath from that `#` up to the first `|`, then the display text
# after that `|` (see parse_wikilink_inner). The same spans as `\[\[([^\[\]\n]+)\]\]`.
_WIKILINK_RE = re.compile(
    r"\[\[(?=[^\]])([^\[\]\n#|]*)(?:#([^\[\]\n|]*))?(?:\|([^\[\]\n]*))?\]\]")
_MD_LINK_RE = re.compile(
    r"\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*(<[^<>\n]+>|[^\s()<>]+(?:\([^\s()]*\)[^\s()<>]*)*)"
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"
)
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# From the first `#` (a literal, for speed as above); the indent before it is checked in
# Python. A heading's hashes: group 1 holds those after the first.
_ATX_RE = re.compile(r"#(#{0,5})[ \t]+([^\n]*)")
_INDENT_CHARS = " \t"
_ATX_CLOSING_RE = re.compile(r"(?:[ \t]+#+)?[ \t]*\r?$")
_MAY_CLOSE = frozenset("# \t\r")  # a heading text's last character, if it has a closing
# A setext underline (`===` or `---` alone on a line); the heading is the line above it.
_SETEXT_UNDERLINE_RE = re.compile(r"\n[ \t]{0,3}(=+|-+)[ \t]*\r?(?=\n|\Z)")
# The line above it: paragraph text, not a quote, table row, ATX heading, list item, rule,
# HTML comment, one-line math block or a line that is one HTML tag (an HTML block).
_SETEXT_TEXT_RE = re.compile(
    r" {0,3}(?!#{1,6}(?:[ \t]|\r?$)|\d{1,9}[.)](?:[ \t]|\r?$)|<!--|\$\$.*\$\$[ \t]*\r?$"
    r"|(?:_[ \t]*){3,}\r?$|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>\n]*)?/?>[ \t]*\r?$)"
    r"[^\s>|\-*+]",
    re.MULTILINE)
# "Block identifiers can only consist of Latin letters, numbers, and dashes", after "a
# blank space" at the end of the block's line (https://help.obsidian.md/links, "Link to a
# block in a note"): no `_`, no other letters.
# Both start with a literal so the regex engine can skip ahead to candidates quickly;
# the character before the match is checked in Python.
_BLOCK_ID_RE = re.compile(r"\^([A-Za-z0-9-]+)[ \t]*\r?$", re.MULTILINE)
_TAG_RE = re.compile(r"#([\w/-]*[^\W\d][\w/-]*)")
_TAG_BLOCKERS = frozenset("/#&[]")
_SUPPRESS_RE = re.compile(
    r"%%[ \t]*notewarden:[ \t]*(ignore-file|ignore)\b([^%\n]*)%%", re.IGNORECASE
)


# Link and Heading from a tuple of their fields, without their Python-level __new__: the
# scanners make a dozen of each per note.
_new_link: Callable[[tuple[Any, ...]], Link] = partial(tuple.__new__, Link)  # type: ignore[assignment]
_new_heading: Callable[[tuple[Any, ...]], Heading] = partial(tuple.__new__, Heading)  # type: ignore[assignment]


class LineIndex:
    """Maps character offsets to 1-based (line, column)."""

    __slots__ = ("lines", "starts")

    def __init__(self, text: str) -> None:
        # Each line's text without its "\n" (a "\r" stays): kept, since rules read lines.
        self.lines = text.split("\n")
        # Each line starts one past the end of the previous line's "\n"; computed in C.
        lengths = map((1).__add__, map(len, self.lines))
        self.starts = list(accumulate(lengths, initial=0))[:-1]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def line_of(self, offset: int) -> int:
        return bisect_right(self.starts, offset)


_NO_LINES: frozenset[int] = frozenset()


def _main_scan(text: str, offset: int, prose: AbstractSet[int] = _NO_LINES
               ) -> tuple[list[int], list[int], bool, bool]:
    """The masked spans the one-alternation scan finds from `offset`, as starts and ends,
    whether it met an indented line, and whether it met a run of backticks that opened no
    code span. `prose`: where lines start that are indented but are list items' prose
    (see _list_item_code)."""
    starts: list[int] = []
    ends: list[int] = []
    indented = lone_backticks = False
    rewind: list[tuple[int, int]] = []
    math_block_end = -1
    for match in _mask_matches(text, offset, rewind):
        if match.lastgroup in _STEPPED_OVER:
            if match.lastgroup == "backticks":
                lone_backticks = True
            continue  # literal text, stepped over so that it opens nothing
        if match.re is _MASK_RE and match.group("code") is not None:  # indented lines
            indented = True
            code_start = match.start("code")
            if code_start in prose or not _is_indented_code(
                    text, code_start, math_block_end == code_start - 1):
                # A paragraph's continuation: not code, but code spans, math and comments
                # in it still are, and may go on past it: scanned again as text.
                rewind.append((match.start("code"), match.end()))
                continue
            start = match.start("code")
        else:
            start = match.start()
            if match.lastgroup == "mathblock":
                math_block_end = match.end()
        starts.append(start)
        ends.append(match.end())
    return starts, ends, indented, lone_backticks


class MaskedSpans:
    """Sorted, non-overlapping (start, end) spans of text that is not Markdown prose."""

    __slots__ = ("ends", "starts")

    def __init__(self, text: str, offset: int = 0, depth: int = 0) -> None:
        """The spans of text[offset:]; `depth` counts the quotes around it (see
        _mask_in_quotes)."""
        starts: list[int] = []
        ends: list[int] = []
        if any(ch in text for ch in "`~$<\t") or "    " in text:
            # Code inside list items is found first, by following the items' content
            # columns, and blanked out for the scan below (which reads no list items):
            # before it where a fence may be in an item, else after it, if it met an
            # indented line or a tab and the note has a list line.
            # Markers the walk finds to be paragraph text are neutralised for it too.
            item_code, prose, markers = _list_item_code(text, offset) \
                if _may_hold_list_item_fence(text, offset) else (None, _NO_LINES, [])
            if item_code or markers:
                text = _blanked(text, item_code or [], markers)
            starts, ends, indented, lone_backticks = _main_scan(text, offset, prose)
            # The walk, after all, where it may change the scan's reading: an indented line
            # or a tab in a note with a list line; or an ordered marker that may be text
            # (`2. b` under a paragraph line, which may not end the paragraph) where a code
            # span or comment may have stopped at it.
            if item_code is None and (
                    ((indented or "\t" in text)
                     and _LIST_LINE_RE.search(text, offset) is not None)
                    or ((lone_backticks or "<!--" in text)
                        and _ORDERED_UNDER_TEXT_RE.search(text, offset) is not None)):
                item_code, prose, markers = _list_item_code(text, offset)
                if item_code or markers or (prose and indented):
                    text = _blanked(text, item_code, markers)
                    starts, ends, _indented, _lone = _main_scan(text, offset, prose)
            # Only a note with a quote line pays for the quotes: on the two bench vaults
            # (3000 notes each, no fence in a quote) MaskedSpans took +1% to +2% and
            # parse_note -1% to +2% (a shared machine's noise) over the scanner without it.
            if depth < _MAX_QUOTE_DEPTH and _may_hold_quote(text):
                starts, ends = _mask_in_quotes(text, offset, starts, ends, depth)
            if item_code:
                starts, ends = _merged(list(zip(starts, ends, strict=True)) + item_code)
        self.starts = starts
        self.ends = ends

    def contains(self, offset: int) -> bool:
        i = bisect_right(self.starts, offset) - 1
        return i >= 0 and offset < self.ends[i]

    def covers_line(self, line_start: int, line_end: int) -> bool:
        """Is the line inside one masked span that opened on an earlier line (a fence's
        closing line, a line of a comment)?"""
        i = bisect_right(self.starts, line_start) - 1
        return i >= 0 and self.starts[i] < line_start and self.ends[i] >= line_end

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(zip(self.starts, self.ends, strict=True))


# Where a _MASK_RE match can start: a backtick, `$`, `<` or backslash anywhere, or a line
# that starts with a space, tab, newline, backtick or tilde (fences and indented code open
# there). Every alternative of _MASK_RE starts at one of these; change both together.
_MASK_CANDIDATE_RE = re.compile(r"[`$<\\]|\n(?=[ \t\n`~])")
# The same, found apart: the line starts with one regex (it starts with a literal, which
# the engine skips to), the characters with str.find. A search for the character set
# above reads a note of the second bench vault (7 KB, not ASCII) at 86 us; these at 8 us.
_LINE_CANDIDATE_RE = re.compile(r"\n(?=[ \t\n`~])")
_CANDIDATE_CHARS = "`$<\\"
_CANDIDATE_WINDOW = 1 << 16  # characters whose candidates are listed at a time


def _candidates(text: str, start: int, end: int) -> list[int]:
    """Where, in text[start:end], _MASK_CANDIDATE_RE's search would find a match: sorted."""
    # The lookahead reads one character past `end`; a line break at `end` is the next
    # window's.
    found = [match.start() for match in _LINE_CANDIDATE_RE.finditer(text, start, end + 1)]
    if found and found[-1] >= end:
        found.pop()
    find = text.find
    for char in _CANDIDATE_CHARS:
        at = find(char, start, end)
        while at != -1:
            found.append(at)
            at = find(char, at + 1, end)
    found.sort()
    return found


def _mask_matches(text: str, offset: int, rewind: list[tuple[int, int]] | None = None
                  ) -> Iterator[re.Match[str]]:
    """The matches `_MASK_RE.finditer(text, offset)` gives, found by trying the regex only
    where one can start. The alternation opens with `^` and lookbehinds, so the regex
    engine cannot skip ahead and tries every alternative at every character: 0.41 ms of a
    0.66 ms note on the second bench vault. Jumping between candidates (listed a window
    at a time, so memory stays bounded on a huge note) and matching there gives the same
    matches.

    `rewind`: where the caller, after a match, puts (position, until) to go on from that
    position instead, with no indented code found before `until` (lines the caller found
    to be a paragraph's, whose code spans and comments may go on past them)."""
    at = offset
    keys: list[int] = []
    next_key = 0
    window_start = window_end = offset
    unclosable_until = -1
    no_indent_until = -1
    closes: list[int] | None = None  # where lines that can close a math block end
    block_end = -1  # where the line after the last block found starts
    next_block_end = -1  # the same for the match just yielded, if it is a block
    while True:
        if next_block_end >= 0 and not rewind:  # (indented lines rewound were no code)
            block_end = next_block_end
        next_block_end = -1
        if rewind:
            at, no_indent_until = rewind.pop()
            if at >= window_start:  # this window's candidates from `at` on, again
                next_key = bisect_left(keys, at)
            else:  # (never so far back twice: the window starts at `at` now)
                keys, next_key, window_end = [], 0, at
        # A line start right here has no "\n" after `at` to be found by: the body's first
        # line, or the line after a match that ended with its "\n".
        if at == 0 or text[at - 1 : at] == "\n":
            match = (_MASK_NO_INDENT_RE if at < no_indent_until else _MASK_RE).match(text, at)
            if match is not None and match.lastgroup in _MATH_BLOCK_GROUPS:
                match, at, closes = _math_block(text, match, closes, at == block_end)
            if match is not None:
                next_block_end = _line_after_block(text, match)
                yield match
                at = match.end()
                continue
        if next_key < len(keys) and keys[next_key] < at:
            next_key = bisect_left(keys, at, next_key)
        while next_key == len(keys):  # this window's candidates are used up
            if window_end >= len(text):
                return
            window_start = max(at, window_end)
            window_end = window_start + _CANDIDATE_WINDOW
            keys, next_key = _candidates(text, window_start, window_end), 0
        candidate = keys[next_key]
        start = candidate + 1 if text[candidate] == "\n" else candidate
        if start < unclosable_until and text.startswith("<!--", start) \
                and text[start - 1] != "\n":
            at = start + 1  # an inline comment that cannot close: see below
            continue
        match = (_MASK_NO_INDENT_RE if start < no_indent_until else _MASK_RE).match(text, start)
        if match is not None and match.lastgroup in _MATH_BLOCK_GROUPS:
            match, at, closes = _math_block(text, match, closes, start == block_end)
            if match is None:
                continue
        if match is None:
            if text.startswith("<!--", start) and text[start - 1] != "\n":
                # An inline comment found no `-->` before its paragraph ends, so none
                # opened later in that paragraph can: skip them rather than read on to
                # the paragraph's end from each (`x <!--` on 4,000 lines took 4.7 s).
                end = _PARAGRAPH_END_RE.search(text, start)
                unclosable_until = len(text) if end is None else end.start()
            at = start + 1
        elif match.lastgroup in _INLINE_GROUPS and (
                _opens_past_its_heading(text, match) or _runs_into_a_quote(text, match)):
            if match.lastgroup == "code_span":
                # Its backticks are literal text: stepped over, as a run that opens nothing.
                ticks = _BACKTICK_RUN_RE.match(text, start)
                assert ticks is not None
                yield ticks
                at = ticks.end()
            else:  # its `$` or `<` is literal text
                at = start + 1
        else:
            next_block_end = _line_after_block(text, match)
            yield match
            at = match.end()


def _line_after_block(text: str, match: re.Match[str]) -> int:
    """Where the line after the match starts, if the match is a block that ends there: a
    math block, an HTML comment block (a comment at a line's start), indented lines (which
    the caller may yet find to be no code); else -1."""
    group, start = match.lastgroup, match.start()
    if group == "indented":
        return match.end()  # past its line break already
    if group == "mathblock" or (group == "comment" and text[start - 1 : start] in ("", "\n")):
        return match.end() + 1
    return -1


def _math_block(text: str, match: re.Match[str], closes: list[int] | None,
                after_block: bool) -> tuple[re.Match[str] | None, int, list[int] | None]:
    """What a `$$` line's match (`mathblock` or `mathopen`) is: the whole math block, or,
    where there is none (no later line closes it, or the line goes on a paragraph), the
    inline math its `$$` opens, else nothing; with where to go on from (after it, or the
    second `$`, which may open inline math of its own), and the closing lines' ends (found
    once per note, on its first `mathopen`). `after_block`: the line above ended an HTML
    comment block, indented code or a math block, which are no paragraph."""
    start = match.start()
    if after_block or not _is_under_paragraph_text(text, start):
        if match.lastgroup == "mathblock":
            return match, match.end(), closes
        if closes is None:
            closes = [close.end() for close in _MATH_CLOSE_RE.finditer(text)]
        at = bisect_right(closes, match.end())
        if at < len(closes):
            block = _MATH_BLOCK_SPAN_RE.match(text, start, closes[at])
            assert block is not None
            return block, block.end(), closes
    dollar = text.index("$", start)
    inline = _INLINE_MATH_RE.match(text, dollar)
    return inline, dollar + 1 if inline is None else inline.end(), closes


# An ATX heading's line, in a quote or list item too (`> ## x`, `- # x`): the prefix up
# to its hashes. (A heading with a backtick in it has text after its hashes.) `> {0,4}`,
# not `> ? {0,3}`: the same lines, but one way to match each, or `> > > ...` backtracks
# exponentially.
_ATX_LINE_RE = re.compile(r" {0,3}(?:> {0,4}|(?:[-*+]|\d{1,9}[.)]) {1,4})*#{1,6}[ \t]")


# Spans that stay within their paragraph (or heading), unlike block-level ones.
_INLINE_GROUPS = frozenset({"code_span", "math", "comment"})


def _opens_past_its_heading(text: str, match: re.Match[str]) -> bool:
    """Does the inline span (code span, math, comment) open in an ATX heading and close on
    a later line? A heading is one line (CommonMark 'ATX headings'), so what opens in it
    pairs with nothing after it. (A comment at a line's start, an HTML block, is never in
    a heading's line.)"""
    start = match.start()
    if text.find("\n", start, match.end()) == -1:
        return False
    line_start = text.rfind("\n", 0, start) + 1
    return _ATX_LINE_RE.match(text, line_start) is not None


_PARAGRAPH_WALK_LINES = 50  # how far back _runs_into_a_quote looks for a quote line


def _runs_into_a_quote(text: str, match: re.Match[str]) -> bool:
    """Does the inline span run onto a quote line (`>`) from a paragraph outside any
    quote? A blockquote interrupts a paragraph (CommonMark 'Block quotes'), so what opens
    in it pairs with nothing past that line. (A paragraph that began in a quote, lazy
    lines and all, goes on across the quote's `>` lines: those are looked for over the
    paragraph's last 50 lines, which bounds the cost.)"""
    start, end = match.start(), match.end()
    newline = text.find("\n", start, end)
    if newline == -1 or _QUOTE_LINE_RE.search(text, newline, end) is None:
        return False
    line_start = text.rfind("\n", 0, start) + 1
    for _ in range(_PARAGRAPH_WALK_LINES):
        if _QUOTE_MARKER_RE.match(text, line_start):
            return False  # the paragraph is a quote's
        if not _is_under_paragraph_text(text, line_start):
            return True  # the paragraph starts on this line
        line_start = text.rfind("\n", 0, line_start - 1) + 1
    return True


# A run of blockquote lines (`>` after at most three spaces) after a line break, and one
# at the text's start. (A lazy continuation line without `>` ends the run: it can continue
# only a paragraph, never a fence or a comment block, so those end with the run, as in
# CommonMark.) Both start with a literal, so the engine skips to candidates.
_QUOTE_RUN_RE = re.compile(r"\n( {0,3}>[^\n]*(?:\n {0,3}>[^\n]*)*)")
_FIRST_QUOTE_RUN_RE = re.compile(r" {0,3}>[^\n]*(?:\n {0,3}>[^\n]*)*")
_QUOTE_LINE_RE = re.compile(r"\n {0,3}>")
# A quote line's marker: the quote's content starts after it and one optional space.
_QUOTE_MARKER_RE = re.compile(r" {0,3}> ?")
# What makes a quote's content worth scanning on its own: a fence, a comment, or a line
# indented four columns past a `>` (indented code, which the main pass cannot see there).
_QUOTED_BLOCK_RE = re.compile(r"```|~~~|<!--|> ?(?: {4}| {0,3}\t)")
# A line indented four columns (a quote's lazy line that may be indented code), and the
# indented block it opens.
_INDENTED_LINE_RE = re.compile(r" {4}| {0,3}\t")
_INDENTED_BLOCK_RE = re.compile(r"(?:(?: {4}| {0,3}\t)[^\n]*(?:\n|\Z)(?:[ \t]*\n)*)+")
# Quotes nested deeper are not scanned again (markdown-it-py's commonmark preset nests at
# most 20 blocks too): each depth rescans its content, so `> > > …` must not recurse
# without end, nor cost the square of a long line of `>`.
_MAX_QUOTE_DEPTH = 20
_BLOCK_GROUPS = frozenset({"fence", "indented"})
_LINE_START_BLOCK_GROUPS = frozenset({"comment", "mathblock", "mathopen"})


def _covering_block_end(text: str, at: int, starts: list[int], ends: list[int]) -> int:
    """Where the block-level span (fence, indented code, comment or math block) that holds
    the line starting at `at` ends, or -1 where none does: an inline span (a code span
    across lines) does not make a quote line code."""
    i = bisect_right(starts, at) - 1
    if i < 0 or ends[i] <= at or starts[i] == at:
        return -1
    match = _MASK_RE.match(text, starts[i])
    if match is None:
        return -1
    line_start = text.rfind("\n", 0, starts[i]) + 1
    if match.lastgroup in _BLOCK_GROUPS or (
            match.lastgroup in _LINE_START_BLOCK_GROUPS
            and not text[line_start : starts[i]].strip(" ")):
        return ends[i]
    return -1


def _quote_content(text: str, start: int, end: int) -> tuple[str, list[int], list[int]]:
    """The content of the quote lines text[start:end], and where each of its lines starts
    in the content and in the text."""
    content_lines: list[str] = []
    content_starts: list[int] = []
    text_starts: list[int] = []
    in_content, in_text = 0, start
    for line in text[start:end].split("\n"):
        marker = _QUOTE_MARKER_RE.match(line)
        skip = marker.end() if marker is not None else 0
        content = line[skip:]
        text_start = in_text + skip
        if content[:1] == "\t" or "\t" in content[:4]:
            # A tab in the indent spans to the next tab stop of the line's own columns
            # (after `>\t` the optional space takes one of them): spaces stand for it, so
            # that the content's indent (four columns: code) is what CommonMark reads.
            indent_end, column = _skip_indent(content, 0, skip)
            eat_one = marker is not None and line[skip - 1 : skip] != " "
            width = column - skip - (1 if eat_one and content[:1] == "\t" else 0)
            content = " " * width + content[indent_end:]
            text_start += indent_end - width  # so the text after the indent maps exactly
        content_lines.append(content)
        content_starts.append(in_content)
        text_starts.append(text_start)
        in_content += len(content) + 1
        in_text += len(line) + 1
    return "\n".join(content_lines), content_starts, text_starts


def _to_text(at: int, content_starts: list[int], text_starts: list[int]) -> int:
    """An offset in a quote's content, as an offset in the text. (An offset in the spaces
    standing for a tab maps to the tab, or before it, but never to an earlier line.)"""
    line = bisect_right(content_starts, at) - 1
    mapped = text_starts[line] + at - content_starts[line]
    if line and mapped <= text_starts[line - 1] + content_starts[line] - content_starts[
            line - 1] - 1:  # before the previous line's "\n": the line's first offset
        return text_starts[line - 1] + content_starts[line] - content_starts[line - 1]
    return mapped


def _may_hold_quote(text: str) -> bool:
    """Does a line start with `>`? Found with one-character searches, as in
    contains_doubled: a `\\n>` search reads a UCS-2 text at about a nanosecond a
    character, which cost +4% of parse_note on the second bench vault."""
    at = text.find(">")
    for _ in range(16):
        if at == -1:
            return False
        line_start = text.rfind("\n", 0, at) + 1
        if at - line_start <= 3 and not text[line_start:at].strip(" "):
            return True
        at = text.find(">", at + 1)
    return at != -1 and _QUOTE_LINE_RE.search(text, max(at - 4, 0)) is not None


def _quote_runs(text: str, offset: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of quote lines from `offset`, its last "\n" included."""
    first = None
    if offset == 0 or text[offset - 1] == "\n":
        first = _FIRST_QUOTE_RUN_RE.match(text, offset)
    if first is not None:
        yield first.start(), first.end() + (text[first.end() : first.end() + 1] == "\n")
    for run in _QUOTE_RUN_RE.finditer(text, first.end() if first is not None else offset):
        yield run.start(1), run.end(1) + (text[run.end(1) : run.end(1) + 1] == "\n")


def _mask_in_quotes(text: str, offset: int, starts: list[int], ends: list[int],
                    depth: int) -> tuple[list[int], list[int]]:
    """The masked spans with each blockquote's content scanned as a note of its own, as
    CommonMark reads it (the line after `>` and one optional space): a fence or comment
    block inside runs to its close or to the quote's end, indented code is code where it
    may start in the content, at any depth of `>` (the content
    of `> > x` is `> x`, scanned the same way). Only quotes that hold a fence or comment
    (or a line indented four columns past a `>`, or an indented line after them) are scanned
    again; spans found in them replace those that started in them."""
    scanned_starts: list[int] = []  # the quotes scanned again, in order
    scanned_ends: list[int] = []
    found: list[tuple[int, int]] = []
    for run_start, run_end in _quote_runs(text, offset):
        if (_QUOTED_BLOCK_RE.search(text, run_start, run_end) is None
                and _INDENTED_LINE_RE.match(text, run_end) is None):
            continue
        block_end = _covering_block_end(text, run_start, starts, ends)
        if block_end != -1:  # the quote's first lines are in a code block: not a quote
            if block_end >= run_end:
                continue
            run_start = block_end if text[block_end - 1] == "\n" else (
                text.find("\n", block_end) + 1)
            if run_start == 0 or run_start >= run_end:
                continue
        # Lazy continuation lines: a code span or comment in the quote's last paragraph
        # may close on them, so they are scanned with it, unless the quote ends inside a
        # block (a fence, a comment block), which no lazy line continues.
        last_line = text.rfind("\n", run_start, run_end - 1) + 1
        lazy_end = run_end if _is_blank(text[max(last_line, run_start):run_end]) \
            else _lazy_lines_end(text, run_end)  # a blank quote line ends its paragraph
        content, content_starts, text_starts = _quote_content(text, run_start, lazy_end)
        spans = MaskedSpans(content, 0, depth + 1)
        if lazy_end > run_end:
            boundary = content_starts[text[run_start:run_end].count("\n")]
            if _covering_block_end(content, boundary, spans.starts, spans.ends) != -1:
                lazy_end = run_end
                content, content_starts, text_starts = _quote_content(text, run_start,
                                                                      run_end)
                spans = MaskedSpans(content, 0, depth + 1)
                # The quote ended in a block, so an indented line after it starts
                # indented code (no paragraph is open for it to continue).
                after = _INDENTED_BLOCK_RE.match(text, run_end)
                if after is not None:
                    found.append(after.span())
        scanned_starts.append(run_start)
        scanned_ends.append(lazy_end)
        found.extend((max(_to_text(s, content_starts, text_starts), run_start),
                      _to_text(e - 1, content_starts, text_starts) + 1)
                     for s, e in spans)
    if not scanned_starts:
        return starts, ends
    for s, e in zip(starts, ends, strict=True):
        i = bisect_right(scanned_starts, s) - 1
        if i < 0 or s >= scanned_ends[i]:  # not started in a quote scanned again
            found.append((s, e))
    return _merged(found)  # merged where they overlap (an inline span into the quote)


# A line that no lazy continuation line can be: blank, or one that starts a block (the
# lines a code span does not run onto, as in _MASK_PARTS["code_span"]), or a quote line.
_NOT_LAZY_RE = re.compile(
    r"[ \t]*(?:\n|\Z)|[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]|\|| {0,3}(?:\#{1,6}[ \t\n]"
    r"|`{3,}[^`\n]*(?:\n|\Z)|~~~|=+[ \t]*(?:\n|\Z)|-+[ \t]*(?:\n|\Z)|<!--|>)")


def _lazy_lines_end(text: str, at: int) -> int:
    """Where the lines from `at` that may continue a quote's paragraph lazily end."""
    end = at
    while end < len(text) and _NOT_LAZY_RE.match(text, end) is None:
        next_break = text.find("\n", end)
        end = len(text) if next_break == -1 else next_break + 1
    return end


def _merged(spans: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """The spans sorted, and merged where they overlap, as starts and ends."""
    spans.sort()
    starts: list[int] = []
    ends: list[int] = []
    for s, e in spans:
        if ends and s < ends[-1]:
            ends[-1] = max(ends[-1], e)
        else:
            starts.append(s)
            ends.append(e)
    return starts, ends


# --- fenced code inside list items -----------------------------------------------------
# A fence in a list item sits at the item's content column (up to three columns past it):
# often four or more spaces, or on the marker's line (`- ```js`), where the main scan,
# which reads indentation from the line's start, cannot see it. Only a note where a fence
# follows indentation or a list marker on its line pays for the walk below.
_FENCE_MARK_RE = re.compile(r"```|~~~")
_FENCE_PREFIX_RE = re.compile(r"[ \t]+|[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)+")
_LIST_LINE_RE = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|\r?$)", re.MULTILINE)
# An ordered marker other than 1 right under a non-blank line (the line break first: a
# literal the regex engine can skip to).
_ORDERED_UNDER_TEXT_RE = re.compile(r"\n(?<=[^\n]\n)[ \t]*(?!0*1[.)])\d{1,9}[.)](?:[ \t]|\r?$)",
                                    re.MULTILINE)
_ITEM_MARKER_RE = re.compile(r"(?:[-*+]|(\d{1,9})[.)])(?=[ \t\r]|$)")
_FENCE_OPEN_RE = re.compile(r"`{3,}(?!.*`)|~{3,}")
_THEMATIC_BREAK_RE = re.compile(r"(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})\r?$")
_OTHER_BLOCK_START_RE = re.compile(r"#{1,6}(?:[ \t]|\r?$)|>")


def _may_hold_list_item_fence(text: str, offset: int) -> bool:
    """Is there a ``` or ~~~ after indentation or a list marker, below a list line?"""
    # One-character searches first: a regex search for ``` read the bench vaults' notes
    # (no fence in them) in 36 ms per 2000 notes, these in 2 ms.
    if not (contains_doubled(text, "`") or contains_doubled(text, "~")):
        return False
    first_list_line = -2
    for mark in _FENCE_MARK_RE.finditer(text, offset):
        at = mark.start()
        line_start = text.rfind("\n", offset, at) + 1 or offset
        if line_start == at or _FENCE_PREFIX_RE.fullmatch(text, line_start, at) is None:
            continue
        if not text[line_start:at].strip(" \t"):  # indented: is a list line above it?
            if first_list_line == -2:
                found = _LIST_LINE_RE.search(text, offset)
                first_list_line = found.start() if found is not None else -1
            if first_list_line == -1:
                return False
            if first_list_line >= line_start:
                continue
        return True
    return False


def _skip_indent(line: str, at: int, column: int) -> tuple[int, int]:
    """The index and column of the first character from `at` that is no space or tab (a
    tab runs to the next multiple of four columns)."""
    while at < len(line) and line[at] in _INDENT_CHARS:
        column = column + 4 - column % 4 if line[at] == "\t" else column + 1
        at += 1
    return at, column


def _list_item_code(text: str, offset: int
                    ) -> tuple[list[tuple[int, int]], set[int], list[int]]:
    """The (start, end) of each fenced or indented code block inside a list item, as
    CommonMark reads them.

    A fence belongs to the item whose content column (past the marker and one to four
    columns of space) it sits at, up to three columns past it, and ends at its closing
    fence (as indented) or where the item ends (a non-blank line indented less than the
    content column). Indented code in an item sits four or more columns past its content
    column, where no paragraph goes on (so after a blank line, a heading or a fence, or on
    the marker's line after five or more columns of space: `-     code`), and ends at a
    non-blank line indented less; so does top-level indented code, which is returned too.
    Top-level fences are followed, so no list is read inside them, but are not returned.

    Also returns where each line starts that is indented four or more columns but is an
    item's prose (nested in it, or going on its paragraph): no code, whatever the main
    scan's look at the line above would say. And where each list marker is that is a
    paragraph's text, not an item (`    - b` four columns past the paragraph's container,
    `2. b` right under a paragraph line): the main scan, which reads any line opening with
    a marker as ending the paragraph, must not end a code span or comment there."""
    spans: list[tuple[int, int]] = []
    prose: set[int] = set()
    markers: list[int] = []
    items: list[int] = []  # the open items' content columns, innermost last
    # The open fence: (its item's content column, its run of ` or ~, where it starts);
    # column -1 for a fence outside any item.
    fence: tuple[int, str, int] | None = None
    # The open indented code: (its item's content column, where it starts and ends).
    code: tuple[int, int, int] | None = None
    paragraph = False  # is the last line paragraph text (which a line may continue lazily)?
    quote = False  # is the last line a quote's (whose paragraph a line may continue lazily)?
    line_start = offset
    previous_end = offset
    for line in text[offset:].split("\n"):
        at, column = _skip_indent(line, 0, 0)
        blank = at == len(line) or not line[at:].strip()
        if code is not None:
            if blank or column - code[0] >= 4:
                if not blank:
                    code = (code[0], code[1], line_start + len(line))
                previous_end = line_start + len(line)
                line_start = previous_end + 1
                continue
            spans.append(code[1:])  # the line ends it, and is read as any other
            code = None
        if fence is not None:
            owner, run, fence_start = fence
            if blank:
                pass
            elif column < owner:  # the item ends, and its fence with it
                spans.append((fence_start, previous_end))
                fence = None
            else:
                rest = line[at:].rstrip(" \t\r")
                if (column - max(owner, 0) <= 3 and len(rest) >= len(run)
                        and rest == run[0] * len(rest)):
                    if owner >= 0:
                        spans.append((fence_start, line_start + len(line)))
                    fence = None
            if fence is not None or column >= owner or blank:
                previous_end = line_start + len(line)
                line_start = previous_end + 1
                paragraph = False
                continue
        previous_end = line_start + len(line)
        here, line_start = line_start, previous_end + 1
        if blank:
            paragraph = quote = False
            continue
        continues_all = not items or column >= items[-1]
        if not continues_all:
            # Four or more columns past the container it would be in, the line can start
            # no block (`   - a` / `    - b`: no item, as no indented code, can interrupt
            # the paragraph), so it goes on the paragraph too.
            container = next((item for item in reversed(items) if item <= column), 0)
            if paragraph and (not _starts_block(line, at) or column - container >= 4):
                if column >= 4:
                    prose.add(here)
                if _ITEM_MARKER_RE.match(line, at) is not None:
                    markers.append(here + at)
                continue  # a lazy continuation line: the items stay open
            while items and column < items[-1]:
                items.pop()
        parent = items[-1] if items else 0
        if column - parent >= 4:  # indented code, or a paragraph's continuation line
            # Code, where no paragraph goes on. (At the top level the main scan would find
            # it too, but would take it for an item's continuation after a list line.)
            if not paragraph and not quote:
                code = (parent, here, here + len(line))
                continue
            if items:
                prose.add(here)
            if paragraph and _ITEM_MARKER_RE.match(line, at) is not None:
                markers.append(here + at)
            continue
        if column >= 4:  # nested in an item, four or more columns in
            prose.add(here)
        if _THEMATIC_BREAK_RE.match(line, at):
            paragraph = quote = False
            continue
        # The list markers that open items on this line (`- 1. x` opens two).
        while True:
            marker = _ITEM_MARKER_RE.match(line, at)
            if marker is None:
                break
            after, after_column = _skip_indent(line, marker.end(),
                                               column + marker.end() - at)
            empty = after == len(line) or not line[after:].strip()
            if paragraph and continues_all and (
                    empty or (marker.group(1) is not None and int(marker.group(1)) != 1)):
                markers.append(here + at)
                break  # cannot interrupt the paragraph: its text
            marker_column = column + marker.end() - at
            if empty or after_column - marker_column > 4:
                items.append(marker_column + 1)
                if not empty:  # `-     code`: the item opens with indented code
                    code = (marker_column + 1, here + marker.end(), here + len(line))
                at = len(line)  # nothing more on the line
                break
            items.append(after_column)
            at, column = after, after_column
            paragraph = False
            continues_all = True
        if at == len(line):
            paragraph = quote = False
            continue
        opening = _FENCE_OPEN_RE.match(line, at)
        quote = False
        if opening is not None:
            fence = (items[-1] if items else -1, opening.group(), here + at)
            paragraph = False
        else:
            paragraph = _OTHER_BLOCK_START_RE.match(line, at) is None
            # A quote line with nothing in it ends the quote's paragraph: no lazy line.
            quote = line.startswith(">", at) and _BLANK_QUOTE_LINE_RE.match(line, at) is None
    if fence is not None and fence[0] >= 0:
        spans.append((fence[2], len(text)))
    if code is not None:
        spans.append(code[1:])
    return spans, prose, markers


def _starts_block(line: str, at: int) -> bool:
    """Does the line, from `at`, start a block (so it cannot continue a paragraph lazily)?"""
    return (_ITEM_MARKER_RE.match(line, at) is not None
            or _FENCE_OPEN_RE.match(line, at) is not None
            or _THEMATIC_BREAK_RE.match(line, at) is not None
            or _OTHER_BLOCK_START_RE.match(line, at) is not None)


def _blanked(text: str, spans: Sequence[tuple[int, int]], markers: Sequence[int] = ()) -> str:
    """The text with every character of the spans but line breaks made a space, and the
    first character of each list marker at `markers` (none inside a span) made an `x`, so
    that it reads as the paragraph text it is. Offsets and line breaks stay."""
    edits = sorted([(start, end, None) for start, end in spans]
                   + [(marker, marker + 1, "x") for marker in markers])
    pieces: list[str] = []
    at = 0
    for start, end, replacement in edits:
        pieces.append(text[at:start])
        pieces.append(replacement or re.sub(r"[^\n]", " ", text[start:end]))
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


# Lines that end a block, so indented code may follow at once: an ATX heading, a rule, a fence,
# a one-line HTML comment. (A math block's closing line is known by the scan that found it.)
_BLOCK_BEFORE_CODE_RE = re.compile(
    r" {0,3}(?:#{1,6}(?:[ \t]|$)|(?:[-*_][ \t]*){3,}$|`{3,}[^`]*$|~{3,}|<!--.*-->)")
_EQUALS_LINE_RE = re.compile(r" {0,3}=+[ \t]*\r?$")


# A quote line with nothing in it (`>`, `> >`): it ends the quote's paragraph, and a line
# without `>` after it ends the quote, so for what follows it is as a blank line.
_BLANK_QUOTE_LINE_RE = re.compile(r" {0,3}>(?:[ \t]*>)*[ \t]*\r?$")


def _is_blank(line: str) -> bool:
    return not line.strip() or _BLANK_QUOTE_LINE_RE.match(line) is not None


_MATH_CLOSE_LINE_RE = re.compile(r" {0,3}\$\$[ \t]*$")


def _is_under_paragraph_text(text: str, line_start: int) -> bool:
    """Does the line at `line_start` come right under a line of paragraph text (not blank,
    and no line that ends its block)? A `$$` math block cannot interrupt a paragraph
    (dollarmath, the oracle's reading), so a `$$` there is the paragraph's."""
    if line_start == 0:
        return False
    above_start = text.rfind("\n", 0, line_start - 1) + 1
    above = text[above_start : line_start - 1]
    return not _is_blank(above) and _BLOCK_BEFORE_CODE_RE.match(above) is None \
        and not _underlines_a_heading(text, above_start)


def _underlines_a_heading(text: str, line_start: int) -> bool:
    """Is the line at `line_start` a setext `===` that ends the heading above it?"""
    line_end = text.find("\n", line_start)
    line = text[line_start:] if line_end == -1 else text[line_start:line_end]
    if line_start == 0 or not _EQUALS_LINE_RE.match(line):
        return False
    above_start = text.rfind("\n", 0, line_start - 1) + 1
    return _SETEXT_TEXT_RE.match(text[above_start : line_start - 1]) is not None


def _is_indented_code(text: str, start: int, after_math_block: bool = False) -> bool:
    """Is the indented block at `start` code? CommonMark (which Obsidian follows here):
    indented code cannot interrupt a paragraph, but may open the note or follow a heading,
    a rule, a fence or a math block directly (`after_math_block`: one ended on the line
    above); after a blank line it is code unless it continues a list item or an indented
    block."""
    if start == 0 or after_math_block:
        return True
    line_start = text.rfind("\n", 0, start - 1) + 1
    previous = text[line_start : start - 1]
    if not _is_blank(previous):  # no blank line between
        if _EQUALS_LINE_RE.match(previous) and line_start > 0:
            # A setext `===` ends its heading if there is text above it to underline.
            return _underlines_a_heading(text, line_start)
        if _MATH_CLOSE_LINE_RE.match(previous):
            return False  # a `$$` that closed no block: inline math's, and its paragraph's
        return _BLOCK_BEFORE_CODE_RE.match(previous) is not None
    end = start
    # Walk back over blank lines to the previous non-blank line.
    while end > 0:
        line_start = text.rfind("\n", 0, end - 1) + 1
        line = text[line_start : end - 1] if end > 0 else ""
        if not _is_blank(line):
            return _LIST_OR_INDENT_RE.match(line) is None
        if line_start == 0:
            return True
        end = line_start
    return True


def is_escaped(text: str, at: int) -> bool:
    """Is the character at `at` backslash-escaped (an odd run of backslashes before it)?"""
    run_start = at
    while run_start > 0 and text[run_start - 1] == "\\":
        run_start -= 1
    return (at - run_start) % 2 == 1


def split_target(raw: str) -> tuple[str, str]:
    """Split `Note#Heading#Sub` into ("Note", "Heading#Sub")."""
    hash_at = raw.find("#")
    if hash_at == -1:
        return raw.strip(), ""
    return raw[:hash_at].strip(), raw[hash_at + 1 :].strip()


def parse_wikilink_inner(inner: str) -> tuple[str, str, str | None]:
    """`Note#H|shown` -> (target, subpath, display). The table escape `Note\\|shown` works."""
    bar = inner.find("|")
    display: str | None = None
    if bar != -1:
        display = inner[bar + 1 :]
        inner = inner[:bar]
        if inner.endswith("\\"):  # [[Note\|shown]] inside a table
            inner = inner[:-1]
    target, subpath = split_target(inner)
    return target, subpath, display


def find_wikilinks(
    text: str, start: int, end: int, lines: LineIndex, masked: MaskedSpans | None,
    kind_override: int | None = None, prop: str = "",
) -> list[Link]:
    # The body of a note holds a dozen links or more: the helpers are inlined (by hand,
    # behaving as parse_wikilink_inner, MaskedSpans.contains and LineIndex.position).
    links: list[Link] = []
    line_starts = lines.starts
    mask_starts, mask_ends = (masked.starts, masked.ends) if masked is not None else ((), ())
    for match in _WIKILINK_RE.finditer(text, start, end):
        at, link_end = match.span()
        if at > start and text[at - 1] == "\\" and is_escaped(text, at):
            continue  # `\[[x]]`: the first bracket is literal text
        if mask_starts:
            i = bisect_right(mask_starts, at) - 1
            if i >= 0 and at < mask_ends[i]:
                continue
        target, subpath, display = match.groups()
        if display is not None:  # [[Note\|shown]] inside a table: the `\` escapes the `|`
            if subpath is not None:
                if subpath[-1:] == "\\":
                    subpath = subpath[:-1]
            elif target[-1:] == "\\":
                target = target[:-1]
        target = target.strip()
        if subpath is None:
            if not target:
                continue
            subpath = ""
        else:
            subpath = subpath.strip()
            if not target and not subpath:
                continue
        if at > start and text[at - 1] == "!":
            at -= 1
            kind = kind_override or LinkKind.EMBED
        else:
            kind = kind_override or LinkKind.WIKILINK
        line = bisect_right(line_starts, at)
        links.append(_new_link((kind, target, subpath, display, line,
                                at - line_starts[line - 1] + 1, at, link_end, prop)))
    return links


def find_markdown_links(
    text: str, start: int, lines: LineIndex, masked: MaskedSpans
) -> list[Link]:
    """Markdown links to local files: `[t](My%20Note.md#Heading)`, `![](image.png)`."""
    links: list[Link] = []
    first = text.find("](", start)
    if first == -1:
        return links
    # A link's text holds no line break, so no link starts before the line of the first
    # `](`: the regex, costly at every `[`, starts there.
    for match in _MD_LINK_RE.finditer(text, text.rfind("\n", start, first) + 1 or start):
        at = match.start()
        if masked.contains(at):
            continue
        destination = match.group(2)
        if destination.startswith("<"):
            destination = destination[1:-1]
        if _SCHEME_RE.match(destination):  # https:, mailto:, obsidian:, file:
            continue
        target, subpath = split_target(unquote(destination))
        if not target and not subpath:
            continue
        embed = at > start and text[at - 1] == "!"
        if embed:
            at -= 1
        kind = LinkKind.MARKDOWN_EMBED if embed else LinkKind.MARKDOWN
        line, column = lines.position(at)
        links.append(
            Link(kind, target, subpath, match.group(1), line, column, at, match.end())
        )
    return links


def find_headings(text: str, start: int, lines: LineIndex, masked: MaskedSpans) -> list[Heading]:
    headings: list[Heading] = []
    if "#" in text:
        # Inlined as in find_wikilinks: MaskedSpans.contains and LineIndex.line_of.
        mask_starts, mask_ends, line_starts = masked.starts, masked.ends, lines.starts
        for match in _ATX_RE.finditer(text, start):
            at = match.start()
            # At most three spaces or tabs before the hashes, from the line's start. (The
            # match runs to the end of the line, which can hold no other heading.) Most
            # headings start their line: that is checked first.
            if at > start and text[at - 1] != "\n":
                line_start = text.rfind("\n", start, at) + 1 or start
                if at - line_start > 3 or text[line_start:at].strip(_INDENT_CHARS):
                    continue
            more_hashes, heading_text = match.groups()
            if heading_text[-1:] in _MAY_CLOSE:  # else the closing regex can only match ""
                heading_text = _ATX_CLOSING_RE.sub("", heading_text)
                if not heading_text.strip("#"):
                    continue  # `## ##`: the hashes are all closing sequence, the text empty
            if not heading_text:
                continue
            if mask_starts:
                i = bisect_right(mask_starts, at) - 1
                if i >= 0 and at < mask_ends[i]:
                    continue
            headings.append(_new_heading((len(more_hashes) + 1, heading_text,
                                          bisect_right(line_starts, at))))
    # Cheapest first: a two-character search that fails reads the whole text.
    if "\n-" in text or "\n " in text or "\n=" in text:
        setext = False
        for match in _SETEXT_UNDERLINE_RE.finditer(text, max(start - 1, 0)):
            underline_line = lines.line_of(match.start(1))
            if underline_line < 2 or masked.contains(match.start(1)):
                continue
            text_start = lines.starts[underline_line - 2]
            if text_start < start or masked.covers_line(text_start, match.start()):
                continue  # the line above is a fence's closing line, say
            heading_text = text[text_start : match.start(1)].strip()
            # A multi-line paragraph makes one multi-line heading; we index its last line,
            # which errs towards finding a heading rather than reporting a broken one.
            if not heading_text or not _SETEXT_TEXT_RE.match(text, text_start):
                continue
            level = 1 if match.group(1).startswith("=") else 2
            headings.append(Heading(level, heading_text, underline_line - 1))
            setext = True
        if setext:
            headings.sort(key=lambda heading: heading.line)
    return headings


def find_block_ids(text: str, start: int, masked: MaskedSpans) -> list[str]:
    if "^" not in text:
        return []
    ids = []
    for match in _BLOCK_ID_RE.finditer(text, start):
        at = match.start()
        if at > 0 and text[at - 1] not in " \t\n":
            continue  # `^id` must start its line or follow a space
        if not masked.contains(at):
            ids.append(match.group(1))
    return ids


def find_tags(text: str, start: int, masked: MaskedSpans) -> list[str]:
    if "#" not in text:
        return []
    tags = []
    for match in _TAG_RE.finditer(text, start):
        at = match.start()
        if at == 0 or text[at - 1] == "\n":
            continue  # a heading, not a tag
        before = text[at - 1]
        if before.isalnum() or before == "_" or before in _TAG_BLOCKERS:
            continue  # part of a word, URL fragment or link
        if not masked.contains(at):
            tags.append(match.group(1))
    return tags


def contains_doubled(text: str, char: str) -> bool:
    """Is `char * 2` in text? Found with one-character searches, which run at memory speed,
    while a search for two characters reads a UCS-2 text (any note with a character
    beyond Latin-1, such as `—`) at about a nanosecond a character. For a rare character;
    after a few occurrences the plain search takes over."""
    at = text.find(char)
    for _ in range(16):
        if at == -1:
            return False
        if text.startswith(char, at + 1):
            return True
        at = text.find(char, at + 2)
    return at != -1 and text.find(char * 2, at) != -1


def find_suppressions(
    text: str, lines: LineIndex, masked: MaskedSpans
) -> tuple[dict[int, frozenset[str]], frozenset[str]]:
    """Read `%% notewarden: ignore RULE %%` and `%% notewarden: ignore-file RULE %%`.

    A line-level directive covers its own line; when the directive is alone on its line it
    also covers the next line, so it can sit above a line it should not clutter.
    With no rule named, every rule is ignored.
    """
    by_line: dict[int, frozenset[str]] = {}
    whole_file: set[str] = set()
    if not contains_doubled(text, "%"):  # every directive sits in a %% comment
        return by_line, frozenset()
    for match in _SUPPRESS_RE.finditer(text):
        if masked.contains(match.start()):
            continue
        rules = frozenset(re.split(r"[\s,]+", match.group(2).strip())) - {""}
        rules = rules or frozenset({ALL_RULES_MARK})
        if match.group(1).lower() == "ignore-file":
            whole_file |= rules
            continue
        line = lines.line_of(match.start())
        by_line[line] = by_line.get(line, frozenset()) | rules
        line_start = lines.starts[line - 1]
        line_end = text.find("\n", match.end())
        rest = text[line_start : len(text) if line_end == -1 else line_end]
        if rest.strip() == match.group(0):
            by_line[line + 1] = by_line.get(line + 1, frozenset()) | rules
    return by_line, frozenset(whole_file)


BACKLINKS_START = "%% notewarden:backlinks:start %%"
BACKLINKS_END = "%% notewarden:backlinks:end %%"
_BACKLINKS_RE = re.compile(
    r"^[ \t]*%%[ \t]*notewarden:backlinks:start[ \t]*%%[ \t]*\r?\n(?P<inner>.*?)"
    r"^[ \t]*%%[ \t]*notewarden:backlinks:end[ \t]*%%[ \t]*\r?$",
    re.MULTILINE | re.DOTALL,
)


def find_backlinks_block(text: str, start: int, lines: LineIndex,
                         masked: MaskedSpans) -> BacklinksBlock | None:
    """The first backlinks block outside code, with the entries it lists now."""
    if "%" not in text or "notewarden:backlinks:start" not in text:
        return None
    for match in _BACKLINKS_RE.finditer(text, start):
        if masked.contains(match.start()):
            continue
        entries = tuple(line.strip() for line in match.group("inner").splitlines()
                        if line.strip())
        return BacklinksBlock(lines.line_of(match.start()), lines.line_of(match.end()), entries)
    return None
