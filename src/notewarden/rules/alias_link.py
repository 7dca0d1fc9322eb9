"""
alias-link: a link that names an alias instead of a note.

## What it does
Reports `[[X]]` when no note is named X but X is an alias of exactly one note. Obsidian does
not resolve aliases in links: it offers aliases in link suggestions and then writes
`[[Note|X]]`, but a hand-typed `[[X]]` stays unresolved (and clicking it creates an empty
note X). Reported instead of `broken-link`.

Source: help.obsidian.md/aliases, "Link to a note using an alias": Obsidian writes
`[[Artificial Intelligence|AI]]` "rather than just using the alias as the link destination".

## Why it matters
The author clearly meant the note that has X as an alias, and the fix is certain.

## Example
```markdown
[[Dwarkesh - Continual Learning Bottleneck]]
```

## Use instead
```markdown
[[Dwarkesh Patel - What Are We Scaling|Dwarkesh - Continual Learning Bottleneck]]
```

## Fix
Safe: `[[Alias]]` becomes `[[Note|Alias]]` and `[[Alias#Heading]]` becomes
`[[Note#Heading|Alias]]`, so the visible text does not change. The target is written as
Obsidian would under its "New link format" setting (the shortest unambiguous form by
default).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from notewarden.model import Fix, FixSafety, Link, LinkKind, NoteRecord, Problem, Severity, Status
from notewarden.names import normalize_name
from notewarden.rules._links import shown

if TYPE_CHECKING:  # only for annotations: the warm path must not import the parser
    from notewarden.index import VaultIndex
    from notewarden.parsing.note import ParsedNote

NAME = "alias-link"
SEVERITY = Severity.WARNING
FIX_SAFETY = FixSafety.SAFE
SUMMARY = "A link naming an alias: Obsidian leaves it unresolved."
SCOPE = "vault"
# Reports only on index.link_issues(note) when not given the source (see rules.Rule).
ONLY_LINK_ISSUES = True


# A table's delimiter row, such as `|---|:--:|` or `--- | ---`, maybe inside a blockquote.
_DELIMITER_ROW_RE = re.compile(r"^[ \t>]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*$|"
                               r"^[ \t>]*\|[ \t]*:?-+:?[ \t]*\|[ \t]*$")
_FIXABLE_KINDS = (LinkKind.WIKILINK, LinkKind.EMBED, LinkKind.FRONTMATTER)


def check(note: NoteRecord, index: VaultIndex,
          source: ParsedNote | None = None) -> Iterator[Problem]:
    pairs = ([(link, index.resolve(note, link)) for link in source.links]
             if source is not None else index.link_issues(note))
    for link, resolution in pairs:
        if resolution.status is not Status.MISSING_NOTE or "/" in link.target:
            continue
        owners = index.alias_owners.get(normalize_name(link.target), [])
        if len(owners) != 1:
            continue
        fixable = link.kind in _FIXABLE_KINDS
        fix = None
        if fixable and source is not None:
            fix = make_fix(source, link, link_text(index, owners[0], note.path))
        yield Problem(
            link.line, link.column,
            f"{shown(link)}: {link.target!r} is an alias of "
            f"{index.display_name(owners[0])!r}; Obsidian does not resolve aliases in links",
            fix, fixable)


def link_text(index: VaultIndex, target: str, source_path: str,
              new_link_format: str | None = None) -> str:
    """How Obsidian writes a link to `target` under its "New link format" setting:
    `shortest` (default) is the bare name when no other note shares it, else the path;
    `relative` is the path from the linking note's folder; `absolute` the vault path."""
    fmt = new_link_format or index.new_link_format
    path = target[:-3] if target.lower().endswith(".md") else target
    if fmt == "absolute":
        return path
    if fmt == "relative":
        return posixpath.relpath(path, posixpath.dirname(source_path) or ".")
    name = path.rsplit("/", 1)[-1]
    if len(index.notes_by_name.get(normalize_name(name), ())) == 1:
        return name
    return path


def in_table(source: ParsedNote, line: int) -> bool:
    """Is this line part of a Markdown table? A table is a paragraph (a run of non-blank
    lines) that has a delimiter row."""
    lines = source.text.splitlines()
    first = last = line - 1
    while first > 0 and lines[first - 1].strip(" \t>"):
        first -= 1
    while last + 1 < len(lines) and lines[last + 1].strip(" \t>"):
        last += 1
    return any(_DELIMITER_ROW_RE.match(text) for text in lines[first : last + 1])


def make_fix(source: ParsedNote, link: Link, target_text: str) -> Fix:
    """`[[Alias#H]]` -> `[[Note#H|Alias]]`: same visible text, now resolving."""
    original = source.text[link.start : link.end]
    # In a table (with or without outer pipes, or quoted) a bare `|` would end the cell.
    pipe = "\\|" if "\\|" in original or in_table(source, link.line) else "|"
    display = link.display if link.display is not None else link.target
    bang = "!" if original.startswith("!") else ""
    subpath = f"#{link.subpath}" if link.subpath else ""
    replacement = f"{bang}[[{target_text}{subpath}{pipe}{display}]]"
    return Fix((source.edit(link.start, link.end, replacement),), FIX_SAFETY,
               f"link to {target_text!r}, showing {display!r}")
