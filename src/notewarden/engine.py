"""Running a check: files -> index -> rules -> findings.

The CLI calls `run_check`; this module holds the logic the CLI must not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from notewarden import cache
from notewarden.config import OFF, Config, ConfigError, load_config
from notewarden.model import ALL_RULES_MARK, Finding, NoteRecord, Problem, Severity
from notewarden.rules import RULES, VAULT_RULES, get_rule
from notewarden.schemas import SchemaSet
from notewarden.timings import phase
from notewarden.vault import VaultFile, WalkProblem, find_vault_root, walk_vault

if TYPE_CHECKING:  # the index (and the parser it imports) loads only when something changed
    from notewarden.index import RecordStore, VaultIndex


class UsageError(Exception):
    """Bad command-line input; reported in one line, exit code 2."""


@dataclass
class Selection:
    """Which rules run, from --select/--ignore and the config's severities."""

    rules: dict[str, Severity]  # active rule -> effective severity

    @classmethod
    def make(cls, config: Config, select: Sequence[str] = (),
             ignore: Sequence[str] = ()) -> Selection:
        for name in (*select, *ignore):
            get_rule(name)  # raises UnknownRuleError naming the rule
        active: dict[str, Severity] = {}
        for name, rule in RULES.items():
            if (select and name not in select) or name in ignore:
                continue
            configured = config.severities.get(name)
            if configured == OFF and name not in select:
                continue
            active[name] = Severity(configured) if configured not in (None, OFF) \
                else rule.severity
        return cls(active)


@dataclass
class Scope:
    """The files a run reports on: those under the PATHs given, minus ignored ones."""

    root: Path
    prefixes: list[str]  # vault-relative POSIX paths; "" is the whole vault
    config: Config

    def includes(self, path: str) -> bool:
        within = self._within
        if within is not None and path not in within[0] and not path.startswith(within[1]):
            return False
        return not self._may_ignore or not self.config.is_ignored(path)

    @cached_property
    def _within(self) -> tuple[frozenset[str], tuple[str, ...]] | None:
        """The prefixes as (exact paths, folder prefixes); None for the whole vault."""
        if "" in self.prefixes:
            return None
        return frozenset(self.prefixes), tuple(prefix + "/" for prefix in self.prefixes)

    @property
    def _may_ignore(self) -> bool:
        return bool(self.config.ignore or self.config.user_ignore_filters)


@dataclass
class Vault:
    """A loaded vault: its root, config and schemas, ready to index."""

    root: Path
    config: Config
    schemas: SchemaSet

    @classmethod
    def open(cls, paths: Sequence[Path],
             allow_missing: bool = False) -> tuple[Vault, list[str]]:
        """Find the vault for the PATHs and return it with the PATHs relative to its root.
        `allow_missing` accepts PATHs that are not on disk (files staged but deleted)."""
        if not paths:
            paths = [Path.cwd()]
        resolved = []
        for path in paths:
            if not allow_missing and not path.exists() and not path.is_symlink():
                raise UsageError(f"path does not exist: {path}")
            resolved.append(path.absolute())
        root = find_vault_root(resolved[0])
        prefixes = []
        for path in resolved:
            try:
                rel = path.relative_to(root).as_posix()
            except ValueError:
                raise UsageError(f"{path} is not inside the vault at {root}") from None
            prefixes.append("" if rel == "." else rel)
        config = load_config(root, set(RULES))
        return cls(root, config, SchemaSet.load(config)), prefixes


@dataclass
class CheckResult:
    root: Path
    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    fixed: int = 0


class NoteResult(NamedTuple):
    """One note's problems as cached in the summary: enough to report it without the index."""

    problems: tuple[tuple[str, Problem], ...]  # single-note rules
    vault: tuple[tuple[str, Problem], ...] | None  # vault rules; None when never computed
    suppressed_lines: dict[int, frozenset[str]]
    suppressed_file: frozenset[str]


class Summary(NamedTuple):
    """The last run's view of the vault: every file's (size, mtime_ns), and each note's
    problems. If no file changed, a run needs nothing else."""

    files: dict[str, tuple[int, int]]
    results: dict[str, NoteResult]
    walk_problems: list[tuple[str, str]]


def summary_salt(vault: Vault) -> str:
    config = vault.config
    settings = repr((config.schemas, config.new_link_format, config.attachment_folder,
                     config.backlinks_globs, config.symmetric_properties))
    return f"{vault.schemas.digest}:{hashlib.sha256(settings.encode()).hexdigest()}"


@dataclass(frozen=True)
class Pending:
    """Changes not on disk that the check should see, such as a commit's staged contents:
    `contents` replace files (or add them), `removed` files are treated as gone.

    `files`, when given, is the vault's complete file list (from the git index, say), so
    the disk is not walked; a file in it with a `blob_id` is trusted by that id and read
    from disk only if the records cache has no record for it. `store` is the records
    cache when the caller has already loaded it."""

    contents: dict[str, bytes] = field(default_factory=dict)
    removed: frozenset[str] = frozenset()
    files: list[VaultFile] | None = None
    store: RecordStore | None = None


LINK_RULES = frozenset({"broken-link", "alias-link", "broken-heading", "broken-block",
                        "missing-attachment", "ambiguous-link"})


def run_check(paths: Sequence[Path], *, select: Sequence[str] = (),
              ignore: Sequence[str] = (), use_cache: bool = True,
              jobs: int | None = None, pending: Pending | None = None) -> CheckResult:
    """Check the notes under `paths`; links resolve against the whole vault.

    With `pending`, the vault is checked as it will be once those changes land, and links
    elsewhere that pointed at a removed note are reported too (their files being in scope
    or not).
    """
    vault, prefixes = Vault.open(paths, allow_missing=pending is not None)
    selection = Selection.make(vault.config, select, ignore)
    scope = Scope(vault.root, prefixes, vault.config)
    if pending is not None:
        return _check_pending(vault, scope, selection, pending, use_cache, jobs)
    with phase("walk"):
        files, walk_problems = walk_vault(vault.root)
    fingerprint = {file.path: (file.size, file.mtime_ns) for file in files}
    salt = summary_salt(vault)
    with phase("load summary cache"):
        previous: Summary | None = cache.load(vault.root, "summary", salt) if use_cache \
            else None
    if previous is not None and previous.files == fingerprint and all(
            previous.results[path].vault is not None
            for path in previous.results if scope.includes(path)):
        return _report(previous.results, previous.walk_problems, scope, selection)

    from notewarden.index import build_index

    index = build_index(vault.config, vault.schemas, use_cache=use_cache, jobs=jobs,
                        walked=(files, walk_problems), save_in_background=True)
    try:
        with phase("vault rules"):
            vault_results = incremental_vault_problems(index, scope, previous, fingerprint)
        return _finish_check(vault, index, scope, selection, previous, fingerprint,
                             vault_results, salt if use_cache else None)
    finally:
        with phase("wait for records cache"):
            index.finish_saving()


def _finish_check(vault: Vault, index: VaultIndex, scope: Scope, selection: Selection,
                  previous: Summary | None, fingerprint: dict[str, tuple[int, int]],
                  vault_results: dict[str, tuple[tuple[str, Problem], ...]],
                  salt: str | None) -> CheckResult:
    """Each note's findings, reusing the summary's for unchanged notes; saves the new
    summary (with this salt; None: no cache) and reports."""
    results = {}
    for path in index.records:
        old = previous.results.get(path) if previous is not None else None
        if old is not None and path not in index.changed \
                and previous is not None and previous.files.get(path) == fingerprint.get(path):
            # Unchanged since the summary: its own findings are too (and its record stays
            # pickled in the cache).
            results[path] = old._replace(vault=vault_results.get(path))
        else:
            record = index.records[path]
            results[path] = NoteResult(record.problems, vault_results.get(path),
                                       record.suppressed_lines, record.suppressed_file)
    if salt is not None:
        with phase("save summary cache"):
            cache.save(vault.root, "summary", salt,
                       Summary(fingerprint, results, index.walk_problems))
    with phase("report"):
        return _report(results, index.walk_problems, scope, selection)


def _check_pending(vault: Vault, scope: Scope, selection: Selection, pending: Pending,
                   use_cache: bool, jobs: int | None) -> CheckResult:
    """A check of the vault with `pending` changes applied. Nothing here matches the disk,
    so the summary cache is neither read nor written."""
    from notewarden.index import PARALLEL_THRESHOLD, build_index, load_store, note_key

    walk_problems: list[WalkProblem] = []
    store = pending.store
    files = pending.files
    if files is not None:
        if store is None and use_cache:
            with phase("load records cache"):
                store = load_store(vault.root, vault.schemas)
        meta = store.meta if store is not None else {}
        unknown = sum(1 for file in files if file.blob_id is not None
                      and (file.path not in meta or meta[file.path][2] != file.blob_id)
                      and file.path.lower().endswith(".md"))
        if unknown >= PARALLEL_THRESHOLD:
            # Most of the vault would be read anyway: walking it instead lets the records
            # cache be refreshed (by size and mtime) for the next run.
            files = None
    listed = files is not None
    if files is None:
        with phase("walk"):
            files, walk_problems = walk_vault(vault.root)
        files = [file for file in files
                 if file.path not in pending.removed and file.path not in pending.contents]
        files += [VaultFile(path, len(data), -2) for path, data in pending.contents.items()]
    index = build_index(vault.config, vault.schemas, use_cache=use_cache, jobs=jobs,
                        walked=(files, walk_problems), overlay=pending.contents,
                        store=store, save=not listed)
    victims: dict[str, frozenset[str]] = {}
    if pending.removed:
        gone = {note_key(path) for path in pending.removed}
        victims = {path: index.records[path].link_keys & gone
                   for path in index.records.linking_to(gone) if not scope.includes(path)}
        scope = Scope(scope.root, scope.prefixes + sorted(victims), scope.config)
    in_scope = [path for path in index.records if scope.includes(path)]
    with phase("vault rules"):
        vault_results = all_vault_problems(index, in_scope)
    results = {path: NoteResult(record.problems, vault_results.get(path),
                                record.suppressed_lines, record.suppressed_file)
               for path in in_scope if (record := index.records[path])}
    with phase("report"):
        result = _report(results, index.walk_problems, scope, selection)
    if victims:
        result.findings = [f for f in result.findings
                           if f.path not in victims or _links_to(index, f, victims[f.path])]
    return result


def _links_to(index: VaultIndex, finding: Finding, keys: frozenset[str]) -> bool:
    """Is this finding about a link whose target is one of `keys` (a removed note)?"""
    from notewarden.names import link_key

    if finding.rule not in LINK_RULES:
        return False
    record = index.records[finding.path]
    return any(link.line == finding.line and link.column == finding.column
               and link_key(link.target) in keys for link in record.links)


def incremental_vault_problems(
    index: VaultIndex, scope: Scope, previous: Summary | None,
    fingerprint: dict[str, tuple[int, int]],
) -> dict[str, tuple[tuple[str, Problem], ...]]:
    """Vault-rule problems for every note in scope, reusing the previous run's where
    nothing they depend on changed. Out-of-scope notes keep theirs if still valid."""
    dirty = None if previous is None else dirty_notes(index, previous, fingerprint)
    anything_changed = dirty is None or bool(dirty) or previous is None \
        or previous.files != fingerprint
    wide = [rule.name for rule in VAULT_RULES if rule.vault_wide]
    out: dict[str, tuple[tuple[str, Problem], ...]] = {}
    fresh: list[str] = []
    for path in index.records:
        old = previous.results.get(path) if previous is not None else None
        old_vault = old.vault if old is not None and dirty is not None \
            and path not in dirty else None
        if not scope.includes(path):
            if old_vault is not None and not (anything_changed and wide):
                out[path] = old_vault
            continue
        if old_vault is None:
            fresh.append(path)
        elif anything_changed and wide:
            kept = [(name, problem) for name, problem in old_vault if name not in wide]
            applying = [name for name in wide if _may_apply(name, index, path)]
            if applying:
                only_wide = Selection({name: RULES[name].severity for name in applying})
                kept += vault_problems(index.records[path], index, only_wide)
            out[path] = tuple(kept)
        else:
            out[path] = old_vault
    out.update(all_vault_problems(index, fresh))
    return out


def _may_apply(name: str, index: VaultIndex, path: str) -> bool:
    applies = RULES[name].applies
    return applies is None or applies(index, path)


def all_vault_problems(index: VaultIndex,
                       paths: list[str]) -> dict[str, tuple[tuple[str, Problem], ...]]:
    """Every vault rule's problems for each note in `paths`.

    This runs in one process: forked workers sharing the index copy-on-write were measured
    no faster on 10,000 notes (0.55-0.94 s against 0.53-0.71 s) for 0.5 s more CPU, since
    the link rules read only the links that do not simply resolve (VaultIndex.link_issues)."""
    every_rule = Selection({name: rule.severity for name, rule in RULES.items()})
    return {path: tuple(vault_problems(index.records[path], index, every_rule))
            for path in paths}


def dirty_notes(index: VaultIndex, previous: Summary,
                fingerprint: dict[str, tuple[int, int]]) -> set[str]:
    """Notes whose link findings may have changed since `previous` (see affected_by)."""
    from notewarden.index import affected_by

    # Changed since the summary: parsed now, gone, or differing from the summary's stats
    # (a run with pending changes may have refreshed the records cache but not the summary).
    changed = set(index.changed) | {path for path in previous.results
                                    if path not in index.records}
    changed |= {path for path in index.records
                if previous.files.get(path) != fingerprint.get(path)}
    touched_files = {path for path in fingerprint.keys() | previous.files.keys()
                     if not path.lower().endswith(".md")
                     and fingerprint.get(path) != previous.files.get(path)}
    return affected_by(index, changed, touched_files, index.previous)


def collect_findings(index: VaultIndex, scope: Scope, selection: Selection) -> CheckResult:
    """Findings for every note in scope, computed afresh (no summary cache)."""
    vault = all_vault_problems(index, [path for path in index.records if scope.includes(path)])
    results = {
        path: NoteResult(record.problems, vault.get(path), record.suppressed_lines,
                         record.suppressed_file)
        for path, record in index.records.items()
    }
    return _report(results, index.walk_problems, scope, selection)


def _report(results: dict[str, NoteResult], walk_problems: list[tuple[str, str]],
            scope: Scope, selection: Selection) -> CheckResult:
    result = CheckResult(scope.root)
    for path in sorted(results):
        if not scope.includes(path):
            continue
        note = results[path]
        result.files_checked += 1
        problems = [(name, problem) for name, problem in (*note.problems, *(note.vault or ()))
                    if name in selection.rules]
        result.findings.extend(stamp(path, note.suppressed_lines, note.suppressed_file,
                                     problems, selection))
    if "unreadable" in selection.rules:
        for path, message in walk_problems:
            if scope.includes(path):
                result.findings.append(Finding(path, 1, 1, "unreadable",
                                               selection.rules["unreadable"], message))
    result.findings.sort(key=lambda f: (f.path, f.line, f.column, f.rule))
    return result


def vault_problems(record: NoteRecord, index: VaultIndex, selection: Selection,
                   source: object = None) -> list[tuple[str, Problem]]:
    """The vault rules' problems for one note; with `source` (its ParsedNote), with fixes."""
    out: list[tuple[str, Problem]] = []
    no_link_issues: bool | None = None  # asked once, if a rule needs to know
    for rule in VAULT_RULES:
        if rule.name not in selection.rules:
            continue
        try:
            if rule.only_link_issues and source is None:
                if no_link_issues is None:
                    no_link_issues = not index.link_issues(record)
                if no_link_issues:
                    continue
            out.extend((rule.name, problem) for problem in rule.check(record, index, source))
        except Exception as exc:  # one rule's bug must not stop the run
            out.append((rule.name, Problem(1, 1, f"internal error in rule {rule.name}: "
                                                 f"{exc!r}; please report this")))
    return out


def stamp(path: str, suppressed_lines: dict[int, frozenset[str]],
          suppressed_file: frozenset[str], problems: Iterable[tuple[str, Problem]],
          selection: Selection) -> Iterable[Finding]:
    """Turn a note's problems into findings: drop suppressed ones, add path and severity."""
    for name, problem in problems:
        if ALL_RULES_MARK in suppressed_file or name in suppressed_file:
            continue
        on_line = suppressed_lines.get(problem.line)
        if on_line and (ALL_RULES_MARK in on_line or name in on_line):
            continue
        yield Finding(path, problem.line, problem.column, name,
                      selection.rules[name], problem.message, problem.fix,
                      problem.fixable or problem.fix is not None)


__all__ = ["CheckResult", "ConfigError", "UsageError", "run_check"]
