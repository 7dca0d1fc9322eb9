"""
broken-heading: a link to a heading that the target note does not have.

## What it does
Checks links with a heading, `[[Note#Heading]]`, `![[Note#Heading]]`,
`[text](Note.md#Heading)` and `[[#Heading]]` within the same note. Headings match as in
Obsidian: punctuation (`!"#$%&()*+,.:;<=>?@^`{|}~/[]\\`) counts as a space, runs of
whitespace collapse, and case is ignored.

Source: obsidian.d.ts, `stripHeading` ("normalizes headings for link matching by stripping
out special characters and shrinking consecutive spaces"); the characters as the Excalidraw
plugin copied them from Obsidian (src/constants/constants.ts, REG_BLOCK_REF_CLEAN); case, as
Obsidian's help vault links `[[#property]]` to `## Property` (obsidianmd/obsidian-help).

## Why it matters
A renamed heading silently breaks every deep link to it: Obsidian opens the note at the top,
and embeds show an error instead of the section.

## Example
```markdown
[[Continual Learning#Open questions]]
```
(where the note's heading is `## Open Questions and Doubts`)

## Use instead
```markdown
[[Continual Learning#Open Questions and Doubts]]
```

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

NAME = "broken-heading"
SEVERITY = Severity.ERROR
FIX_SAFETY = FixSafety.NONE
SUMMARY = "A link to a heading the target note does not have."
SCOPE = "vault"
# Reports only on index.link_issues(note) when not given the source (see rules.Rule).
ONLY_LINK_ISSUES = True


def check(note: NoteRecord, index: VaultIndex, source: object = None) -> Iterator[Problem]:
    for link, resolution in index.link_issues(note):
        if resolution.status is Status.MISSING_HEADING and resolution.target:
            where = "this note" if resolution.target == note.path else \
                repr(index.display_name(resolution.target))
            yield Problem(link.line, link.column,
                          f"{shown(link)}: {where} has no heading {resolution.missing!r}")
