"""Configuration, what gets scanned and reported, inline suppressions, and the cache."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tests.helpers import check_json, lint, make_vault, rules_at, run_cli, store_of

BROKEN = "[[Nowhere]]\n"


# --- config errors ------------------------------------------------------------------------

@pytest.mark.parametrize(("config", "words"), [
    ("colour = true\n", "unknown key 'colour'"),
    ("[rules]\nno-such-rule = 'error'\n", "unknown rule 'no-such-rule'"),
    ("[rules]\nmojibake = 'loud'\n", "rules.mojibake must be one of"),
    ("[rules.mojibake]\nlevel = 'error'\n", "unknown key rules.mojibake.'level'"),
    ("[backlinks]\nnote = ['x']\n", "unknown key backlinks.'note'"),
    ("[schemas\n", "invalid TOML"),
    ("ignore = 'Scratch'\n", "ignore must be a list of strings"),
])
def test_config_errors_are_one_line_and_name_the_file(tmp_path: Path, config: str,
                                                      words: str) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "x\n"}, config=config)
    result = run_cli("check", vault)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert str(vault / ".notewarden.toml") in line and words in line


def test_severity_can_be_changed_or_turned_off(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "---\nalias: x\n---\n" + BROKEN},
                       config="[rules]\nalias-format = 'error'\nbroken-link = 'off'\n")
    findings = check_json(vault)
    assert [(f["rule"], f["severity"]) for f in findings] == [("alias-format", "error")]
    # --select still runs a rule the config turned off.
    assert [f["rule"] for f in check_json(vault, "--select", "broken-link")] == ["broken-link"]


# --- what is scanned and reported -----------------------------------------------------------

def test_ignore_globs_hide_findings_but_links_still_resolve(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"Scratch/Draft.md": BROKEN, "A.md": "[[Draft]]\n"},
                       config='ignore = ["Scratch/**"]\n')
    assert lint(vault) == []


@pytest.mark.parametrize("rule", ["Templates/", "/^Templ/"])
def test_obsidian_excluded_files_are_not_reported(tmp_path: Path, rule: str) -> None:
    vault = make_vault(tmp_path / "v", {"Templates/T.md": BROKEN, "A.md": "[[T]]\n"})
    (vault / ".obsidian" / "app.json").write_text(json.dumps({"userIgnoreFilters": [rule]}))
    assert lint(vault) == []


def test_dot_folders_are_never_scanned(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {f"{folder}/X.md": BROKEN for folder in
                                        (".obsidian", ".trash", ".git", ".anything")})
    result = run_cli("check", vault, "--format", "json")
    assert json.loads(result.stdout)["summary"]["files_checked"] == 0


def test_vault_root_is_found_above_the_path(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"sub/deep/A.md": "[[B]] " + BROKEN, "B.md": "# B\n"},
                       obsidian=False, config="")
    for target in (vault / "sub", vault / "sub" / "deep" / "A.md"):
        findings = check_json(target)
        assert [(f["path"], f["rule"]) for f in findings] == [("sub/deep/A.md", "broken-link")]


def test_without_markers_the_path_is_the_root_and_cwd_is_the_default(tmp_path: Path) -> None:
    plain = make_vault(tmp_path / "plain", {"A.md": "[[B]]\n", "B.md": "# B\n"}, obsidian=False)
    assert run_cli("check", cwd=plain).returncode == 0
    (plain / "B.md").unlink()
    result = run_cli("check", "--format", "json", cwd=plain)
    assert [f["path"] for f in json.loads(result.stdout)["findings"]] == ["A.md"]


# --- inline suppressions -----------------------------------------------------------------

def test_line_and_file_suppressions(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "A.md": "[[One]] %% notewarden: ignore broken-link %%\n"
                "[[Two]]\n"
                "%% notewarden: ignore broken-link %%\n"
                "[[Three]]\n"
                "[[Four]] %% notewarden: ignore %%\n"
                "[[Five]] %% notewarden: ignore alias-link %%\n"
                "```\n%% notewarden: ignore broken-link %%\n```\n"
                "[[Six]]\n",
        "B.md": "---\nalias: x\n---\n[[Nope]]\n%% notewarden: ignore-file alias-format %%\n"})
    found = lint(vault)
    assert rules_at(found, "broken-link") == [("A.md", 2, 1), ("A.md", 6, 1), ("A.md", 10, 1),
                                              ("B.md", 4, 1)]
    assert rules_at(found, "alias-format") == []


# --- the cache --------------------------------------------------------------------------

def test_cache_gives_the_same_answers_and_sees_changes(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "[[B]]\n", "B.md": "# B\n", "C.md": "# C\n"})
    first = run_cli("check", vault, "--format", "json")
    assert first.returncode == 0
    assert run_cli("check", vault, "--format", "json").stdout == first.stdout
    (vault / "B.md").rename(vault / "Bee.md")  # a rename breaks A's link
    assert [f["path"] for f in json.loads(run_cli("check", vault, "--format", "json").stdout)
            ["findings"]] == ["A.md"]
    (vault / "C.md").write_text("# C\n[[A]] [[Nope]]\n")
    os.utime(vault / "C.md", ns=(time.time_ns(), time.time_ns() + 10**9))
    result = json.loads(run_cli("check", vault, "--format", "json").stdout)
    assert [(f["path"], f["rule"]) for f in result["findings"]] == [
        ("A.md", "broken-link"), ("C.md", "broken-link")]


def test_schema_edits_invalidate_cached_findings(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"_s.json": '{"required": ["id"]}', "A.md": "# A\n"},
                       config='[schemas]\n"**" = "_s.json"\n')
    assert run_cli("check", vault).returncode == 1
    (vault / "_s.json").write_text('{"required": []}')
    assert run_cli("check", vault).returncode == 0


def test_a_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": BROKEN})
    first = run_cli("check", vault, "--format", "json")
    store_of(vault).write_bytes(b"garbage")
    again = run_cli("check", vault, "--format", "json")
    assert again.returncode == 1 and again.stdout == first.stdout
    assert "Traceback" not in again.stderr
