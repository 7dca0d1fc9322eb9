"""The command line: parses arguments and dispatches. No logic lives here."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn

import click

from notewarden import __version__
from notewarden.config import ConfigError, ConfigOverrides
from notewarden.engine import UsageError, run_check
from notewarden.report import (
    COLOUR_CHOICES,
    EXIT_ERROR,
    FORMATS,
    ReportOptions,
    diff_summary,
    exit_code,
    render,
    use_colour,
    warnings_to_show,
)
from notewarden.rules import RULES, UnknownRuleError, get_rule


def _one_line_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn expected errors into one line on stderr and exit code 2, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (ConfigError, UsageError, UnknownRuleError) as exc:
            click.echo(f"notewarden: error: {exc}", err=True)
            sys.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            sys.exit(130)
        except Exception as exc:
            if os.environ.get("NOTEWARDEN_DEBUG"):
                raise
            click.echo(f"notewarden: internal error: {exc!r} (set NOTEWARDEN_DEBUG=1 for "
                       "the traceback, and please report it)", err=True)
            sys.exit(EXIT_ERROR)

    return wrapper


def _exit_at_once(code: int) -> NoReturn:
    """Exit without tearing the interpreter down. A check of a big vault leaves hundreds of
    thousands of objects that Python would free one by one on the way out (0.1 s for
    10,000 notes) only for the OS to drop them anyway; mypy exits this way for the same
    reason. Every file was closed when written; only the standard streams need flushing.
    Someone calling `main` in-process with redirected streams (click's test runner, say)
    gets a normal SystemExit instead."""
    stdout, stderr = sys.stdout, sys.stderr
    if stdout is not sys.__stdout__ or stderr is not sys.__stderr__:
        sys.exit(code)
    if stdout is None or stderr is None:  # no console at all (pythonw)
        sys.exit(code)
    try:
        stdout.flush()
        stderr.flush()
    except OSError:  # a closed pipe: what a normal exit would have reported
        sys.exit(code)
    os._exit(code)


def _rule_names(values: Sequence[str]) -> list[str]:
    """Accept `--select a,b` as well as `--select a --select b`."""
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


class _OneLineUsageErrors(click.Group):
    """Usage errors (an unknown option, a bad value) as one line on stderr, exit code 2,
    like every other error, instead of click's usage block: a hook's or CI's log then
    shows what went wrong on one line."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.exceptions.NoArgsIsHelpError as exc:  # `notewarden`: click's help
            exc.show()
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            hint = ""
            if isinstance(exc, click.UsageError) and exc.ctx is not None:
                hint = f" (see `{exc.ctx.command_path} --help`)"
            message = " ".join(exc.format_message().split())
            click.echo(f"notewarden: error: {message}{hint}", err=True)
            sys.exit(EXIT_ERROR)
        except click.Abort:
            click.echo("notewarden: aborted", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=_OneLineUsageErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="notewarden")
def main() -> None:
    """notewarden: lint and repair an Obsidian vault."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(FORMATS),
              default="text", show_default=True, help="Output format.")
@click.option("--color", "colour", type=click.Choice(COLOUR_CHOICES), default="auto",
              show_default=True,
              help="Colour the text output: auto is on a terminal only, off with NO_COLOR "
                   "set, on with FORCE_COLOR set.")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary.")
@click.option("--statistics", is_flag=True,
              help="Print a count of findings per rule instead of the findings.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--select", multiple=True, metavar="RULES",
              help="Only run these rules (comma-separated or repeated).")
@click.option("--ignore", multiple=True, metavar="RULES",
              help="Do not run these rules (comma-separated or repeated).")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
              metavar="FILE", help="Read this file instead of the vault's .notewarden.toml.")
@click.option("--extend-exclude", multiple=True, metavar="GLOB",
              help="Also report nothing in files matching this vault-relative glob "
                   "(repeatable; added to the config's `ignore`).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), metavar="DIR",
              envvar="NOTEWARDEN_CACHE_DIR", show_envvar=True,
              help="Keep the cache here (default: the user's cache folder, "
                   "e.g. ~/.cache/notewarden).")
@click.option("--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Processes used to parse notes (default: all cores).")
@click.option("--fix", is_flag=True, help="Apply safe fixes, then report what is left.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff, add unsafe fixes.")
@click.option("--diff", is_flag=True,
              help="Print a diff of what --fix would change; write nothing. Exit 1 on changes.")
@click.option("--exit-non-zero-on-fix", is_flag=True,
              help="With --fix, exit 1 when any file was changed, even if nothing is left.")
@click.option("--staged", is_flag=True,
              help="Check what `git commit` would commit: the staged notes, as staged, and "
                   "links into notes the commit deletes. No PATHS.")
@click.option("--vault", type=click.Path(path_type=Path), metavar="DIR",
              help="With --staged, the vault (default: the one at or above the current "
                   "folder, else the repository's top folder).")
@_one_line_errors
def check(paths: tuple[Path, ...], output_format: str, colour: str, quiet: bool,
          statistics: bool, exit_zero: bool, select: tuple[str, ...],
          ignore: tuple[str, ...], config_file: Path | None, extend_exclude: tuple[str, ...],
          no_cache: bool, cache_dir: Path | None,
          jobs: int | None, fix: bool,
          unsafe_fixes: bool, diff: bool, exit_non_zero_on_fix: bool, staged: bool,
          vault: Path | None) -> None:
    """Check notes for front-matter and link problems, and fix them with --fix.

    PATHS are a vault, or files or folders inside one (default: the current folder).
    Links always resolve against the whole vault.
    """
    # A check is short-lived and builds hundreds of thousands of acyclic objects: the cyclic
    # garbage collector would rescan them over and over (4x slower cache loads) for nothing.
    gc.disable()
    report = ReportOptions(output_format, colour, quiet, statistics, unsafe_fixes, exit_zero,
                           exit_non_zero_on_fix)
    report.check()
    selected, ignored = _rule_names(select), _rule_names(ignore)
    overrides = ConfigOverrides(config_file, extend_exclude)
    changed = False
    if staged or vault is not None:
        from notewarden.staged import run_staged_check

        result = run_staged_check(paths, vault, staged=staged, fixing=fix or diff,
                                  select=selected, ignore=ignored, use_cache=not no_cache,
                                  cache_dir=cache_dir, jobs=jobs, overrides=overrides)
    elif fix or diff:
        from notewarden.fixer import run_fix, unified_diff  # only needed when fixing

        outcome = run_fix(list(paths), select=selected, ignore=ignored, unsafe=unsafe_fixes,
                          write=not diff, use_cache=not no_cache, cache_dir=cache_dir,
                          jobs=jobs, overrides=overrides)
        if diff:
            for warning in outcome.check.warnings:
                click.echo(f"notewarden: warning: {warning}", err=True)
            click.echo(unified_diff(outcome.changed), nl=False)
            click.echo(diff_summary(outcome.fixed, len(outcome.changed)), err=True)
            sys.exit(0 if exit_zero or not outcome.changed else 1)
        for message in outcome.skipped + outcome.errors:
            click.echo(f"notewarden: warning: {message}", err=True)
        result = outcome.check
        changed = bool(outcome.changed) and len(outcome.skipped) < len(outcome.changed)
    else:
        result = run_check(list(paths), select=selected, ignore=ignored,
                           use_cache=not no_cache, cache_dir=cache_dir, jobs=jobs,
                           overrides=overrides)
    for warning in warnings_to_show(result, paths, staged_check=staged or vault is not None):
        click.echo(f"notewarden: warning: {warning}", err=True)
    output = render(result, report)
    if output:
        click.echo(output, color=use_colour(colour))
    _exit_at_once(exit_code(result, report, changed))


@main.command()
@click.argument("vault", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--fix", is_flag=True,
              help="Apply safe fixes after each change, and repair links broken by renames.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True,
              help="text: log lines; json: one JSON object per pass (JSON Lines).")
@click.option("--polling", is_flag=True, help="Poll the file system instead of using "
              "inotify, FSEvents or the Windows API.")
@click.option("--pidfile", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the daemon's process id here while it runs.")
@click.option("--debounce", type=click.FloatRange(min=0.0), default=0.3, show_default=True,
              metavar="SECONDS",
              help="Seconds of quiet before a change is checked.")
@click.option("--select", multiple=True, metavar="RULES", help="Only run these rules.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Do not run these rules.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), metavar="DIR",
              envvar="NOTEWARDEN_CACHE_DIR", show_envvar=True,
              help="Keep the cache here (default: the user's cache folder).")
@_one_line_errors
def watch(vault: Path | None, fix: bool, output_format: str, polling: bool,
          pidfile: Path | None, debounce: float, select: tuple[str, ...],
          ignore: tuple[str, ...], no_cache: bool, cache_dir: Path | None) -> None:
    """Keep a vault checked (and repaired, with --fix) as its files change.

    Stops cleanly on Ctrl-C or SIGTERM.
    """
    from notewarden.watch import WatchOptions, run_watch

    options = WatchOptions(fix=fix, output_format=output_format, polling=polling,
                           debounce=debounce, select=tuple(_rule_names(select)),
                           ignore=tuple(_rule_names(ignore)), use_cache=not no_cache,
                           cache_dir=cache_dir)
    root = (vault or Path.cwd()).absolute()
    if not root.is_dir():
        raise UsageError(f"not a folder: {root}")
    sys.exit(run_watch(root, options, pidfile))


@main.command()
@click.argument("vault", required=False, type=click.Path(path_type=Path, file_okay=False))
@_one_line_errors
def init(vault: Path | None) -> None:
    """Write a commented starter .notewarden.toml at the vault root (never replaces one)."""
    from notewarden.starter import write_starter

    click.echo(f"wrote {write_starter(vault)}")


@main.group()
def hook() -> None:
    """Install or remove a git pre-commit hook running `notewarden check --staged`."""


@hook.command("install")
@click.option("--vault", type=click.Path(path_type=Path), metavar="DIR",
              help="The vault, if it is not the repository (or the folder you are in).")
@click.option("--force", is_flag=True,
              help="Replace a pre-commit hook notewarden did not write (it is kept aside).")
@_one_line_errors
def hook_install(vault: Path | None, force: bool) -> None:
    """Write .git/hooks/pre-commit (wherever git keeps hooks)."""
    from notewarden.hook import install_hook

    click.echo(install_hook(vault, force))


@hook.command("uninstall")
@_one_line_errors
def hook_uninstall() -> None:
    """Remove the pre-commit hook, if notewarden wrote it."""
    from notewarden.hook import uninstall_hook

    click.echo(uninstall_hook())


@main.group()
def schema() -> None:
    """Work with the JSON Schemas that check front-matter."""


@schema.command("infer")
@click.argument("target", metavar="FOLDER_OR_GLOB")
@_one_line_errors
def schema_infer(target: str) -> None:
    """Print a JSON Schema (Draft 2020-12) that every note in FOLDER_OR_GLOB satisfies.

    FOLDER_OR_GLOB is a folder or note, or a glob such as 'Videos/**' (quoted, so that
    the shell leaves it alone).
    """
    import json

    from notewarden.infer import infer_from

    inferred = infer_from(target)
    click.echo(json.dumps(inferred.schema, indent=2, ensure_ascii=False))
    left_out = f"; left out, as their front-matter does not parse or they cannot be read: " \
        f"{', '.join(inferred.skipped)}" if inferred.skipped else ""
    click.echo(f"notewarden: inferred from {inferred.notes} note(s){left_out}", err=True)


@main.command()
@click.argument("name", required=False)
@_one_line_errors
def rules(name: str | None) -> None:
    """List every rule, or show one rule's documentation."""
    if name:
        rule = get_rule(name)
        click.echo(f"{rule.name} ({rule.severity.value}, fix: {rule.fix_label})\n")
        click.echo(rule.doc)
        return
    width = max(len(rule_name) for rule_name in RULES)
    click.echo(f"{'RULE':<{width}}  {'SEVERITY':<8}  {'FIX':<6}  DESCRIPTION")
    for rule in RULES.values():
        click.echo(f"{rule.name:<{width}}  {rule.severity.value:<8}  "
                   f"{rule.fix_label:<6}  {rule.summary}")
