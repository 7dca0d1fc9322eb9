"""The CLI through the installed console script, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import forget_last_check, make_vault, run_cli

CLEAN = {"A.md": "# A\n\nSee [[B]].\n", "B.md": "# B\n"}
BROKEN = {"A.md": "# A\n\nSee [[Nowhere]].\n"}


def test_clean_vault_exits_zero(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", CLEAN)
    result = run_cli("check", vault)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed" in result.stdout


def test_findings_exit_one_with_path_line_col(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", BROKEN)
    result = run_cli("check", vault)
    assert result.returncode == 1
    assert "A.md:3:5: broken-link" in result.stdout
    assert "Found 1 problem" in result.stdout


def test_json_format_fields(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", BROKEN)
    result = run_cli("check", ".", "--format", "json", cwd=vault)
    data = json.loads(result.stdout)
    assert set(data) == {"findings", "summary"}
    (finding,) = data["findings"]
    assert finding == {
        "path": "A.md", "file": "A.md", "line": 3, "column": 5, "rule": "broken-link",
        "severity": "error", "message": finding["message"], "fixable": False,
    }
    assert data["summary"]["findings"] == 1
    assert data["summary"]["errors"] == 1


def test_github_format(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", BROKEN)
    result = run_cli("check", ".", "--format", "github", cwd=vault)
    assert result.returncode == 1
    assert result.stdout.startswith("::error file=A.md,line=3,col=5,title=notewarden broken-link::")


def test_select_and_ignore(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", BROKEN)
    assert run_cli("check", vault, "--ignore", "broken-link").returncode == 0
    assert run_cli("check", vault, "--select", "mojibake,schema").returncode == 0
    assert run_cli("check", vault, "--select", "broken-link").returncode == 1


def test_unknown_rule_is_usage_error(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", CLEAN)
    result = run_cli("check", vault, "--select", "no-such-rule")
    assert result.returncode == 2
    assert "no-such-rule" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_path_is_usage_error(tmp_path: Path) -> None:
    result = run_cli("check", tmp_path / "nope")
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_bad_option_is_exit_two(tmp_path: Path) -> None:
    result = run_cli("check", "--format", "xml", tmp_path)
    assert result.returncode == 2


def test_rules_lists_every_rule_and_shows_docs() -> None:
    result = run_cli("rules")
    assert result.returncode == 0
    for name in ("yaml-syntax", "schema", "broken-link", "broken-heading", "broken-block",
                 "missing-attachment", "ambiguous-link", "alias-link", "alias-format",
                 "tag-format", "duplicate-block", "mojibake", "encoding"):
        assert name in result.stdout
    assert "safe" in result.stdout and "unsafe" in result.stdout
    doc = run_cli("rules", "alias-link")
    assert doc.returncode == 0
    for section in ("## What it does", "## Why it matters", "## Example", "## Use instead",
                    "## Fix"):
        assert section in doc.stdout
    assert run_cli("rules", "nope").returncode == 2


def test_messages_are_the_same_from_the_cache(tmp_path: Path) -> None:
    """Link kinds survive the cache: an embed is still shown as `![[...]]` on a warm run."""
    vault = make_vault(tmp_path / "v", {"A.md": "![[missing.png]] and ![[Nowhere]]\n"})
    cold = run_cli("check", vault, "--format", "json")
    forget_last_check(vault)  # force the path that reads stored records
    warm = run_cli("check", vault, "--format", "json")
    assert cold.stdout == warm.stdout
    messages = [f["message"] for f in json.loads(warm.stdout)["findings"]]
    assert any(m.startswith("![[missing.png]]") for m in messages), messages
    assert any(m.startswith("![[Nowhere]]") for m in messages), messages
