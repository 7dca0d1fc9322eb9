"""Configuration and scope: `.notewarden.toml`, `.obsidian/app.json`, vault root discovery,
dot-folders, inline suppressions and the cache.

Mostly through the installed console script (`run_cli`), as a user runs it; rule-level
checks of what is reported use the in-process `lint`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import check_json, findings_of, lint, make_vault, rules_at, run_cli, store_of

MOJIBAKE = 'The lag is "cope"\u00e2\u20ac\u201dif these were true AGI.\n'  # â€” for —


def where(findings: list[dict[str, Any]], rule: str) -> list[tuple[str, int]]:
    return [(f["path"], f["line"]) for f in findings_of(rule, findings)]


def json_run(*args: str | Path, cwd: Path | None = None) -> dict[str, Any]:
    """`notewarden check ... --format json` (cache allowed), returning the whole payload."""
    result = run_cli("check", *args, "--format", "json", cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def assert_config_error(vault: Path, *words: str) -> str:
    """`check` exits 2 with exactly one line on stderr naming the config file."""
    result = run_cli("check", vault, "--no-cache")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(vault / ".notewarden.toml") in lines[0]
    for word in words:
        assert word in lines[0]
    assert result.stdout == ""
    return lines[0]


# --- .notewarden.toml errors -----------------------------------------------------------------


@pytest.mark.parametrize(("config", "words"), [
    ('colour = "red"\n', ("colour",)),
    ('[rules]\nno-such-rule = "error"\n', ("no-such-rule",)),
    ('[rules.mojibake]\nlevel = "error"\n', ("level",)),
    ('[backlinks]\nnotez = ["People/**"]\n', ("notez",)),
    ('[watch]\nrename-add-alias = true\n', ("rename-add-alias",)),
    ('[schema]\n"**" = "obsidian"\n', ("schema",)),
])
def test_unknown_key_is_a_one_line_error_naming_the_file(
        tmp_path: Path, config: str, words: tuple[str, ...]) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "Hello\n"}, config=config)
    assert_config_error(vault, *words)


@pytest.mark.parametrize("config", [
    'ignore = ["Scratch/**"\n',  # unclosed array
    "[rules\nmojibake = 'error'\n",  # unclosed table header
    "just words\n",
    'ignore = ["a"]\nignore = ["b"]\n',  # duplicate key
])
def test_invalid_toml_is_a_one_line_error(tmp_path: Path, config: str) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "Hello\n"}, config=config)
    assert_config_error(vault)


@pytest.mark.parametrize("value", ['"fatal"', '"Error"', "3", "true", '""'])
def test_bad_severity_is_a_one_line_error(tmp_path: Path, value: str) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "Hello\n"},
                       config=f"[rules]\nmojibake = {value}\n")
    assert_config_error(vault, "mojibake")


@pytest.mark.parametrize("config", [
    'ignore = "Scratch/**"\n',  # a string, not a list
    "rules = 5\n",
    '[schemas]\n"**" = 5\n',
])
def test_wrongly_typed_values_are_one_line_errors(tmp_path: Path, config: str) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "Hello\n"}, config=config)
    assert_config_error(vault)


def test_valid_config_runs_normally(tmp_path: Path) -> None:
    config = ('ignore = ["Scratch/**"]\n'
              '[schemas]\n"**" = "obsidian"\n'
              '[rules]\nmojibake = "error"\nbroken-link = "off"\n'
              '[rules.tag-format]\nseverity = "info"\n'
              '[backlinks]\nnotes = ["People/**"]\nsymmetric = ["related"]\n'
              '[watch]\nrename-adds-alias = false\n')
    vault = make_vault(tmp_path / "v", {"A.md": "Hello\n"}, config=config)
    result = run_cli("check", vault, "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""


# --- [rules] ----------------------------------------------------------------------------------


def test_default_severities(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": MOJIBAKE + "[[Nowhere]]\n"})
    found = check_json(vault)
    assert {f["rule"]: f["severity"] for f in found} == {
        "mojibake": "warning", "broken-link": "error"}


def test_rules_table_sets_a_severity(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": MOJIBAKE + "[[Nowhere]]\n"},
                       config='[rules]\nmojibake = "error"\nbroken-link = "info"\n')
    found = check_json(vault)
    assert {f["rule"]: f["severity"] for f in found} == {
        "mojibake": "error", "broken-link": "info"}


def test_rules_subtable_sets_a_severity(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": MOJIBAKE},
                       config='[rules.mojibake]\nseverity = "error"\n')
    assert [f["severity"] for f in check_json(vault)] == ["error"]


def test_rule_set_off_is_not_run(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": MOJIBAKE + "[[Nowhere]]\n"},
                       config='[rules]\nbroken-link = "off"\n')
    found = check_json(vault)
    assert [f["rule"] for f in found] == ["mojibake"]


def test_only_finding_turned_off_means_exit_0(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "[[Nowhere]]\n"},
                       config='[rules]\nbroken-link = "off"\n')
    result = run_cli("check", vault, "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr


# --- ignore globs and Obsidian's excluded files -------------------------------------------


def test_ignore_globs_hide_findings_but_links_still_resolve(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "Scratch/Draft.md": "---\npublish: maybe\n---\n[[Nowhere]]\n",
        "Scratch/Deep/Older.md": "[[Nowhere either]]\n",
        "Index.md": "[[Draft]] [[Scratch/Deep/Older]] [[Gone]]\n",
    }, config='ignore = ["Scratch/**"]\n')
    found = check_json(vault)
    assert [(f["path"], f["rule"]) for f in found] == [("Index.md", "broken-link")]
    assert "Gone" in found[0]["message"]


def test_without_ignore_the_same_notes_are_reported(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "Scratch/Draft.md": "[[Nowhere]]\n", "Index.md": "[[Draft]]\n"})
    assert where(check_json(vault), "broken-link") == [("Scratch/Draft.md", 1)]


@pytest.mark.parametrize("filters", [
    ["Templates/"],
    ["/^Templates\\//"],
    ["/Temp.*s/"],
])
def test_obsidian_excluded_files_hide_findings_but_links_resolve(
        tmp_path: Path, filters: list[str]) -> None:
    vault = make_vault(tmp_path / "v", {
        ".obsidian/app.json": json.dumps({"userIgnoreFilters": filters}),
        "Templates/Daily.md": "---\npublish: maybe\n---\n[[{{date}}]] [[Nowhere]]\n",
        "Index.md": "[[Daily]] [[Templates/Daily]]\n",
        "Other/Note.md": "[[Nowhere]]\n",
    })
    found = check_json(vault)
    assert [(f["path"], f["rule"]) for f in found] == [("Other/Note.md", "broken-link")]


# --- dot-folders ------------------------------------------------------------------------------


def test_unreadable_obsidian_settings_are_a_one_line_error(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {".obsidian/app.json": "{not json", "A.md": "Hi\n"})
    result = run_cli("check", vault, "--no-cache")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "app.json" in lines[0]


def test_deeply_nested_obsidian_settings_are_a_one_line_error(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000  # past json.loads' recursion limit
    vault = make_vault(tmp_path / "v", {".obsidian/app.json": deep, "A.md": "Hi\n"})
    result = run_cli("check", vault, "--no-cache")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"notewarden: error: {vault / '.obsidian' / 'app.json'}: cannot read Obsidian "
        "settings: nested too deeply"]


def test_dot_folders_are_never_scanned(tmp_path: Path) -> None:
    broken = "---\ntags: [a b\n---\n[[Nowhere]]\n"
    vault = make_vault(tmp_path / "v", {
        ".obsidian/plugins/x/README.md": broken,
        ".trash/Old.md": broken,
        ".git/notes.md": broken,
        ".anything/Hidden.md": broken,
        "Sub/.hidden/Deep.md": broken,
        "A.md": "[[B]]\n",
        "B.md": "Fine\n",
    })
    data = json_run(vault, "--no-cache")
    assert data["findings"] == []
    assert data["summary"]["files_checked"] == 2


def test_links_into_dot_folders_do_not_resolve(tmp_path: Path) -> None:
    # Obsidian does not index them either, so such a link is broken.
    vault = make_vault(tmp_path / "v", {".trash/Old.md": "Old\n", "A.md": "[[Old]]\n"})
    assert where(check_json(vault), "broken-link") == [("A.md", 1)]


# --- vault root discovery ---------------------------------------------------------------------


@pytest.mark.parametrize("marker", ["obsidian", "config"])
def test_checking_a_subfolder_finds_the_vault_root_above(tmp_path: Path, marker: str) -> None:
    vault = make_vault(tmp_path / "v", {
        "Projects/Sub/A.md": "[[Top]] [[Nowhere]]\n",
        "Projects/B.md": "[[Nowhere]]\n",
        "Top.md": "[[Nowhere]]\n",
    }, obsidian=marker == "obsidian", config="" if marker == "config" else None)
    data = json_run(vault / "Projects" / "Sub", "--no-cache")
    # Only the given folder is reported; [[Top]] resolves against the whole vault.
    assert where(data["findings"], "broken-link") == [("Projects/Sub/A.md", 1)]
    assert "Nowhere" in data["findings"][0]["message"]
    assert data["summary"]["files_checked"] == 1


@pytest.mark.parametrize("marker", ["obsidian", "config"])
def test_checking_a_single_file_finds_the_vault_root_above(tmp_path: Path, marker: str) -> None:
    vault = make_vault(tmp_path / "v", {
        "Projects/A.md": "[[Top]] [[Nowhere]]\n",
        "Projects/B.md": "[[Nowhere]]\n",
        "Top.md": "[[Nowhere]]\n",
    }, obsidian=marker == "obsidian", config="" if marker == "config" else None)
    found = json_run(vault / "Projects" / "A.md", "--no-cache")["findings"]
    assert [(f["path"], f["column"]) for f in found] == [("Projects/A.md", 9)]


def test_config_of_the_root_above_applies_to_a_subfolder_check(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"Sub/A.md": MOJIBAKE + "[[Nowhere]]\n"},
                       obsidian=False, config='[rules]\nbroken-link = "off"\n')
    found = json_run(vault / "Sub", "--no-cache")["findings"]
    assert [f["rule"] for f in found] == ["mojibake"]


def test_without_markers_the_path_itself_is_the_root(tmp_path: Path) -> None:
    folder = make_vault(tmp_path / "plain", {
        "Top.md": "Top\n",
        "Sub/A.md": "[[Top]] [[B]]\n",
        "Sub/B.md": "B\n",
    }, obsidian=False)
    # Checked at the top, everything resolves.
    assert json_run(folder, "--no-cache")["findings"] == []
    # Checked at Sub/, Sub/ is the vault: Top.md is outside it, and paths are relative to it.
    found = json_run(folder / "Sub", "--no-cache")["findings"]
    assert [(f["path"], f["rule"], f["column"]) for f in found] == [("A.md", "broken-link", 1)]


def test_without_markers_a_single_file_is_checked_in_its_folder(tmp_path: Path) -> None:
    folder = make_vault(tmp_path / "plain", {
        "Sub/A.md": "[[B]] [[Nowhere]]\n", "Sub/B.md": "[[Nowhere]]\n"}, obsidian=False)
    found = json_run(folder / "Sub" / "A.md", "--no-cache")["findings"]
    assert [(f["path"], f["column"]) for f in found] == [("A.md", 7)]


def test_no_path_means_the_working_directory(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "Top.md": "[[Nowhere]]\n", "Sub/A.md": "[[Top]] [[Missing]]\n"})
    data = json_run("--no-cache", cwd=vault)
    assert where(data["findings"], "broken-link") == [("Sub/A.md", 1), ("Top.md", 1)]
    # From a subfolder, the vault root above is found; only the subfolder is reported.
    data = json_run("--no-cache", cwd=vault / "Sub")
    assert [(f["path"], f["column"]) for f in data["findings"]] == [("Sub/A.md", 9)]


def test_missing_path_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_cli("check", tmp_path / "does-not-exist", "--no-cache")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_json_paths_are_posix_and_relative_to_the_root(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "Deep/Er/Folder/A.md": "[[Nowhere]]\n", "Other/B.md": "[[Nowhere]]\n"})
    found = json_run(vault / "Deep" / "Er", "--no-cache")["findings"]
    assert [f["path"] for f in found] == ["Deep/Er/Folder/A.md"]
    found = json_run(vault / "Deep" / "Er" / "Folder" / "A.md", "--no-cache")["findings"]
    assert [f["path"] for f in found] == ["Deep/Er/Folder/A.md"]
    assert all("\\" not in f["path"] and not f["path"].startswith(("/", "./"))
               for f in json_run(vault, "--no-cache")["findings"])


# --- inline suppression -----------------------------------------------------------------------


def test_line_directive_suppresses_that_rule_on_that_line_only(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": (
        "Intro\n"
        "[[Nowhere]] %% notewarden: ignore broken-link %%\n"  # 2: suppressed
        "[[Nowhere]]\n"  # 3: the same problem on the next line is reported
        + MOJIBAKE.rstrip("\n") + " [[Gone]] %% notewarden: ignore broken-link %%\n"  # 4
    )})
    found = lint(vault)
    assert rules_at(found, "broken-link") == [("A.md", 3, 1)]
    # Another rule on the suppressed line is still reported.
    assert [f.line for f in found if f.rule == "mojibake"] == [4]


def test_line_directive_for_another_rule_does_not_suppress(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "A.md": "[[Nowhere]] %% notewarden: ignore mojibake %%\n"})
    assert rules_at(lint(vault), "broken-link") == [("A.md", 1, 1)]


def test_directive_alone_on_its_line_covers_the_next_line(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": (
        "%% notewarden: ignore broken-link %%\n"
        "[[Nowhere]]\n"  # 2: covered
        "[[Nowhere]]\n"  # 3: not covered
    )})
    assert rules_at(lint(vault), "broken-link") == [("A.md", 3, 1)]


def test_directive_after_text_does_not_cover_the_next_line(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": (
        "Some text %% notewarden: ignore broken-link %%\n"
        "[[Nowhere]]\n"
    )})
    assert rules_at(lint(vault), "broken-link") == [("A.md", 2, 1)]


def test_several_rules_in_one_directive(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": (
        MOJIBAKE.rstrip("\n") + " [[Nowhere]] %% notewarden: ignore broken-link, mojibake %%\n"
    )})
    assert lint(vault) == []


def test_ignore_file_suppresses_the_rule_in_the_whole_file(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "A.md": ("---\nalias: Old\naliases: [A, x, x]\n---\n"
                 "[[Nowhere]]\n\nLast line. %% notewarden: ignore-file alias-format %%\n"),
        "B.md": "---\nalias: Old\n---\n"})
    found = lint(vault)
    assert rules_at(found, "alias-format") == [("B.md", 2, 1)]
    assert rules_at(found, "broken-link") == [("A.md", 5, 1)]  # other rules still run


def test_ignore_with_no_rule_suppresses_every_rule_on_the_line(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": (
        MOJIBAKE.rstrip("\n") + " [[Nowhere]] %% notewarden: ignore %%\n"
        + MOJIBAKE.rstrip("\n") + " [[Nowhere]]\n"
    )})
    found = lint(vault)
    assert sorted((f.rule, f.line) for f in found) == [("broken-link", 2), ("mojibake", 2)]


def test_directive_is_case_insensitive(tmp_path: Path) -> None:
    # The directive parser is case-insensitive; it must be so whether or not the note
    # happens to contain a lower-case `notewarden:` elsewhere.
    vault = make_vault(tmp_path / "v", {
        "A.md": "[[Nowhere]] %% Notewarden: Ignore broken-link %%\n",
        "B.md": ("[[Nowhere]] %% Notewarden: Ignore broken-link %%\n"
                 "[[Nowhere]] %% notewarden: ignore broken-link %%\n")})
    assert rules_at(lint(vault), "broken-link") == []


def test_directive_inside_a_code_fence_does_nothing(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": (
        "```\n"
        "%% notewarden: ignore-file broken-link %%\n"
        "%% notewarden: ignore %%\n"
        "```\n"
        "[[Nowhere]]\n"
    )})
    assert rules_at(lint(vault), "broken-link") == [("A.md", 5, 1)]


def test_directive_inside_inline_code_does_nothing(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "A.md": "[[Nowhere]] `%% notewarden: ignore broken-link %%`\n"})
    assert rules_at(lint(vault), "broken-link") == [("A.md", 1, 1)]


def test_suppression_works_through_the_cli_and_the_cache(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": (
        "[[Nowhere]] %% notewarden: ignore broken-link %%\n[[Nowhere]]\n")})
    first = json_run(vault)["findings"]
    second = json_run(vault)["findings"]
    assert where(first, "broken-link") == where(second, "broken-link") == [("A.md", 2)]


# --- the cache --------------------------------------------------------------------------------


def cache_vault(tmp_path: Path) -> Path:
    return make_vault(tmp_path / "v", {
        "_schemas/s.json": json.dumps({"type": "object", "properties": {
            "rating": {"type": "integer"}}}),
        "A.md": "---\nrating: 3\n---\n[[B]] [[Nowhere]]\n",
        "B.md": "---\nrating: high\n---\nB\n",
    }, config='[schemas]\n"**" = "_schemas/s.json"\n')


def bump(path: Path, text: str) -> None:
    """Rewrite a file with a new mtime, surely different from the cached one."""
    old = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(old + 5_000_000_000, old + 5_000_000_000))


def test_second_run_gives_identical_json(tmp_path: Path) -> None:
    vault = cache_vault(tmp_path)
    first = run_cli("check", vault, "--format", "json")
    assert store_of(vault).is_file()
    assert not (vault / ".notewarden-cache").exists()  # nothing is written in the vault
    second = run_cli("check", vault, "--format", "json")
    assert first.returncode == second.returncode == 1
    assert first.stdout == second.stdout
    assert json.loads(first.stdout)["findings"] == check_json(vault)


def test_edited_note_is_picked_up(tmp_path: Path) -> None:
    vault = cache_vault(tmp_path)
    before = json_run(vault)["findings"]
    assert where(before, "broken-link") == [("A.md", 4)]
    assert where(before, "schema") == [("B.md", 2)]
    bump(vault / "A.md", "---\nrating: 3\n---\n[[B]]\n\n[[Still missing]]\n")
    bump(vault / "B.md", "---\nrating: 4\n---\nB\n")
    after = json_run(vault)["findings"]
    assert where(after, "broken-link") == [("A.md", 6)]
    assert where(after, "schema") == []
    assert after == check_json(vault)


def test_deleted_target_is_picked_up(tmp_path: Path) -> None:
    vault = cache_vault(tmp_path)
    json_run(vault)
    (vault / "B.md").unlink()
    after = json_run(vault)["findings"]
    assert where(after, "broken-link") == [("A.md", 4), ("A.md", 4)]


def test_changed_schema_is_picked_up(tmp_path: Path) -> None:
    vault = cache_vault(tmp_path)
    assert where(json_run(vault)["findings"], "schema") == [("B.md", 2)]
    bump(vault / "_schemas" / "s.json", json.dumps({"type": "object", "properties": {
        "rating": {"type": "string"}}}))
    after = json_run(vault)["findings"]
    assert where(after, "schema") == [("A.md", 2)]
    assert after == check_json(vault)


def test_changed_config_is_picked_up(tmp_path: Path) -> None:
    vault = cache_vault(tmp_path)
    assert where(json_run(vault)["findings"], "broken-link") == [("A.md", 4)]
    bump(vault / ".notewarden.toml",
         '[schemas]\n"**" = "_schemas/s.json"\n[rules]\nbroken-link = "off"\n')
    assert where(json_run(vault)["findings"], "broken-link") == []
    bump(vault / ".notewarden.toml", 'ignore = ["B.md"]\n[schemas]\n"**" = "_schemas/s.json"\n')
    after = json_run(vault)["findings"]
    assert where(after, "schema") == []
    assert where(after, "broken-link") == [("A.md", 4)]


def test_changed_referenced_schema_is_picked_up(tmp_path: Path) -> None:
    # The schema mapped in the config `$ref`s a second schema file: that file is a schema
    # too, and editing it must invalidate the cached findings.
    vault = make_vault(tmp_path / "v", {
        "_schemas/main.json": json.dumps({"type": "object", "properties": {
            "rating": {"$ref": "defs.json#/$defs/rating"}}}),
        "_schemas/defs.json": json.dumps({"$defs": {"rating": {"type": "integer"}}}),
        "A.md": "---\nrating: 3\n---\n",
        "B.md": "---\nrating: high\n---\n",
    }, config='[schemas]\n"**" = "_schemas/main.json"\n')
    assert where(json_run(vault)["findings"], "schema") == [("B.md", 2)]
    bump(vault / "_schemas" / "defs.json",
         json.dumps({"$defs": {"rating": {"type": "string"}}}))
    assert where(check_json(vault), "schema") == [("A.md", 2)]  # without the cache
    assert where(json_run(vault)["findings"], "schema") == [("A.md", 2)]  # with it


def test_changed_obsidian_settings_are_picked_up(tmp_path: Path) -> None:
    # `.obsidian/` is never scanned, but its app.json shapes the findings: a cached run
    # must report the same as an uncached one after it changes.
    vault = make_vault(tmp_path / "v", {".obsidian/app.json": "{}", "A.md": "![[pic.png]]\n"})
    before = json_run(vault)["findings"]
    assert where(before, "missing-attachment") == [("A.md", 1)]
    bump(vault / ".obsidian" / "app.json", json.dumps({"attachmentFolderPath": "Assets"}))
    expected = check_json(vault)
    assert "Assets" in expected[0]["message"]
    assert json_run(vault)["findings"] == expected


def test_no_cache_neither_reads_nor_writes_it(tmp_path: Path) -> None:
    vault = cache_vault(tmp_path)
    result = run_cli("check", vault, "--format", "json", "--no-cache")
    assert result.returncode == 1
    assert not store_of(vault).exists()
    json_run(vault)  # now write a cache
    # Change a note without changing its size or mtime: only a run ignoring the cache sees it.
    path = vault / "B.md"
    stat = path.stat()
    path.write_text("---\nrating: 9999\n---\nB\n", encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    assert where(check_json(vault), "schema") == []  # --no-cache reads the file


def test_corrupt_cache_does_not_break_the_run(tmp_path: Path) -> None:
    vault = cache_vault(tmp_path)
    expected = json_run(vault)
    store = store_of(vault)
    for path in (store, Path(f"{store}-wal")):
        path.write_bytes(b"\x80\x05garbage, not a database\x00\xff" * 10)
    result = run_cli("check", vault, "--format", "json")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert json.loads(result.stdout) == expected
    assert json_run(vault) == expected  # and the cache is rebuilt


def test_truncated_cache_does_not_break_the_run(tmp_path: Path) -> None:
    vault = cache_vault(tmp_path)
    expected = json_run(vault)
    store = store_of(vault)
    store.write_bytes(store.read_bytes()[: len(store.read_bytes()) // 2])
    assert json_run(vault) == expected
