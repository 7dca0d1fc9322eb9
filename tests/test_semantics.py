"""Obsidian's link semantics, each with a case that must resolve and one that must not.

Every test builds a real vault in a temporary folder and checks it in-process."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from tests.helpers import lint, make_vault, rules_at

LINK_RULES = ("broken-link", "broken-heading", "broken-block", "missing-attachment",
              "ambiguous-link", "alias-link")


def link_findings(vault: Path, *paths: Path) -> list[tuple[str, str, int, int]]:
    return [(f.rule, f.path, f.line, f.column) for f in lint(vault, *paths)
            if f.rule in LINK_RULES]


# --- names ----------------------------------------------------------------------------

@pytest.mark.parametrize("link", ["[[note one]]", "[[NOTE ONE]]", "[[Note One.md]]",
                                  "[[Folder/Note One]]", "[[folder/note one.MD]]",
                                  "[[./Note One]]", "[[../Folder/Note One]]"])
def test_names_paths_and_case_resolve(tmp_path: Path, link: str) -> None:
    source = "Folder/Source.md" if link.startswith("[[./") else "Other/Source.md"
    vault = make_vault(tmp_path / "v", {"Folder/Note One.md": "# N\n", source: link + "\n"})
    assert link_findings(vault) == []


@pytest.mark.parametrize("link", ["[[Note Two]]", "[[Folder/Note One/x]]", "[[Other/Note One]]",
                                  "[[./Note One]]", "[[../../Note One]]"])
def test_wrong_names_and_paths_are_broken(tmp_path: Path, link: str) -> None:
    vault = make_vault(tmp_path / "v", {"Folder/Note One.md": "# N\n",
                                        "Other/Source.md": "x " + link + "\n"})
    assert link_findings(vault) == [("broken-link", "Other/Source.md", 1, 3)]


def test_nfc_and_nfd_names_match_both_ways(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Café")
    nfc = unicodedata.normalize("NFC", "Résumé")
    vault = make_vault(tmp_path / "v", {
        f"{nfd}.md": "# c\n", f"{unicodedata.normalize('NFD', nfc)}.md": "# r\n",
        "A.md": f"[[{unicodedata.normalize('NFC', 'Café')}]] [[{nfc}]]\n",
    })
    assert link_findings(vault) == []


def test_non_note_files_need_their_extension(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"img/diagram.png": b"\x89PNG\r\n",
                                        "A.md": "![[diagram.png]] [[diagram]]\n"})
    assert link_findings(vault) == [("broken-link", "A.md", 1, 18)]


# --- several notes with one name ------------------------------------------------------

def test_same_folder_wins_then_shortest_path(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "a/b/Topic.md": "# deep\n", "z/Topic.md": "# short\n", "a/b/Src.md": "[[Topic]]\n",
        "Root.md": "[[Topic]]\n",
    })
    found = {f.path: f.message for f in lint(vault) if f.rule == "ambiguous-link"}
    assert "Obsidian opens a/b/Topic.md" in found["a/b/Src.md"]  # under the linking folder
    assert "Obsidian opens z/Topic.md" in found["Root.md"]  # else the shortest path


def test_a_path_or_a_single_match_is_not_ambiguous(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"a/Topic.md": "#\n", "b/Topic.md": "#\n",
                                        "Only.md": "#\n",
                                        "Src.md": "[[a/Topic]] [[Only]]\n"})
    assert link_findings(vault) == []


# --- aliases ----------------------------------------------------------------------------

def test_aliases_never_resolve_a_link(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "Real.md": "---\naliases: [Nick]\n---\n", "A.md": "[[Nick]] [[Real]]\n"})
    assert link_findings(vault) == [("alias-link", "A.md", 1, 1)]


def test_an_alias_of_two_notes_is_a_broken_link(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "One.md": "---\naliases: [Nick]\n---\n", "Two.md": "---\naliases: [nick]\n---\n",
        "A.md": "[[Nick]]\n"})
    found = [f for f in lint(vault) if f.rule in LINK_RULES]
    assert [(f.rule, f.line) for f in found] == [("broken-link", 1)]
    assert "alias of several notes" in found[0].message


# --- display text and the table escape --------------------------------------------------

def test_display_text_and_table_escape(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "Note.md": "# Note\n",
        "A.md": "[[Note|shown | with bar]]\n\n| a | b |\n|---|---|\n| [[Note\\|shown]] | x |\n",
        "B.md": "[[Nope|Note]]\n",
    })
    assert link_findings(vault) == [("broken-link", "B.md", 1, 1)]


# --- headings and blocks ---------------------------------------------------------------

HEADINGS = ("# Q&A: What's next?\n## Cost (USD) / year\n### Item #1 [draft]\n"
            "#### Ünïcode   Heading\nSetext Title\n============\n")


@pytest.mark.parametrize("subpath", ["Q A What's next", "q&a: what's next?", "Cost USD year",
                                     "cost (usd) / year", "Item 1 draft", "ünïcode heading",
                                     "Setext Title", "Q&A: What's next?#Cost (USD) / year"])
def test_headings_match_as_obsidian_normalises_them(tmp_path: Path, subpath: str) -> None:
    vault = make_vault(tmp_path / "v", {"Note.md": HEADINGS, "A.md": f"[[Note#{subpath}]]\n"})
    assert link_findings(vault) == []


@pytest.mark.parametrize("subpath", ["Q A Whats next", "Cost", "Item 2 draft", "Nope"])
def test_missing_headings_are_reported(tmp_path: Path, subpath: str) -> None:
    vault = make_vault(tmp_path / "v", {"Note.md": HEADINGS, "A.md": f"[[Note#{subpath}]]\n"})
    assert link_findings(vault) == [("broken-heading", "A.md", 1, 1)]


def test_same_note_heading_links(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "# Top\nsee [[#Top]] and [[#Bottom]]\n"})
    assert link_findings(vault) == [("broken-heading", "A.md", 2, 18)]


def test_block_ids_match_case_insensitively(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "Note.md": "A paragraph. ^abc-1\n\n- item\n\n^List-Id\n",
        "A.md": "[[Note#^ABC-1]] [[Note#^list-id]] [[Note#^missing]]\n"})
    assert link_findings(vault) == [("broken-block", "A.md", 1, 35)]


# --- embeds and attachments ------------------------------------------------------------

def test_embeds_carry_headings_and_blocks(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "Note.md": "# Part\ntext ^b1\n",
        "A.md": "![[Note#Part]]\n![[Note#^b1]]\n![[Note#Other]]\n![[Note#^b2]]\n"})
    assert link_findings(vault) == [("broken-heading", "A.md", 3, 1),
                                    ("broken-block", "A.md", 4, 1)]


def test_pdf_pages_and_missing_attachments(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "papers/paper.pdf": b"%PDF-1.4\n", "A.md": "![[paper.pdf#page=3]]\n![[gone.pdf]]\n"
                                                    "![[pic.png]]\n[[gone.pdf#page=2]]\n"})
    assert link_findings(vault) == [("missing-attachment", "A.md", 2, 1),
                                    ("missing-attachment", "A.md", 3, 1),
                                    ("missing-attachment", "A.md", 4, 1)]


# --- Markdown links ----------------------------------------------------------------------

def test_markdown_links_are_decoded_and_resolved(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "My Note.md": "# Some Heading\n", "img.png": b"\x89PNG",
        "A.md": "[a](My%20Note.md#Some%20Heading) [b](<My Note.md>) ![c](img.png)\n"
                "[d](My%20Note.md#Missing) [e](Nope.md) ![f](gone.png)\n"
                "[web](https://example.com/x.md) [mail](mailto:a@b.c) [o](obsidian://open)\n"})
    assert link_findings(vault) == [("broken-heading", "A.md", 2, 1),
                                    ("broken-link", "A.md", 2, 27),
                                    ("missing-attachment", "A.md", 2, 40)]


# --- what is not a link -----------------------------------------------------------------

@pytest.mark.parametrize("body", [
    "```\n[[Nope]]\n```\n", "~~~md\n[[Nope]]\n~~~\n", "text\n\n    [[Nope]]\n",
    "a `[[Nope]]` b\n", "$[[Nope]]$\n", "$$\n[[Nope]]\n$$\n", "<!-- [[Nope]] -->\n",
    "````\n```\n[[Nope]]\n```\n````\n",
])
def test_code_math_and_html_comments_hold_no_links(tmp_path: Path, body: str) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": body})
    assert link_findings(vault) == []


def test_indented_list_continuation_is_not_code(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "- item\n\n    - [[Nope]]\n"})
    assert link_findings(vault) == [("broken-link", "A.md", 3, 7)]


def test_links_in_obsidian_comments_are_checked(tmp_path: Path) -> None:
    # Obsidian still indexes links inside %% comments, so notewarden checks them.
    vault = make_vault(tmp_path / "v", {"A.md": "%% draft: [[Nope]] %%\n"})
    assert link_findings(vault) == [("broken-link", "A.md", 1, 11)]


# --- front-matter links ------------------------------------------------------------------

def test_quoted_front_matter_links_are_checked(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "B.md": "# B\n",
        "A.md": '---\nrelated:\n  - "[[B]]"\n  - "[[Missing]]"\nup: "[[B#Nope]]"\n---\n'})
    assert link_findings(vault) == [("broken-link", "A.md", 4, 6),
                                    ("broken-heading", "A.md", 5, 6)]


def test_unquoted_double_brackets_are_a_yaml_list_not_a_link(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "---\nrelated: [[Missing]]\n---\n"})
    assert link_findings(vault) == []


# --- scope ------------------------------------------------------------------------------

def test_only_paths_given_are_reported_but_links_resolve_vault_wide(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "sub/A.md": "[[Outside]] [[Nope]]\n", "Outside.md": "[[Also nope]]\n"})
    assert link_findings(vault, vault / "sub") == [("broken-link", "sub/A.md", 1, 13)]
    assert rules_at(lint(vault, vault / "Outside.md"), "broken-link") == [("Outside.md", 1, 1)]


@pytest.mark.parametrize(("setting", "hint"), [
    ("attachments", "(Obsidian keeps attachments in attachments/)"),
    ("./", "(Obsidian keeps attachments next to the note)"),
    ("./assets", "(Obsidian keeps attachments in assets/ next to the note)"),
    ("/", None),
])
def test_missing_attachment_says_where_obsidian_keeps_them(tmp_path: Path, setting: str,
                                                           hint: str | None) -> None:
    import json

    vault = make_vault(tmp_path / "v", {"A.md": "![[gone.png]]\n"})
    (vault / ".obsidian" / "app.json").write_text(json.dumps({"attachmentFolderPath": setting}))
    (finding,) = lint(vault)
    assert finding.rule == "missing-attachment"
    assert (hint in finding.message) if hint else finding.message.endswith("in the vault")
