"""`notewarden schema infer` (issue 14, part 3): the schema it prints is satisfied by every
note it was inferred from, checked by jsonschema and by `notewarden check`, and each
keyword it adds appears exactly where the values allow it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from notewarden.infer import MAX_ENUM_VALUES, infer_schema
from tests.helpers import EXAMPLE_VAULT, check_json, make_vault, run_cli


def _infer(target: str | Path, cwd: Path | None = None) -> dict[str, Any]:
    result = run_cli("schema", "infer", target, cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    schema: dict[str, Any] = json.loads(result.stdout)
    return schema


def _notes(tmp_path: Path, *front_matters: str, folder: str = "Notes") -> Path:
    files = {f"{folder}/N{i}.md": f"---\n{fm}---\n# N{i}\n" if fm else f"# N{i}\n"
             for i, fm in enumerate(front_matters)}
    return make_vault(tmp_path / "v", files)  # type: ignore[arg-type]


def _property(tmp_path: Path, *values: str, key: str = "p") -> dict[str, Any]:
    vault = _notes(tmp_path, *(f"{key}: {value}\n" for value in values))
    schema = _infer(vault / "Notes")
    assert key in schema["required"]
    found: dict[str, Any] = schema["properties"][key]
    return found


def _checked_by_notewarden(vault: Path, schema: dict[str, Any], glob: str) -> list[Any]:
    """The schema findings `notewarden check` gives with `schema` mapped to `glob`."""
    (vault / "_inferred.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    (vault / ".notewarden.toml").write_text(
        f'[schemas]\n"{glob}" = "_inferred.schema.json"\n', encoding="utf-8")
    return [f for f in check_json(vault, "--select", "schema")]


# --- round trip ------------------------------------------------------------------------------


def test_the_example_vaults_schema_holds_for_every_one_of_its_notes(tmp_path: Path) -> None:
    vault = tmp_path / "example-vault"
    shutil.copytree(EXAMPLE_VAULT, vault)
    schema = _infer(vault)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    from notewarden.parsing.note import parse_note

    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    notes = [path for path in vault.rglob("*.md")]
    for path in notes:
        note = parse_note(path.name, path.read_bytes())
        if note.front_matter is None or note.front_matter.data is not None:
            assert list(validator.iter_errors(note.data or {})) == [], path
    (vault / ".notewarden.toml").unlink()
    assert _checked_by_notewarden(vault, schema, "**") == []


def test_the_readme_shows_the_real_inferred_schema() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ notewarden schema infer example-vault/Videos\n", 1)[1]
    shown = block.split("```", 1)[0]
    result = run_cli("schema", "infer", "example-vault/Videos", cwd=EXAMPLE_VAULT.parent)
    assert result.stdout == shown


_VALUES = st.one_of(
    st.sampled_from(["draft", "done", "[[A]]", "[[B|b]]", "2025-01-31", "2025-02-30",
                     "2025-01-31T10:00:00Z", "2025-01-31T10:00", "https://example.com/x",
                     "a@example.com", "x y", "", "yes", "null"]),
    st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(), st.none())
_FRONT_MATTER = st.dictionaries(
    st.sampled_from(["status", "guest", "date", "rating", "tags", "meta"]),
    st.one_of(_VALUES, st.lists(_VALUES, max_size=3),
              st.dictionaries(st.sampled_from(["a", "b"]), _VALUES, max_size=2)),
    max_size=5)


@settings(max_examples=400)
@given(st.lists(_FRONT_MATTER, min_size=1, max_size=8))
def test_any_set_of_notes_satisfies_the_schema_inferred_from_it(
        instances: list[dict[str, Any]]) -> None:
    schema = infer_schema(instances)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for instance in instances:
        assert list(validator.iter_errors(instance)) == []


def test_notes_checked_by_notewarden_against_the_inferred_schema(tmp_path: Path) -> None:
    vault = _notes(tmp_path,
                   'status: draft\nguest: "[[N1]]"\nseen: 2025-01-02\nrating: 4\n',
                   'status: done\nguest: "[[N0|zero]]"\nseen: 2025-02-03\nrating: 4.5\n',
                   'status: draft\nguest: "[[N2]]"\nseen: 2025-03-04\nrating: 1\ntags: [a]\n',
                   'status: done\nguest: "[[N0]]"\nseen: 2025-04-05\nrating: 2\n',
                   "", folder="Videos")
    schema = _infer("Videos/**", cwd=vault)
    assert _checked_by_notewarden(vault, schema, "Videos/**") == []
    # And it is not vacuous: a note that breaks each inferred keyword is reported.
    (vault / "Videos/Bad.md").write_text(
        '---\nstatus: reading\nguest: Bob\nseen: last spring\nrating: high\n---\n',
        encoding="utf-8")
    messages = sorted(f["message"].split(":")[0] for f in _checked_by_notewarden(
        vault, schema, "Videos/**"))
    assert messages == ["guest", "rating", "seen", "status"]


# --- each keyword ----------------------------------------------------------------------------


def test_types_per_property(tmp_path: Path) -> None:
    vault = _notes(tmp_path, "n: 1\nx: 1\nb: true\nl: [a]\nm: {k: 1}\ns: a\n",
                   "n: 2\nx: 1.5\nb: false\nl: [b, c]\nm: {k: 2}\ns: 3\n")
    properties = _infer(vault / "Notes")["properties"]
    assert properties["n"] == {"type": "integer"}
    assert properties["x"] == {"type": "number"}
    assert properties["b"] == {"type": "boolean"}
    assert properties["l"] == {"type": "array", "items": {"type": "string"}}
    assert properties["m"] == {"type": "object", "properties": {"k": {"type": "integer"}},
                               "required": ["k"]}
    assert properties["s"] == {"type": ["integer", "string"]}


def test_required_holds_only_the_properties_every_note_has(tmp_path: Path) -> None:
    vault = _notes(tmp_path, "a: 1\nb: 1\n", "a: 2\n", "a: 3\nc: x\n")
    schema = _infer(vault / "Notes")
    assert schema["required"] == ["a"]
    assert set(schema["properties"]) == {"a", "b", "c"}


def test_a_note_without_front_matter_makes_nothing_required(tmp_path: Path) -> None:
    vault = _notes(tmp_path, "a: 1\n", "")
    assert "required" not in _infer(vault / "Notes")


def test_enum_for_a_handful_of_repeated_values(tmp_path: Path) -> None:
    assert _property(tmp_path, "draft", "done", "draft", "done")["enum"] == ["done", "draft"]


@pytest.mark.parametrize("values", [
    ["draft"],  # one note: no evidence the value is one of a few
    ["a", "b", "c", "a"],  # not repeated enough
    [f"v{i}" for i in range(MAX_ENUM_VALUES + 1)] * 2,  # too many
    ["a" * 61, "a" * 61],  # too long to be a category
])
def test_no_enum_without_a_handful_of_repeated_values(tmp_path: Path, values: list[str]) -> None:
    assert "enum" not in _property(tmp_path, *values)


@pytest.mark.parametrize(("values", "fmt"), [
    (["2025-01-31", "2024-02-29"], "date"),
    (["2025-01-31T10:00:00Z", "2025-01-31T10:00:00.5+02:00"], "date-time"),
    (["https://example.com/a", "obsidian://open?vault=x"], "uri"),
    (["a@example.com", "b.c@example.org"], "email"),
    (['"[[A]]"', '"[[B|shown]]"', '"[[C#Part]]"'], "wikilink"),
])
def test_format_where_every_value_fits(tmp_path: Path, values: list[str], fmt: str) -> None:
    found = _property(tmp_path, *values, *values)
    assert found["format"] == fmt
    assert "enum" not in found  # a format says more than a list of dates


@pytest.mark.parametrize("values", [
    ["2025-01-31", "2025-02-30"],  # no such day
    ["2025-01-31", "last spring"],
    ["2025-01-31T10:00:00Z", "2025-01-31T10:00"],  # no seconds or offset: not RFC 3339
    ["https://example.com/a", "example.com"],
    ["a@example.com", "nobody"],
    ['"[[A]]"', "A"],
    ['"[[A]]"', '"![[A]]"'],
])
def test_no_format_when_one_value_does_not_fit(tmp_path: Path, values: list[str]) -> None:
    assert "format" not in _property(tmp_path, *values)


def test_formats_in_list_items(tmp_path: Path) -> None:
    found = _property(tmp_path, '["[[A]]", "[[B]]"]', '["[[C]]"]', key="related")
    assert found == {"type": "array", "items": {"type": "string", "format": "wikilink"}}


# --- what it reads ---------------------------------------------------------------------------


def test_a_glob_a_folder_and_a_note(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A/x.md": "---\na: 1\n---\n", "A/y.md": "---\nb: 1\n---\n",
                                        "B/z.md": "---\nc: 1\n---\n"})
    assert set(_infer("A/x.md", cwd=vault)["properties"]) == {"a"}
    assert set(_infer("A", cwd=vault)["properties"]) == {"a", "b"}
    assert set(_infer("*/z.md", cwd=vault)["properties"]) == {"c"}
    assert set(_infer(vault)["properties"]) == {"a", "b", "c"}


def test_notes_whose_front_matter_does_not_parse_are_left_out_and_named(tmp_path: Path) -> None:
    vault = _notes(tmp_path, "a: 1\n", "a: [unclosed\n")
    result = run_cli("schema", "infer", vault / "Notes")
    assert result.returncode == 0
    assert json.loads(result.stdout)["required"] == ["a"]
    assert "inferred from 1 note(s)" in result.stderr and "Notes/N1.md" in result.stderr


@pytest.mark.parametrize("target", ["Nowhere", "Nowhere/**"])
def test_nothing_there_is_one_line_and_exit_2(tmp_path: Path, target: str) -> None:
    vault = make_vault(tmp_path / "v", {"A/x.md": "---\na: 1\n---\n"})
    result = run_cli("schema", "infer", target, cwd=vault)
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_a_glob_matching_no_note_is_an_error(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A/x.md": "---\na: 1\n---\n"})
    result = run_cli("schema", "infer", "A/*.txt", cwd=vault)
    assert result.returncode == 2 and "no notes" in result.stderr
