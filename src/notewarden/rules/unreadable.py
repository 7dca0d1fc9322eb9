"""
unreadable: a file in the vault that could not be read.

## What it does
Reports a note that exists but cannot be opened: no permission, a symlink that loops or
points nowhere, a folder that links back into itself, or a file too large to check
(over 32 MB) or too dense to scan (over 500,000 lines, or over 250,000 links, headings,
tags and code or math markers).

## Why it matters
Obsidian cannot show such a note either, and nothing in it is checked. The rest of the
vault is still checked.

## Example
A note owned by another user with mode `0600`, or `Notes/loop.md -> loop.md`.

## Use instead
Fix the permission or remove the broken link.

## Fix
None: notewarden does not change permissions or symlinks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from notewarden.model import FixSafety, Problem, Severity

if TYPE_CHECKING:  # only for annotations: the warm path must not import the parser
    from notewarden.parsing.note import ParsedNote

NAME = "unreadable"
SEVERITY = Severity.ERROR
FIX_SAFETY = FixSafety.NONE
SUMMARY = "A file that could not be read (permissions, symlink loop, too large)."
SCOPE = "note"


def check(note: ParsedNote, context: object) -> Iterator[Problem]:
    if note.read_error is not None:
        yield Problem(1, 1, note.read_error)
