"""Find and parse a note's YAML front-matter the way Obsidian reads it.

Obsidian reads front-matter only when the file's first line is `---`; it ends at the
next line that is exactly `---`. Obsidian's YAML reader is js-yaml 4, and a block it
rejects loses all of its properties, so notewarden answers as js-yaml does: which blocks
parse, and to what. tests/oracle/js_yaml/ holds js-yaml's recorded verdicts on a corpus of
blocks, and the suite holds notewarden to them.

The text is parsed by libyaml through PyYAML's CParser for speed, with js-yaml's implicit
types instead of YAML 1.1's: booleans are only true/false, `draft: no` stays "no", numbers
follow js-yaml (`1_000`, `0b101`, `017` is 17), `2025-12-23` stays a string (js-yaml makes
it a Date; see _build_slow), `<<` merges mappings. Where libyaml and js-yaml part ways:

- js-yaml rejects what libyaml accepts: a key given twice, an explicit tag its value does
  not fit (`!!bool yes`), a plain value that goes on inside `[...]` on a line no deeper
  than its key. These are checked on the composed nodes, in the slow path of _build.
- libyaml rejects what js-yaml reads: a tab after `-` or on a blank line, control
  characters inside quotes or comments, keys over 1024 characters, anchors defined twice
  or named in non-ASCII. Such a document is read again with those spots neutralised
  (_Relaxed), and accepted only where each spot is one js-yaml accepts.

Errors point where the problem starts: an unclosed quote or bracket where it opens, a
repeated key at its second occurrence.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.cyaml import CParser as _CParser  # type: ignore[attr-defined]

# A front-matter document this large after alias expansion is an attack, not a note.
MAX_EXPANDED_NODES = 100_000
# The largest front-matter that is parsed. Composed YAML costs about a kilobyte a value
# (26 MB of `{a: 1, ...}` took 3.5 GB); real front-matter is a few kilobytes (the seeds'
# largest is 5 KB).
MAX_FRONT_MATTER_CHARS = 256 * 1024

_OPEN_RE = re.compile(r"---[ \t]*\r?\n")
_CLOSE_RE = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)

NOT_A_MAPPING = "front-matter must be a mapping of properties"


class Yaml12Loader(yaml.CSafeLoader):
    """libyaml's parser and composer with js-yaml's implicit types (see the module doc).

    Making one sets up only libyaml's parser (no Python-level __init__ runs, once per
    note): the resolver keeps no state here (see _resolve), and nodes are turned into
    values by _build, never by PyYAML's constructor."""

    __init__ = _CParser.__init__


_STR, _INT, _FLOAT, _BOOL, _NULL, _MERGE = (
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "merge"))
_SEQ, _MAP = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_SET, _OMAP, _PAIRS, _BINARY, _TIMESTAMP = (
    f"tag:yaml.org,2002:{name}" for name in ("set", "omap", "pairs", "binary", "timestamp"))

# js-yaml 4.1's types (lib/type/{bool,int,float,null,merge}.js), as regular expressions.
_TRUE, _FALSE = ("true", "True", "TRUE"), ("false", "False", "FALSE")
_INT_RE = re.compile(r"[-+]?(?:[1-9](?:[0-9_]*[0-9])?|0(?:[0-9](?:[0-9_]*[0-9])?)?"
                     r"|0b[01_]*[01]|0x[0-9a-fA-F_]*[0-9a-fA-F]|0o[0-7_]*[0-7])\Z")
_FLOAT_RE = re.compile(r"(?:[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?"
                       r"|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
                       r"|\.(?:nan|NaN|NAN))(?<!_)\Z")
_NULL_RE = re.compile(r"(?:~|null|Null|NULL|)\Z")
Yaml12Loader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in (
    (_BOOL, re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z"), "tTfF"),
    (_INT, _INT_RE, "-+0123456789"),
    (_FLOAT, _FLOAT_RE, "-+0123456789."),
    (_NULL, _NULL_RE, ["~", "n", "N", ""]),
    (_MERGE, re.compile(r"<<\Z"), "<"),
):
    Yaml12Loader.add_implicit_resolver(_tag, _regexp, list(_first))

_RESOLVERS_BY_FIRST = Yaml12Loader.yaml_implicit_resolvers
# Plain scalars already resolved, by value: keys such as `title` or `tags` and values such
# as `true` or a rating repeat from note to note, and each regex tried costs more than a
# dictionary lookup. Bounded, since values such as dates are all different.
_RESOLVED: dict[str, str] = {}
_MAX_RESOLVED = 4096
_ScalarNode, _SequenceNode, _MappingNode = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode


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


class _NeedsSlowPath(Exception):
    pass


class _Problem(Exception):
    """js-yaml's complaint about a composed document, at a 0-based line and column."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column

    @classmethod
    def at(cls, message: str, node: yaml.Node) -> _Problem:
        return cls(message, node.start_mark.line, node.start_mark.column)


def _int(value: str) -> int | float:
    if "_" in value:
        value = value.replace("_", "")
    sign = -1 if value[0] == "-" else 1
    if value[0] in "+-":
        value = value[1:]
    if value[:2] in ("0b", "0o", "0x"):
        return sign * int(value[2:], {"b": 2, "o": 8, "x": 16}[value[1]])
    if len(value) > 4000:  # past Python's limit for decimal text; a double's range anyway
        return sign * math.inf
    return sign * int(value, 10)


def _float(value: str) -> float:
    lowered = value.replace("_", "").lower()
    if lowered.endswith(".inf"):
        return -math.inf if lowered[0] == "-" else math.inf
    if lowered.endswith(".nan"):
        return math.nan
    return float(lowered)


def _scalar(node: yaml.ScalarNode) -> Any:
    # Only implicitly resolved tags reach here (documents with explicit tags take the slow
    # path), so the value fits its tag.
    tag, value = node.tag, node.value
    if tag == _STR:
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return value in _TRUE
    try:
        if tag == _INT:
            return _int(value)
        if tag == _FLOAT:
            return _float(value)
    except (ValueError, IndexError):  # an explicit tag after all: the slow path checks it
        pass
    raise _NeedsSlowPath


def _build(node: Any, memo: dict[int, Any]) -> Any:
    """Turn a composed node into values, for the plain YAML most front-matter is (string
    keys, no explicit tags, merges, repeated keys or multi-line flow collections), without
    any per-node overhead beyond the checks. Anything else raises _NeedsSlowPath, and the
    document goes through _build_slow.

    Strings, most of any front-matter, are taken inline without a call. Containers are
    memoised by node, so an alias (`*name`) shares the object as js-yaml's would."""
    if isinstance(node, _ScalarNode):
        return _scalar(node)
    key = id(node)
    if key in memo:
        return memo[key]
    tag = node.tag
    result: Any
    if node.flow_style and node.start_mark.line != node.end_mark.line:
        raise _NeedsSlowPath  # its continuation lines' indentation matters to js-yaml
    if isinstance(node, _SequenceNode) and tag == _SEQ:
        result = memo[key] = []
        for child in node.value:
            result.append(child.value if child.__class__ is _ScalarNode and child.tag == _STR
                          else _build(child, memo))
    elif isinstance(node, _MappingNode) and tag == _MAP:
        result = memo[key] = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not _ScalarNode or key_node.tag != _STR:
                raise _NeedsSlowPath  # a key js-yaml turns into a string, or `<<`
            result[key_node.value] = (
                value_node.value if value_node.__class__ is _ScalarNode
                and value_node.tag == _STR else _build(value_node, memo))
        if len(result) != len(node.value):
            raise _NeedsSlowPath  # a key given twice: the slow path says where
    else:
        raise _NeedsSlowPath
    return result


class _SlowBuilder:
    """Build values exactly as js-yaml's `load` would, with its checks: explicit tags and
    whether their values fit, `<<` merges, keys turned into strings (`1.0:` is "1"), a key
    given twice, and plain values continued inside flow collections (js-yaml's
    `readPlainScalar` stops at a line not indented past the enclosing block node).

    Two deliberate differences: a timestamp stays the text it was written as (js-yaml makes
    a Date; notewarden's schemas check `format: date` on the text), and `!!binary` gives
    the decoded bytes as UTF-8 text (js-yaml gives a Uint8Array)."""

    def __init__(self, text: str, first_line: int) -> None:
        self.text = text
        self.first_line = first_line
        self.memo: dict[int, Any] = {}

    def build(self, node: Any, indent: int, in_flow: bool) -> Any:
        """`indent` is the column of the block collection that holds node (-1 at the top)."""
        if isinstance(node, _ScalarNode):
            if in_flow and not node.style and node.start_mark.line != node.end_mark.line:
                self.check_continuation(node, indent)
            return self.scalar(node)
        key = id(node)
        if key in self.memo:
            return self.memo[key]
        in_flow = in_flow or bool(node.flow_style)
        if isinstance(node, _SequenceNode):
            return self.sequence(node, key, indent if in_flow else node.start_mark.column,
                                 in_flow)
        return self.mapping(node, key, indent, in_flow)

    def sequence(self, node: yaml.SequenceNode, key: int, indent: int, in_flow: bool) -> Any:
        tag = node.tag
        if tag not in (_SEQ, _OMAP, _PAIRS):
            raise _Problem.at(_wrong_kind(tag, "sequence"), node)
        result: list[Any] = []
        self.memo[key] = result
        result.extend(self.build(child, indent, in_flow) for child in node.value)
        if tag != _SEQ:  # js-yaml's !!omap and !!pairs: single-key mappings
            pairs = [next(iter(item.items())) for item in result
                     if isinstance(item, dict) and len(item) == 1]
            names = [name for name, _ in pairs]
            if len(pairs) != len(result) or (tag == _OMAP and len(set(names)) != len(names)):
                raise _Problem.at(f"cannot resolve a node with !<{tag}> explicit tag", node)
            if tag == _PAIRS:
                result[:] = [[name, value] for name, value in pairs]
        return result

    def mapping(self, node: yaml.MappingNode, key: int, indent: int, in_flow: bool) -> Any:
        tag = node.tag
        if tag not in (_MAP, _SET):
            raise _Problem.at(_wrong_kind(tag, "mapping"), node)
        result: dict[str, Any] = {}
        self.memo[key] = result
        overridable: set[str] = set()  # merged in by `<<`: a key of its own may replace it
        where: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            child_indent = indent if in_flow else key_node.start_mark.column
            if isinstance(key_node, _ScalarNode) and key_node.tag == _MERGE:
                merged = self.build(value_node, child_indent, in_flow)
                for source in merged if isinstance(merged, list) else [merged]:
                    if not isinstance(source, dict):
                        raise _Problem.at("cannot merge mappings; the provided source object "
                                          "is unacceptable", key_node)  # *alias: elsewhere
                    for name, value in source.items():
                        if name not in result:
                            result[name] = value
                            overridable.add(name)
                continue
            name = self.key_string(key_node, child_indent, in_flow)
            if name in result and name not in overridable:
                shown = name if len(name) <= 60 else name[:57] + "..."
                raise _Problem.at(
                    f"key {shown!r} appears twice (first at line "
                    f"{self.first_line + where[name].start_mark.line}); Obsidian reads no "
                    "properties from front-matter that repeats a key", key_node)
            result[name] = self.build(value_node, child_indent, in_flow)
            overridable.discard(name)
            where[name] = key_node
        if tag == _SET and any(value is not None for value in result.values()):
            raise _Problem.at(f"cannot resolve a node with !<{tag}> explicit tag", node)
        return result

    def key_string(self, node: yaml.Node, indent: int, in_flow: bool) -> str:
        """The key as js-yaml stores it: String(value) (storeMappingPair in its loader)."""
        value = self.build(node, indent, in_flow)
        if isinstance(value, list):
            if any(isinstance(item, list) for item in value):
                raise _Problem.at("nested arrays are not supported inside keys", node)
            return ",".join("" if item is None else "[object Object]" if isinstance(item, dict)
                            else _js_string(item) for item in value)
        return "[object Object]" if isinstance(value, dict) else _js_string(value)

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag, value = node.tag, node.value
        if tag in (_STR, _MERGE):  # a `<<` that is not a key is the text "<<"
            return value
        fits = False
        if tag == _NULL:
            fits = value in ("~", "null", "Null", "NULL") or (value == "" and not node.style)
        elif tag == _BOOL:
            fits = value in _TRUE or value in _FALSE
        elif tag == _INT:
            fits = _INT_RE.match(value) is not None
        elif tag == _FLOAT:
            fits = _FLOAT_RE.match(value) is not None
        elif tag == _TIMESTAMP:
            fits = _pattern("timestamp").match(value) is not None
        elif tag == _BINARY:
            clean = value.replace("\n", "").replace("\r", "")
            fits = _pattern("base64").match(clean) is not None and len(clean) % 4 == 0
            if fits:
                import base64
                import binascii

                try:
                    return base64.b64decode(clean).decode("utf-8", "replace")
                except binascii.Error:
                    fits = False
        elif tag in (_SEQ, _MAP, _SET, _OMAP, _PAIRS):
            raise _Problem.at(_wrong_kind(tag, "scalar"), node)
        else:
            raise _Problem.at(f"unknown tag !<{tag}>", node)
        if not fits:
            raise _Problem.at(f"cannot resolve a node with !<{tag}> explicit tag", node)
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return value in _TRUE
        if tag == _INT:
            return _int(value)
        return _float(value) if tag == _FLOAT else value

    def check_continuation(self, node: yaml.ScalarNode, indent: int) -> None:
        span = self.text[node.start_mark.index:node.end_mark.index]
        for number, line in enumerate(_LINE_BREAK_RE.split(span)[1:], node.start_mark.line + 1):
            spaces = len(line) - len(line.lstrip(" "))
            if line.strip() and spaces <= indent:
                raise _Problem(
                    "this line goes on with an unquoted value inside [...] or {...} but is "
                    "not indented past its key, so Obsidian reads it as an entry without a "
                    "comma before it (indent it, or quote the value)", number, spaces)


def _wrong_kind(tag: str, kind: str) -> str:
    known = {_STR: "scalar", _INT: "scalar", _FLOAT: "scalar", _BOOL: "scalar", _NULL: "scalar",
             _TIMESTAMP: "scalar", _BINARY: "scalar", _MERGE: "scalar", _SEQ: "sequence",
             _OMAP: "sequence", _PAIRS: "sequence", _MAP: "mapping", _SET: "mapping"}
    if tag not in known:
        return f"unknown tag !<{tag}>"
    return f"unacceptable node kind for !<{tag}> tag; it should be {known[tag]}, not {kind}"


def _js_string(value: Any) -> str:
    """String(value) in JavaScript, for the values a scalar key can have."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and abs(value) < 2**53:
        return str(value)
    try:
        number = float(value)
    except OverflowError:  # an integer past a double's range: Infinity to JavaScript
        number = math.inf if value > 0 else -math.inf
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"
    # Number.prototype.toString: the shortest digits that round-trip (Python's repr has
    # the same digits), laid out by ECMAScript's rules for where the point and exponent go.
    import decimal

    _, digits_tuple, exponent = decimal.Decimal(repr(abs(number))).as_tuple()
    digits = "".join(map(str, digits_tuple)).rstrip("0") or "0"
    point = len(digits_tuple) + int(exponent)  # the value is 0.DIGITS × 10**point
    minus = "-" if number < 0 else ""
    if len(digits) <= point <= 21:
        return minus + digits + "0" * (point - len(digits))
    if 0 < point <= 21:
        return minus + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return minus + "0." + "0" * -point + digits
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{minus}{mantissa}e{'+' if point > 0 else '-'}{abs(point - 1)}"


# --- documents libyaml refuses and js-yaml reads ----------------------------------------------

# Characters libyaml refuses anywhere, or takes for line breaks, while js-yaml takes them
# for text (it refuses the control characters only in unquoted values: readPlainScalar,
# readBlockScalar; C0 ones in quoted values too). NUL stays: js-yaml refuses it anywhere.
_TEXT_TO_JS_YAML = frozenset("\x85\u2028\u2029\ufeff")  # line breaks to libyaml only
_C0 = frozenset(chr(code) for code in range(0x20))
_PLACEHOLDER_BASE = 0xF0000  # Unicode's private use plane 15: for characters libyaml refuses
_LONG_KEY_BASE = 0x100000  # and plane 16: for keys too long for libyaml
# Patterns of the rare paths, compiled on first use: compiling them all costs more at
# start-up than most vaults ever spend in them.
_RARE_PATTERNS = {
    "timestamp": (r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)"
                  r"[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
                  r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?\Z", 0),
    "special": ("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]", 0),
    "js text": ("[\x85\u2028\u2029\ufeff]", 0),  # line breaks to libyaml, text to js-yaml
    # Spaces and tabs ending a line with more than them, inside a quoted value (not an
    # escaped space, in double quotes).
    "trailing space '": (r"(?<=\S)[ \t]+(?=\r|\n)", 0),
    'trailing space "': (r"(?<=[^\s\\])[ \t]+(?=\r|\n)", 0),
    "unquotable": ("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]", 0),
    "blank with tab": (r"^[ \t]*\t[ \t]*$", re.MULTILINE),
    "dash": (r" *-([ \t]+)", 0),
    "long key": (r"^( *(?:- +)*)(\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\n]|'')*'"
                 r"|[^\s#'\"\[\]{},&*!|>%@`][^\n]*?)([ \t]*):(?=[ \t\r]|$)", re.MULTILINE),
    "anchor name": (r"[^\s\[\]{},]+", 0),  # as js-yaml reads it after `&` or `*`
    "libyaml anchor": (r"[0-9A-Za-z_-]+\Z", 0),
    # A tag starts a node: after a line break, a space, a tab, a flow indicator, or the
    # byte-order mark libyaml skips at the start.
    "explicit tag": ("(?:^|[\\s\\[\\]{},\ufeff])!", re.MULTILINE),
    "base64": (r"[A-Za-z0-9+/=]*\Z", 0),
}


@functools.cache
def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(*_RARE_PATTERNS[name])


@dataclass
class _Relaxed:
    """The text with the spots libyaml refuses neutralised. Each substitution keeps every
    other character where it was (long keys keep their line's length), so node marks still
    point into the original text; verify() says whether js-yaml would accept each spot."""

    text: str
    restore: dict[int, int] = field(default_factory=dict)  # placeholder -> character
    tab_spots: list[int] = field(default_factory=list)  # where a tab became a space
    tab_items: set[int] = field(default_factory=set)  # where content follows `-` and a tab
    long_keys: dict[str, str] = field(default_factory=dict)  # placeholder -> the key
    anchors: list[int] = field(default_factory=list)  # renamed `&name` and `*name`
    problem: _Problem | None = None  # js-yaml's complaint, found while relaxing


def _relax(text: str, failed: bool) -> _Relaxed | None:
    """The text with the spots where libyaml and js-yaml part ways neutralised, or None
    when there is none. Before libyaml has read the text (failed=False), only the spots
    where libyaml would read something else without failing: the characters it takes for
    line breaks, and anchors js-yaml names differently."""
    chars = list(text)
    relaxed = _Relaxed(text)
    if re.search("[\U000F0000-\U0010FFFF]", text):
        return None  # private-use characters of its own: leave libyaml's verdict alone
    for match in _pattern("special" if failed else "js text").finditer(text):
        at, ch = match.start(), match.group()
        if at == 0 and ch == "\ufeff":
            continue  # a byte-order mark: both readers skip it
        placeholder = chr(_PLACEHOLDER_BASE + (ord(ch) & 0xFFF))
        relaxed.restore[ord(placeholder)] = ord(ch)
        chars[at] = placeholder
    _rename_anchors("".join(chars), chars, relaxed)  # as js-yaml reads: LS is no break
    if not failed:
        relaxed.text = "".join(chars)
        return relaxed if relaxed.text != text or relaxed.problem else None
    for match in _pattern("blank with tab").finditer(text):
        for at in range(match.start(), match.end()):
            if chars[at] == "\t":
                chars[at] = " "
                relaxed.tab_spots.append(at)
    line_start = 0
    for line in text.split("\n"):
        position = 0
        while (dash := _pattern("dash").match(line, position)) is not None:
            if "\t" in dash.group(1):
                for at in range(line_start + dash.start(1), line_start + dash.end(1)):
                    if chars[at] == "\t":
                        chars[at] = " "
                        relaxed.tab_spots.append(at)
                relaxed.tab_items.add(line_start + dash.end(1))
            position = dash.end()
        line_start += len(line) + 1
    placeholders: dict[str, str] = {}  # the key -> its placeholder
    for match in _pattern("long key").finditer(text):
        key = match.group(2)
        if len(key) + len(match.group(3)) < 1000 or _pattern("unquotable").search(key):
            continue  # short enough for libyaml, or refused for its characters anyway
        original = _quoted_value(key) if key[0] in "'\"" else key
        if original is None:
            continue
        stand_in = placeholders.get(original)
        if stand_in is None:
            if len(placeholders) >= 0xFFFE:
                return None
            stand_in = placeholders[original] = chr(_LONG_KEY_BASE + len(placeholders))
        relaxed.long_keys[stand_in] = original
        start, end = match.start(2), match.end(3) + 1  # the key, its spaces and the colon
        chars[start:end] = list(f'"{stand_in}":'.ljust(end - start))
    relaxed.text = "".join(chars)
    if relaxed.text == text:
        return None
    return relaxed


def _rename_anchors(text: str, chars: list[str], relaxed: _Relaxed) -> None:
    """Give anchors that libyaml reads otherwise than js-yaml (defined twice, or named with
    other than ASCII letters, digits, `-` and `_`: js-yaml's names run to a space or a flow
    indicator) fresh ASCII names of the same length; an alias follows the latest definition
    of its name, as in js-yaml, and one with none is js-yaml's "unidentified alias"."""
    if "&" not in text and "*" not in text:
        return
    found = _anchor_like(text)
    if not _anchors_differ(found):
        return
    tokens = _anchor_tokens(text)
    if tokens is not None:  # libyaml can scan them: an `&` or `*` elsewhere is text
        starts = {at for at, _, _ in tokens}
        found = [entry for entry in found if entry[0] in starts]
        if not _anchors_differ(found):
            return
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    used = {name for _, _, name in found}
    current: dict[str, str] = {}
    for at, sign, name in found:
        if sign == "&":
            fresh = next(("".join(c) for c in itertools.product(alphabet, repeat=len(name))
                          if "".join(c) not in used), None)
            if fresh is None:
                return
            used.add(fresh)
            current[name] = fresh
        elif name not in current:
            line = text.count("\n", 0, at)
            relaxed.problem = relaxed.problem or _Problem(
                f"unidentified alias {name!r}", line, at - (text.rfind("\n", 0, at) + 1))
            continue
        chars[at + 1:at + 1 + len(name)] = list(current[name])
        relaxed.anchors.append(at)


def _anchor_like(text: str) -> list[tuple[int, str, str]]:
    """(index, "&" or "*", name) of what js-yaml would read as anchors and aliases: an `&`
    or `*` that starts a node (after a space, a flow indicator, or at the start), with `&`
    or `*` inside text too (for _anchor_tokens to tell apart). Found with str.find: a regex
    tried at every character costs ten times as much, on the path every note takes."""
    found = []
    name = _pattern("anchor name")
    for sign in "&*":
        at = text.find(sign)
        while at != -1:
            if not at or text[at - 1].isspace() or text[at - 1] in "[]{},":
                match = name.match(text, at + 1)
                if match is not None:
                    found.append((at, sign, match.group()))
            at = text.find(sign, at + 1)
    found.sort()
    return found


def _anchors_differ(found: list[tuple[int, str, str]]) -> bool:
    defined = [name for _, sign, name in found if sign == "&"]
    readable = _pattern("libyaml anchor")
    return len(set(defined)) != len(defined) or not all(
        readable.match(name) for _, _, name in found)


def _anchor_tokens(text: str) -> list[tuple[int, str, str]] | None:
    """(index, "&" or "*", name) of each anchor and alias libyaml's scanner finds, or None
    when it cannot scan the text."""
    loader = Yaml12Loader(text)
    found: list[tuple[int, str, str]] = []
    try:
        while loader.check_token():
            token = loader.get_token()
            if isinstance(token, yaml.AnchorToken | yaml.AliasToken):
                sign = "&" if isinstance(token, yaml.AnchorToken) else "*"
                found.append((token.start_mark.index, sign, token.value))
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return found


def _quoted_value(key: str) -> str | None:
    """The string a quoted key stands for."""
    loader = Yaml12Loader(key)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return node.value if isinstance(node, _ScalarNode) else None


def _verify(relaxed: _Relaxed, root: yaml.Node | None) -> _Problem | bool:
    """Whether js-yaml accepts every neutralised spot of a document libyaml then read:
    True (and scalar values get their characters back), False when it would not (the
    caller reports libyaml's complaint), or js-yaml's own complaint."""
    if relaxed.problem is not None:
        return relaxed.problem
    if root is None:
        return True  # nothing but comments once neutralised
    scalars, collections = _nodes(root)
    tab_spots = sorted(relaxed.tab_spots)
    for node in scalars:
        quoted = node.style in ("'", '"')
        if not quoted and node.style and tab_spots:
            first = bisect.bisect_left(tab_spots, node.start_mark.index)
            if first < len(tab_spots) and tab_spots[first] < node.end_mark.index:
                return False  # a tab-only line inside a block scalar is an error to js-yaml
        if relaxed.restore and (value := node.value) and any(
                ord(ch) in relaxed.restore for ch in value):
            for offset, ch in enumerate(value):
                original = chr(relaxed.restore.get(ord(ch), ord(ch)))
                if original != ch and (original in _C0 or (
                        not quoted and original not in _TEXT_TO_JS_YAML)):
                    at = relaxed.text.find(ch, node.start_mark.index)
                    line = relaxed.text.count("\n", 0, at)
                    column = at - (relaxed.text.rfind("\n", 0, at) + 1)
                    where = "anywhere" if original in _C0 else "outside quotes"
                    return _Problem(f"control character U+{ord(original):04X} is not allowed "
                                    f"{where} (offset {offset} of the value)", line, column)
            node.value = value.translate(relaxed.restore)
        if node.value in relaxed.long_keys:
            node.value = relaxed.long_keys[node.value]
    for collection in collections:
        if not collection.flow_style and collection.start_mark.index in relaxed.tab_items:
            return False  # js-yaml: "bad indentation of a sequence entry"
    if relaxed.anchors:
        tokens = _anchor_tokens(relaxed.text)
        if tokens is None or not {at for at, _, _ in tokens}.issuperset(relaxed.anchors):
            return False  # a renamed `&` or `*` was text, not an anchor
    return True


def _nodes(root: yaml.Node) -> tuple[list[yaml.ScalarNode], list[Any]]:
    """Every scalar node and every collection node of a composed document, once each."""
    scalars: list[yaml.ScalarNode] = []
    collections: list[Any] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, _ScalarNode):
            scalars.append(node)
        elif isinstance(node, _MappingNode):
            collections.append(node)
            stack.extend(part for pair in node.value for part in pair)
        else:
            collections.append(node)
            stack.extend(node.value)
    return scalars, collections


# --- blocks -----------------------------------------------------------------------------------


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
    text = block.yaml_text
    if len(text) > MAX_FRONT_MATTER_CHARS:
        return ParsedFrontMatter(
            None, None, f"front-matter is {len(text) // 1024:,} KB, over the "
            f"{MAX_FRONT_MATTER_CHARS // 1024} KB limit; it was not read", block.first_line, 1)
    if not text.strip():
        return ParsedFrontMatter({}, None, None, 0, 0, True)
    if text.startswith("\ufeff"):
        text = text[1:]  # both readers skip a byte-order mark, and libyaml's marks omit it
    if text.startswith("---"):
        # js-yaml takes a leading `---` for a document start even with no space after it
        # (readDocument in its loader), so `---title: x` is {title: x}; blanking it keeps
        # every other character where it was.
        text = "   " + text[3:]
    relaxed = _relax(text, failed=False) if _parts_ways(text) else None
    if relaxed is not None and relaxed.problem is not None:
        return _problem(relaxed.problem, block)
    try:
        node = _compose(text if relaxed is None else relaxed.text)
        verdict = True if relaxed is None else _verify(relaxed, node)
        if verdict is False:  # the neutralised spots were not what they seemed
            relaxed, node = None, _compose(text)
    except yaml.YAMLError as exc:
        relaxed, node, verdict = _relax(text, failed=True), None, False
        if relaxed is not None and relaxed.problem is not None:
            return _problem(relaxed.problem, block)
        if relaxed is not None:
            try:
                node = _compose(relaxed.text)
                verdict = _verify(relaxed, node)
            except (yaml.YAMLError, RecursionError):
                verdict = False
        if verdict is False:
            return _libyaml_error(exc, text, block)
    except RecursionError:
        return _unreadable("nested too deeply", block)
    if isinstance(verdict, _Problem):
        return _problem(verdict, block)
    if node is None:
        return ParsedFrontMatter({}, None, None, 0, 0, True)
    if " \n" in text or ("\t" in text and "\t\n" in text) or (
            "\r" in text and (" \r" in text or "\t\r" in text)):  # one scan, most often
        node = _keep_trailing_spaces(text if relaxed is None else relaxed.text, node)
    # Only aliases (`*name` of an `&name` anchor) can make a document bigger than its text.
    if "&" in text and "*" in text and _expanded_size(node) > MAX_EXPANDED_NODES:
        return ParsedFrontMatter(
            None, None, f"front-matter expands to more than {MAX_EXPANDED_NODES:,} values "
            "through YAML aliases (an alias bomb?); it was not read", block.first_line, 1)
    try:
        try:
            if relaxed is not None or ("!" in text and _pattern("explicit tag").search(text)):
                raise _NeedsSlowPath
            data = _build(node, {})
        except _NeedsSlowPath:
            data = _SlowBuilder(text, block.first_line).build(node, -1, False)
    except _Problem as problem:
        return _problem(problem, block)
    except RecursionError:
        return _unreadable("nested too deeply", block)
    except (ValueError, OverflowError) as exc:  # never expected: still a finding, not a crash
        return _unreadable(str(exc), block)
    if data is None:  # `~` or `null` alone: no properties, as for nothing but comments
        return ParsedFrontMatter({}, None, None, 0, 0, True)
    if not isinstance(data, dict):
        kind = type(data).__name__
        kind = {"list": "a list", "str": "a string", "int": "a number",
                "float": "a number", "bool": "a boolean"}.get(kind, kind)
        return ParsedFrontMatter(None, None, f"{NOT_A_MAPPING}, not {kind}",
                                 block.first_line, 1)
    return ParsedFrontMatter(data, node, None, 0, 0, True)


def _keep_trailing_spaces(text: str, root: yaml.Node) -> yaml.Node:
    """js-yaml keeps the spaces and tabs that end a line inside a quoted value
    (readDoubleQuotedScalar and readSingleQuotedScalar capture them before folding the
    line break); libyaml drops them, as YAML says to. Where a quoted value spans lines
    with such spaces, read the text again with them as stand-ins, then put them back."""
    spots: list[int] = []
    for node in _nodes(root)[0]:
        if node.style in ("'", '"') and node.start_mark.line != node.end_mark.line:
            pattern = _pattern("trailing space " + node.style)
            start, end = node.start_mark.index, node.end_mark.index
            spots += [at for match in pattern.finditer(text, start, end)
                      for at in range(match.start(), match.end())]
    if not spots or re.search("[\U000F0000-\U0010FFFF]", text):
        return root  # nothing to keep, or private-use characters of its own
    chars = list(text)
    for at in spots:
        chars[at] = chr(_PLACEHOLDER_BASE + ord(chars[at]))  # U+F0009, U+F0020: not in use
    try:
        again = _compose("".join(chars))
    except yaml.YAMLError:
        return root
    if again is None:
        return root
    restore = {_PLACEHOLDER_BASE + 9: 9, _PLACEHOLDER_BASE + 32: 32}
    for node in _nodes(again)[0]:
        node.value = node.value.translate(restore)
    return again


def _parts_ways(text: str) -> bool:
    """Whether libyaml would read text otherwise than js-yaml without failing: characters
    it takes for line breaks, or anchors js-yaml names otherwise. Cheap for most notes."""
    if not text.isascii() and ("\u2028" in text or "\u2029" in text or "\ufeff" in text
                               or "\x85" in text):  # `in` is ten times a regex search
        return True
    if "&" not in text and "*" not in text:
        return False
    return _anchors_differ(_anchor_like(text))


def _compose(text: str) -> yaml.Node | None:
    loader = Yaml12Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _problem(problem: _Problem, block: FrontMatterBlock) -> ParsedFrontMatter:
    return ParsedFrontMatter(None, None, problem.message, block.first_line + problem.line,
                             problem.column + 1)


def _unreadable(detail: str, block: FrontMatterBlock) -> ParsedFrontMatter:
    return ParsedFrontMatter(None, None, f"front-matter could not be read: {detail}",
                             block.first_line, 1)


def _libyaml_error(exc: yaml.YAMLError, text: str,
                   block: FrontMatterBlock) -> ParsedFrontMatter:
    """libyaml's complaint, placed where the problem starts, in words a note's author
    can act on where the problem is a common one."""
    if isinstance(exc, yaml.reader.ReaderError):
        # Its position counts bytes of the UTF-8 text.
        at = len(text.encode("utf-8")[:exc.position].decode("utf-8", "ignore"))
        line = text.count("\n", 0, at)
        column = at - (text.rfind("\n", 0, at) + 1)
        return ParsedFrontMatter(
            None, None, f"character U+{exc.character:04X} is not allowed here",
            block.first_line + line, column + 1)
    if not isinstance(exc, yaml.MarkedYAMLError):
        return _unreadable(str(exc), block)
    context, problem = exc.context or "", exc.problem or ""
    message = " ".join(part for part in (context, problem) if part) or str(exc)
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return _unreadable(message, block)
    explanation = ""
    if exc.context_mark is not None and "found unexpected end of stream" in problem:
        mark = exc.context_mark
        explanation = "the quote opened here is never closed"
    elif exc.context_mark is not None and "could not find expected ':'" in problem:
        mark = exc.context_mark
        explanation = "this line has no `key:` (continue a value on an indented line)"
    elif exc.context_mark is not None and context.startswith(
            ("while parsing a flow sequence", "while parsing a flow mapping")):
        mark = exc.context_mark
        explanation = f"the `{text[mark.index:mark.index + 1]}` opened here is not closed properly"
    elif not text[mark.index:].strip() and (opener := _unclosed_flow(text)) is not None:
        mark = opener
        explanation = f"the `{text[mark.index:mark.index + 1]}` opened here is never closed"
    elif text[mark.index:mark.index + 1] == "\t":
        explanation = "a tab cannot indent YAML: use spaces"
    if "`[`" in explanation or "`{`" in explanation:
        line_start = max(text.rfind("\n", 0, mark.index), text.rfind("\r", 0, mark.index)) + 1
        line_end = len(text) if (end := _LINE_BREAK_RE.search(text, mark.index)) is None \
            else end.start()
        if "#" in text[line_start:line_end]:
            explanation += "; a `#` after a space starts a comment, so quote values with `#`"
    if explanation:
        message = f"{explanation} ({message})"
    return ParsedFrontMatter(None, None, message, block.first_line + mark.line, mark.column + 1)


# The line breaks of libyaml (YAML 1.1), by which its marks count lines.
_LINE_BREAK_RE = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _unclosed_flow(text: str) -> Any:
    """The mark of the innermost `[` or `{` still open where libyaml stopped, or None."""
    loader = Yaml12Loader(text)
    open_at: list[Any] = []
    try:
        while loader.check_token():
            token = loader.get_token()
            if isinstance(token, yaml.FlowSequenceStartToken | yaml.FlowMappingStartToken):
                open_at.append(token.start_mark)
            elif isinstance(token, yaml.FlowSequenceEndToken | yaml.FlowMappingEndToken) \
                    and open_at:
                open_at.pop()
    except yaml.YAMLError:
        pass
    finally:
        loader.dispose()
    return open_at[-1] if open_at else None


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
    """Make constructed YAML safe to hand to jsonschema: string keys, ISO dates, lists.

    parse_yaml's values are already JSON-compatible (`plain` is always True); this stays
    for values from elsewhere."""
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
