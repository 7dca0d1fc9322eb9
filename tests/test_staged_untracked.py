"""`check --staged` and files taken out of the index but left on disk (`git rm --cached`):
after the commit they are untracked files, which Obsidian still shows, so links to them
resolve (README, "Stopping commits that break the vault")."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import make_vault, run_cli
from tests.test_hook import git, git_env, make_repo  # noqa: F401  (git_env: autouse fixture)

NOTES = {"Home.md": "# Home\n\nSee [[Beta]] and [[Gamma]].\n", "Beta.md": "# Beta\n",
         "Gamma.md": "# Gamma\n"}


def test_a_note_removed_with_rm_cached_still_resolves(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", NOTES)
    git(repo, "rm", "-q", "--cached", "Beta.md")
    assert (repo / "Beta.md").exists()
    result = run_cli("check", "--staged", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    # A note the commit really deletes still breaks the links to it.
    git(repo, "rm", "-q", "Gamma.md")
    result = run_cli("check", "--staged", cwd=repo)
    assert result.returncode == 1
    assert "Home.md:3:18: broken-link [[Gamma]]" in result.stdout
    assert "[[Beta]]" not in result.stdout


def test_rm_cached_in_a_vault_sub_folder_of_the_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", NOTES, vault="Vault")
    git(repo, "rm", "-q", "--cached", "Vault/Beta.md")
    result = run_cli("check", "--staged", "--vault", "Vault", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr


def test_rm_cached_when_the_repository_is_a_folder_inside_the_vault(tmp_path: Path) -> None:
    """Here the vault is walked (the index cannot list it): the same answer."""
    vault = make_vault(tmp_path / "vault", {"Outside.md": "# Outside\n"})
    repo = make_repo(vault / "Notes", NOTES)
    git(repo, "rm", "-q", "--cached", "Beta.md")
    result = run_cli("check", "--staged", "--vault", vault, cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    git(repo, "rm", "-q", "Gamma.md")
    result = run_cli("check", "--staged", "--vault", vault, cwd=repo)
    assert result.returncode == 1
    assert "[[Gamma]]" in result.stdout and "[[Beta]]" not in result.stdout
