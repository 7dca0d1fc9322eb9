"""Find and parse a note's YAML front-matter the way Obsidian reads it.

Obsidian reads front-matter only when the file's first line is `---`; it ends at the
next line that is exactly `---`. The YAML is read with YAML 1.2 core-schema rules
(so `draft: no` stays the string "no" and `2025-12-23` stays a string), parsed by
libyaml through PyYAML's CSafeLoader for speed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.cyaml import CParser as _CParser  # type: ignore[attr-defined]

# A front-matter document this large after alias expansion is an attack, not a note.
MAX_EXPANDED_NODES = 100_000

_OPEN_RE = re.compile(r"---[ \t]*\r?\n")
_CLOSE_RE = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)


class Yaml12Loader(yaml.CSafeLoader):
    """CSafeLoader with the YAML 1.2 core schema's implicit types instead of YAML 1.1's.

    Making one sets up only libyaml's parser (no Python-level __init__ runs, once per
    note): the resolver keeps no state here (see _resolve), and the constructor's state is
    set up by `construct_document`, for the few documents that need PyYAML's constructor."""

    __init__ = _CParser.__init__

    def construct_document(self, node: yaml.Node) -> Any:
        SafeConstructor.__init__(self)
        return super().construct_document(node)


Yaml12Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
):
    Yaml12Loader.add_implicit_resolver(
        f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first)
    )


def _construct_int12(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    # YAML 1.2: "017" is 17, not octal 15; octal and hex need 0o / 0x.
    value = str(loader.construct_scalar(node))
    if value[:2] in ("0o", "0x"):
        return int(value[2:], 8 if value[1] == "o" else 16)
    return int(value, 10)


Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _construct_int12)

_STR, _INT, _FLOAT, _BOOL, _NULL = (f"tag:yaml.org,2002:{name}"
                                    for name in ("str", "int", "float", "bool", "null"))
_SEQ, _MAP = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_RESOLVERS_BY_FIRST = Yaml12Loader.yaml_implicit_resolvers
# Plain scalars already resolved, by value: keys such as `title` or `tags` and values such
# as `true` or a rating repeat from note to note, and each regex tried costs more than a
# dictionary lookup. Bounded, since values such as dates are all different.
_RESOLVED: dict[str, str] = {}
_MAX_RESOLVED = 4096
_ScalarNode, _SequenceNode = yaml.ScalarNode, yaml.SequenceNode


def _resolve(self: Yaml12Loader, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
    # The same answers as PyYAML's BaseResolver.resolve, without its per-node bookkeeping:
    # libyaml calls this once per scalar, so it is the hot path of reading front-matter.
    if kind is _ScalarNode:
        if implicit[0]:
            resolvers = _RESOLVERS_BY_FIRST.get(value[:1])
            if resolvers:
                tag = _RESOLVED.get(value)
                if tag is None:
                    tag = next((tag for tag, regexp in resolvers if regexp.match(value)), _STR)
                    if len(_RESOLVED) < _MAX_RESOLVED:
                        _RESOLVED[value] = tag
                return tag
        return _STR
    return _SEQ if kind is _SequenceNode else _MAP


Yaml12Loader.resolve = _resolve  # type: ignore[assignment,method-assign]
# libyaml also calls descend_resolver(parent, index) and ascend_resolver() around every
# node, for PyYAML's path resolvers, which this loader has none of: there they only return.
# Built-ins that accept those arguments and do nothing useful cost a fifth as much as those
# Python methods (a tenth of reading a note's front-matter). Nothing reads the results.
Yaml12Loader.descend_resolver = slice  # type: ignore[assignment,method-assign]
Yaml12Loader.ascend_resolver = tuple  # type: ignore[assignment,method-assign]
assert not Yaml12Loader.yaml_path_resolvers


class _NeedsFullConstructor(Exception):
    pass


def _build(node: yaml.Node, memo: dict[int, Any]) -> Any:
    """Turn a composed node into Python objects, as SafeConstructor would for the plain
    YAML that front-matter is (strings, numbers, booleans, nulls, lists, maps), but without
    its per-node overhead. Anything else (explicit tags, merge keys, complex keys) raises
    _NeedsFullConstructor and the document goes through PyYAML's constructor instead.

    Strings, most of any front-matter, are taken inline without a call. Containers are
    memoised by node, so an alias (`*name`) shares the object as PyYAML's would."""
    if isinstance(node, _ScalarNode):
        return _scalar(node)
    key = id(node)
    if key in memo:
        return memo[key]
    tag = node.tag
    result: Any
    if isinstance(node, yaml.SequenceNode) and tag == _SEQ:
        result = memo[key] = []
        for child in node.value:
            result.append(child.value if child.__class__ is _ScalarNode and child.tag == _STR
                          else _build(child, memo))
    elif isinstance(node, yaml.MappingNode) and tag == _MAP:
        result = memo[key] = {}
        for key_node, value_node in node.value:
            # JSON Schema needs string keys: a document with others (numbers, nulls,
            # explicitly tagged keys) goes through PyYAML and is converted later.
            if key_node.__class__ is not _ScalarNode or key_node.tag != _STR:
                raise _NeedsFullConstructor
            result[key_node.value] = (
                value_node.value if value_node.__class__ is _ScalarNode
                and value_node.tag == _STR else _build(value_node, memo))
    else:
        raise _NeedsFullConstructor
    return result


def _scalar(node: yaml.ScalarNode) -> Any:
    tag, value = node.tag, node.value
    if tag == _STR:
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return value in ("true", "True", "TRUE")
    if tag == _INT:
        return int(value[2:], 8 if value[1] == "o" else 16) \
            if value[:2] in ("0o", "0x") else int(value, 10)
    if tag == _FLOAT:
        lowered = value.lower()
        if lowered.endswith(".inf"):
            return float("-inf") if lowered.startswith("-") else float("inf")
        if lowered.endswith(".nan"):
            return float("nan")
        return float(value)
    raise _NeedsFullConstructor


@dataclass(frozen=True, slots=True)
class FrontMatterBlock:
    """Where the front-matter sits in the note's text (BOM already removed)."""

    yaml_text: str  # the YAML between the fences
    yaml_start: int  # character offset of yaml_text in the note text
    first_line: int  # line number of the YAML's first line (the line after `---`)
    body_start: int  # character offset just past the closing fence's line


@dataclass(slots=True)
class ParsedFrontMatter:
    data: dict[str, Any] | None  # None when absent or unusable
    node: yaml.Node | None  # the composed node tree, for positions of keys
    error: str | None  # YAML's complaint, for the yaml-syntax rule
    error_line: int  # line in the note (1-based) of the complaint
    error_column: int
    plain: bool = False  # data holds only JSON types with str keys: no conversion needed


def find_front_matter(text: str) -> tuple[FrontMatterBlock | None, bool]:
    """Locate the front-matter block.

    Returns (block, unclosed): block is None when the note has none; unclosed is True when
    the note opens with `---` but never closes it (Obsidian then shows it all as body).
    """
    opening = _OPEN_RE.match(text)
    if opening is None:
        return None, False
    closing = _closing_fence(text, opening.end())
    if closing is None:
        return None, True
    # An empty block (`---` then `---`) is fine: its YAML text is "".
    yaml_end, closing_end = closing
    newline = text.find("\n", closing_end)
    body_start = len(text) if newline == -1 else newline + 1
    yaml_text = "" if yaml_end == opening.end() else text[opening.end():yaml_end]
    return FrontMatterBlock(yaml_text, opening.end(), 2, body_start), False


def _closing_fence(text: str, start: int) -> tuple[int, int] | None:
    """(start, end) of the first line from `start` on that is `---` (spaces or tabs and a
    CR may follow): what searching _CLOSE_RE finds, but jumping from one `---` at a line's
    start to the next instead of trying the regex at every character."""
    at = start if text.startswith("---", start) else text.find("\n---", start) + 1
    while at:  # 0: no candidate left (`start` is never 0: the opening fence precedes it)
        closing = _CLOSE_RE.match(text, at)
        if closing is not None:
            return closing.start(), closing.end()
        at = text.find("\n---", at) + 1
    return None


def parse_yaml(block: FrontMatterBlock) -> ParsedFrontMatter:
    """Parse front-matter YAML, never raising: errors come back as a message and a line."""
    if not block.yaml_text.strip():
        return ParsedFrontMatter({}, None, None, 0, 0)
    loader = Yaml12Loader(block.yaml_text)
    try:
        node = loader.get_single_node()
        if node is None:
            return ParsedFrontMatter({}, None, None, 0, 0)
        # Only aliases (`*name` of an `&name` anchor) can make a document bigger than its text.
        text = block.yaml_text
        if "&" in text and "*" in text and _expanded_size(node) > MAX_EXPANDED_NODES:
            return ParsedFrontMatter(
                None,
                None,
                f"front-matter expands to more than {MAX_EXPANDED_NODES:,} values through "
                "YAML aliases (an alias bomb?); it was not read",
                block.first_line,
                1,
            )
        plain = True
        try:
            data = _build(node, {})
        except _NeedsFullConstructor:
            plain = False
            data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = block.first_line + (mark.line if mark else 0)
        column = (mark.column + 1) if mark else 1
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        return ParsedFrontMatter(None, None, message or str(exc), line, column)
    except (yaml.YAMLError, RecursionError, ValueError, OverflowError) as exc:
        detail = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        return ParsedFrontMatter(None, None, f"front-matter could not be read: {detail}",
                                 block.first_line, 1)
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "null"
        kind = {"list": "a list", "str": "a string", "int": "a number"}.get(kind, kind)
        return ParsedFrontMatter(
            None, None, f"front-matter must be a mapping of properties, not {kind}",
            block.first_line, 1,
        )
    return ParsedFrontMatter(data, node, None, 0, 0, plain)


def _expanded_size(root: yaml.Node) -> int:
    """Count the nodes the document would have with every alias expanded.

    Aliased nodes are shared objects in the composed graph, so memoising by id keeps this
    linear in the graph's size even for a billion-laughs document. Cycles count as too big.
    """
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    too_big = MAX_EXPANDED_NODES + 1
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = 1
            continue
        children: list[yaml.Node]
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            children = list(node.value)
        if children_done:
            in_progress.discard(key)
            sizes[key] = min(too_big, 1 + sum(sizes.get(id(child), too_big) for child in children))
            continue
        if key in in_progress:  # a recursive alias
            return too_big
        in_progress.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in in_progress:
                return too_big
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes.get(id(root), too_big)


def to_json_compatible(value: Any) -> Any:
    """Make constructed YAML safe to hand to jsonschema: string keys, ISO dates, lists."""
    import datetime

    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: to_json_compatible(v)
                for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_json_compatible(v) for v in value]
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value
