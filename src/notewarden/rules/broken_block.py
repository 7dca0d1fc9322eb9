"""
broken-block: a link to a block id that the target note does not have.

## What it does
Checks block references, `[[Note#^block-id]]` and `![[Note#^block-id]]`. A block id is
`^id` (letters, digits and `-`) at the end of a block; ids match case-insensitively.

Source: help.obsidian.md/links, "Link to a block in a note" ("Block identifiers can only
consist of Latin letters, numbers, and dashes"); Obsidian keys a note's blocks by the
lowercased id (Vinzent03/obsidian-advanced-uri#192).

## Why it matters
Block references break when the block is deleted or its id is edited, and the embed then
shows an error where the quoted paragraph used to be.

## Example
```markdown
![[Continual Learning#^core-claim]]
```
(where the paragraph ends with `^core-claims`)

## Use instead
Reference the id that is there, or put `^core-claim` back at the end of the paragraph.

## Fix
None.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from notewarden.model import FixSafety, NoteRecord, Problem, Severity, Status
from notewarden.rules._links import shown

if TYPE_CHECKING:  # only for annotations: the warm path must not import the parser
    from notewarden.index import VaultIndex

NAME = "broken-block"
SEVERITY = Severity.ERROR
FIX_SAFETY = FixSafety.NONE
SUMMARY = "A link to a ^block-id the target note does not have."
SCOPE = "vault"
# Reports only on index.link_issues(note) when not given the source (see rules.Rule).
ONLY_LINK_ISSUES = True


def check(note: NoteRecord, index: VaultIndex, source: object = None) -> Iterator[Problem]:
    for link, resolution in index.link_issues(note):
        if resolution.status is Status.MISSING_BLOCK and resolution.target:
            where = "this note" if resolution.target == note.path else \
                repr(index.display_name(resolution.target))
            yield Problem(link.line, link.column,
                          f"{shown(link)}: {where} has no block ^{resolution.missing}")
