"""SARIF 2.1.0 output (`check --format sarif`), the format GitHub code scanning and editors'
SARIF viewers read.

One run, whose tool driver lists every rule: `id`, `shortDescription` (the rule's SUMMARY),
`fullDescription` (its "What it does" section), `help` (its whole documentation, as text and
Markdown) and its default level; each result names its rule, level, message and location.
Structure as in the OASIS standard, https://docs.oasis-open.org/sarif/sarif/v2.1.0/ (the
test suite validates the output against its JSON Schema). Columns count characters, so the
run says `columnKind: unicodeCodePoints` (SARIF's default would be UTF-16 code units).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from notewarden import __version__
from notewarden.model import Finding, Severity
from notewarden.output import PathDisplay, json_text
from notewarden.rules import RULES, Rule

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_SECTION = re.compile(r"^## (.+)$", re.MULTILINE)


def format_sarif(findings: list[Finding], show_path: PathDisplay) -> str:
    """The findings as one SARIF 2.1.0 log, on one line."""
    rule_index = {name: number for number, name in enumerate(RULES)}
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "notewarden",
                "version": __version__,
                "rules": [_descriptor(rule) for rule in RULES.values()],
            }},
            "columnKind": "unicodeCodePoints",
            "results": [_result(finding, rule_index, show_path) for finding in findings],
        }],
    }
    return json_text(log)


def _descriptor(rule: Rule) -> dict[str, object]:
    return {
        "id": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": doc_section(rule.doc, "What it does") or rule.summary},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {"fix": rule.fix_safety.value},
    }


def _result(finding: Finding, rule_index: dict[str, int],
            show_path: PathDisplay) -> dict[str, object]:
    return {
        "ruleId": finding.rule,
        "ruleIndex": rule_index[finding.rule],
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": file_uri(show_path(finding.path))},
            "region": {"startLine": finding.line, "startColumn": finding.column},
        }}],
    }


def file_uri(path: str) -> str:
    """A relative path as a URI reference: every byte but unreserved characters and `/`
    percent-encoded (RFC 3986), a file-name byte that is not UTF-8 as itself (`%FF`)."""
    return quote(path, safe="/", encoding="utf-8", errors="surrogateescape")


def doc_section(doc: str, title: str) -> str:
    """The text of one `## title` section of a rule's documentation ("" if it has none)."""
    headings = list(_SECTION.finditer(doc))
    for number, heading in enumerate(headings):
        if heading.group(1).strip() == title:
            end = headings[number + 1].start() if number + 1 < len(headings) else len(doc)
            return " ".join(doc[heading.end():end].split())
    return ""
