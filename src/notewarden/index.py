"""The vault index: every note's names, aliases, headings, block ids and links, built in
one pass, and Obsidian's link resolution on top of it.

Resolution goes through dictionaries keyed by normalised (NFC, lowercased) name and path,
never a loop over notes per link, so checking stays linear in the size of the vault.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import posixpath
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from notewarden import cache
from notewarden.config import Config
from notewarden.model import Heading, Link, LinkKind, NoteRecord, Problem, Resolution, Status
from notewarden.names import normalize_name, strip_md
from notewarden.reading import NotRegularFile, read_regular_file
from notewarden.schemas import SchemaSet
from notewarden.timings import phase
from notewarden.vault import VaultFile, WalkProblem, walk_vault

if TYPE_CHECKING:  # the parser (and YAML) loads only when a note must be parsed
    from notewarden.parsing.note import ParsedNote

MAX_NOTE_BYTES = 32 * 1024 * 1024
PARALLEL_THRESHOLD = 300  # below this many notes to parse, a process pool costs more than it saves
_CHUNK = 64

# File types Obsidian opens itself; a link to one of these is a link to an attachment.
ATTACHMENT_EXTENSIONS = frozenset({
    "avif", "bmp", "gif", "jpeg", "jpg", "png", "svg", "webp",  # images
    "flac", "m4a", "mp3", "ogg", "wav", "webm", "3gp",  # audio
    "mkv", "mov", "mp4", "ogv",  # video
    "pdf", "canvas", "base", "excalidraw", "epub",
    "txt", "csv", "json", "html", "htm", "zip", "docx", "xlsx", "pptx",
})


# --- building ---------------------------------------------------------------------------


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


def run_note_rules(note: ParsedNote, schemas: SchemaSet, want_fixes: bool = False,
                   previous: NoteRecord | None = None) -> list[tuple[str, Problem]]:
    """Run every single-note rule on a parsed note. A rule that fails is reported, not raised.
    `previous` is the record this note had before, whose schema findings may be reused."""
    from notewarden.rules import NOTE_RULES

    context = NoteContext(schemas, note.path, note.readable, want_fixes)
    if previous is not None and previous.front_matter_digest is not None:
        context.previous_schema = (previous.front_matter_digest, tuple(
            problem for rule, problem in previous.problems if rule == "schema"))
    problems: list[tuple[str, Problem]] = []
    for rule in NOTE_RULES:
        try:
            # A plain loop, not extend() over a generator expression: most rules find
            # nothing in most notes, and this runs for every rule of every note.
            for problem in rule.check(note, context):
                problems.append((rule.name, problem))
        except Exception as exc:  # a bug in one rule must not stop the others
            problems.append(
                (rule.name, Problem(1, 1, f"internal error in rule {rule.name}: {exc!r}; "
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


def record_from(note: ParsedNote, file: VaultFile,
                problems: list[tuple[str, Problem]]) -> NoteRecord:
    data = note.data or {}
    return NoteRecord(
        path=note.path,
        size=file.size,
        mtime_ns=file.mtime_ns,
        is_note=True,
        readable=note.readable,
        aliases=_alias_strings(data),
        # map() over lists rather than generator expressions: this runs for every note.
        heading_keys=frozenset(map(heading_key, [heading.text for heading in note.headings])),
        block_ids=frozenset(map(str.lower, note.block_ids)),
        link_rows=tuple(map(tuple, note.links)),
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
    )


def git_blob_id(data: bytes) -> str:
    """The id git gives these bytes as a blob (SHA-1 object format)."""
    digest = hashlib.sha1(b"blob %d\0" % len(data), usedforsecurity=False)
    digest.update(data)
    return digest.hexdigest()


def _property_lines(note: ParsedNote) -> dict[str, int]:
    from yaml import ScalarNode  # loaded already: the note was just parsed

    node = note.front_matter.node if note.front_matter else None
    if node is None or note.block is None or not hasattr(node, "value"):
        return {}
    first_line = note.block.first_line
    return {key.value if key.__class__ is ScalarNode else str(key.value):
            first_line + key.start_mark.line for key, _value in node.value}


def note_key(path: str) -> str:
    """The key a file answers to in link_key terms: `Folder/Note.md` -> `note`."""
    return strip_md(normalize_name(path).rsplit("/", 1)[-1])


def affected_by(index: VaultIndex, changed: set[str], touched_files: set[str],
                old_records: Mapping[str, NoteRecord]) -> set[str]:
    """Notes whose link findings may differ after some notes `changed` (edited, added or
    removed) and some attachments were `touched` (added, removed or changed).

    A note's link findings depend on its own text and on the files its links name. So it
    is affected if it changed, or if it links to a name (file name or alias, old or new)
    of something that changed. `old_records` holds the changed notes as they were.
    """
    keys = {note_key(path) for path in changed | touched_files}
    for path in changed:
        for record in (index.records.get(path), old_records.get(path)):
            if record is not None:
                keys.update(normalize_name(alias) for alias in record.aliases)
    affected = {path for path in changed if path in index.records}
    if keys:
        affected.update(index.records.linking_to(keys))
    return affected


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


def _init_worker(root: Path, schemas: SchemaSet) -> None:
    _worker_state["root"] = root
    _worker_state["schemas"] = schemas


def _parse_chunk(files: list[VaultFile]) -> list[bytes]:
    # Each record comes back pickled on its own: the parent keeps these bytes as they are
    # for the records cache, so a cold run never pickles the same record twice.
    root, schemas = _worker_state["root"], _worker_state["schemas"]
    return [pickle.dumps(parse_file(root, file, schemas), protocol=pickle.HIGHEST_PROTOCOL)
            for file in files]


def parse_file(root: Path, file: VaultFile, schemas: SchemaSet,
               previous: NoteRecord | None = None) -> NoteRecord:
    note = read_note(root, file)
    return record_from(note, file, run_note_rules(note, schemas, previous=previous))


def parse_files(root: Path, files: list[VaultFile], schemas: SchemaSet,
                jobs: int | None = None) -> Iterator[bytes]:
    """Parse notes, on every core when there are enough of them to be worth it.
    Yields each NoteRecord pickled (the form the records cache stores), as soon as its
    chunk is done, so the caller's work overlaps the parsing."""
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(files) < PARALLEL_THRESHOLD:
        for file in files:
            yield pickle.dumps(parse_file(root, file, schemas), protocol=pickle.HIGHEST_PROTOCOL)
        return
    from concurrent.futures import ProcessPoolExecutor  # only imported when it is used

    chunks = [files[i : i + _CHUNK] for i in range(0, len(files), _CHUNK)]
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                               initargs=(root, schemas))
    try:
        for chunk in pool.map(_parse_chunk, chunks):
            yield from chunk
    except BaseException:  # interrupted (watch stopped): drop queued work, don't drain it
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


# size, mtime_ns, blob_id, aliases, has a backlinks block
Meta = tuple[int, int, str | None, tuple[str, ...], bool]


class RecordStore:
    """The records cache as stored: each note's record pickled on its own, plus what must
    be known about every note without unpickling it (stats, git blob id, aliases, and
    which notes link to which names). Unpickling 10,000 records takes about half a second;
    opening this takes a few hundredths, and a record is unpickled when first asked for."""

    def __init__(self, meta: dict[str, tuple[Any, ...]], sections: cache.Sections) -> None:
        # path -> Meta + (start, end): plain tuples, quick to unpickle; start and end
        # locate the pickled record in the data section.
        self.meta = meta
        self._sections = sections

    @cached_property
    def linkers(self) -> dict[str, tuple[str, ...]]:
        """link_key -> the notes with a link of that key (read only when needed)."""
        linkers: dict[str, tuple[str, ...]] = pickle.loads(self._sections.section(0))
        return linkers

    def pickled(self, path: str) -> bytes:
        meta = self.meta[path]
        return bytes(self._sections.section(1)[meta[5] : meta[6]])

    def record(self, path: str) -> NoteRecord:
        meta = self.meta[path]
        record: NoteRecord = pickle.loads(self._sections.section(1)[meta[5] : meta[6]])
        return record

    def is_current(self, file: VaultFile) -> bool:
        """Does the cached record describe this file as it is now? A file listed from the
        git index is compared by blob id, a file on disk by size and mtime."""
        meta = self.meta.get(file.path)
        if meta is None:
            return False
        if file.blob_id is not None:
            return bool(meta[2] == file.blob_id)
        return file.size >= 0 and meta[0] == file.size and meta[1] == file.mtime_ns


def save_store(root: Path, schemas: SchemaSet, meta: dict[str, Meta],
               linkers: dict[str, tuple[str, ...]], pickled: dict[str, bytes]) -> None:
    """Write the records cache (see RecordStore)."""
    located: dict[str, tuple[Any, ...]] = {}
    offset = 0
    for path, note_meta in meta.items():
        end = offset + len(pickled[path])
        located[path] = (*note_meta, offset, end)
        offset = end
    data = b"".join(pickled[path] for path in meta)
    cache.save(root, "records", schemas.digest, located,
               [pickle.dumps(linkers, protocol=pickle.HIGHEST_PROTOCOL), data])


def load_store(root: Path, schemas: SchemaSet) -> RecordStore | None:
    """The records cache for this vault and these schemas, if there is a usable one."""
    loaded = cache.load_with_sections(root, "records", schemas.digest)
    if loaded is None or not isinstance(loaded[0], dict):
        return None
    return RecordStore(loaded[0], loaded[1])


class Records(Mapping[str, NoteRecord]):
    """An index's notes by path. Records taken from the cache stay pickled until first
    used, so a check that looks at a few notes never unpickles the other ten thousand."""

    def __init__(self, fresh: Mapping[str, NoteRecord] | None = None,
                 store: RecordStore | None = None, cached: Iterable[str] = ()) -> None:
        self._store = store
        # None: the store's record, not unpickled yet.
        self._records: dict[str, NoteRecord | None] = dict.fromkeys(cached)
        self._fresh: set[str] = set()  # paths whose record is not the store's
        self._pickled: dict[str, bytes] = {}  # pickled forms of fresh records, if known
        # link_keys of fresh records, derived once: the watcher matches every save against
        # them, and after a start without a cache every record is fresh.
        self._link_keys: dict[str, frozenset[str]] = {}
        if fresh:
            self._records.update(fresh)
            self._fresh.update(fresh)

    @classmethod
    def whole_store(cls, store: RecordStore | None) -> Records:
        return cls(store=store, cached=store.meta if store is not None else ())

    def __getitem__(self, path: str) -> NoteRecord:
        record = self._records[path]
        if record is None:
            assert self._store is not None
            record = self._records[path] = self._store.record(path)
        return record

    def __iter__(self) -> Iterator[str]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, path: object) -> bool:
        return path in self._records

    def add(self, record: NoteRecord, pickled: bytes | None = None) -> None:
        """Add or replace a note's record (`pickled`: its pickled form, for the cache)."""
        self._records[record.path] = record
        self._fresh.add(record.path)
        self._link_keys.pop(record.path, None)
        if pickled is not None:
            self._pickled[record.path] = pickled
        else:
            self._pickled.pop(record.path, None)

    def aliases_of(self, path: str) -> tuple[str, ...]:
        record = self._records[path]
        if record is None:
            assert self._store is not None
            return self._store.meta[path][3]
        return record.aliases

    def has_backlinks_block(self, path: str) -> bool:
        record = self._records[path]
        if record is None:
            assert self._store is not None
            return bool(self._store.meta[path][4])
        return record.backlinks_block is not None

    def all_aliases(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """(path, aliases) for every note that has aliases, unpickling nothing."""
        meta = self._store.meta if self._store is not None else {}
        for path, record in self._records.items():
            aliases = record.aliases if record is not None else meta[path][3]
            if aliases:
                yield path, aliases

    def linking_to(self, keys: set[str]) -> set[str]:
        """The notes with a link whose link_key is one of `keys`."""
        found: set[str] = set()
        if self._store is not None:
            for key in keys:
                found.update(path for path in self._store.linkers.get(key, ())
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
        copy = Records(store=self._store)
        copy._records = dict(self._records)
        copy._fresh = set(self._fresh)
        copy._pickled = dict(self._pickled)
        copy._link_keys = dict(self._link_keys)
        for path in removed:
            copy._records.pop(path, None)
            copy._fresh.discard(path)
            copy._pickled.pop(path, None)
            copy._link_keys.pop(path, None)
        for record in changed.values():
            copy.add(record)
        return copy

    def save(self, root: Path, schemas: SchemaSet, leave_out: Iterable[str] = ()) -> None:
        """Write these records as the records cache, reusing every pickle already made."""
        skip = set(leave_out)
        meta: dict[str, Meta] = {}
        pickled: dict[str, bytes] = {}
        linkers: dict[str, list[str]] = {}
        store = self._store
        for path, record in self._records.items():
            if path in skip:
                continue
            if path not in self._fresh:
                assert store is not None
                meta[path], pickled[path] = store.meta[path][:5], store.pickled(path)
                continue
            assert record is not None
            meta[path] = (record.size, record.mtime_ns, record.blob_id, record.aliases,
                          record.backlinks_block is not None)
            pickled[path] = self._pickled.get(path) or pickle.dumps(
                record, protocol=pickle.HIGHEST_PROTOCOL)
            for key in self.fresh_link_keys(path):  # 125,000 keys in a cold run: kept tight
                owners = linkers.get(key)
                if owners is None:
                    linkers[key] = [path]
                else:
                    owners.append(path)
        if store is not None:
            for key, paths in store.linkers.items():
                kept = [path for path in paths if path in meta and path not in self._fresh]
                if kept:
                    linkers.setdefault(key, []).extend(kept)
        save_store(root, schemas, meta,
                   {key: tuple(paths) for key, paths in linkers.items()}, pickled)

    @property
    def changed_since_store(self) -> bool:
        """Would the cache written from these records differ from the one they came from?"""
        store = self._store
        return bool(self._fresh) or store is None or len(store.meta) != len(self._records)


def build_index(config: Config, schemas: SchemaSet, *, use_cache: bool = True,
                jobs: int | None = None, overlay: dict[str, bytes] | None = None,
                walked: tuple[list[VaultFile], list[WalkProblem]] | None = None,
                store: RecordStore | None = None, save: bool = True,
                save_in_background: bool = False) -> VaultIndex:
    """Index every note in the vault, re-parsing only what changed since the cache.

    `overlay` holds in-memory contents that replace files on disk (fixes not yet written,
    staged contents); those notes are parsed from memory and never cached. `walked` is the
    result of `walk_vault` when the caller already has it; `store` the records cache when
    the caller already loaded it. `save` False leaves the cache as it is;
    `save_in_background` writes it in a child process where that is safe, and then the
    caller must call `index.finish_saving()` before exiting.
    """
    root = config.root
    files, walk_problems = walked if walked is not None else walk_vault(root)
    if store is None and use_cache:
        with phase("load records cache"):
            store = load_store(root, schemas)
    attachments: list[str] = []
    cached: list[str] = []
    stale: list[VaultFile] = []
    fresh: dict[str, NoteRecord] = {}
    overlay = overlay or {}
    current = store.is_current if store is not None else None
    for file in files:
        if not file.path.lower().endswith(".md"):
            attachments.append(file.path)
        elif file.path in overlay:
            data = overlay[file.path]
            meta = store.meta.get(file.path) if store is not None else None
            if meta is not None and meta[2] is not None and meta[2] == git_blob_id(data):
                cached.append(file.path)  # the cache holds these very bytes, parsed
                continue
            from notewarden.parsing.note import parse_note

            previous = store.record(file.path) if store and meta is not None else None
            note = parse_note(file.path, data)
            fresh[file.path] = record_from(note, file,
                                           run_note_rules(note, schemas, previous=previous))
        elif current is not None and current(file):
            cached.append(file.path)
        else:
            stale.append(file)
    if stale and store is None:
        schemas.check(config)  # a cache made with these schemas means they passed already
    records = Records(fresh, store, cached)
    with phase("build name index"):
        index = VaultIndex(root, records, attachments,
                           note_paths=[*records, *(file.path for file in stale)])
    with phase(f"parse {len(stale)} notes"):
        if len(stale) < PARALLEL_THRESHOLD and store is not None:
            for file in stale:  # few: parsed here, reusing what the old record knows
                previous = store.record(file.path) if file.path in store.meta else None
                records.add(parse_file(root, file, schemas, previous))
        else:
            for blob in parse_files(root, stale, schemas, jobs):
                record = pickle.loads(blob)
                records.add(record, blob)
                index.screen_links(record)  # while the workers parse the rest
    if stale:
        index.all_records_in()
    # After the index is complete: a forked writer makes the parent copy each page it then
    # writes to.
    if use_cache and save and (stale or records.changed_since_store):
        with phase("save records cache"):
            def write() -> None:
                records.save(root, schemas, leave_out=overlay)

            index.saving = cache.write_in_background(write) if save_in_background else None
            if index.saving is None:
                write()
    index.new_link_format = config.new_link_format
    index.config = config
    index.walk_problems = [(p.path, p.message) for p in walk_problems]
    index.changed = set(fresh) | (overlay.keys() & records.keys()) | {f.path for f in stale}
    index.previous = Records.whole_store(store)
    return index


# --- resolution -------------------------------------------------------------------------


_PUNCTUATION = "!\"#$%&()*+,.:;<=>?@^`{|}~/[]\\"
_HEADING_PUNCTUATION = str.maketrans(dict.fromkeys(_PUNCTUATION, " "))
# The same for ASCII text as one bytes table, lowercasing too: three times faster.
_ASCII_HEADING_TABLE = bytes.maketrans(
    _PUNCTUATION.encode() + b"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    b" " * len(_PUNCTUATION) + b"abcdefghijklmnopqrstuvwxyz")


@lru_cache(maxsize=65536)
def heading_key(text: str) -> str:
    """How Obsidian compares headings: punctuation to spaces, whitespace collapsed, lowercase."""
    if text.isascii():
        return " ".join(text.encode().translate(_ASCII_HEADING_TABLE).decode().split())
    return " ".join(normalize_name(text).translate(_HEADING_PUNCTUATION).split())


class VaultIndex:
    """Notes and attachments by normalised name and path; resolves links as Obsidian does."""

    def __init__(self, root: Path, records: Mapping[str, NoteRecord],
                 attachments: Iterable[str], note_paths: Iterable[str] | None = None) -> None:
        """`note_paths`: every note's path, when `records` does not hold them all yet (see
        build_index, which fills them in while `screen_links` runs on each new one; it then
        calls `all_records_in`)."""
        self.root = root
        self.records = records if isinstance(records, Records) else Records(records)
        self.attachments = set(attachments)
        self.walk_problems: list[tuple[str, str]] = []
        self.saving: int | None = None  # the process writing the records cache, if any
        self.new_link_format = "shortest"  # Obsidian's setting, from .obsidian/app.json
        self.config: Config | None = None
        # What the last build changed: notes parsed anew, and the records they replaced.
        self.changed: set[str] = set(records)
        self.previous: Mapping[str, NoteRecord] = {}
        self._backlinks: dict[str, set[str]] | None = None
        self._property_links: dict[tuple[str, str], set[str]] | None = None
        self.notes_by_name: dict[str, list[str]] = {}
        self.notes_by_path: dict[str, str] = {}
        self.files_by_name: dict[str, list[str]] = {}
        self.files_by_path: dict[str, str] = {}
        self.alias_owners: dict[str, list[str]] = {}
        self._note_keys: dict[str, str] = {}
        self._resolved: dict[object, tuple[tuple[str, ...], bool]] = {}
        self._by_note: dict[str, list[tuple[Link, Resolution]]] = {}
        self._issues_by_note: dict[str, list[tuple[Link, Resolution]]] = {}
        # Per note, the link rows screen_links could not pass as simply resolving.
        self._unscreened: dict[str, list[tuple[Any, ...] | None]] = {}
        # While screening: link paths (not relative) that name exactly one file.
        self._single_targets: set[str] = set()
        # While screening: links whose heading or block is in a note not in yet.
        self._waiting: dict[str, list[tuple[list[tuple[Any, ...] | None], int, str]]] = {}
        self._add_notes(self.records if note_paths is None else note_paths)
        for path in self.attachments:
            self._add_attachment(path)
        self.index_aliases()

    def update(self, changed: dict[str, NoteRecord], removed: set[str],
               attachments: set[str]) -> VaultIndex:
        """The index after some notes changed. When no file was added or removed (the usual
        edit), names are unchanged and only per-note data is refreshed in place; otherwise
        the index is rebuilt."""
        records = self.records.updated(changed, removed)
        added = any(path not in self.records for path in changed)
        if removed or added or attachments != self.attachments:
            fresh = VaultIndex(self.root, records, attachments)
            fresh.new_link_format, fresh.config = self.new_link_format, self.config
            fresh.walk_problems = self.walk_problems
            fresh.changed, fresh.previous = set(changed) | removed, self.records
            return fresh
        previous = self.records
        self.records = records
        self.previous = previous
        self.changed = set(changed)
        if any(previous.aliases_of(path) != record.aliases for path, record in changed.items()):
            self.index_aliases()
        # Headings, blocks and links changed: drop what was derived from them.
        self._by_note.clear()
        self._issues_by_note.clear()
        self._unscreened.clear()
        self._waiting.clear()
        self._single_targets.clear()
        self._backlinks = None
        self._property_links = None
        return self

    def finish_saving(self) -> None:
        """Wait until the records cache is written (see build_index)."""
        cache.wait_for(self.saving)
        self.saving = None

    def all_records_in(self) -> None:
        """Called once every record given by `note_paths` is in `records`."""
        self._waiting.clear()  # all came in, so none is left waiting
        self._single_targets.clear()
        self.index_aliases()

    def index_aliases(self) -> None:
        """(Re)build the alias table from the records."""
        owners_by_alias: dict[str, list[str]] = {}
        for path, aliases in self.records.all_aliases():
            for alias in aliases:
                owners = owners_by_alias.setdefault(normalize_name(alias), [])
                if path not in owners:
                    owners.append(path)
        self.alias_owners = owners_by_alias

    def _add_notes(self, paths: Iterable[str]) -> None:
        # One loop for the whole vault: this runs on every check that resolves a link.
        note_keys, by_path, by_name = self._note_keys, self.notes_by_path, self.notes_by_name
        for path in paths:
            key = path[:-3] if path[-3:].lower() == ".md" else path
            key = key.lower() if key.isascii() else normalize_name(key)
            note_keys[path] = key
            by_path[key] = path
            name = key[key.rfind("/") + 1 :]
            same = by_name.get(name)
            if same is None:
                by_name[name] = [path]
            else:
                same.append(path)

    def _add_attachment(self, path: str) -> None:
        key = normalize_name(path)
        self.files_by_path[key] = path
        self.files_by_name.setdefault(key.rsplit("/", 1)[-1], []).append(path)

    @property
    def notes(self) -> list[NoteRecord]:
        return list(self.records.values())

    # Obsidian's getFirstLinkpathDest, as documented and observed:
    #  - names match case-insensitively after NFC normalisation;
    #  - `Name`, `Name.md` and `folder/Name` (any path suffix) all work; `./` and `../` are
    #    relative to the linking note; other files need their extension;
    #  - among several matches, prefer those under the linking note's folder, then the
    #    shortest path.
    def locate(self, linkpath: str, source: str) -> tuple[str | None, tuple[str, ...], bool]:
        """Find the file a link path points at: (path, all candidates best first, is_note)."""
        source_dir = source[: source.rfind("/") + 1]  # with its trailing "/", or ""
        relative = linkpath.startswith((".", "/"))
        memo_key = (source_dir, linkpath) if relative else linkpath
        hit = self._resolved.get(memo_key)
        if hit is None:
            hit = self._resolved[memo_key] = self._locate(linkpath, source_dir)
        candidates, is_note = hit
        if not candidates:
            return None, (), is_note
        if len(candidates) > 1:
            candidates = tuple(sorted(candidates, key=lambda path: _rank(path, source_dir)))
        return candidates[0], candidates, is_note

    def _locate(self, linkpath: str, source_dir: str) -> tuple[tuple[str, ...], bool]:
        key = normalize_name(linkpath.strip()).lstrip("/")
        if key.startswith(("./", "../")):
            joined = posixpath.normpath(posixpath.join(normalize_name(source_dir), key))
            if joined.startswith(".."):
                return (), True
            note = self.notes_by_path.get(strip_md(joined))
            if note is not None:
                return (note,), True
            file = self.files_by_path.get(joined)
            return (() if file is None else (file,)), False
        note_key = strip_md(key)
        candidates = self._matches(self.notes_by_name, note_key, self._note_keys.get)
        if candidates:
            return tuple(candidates), True
        if note_key == key:  # no `.md`: perhaps an attachment such as `image.png`
            files = self._matches(self.files_by_name, key, normalize_name)
            if files:
                return tuple(files), False
        return (), True

    @staticmethod
    def _matches(by_name: dict[str, list[str]], key: str, key_of: Any) -> list[str]:
        candidates = by_name.get(key.rsplit("/", 1)[-1])
        if not candidates:
            return []
        if "/" not in key:
            return candidates
        suffix = "/" + key
        return [path for path in candidates
                if (full := key_of(path)) == key or full.endswith(suffix)]

    def resolve(self, source: NoteRecord, link: Link) -> Resolution:
        """Resolve a link from `source`, checking its heading or block if it has one."""
        target: str | None
        candidates: tuple[str, ...]
        if not link.target:
            target, candidates, is_note = source.path, (source.path,), True
        else:
            target, candidates, is_note = self.locate(link.target, source.path)
        if target is None:
            return Resolution(
                Status.MISSING_ATTACHMENT if is_attachment_path(link.target)
                else Status.MISSING_NOTE, None, ())
        ambiguous = candidates if len(candidates) > 1 and "/" not in link.target else ()
        if not is_note or not link.subpath:
            return Resolution(Status.OK, target, ambiguous)
        return self._into_note(target, link.subpath, ambiguous)

    def _into_note(self, target: str, subpath: str, ambiguous: tuple[str, ...]) -> Resolution:
        """The resolution of a link to note `target` with a heading or block `subpath`."""
        record = self.records.get(target)
        if record is None or not record.readable:
            return Resolution(Status.OK, target, ambiguous)
        if subpath.startswith("^"):
            block = subpath[1:].strip()
            if block.lower() not in record.block_ids:
                return Resolution(Status.MISSING_BLOCK, target, ambiguous, block)
            return Resolution(Status.OK, target, ambiguous)
        for part in subpath.split("#"):
            if part.strip() and heading_key(part) not in record.heading_keys:
                return Resolution(Status.MISSING_HEADING, target, ambiguous, part.strip())
        return Resolution(Status.OK, target, ambiguous)

    def resolutions(self, source: NoteRecord) -> list[tuple[Link, Resolution]]:
        """Every link of a note with its resolution, computed once and shared by the rules."""
        cached = self._by_note.get(source.path)
        if cached is None:
            cached = [(link, self.resolve(source, link)) for link in source.links]
            self._by_note[source.path] = cached
        return cached

    def link_issues(self, source: NoteRecord) -> list[tuple[Link, Resolution]]:
        """The note's links that do not simply resolve (a missing file, heading or block,
        or a name several notes share), with their resolutions: what the link rules
        report on. Computed once and shared by them."""
        cached = self._issues_by_note.get(source.path)
        if cached is not None:
            return cached
        resolved = self._by_note.get(source.path)
        rows = self._unscreened.pop(source.path, None)
        if resolved is not None:
            cached = [(link, resolution) for link, resolution in resolved
                      if resolution.status is not Status.OK or resolution.candidates]
        else:
            # A cold check comes here for all 125,000 links of 10,000 notes, nearly all of
            # them plain links to one note by a name seen before: those are passed over
            # with one dictionary lookup, as `locate` would find them (and a heading or
            # block in that note is looked up directly).
            cached = []
            memo = self._resolved
            for row in source.link_rows if rows is None else rows:  # Link's fields:
                if row is None:  # (kind, target, subpath, ...); None: passed by screen_links
                    continue
                linkpath = row[1]
                resolution = None
                if linkpath and linkpath[0] not in "./":
                    hit = memo.get(linkpath)
                    if hit is not None and len(hit[0]) == 1:
                        if not row[2] or not hit[1]:  # a file has no subpath to check
                            continue
                        resolution = self._into_note(hit[0][0], row[2], ())
                        if resolution.status is Status.OK:
                            continue
                link = Link._make(row)
                if resolution is None:
                    resolution = self.resolve(source, link)
                if resolution.status is not Status.OK or resolution.candidates:
                    cached.append((link, resolution))
        self._issues_by_note[source.path] = cached
        return cached

    def screen_links(self, source: NoteRecord) -> None:
        """Pass over the note's links that simply resolve, now, so that link_issues later
        looks only at the rest. build_index calls this for each record as it comes back
        from the parse workers: the main process is idle then, and names are known from
        the walk. A heading or block is checked only in a note whose record is in; links
        into the others are left for link_issues."""
        memo, records, waiting = self._resolved, self.records, self._waiting
        single = self._single_targets
        left: list[tuple[Any, ...] | None] = []
        # Link's fields: (kind, target, subpath, ...). Most links have no subpath and a
        # target already seen to name one file: those go first, in one comprehension.
        for row in [row for row in source.link_rows if row[2] or row[1] not in single]:
            linkpath = row[1]
            if linkpath and linkpath[0] not in "./":
                hit = memo.get(linkpath)
                if hit is None:
                    self.locate(linkpath, source.path)  # a name seen first: remember it
                    hit = memo[linkpath]
                if len(hit[0]) == 1:  # one note or file, and a file has no subpath to check
                    single.add(linkpath)
                    if not row[2] or not hit[1]:
                        continue
                    target = hit[0][0]
                    if target not in records:  # checked when its record comes in
                        waiting.setdefault(target, []).append((left, len(left), row[2]))
                    elif self._into_note(target, row[2], ()).status is Status.OK:
                        continue
            left.append(row)
        self._unscreened[source.path] = left
        # Links into this note that came in before it: a None in `left` is a row passed.
        for rows, at, subpath in waiting.pop(source.path, ()):
            if self._into_note(source.path, subpath, ()).status is Status.OK:
                rows[at] = None

    def backlinks(self, target: str) -> set[str]:
        """The notes that link to `target` (links, embeds and front-matter links, resolved as
        Obsidian does), excluding the note itself. Built once for the whole vault."""
        if self._backlinks is None:
            backlinks: dict[str, set[str]] = {}
            for record in self.records.values():
                for _link, resolution in self.resolutions(record):
                    found = resolution.target
                    if found is not None and found != record.path and found in self.records:
                        backlinks.setdefault(found, set()).add(record.path)
            self._backlinks = backlinks
        return self._backlinks.get(target, set())

    def linked_by_property(self, prop: str, target: str) -> set[str]:
        """The notes whose front-matter property `prop` links to `target`."""
        if self._property_links is None:
            by_property: dict[tuple[str, str], set[str]] = {}
            for record in self.records.values():
                for link, resolution in self.resolutions(record):
                    if link.prop and resolution.target and resolution.target != record.path:
                        by_property.setdefault((link.prop, resolution.target), set()).add(
                            record.path)
            self._property_links = by_property
        return self._property_links.get((prop, target), set())

    def display_name(self, path: str) -> str:
        return strip_md(path).rsplit("/", 1)[-1]


def _rank(path: str, source_dir: str) -> tuple[int, int, str]:
    # Obsidian prefers a match under the linking note's folder, then the shortest path.
    under_source = not source_dir or path.startswith(source_dir)
    return (0 if under_source else 1, len(path), path)


def is_attachment_path(linkpath: str) -> bool:
    name = linkpath.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return dot > 0 and name[dot + 1 :].lower() in ATTACHMENT_EXTENSIONS


__all__ = ["Heading", "LinkKind", "Resolution", "Status", "VaultIndex", "build_index"]
