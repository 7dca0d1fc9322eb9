"""
alias-link: a link that names an alias instead of a note.

## What it does
Reports `[[X]]` when no note is named X but X is an alias of exactly one note. Obsidian does
not resolve aliases in links: it offers aliases in link suggestions and then writes
`[[Note|X]]`, but a hand-typed `[[X]]` stays unresolved (and clicking it creates an empty
note X). Reported instead of `broken-link`.

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

from collections.abc import Iterator

from notewarden.index import Status, VaultIndex
from notewarden.model import FixSafety, NoteRecord, Problem, Severity
from notewarden.parsing.note import normalize_name
from notewarden.rules._links import shown

NAME = "alias-link"
SEVERITY = Severity.WARNING
FIX_SAFETY = FixSafety.SAFE
SUMMARY = "A link naming an alias: Obsidian leaves it unresolved."
SCOPE = "vault"


def check(note: NoteRecord, index: VaultIndex) -> Iterator[Problem]:
    for link, resolution in index.resolutions(note):
        if resolution.status is not Status.MISSING_NOTE or "/" in link.target:
            continue
        owners = index.alias_owners.get(normalize_name(link.target), [])
        if len(owners) == 1:
            yield Problem(
                link.line, link.column,
                f"{shown(link)}: {link.target!r} is an alias of "
                f"{index.display_name(owners[0])!r}; Obsidian does not resolve aliases "
                "in links",
                fixable=True)
