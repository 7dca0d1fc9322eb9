"""Formatting findings: text (for people), json (for tools), github (workflow annotations)."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import click

from notewarden.model import Finding, FixSafety, Severity
from notewarden.rules import RULES

_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def summary(findings: list[Finding], files_checked: int, fixed: int = 0) -> dict[str, object]:
    by_severity = Counter(finding.severity.value for finding in findings)
    return {
        "files_checked": files_checked,
        "findings": len(findings),
        "errors": by_severity.get("error", 0),
        "warnings": by_severity.get("warning", 0),
        "info": by_severity.get("info", 0),
        "fixable": sum(1 for finding in findings if finding.fixable),
        "fixed": fixed,
        "by_rule": dict(sorted(Counter(finding.rule for finding in findings).items())),
    }


def format_text(findings: list[Finding], files_checked: int, fixed: int = 0) -> str:
    """`path:line:col: rule message`, then a summary line. Colour is added by click.style
    and stripped by click.echo when the output is not a terminal."""
    lines = []
    for f in findings:
        location = click.style(f"{_printable(f.path)}:{f.line}:{f.column}:", bold=True)
        rule = click.style(f.rule, fg=_COLOURS[f.severity], bold=True)
        marker = click.style(" [*]", fg="cyan") if f.fixable else ""
        lines.append(f"{location} {rule} {f.message}{marker}")
    info = summary(findings, files_checked, fixed)
    parts = []
    if fixed:
        parts.append(f"fixed {fixed}")
    if findings:
        parts.append(f"{info['errors']} error(s), {info['warnings']} warning(s)"
                     + (f", {info['info']} info" if info["info"] else ""))
        unsafe = sum(1 for f in findings
                     if f.fixable and RULES[f.rule].fix_safety is FixSafety.UNSAFE)
        safe = sum(1 for f in findings if f.fixable) - unsafe
        if safe:
            parts.append(f"{safe} fixable with --fix")
        if unsafe:
            parts.append(f"{unsafe} more with --fix --unsafe-fixes")
        text = f"Found {len(findings)} problem(s) in {files_checked} file(s): " + "; ".join(parts)
        lines.append(("\n" if lines else "") + click.style(text, bold=True))
    else:
        lines.append(click.style(
            f"All checks passed: {files_checked} file(s)" + (f"; {parts[0]}" if parts else ""),
            fg="green", bold=True))
    return "\n".join(lines)


def _printable(path: str) -> str:
    """A path with undecodable bytes (lone surrogates) shown as \\xNN, so printing it
    never fails."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def format_json(findings: list[Finding], files_checked: int, fixed: int = 0) -> str:
    payload = {"findings": [f.as_json() for f in findings],
               "summary": summary(findings, files_checked, fixed)}
    text = json.dumps(payload, ensure_ascii=False)  # compact: the C encoder needs no indent
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A file name that is not UTF-8 arrives with lone surrogates: escape them (\udcxx)
        # so the output stays valid JSON in valid UTF-8, and still names the file exactly.
        text = json.dumps(payload)
    return text


def format_github(findings: list[Finding], root: Path) -> str:
    """GitHub workflow commands; paths are made relative to the working directory, which is
    the repository checkout in Actions."""
    levels = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = []
    for f in findings:
        path = _printable(os.path.relpath(root / f.path).replace(os.sep, "/"))
        message = f.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        path = path.replace("%", "%25").replace(",", "%2C").replace(":", "%3A")
        lines.append(f"::{levels[f.severity]} file={path},line={f.line},col={f.column},"
                     f"title=notewarden {f.rule}::{message}")
    return "\n".join(lines)
