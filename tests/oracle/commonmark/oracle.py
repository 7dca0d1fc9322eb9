"""What markdown-it-py says a note's wikilinks and headings are, and what notewarden says.

markdown-it-py ("commonmark" preset, raw HTML on, GFM tables and strikethrough, and the
front_matter, dollarmath and footnote plugins of mdit-py-plugins, as Obsidian's syntax
needs) is the reference. Its block tokens carry line ranges; its inline tokens do not
carry positions, so the oracle records them where they are made: every inline rule that
can hide text (code spans, `$` math, raw HTML and comments, backslash escapes, autolinks,
link destinations) is wrapped, and the wrapper notes the range `[state.pos before, after)`
of the inline source it consumed, as the parser itself computed it. No position is
guessed by searching for token text.

Wikilinks are then found in each inline token's source with the characters of code, math
and comments blanked out, and escaped `[`/`]` too (`\\[\\[x]]` is no link: the bracket is
literal text). A wikilink that touches raw HTML (a tag's attributes, an autolink, a link
destination, a non-comment HTML block) is left out of the comparison on both sides: what
Obsidian makes of links in raw HTML is not a CommonMark question.

Each side gives a multiset of (line, inner text) for wikilinks and (level, text, line)
for headings; the test compares them exactly. The line is exact (block maps are exact,
and a newline in an inline token's source is a newline of the note), and the inner text
is the source between `[[` and `]]`, so this is as strict as comparing offsets, without
mapping columns through blockquote markers and table cells. (In a table cell
markdown-it-py drops the backslash of `\\|`; both sides read `[[a\\|b]]` as `[[a|b]]`.)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.helpers import parseLinkLabel
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from notewarden.model import LinkKind
from notewarden.parsing import body
from notewarden.parsing.note import parse_note

WIKILINK = re.compile(r"\[\[([^\[\]\n]+)\]\]")
HIDDEN = "\x00"  # stands in for a character of code, math, a comment or an escaped bracket
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_OBSIDIAN_COMMENT = re.compile(r"%%.*?(?:%%|\Z)", re.DOTALL)

WikilinkKey = tuple[int, str]  # (1-based line, inner text)
HeadingKey = tuple[int, str, int]  # (level, text, 1-based line)


@dataclass
class _Inline:
    """One inline token's source, and the ranges of it that the wrapped rules consumed."""

    source: str
    first_line: int  # 0-based
    hidden: list[tuple[int, int]] = field(default_factory=list)
    raw: list[tuple[int, int]] = field(default_factory=list)


def _wrap(name: str, rule: Callable[[StateInline, bool], bool]) -> Callable[..., bool]:
    def wrapped(state: StateInline, silent: bool) -> bool:
        start, before = state.pos, len(state.tokens)
        label_end = -1
        if name in ("link", "image") and not silent:
            label_end = parseLinkLabel(state, start + (1 if name == "link" else 2), True)
        matched = rule(state, silent)
        if not matched or silent:
            return matched
        current: _Inline = state.env["_oracle_current"]
        base = _base(state, current)
        end = state.pos
        pushed = state.tokens[before:]
        kinds = {token.type for token in pushed}
        code = name == "backticks" and "code_inline" in kinds
        math = name.startswith("math_inline") and any(k.startswith("math") for k in kinds)
        escaped_bracket = (name == "escape" and pushed and pushed[-1].type == "text_special"
                           and pushed[-1].content != pushed[-1].markup
                           and pushed[-1].content in "[]")
        if code or math or escaped_bracket:
            current.hidden.append((base + start, base + end))
        elif name == "html_inline" and "html_inline" in kinds:
            target = current.hidden if state.src.startswith("<!--", start) else current.raw
            target.append((base + start, base + end))
        elif name == "autolink":
            current.raw.append((base + start, base + end))
        elif name in ("link", "image") and label_end >= 0:
            current.raw.append((base + label_end, base + end))
        return matched

    return wrapped


def _base(state: StateInline, current: _Inline) -> int:
    """Where this inline state's source sits in the token's source: 0, except inside an
    inline footnote `^[...]`, which markdown-it-py parses as a separate string."""
    if state.src is current.source or state.src == current.source:
        return 0
    at = current.source.find(state.src)
    if at == -1 or current.source.find(state.src, at + 1) != -1:
        raise ValueError("cannot place an inline footnote's text in its paragraph")
    return at


def _wrap_reference(rule: Callable[..., bool]) -> Callable[..., bool]:
    """A link reference definition makes no token: note its lines, whose wikilinks are
    part of a destination or title (raw, as in a link's destination)."""

    def wrapped(state: Any, start_line: int, end_line: int, silent: bool) -> bool:
        matched = rule(state, start_line, end_line, silent)
        if matched and not silent:
            state.env.setdefault("_oracle_references", []).append((start_line, state.line))
        return matched

    return wrapped


_WRAPPED = ("backticks", "math_inline", "math_inline_double", "escape", "html_inline",
            "autolink", "link", "image")


def make_parser() -> MarkdownIt:
    """markdown-it-py as the oracle uses it, with the wrapped inline rules."""
    md = (MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
          .use(front_matter_plugin)
          # Obsidian's `$`: no space just inside, no digit just after ($5 and $6 is prose).
          .use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
          .use(footnote_plugin))
    for rule in md.inline.ruler.__rules__:
        if rule.name in _WRAPPED:
            rule.fn = _wrap(rule.name, rule.fn)
    md.inline.ruler.__cache__ = None

    def inline_core(state: Any) -> None:
        for token in state.tokens:
            if token.type == "inline":
                current = _Inline(token.content, token.map[0] if token.map else -1)
                state.env["_oracle_current"] = current
                state.env.setdefault("_oracle_inlines", []).append((token, current))
                md.inline.parse(token.content, md, state.env, token.children)

    md.core.ruler.at("inline", inline_core)
    for rule in md.block.ruler.__rules__:
        if rule.name == "reference":
            rule.fn = _wrap_reference(rule.fn)
    md.block.ruler.__cache__ = None
    return md


_PARSER: MarkdownIt | None = None


def _parser() -> MarkdownIt:
    global _PARSER
    if _PARSER is None:
        _PARSER = make_parser()
    return _PARSER


@dataclass
class Verdict:
    """One side's wikilinks and headings, and the wikilinks neither side is held to."""

    wikilinks: Counter[WikilinkKey]
    headings: Counter[HeadingKey]
    either: set[WikilinkKey]


def _normal(inner: str) -> str:
    return inner.replace("\\|", "|")


def _counts(inner: str) -> bool:
    """Would notewarden keep a link with this inner text (not `[[ ]]`, `[[|x]]`)?"""
    target, subpath, _ = body.parse_wikilink_inner(inner)
    return bool(target.strip() or subpath.strip())


def markdown_it_verdict(text: str) -> Verdict:
    """The wikilinks and headings markdown-it-py's tokens give for a note's text."""
    env: dict[str, Any] = {}
    tokens = _parser().parse(text, env)
    line_starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def line_span(first: int, last: int) -> str:
        end = line_starts[last] if last < len(line_starts) else len(text)
        return text[line_starts[first]:end]

    wikilinks: Counter[WikilinkKey] = Counter()
    either: set[WikilinkKey] = set()
    headings: Counter[HeadingKey] = Counter()
    for _token, inline in env.get("_oracle_inlines", []):
        if inline.first_line < 0:
            continue
        chars = list(inline.source)
        for start, end in inline.hidden:
            chars[start:end] = HIDDEN * (end - start)
        visible = "".join(chars)
        for match in WIKILINK.finditer(visible):
            key = (inline.first_line + 1 + inline.source.count("\n", 0, match.start()),
                   _normal(match.group(1)))
            if not _counts(match.group(1)):
                continue
            if any(s < match.end() and match.start() < e for s, e in inline.raw):
                either.add(key)
            else:
                wikilinks[key] += 1
    for first, last in env.get("_oracle_references", []):
        source = line_span(first, last)
        for match in WIKILINK.finditer(source):
            either.add((first + 1 + source.count("\n", 0, match.start()),
                        _normal(match.group(1))))
    for at, token in enumerate(tokens):
        if token.type == "html_block" and token.map:
            # Raw HTML, but its comments are comments: links elsewhere in it are either.
            source = line_span(*token.map)
            visible = _COMMENT.sub(lambda m: HIDDEN * len(m.group()), source)
            for match in WIKILINK.finditer(visible):
                either.add((token.map[0] + 1 + source.count("\n", 0, match.start()),
                            _normal(match.group(1))))
        elif token.type == "heading_open" and token.level == 0:
            content = tokens[at + 1].content
            level = int(token.tag[1])
            if not content.strip():
                continue  # notewarden keeps no empty heading: nothing can link to it
            if token.markup.startswith("#"):
                headings[(level, content, token.map[0] + 1)] += 1
            else:  # setext: notewarden indexes the last line of the heading's text
                headings[(level, content.split("\n")[-1].strip(), token.map[1] - 1)] += 1
    return Verdict(wikilinks, headings, either)


def notewarden_verdict(text: str) -> Verdict:
    """The body wikilinks and headings notewarden's parser finds in a note's text."""
    note = parse_note("note.md", text.encode("utf-8"))
    wikilinks: Counter[WikilinkKey] = Counter()
    for link in note.links:
        if link.prop or link.kind not in (LinkKind.WIKILINK, LinkKind.EMBED):
            continue
        at = link.start + (3 if link.kind == LinkKind.EMBED else 2)
        wikilinks[(link.line, _normal(text[at:link.end - 2]))] += 1
    headings = Counter((h.level, h.text, h.line) for h in note.headings)
    # Whether Obsidian indexes links inside `%% %%` is settled elsewhere: not compared.
    either: set[WikilinkKey] = set()
    for comment in _OBSIDIAN_COMMENT.finditer(text, note.body_start):
        for link in note.links:
            if comment.start() <= link.start < comment.end():
                at = link.start + (3 if link.kind == LinkKind.EMBED else 2)
                either.add((link.line, _normal(text[at:link.end - 2])))
    return Verdict(wikilinks, headings, either)


@dataclass(frozen=True)
class Disagreement:
    """What one side found that the other did not."""

    what: str  # "wikilink" or "heading"
    key: tuple[Any, ...]
    only_in: str  # "notewarden" or "markdown-it-py"


def disagreements(text: str) -> list[Disagreement]:
    """Every wikilink and heading on which notewarden and markdown-it-py differ."""
    ours, theirs = notewarden_verdict(text), markdown_it_verdict(text)
    either = ours.either | theirs.either
    found: list[Disagreement] = []
    for key in (ours.wikilinks - theirs.wikilinks):
        if key not in either:
            found.append(Disagreement("wikilink", key, "notewarden"))
    for key in (theirs.wikilinks - ours.wikilinks):
        if key not in ours.either:
            found.append(Disagreement("wikilink", key, "markdown-it-py"))
    for key in ours.headings - theirs.headings:
        found.append(Disagreement("heading", key, "notewarden"))
    for key in theirs.headings - ours.headings:
        found.append(Disagreement("heading", key, "markdown-it-py"))
    return found
