"""python-frontmatter as an independent, read-only oracle.

notewarden never lets python-frontmatter touch a note (its load/dump round trip loses
comments, quotes, CRLF, the BOM's front-matter and the body's final newline). Reading
ordinary notes is something it does well, so the tests use it to cross-check that
notewarden splits and reads front-matter the same way on them.
"""

from __future__ import annotations

import frontmatter
import pytest

from notewarden.parsing.note import parse_note
from tests.helpers import SEEDS

ORDINARY = [
    "---\ntitle: Scaling\ntags:\n  - ai\n  - research\n---\n# Body\n\ntext\n",
    "---\naliases: [On-the-job learning]\ncount: 3\nratio: 0.5\npublished: true\n---\nx\n",
    "---\nurl: \"https://example.com/a?b=c\"\nnested:\n  a: 1\n  b: [x, y]\n---\n",
    "# No front-matter\n\nJust text.\n",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_same_properties_and_body_as_python_frontmatter(text: str) -> None:
    post = frontmatter.loads(text)
    note = parse_note("N.md", text.encode())
    assert (note.data or {}) == post.metadata
    assert note.text[note.body_start :].strip() == post.content.strip()


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("00[024]_*.txt")), ids=lambda p: p.name[:3])
def test_seed_properties_match_python_frontmatter(seed) -> None:  # type: ignore[no-untyped-def]
    text = seed.read_text(encoding="utf-8")
    post = frontmatter.loads(text)
    note = parse_note("N.md", text.encode())
    # YAML 1.1 (python-frontmatter) reads dates as datetime.date; YAML 1.2, as Obsidian
    # does, keeps them as text. Compare on that footing.
    expected = {key: value.isoformat() if hasattr(value, "isoformat") else value
                for key, value in post.metadata.items()}
    assert (note.data or {}) == expected
