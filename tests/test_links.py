"""Obsidian's link semantics, rule by rule: broken-link, broken-heading, broken-block,
missing-attachment, ambiguous-link and alias-link.

Each behaviour has a positive case (the problem is reported, at its line and column) and a
negative case (the valid form is not). Every test writes a real vault to a temporary folder
and checks it in-process.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from notewarden.model import LinkKind
from tests.helpers import lint, make_vault

LINK_RULES = ("broken-link", "broken-heading", "broken-block", "missing-attachment",
              "ambiguous-link", "alias-link")

NFC_CAFE = unicodedata.normalize("NFC", "Café")
NFD_CAFE = unicodedata.normalize("NFD", "Café")
assert NFC_CAFE != NFD_CAFE


def found(vault: Path, *paths: Path) -> list[tuple[str, str, int, int]]:
    """(rule, path, line, column) of every link finding, in report order."""
    return [(f.rule, f.path, f.line, f.column) for f in lint(vault, *paths)
            if f.rule in LINK_RULES]


def vault_of(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    return make_vault(tmp_path / "vault", files)


# --- names: case, NFC, paths ----------------------------------------------------------


@pytest.mark.parametrize("link", [
    "[[Target Note]]", "[[target note]]", "[[TARGET NOTE]]", "[[Target Note.md]]",
    "[[target note.MD]]", "[[Folder/Target Note]]", "[[folder/TARGET NOTE.md]]",
    "[[Deep/Folder/Target Note]]",
])
def test_name_and_path_forms_resolve(tmp_path: Path, link: str) -> None:
    vault = vault_of(tmp_path, {"Deep/Folder/Target Note.md": "# T\n",
                                "Source.md": f"see {link}\n"})
    assert found(vault) == []


@pytest.mark.parametrize("link", [
    "[[Target Notes]]", "[[Target]]", "[[Other/Target Note]]", "[[older/Target Note]]",
    "[[Folder/Deep/Target Note]]", "[[Target Note.md.md]]",
])
def test_wrong_names_and_paths_are_broken(tmp_path: Path, link: str) -> None:
    vault = vault_of(tmp_path, {"Deep/Folder/Target Note.md": "# T\n",
                                "Source.md": f"see {link}\n"})
    assert found(vault) == [("broken-link", "Source.md", 1, 5)]


@pytest.mark.parametrize(("file_name", "link_name"), [
    (NFD_CAFE, NFC_CAFE), (NFC_CAFE, NFD_CAFE), (NFD_CAFE, NFC_CAFE.upper()),
])
def test_names_match_after_nfc_normalisation(tmp_path: Path, file_name: str,
                                             link_name: str) -> None:
    vault = vault_of(tmp_path, {f"{file_name}.md": "# c\n",
                                "A.md": f"[[{link_name}]]\n[[Cafe]]\n"})
    # The accent matters: only the unaccented name is broken.
    assert found(vault) == [("broken-link", "A.md", 2, 1)]


@pytest.mark.parametrize(("folder", "link_folder"), [(NFD_CAFE, NFC_CAFE),
                                                     (NFC_CAFE, NFD_CAFE)])
def test_folder_paths_match_after_nfc_normalisation(tmp_path: Path, folder: str,
                                                    link_folder: str) -> None:
    vault = vault_of(tmp_path, {f"{folder}/N.md": "# n\n",
                                "A.md": f"[[{link_folder}/N]] [[{link_folder}/Nope]]\n"})
    column = len(f"[[{link_folder}/N]] ") + 1  # in characters: NFD takes one more
    assert found(vault) == [("broken-link", "A.md", 1, column)]


@pytest.mark.parametrize(("source", "link", "target"), [
    ("a/S.md", "[[./N]]", "a/N.md"),
    ("a/S.md", "[[./N.md]]", "a/N.md"),
    ("a/S.md", "[[./sub/N]]", "a/sub/N.md"),
    ("a/b/S.md", "[[../N]]", "a/N.md"),
    ("a/S.md", "[[../N]]", "N.md"),
    ("a/b/S.md", "[[../../N.md]]", "N.md"),
    ("a/b/S.md", "[[../c/N]]", "a/c/N.md"),
    ("S.md", "[[./N]]", "N.md"),
])
def test_relative_paths_resolve_from_the_linking_folder(tmp_path: Path, source: str,
                                                        link: str, target: str) -> None:
    vault = vault_of(tmp_path, {target: "# n\n", source: f"x {link}\n"})
    assert found(vault) == []


@pytest.mark.parametrize(("source", "link", "target"), [
    ("a/S.md", "[[./N]]", "N.md"),  # relative paths do not fall back to a search by name
    ("a/S.md", "[[./N]]", "b/N.md"),
    ("a/b/S.md", "[[../N]]", "a/b/N.md"),
    ("S.md", "[[../N]]", "N.md"),  # above the vault root
    ("a/S.md", "[[../../N]]", "N.md"),
    ("a/b/S.md", "[[../../../N]]", "N.md"),
])
def test_relative_paths_that_miss_are_broken(tmp_path: Path, source: str, link: str,
                                             target: str) -> None:
    vault = vault_of(tmp_path, {target: "# n\n", source: f"x {link}\n"})
    assert found(vault) == [("broken-link", source, 1, 3)]


def test_non_note_files_need_their_extension(tmp_path: Path) -> None:
    vault = vault_of(tmp_path, {
        "assets/diagram.png": b"\x89PNG\r\n",
        "A.md": "[[diagram.png]] ![[diagram.png]] [[DIAGRAM.PNG]] [[assets/diagram.png]]\n"
                "text [[diagram]]\n",
    })
    # Without its extension the name is looked up as a note: a broken link, not a
    # missing attachment.
    assert found(vault) == [("broken-link", "A.md", 2, 6)]


# --- several notes with one name -----------------------------------------------------


def ambiguous(vault: Path) -> dict[tuple[str, int, int], str]:
    return {(f.path, f.line, f.column): f.message for f in lint(vault)
            if f.rule == "ambiguous-link"}


def test_ambiguous_name_prefers_the_linking_folder(tmp_path: Path) -> None:
    # Topic.md at the root is shorter, but a/deep/Topic.md is under the linking folder.
    vault = vault_of(tmp_path, {"Topic.md": "# root\n", "a/deep/Topic.md": "# deep\n",
                                "a/S.md": "x [[Topic]]\n"})
    messages = ambiguous(vault)
    assert list(messages) == [("a/S.md", 1, 3)]
    assert "Obsidian opens a/deep/Topic.md" in messages["a/S.md", 1, 3]
    assert "Topic.md" in messages["a/S.md", 1, 3].split("also:")[1]
    assert [f.severity for f in lint(vault) if f.rule == "ambiguous-link"] == ["warning"]


def test_ambiguous_name_otherwise_prefers_the_shortest_path(tmp_path: Path) -> None:
    vault = vault_of(tmp_path, {"x/Topic.md": "# x\n", "yy/zz/Topic.md": "# z\n",
                                "b/S.md": "x [[Topic]]\n", "Root.md": "[[Topic]]\n"})
    messages = ambiguous(vault)
    assert set(messages) == {("b/S.md", 1, 3), ("Root.md", 1, 1)}
    assert "Obsidian opens x/Topic.md" in messages["b/S.md", 1, 3]
    assert "Obsidian opens x/Topic.md" in messages["Root.md", 1, 1]


@pytest.mark.parametrize("link", ["[[Topic.md]]", "![[Topic]]", "[[topic|t]]",
                                  "[[Topic#H]]", "[t](Topic.md)"])
def test_every_bare_form_can_be_ambiguous(tmp_path: Path, link: str) -> None:
    vault = vault_of(tmp_path, {"x/Topic.md": "# H\n", "yy/Topic.md": "# H\n",
                                "S.md": f"x {link}\n"})
    assert found(vault) == [("ambiguous-link", "S.md", 1, 3)]


@pytest.mark.parametrize(("source", "link"), [
    ("S.md", "[[x/Topic]]"), ("S.md", "[[yy/Topic.md]]"), ("x/S.md", "[[./Topic]]"),
    ("S.md", "[[Only]]"), ("S.md", "[[only.md]]"), ("S.md", "[t](x/Topic.md)"),
])
def test_a_path_or_a_single_match_is_not_ambiguous(tmp_path: Path, source: str,
                                                   link: str) -> None:
    vault = vault_of(tmp_path, {"x/Topic.md": "# H\n", "yy/Topic.md": "# H\n",
                                "z/Only.md": "# O\n", source: f"x {link}\n"})
    assert found(vault) == []


# --- aliases ------------------------------------------------------------------------


REAL = "---\naliases:\n  - Nick\n  - Other Name\n---\n# H\n"


@pytest.mark.parametrize("link", ["[[Nick]]", "[[nick]]", "[[Other Name]]", "![[Nick]]",
                                  "[[Nick#H]]", "[[Nick|shown]]"])
def test_an_alias_link_is_alias_link_not_broken_link(tmp_path: Path, link: str) -> None:
    vault = vault_of(tmp_path, {"Real.md": REAL, "A.md": f"x {link}\n"})
    (finding,) = [f for f in lint(vault) if f.rule in LINK_RULES]
    assert (finding.rule, finding.path, finding.line, finding.column) == \
        ("alias-link", "A.md", 1, 3)
    assert finding.severity == "warning"
    assert "'Real'" in finding.message


def test_an_alias_matches_after_nfc_normalisation(tmp_path: Path) -> None:
    vault = vault_of(tmp_path, {"Real.md": f"---\naliases: [{NFD_CAFE}]\n---\n",
                                "A.md": f"[[{NFC_CAFE}]]\n"})
    assert found(vault) == [("alias-link", "A.md", 1, 1)]


def test_the_note_itself_is_not_an_alias_link(tmp_path: Path) -> None:
    vault = vault_of(tmp_path, {"Real.md": REAL, "A.md": "[[Real]] [[Real|Nick]]\n"})
    assert found(vault) == []


def test_an_alias_of_two_notes_is_a_broken_link(tmp_path: Path) -> None:
    vault = vault_of(tmp_path, {"One.md": "---\naliases: [Nick]\n---\n",
                                "Two.md": "---\naliases: [nick]\n---\n",
                                "A.md": "x [[Nick]]\n"})
    findings = [f for f in lint(vault) if f.rule in LINK_RULES]
    assert [(f.rule, f.path, f.line, f.column) for f in findings] == \
        [("broken-link", "A.md", 1, 3)]
    assert "'One'" in findings[0].message and "'Two'" in findings[0].message


def test_a_real_note_name_that_is_also_an_alias_resolves(tmp_path: Path) -> None:
    vault = vault_of(tmp_path, {"Nick.md": "# N\n", "Real.md": REAL,
                                "A.md": "[[Nick]] [[nick.md]]\n"})
    assert found(vault) == []


def test_an_alias_with_a_path_is_a_broken_link(tmp_path: Path) -> None:
    vault = vault_of(tmp_path, {"f/Real.md": REAL, "A.md": "[[f/Nick]]\n"})
    assert found(vault) == [("broken-link", "A.md", 1, 1)]


# --- display text and the table escape ------------------------------------------------


@pytest.mark.parametrize(("line", "expected"), [
    ("[[Note|shown]]", []),
    ("[[Note|shown|more]]", []),  # the display text starts after the FIRST `|`
    ("[[Note#Part|shown]]", []),
    ("[[Note|]]", []),
    ("[[Nope|Note]]", [("broken-link", "A.md", 1, 1)]),  # the display text is not a target
    ("[[Note#Gone|Part]]", [("broken-heading", "A.md", 1, 1)]),
])
def test_display_text_follows_the_first_bar(tmp_path: Path, line: str,
                                            expected: list[tuple[str, str, int, int]]) -> None:
    vault = vault_of(tmp_path, {"Note.md": "# Part\n", "A.md": line + "\n"})
    assert found(vault) == expected


def test_table_escaped_bar_resolves_to_the_note(tmp_path: Path) -> None:
    table = ("| link | note |\n"
             "|------|------|\n"
             "| [[Note\\|shown]] | ok |\n"
             "| [[Note#Part\\|shown]] | ok |\n"
             "| [[Nope\\|Note]] | broken |\n"
             "| [[Note#Gone\\|Part]] | broken |\n")
    vault = vault_of(tmp_path, {"Note.md": "# Part\n", "A.md": table})
    assert found(vault) == [("broken-link", "A.md", 5, 3), ("broken-heading", "A.md", 6, 3)]


# --- headings -------------------------------------------------------------------------


@pytest.mark.parametrize(("heading", "subpath"), [
    ("## Q&A: What's next?", "Q A What's next"),
    ("## Q&A: What's next?", "Q&A: What's next?"),
    ("## Q&A: What's next?", "q&a what's next"),
    ("## Cost (USD) / year", "cost usd year"),
    ("## C:\\Users [draft] {x}", "C Users draft x"),
    ("## 100% sure!", "100 sure"),
    ("## a.b,c;d=e+f*g", "A B C D E F G"),
    ("## <tag> @home ~maybe~ `code`", "tag home maybe code"),
    ('## "Quoted" & $money$', "quoted money"),
    ("## Tabs\tand   spaces", "tabs and spaces"),
    ("## Closed heading ##", "Closed heading"),
    ("Setext heading\n==============", "setext heading"),
    ("Setext two\n---", "SETEXT TWO"),
    (f"## {NFD_CAFE} Au Lait", f"{NFC_CAFE} au lait"),
    (f"## {NFC_CAFE} Au Lait", f"{NFD_CAFE} AU LAIT"),
])
def test_headings_match_as_obsidian_normalises_them(tmp_path: Path, heading: str,
                                                    subpath: str) -> None:
    vault = vault_of(tmp_path, {"Note.md": f"intro\n\n{heading}\n\nbody\n",
                                "A.md": f"[[Note#{subpath}]]\n"})
    assert found(vault) == []


@pytest.mark.parametrize(("heading", "subpath"), [
    ("## What's next", "What s next"),  # `'` is not punctuation here: it stays
    ("## What's next", "Whats next"),
    ("## up-to_date", "up to date"),  # nor are `-` and `_`
    ("## Q&A", "QA"),  # punctuation becomes a space; it is not deleted
    ("## Heading One", "Heading"),  # no prefix matching
    ("## Heading", "Heading One"),
    ("## Cafe", NFC_CAFE),
])
def test_headings_that_differ_are_broken(tmp_path: Path, heading: str, subpath: str) -> None:
    vault = vault_of(tmp_path, {"Note.md": f"{heading}\n", "A.md": f"x [[Note#{subpath}]]\n"})
    assert found(vault) == [("broken-heading", "A.md", 1, 3)]


def test_missing_heading_message_names_note_and_heading(tmp_path: Path) -> None:
    vault = vault_of(tmp_path, {"Note.md": "# Here\n", "A.md": "[[Note#Missing]]\n"})
    (finding,) = lint(vault)
    assert (finding.rule, finding.severity) == ("broken-heading", "error")
    assert "'Note'" in finding.message and "'Missing'" in finding.message


def test_heading_links_within_the_same_note(tmp_path: Path) -> None:
    vault = vault_of(tmp_path, {"A.md": "# Top\n\nsee [[#Top]] and [[#top|up]]\n"
                                        "then [[#Missing]]\n"})
    findings = [f for f in lint(vault) if f.rule in LINK_RULES]
    assert [(f.rule, f.path, f.line, f.column) for f in findings] == \
        [("broken-heading", "A.md", 4, 6)]
    assert "this note" in findings[0].message


@pytest.mark.parametrize(("subpath", "expected"), [
    ("H1#H2", []),
    ("h1#h2#h3", []),
    ("H1#Nope", [("broken-heading", "A.md", 1, 1)]),
    ("Nope#H2", [("broken-heading", "A.md", 1, 1)]),
])
def test_nested_heading_links(tmp_path: Path, subpath: str,
                              expected: list[tuple[str, str, int, int]]) -> None:
    vault = vault_of(tmp_path, {"Note.md": "# H1\n## H2\n### H3\n",
                                "A.md": f"[[Note#{subpath}]]\n"})
    assert found(vault) == expected


def test_headings_inside_code_do_not_count(tmp_path: Path) -> None:
    vault = vault_of(tmp_path, {"Note.md": "# Real\n```\n# Fake\n```\n",
                                "A.md": "[[Note#Real]] [[Note#Fake]]\n"})
    assert found(vault) == [("broken-heading", "A.md", 1, 15)]


# --- block ids ------------------------------------------------------------------------


BLOCKS = ("A paragraph that ends with an id. ^abc-1\n\n"
          "- a list item ^Item-2\n\n"
          "Another paragraph.\n\n^own-line\n\n"
          "An id ^mid in the middle is not an id.\n\n"
          "```\ncode ^in-code\n```\n")


@pytest.mark.parametrize("block", ["abc-1", "ABC-1", "Abc-1", "item-2", "ITEM-2", "own-line"])
def test_block_ids_match_case_insensitively(tmp_path: Path, block: str) -> None:
    vault = vault_of(tmp_path, {"Note.md": BLOCKS, "A.md": f"[[Note#^{block}]]\n"})
    assert found(vault) == []


@pytest.mark.parametrize("block", ["missing", "abc", "abc-12", "mid", "in-code"])
def test_missing_block_ids_are_broken_block(tmp_path: Path, block: str) -> None:
    vault = vault_of(tmp_path, {"Note.md": BLOCKS, "A.md": f"x [[Note#^{block}]]\n"})
    assert found(vault) == [("broken-block", "A.md", 1, 3)]


def test_block_links_within_the_same_note(tmp_path: Path) -> None:
    vault = vault_of(tmp_path, {"A.md": "Para. ^b1\n\n[[#^B1]] [[#^b2]]\n"})
    assert found(vault) == [("broken-block", "A.md", 3, 10)]


# --- embeds and attachments ----------------------------------------------------------


def test_embeds_are_checked_like_links(tmp_path: Path) -> None:
    vault = vault_of(tmp_path, {
        "Note.md": "# Part\n\ntext ^b1\n",
        "A.md": "![[Note]] ![[Note#Part]] ![[Note#^B1]]\n"
                "x ![[Note#Other]]\n"
                "x ![[Note#^b2]]\n"
                "x ![[Nope]]\n",
    })
    assert found(vault) == [("broken-heading", "A.md", 2, 3),
                            ("broken-block", "A.md", 3, 3),
                            ("broken-link", "A.md", 4, 3)]


@pytest.mark.parametrize("link", ["![[paper.pdf#page=3]]", "[[paper.pdf#page=3]]",
                                  "![[paper.pdf]]", "![[papers/paper.pdf#page=10]]"])
def test_pdf_page_links_resolve_when_the_pdf_exists(tmp_path: Path, link: str) -> None:
    vault = vault_of(tmp_path, {"papers/paper.pdf": b"%PDF-1.4\n", "A.md": f"x {link}\n"})
    assert found(vault) == []


@pytest.mark.parametrize("link", ["![[gone.pdf#page=3]]", "[[gone.pdf#page=3]]",
                                  "![[gone.pdf]]", "![[other/paper.pdf#page=3]]"])
def test_a_missing_pdf_is_a_missing_attachment(tmp_path: Path, link: str) -> None:
    vault = vault_of(tmp_path, {"papers/paper.pdf": b"%PDF-1.4\n", "A.md": f"x {link}\n"})
    assert found(vault) == [("missing-attachment", "A.md", 1, 3)]


@pytest.mark.parametrize("link", ["![[pic.png]]", "![[PIC.PNG]]", "![[img/pic.png]]",
                                  "![[assets/img/pic.png]]", "![[pic.png|300]]",
                                  "[[pic.png]]"])
def test_an_image_in_a_subfolder_is_found_by_name(tmp_path: Path, link: str) -> None:
    vault = vault_of(tmp_path, {"assets/img/pic.png": b"\x89PNG", "A.md": f"x {link}\n"})
    assert found(vault) == []


@pytest.mark.parametrize("link", ["![[gone.png]]", "[[gone.png]]", "![[other/pic.png]]",
                                  "![[gone.mp3]]", "![[gone.canvas]]"])
def test_a_missing_image_is_missing_attachment_not_broken_link(tmp_path: Path,
                                                               link: str) -> None:
    vault = vault_of(tmp_path, {"assets/img/pic.png": b"\x89PNG", "A.md": f"x {link}\n"})
    findings = [f for f in lint(vault) if f.rule in LINK_RULES]
    assert [(f.rule, f.path, f.line, f.column) for f in findings] == \
        [("missing-attachment", "A.md", 1, 3)]
    assert findings[0].severity == "error"


def test_relative_attachment_paths(tmp_path: Path) -> None:
    vault = vault_of(tmp_path, {"a/pic.png": b"\x89PNG", "b/other.png": b"\x89PNG",
                                "a/A.md": "![[./pic.png]] ![[../b/other.png]]\n"
                                          "x ![[./other.png]]\n"})
    assert found(vault) == [("missing-attachment", "a/A.md", 2, 3)]


# --- Markdown links -------------------------------------------------------------------


MY_NOTE = {"My Note.md": "# Some Heading\n\ntext ^blk\n", "assets/My Pic.png": b"\x89PNG"}


@pytest.mark.parametrize("link", [
    "[t](My%20Note.md)", "[t](My%20Note.md#Some%20Heading)", "[t](my%20note.md#some%20heading)",
    "[t](My%20Note.md#^blk)", "[t](<My Note.md>)", "[t](<My Note.md#Some Heading>)",
    '[t](My%20Note.md "a title")', "[t](./My%20Note.md)", "![t](My%20Pic.png)",
    "![t](assets/My%20Pic.png)", "![t](<My Pic.png>)",
])
def test_markdown_links_are_decoded_and_resolved(tmp_path: Path, link: str) -> None:
    vault = vault_of(tmp_path, {**MY_NOTE, "A.md": f"x {link}\n"})
    assert found(vault) == []


@pytest.mark.parametrize(("link", "rule"), [
    ("[t](My%20Note.md#Other%20Heading)", "broken-heading"),
    ("[t](<My Note.md#Other Heading>)", "broken-heading"),
    ("[t](My%20Note.md#^nope)", "broken-block"),
    ("[t](Your%20Note.md)", "broken-link"),
    ("[t](<Your Note.md>)", "broken-link"),
    ('[t](Nope.md "a title")', "broken-link"),
    ("![alt](missing.png)", "missing-attachment"),
    ("![alt](<missing pic.png>)", "missing-attachment"),
    ("[t](missing.pdf)", "missing-attachment"),
])
def test_broken_markdown_links_are_reported(tmp_path: Path, link: str, rule: str) -> None:
    vault = vault_of(tmp_path, {**MY_NOTE, "A.md": f"x {link}\n"})
    assert found(vault) == [(rule, "A.md", 1, 3)]


def test_markdown_heading_links_within_the_same_note(tmp_path: Path) -> None:
    vault = vault_of(tmp_path, {"A.md": "# Top Part\n[t](#Top%20Part) [u](#Nope)\n"})
    assert found(vault) == [("broken-heading", "A.md", 2, 18)]


def test_markdown_links_are_url_decoded_only_once(tmp_path: Path) -> None:
    # `%2525` decodes to `%25`, which is the heading's text; decoding twice gives `%`.
    vault = vault_of(tmp_path, {"N.md": "# Rate %25\n",
                                "A.md": "[t](N.md#Rate%20%2525)\n[u](N.md#Rate%20%25)\n"})
    assert found(vault) == [("broken-heading", "A.md", 2, 1)]


@pytest.mark.parametrize("link", [
    "[t](https://example.com/Nope.md)", "[t](http://example.com/#Nope)",
    "![t](https://example.com/missing.png)", "[t](mailto:someone@example.com)",
    "[t](obsidian://open?vault=v&file=Nope)", "[t](file:///tmp/Nope.md)",
    "<https://example.com/Nope.md>", "https://example.com/missing.png",
])
def test_external_links_are_never_reported(tmp_path: Path, link: str) -> None:
    vault = vault_of(tmp_path, {"A.md": f"x {link}\n[t](Nope.md)\n"})
    assert found(vault) == [("broken-link", "A.md", 2, 1)]  # the local one only


# --- what is not a link ---------------------------------------------------------------


@pytest.mark.parametrize("body", [
    "```\n[[Nope]]\n```\n",
    "```python\nx = '[[Nope]]'  # [t](Nope.md)\n```\n",
    "~~~\n[[Nope]]\n~~~\n",
    "~~~md\n![[gone.png]]\n~~~\n",
    "````\n```\n[[Nope]]\n```\n[[Nope]]\n````\n",  # a shorter fence does not close it
    "  ```\n  [[Nope]]\n  ```\n",
    "para\n\n    [[Nope]]\n    ![alt](gone.png)\n",
    "para\n\n\t[[Nope]]\n",
    "a `[[Nope]]` b\n",
    "a ``x ` [[Nope]]`` b\n",
    "a `[t](Nope.md)` b\n",
    "inline $[[Nope]]$ math\n",
    "inline $x + [[Nope]]$ math\n",
    "$$\n[[Nope]]\n$$\n",
    "$$ [[Nope]] $$\n",
    "<!-- [[Nope]] -->\n",
    "<!--\n[[Nope]]\n![[gone.png]]\n-->\n",
])
def test_code_math_and_html_comments_hold_no_links(tmp_path: Path, body: str) -> None:
    # The same broken link after the construct is reported: the construct is closed.
    after = "\nafter [[Also Nope]]\n"
    vault = vault_of(tmp_path, {"A.md": body + after})
    assert found(vault) == [("broken-link", "A.md", body.count("\n") + 2, 7)]


def test_dollar_amounts_are_not_math(tmp_path: Path) -> None:
    # `$` closes inline math only when no space precedes it (and no digit follows).
    vault = vault_of(tmp_path, {"A.md": "costs $5 and [[Nope]] $6\n"})
    assert found(vault) == [("broken-link", "A.md", 1, 14)]


@pytest.mark.parametrize(("body", "line", "column"), [
    ("- item\n\n    continued [[Nope]]\n", 3, 15),
    ("1. item\n\n    [[Nope]]\n", 3, 5),
    ("- item\n\n    para\n\n    more [[Nope]]\n", 5, 10),
    ("- item\n    - nested [[Nope]]\n", 2, 14),
    ("- item\n\t[[Nope]]\n", 2, 2),
])
def test_indented_list_continuation_is_not_code(tmp_path: Path, body: str, line: int,
                                                column: int) -> None:
    vault = vault_of(tmp_path, {"A.md": body})
    assert found(vault) == [("broken-link", "A.md", line, column)]


@pytest.mark.parametrize("body", [
    "- item\n\n    see `[[Nope]]` here\n",
    "- item\n\n    see $[[Nope]]$ here\n",
    "- item\n\n    ```\n    [[Nope]]\n    ```\n",
    "- item\n\n    <!-- [[Nope]] -->\n",
])
def test_code_inside_a_list_continuation_is_still_code(tmp_path: Path, body: str) -> None:
    vault = vault_of(tmp_path, {"A.md": body + "\nafter [[Also Nope]]\n"})
    assert found(vault) == [("broken-link", "A.md", body.count("\n") + 2, 7)]


@pytest.mark.parametrize("body", [
    "    [[Nope]]\n",  # indented code can open the note
    "# Heading\n    [[Nope]]\n",  # and follow a heading: only a paragraph needs a blank line
    "---\ntitle: t\n---\n    [[Nope]]\n",
])
def test_indented_code_that_no_paragraph_precedes(tmp_path: Path, body: str) -> None:
    vault = vault_of(tmp_path, {"A.md": body + "\nafter [[Also Nope]]\n"})
    assert found(vault) == [("broken-link", "A.md", body.count("\n") + 2, 7)]


@pytest.mark.parametrize(("body", "line", "column"), [
    ("text %% draft: [[Nope]] %% more\n", 1, 16),
    ("%%\nhidden\n[[Nope]]\n%%\n", 3, 1),
    ("%% ![[Note#Missing]] %%\n", 1, 4),
])
def test_links_in_obsidian_comments_are_checked(tmp_path: Path, body: str, line: int,
                                                column: int) -> None:
    vault = vault_of(tmp_path, {"Note.md": "# Here\n", "A.md": body})
    rule = "broken-heading" if "#Missing" in body else "broken-link"
    assert found(vault) == [(rule, "A.md", line, column)]


def test_valid_links_in_obsidian_comments_are_fine(tmp_path: Path) -> None:
    vault = vault_of(tmp_path, {"Note.md": "# Here\n", "A.md": "%% [[Note#Here]] %%\n"})
    assert found(vault) == []


# --- front-matter links ---------------------------------------------------------------


@pytest.mark.parametrize(("front_matter", "expected"), [
    ('related: ["[[Missing]]"]\n', [("broken-link", "A.md", 2, 12)]),
    ("related: ['[[Missing]]']\n", [("broken-link", "A.md", 2, 12)]),
    ('up: "[[Missing]]"\n', [("broken-link", "A.md", 2, 6)]),
    ('related:\n  - "[[B]]"\n  - "[[Missing]]"\n', [("broken-link", "A.md", 4, 6)]),
    ('related: ["[[B]]", "[[Missing]]"]\n', [("broken-link", "A.md", 2, 21)]),
    ('up: "[[B#Nope]]"\n', [("broken-heading", "A.md", 2, 6)]),
    ('up: "[[B#^nope]]"\n', [("broken-block", "A.md", 2, 6)]),
    ('cover: "[[gone.png]]"\n', [("missing-attachment", "A.md", 2, 9)]),
    ('related: ["[[B]]", "[[b#Part]]", "[[B|shown]]"]\n', []),
])
def test_quoted_front_matter_links_are_checked(tmp_path: Path, front_matter: str,
                                               expected: list[tuple[str, str, int, int]]
                                               ) -> None:
    vault = vault_of(tmp_path, {"B.md": "# Part\n",
                                "A.md": f"---\n{front_matter}---\nbody\n"})
    assert found(vault) == expected


@pytest.mark.parametrize("front_matter", [
    "related: [[Missing]]\n",
    "related:\n  - [[Missing]]\n",
    "related: [[Missing], [Other]]\n",
    "# a comment about [[Missing]]\ntitle: t\n",
])
def test_unquoted_double_brackets_are_not_links(tmp_path: Path, front_matter: str) -> None:
    vault = vault_of(tmp_path, {"A.md": f"---\n{front_matter}---\nbody [[Body Nope]]\n"})
    line = front_matter.count("\n") + 3
    assert found(vault) == [("broken-link", "A.md", line, 6)]


def test_an_unquoted_list_stays_a_list_next_to_the_same_quoted_link(tmp_path: Path) -> None:
    # Only the quoted value is a link, even though the unquoted one has the same text.
    vault = vault_of(tmp_path, {"A.md": '---\nrelated: [[Missing]]\nup: "[[Missing]]"\n---\n'})
    assert found(vault) == [("broken-link", "A.md", 3, 6)]


def test_front_matter_links_carry_the_property_that_holds_them() -> None:
    # Each link belongs to the top-level property whose value (or key) holds it, in the
    # order written; that holds for a front-matter written as one flow mapping, too.
    from notewarden.parsing.note import parse_note

    def links(front_matter: str) -> list[tuple[str, str, int, int]]:
        note = parse_note("A.md", f"---\n{front_matter}---\n[[Body]]\n".encode())
        return [(link.prop, link.target, link.line, link.column)
                for link in note.links if link.kind == LinkKind.FRONTMATTER]

    assert links('up: "[[U]]"\nrelated:\n  - "[[R1]]"\n  - x: "see [[R2]]"\n'
                 'title: t\nnext: ["[[N1]]", "[[N2]]"]\n') == [
        ("up", "U", 2, 6), ("related", "R1", 4, 6), ("related", "R2", 5, 13),
        ("next", "N1", 7, 9), ("next", "N2", 7, 19)]
    assert links('{up: "[[U]]", related: ["[[R]]"]}\n') == [
        ("up", "U", 2, 7), ("related", "R", 2, 26)]
    assert links('"[[K]]": value\n') == [("[[K]]", "K", 2, 2)]


# --- scope: what is reported, what is resolved --------------------------------------


SCOPED = {
    "sub/A.md": "[[Outside]] [[Outside#Part]] [[Nope]]\n",
    "sub/deeper/B.md": "[[../../Outside]] [[Outside#Gone]]\n",
    "Outside.md": "# Part\n[[Also Nope]]\n",
    "other/C.md": "[[Nope]]\n",
}


def test_only_files_under_the_path_are_reported(tmp_path: Path) -> None:
    vault = vault_of(tmp_path, SCOPED)
    assert sorted(found(vault, vault / "sub")) == [
        ("broken-heading", "sub/deeper/B.md", 1, 19),
        ("broken-link", "sub/A.md", 1, 30),
    ]


def test_the_whole_vault_reports_every_file(tmp_path: Path) -> None:
    vault = vault_of(tmp_path, SCOPED)
    assert sorted(found(vault)) == [
        ("broken-heading", "sub/deeper/B.md", 1, 19),
        ("broken-link", "Outside.md", 2, 1),
        ("broken-link", "other/C.md", 1, 1),
        ("broken-link", "sub/A.md", 1, 30),
    ]


def test_a_single_file_path_reports_that_file_only(tmp_path: Path) -> None:
    vault = vault_of(tmp_path, SCOPED)
    assert found(vault, vault / "sub" / "A.md") == [("broken-link", "sub/A.md", 1, 30)]


def test_ambiguity_is_judged_against_the_whole_vault(tmp_path: Path) -> None:
    vault = vault_of(tmp_path, {"sub/A.md": "[[Topic]]\n", "x/Topic.md": "#\n",
                                "y/Topic.md": "#\n"})
    assert found(vault, vault / "sub") == [("ambiguous-link", "sub/A.md", 1, 1)]


def test_heading_keys_of_ascii_text_take_a_shortcut_with_the_same_result() -> None:
    # heading_key handles ASCII through one bytes table; the general path (NFC, lower,
    # punctuation to spaces, whitespace collapsed) must give the same key for any ASCII.
    import random

    from notewarden.index import _HEADING_PUNCTUATION, heading_key
    from notewarden.names import normalize_name

    rng = random.Random(5)
    for _ in range(20000):
        text = "".join(chr(rng.randint(0, 127)) for _ in range(rng.randint(0, 12)))
        spaced = normalize_name(text).translate(_HEADING_PUNCTUATION)
        general = " ".join(word for word in spaced.split(" ") if word)
        assert heading_key.__wrapped__(text) == general, repr(text)
    assert heading_key("Ünïcode: Straße") == "ünïcode straße"


def test_doubled_character_search_agrees_with_a_plain_search() -> None:
    # contains_doubled finds `%%` with one-character searches, falling back to a plain
    # search after 16 single `%`: the same answer for any text, short or long, UCS-2 or not.
    import random

    from notewarden.parsing.body import contains_doubled

    rng = random.Random(11)
    alphabet = ["%", "%", "a", " ", "\n", "—"]
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        assert contains_doubled(text, "%") == ("%%" in text), repr(text)
    spaced = "a% " * 40
    assert not contains_doubled(spaced, "%")
    assert contains_doubled(spaced + "%%", "%")
    assert contains_doubled("%%" + spaced, "%")


def test_the_wikilink_scanner_splits_links_as_the_reference_does() -> None:
    # find_wikilinks splits `[[target#subpath|display]]` in its regex; on random texts it
    # must find the spans of `\[\[([^\[\]\n]+)\]\]` and split each as parse_wikilink_inner,
    # but for a backslash-escaped `\[[` (no link in CommonMark).
    import random
    import re

    from notewarden.parsing.body import (
        LineIndex,
        find_wikilinks,
        is_escaped,
        parse_wikilink_inner,
    )

    plain = re.compile(r"\[\[([^\[\]\n]+)\]\]")
    rng = random.Random(7)
    alphabet = ["[[", "]]", "[", "]", "#", "|", "\\", " ", "a", "b", "\n", "!", "^", "é"]
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        expected = []
        for match in plain.finditer(text):
            target, subpath, display = parse_wikilink_inner(match.group(1))
            if (target or subpath) and not is_escaped(text, match.start()):
                at = match.start() - (match.start() > 0 and text[match.start() - 1] == "!")
                expected.append((target, subpath, display, at, match.end()))
        found = [(link.target, link.subpath, link.display, link.start, link.end)
                 for link in find_wikilinks(text, 0, len(text), LineIndex(text), None)]
        assert found == expected, repr(text)
