"""Front-matter rules on real vaults: yaml-syntax, schema, alias-format, tag-format.

Each behaviour has a positive case (reported, at the right line) and a negative case (valid
input not reported). Rule tests run in-process (`lint`); exit codes and one-line errors go
through the installed console script (`run_cli`).
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import lint, make_vault, rules_at, run_cli

# --- helpers --------------------------------------------------------------------------------


def of(findings: list[Any], rule: str) -> list[Any]:
    return [f for f in findings if f.rule == rule]


def one(findings: list[Any], rule: str) -> Any:
    found = of(findings, rule)
    assert len(found) == 1, [(f.path, f.line, f.message) for f in findings]
    return found[0]


SCHEMA_PATH = "_schemas/note.schema.json"


def schema_vault(tmp_path: Path, schema: dict[str, Any], notes: dict[str, str],
                 glob: str = "Notes/**") -> Path:
    """A vault whose notes under `glob` follow `schema` (a file in the vault)."""
    files: dict[str, str | bytes] = {SCHEMA_PATH: json.dumps(schema)}
    files.update(notes)
    return make_vault(tmp_path / "vault", files,
                      config=f'[schemas]\n"{glob}" = "{SCHEMA_PATH}"\n')


def billion_laughs() -> str:
    """9 levels of 9 aliases: 9**9 (387 million) strings once expanded."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 8):
        previous, name = chr(ord("a") + level - 1), chr(ord("a") + level)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    lines.append("i: [" + ", ".join(["*h"] * 9) + "]")
    return "---\n" + "\n".join(lines) + "\n---\nBody\n"


# --- yaml-syntax ------------------------------------------------------------------------------


def test_yaml_error_has_yamls_complaint_at_the_line_in_the_note(tmp_path: Path) -> None:
    # Front-matter starts at note line 2; the broken mapping is on note line 4.
    vault = make_vault(tmp_path / "v", {
        "A.md": "---\ntitle: fine\nauthor: me\nsummary: a: b\n---\nBody\n"})
    finding = one(lint(vault), "yaml-syntax")
    assert (finding.path, finding.line, finding.column) == ("A.md", 4, 11)
    assert "mapping values are not allowed" in finding.message  # YAML's own words
    assert finding.severity.value == "error"
    assert finding.fixable is False


def test_yaml_error_on_first_yaml_line_is_note_line_2(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "---\ntitle: a: b\n---\n"})
    assert rules_at(lint(vault), "yaml-syntax") == [("A.md", 2, 9)]


def test_unterminated_flow_list_is_reported_with_yamls_message(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "---\ntags: [a, b\nx: 1\n---\n"})
    finding = one(lint(vault), "yaml-syntax")
    assert "did not find expected ',' or ']'" in finding.message
    assert (finding.line, finding.column) == (2, 7)  # where the `[` opens, never the body


def test_rest_of_note_with_broken_yaml_is_still_checked(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "A.md": "---\ntitle: a: b\n---\nSee [[Nowhere]] and [[B]].\n", "B.md": "B\n"})
    found = lint(vault)
    assert rules_at(found, "yaml-syntax") == [("A.md", 2, 9)]
    assert rules_at(found, "broken-link") == [("A.md", 4, 5)]


def test_valid_front_matter_is_not_a_yaml_error(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "A.md": "---\ntitle: \"Scaling: what next?\"\ntags: [ai]\nempty:\n---\nBody\n",
        "B.md": "---\n---\nEmpty front-matter\n",
        "C.md": "No front-matter here\n\n---\n\nA thematic break\n",
        "D.md": "Text first\n---\nnot: front-matter\n---\n"})
    assert of(lint(vault), "yaml-syntax") == []


def test_unclosed_front_matter_is_reported(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "---\ntitle: x\n\nBody, no closing fence\n"})
    finding = one(lint(vault), "yaml-syntax")
    assert (finding.line, finding.column) == (1, 1)
    assert "never closed" in finding.message


def test_front_matter_closed_at_end_of_file_is_not_unclosed(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "A.md": "---\ntitle: x\n---", "B.md": "---\r\ntitle: x\r\n---",
        "C.md": "---\npublish: 3\n---"})
    found = lint(vault)
    assert of(found, "yaml-syntax") == []
    assert rules_at(found, "schema") == [("C.md", 2, 1)]


def test_closed_front_matter_with_body_rules_is_not_unclosed(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "---\ntitle: x\n---\nBody\n\n---\n\nMore\n"})
    assert of(lint(vault), "yaml-syntax") == []


@pytest.mark.parametrize("yaml_text", ["- a\n- b\n", "just a string\n", "42\n"])
def test_front_matter_that_is_not_a_mapping_is_reported(tmp_path: Path, yaml_text: str) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": f"---\n{yaml_text}---\nBody\n"})
    finding = one(lint(vault), "yaml-syntax")
    assert finding.line == 2
    assert "mapping" in finding.message


def test_yaml_12_keeps_no_and_dates_as_strings(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {
        "draft": {"type": "string"}, "reviewed": {"type": "string"},
        "date": {"type": "string"}, "published": {"type": "boolean"}}}
    vault = schema_vault(tmp_path, schema, {
        "Notes/A.md": "---\ndraft: no\nreviewed: yes\ndate: 2025-12-23\npublished: true\n---\n"})
    assert lint(vault) == []


def test_yaml_12_true_is_still_a_boolean(tmp_path: Path) -> None:
    # The negative of the case above: the schema does see YAML's real types.
    schema = {"type": "object", "properties": {"draft": {"type": "string"}}}
    vault = schema_vault(tmp_path, schema, {"Notes/A.md": "---\ndraft: true\n---\n"})
    assert rules_at(lint(vault), "schema") == [("Notes/A.md", 2, 1)]


PLAIN_SCALARS: dict[str, Any] = {
    "true": True, "False": False, "no": "no", "yes": "yes", "017": 17, "0o17": 15,
    "0x1f": 31, "-3": -3, "1e3": 1000.0, ".5": 0.5, ".inf": float("inf"), "null": None,
    "~": None, "2025-12-23": "2025-12-23", "12:30": "12:30", "3 days": "3 days",
    "title": "title", "nothing": "nothing", "+1": 1, "tRue": "tRue",
}


def test_plain_scalars_resolve_the_same_when_seen_again() -> None:
    # Resolved tags of plain scalars are remembered by value: the second and later reads of
    # a value (as key or value, in any order) must give what the first gave.
    from notewarden.parsing.front_matter import FrontMatterBlock, parse_yaml

    def read(text: str) -> dict[str, Any]:
        parsed = parse_yaml(FrontMatterBlock(text, 4, 2, 0))
        assert parsed.data is not None, parsed.error
        return parsed.data

    items = list(PLAIN_SCALARS.items())
    for round_ in range(3):
        random.Random(round_).shuffle(items)
        data = read("".join(f"k{i}: {text}\n" for i, (text, _) in enumerate(items)))
        assert [data[f"k{i}"] for i in range(len(items))] == [value for _, value in items]
        keys = read("".join(f"{text}: {i}\n" for i, (text, _) in enumerate(items)
                            if isinstance(PLAIN_SCALARS[text], str)))
        assert all(isinstance(key, str) for key in keys)


@pytest.mark.parametrize(("text", "expected"), [
    ("1: a\n2: b\n", {"1": "a", "2": "b"}),  # keys become strings, as in js-yaml
    ("when: !!timestamp 2025-01-01\n", {"when": "2025-01-01"}),
    ("tags: !!set {x}\nn: 3\n", {"tags": {"x": None}, "n": 3}),
    ("? [a, b]\n: c\n", {"a,b": "c"}),  # a list as a key: String(["a", "b"])
])
def test_front_matter_beyond_plain_json_takes_the_slow_path(
        text: str, expected: dict[Any, Any] | None) -> None:
    # Numeric keys and explicit tags take the slow path (after the fast one gave up); a
    # second document read after it is fine. Values are JSON-compatible either way.
    from notewarden.parsing.front_matter import FrontMatterBlock, parse_yaml

    parsed = parse_yaml(FrontMatterBlock(text, 4, 2, 0))
    assert parsed.data == expected
    assert parsed.error is None
    assert parsed.plain
    again = parse_yaml(FrontMatterBlock("title: t\n", 4, 2, 0))
    assert again.data == {"title": "t"} and again.plain


def test_alias_bomb_is_refused_quickly_and_other_notes_are_checked(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "Bomb.md": billion_laughs() + "[[Nowhere]]\n",
        "Other.md": "---\npublish: 3\n---\n[[Missing]]\n"})
    started = time.perf_counter()
    found = lint(vault)
    elapsed = time.perf_counter() - started
    assert elapsed < 5, f"alias bomb took {elapsed:.1f} s"
    bomb = one([f for f in found if f.path == "Bomb.md"], "yaml-syntax")
    assert bomb.line == 2
    assert "alias" in bomb.message
    # Other notes, and the rest of the bomb note, are still checked.
    assert rules_at(found, "schema") == [("Other.md", 2, 1)]
    assert rules_at(found, "broken-link") == [("Bomb.md", 13, 1), ("Other.md", 4, 1)]


def test_a_few_aliases_are_fine(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "A.md": "---\nbase: &b [x, y]\ncopy: *b\nagain: *b\n---\n"})
    assert of(lint(vault), "yaml-syntax") == []


def test_crlf_front_matter_parses_and_lines_are_right(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "Bad.md": "---\r\ntitle: x\r\npublish: \"yes\"\r\n---\r\nBody\r\n",
        "Good.md": "---\r\ntitle: x\r\npublish: true\r\n---\r\nBody\r\n"})
    found = lint(vault)
    assert of(found, "yaml-syntax") == []
    assert rules_at(found, "schema") == [("Bad.md", 3, 1)]


def test_bom_before_front_matter_parses_and_lines_are_right(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "Bad.md": "\ufeff---\ntitle: x\ncssclasses: 5\n---\nBody\n",
        "BadCrlf.md": "\ufeff---\r\ntitle: x\r\n\r\npublish: \"yes\"\r\n---\r\nBody\r\n",
        "Good.md": "\ufeff---\ntitle: x\ncssclasses: [wide]\n---\nBody\n"})
    found = lint(vault)
    assert of(found, "yaml-syntax") == []
    assert rules_at(found, "schema") == [("Bad.md", 3, 1), ("BadCrlf.md", 4, 1)]


# --- schema -----------------------------------------------------------------------------------


SOURCE_SCHEMA = {
    "type": "object",
    "required": ["title"],
    "properties": {
        "title": {"type": "string"},
        "integration_targets": {"type": "array", "items": {"type": "string"}},
        "topics": {"type": "array", "items": {"type": "string"}},
        "installed": {"type": "string", "format": "date"},
        "updated": {"type": "string", "format": "date-time"},
        "contact": {"type": "string", "format": "email"},
        "homepage": {"type": "string", "format": "uri"},
        "meta": {"type": "object", "properties": {
            "rating": {"type": "integer", "maximum": 5},
            "source": {"type": "object", "properties": {"pages": {"type": "integer"}}}}},
    },
}


def test_schema_violation_at_the_offending_keys_line(tmp_path: Path) -> None:
    vault = schema_vault(tmp_path, SOURCE_SCHEMA, {"Notes/A.md": (
        "---\n"
        "title: A\n"
        "integration_targets: CANON-30000, CANON-30400\n"
        "---\nBody\n")})
    finding = one(lint(vault), "schema")
    assert (finding.path, finding.line, finding.column) == ("Notes/A.md", 3, 1)
    assert finding.message.startswith("integration_targets:")
    assert "is not a List" in finding.message  # Obsidian's word for an array
    assert finding.severity.value == "error"


def test_valid_note_passes_its_schema(tmp_path: Path) -> None:
    vault = schema_vault(tmp_path, SOURCE_SCHEMA, {"Notes/A.md": (
        "---\n"
        "title: A\n"
        "integration_targets: [CANON-30000, CANON-30400]\n"
        "topics:\n  - ai\n  - ml\n"
        "installed: 2025-12-23\n"
        "updated: 2025-12-23T10:30:00Z\n"
        "contact: someone@example.org\n"
        "homepage: https://example.org/page?x=1\n"
        "meta:\n  rating: 4\n  source:\n    pages: 12\n"
        "---\nBody\n")})
    assert lint(vault) == []


def test_one_finding_per_violation_each_at_its_line(tmp_path: Path) -> None:
    vault = schema_vault(tmp_path, SOURCE_SCHEMA, {"Notes/A.md": (
        "---\n"
        "title: 7\n"
        "topics:\n  - ai\n  - 42\n  - ml\n"
        "installed: last spring\n"
        "---\n")})
    found = of(lint(vault), "schema")
    assert [(f.line, f.message.split(":")[0]) for f in found] == [
        (2, "title"), (5, "topics[1]"), (7, "installed")]


def test_list_item_path_names_its_index(tmp_path: Path) -> None:
    vault = schema_vault(tmp_path, SOURCE_SCHEMA, {
        "Notes/A.md": "---\ntitle: A\ntopics: [ai, 2, ml]\n---\n"})
    finding = one(lint(vault), "schema")
    assert "topics[1]" in finding.message
    assert (finding.line, finding.column) == (3, 14)


def test_missing_required_key_is_reported_at_line_1(tmp_path: Path) -> None:
    vault = schema_vault(tmp_path, SOURCE_SCHEMA, {
        "Notes/A.md": "---\ntopics: [ai]\n---\n",
        "Notes/NoFrontMatter.md": "Just a body\n"})
    found = of(lint(vault), "schema")
    assert rules_at(found, "schema") == [("Notes/A.md", 1, 1), ("Notes/NoFrontMatter.md", 1, 1)]
    assert all("title" in f.message and "required" in f.message for f in found)


def test_nested_property_is_reported_at_its_own_line(tmp_path: Path) -> None:
    vault = schema_vault(tmp_path, SOURCE_SCHEMA, {"Notes/A.md": (
        "---\n"
        "title: A\n"
        "meta:\n"
        "  rating: 9\n"
        "  source:\n"
        "    pages: many\n"
        "---\n")})
    found = of(lint(vault), "schema")
    assert [(f.line, f.column, f.message.split(":")[0]) for f in found] == [
        (4, 3, "meta.rating"), (6, 5, "meta.source.pages")]


@pytest.mark.parametrize(("key", "bad", "good"), [
    ("installed", "last spring", "2025-12-23"),
    ("installed", "2025-13-45", "2024-02-29"),
    ("updated", "yesterday", "2025-12-23T10:30:00+01:00"),
    ("updated", "2025-12-23", "2025-12-23T10:30:00Z"),
    ("contact", "not-an-email", "a.person@example.org"),
    ("homepage", "not a uri", "https://example.org/a/b"),
    ("homepage", "example.org/no-scheme", "mailto:someone@example.org"),
])
def test_formats_are_really_checked(tmp_path: Path, key: str, bad: str, good: str) -> None:
    vault = schema_vault(tmp_path, SOURCE_SCHEMA, {
        "Notes/Bad.md": f"---\ntitle: A\n{key}: {bad}\n---\n",
        "Notes/Good.md": f"---\ntitle: A\n{key}: {good}\n---\n"})
    found = lint(vault)
    assert rules_at(found, "schema") == [("Notes/Bad.md", 3, 1)]
    assert one(found, "schema").message.startswith(f"{key}:")


def test_unexpected_property_is_reported_at_its_own_line(tmp_path: Path) -> None:
    # `additionalProperties: false`: the offending keys are known, so each is reported at
    # its own line and named, like any other violation (not once at line 1).
    schema = {"type": "object", "additionalProperties": False,
              "properties": {"title": {"type": "string"}, "topics": {"type": "array"}}}
    vault = schema_vault(tmp_path, schema, {
        "Notes/Bad.md": "---\ntitle: t\nextra: 1\ntopics: []\nmore: 2\n---\n",
        "Notes/Good.md": "---\ntitle: t\ntopics: [a]\n---\n"})
    found = of(lint(vault), "schema")
    assert [(f.path, f.line) for f in found] == [("Notes/Bad.md", 3), ("Notes/Bad.md", 5)]
    assert "extra" in found[0].message and "more" not in found[0].message
    assert "more" in found[1].message and "extra" not in found[1].message


def test_missing_nested_required_key_is_reported_at_its_parent(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {
        "meta": {"type": "object", "required": ["rating"]}}}
    vault = schema_vault(tmp_path, schema, {
        "Notes/Bad.md": "---\ntitle: t\nmeta:\n  other: 1\n---\n",
        "Notes/Good.md": "---\ntitle: t\nmeta:\n  rating: 1\n---\n"})
    finding = one(lint(vault), "schema")
    assert (finding.path, finding.line) == ("Notes/Bad.md", 3)
    assert "meta.rating" in finding.message


def test_all_matching_schemas_apply(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "_schemas/base.json": json.dumps({"type": "object", "required": ["title"]}),
        "_schemas/source.json": json.dumps(
            {"type": "object", "properties": {"url": {"type": "string", "format": "uri"}}}),
        "Sources/A.md": "---\nurl: not a uri\n---\n",
        "Sources/B.md": "---\ntitle: B\nurl: https://example.org\n---\n",
        "Other/C.md": "---\nurl: not a uri\n---\n",
    }
    config = ('[schemas]\n"**" = "_schemas/base.json"\n'
              '"Sources/**" = "_schemas/source.json"\n')
    vault = make_vault(tmp_path / "v", files, config=config)
    found = of(lint(vault), "schema")
    assert [(f.path, f.line) for f in found] == [
        ("Other/C.md", 1), ("Sources/A.md", 1), ("Sources/A.md", 2)]
    messages = {f.message for f in found if f.path == "Sources/A.md"}
    assert any("title" in m and "base.json" in m for m in messages)
    assert any(m.startswith("url:") and "source.json" in m for m in messages)


def test_note_outside_every_glob_is_not_validated(tmp_path: Path) -> None:
    vault = schema_vault(tmp_path, SOURCE_SCHEMA, {
        "Notes/In.md": "---\ninstalled: last spring\n---\n",
        "Elsewhere/Out.md": "---\ninstalled: last spring\n---\n",
        "Root.md": "---\ntitle: 5\n---\n"})
    assert {f.path for f in of(lint(vault), "schema")} == {"Notes/In.md"}


def test_bundled_obsidian_schema_applies_without_config(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "Css.md": "---\ntitle: x\ncssclasses: 5\n---\n",
        "Publish.md": "---\npublish: \"yes\"\n---\n",
        "Good.md": ("---\ncssclasses: [wide, dark]\npublish: true\npermalink: a/b\n"
                    "aliases: [G]\ntags: [t]\nanything: else\n---\n"),
        "Good2.md": "---\ncssclasses: wide\npublish: false\n---\n"})
    found = of(lint(vault), "schema")
    assert rules_at(found, "schema") == [("Css.md", 3, 1), ("Publish.md", 2, 1)]
    assert all("(obsidian)" in f.message for f in found)


def test_bundled_obsidian_schema_applies_with_a_config_without_schemas(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "Bad.md": "---\npublish: \"yes\"\n---\n", "Good.md": "---\npublish: true\n---\n"},
        config='ignore = ["Scratch/**"]\n')
    assert rules_at(lint(vault), "schema") == [("Bad.md", 2, 1)]


def test_bundled_schema_by_name_in_config(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "Notes/A.md": "---\npublish: \"yes\"\n---\n",
        "Other/B.md": "---\npublish: \"yes\"\n---\n"},
        config='[schemas]\n"Notes/**" = "obsidian"\n')
    assert rules_at(lint(vault), "schema") == [("Notes/A.md", 2, 1)]


def test_missing_schema_file_is_a_one_line_error(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "---\ntitle: x\n---\n"},
                       config='[schemas]\n"**" = "_schemas/nope.schema.json"\n')
    result = run_cli("check", vault, "--no-cache")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert ".notewarden.toml" in lines[0]
    assert "nope.schema.json" in lines[0]


def test_invalid_schema_is_a_one_line_error(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "_schemas/bad.json": json.dumps({"type": 12}),
        "A.md": "---\ntitle: x\n---\nBody\n"},
        config='[schemas]\n"**" = "_schemas/bad.json"\n')
    result = run_cli("check", vault, "--no-cache")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert ".notewarden.toml" in lines[0]
    assert "bad.json" in lines[0]


def test_schema_that_is_not_json_is_a_one_line_error(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "_schemas/bad.json": "{not json", "A.md": "---\ntitle: x\n---\n"},
        config='[schemas]\n"**" = "_schemas/bad.json"\n')
    result = run_cli("check", vault, "--no-cache")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_valid_schema_file_runs_normally(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "_schemas/ok.json": json.dumps({"type": "object"}),
        "A.md": "---\ntitle: x\n---\nBody\n"},
        config='[schemas]\n"**" = "_schemas/ok.json"\n')
    result = run_cli("check", vault, "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""


# --- alias-format -----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "text", "line", "fixable", "words"), [
    ("Note.md", "---\ntitle: t\nalias: Other name\n---\n", 3, True, "alias"),
    ("Note.md", "---\naliases: Other name\n---\n", 2, True, "single string"),
    ("Note.md", "---\naliases:\n---\n", 2, False, "empty"),
    ("Note.md", "---\naliases:\n  - ok\n  - 5\n---\n", 4, False, "number"),
    ("Note.md", "---\naliases:\n  - ok\n  - {a: b}\n---\n", 4, False, "mapping"),
    ("Note.md", "---\naliases:\n  - Foo\n  - Bar\n  - foo\n---\n", 5, True, "twice"),
    ("My Note.md", "---\naliases:\n  - Other\n  - my note\n---\n", 4, True, "own name"),
    ("My Note.md", "---\naliases: [MY NOTE]\n---\n", 2, True, "own name"),
])
def test_alias_problems_are_reported(tmp_path: Path, name: str, text: str, line: int,
                                     fixable: bool, words: str) -> None:
    vault = make_vault(tmp_path / "v", {name: text})
    finding = one(lint(vault), "alias-format")
    assert (finding.path, finding.line) == (name, line)
    assert words in finding.message
    assert finding.fixable is fixable
    assert finding.severity.value == "warning"


def test_proper_alias_list_is_fine(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "My Note.md": "---\naliases:\n  - Another name\n  - Third\n---\n",
        "Flow.md": "---\naliases: [One, Two]\n---\n",
        "Empty.md": "---\naliases: []\n---\n",
        "None.md": "---\ntitle: no aliases at all\n---\n"})
    assert of(lint(vault), "alias-format") == []


# --- tag-format -------------------------------------------------------------------------------


@pytest.mark.parametrize(("tag", "fixable", "words"), [
    ("'#transcript'", True, "#"),
    ("machine learning", False, "space"),
    ("'2025'", False, "digits"),
    ("2025", False, "number"),
    ("ai&ml", False, "&"),
    ("a.b", False, "."),
    ("what?", False, "?"),
    ("a,b", False, ","),
    ("'x:y'", False, ":"),
    ("true", False, "not a string"),
    ("{a: 1}", False, "not a string"),
    ("[nested]", False, "not a string"),
])
def test_tag_problems_are_reported(tmp_path: Path, tag: str, fixable: bool, words: str) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": f"---\ntitle: t\ntags:\n  - ok\n  - {tag}\n---\n"})
    finding = one(lint(vault), "tag-format")
    assert (finding.path, finding.line, finding.column) == ("A.md", 5, 5)
    assert words in finding.message
    assert finding.fixable is fixable
    assert finding.severity.value == "warning"


def test_single_tag_string_with_hash_is_fixable(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "---\ntitle: t\ntags: '#solo'\n---\n"})
    finding = one(lint(vault), "tag-format")
    assert finding.line == 3
    assert finding.fixable is True


def test_valid_tags_are_fine(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "A.md": ("---\ntags:\n  - ai/learning\n  - machine-learning\n  - y2025\n  - été\n"
                 "  - snake_case\n  - 🚀\n  - rocket🚀\n  - 日本語\n---\n"),
        "B.md": "---\ntags: [ai, ml/deep]\n---\n",
        "C.md": "---\ntags: single\n---\n",
        "D.md": "---\ntags:\n---\n"})
    assert of(lint(vault), "tag-format") == []


# --- fast paths checked against the plain ones they replace ----------------------------

def test_closing_fence_is_found_as_a_multiline_regex_search_would() -> None:
    import re

    from notewarden.parsing.front_matter import find_front_matter

    closing_re = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)
    parts = ["---", "--- ", "---\t", "----", "-- -", "a: 1", "\r", "", "x---", "  ---", "---\r"]
    rng = random.Random(3)
    for _ in range(20000):
        text = "\n".join(rng.choice(parts) for _ in range(rng.randint(0, 6)))
        text += "\n" if rng.random() < 0.3 else ""
        block, unclosed = find_front_matter(text)
        opening = re.match(r"---[ \t]*\r?\n", text)
        closing = closing_re.search(text, opening.end()) if opening else None
        assert unclosed == (opening is not None and closing is None), repr(text)
        if closing is None:
            assert block is None, repr(text)
            continue
        assert opening is not None and block is not None
        assert block.yaml_text == text[opening.end():closing.start()], repr(text)
        newline = text.find("\n", closing.end())
        assert block.body_start == (len(text) if newline == -1 else newline + 1), repr(text)
