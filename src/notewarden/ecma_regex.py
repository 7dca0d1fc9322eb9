"""Regular expressions from a vault's settings, matched in time linear in the text.

JSON Schema's `pattern` and `patternProperties` are ECMA-262 regexes, and so are the
`/regex/` entries of Obsidian's "Excluded files" (`userIgnoreFilters` in
`.obsidian/app.json`). Both come from files in the vault, which notewarden does not trust.
Python's `re` backtracks: `^(a+)+$` against 28 a's and a b takes 27 s, twice that with
each more character.

**Engine: RE2** (the `google-re2` package). RE2 runs every pattern it accepts in time
linear in the text (a DFA, falling back to a bounded NFA), and refuses, once, when the
pattern is compiled, the constructs that need backtracking. The alternative, the `regex`
package's per-match timeout, bounds one match, not a run: a vault of 10,000 notes whose
values all trip the same pattern pays the timeout 10,000 times, and a verdict that depends
on a deadline changes with the machine's load. A pattern is translated once from ECMA-262
syntax into RE2's (both are cached), then matched through RE2's own compiled program:
1.5 us a match, against 7.8 us through the `re2` module's re-like wrapper, which builds a
match object nobody reads.

**Dialects.** `unicode=True` (schemas) reads a pattern as ECMA-262 with the `u` flag, as
JSON Schema 2020-12 asks; `unicode=False` (Obsidian's filters, built with `new RegExp`)
reads it as a plain JavaScript regex, where Annex B makes `\\q`, a lone `{` or `]` literal.

**What the translation keeps from ECMA-262**, where Python's `re` (and so plain
jsonschema) differs:
- `$` matches only at the very end (Python's also matches before a final newline);
- `\\d`, `\\w` and `\\b` are ASCII (Python's are Unicode); `\\s` is ECMA's set of white
  space and line terminators (with U+FEFF and U+2028, without U+001C-U+001F and U+0085);
- `.` matches anything but the line terminators `\\n`, `\\r`, U+2028 and U+2029;
- `[]` matches nothing and `[^]` anything (in Python `]` first in a class is a literal);
- `\\uXXXX` (a surrogate pair of them is one character), `\\u{...}`, `\\xHH`, `\\cX`, `\\0`;
- `\\p{...}`: general categories (short or long names) and `Script=`.

RE2's worst case is linear in the text but proportional to the pattern's size too:
patterns are capped at MAX_PROGRAM_SIZE instructions, and one match at MAX_MATCH_COST
(text bytes times instructions); a longer text raises MatchTooCostly, which callers
report as a finding, never as a pass.

**Where RE2 cannot follow ECMA-262** the pattern is refused with UnsupportedPattern
(callers make it a config error that names the pattern; it is never skipped):
backreferences (`\\1`, `\\k<name>`), lookahead and lookbehind (`(?=`, `(?!`, `(?<=`, `(?<!`),
repetition counts over 1000 (also when nested ones multiply past it), `\\p{...}` of
properties RE2 lacks (`Script_Extensions`, binary properties but `Any` and `ASCII`), lone
surrogates, and patterns whose program exceeds `MAX_PROGRAM_SIZE` instructions.

**Differences accepted** (rare in front-matter and file names; RE2's way is used):
case-insensitive matching uses RE2's simple case folding; in multiline mode `^` and `$`
see only `\\n` as a line end; without the `u` flag JavaScript's `.` and classes match a
UTF-16 code unit, here a whole character. Inline flags `(?i)`, `(?m)`, `(?s)` (and their
scoped `(?i:...)` form) are accepted, as are `(?P<name>...)`, `\\A`, `\\Z` and escaped
punctuation such as `\\-`: ECMA-262 with the `u` flag refuses those, but jsonschema
(Python) accepted them and their meaning is unambiguous.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

MAX_PROGRAM_SIZE = 20_000  # RE2 instructions; ordinary schema patterns use well under 500
MAX_REPEAT = 1000  # RE2's own limit for a counted repetition
# RE2's worst case (a pattern whose DFA would be too large, run as an NFA) costs about
# 10-15 ns per byte of text and instruction of program, measured with `[ab]*a[ab]{999}c`
# against 50-200 KB of random a's and b's. A match that could cost more than this many
# byte-instructions (~0.5 s) is refused (MatchTooCostly) instead of run; an ordinary
# pattern (~50 instructions) still matches values up to 1 MB.
MAX_MATCH_COST = 50_000_000

# ECMA-262 WhiteSpace and LineTerminator, as code point ranges.
_SPACE = ((0x9, 0xD), (0x20, 0x20), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A),
          (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000),
          (0xFEFF, 0xFEFF))
_LINE_END = ((0xA, 0xA), (0xD, 0xD), (0x2028, 0x2029))
_SYNTAX = frozenset("^$\\.*+?()[]{}|/")
_RE2_SPECIAL = frozenset("\\.+*?()|[]{}^$")
_CONTROL_ESCAPES = {"f": 0xC, "n": 0xA, "r": 0xD, "t": 0x9, "v": 0xB}
_HEX = frozenset("0123456789abcdefABCDEF")
# General categories by long name (ECMA-262 accepts both); RE2 knows the short ones.
_CATEGORIES = {
    "Letter": "L", "Cased_Letter": "LC", "Uppercase_Letter": "Lu", "Lowercase_Letter": "Ll",
    "Titlecase_Letter": "Lt", "Modifier_Letter": "Lm", "Other_Letter": "Lo", "Mark": "M",
    "Combining_Mark": "M", "Nonspacing_Mark": "Mn", "Spacing_Mark": "Mc",
    "Enclosing_Mark": "Me", "Number": "N", "Decimal_Number": "Nd", "digit": "Nd",
    "Letter_Number": "Nl", "Other_Number": "No", "Punctuation": "P", "punct": "P",
    "Connector_Punctuation": "Pc", "Dash_Punctuation": "Pd", "Open_Punctuation": "Ps",
    "Close_Punctuation": "Pe", "Initial_Punctuation": "Pi", "Final_Punctuation": "Pf",
    "Other_Punctuation": "Po", "Symbol": "S", "Math_Symbol": "Sm", "Currency_Symbol": "Sc",
    "Modifier_Symbol": "Sk", "Other_Symbol": "So", "Separator": "Z",
    "Space_Separator": "Zs", "Line_Separator": "Zl", "Paragraph_Separator": "Zp",
    "Other": "C", "Control": "Cc", "cntrl": "Cc", "Format": "Cf", "Surrogate": "Cs",
    "Private_Use": "Co", "Unassigned": "Cn",
}
_BINARY_PROPERTIES = {"Any": ((0, 0x10FFFF),), "ASCII": ((0, 0x7F),)}


class PatternError(ValueError):
    """A pattern that cannot be matched; `reason` says why, in words."""

    def __init__(self, pattern: str, reason: str) -> None:
        super().__init__(f"{pattern!r}: {reason}")
        self.pattern, self.reason = pattern, reason


class InvalidPattern(PatternError):
    """Not a regular expression in the dialect asked for."""


class UnsupportedPattern(PatternError):
    """A valid ECMA-262 regex that cannot be run in linear time (see the module docstring)."""


class MatchTooCostly(PatternError):
    """A text too long to be matched against this pattern in bounded time."""


class BoundedPattern:
    """A compiled pattern: `search` answers in time linear in the text."""

    __slots__ = ("_anchor", "_regexp", "_size", "source")

    def __init__(self, source: str, regexp: Any, anchor: Any) -> None:
        self.source, self._regexp, self._anchor = source, regexp, anchor
        self._size = max(1, regexp.ProgramSize())

    def search(self, text: str) -> bool:
        """Does the pattern match anywhere in `text` (as ECMA-262's `RegExp.test`)?
        Raises MatchTooCostly for a text too long for this pattern (MAX_MATCH_COST)."""
        data = text.encode("utf-8", "surrogatepass")
        if len(data) * self._size > MAX_MATCH_COST:
            raise MatchTooCostly(self.source, f"a text of {len(data)} bytes is too long to "
                                              "match against it in bounded time")
        return bool(self._regexp.Match(self._anchor, data, 0, len(data))[0][0] != -1)


def search(pattern: str, text: str, *, unicode: bool = True) -> bool:
    """Does `pattern` match anywhere in `text`? Raises PatternError for a pattern that
    cannot be compiled (the compiled pattern is cached)."""
    return compile_pattern(pattern, unicode=unicode).search(text)


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str, *, unicode: bool = True) -> BoundedPattern:
    """The pattern, translated to RE2 and compiled; raises InvalidPattern or
    UnsupportedPattern."""
    translated = translate(pattern, unicode=unicode)
    engine, anchor = _engine()
    regexp = engine.RE2(translated.encode("utf-8"), _options())
    if not regexp.ok():
        message = regexp.error()
        message = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
        if "repetition size" in message or "too large" in message:
            raise UnsupportedPattern(pattern, f"repetitions nest past RE2's limit ({message})")
        if "\\p{" in message:
            raise UnsupportedPattern(pattern, f"RE2 does not know this property ({message})")
        raise InvalidPattern(pattern, message)
    if regexp.ProgramSize() > MAX_PROGRAM_SIZE:
        raise UnsupportedPattern(pattern, f"it compiles to {regexp.ProgramSize()} "
                                          f"instructions, over the {MAX_PROGRAM_SIZE} allowed")
    return BoundedPattern(pattern, regexp, anchor)


def check_pattern(pattern: str, *, unicode: bool = True) -> None:
    """Raise PatternError unless the pattern can be matched (compiles it, and keeps it)."""
    compile_pattern(pattern, unicode=unicode)


@lru_cache(maxsize=1)
def _engine() -> tuple[Any, Any]:
    """RE2's compiled-program class and its "search anywhere" anchor."""
    from re2 import _re2  # RE2's program itself, not the re-like wrapper: see the docstring

    return _re2, _re2.RE2.Anchor.UNANCHORED


@lru_cache(maxsize=1)
def _options() -> Any:
    import re2

    options = re2.Options()
    options.log_errors = False  # RE2 would print every refused pattern on stderr
    options.never_capture = True  # only "does it match" is ever asked
    return options


# --- translation ------------------------------------------------------------------------


def translate(pattern: str, *, unicode: bool = True) -> str:
    """The ECMA-262 pattern in RE2 syntax, with the same meaning (see the module
    docstring). Raises InvalidPattern or UnsupportedPattern."""
    return _Translator(pattern, unicode).run()


def _point(code: int) -> str:
    return f"\\x{{{code:X}}}"


def _ranges(ranges: tuple[tuple[int, int], ...] | list[tuple[int, int]]) -> str:
    return "".join(_point(lo) if lo == hi else f"{_point(lo)}-{_point(hi)}"
                   for lo, hi in ranges)


def _complement(ranges: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    out, start = [], 0
    for lo, hi in sorted(ranges):
        if lo > start:
            out.append((start, lo - 1))
        start = max(start, hi + 1)
    if start <= 0x10FFFF:
        out.append((start, 0x10FFFF))
    return tuple(out)


_NOT_SPACE = _complement(_SPACE)
_DOT = f"[^{_ranges(_LINE_END)}]"


class _Translator:
    """A single left-to-right pass over the pattern, writing RE2 syntax as it goes."""

    def __init__(self, pattern: str, unicode: bool) -> None:
        self.source, self.unicode = pattern, unicode
        self.pos = 0
        self.out: list[str] = []
        self.dotall = [False]  # one entry per open group: `s` flag in force
        self.can_repeat = False  # the last thing written is an atom a quantifier may follow

    def fail(self, reason: str) -> InvalidPattern:
        return InvalidPattern(self.source, reason)

    def unsupported(self, reason: str) -> UnsupportedPattern:
        return UnsupportedPattern(self.source, reason)

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.source[index] if index < len(self.source) else ""

    def run(self) -> str:
        text = self.source
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\\":
                self.escape()
            elif char == "(":
                self.open_group()
            elif char == ")":
                if len(self.dotall) == 1:
                    raise self.fail("unmatched ')'")
                self.dotall.pop()
                self.emit(")", atom=True)
                self.pos += 1
            elif char == "[":
                self.character_class()
            elif char in "*+?":
                self.quantifier(char)
            elif char == "{":
                self.brace()
            elif char == "|":
                self.emit("|", atom=False)
                self.pos += 1
            elif char in "^$":
                self.emit(char, atom=False)
                self.pos += 1
            elif char == ".":
                self.emit("(?s:.)" if self.dotall[-1] else _DOT, atom=True)
                self.pos += 1
            elif char in "}]" and self.unicode:
                raise self.fail(f"lone '{char}'")
            else:
                self.literal(ord(char))
                self.pos += 1
        if len(self.dotall) > 1:
            raise self.fail("missing ')'")
        return "".join(self.out)

    def emit(self, text: str, *, atom: bool) -> None:
        self.out.append(text)
        self.can_repeat = atom

    def literal(self, code: int) -> None:
        if 0xD800 <= code <= 0xDFFF:
            raise self.unsupported("a lone surrogate cannot be matched in UTF-8 text")
        char = chr(code)
        if char in _RE2_SPECIAL:
            self.emit("\\" + char, atom=True)
        elif code < 0x80 and char.isprintable() and char != " ":
            self.emit(char, atom=True)
        else:
            self.emit(_point(code), atom=True)

    # -- groups and quantifiers

    def open_group(self) -> None:
        text, start = self.source, self.pos
        self.pos += 1
        if self.peek() != "?":
            self.push_group("(?:")
            return
        self.pos += 1
        head = self.peek()
        if head == ":":
            self.pos += 1
            self.push_group("(?:")
        elif head in "=!":
            raise self.unsupported("lookahead `(?" + head + "` needs backtracking")
        elif head == "<" and self.peek(1) in "=!":
            raise self.unsupported("lookbehind `(?<" + self.peek(1) + "` needs backtracking")
        elif head == "<" or (head == "P" and self.peek(1) == "<"):
            self.pos += 1 if head == "<" else 2
            end = text.find(">", self.pos)
            name = text[self.pos:end] if end != -1 else ""
            if not name or not (name[0].isalpha() or name[0] in "_$") \
                    or not all(c.isalnum() or c in "_$" for c in name):
                raise self.fail("bad group name")
            self.pos = end + 1
            self.push_group("(?:")  # captures are never read: only "does it match" is asked
        elif head == "P" and self.peek(1) == "=":
            raise self.unsupported("a backreference `(?P=` needs backtracking")
        else:
            end = start + 2
            while end < len(text) and text[end] in "imsx-":
                end += 1
            flags = text[start + 2:end]
            closer = text[end] if end < len(text) else ""
            if not flags or closer not in ":)" or flags.count("-") > 1 \
                    or (flags.endswith("-") and closer == ")"):
                raise self.fail(f"unknown group syntax {text[start:end + 1]!r}")
            if "x" in flags:
                raise self.unsupported("verbose mode (?x) is not ECMA-262")
            on, _, off = flags.partition("-")
            self.pos = end + 1
            if closer == ":":
                dotall = ("s" in on) or (self.dotall[-1] and "s" not in off)
                self.out.append(f"(?{flags}:")
                self.dotall.append(dotall)
                self.can_repeat = False
            else:  # `(?i)`: in force to the end of the enclosing group, in RE2 too
                if "s" in on:
                    self.dotall[-1] = True
                if "s" in off:
                    self.dotall[-1] = False
                self.emit(f"(?{flags})", atom=False)

    def push_group(self, opener: str) -> None:
        self.out.append(opener)
        self.dotall.append(self.dotall[-1])
        self.can_repeat = False

    def quantifier(self, char: str) -> None:
        if not self.can_repeat:
            raise self.fail(f"nothing to repeat at {char!r}")
        self.pos += 1
        lazy = self.peek() == "?"
        if lazy:
            self.pos += 1
        self.out.append(char + ("?" if lazy else ""))
        self.can_repeat = False

    def brace(self) -> None:
        text = self.source
        end = text.find("}", self.pos)
        body = text[self.pos + 1:end] if end != -1 else ""
        low, comma, high = body.partition(",")
        if end == -1 or not low.isdigit() or not low.isascii() \
                or (high and not (high.isdigit() and high.isascii())):
            if self.unicode:
                raise self.fail("lone '{'")
            self.literal(ord("{"))  # Annex B: a `{` that starts no quantifier is itself
            self.pos += 1
            return
        if not self.can_repeat:
            raise self.fail("nothing to repeat at '{'")
        if high and int(high) < int(low):
            raise self.fail(f"numbers out of order in {{{body}}}")
        if int(low) > MAX_REPEAT or (high and int(high) > MAX_REPEAT):
            raise self.unsupported(f"repetition {{{body}}} is over RE2's limit of {MAX_REPEAT}")
        self.pos = end + 1
        lazy = self.peek() == "?"
        if lazy:
            self.pos += 1
        self.out.append(f"{{{int(low)}{comma}{int(high) if high else ''}}}"
                        + ("?" if lazy else ""))
        self.can_repeat = False

    # -- escapes

    def escape(self) -> None:
        self.pos += 1
        char = self.peek()
        if not char:
            raise self.fail("\\ at end of pattern")
        if char in "dDwW":
            self.pos += 1
            self.emit("\\" + char, atom=True)
        elif char in "sS":
            self.pos += 1
            self.emit(f"[{'^' if char == 'S' else ''}{_ranges(_SPACE)}]", atom=True)
        elif char in "bB":
            self.pos += 1
            self.emit("\\" + char, atom=False)
        elif char in "pP" and self.unicode:
            self.pos += 1
            negated, ranges_or_class = self.property_escape()
            self.emit(f"[{'^' if negated else ''}{ranges_or_class}]", atom=True)
        elif self.unicode and char in "AZ":  # Python's anchors, which jsonschema accepted
            self.pos += 1
            self.emit("\\A" if char == "A" else "\\z", atom=False)
        elif char.isdigit() and char != "0":
            raise self.unsupported(f"a backreference \\{char} needs backtracking")
        elif char == "k" and (self.unicode or self.peek(1) == "<"):
            raise self.unsupported("a named backreference \\k<...> needs backtracking")
        else:
            self.literal(self.character_escape(in_class=False))

    def character_escape(self, *, in_class: bool) -> int:
        """The character a `\\` escape stands for (the `\\` is consumed, `pos` is on the
        next character); advances past it."""
        char = self.peek()
        self.pos += 1
        if char in _CONTROL_ESCAPES:
            return _CONTROL_ESCAPES[char]
        if char == "0" and not self.peek().isdigit():
            return 0
        if char == "0":
            if self.unicode:
                raise self.fail("octal escapes are not allowed with the u flag")
            raise self.unsupported("legacy octal escapes are not supported")
        if char == "c":
            letter = self.peek()
            if letter.isascii() and letter.isalpha():
                self.pos += 1
                return ord(letter) % 32
            if self.unicode:
                raise self.fail("\\c must be followed by a letter")
            self.pos -= 1  # Annex B: a literal backslash, and `c` is read next
            return ord("\\")
        if char == "x":
            digits = self.source[self.pos:self.pos + 2]
            if len(digits) == 2 and set(digits) <= _HEX:
                self.pos += 2
                return int(digits, 16)
            if self.unicode:
                raise self.fail("\\x must be followed by two hex digits")
            return ord("x")
        if char == "u":
            return self.unicode_escape()
        if char == "b" and in_class:
            return 0x8
        if char == "-" or char in _SYNTAX or (not char.isalnum() and char.isascii()
                                              and char.isprintable()):
            return ord(char)
        if self.unicode:
            raise self.fail(f"\\{char} is not an escape in ECMA-262")
        return ord(char)  # Annex B identity escape: `\q` is `q`

    def unicode_escape(self) -> int:
        text = self.source
        if self.peek() == "{" and self.unicode:
            end = text.find("}", self.pos)
            digits = text[self.pos + 1:end] if end != -1 else ""
            if not digits or not set(digits) <= _HEX or int(digits, 16) > 0x10FFFF:
                raise self.fail("bad \\u{...} escape")
            self.pos = end + 1
            return int(digits, 16)
        digits = text[self.pos:self.pos + 4]
        if len(digits) != 4 or not set(digits) <= _HEX:
            if self.unicode:
                raise self.fail("\\u must be followed by four hex digits")
            return ord("u")
        self.pos += 4
        code = int(digits, 16)
        low = text[self.pos + 2:self.pos + 6]
        if 0xD800 <= code <= 0xDBFF and text[self.pos:self.pos + 2] == "\\u" \
                and len(low) == 4 and set(low) <= _HEX and 0xDC00 <= int(low, 16) <= 0xDFFF:
            self.pos += 6  # a surrogate pair written as two escapes is one character
            return 0x10000 + ((code - 0xD800) << 10) + (int(low, 16) - 0xDC00)
        return code

    def property_escape(self) -> tuple[bool, str]:
        """`\\p{...}` or `\\P{...}` (`pos` just after the p): (negated, class body)."""
        negated = self.source[self.pos - 1] == "P"
        end = self.source.find("}", self.pos)
        if self.peek() != "{" or end == -1:
            raise self.fail("\\p must be followed by {...}")
        body = self.source[self.pos + 1:end]
        self.pos = end + 1
        name, _, value = body.partition("=")
        if value and name in ("General_Category", "gc"):
            name = value
        elif value and name in ("Script", "sc"):
            if not value.replace("_", "").isalpha():
                raise self.fail(f"bad script name {value!r}")
            return negated, f"\\p{{{value}}}"
        elif value:
            raise self.unsupported(f"\\p{{{body}}}: RE2 has no {name} property")
        if name in _BINARY_PROPERTIES:
            return negated, _ranges(_BINARY_PROPERTIES[name])
        short = _CATEGORIES.get(name, name)
        if short not in _CATEGORIES.values():
            raise self.unsupported(f"\\p{{{body}}}: not a general category RE2 knows")
        if short == "LC":
            return negated, "\\p{Lu}\\p{Ll}\\p{Lt}"
        if short == "Cn":
            raise self.unsupported("\\p{Cn} (unassigned) is not known to RE2")
        return negated, f"\\p{{{short}}}"

    # -- character classes

    def character_class(self) -> None:
        text = self.source
        self.pos += 1
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
        parts: list[str] = []
        while True:
            if self.pos >= len(text):
                raise self.fail("missing ']'")
            if text[self.pos] == "]":
                self.pos += 1
                break
            low = self.class_atom()
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.pos += 1
                high = self.class_atom()
                if isinstance(low, int) and isinstance(high, int):
                    if high < low:
                        raise self.fail("range out of order in character class")
                    parts.append(_ranges([(low, high)]))
                    continue
                if self.unicode:
                    raise self.fail("a class escape cannot bound a range")
                parts.extend([self.class_part(low), _point(ord("-")), self.class_part(high)])
                continue
            parts.append(self.class_part(low))
        if not parts:  # ECMA-262: `[]` matches nothing, `[^]` any character
            self.emit("(?s:.)" if negated else "[^\\x{0}-\\x{10FFFF}]", atom=True)
            return
        self.emit(f"[{'^' if negated else ''}{''.join(parts)}]", atom=True)

    def class_part(self, atom: int | str) -> str:
        return _ranges([(atom, atom)]) if isinstance(atom, int) else atom

    def class_atom(self) -> int | str:
        """One member of a class: a code point, or the body of a class escape."""
        char = self.source[self.pos]
        if char != "\\":
            self.pos += 1
            code = ord(char)
            if 0xD800 <= code <= 0xDFFF:
                raise self.unsupported("a lone surrogate cannot be matched in UTF-8 text")
            return code
        self.pos += 1
        char = self.peek()
        if not char:
            raise self.fail("\\ at end of pattern")
        if char in "dDwW":
            self.pos += 1
            return "\\" + char
        if char == "s":
            self.pos += 1
            return _ranges(_SPACE)
        if char == "S":
            self.pos += 1
            return _ranges(_NOT_SPACE)
        if char in "pP" and self.unicode:
            self.pos += 1
            negated, body = self.property_escape()
            if not negated:
                return body
            if body.startswith("\\p{") and body.count("\\p{") == 1:
                return "\\P" + body[2:]
            raise self.unsupported("a negated \\P{...} of this kind inside a class")
        if char.isdigit() and char != "0":
            if self.unicode:
                raise self.fail(f"\\{char} in a character class")
            raise self.unsupported("legacy octal escapes are not supported")
        if char == "-":
            self.pos += 1
            return ord("-")
        if char == "B" and self.unicode:
            raise self.fail("\\B in a character class")
        code = self.character_escape(in_class=True)
        if 0xD800 <= code <= 0xDFFF:
            raise self.unsupported("a lone surrogate cannot be matched in UTF-8 text")
        return code
