"""Fixing: findings -> fixes -> byte edits -> files.

Fixes are applied to an in-memory copy of the changed notes, pass after pass, because one
fix can expose another (an alias link repaired adds a backlink). Each pass re-indexes the
vault with that copy, re-reads fixes against the new bytes, and applies the ones that don't
overlap. When a pass changes nothing (or the pass cap is reached), the changed notes are
written atomically, or shown as a diff.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from notewarden.config import ConfigOverrides
from notewarden.edits import apply_edits, select_edits
from notewarden.engine import (
    CheckResult,
    Scope,
    Selection,
    Vault,
    collect_findings,
    legacy_cache_hint,
    open_store,
    settings_warnings,
    stamp,
    vault_problems,
)
from notewarden.indexing import build_index, notes_to_store
from notewarden.model import INTERNAL_ERROR, Finding, Fix, FixSafety
from notewarden.parsing.note import parse_note
from notewarden.pool import record_from, run_note_rules
from notewarden.rules import RULES
from notewarden.store import Store, StoreDamaged
from notewarden.vault import VaultFile
from notewarden.writer import Snapshot, WriteSkipped, read_with_snapshot, write_atomic

MAX_PASSES = 10


@dataclass
class FixResult:
    check: CheckResult  # what is left after fixing
    fixed: int = 0  # findings that went away
    changed: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)  # path: (old, new)
    skipped: list[str] = field(default_factory=list)  # writes refused, with the reason
    # Rules that failed while making a note's fixes (their fixes are missing), one line each.
    errors: list[str] = field(default_factory=list)
    passes: int = 0


def allowed(finding: Finding, unsafe: bool) -> bool:
    safety = RULES[finding.rule].fix_safety_for(finding.message)
    return finding.fixable and (safety is FixSafety.SAFE or
                                (unsafe and safety is FixSafety.UNSAFE))


def run_fix(paths: Sequence[Path], *, select: Sequence[str] = (), ignore: Sequence[str] = (),
            unsafe: bool = False, write: bool = True, use_cache: bool = True,
            cache_dir: Path | None = None, jobs: int | None = None,
            overrides: ConfigOverrides | None = None) -> FixResult:
    """Fix what can be fixed under `paths`, then report what is left."""
    vault, prefixes = Vault.open(paths, overrides=overrides)
    warnings = legacy_cache_hint(vault.root) + settings_warnings(
        vault.config, Selection.make(vault.config, select, ignore))
    store = open_store(vault, cache_dir, warnings) if use_cache else None
    try:
        try:
            outcome = _fix(vault, prefixes, select, ignore, unsafe, write, store, jobs)
        except StoreDamaged as exc:
            if store is None:
                raise
            warnings.append(f"the cache was damaged ({exc}); it has been rebuilt")
            store.reset()
            outcome = _fix(vault, prefixes, select, ignore, unsafe, write, store, jobs)
    finally:
        if store is not None:
            store.close()
    outcome.check.warnings[:0] = warnings
    return outcome


def _fix(vault: Vault, prefixes: list[str], select: Sequence[str], ignore: Sequence[str],
         unsafe: bool, write: bool, store: Store | None, jobs: int | None) -> FixResult:
    selection = Selection.make(vault.config, select, ignore)
    scope = Scope(vault.root, prefixes, vault.config)
    overlay: dict[str, bytes] = {}
    originals: dict[str, tuple[bytes, Snapshot]] = {}
    passes = 0
    fixed: dict[str, int] = defaultdict(int)  # path -> findings fixed there
    failures: set[str] = set()
    while True:
        index = build_index(vault.config, vault.schemas, store=store, jobs=jobs,
                            overlay=overlay)
        if store is not None and passes == 0:
            store.write(notes_to_store(index))  # what was parsed from disk
        result = collect_findings(index, scope, selection)
        todo = [finding for finding in result.findings if allowed(finding, unsafe)]
        if not todo or passes >= MAX_PASSES:
            break
        passes += 1
        changed_this_pass = False
        by_path: dict[str, list[Finding]] = defaultdict(list)
        for finding in todo:
            by_path[finding.path].append(finding)
        for path, findings in sorted(by_path.items()):
            if path not in overlay:
                try:
                    originals[path] = read_with_snapshot(vault.root / path)
                except OSError:
                    continue
            data = overlay.get(path, originals[path][0])
            answers, errors = _fixes_for(vault, index, path, data,
                                         {f.rule for f in findings}, selection, unsafe)
            failures.update(errors)
            edits, applied, _deferred = select_edits(answers)
            if not edits:
                continue
            new = apply_edits(data, edits)
            if new != data:
                overlay[path] = new
                changed_this_pass = True
                fixed[path] += sum(answers[fix] for fix in applied)
        if not changed_this_pass:
            break

    changed = {path: (originals[path][0], new) for path, new in overlay.items()
               if new != originals[path][0]}
    outcome = FixResult(result, passes=passes, changed=changed,
                        fixed=sum(fixed[path] for path in changed), errors=sorted(failures))
    if write:
        not_written = set()
        for path, (_old, new) in sorted(changed.items()):
            try:
                write_atomic(vault.root / path, new, originals[path][1], vault.root)
            except WriteSkipped as exc:
                outcome.skipped.append(str(exc))
                not_written.add(path)
        if not_written:
            # Report what is really on disk for the files that were not written.
            for path in not_written:
                del overlay[path]
            index = build_index(vault.config, vault.schemas, store=store, jobs=jobs,
                                overlay=overlay)
            result = outcome.check = collect_findings(index, scope, selection)
            outcome.fixed = sum(fixed[path] for path in changed if path not in not_written)
    result.fixed = outcome.fixed
    return outcome


def _fixes_for(vault: Vault, index: object, path: str, data: bytes, rules: set[str],
               selection: Selection, unsafe: bool) -> tuple[dict[Fix, int], list[str]]:
    """Fresh fixes for one note, from its current bytes, for the rules that found something,
    and a line for each rule that failed while making them (a check without fixes
    reports the finding, so the failure would otherwise go unseen). Suppressed findings are
    dropped exactly as when checking."""
    note = parse_note(path, data)
    file = VaultFile(path, len(data), -1)
    problems = [(name, problem) for name, problem
                in run_note_rules(note, vault.schemas, want_fixes=True) if name in rules]
    record = record_from(note, file, problems, vault.schemas)
    problems += [(name, problem) for name, problem
                 in vault_problems(record, index, selection, source=note)  # type: ignore[arg-type]
                 if name in rules]
    errors = [f"{path}: {problem.message}; its fixes were not made"
              for _name, problem in problems if problem.message.startswith(INTERNAL_ERROR)]
    answers: dict[Fix, int] = {}  # fix -> how many findings it answers (one may answer several)
    for finding in stamp(path, record.suppressed_lines, record.suppressed_file,
                         [(n, p) for n, p in problems if n in selection.rules], selection):
        if finding.fix is not None and allowed(finding, unsafe):
            answers[finding.fix] = answers.get(finding.fix, 0) + 1
    return answers, errors


def unified_diff(changed: dict[str, tuple[bytes, bytes]]) -> str:
    """A unified diff of every changed note, as `git diff` would show it."""
    out: list[str] = []
    for path, (old, new) in sorted(changed.items()):
        old_lines = old.decode("utf-8", "replace").splitlines(keepends=True)
        new_lines = new.decode("utf-8", "replace").splitlines(keepends=True)
        for line in difflib.unified_diff(old_lines, new_lines, f"a/{path}", f"b/{path}"):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
