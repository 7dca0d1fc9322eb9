"""
mojibake: UTF-8 text that was mis-decoded somewhere along the way.

## What it does
Finds text such as `â€”` (an em dash) or `Ã©` (é): UTF-8 bytes that some tool read as
Windows-1252 or Latin-1 and saved again. Detection is ftfy's (`ftfy.badness`), line by line.

## Why it matters
Mojibake is permanent damage that spreads: it is copied into quotes, search misses the real
words, and every further round trip makes it worse.

## Example
```markdown
Economic diffusion lag is "cope"â€”if these were true AGI...
```

## Use instead
```markdown
Economic diffusion lag is "cope"—if these were true AGI...
```

## Fix
Unsafe (needs `--unsafe-fixes`): ftfy repairs each flagged line, and only those lines.
ftfy is very reliable, but a line that really means `â€”` would change, so review the diff.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from notewarden.model import Fix, FixSafety, Problem, Severity

if TYPE_CHECKING:  # only for annotations: the warm path must not import the parser
    from notewarden.parsing.note import ParsedNote

NAME = "mojibake"
SEVERITY = Severity.WARNING
FIX_SAFETY = FixSafety.UNSAFE
SUMMARY = "Mis-decoded UTF-8 such as `â€”`, detected and repaired with ftfy."
SCOPE = "note"

# Mis-decoded UTF-8 always shows at least two non-ASCII characters in a row (a lead byte
# and a continuation byte, each read as a character), so lines without such a pair cannot
# hold it. This screen is a necessary condition only; ftfy makes the call.
_SCREEN_RE = re.compile(r"[^\x00-\x7f]{2}")
# The same test on the UTF-8 bytes: two adjacent non-ASCII characters are exactly a
# continuation byte followed by a lead byte. Mapping every byte to its class (ASCII `a`,
# continuation `c`, lead `l`) and looking for "cl" does it in two C loops, three times
# faster than a regex whose first item is a character class (no literal to skip to).
_BYTE_CLASSES = bytes(0x61 if byte < 0x80 else 0x63 if byte < 0xC0 else 0x6C
                      for byte in range(256))
_WINDOW = 12


def flagged_lines(note: ParsedNote) -> Iterator[tuple[int, int, int, str]]:
    """(line number, start offset, column, line text) for each line ftfy calls mojibake."""
    text = note.text
    if not note.readable or text.isascii():
        return
    raw = note.raw
    classes = raw.translate(_BYTE_CLASSES)
    pair = classes.find(b"cl")  # the byte offset of a pair, in the file
    if pair == -1:
        return
    badness_re = _badness_re()
    starts, masked = note.lines.starts, note.masked
    line, counted_to = 1, 0
    # From one line with a pair to the next, found in the bytes (a regex search of the text
    # for the pair, with no literal to skip to, would read every character).
    while pair != -1:
        line += raw.count(b"\n", counted_to, pair)
        counted_to = pair
        start = starts[line - 1]
        end = starts[line] - 1 if line < len(starts) else len(text)  # its "\n", or the end
        if not masked.contains(start):  # not a code line
            found = _first_bad(text, start, end, badness_re)
            if found is not None:
                yield line, start, found - start + 1, text[start:end].rstrip("\r")
        next_line = raw.find(b"\n", pair)
        pair = -1 if next_line == -1 else classes.find(b"cl", next_line + 1)


def _first_bad(text: str, start: int, end: int, badness_re: re.Pattern[str]) -> int | None:
    """Where ftfy's detector first fires in text[start:end], near a screened pair."""
    position = start
    while (match := _SCREEN_RE.search(text, position, end)) is not None:
        # ftfy's patterns are a few characters long: look at a small window around the
        # screened pair rather than the whole (possibly very long) line.
        window_start = max(start, match.start() - _WINDOW)
        bad = badness_re.search(text, window_start, min(end, match.end() + _WINDOW))
        if bad is not None:
            # Some of ftfy's patterns start on the letter before the damage: point past it.
            at = bad.start()
            while at < bad.end() and text[at].isascii():
                at += 1
            return at if at < bad.end() else bad.start()
        position = match.end()
    return None


_badness: list[re.Pattern[str]] = []  # ftfy's pattern, once loaded


def _badness_re() -> re.Pattern[str]:
    """ftfy's detector: `ftfy.is_bad(text)` is `BADNESS_RE.search(text)`.

    `ftfy/badness.py` needs only `re`, but importing it the usual way runs ftfy's package
    init, which loads wcwidth and its codec tables: 70 ms, a quarter of a staged check.
    So the file is loaded on its own (importlib's documented recipe for importing a source
    file), privately: it is not registered in sys.modules, where it would stand in for the
    real submodule when the fixer imports ftfy."""
    if _badness:
        return _badness[0]
    module: Any = sys.modules.get("ftfy.badness")
    if module is None:
        import importlib.util

        try:
            package = importlib.util.find_spec("ftfy")
            folders = list(package.submodule_search_locations or []) if package else []
            spec = importlib.util.spec_from_file_location(
                "_notewarden_ftfy_badness", os.path.join(folders[0], "badness.py")) \
                if folders else None
            if spec is None or spec.loader is None:
                raise ImportError("ftfy.badness")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        except (ImportError, OSError):  # an unusual install: import it the usual way
            from ftfy import badness as module
    _badness.append(module.BADNESS_RE)
    return _badness[0]


def check(note: ParsedNote, context: Any) -> Iterator[Problem]:
    for line, start, column, line_text in flagged_lines(note):
        bad = line_text[max(column - 1, 0) : column + 2]
        fix = make_fix(note, start, line_text) if context.want_fixes else None
        yield Problem(line, column, f"mis-decoded UTF-8 (mojibake) near {bad!r}", fix,
                      fixable=True)


def make_fix(note: ParsedNote, start: int, line_text: str) -> Fix | None:
    """Repair one line with ftfy, editing only the characters that change.

    `ftfy.fix_encoding` only undoes mis-decoding; `fix_text` would also uncurl quotes and
    normalise other things the author wrote on purpose.
    """
    import ftfy

    fixed = ftfy.fix_encoding(line_text)
    if fixed == line_text:
        return None
    prefix = 0
    while prefix < min(len(fixed), len(line_text)) and fixed[prefix] == line_text[prefix]:
        prefix += 1
    suffix = 0
    while (suffix < min(len(fixed), len(line_text)) - prefix
           and fixed[-1 - suffix] == line_text[-1 - suffix]):
        suffix += 1
    edit = note.edit(start + prefix, start + len(line_text) - suffix,
                     fixed[prefix : len(fixed) - suffix])
    return Fix((edit,), FIX_SAFETY, "repair mis-decoded UTF-8 with ftfy")
