"""The vault index: every note's names, aliases, headings, block ids and links, built in
one pass, and Obsidian's link resolution on top of it.

Resolution goes through dictionaries keyed by normalised (NFC, lowercased) name and path,
never a loop over notes per link, so checking stays linear in the size of the vault.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from notewarden.config import Config
from notewarden.model import Heading, Link, LinkKind, NoteRecord, Resolution, Status
from notewarden.names import normalize_name, strip_md
from notewarden.store import Records

# File types Obsidian opens itself; a link to one of these is a link to an attachment.
ATTACHMENT_EXTENSIONS = frozenset({
    "avif", "bmp", "gif", "jpeg", "jpg", "png", "svg", "webp",  # images
    "flac", "m4a", "mp3", "ogg", "wav", "webm", "3gp",  # audio
    "mkv", "mov", "mp4", "ogv",  # video
    "pdf", "canvas", "base", "excalidraw", "epub",
    "txt", "csv", "json", "html", "htm", "zip", "docx", "xlsx", "pptx",
})


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


# --- resolution -------------------------------------------------------------------------


# How Obsidian matches `[[Note#Heading]]`: obsidian.d.ts declares `stripHeading`, which
# "normalizes headings for link matching by stripping out special characters and shrinking
# consecutive spaces" (https://github.com/obsidianmd/obsidian-api/blob/master/obsidian.d.ts).
# The special characters are the class the Excalidraw plugin copied "from Obsidian source
# code" (REG_BLOCK_REF_CLEAN and the line under it in
# https://github.com/zsviczian/obsidian-excalidraw-plugin/blob/master/src/constants/constants.ts):
# each becomes a space, then JavaScript's `\s+` becomes one space and the ends are trimmed.
# Case does not count: Obsidian's own help vault links `[[#property]]` to `## Property` and
# `[[Manage sites#Site Options]]` to `## Site options` (github.com/obsidianmd/obsidian-help,
# en/Getting started/Glossary.md, en/Obsidian Publish/SEO.md).
_PUNCTUATION = "!\"#$%&()*+,.:;<=>?@^`{|}~/[]\\"
# JavaScript's `\s`, not Python's: str.split() also splits at U+001C-U+001F and U+0085,
# which `\s` does not match, and not at U+FEFF, which it does.
_JS_WHITESPACE = ("\t\n\v\f\r \xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
                  + "\u2028\u2029\u202f\u205f\u3000\ufeff")
_HEADING_PUNCTUATION = str.maketrans(dict.fromkeys(_PUNCTUATION + _JS_WHITESPACE, " "))
# The same for ASCII text as one bytes table, lowercasing too: three times faster.
_ASCII_HEADING_TABLE = bytes.maketrans(
    _PUNCTUATION.encode() + b"\t\n\v\f\rABCDEFGHIJKLMNOPQRSTUVWXYZ",
    b" " * (len(_PUNCTUATION) + 5) + b"abcdefghijklmnopqrstuvwxyz")


@lru_cache(maxsize=65536)
def heading_key(text: str) -> str:
    """How Obsidian compares headings: `stripHeading` (its special characters to spaces,
    whitespace runs to one space, trimmed), lowercased. NFC is notewarden's addition."""
    if text.isascii():
        spaced = text.encode().translate(_ASCII_HEADING_TABLE).decode()
        if spaced.isprintable():  # no control character left, so split() splits as `\s`
            return " ".join(spaced.split())
    else:
        spaced = normalize_name(text).translate(_HEADING_PUNCTUATION)
    return " ".join(filter(None, spaced.split(" ")))


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
        self.new_link_format = "shortest"  # Obsidian's setting, from .obsidian/app.json
        self.config: Config | None = None
        # What the last build changed: notes parsed anew, and the records they replaced.
        self.changed: set[str] = set(records)
        self.previous: Mapping[str, NoteRecord] = {}
        self.overlay: frozenset[str] = frozenset()  # notes read from memory, not disk
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
            # Obsidian keys a note's blocks by the lowercased id (CachedMetadata.blocks holds
            # `women-cpr` for `^Women-CPR`: obsidian-advanced-uri issue 192), so case does not
            # count; record.block_ids are lowercased too.
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


__all__ = ["Heading", "LinkKind", "Resolution", "Status", "VaultIndex", "heading_key"]
