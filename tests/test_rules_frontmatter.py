"""The front-matter rules: yaml-syntax, schema, alias-format, tag-format."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.helpers import lint, make_vault, rules_at, run_cli

SCHEMA_CONFIG = '[schemas]\n"Notes/**" = "_schemas/note.schema.json"\n'


def schema_vault(tmp_path: Path, schema: dict, notes: dict[str, str]) -> Path:
    files: dict[str, str | bytes] = {"_schemas/note.schema.json": json.dumps(schema)}
    files.update({f"Notes/{name}": text for name, text in notes.items()})
    return make_vault(tmp_path / "v", files, config=SCHEMA_CONFIG)


# --- yaml-syntax --------------------------------------------------------------------------

def test_yaml_error_gives_yamls_complaint_and_the_line_in_the_note(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "---\ntitle: ok\ntags: [a, b\nx: 1\n---\n"
                                                "Body with [[Nowhere]].\n"})
    found = lint(vault)
    yaml_errors = [f for f in found if f.rule == "yaml-syntax"]
    assert len(yaml_errors) == 1
    assert (yaml_errors[0].line, yaml_errors[0].column) == (3, 7)  # the `[` never closed
    assert "did not find expected ',' or ']'" in yaml_errors[0].message
    # The rest of the note is still checked.
    assert rules_at(found, "broken-link") == [("A.md", 6, 11)]


@pytest.mark.parametrize(("text", "words"), [
    ("---\ntitle: x\n", "never closed"),
    ("---\n- a\n- b\n---\n", "mapping"),
    ("---\njust a string\n---\n", "mapping"),
])
def test_unusable_front_matter_is_reported(tmp_path: Path, text: str, words: str) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": text})
    (finding,) = [f for f in lint(vault) if f.rule == "yaml-syntax"]
    assert words in finding.message


def test_valid_front_matter_and_rules_in_the_body_are_fine(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "A.md": "---\ntitle: x\n---\nText\n\n---\n\nMore text\n---\n",
        "B.md": "No front-matter\n\n---\n\nafter a rule\n"})
    assert [f for f in lint(vault) if f.rule == "yaml-syntax"] == []


def test_alias_bomb_is_refused_quickly_and_others_still_checked(tmp_path: Path) -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, name = chr(96 + i), chr(97 + i)
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    bomb = "---\n" + "\n".join(levels) + "\n---\n"
    vault = make_vault(tmp_path / "v", {"Bomb.md": bomb, "Other.md": "[[Nowhere]]\n",
                                        "Loop.md": "---\na: &a [*a]\n---\n"})
    started = time.perf_counter()
    found = lint(vault)
    assert time.perf_counter() - started < 5  # milliseconds in practice
    assert rules_at(found, "yaml-syntax") == [("Bomb.md", 2, 1), ("Loop.md", 2, 1)]
    assert rules_at(found, "broken-link") == [("Other.md", 1, 1)]


def test_yaml_12_keeps_no_and_dates_as_strings(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {
        "draft": {"type": "string"}, "date": {"type": "string", "format": "date"},
        "count": {"type": "integer"}, "on": {"type": "boolean"}}}
    vault = schema_vault(tmp_path, schema, {
        "A.md": "---\ndraft: no\ndate: 2025-12-23\ncount: 017\non: true\n---\n"})
    assert lint(vault) == []


# --- schema ---------------------------------------------------------------------------------

FORMATS = {"type": "object", "required": ["id"], "properties": {
    "id": {"type": "string"},
    "date": {"type": "string", "format": "date"},
    "installed": {"type": "string", "format": "date"},
    "at": {"type": "string", "format": "date-time"},
    "mail": {"type": "string", "format": "email"},
    "url": {"type": "string", "format": "uri"},
    "topics": {"type": "array", "items": {"type": "string"}},
    "meta": {"type": "object", "properties": {"level": {"type": "integer"}}},
}}


def test_formats_are_really_checked(tmp_path: Path) -> None:
    vault = schema_vault(tmp_path, FORMATS, {
        "Good.md": "---\nid: x\ndate: 2025-12-23\ninstalled: 2024-02-29\n"
                   "at: 2025-12-23T10:00:00Z\nmail: a@b.org\nurl: https://example.com/a\n---\n",
        "Bad.md": "---\nid: x\ndate: 2025-13-40\ninstalled: last spring\nat: yesterday\n"
                  "mail: nobody\nurl: not a uri\n---\n"})
    found = [f for f in lint(vault) if f.rule == "schema"]
    assert sorted((f.path, f.line) for f in found) == [("Notes/Bad.md", line)
                                                       for line in (3, 4, 5, 6, 7)]
    installed = next(f for f in found if f.line == 4)
    assert installed.message.startswith("installed:") and "date" in installed.message


def test_violations_point_at_the_key_and_name_the_path(tmp_path: Path) -> None:
    vault = schema_vault(tmp_path, FORMATS, {
        "A.md": "---\nid: x\ntopics:\n  - ok\n  - 5\nmeta:\n  level: high\n---\n",
        "NoId.md": "---\ntitle: t\n---\n", "NoFrontMatter.md": "just text\n"})
    found = {(f.path, f.line, f.message.split(":")[0]) for f in lint(vault) if f.rule == "schema"}
    assert found == {("Notes/A.md", 5, "topics[1]"), ("Notes/A.md", 7, "meta.level"),
                     ("Notes/NoId.md", 1, "id"), ("Notes/NoFrontMatter.md", 1, "id")}


def test_several_schemas_apply_and_unmatched_notes_are_skipped(tmp_path: Path) -> None:
    config = ('[schemas]\n"**" = "obsidian"\n"Notes/**" = "_schemas/a.json"\n'
              '"Notes/Deep/**" = "_schemas/b.json"\n')
    vault = make_vault(tmp_path / "v", {
        "_schemas/a.json": json.dumps({"required": ["a"]}),
        "_schemas/b.json": json.dumps({"required": ["b"]}),
        "Notes/Deep/X.md": "---\ntags: x\n---\n", "Elsewhere.md": "---\nz: 1\n---\n"},
        config=config)
    found = sorted(f.message.split(":")[0] for f in lint(vault) if f.rule == "schema")
    assert found == ["a", "b"]


def test_bundled_obsidian_schema_applies_with_no_config(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "Bad.md": "---\ncssclasses: 5\npublish: \"yes\"\n---\n",
        "Good.md": "---\ncssclasses: [wide]\npublish: true\naliases: [x]\ntags: [y]\n---\n"})
    assert rules_at(lint(vault), "schema") == [("Bad.md", 2, 1), ("Bad.md", 3, 1)]


def test_schema_problems_are_one_line_config_errors(tmp_path: Path) -> None:
    missing = make_vault(tmp_path / "a", {"Notes/A.md": "x\n"}, config=SCHEMA_CONFIG)
    invalid = make_vault(tmp_path / "b", {"Notes/A.md": "x\n",
                                          "_schemas/note.schema.json": '{"type": 12}'},
                         config=SCHEMA_CONFIG)
    not_json = make_vault(tmp_path / "c", {"Notes/A.md": "x\n",
                                           "_schemas/note.schema.json": "{oops"},
                          config=SCHEMA_CONFIG)
    unknown = make_vault(tmp_path / "d", {"A.md": "x\n"},
                         config='[schemas]\n"**" = "no-such-bundled"\n')
    for vault in (missing, invalid, not_json, unknown):
        result = run_cli("check", vault, "--no-cache")
        assert result.returncode == 2, result.stdout
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert ".notewarden.toml" in result.stderr


# --- alias-format ---------------------------------------------------------------------------

@pytest.mark.parametrize(("front_matter", "line", "fixable"), [
    ("alias: Foo", 2, True),
    ("aliases: Foo", 2, True),
    ("aliases:", 2, False),
    ("aliases: [Foo, 5]", 2, False),
    ("aliases: [Foo, {a: 1}]", 2, False),
    ("aliases:\n  - Foo\n  - foo", 4, True),
    ("aliases: [Note]", 2, True),
])
def test_alias_shapes_obsidian_will_not_read(tmp_path: Path, front_matter: str, line: int,
                                             fixable: bool) -> None:
    vault = make_vault(tmp_path / "v", {"Note.md": f"---\n{front_matter}\n---\n"})
    (finding,) = [f for f in lint(vault) if f.rule == "alias-format"]
    assert (finding.line, finding.fixable) == (line, fixable)


def test_a_proper_alias_list_is_fine(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"Note.md": "---\naliases:\n  - Foo\n  - Bar\n---\n"})
    assert lint(vault) == []


# --- tag-format ---------------------------------------------------------------------------

@pytest.mark.parametrize(("tag", "fixable"), [
    ('"#transcript"', True), ('"machine learning"', False), ('"2025"', False), ("2025", False),
    ('"ai&ml"', False), ('"what?"', False), ('"a.b"', False), ("{a: 1}", False),
])
def test_tags_obsidian_will_not_read(tmp_path: Path, tag: str, fixable: bool) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": f"---\ntags: [ok, {tag}]\n---\n"})
    found = [f for f in lint(vault) if f.rule == "tag-format"]
    assert found and found[0].line == 2
    assert any(f.fixable for f in found) == fixable


@pytest.mark.parametrize("tag", ["ai/learning", "machine-learning", "y2025", "été", "snake_case",
                                 "🚀launch"])
def test_valid_tags_are_fine(tmp_path: Path, tag: str) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": f"---\ntags: [{tag}]\n---\n"})
    assert [f for f in lint(vault) if f.rule == "tag-format"] == []
