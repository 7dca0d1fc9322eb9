"""Running a check: files -> index -> rules -> findings.

The CLI calls `run_check`; this module holds the logic the CLI must not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from notewarden.config import OFF, Config, ConfigError, load_config
from notewarden.index import VaultIndex, build_index
from notewarden.model import ALL_RULES_MARK, Finding, NoteRecord, Problem, Severity
from notewarden.rules import RULES, VAULT_RULES, get_rule
from notewarden.schemas import SchemaSet
from notewarden.vault import find_vault_root


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
        if self.config.is_ignored(path):
            return False
        return any(not prefix or path == prefix or path.startswith(prefix + "/")
                   for prefix in self.prefixes)


@dataclass
class Vault:
    """A loaded vault: its root, config and schemas, ready to index."""

    root: Path
    config: Config
    schemas: SchemaSet

    @classmethod
    def open(cls, paths: Sequence[Path]) -> tuple[Vault, list[str]]:
        """Find the vault for the PATHs and return it with the PATHs relative to its root."""
        if not paths:
            paths = [Path.cwd()]
        resolved = []
        for path in paths:
            if not path.exists() and not path.is_symlink():
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


def run_check(paths: Sequence[Path], *, select: Sequence[str] = (),
              ignore: Sequence[str] = (), use_cache: bool = True,
              jobs: int | None = None) -> CheckResult:
    """Check the notes under `paths`; links resolve against the whole vault."""
    vault, prefixes = Vault.open(paths)
    selection = Selection.make(vault.config, select, ignore)
    index = build_index(vault.config, vault.schemas, use_cache=use_cache, jobs=jobs)
    scope = Scope(vault.root, prefixes, vault.config)
    return collect_findings(index, scope, selection)


def vault_problems(record: NoteRecord, index: VaultIndex, selection: Selection,
                   source: object = None) -> list[tuple[str, Problem]]:
    """The vault rules' problems for one note; with `source` (its ParsedNote), with fixes."""
    rules = [rule for rule in VAULT_RULES if rule.name in selection.rules]
    out: list[tuple[str, Problem]] = []
    for rule in rules:
        try:
            out.extend((rule.name, problem) for problem in rule.check(record, index, source))
        except Exception as exc:  # one rule's bug must not stop the run
            out.append((rule.name, Problem(1, 1, f"internal error in rule {rule.name}: "
                                                 f"{exc!r}; please report this")))
    return out


def collect_findings(index: VaultIndex, scope: Scope, selection: Selection) -> CheckResult:
    result = CheckResult(scope.root)
    for path in sorted(index.records):
        if not scope.includes(path):
            continue
        record = index.records[path]
        result.files_checked += 1
        problems = [(name, problem) for name, problem in record.problems
                    if name in selection.rules]
        problems.extend(vault_problems(record, index, selection))
        result.findings.extend(stamp(record, problems, selection))
    if "unreadable" in selection.rules:
        for path, message in index.walk_problems:
            if scope.includes(path):
                result.findings.append(Finding(path, 1, 1, "unreadable",
                                               selection.rules["unreadable"], message))
    result.findings.sort(key=lambda f: (f.path, f.line, f.column, f.rule))
    return result


def stamp(record: NoteRecord, problems: list[tuple[str, Problem]],
          selection: Selection) -> Iterable[Finding]:
    """Turn a note's problems into findings: drop suppressed ones, add path and severity."""
    whole_file = record.suppressed_file
    by_line = record.suppressed_lines
    for name, problem in problems:
        if ALL_RULES_MARK in whole_file or name in whole_file:
            continue
        on_line = by_line.get(problem.line)
        if on_line and (ALL_RULES_MARK in on_line or name in on_line):
            continue
        yield Finding(record.path, problem.line, problem.column, name,
                      selection.rules[name], problem.message, problem.fix,
                      problem.fixable or problem.fix is not None)


__all__ = ["CheckResult", "ConfigError", "UsageError", "run_check"]
