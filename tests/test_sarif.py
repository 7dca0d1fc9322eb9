"""`check --format sarif`: a SARIF 2.1.0 log, checked against the standard's own JSON Schema
(tests/sarif/, see its NOTICE.md) with jsonschema, formats (`uri`, `uri-reference`)
included."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from notewarden.rules import RULES
from tests.helpers import EXAMPLE_VAULT, make_vault, run_cli

SCHEMA = json.loads((Path(__file__).parent / "sarif" / "sarif-schema-2.1.0.json")
                    .read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def sarif(*args: str | Path, cwd: Path) -> dict[str, Any]:
    result = run_cli("check", *args, "--no-cache", "--format", "sarif", cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    assert result.stdout.count("\n") == 1  # one line
    log = json.loads(result.stdout)
    VALIDATOR.validate(log)
    assert isinstance(log, dict)
    return log


def test_the_schema_does_reject_what_is_not_sarif() -> None:
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})
    with pytest.raises(jsonschema.ValidationError):  # a uri-reference must be one
        VALIDATOR.validate({"version": "2.1.0", "runs": [{
            "tool": {"driver": {"name": "x"}},
            "results": [{"message": {"text": "m"}, "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": "a b\\c"}}}]}]}]})


def test_example_vault_as_sarif(tmp_path: Path) -> None:
    vault = tmp_path / "example-vault"
    shutil.copytree(EXAMPLE_VAULT, vault)
    log = sarif(".", cwd=vault)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "notewarden"
    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == list(RULES)
    for descriptor, rule in zip(rules, RULES.values(), strict=True):
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"]
        assert descriptor["fullDescription"]["text"] != rule.summary
        assert descriptor["help"] == {"text": rule.doc, "markdown": rule.doc}
    # The same findings as json, each pointing at its rule.
    findings = json.loads(run_cli("check", ".", "--no-cache", "--format", "json",
                                  cwd=vault).stdout)["findings"]
    results = run["results"]
    assert len(results) == len(findings) == 16
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for result, finding in zip(results, findings, strict=True):
        assert result["ruleId"] == finding["rule"]
        assert rules[result["ruleIndex"]]["id"] == finding["rule"]
        assert result["level"] == levels[finding["severity"]]
        assert result["message"]["text"] == finding["message"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["region"] == {"startLine": finding["line"],
                                      "startColumn": finding["column"]}
        assert physical["artifactLocation"]["uri"] == \
            finding["file"].replace(" ", "%20").replace("[", "%5B")


def test_sarif_paths_are_relative_to_the_current_folder_and_percent_encoded(
        tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"Home.md": "[[Nope]]\n",
                                        "Notes/Odd #1 100%.md": "[[Nope]]\n",
                                        "Notes/Caf\u00e9.md": "[[Nope]]\n"})
    names = os.fsencode(vault / "Notes") + b"/Bad\xff.md"
    with open(names, "wb") as handle:
        handle.write(b"[[Nope]]\n")
    log = sarif("..", cwd=vault / "Notes")
    uris = [result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for result in log["runs"][0]["results"]]
    assert uris == ["../Home.md", "Bad%FF.md", "Caf%C3%A9.md", "Odd%20%231%20100%25.md"]


def test_a_clean_vault_is_a_log_with_no_results(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "# A\n"})
    log = sarif(".", cwd=vault)
    assert log["runs"][0]["results"] == []
    assert len(log["runs"][0]["tool"]["driver"]["rules"]) == len(RULES)
