"""notewarden's front-matter reader held to js-yaml, the YAML reader Obsidian uses.

tests/oracle/js_yaml/verdicts.json holds js-yaml 4's verdict on every block of the corpus
(blocks.json: the example vault's own front-matter, then edge cases by kind), recorded by
record.mjs, so this needs no Node.js. For each block notewarden must:

- agree on parse-or-fail: a block js-yaml rejects is a yaml-syntax finding, and one it
  reads is not (the few deliberate exceptions are listed below with their reasons);
- agree on the values, which is what the README's "read as YAML 1.2, as Obsidian does"
  promises: strings stay strings (`draft: no`), numbers, booleans and nulls are js-yaml's;
- point a yaml-syntax finding at the line where the problem starts, where the corpus
  says which line that is.

The verdict used is `load(text)`, the call every stand-in for Obsidian's parseYaml makes
(see record.mjs); `load(text, {schema: CORE_SCHEMA})` is recorded too, and
test_the_schema_choice_matters_only_for_yaml_11_extras shows where the two differ.
"""

from __future__ import annotations

import base64
import datetime
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from notewarden.parsing.front_matter import NOT_A_MAPPING, ParsedFrontMatter
from notewarden.parsing.note import parse_note
from tests.oracle.js_yaml import make_blocks

ORACLE = Path(make_blocks.__file__).resolve().parent
RECORDED = json.loads((ORACLE / "verdicts.json").read_text(encoding="utf-8"))
BLOCKS: list[dict[str, Any]] = RECORDED["blocks"]
BY_ID = {block["id"]: block for block in BLOCKS}

# Blocks js-yaml reads and notewarden refuses on purpose: nothing in a vault may make it
# grow without bound, and a value that holds itself cannot be checked against a schema.
REFUSED_BY_DESIGN = {
    "anchor-011": "`a: &r [1, *r]` is a list that contains itself",
    "anchor-017": "an alias bomb: more than 100,000 values once aliases are expanded",
}
# Values where notewarden differs from js-yaml on purpose.
VALUES_BY_DESIGN = {
    # js-yaml turns a date used as a key into Date.prototype.toString(), which depends on
    # the reading machine's time zone; notewarden keeps the key as written.
    "date-029": "a date as a key stays its text",
}
TAGS = {"$date", "$float", "$binary", "$undefined", "$cycle", "$too_big"}


def read(block: dict[str, Any]) -> ParsedFrontMatter:
    """notewarden's reading of the block, as the front-matter of a note."""
    newline = "\r\n" if "\r\n" in block["text"] else "\n"
    note = parse_note("Note.md", f"---{newline}{block['text']}---{newline}".encode())
    assert note.front_matter is not None
    return note.front_matter


def properties(parsed: ParsedFrontMatter) -> Any:
    """The properties as notewarden's rules see them (see rules/schema.py)."""
    from notewarden.parsing.front_matter import to_json_compatible

    return parsed.data if parsed.plain else to_json_compatible(parsed.data)


def tagged(value: Any) -> str | None:
    """The record's tag for a value JSON cannot hold ({"$date": ...}), if it is one."""
    if isinstance(value, dict) and len(value) == 1:
        (key,) = value
        return key if key in TAGS else None
    return None


def verdict_mismatch(block: dict[str, Any], parsed: ParsedFrontMatter) -> str | None:
    """Why notewarden's parse-or-fail verdict differs from js-yaml's, or None."""
    recorded = block["default"]
    if block["id"] in REFUSED_BY_DESIGN:
        return None if parsed.error else "refused by design, but read"
    if not recorded["ok"]:
        if parsed.error is None:
            return f"js-yaml rejects it ({recorded['reason']}, line {recorded['line']})"
        return None
    value = recorded["value"]
    if value is None or tagged(value) == "$undefined" or (
            isinstance(value, dict) and tagged(value) is None):
        return None if parsed.error is None else f"js-yaml reads it; notewarden: {parsed.error}"
    # js-yaml reads a list or a scalar: no properties, which yaml-syntax reports.
    if parsed.error is not None and parsed.error.startswith(NOT_A_MAPPING):
        return None
    return f"not a mapping to js-yaml ({json.dumps(value)[:40]}); notewarden: {parsed.error}"


def value_mismatch(expected: Any, actual: Any, path: str = "") -> str | None:
    """Where notewarden's value differs from js-yaml's recorded one, or None."""
    tag = tagged(expected)
    if tag == "$date":  # notewarden keeps the text the Date was read from
        if isinstance(actual, str) and js_yaml_date(actual) == expected["$date"]:
            return None
        return f"{path}: {actual!r} is not the text of {expected['$date']}"
    if tag == "$float":
        number = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf,
                  "-0": -0.0}[expected["$float"]]
        same = isinstance(actual, float) and (
            math.isnan(actual) if math.isnan(number) else actual == number)
        return None if same else f"{path}: {actual!r} is not {expected['$float']}"
    if tag == "$binary":  # notewarden gives the bytes as UTF-8 text (see _SlowBuilder)
        text = base64.b64decode(expected["$binary"]).decode("utf-8", "replace")
        return None if actual == text else f"{path}: {actual!r} is not {text!r}"
    if expected is None or isinstance(expected, bool | str):
        same = actual is expected if not isinstance(expected, str) else actual == expected
        return None if same else f"{path}: {actual!r} is not {expected!r}"
    if isinstance(expected, int | float):
        if isinstance(actual, bool) or not isinstance(actual, int | float):
            return f"{path}: {actual!r} is not the number {expected!r}"
        # js-yaml's numbers are doubles: beyond 2**53 they are rounded, Python's are not.
        return None if float(actual) == float(expected) else f"{path}: {actual!r} != {expected!r}"
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{path}: {actual!r} is not a list of {len(expected)}"
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            if (problem := value_mismatch(want, got, f"{path}[{index}]")) is not None:
                return problem
        return None
    if not isinstance(actual, dict) or set(actual) != set(expected):
        keys = sorted(actual) if isinstance(actual, dict) else actual
        return f"{path}: keys {keys!r} are not {sorted(expected)!r}"
    for key, want in expected.items():
        if (problem := value_mismatch(want, actual[key], f"{path}.{key}")) is not None:
            return problem
    return None


_TIMESTAMP = re.compile(
    r"(\d{4})-(\d\d?)-(\d\d?)(?:(?:[Tt]|[ \t]+)(\d\d?):(\d\d):(\d\d)(?:\.(\d*))?"
    r"(?:[ \t]*(Z|([-+])(\d\d?)(?::(\d\d))?))?)?")


def js_yaml_date(text: str) -> str | None:
    """Date.prototype.toISOString() of the Date js-yaml makes of a timestamp's text
    (lib/type/timestamp.js: Date.UTC, which carries overflowing fields and reads years
    0-99 as 1900-1999)."""
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return None
    year, month, day = (int(part) for part in match.group(1, 2, 3))
    hour, minute, second = (int(part or 0) for part in match.group(4, 5, 6))
    millis = int(((match.group(7) or "")[:3]).ljust(3, "0"))
    year += 1900 if 0 <= year <= 99 else 0
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    try:
        moment = datetime.datetime(year, month, 1) + datetime.timedelta(
            days=day - 1, hours=hour, minutes=minute, seconds=second, milliseconds=millis)
    except (ValueError, OverflowError):  # past year 9999: not in this corpus
        return None
    if match.group(9):
        offset = datetime.timedelta(hours=int(match.group(10)),
                                    minutes=int(match.group(11) or 0))
        moment -= offset if match.group(9) == "+" else -offset
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


# --- the corpus ---------------------------------------------------------------------------------


def test_the_corpus_is_current_and_covers_the_issues_cases() -> None:
    assert RECORDED["js_yaml"].startswith("4.")
    blocks = json.loads((ORACLE / "blocks.json").read_text(encoding="utf-8"))
    assert make_blocks.corpus() == blocks, "blocks.json is stale: run make_blocks.py"
    assert [{k: v for k, v in b.items() if k not in ("default", "core")} for b in BLOCKS] \
        == blocks, "verdicts.json is stale: run record.mjs"
    assert len(BLOCKS) >= 200
    kinds = {block["kind"] for block in BLOCKS}
    assert kinds >= {"seed", "duplicate-key", "tab", "anchor", "flow", "hash", "quote",
                     "number", "date", "bool", "null", "key", "bom", "crlf"}
    texts = "".join(block["text"] for block in BLOCKS)
    for case in ("tags: [#tag]", "value: 1.10", "draft: yes", "draft: off", "guest: ~",
                 "date: 2025-12-23T10:00:00Z", "title: \"abc\n", "\ufeff", "\r\n", "&b", "*b"):
        assert case in texts, case
    assert sum(block["kind"] == "seed" for block in BLOCKS) >= 5
    assert sum(not block["default"]["ok"] for block in BLOCKS) >= 50


def test_js_yaml_timestamps_are_rendered_the_way_this_test_reads_them() -> None:
    # The recorder's $date is Date.toISOString(); js_yaml_date must agree with it on every
    # unquoted date of the corpus, or the date comparisons below prove nothing.
    dates = [(block["text"].split(": ", 1)[1].strip(), block["default"]["value"]["date"])
             for block in BLOCKS if block["kind"] == "date" and block["default"]["ok"]
             and tagged(block["default"]["value"].get("date")) == "$date"]
    assert len(dates) >= 15
    for text, value in dates:
        assert js_yaml_date(text) == value["$date"], text


# --- notewarden against js-yaml ------------------------------------------------------------------


@pytest.mark.parametrize("block", BLOCKS, ids=[block["id"] for block in BLOCKS])
def test_parse_or_fail_agrees_with_js_yaml(block: dict[str, Any]) -> None:
    parsed = read(block)
    assert verdict_mismatch(block, parsed) is None, (block["text"][:200],
                                                     verdict_mismatch(block, parsed))


READ_BY_BOTH = [block for block in BLOCKS if block["default"]["ok"]
                and block["id"] not in REFUSED_BY_DESIGN and block["id"] not in VALUES_BY_DESIGN]


@pytest.mark.parametrize("block", READ_BY_BOTH, ids=[block["id"] for block in READ_BY_BOTH])
def test_values_agree_with_js_yaml(block: dict[str, Any]) -> None:
    parsed = read(block)
    expected = block["default"]["value"]
    if parsed.error is not None:
        assert parsed.error.startswith(NOT_A_MAPPING)  # checked by the test above
        return
    if expected is None or tagged(expected) == "$undefined":  # nothing but comments
        assert parsed.data == {}
        return
    problem = value_mismatch(expected, properties(parsed))
    assert problem is None, (block["text"][:200], problem)


@pytest.mark.parametrize("block_id", sorted(VALUES_BY_DESIGN))
def test_deliberate_value_differences_are_still_there(block_id: str) -> None:
    # If one of these starts to agree, it no longer needs its exception.
    parsed = read(BY_ID[block_id])
    assert parsed.error is None
    assert value_mismatch(BY_ID[block_id]["default"]["value"], properties(parsed)) is not None


POSITIONED = [block for block in BLOCKS if "start" in block]


@pytest.mark.parametrize("block", POSITIONED, ids=[block["id"] for block in POSITIONED])
def test_yaml_syntax_points_where_the_problem_starts(block: dict[str, Any]) -> None:
    parsed = read(block)
    assert parsed.error is not None
    # The YAML's first line is the note's line 2.
    assert parsed.error_line == block["start"] + 1, (block["text"][:200], parsed.error)


def test_the_schema_choice_matters_only_for_yaml_11_extras() -> None:
    # Obsidian's exact js-yaml call is not public (see record.mjs). Its default schema and
    # the plain YAML 1.2 core schema differ only on blocks with a `<<` merge key or a
    # `!!` tag of YAML 1.1 (binary, set, omap, pairs, timestamp), and on unquoted dates,
    # which stay text in notewarden under either.
    differ = []
    for block in BLOCKS:
        default, core = block["default"], block["core"]
        if default["ok"] != core["ok"] or (
                default["ok"] and not _differs_only_in_dates(default["value"], core["value"])):
            differ.append(block)
    assert differ, "the two schemas are expected to differ somewhere"
    for block in differ:
        assert "<<" in block["text"] or "!!" in block["text"], block["id"]


def _differs_only_in_dates(default: Any, core: Any) -> bool:
    if tagged(default) == "$date":
        return isinstance(core, str) and js_yaml_date(core) == default["$date"]
    if isinstance(default, list) and isinstance(core, list) and len(default) == len(core):
        return all(_differs_only_in_dates(a, b) for a, b in zip(default, core, strict=True))
    if isinstance(default, dict) and isinstance(core, dict) and tagged(default) is None:
        if set(default) != set(core):
            return all(_is_date_key(key) for key in set(default) ^ set(core))
        return all(_differs_only_in_dates(default[key], core[key]) for key in default)
    return bool(default == core)


def _is_date_key(key: str) -> bool:
    return bool(re.match(r"\d{4}-\d\d-\d\d$|[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d{4} ", key))
