"""
broken-link: a link to a note that does not exist.

## What it does
Checks every wikilink `[[Note]]`, embed `![[Note]]`, Markdown link to a local note
`[text](Note.md)` and quoted front-matter link `related: ["[[Note]]"]`, resolving it exactly
as Obsidian does (case-insensitive, NFC-normalised, by name, path or relative path). Reports
the ones whose note does not exist. Links that name an alias are reported by `alias-link`
instead; links to images and other files by `missing-attachment`.

Source: help.obsidian.md/links (names, `.md`, folder paths); case-insensitivity as Obsidian
resolved `[[liNk_in_YaMl]]` in obsidian-tasks' recorded data. NFC and relative paths are
notewarden's choices (README, "Obsidian's semantics").

## Why it matters
Obsidian silently creates an empty note when you click a broken link, and a renamed or
deleted note leaves every link to it dangling.

## Example
```markdown
See [[Sample Efficiency]] for the argument.
```

## Use instead
Link to the note's current name, or create the note.

## Fix
None: the intended target cannot be guessed safely (`notewarden watch --fix` repairs links
broken by renames it sees).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from notewarden.model import FixSafety, NoteRecord, Problem, Severity, Status
from notewarden.names import normalize_name
from notewarden.rules._links import shown

if TYPE_CHECKING:  # only for annotations: the warm path must not import the parser
    from notewarden.index import VaultIndex

NAME = "broken-link"
SEVERITY = Severity.ERROR
FIX_SAFETY = FixSafety.NONE
SUMMARY = "A link or embed whose target note does not exist."
SCOPE = "vault"
# Reports only on index.link_issues(note) when not given the source (see rules.Rule).
ONLY_LINK_ISSUES = True


def check(note: NoteRecord, index: VaultIndex, source: object = None) -> Iterator[Problem]:
    for link, resolution in index.link_issues(note):
        if resolution.status is not Status.MISSING_NOTE:
            continue
        owners = index.alias_owners.get(normalize_name(link.target), [])
        if len(owners) == 1 and "/" not in link.target:
            continue  # alias-link explains this one
        message = f"{shown(link)}: no note named {link.target!r}"
        if len(owners) > 1:
            names = ", ".join(repr(index.display_name(path)) for path in sorted(owners))
            message += f" (it is an alias of several notes: {names})"
        yield Problem(link.line, link.column, message)
