"""
encoding: a note that is not valid UTF-8.

## What it does
Reports notes whose bytes are not UTF-8, and binary files saved with a `.md` name. The
position of the first bad byte is given.

## Why it matters
Obsidian reads every note as UTF-8. A note saved as Latin-1 or UTF-16 by another tool shows
replacement characters, and its links, headings and properties are not indexed. The rest of
the vault is still checked.

## Example
A note exported by an old Windows tool as Windows-1252: `caf\\xe9` instead of `café`.

## Use instead
Re-save the note as UTF-8 (for example `iconv -f cp1252 -t utf-8`).

## Fix
None: guessing the original encoding could damage the note.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from notewarden.model import FixSafety, Problem, Severity

if TYPE_CHECKING:  # only for annotations: the warm path must not import the parser
    from notewarden.parsing.note import ParsedNote

NAME = "encoding"
SEVERITY = Severity.ERROR
FIX_SAFETY = FixSafety.NONE
SUMMARY = "A note that is not valid UTF-8, or a binary file named .md."
SCOPE = "note"


def check(note: ParsedNote, context: object) -> Iterator[Problem]:
    if note.decode_error is not None:
        yield Problem(note.decode_error_line, note.decode_error_column, note.decode_error)
