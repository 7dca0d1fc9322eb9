"""The edit engine: apply byte-span edits to the bytes that were read.

Everything outside the spans is copied verbatim, so line endings, the BOM, trailing
whitespace and the final newline survive every fix. Edits that overlap one already
accepted wait for the next pass, as in ruff.
"""

from __future__ import annotations

from collections.abc import Iterable

from notewarden.model import Edit, Fix


def select_edits(fixes: Iterable[Fix]) -> tuple[list[Edit], list[Fix], list[Fix]]:
    """Choose fixes whose edits don't overlap; return (edits, fixes applied, fixes deferred).

    A fix is all-or-nothing: if any of its edits overlaps an accepted edit, the whole fix
    waits for the next pass, when it is recomputed against the new text.
    """
    accepted: list[Edit] = []
    applied: list[Fix] = []
    deferred: list[Fix] = []
    for fix in fixes:
        if any(_overlaps(edit, other) for edit in fix.edits for other in accepted):
            deferred.append(fix)
            continue
        if any(_overlaps(a, b) for i, a in enumerate(fix.edits) for b in fix.edits[i + 1 :]):
            deferred.append(fix)  # a malformed fix: never apply it
            continue
        accepted.extend(fix.edits)
        applied.append(fix)
    accepted.sort(key=lambda edit: (edit.start, edit.end))
    return accepted, applied, deferred


def _overlaps(a: Edit, b: Edit) -> bool:
    """Do two edits touch the same bytes? An insertion overlaps a span it falls strictly
    inside, or another insertion at the same point (their order would be a guess)."""
    if a.start == a.end or b.start == b.end:
        point, other = (a, b) if a.start == a.end else (b, a)
        if other.start == other.end:
            return point.start == other.start
        return other.start < point.start < other.end
    return a.start < b.end and b.start < a.end


def apply_edits(data: bytes, edits: list[Edit]) -> bytes:
    """Apply sorted, non-overlapping edits to `data`."""
    out: list[bytes] = []
    position = 0
    for edit in edits:
        if edit.start < position or edit.end < edit.start or edit.end > len(data):
            raise ValueError(f"bad edit {edit!r} at position {position}")
        out.append(data[position : edit.start])
        out.append(edit.replacement)
        position = edit.end
    out.append(data[position:])
    return b"".join(out)
