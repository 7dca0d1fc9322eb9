"""
tag-format: front-matter tags that Obsidian will not read as tags.

## What it does
Checks each tag in the `tags` property. Reports a leading `#`, spaces, a tag made only of
digits, a value that is not a string, and characters Obsidian does not allow in tags
(anything but letters, digits, `_`, `-` and `/` for nested tags).

Source: help.obsidian.md/tags, "Tag format" (letters, numbers, `_`, `-`, `/`; "Tags must
contain at least one non-numerical character"; "Tags can't contain blank spaces").

## Why it matters
Obsidian silently ignores such tags, or reads them as something else: the note vanishes
from the tag pane and from every `#tag` search.

## Example
```markdown
---
tags: ["#transcript", "machine learning", 2025, "ai&ml"]
---
```

## Use instead
```markdown
---
tags: [transcript, machine-learning, y2025, ai-ml]
---
```

## Fix
Safe, for the leading `#` only: it is stripped. Everything else is reported, not guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from notewarden.model import Fix, FixSafety, Problem, Severity
from notewarden.parsing.positions import key_line

if TYPE_CHECKING:  # only for annotations: the warm path must not import the parser
    from notewarden.parsing.note import ParsedNote

NAME = "tag-format"
SEVERITY = Severity.WARNING
FIX_SAFETY = FixSafety.SAFE
SUMMARY = "Front-matter tags that Obsidian will not read as tags."
SCOPE = "note"


def check(note: ParsedNote, context: Any) -> Iterator[Problem]:
    data = note.data
    if not data or "tags" not in data or note.front_matter is None or note.block is None:
        return
    node, first = note.front_matter.node, note.block.first_line
    tags = data["tags"]
    if tags is None:
        return
    items = tags if isinstance(tags, list) else [tags]
    fix: Fix | None = None
    for index, tag in enumerate(items):
        problems = tag_problems(tag)
        if not problems:
            continue
        path: tuple[Any, ...] = ("tags", index) if isinstance(tags, list) else ("tags",)
        line, column = key_line(node, path, first)
        for message, fixable in problems:
            fixable = fixable and note.front_matter_is_block  # JSON front-matter: no lines
            if fixable and context.want_fixes and fix is None:
                fix = make_fix(note)
            yield Problem(line, column, message, fix if fixable else None, fixable)


def make_fix(note: ParsedNote) -> Fix | None:
    """Strip the leading `#` from every tag that has one; nothing else changes."""
    from notewarden.fm_edit import FrontMatterEditor, NotSpliceable

    def strip_hash(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("#") and value.lstrip("#"):
            return type(value)(value.lstrip("#"))  # keeps the scalar's quoting style
        return value

    def change(loaded: Any) -> None:
        tags = loaded["tags"]
        if isinstance(tags, list):
            for index, value in enumerate(tags):
                tags[index] = strip_hash(value)
        else:
            loaded["tags"] = strip_hash(tags)

    try:
        edit = FrontMatterEditor(note).rewrite_key("tags", change)
    except (KeyError, NotSpliceable):  # lines that do not load alone, or would not parse
        return None
    if edit is None:
        return None
    return Fix((edit,), FIX_SAFETY, "strip the leading # from tags")


def tag_problems(tag: Any) -> list[tuple[str, bool]]:
    """What is wrong with one tag value, as (message, fixable) pairs."""
    if isinstance(tag, bool) or not isinstance(tag, str | int | float):
        return [(f"tag {tag!r} is not a string", False)]
    if not isinstance(tag, str):
        return [(f"tag {tag!r} is a number; a tag needs at least one non-digit", False)]
    if _PLAIN_TAG_RE.fullmatch(tag):
        return []  # the common case: letters, digits, `_`, `-`, `/` and a non-digit
    problems: list[tuple[str, bool]] = []
    name = tag
    if name.startswith("#"):
        problems.append((f"tag {tag!r} starts with `#`; in front-matter write it without",
                         True))
        name = name.lstrip("#")
    if not name.strip():
        return [*problems, (f"tag {tag!r} is empty", False)]
    if any(ch.isspace() for ch in name):
        problems.append((f"tag {tag!r} contains a space; use `-` or `_` instead", False))
    bad = sorted({ch for ch in name if not ch.isspace() and not _allowed(ch)})
    if bad:
        shown = " ".join(bad)
        problems.append((f"tag {tag!r} contains characters Obsidian does not allow: {shown}",
                         False))
    if name.strip().isdigit():
        problems.append((f"tag {tag!r} is only digits; Obsidian needs a non-digit", False))
    return problems


_PLAIN_TAG_RE = re.compile(r"[\w/-]*[^\W\d][\w/-]*")


def _allowed(ch: str) -> bool:
    if ch.isascii():
        return ch.isalnum() or ch in "_-/"
    # Letters, marks, digits and symbols such as emoji are fine; punctuation is not.
    return unicodedata.category(ch)[0] in "LMNS"
