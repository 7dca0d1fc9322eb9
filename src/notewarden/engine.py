"""Running a check: files -> index -> rules -> findings.

The CLI calls `run_check`; this module holds the logic the CLI must not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from notewarden.config import OFF, Config, ConfigError, ConfigOverrides, load_config
from notewarden.model import (
    ALL_RULES_MARK,
    INTERNAL_ERROR,
    Finding,
    NoteRecord,
    Problem,
    Severity,
)
from notewarden.rules import RULES, VAULT_RULES, capped, get_rule
from notewarden.schemas import SchemaSet
from notewarden.store import (
    LEGACY_CACHE_DIR,
    Store,
    StoreDamaged,
    decode_summary,
    encode_summary,
    encode_vault_problems,
    fingerprint_digest,
)
from notewarden.timings import phase
from notewarden.vault import VaultFile, WalkProblem, find_vault_root, walk_vault

if TYPE_CHECKING:  # the index (and the parser it imports) loads only when something changed
    from notewarden.index import VaultIndex


class UsageError(Exception):
    """Bad command-line input; reported in one line, exit code 2."""


@dataclass
class Selection:
    """Which rules run, from --select/--ignore and the config's severities."""

    rules: dict[str, Severity]  # active rule -> effective severity

    @classmethod
    def make(cls, config: Config, select: Sequence[str] = (),
             ignore: Sequence[str] = ()) -> Selection:
        # Canonical names (case-insensitive); an unknown one raises UnknownRuleError.
        select = [get_rule(name).name for name in select]
        ignore = [get_rule(name).name for name in ignore]
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
    def open(cls, paths: Sequence[Path], allow_missing: bool = False,
             overrides: ConfigOverrides | None = None) -> tuple[Vault, list[str]]:
        """Find the vault for the PATHs and return it with the PATHs relative to its root.
        `allow_missing` accepts PATHs that are not on disk (files staged but deleted);
        `overrides` are the command line's changes to the config."""
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
        config = load_config(root, set(RULES), overrides)
        return cls(root, config, SchemaSet.load(config)), prefixes


@dataclass
class CheckResult:
    root: Path
    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    fixed: int = 0
    warnings: list[str] = field(default_factory=list)  # one line each, for stderr


class NoteResult(NamedTuple):
    """One note's problems: enough to report it without the index."""

    problems: tuple[tuple[str, Problem], ...]  # single-note rules
    vault: tuple[tuple[str, Problem], ...] | None  # vault rules; None when never computed
    suppressed_lines: dict[int, frozenset[str]]
    suppressed_file: frozenset[str]


def results_salt(vault: Vault) -> str:
    """What the vault rules' findings depend on besides the notes: the schemas and the
    settings the vault rules read. Stored findings made with another salt are not reused."""
    config = vault.config
    settings = repr((config.schemas, config.new_link_format, config.attachment_folder,
                     config.backlinks_globs, config.symmetric_properties))
    return f"{vault.schemas.digest}:{hashlib.sha256(settings.encode()).hexdigest()}"


def open_store(vault: Vault, cache_dir: Path | None = None,
               warnings: list[str] | None = None) -> Store | None:
    """The vault's store (see store.py), or None when it cannot be used."""
    with phase("open store"):
        return Store.open(vault.root, vault.schemas.digest, results_salt(vault), cache_dir,
                          warnings)


@dataclass(frozen=True)
class Pending:
    """Changes not on disk that the check should see, such as a commit's staged contents:
    `contents` replace files (or add them), `removed` files are treated as gone.

    `files`, when given, is the vault's complete file list (from the git index, say), so
    the disk is not walked; a file in it with a `blob_id` is trusted by that id and read
    from disk only if the store has no record for it. `store` is the vault's store when
    the caller has already opened it (run_check closes it)."""

    contents: dict[str, bytes] = field(default_factory=dict)
    removed: frozenset[str] = frozenset()
    files: list[VaultFile] | None = None
    store: Store | None = None


LINK_RULES = frozenset({"broken-link", "alias-link", "broken-heading", "broken-block",
                        "missing-attachment", "ambiguous-link"})


def run_check(paths: Sequence[Path], *, select: Sequence[str] = (),
              ignore: Sequence[str] = (), use_cache: bool = True,
              cache_dir: Path | None = None, jobs: int | None = None,
              pending: Pending | None = None,
              overrides: ConfigOverrides | None = None) -> CheckResult:
    """Check the notes under `paths`; links resolve against the whole vault.

    With `pending`, the vault is checked as it will be once those changes land, and links
    elsewhere that pointed at a removed note are reported too (their files being in scope
    or not). The store lives in the user's cache folder (`cache_dir` overrides it);
    nothing is written inside the vault.
    """
    vault, prefixes = Vault.open(paths, allow_missing=pending is not None,
                                 overrides=overrides)
    selection = Selection.make(vault.config, select, ignore)
    scope = Scope(vault.root, prefixes, vault.config)
    warnings = legacy_cache_hint(vault.root) + settings_warnings(vault.config, selection)
    store = pending.store if pending is not None else None
    if store is None and use_cache:
        store = open_store(vault, cache_dir, warnings)
    try:
        try:
            result = _check(vault, scope, selection, store, pending, jobs)
        except StoreDamaged as exc:
            if store is None:
                raise
            # A damaged or planted store: start cold and write it anew.
            warnings.append(f"the cache was damaged ({exc}); it has been rebuilt")
            store.reset()
            result = _check(vault, scope, selection, store, pending, jobs)
    finally:
        if store is not None:
            store.close()
    result.warnings[:0] = warnings
    return result


def settings_warnings(config: Config, selection: Selection) -> list[str]:
    """One line for an Obsidian settings file that a selected rule cannot use (a damaged
    .obsidian/types.json turns property-type off; it does not stop the run)."""
    if config.property_types_problem and "property-type" in selection.rules:
        return [config.property_types_problem]
    return []


def legacy_cache_hint(root: Path) -> list[str]:
    """A hint about the cache folder older versions kept in the vault (left alone)."""
    if (root / LEGACY_CACHE_DIR).is_dir():
        return [f"{root / LEGACY_CACHE_DIR} was made by an older notewarden and is no longer "
                "used; it can be deleted"]
    return []


def _check(vault: Vault, scope: Scope, selection: Selection, store: Store | None,
           pending: Pending | None, jobs: int | None) -> CheckResult:
    if pending is not None:
        return _check_pending(vault, scope, selection, pending, store, jobs)
    with phase("walk"):
        files, walk_problems = walk_vault(vault.root)
    fingerprint = {file.path: (file.size, file.mtime_ns) for file in files}
    digest = None
    if store is not None:
        with phase("last check"):
            digest = fingerprint_digest(files, [(p.path, p.message) for p in walk_problems])
            last = store.last_check(digest)
            unchanged = _summary_results(last) if last is not None else None
        if unchanged is not None:
            return _report(*unchanged, scope, selection)

    from notewarden.indexing import build_index

    index = build_index(vault.config, vault.schemas, store=store, jobs=jobs,
                        walked=(files, walk_problems))
    with phase("vault rules"):
        vault_results = incremental_vault_problems(index, scope, store, fingerprint)
    results = _note_results(index, store, vault_results)
    if store is not None:
        with phase("save store"):
            save_check(store, index, fingerprint, vault_results, results, digest)
    with phase("report"):
        return _report(results, index.walk_problems, scope, selection)


def _summary_results(last: Any) -> tuple[dict[str, NoteResult], list[tuple[str, str]]]:
    """Each note's results, and the walk's problems, from the last check's summary (see
    store.encode_summary): all an unchanged vault needs."""
    paths, details, walk_problems = decode_summary(last)
    results = dict.fromkeys(paths, _CLEAN)
    for number, (problems, vault, lines, whole_file) in details.items():
        results[paths[number]] = NoteResult(problems, vault, lines, whole_file)
    return results, walk_problems


_NO_PROBLEMS = encode_vault_problems(())
_CLEAN = NoteResult((), (), {}, frozenset())


def _note_results(index: VaultIndex, store: Store | None,
                  vault_results: dict[str, tuple[tuple[str, Problem], ...]]
                  ) -> dict[str, NoteResult]:
    """Each note's results. A note whose record is the store's is reported from the
    store's columns, without reading its record."""
    records = index.records
    results = {}
    for path in records:
        if store is not None and not records.is_fresh(path):  # type: ignore[attr-defined]
            results[path] = NoteResult(store.problems(path), vault_results.get(path),
                                       *store.suppressions(path))
        else:
            record = records[path]
            results[path] = NoteResult(record.problems, vault_results.get(path),
                                       record.suppressed_lines, record.suppressed_file)
    return results


def save_check(store: Store, index: VaultIndex, fingerprint: dict[str, tuple[int, int]],
               vault_results: dict[str, tuple[tuple[str, Problem], ...]],
               results: dict[str, NoteResult] | None = None,
               digest: str | None = None) -> None:
    """Store what a check learnt: its fresh records, every file's stats, and each note's
    vault-rule problems (a note missing from `vault_results` gets none: not computed).
    With every note's `results` and the walk's `digest`, also the summary that answers
    the next check if no file changes."""
    from notewarden.indexing import notes_to_store

    update = notes_to_store(index)
    update.checked = fingerprint
    update.vault = {path: encode_vault_problems(problems)
                    for path, problems in vault_results.items()}
    if results is not None and digest is not None and all(
            result.vault is not None for result in results.values()):
        update.summary = (digest, encode_summary(
            ((path, result.problems, result.vault or (), result.suppressed_lines,
              result.suppressed_file) for path, result in results.items()),
            index.walk_problems))
    store.write(update)


def _check_pending(vault: Vault, scope: Scope, selection: Selection, pending: Pending,
                   store: Store | None, jobs: int | None) -> CheckResult:
    """A check of the vault with `pending` changes applied. Nothing here matches the disk,
    so no findings are stored (records parsed from the disk are)."""
    from notewarden.index import note_key
    from notewarden.indexing import build_index, notes_to_store
    from notewarden.pool import PARALLEL_THRESHOLD

    walk_problems: list[WalkProblem] = []
    files = pending.files
    if files is not None:
        notes = store.notes if store is not None else {}
        unknown = sum(1 for file in files if file.blob_id is not None
                      and (file.path not in notes or notes[file.path].blob_id != file.blob_id)
                      and file.path.lower().endswith(".md"))
        if unknown >= PARALLEL_THRESHOLD:
            # Most of the vault would be read anyway: walking it instead lets the store's
            # records be refreshed (by size and mtime) for the next run.
            files = None
    listed = files is not None
    if files is None:
        with phase("walk"):
            files, walk_problems = walk_vault(vault.root)
        files = [file for file in files
                 if file.path not in pending.removed and file.path not in pending.contents]
        files += [VaultFile(path, len(data), -2) for path, data in pending.contents.items()]
    index = build_index(vault.config, vault.schemas, store=store, jobs=jobs,
                        walked=(files, walk_problems), overlay=pending.contents)
    if store is not None and not listed:
        store.write(notes_to_store(index))
    victims: dict[str, frozenset[str]] = {}
    if pending.removed:
        gone = {note_key(path) for path in pending.removed}
        victims = {path: index.records[path].link_keys & gone
                   for path in index.records.linking_to(gone)  # type: ignore[attr-defined]
                   if not scope.includes(path)}
    # A note the commit changes can stop fitting the typed links (x-links-to) of notes it
    # does not hold: those links are reported too.
    typed_victims: dict[str, frozenset[str]] = {}
    if pending.contents and vault.schemas.typed:
        edited = {note_key(path) for path in pending.contents}
        typed_victims = {
            path: frozenset(edited)
            for path in index.records.linking_to(edited)  # type: ignore[attr-defined]
            if not scope.includes(path) and index.records[path].typed_links}
    if victims or typed_victims:
        scope = Scope(scope.root, scope.prefixes + sorted(victims.keys() | typed_victims),
                      scope.config)
    in_scope = [path for path in index.records if scope.includes(path)]
    with phase("vault rules"):
        vault_results = all_vault_problems(index, in_scope)
    results = {path: NoteResult(record.problems, vault_results.get(path),
                                record.suppressed_lines, record.suppressed_file)
               for path in in_scope if (record := index.records[path])}
    with phase("report"):
        result = _report(results, index.walk_problems, scope, selection)
    if victims or typed_victims:
        result.findings = [
            f for f in result.findings
            if (f.path not in victims and f.path not in typed_victims)
            or (f.path in victims and _links_to(index, f, victims[f.path]))
            or (f.path in typed_victims and _typed_link_to(index, f, typed_victims[f.path]))]
    return result


def _typed_link_to(index: VaultIndex, finding: Finding, keys: frozenset[str]) -> bool:
    """Is this finding about a typed link whose target is one of `keys` (a changed note)?"""
    from notewarden.names import link_key

    if finding.rule != "schema":
        return False
    return any(typed.line == finding.line and typed.column == finding.column
               and link_key(typed.target) in keys
               for typed in index.records[finding.path].typed_links)


def _links_to(index: VaultIndex, finding: Finding, keys: frozenset[str]) -> bool:
    """Is this finding about a link whose target is one of `keys` (a removed note)?"""
    from notewarden.names import link_key

    if finding.rule not in LINK_RULES:
        return False
    record = index.records[finding.path]
    return any(link.line == finding.line and link.column == finding.column
               and link_key(link.target) in keys for link in record.links)


def incremental_vault_problems(
    index: VaultIndex, scope: Scope, store: Store | None,
    fingerprint: dict[str, tuple[int, int]],
) -> dict[str, tuple[tuple[str, Problem], ...]]:
    """Vault-rule problems for every note in scope, reusing the last check's (from the
    store) where nothing they depend on changed. Out-of-scope notes keep theirs if still
    valid."""
    checked = store.checked if store is not None else {}
    dirty = dirty_notes(index, checked, fingerprint) if checked else None
    anything_changed = dirty is None or bool(dirty) or len(checked) != len(fingerprint) \
        or any((row[0], row[1]) != fingerprint.get(path) for path, row in checked.items())
    wide = [rule.name for rule in VAULT_RULES if rule.vault_wide]
    out: dict[str, tuple[tuple[str, Problem], ...]] = {}
    fresh: list[str] = []
    for path in index.records:
        old_vault = store.vault_problems(path) if store is not None and dirty is not None \
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


def dirty_notes(index: VaultIndex, checked: dict[str, tuple[int, int, bytes | None]],
                fingerprint: dict[str, tuple[int, int]]) -> set[str]:
    """Notes whose link findings may have changed since the last check, whose view of
    the vault is `checked` (see affected_by)."""
    from notewarden.index import affected_by

    # Changed since that check: parsed now, gone, or differing from the stats it saw (the
    # store's records may be newer than its findings: a fix or a staged check stores them).
    changed = set(index.changed) | {path for path in checked
                                    if path not in index.records
                                    and path.lower().endswith(".md")}
    changed |= {path for path in index.records
                if _stats(checked.get(path)) != fingerprint.get(path)}
    touched_files = {path for path in fingerprint.keys() | checked.keys()
                     if not path.lower().endswith(".md")
                     and fingerprint.get(path) != _stats(checked.get(path))}
    return affected_by(index, changed, touched_files, index.previous)


def _stats(row: tuple[int, int, bytes | None] | None) -> tuple[int, int] | None:
    return None if row is None else (row[0], row[1])


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
            out.extend((rule.name, problem)
                       for problem in capped(rule.name, rule.check(record, index, source)))
        except StoreDamaged:
            raise
        except Exception as exc:  # one rule's bug must not stop the run
            out.append((rule.name, Problem(1, 1, f"{INTERNAL_ERROR}{rule.name}: "
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
