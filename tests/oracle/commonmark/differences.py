"""Where notewarden's body scanner and markdown-it-py (CommonMark 0.31.2 with Obsidian's
extensions) may disagree, and why: the one list tests/test_commonmark_oracle.py reads.

Each entry names the spec examples it explains (`variant:number`, variants as in that
test) and, for generated notes, a regex that picks out the notes of its class (those
are not compared). `deliberate` is True for a difference Obsidian itself makes, with its
source; False for a known limitation of notewarden's scanner that is not fixed yet.
An entry that no longer explains any disagreement fails the test: remove it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Difference:
    id: str
    examples: frozenset[str]
    what: str
    why: str
    source: str
    deliberate: bool
    generated: re.Pattern[str] | None = None


DIFFERENCES: tuple[Difference, ...] = ()


def explaining(example: str) -> list[Difference]:
    """The entries that name a spec example."""
    return [d for d in DIFFERENCES if example in d.examples]


def excuses(document: str) -> bool:
    """Is a generated document of a listed class (so not compared)?"""
    return any(d.generated is not None and d.generated.search(document)
               for d in DIFFERENCES)
