"""Property tests for --fix on real files: random notes with alias problems, alias links and
duplicated runs, in every combination of CRLF/LF, BOM and final newline.

The generator knows exactly what it wrote, so it builds the expected output itself (the
alias lines rewritten, the links rewritten, one copy of the duplicated run deleted with at
most one adjoining blank line) and compares bytes: every byte outside the edited regions
must be identical."""

from __future__ import annotations

import os
import random
import string
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from notewarden.fixer import FixResult, run_fix
from tests.helpers import make_vault

NOTE = "Note"
TARGET = "Target"
TARGET_ALIASES = ("Tgt One", "Tgt Two")
TARGET_TEXT = "---\naliases: [Tgt One, Tgt Two]\n---\n# Target\n\n## Sec\n"
START = "%% notewarden:backlinks:start %%"
END = "%% notewarden:backlinks:end %%"

# Prose never forms links, tags, comments, code, math, HTML, lists of `-`, block ids or
# tables: none of [ ] % # ` $ < ~ - ^ |.
NON_ASCII = "éüßñøåçłğЖжΩπ日本語中文😀—…"
PROSE_ALPHABET = string.ascii_letters + string.digits + ".,;:!?'\"()*_=+/&@{}\\" + NON_ASCII
LETTERS = string.ascii_letters + "éüßñøåçłğЖжΩπ日本語"

YAML_SPECIAL = {"null", "true", "false", "yes", "no", "on", "off", "y", "n"}
RESERVED = {NOTE.lower(), TARGET.lower(), *(a.lower() for a in TARGET_ALIASES)}


def norm(name: str) -> str:
    return unicodedata.normalize("NFC", name.strip()).lower()


# The number of examples comes from the hypothesis profile (tests/conftest.py): 2,000 in CI.
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Each example writes a small vault and fixes it twice; on a RAM-backed file system (where
# there is one) the file system's own costs, fsync above all, stop dominating.
SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


# ------------------------------------------------------------------------ the generator

def _pool(alphabet: str, min_size: int, max_size: int, count: int = 4000,
          keep: Callable[[str], bool] = bool) -> list[str]:
    """Words drawn once, with a fixed seed, from `alphabet`: the property tests pick from
    these. Drawing every character through hypothesis cost four fifths of each example,
    and 2,000 examples a test are run in CI."""
    rng = random.Random(f"{alphabet}:{min_size}:{max_size}")
    words: list[str] = []
    while len(words) < count:
        word = "".join(rng.choice(alphabet) for _ in range(rng.randint(min_size, max_size)))
        if keep(word):
            words.append(word)
    return sorted(set(words))


prose_word = st.sampled_from(_pool(PROSE_ALPHABET, 1, 10))
long_word = st.sampled_from(_pool(PROSE_ALPHABET, 5, 9))
trailing_ws = st.sampled_from(["", "", "", " ", "  ", "\t"])


@dataclass
class Line:
    orig: str
    fixed: str  # the line once its alias links are rewritten


@st.composite
def link_token(draw) -> tuple[str, str]:
    """An alias link to Target, and what the fix should make of it."""
    alias = draw(st.sampled_from([*TARGET_ALIASES, "tgt one"]))
    kind = draw(st.sampled_from(["plain", "heading", "display", "embed", "ok"]))
    if kind == "plain":
        return f"[[{alias}]]", f"[[{TARGET}|{alias}]]"
    if kind == "heading":
        return f"[[{alias}#Sec]]", f"[[{TARGET}#Sec|{alias}]]"
    if kind == "display":
        shown = draw(display_text)
        return f"[[{alias}|{shown}]]", f"[[{TARGET}|{shown}]]"
    if kind == "embed":
        return f"![[{alias}]]", f"![[{TARGET}|{alias}]]"
    return f"[[{TARGET}]]", f"[[{TARGET}]]"  # already right: left alone


@st.composite
def prose_line(draw, *, long: bool = False, links: bool = True) -> Line:
    words = draw(st.lists(long_word if long else prose_word,
                          min_size=12 if long else 1, max_size=18 if long else 8))
    orig, fixed = list(words), list(words)
    if links:
        for _ in range(draw(st.integers(0, 2))):
            token, replaced = draw(link_token())
            at = draw(st.integers(0, len(orig)))
            orig.insert(at, token)
            fixed.insert(at, replaced)
    tail = draw(trailing_ws)
    return Line(" ".join(orig) + tail, " ".join(fixed) + tail)


def alias_value(word: str, style: str) -> str:
    if style == "double":
        return f'"{word}"'
    if style == "single":
        return f"'{word}'"
    return word


def _spaced(word: str) -> str:
    return " ".join(word.split())


alias_word = st.sampled_from(sorted({_spaced(w) for w in _pool(
    LETTERS + " ", 1, 10,
    keep=lambda s: bool(_spaced(s)) and _spaced(s)[0] in LETTERS
    and norm(s) not in YAML_SPECIAL and norm(s) not in RESERVED)}))


# Quoted aliases may hold what a plain scalar cannot.
quoted_word = st.sampled_from(sorted({_spaced(w) for w in _pool(
    LETTERS + " :#,[]{}&*!?😀", 1, 10,
    keep=lambda s: bool(_spaced(s)) and norm(s) not in RESERVED)}))

display_text = st.sampled_from(sorted({w.strip() for w in _pool(
    LETTERS + " ", 1, 8, keep=lambda s: bool(s.strip()))}))

eol_comment = st.sampled_from(_pool(PROSE_ALPHABET, 0, 12, keep=lambda s: True)).map(
    lambda s: "  # " + s)
comment_text = st.sampled_from(_pool(PROSE_ALPHABET + " ", 0, 20, keep=lambda s: True))


@dataclass
class FrontMatter:
    orig: list[str]
    fixed: list[list[str]]  # every acceptable result (a new list may take either indent)


@st.composite
def front_matter(draw) -> FrontMatter | None:
    form = draw(st.sampled_from(["singular", "bare", "flow", "block", "block", "good",
                                 "none"]))
    # Other keys: plain and quoted scalars with end-of-line comments, comment lines, and
    # block lists (with their own indentation).
    entries: list[list[str]] = []
    for i in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["key", "key", "comment", "list", "blank"]))
        if kind == "comment":
            entries.append(["# " + draw(comment_text)])
        elif kind == "blank":
            entries.append([""])
        elif kind == "list":
            indent = draw(st.sampled_from(["", "  ", "    "]))
            values = draw(st.lists(alias_word, min_size=1, max_size=3))
            entries.append([f"k{i}:", *(f"{indent}- {value}" for value in values)])
        else:
            value = draw(st.one_of(alias_word, alias_word.map(lambda s: f'"{s}"'),
                                   st.integers(0, 999).map(str)))
            comment = draw(st.one_of(st.just(""), eol_comment))
            entries.append([f"k{i}: {value}{comment}"])
    if form == "none":
        if not entries:
            return None
        lines = [line for entry in entries for line in entry]
        return FrontMatter(lines, [lines])

    styles = draw(st.lists(st.sampled_from(["plain", "double", "single"]),
                           min_size=1, max_size=4))
    words: list[str] = []
    for style in styles:
        pool = alias_word if style == "plain" else quoted_word
        # Not .filter(): on sampled_from it weighs the whole pool at every draw.
        word = draw(pool)
        while norm(word) in {norm(x) for x in words}:
            word = draw(pool)
        words.append(word)
    items = [alias_value(w, s) for w, s in zip(words, styles, strict=True)]
    at = draw(st.integers(0, len(entries)))
    if form in ("singular", "bare"):
        key = "alias" if form == "singular" else "aliases"
        orig = [f"{key}: {items[0]}"]
        # The new list is indented like Obsidian writes it, or like the file's other lists.
        indents = {"  "}
        for entry in entries:
            if len(entry) > 1:
                indents.add(entry[1][: len(entry[1]) - len(entry[1].lstrip(" "))])
                break
        fixed = [["aliases:", f"{indent}- {items[0]}"] for indent in sorted(indents)]
    else:
        # duplicates (any spelling of a word already listed) and the note's own name
        written = list(items)
        if form != "good":
            for _ in range(draw(st.integers(1, 3))):
                if draw(st.booleans()):
                    i = draw(st.integers(0, len(words) - 1))
                    w = words[i]
                    spellings = [f'"{w}"', f"'{w}'", f'"{w.upper()}"']
                    if styles[i] == "plain":
                        spellings += [w, w.upper(), w.lower()]
                    extra = draw(st.sampled_from(spellings))
                else:
                    extra = draw(st.sampled_from([NOTE, NOTE.lower(), f'"{NOTE}"']))
                written.insert(draw(st.integers(0, len(written))), extra)
        keep: list[bool] = []  # which written items survive: the first of each name
        seen: set[str] = set()
        for item in written:
            key = norm(item.strip("\"'"))
            keep.append(key != norm(NOTE) and key not in seen)
            seen.add(key)
        if form in ("flow", "good"):
            kept = [item for item, kept_it in zip(written, keep, strict=True) if kept_it]
            orig = [f"aliases: [{', '.join(written)}]"]
            fixed = [[f"aliases: [{', '.join(kept)}]"]]
        else:  # a block list keeps its own indentation and its items' comments
            indent = draw(st.sampled_from(["", "  ", "    "]))
            comments = draw(st.lists(st.one_of(st.just(""), eol_comment),
                                     min_size=len(written), max_size=len(written)))
            lines = [f"{indent}- {item}{comment}"
                     for item, comment in zip(written, comments, strict=True)]
            orig = ["aliases:", *lines]
            fixed = [["aliases:", *(line for line, kept_it in zip(lines, keep, strict=True)
                                    if kept_it)]]
    before = [line for entry in entries[:at] for line in entry]
    after = [line for entry in entries[at:] for line in entry]
    return FrontMatter(before + orig + after, [before + option + after for option in fixed])


@dataclass
class Example:
    newline: str
    bom: bool
    final_newline: bool
    fm: FrontMatter | None
    body: list[Line]
    removable: tuple[int, int] | None  # body lines [first, last] of the copy that must go
    target_block: bool  # Target.md has a backlinks block

    def render(self, lines: list[str]) -> bytes:
        text = self.newline.join(lines) + (self.newline if self.final_newline else "")
        return ("\ufeff" if self.bom else "").encode() + text.encode("utf-8")

    def original(self) -> bytes:
        fm = ["---", *self.fm.orig, "---"] if self.fm else []
        return self.render(fm + [line.orig for line in self.body])

    def expected(self) -> set[bytes]:
        """Every acceptable result: with the duplicate gone, at most one adjoining blank
        line may go with it, and the final newline's presence must not change."""
        body = [line.fixed for line in self.body]
        if self.removable is None:
            bodies = [body]
        else:
            first, last = self.removable
            spans = [(first, last)]
            if first > 0 and body[first - 1] == "":
                spans.append((first - 1, last))
            if last + 1 < len(body) and body[last + 1] == "":
                spans.append((first, last + 1))
            bodies = [body[:a] + body[b + 1 :] for a, b in spans]
        fms = [["---", *option, "---"] for option in self.fm.fixed] if self.fm else [[]]
        out = set()
        for fm in fms:
            for lines in bodies:
                data = self.render(fm + lines)
                if data.endswith(self.newline.encode()) == self.final_newline:
                    out.add(data)
        return out

    def target_text(self) -> str:
        return TARGET_TEXT + (f"\n{START}\n{END}\n" if self.target_block else "")

    def expected_target(self) -> str:
        """The backlinks block lists Note once Note's links are repaired (a fixpoint)."""
        if not self.target_block:
            return TARGET_TEXT
        links = any(f"[[{TARGET}" in line.fixed for line in self.body)
        return TARGET_TEXT + f"\n{START}\n" + ("- [[Note]]\n" if links else "") + f"{END}\n"


@st.composite
def examples(draw) -> Example:
    fm = draw(front_matter())
    # All prose lines distinct, so the only repeated run is the one generated here.
    n_lines = draw(st.integers(2, 8))
    singles = draw(st.lists(prose_line(), min_size=n_lines, max_size=n_lines,
                            unique_by=lambda line: line.orig.rstrip()))
    body: list[Line] = []
    blank = Line("", "")

    def maybe_blank() -> None:
        if body and body[-1].orig and draw(st.booleans()):
            body.append(blank)

    removable = None
    dup = draw(st.sampled_from(["none", "identical", "extra"]))
    if dup == "none":
        for line in singles:
            maybe_blank()
            body.append(line)
    else:
        taken = {line.orig.rstrip() for line in singles}
        run = draw(st.lists(prose_line(long=True), min_size=3, max_size=5,
                            unique_by=lambda line: line.orig.rstrip()))
        assume(not taken & {line.orig.rstrip() for line in run})  # rare: cheaper than filter
        taken |= {line.orig.rstrip() for line in run}
        pre = singles[: draw(st.integers(0, 1))]  # the first copy may open the body
        mid_count = draw(st.integers(1, len(singles) - len(pre)))
        mid = singles[len(pre) : len(pre) + mid_count]
        post = singles[len(pre) + mid_count :]
        body += pre
        maybe_blank()
        first_earlier = len(body)
        for i, line in enumerate(run):
            if i and draw(st.integers(0, 4)) == 0:
                body.append(blank)  # blank lines inside the run don't break it
            body.append(line)
        earlier = (first_earlier, len(body) - 1)
        for line in mid:
            maybe_blank()
            body.append(line)
        maybe_blank()
        first_later = len(body)
        extras = draw(st.lists(prose_line(links=False), min_size=1, max_size=3,
                               unique_by=lambda line: line.orig.rstrip()))
        assume(not taken & {line.orig.rstrip() for line in extras})
        # where the later copy gets lines of its own (strictly inside it)
        slots: list[int | None] = [None] * len(extras)
        if dup == "extra":
            slots = draw(st.lists(st.integers(1, len(run) - 1), min_size=len(extras),
                                  max_size=len(extras)))
        for i, line in enumerate(run):
            body += [extra for extra, slot in zip(extras, slots, strict=True) if slot == i]
            body.append(line)
        later = (first_later, len(body) - 1)
        removable = earlier if dup == "extra" else later
        for line in post:
            maybe_blank()
            body.append(line)
    return Example(
        newline=draw(st.sampled_from(["\n", "\r\n"])),
        bom=draw(st.booleans()),
        final_newline=draw(st.booleans()),
        fm=fm,
        body=body,
        removable=removable,
        target_block=draw(st.booleans()),
    )


# -------------------------------------------------------------------------- the property

def fix_vault(vault: Path, *, write: bool = True) -> FixResult:
    return run_fix([vault], unsafe=False, write=write, use_cache=False, jobs=1)


def write_vault(root: Path, example: Example) -> Path:
    return make_vault(root / "v", {f"{NOTE}.md": example.original(),
                                   f"{TARGET}.md": example.target_text()})


# Inputs that once broke the fixers, always run before the random ones.
RUN = [Line(f"Run line {i}, long enough that three of them hold two hundred characters and"
            f" more, with [[Tgt One]] inside.", f"Run line {i}, long enough that three of"
            f" them hold two hundred characters and more, with [[Target|Tgt One]] inside.")
       for i in range(3)]
BLANK = Line("", "")
PINNED = [
    # a comment line after a block list whose last item goes
    Example("\n", False, True, FrontMatter(
        ["title: x", "aliases:", "  - a", "  - b", "  - a", "# about z", "z: 2"],
        [["title: x", "aliases:", "  - a", "  - b", "# about z", "z: 2"]]),
        [Line("text", "text")], None, False),
    # a blank line after a block list, CRLF
    Example("\r\n", False, True, FrontMatter(
        ["aliases:", "  - a", "  - a", "", "z: 2"], [["aliases:", "  - a", "", "z: 2"]]),
        [Line("text", "text")], None, False),
    # an end-of-line comment on an item that stays; the closing comment line
    Example("\n", False, False, FrontMatter(
        ["aliases:", "  - a  # first", "  - b", "  - A", "# end"],
        [["aliases:", "  - a  # first", "  - b", "# end"]]),
        [Line("text", "text")], None, False),
    # another key's list is indented differently from the aliases list
    Example("\n", False, True, FrontMatter(
        ["k0:", "- x", "aliases:", "  - Note", "  - A"], [["k0:", "- x", "aliases:", "  - A"]]),
        [Line("text", "text")], None, False),
    # the singular key's end-of-line comment is the author's: it stays (on either line)
    Example("\n", False, True, FrontMatter(
        ["alias: Foo  # old name", "k1: 1"],
        [["aliases:", "  - Foo  # old name", "k1: 1"],
         ["aliases:  # old name", "  - Foo", "k1: 1"]]),
        [Line("text", "text")], None, False),
    # identical copies, the later one ends a CRLF file with a BOM and no final newline
    Example("\r\n", True, False, None,
            [Line("intro", "intro"), BLANK, *RUN, BLANK, Line("middle", "middle"), BLANK,
             *RUN], (8, 10), True),
    # the later copy holds a reply: the earlier copy, which opens the body, goes
    Example("\n", False, True, FrontMatter(["aliases: [Foo, foo]"], [["aliases: [Foo]"]]),
            [*RUN, BLANK, Line("middle", "middle"), RUN[0], RUN[1],
             Line("reply: but what about RL?", "reply: but what about RL?"), RUN[2]],
            (0, 2), True),
]


def pinned(test):
    for case in reversed(PINNED):
        test = example(case)(test)
    return test


@SETTINGS
@pinned
@given(examples())
def test_fix_edits_only_what_it_must(example: Example) -> None:
    """The prose-safety properties, on one note each: --diff writes nothing and shows
    exactly what --fix then does; --fix changes only the bytes it must (line endings, BOM
    and the final newline included); a second --fix changes nothing."""
    original = example.original()
    expected = example.expected()
    target_after = example.expected_target()
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        vault = write_vault(Path(tmp), example)

        # (0) --diff writes nothing, and matches what --fix does below
        before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in vault.glob("*.md")}
        dry = fix_vault(vault, write=False)
        assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns)
                for p in vault.glob("*.md")} == before

        out = fix_vault(vault)
        assert dry.changed == out.changed
        new = (vault / f"{NOTE}.md").read_bytes()

        # (1) the exact bytes: everything outside the edited regions is untouched
        assert new in expected, (original, new, expected)
        assert out.skipped == []
        assert (vault / f"{TARGET}.md").read_text() == target_after
        changed = {f"{NOTE}.md"} if new != original else set()
        if target_after != example.target_text():
            changed.add(f"{TARGET}.md")
        assert set(out.changed) == changed
        if new != original:
            assert out.changed[f"{NOTE}.md"] == (original, new)
        assert (out.fixed >= 1) == bool(changed)
        left = [f for f in out.check.findings if f.rule in (
            "alias-format", "alias-link", "duplicate-block", "missing-backlink")]
        assert left == []

        # (2) line endings, BOM and final newline
        if example.newline == "\r\n":
            assert b"\n" not in new.replace(b"\r\n", b"")
        else:
            assert b"\r" not in new
        assert new.startswith(b"\xef\xbb\xbf") == example.bom
        assert new.endswith(example.newline.encode()) == example.final_newline

        # (3) a fixpoint: a second run changes nothing, and writes nothing
        info = (vault / f"{NOTE}.md").stat()
        again = fix_vault(vault)
        assert again.changed == {}
        assert (vault / f"{NOTE}.md").read_bytes() == new
        assert (vault / f"{NOTE}.md").stat().st_mtime_ns == info.st_mtime_ns
