"""Where notewarden's body scanner and markdown-it-py (CommonMark 0.31.2 with Obsidian's
extensions) may disagree, and why: the one list tests/test_commonmark_oracle.py reads.

Each entry names the spec examples it explains (`variant:number`, variants as in that
test) and, for generated notes, a regex that picks out the notes of its class (those
are not compared). `deliberate` is True for a difference Obsidian itself makes, with its
source; False for a known limitation of notewarden's scanner that is not fixed yet.
An entry that no longer explains any disagreement fails the test: remove it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Difference:
    id: str
    examples: frozenset[str]
    what: str
    why: str
    source: str
    deliberate: bool
    generated: Callable[[str], bool] | None = None


def _has(*patterns: str) -> Callable[[str], bool]:
    """A document of the class: one that matches every pattern (multiline)."""
    compiled = [re.compile(p, re.MULTILINE) for p in patterns]
    return lambda text: all(p.search(text) for p in compiled)


def _examples(variants: str, numbers: str) -> frozenset[str]:
    return frozenset(f"{v}:{n}" for v in variants.split() for n in numbers.split())


def _row_past_its_header(text: str) -> bool:
    """Does a table row hold a wikilink in a cell past its header's count of cells?"""
    lines = text.split("\n")
    for at, line in enumerate(lines[1:], 1):
        if not re.fullmatch(r"\|(?:-+\|)+", line):
            continue
        columns = line.count("|") - 1
        for row in lines[at + 1:]:
            if not row.strip():
                break
            cells = re.split(r"(?<!\\)\|", row.strip().strip("|"))
            if len(cells) > columns and "[[" in "|".join(cells[columns:]):
                return True
    return False


_LIST_ITEM_LINE = r"^[ \t]*(?:>[ \t]?)*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)"

DIFFERENCES: tuple[Difference, ...] = (
    Difference(
        id="indented-code-in-list-items",
        examples=_examples("suffix", "53 54"),
        what="Indented code in and just after list items is masked as CommonMark reads it "
             "(four columns past the item's content column, where no paragraph goes on, "
             "e.g. `- a` / blank / `      code`, or `-\t\tcode`), but for two cases: "
             "code on the marker's line after five or more spaces (`-     code`) in a note "
             "with no other indented line or tab; and top-level `text` / `    more` / "
             "blank / `    code`, no code to notewarden.",
        why="Not fixed: the first is left out of the walk over list items to keep the "
            "scan's cost (finding it would search every note for five spaces); the other "
            "needs the main scan to tell an indented paragraph line from indented code.",
        source="CommonMark 0.31.2, 'List items' and 'Indented code blocks'; notewarden "
               "limitation",
        deliberate=False,
        generated=lambda text: _has(
            r"^[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*(?:[-*+]|\d{1,9}[.)]) {5,}\S")(text)
        or _has(r"^(?: {4}|\t| {1,3}\t).*\n[ \t]*\n(?: {4}|\t| {1,3}\t)")(text),
    ),
    Difference(
        id="indented-backtick-runs-in-quotes",
        examples=frozenset(),
        what="Inside a blockquote, a line indented four or more columns past the `>` that "
             "starts with ``` or ~~~: notewarden can pair the backticks on the quote's "
             "following lines into code spans differently from markdown-it-py (seen in "
             "generated notes, e.g. `> >    ```a`b` above lines of `` spans; the same at "
             "the commit before list-item fences were followed, so not caused by them).",
        why="Not fixed: not yet reduced to its rule. (Fences inside list items, at any "
            "indent or on the marker's line, are masked as CommonMark reads them.)",
        source="CommonMark 0.31.2, 'Block quotes' and 'Code spans'; notewarden limitation",
        deliberate=False,
        generated=_has(r"^(?:[ \t]*>[ \t]?)+(?: {4}|\t|  \t)[ \t]*(?:```|~~~)"),
    ),
    Difference(
        id="setext-headings-in-containers",
        examples=_examples("as-is foo", "93 278") | _examples("as-is", "216"),
        what="A setext underline (`===`, `---`) under a line that continues a blockquote "
             "lazily, a table row, a list item's text, or a link reference definition makes "
             "no heading in CommonMark; notewarden looks only at the line above it (and "
             "so misses a heading whose last line is an indented continuation line).",
        why="Not fixed: needs the paragraph's container. It errs towards finding a heading "
            "(a link to it is not reported broken).",
        source="CommonMark 0.31.2, 'Setext headings' (examples 93, 216, 278); notewarden "
               "limitation",
        deliberate=False,
        generated=lambda text: _has(
            r"^[ \t]*(?:=+|-+)[ \t]*$", r"^[ \t]*(?:[-*+]|\d{1,9}[.)]|>|\|)")(text)
        or _has(r"^(?: {4}|\t| {1,3}\t)[^\n]*\n {0,3}(?:=+|-+)[ \t]*$")(text),
    ),
    Difference(
        id="indented-code-after-reference-definition",
        examples=_examples("suffix", "193"),
        what="Indented lines right after a link reference definition are code in "
             "CommonMark (a definition is no paragraph); notewarden reads them as the "
             "paragraph's continuation.",
        why="Not fixed: reference definitions are rare in vaults.",
        source="CommonMark 0.31.2, 'Link reference definitions' (example 193); notewarden "
               "limitation",
        deliberate=False,
    ),
    Difference(
        id="wikilink-across-table-pipes",
        examples=frozenset(),
        what="In a table row, an unescaped `|` inside `[[a|b]]` splits the cell in GFM, "
             "so no wikilink; Obsidian's link index still finds `[[a|b]]` there. Likewise "
             "a row's cells past its header's count, which GFM drops (a second table "
             "right under a first is rows of the first): notewarden finds their links.",
        why="notewarden follows Obsidian's index, which is what links resolve against; "
            "the index reads a row's text, not GFM's cells (as the thread below shows "
            "for the split cell).",
        source="observed Obsidian behaviour, reported at forum.obsidian.md/t/pipe-problems-"
               "in-tables-math-latex-inline-code-and-separator/3692 (the local graph shows "
               "a link from `[[ ... ]] ||` in a table cell)",
        deliberate=True,
        # In a note with a table: its rows run on to the next blank line.
        generated=lambda text: _has(r"^\|(?:-+\|)+", r"\[\[[^\]\n]*(?<!\\)\|")(text)
        or _row_past_its_header(text),
    ),
    Difference(
        id="code-span-out-of-a-blockquote",
        examples=frozenset(),
        what="A backtick on a quote line that ends in an open fence can pair with one on "
             "a line after the quote, before the next blank line: notewarden masks a code "
             "span across them; in CommonMark the fence ends with the quote and the line "
             "after it is a paragraph of its own (seen in fresh draws of generated notes: "
             "`> ```a`b` / `> ````` / `` `[[a]]` ``, and `> ````` / `[[a]]` / "
             "``` `` [[a]] ```` [[a]] `` ```). (The other way, from a paragraph onto a "
             "quote line, is fixed: the quote ends the paragraph.)",
        why="Not fixed: the main pass reads the note as one text; a quote's content is "
            "scanned on its own only where it holds a fence or a comment.",
        source="CommonMark 0.31.2, 'Block quotes'; notewarden limitation",
        deliberate=False,
        generated=_has(r"^[ \t]*>[^\n]*`[^\n]*\n(?:[ \t]*>[^\n]*\n)*(?![ \t]*>)"
                       r"(?:[ \t]*\S[^\n]*\n)*?[^\n]*`"),
    ),
    Difference(
        id="headings-in-html-blocks",
        examples=frozenset(),
        what="A line that is only an HTML tag (`<b>`, `<div class=x>`) opens an HTML "
             "block in CommonMark, which runs to the next blank line: a `# heading` line "
             "inside it is raw HTML to markdown-it-py; notewarden reads it as a heading. "
             "(Links there count either way in this test: raw HTML, as in the oracle.)",
        why="Not fixed: notewarden does not track HTML blocks other than comments; it "
            "errs towards finding a heading (a link to it is not reported broken).",
        source="CommonMark 0.31.2, 'HTML blocks' (conditions 6 and 7); notewarden "
               "limitation",
        deliberate=False,
        generated=_has(r"^ {0,3}</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>\n]*)?/?>[ \t]*\n"
                       r"(?:[ \t]*\S[^\n]*\n)*? {0,3}#"),
    ),
    Difference(
        id="comment-blocks-in-containers",
        examples=frozenset(),
        what="`- <!-- ...` opens an HTML block in CommonMark, which an unclosed comment "
             "keeps to the list item's end; notewarden treats a comment after a list "
             "marker as inline, so an unclosed one hides nothing (after `>` it is a block, "
             "as in CommonMark). And indented "
             "lines right after a comment block's closing `-->` line are code in "
             "CommonMark; notewarden reads them as code only after a one-line comment.",
        why="Not fixed: container tracking again; it errs towards indexing.",
        source="CommonMark 0.31.2, 'HTML blocks'; notewarden limitation",
        deliberate=False,
        generated=lambda text: _has(r"^[ \t]*(?:>[ \t]?)*(?:[-*+]|\d{1,9}[.)])[ \t]+"
                                    r"(?:>[ \t]?|(?:[-*+]|\d{1,9}[.)])[ \t]+)*<!--")(
            text) or _has(r"-->[^\n]*\n(?: {4}|\t| {1,3}\t)")(text),
    ),
    Difference(
        id="table-rows",
        examples=frozenset(),
        what="In a table row, a `|` ends the cell even inside a code span or math, so "
             "`` `a | b` `` is no code span; notewarden reads code spans and math across "
             "the pipes of a row. And a table ends at an indented line, which is then "
             "indented code; notewarden reads it as a paragraph's continuation. And a "
             "`$$` line right under a row is another row in GFM (no math block); "
             "notewarden masks math from it. And a line that starts with `|` ends a "
             "paragraph (so a code span, comment or math in it) to notewarden even where "
             "no delimiter row follows, so no table starts (`$$` / `|[[a]]` / `$$`).",
        why="Not fixed: it would need the scanner to know which lines are table rows. "
            "(Ending the paragraph at every `|` line keeps spans from running across the "
            "rows of a real table, which vaults hold far more often.)",
        source="GFM spec, 'Tables (extension)' (pipes inside inline spans must be escaped); "
               "Obsidian forum thread 3692 above (pipes in inline code break a table); "
               "notewarden limitation",
        deliberate=False,
        generated=lambda text: _has(r"^\|(?:-+\|)+", r"^\|.*[`$].*\|")(text)
        or _has(r"^\|.*\n(?: {4}|\t| {1,3}\t)")(text)
        or _has(r"^\|(?:-+\|)+", r"^\|.*\n {0,3}\$\$")(text)
        or _has(r"[`$<][^\n]*\n(?:[ \t]*\S[^\n]*\n)*?\|(?![^\n]*\n\|(?:-+\|)+)")(text),
    ),
    Difference(
        id="dollarmath-math-before-final-backslash",
        examples=frozenset(),
        what="`$a$\\` at the end of a paragraph is text to markdown-it-py's dollarmath, "
             "while `$a$\\ b` is math; notewarden reads math in both. (Generated notes "
             "with a `$` and a line ending in a backslash are not compared.)",
        why="A quirk of the oracle's plugin, not a CommonMark rule: not followed.",
        source="mdit-py-plugins 0.7 dollarmath, observed in this test",
        deliberate=True,
        generated=_has(r"\$", r"\\$"),
    ),
)


def explaining(example: str) -> list[Difference]:
    """The entries that name a spec example."""
    return [d for d in DIFFERENCES if example in d.examples]


def excuses(document: str) -> bool:
    """Is a generated document of a listed class (so not compared)?"""
    return any(d.generated is not None and d.generated(document) for d in DIFFERENCES)
