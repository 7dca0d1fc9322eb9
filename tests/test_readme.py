"""The README shows real output: re-run the command it shows and compare."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.helpers import EXAMPLE_VAULT, REPO, run_cli


def _block(name: str) -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    pattern = rf"<!-- {name}:start -->\n```console\n\$ [^\n]*\n(.*?)```\n<!-- {name}:end -->"
    match = re.search(pattern, text, re.DOTALL)
    assert match, f"README has no {name} block"
    return match.group(1)


def test_readme_shows_the_real_check_output(tmp_path: Path) -> None:
    vault = tmp_path / "example-vault"
    shutil.copytree(EXAMPLE_VAULT, vault, ignore=shutil.ignore_patterns(".notewarden-cache"))
    result = run_cli("check", "example-vault", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == _block("example-output")


def test_readme_shows_the_real_fix_output(tmp_path: Path) -> None:
    vault = tmp_path / "example-vault"
    shutil.copytree(EXAMPLE_VAULT, vault, ignore=shutil.ignore_patterns(".notewarden-cache"))
    result = run_cli("check", "example-vault", "--fix", cwd=tmp_path)
    assert result.stdout == _block("fix-output")
    again = run_cli("check", "example-vault", "--diff", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == ""  # a second --fix changes nothing
