"""The README's pre-commit snippet works as written: pre-commit installs notewarden from
the pinned commit and its hook refuses a commit that breaks a link."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.helpers import REPO
from tests.test_hook import NOTES, commit, git, git_env, make_repo  # noqa: F401  (autouse)


def _snippet() -> dict[str, object]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- pre-commit-config:start -->", 1)[1].split(
        "<!-- pre-commit-config:end -->", 1)[0]
    match = re.search(r"```yaml\n(.*?)```", block, re.DOTALL)
    assert match, "the README has no pre-commit snippet"
    loaded = yaml.safe_load(match.group(1))
    assert isinstance(loaded, dict)
    return loaded


def _copy_of_this_repository(target: Path) -> str:
    """This working tree as a repository of its own, committed; returns the commit SHA."""
    listed = git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard").stdout
    for rel in filter(None, listed.split("\0")):
        source = REPO / rel
        if source.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "snapshot")
    return git(target, "rev-parse", "HEAD").stdout.strip()


def test_the_readme_snippet_pins_a_commit_of_this_repository() -> None:
    (entry,) = _snippet()["repos"]  # type: ignore[misc]
    rev = entry["rev"]
    assert re.fullmatch(r"[0-9a-f]{40}", rev), "pin a full commit SHA: there is no tag"
    hook_ids = [hook["id"] for hook in entry["hooks"]]
    assert hook_ids == ["notewarden-staged"]  # one checking hook: both print twice
    # The pinned commit is in this repository's history and offers that hook.
    manifest = git(REPO, "show", f"{rev}:.pre-commit-hooks.yaml").stdout
    assert {hook["id"] for hook in yaml.safe_load(manifest)} >= set(hook_ids)


def test_the_readme_snippet_runs_under_pre_commit(tmp_path: Path) -> None:
    copy = tmp_path / "notewarden-copy"
    sha = _copy_of_this_repository(copy)
    config = _snippet()
    (entry,) = config["repos"]  # type: ignore[misc]
    entry["repo"], entry["rev"] = str(copy), sha  # where this copy is, and its commit
    repo = make_repo(tmp_path / "repo", NOTES)
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    git(repo, "add", ".pre-commit-config.yaml")
    git(repo, "commit", "-q", "-m", "pre-commit config")
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo,
                               capture_output=True, text=True, timeout=120)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    git(repo, "rm", "-q", "Alpha.md")  # Beta note links to it: the commit must stop
    refused = commit(repo)
    assert refused.returncode != 0, refused.stdout
    assert refused.stdout.count("Beta note.md:3:5: broken-link [[Alpha]]") == 1
    git(repo, "reset", "-q", "--hard")
    (repo / "Gamma.md").write_text("# Gamma\n\n[[Alpha]]\n", encoding="utf-8")
    git(repo, "add", "Gamma.md")
    assert commit(repo).returncode == 0
