"""README.md's statements about what Obsidian does cite their sources.

Held simply: every bullet of the "Obsidian's semantics" section has a link, and every link
in it to a file of this repository names a file that exists. Whether a cited page says what
the bullet says is for review; that a bullet cites nothing is caught here.
"""

from __future__ import annotations

import re

from tests.helpers import REPO

SECTION = "## Obsidian's semantics, and the choices made where its docs are silent"
_LINK_RE = re.compile(r"\]\(([^)\s]+)\)")


def _section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert SECTION in text, "the README lost its Obsidian section"
    body = text.split(SECTION, 1)[1]
    return body.split("\n## ", 1)[0]


def _bullets(section: str) -> list[str]:
    """Each top-level bullet with its continuation lines."""
    bullets: list[str] = []
    for line in section.splitlines():
        if line.startswith("- "):
            bullets.append(line)
        elif bullets and line.startswith("  ") and line.strip():
            bullets[-1] += "\n" + line
    return bullets


def test_every_obsidian_claim_in_the_readme_links_its_source() -> None:
    bullets = _bullets(_section())
    assert len(bullets) >= 5
    unsourced = [bullet.splitlines()[0] for bullet in bullets if not _LINK_RE.search(bullet)]
    assert not unsourced, f"bullets with no link to a source: {unsourced}"


def test_links_to_this_repository_name_files_that_exist() -> None:
    local = [target for target in _LINK_RE.findall(_section())
             if not re.match(r"[a-z]+:", target) and not target.startswith("#")]
    for target in local:
        assert (REPO / target.split("#")[0]).exists(), target


def test_the_bullet_checker_catches_a_bullet_without_a_link() -> None:
    section = ("- Sourced ([page](https://help.obsidian.md/links)).\n"
               "- Unsourced, over\n  two lines.\n")
    bullets = _bullets(section)
    assert [bool(_LINK_RE.search(bullet)) for bullet in bullets] == [True, False]
