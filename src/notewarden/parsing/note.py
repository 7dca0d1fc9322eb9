"""Parse one file's bytes into a ParsedNote: the single pass every rule reads from."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from notewarden.model import BacklinksBlock, Edit, Heading, Link, LinkKind
from notewarden.parsing import body
from notewarden.parsing.front_matter import (
    FrontMatterBlock,
    ParsedFrontMatter,
    find_front_matter,
    parse_yaml,
)

BOM = "\ufeff"

# What one note may hold, so that its cost stays within a small multiple of its size
# whatever it contains (issue 12: about 20x at the size limit). Each line costs about 100
# bytes once split, and each thing the scanner finds (a link, heading, tag, code span ...)
# a few hundred more: 31 MB of `[[a]] ` is five million links and took 3.2 GB, 31 MB of
# "a\n" 990 MB. A note past either limit is reported, not scanned. Real notes are far
# below both: the largest seed has 366 lines, the densest 95 markers.
MAX_LINES = 500_000
MAX_MARKERS = 250_000  # at most MAX_LINES: _over_limits relies on it
# The byte sequences that start something the scanner records or masks.
_MARKERS = (b"[[", b"](", b"#", b"^", b"`", b"$", b"<!--", b"~~~", b"%%")


_NO_LINES = body.LineIndex("")
_NOTHING_MASKED = body.MaskedSpans("")


@dataclass(slots=True)
class ParsedNote:
    """A note's text and everything found in it. Rules read this; they never read files."""

    path: str  # POSIX, relative to the vault root
    raw: bytes
    text: str = ""  # decoded, without the BOM ("" when undecodable)
    has_bom: bool = False
    read_error: str | None = None  # the file could not be read at all
    decode_error: str | None = None  # not UTF-8: the message for the encoding rule
    decode_error_line: int = 1
    decode_error_column: int = 1
    block: FrontMatterBlock | None = None
    front_matter_unclosed: bool = False
    front_matter: ParsedFrontMatter | None = None
    body_start: int = 0  # character offset where the Markdown body starts
    lines: body.LineIndex = _NO_LINES  # shared empties, replaced as the note is scanned
    masked: body.MaskedSpans = _NOTHING_MASKED
    links: list[Link] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    block_ids: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    suppressed_lines: dict[int, frozenset[str]] = field(default_factory=dict)
    suppressed_file: frozenset[str] = frozenset()
    backlinks_block: BacklinksBlock | None = None

    @property
    def readable(self) -> bool:
        return self.read_error is None and self.decode_error is None

    @property
    def data(self) -> dict[str, Any] | None:
        """The front-matter properties, or None when absent or unreadable."""
        return self.front_matter.data if self.front_matter else None

    @property
    def front_matter_is_block(self) -> bool:
        """Whether the front-matter is a block mapping, whose keys have lines of their own
        for a fix to rewrite. JSON front-matter (`{"a": 1}`, a flow mapping) has not."""
        node: Any = self.front_matter.node if self.front_matter else None
        return node is not None and node.id == "mapping" and not node.flow_style

    def byte_offset(self, offset: int) -> int:
        """The byte offset in the file of a character offset in `text`."""
        head = self.text[:offset]
        size = offset if head.isascii() else len(head.encode("utf-8"))
        return size + (3 if self.has_bom else 0)

    def edit(self, start: int, end: int, replacement: str) -> Edit:
        """A byte-span edit replacing text[start:end] (character offsets)."""
        return Edit(self.byte_offset(start), self.byte_offset(end), replacement.encode("utf-8"))

    def front_matter_digest(self) -> str | None:
        """A digest of everything front-matter findings depend on (the YAML text and where
        it starts), or None for a note that could not be read or decoded."""
        if not self.readable:
            return None
        block = self.block
        key = f"{self.front_matter_unclosed}:{block.first_line}:{block.yaml_text}" \
            if block is not None else f"{self.front_matter_unclosed}:-"
        return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    @property
    def name(self) -> str:
        """The note's name as Obsidian shows it: the file name without `.md`."""
        base = self.path.rsplit("/", 1)[-1]
        return base[:-3] if base.lower().endswith(".md") else base


def unreadable_note(path: str, message: str) -> ParsedNote:
    return ParsedNote(path=path, raw=b"", read_error=message)


def parse_note(path: str, raw: bytes) -> ParsedNote:
    """Decode and scan a note. Never raises on bad content: problems become fields."""
    note = ParsedNote(path=path, raw=raw)
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):  # a UTF-16 byte-order mark
        note.decode_error = ("not UTF-8: the file is UTF-16; Obsidian reads notes as UTF-8 "
                             "(re-save it as UTF-8)")
        return note
    if b"\x00" in raw[:8192]:
        note.decode_error = "binary file, not a text note (it contains NUL bytes)"
        return note
    over = _over_limits(raw)
    if over is not None:
        note.read_error = over
        return note
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        before = raw[line_start : exc.start]  # valid UTF-8: the first error is at exc.start
        if line == 1 and before.startswith(b"\xef\xbb\xbf"):
            before = before[3:]  # the BOM is not a character of the text
        column = len(before.decode("utf-8")) + 1
        note.decode_error = (
            f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at line {line}, "
            f"column {column}; Obsidian will show replacement characters"
        )
        note.decode_error_line, note.decode_error_column = line, column
        return note
    if text.startswith(BOM):
        text = text[1:]
        note.has_bom = True
    note.text = text
    note.lines = body.LineIndex(text)
    if not path.lower().endswith(".md"):
        return note

    block, unclosed = find_front_matter(text)
    note.block, note.front_matter_unclosed = block, unclosed
    if block is not None:
        note.front_matter = parse_yaml(block)
        note.body_start = block.body_start
    start = note.body_start
    note.masked = masked = body.MaskedSpans(text, start)
    lines = note.lines
    if block is not None and note.front_matter is not None and note.front_matter.data \
            and "[[" in block.yaml_text:
        note.links.extend(_front_matter_links(note, block, note.front_matter))
    if "[[" in text:
        note.links.extend(body.find_wikilinks(text, start, len(text), lines, masked))
    note.links.extend(body.find_markdown_links(text, start, lines, masked))
    note.headings = body.find_headings(text, start, lines, masked)
    note.block_ids = body.find_block_ids(text, start, masked)
    note.tags = body.find_tags(text, start, masked)
    note.suppressed_lines, note.suppressed_file = body.find_suppressions(text, lines, masked)
    block_ = note.backlinks_block = body.find_backlinks_block(text, start, lines, masked)
    if block_ is not None:
        # The block's entries are notewarden's output, not the author's links: counting
        # them would make backlinks blocks list each other, and report a stale entry
        # twice (missing-backlink already says it is stale).
        note.links = [link for link in note.links
                      if not block_.start_line < link.line < block_.end_line]
    return note


def _over_limits(raw: bytes) -> str | None:
    """Why a note is too dense to scan, or None. Counted on the bytes (each count runs at
    memory speed: 3 ms for 31 MB), before anything is decoded or split. A note of fewer
    bytes than the limits cannot pass them (no two markers start on the same byte), and
    counting costs 45 us a bench note, so small notes are not counted."""
    if len(raw) < MAX_MARKERS:
        return None
    lines = raw.count(b"\n") + 1
    if lines > MAX_LINES:
        return f"note has {lines:,} lines, over the {MAX_LINES:,}-line limit; not checked"
    markers = 0
    for marker in _MARKERS:
        markers += raw.count(marker)
        if markers > MAX_MARKERS:
            return (f"note has more than {MAX_MARKERS:,} links, headings, tags and code "
                    "or math markers; not checked")
    return None


def _front_matter_links(
    note: ParsedNote, block: FrontMatterBlock, front_matter: ParsedFrontMatter
) -> list[Link]:
    """Links in front-matter string values, such as `related: ["[[B]]"]`, each with the
    top-level property that holds it.

    An unquoted `[[B]]` is a nested YAML list, not a link, so only `[[...]]` text that
    lies inside a string scalar of the composed YAML counts.
    """
    starts = note.lines.starts
    first = block.first_line - 1  # index of the YAML's first line in the note
    root: Any = front_matter.node
    links: list[Link] = []
    for key, value in root.value if root is not None and root.id == "mapping" else ():
        prop = str(key.value)
        stack: list[Any] = [key, value]
        while stack:
            node = stack.pop()
            if node.id == "scalar":
                if "[[" in node.value:
                    start, end = node.start_mark, node.end_mark
                    links += body.find_wikilinks(
                        note.text, starts[first + start.line] + start.column,
                        starts[first + end.line] + end.column, note.lines, None,
                        LinkKind.FRONTMATTER, prop)
            elif node.id == "sequence":
                stack.extend(node.value)
            else:
                stack.extend(part for pair in node.value for part in pair)
    links.sort(key=_start_of)  # in the order they are written
    return links


def _start_of(link: Link) -> int:
    return link.start
