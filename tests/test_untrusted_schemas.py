"""Schemas and Obsidian settings are files in the vault, so untrusted: their regexes must
not hang notewarden (issue 12 C), and their `$ref`s must not read anything outside the
vault (issue 12 D). Through the installed console script, with real files; plus a
differential test of notewarden's regex keywords against plain jsonschema."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator, Draft201909Validator, Draft202012Validator

from notewarden.schemas import _build_validator
from tests.helpers import check_json, findings_of, make_vault, run_cli

# `^(a+)+$` against n a's and a b: Python's re takes 27 s at n = 28, twice that for each
# more `a`; at 60 that is about 4,000 years. Each test below gives the CLI 30 s.
EVIL = "^(a+)+$"
EVIL_TEXT = "a" * 60 + "b"
SECRET = "TOPSECRET-123"


def _vault(tmp_path: Path, schema: Any, notes: dict[str, str], **files: str) -> Path:
    text = schema if isinstance(schema, str) else json.dumps(schema)
    return make_vault(tmp_path / "v", {"_schemas/s.json": text, **notes, **files},
                      config='[schemas]\n"**" = "_schemas/s.json"\n')


def _check(vault: Path, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return run_cli("check", vault, "--no-cache", *args, timeout=timeout)


def _config_error(result: subprocess.CompletedProcess[str], *names: str) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("notewarden: error: "), result.stderr
    for name in names:
        assert name in lines[0], (name, lines[0])
    return lines[0]


# --- C: regexes in bounded time -------------------------------------------------------------


def test_a_backtracking_pattern_gives_a_finding_at_once(tmp_path: Path) -> None:
    vault = _vault(tmp_path, {"properties": {"id": {"type": "string", "pattern": EVIL}}},
                   {"Note.md": f"---\nid: {EVIL_TEXT}\n---\n# Note\n"})
    result = _check(vault, "--format", "json")
    assert result.returncode == 1, result.stderr
    [finding] = findings_of("schema", json.loads(result.stdout)["findings"])
    assert finding["line"] == 2 and "does not match" in finding["message"]


def test_backtracking_pattern_properties_give_findings_at_once(tmp_path: Path) -> None:
    """patternProperties, the patternProperties matching inside additionalProperties, the
    schema rule's own key matching, and unevaluatedProperties all match property names."""
    key = EVIL_TEXT
    schemas = {
        "additional": {"patternProperties": {EVIL: {"type": "string"}},
                       "additionalProperties": False},
        "unevaluated": {"patternProperties": {EVIL: {"type": "string"}},
                        "unevaluatedProperties": False},
        "typed": {"patternProperties": {EVIL: {"type": "integer"}}},
    }
    for name, schema in schemas.items():
        vault = _vault(tmp_path / name, schema,
                       {"Note.md": f"---\n{key}: x\naaa: y\nbee: z\n---\n# Note\n"})
        result = _check(vault, "--format", "json")
        assert result.returncode == 1, result.stderr
        messages = [f["message"] for f in findings_of("schema", json.loads(result.stdout)[
            "findings"])]
        if name == "additional":  # `aaa` matches, the long key and `bee` do not
            assert sorted(messages) == [
                f"{key}: property not allowed by the schema (_schemas/s.json)",
                "bee: property not allowed by the schema (_schemas/s.json)"]
        elif name == "unevaluated":
            assert messages == [f"(front-matter): Unevaluated properties are not allowed "
                                f"('{key}', 'bee' were unexpected) (_schemas/s.json)"]
        else:
            assert messages == ["aaa: 'y' is not a whole Number (_schemas/s.json)"]


def test_thousands_of_notes_with_a_backtracking_pattern(tmp_path: Path) -> None:
    """A per-match timeout would make every note pay it: with RE2 the whole vault is
    checked in the time of an ordinary run (workers included)."""
    notes = {f"N{i:04}.md": f"---\nid: {'a' * (40 + i % 20)}b\n---\n# N{i}\n"
             for i in range(2000)}
    vault = _vault(tmp_path, {"properties": {"id": {"pattern": EVIL}}}, notes)
    result = _check(vault, "--format", "json", timeout=120)
    assert result.returncode == 1, result.stderr
    assert len(findings_of("schema", json.loads(result.stdout)["findings"])) == 2000


def test_a_backtracking_obsidian_excluded_files_regex_on_a_file_name(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        ".obsidian/app.json": json.dumps({"userIgnoreFilters": ["/^(a+)+$/", "/^Scratch\\//"]}),
        f"{EVIL_TEXT}.md": "[[Nowhere]]\n",
        "Scratch/Draft.md": "[[Nowhere]]\n",
    })
    result = _check(vault, "--format", "json")
    assert result.returncode == 1, result.stderr
    found = json.loads(result.stdout)["findings"]
    assert [f["path"] for f in found] == [f"{EVIL_TEXT}.md"]  # Scratch/ is still excluded


@pytest.mark.parametrize("pattern", ["^(?=.*[A-Z]).+$", "^(a)\\1$", "(?<!x)y", "a{5000}"])
def test_a_pattern_re2_cannot_run_is_a_config_error_naming_schema_and_pattern(
        tmp_path: Path, pattern: str) -> None:
    for where in ("pattern", "patternProperties"):
        schema = ({"properties": {"id": {"pattern": pattern}}} if where == "pattern"
                  else {"patternProperties": {pattern: {}}})
        vault = _vault(tmp_path / where, schema, {"Note.md": "---\nid: x\n---\n"})
        _config_error(_check(vault), "_schemas/s.json", json.dumps(pattern)[1:-1],
                      "bounded time")


def test_a_pattern_in_a_referenced_schema_file_is_checked_too(tmp_path: Path) -> None:
    vault = _vault(tmp_path, {"properties": {"id": {"$ref": "inner.json"}}},
                   {"Note.md": "---\nid: x\n---\n"},
                   **{"_schemas/inner.json": json.dumps({"pattern": "(?=x)"})})
    _config_error(_check(vault), "_schemas/inner.json", "(?=x)")


def test_an_invalid_pattern_is_a_config_error(tmp_path: Path) -> None:
    vault = _vault(tmp_path, {"properties": {"id": {"pattern": "(unclosed"}}},
                   {"Note.md": "---\nid: x\n---\n"})
    _config_error(_check(vault), "_schemas/s.json", "(unclosed")


def test_an_ecma_pattern_python_cannot_compile_is_accepted(tmp_path: Path) -> None:
    vault = _vault(tmp_path, {"properties": {
        "year": {"pattern": "^(?<year>\\d{4})$"}, "word": {"pattern": "^\\p{L}+$"}}},
        {"Note.md": "---\nyear: '2025'\nword: ça1\n---\n"})
    found = findings_of("schema", check_json(vault))
    assert [f["message"].split(":")[0] for f in found] == ["word"]


@pytest.mark.parametrize("pattern", ["/(?=x)y/", "/(a)\\1/"])
def test_an_excluded_files_regex_re2_cannot_run_is_a_config_error(
        tmp_path: Path, pattern: str) -> None:
    vault = make_vault(tmp_path / "v", {
        ".obsidian/app.json": json.dumps({"userIgnoreFilters": [pattern]}),
        "Note.md": "# Note\n"})
    _config_error(_check(vault), "app.json", pattern.replace("\\", "\\\\"))


def test_an_excluded_files_entry_that_is_no_regex_excludes_nothing(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        ".obsidian/app.json": json.dumps({"userIgnoreFilters": ["/(unclosed/"]}),
        "Note.md": "[[Nowhere]]\n"})
    assert [f["path"] for f in check_json(vault)] == ["Note.md"]


# --- the keywords against plain jsonschema ----------------------------------------------------

_ATOMS = st.sampled_from(["a", "b", "1", "-", "_", ".", "[ab]", "[^a]", "[a-b1]", "\\d",
                          "\\w", "\\W", "\\D", "\\-", "\\."])


def _regexes() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, inner).map("".join),
            st.tuples(inner, inner).map("|".join),
            inner.map(lambda r: f"(?:{r})"),
            inner.map(lambda r: f"({r})"),
            st.tuples(inner, st.sampled_from(["*", "+", "?", "{1,2}", "{2}", "*?", "{0,}"])
                      ).map(lambda pair: f"(?:{pair[0]}){pair[1]}"),
        )

    body = st.recursive(_ATOMS, extend, max_leaves=6)
    return st.tuples(st.sampled_from(["", "^"]), body, st.sampled_from(["", "$"])).map(
        "".join)


_TEXT = st.text(alphabet="ab1-_ .", max_size=6)


def _errors(validator: Any, instance: Any) -> list[tuple[str, list[Any], list[Any]]]:
    return sorted(((error.message, list(error.absolute_path), list(error.absolute_schema_path))
                   for error in validator.iter_errors(instance)), key=repr)


def _schemas(p1: str, p2: str, draft: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"properties": {"v": {"type": "string", "pattern": p1}},
         "patternProperties": {p2: {"type": "string", "maxLength": 3}},
         "additionalProperties": False},
        {"patternProperties": {p1: {"maxLength": 2}, p2: True},
         "additionalProperties": {"type": "integer"}},
        {"properties": {"v": {"pattern": p1}}, "additionalProperties": False},
        {"propertyNames": {"pattern": p2}, "items": {"pattern": p1}},
    ]
    if draft != "7":
        out += [
            {"patternProperties": {p1: {"maxLength": 2}}, "unevaluatedProperties": False},
            {"allOf": [{"patternProperties": {p2: True}}, {"$ref": "#/$defs/d"}],
             "$defs": {"d": {"patternProperties": {p1: {"type": "string"}}}},
             "unevaluatedProperties": {"type": "integer"}},
            {"anyOf": [{"properties": {"v": {"pattern": p1}}}, {"patternProperties": {p2: {}}}],
             "if": {"patternProperties": {p1: {"minLength": 1}}},
             "then": {"patternProperties": {p2: {"maxLength": 4}}},
             "unevaluatedProperties": False},
        ]
    schema_uri = {"7": "http://json-schema.org/draft-07/schema#",
                  "2019": "https://json-schema.org/draft/2019-09/schema",
                  "2020": "https://json-schema.org/draft/2020-12/schema"}[draft]
    return [{"$schema": schema_uri, **schema} for schema in out]


_PLAIN = {"7": Draft7Validator, "2019": Draft201909Validator, "2020": Draft202012Validator}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(p1=_regexes(), p2=_regexes(), draft=st.sampled_from(["7", "2019", "2020"]),
       keys=st.lists(_TEXT, max_size=4), values=st.lists(_TEXT | st.integers(0, 3), max_size=4),
       items=st.lists(_TEXT, max_size=3))
def test_bounded_keywords_report_exactly_what_jsonschema_reports(
        p1: str, p2: str, draft: str, keys: list[str], values: list[Any],
        items: list[str]) -> None:
    """For ordinary patterns (those that mean the same in Python, ECMA-262 and RE2 on
    values without line breaks or non-ASCII) notewarden's pattern, patternProperties,
    additionalProperties and unevaluatedProperties give jsonschema's errors exactly."""
    instance: dict[str, Any] = dict(zip(keys, values + ["v"] * len(keys), strict=False))
    instance.setdefault("v", values[0] if values else "ab")
    for schema in _schemas(p1, p2, draft):
        ours = _build_validator(schema, "file:///vault/_schemas/test.schema.json")
        plain = _PLAIN[draft](schema, format_checker=_PLAIN[draft].FORMAT_CHECKER)
        for candidate in (instance, items):
            assert _errors(ours, candidate) == _errors(plain, candidate), (schema, candidate)


# --- D: references stay in the vault and the bundled schemas ----------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A JSON file outside the vault, whose value must never show up anywhere."""
    path = tmp_path / "outside" / "outside.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"enum": [SECRET]}), encoding="utf-8")
    return path


NOTE = {"Note.md": "---\nid: 1\n---\n# Note\n"}


def _refused(tmp_path: Path, schema: Any, ref: str, **files: str) -> str:
    vault = _vault(tmp_path, schema, NOTE, **files)
    result = _check(vault)
    line = _config_error(result, "_schemas/s.json", ref)
    assert SECRET not in result.stdout + result.stderr
    return line


def test_a_ref_to_etc_passwd_is_refused(tmp_path: Path) -> None:
    _refused(tmp_path, {"properties": {"id": {"$ref": "file:///etc/passwd"}}},
             "file:///etc/passwd")


def test_a_ref_to_an_absolute_path_is_refused(tmp_path: Path, outside: Path) -> None:
    _refused(tmp_path, {"properties": {"id": {"$ref": str(outside)}}}, str(outside))


def test_a_ref_that_climbs_out_of_the_vault_is_refused(tmp_path: Path, outside: Path) -> None:
    _refused(tmp_path, {"properties": {"id": {"$ref": "../../outside/outside.json"}}},
             "../../outside/outside.json")


@pytest.mark.parametrize("ref", ["http://example.com/schema.json",
                                 "https://example.com/schema.json#/$defs/x",
                                 "urn:example:other"])
def test_a_ref_to_the_web_or_elsewhere_is_refused(tmp_path: Path, ref: str) -> None:
    _refused(tmp_path, {"properties": {"id": {"$ref": ref}}}, ref)


def test_a_ref_through_a_symlink_pointing_outside_is_refused(tmp_path: Path,
                                                            outside: Path) -> None:
    vault = _vault(tmp_path, {"properties": {"id": {"$ref": "link.json"}}}, NOTE)
    (vault / "_schemas" / "link.json").symlink_to(outside)
    result = _check(vault)
    _config_error(result, "_schemas/s.json", "link.json", "outside the vault")
    assert SECRET not in result.stdout + result.stderr


def test_an_id_that_rebases_refs_outside_is_refused(tmp_path: Path, outside: Path) -> None:
    _refused(tmp_path, {"$id": outside.parent.as_uri() + "/",
                        "properties": {"id": {"$ref": "outside.json"}}}, "outside.json")
    _refused(tmp_path / "web", {"properties": {"id": {
        "$id": "https://example.com/schemas/", "$ref": "x.json"}}}, "x.json")


def test_a_ref_the_load_time_scan_cannot_see_is_refused_when_validating(
        tmp_path: Path, outside: Path) -> None:
    """A JSON pointer into `default` (data, which the scan does not read as schemas)
    reaches a `$ref` only validation follows: the retrieve function refuses it, and the
    note gets a finding that names it; the file outside is never read."""
    vault = _vault(tmp_path, {"properties": {"id": {"$ref": "#/default/x"}},
                              "default": {"x": {"$ref": outside.as_uri()}}}, NOTE)
    result = _check(vault, "--format", "json")
    assert result.returncode == 1, result.stderr
    assert SECRET not in result.stdout + result.stderr
    [finding] = findings_of("schema", json.loads(result.stdout)["findings"])
    assert "is not followed" in finding["message"] and "outside the vault" in finding["message"]


def test_a_ref_to_a_fifo_in_the_vault_is_an_error_not_a_hang(tmp_path: Path) -> None:
    vault = _vault(tmp_path, {"properties": {"id": {"$ref": "pipe.json"}}}, NOTE)
    os.mkfifo(vault / "_schemas" / "pipe.json")
    _config_error(_check(vault), "_schemas/s.json", "pipe.json", "FIFO")


def test_an_in_vault_relative_ref_still_works(tmp_path: Path) -> None:
    vault = _vault(tmp_path, {"properties": {"id": {"$ref": "defs/inner.json#/$defs/id"}}},
                   NOTE, **{"_schemas/defs/inner.json": json.dumps(
                       {"$defs": {"id": {"$ref": "../more.json"}}}),
                       "_schemas/more.json": json.dumps({"enum": ["ok"]})})
    found = findings_of("schema", check_json(vault))
    assert [f["message"] for f in found] == ["id: 1 is not one of ['ok'] (_schemas/s.json)"]


def test_a_ref_to_a_bundled_schema_still_works(tmp_path: Path) -> None:
    vault = _vault(tmp_path, {"$ref": "urn:notewarden:schema:obsidian",
                              "properties": {"tags": {
                                  "$ref": "urn:notewarden:schema:obsidian#/properties/tags"}}},
                   {"Note.md": "---\npublish: maybe\ntags: 3\n---\n"})
    found = sorted(f["message"] for f in findings_of("schema", check_json(vault)))
    assert found == ["publish: 'maybe' is not a Checkbox (true or false) (_schemas/s.json)",
                     "tags: 3 is not a List, Text or empty (_schemas/s.json)",
                     "tags: 3 is not a List, Text or empty (_schemas/s.json)"]


def test_a_ref_to_an_embedded_id_and_to_a_meta_schema_still_work(tmp_path: Path) -> None:
    vault = _vault(tmp_path, {
        "$id": "https://example.com/s.json",
        "properties": {"id": {"$ref": "https://example.com/defs/id"},
                       "meta": {"$ref": "https://json-schema.org/draft/2020-12/schema"}},
        "$defs": {"id": {"$id": "https://example.com/defs/id", "type": "string"}}},
        {"Note.md": "---\nid: 1\nmeta: 3\n---\n"})
    found = sorted(f["message"] for f in findings_of("schema", check_json(vault)))
    assert found[0] == "id: 1 is not Text (_schemas/s.json)"
    assert found[1:] and all(f.startswith("meta: 3 is not of type") for f in found[1:])


@pytest.mark.parametrize("kind", ["absolute", "climbing", "symlink", "uri"])
def test_a_schema_file_named_in_the_config_must_be_in_the_vault(
        tmp_path: Path, outside: Path, kind: str) -> None:
    name = {"absolute": str(outside), "climbing": "../outside/outside.json",
            "symlink": "_schemas/link.json", "uri": outside.as_uri()}[kind]
    vault = make_vault(tmp_path / "v", NOTE, config=f'[schemas]\n"**" = {json.dumps(name)}\n')
    if kind == "symlink":
        (vault / "_schemas").mkdir()
        (vault / "_schemas" / "link.json").symlink_to(outside)
    result = _check(vault)
    _config_error(result, ".notewarden.toml", name)
    assert SECRET not in result.stdout + result.stderr


def test_a_schema_file_that_is_a_fifo_is_an_error_not_a_hang(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", NOTE, config='[schemas]\n"**" = "s.json"\n')
    os.mkfifo(vault / "s.json")
    _config_error(_check(vault), "s.json", "FIFO")
