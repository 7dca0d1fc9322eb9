"""The leaf-keyword shortcut in notewarden's validators (schemas._with_leaf_shortcut) must
report exactly what plain jsonschema reports: same messages, same paths, same order once
sorted, for valid and invalid values alike, on every draft notewarden accepts."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for

from notewarden.schemas import _build_validator

LEAVES: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["id", "status"],
    "properties": {
        "id": {"type": "string", "pattern": "^SRC-[0-9]{4}$", "description": "the id"},
        "status": {"enum": ["draft", "done"]},
        "rating": {"type": "integer", "minimum": 1, "maximum": 5},
        "ratio": {"type": "number", "exclusiveMaximum": 1, "multipleOf": 0.25},
        "created": {"type": "string", "format": "date"},
        "url": {"type": "string", "format": "uri"},
        "title": {"type": "string", "minLength": 1, "maxLength": 10},
        "kind": {"const": "video"},
        "tags": {"type": "array", "items": {"type": "string", "pattern": "^[a-z/-]+$"}},
        "pair": {"type": "array", "prefixItems": [{"type": "string"}],
                 "items": {"type": "integer"}},
        "nested": {"type": "object", "properties": {"when": {"format": "date"}},
                   "additionalProperties": False},
        "either": {"anyOf": [{"type": "string", "minLength": 3}, {"type": "integer"}]},
        "any": True,
        "never": False,
        "ref": {"$ref": "#/$defs/short"},
    },
    "$defs": {"short": {"type": "string", "maxLength": 3}},
    "unevaluatedProperties": {"type": ["string", "integer", "boolean", "null", "array",
                                       "object", "number"]},
}

DRAFT7: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 4}},
        "tuple": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}],
                  "additionalItems": False},
        "created": {"type": "string", "format": "date"},
    },
}

INSTANCES: list[dict[str, Any]] = [
    {"id": "SRC-0001", "status": "done"},
    {"id": "SRC-1", "status": "wip", "rating": 9, "ratio": 1.1, "created": "last spring"},
    {"id": 7, "status": None, "rating": 2.5, "ratio": 0.3, "created": "2025-02-30"},
    {"id": "SRC-0002", "status": "draft", "created": "2025-12-23", "url": "not a uri",
     "title": "", "kind": "audio"},
    {"id": "SRC-0003", "status": "done", "title": "far too long a title", "kind": "video",
     "url": "https://example.com/x"},
    {"status": "done", "tags": ["ok", "Not OK", 3], "pair": ["a", 1, "b"]},
    {"id": "SRC-0004", "status": "done", "tags": [], "pair": [1, "x"],
     "nested": {"when": "soon", "extra": 1}},
    {"id": "SRC-0005", "status": "done", "either": "ab", "never": 1, "ref": "long"},
    {"id": "SRC-0006", "status": "done", "either": 4, "any": {"x": [1]}, "ref": "ok",
     "rating": True, "other": "fine"},
    {"id": "SRC-0007", "status": "done", "rating": 5, "ratio": 0.75, "tags": ["a/b", "c-d"]},
    {"tags": "not a list", "title": 12, "created": "2025-12-23T10:00:00"},
]

DRAFT7_INSTANCES: list[dict[str, Any]] = [
    {"tags": ["ok", "far too long"], "tuple": ["a", 1], "created": "2025-01-01"},
    {"tags": ["a", 1], "tuple": [1, "a", "extra"], "created": "yesterday"},
    {"tags": [], "tuple": []},
]


def _errors(validator: Any, instance: Any) -> list[tuple[str, list[Any], list[Any]]]:
    return sorted(((error.message, list(error.absolute_path), list(error.absolute_schema_path))
                   for error in validator.iter_errors(instance)), key=repr)


def _plain(document: dict[str, Any]) -> Any:
    cls = validator_for(document, default=Draft202012Validator)
    return cls(document, format_checker=cls.FORMAT_CHECKER)


@pytest.mark.parametrize(("document", "instances"), [(LEAVES, INSTANCES),
                                                     (DRAFT7, DRAFT7_INSTANCES)])
def test_the_shortcut_reports_exactly_what_jsonschema_reports(
        document: dict[str, Any], instances: list[dict[str, Any]]) -> None:
    ours = _build_validator(document, "file:///vault/_schemas/test.schema.json")
    plain = _plain(document)
    assert type(ours) is not type(plain)  # the shortcut is really in use
    for instance in instances:
        assert _errors(ours, instance) == _errors(plain, instance), instance
        assert ours.is_valid(instance) == plain.is_valid(instance)


def test_remembered_verdicts_tell_equal_values_of_different_types_apart() -> None:
    """Scalar verdicts are remembered per (subschema, type, value): `True == 1 == 1.0` in
    Python, but JSON Schema judges them differently, and a verdict must not leak between
    them whichever comes first."""
    document = {"type": "object", "properties": {
        "n": {"type": "integer"}, "b": {"type": "boolean"}, "s": {"enum": ["1", 1]}}}
    values: list[Any] = [1, True, 1.0, "1", None, 0, False, 0.0, 1.5, float("nan")]
    for order in (values, values[::-1]):
        ours = _build_validator(document, "file:///vault/_schemas/test.schema.json")
        plain = _plain(document)
        for _ in range(2):  # the second round is answered from memory
            for value in order:
                for name in ("n", "b", "s"):
                    instance = {name: value}
                    assert _errors(ours, instance) == _errors(plain, instance), instance


def test_valid_leaf_properties_never_descend(monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of the shortcut: a note whose properties all pass their leaf subschemas is
    validated without jsonschema building a validator per property."""
    document = {key: value for key, value in LEAVES.items() if key != "unevaluatedProperties"}
    ours = _build_validator(document, "file:///vault/_schemas/test.schema.json")
    descents: list[Any] = []
    original = type(ours).descend

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        descents.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(ours), "descend", counting)
    good = {"id": "SRC-0001", "status": "done", "rating": 3, "created": "2025-12-23",
            "tags": ["a", "b/c"], "title": "Short"}
    assert _errors(ours, good) == []
    # `tags` is an array with `items`, not a leaf: it descends once, its items do not.
    assert [schema for _value, schema, *_rest in descents] == [document["properties"]["tags"]]
    descents.clear()
    assert _errors(ours, {**good, "tags": [], "rating": 7}) != []
    # Only the failing property takes jsonschema's usual path.
    assert sorted(map(repr, (value for value, *_rest in descents))) == ["7", "[]"]


def test_a_yaml_date_value_is_still_checked_as_jsonschema_would() -> None:
    """Front-matter values reach the validator JSON-compatible (dates as ISO strings); a
    non-string slipping through must fail `type: string` in both paths alike."""
    ours = _build_validator(LEAVES, "file:///vault/_schemas/test.schema.json")
    instance = {"id": "SRC-0001", "status": "done", "created": datetime.date(2025, 1, 1)}
    assert _errors(ours, instance) == _errors(_plain(LEAVES), instance)


DURATIONS = ["P3D", "PT1H30M", "P1Y2M", "P", "3 days", "PT", "P1W", "P0.5Y", "", 12]


def test_duration_is_checked_as_jsonschema_checks_it_though_isoduration_loads_late() -> None:
    """notewarden keeps isoduration (and the arrow library under it) from loading with
    jsonschema, and registers jsonschema's own `duration` check to import it on first use:
    verdicts must match jsonschema's, here run in an interpreter where isoduration loaded
    first, as jsonschema expects."""
    import json
    import subprocess
    import sys

    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "properties": {"d": {"format": "duration"}}}
    code = ("import isoduration, json, sys\n"
            "from jsonschema import Draft202012Validator as V\n"
            "schema, values = json.loads(sys.stdin.read())\n"
            "v = V(schema, format_checker=V.FORMAT_CHECKER)\n"
            "print(json.dumps([v.is_valid({'d': value}) for value in values]))\n")
    expected = json.loads(subprocess.run(
        [sys.executable, "-c", code], input=json.dumps([schema, DURATIONS]),
        capture_output=True, text=True, check=True).stdout)
    assert False in expected and True in expected
    ours = _build_validator(schema, "file:///vault/_schemas/test.schema.json")
    assert [ours.is_valid({"d": value}) for value in DURATIONS] == expected


def test_importing_jsonschema_through_notewarden_leaves_isoduration_unloaded() -> None:
    import subprocess
    import sys

    code = ("import sys\n"
            "from notewarden.schemas import _build_validator\n"
            "_build_validator({'type': 'object'}, 'file:///v/s.json')\n"
            "assert 'arrow' not in sys.modules, 'arrow loaded'\n"
            "assert sys.modules.get('isoduration') is None, 'isoduration loaded'\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_validators_of_one_draft_share_one_class() -> None:
    # Making the class runs jsonschema's `extend` twice, through attrs: about 4 ms, which
    # was half of a one-note `check --fix` (tests/test_fix_properties.py runs 6,000).
    first = _build_validator({"type": "object"}, "file:///v/a.schema.json")
    second = _build_validator(LEAVES, "file:///v/b.schema.json")
    assert type(first) is type(second)
    assert not first.is_valid([]) and second.is_valid({"id": "SRC-0001", "status": "done"})
