"""Front-matter edits that splice only the lines of the keys that change.

The whole front-matter is never re-dumped: a key's lines are located with the marks of the
parsed YAML, those lines alone are loaded with ruamel.yaml's round-trip loader (quotes,
comments and flow style preserved), changed, dumped with the file's own indentation and
newline, and spliced back as one byte-span edit.

Every edit is checked before it is returned: the front-matter it leaves must parse, and
every key it was not asked to change must keep its value. An edit that fails that check
raises NotSpliceable, and the fix is not offered.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import yaml

from notewarden.model import Edit
from notewarden.names import newline_of
from notewarden.parsing.front_matter import find_front_matter, parse_yaml
from notewarden.parsing.note import ParsedNote

_SEQ_ITEM_RE = re.compile(r"^[^\s#][^:\n]*:[ \t]*\r?\n( *)- ", re.MULTILINE)


def _round_trip_yaml(sequence_offset: int) -> Any:
    from ruamel.yaml import YAML

    rt = YAML()  # round-trip mode
    rt.preserve_quotes = True  # must be set before the first load
    rt.width = 4096  # never fold long values onto new lines
    rt.indent(mapping=2, sequence=sequence_offset + 2, offset=sequence_offset)
    return rt


class NotSpliceable(ValueError):
    """The front-matter cannot be edited key by key, or an edit would damage it."""


class FrontMatterEditor:
    """Edits to one note's top-level front-matter keys, as byte-span edits."""

    def __init__(self, note: ParsedNote) -> None:
        if note.block is None or note.front_matter is None or note.front_matter.node is None:
            raise NotSpliceable(f"{note.path} has no readable front-matter")
        if not note.front_matter_is_block:
            raise NotSpliceable(f"{note.path}: the front-matter is a flow (JSON) mapping, "
                                "whose keys have no lines of their own")
        self.note = note
        self.block = note.block
        self.root: yaml.MappingNode = note.front_matter.node  # type: ignore[assignment]
        self.newline = newline_of(note.text)
        found = _SEQ_ITEM_RE.search(self.block.yaml_text)
        self.sequence_offset = len(found.group(1)) if found else 2  # Obsidian writes "  - x"

    def has_key(self, key: str) -> bool:
        return self._pair(key) is not None

    def _pair(self, key: str) -> tuple[yaml.Node, yaml.Node] | None:
        for key_node, value_node in self.root.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return key_node, value_node
        return None

    def _offset_for(self, key: str) -> int:
        """The indent of `- ` items under `key` as the file writes them; for a key that is
        not a block list yet, the file's usual list indent."""
        pair = self._pair(key)
        if pair is not None:
            value = pair[1]
            if isinstance(value, yaml.SequenceNode) and value.value and not value.flow_style:
                return max(value.value[0].start_mark.column - 2 - pair[0].start_mark.column, 0)
        return self.sequence_offset

    def key_span(self, key: str) -> tuple[int, int]:
        """Character offsets of the whole lines holding `key` and its value."""
        pair = self._pair(key)
        if pair is None:
            raise KeyError(key)
        key_node, value_node = pair
        starts = self.note.lines.starts
        first = self.block.first_line + key_node.start_mark.line
        last = max(self.block.first_line + _last_line(value_node), first)
        end = starts[last] if last < len(starts) else len(self.note.text)
        return starts[first - 1], end

    def rewrite_key(self, key: str, change: Callable[[Any], Any]) -> Edit | None:
        """Reload `key`'s lines with ruamel, let `change` edit the loaded map in place (or
        return a replacement map), and return the edit; None when nothing changed."""
        start, end = self.key_span(key)
        old = self.note.text[start:end]
        from ruamel.yaml.error import YAMLError

        rt = _round_trip_yaml(self._offset_for(key))
        try:
            data = rt.load(old.replace("\r\n", "\n"))
        except YAMLError as exc:  # js-yaml reads the whole, but its lines alone are not YAML
            raise NotSpliceable(f"{self.note.path}: `{key}`'s lines do not load alone") from exc
        replaced = change(data)
        if replaced is not None:
            data = replaced
        out = io.StringIO()
        rt.dump(data, out)
        new = out.getvalue()
        if self.newline != "\n":
            new = new.replace("\n", self.newline)
        # `old` always ends with a line break (the closing `---` line follows a key's
        # lines), and ruamel's dump does too: no final newline to take care of here.
        if new == old:
            return None
        changed = {key} | {name for name in data if isinstance(name, str)}
        return self._checked(start, end, new, changed)

    def append_key(self, key: str, value: Any) -> Edit:
        """Add a key at the end of the front-matter."""
        rt = _round_trip_yaml(self.sequence_offset)
        out = io.StringIO()
        rt.dump({key: value}, out)
        new = out.getvalue().replace("\n", self.newline)
        at = self.block.yaml_start + len(self.block.yaml_text)
        return self._checked(at, at, new, {key})

    def _checked(self, start: int, end: int, new: str, changed: set[str]) -> Edit:
        """The edit replacing text[start:end] with `new`, once the front-matter it leaves
        is known to parse with every key outside `changed` as it was."""
        text = self.note.text
        block, _ = find_front_matter(text[:start] + new + text[end:])
        after = parse_yaml(block).data if block is not None else None
        if after is None:
            raise NotSpliceable(f"{self.note.path}: rewriting {sorted(changed)} would break "
                                "the front-matter")
        for name, value in (self.note.data or {}).items():
            if name not in changed and (name not in after or not _same(after[name], value)):
                raise NotSpliceable(f"{self.note.path}: rewriting {sorted(changed)} would "
                                    f"change `{name}` too")
        return self.note.edit(start, end, new)


def _same(a: Any, b: Any) -> bool:
    return a == b or (a != a and b != b)  # NaN is itself here


def _last_line(node: yaml.Node) -> int:
    """The last line (0-based, in the YAML text) holding part of a value. A block list or
    map ends at its last item, not at the next key: comment and blank lines after it
    belong to whatever follows and must not be touched."""
    if isinstance(node, yaml.SequenceNode | yaml.MappingNode) and node.value \
            and not node.flow_style:
        last = node.value[-1]
        return _last_line(last[1] if isinstance(node, yaml.MappingNode) else last)
    mark = node.end_mark
    return mark.line - 1 if mark.column == 0 and mark.line > node.start_mark.line \
        else mark.line


def new_front_matter(note: ParsedNote, key: str, value: Any) -> Edit:
    """Create a front-matter block at the top of a note that has none (after any BOM)."""
    newline = newline_of(note.text) if "\n" in note.text else "\n"
    rt = _round_trip_yaml(2)
    out = io.StringIO()
    rt.dump({key: value}, out)
    text = "---\n" + out.getvalue() + "---\n"
    return note.edit(0, 0, text.replace("\n", newline))

