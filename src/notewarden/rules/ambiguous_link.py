"""
ambiguous-link: a bare name that matches notes in several folders.

## What it does
Reports `[[Name]]` when notes called `Name` exist in more than one folder, and says which
one Obsidian opens: the one under the linking note's folder if there is one, otherwise the
one with the shortest path.

Source: none in Obsidian's docs (obsidian.d.ts: `getFirstLinkpathDest` gets "the best
match for a linkpath"); the preference is observed behaviour, notewarden's reading of it.

## Why it matters
The link works today, but it points at whichever note Obsidian prefers, which may not be
the one you meant, and it changes meaning when notes move.

## Example
```markdown
[[Scaling Laws]]
```
(with `Concepts/Scaling Laws.md` and `Archive/Scaling Laws.md` in the vault)

## Use instead
```markdown
[[Concepts/Scaling Laws]]
```

## Fix
None: which note was meant is the author's call.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from notewarden.model import FixSafety, NoteRecord, Problem, Severity
from notewarden.rules._links import shown

if TYPE_CHECKING:  # only for annotations: the warm path must not import the parser
    from notewarden.index import VaultIndex

NAME = "ambiguous-link"
SEVERITY = Severity.WARNING
FIX_SAFETY = FixSafety.NONE
SUMMARY = "A bare link name that matches notes in several folders."
SCOPE = "vault"
# Reports only on index.link_issues(note) when not given the source (see rules.Rule).
ONLY_LINK_ISSUES = True


def check(note: NoteRecord, index: VaultIndex, source: object = None) -> Iterator[Problem]:
    for link, resolution in index.link_issues(note):
        if resolution.candidates and resolution.target:
            others = ", ".join(path for path in resolution.candidates
                               if path != resolution.target)
            yield Problem(
                link.line, link.column,
                f"{shown(link)} matches {len(resolution.candidates)} notes; Obsidian opens "
                f"{resolution.target} (also: {others})")
