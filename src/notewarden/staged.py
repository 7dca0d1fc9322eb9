"""`notewarden check --staged`: check a commit before it is made.

Only the files the commit adds, modifies or renames are reported, but their links resolve
against the vault as it will be once the commit lands: staged contents come from the git
index (a file with unstaged edits is checked as staged), files the commit deletes are
gone, a rename is a delete plus an add, and a note the commit deletes or renames breaks
the links to it in notes the commit does not touch, which are reported too.

The git index is read with `git diff --cached` (what the commit changes), `git diff`
(where the working tree differs from the index), `git cat-file --batch` (staged contents
the disk does not have) and `git ls-files` (every file the commit holds, with its blob id,
and the untracked files on disk). The last spares a walk of the vault: a cached record
whose blob id matches the index needs no reading at all. Git sets GIT_INDEX_FILE for its
hooks (`git commit -a` and `git commit PATHS` use a temporary index), and every git
command here inherits it.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from notewarden.config import CONFIG_FILE, ConfigOverrides
from notewarden.engine import CheckResult, Pending, UsageError, Vault, open_store, run_check
from notewarden.vault import VaultFile, find_vault_root

# A path under the vault root that names no vault file (dot-entries are never scanned).
# Given first to run_check, it makes the vault root be found from the root itself, where a
# staged file in a sub-folder of a vault without `.obsidian/` would find its own folder.
_ANCHOR = ".notewarden-staged"

_SYMLINK_MODE, _GITLINK_MODE = "120000", "160000"
# `git ls-files -s -z` entries: a regular file, merged (stage 0): (blob id, path).
_INDEX_ENTRY_RE = re.compile(r"1006[0-7]{2} ([0-9a-f]+) 0\t([^\0]*)\0")
# What marks entries commit_files leaves to the walk (symlinks, submodules) and unmerged
# ones; plain substring tests, as a regex scan of 10,000 entries costs 30 ms.
_UNUSUAL_MARKS = ("\x00120000 ", "\x00160000 ", " 1\t", " 2\t", " 3\t")
_NULL_ID = "0" * 40


class GitError(UsageError):
    """git is missing, or this is not a git work tree: one line, exit code 2."""


def start_git(commands: Sequence[Sequence[str]], cwd: Path | None = None,
              stdin: bytes | None = None) -> list[subprocess.Popen[bytes]]:
    """Start git commands side by side (they only read); `stdin` goes to the first one.
    Collect them with finish_git."""
    try:
        return [subprocess.Popen(["git", *args], cwd=cwd, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE,
                                 stdin=subprocess.PIPE if stdin is not None and i == 0
                                 else subprocess.DEVNULL)
                for i, args in enumerate(commands)]
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH)") from None


def finish_git(commands: Sequence[Sequence[str]], running: list[subprocess.Popen[bytes]],
               stdin: bytes | None = None) -> list[bytes]:
    """The stdouts of commands begun by start_git, in order; a failure raises GitError
    with git's own message."""
    outputs = []
    for i, (args, process) in enumerate(zip(commands, running, strict=True)):
        out, err = process.communicate(stdin if i == 0 else None)
        if process.returncode != 0:
            message = err.decode("utf-8", "replace").strip().splitlines()
            # git's first line says what went wrong ("fatal: not a git repository ...").
            first = message[0].removeprefix("fatal: ") if message \
                else f"exit {process.returncode}"
            for other in running:
                other.kill()
                other.wait()
            raise GitError(f"git {args[0]} failed: {first}")
        outputs.append(out)
    return outputs


def git_many(commands: Sequence[Sequence[str]], cwd: Path | None = None,
             stdin: bytes | None = None) -> list[bytes]:
    """Run git commands side by side and return their stdouts, in order."""
    return finish_git(commands, start_git(commands, cwd, stdin), stdin)


def git(args: Sequence[str], cwd: Path | None = None, stdin: bytes | None = None) -> bytes:
    """Run git and return its stdout; a failure raises GitError with git's own message."""
    return git_many([args], cwd, stdin)[0]


def repo_toplevel(cwd: Path | None = None) -> Path:
    """The top folder of the git work tree holding `cwd` (default: the current folder)."""
    try:
        out = git(["rev-parse", "--show-toplevel"], cwd=cwd)
    except GitError as exc:
        if "not a git repository" in str(exc):
            raise GitError("not in a git repository (--staged checks what `git commit` "
                           "would commit)") from None
        if "work tree" in str(exc):
            raise GitError("not in a git work tree (a bare repository has nothing "
                           "staged)") from None
        raise
    top = os.fsdecode(out.rstrip(b"\n"))
    if not top:  # inside .git/ itself
        raise GitError("not in a git work tree")
    return Path(top).resolve()


def _has_marker(folder: Path) -> bool:
    return (folder / ".obsidian").is_dir() or (folder / CONFIG_FILE).is_file()


def resolve_vault(vault: Path | None, top: Path, cwd: Path | None = None) -> Path:
    """The vault a staged check covers, as an absolute, resolved path.

    `--vault DIR` is read as `notewarden check DIR` reads it (its nearest vault root).
    Without it: the vault at or above the current folder if there is one, else the one at
    or above the repository's top folder, else that top folder: the whole repository.
    """
    if vault is not None:
        if not vault.is_dir():
            raise UsageError(f"--vault: not a folder: {vault}")
        root = find_vault_root(vault.resolve())
    else:
        here = find_vault_root((cwd or Path.cwd()).resolve())
        root = here if _has_marker(here) else find_vault_root(top)
    if not (root == top or top in root.parents or root in top.parents):
        raise UsageError(f"the vault {root} is not in the git repository at {top}")
    return root


@dataclass
class StagedChanges:
    """What a commit does to one vault, in vault-relative POSIX paths."""

    root: Path
    checked: list[str] = field(default_factory=list)  # notes added, modified, renamed to
    removed: set[str] = field(default_factory=set)  # files deleted or renamed away
    # Files whose staged contents differ from the working tree: vault path -> blob id
    # (an attachment gets no id: only its existence matters, see pending_for).
    staged_ids: dict[str, str | None] = field(default_factory=dict)
    checked_ids: dict[str, str] = field(default_factory=dict)  # checked note -> blob id


def _vault_path(top: Path, root: Path) -> Callable[[str], str | None]:
    """A function mapping a repo-relative git path to a vault path, or None if it is
    outside the vault or in a dot-folder (which the vault walk never scans)."""
    if root == top:
        prefix, add = "", ""
    elif top in root.parents:
        prefix, add = root.relative_to(top).as_posix() + "/", ""
    else:  # the repository is a folder inside the vault
        prefix, add = "", top.relative_to(root).as_posix() + "/"

    def convert(repo_path: str) -> str | None:
        if not repo_path.startswith(prefix):
            return None
        rel = add + repo_path[len(prefix):]
        if rel.startswith(".") or "/." in rel:
            return None
        return rel

    return convert


def _raw_entries(out: bytes) -> list[tuple[str, str, str, str, str, list[str]]]:
    """Parse `git diff --raw -z` output: (src mode, dst mode, src id, dst id, status,
    paths); a rename or copy has two paths."""
    fields = out.split(b"\0")
    entries = []
    i = 0
    while i < len(fields) and fields[i]:
        src_mode, dst_mode, src_id, dst_id, status = fields[i].decode("ascii")[1:].split(" ")
        count = 2 if status[0] in "RC" else 1
        paths = [os.fsdecode(name) for name in fields[i + 1 : i + 1 + count]]
        entries.append((src_mode, dst_mode, src_id, dst_id, status[0], paths))
        i += 1 + count
    return entries


# The index against HEAD (the empty tree before the first commit): what the commit
# changes. The working tree against the index: files whose staged contents the disk does
# not have (unstaged edits, files deleted but not `git rm`ed).
DIFF_COMMANDS = (
    ("diff", "--cached", "--raw", "-z", "-M", "--no-abbrev", "--no-ext-diff",
     "--ignore-submodules=all"),
    ("diff", "--raw", "-z", "--no-abbrev", "--no-renames", "--no-ext-diff",
     "--ignore-submodules=all"),
)


def staged_changes(top: Path, root: Path,
                   diffs: Sequence[bytes] | None = None) -> StagedChanges:
    """Read from git what the commit changes in the vault at `root`. `diffs` are the
    outputs of DIFF_COMMANDS when the caller already ran them."""
    to_vault = _vault_path(top, root)
    changes = StagedChanges(root)
    cached, worktree = diffs if diffs is not None else git_many(DIFF_COMMANDS, cwd=top)
    added: set[str] = set()
    for _src_mode, dst_mode, _src_id, dst_id, status, paths in _raw_entries(cached):
        if status == "U":  # unmerged: git refuses such a commit before any hook runs
            continue
        if status in "RD":
            old = to_vault(paths[0])
            if old is not None:
                changes.removed.add(old)
        if status == "D":
            continue
        new = to_vault(paths[-1])
        if new is None or dst_mode == _GITLINK_MODE:
            continue
        added.add(new)
        if new.lower().endswith(".md"):
            changes.checked.append(new)
            if dst_mode != _SYMLINK_MODE:
                changes.checked_ids[new] = dst_id
    # A path deleted and added again in one commit (a rename onto it) is still there.
    changes.removed -= added
    # A file taken out of the index but left on disk (`git rm --cached`) is an untracked
    # file after the commit: Obsidian still shows it, so links to it resolve, as they do
    # to every untracked file.
    changes.removed = {path for path in changes.removed if not still_on_disk(root / path)}
    for src_mode, _dst_mode, src_id, _dst_id, status, paths in _raw_entries(worktree):
        path = to_vault(paths[0])
        if path is None or status == "U" or src_mode in (_SYMLINK_MODE, _GITLINK_MODE) \
                or src_id == _NULL_ID:
            continue
        if path.lower().endswith(".md"):
            changes.staged_ids[path] = src_id
        elif status == "D":
            changes.staged_ids[path] = None
    changes.checked.sort()
    return changes


def still_on_disk(path: Path) -> bool:
    """Is there a file (or symlink) of exactly this name? Exactly: on a case-insensitive
    file system `git mv a.md A.md` leaves `a.md` answering to a stat."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if stat.S_ISDIR(info.st_mode):
        return False
    try:
        return path.name in os.listdir(path.parent)
    except OSError:
        return False


def read_blobs(top: Path, ids: Sequence[str]) -> dict[str, bytes]:
    """The contents of git blobs, by id, in one `git cat-file --batch` call."""
    unique = list(dict.fromkeys(ids))
    if not unique:
        return {}
    out = git(["cat-file", "--batch"], cwd=top, stdin="".join(f"{i}\n" for i in unique).encode())
    blobs: dict[str, bytes] = {}
    pos = 0
    for blob_id in unique:
        end = out.index(b"\n", pos)
        header = out[pos:end].decode("ascii").split(" ")
        if len(header) != 3:  # "<id> missing": the index names an object git lacks
            raise GitError(f"git cat-file: cannot read staged object {blob_id}")
        size = int(header[2])
        blobs[blob_id] = out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1  # the contents are followed by a newline
    return blobs


def pending_for(top: Path, changes: StagedChanges) -> Pending:
    """The Pending changes that make the vault on disk look like the commit."""
    from notewarden.pool import git_blob_id

    # Checked notes are taken as the index has them, even where the disk has the same
    # bytes: contents given here never enter the store. The disk is read first
    # and git asked only for what differs from it.
    contents: dict[str, bytes] = {}
    for path, blob_id in changes.checked_ids.items():
        if path in changes.staged_ids:
            continue  # the disk differs: read from git below
        try:
            data = (changes.root / path).read_bytes()
        except OSError:
            continue
        if git_blob_id(data) == blob_id:
            contents[path] = data
    ids = {path: blob_id for path, blob_id in changes.checked_ids.items()
           if path not in contents}
    ids.update((path, blob_id) for path, blob_id in changes.staged_ids.items()
               if blob_id is not None)
    blobs = read_blobs(top, list(ids.values()))
    contents.update((path, blobs[blob_id]) for path, blob_id in ids.items())
    # Attachments are only looked up by name, never read: an empty stand-in is enough.
    contents.update({path: b"" for path, blob_id in changes.staged_ids.items()
                     if blob_id is None})
    return Pending(contents=contents, removed=frozenset(changes.removed))


def listing_commands(top: Path, root: Path) -> list[list[str]] | None:
    """The git commands commit_files reads, or None when the index cannot list the vault
    (the repository is a folder inside it)."""
    if root != top and top not in root.parents:
        return None
    # `:(literal)`: a folder named `Notes [2024]` is a path, not a glob.
    pathspec = [] if root == top else ["--", ":(literal)" + root.relative_to(top).as_posix()]
    # Untracked files in dot-folders are never part of the vault: git need not list them.
    return [["ls-files", "-s", "-z", *pathspec],
            ["ls-files", "-o", "-z", "--exclude=.*", *pathspec]]


def commit_files(top: Path, root: Path, changes: StagedChanges, contents: dict[str, bytes],
                 listings: Sequence[bytes]) -> list[VaultFile] | None:
    """The vault's files as they will be after the commit, from the outputs of
    listing_commands: the git index plus the untracked files on disk, so the vault need not
    be walked. A tracked file is identified by its blob id. None when the vault holds
    symlinks, submodules or nested repositories, which the walk treats in its own way."""
    tracked, untracked = listings
    to_vault = _vault_path(top, root)
    prefix = "" if root == top else root.relative_to(top).as_posix() + "/"
    cut = len(prefix)
    files: list[VaultFile] = []
    # One entry per file, "<mode> <blob id> <stage>\t<path>\0", 10,000 of them in a big
    # vault: parsed by one regex, and the loop inlines what _vault_path's function does.
    listing = os.fsdecode(tracked)
    entries = "\0" + listing  # so that every entry starts after a NUL
    if any(mark in entries for mark in _UNUSUAL_MARKS):
        return None
    for blob_id, repo_path in _INDEX_ENTRY_RE.findall(listing):
        if not repo_path.startswith(prefix):
            continue
        path = repo_path[cut:]
        if path.startswith(".") or "/." in path:
            continue
        data = contents.get(path)
        files.append(VaultFile(path, -1, -1, blob_id) if data is None
                     else VaultFile(path, len(data), -2))
    seen = {file.path for file in files}
    for name in untracked.split(b"\0"):
        if name.endswith(b"/"):  # a nested repository
            return None
        other = to_vault(os.fsdecode(name)) if name else None
        if other is None or other in seen or other in changes.removed:
            continue
        try:
            stat = os.stat(root / other)
        except OSError:
            continue  # gone since git listed it
        seen.add(other)
        files.append(VaultFile(other, stat.st_size, stat.st_mtime_ns))
    files += [VaultFile(path, len(data), -2) for path, data in contents.items()
              if path not in seen]
    return files


def run_staged_check(paths: Sequence[Path], vault: Path | None, *, staged: bool,
                     fixing: bool = False, select: Sequence[str] = (),
                     ignore: Sequence[str] = (), use_cache: bool = True,
                     cache_dir: Path | None = None, jobs: int | None = None,
                     overrides: ConfigOverrides | None = None) -> CheckResult:
    """Check what `git commit` would commit (see the module docstring)."""
    if not staged:
        raise UsageError("--vault is only used with --staged (give the vault as PATH)")
    if paths:
        raise UsageError("--staged checks the files staged in git; give no PATHS "
                         "(use --vault DIR to name the vault)")
    if fixing:
        raise UsageError("--staged cannot be combined with --fix or --diff (fixes are "
                         "written to the working tree, not to the index)")
    top = repo_toplevel()
    root = resolve_vault(vault, top)
    listing = listing_commands(top, root)
    commands = [*DIFF_COMMANDS, *(listing or [])]
    running = start_git(commands, cwd=top)
    # While git works, open the store (the check hands it on and closes it).
    store = open_store(Vault.open([root / _ANCHOR], allow_missing=True,
                                  overrides=overrides)[0], cache_dir) \
        if use_cache else None
    try:
        outputs = finish_git(commands, running)
        changes = staged_changes(top, root, outputs[:2])
        if not changes.checked and not changes.removed:
            if store is not None:
                store.close()
            return CheckResult(root)
        pending = pending_for(top, changes)
        files = commit_files(top, root, changes, pending.contents, outputs[2:]) \
            if listing is not None else None
    except BaseException:
        if store is not None:
            store.close()
        raise
    checked = [root / path for path in changes.checked]
    return run_check([root / _ANCHOR, *checked], select=select, ignore=ignore,
                     use_cache=use_cache, cache_dir=cache_dir, jobs=jobs,
                     pending=replace(pending, files=files, store=store), overrides=overrides)
