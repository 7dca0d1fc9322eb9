"""Reporting a check's result: which format, colour or not, and the exit code.

The CLI parses the options into a ReportOptions and hands the result here; the formats
themselves live in output.py (and sarif.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from notewarden.engine import CheckResult, UsageError
from notewarden.model import Finding, Severity
from notewarden.output import (
    PathDisplay,
    format_github,
    format_json,
    format_json_lines,
    format_statistics,
    format_text,
    plural,
    printable_path,
    statistics_json,
    summary_line,
)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "json-lines", "github", "sarif")
COLOUR_CHOICES = ("auto", "always", "never")


@dataclass(frozen=True)
class ReportOptions:
    output_format: str = "text"
    colour: str = "auto"  # one of COLOUR_CHOICES
    quiet: bool = False
    statistics: bool = False
    unsafe_fixes: bool = False
    exit_zero: bool = False
    exit_non_zero_on_fix: bool = False

    def check(self) -> None:
        """Reject combinations that have no meaning (a UsageError, exit 2)."""
        if self.statistics and self.output_format not in ("text", "json"):
            raise UsageError("--statistics works with --format text or json, not "
                             f"{self.output_format}")


def use_colour(choice: str, environ: Mapping[str, str] | None = None) -> bool | None:
    """True or False to force colour on or off, None for "on a terminal only" (what
    click.echo decides by itself).

    `--color always|never` wins. Otherwise NO_COLOR, when set to anything but the empty
    string, turns colour off even on a terminal (https://no-color.org: "when present and
    not an empty string ... prevents the addition of ANSI color"), and FORCE_COLOR, set
    and not empty, turns it on through a pipe (https://force-color.org). When both are
    set, NO_COLOR wins: asking for no colour is the safer reading of a muddled setting."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    return None


def render(result: CheckResult, options: ReportOptions, cwd: Path | None = None) -> str:
    """The report for stdout, in the chosen format ("" when there is nothing to print)."""
    show_path = PathDisplay(result.root, cwd)
    findings = result.findings
    unsafe = options.unsafe_fixes
    fmt = options.output_format
    if options.statistics:
        if fmt == "json":
            return statistics_json(findings, unsafe)
        table = format_statistics(findings, unsafe)
        if options.quiet:
            return table
        tail = summary_line(findings, result.files_checked, result.fixed, unsafe)
        return f"{table}\n\n{tail}" if table else tail
    if fmt == "json":
        return format_json(findings, result.files_checked, result.fixed, show_path=show_path)
    if fmt == "json-lines":
        return format_json_lines(findings, show_path=show_path)
    if fmt == "github":
        return format_github(findings, show_path)
    if fmt == "sarif":
        from notewarden.sarif import format_sarif

        return format_sarif(findings, show_path)
    return format_text(findings, result.files_checked, result.fixed, show_path=show_path,
                       unsafe=unsafe, quiet=options.quiet)


def fails(findings: Sequence[Finding]) -> bool:
    """Does this run fail? Any error or warning does; a finding of severity `info` never
    does (it is there to be read, as a rule set to `info` in the config asks)."""
    return any(finding.severity is not Severity.INFO for finding in findings)


def exit_code(result: CheckResult, options: ReportOptions, changed: bool = False) -> int:
    """0 clean (or `--exit-zero`), 1 findings that fail the run (see `fails`), or, with
    `--exit-non-zero-on-fix`, files changed."""
    if options.exit_zero:
        return EXIT_CLEAN
    failed = fails(result.findings) or (options.exit_non_zero_on_fix and changed)
    return EXIT_FINDINGS if failed else EXIT_CLEAN


def diff_summary(fixed: int, files: int) -> str:
    """What `--diff` says on stderr after the diff."""
    return f"Would fix {plural(fixed, 'problem')} in {plural(files, 'file')}"


def no_notes_warning(paths: Sequence[Path], result: CheckResult) -> str | None:
    """"no notes found under PATH" when a check of PATHs found no note to check: an empty
    folder or one holding no Markdown is most likely the wrong folder."""
    if result.files_checked or result.findings:
        return None
    named = ", ".join(printable_path(str(path)) for path in paths) if paths else "."
    return f"no notes found under {named}"


def warnings_to_show(result: CheckResult, paths: Sequence[Path],
                     staged_check: bool = False) -> list[str]:
    """The run's warnings for stderr, plus "no notes found" for a check of PATHs that
    found none (a staged check with nothing staged is not a mistake)."""
    warning = None if staged_check else no_notes_warning(paths, result)
    return [*result.warnings, warning] if warning else list(result.warnings)
