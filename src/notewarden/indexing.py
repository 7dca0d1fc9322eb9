"""Indexing a vault for a run: the walk's files, the store's records for the notes that
did not change, and the parse pool's records for the rest, assembled into a VaultIndex.
"""

from __future__ import annotations

from notewarden.config import Config
from notewarden.index import VaultIndex
from notewarden.model import NoteRecord
from notewarden.pool import (
    PARALLEL_THRESHOLD,
    git_blob_id,
    parse_file,
    parse_files,
    record_from,
    run_note_rules,
)
from notewarden.schemas import SchemaSet
from notewarden.store import Records, Store, StoreWrite
from notewarden.timings import phase
from notewarden.vault import VaultFile, WalkProblem, walk_vault


def build_index(config: Config, schemas: SchemaSet, *, store: Store | None = None,
                jobs: int | None = None, overlay: dict[str, bytes] | None = None,
                walked: tuple[list[VaultFile], list[WalkProblem]] | None = None) -> VaultIndex:
    """Index every note in the vault, parsing only what changed since the store's records
    (`store` None: parse everything).

    `overlay` holds in-memory contents that replace files on disk (fixes not yet written,
    staged contents); those notes are parsed from memory, and `notes_to_store` leaves them
    out. `walked` is the result of `walk_vault` when the caller already has it. Raises
    StoreDamaged when a stored record turns out not to be one notewarden wrote.
    """
    root = config.root
    files, walk_problems = walked if walked is not None else walk_vault(root)
    attachments: list[str] = []
    cached: list[str] = []
    stale: list[VaultFile] = []
    fresh: dict[str, NoteRecord] = {}
    overlay = overlay or {}
    stored = store.notes if store is not None else {}
    for file in files:
        if not file.path.lower().endswith(".md"):
            attachments.append(file.path)
        elif file.path in overlay:
            data = overlay[file.path]
            known = stored.get(file.path)
            if known is not None and known.blob_id is not None \
                    and known.blob_id == git_blob_id(data):
                cached.append(file.path)  # the store holds these very bytes, parsed
                continue
            from notewarden.parsing.note import parse_note

            previous = store.record(file.path) if store is not None and known else None
            note = parse_note(file.path, data)
            fresh[file.path] = record_from(note, file,
                                           run_note_rules(note, schemas, previous=previous),
                                           schemas, previous)
        elif store is not None and store.is_current(file):
            cached.append(file.path)
        else:
            stale.append(file)
    if stale and (store is None or not store.records_valid):
        schemas.check(config)  # records stored with these schemas mean they passed already
    records = Records(fresh, store, cached)
    with phase("build name index"):
        index = VaultIndex(root, records, attachments,
                           note_paths=[*records, *(file.path for file in stale)])
    with phase(f"parse {len(stale)} notes"):
        if len(stale) < PARALLEL_THRESHOLD and store is not None:
            for file in stale:  # few: parsed here, reusing what the old record knows
                previous = store.record(file.path) if file.path in stored else None
                records.add(parse_file(root, file, schemas, previous))
        else:
            # Workers write their records into the store as they go.
            target = store.path if store is not None and store.prepare_for_records() \
                else None
            for record, row in parse_files(root, stale, schemas, jobs, target):
                records.add(record, row)
                index.screen_links(record)  # while the workers parse the rest
    if stale:
        index.all_records_in()
    index.new_link_format = config.new_link_format
    index.config = config
    index.walk_problems = [(p.path, p.message) for p in walk_problems]
    index.changed = set(fresh) | (overlay.keys() & records.keys()) | {f.path for f in stale}
    index.previous = Records.whole_store(store)
    index.overlay = frozenset(overlay)
    return index


def notes_to_store(index: VaultIndex) -> StoreWrite:
    """What the store must learn from this index: the records parsed from disk, and which
    notes are still there. (Contents from an overlay are never stored.)"""
    records = index.records
    assert isinstance(records, Records)
    to_write, written = records.fresh_rows(leave_out=index.overlay)
    return StoreWrite(notes=to_write, stored=written, keep_notes=set(records))


__all__ = ["build_index", "notes_to_store"]
