"""property-type: front-matter held to the vault's own property types (.obsidian/types.json).

Real vaults in temporary folders; the CLI-facing cases run the installed console script.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import check_json, findings_of, lint, make_vault, run_cli
from tests.test_watch import FAST, watching

TYPES = {"rating": "number", "reviewed": "checkbox", "published": "date",
         "starts": "datetime", "targets": "multitext", "title": "text",
         "aliases": "aliases", "tags": "tags"}


def _vault(tmp_path: Path, files: dict[str, str | bytes],
           types: dict[str, str] | None = None, **kwargs: Any) -> Path:
    types_json = json.dumps({"types": TYPES if types is None else types})
    return make_vault(tmp_path / "v", {".obsidian/types.json": types_json, **files}, **kwargs)


def _messages(vault: Path) -> list[str]:
    return [f.message for f in lint(vault, select=("property-type",))]


# --- each type, positive and negative ---------------------------------------------------

FITS = [
    ("rating", "5"), ("rating", "-2"), ("rating", "3.14"), ("rating", "1e3"),
    ("rating", ""),  # empty fits every type
    ("reviewed", "true"), ("reviewed", "false"), ("reviewed", ""),
    ("published", "2025-12-23"), ("published", "2024-02-29"),
    ("starts", "2020-08-21T10:30"), ("starts", "2020-08-21T10:30:00"),
    ("targets", "[a, b]"), ("targets", "\n  - a\n  - b"), ("targets", "[]"),
    ("title", "A New Hope"), ("title", "1977"), ("title", "true"),
    ("title", '"[[Episode IV]]"'),
]
MISFITS = [
    ("rating", "five", "'five' is not a number"),
    ("rating", '"5"', "'5' is quoted, which makes it text, not a number"),
    ("rating", "true", "True is not a number"),
    ("rating", "[1, 2]", "a list is not a number"),
    ("rating", "1 + 1", "'1 + 1' is not a number"),
    ("reviewed", "yes", "'yes' is not true or false"),
    ("reviewed", "1", "1 is not true or false"),
    ("reviewed", '"true"', "'true' is not true or false"),
    ("published", "last spring", "'last spring' is not a valid date (YYYY-MM-DD)"),
    ("published", "2025-02-30", "'2025-02-30' is not a valid date (YYYY-MM-DD)"),
    ("published", "2025-12-23T10:00", "'2025-12-23T10:00' is not a valid date (YYYY-MM-DD)"),
    ("published", "20251223", "20251223 is not a valid date (YYYY-MM-DD)"),
    ("published", "23/12/2025", "'23/12/2025' is not a valid date (YYYY-MM-DD)"),
    ("starts", "2020-08-21", "'2020-08-21' is not a valid date and time "
                             "(YYYY-MM-DDTHH:mm or YYYY-MM-DDTHH:mm:ss)"),
    ("starts", "2020-08-21T25:00", "'2020-08-21T25:00' is not a valid date and time "
                                   "(YYYY-MM-DDTHH:mm or YYYY-MM-DDTHH:mm:ss)"),
    ("starts", "2020-08-21 10:30", "'2020-08-21 10:30' is not a valid date and time "
                                   "(YYYY-MM-DDTHH:mm or YYYY-MM-DDTHH:mm:ss)"),
    ("targets", "CANON-30000", "'CANON-30000' is a single value, not a list"),
    ("targets", "42", "42 is a single value, not a list"),
    ("targets", "a, b", "'a, b' is one comma-joined text, not a list"),
    ("targets", "{a: 1}", "it holds a mapping, not a list"),
    ("title", "[a, b]", "it holds a list, not text"),
    ("title", "{a: 1}", "it holds a mapping, not text"),
]
LABELS = {"rating": "Number", "reviewed": "Checkbox", "published": "Date",
          "starts": "Date & time", "targets": "List", "title": "Text"}


@pytest.mark.parametrize(("key", "value"), FITS)
def test_a_value_that_fits_its_type_is_not_reported(tmp_path: Path, key: str,
                                                    value: str) -> None:
    vault = _vault(tmp_path, {"N.md": f"---\n{key}: {value}\n---\nbody\n"})
    assert _messages(vault) == []


@pytest.mark.parametrize(("key", "value", "detail"), MISFITS)
def test_a_value_that_does_not_fit_is_reported_in_obsidians_words(
        tmp_path: Path, key: str, value: str, detail: str) -> None:
    vault = _vault(tmp_path, {"N.md": f"---\nother: x\n{key}: {value}\n---\nbody\n"})
    found = lint(vault, select=("property-type",))
    assert [(f.line, f.column, f.message) for f in found] == [
        (3, 1, f"`{key}` is a {LABELS[key]} property in this vault (.obsidian/types.json), "
               f"but {detail}")]
    assert found[0].severity == "warning"


def test_undeclared_properties_and_no_types_file_are_not_this_rules_business(
        tmp_path: Path) -> None:
    vault = _vault(tmp_path, {"N.md": "---\nscore: five\nwhen: soon\n---\n"},
                   types={"rating": "number"})
    assert _messages(vault) == []
    (vault / ".obsidian" / "types.json").unlink()
    (vault / "M.md").write_text("---\nrating: five\n---\n", encoding="utf-8")
    assert _messages(vault) == []


def test_names_compare_without_case_as_in_obsidian(tmp_path: Path) -> None:
    vault = _vault(tmp_path, {"N.md": "---\nRating: five\n---\n"}, types={"rating": "number"})
    assert _messages(vault) == ["`Rating` is a Number property in this vault "
                                "(.obsidian/types.json), but 'five' is not a number"]
    vault = _vault(tmp_path / "2", {"N.md": "---\nrating: five\n---\n"},
                   types={"RATING": "number"})
    assert len(_messages(vault)) == 1


def test_aliases_tags_and_unknown_types_are_left_alone(tmp_path: Path) -> None:
    # `aliases` and `tags` belong to alias-format and tag-format; a type name from a
    # later Obsidian is not guessed at.
    vault = _vault(tmp_path, {"N.md": "---\naliases: one\ntags: a b\nmood: 3\n---\n"},
                   types={"aliases": "aliases", "tags": "tags", "mood": "emoji"})
    assert _messages(vault) == []
    rules = {f.rule for f in lint(vault)}
    assert "alias-format" in rules and "property-type" not in rules


def test_the_message_on_the_command_line(tmp_path: Path) -> None:
    vault = _vault(tmp_path, {"N.md": "---\ntitle: T\nrating: five\n---\n"})
    result = run_cli("check", vault, "--no-cache")
    assert result.returncode == 1
    assert ("N.md:3:1: property-type `rating` is a Number property in this vault "
            "(.obsidian/types.json), but 'five' is not a number\n") in result.stdout


def test_rules_property_type_documents_the_rule(tmp_path: Path) -> None:
    result = run_cli("rules", "property-type")
    assert result.returncode == 0
    assert result.stdout.startswith("property-type (warning, fix: mixed)\n")
    for section in ("## What it does", "## Why it matters", "## Example", "## Use instead",
                    "## Fix"):
        assert section in result.stdout
    assert "help.obsidian.md" in result.stdout and "Unsafe" in result.stdout
    listing = run_cli("rules").stdout
    row = next(line for line in listing.splitlines() if line.startswith("property-type "))
    assert row.split()[1:3] == ["warning", "mixed"]  # a one-item list is safe, a split not


# --- a types.json that cannot be used ---------------------------------------------------

@pytest.mark.parametrize(("content", "words"), [
    ("{not json", "not valid JSON"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('["rating", "number"]', 'has no "types" object'),
    ('{"types": ["rating"]}', 'has no "types" object'),
    (b"\xff\xfe{}", "not valid JSON"),
])
def test_a_bad_types_file_is_one_warning_and_the_rest_is_checked(
        tmp_path: Path, content: str | bytes, words: str) -> None:
    vault = make_vault(tmp_path / "v", {".obsidian/types.json": content,
                                        "N.md": "---\nrating: five\n---\n[[Nowhere]]\n"})
    result = run_cli("check", vault, "--no-cache")
    assert result.returncode == 1  # the broken link is still found
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "types.json" in lines[0] and words in lines[0], lines
    assert "broken-link" in result.stdout and "property-type" not in result.stdout
    # With the rule not selected, nothing to warn about.
    quiet = run_cli("check", vault, "--no-cache", "--ignore", "property-type")
    assert quiet.stderr == ""


def test_a_types_file_that_is_not_a_regular_file_or_too_large(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"N.md": "---\nrating: five\n---\n"})
    types = vault / ".obsidian" / "types.json"
    os.mkfifo(types)
    result = run_cli("check", vault, "--no-cache", timeout=60)  # never blocks on the FIFO
    assert result.returncode == 0 and "not a regular file (a FIFO)" in result.stderr
    types.unlink()
    types.mkdir()
    assert "not a regular file (a folder)" in run_cli("check", vault, "--no-cache").stderr
    types.rmdir()
    types.write_text(json.dumps({"types": {"rating": "number"}, "pad": "x" * 5 * 2**20}))
    result = run_cli("check", vault, "--no-cache")
    assert "over the 4 MB limit" in result.stderr and "Traceback" not in result.stderr


def test_entries_that_are_not_type_names_are_skipped(tmp_path: Path) -> None:
    vault = _vault(tmp_path, {"N.md": "---\na: x\nb: x\nrating: five\n---\n"},
                   types={"a": 3, "b": None, "rating": "number"})  # type: ignore[dict-item]
    assert len(_messages(vault)) == 1


# --- fixes --------------------------------------------------------------------------------

def _fix(vault: Path, *flags: str) -> Any:
    result = run_cli("check", vault, "--no-cache", "--fix", *flags)
    assert "Traceback" not in result.stderr
    return result


def test_a_single_value_becomes_a_one_item_list_and_nothing_else_changes(
        tmp_path: Path) -> None:
    before = ("\ufeff---\r\n"
              "title: 'Kept as written'   # a comment\r\n"
              "targets: \"CANON-30000\"  # the canon\r\n"
              "rating: 4\r\n"
              "---\r\n"
              "Prose stays, trailing space \r\n"
              "no final newline")
    vault = _vault(tmp_path, {"N.md": before.encode("utf-8")})
    result = _fix(vault)
    assert "fixed 1" in result.stdout
    after = (vault / "N.md").read_bytes()
    assert after == before.replace(
        'targets: "CANON-30000"  # the canon\r\n',
        'targets:\r\n  - "CANON-30000"  # the canon\r\n').encode("utf-8")
    again = _fix(vault)  # a second --fix changes nothing
    assert "fixed" not in again.stdout and (vault / "N.md").read_bytes() == after


def test_the_files_own_list_indent_is_kept(tmp_path: Path) -> None:
    before = "---\ntopics:\n- a\n- b\ntargets: 42\n---\n"
    vault = _vault(tmp_path, {"N.md": before})
    _fix(vault)
    assert (vault / "N.md").read_text() == "---\ntopics:\n- a\n- b\ntargets:\n- 42\n---\n"


def test_a_comma_joined_value_is_split_only_with_unsafe_fixes(tmp_path: Path) -> None:
    # Seed 000's case.
    before = ("---\r\nid: SOURCE-1\r\n"
              "integration_targets: CANON-30000, CANON-30400, CANON-33100 # from the brief\r\n"
              "date_processed: 2026-01-05\r\n---\r\n# Body\r\n")
    vault = _vault(tmp_path, {"S.md": before}, types={"integration_targets": "multitext"})
    check = run_cli("check", vault, "--no-cache")
    # An unsafe fix is not marked [*] (that is for what --fix does); the summary counts it.
    assert "not a list\n" in check.stdout
    assert "0 fixable" not in check.stdout and "1 more with --unsafe-fixes" in check.stdout
    safe = _fix(vault)
    assert (vault / "S.md").read_bytes().decode() == before  # --fix alone: not touched
    assert "fixed" not in safe.stdout
    _fix(vault, "--unsafe-fixes")
    assert (vault / "S.md").read_bytes().decode() == before.replace(
        "integration_targets: CANON-30000, CANON-30400, CANON-33100 # from the brief\r\n",
        "integration_targets:\r\n  - CANON-30000\r\n  - CANON-30400\r\n"
        "  - CANON-33100  # from the brief\r\n")
    assert findings_of("property-type", check_json(vault)) == []


def test_commas_inside_a_link_do_not_split(tmp_path: Path) -> None:
    vault = _vault(tmp_path, {"N.md": '---\ntargets: "[[Smith, John]]"\n---\n'})
    assert _messages(vault) == ["`targets` is a List property in this vault "
                                "(.obsidian/types.json), but '[[Smith, John]]' is a single "
                                "value, not a list"]
    _fix(vault)  # safe: one item, with the link whole
    assert (vault / "N.md").read_text() == '---\ntargets:\n  - "[[Smith, John]]"\n---\n'


def test_json_front_matter_is_reported_but_not_rewritten(tmp_path: Path) -> None:
    # Obsidian reads a JSON block as properties too; its keys have no lines of their own.
    block = '---\n{\n  "targets": "a",\n  "x": 1\n}\n---\nbody\n'
    flow = '---\n{"targets": "a", "x": 1}\n---\nbody\n'
    vault = _vault(tmp_path, {"J.md": block, "K.md": flow})
    result = run_cli("check", vault, "--no-cache")
    assert result.stdout.count("is a single value, not a list\n") == 2  # no [*]
    fixed = _fix(vault, "--unsafe-fixes")
    assert "internal error" not in fixed.stdout
    assert (vault / "J.md").read_text() == block and (vault / "K.md").read_text() == flow


def test_fix_summary_counts_safe_and_unsafe_apart(tmp_path: Path) -> None:
    vault = _vault(tmp_path, {"A.md": "---\ntargets: one\n---\n",
                              "B.md": "---\ntargets: one, two\n---\n"})
    result = run_cli("check", vault, "--no-cache")
    assert result.stdout.rstrip().endswith(
        "1 fixable with --fix; 1 more with --unsafe-fixes")


def test_no_fix_for_other_mismatches(tmp_path: Path) -> None:
    before = "---\nrating: five\ntargets: {a: 1}\ntitle: [a]\n---\n"
    vault = _vault(tmp_path, {"N.md": before})
    _fix(vault, "--unsafe-fixes")
    assert (vault / "N.md").read_text() == before


# --- incremental: the store and the daemon --------------------------------------------

def _bump(path: Path, text: str) -> None:
    old = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(old + 5_000_000_000, old + 5_000_000_000))


def _cached_findings(vault: Path) -> list[dict[str, Any]]:
    result = run_cli("check", vault, "--format", "json")
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr
    return json.loads(result.stdout)["findings"]


def test_a_warm_check_rechecks_when_types_json_changes(tmp_path: Path) -> None:
    vault = _vault(tmp_path, {"N.md": "---\nrating: five\n---\n", "M.md": "plain\n"},
                   types={"rating": "text"})
    assert findings_of("property-type", _cached_findings(vault)) == []
    assert findings_of("property-type", _cached_findings(vault)) == []  # warm
    types = vault / ".obsidian" / "types.json"
    _bump(types, json.dumps({"types": {"rating": "number"}}))
    warm = _cached_findings(vault)
    assert [f["path"] for f in findings_of("property-type", warm)] == ["N.md"]
    assert warm == check_json(vault)  # the same as a cold run
    _bump(types, "{broken")  # and a broken file: no findings from the store either
    assert findings_of("property-type", _cached_findings(vault)) == []
    _bump(types, json.dumps({"types": {"rating": "number"}}))
    assert len(findings_of("property-type", _cached_findings(vault))) == 1


def test_watch_picks_up_a_types_json_change(tmp_path: Path) -> None:
    vault = _vault(tmp_path, {"N.md": "---\nrating: five\n---\n"}, types={})
    with watching(vault, *FAST) as daemon:
        assert daemon.passes[0]["findings"] == []
        (vault / ".obsidian" / "types.json").write_text(
            json.dumps({"types": {"rating": "number"}}), encoding="utf-8")
        report = daemon.wait_for(lambda p: p["event"] != "initial")
        assert report["event"] == "config"
        assert report["paths"] == [".obsidian/types.json"]
        assert [f["rule"] for f in report["findings"]] == ["property-type"]
        (vault / ".obsidian" / "types.json").write_text("{broken", encoding="utf-8")
        report = daemon.wait_for(lambda p: p["event"] == "config")
        assert report["findings"] == []
        deadline = 50
        while not any("types.json" in line for line in daemon.stderr) and deadline:
            daemon.quiet_for(0.1)
            deadline -= 1
        assert any("not valid JSON" in line for line in daemon.stderr)


def test_watch_fix_makes_a_single_value_a_list(tmp_path: Path) -> None:
    vault = _vault(tmp_path, {"N.md": "---\ntitle: T\n---\n"})
    with watching(vault, *FAST, "--fix") as daemon:
        (vault / "N.md").write_text("---\ntitle: T\ntargets: one # c\n---\n", encoding="utf-8")
        daemon.wait_for(lambda p: bool(p.get("fixed")), timeout=15)
        assert (vault / "N.md").read_text() == "---\ntitle: T\ntargets:\n  - one  # c\n---\n"


# --- schema messages in Obsidian's words -------------------------------------------------

def test_schema_type_errors_use_obsidians_type_names(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {
        "targets": {"type": "array"}, "done": {"type": "boolean"},
        "title": {"type": "string"}, "rating": {"type": "number"},
        "meta": {"type": "object"}}}
    vault = make_vault(tmp_path / "v", {
        "_schemas/s.json": json.dumps(schema),
        "N.md": "---\ntargets: a, b\ndone: yes\ntitle: [x]\nrating: high\nmeta: 3\n---\n"},
        config='[schemas]\n"**" = "_schemas/s.json"\n')
    messages = [f["message"] for f in findings_of("schema", check_json(vault))]
    assert messages == [
        "targets: 'a, b' is not a List (_schemas/s.json)",
        "done: 'yes' is not a Checkbox (true or false) (_schemas/s.json)",
        "title: ['x'] is not Text (_schemas/s.json)",
        "rating: 'high' is not a Number (_schemas/s.json)",
        "meta: 3 is not of type 'object' (_schemas/s.json)",  # no Obsidian word for it
    ]
