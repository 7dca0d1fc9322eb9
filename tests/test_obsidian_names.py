"""How Obsidian matches `[[Note#Heading]]` and `[[Note#^block-id]]`, one character class at
a time, held to Obsidian's own sources (cited at heading_key in src/notewarden/index.py and
at _BLOCK_ID_RE in src/notewarden/parsing/body.py):

- obsidian.d.ts: `stripHeading` "normalizes headings for link matching by stripping out
  special characters and shrinking consecutive spaces";
- the special characters, as the Excalidraw plugin copied them from Obsidian's source:
  ``!"#$%&()*+,.:;<=>?@^`{|}~/[]\\`` (each one becomes a space), then JavaScript's `\\s+`;
- case does not count (Obsidian's help vault links `[[#property]]` to `## Property`);
- help.obsidian.md/links: "Block identifiers can only consist of Latin letters, numbers,
  and dashes"; Obsidian keys blocks by the lowercased id.

The unit tests pin heading_key; the vault tests run the installed `notewarden` on real
files, so the whole path (parsing, the stored record, resolution, the rules) is covered.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from notewarden.index import heading_key
from tests.helpers import check_json, make_vault

OBSIDIAN_SPECIAL = '!"#$%&()*+,.:;<=>?@^`{|}~/[]\\'
# JavaScript's `\s` (ECMA-262 WhiteSpace and LineTerminator).
JS_WHITESPACE = ["\t", "\n", "\v", "\f", "\r", " ", "\xa0", "\u1680",
                 *map(chr, range(0x2000, 0x200B)), "\u2028", "\u2029", "\u202f", "\u205f",
                 "\u3000", "\ufeff"]


# --- heading_key, one character class at a time ------------------------------------------


@pytest.mark.parametrize("char", list(OBSIDIAN_SPECIAL))
def test_each_special_character_of_strip_heading_becomes_a_space(char: str) -> None:
    assert heading_key(f"a{char}b") == "a b"
    assert heading_key(f"{char}a{char}{char}b{char}") == "a b"  # runs, and at the ends


@pytest.mark.parametrize("char", ["'", "-", "_", "\u2014", "\u2019", "\u00bf", "\u00a7"])
def test_other_punctuation_is_kept(char: str) -> None:
    # Not in Obsidian's class: an apostrophe, dash, underscore, em dash, curly quote...
    assert heading_key(f"a{char}b") == f"a{char}b"


@pytest.mark.parametrize("space", JS_WHITESPACE, ids=lambda c: f"U+{ord(c):04X}")
def test_javascript_whitespace_runs_collapse_to_one_space(space: str) -> None:
    assert heading_key(f"{space}a{space}{space} b{space}") == "a b"


@pytest.mark.parametrize("char", ["\x1c", "\x1d", "\x1e", "\x1f", "\x85"],
                         ids=lambda c: f"U+{ord(c):04X}")
def test_characters_python_calls_whitespace_but_javascript_does_not_are_kept(char: str) -> None:
    # str.split() would split at these; JavaScript's `\s` does not match them.
    assert heading_key(f"a{char}b") == f"a{char}b"
    assert heading_key(f"\u00e9{char}b") == f"\u00e9{char}b"  # the non-ASCII path too


def test_case_does_not_count_in_ascii_or_beyond() -> None:
    assert heading_key("Site Options") == heading_key("site options") == "site options"
    assert heading_key("\u00c9COLE \u00d6ffentlich") == heading_key("\u00e9cole \u00f6ffentlich")
    assert heading_key("\u0391\u0398\u0397\u039d\u0391") == "\u03b1\u03b8\u03b7\u03bd\u03b1"


def test_lowercasing_is_javascripts_not_casefolding() -> None:
    # toLowerCase keeps ß (casefold would make it "ss"), so STRASSE is not Straße.
    assert heading_key("Stra\u00dfe") == "stra\u00dfe"
    assert heading_key("STRASSE") != heading_key("Stra\u00dfe")


def test_digits_and_letters_of_any_script_are_kept() -> None:
    assert heading_key("Chapter 12: \u65e5\u672c\u8a9e (\u0661\u0662)") == \
        "chapter 12 \u65e5\u672c\u8a9e \u0661\u0662"


def test_composed_and_decomposed_accents_match() -> None:
    # notewarden's choice (Obsidian's docs are silent): NFC first, so a heading typed with
    # a decomposed é is found by a link typed with a composed one.
    assert heading_key("Cafe\u0301") == heading_key("Caf\u00e9") == "caf\u00e9"


def test_an_all_punctuation_heading_has_an_empty_key() -> None:
    assert heading_key("?!") == heading_key("   ") == ""


# --- the same, through a real vault and the installed console script --------------------


TARGET = """# What's new? (2024)
## Straße & Co.
### Tabs   and\u00a0spaces
#### a_b
## \u00c9cole
Paragraph with an id ^Intro-2

Another ^123

Underscores are not ids ^my_id

Nor are other letters ^caf\u00e9
"""

# (link, the rule it must trigger or None)
CASES = [
    ("[[Target#What's new? (2024)]]", None),
    ("[[Target#WHAT'S NEW 2024]]", None),               # case, and `?()` stripped
    ("[[Target#what's new (2024)?]]", None),
    ("[[Target#Whats new 2024]]", "broken-heading"),     # the apostrophe is kept
    ("[[Target#straße co]]", None),
    ("[[Target#STRASSE & Co.]]", "broken-heading"),      # ß is not ss
    ("[[Target#tabs and spaces]]", None),                # tab runs and NBSP collapse
    ("[[Target#a_b]]", None),
    ("[[Target#a b]]", "broken-heading"),                # `_` is kept
    ("[[Target#\u00e9cole]]", None),
    ("[[Target#E\u0301cole]]", None),                    # decomposed: NFC first
    ("[[Target#^intro-2]]", None),                       # block ids: case does not count
    ("[[Target#^INTRO-2]]", None),
    ("[[Target#^123]]", None),                           # digits only
    ("[[Target#^my_id]]", "broken-block"),               # `_` makes no block id
    ("[[Target#^caf\u00e9]]", "broken-block"),           # nor does a non-Latin letter
    ("[[Target#^my]]", "broken-block"),
]


def test_heading_and_block_links_resolve_as_in_obsidian(tmp_path: Path) -> None:
    source = "".join(f"{link}\n" for link, _ in CASES)
    vault = make_vault(tmp_path / "v", {"Target.md": TARGET, "Source.md": source})
    findings = [f for f in check_json(vault) if f["rule"] in ("broken-heading", "broken-block")]
    got = {(f["line"], f["rule"]) for f in findings}
    want = {(line, rule) for line, (_, rule) in enumerate(CASES, start=1) if rule}
    assert got == want, [(CASES[line - 1][0], rule) for line, rule in got ^ want]


# --- links in comments: `%%` indexed, `<!-- -->` not ------------------------------------


def test_links_in_percent_comments_are_checked_and_in_html_comments_are_not(
        tmp_path: Path) -> None:
    # Obsidian's CachedMetadata, as obsidian-tasks recorded it (comments_markdown_style.json,
    # comments_html_style.json): `%% [[x]] %%` is in `links`, `<!-- [[x]] -->` is not.
    note = ("Inline %% [[Gone inline]] %% comment\n"          # 1: broken
            "<!-- [[Gone in html]] -->\n"                     # 2: not a link
            "%%\n[[Gone in a block]]\n%%\n"                   # 4: broken
            "%% [[Deliberate]] %% %% notewarden: ignore broken-link %%\n"  # 6: suppressed
            "[[Here]] %% [[Here#Nowhere]] %%\n")              # 7: broken heading only
    vault = make_vault(tmp_path / "v", {"A.md": note, "Here.md": "# Top\n"})
    got = sorted((f["line"], f["rule"]) for f in check_json(vault))
    assert got == [(1, "broken-link"), (4, "broken-link"), (7, "broken-heading")]
