"""Where a front-matter value sits in the note, from the marks of the composed YAML.

Works on PyYAML's node objects by their `id` ("scalar", "sequence", "mapping"), so it does
not import yaml: rules can use it without paying for the parser on a cached run."""

from __future__ import annotations

from typing import Any


def key_line(node: Any, path: tuple[Any, ...], first_line: int) -> tuple[int, int]:
    """The note line and column of the value at `path` (a JSON-Schema error path).

    Walks as deep along the path as the node tree allows; falls back to the block's start.
    """
    if node is None:
        return first_line - 1, 1
    line, column = node.start_mark.line, node.start_mark.column
    current: Any = node
    for part in path:
        found: Any = None
        if current.id == "mapping":
            for key_node, value_node in current.value:
                if key_node.id == "scalar" and key_node.value == str(part):
                    line, column = key_node.start_mark.line, key_node.start_mark.column
                    found = value_node
                    break
        elif (current.id == "sequence" and isinstance(part, int)
              and 0 <= part < len(current.value)):
            found = current.value[part]
            line, column = found.start_mark.line, found.start_mark.column
        if found is None:
            break
        current = found
    return first_line + line, column + 1
