"""The parse pool: turn a vault's files into NoteRecords, on every core when there are
enough of them.

Each note is read (only a regular file, at most MAX_NOTE_BYTES), parsed once, and run
through the single-note rules in a worker, which also writes the record's row into the
store; the main process only receives the records.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from notewarden.index import heading_key
from notewarden.model import (
    INTERNAL_ERROR,
    NoteRecord,
    Problem,
    link_row,
    shared_keys,
    small_set,
)
from notewarden.reading import MAX_NOTE_BYTES, NotRegularFile, read_regular_file
from notewarden.schemas import SchemaSet
from notewarden.store import (
    NoteRow,
    StoreDamaged,
    StoredNote,
    connect_for_rows,
    encode_record,
    store_rows,
    stored_note,
)
from notewarden.vault import VaultFile

if TYPE_CHECKING:  # the parser (and YAML) loads only when a note must be parsed
    from notewarden.parsing.note import ParsedNote

PARALLEL_THRESHOLD = 300  # below this many notes to parse, a process pool costs more than it saves
_CHUNK = 64


@dataclass
class NoteContext:
    """What the single-note rules may know beyond the note itself."""

    schemas: SchemaSet
    path: str
    readable: bool
    want_fixes: bool = False  # attach Fix objects to problems (only when fixing)
    # The same note's previous schema findings, with the front-matter digest they were
    # computed for: a body-only edit then re-validates nothing (and never imports jsonschema).
    previous_schema: tuple[str, tuple[Problem, ...]] | None = None

    @cached_property
    def validators(self) -> list[tuple[str, Any]]:
        return self.schemas.validators_for(self.path) if self.readable else []

    @property
    def property_types(self) -> dict[str, str]:
        """The vault's property types (.obsidian/types.json): lowercased name -> type."""
        return self.schemas.property_types


def run_note_rules(note: ParsedNote, schemas: SchemaSet, want_fixes: bool = False,
                   previous: NoteRecord | None = None) -> list[tuple[str, Problem]]:
    """Run every single-note rule on a parsed note. A rule that fails is reported, not raised.
    `previous` is the record this note had before, whose schema findings may be reused."""
    from notewarden.rules import NOTE_RULES, capped

    context = NoteContext(schemas, note.path, note.readable, want_fixes)
    if previous is not None and previous.front_matter_digest is not None:
        context.previous_schema = (previous.front_matter_digest, tuple(
            problem for rule, problem in previous.problems if rule == "schema"))
    problems: list[tuple[str, Problem]] = []
    for rule in NOTE_RULES:
        try:
            # A plain loop, not extend() over a generator expression: most rules find
            # nothing in most notes, and this runs for every rule of every note.
            for problem in capped(rule.name, rule.check(note, context)):
                problems.append((rule.name, problem))
        except StoreDamaged:
            raise
        except Exception as exc:  # a bug in one rule must not stop the others
            problems.append(
                (rule.name, Problem(1, 1, f"{INTERNAL_ERROR}{rule.name}: {exc!r}; "
                                          "please report this"))
            )
    return problems


def read_note(root: Path, file: VaultFile) -> ParsedNote:
    """Read and parse one note; I/O failures become an unreadable note, never an exception."""
    from notewarden.parsing.note import parse_note, unreadable_note

    if file.size > MAX_NOTE_BYTES:
        return unreadable_note(
            file.path, f"file is {file.size / 2**20:.0f} MB, over the "
                       f"{MAX_NOTE_BYTES // 2**20} MB limit; not checked")
    try:
        raw = read_regular_file(f"{os.fspath(root)}/{file.path}", MAX_NOTE_BYTES, file.size)
    except NotRegularFile as exc:
        return unreadable_note(file.path, f"{exc}; not read")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.errno == 40:  # ELOOP
            reason = "symlink loop"
        return unreadable_note(file.path, f"cannot read file: {reason}")
    if len(raw) > MAX_NOTE_BYTES:
        return unreadable_note(file.path, f"file is over {MAX_NOTE_BYTES // 2**20} MB; "
                                          "not checked")
    return parse_note(file.path, raw)


def record_from(note: ParsedNote, file: VaultFile, problems: list[tuple[str, Problem]],
                schemas: SchemaSet, previous: NoteRecord | None = None) -> NoteRecord:
    """The note's record, with the single-note rules' `problems`; `previous` is its last
    record, whose typed-link data is reused when its front-matter is unchanged."""
    from notewarden.typed_links import note_typing

    data = note.data or {}
    try:
        typed_links, link_verdicts = note_typing(note, schemas, previous)
    except Exception as exc:  # as for a rule: reported, and the other notes go on
        typed_links, link_verdicts = (), ()
        problems = [*problems, ("schema", Problem(
            1, 1, f"{INTERNAL_ERROR}schema (typed links): {exc!r}; please report this"))]
    return NoteRecord(
        path=note.path,
        size=file.size,
        mtime_ns=file.mtime_ns,
        is_note=True,
        readable=note.readable,
        aliases=_alias_strings(data),
        # map() over lists rather than generator expressions: this runs for every note.
        heading_keys=small_set(map(heading_key, [heading.text for heading in note.headings])),
        block_ids=small_set(map(str.lower, note.block_ids)),
        link_rows=tuple(map(link_row, note.links)),
        tags=tuple(note.tags),
        # Fixes are rebuilt from fresh bytes when fixing; the cache keeps only the flag.
        problems=tuple(
            (rule, problem if problem.fix is None else problem._replace(fix=None, fixable=True))
            for rule, problem in problems
        ),
        suppressed_lines=note.suppressed_lines,
        suppressed_file=note.suppressed_file,
        backlinks_block=note.backlinks_block,
        property_lines=_property_lines(note),
        blob_id=git_blob_id(note.raw) if note.read_error is None else None,
        front_matter_digest=note.front_matter_digest(),
        typed_links=typed_links,
        link_verdicts=link_verdicts,
    )


def git_blob_id(data: bytes) -> str:
    """The id git gives these bytes as a blob (SHA-1 object format)."""
    digest = hashlib.sha1(b"blob %d\0" % len(data), usedforsecurity=False)
    digest.update(data)
    return digest.hexdigest()


def _property_lines(note: ParsedNote) -> tuple[tuple[str, ...], tuple[int, ...]]:
    from yaml import ScalarNode  # loaded already: the note was just parsed

    node = note.front_matter.node if note.front_matter else None
    if node is None or note.block is None or not hasattr(node, "value"):
        return (), ()
    first_line = note.block.first_line
    keys = tuple(key.value if key.__class__ is ScalarNode else str(key.value)
                 for key, _value in node.value)
    return shared_keys(keys), tuple(first_line + key.start_mark.line for key, _ in node.value)


def _alias_strings(data: dict[str, Any]) -> tuple[str, ...]:
    # Every string Obsidian might show as an alias, whatever its shape: the alias-link rule
    # uses these to explain links that name an alias.
    out: list[str] = []
    for key in ("aliases", "alias"):
        value = data.get(key)
        values = value if isinstance(value, list) else [value]
        out.extend(item.strip() for item in values if isinstance(item, str) and item.strip())
    return tuple(dict.fromkeys(out))


_worker_state: dict[str, Any] = {}


def _init_worker(root: Path, schemas: SchemaSet, store: Path | None) -> None:
    _worker_state["root"] = root
    _worker_state["schemas"] = schemas
    _worker_state["store"] = connect_for_rows(store) if store is not None else None


def _parse_chunk(files: list[VaultFile]
                 ) -> tuple[list[NoteRecord], list[NoteRow] | list[StoredNote] | None]:
    # The records come back as they are: unpickling them costs the main process less than
    # decoding rows (0.08 s against 0.19 s for 3,000 bench notes), and the main process is
    # the one the workers wait for. With a store, the worker also writes each record's row
    # into it, if it can, and sends what the store keeps in memory of it; if it
    # cannot, it sends the rows for the main process to write.
    root, schemas, store = (_worker_state[key] for key in ("root", "schemas", "store"))
    records = [parse_file(root, file, schemas) for file in files]
    if store is None:
        return records, None
    rows = [encode_record(record) for record in records]
    if store_rows(store, rows):
        return records, [stored_note(row) for row in rows]
    return records, rows


def parse_file(root: Path, file: VaultFile, schemas: SchemaSet,
               previous: NoteRecord | None = None) -> NoteRecord:
    """Read, parse and check one note (`previous`: its last record, whose schema findings
    are reused when its front-matter is unchanged)."""
    note = read_note(root, file)
    return record_from(note, file, run_note_rules(note, schemas, previous=previous), schemas,
                       previous)


def parse_files(root: Path, files: list[VaultFile], schemas: SchemaSet,
                jobs: int | None = None, store: Path | None = None,
                ) -> Iterator[tuple[NoteRecord, NoteRow | StoredNote | None]]:
    """Parse notes, on every core when there are enough of them to be worth it. Yields
    each record with what the store must learn of it: its row (NoteRow) for the caller to
    write, or, once a worker has written that into the store at `store` (a path: workers
    open their own connections), what the store keeps in memory of it (StoredNote); None
    when parsed here. Records come as soon as their chunk is done, so the caller's work
    overlaps the parsing."""
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(files) < PARALLEL_THRESHOLD:
        for file in files:  # the row is made only if the store wants it
            yield parse_file(root, file, schemas), None
        return
    from concurrent.futures import ProcessPoolExecutor  # only imported when it is used

    chunks = [files[i : i + _CHUNK] for i in range(0, len(files), _CHUNK)]
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                               initargs=(root, schemas, store))
    try:
        for records, stored in pool.map(_parse_chunk, chunks):
            yield from zip(records, stored or [None] * len(records), strict=True)
    except BaseException:  # interrupted (watch stopped): drop queued work, don't drain it
        # Stop the workers too: interrupted while the pool was starting, they would never
        # be told to, and the interpreter waits for them at exit. (Python 3.14 has
        # terminate_workers(); before it only the private list knows them.)
        workers = list(getattr(pool, "_processes", {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            worker.kill()
        raise
    pool.shutdown()
