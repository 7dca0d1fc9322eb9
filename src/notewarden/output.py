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
- json: the encoder escapes C0 controls; the others are written as `\uXXXX` too, so that
  one object is one line even for readers that split lines on U+2028 or U+0085.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import click
import orjson

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


# _JSON_UNESCAPED's characters as UTF-8 bytes (UTF-8 is self-synchronising, so these bytes
# occur in valid UTF-8 only as those characters): searched for with a literal first byte,
# which reads at memory speed, where the character class reads ~6 ns a character.
_UNESCAPED_UTF8 = (re.compile(b"\x7f"), re.compile(b"\xc2[\x80-\x9f]"),
                   re.compile(b"\xe2(?:\x80[\xa8-\xae]|\x81[\xa6-\xa9])"))


def json_text(payload: object) -> str:
    r"""`payload` as one line of compact JSON in valid UTF-8: every CONTROL_CHARACTERS
    character is escaped (the encoder escapes only C0), undecodable file-name bytes as
    `\udcNN`.

    orjson writes the same text as `json.dumps(payload, ensure_ascii=False,
    separators=(",", ":"))` (tests/test_output_json.py holds it to that), 13x faster: 36
    against 482 ms for the 105,000 findings of a 100,000-note vault."""
    try:
        data = orjson.dumps(payload)
    except TypeError:
        # A file name that is not UTF-8 arrives with lone surrogates, which orjson refuses:
        # json.dumps escapes them (\udcxx) and everything else that is not ASCII, so the
        # output stays valid JSON in valid UTF-8 and still names the file exactly.
        return json.dumps(payload, separators=(",", ":"))
    if data.isascii() and b"\x7f" not in data:  # the usual case, told at memory speed
        return data.decode("ascii")
    text = data.decode("utf-8")
    if any(pattern.search(data) for pattern in _UNESCAPED_UTF8):
        # Outside strings JSON has none of these characters.
        text = _JSON_UNESCAPED.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    return text


def fix_shown(finding: Finding, unsafe: bool = False) -> bool:
    """Would `--fix` (with `--unsafe-fixes` when `unsafe`) fix this finding? What `[*]`
    marks. A fix's safety is its rule's FIX_SAFETY, exactly as fixer.allowed decides."""
    if not finding.fixable:
        return False
    safety = RULES[finding.rule].fix_safety_for(finding.message)
    return safety is FixSafety.SAFE or (unsafe and safety is FixSafety.UNSAFE)


def plural(count: int, word: str) -> str:
    """`1 note`, `2 notes`."""
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


class PathDisplay:
    """Vault-relative paths shown relative to the current folder, as ruff shows them, so a
    terminal or editor can open `../Home.md:3:1` from wherever the command ran. Worked
    out once per folder: a report names the same few folders many times."""

    def __init__(self, root: Path, cwd: Path | None = None) -> None:
        self._root = root
        self._cwd = str(cwd if cwd is not None else Path.cwd())
        self._folders: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        folder, _slash, name = path.rpartition("/")
        shown = self._folders.get(folder)
        if shown is None:
            absolute = self._root / folder if folder else self._root
            try:
                shown = os.path.relpath(absolute, self._cwd).replace(os.sep, "/")
            except ValueError:  # another drive (Windows): no relative path exists
                shown = absolute.as_posix()
            self._folders[folder] = shown
        return name if shown == "." else f"{shown}/{name}"


def summary(findings: list[Finding], files_checked: int, fixed: int = 0) -> dict[str, object]:
    by_severity = Counter(finding.severity.value for finding in findings)
    return {
        "files_checked": files_checked,
        "files_with_findings": len({finding.path for finding in findings}),
        "findings": len(findings),
        "errors": by_severity.get("error", 0),
        "warnings": by_severity.get("warning", 0),
        "info": by_severity.get("info", 0),
        "fixable": sum(1 for finding in findings if finding.fixable),
        "fixed": fixed,
        "by_rule": dict(sorted(Counter(finding.rule for finding in findings).items())),
    }


def text_line(finding: Finding, shown_path: str, unsafe: bool = False) -> str:
    """`path:line:col: rule message [*]`, styled (click.echo strips the style when colour
    is off)."""
    location = click.style(f"{printable_path(shown_path)}:{finding.line}:{finding.column}:",
                           bold=True)
    rule = click.style(finding.rule, fg=_COLOURS[finding.severity], bold=True)
    marker = click.style(" [*]", fg="cyan") if fix_shown(finding, unsafe) else ""
    return f"{location} {rule} {printable(finding.message)}{marker}"


def summary_line(findings: list[Finding], files_checked: int, fixed: int = 0,
                 unsafe: bool = False) -> str:
    """`Found 15 problems in 6 of 10 notes: ...`, or `All checks passed: 10 notes`."""
    fixed_part = f"fixed {fixed}" if fixed else ""
    if not findings:
        return click.style(f"All checks passed: {plural(files_checked, 'note')}"
                           + (f"; {fixed_part}" if fixed_part else ""), fg="green", bold=True)
    by_severity = Counter(finding.severity for finding in findings)
    counts = [plural(by_severity[Severity.ERROR], "error"),
              plural(by_severity[Severity.WARNING], "warning")]
    if by_severity[Severity.INFO]:
        counts.append(f"{by_severity[Severity.INFO]:,} info")
    parts = [fixed_part] if fixed_part else []
    parts.append(", ".join(counts))
    shown = sum(1 for finding in findings if fix_shown(finding, unsafe))
    hidden = sum(1 for finding in findings if fix_shown(finding, True)) - shown
    if shown:
        parts.append(f"{shown:,} fixable with --fix" + (" --unsafe-fixes" if unsafe else ""))
    if hidden:
        parts.append(f"{hidden:,} more with --unsafe-fixes")
    with_findings = len({finding.path for finding in findings})
    # An unreadable file is reported but is no note of the check's count: never "3 of 2".
    total = max(files_checked, with_findings)
    noun = "note" if total == 1 else "notes"
    text = (f"Found {plural(len(findings), 'problem')} in {with_findings:,} of {total:,} "
            f"{noun}: " + "; ".join(parts))
    return click.style(text, bold=True)


def format_text(findings: list[Finding], files_checked: int, fixed: int = 0, *,
                show_path: PathDisplay | None = None, unsafe: bool = False,
                quiet: bool = False) -> str:
    """`path:line:col: rule message`, then a summary line (none when `quiet`). Colour is
    added by click.style and stripped by click.echo unless colour is on."""
    lines = [text_line(f, show_path(f.path) if show_path else f.path, unsafe)
             for f in findings]
    if not quiet:
        tail = summary_line(findings, files_checked, fixed, unsafe)
        lines.append(("\n" if lines else "") + tail)
    return "\n".join(lines)


def format_json(findings: list[Finding], files_checked: int, fixed: int = 0, *,
                show_path: PathDisplay | None = None) -> str:
    """One object: `findings` (each with `path`, vault-relative, and `file`, relative to
    the current folder) and `summary`."""
    payload = {"findings": [_json_finding(f, show_path) for f in findings],
               "summary": summary(findings, files_checked, fixed)}
    return json_text(payload)


def format_json_lines(findings: list[Finding], *, show_path: PathDisplay | None = None) -> str:
    """One finding a line, as in `json` (no summary); nothing at all for a clean run."""
    return "\n".join(json_text(_json_finding(f, show_path)) for f in findings)


def _json_finding(finding: Finding, show_path: PathDisplay | None) -> dict[str, object]:
    fields = finding.as_json()
    fields["file"] = show_path(finding.path) if show_path else finding.path
    return fields


def format_statistics(findings: list[Finding], unsafe: bool = False) -> str:
    """A count of findings per rule, most first: count, rule, severity, and how many
    `--fix` would fix (`[*]` marks the rules with any)."""
    rows = []
    for rule, count in sorted(Counter(f.rule for f in findings).items(),
                              key=lambda item: (-item[1], item[0])):
        of_rule = [f for f in findings if f.rule == rule]
        severity = max((f.severity for f in of_rule), key=_SEVERITY_ORDER.index)
        shown = sum(1 for f in of_rule if fix_shown(f, unsafe))
        hidden = sum(1 for f in of_rule if fix_shown(f, True)) - shown
        fix = f"[*] {shown:,} fixable" if shown else ""
        if hidden:
            fix += ("; " if fix else "") + f"{hidden:,} with --unsafe-fixes"
        rows.append((f"{count:,}", rule, severity.value, fix))
    if not rows:
        return ""
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(f"{row[0]:>{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}"
                     f"  {row[3]}".rstrip() for row in rows)


def statistics_json(findings: list[Finding], unsafe: bool = False) -> str:
    """The statistics as a JSON list: rule, severity, count, fixable (with --fix)."""
    out = []
    for rule, count in sorted(Counter(f.rule for f in findings).items(),
                              key=lambda item: (-item[1], item[0])):
        of_rule = [f for f in findings if f.rule == rule]
        severity = max((f.severity for f in of_rule), key=_SEVERITY_ORDER.index)
        out.append({"rule": rule, "severity": severity.value, "count": count,
                    "fixable": sum(1 for f in of_rule if fix_shown(f, unsafe)),
                    "unsafe_fixable": sum(1 for f in of_rule if fix_shown(f, True))
                    - sum(1 for f in of_rule if fix_shown(f, unsafe))})
    return json_text(out)


_SEVERITY_ORDER = [Severity.INFO, Severity.WARNING, Severity.ERROR]


def format_github(findings: list[Finding], show_path: PathDisplay) -> str:
    """GitHub workflow commands; paths are relative to the working directory, which is
    the repository checkout in Actions. GitHub unescapes `%25`, `%0D`, `%0A` (and, in
    properties, `%3A` and `%2C`), so a path with a newline still names its file; the other
    control characters are written `%XX` (their UTF-8 bytes), shown as such."""
    levels = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = []
    for f in findings:
        path = _github_escape(show_path(f.path))
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
