"""`notewarden watch`: keep a vault linted, and repaired if asked, as its files change.

The vault is indexed once; after that a watchdog observer reports changes, which are
debounced (300 ms of quiet, 2 s at most) into passes. A pass re-reads only the files the
events name (a directory event or an inotify queue overflow re-walks the vault), updates
the index in place, and re-checks the notes whose findings can depend on what changed:
the changed notes and every note linking to a name that changed. Renames made outside
Obsidian (Finder, `git mv`, a sync tool) are repaired with --fix as Obsidian's "update
internal links" would, and reported otherwise.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import queue
import signal
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO
from urllib.parse import quote, unquote, urlparse

from notewarden.config import CONFIG_FILE, TYPES_FILE, ConfigError
from notewarden.edits import apply_edits, select_edits
from notewarden.engine import (
    NoteResult,
    Scope,
    Selection,
    Vault,
    _report,
    all_vault_problems,
    open_store,
    save_check,
    settings_warnings,
    vault_problems,
)
from notewarden.fixer import _fixes_for, allowed
from notewarden.fm_edit import FrontMatterEditor, NotSpliceable, new_front_matter
from notewarden.index import VaultIndex, affected_by, note_key
from notewarden.indexing import build_index
from notewarden.model import Edit, Finding, LinkKind, NoteRecord
from notewarden.names import link_key, normalize_name, strip_md
from notewarden.parsing.note import ParsedNote, parse_note
from notewarden.pool import read_note, record_from, run_note_rules
from notewarden.rules import VAULT_RULES
from notewarden.rules.alias_link import link_text
from notewarden.store import Store, StoreDamaged, StoreWrite, encode_record, encode_vault_problems
from notewarden.vault import VaultFile, WalkProblem, walk_vault
from notewarden.writer import WriteSkipped, read_with_snapshot, write_atomic

DEBOUNCE_SECONDS = 0.3
MAX_WAIT_SECONDS = 2.0
MAX_FIX_PASSES = 5
_OWN_TEMP_SUFFIX = ".notewarden-tmp"
_CONFIG_PATHS = {CONFIG_FILE, ".obsidian/app.json", TYPES_FILE}


@dataclass(frozen=True)
class Change:
    """One file-system event, with vault-relative POSIX paths."""

    kind: str  # created, modified, deleted, moved
    path: str
    dest: str | None = None
    is_directory: bool = False


@dataclass
class WatchOptions:
    fix: bool = False
    output_format: str = "text"
    polling: bool = False
    debounce: float = DEBOUNCE_SECONDS
    max_wait: float = MAX_WAIT_SECONDS
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    use_cache: bool = True
    cache_dir: Path | None = None


@dataclass
class PassReport:
    event: str
    paths: list[str]
    findings: list[Finding]
    elapsed_ms: float
    fixed: list[str] = field(default_factory=list)
    renames: list[tuple[str, str]] = field(default_factory=list)


class Session:
    """The vault as the daemon knows it between passes."""

    def __init__(self, root: Path, options: WatchOptions) -> None:
        self.options = options
        self.root = root
        self.written: dict[str, str] = {}  # path -> sha256 of the bytes we wrote
        self.rescan_needed = False
        self.store: Store | None = None
        self.warnings: list[str] = []
        self.unsaved: set[str] = set()  # notes whose vault findings the store lacks
        self.load()

    # --- loading ---------------------------------------------------------------------

    def load(self) -> None:
        """(Re)read config and schemas and index the whole vault."""
        self.vault, _ = Vault.open([self.root])
        self.root = self.vault.root
        self.selection = Selection.make(self.vault.config, self.options.select,
                                        self.options.ignore)
        self.scope = Scope(self.root, [""], self.vault.config)
        self.settings_warnings = settings_warnings(self.vault.config, self.selection)
        files, problems = walk_vault(self.root)
        self.stats = {file.path: (file.size, file.mtime_ns) for file in files}
        self.close()
        if self.options.use_cache:  # the schemas may have changed: the store's salts too
            self.store = open_store(self.vault, self.options.cache_dir, self.warnings)
        try:
            self._index(files, problems)
        except StoreDamaged:
            assert self.store is not None
            self.store.reset()
            self._index(files, problems)
        # The schema files, and the files their $refs reach: editing one reloads.
        uris = [base for _glob, _label, _doc, base in self.vault.schemas.entries]
        uris += list(self.vault.schemas.documents)
        self.schema_files = {
            Path(unquote(urlparse(uri).path)).resolve()  # file URIs are percent-encoded
            for uri in uris if uri.startswith("file:")
        }

    def _index(self, files: list[VaultFile], problems: list[WalkProblem]) -> None:
        self.index = build_index(self.vault.config, self.vault.schemas, store=self.store,
                                 walked=(files, problems))
        self.vault_results = all_vault_problems(
            self.index, [path for path in self.index.records if self.scope.includes(path)])
        # Packed as the store keeps them, so that each pass stores only what it changed.
        self.packed_results = {path: encode_vault_problems(problems)
                               for path, problems in self.vault_results.items()}
        if self.store is not None:
            save_check(self.store, self.index, self.stats, self.vault_results)

    def close(self) -> None:
        """Close the store (load opens it again)."""
        if self.store is not None:
            self.store.close()
            self.store = None

    def save(self, changed: Iterable[NoteRecord]) -> None:
        """Tell the store what a pass changed (`changed` records, and the vault findings
        re-checked since the last save), so a `check` run later starts warm."""
        dirty, self.unsaved = self.unsaved, set()
        if self.store is None:
            return
        for path in dirty:
            problems = self.vault_results.get(path)
            if problems is None:
                self.packed_results.pop(path, None)
            else:
                self.packed_results[path] = encode_vault_problems(problems)
        self.store.write(StoreWrite(
            notes=[encode_record(record) for record in changed],
            keep_notes=set(self.index.records), checked=self.stats,
            vault=self.packed_results))

    def findings_for(self, paths: Iterable[str],
                     walk_problems: list[tuple[str, str]] | None = None) -> list[Finding]:
        results = {
            path: NoteResult(record.problems, self.vault_results.get(path),
                             record.suppressed_lines, record.suppressed_file)
            for path in paths if (record := self.index.records.get(path)) is not None
        }
        return _report(results, walk_problems or [], self.scope, self.selection).findings

    def initial_report(self, elapsed: float) -> PassReport:
        """Every finding in the vault, including those of the walk (FIFOs, symlink loops,
        unreadable folders)."""
        paths = sorted(self.index.records)
        return PassReport("initial", [], self.findings_for(paths, self.index.walk_problems),
                          elapsed * 1000)

    def fresh_report(self, event: str, started: float) -> PassReport:
        """After the vault was (re)loaded, at start, on a config change, SIGHUP or after a
        failed pass: with --fix, repair what is wrong (repair_at_start), then report every
        finding in the vault."""
        repaired = self.repair_at_start()
        report = self.initial_report(time.perf_counter() - started)
        report.event, report.fixed = event, repaired
        return report

    def repair_at_start(self) -> list[str]:
        """With --fix, apply the safe fixes to every note, as `check --fix` would: what
        was already wrong when the daemon started is repaired too, not only what changes
        afterwards. Returns the notes written."""
        if not self.options.fix:
            return []
        in_scope = {path for path in self.index.records if self.scope.includes(path)}
        fixed = self._apply_safe_fixes(in_scope)
        self.save([self.index.records[path] for path in fixed if path in self.index.records])
        return fixed

    # --- a pass ----------------------------------------------------------------------

    def is_config(self, path: str) -> bool:
        if path in _CONFIG_PATHS:
            return True
        try:
            return (self.root / path).resolve() in self.schema_files
        except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
            return False

    def run_pass(self, changes: list[Change]) -> PassReport | None:
        """Re-check what `changes` may have changed; None when nothing did."""
        started = time.perf_counter()
        try:
            return self._run_pass(changes, started)
        except StoreDamaged:
            if self.store is not None:
                self.store.reset()
            self.load()
            return self.fresh_report("rescan", started)

    def _run_pass(self, changes: list[Change], started: float) -> PassReport | None:
        paths = sorted({p for c in changes for p in (c.path, c.dest)
                        if p and not _ignored_event_path(p)})
        if any(self.is_config(path) for path in paths):
            try:
                self.load()
            except ConfigError as exc:
                return PassReport("config-error", paths, [], 0.0, fixed=[str(exc)])
            report = self.fresh_report("config", started)
            report.paths = paths
            return report

        full = self.rescan_needed or any(change.is_directory for change in changes)
        self.rescan_needed = False
        touched = self._touched_files(paths, full)
        changed, removed, attachments = self._read_changes(touched)
        if not changed and not removed and attachments == self.index.attachments:
            return None  # nothing new: our own writes, or a file saved unchanged
        renames = self._renames(changes, removed, changed)
        old_index = self.index
        self.index = self.index.update(changed, removed, attachments)
        affected = self._recheck(set(changed), removed, touched, old_index)

        fixed: list[str] = []
        if self.options.fix:
            if renames:
                fixed += self._repair_renames(renames, old_index)
            fixed += self._apply_safe_fixes(affected | set(fixed))
            fixed = sorted(set(fixed))
            affected |= set(fixed)
        self.save([self.index.records[path] for path in sorted(set(changed) | set(fixed))
                   if path in self.index.records])
        event = _event_name(changes, renames, full)
        findings = self.findings_for(sorted(affected))
        if renames and not self.options.fix:
            findings = _explain_renames(findings, renames, self.index)
        elapsed = (time.perf_counter() - started) * 1000
        return PassReport(event, paths, findings, elapsed, fixed, renames)

    def _touched_files(self, paths: list[str], full: bool) -> set[str]:
        if not full:
            return {path for path in paths if not _hidden(path)}
        files, _problems = walk_vault(self.root)
        now = {file.path: (file.size, file.mtime_ns) for file in files}
        return {path for path in now.keys() | self.stats.keys()
                if now.get(path) != self.stats.get(path)}

    def _read_changes(self, touched: set[str]
                      ) -> tuple[dict[str, NoteRecord], set[str], set[str]]:
        changed: dict[str, NoteRecord] = {}
        removed: set[str] = set()
        attachments = set(self.index.attachments)
        for path in sorted(touched):
            full_path = self.root / path
            try:
                info = full_path.stat()
                exists = full_path.is_file()
            except OSError:
                exists = False
            if not exists:
                self.stats.pop(path, None)
                attachments.discard(path)
                if path in self.index.records:
                    removed.add(path)
                continue
            stats = (info.st_size, info.st_mtime_ns)
            if not path.lower().endswith(".md"):
                attachments.add(path)
                self.stats[path] = stats
                continue
            if self.stats.get(path) == stats and path in self.index.records:
                continue  # nothing new (for example our own write, already indexed)
            self.stats[path] = stats
            file = VaultFile(path, info.st_size, info.st_mtime_ns)
            note = read_note(self.root, file)
            digest = hashlib.sha256(note.raw).hexdigest()
            if self.written.get(path) == digest and path in self.index.records:
                continue  # our own write: the index already holds it
            self.written.pop(path, None)
            changed[path] = record_from(note, file, run_note_rules(note, self.vault.schemas),
                                        self.vault.schemas)
        return changed, removed, attachments

    def _renames(self, changes: list[Change], removed: set[str],
                 changed: dict[str, NoteRecord]) -> list[tuple[str, str]]:
        """Moves of a known note to a new note path. A temp file renamed onto a note (an
        atomic save) or a note moved aside and rewritten (vim) is an edit, not a rename:
        at pass time the source note still exists, so it is not in `removed`.

        Some moves arrive as a delete and a create (into a folder made a moment before,
        with polling, or from tools that copy then delete): a vanished note and a new one
        with the same size and modification time (which a move keeps) are a rename too."""
        renames = [(change.path, change.dest) for change in changes
                   if change.kind == "moved" and change.dest and change.path in removed
                   and change.dest in changed]
        paired = {old for old, _new in renames} | {new for _old, new in renames}
        added = [path for path in changed
                 if path not in self.index.records and path not in paired]
        for old in sorted(removed - paired):
            before = self.index.records[old]
            same = [path for path in added
                    if (changed[path].size, changed[path].mtime_ns)
                    == (before.size, before.mtime_ns)]
            if len(same) == 1:
                renames.append((old, same[0]))
                added.remove(same[0])
        return renames

    def _recheck(self, changed: set[str], removed: set[str], touched: set[str],
                 old_index: VaultIndex) -> set[str]:
        """Re-run the vault rules where needed; return the notes whose findings may have
        changed (to report)."""
        attachments_touched = {path for path in touched if not path.lower().endswith(".md")}
        dirty = affected_by(self.index, changed | removed, attachments_touched,
                            old_index.records)
        for path in removed:
            self.vault_results.pop(path, None)
        in_scope = [path for path in dirty if self.scope.includes(path)]
        self.vault_results.update(all_vault_problems(self.index, in_scope))
        wide = [rule for rule in VAULT_RULES if rule.vault_wide]
        if wide and (changed or removed):
            only_wide = Selection({rule.name: rule.severity for rule in wide})
            names = {rule.name for rule in wide}
            applies = [rule.applies for rule in wide]
            for path in self.index.records:
                if path in dirty or not self.scope.includes(path):
                    continue
                if all(may is not None and not may(self.index, path) for may in applies):
                    fresh = []  # nothing these rules could say: no need to read the record
                else:
                    fresh = vault_problems(self.index.records[path], self.index, only_wide)
                old = self.vault_results.get(path, ())
                kept = tuple(item for item in old if item[0] not in names)
                if fresh or len(kept) != len(old):
                    self.vault_results[path] = kept + tuple(fresh)
                    dirty.add(path)
        self.unsaved |= dirty | removed
        return dirty

    # --- fixing ----------------------------------------------------------------------

    def _write(self, path: str, data: bytes, new: bytes, snapshot: object) -> set[str] | None:
        """Write a fixed note and bring the index up to date with it. Returns the notes
        whose findings that may change (None when the write was skipped)."""
        try:
            info = write_atomic(self.root / path, new, snapshot,  # type: ignore[arg-type]
                                self.root)
        except WriteSkipped as exc:
            log_line(f"skipped: {exc}", self.options)
            return None
        self.written[path] = hashlib.sha256(new).hexdigest()
        note = parse_note(path, new)
        self.stats[path] = (info.st_size, info.st_mtime_ns)
        record = record_from(note, VaultFile(path, info.st_size, info.st_mtime_ns),
                             run_note_rules(note, self.vault.schemas), self.vault.schemas)
        old_index = self.index
        self.index = self.index.update({path: record}, set(), set(self.index.attachments))
        return self._recheck({path}, set(), {path}, old_index)

    def _apply_safe_fixes(self, paths: set[str]) -> list[str]:
        """Apply safe fixes in `paths` until none is left (capped): one fix can expose
        another, such as a repaired alias link that adds a backlink."""
        fixed: list[str] = []
        for _pass in range(MAX_FIX_PASSES):
            findings = [f for f in self.findings_for(sorted(paths))
                        if allowed(f, unsafe=False)]
            if not findings:
                break
            progress = False
            for path in sorted({f.path for f in findings}):
                rules = {f.rule for f in findings if f.path == path}
                try:
                    data, snapshot = read_with_snapshot(self.root / path)
                except OSError:
                    continue
                answers, errors = _fixes_for(self.vault, self.index, path, data, rules,
                                             self.selection, False)
                for error in errors:
                    log_line(f"warning: {error}", self.options)
                edits, _applied, _deferred = select_edits(answers)
                new = apply_edits(data, edits) if edits else data
                affected = self._write(path, data, new, snapshot) if new != data else None
                if affected is not None:
                    fixed.append(path)
                    progress = True
                    paths |= affected
            if not progress:
                break
        return sorted(set(fixed))

    def _repair_renames(self, renames: list[tuple[str, str]],
                        old_index: VaultIndex) -> list[str]:
        """Rewrite links that pointed at a renamed note, as Obsidian's "update internal
        links" does (keeping display text), and keep the old name as an alias."""
        fixed: list[str] = []
        for old_path, new_path in renames:
            sources = {source for source, record in old_index.records.items()
                       if any(old_index.resolve(record, link).target == old_path
                              for link in record.links)}
            for old_source in sorted(sources):
                # The renamed note's links to itself live in its new file.
                source = new_path if old_source == old_path else old_source
                if source not in self.index.records:
                    continue
                try:
                    data, snapshot = read_with_snapshot(self.root / source)
                except OSError:
                    continue
                note = parse_note(source, data)
                edits = self._relink_edits(note, old_index, old_path, new_path)
                if edits:
                    edits.sort(key=lambda edit: edit.start)
                    if self._write(source, data, apply_edits(data, edits), snapshot) is not None:
                        fixed.append(source)
            if self.vault.config.rename_adds_alias:
                old_name = strip_md(old_path).rsplit("/", 1)[-1]
                if normalize_name(old_name) != note_key(new_path) \
                        and self._add_alias(new_path, old_name):
                    fixed.append(new_path)
        return fixed

    def _relink_edits(self, note: ParsedNote, old_index: VaultIndex, old_path: str,
                      new_path: str) -> list[Edit]:
        stub = old_index.records.get(note.path) or old_index.records.get(old_path) \
            or self.index.records[note.path]
        edits: list[Edit] = []
        for link in note.links:
            if old_index.resolve(stub, link).target != old_path:
                continue
            if self.index.resolve(self.index.records[note.path], link).target == new_path:
                continue  # still resolves (a bare name moved to another folder)
            target = link_text(self.index, new_path, note.path)
            subpath = f"#{link.subpath}" if link.subpath else ""
            original = note.text[link.start : link.end]
            if link.kind in (LinkKind.MARKDOWN, LinkKind.MARKDOWN_EMBED):
                bang = "!" if original.startswith("!") else ""
                destination = quote(target + ".md", safe="/") + quote(subpath, safe="#/")
                replacement = f"{bang}[{link.display or ''}]({destination})"
            else:
                bang = "!" if original.startswith("!") else ""
                pipe = "\\|" if "\\|" in original else "|"
                display = f"{pipe}{link.display}" if link.display is not None else ""
                replacement = f"{bang}[[{target}{subpath}{display}]]"
            edits.append(note.edit(link.start, link.end, replacement))
        return edits

    def _add_alias(self, path: str, alias: str) -> bool:
        from ruamel.yaml.comments import CommentedSeq

        try:
            data, snapshot = read_with_snapshot(self.root / path)
        except OSError:
            return False
        note = parse_note(path, data)
        if note.front_matter is None:
            edit: Edit | None = new_front_matter(note, "aliases", CommentedSeq([alias]))
        elif note.data is None:
            return False  # unreadable front-matter: leave it to yaml-syntax
        else:
            current = note.data.get("aliases")
            if isinstance(current, list) and any(
                    isinstance(a, str) and normalize_name(a) == normalize_name(alias)
                    for a in current):
                return False

            def change(loaded: object) -> None:
                value = loaded["aliases"]  # type: ignore[index]
                if isinstance(value, list):
                    value.append(alias)
                else:
                    loaded["aliases"] = CommentedSeq(  # type: ignore[index]
                        ([value] if value else []) + [alias])
            try:
                editor = FrontMatterEditor(note)
                edit = editor.rewrite_key("aliases", change) if editor.has_key("aliases") \
                    else editor.append_key("aliases", CommentedSeq([alias]))
            except (KeyError, NotSpliceable):  # JSON front-matter, or an edit that would not
                return False  # parse: no alias, rather than a damaged note
        if edit is None:
            return False
        return self._write(path, data, apply_edits(data, [edit]), snapshot) is not None


def _hidden(path: str) -> bool:
    return any(part.startswith(".") for part in path.split("/"))


def _event_name(changes: list[Change], renames: list[tuple[str, str]], full: bool) -> str:
    if renames:
        return "rename"
    if full:
        return "rescan"
    kinds = {change.kind for change in changes}
    if "created" in kinds and "deleted" not in kinds:
        return "create"  # a new file also reports being written (modified, closed)
    if "deleted" in kinds and "created" not in kinds:
        return "delete"
    return "change"


def _explain_renames(findings: list[Finding], renames: list[tuple[str, str]],
                     index: VaultIndex) -> list[Finding]:
    """Say which rename broke a link (run without --fix, links are only reported)."""
    by_key = {note_key(old): strip_md(new) for old, new in renames}
    out = []
    for finding in findings:
        if finding.rule == "broken-link":
            record = index.records.get(finding.path)
            for link in record.links if record else ():
                if (link.line, link.column) == (finding.line, finding.column) \
                        and link_key(link.target) in by_key:
                    finding = Finding(
                        finding.path, finding.line, finding.column, finding.rule,
                        finding.severity,
                        f"{finding.message} (renamed to {by_key[link_key(link.target)]!r})",
                        finding.fix, finding.fixable)
        out.append(finding)
    return out


# --- output ---------------------------------------------------------------------------


def log_line(text: str, options: WatchOptions, stream: TextIO | None = None) -> None:
    """One status line; its text (paths, messages) is escaped, so a file name cannot break
    it or forge another."""
    import click

    from notewarden.output import printable

    if options.output_format == "json":
        click.echo(f"notewarden: {printable(text)}", err=True)
    else:
        stamp_ = time.strftime("%H:%M:%S")
        click.echo(f"[{stamp_}] {printable(text)}", file=stream)


def emit(report: PassReport, options: WatchOptions) -> None:
    """A pass's report: one JSON object on one line, or status lines and findings with
    paths and messages escaped as `notewarden check` escapes them."""
    import click

    from notewarden.output import json_text, printable, printable_path

    if options.output_format == "json":
        payload: dict[str, object] = {
            "event": report.event,
            "paths": report.paths,
            "findings": [finding.as_json() for finding in report.findings],
            "elapsed_ms": round(report.elapsed_ms, 1),
        }
        if report.fixed:
            payload["fixed"] = report.fixed
        if report.renames:
            payload["renames"] = [{"from": old, "to": new} for old, new in report.renames]
        click.echo(json_text(payload), nl=True)
        return
    what = ", ".join(map(printable_path, report.paths[:3])) \
        + (" ..." if len(report.paths) > 3 else "")
    problems = len(report.findings)
    head = f"{report.event} {what}".rstrip()
    log_line(f"{head}: {problems} problem(s) ({report.elapsed_ms:.0f} ms)", options)
    for old, new in report.renames:
        log_line(f"  renamed {printable_path(old)} -> {printable_path(new)}", options)
    for path in report.fixed:
        log_line(f"  fixed {printable_path(path)}", options)
    for finding in report.findings:
        click.echo(f"  {printable_path(finding.path)}:{finding.line}:{finding.column}: "
                   f"{finding.rule} {printable(finding.message)}")


# --- the daemon -------------------------------------------------------------------------


class _OverflowWatcher(logging.Handler):
    """watchdog logs, and does not report, an inotify queue overflow: listen for it so the
    next pass re-walks the vault instead of trusting the lost events."""

    def __init__(self, session: Session, wake: queue.Queue[Change | None]) -> None:
        super().__init__(logging.WARNING)
        self.session, self.wake = session, wake

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().lower():
            self.session.rescan_needed = True
            self.wake.put(Change("modified", ".", is_directory=True))


def inotify_watch_limit() -> int | None:
    try:
        return int(Path("/proc/sys/fs/inotify/max_user_watches").read_text().strip())
    except (OSError, ValueError):
        return None


def count_directories(root: Path) -> int:
    """Directories watchdog's inotify observer would watch (it watches dot-folders too)."""
    count = 0
    for _dirpath, _dirnames, _files in os.walk(root):
        count += 1
    return count


def make_observer(root: Path, polling: bool) -> tuple[object, str | None]:
    """The platform observer (inotify, FSEvents, Windows API), or polling when asked or
    when the inotify watch limit is too low: watchdog 7 would silently leave sub-folders
    unwatched instead."""
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    if polling:
        return PollingObserver(timeout=1.0), None
    limit = inotify_watch_limit()
    try:
        from watchdog.observers.inotify import InotifyObserver
    except ImportError:  # not Linux
        InotifyObserver = None  # type: ignore[assignment,misc]
    if limit is not None and Observer is InotifyObserver:
        needed = count_directories(root)
        if needed > limit * 0.8:  # other programs hold watches too
            return PollingObserver(timeout=1.0), (
                f"{needed} folders to watch but fs.inotify.max_user_watches is {limit}; "
                "using polling (raise the limit with sysctl for instant updates)")
    return Observer(), None


class _Stopped(Exception):
    """Raised by the signal handler to abandon the initial index."""


def run_watch(root: Path, options: WatchOptions, pidfile: Path | None = None) -> int:
    """Run until SIGINT or SIGTERM; returns the exit code.

    Signals are handled and the observer is started before the vault is indexed, so a
    stop request is honoured at once and no edit made while indexing is lost (its event
    waits in the queue for the first pass)."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler

    started = time.perf_counter()
    changes: queue.Queue[Change | None] = queue.Queue()
    stop = threading.Event()
    indexing = True

    hangups: list[int] = []  # SIGHUPs not yet acted on

    # Signal handlers take no lock (a lock the interrupted code holds would deadlock):
    # they set flags that the loop, which wakes every 50 ms, reads.
    def request_stop(_signum: int, _frame: object) -> None:
        stop.set()  # nobody waits on this Event, so its lock is always free
        if indexing:
            raise _Stopped

    def request_reload(_signum: int, _frame: object) -> None:
        hangups.append(1)  # acted on once the initial index is done

    stops = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    previous = {**stops, **({signal.SIGHUP: signal.signal(signal.SIGHUP, request_reload)}
                            if hasattr(signal, "SIGHUP") else {})}
    vault_root = Vault.open([root])[0].root  # raises one-line errors before anything starts

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type not in ("created", "modified", "deleted", "moved", "closed",
                                        "attrib"):
                return
            if event.is_directory and event.event_type in ("modified", "attrib"):
                return  # a folder's mtime changed: its files' own events say what
            src = _relative(vault_root, event.src_path)
            dest = _relative(vault_root, getattr(event, "dest_path", "") or "")
            if src is None and dest is None:
                return
            if all(p is None or _ignored_event_path(p) for p in (src, dest)):
                return
            kind = event.event_type if event.event_type in ("created", "deleted", "moved") \
                else "modified"  # closed after writing, attrib (touch, utime)
            changes.put(Change(kind, src or dest or "", dest, event.is_directory))

    observer, warning = make_observer(vault_root, options.polling)
    if warning:
        log_line(f"warning: {warning}", options)
    observer.schedule(Handler(), str(vault_root), recursive=True)  # type: ignore[attr-defined]
    try:
        observer.start()  # type: ignore[attr-defined]
    except OSError as exc:  # ENOSPC: the watch limit, reached anyway
        from watchdog.observers.polling import PollingObserver

        log_line(f"warning: cannot watch with inotify ({exc}); using polling", options)
        observer = PollingObserver(timeout=1.0)
        observer.schedule(Handler(), str(vault_root), recursive=True)
        observer.start()
    if pidfile is not None:
        pidfile.write_text(f"{os.getpid()}\n", encoding="utf-8")
    overflow: _OverflowWatcher | None = None
    session: Session | None = None
    try:
        try:
            session = Session(root, options)
        except _Stopped:
            return 0
        indexing = False
        if stop.is_set():
            return 0
        for warning in session.warnings + session.settings_warnings:
            log_line(f"warning: {warning}", options)
        emit(session.fresh_report("initial", started), options)
        overflow = _OverflowWatcher(session, changes)
        logging.getLogger("watchdog").addHandler(overflow)
        log_line(f"watching {vault_root}", options)
        _loop(session, changes, stop, options, hangups)
    finally:
        if session is not None:
            session.close()
        observer.stop()  # type: ignore[attr-defined]
        observer.join(timeout=1.5)  # type: ignore[attr-defined]
        if overflow is not None:
            logging.getLogger("watchdog").removeHandler(overflow)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if pidfile is not None:
            with contextlib.suppress(OSError):
                pidfile.unlink()
        log_line("stopped", options)
    return 0


def _loop(session: Session, changes: queue.Queue[Change | None], stop: threading.Event,
          options: WatchOptions, hangups: list[int]) -> None:
    pending: list[Change] = []
    first = last = 0.0
    while not stop.is_set():
        if hangups:  # SIGHUP: read the config and schemas again, as daemons do
            hangups.clear()
            _reload(session, options)
        try:
            item = changes.get(timeout=0.05)
        except queue.Empty:
            item = None
        now = time.monotonic()
        if item is not None:
            if not pending:
                first = now
            pending.append(item)
            last = now
        if pending and (now - last >= options.debounce or now - first >= options.max_wait):
            batch, pending = pending, []
            try:
                report = session.run_pass(batch)
            except Exception as exc:  # one bad pass must not kill the daemon
                log_line(f"error during a pass (rescanning the vault): {exc!r}", options)
                report = _rescan(session, options)
            if report is None:
                continue
            if report.event == "config-error":
                log_line(f"config error, keeping the previous config: {report.fixed[0]}",
                         options)
                continue
            if report.event == "config":
                for warning in session.settings_warnings:
                    log_line(f"warning: {warning}", options)
            emit(report, options)


def _reload(session: Session, options: WatchOptions) -> None:
    """Reload config and schemas and re-index (SIGHUP); a broken config keeps the old."""
    started = time.perf_counter()
    try:
        session.load()
    except ConfigError as exc:
        log_line(f"SIGHUP: config error, keeping the previous config: {exc}", options)
        return
    log_line("SIGHUP: reloaded the config and schemas", options)
    for warning in session.settings_warnings:
        log_line(f"warning: {warning}", options)
    emit(session.fresh_report("reload", started), options)


def _rescan(session: Session, options: WatchOptions) -> PassReport | None:
    """Index the whole vault again after a pass failed half-way (its changes may be in the
    index but not checked or fixed), as at start. If that fails too, the next change
    rescans (rescan_needed)."""
    started = time.perf_counter()
    try:
        session.load()
        return session.fresh_report("rescan", started)
    except Exception as exc:
        session.rescan_needed = True
        log_line(f"error during the rescan (will rescan on the next change): {exc!r}", options)
        return None


def _relative(root: Path, path: str | bytes) -> str | None:
    if not path:
        return None
    text = os.fsdecode(path)
    try:
        rel = Path(text).relative_to(root)
    except ValueError:
        try:
            rel = Path(text).resolve().relative_to(root.resolve())
        except (ValueError, OSError, RuntimeError):  # outside, or a symlink loop
            return None
    posix = rel.as_posix()
    return None if posix == "." else posix


def _ignored_event_path(path: str) -> bool:
    if path in _CONFIG_PATHS:
        return False
    if path.endswith(_OWN_TEMP_SUFFIX):
        return True
    return _hidden(path)


__all__ = ["Change", "Session", "WatchOptions", "emit", "run_watch"]
