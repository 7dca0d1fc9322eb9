"""
missing-attachment: an embed of, or link to, a file that does not exist.

## What it does
Checks links and embeds of non-note files (images, PDFs, audio, video, canvases...):
`![[diagram.png]]`, `![](attachments/diagram.png)`, `[[paper.pdf#page=3]]`. Like Obsidian,
it finds the file anywhere in the vault by name; a path narrows the search.

## Why it matters
A moved or deleted attachment leaves an empty frame in the note, and nobody notices until
the picture is needed.

## Example
```markdown
![[scaling-curve.png]]
```

## Use instead
Put the file back (Obsidian's attachment folder is a good place) or fix the name.

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

NAME = "missing-attachment"
SEVERITY = Severity.ERROR
FIX_SAFETY = FixSafety.NONE
SUMMARY = "An embed of, or link to, a non-note file that does not exist."
SCOPE = "vault"
# Reports only on index.link_issues(note) when not given the source (see rules.Rule).
ONLY_LINK_ISSUES = True


def check(note: NoteRecord, index: VaultIndex, source: object = None) -> Iterator[Problem]:
    hint = _where_attachments_go(index, note.path)
    for link, resolution in index.link_issues(note):
        if resolution.status is Status.MISSING_ATTACHMENT:
            yield Problem(link.line, link.column,
                          f"{shown(link)}: no file named {link.target!r} in the vault{hint}")


def _where_attachments_go(index: VaultIndex, note_path: str) -> str:
    """Obsidian finds an attachment anywhere in the vault by name, so the attachment folder
    (`attachmentFolderPath` in .obsidian/app.json) does not change resolution; it only says
    where a restored file belongs."""
    folder = index.config.attachment_folder if index.config else "/"
    if folder in ("", "/"):
        return ""
    if folder.startswith("./"):  # relative to each note's folder
        sub = folder[2:].strip("/")
        return f" (Obsidian keeps attachments in {sub}/ next to the note)" if sub \
            else " (Obsidian keeps attachments next to the note)"
    return f" (Obsidian keeps attachments in {folder.strip('/')}/)"
