"""
alias-format: aliases that Obsidian won't read as a list of strings.

## What it does
Checks the `aliases` property. Reports the singular `alias:` key (no longer read since
Obsidian 1.9), a bare string instead of a list, an empty (null) value, items that are not
strings, duplicate aliases, and an alias equal to the note's own name.

Source: help.obsidian.md/aliases ("Aliases should always be formatted as a list in YAML");
Obsidian 1.9.0's release notes ("officially removed support for the properties `tag`,
`alias`, `cssclass`"; their values "must be a list"). Duplicates and the note's own name
are notewarden's choice: Obsidian reads them, to no use.

## Why it matters
Obsidian only offers a note under its aliases (in link suggestions, the quick switcher and
search) when `aliases` is a list of strings. A wrong shape makes the aliases vanish without
any warning.

## Example
```markdown
---
alias: Scaling paradox
aliases: [Continual Learning, On-the-job learning, On-the-job learning]
---
```
(in a note named `Continual Learning`)

## Use instead
```markdown
---
aliases:
  - Scaling paradox
  - On-the-job learning
---
```

## Fix
Safe. `alias: X` becomes an `aliases:` list in the same place; a bare string becomes a
one-item list; duplicates and the note's own name are removed. Comments, key order, quoting
and every other key stay as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from notewarden.model import Fix, FixSafety, Problem, Severity
from notewarden.names import normalize_name
from notewarden.parsing.positions import key_line

if TYPE_CHECKING:  # only for annotations: the warm path must not import the parser
    from notewarden.fm_edit import FrontMatterEditor
    from notewarden.parsing.note import ParsedNote

NAME = "alias-format"
SEVERITY = Severity.WARNING
FIX_SAFETY = FixSafety.SAFE
SUMMARY = "Aliases that Obsidian won't read as a list of strings."
SCOPE = "note"


def check(note: ParsedNote, context: Any) -> Iterator[Problem]:
    problems = list(_problems(note))
    # JSON front-matter (a flow mapping) has no lines of its own to rewrite per key.
    splices = note.front_matter_is_block
    fix = None
    if context.want_fixes and splices and any(problem.fixable for problem in problems):
        fix = make_fix(note)
    for problem in problems:
        fixable = problem.fixable and splices
        yield Problem(problem.line, problem.column, problem.message,
                      fix if fixable else None, fixable)


def _problems(note: ParsedNote) -> Iterator[Problem]:
    data = note.data
    if not data or note.block is None or note.front_matter is None:
        return
    node, first = note.front_matter.node, note.block.first_line
    if "alias" in data:
        line, column = key_line(node, ("alias",), first)
        yield Problem(line, column,
                      "`alias` is not read by Obsidian since 1.9; use an `aliases` list",
                      fixable=True)
    if "aliases" not in data:
        return
    aliases = data["aliases"]
    if not isinstance(aliases, list):  # positions are looked up only for problems
        line, column = key_line(node, ("aliases",), first)
        if aliases is None:
            yield Problem(line, column, "`aliases` is empty; give it a list or remove it")
        elif isinstance(aliases, str):
            yield Problem(line, column, f"`aliases` is a single string ({aliases!r}); "
                                        "Obsidian expects a list", fixable=True)
        else:
            yield Problem(line, column,
                          f"`aliases` must be a list of strings, not {_kind(aliases)}")
        return
    own_name = normalize_name(note.name)
    seen: set[str] = set()
    for index, alias in enumerate(aliases):
        message, fixable = None, True
        if not isinstance(alias, str):
            message, fixable = f"alias {index + 1} is {_kind(alias)}, not a string", False
        else:
            key = normalize_name(alias.strip())
            if key == own_name:
                message = f"alias {alias!r} is the note's own name; it adds nothing"
            elif key in seen:
                message = f"alias {alias!r} is listed twice"
            seen.add(key)
        if message is not None:  # positions are looked up only for problems
            item_line, item_column = key_line(node, ("aliases", index), first)
            yield Problem(item_line, item_column, message, fixable=fixable)


def _kind(value: Any) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def make_fix(note: ParsedNote) -> Fix | None:
    """One fix for the note's whole alias problem: the edits touch only the `alias` and
    `aliases` lines, and keep quoting, comments and flow/block style."""
    from ruamel.yaml.error import YAMLError

    from notewarden.fm_edit import FrontMatterEditor, NotSpliceable

    try:
        return _make_fix(note, FrontMatterEditor(note))
    except (KeyError, NotSpliceable, YAMLError):  # lines that do not load alone, or would
        return None  # not parse after the edit: no fix, rather than a damaged note


def _make_fix(note: ParsedNote, editor: FrontMatterEditor) -> Fix | None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    data = note.data or {}
    own_name = normalize_name(note.name)

    def cleaned(items: list[Any]) -> list[Any]:
        seen: set[str] = set()
        out = []
        for item in items:
            if isinstance(item, str):
                key = normalize_name(item.strip())
                if key == own_name or key in seen:
                    continue
                seen.add(key)
            out.append(item)
        return out

    def as_items(value: Any) -> list[Any]:
        if value is None:
            return []
        return list(value) if isinstance(value, list) else [value]

    def set_aliases(extra: list[Any]) -> Any:
        def change(loaded: Any) -> Any:
            current = loaded.get("aliases")
            if isinstance(current, CommentedSeq):
                # Delete by index so ruamel keeps the comments of the items that stay.
                seen: set[str] = set()
                doomed = []
                for index, item in enumerate(current):
                    if isinstance(item, str):
                        key = normalize_name(item.strip())
                        if key == own_name or key in seen:
                            doomed.append(index)
                        seen.add(key)
                for index in reversed(doomed):
                    del current[index]
                for item in extra:
                    new_key = normalize_name(item.strip()) if isinstance(item, str) else None
                    if new_key is None or (new_key != own_name and new_key not in seen):
                        current.append(item)
                        if new_key is not None:
                            seen.add(new_key)
            else:
                loaded["aliases"] = CommentedSeq(cleaned(as_items(current) + extra))
            return None
        return change

    edits = []
    if "alias" in data:
        if "aliases" in data:
            # Merge the singular key into the list and drop its lines.
            singular_start, singular_end = editor.key_span("alias")
            singular = _load_value(editor, "alias")
            edit = editor.rewrite_key("aliases", set_aliases(as_items(singular)))
            edits.append(note.edit(singular_start, singular_end, ""))
            if edit is not None:
                edits.append(edit)
        else:
            def rename(loaded: Any) -> Any:
                renamed = CommentedMap()
                items = CommentedSeq(cleaned(as_items(loaded["alias"])))
                renamed["aliases"] = items
                comment = _eol_comment(loaded, "alias")
                if comment and items:
                    items.yaml_add_eol_comment(comment, 0)  # keep the author's note
                return renamed
            edit = editor.rewrite_key("alias", rename)
            if edit is not None:
                edits.append(edit)
    elif isinstance(data.get("aliases"), str | list):
        edit = editor.rewrite_key("aliases", set_aliases([]))
        if edit is not None:
            edits.append(edit)
    if not edits:
        return None
    return Fix(tuple(sorted(edits, key=lambda e: e.start)), FIX_SAFETY,
               "rewrite aliases as a list of distinct strings")


def _eol_comment(loaded: Any, key: str) -> str | None:
    """The end-of-line comment after a scalar value in a ruamel map, if any."""
    tokens = getattr(loaded, "ca", None) and loaded.ca.items.get(key)
    if tokens and len(tokens) > 2 and tokens[2] is not None:
        text = tokens[2].value.strip()
        return text if text.startswith("#") else None
    return None


def _load_value(editor: FrontMatterEditor, key: str) -> Any:
    """The round-trip value of one key (so quoting survives a move)."""
    from notewarden.fm_edit import _round_trip_yaml

    start, end = editor.key_span(key)
    text = editor.note.text[start:end].replace("\r\n", "\n")
    return _round_trip_yaml(editor.sequence_offset).load(text)[key]
