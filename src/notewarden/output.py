r"""Formatting findings: text (for people), json (for tools), github (workflow annotations).

Paths and messages carry text from the vault (file names, headings, link targets, property
values), so no output prints it raw: a newline in a file name would forge a finding line, an
escape sequence would rewrite the terminal. Every output escapes the characters that can
break or disguise a line (CONTROL_CHARACTERS: C0 and C1 controls, DEL, U+2028 and U+2029,
and the bidirectional overrides and isolates that make a line read in another order):
- text (`printable`, `printable_path`): `\n`, `\r`, `\t`, `\xHH`, `\uXXXX`; a path that
  needs any escape is written in double quotes, with backslashes (`\\`) and quotes (`\"`)
  escaped too, as git
  quotes such paths, so that a path shown bare is always exactly the file's name;
- github: GitHub's own `%0A`/`%0D`/`%25` escaping, and `%XX` for the other controls;
- json: json.dumps escapes C0 controls; the others are written as `\uXXXX` too, so that
  one object is one line even for readers that split lines on U+2028 or U+0085.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import click

from notewarden.model import Finding, FixSafety, Severity
from notewarden.rules import RULES

_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}

# Lone surrogates are file-name bytes that are not UTF-8 (os.fsdecode's surrogateescape).
CONTROL_CHARACTERS = ("\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                      "\ud800-\udfff")
_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")
_QUOTED = re.compile(f"[{CONTROL_CHARACTERS}\\\\\"]")
_JSON_UNESCAPED = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\", '"': '\\"'}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    short = _SHORT_ESCAPES.get(char)
    if short is not None:
        return short
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # the undecodable byte itself
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    r"""Text with every character of CONTROL_CHARACTERS written as a visible escape
    (`\n`, `\x1b`, `\u2028`; an undecodable file-name byte as `\xNN`), so that printing it
    can neither break a line, nor move the cursor, nor fail."""
    return _CONTROL.sub(_escape, text) if _CONTROL.search(text) else text


def printable_path(path: str) -> str:
    """A path as text output shows it: as it is, or, when it holds a character that
    `printable` escapes (or starts with a double quote), in double quotes with backslashes
    and quotes escaped too, so that a bare path is always exactly the file's name."""
    if not _CONTROL.search(path) and not path.startswith('"'):
        return path
    return '"' + _QUOTED.sub(_escape, path) + '"'


def json_text(payload: object) -> str:
    r"""`payload` as one line of JSON in valid UTF-8: every CONTROL_CHARACTERS character is
    escaped (json.dumps escapes only C0), undecodable file-name bytes as `\udcNN`."""
    text = json.dumps(payload, ensure_ascii=False)  # compact: the C encoder needs no indent
    if text.isascii():  # the usual case, told at memory speed: nothing below can apply
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A file name that is not UTF-8 arrives with lone surrogates: escape them (\udcxx)
        # so the output stays valid JSON in valid UTF-8, and still names the file exactly.
        text = json.dumps(payload)
    if _JSON_UNESCAPED.search(text):  # outside strings JSON has none of these characters
        text = _JSON_UNESCAPED.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    return text


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
        location = click.style(f"{printable_path(f.path)}:{f.line}:{f.column}:", bold=True)
        rule = click.style(f.rule, fg=_COLOURS[f.severity], bold=True)
        marker = click.style(" [*]", fg="cyan") if f.fixable else ""
        lines.append(f"{location} {rule} {printable(f.message)}{marker}")
    info = summary(findings, files_checked, fixed)
    parts = []
    if fixed:
        parts.append(f"fixed {fixed}")
    if findings:
        parts.append(f"{info['errors']} error(s), {info['warnings']} warning(s)"
                     + (f", {info['info']} info" if info["info"] else ""))
        unsafe = sum(1 for f in findings
                     if f.fixable
                     and RULES[f.rule].fix_safety_for(f.message) is FixSafety.UNSAFE)
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


def format_json(findings: list[Finding], files_checked: int, fixed: int = 0) -> str:
    payload = {"findings": [f.as_json() for f in findings],
               "summary": summary(findings, files_checked, fixed)}
    return json_text(payload)


def format_github(findings: list[Finding], root: Path) -> str:
    """GitHub workflow commands; paths are made relative to the working directory, which is
    the repository checkout in Actions. GitHub unescapes `%25`, `%0D`, `%0A` (and, in
    properties, `%3A` and `%2C`), so a path with a newline still names its file; the other
    control characters are written `%XX` (their UTF-8 bytes), shown as such."""
    levels = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = []
    for f in findings:
        path = _github_escape(os.path.relpath(root / f.path).replace(os.sep, "/"))
        path = path.replace(",", "%2C").replace(":", "%3A")
        lines.append(f"::{levels[f.severity]} file={path},line={f.line},col={f.column},"
                     f"title=notewarden {f.rule}::{_github_escape(f.message)}")
    return "\n".join(lines)


def _github_escape(text: str) -> str:
    text = text.replace("%", "%25")
    return _CONTROL.sub(_percent_bytes, text) if _CONTROL.search(text) else text


def _percent_bytes(match: re.Match[str]) -> str:
    char = match.group()
    try:
        data = char.encode("utf-8", "surrogateescape")  # an undecodable file-name byte
    except UnicodeEncodeError:
        data = char.encode("utf-8", "surrogatepass")
    return "".join(f"%{byte:02X}" for byte in data)
