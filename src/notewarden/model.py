"""The small typed records that flow through notewarden.

files -> NoteRecord (index) -> Problem (rules) -> Finding (engine) -> Fix/Edit -> files
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import Any, NamedTuple

from notewarden.names import link_key


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


INTERNAL_ERROR = "internal error in rule "  # how the finding of a rule that failed starts


class FixSafety(StrEnum):
    SAFE = "safe"
    UNSAFE = "unsafe"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace bytes[start:end] of the file as it was read with `replacement`."""

    start: int
    end: int
    replacement: bytes


@dataclass(frozen=True, slots=True)
class Fix:
    """A repair: byte-span edits against the bytes that were read, plus how safe it is."""

    edits: tuple[Edit, ...]
    safety: FixSafety
    description: str


class Problem(NamedTuple):
    """What a rule reports: a position and a message. The engine adds the rest.

    A NamedTuple because the cache holds one per finding and tuples load fastest."""

    line: int
    column: int
    message: str
    fix: Fix | None = None
    fixable: bool = False  # kept when the fix itself is dropped (e.g. in the cache)


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem stamped with its file, rule and effective severity."""

    path: str  # POSIX, relative to the vault root
    line: int  # 1-based
    column: int  # 1-based, in characters
    rule: str
    severity: Severity
    message: str
    fix: Fix | None = None
    fixable: bool = False

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "fixable": self.fixable,
        }


class LinkKind:
    """Kinds of link. Small ints, not an Enum or strings: a vault holds a million links,
    kept in memory and in the store; an int below 257 is one shared object, where each
    link's kind string, unpacked from the store, was a fresh 57-byte one (700 bytes a
    note). Never 0, so `kind_override or LinkKind.WIKILINK` works."""

    WIKILINK = 1
    EMBED = 2
    MARKDOWN = 3
    MARKDOWN_EMBED = 4
    FRONTMATTER = 5


class Link(NamedTuple):
    """One link found in a note, with its position.

    `target` is the link path without subpath (decoded, as the user wrote it);
    `subpath` is what follows the first `#` (`Heading`, `^block`, `page=3`), or "".
    `start`/`end` are character offsets of the whole link in the note's text.
    """

    kind: int  # a LinkKind value
    target: str
    subpath: str
    display: str | None
    line: int
    column: int
    start: int
    end: int
    prop: str = ""  # for front-matter links: the top-level property holding the link


# A Link from a tuple of its fields, without Link.__new__'s Python-level call.
_make_link: Callable[[tuple[Any, ...]], Link] = partial(tuple.__new__, Link)  # type: ignore[assignment]


class Heading(NamedTuple):
    level: int
    text: str
    line: int


# Distinct strings, only ever asked `in`: see small_set.
StringSet = tuple[str, ...] | frozenset[str]


def small_set(items: Iterable[str]) -> StringSet:
    """Distinct strings to test membership in: a tuple when there are few (a note's dozen
    headings), a frozenset when there are many. A frozenset of 5 to 18 strings takes 730
    bytes, a tuple of 12 150; a million such sets are held for a 100,000-note vault."""
    distinct = tuple(dict.fromkeys(items))
    return distinct if len(distinct) <= 16 else frozenset(distinct)


def link_row(link: Link) -> tuple[Any, ...]:
    """A link as a record keeps it (see NoteRecord.link_rows): without its offsets."""
    kind, target, subpath, display, line, column, _start, _end, prop = link
    return (kind, target, subpath, display, line, column, 0, 0, prop)


class TypedLink(NamedTuple):
    """A front-matter value that an `x-links-to` applies to and that is a wiki link."""

    line: int
    column: int
    where: str  # the property, as schema findings name it: `guest`, `guests[1]`
    text: str  # the value as written: `[[Hive Alpha]]`
    target: str  # its link path: `Hive Alpha` ("" for a link into the note itself)
    glob: str  # "" when x-links-to names none
    schema: str  # "" when x-links-to names none
    label: str  # the schema holding the x-links-to (findings end with it)


class NoteRecord(NamedTuple):
    """Everything the vault-wide rules need to know about one file, built in one pass.

    Holds no body text, so a 10,000-note index stays small and caches cheaply.
    `problems` are the findings of the single-note rules, keyed by rule name.
    """

    path: str
    size: int
    mtime_ns: int
    is_note: bool  # a Markdown note, as opposed to an attachment
    readable: bool  # decoded as UTF-8 (headings and blocks are known)
    aliases: tuple[str, ...]
    # Headings normalised as Obsidian compares them, and block ids (lower case): only ever
    # asked `in`. See small_set.
    heading_keys: StringSet
    block_ids: StringSet
    # Each link as a plain tuple of Link's fields: packed and unpacked in C, three times
    # faster than Link objects, for the 125,000 links of a 10,000-note vault. See `links`.
    # Their start and end are 0: a record's links are for resolving and reporting, and a
    # fix is made from a fresh parse of the note (two int objects a link, 700 bytes a note).
    link_rows: tuple[tuple[Any, ...], ...]
    tags: tuple[str, ...]
    problems: tuple[tuple[str, Problem], ...]
    suppressed_lines: dict[int, frozenset[str]]  # line -> rule names ("*": every rule)
    suppressed_file: frozenset[str]  # rule names ignored in the whole file ("*": every rule)
    backlinks_block: BacklinksBlock | None = None
    # The top-level front-matter keys (a tuple shared by the notes that have the same keys,
    # see shared_keys) and each key's line: a dict per note cost 2 KB of its 8.
    property_lines: tuple[tuple[str, ...], tuple[int, ...]] | None = None
    # git's id for the bytes parsed (SHA-1 of "blob <size>\0" + bytes): lets a staged check
    # trust a cached record for a file the git index holds, without reading the file.
    blob_id: str | None = None
    front_matter_digest: str | None = None  # see ParsedNote.front_matter_digest
    # The front-matter values a schema's `x-links-to` types (see typed_links), and, for
    # each schema an `x-links-to` names, why this note does not satisfy it ("" if it does).
    typed_links: tuple[TypedLink, ...] = ()
    link_verdicts: tuple[tuple[str, str], ...] = ()

    def property_line(self, key: str, default: int = 1) -> int:
        """The line of a top-level front-matter key (`default` if it has none)."""
        if self.property_lines is not None:
            keys, lines = self.property_lines
            if key in keys:
                return lines[keys.index(key)]
        return default

    @property
    def links(self) -> tuple[Link, ...]:
        """The note's links, made from link_rows on every call (keep the result)."""
        return tuple(map(_make_link, self.link_rows))

    @property
    def link_keys(self) -> frozenset[str]:
        """The normalised last path part of every link target (see names.link_key): what
        incremental re-checks match changed names against. Derived on each call rather
        than stored, since only those re-checks and the cache writer ask."""
        return frozenset(map(link_key, [row[1] for row in self.link_rows if row[1]]))


_SHARED_KEYS: dict[tuple[str, ...], tuple[str, ...]] = {}
_MAX_SHARED_KEYS = 4096  # distinct front-matter layouts remembered; a vault has a few dozen


def shared_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The one tuple of these keys that every record with the same front-matter keys
    holds (notes made from one template share theirs)."""
    found = _SHARED_KEYS.get(keys)
    if found is None:
        if len(_SHARED_KEYS) >= _MAX_SHARED_KEYS:
            return keys
        found = _SHARED_KEYS[keys] = keys
    return found


class BacklinksBlock(NamedTuple):
    """A `%% notewarden:backlinks:start %%` ... `end %%` block and what it lists now."""

    start_line: int
    end_line: int
    entries: tuple[str, ...]  # the non-blank lines between the markers, stripped


ALL_RULES_MARK = "*"


class Status(StrEnum):
    OK = "ok"
    MISSING_NOTE = "missing-note"
    MISSING_ATTACHMENT = "missing-attachment"
    MISSING_HEADING = "missing-heading"
    MISSING_BLOCK = "missing-block"


class Resolution(NamedTuple):
    status: Status
    target: str | None  # the resolved file's path
    candidates: tuple[str, ...]  # every note a bare name matched, when more than one
    missing: str = ""  # the heading or block id that was not found
