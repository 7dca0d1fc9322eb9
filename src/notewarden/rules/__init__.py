"""The rule registry: every rule is one module here, listed once below.

A rule module defines NAME, SEVERITY, FIX_SAFETY, SUMMARY, SCOPE and `check`; its
docstring is the documentation `notewarden rules NAME` prints. Rules never read files or
print: note rules see a ParsedNote, vault rules see a NoteRecord and the VaultIndex.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from notewarden.model import FixSafety, Problem, Severity
from notewarden.names import did_you_mean
from notewarden.rules import (
    alias_format,
    alias_link,
    ambiguous_link,
    broken_block,
    broken_heading,
    broken_link,
    duplicate_block,
    encoding,
    missing_attachment,
    missing_backlink,
    mojibake,
    property_type,
    schema,
    tag_format,
    unreadable,
    yaml_syntax,
)

NOTE_SCOPE = "note"  # needs one note's text: runs while indexing, results are cached
VAULT_SCOPE = "vault"  # needs the whole vault's index: runs after indexing


@dataclass(frozen=True)
class Rule:
    name: str
    severity: Severity
    fix_safety: FixSafety
    summary: str
    scope: str
    check: Callable[..., Iterable[Problem]]
    doc: str
    fix: Callable[..., Any] | None = None
    # A vault rule whose findings for a note can change when ANY note changes (backlinks),
    # so incremental re-checks always re-run it.
    vault_wide: bool = False
    # For a vault-wide rule: can it report anything for this note (index, path)? Lets the
    # re-check after each change skip the rest of the vault without reading its records.
    applies: Callable[[Any, str], bool] | None = None
    # A vault rule that, unless given the note's source, reports only on
    # index.link_issues(note): a note without such links needs no call (most notes).
    only_link_issues: bool = False
    # For a rule whose fixes differ in safety: the safety of the fix for a finding with
    # this message (findings come back from the store without their fixes).
    finding_fix_safety: Callable[[str], FixSafety] | None = None

    @classmethod
    def from_module(cls, module: ModuleType) -> Rule:
        return cls(
            name=module.NAME,
            severity=module.SEVERITY,
            fix_safety=module.FIX_SAFETY,
            summary=module.SUMMARY,
            scope=module.SCOPE,
            check=module.check,
            doc=(module.__doc__ or "").strip(),
            fix=getattr(module, "fix", None),
            vault_wide=getattr(module, "VAULT_WIDE", False),
            applies=getattr(module, "applies", None),
            only_link_issues=getattr(module, "ONLY_LINK_ISSUES", False),
            finding_fix_safety=getattr(module, "fix_safety_for", None),
        )

    @property
    def fix_label(self) -> str:
        """The fix's safety as `rules` shows it: "mixed" when it depends on the finding."""
        return "mixed" if self.finding_fix_safety is not None else self.fix_safety.value

    def fix_safety_for(self, message: str) -> FixSafety:
        """How safe the fix is for this rule's finding with `message`."""
        if self.finding_fix_safety is None:
            return self.fix_safety
        return self.finding_fix_safety(message)


_MODULES = (
    unreadable,
    encoding,
    yaml_syntax,
    schema,
    broken_link,
    broken_heading,
    broken_block,
    missing_attachment,
    ambiguous_link,
    alias_link,
    alias_format,
    tag_format,
    property_type,
    duplicate_block,
    mojibake,
    missing_backlink,
)

RULES: dict[str, Rule] = {rule.name: rule for rule in map(Rule.from_module, _MODULES)}
NOTE_RULES = tuple(rule for rule in RULES.values() if rule.scope == NOTE_SCOPE)
# The `schema` rule checks front-matter note by note, and typed links (`x-links-to`)
# against the index: that part runs with the vault rules, under the same name.
_TYPED_LINKS = Rule(schema.NAME, schema.SEVERITY, schema.FIX_SAFETY, schema.SUMMARY,
                    VAULT_SCOPE, schema.check_typed_links, RULES[schema.NAME].doc)
VAULT_RULES = (*(rule for rule in RULES.values() if rule.scope == VAULT_SCOPE), _TYPED_LINKS)


MAX_PROBLEMS_PER_NOTE = 1_000  # per rule: past it, one problem says how many more


def capped(name: str, problems: Iterable[Problem]) -> Iterator[Problem]:
    """A rule's problems for one note, at most MAX_PROBLEMS_PER_NOTE of them and then one
    that counts the rest, so that a note of a million broken links cannot fill memory or
    the report."""
    count = 0
    first_left_out: Problem | None = None
    for problem in problems:
        count += 1
        if count <= MAX_PROBLEMS_PER_NOTE:
            yield problem
        elif first_left_out is None:
            first_left_out = problem
    if first_left_out is not None:
        more = count - MAX_PROBLEMS_PER_NOTE
        yield Problem(first_left_out.line, first_left_out.column,
                      f"and {more:,} more {name} finding(s) in this note (only the first "
                      f"{MAX_PROBLEMS_PER_NOTE:,} are listed)")


class UnknownRuleError(ValueError):
    pass


def get_rule(name: str) -> Rule:
    """The rule of this name, matched case-insensitively (`Broken-Link` is `broken-link`).
    An unknown name is an UnknownRuleError that suggests the nearest rule name."""
    rule = RULES.get(name) or RULES.get(name.strip().lower())
    if rule is None:
        hint = did_you_mean(name, RULES) or "; `notewarden rules` lists them all"
        raise UnknownRuleError(f"unknown rule {name!r}{hint}")
    return rule

