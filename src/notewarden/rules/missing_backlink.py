"""
missing-backlink: a backlinks block or a symmetric property that is out of date.

## What it does
A note that contains a block between the lines `%% notewarden:backlinks:start %%` and
`%% notewarden:backlinks:end %%` must list, inside it, one `- [[Name]]` line for each note
that links to it (links, embeds and front-matter links, resolved as Obsidian does), sorted
by name. A stale or missing entry is reported at the start marker.

`.notewarden.toml` can opt notes in by glob; a note that matches and has backlinks but no
block gets one appended under a `## Backlinks` heading. It can also name front-matter
properties that must be symmetric: if A has `related: ["[[B]]"]`, B must list `"[[A]]"`.
```toml
[backlinks]
notes = ["Concepts/**"]
symmetric = ["related"]
```

## Why it matters
Backlinks written into the note travel with it: to Obsidian Publish, to exported PDFs, to
other editors and to git diffs, where Obsidian's backlinks pane does not exist. The `%%`
markers are Obsidian comments, invisible in reading view.

## Example
```markdown
%% notewarden:backlinks:start %%
- [[Old note that was deleted]]
%% notewarden:backlinks:end %%
```

## Use instead
```markdown
%% notewarden:backlinks:start %%
- [[Home]]
- [[Scaling Laws]]
%% notewarden:backlinks:end %%
```

## Fix
Safe. Only the lines between the markers are rewritten; an opted-in note gets the block
appended at its end; a symmetric property gets the missing links added to its list.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from notewarden.config import glob_match
from notewarden.model import Edit, Fix, FixSafety, NoteRecord, Problem, Severity
from notewarden.names import newline_of
from notewarden.rules.alias_link import link_text

if TYPE_CHECKING:  # only for annotations: the warm path must not import the parser
    from notewarden.fm_edit import FrontMatterEditor
    from notewarden.index import VaultIndex
    from notewarden.parsing.note import ParsedNote

NAME = "missing-backlink"
SEVERITY = Severity.WARNING
FIX_SAFETY = FixSafety.SAFE
SUMMARY = "A backlinks block or symmetric property that misses notes linking here."
SCOPE = "vault"
VAULT_WIDE = True  # any note's links can change this note's backlinks


def applies(index: VaultIndex, path: str) -> bool:
    """Can this rule report anything for the note? Only for a note with a backlinks block,
    one opted in by `[backlinks] notes`, or any note when symmetric properties are set
    (the same cases as `check`)."""
    if index.records.has_backlinks_block(path):
        return True
    config = index.config
    if config is None:
        return False
    if config.symmetric_properties:
        return True
    return any(glob_match(glob, path) for glob in config.backlinks_globs) \
        and index.records[path].readable


def expected_entries(note: NoteRecord, index: VaultIndex) -> list[str]:
    names = {link_text(index, path, note.path, "shortest") for path in index.backlinks(note.path)}
    return [f"- [[{name}]]" for name in sorted(names, key=lambda n: (n.casefold(), n))]


def check(note: NoteRecord, index: VaultIndex,
          source: ParsedNote | None = None) -> Iterator[Problem]:
    config = index.config
    block = source.backlinks_block if source is not None else note.backlinks_block
    if block is not None:
        yield from _check_block(note, index, source)
    elif config is not None and note.readable and any(
            glob_match(glob, note.path) for glob in config.backlinks_globs):
        entries = expected_entries(note, index)
        if entries:
            fix = _append_block(source, entries) if source is not None else None
            yield Problem(1, 1, f"no backlinks block, though {len(entries)} note(s) link here "
                                "and this note is opted in by [backlinks] notes", fix, True)
    if config is not None:
        for prop in config.symmetric_properties:
            yield from _check_symmetric(note, index, prop, source)


def _check_block(note: NoteRecord, index: VaultIndex,
                 source: ParsedNote | None) -> Iterator[Problem]:
    block = source.backlinks_block if source is not None else note.backlinks_block
    assert block is not None
    wanted = expected_entries(note, index)
    if list(block.entries) == wanted:
        return
    missing = [entry[2:] for entry in wanted if entry not in block.entries]
    extra = [entry for entry in block.entries if entry not in wanted]
    parts = []
    if missing:
        parts.append("missing " + ", ".join(missing))
    if extra:
        parts.append("stale " + ", ".join(entry.removeprefix("- ") for entry in extra))
    if not parts:
        parts.append("entries out of order")
    fix = _rewrite_block(source, wanted) if source is not None else None
    yield Problem(block.start_line, 1, "backlinks block is out of date: " + "; ".join(parts),
                  fix, True)


def _rewrite_block(source: ParsedNote, entries: list[str]) -> Fix | None:
    block = source.backlinks_block
    if block is None:
        return None
    newline = newline_of(source.text)
    starts = source.lines.starts
    inner_start = starts[block.start_line]  # the line after the start marker
    inner_end = starts[block.end_line - 1]  # the start of the end marker's line
    text = "".join(entry + newline for entry in entries)
    return Fix((source.edit(inner_start, inner_end, text),), FIX_SAFETY,
               "rewrite the backlinks block")


def _append_block(source: ParsedNote, entries: list[str]) -> Fix:
    from notewarden.parsing.body import BACKLINKS_END, BACKLINKS_START

    newline = newline_of(source.text) if "\n" in source.text else "\n"
    lines = ["## Backlinks", BACKLINKS_START, *entries, BACKLINKS_END]
    body = newline.join(lines)
    text = source.text
    if text.endswith("\n"):
        addition = newline + body + newline
    elif text:
        addition = newline + newline + body  # keep the file's missing final newline
    else:
        addition = body + newline
    end = len(text)
    return Fix((source.edit(end, end, addition),), FIX_SAFETY, "append a backlinks block")


def _check_symmetric(note: NoteRecord, index: VaultIndex, prop: str,
                     source: ParsedNote | None) -> Iterator[Problem]:
    linking = index.linked_by_property(prop, note.path)
    if not linking:
        return
    listed = {resolution.target for link, resolution in index.resolutions(note)
              if link.prop == prop and resolution.target}
    missing = sorted(linking - listed)
    if not missing or not note.readable:
        return
    names = [link_text(index, path, note.path) for path in missing]
    shown = ", ".join(f"[[{name}]]" for name in names)
    fix = _add_to_property(source, prop, names) if source is not None else None
    line = note.property_line(prop)
    yield Problem(line, 1, f"`{prop}` should list {shown}, which list(s) this note in their "
                           f"`{prop}`", fix, fix is not None or source is None)


def _add_to_property(source: ParsedNote, prop: str, names: list[str]) -> Fix | None:
    from ruamel.yaml.comments import CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    from notewarden.fm_edit import FrontMatterEditor, NotSpliceable, new_front_matter

    new_items = [DoubleQuotedScalarString(f"[[{name}]]") for name in names]
    edit: Edit | None
    if source.front_matter is None:
        edit = new_front_matter(source, prop, CommentedSeq(new_items))
    elif source.front_matter.data is None or source.front_matter.node is None:
        return None  # unreadable front-matter: yaml-syntax first
    else:
        try:
            edit = _edit_property(FrontMatterEditor(source), prop, new_items)
        except (KeyError, NotSpliceable):  # JSON front-matter, or an edit that would not
            return None  # parse: no fix, rather than a damaged note
    if edit is None:
        return None
    return Fix((edit,), FIX_SAFETY, f"add the missing links to `{prop}`")


def _edit_property(editor: FrontMatterEditor, prop: str, new_items: list[Any]) -> Edit | None:
    """Append the links to `prop` if the note has it, else add `prop` at the end."""
    from ruamel.yaml.comments import CommentedSeq

    if not editor.has_key(prop):
        return editor.append_key(prop, CommentedSeq(new_items))

    def change(loaded: Any) -> None:
        current = loaded.get(prop)
        if isinstance(current, list):
            current.extend(new_items)
        elif current is None:
            loaded[prop] = CommentedSeq(new_items)
        else:
            loaded[prop] = CommentedSeq([current, *new_items])
    return editor.rewrite_key(prop, change)
