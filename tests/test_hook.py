"""Git pre-commit hooks: notewarden's native hook, the pre-commit framework's hooks and
`notewarden check --staged`, with real git repositories and real `git commit` runs."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO, console_script, make_vault, run_cli

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Test Author", "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Committer", "GIT_COMMITTER_EMAIL": "committer@example.com",
}


@pytest.fixture(autouse=True)
def git_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A git identity, and no outside git state: the user's global config (a global
    core.hooksPath would move the hooks), or a hook's GIT_DIR / GIT_INDEX_FILE when the
    suite itself runs inside one."""
    for name, value in GIT_IDENTITY.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"):
        monkeypatch.delenv(name, raising=False)


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                            env={**os.environ, "NO_COLOR": "1"}, timeout=120)
    if check:
        assert result.returncode == 0, f"git {args}: {result.stdout}{result.stderr}"
    return result


def make_repo(path: Path, files: dict[str, str], *, vault: str = "",
              outside: dict[str, str] | None = None) -> Path:
    """A git repository holding a vault (in `vault`, a sub-folder, if given) and `outside`
    files, all committed once, before any hook is installed."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "commit.gpgsign", "false")
    make_vault(path / vault if vault else path, files)
    for rel, text in (outside or {}).items():
        (path / rel).write_text(text, encoding="utf-8")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "initial")
    return path


def commit(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`git commit` as a user runs it, hooks and all; output is stdout + stderr."""
    result = git(repo, "commit", "-m", "change", *args, check=False)
    result.stdout += result.stderr
    return result


def write(repo: Path, rel: str, text: str) -> None:
    (repo / rel).write_text(text, encoding="utf-8")


def head_count(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD").stdout)


NOTES = {
    "Alpha.md": "# Alpha\n\n## Details\n\nThe first note.\n",
    "Beta note.md": "# Beta\n\nSee [[Alpha]] and [[Alpha#Details]].\n",
    "Folder/Gamma.md": "# Gamma\n\nNothing links here.\n",
}


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# --- .pre-commit-hooks.yaml -------------------------------------------------------------


def test_manifest_is_valid_for_pre_commit() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"],
        cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_manifest_hooks_and_their_flags() -> None:
    hooks = {hook["id"]: hook for hook in
             yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    main = hooks["notewarden"]
    assert (main["name"], main["entry"], main["language"], main["types"]) == \
        ("notewarden", "notewarden check", "python", ["markdown"])
    assert hooks["notewarden-fix"]["entry"] == "notewarden check --fix --exit-non-zero-on-fix"
    # One process for all files: pre-commit would otherwise split them over parallel
    # processes, each indexing the whole vault.
    assert all(hook["require_serial"] is True for hook in hooks.values())
    # Every flag an entry uses is a real flag of `notewarden check`.
    help_text = run_cli("check", "--help").stdout
    for hook in hooks.values():
        for word in hook["entry"].split()[2:]:
            assert word in help_text, (hook["id"], word)


# --- the native hook --------------------------------------------------------------------


def test_native_hook_refuses_a_broken_link_then_accepts_the_fix(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", NOTES)
    installed = run_cli("hook", "install", cwd=repo)
    assert installed.returncode == 0, installed.stderr
    write(repo, "Beta note.md", "# Beta\n\nSee [[Alpha]] and [[Alhpa]].\n")
    git(repo, "add", "Beta note.md")
    refused = commit(repo)
    assert refused.returncode != 0
    assert "Beta note.md:3:19: broken-link [[Alhpa]]" in refused.stdout
    assert head_count(repo) == 1

    write(repo, "Beta note.md", "# Beta\n\nSee [[Alpha]] and [[Folder/Gamma]].\n")
    git(repo, "add", "Beta note.md")
    accepted = commit(repo)
    assert accepted.returncode == 0, accepted.stdout
    assert head_count(repo) == 2


def test_native_hook_refuses_deleting_a_note_linked_from_an_unstaged_note(
        tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", NOTES)
    run_cli("hook", "install", cwd=repo)
    git(repo, "rm", "-q", "Alpha.md")
    refused = commit(repo)
    assert refused.returncode != 0
    # Beta note.md is neither staged nor changed: it is reported because of the deletion.
    assert "Beta note.md:3:5: broken-link [[Alpha]]" in refused.stdout
    assert "Beta note.md:3:19: broken-link [[Alpha#Details]]" in refused.stdout
    assert head_count(repo) == 1

    # A rename is a delete plus an add: the links to the old name break just the same.
    git(repo, "reset", "-q", "--hard")
    git(repo, "mv", "Alpha.md", "Folder/Alpha renamed.md")
    renamed = commit(repo)
    assert renamed.returncode != 0
    assert "Beta note.md:3:5: broken-link [[Alpha]]" in renamed.stdout

    # Deleting a note nothing links to is fine.
    git(repo, "reset", "-q", "--hard")
    git(repo, "rm", "-q", "Folder/Gamma.md")
    assert commit(repo).returncode == 0


def test_native_hook_with_the_vault_in_a_sub_folder(tmp_path: Path) -> None:
    # README.md is outside the vault: its broken-looking link is never checked.
    repo = make_repo(tmp_path / "repo", NOTES, vault="notes",
                     outside={"README.md": "Not a note: [[Nowhere]]\n"})
    installed = run_cli("hook", "install", "--vault", "notes", cwd=repo)
    assert installed.returncode == 0, installed.stderr
    assert "check --staged --vault notes\n" in (repo / ".git/hooks/pre-commit").read_text()

    write(repo, "README.md", "Still not a note: [[Nowhere else]]\n")
    write(repo, "notes/Folder/Gamma.md", "# Gamma\n\n[[Alpha#No such heading]]\n")
    git(repo, "add", "-A")
    refused = commit(repo)
    assert refused.returncode != 0
    assert "Folder/Gamma.md:3:1: broken-heading [[Alpha#No such heading]]" in refused.stdout
    assert "Nowhere" not in refused.stdout

    write(repo, "notes/Folder/Gamma.md", "# Gamma\n\n[[Alpha#Details]]\n")
    git(repo, "add", "-A")
    assert commit(repo).returncode == 0

    git(repo, "rm", "-q", "notes/Alpha.md")
    deleted = commit(repo)
    assert deleted.returncode != 0
    assert "Beta note.md:3:5: broken-link [[Alpha]]" in deleted.stdout
    assert "Folder/Gamma.md:3:1: broken-link [[Alpha#Details]]" in deleted.stdout


def test_native_hook_checks_git_commit_all_through_gits_temporary_index(
        tmp_path: Path) -> None:
    # `git commit -a` stages into a temporary index named by GIT_INDEX_FILE: the hook must
    # read that one, where the broken link is, not .git/index, where it is not.
    repo = make_repo(tmp_path / "repo", NOTES)
    run_cli("hook", "install", cwd=repo)
    write(repo, "Beta note.md", "# Beta\n\nSee [[Alpha]] and [[Alhpa]].\n")
    refused = commit(repo, "-a")
    assert refused.returncode != 0
    assert "broken-link [[Alhpa]]" in refused.stdout
    # The same for `git commit PATH`.
    refused = commit(repo, "--", "Beta note.md")
    assert refused.returncode != 0
    assert "broken-link [[Alhpa]]" in refused.stdout


def test_installed_hook_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", NOTES)
    run_cli("hook", "install", cwd=repo)
    hook = repo / ".git" / "hooks" / "pre-commit"
    text = hook.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/sh\n# notewarden-hook v1\n")
    assert f"NOTEWARDEN={console_script()}\n" in text  # absolute, no quoting needed here
    assert hook.stat().st_mode & stat.S_IXUSR


def test_hook_quotes_paths_and_falls_back_to_notewarden_on_path(tmp_path: Path) -> None:
    from notewarden.hook import hook_script

    repo = make_repo(tmp_path / "repo", NOTES, vault="my 'odd' vault")
    write(repo, "my 'odd' vault/Beta note.md", "[[Nope]]\n")
    git(repo, "add", "-A")
    odd = tmp_path / "bin dir with 'quotes' & $dollar"
    odd.mkdir()
    (odd / "notewarden").symlink_to(console_script())
    hook = tmp_path / "pre-commit"
    env = {**os.environ, "NO_COLOR": "1"}

    def run_hook(command: str, path: str) -> subprocess.CompletedProcess[str]:
        hook.write_text(hook_script(command, "my 'odd' vault"), encoding="utf-8")
        return subprocess.run(["sh", str(hook)], cwd=repo, capture_output=True, text=True,
                              env={**env, "PATH": path}, timeout=120)

    quoted = run_hook(str(odd / "notewarden"), "/usr/bin:/bin")
    assert quoted.returncode == 1, quoted.stderr
    assert "Beta note.md:1:1: broken-link [[Nope]]" in quoted.stdout
    # The virtualenv it was installed from is gone: `notewarden` on PATH is used instead.
    fallback = run_hook(str(tmp_path / "gone" / "notewarden"), f"{odd}:/usr/bin:/bin")
    assert fallback.returncode == 1, fallback.stderr
    assert "broken-link [[Nope]]" in fallback.stdout
    missing = run_hook(str(tmp_path / "gone" / "notewarden"), "/usr/bin:/bin")
    assert missing.returncode == 1
    assert "cannot find notewarden" in missing.stderr


def test_install_refuses_a_foreign_hook_unless_forced(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", NOTES)
    hook = repo / ".git" / "hooks" / "pre-commit"
    foreign = "#!/bin/sh\necho someone else's hook\n"
    hook.write_text(foreign, encoding="utf-8")
    message = one_line_error(run_cli("hook", "install", cwd=repo))
    assert "was not written by notewarden" in message and "--force" in message
    assert hook.read_text(encoding="utf-8") == foreign

    forced = run_cli("hook", "install", "--force", cwd=repo)
    assert forced.returncode == 0, forced.stderr
    assert "# notewarden-hook v1" in hook.read_text(encoding="utf-8")
    backup = hook.with_name("pre-commit.notewarden-backup")
    assert backup.read_text(encoding="utf-8") == foreign
    # Installing again over its own hook needs no --force.
    assert run_cli("hook", "install", cwd=repo).returncode == 0
    # Uninstalling puts the replaced hook back.
    removed = run_cli("hook", "uninstall", cwd=repo)
    assert removed.returncode == 0
    assert hook.read_text(encoding="utf-8") == foreign and not backup.exists()


def test_install_names_the_pre_commit_framework(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", NOTES)
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo,
                               capture_output=True, text=True, timeout=120)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    message = one_line_error(run_cli("hook", "install", cwd=repo))
    assert ".pre-commit-config.yaml" in message


def test_uninstall_leaves_a_foreign_hook(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", NOTES)
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    result = run_cli("hook", "uninstall", cwd=repo)
    assert result.returncode == 0
    assert "not written by notewarden; left it in place" in result.stdout
    assert hook.read_text(encoding="utf-8") == "#!/bin/sh\nexit 0\n"

    hook.unlink()
    assert "nothing to remove" in run_cli("hook", "uninstall", cwd=repo).stdout
    run_cli("hook", "install", cwd=repo)
    assert run_cli("hook", "uninstall", cwd=repo).returncode == 0
    assert not hook.exists()


def test_install_follows_core_hooks_path(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", NOTES)
    git(repo, "config", "core.hooksPath", "githooks")
    assert run_cli("hook", "install", cwd=repo).returncode == 0
    assert not (repo / ".git" / "hooks" / "pre-commit").exists()
    assert "# notewarden-hook v1" in (repo / "githooks" / "pre-commit").read_text()
    write(repo, "Beta note.md", "[[Nope]]\n")
    git(repo, "add", "-A")
    refused = commit(repo)
    assert refused.returncode != 0 and "broken-link [[Nope]]" in refused.stdout


def test_install_from_a_linked_worktree(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", NOTES)
    worktree = tmp_path / "worktree"
    git(repo, "worktree", "add", "-q", "-b", "other", str(worktree))
    assert run_cli("hook", "install", cwd=worktree).returncode == 0
    # Hooks are shared by every worktree of a repository.
    assert (repo / ".git" / "hooks" / "pre-commit").is_file()
    write(worktree, "Beta note.md", "[[Nope]]\n")
    git(worktree, "add", "-A")
    refused = commit(worktree)
    assert refused.returncode != 0 and "broken-link [[Nope]]" in refused.stdout


def test_hook_commands_outside_a_git_repository(tmp_path: Path) -> None:
    plain = make_vault(tmp_path / "plain", NOTES)
    assert "not in a git repository" in one_line_error(run_cli("hook", "install", cwd=plain))
    assert "not in a git repository" in one_line_error(
        run_cli("hook", "uninstall", cwd=plain))


# --- check --staged: what is checked is the commit, not the working tree ---------------


def staged_check(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = run_cli("check", "--staged", *args, cwd=repo)
    assert "Traceback" not in result.stderr
    return result


def test_an_unstaged_edit_breaking_a_link_is_not_reported(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", NOTES)
    write(repo, "Beta note.md", "# Beta\n\nSee [[Alpha#Details]] only.\n")
    git(repo, "add", "-A")
    write(repo, "Beta note.md", "# Beta\n\nSee [[Alpha#Detials]] only.\n")  # not staged
    result = staged_check(repo)
    assert result.returncode == 0, result.stdout
    assert "All checks passed: 1 note" in result.stdout
    # Without --staged the working tree is checked, and the typo is there.
    assert run_cli("check", cwd=repo).returncode == 1


def test_a_staged_broken_link_is_reported_though_the_working_tree_is_fixed(
        tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", NOTES)
    write(repo, "Beta note.md", "# Beta\n\nSee [[Alpha#Detials]] only.\n")
    git(repo, "add", "-A")
    write(repo, "Beta note.md", "# Beta\n\nSee [[Alpha#Details]] only.\n")  # not staged
    result = staged_check(repo)
    assert result.returncode == 1
    assert "Beta note.md:3:5: broken-heading [[Alpha#Detials]]" in result.stdout
    assert run_cli("check", cwd=repo).returncode == 0


def test_links_resolve_against_the_staged_versions_of_other_notes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", NOTES)
    write(repo, "Folder/Gamma.md", "# Gamma\n\n[[Alpha#Details]]\n")
    git(repo, "add", "Folder/Gamma.md")
    # Unstaged: Alpha loses the heading Gamma links to, but the commit keeps it.
    write(repo, "Alpha.md", "# Alpha\n\nNo more details.\n")
    assert staged_check(repo).returncode == 0
    # Staged: now the commit loses it too.
    git(repo, "add", "Alpha.md")
    result = staged_check(repo)
    assert result.returncode == 1
    assert "Folder/Gamma.md:3:1: broken-heading [[Alpha#Details]]" in result.stdout
    # A note deleted from the disk but not from the index is still in the commit.
    git(repo, "reset", "-q", "--hard")
    write(repo, "Folder/Gamma.md", "# Gamma\n\n[[Alpha#Details]]\n")
    git(repo, "add", "Folder/Gamma.md")
    (repo / "Alpha.md").unlink()
    assert staged_check(repo).returncode == 0


def test_a_note_removed_from_the_index_but_kept_on_disk_still_resolves(tmp_path: Path) -> None:
    """After the commit it is an untracked file, and links to untracked files resolve
    (issue 15; more cases in test_staged_untracked.py)."""
    repo = make_repo(tmp_path / "repo", NOTES)
    git(repo, "rm", "-q", "--cached", "Alpha.md")
    assert (repo / "Alpha.md").exists()
    result = staged_check(repo, "--format", "json")
    assert result.returncode == 0, result.stdout


def test_a_staged_attachment_deletion_breaks_its_embeds(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {**NOTES, "Folder/chart.png": "png",
                                         "Folder/Gamma.md": "![[chart.png]]\n"})
    git(repo, "rm", "-q", "Folder/chart.png")
    result = staged_check(repo)
    assert result.returncode == 1
    assert "Folder/Gamma.md:1:1: missing-attachment ![[chart.png]]" in result.stdout
    # An attachment gone from the disk but still staged is in the commit.
    git(repo, "reset", "-q", "--hard")
    (repo / "Folder" / "chart.png").unlink()
    write(repo, "Beta note.md", "![[chart.png]]\n")
    git(repo, "add", "Beta note.md")
    assert staged_check(repo).returncode == 0


def test_staged_check_keeps_the_cache_true(tmp_path: Path) -> None:
    """A staged check that reads the index must not leave the cache claiming a staged
    note's findings are known: a plain check afterwards reports its broken link."""
    repo = make_repo(tmp_path / "repo", NOTES)
    assert run_cli("check", cwd=repo).returncode == 0  # warms the cache
    write(repo, "Beta note.md", "# Beta\n\n[[Folder/Gamma]] and [[Nope]]\n")
    git(repo, "add", "-A")
    # An unstaged edit: the staged check must read the index, not the disk.
    write(repo, "Alpha.md", "# Alpha\n\n## Details\n\nAn unstaged edit.\n")
    assert staged_check(repo).returncode == 1
    plain = run_cli("check", cwd=repo)
    assert "Beta note.md:3:22: broken-link [[Nope]]" in plain.stdout


def test_staged_check_keeps_the_cache_true_for_unstaged_notes(tmp_path: Path) -> None:
    """A staged check with `pending` re-reads notes changed since the last check and
    caches their records, but saves no summary: the next plain check must still see that
    those notes changed (engine.dirty_notes compares them with the summary)."""
    repo = make_repo(tmp_path / "repo", NOTES)
    assert run_cli("check", cwd=repo).returncode == 0
    # Changed since the last check, though not by this commit.
    write(repo, "Folder/Gamma.md", "# Gamma\n\n[[Nope]]\n")
    git(repo, "commit", "-q", "-a", "--no-verify", "-m", "unchecked")
    write(repo, "Beta note.md", "# Beta\n\n[[Alpha]]\n")
    git(repo, "add", "Beta note.md")
    (repo / "Alpha.md").unlink()  # unstaged: the staged check runs with `pending`
    staged_check(repo)
    plain = run_cli("check", cwd=repo)
    assert "Folder/Gamma.md:3:1: broken-link [[Nope]]" in plain.stdout


def test_staged_links_resolve_to_untracked_files_on_disk(tmp_path: Path) -> None:
    """The vault after the commit is the index plus what the disk has that git does not
    track (an untracked note, a git-ignored attachment): Obsidian still shows them."""
    repo = make_repo(tmp_path / "repo", NOTES, outside={".gitignore": "*.png\n"})
    write(repo, "Scratch.md", "# Scratch\n\n## Part\n")  # untracked
    (repo / "Folder" / "chart.png").write_bytes(b"png")  # ignored
    write(repo, "Beta note.md", "[[Scratch#Part]] ![[chart.png]] [[Scratch#Nope]]\n")
    git(repo, "add", "Beta note.md")
    result = staged_check(repo)
    assert result.returncode == 1
    assert result.stdout.count("Beta note.md") == 1
    assert "Beta note.md:1:33: broken-heading [[Scratch#Nope]]" in result.stdout


def test_staged_check_reads_notes_the_cache_has_an_older_version_of(tmp_path: Path) -> None:
    """The records cache answers for a tracked note only when it parsed exactly the bytes
    the index holds (same git blob id); a note committed since is read again."""
    repo = make_repo(tmp_path / "repo", NOTES)
    assert run_cli("check", cwd=repo).returncode == 0  # the cache knows Alpha's heading
    write(repo, "Alpha.md", "# Alpha\n\nThe details went away.\n")
    git(repo, "commit", "-q", "-a", "--no-verify", "-m", "unchecked")
    write(repo, "Folder/Gamma.md", "[[Alpha#Details]]\n")
    git(repo, "add", "Folder/Gamma.md")
    result = staged_check(repo)
    assert result.returncode == 1
    assert "Folder/Gamma.md:1:1: broken-heading [[Alpha#Details]]" in result.stdout


def test_staged_check_of_a_vault_holding_a_symlinked_note(tmp_path: Path) -> None:
    """Symlinks are followed by the walk, not listed by the index: such a vault is
    walked, with the same answers."""
    repo = make_repo(tmp_path / "repo", NOTES)
    (repo / "Shortcut.md").symlink_to("Alpha.md")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "symlink")
    write(repo, "Folder/Gamma.md", "[[Shortcut#Details]] [[Shortcut#Nope]]\n")
    git(repo, "add", "-A")
    result = staged_check(repo)
    assert result.returncode == 1
    assert result.stdout.count("broken-heading") == 1
    assert "Folder/Gamma.md:1:22: broken-heading [[Shortcut#Nope]]" in result.stdout


def check_staged_in_process(repo: Path, module: str) -> subprocess.CompletedProcess[str]:
    """Run `notewarden check --staged` in a fresh interpreter and print, after its output,
    `exit CODE LOADED`: whether `module` was imported. stdout is redirected so that the CLI
    raises SystemExit instead of ending the process at once (see cli._exit_at_once)."""
    code = ("import io, sys\n"
            "from notewarden.cli import main\n"
            "sys.argv = ['notewarden', 'check', '--staged']\n"
            "sys.stdout = captured = io.StringIO()\n"
            "try:\n    main()\n"
            "except SystemExit as exit:\n"
            "    sys.stdout = sys.__stdout__\n"
            "    print(captured.getvalue(), end='')\n"
            f"    print('exit', exit.code, {module!r} in sys.modules)\n")
    return subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True,
                          text=True, timeout=120)


SCHEMA_CONFIG = '[schemas]\n"**" = "note.schema.json"\n'
SCHEMA = ('{"type": "object", "required": ["status"], '
          '"properties": {"status": {"enum": ["draft", "done"]}}}\n')


def test_a_body_edit_reuses_schema_findings_without_loading_jsonschema(
        tmp_path: Path) -> None:
    """A staged note whose front-matter is unchanged since it was last checked keeps its
    schema findings without validating again, so jsonschema is never imported."""
    repo = tmp_path / "repo"
    make_vault(repo, {"note.schema.json": SCHEMA,
                      "A.md": "---\nstatus: wip\n---\n# A\n",
                      "B.md": "---\nstatus: done\n---\n# B\n"}, config=SCHEMA_CONFIG)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "initial")
    assert run_cli("check", cwd=repo).returncode == 1  # A's status; the cache is warm
    write(repo, "A.md", "---\nstatus: wip\n---\n# A\n\nMore text.\n")
    write(repo, "B.md", "---\nstatus: done\n---\n# B\n\nMore text.\n")
    git(repo, "add", "-A")
    result = check_staged_in_process(repo, "jsonschema")
    assert "A.md:2:1: schema status: 'wip' is not one of" in result.stdout, result.stdout
    assert "B.md" not in result.stdout
    assert result.stdout.rstrip().endswith("exit 1 False"), result.stdout
    # A front-matter edit is validated afresh.
    write(repo, "A.md", "---\nstatus: draft\n---\n# A\n\nMore text.\n")
    write(repo, "B.md", "---\nstatus: gone\n---\n# B\n\nMore text.\n")
    git(repo, "add", "-A")
    result = staged_check(repo)
    assert "A.md" not in result.stdout
    assert "B.md:2:1: schema status: 'gone' is not one of" in result.stdout


def test_a_staged_note_the_cache_already_parsed_is_not_parsed_again(tmp_path: Path) -> None:
    """When the records cache holds the staged bytes themselves (a check ran after the
    edit), the staged check parses nothing: not even the YAML library is loaded."""
    repo = make_repo(tmp_path / "repo", NOTES)
    write(repo, "Beta note.md", "---\ntags: [x]\n---\n[[Alpha#Nope]]\n")
    git(repo, "add", "-A")
    assert run_cli("check", cwd=repo).returncode == 1
    result = check_staged_in_process(repo, "yaml")
    assert "Beta note.md:4:1: broken-heading [[Alpha#Nope]]" in result.stdout
    assert result.stdout.rstrip().endswith("exit 1 False"), result.stdout


def test_staged_check_of_a_vault_folder_whose_name_looks_like_a_glob(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", NOTES, vault="Notes [2024]",
                     outside={"Notes 2.md": "# Outside\n"})
    write(repo, "Notes [2024]/Folder/Gamma.md", "[[Alpha#Details]] [[Alpha#Nope]]\n")
    git(repo, "add", "-A")
    result = run_cli("check", "--staged", "--vault", "Notes [2024]", cwd=repo)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.count("broken-heading") == 1
    assert "Folder/Gamma.md:1:19: broken-heading [[Alpha#Nope]]" in result.stdout


def test_nothing_staged_is_clean(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {**NOTES, "Broken.md": "[[Nope]]\n"})
    write(repo, "Broken.md", "[[Still nope]]\n")  # changed but not staged
    result = staged_check(repo)
    assert result.returncode == 0
    assert "All checks passed: 0 notes" in result.stdout


def test_staged_check_in_the_first_commit_and_from_a_sub_folder(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    make_vault(repo / "vault", {**NOTES, "Beta note.md": "[[Nope]]\n"})
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    # From a folder inside the vault: the vault is found above it (.obsidian/).
    result = run_cli("check", "--staged", cwd=repo / "vault" / "Folder")
    assert result.returncode == 1
    assert "Beta note.md:1:1: broken-link [[Nope]]" in result.stdout
    # From the top folder, whose vault is a sub-folder: --vault names it.
    assert "Beta note.md:1:1" in run_cli("check", "--staged", "--vault", "vault",
                                         cwd=repo).stdout


def test_staged_check_of_a_vault_without_obsidian_folder(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    make_vault(repo, {**NOTES, "Folder/Deep/Delta.md": "[[Gamma]] [[Nope]]\n"},
               obsidian=False)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    result = staged_check(repo)
    assert result.returncode == 1
    # Links resolve across the whole repository, not just the note's own folder.
    assert result.stdout.count("broken-link") == 1
    assert "Folder/Deep/Delta.md:1:11: broken-link [[Nope]]" in result.stdout


@pytest.mark.parametrize("args, words", [
    (("Alpha.md",), "give no PATHS"),
    (("--fix",), "--fix"),
    (("--diff",), "--fix or --diff"),
    (("--vault", "nowhere"), "not a folder"),
])
def test_staged_usage_errors(tmp_path: Path, args: tuple[str, ...], words: str) -> None:
    repo = make_repo(tmp_path / "repo", NOTES)
    assert words in one_line_error(run_cli("check", "--staged", *args, cwd=repo))


def test_staged_usage_errors_outside_git(tmp_path: Path) -> None:
    plain = make_vault(tmp_path / "plain", NOTES)
    assert "not in a git repository" in one_line_error(
        run_cli("check", "--staged", cwd=plain))
    assert "only used with --staged" in one_line_error(
        run_cli("check", "--vault", str(plain), cwd=plain))
    repo = make_repo(tmp_path / "repo", NOTES)
    assert "is not in the git repository" in one_line_error(
        run_cli("check", "--staged", "--vault", str(plain), cwd=repo))


# --- the pre-commit framework -----------------------------------------------------------


def pre_commit_config(hooks: list[dict[str, object]]) -> str:
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}, sort_keys=False)


def local_hook(hook_id: str, args: str, **extra: object) -> dict[str, object]:
    # local + system: pre-commit runs the installed script, nothing is downloaded.
    return {"id": hook_id, "name": hook_id, "entry": f"{console_script()} {args}",
            "language": "system", "types": ["markdown"], "require_serial": True, **extra}


def pre_commit_install(repo: Path, hooks: list[dict[str, object]]) -> None:
    write(repo, ".pre-commit-config.yaml", pre_commit_config(hooks))
    git(repo, "add", ".pre-commit-config.yaml")
    git(repo, "commit", "-q", "-m", "pre-commit config")
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo,
                               capture_output=True, text=True, timeout=120)
    assert installed.returncode == 0, installed.stdout + installed.stderr


def test_pre_commit_framework_refuses_a_broken_link_then_accepts_the_fix(
        tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", NOTES, vault="notes",
                     outside={"README.md": "[[Not a vault link]]\n"})
    # pre-commit passes every staged Markdown file; `files` keeps README.md out of the
    # vault's check (notewarden would refuse a path outside the vault).
    pre_commit_install(repo, [local_hook("notewarden", "check", files="^notes/")])
    write(repo, "notes/Beta note.md", "# Beta\n\n[[Alpha]] and [[Alhpa]]\n")
    write(repo, "notes/Folder/Gamma.md", "# Gamma\n\n[[Alpha#Details]]\n")
    write(repo, "README.md", "[[Still not a vault link]]\n")
    git(repo, "add", "-A")
    refused = commit(repo)
    assert refused.returncode != 0
    assert "notewarden" in refused.stdout and "Failed" in refused.stdout
    assert "Beta note.md:3:15: broken-link [[Alhpa]]" in refused.stdout
    assert "vault link" not in refused.stdout

    write(repo, "notes/Beta note.md", "# Beta\n\n[[Alpha]] and [[Alpha#Details]]\n")
    git(repo, "add", "-A")
    accepted = commit(repo)
    assert accepted.returncode == 0, accepted.stdout
    assert "Passed" in accepted.stdout


def test_pre_commit_framework_fix_hook(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", NOTES)
    pre_commit_install(repo, [local_hook(
        "notewarden-fix", "check --fix --exit-non-zero-on-fix")])
    write(repo, "Beta note.md", "---\ntags: [\"#topic\"]\n---\n[[Alpha]]\n")
    git(repo, "add", "-A")
    fixed = commit(repo)
    assert fixed.returncode != 0  # a file was changed: the user reviews and re-stages it
    assert "files were modified by this hook" in fixed.stdout
    assert (repo / "Beta note.md").read_text() == "---\ntags: [\"topic\"]\n---\n[[Alpha]]\n"
    git(repo, "add", "-A")
    assert commit(repo).returncode == 0


def test_pre_commit_framework_staged_hook_catches_a_deletion(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", NOTES)
    # As .pre-commit-hooks.yaml's notewarden-staged: pre-commit passes no deleted files.
    pre_commit_install(repo, [
        local_hook("notewarden", "check"),
        local_hook("notewarden-staged", "check --staged", pass_filenames=False,
                   always_run=True),
    ])
    git(repo, "rm", "-q", "Alpha.md")
    refused = commit(repo)
    assert refused.returncode != 0
    assert "Beta note.md:3:5: broken-link [[Alpha]]" in refused.stdout


def test_pre_commit_try_repo(tmp_path: Path) -> None:
    """`pre-commit try-repo` installs notewarden from a copy of this repository into its
    own virtualenv (`pip install .`) and runs the `notewarden` hook from the manifest."""
    # try-repo takes committed files plus tracked changes: copy the working tree (new
    # files included) into a repository of its own and commit it.
    copy = tmp_path / "notewarden-copy"
    listed = git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard").stdout
    for rel in filter(None, listed.split("\0")):
        source = REPO / rel
        if source.is_file():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / rel)
    git(copy, "init", "-q", "-b", "main")
    git(copy, "add", "-A")
    git(copy, "commit", "-q", "-m", "snapshot")
    repo = make_repo(tmp_path / "repo", NOTES)
    write(repo, "Beta note.md", "[[Nope]]\n")
    git(repo, "add", "-A")
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(copy), "notewarden",
         "--files", "Beta note.md"],
        cwd=repo, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    if "- hook id: notewarden" not in output and "Installing environment" in output:
        pytest.skip("pre-commit could not build notewarden's environment here "
                    f"(pip install . needs its dependencies): {output[-500:]}")
    assert result.returncode == 1, output
    assert "Beta note.md:1:1: broken-link [[Nope]]" in output
