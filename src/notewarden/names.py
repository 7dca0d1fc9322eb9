"""How Obsidian compares names: a tiny module, so cheap code paths can use it without
importing the parser."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from functools import lru_cache


def normalize_name(name: str) -> str:
    """The key Obsidian matches names by: NFC-normalised and lowercased."""
    if not name.isascii():
        name = unicodedata.normalize("NFC", name)
    return name.lower()


def strip_md(path: str) -> str:
    return path[:-3] if path.lower().endswith(".md") else path


@lru_cache(maxsize=65536)
def link_key(target: str) -> str:
    """The part of a link target that names a file: `../Folder/Note.md` -> `note`.

    A note's findings about its links can only change when a file with this key appears,
    disappears or changes, which is what makes incremental re-checking possible."""
    return strip_md(normalize_name(target.strip()).rsplit("/", 1)[-1])


def newline_of(text: str) -> str:
    """The note's newline style: CRLF if its first line break is CRLF."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def did_you_mean(name: str, known: Collection[str]) -> str:
    """`; did you mean 'broken-link'?` for the known name nearest to a misspelt one (as
    difflib ranks them; "" when none is near). For rule names, which are lowercase."""
    import difflib  # only on this error path: every run imports this module

    close = difflib.get_close_matches(name.strip().lower(), sorted(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""
