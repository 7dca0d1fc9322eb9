"""How Obsidian compares names: a tiny module, so cheap code paths can use it without
importing the parser."""

from __future__ import annotations

import unicodedata


def normalize_name(name: str) -> str:
    """The key Obsidian matches names by: NFC-normalised and lowercased."""
    if not name.isascii():
        name = unicodedata.normalize("NFC", name)
    return name.lower()


def newline_of(text: str) -> str:
    """The note's newline style: CRLF if its first line break is CRLF."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"
