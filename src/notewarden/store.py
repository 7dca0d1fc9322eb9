"""The store: what notewarden knew about each file of a vault the last time it looked.

One SQLite database per vault, in the user's cache folder (`platformdirs`'
`user_cache_dir("notewarden")`: `~/.cache/notewarden` on Linux, honouring
`XDG_CACHE_HOME`), or under `--cache-dir` / `NOTEWARDEN_CACHE_DIR`. Never in the vault:
vaults are synced and shared, and a check writes nothing there. The folders are made
0700 and the database 0600; a symlink where the store's files should be is refused.

Two tables, written in one transaction at the end of a run:
- `notes`: each note as last parsed, keyed on its size and mtime (or git blob id): the
  record the vault rules need (headings, block ids, links, ...) and the findings of the
  single-note rules, so an unchanged note is never read or parsed again;
- `checked`: the last check's view of the vault: every file's size and mtime when it was
  checked, and each note's vault-rule findings (NULL: not computed), which a check after
  an edit reuses for the notes the edit cannot affect;
- `summary`: the last check's findings for every note in one blob, with a digest of the
  file list it was made for: when no file changed, a check reads this one row (a vault of
  100,000 notes took 2 s more to read its rows one by one).

Values are msgpack blobs of plain types (strings, numbers, lists), read back with checks
on their shape: nothing in a store can run code, and a damaged or planted value raises
StoreDamaged, after which the run starts cold and the store is rewritten. WAL lets a
watching daemon and a one-shot check share a store; a store another process holds
locked makes a run uncached, never blocks it.

Speed: a record is read from its row only when a rule first asks for it (a check after
one edit reads a handful of the vault's rows), and msgpack packs and unpacks a record
in about 10 us, faster than pickle (13 and 17 us, measured on the shared bench vault).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import msgpack  # type: ignore[import-untyped]

from notewarden import __version__
from notewarden.model import (
    BacklinksBlock,
    NoteRecord,
    Problem,
    TypedLink,
    shared_keys,
    small_set,
)
from notewarden.vault import VaultFile

FORMAT = 14  # bump when a row or what parsing finds changes: an older store is then started afresh
STORE_DIR_ENV = "NOTEWARDEN_CACHE_DIR"
LEGACY_CACHE_DIR = ".notewarden-cache"  # where notewarden kept its cache before 0.2
LOCK_TIMEOUT_SECONDS = 0.2  # how long a write waits for another process's write

# Plain rowid tables: a record of about 1 KB is too big for WITHOUT ROWID's B-tree, which
# made writes twice as slow, point reads four times slower and the file twice the size.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS notes (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    blob_id TEXT,
    aliases BLOB,
    has_backlinks INTEGER NOT NULL,
    link_keys TEXT,
    problems BLOB,
    suppressed BLOB,
    record BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS checked (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    vault BLOB
);
CREATE TABLE IF NOT EXISTS summary (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    digest TEXT NOT NULL,
    data BLOB NOT NULL
);
"""


class StoreDamaged(Exception):
    """A value in the store is not what notewarden writes: the run starts again cold."""


# --- where stores live --------------------------------------------------------------------


def cache_root(override: Path | None = None) -> Path:
    """The folder holding every vault's store: `override` (--cache-dir), else
    NOTEWARDEN_CACHE_DIR, else the user's cache folder."""
    if override is not None:
        return override.absolute()
    env = os.environ.get(STORE_DIR_ENV)
    if env:
        return Path(env).absolute()
    import platformdirs

    return Path(platformdirs.user_cache_dir("notewarden", appauthor=False))


def store_file(vault_root: Path, root: Path) -> Path:
    """The store of the vault at `vault_root`: one per vault, keyed on its resolved path
    (named after the vault's folder too, so a person can tell them apart)."""
    resolved = os.fsencode(vault_root.resolve())
    digest = hashlib.sha256(resolved).hexdigest()[:20]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", vault_root.resolve().name)[:40] or "vault"
    return root / "vaults" / f"{name}-{digest}.sqlite3"


def _private_folder(folder: Path) -> None:
    """Make `folder` (and missing parents) and check it is ours alone: a real folder,
    not a symlink, owned by this user and writable by nobody else."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = folder.lstat()
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise OSError(f"{folder} is not a folder (a symlink?)")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise OSError(f"{folder} belongs to another user")
    if stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(folder, 0o700)


def _refuse_links(path: Path) -> None:
    """The database and SQLite's two side files must be plain files or absent: a symlink
    planted there would make SQLite write wherever it points."""
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            info = candidate.lstat()
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{candidate} is not a regular file (a symlink?)")


def _connect(path: Path) -> sqlite3.Connection:
    _refuse_links(path)
    if not path.exists():
        # Created here, 0600 and never through a symlink; SQLite gives its side files the
        # same mode.
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                     0o600)
        os.close(fd)
    connection = sqlite3.connect(path, timeout=LOCK_TIMEOUT_SECONDS, isolation_level=None,
                                 check_same_thread=False)
    try:
        # 16 KB pages rather than SQLite's 4 KB (a note's row is about 1.2 KB): the parse
        # workers' inserts cost 10 us a row instead of 17. Only a new, empty file takes it.
        connection.execute("PRAGMA page_size=16384")
        # WAL: readers never wait for a writer, so `watch` and `check` share a store.
        # synchronous=NORMAL: a power cut may lose the last run's writes, never the file.
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version != FORMAT:
            connection.executescript(
                "DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS notes;"
                "DROP TABLE IF EXISTS checked; DROP TABLE IF EXISTS summary;")
            connection.execute(f"PRAGMA user_version={FORMAT}")
        connection.executescript(_SCHEMA)
    except BaseException:
        connection.close()
        raise
    return connection


def _remove_store_files(path: Path) -> None:
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()


# --- encoding ------------------------------------------------------------------------------


def _pack(value: Any) -> bytes:
    return msgpack.packb(value)  # type: ignore[no-any-return]


def _unpack(raw: bytes) -> Any:
    # Plain data only: ext types (the one msgpack extension point) are refused.
    try:
        return msgpack.unpackb(raw, use_list=False, raw=False, strict_map_key=True,
                               ext_hook=_refuse_ext)
    except Exception as exc:
        raise StoreDamaged(f"unreadable value in the store: {exc}") from None


def _refuse_ext(code: int, data: bytes) -> Any:
    raise ValueError(f"unexpected msgpack extension type {code}")


class NoteRow(NamedTuple):
    """A note's row of the `notes` table, its values still packed."""

    path: str
    size: int
    mtime_ns: int
    blob_id: str | None
    aliases: bytes | None
    has_backlinks: int
    link_keys: str | None  # JSON list, for SQLite's json_each
    problems: bytes | None
    suppressed: bytes | None
    record: bytes


def encode_record(record: NoteRecord) -> NoteRow:
    """A record as the store keeps it (made by parse workers, next to the record)."""
    keys = record.link_keys
    return NoteRow(
        record.path, record.size, record.mtime_ns, record.blob_id,
        _pack(record.aliases) if record.aliases else None,
        int(record.backlinks_block is not None),
        json.dumps(sorted(keys), ensure_ascii=False) if keys else None,
        _pack([(rule, p.line, p.column, p.message, p.fixable or p.fix is not None)
               for rule, p in record.problems]) if record.problems else None,
        _pack(([(line, tuple(rules)) for line, rules in record.suppressed_lines.items()],
               tuple(record.suppressed_file)))
        if record.suppressed_lines or record.suppressed_file else None,
        _pack((record.readable, tuple(record.heading_keys), tuple(record.block_ids),
               record.link_rows, record.tags, record.backlinks_block,
               record.property_lines,
               record.front_matter_digest, record.typed_links, record.link_verdicts)),
    )


_STRING_ONLY = frozenset({str})


def _strings(value: Any) -> tuple[str, ...]:
    if value.__class__ is not tuple or not {*map(type, value)} <= _STRING_ONLY:
        raise StoreDamaged("expected a list of strings")
    return value  # type: ignore[no-any-return]


_EMPTY_LIST = _pack([])


def decode_problems(raw: bytes | None) -> tuple[tuple[str, Problem], ...]:
    """Stored (rule, problem) pairs; the fixes themselves are never stored."""
    if raw is None or raw == _EMPTY_LIST:  # most notes: nothing to unpack
        return ()
    try:
        return tuple((str(rule), Problem(int(line), int(column), str(message), None,
                                         bool(fixable)))
                     for rule, line, column, message, fixable in _unpack(raw))
    except (TypeError, ValueError) as exc:
        raise StoreDamaged(f"damaged findings in the store: {exc}") from None


def decode_suppressions(raw: bytes | None
                        ) -> tuple[dict[int, frozenset[str]], frozenset[str]]:
    if raw is None:
        return {}, frozenset()
    try:
        lines, whole_file = _unpack(raw)
        return ({int(line): frozenset(_strings(rules)) for line, rules in lines},
                frozenset(_strings(whole_file)))
    except (TypeError, ValueError) as exc:
        raise StoreDamaged(f"damaged suppressions in the store: {exc}") from None


def _property_lines(value: Any) -> tuple[tuple[str, ...], tuple[int, ...]]:
    keys, lines = value
    if len(keys) != len(lines):
        raise StoreDamaged("damaged property lines in the store")
    return shared_keys(_strings(keys)), _ints(lines)


_INT_ONLY = frozenset({int})


def _ints(value: Any) -> tuple[int, ...]:
    if value.__class__ is not tuple or not {*map(type, value)} <= _INT_ONLY:
        raise StoreDamaged("expected a list of numbers")
    return value  # type: ignore[no-any-return]


# The types of a link row's fields (see model.Link), with and without display text.
_LINK_SIGNATURES = frozenset({(int, str, str, str, int, int, int, int, str),
                              (int, str, str, type(None), int, int, int, int, str)})


def _link_rows(rows: Any) -> tuple[tuple[Any, ...], ...]:
    # One set of type signatures per note, built in C: a tenth of checking each field.
    if rows.__class__ is not tuple or not {
            tuple(map(type, row)) for row in rows} <= _LINK_SIGNATURES:
        raise StoreDamaged("damaged link in the store")
    return rows  # type: ignore[no-any-return]


def decode_record(row: NoteRow) -> NoteRecord:
    """The NoteRecord a row holds. Raises StoreDamaged if it is not one notewarden wrote."""
    try:
        (readable, heading_keys, block_ids, link_rows, tags, backlinks, property_lines,
         digest, typed_links, link_verdicts) = _unpack(row.record)
        suppressed_lines, suppressed_file = decode_suppressions(row.suppressed)
        block = None
        if backlinks is not None:
            start, end, entries = backlinks
            block = BacklinksBlock(int(start), int(end), _strings(entries))
        return NoteRecord(
            path=row.path, size=row.size, mtime_ns=row.mtime_ns, is_note=True,
            readable=bool(readable),
            aliases=_strings(_unpack(row.aliases)) if row.aliases is not None else (),
            heading_keys=small_set(_strings(heading_keys)),
            block_ids=small_set(_strings(block_ids)),
            link_rows=_link_rows(link_rows),
            tags=_strings(tags),
            problems=decode_problems(row.problems),
            suppressed_lines=suppressed_lines,
            suppressed_file=suppressed_file,
            backlinks_block=block,
            property_lines=None if property_lines is None
            else _property_lines(property_lines),
            blob_id=row.blob_id,
            front_matter_digest=None if digest is None else str(digest),
            typed_links=_typed_links(typed_links),
            link_verdicts=_link_verdicts(link_verdicts),
        )
    except (TypeError, ValueError) as exc:
        raise StoreDamaged(f"damaged record in the store: {exc}") from None


_TYPED_LINK = frozenset({(int, int, str, str, str, str, str, str)})
_VERDICT = frozenset({(str, str)})


def _typed_links(rows: Any) -> tuple[TypedLink, ...]:
    if not rows:
        return ()
    if rows.__class__ is not tuple or not {tuple(map(type, row)) for row in rows} <= _TYPED_LINK:
        raise StoreDamaged("damaged typed link in the store")
    return tuple(TypedLink._make(row) for row in rows)


def _link_verdicts(rows: Any) -> tuple[tuple[str, str], ...]:
    if not rows:
        return ()
    if rows.__class__ is not tuple or not {tuple(map(type, row)) for row in rows} <= _VERDICT:
        raise StoreDamaged("damaged verdict in the store")
    return rows  # type: ignore[no-any-return]


def fingerprint_digest(files: Sequence[tuple[Any, ...]],
                       walk_problems: Sequence[tuple[str, str]]) -> str:
    """A digest of the walk: every file's path, size and mtime (VaultFile tuples), and
    what the walk could not read. Equal digests mean no file changed."""
    data = _pack((files, walk_problems))
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def encode_summary(notes: Iterable[tuple[str, Sequence[tuple[str, Problem]],
                                         Sequence[tuple[str, Problem]],
                                         Mapping[int, frozenset[str]], frozenset[str]]],
                   walk_problems: Sequence[tuple[str, str]]) -> bytes:
    """Every note's findings, for the `summary` table: (path, single-note problems,
    vault problems, suppressed lines, suppressed rules of the file) each."""
    paths: list[str] = []
    details = []
    for number, (path, problems, vault, lines, whole_file) in enumerate(notes):
        paths.append(path)
        if problems or vault or lines or whole_file:
            details.append((number, _problem_rows(problems), _problem_rows(vault),
                            [(line, tuple(rules)) for line, rules in lines.items()],
                            tuple(whole_file)))
    return _pack((paths, details, walk_problems))


def _problem_rows(problems: Sequence[tuple[str, Problem]]) -> list[tuple[Any, ...]]:
    return [(rule, p.line, p.column, p.message, p.fixable or p.fix is not None)
            for rule, p in problems]


_new_problem: Callable[[tuple[Any, ...]], Problem] = partial(
    tuple.__new__, Problem)  # type: ignore[assignment]


def decode_summary(value: Any) -> tuple[list[str], dict[int, tuple[Any, ...]],
                                        list[tuple[str, str]]]:
    """(paths, {number: (problems, vault problems, suppressed lines, suppressed file)},
    walk problems) from an unpacked summary. Raises StoreDamaged."""
    try:
        paths, details, walk = value
        decoded = {}
        for number, problems, vault, lines, whole_file in details:
            decoded[int(number)] = (
                _summary_problems(problems), _summary_problems(vault),
                {int(line): frozenset(_strings(rules)) for line, rules in lines},
                frozenset(_strings(whole_file)))
        return (list(_strings(paths)), decoded,
                [(str(path), str(message)) for path, message in walk])
    except (TypeError, ValueError) as exc:
        raise StoreDamaged(f"damaged summary in the store: {exc}") from None


_PROBLEM_ROW = frozenset({(str, int, int, str, bool)})


def _summary_problems(rows: Any) -> tuple[tuple[str, Problem], ...]:
    # Checked by type signature in one pass, then made without Problem's Python __new__:
    # a big vault's summary holds 100,000 problems or more.
    if rows.__class__ is not tuple or not {tuple(map(type, row)) for row in rows} <= \
            _PROBLEM_ROW:
        raise StoreDamaged("damaged findings in the store")
    return tuple((row[0], _new_problem((row[1], row[2], row[3], None, row[4])))
                 for row in rows)


def encode_vault_problems(problems: Sequence[tuple[str, Problem]]) -> bytes:
    return _pack([(rule, p.line, p.column, p.message, p.fixable or p.fix is not None)
                  for rule, p in problems])


# --- the store -----------------------------------------------------------------------------


class StoredNote(NamedTuple):
    """What is known of a stored note without reading its record."""

    size: int
    mtime_ns: int
    blob_id: str | None
    aliases: bytes | None
    has_backlinks: int
    problems: bytes | None
    suppressed: bytes | None


_stored_note: Callable[[tuple[Any, ...]], StoredNote] = partial(
    tuple.__new__, StoredNote)  # type: ignore[assignment]


def stored_note(row: NoteRow) -> StoredNote:
    """What the store keeps in memory of a note it has this row of."""
    return StoredNote(row.size, row.mtime_ns, row.blob_id, row.aliases, row.has_backlinks,
                      row.problems, row.suppressed)


@dataclass
class StoreWrite:
    """What a run tells the store, written in one transaction.

    `notes`: rows of records parsed in this run (`stored`: those the parse workers have
    written already); `keep_notes`: every note path still in the vault (other rows go).
    `checked`, when the run was a check: every file's stats, and `vault` each note's
    vault-rule problems (None: not computed)."""

    notes: list[NoteRow] = field(default_factory=list)
    # Notes the parse workers have written already: only what this object keeps in memory.
    stored: dict[str, StoredNote] = field(default_factory=dict)
    keep_notes: set[str] | None = None
    checked: dict[str, tuple[int, int]] | None = None
    vault: Mapping[str, bytes | None] = field(default_factory=dict)
    # With `checked`: (fingerprint digest, encode_summary's blob), or None for none.
    summary: tuple[str, bytes] | None = None


class Store:
    """One vault's store, opened for a run. See the module docstring."""

    def __init__(self, connection: sqlite3.Connection, path: Path, records_salt: str,
                 results_salt: str) -> None:
        self.path = path
        self._connection = connection
        self.records_salt, self.results_salt = records_salt, results_salt
        meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
        # Records depend on notewarden's version and the schemas; vault findings also on
        # the settings the vault rules read (see engine.results_salt).
        self.records_valid = meta.get("records") == f"{__version__}:{records_salt}"
        self.results_valid = self.records_valid and meta.get("results") == results_salt
        self._notes: dict[str, StoredNote] | None = None
        self._checked: dict[str, tuple[int, int, bytes | None]] | None = None

    @classmethod
    def open(cls, vault_root: Path, records_salt: str, results_salt: str,
             cache_dir: Path | None = None, warnings: list[str] | None = None) -> Store | None:
        """The vault's store, or None when it cannot be used (the reason is added to
        `warnings` when the user should know it; a store locked by another process is
        simply skipped). A store that is not a database is removed and made anew."""
        root = cache_root(cache_dir)
        path = store_file(vault_root, root)
        try:
            _private_folder(root)
            _private_folder(path.parent)
            try:
                connection = _connect(path)
            except sqlite3.DatabaseError as exc:
                if _is_locked(exc):
                    return None
                _remove_store_files(path)  # damaged or planted: start again
                connection = _connect(path)
            try:
                return cls(connection, path, records_salt, results_salt)
            except sqlite3.DatabaseError as exc:
                connection.close()
                if _is_locked(exc):
                    return None
                _remove_store_files(path)
                return cls(_connect(path), path, records_salt, results_salt)
        except (OSError, sqlite3.Error) as exc:
            if warnings is not None:
                warnings.append(f"running without a cache: {exc}")
            return None

    @property
    def notes(self) -> dict[str, StoredNote]:
        """Every stored note, without its record (read on first use: a check of an
        unchanged vault needs only the summary)."""
        if self._notes is None:
            self._notes = {}
            if self.records_valid:
                try:
                    rows = self._connection.execute(
                        "SELECT path, size, mtime_ns, blob_id, aliases, has_backlinks,"
                        " problems, suppressed FROM notes").fetchall()
                except sqlite3.Error as exc:
                    raise StoreDamaged(f"cannot read the store: {exc}") from None
                # Made into StoredNotes without their Python __new__: 100,000 in a big vault.
                self._notes = dict(zip([row[0] for row in rows],
                                       map(_stored_note, [row[1:] for row in rows]),
                                       strict=True))
        return self._notes

    @notes.setter
    def notes(self, value: dict[str, StoredNote]) -> None:
        self._notes = value

    def last_check(self, digest: str) -> Any:
        """The summary the last check left, if it was made for files with this digest
        (see fingerprint_digest), unpacked; else None. Raises StoreDamaged."""
        if not self.results_valid:
            return None
        try:
            row = self._connection.execute(
                "SELECT digest, data FROM summary WHERE id = 1").fetchone()
        except sqlite3.Error as exc:
            raise StoreDamaged(f"cannot read the store: {exc}") from None
        if row is None or row[0] != digest:
            return None
        return _unpack(row[1])

    def close(self) -> None:
        self._connection.close()

    def reset(self) -> None:
        """Forget everything stored (it was damaged): this run starts cold, and its write
        fills the store afresh."""
        self.notes = {}
        self._checked = {}
        self.records_valid = self.results_valid = False
        try:
            self._connection.executescript(
                "BEGIN IMMEDIATE; DELETE FROM notes; DELETE FROM checked; DELETE FROM meta;"
                " DELETE FROM summary; COMMIT;")
        except sqlite3.Error:  # locked, say: this run's write will try again
            with contextlib.suppress(sqlite3.Error):
                self._connection.execute("ROLLBACK")

    # --- reading ----------------------------------------------------------------------

    def is_current(self, file: VaultFile) -> bool:
        """Does the stored record describe this file as it is now? A file listed from the
        git index is compared by blob id, a file on disk by size and mtime."""
        note = self.notes.get(file.path)
        if note is None:
            return False
        if file.blob_id is not None:
            return note.blob_id == file.blob_id
        return file.size >= 0 and note.size == file.size and note.mtime_ns == file.mtime_ns

    def record(self, path: str) -> NoteRecord:
        """The stored record of a note in `notes`. Raises StoreDamaged."""
        note = self.notes[path]
        try:
            found = self._connection.execute("SELECT record FROM notes WHERE path = ?",
                                             (path,)).fetchone()
        except sqlite3.Error as exc:
            raise StoreDamaged(f"cannot read the store: {exc}") from None
        if found is None:  # removed by another run since this one opened the store
            raise StoreDamaged(f"{path} is no longer in the store")
        return decode_record(NoteRow(path, note.size, note.mtime_ns, note.blob_id,
                                     note.aliases, note.has_backlinks, None, note.problems,
                                     note.suppressed, found[0]))

    def aliases(self, path: str) -> tuple[str, ...]:
        raw = self.notes[path].aliases
        return () if raw is None else _strings(_unpack(raw))

    def problems(self, path: str) -> tuple[tuple[str, Problem], ...]:
        return decode_problems(self.notes[path].problems)

    def suppressions(self, path: str) -> tuple[dict[int, frozenset[str]], frozenset[str]]:
        return decode_suppressions(self.notes[path].suppressed)

    def linking_to(self, keys: Iterable[str]) -> set[str]:
        """The stored notes with a link whose link_key is one of `keys`."""
        wanted = list(keys)
        if not wanted:
            return set()
        marks = ",".join("?" * len(wanted))
        try:
            rows = self._connection.execute(
                "SELECT DISTINCT notes.path FROM notes, json_each(notes.link_keys)"
                f" WHERE notes.link_keys IS NOT NULL AND json_each.value IN ({marks})",
                wanted).fetchall()
        except sqlite3.Error as exc:
            raise StoreDamaged(f"cannot read the store: {exc}") from None
        return {path for (path,) in rows if path in self.notes}

    @property
    def checked(self) -> dict[str, tuple[int, int, bytes | None]]:
        """The last check's view: path -> (size, mtime_ns, packed vault problems or
        None). Empty when those findings were made with other settings."""
        if self._checked is None:
            self._checked = {}
            if self.results_valid:
                for path, size, mtime_ns, vault in self._connection.execute(
                        "SELECT path, size, mtime_ns, vault FROM checked"):
                    self._checked[path] = (size, mtime_ns, vault)
        return self._checked

    def vault_problems(self, path: str) -> tuple[tuple[str, Problem], ...] | None:
        """The last check's vault-rule problems for a note (None: not computed)."""
        row = self.checked.get(path)
        return None if row is None or row[2] is None else decode_problems(row[2])

    # --- writing ----------------------------------------------------------------------

    def write(self, update: StoreWrite) -> bool:
        """Apply a run's update in one transaction. False (and nothing written) when
        another process holds the store or the disk refuses: the next run is colder."""
        connection = self._connection
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.Error:
            return False
        try:
            notes, checked = self._write(connection, update)
            connection.execute("COMMIT")
        except BaseException as exc:  # a signal may stop `watch` anywhere in here
            with contextlib.suppress(sqlite3.Error):  # none left to roll back, say
                connection.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                return False
            raise
        # What this store object knows follows what it wrote (watch keeps it open).
        self.notes, self._checked = notes, checked
        self.records_valid = True
        self.results_valid = self.results_valid or update.checked is not None
        return True

    def prepare_for_records(self) -> bool:
        """Ready the store for parse workers to write rows into (see store_rows): a store
        whose records were made with other schemas or another version is emptied first.
        False when it cannot be written now (another process holds it)."""
        if self.records_valid:
            return True
        return self.write(StoreWrite())

    def _write(self, connection: sqlite3.Connection, update: StoreWrite
               ) -> tuple[dict[str, StoredNote], dict[str, tuple[int, int, bytes | None]] | None]:
        notes = dict(self.notes) if self.records_valid else {}
        checked = self._checked
        if not self.records_valid:
            connection.execute("DELETE FROM notes")
            connection.execute("DELETE FROM checked")
            connection.execute("DELETE FROM meta")
            connection.execute("DELETE FROM summary")
            connection.execute("INSERT INTO meta VALUES ('records', ?)",
                               (f"{__version__}:{self.records_salt}",))
            checked = {}
        if update.keep_notes is not None:
            gone = [path for path in notes if path not in update.keep_notes]
            connection.executemany("DELETE FROM notes WHERE path = ?", [(p,) for p in gone])
            for path in gone:
                del notes[path]
        connection.executemany(
            "INSERT OR REPLACE INTO notes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", update.notes)
        notes.update(update.stored)
        for row in update.notes:
            notes[row.path] = stored_note(row)
        # `checked` holds its own stats: a record stored since (by a fix, say) for a file
        # that changed makes that file differ from what the check saw, which the next
        # check sees, so `checked` needs no change here.
        if update.checked is not None:
            checked = self._write_checked(connection, update, checked)
        return notes, checked

    def _write_checked(self, connection: sqlite3.Connection, update: StoreWrite,
                       checked: dict[str, tuple[int, int, bytes | None]] | None,
                       ) -> dict[str, tuple[int, int, bytes | None]]:
        assert update.checked is not None
        if not self.results_valid or checked is None:
            if not self.results_valid:
                connection.execute("DELETE FROM checked")
                connection.execute("INSERT OR REPLACE INTO meta VALUES ('results', ?)",
                                   (self.results_salt,))
                checked = {}
            else:
                checked = dict(self.checked)
        else:
            checked = dict(checked)
        rows = []
        for path, (size, mtime_ns) in update.checked.items():
            vault = update.vault.get(path)
            before = checked.get(path)
            if before is None or before[0] != size or before[1] != mtime_ns \
                    or before[2] != vault:
                rows.append((path, size, mtime_ns, vault))
                checked[path] = (size, mtime_ns, vault)
        gone = [path for path in checked if path not in update.checked]
        connection.executemany("DELETE FROM checked WHERE path = ?", [(p,) for p in gone])
        for path in gone:
            del checked[path]
        connection.executemany("INSERT OR REPLACE INTO checked VALUES (?, ?, ?, ?)", rows)
        if update.summary is None:
            connection.execute("DELETE FROM summary")
        else:
            connection.execute("INSERT OR REPLACE INTO summary VALUES (1, ?, ?)",
                               update.summary)
        return checked


def _is_locked(exc: sqlite3.Error) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def connect_for_rows(path: Path) -> sqlite3.Connection | None:
    """A parse worker's own connection to a store prepared for it (see
    Store.prepare_for_records), or None when it cannot be had."""
    try:
        _refuse_links(path)
        connection = sqlite3.connect(path, timeout=LOCK_TIMEOUT_SECONDS, isolation_level=None)
        connection.execute("PRAGMA synchronous=NORMAL")
    except (OSError, sqlite3.Error):
        return None
    return connection


def store_rows(connection: sqlite3.Connection, rows: Sequence[NoteRow]) -> bool:
    """Write a parse worker's rows in one transaction. Workers write while the main
    process screens links, which keeps the write (0.1-0.2 s for 10,000 notes) off the
    cold check's serial path. False (nothing written) when the store is held elsewhere:
    the main process then writes the rows itself."""
    try:
        connection.execute("BEGIN IMMEDIATE")
    except sqlite3.Error:
        return False
    try:
        connection.executemany(
            "INSERT OR REPLACE INTO notes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        connection.execute("COMMIT")
    except BaseException as exc:
        with contextlib.suppress(sqlite3.Error):
            connection.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            return False
        raise
    return True


# --- a run's records ---------------------------------------------------------------------


class Records(Mapping[str, NoteRecord]):
    """An index's notes by path: records parsed in this run, and records still in the
    store, read when first asked for (a check after one edit reads a few of them)."""

    def __init__(self, fresh: Mapping[str, NoteRecord] | None = None,
                 store: Store | None = None, cached: Iterable[str] = ()) -> None:
        self.store = store
        # None: the store's record, not read yet.
        self._records: dict[str, NoteRecord | None] = dict.fromkeys(cached)
        self._fresh: set[str] = set()  # paths whose record is not the store's
        self._rows: dict[str, NoteRow] = {}  # stored forms of fresh records, if known
        # Fresh records a parse worker already stored, by what the store keeps in memory
        # of them (not their whole row: 1.4 KB a note, 140 MB for a vault of 100,000).
        self._written: dict[str, StoredNote] = {}
        # link_keys of fresh records, derived once: the watcher matches every save against
        # them, and after a start without a store every record is fresh.
        self._link_keys: dict[str, frozenset[str]] = {}
        if fresh:
            self._records.update(fresh)
            self._fresh.update(fresh)

    @classmethod
    def whole_store(cls, store: Store | None) -> Records:
        return cls(store=store, cached=store.notes if store is not None else ())

    def __getitem__(self, path: str) -> NoteRecord:
        record = self._records[path]
        if record is None:
            assert self.store is not None
            record = self._records[path] = self.store.record(path)
        return record

    def __iter__(self) -> Iterator[str]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, path: object) -> bool:
        return path in self._records

    def add(self, record: NoteRecord, row: NoteRow | StoredNote | None = None) -> None:
        """Add or replace a note's record. `row`: its stored form, when already made; or,
        when a parse worker has put that in the store already, what the store keeps of it."""
        path = record.path
        self._records[path] = record
        self._fresh.add(path)
        self._link_keys.pop(path, None)
        if isinstance(row, StoredNote):
            self._written[path] = row
            self._rows.pop(path, None)
            return
        self._written.pop(path, None)
        if row is not None:
            self._rows[path] = row
        else:
            self._rows.pop(path, None)

    def is_fresh(self, path: str) -> bool:
        return path in self._fresh

    def aliases_of(self, path: str) -> tuple[str, ...]:
        record = self._records[path]
        if record is None:
            assert self.store is not None
            return self.store.aliases(path)
        return record.aliases

    def has_backlinks_block(self, path: str) -> bool:
        record = self._records[path]
        if record is None:
            assert self.store is not None
            return bool(self.store.notes[path].has_backlinks)
        return record.backlinks_block is not None

    def all_aliases(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """(path, aliases) for every note that has aliases, reading no record."""
        notes = self.store.notes if self.store is not None else {}
        for path, record in self._records.items():
            if record is not None:
                aliases = record.aliases
            elif notes[path].aliases is None:
                continue
            else:
                aliases = self.aliases_of(path)
            if aliases:
                yield path, aliases

    def linking_to(self, keys: set[str]) -> set[str]:
        """The notes with a link whose link_key is one of `keys`."""
        found: set[str] = set()
        if self.store is not None:
            found.update(path for path in self.store.linking_to(keys)
                         if path in self._records and path not in self._fresh)
        found.update(path for path in self._fresh
                     if not self.fresh_link_keys(path).isdisjoint(keys))
        return found

    def fresh_link_keys(self, path: str) -> frozenset[str]:
        """A fresh record's link_keys, derived on first use and kept."""
        keys = self._link_keys.get(path)
        if keys is None:
            record = self._records[path]  # a fresh path's record is never None
            assert record is not None
            keys = self._link_keys[path] = record.link_keys
        return keys

    def updated(self, changed: Mapping[str, NoteRecord], removed: set[str]) -> Records:
        """A copy with some records replaced or added and some removed."""
        # Plain dict and set copies (in C), then the few removals: the watcher makes one
        # of these for every save, in a vault of 10,000 notes.
        copy = Records(store=self.store)
        copy._records = dict(self._records)
        copy._fresh = set(self._fresh)
        copy._rows = dict(self._rows)
        copy._written = dict(self._written)
        copy._link_keys = dict(self._link_keys)
        for path in removed:
            copy._records.pop(path, None)
            copy._fresh.discard(path)
            copy._rows.pop(path, None)
            copy._written.pop(path, None)
            copy._link_keys.pop(path, None)
        for record in changed.values():
            copy.add(record)
        return copy

    def fresh_rows(self, leave_out: Iterable[str] = ()
                   ) -> tuple[list[NoteRow], dict[str, StoredNote]]:
        """What the store must learn of the records parsed in this run: (rows to write,
        and for those the parse workers wrote already, what the store keeps in memory).
        `leave_out`: records of contents not on disk, which must never be stored."""
        skip = set(leave_out)
        to_write: list[NoteRow] = []
        for path in self._fresh:
            if path in skip or path in self._written:
                continue
            row = self._rows.get(path)
            if row is None:
                record = self._records[path]
                assert record is not None
                row = encode_record(record)
            to_write.append(row)
        written = {path: note for path, note in self._written.items() if path not in skip}
        return to_write, written

    @property
    def changed_since_store(self) -> bool:
        """Would the store's notes differ from these records?"""
        store = self.store
        return bool(self._fresh) or store is None or len(store.notes) != len(self._records)



__all__ = ["Records", "Store", "StoreDamaged", "StoreWrite", "cache_root", "store_file"]
