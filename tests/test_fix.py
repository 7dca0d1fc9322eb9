"""--fix, --unsafe-fixes and --diff (issue 3): every fixable rule, the safety of writes, and
the command line, on real files in temporary vaults."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from notewarden.fixer import FixResult, run_fix, unified_diff
from notewarden.writer import WriteSkipped, read_with_snapshot, write_atomic
from tests.helpers import SEEDS, lint, make_vault, run_cli

START = "%% notewarden:backlinks:start %%"
END = "%% notewarden:backlinks:end %%"


def seed(pattern: str) -> bytes:
    (path,) = SEEDS.glob(pattern)
    return path.read_bytes()


def fix(vault: Path, *, unsafe: bool = False, write: bool = True,
        select: tuple[str, ...] = ()) -> FixResult:
    return run_fix([vault], select=select, unsafe=unsafe, write=write, use_cache=False,
                   jobs=1)


def fixed_bytes(tmp_path: Path, files: dict[str, str | bytes], name: str, *,
                config: str | None = None, select: tuple[str, ...] = ()) -> bytes:
    """Fix a fresh vault and return the bytes of `name` on disk afterwards."""
    vault = make_vault(tmp_path / "v", files, config=config)
    fix(vault, select=select)
    return (vault / name).read_bytes()


def snapshot(vault: Path) -> dict[str, tuple[bytes, int, int]]:
    """bytes, mtime_ns and inode of every note in the vault."""
    out = {}
    for path in sorted(vault.rglob("*.md")):
        info = path.lstat()
        out[path.relative_to(vault).as_posix()] = (path.read_bytes(), info.st_mtime_ns,
                                                   info.st_ino)
    return out


# --------------------------------------------------------------------------- alias-format

ALIAS_FORMAT_CASES = {
    "singular key becomes a list in the same place": (
        "---\ntitle: T\nalias: Foo\ntags: [x]\n---\nbody\n",
        "---\ntitle: T\naliases:\n  - Foo\ntags: [x]\n---\nbody\n",
    ),
    "bare string becomes a one-item list": (
        "---\ntitle: T\naliases: Foo\nstatus: done\n---\nbody\n",
        "---\ntitle: T\naliases:\n  - Foo\nstatus: done\n---\nbody\n",
    ),
    "flow list keeps flow style, duplicates go": (
        "---\naliases: [a, b, a]\n---\nbody\n",
        "---\naliases: [a, b]\n---\nbody\n",
    ),
    "quoted flow items keep their quotes": (
        "---\naliases: [\"a\", 'b', \"a\"]\n---\nbody\n",
        "---\naliases: [\"a\", 'b']\n---\nbody\n",
    ),
    "block list items keep their quotes": (
        "---\naliases:\n  - \"a\"\n  - 'b'\n  - a\n---\nbody\n",
        "---\naliases:\n  - \"a\"\n  - 'b'\n---\nbody\n",
    ),
    "block list keeps its indentation": (
        "---\naliases:\n- a\n- b\n- a\nx: 1\n---\nbody\n",
        "---\naliases:\n- a\n- b\nx: 1\n---\nbody\n",
    ),
    "four-space list indentation is kept": (
        "---\naliases:\n    - a\n    - a\ntags:\n    - t\n---\nbody\n",
        "---\naliases:\n    - a\ntags:\n    - t\n---\nbody\n",
    ),
    "the note's own name is removed, in any case": (
        "---\naliases: [N, other, n]\n---\nbody\n",
        "---\naliases: [other]\n---\nbody\n",
    ),
    "duplicates differing only in case": (
        "---\naliases: [Foo, bar, FOO]\n---\nbody\n",
        "---\naliases: [Foo, bar]\n---\nbody\n",
    ),
    "comments on other keys survive": (
        "---\n# top comment\ntitle: T  # the title\nalias: Foo\nstatus: \"done\" # c\n"
        "---\nbody\n",
        "---\n# top comment\ntitle: T  # the title\naliases:\n  - Foo\nstatus: \"done\" # c\n"
        "---\nbody\n",
    ),
    "comment line before the key and after it survive": (
        "---\n# about aliases\naliases: [a, a]\n# about z\nz: 2\n---\nbody\n",
        "---\n# about aliases\naliases: [a]\n# about z\nz: 2\n---\nbody\n",
    ),
    "quoted singular value keeps its quotes": (
        "---\nalias: \"Foo: bar\"\nx: 'y'\n---\nbody\n",
        "---\naliases:\n  - \"Foo: bar\"\nx: 'y'\n---\nbody\n",
    ),
    "single-quoted bare string keeps its quotes": (
        "---\naliases: 'Foo'\n---\nbody\n",
        "---\naliases:\n  - 'Foo'\n---\nbody\n",
    ),
    "singular key merged into an existing list": (
        "---\nalias: Foo\naliases: [Bar]\n---\nbody\n",
        "---\naliases: [Bar, Foo]\n---\nbody\n",
    ),
    "CRLF stays CRLF": (
        "---\r\ntitle: T\r\nalias: Foo\r\ntags: [x]\r\n---\r\nbody\r\n",
        "---\r\ntitle: T\r\naliases:\r\n  - Foo\r\ntags: [x]\r\n---\r\nbody\r\n",
    ),
    "CRLF block list stays CRLF": (
        "---\r\naliases:\r\n  - a\r\n  - b\r\n  - a\r\nz: 1\r\n---\r\nbody\r\n",
        "---\r\naliases:\r\n  - a\r\n  - b\r\nz: 1\r\n---\r\nbody\r\n",
    ),
    "BOM, no final newline, last key": (
        "\ufeff---\nx: 1\nalias: Foo\n---\nbody",
        "\ufeff---\nx: 1\naliases:\n  - Foo\n---\nbody",
    ),
    "body trailing whitespace untouched": (
        "---\naliases: [a,  b, a]\nx: 'y'   # c\n---\n  trailing   \nbody  \n",
        "---\naliases: [a, b]\nx: 'y'   # c\n---\n  trailing   \nbody  \n",
    ),
    "non-ASCII aliases are written as they were": (
        "---\naliases: [Café, \"日本語\", Café]\n---\nbody\n",
        "---\naliases: [Café, \"日本語\"]\n---\nbody\n",
    ),
}


@pytest.mark.parametrize(("before", "after"), list(ALIAS_FORMAT_CASES.values()),
                         ids=list(ALIAS_FORMAT_CASES))
def test_alias_format_fix_exact_bytes(tmp_path: Path, before: str, after: str) -> None:
    assert fixed_bytes(tmp_path, {"N.md": before}, "N.md") == after.encode("utf-8")


# Comments and blank lines that sit next to the aliases key are not the aliases' to delete.
ALIAS_FORMAT_KEEP_CASES = {
    "comment line after a block list": (
        "---\ntitle: x\naliases:\n  - a\n  - b\n  - a\n# trailing comment\nz: 2\n---\nbody\n",
        "---\ntitle: x\naliases:\n  - a\n  - b\n# trailing comment\nz: 2\n---\nbody\n",
    ),
    "blank line after a block list": (
        "---\naliases:\n  - a\n  - a\n\nz: 2\n---\nbody\n",
        "---\naliases:\n  - a\n\nz: 2\n---\nbody\n",
    ),
    "comment line closing the front-matter": (
        "---\naliases:\n  - a\n  - a\n# end\n---\nbody\n",
        "---\naliases:\n  - a\n# end\n---\nbody\n",
    ),
    "aliases list indented unlike another key's list": (
        "---\nk0:\n- x\naliases:\n  - N\n  - a\n---\nbody\n",
        "---\nk0:\n- x\naliases:\n  - a\n---\nbody\n",
    ),
    "end-of-line comment on a kept item": (
        "---\naliases:\n  - a # first\n  - b\n  - a\n---\nbody\n",
        "---\naliases:\n  - a # first\n  - b\n---\nbody\n",
    ),
}


@pytest.mark.parametrize(("before", "after"), list(ALIAS_FORMAT_KEEP_CASES.values()),
                         ids=list(ALIAS_FORMAT_KEEP_CASES))
def test_alias_format_keeps_neighbouring_comments_and_blank_lines(
        tmp_path: Path, before: str, after: str) -> None:
    assert fixed_bytes(tmp_path, {"N.md": before}, "N.md").decode() == after


def test_alias_format_keeps_comment_on_the_singular_key(tmp_path: Path) -> None:
    out = fixed_bytes(tmp_path, {"N.md": "---\nalias: Foo # old name\nx: 1\n---\nbody\n"},
                      "N.md").decode()
    assert "aliases:" in out and "alias:" not in out
    assert "# old name" in out
    assert out.endswith("x: 1\n---\nbody\n")


def test_alias_format_keeps_comment_on_the_flow_list_line(tmp_path: Path) -> None:
    out = fixed_bytes(tmp_path, {"N.md": "---\naliases: [a, b, a] # note\nx: 1\n---\nbody\n"},
                      "N.md").decode()
    first = out.split("\n")[1]
    assert first.startswith("aliases: [a, b]") and first.endswith("# note")
    assert out.endswith("\nx: 1\n---\nbody\n")


def test_alias_format_leaves_nothing_to_report(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"N.md": "---\nalias: [Foo, N]\naliases: [Foo]\n---\n"})
    out = fix(vault)
    assert not [f for f in out.check.findings if f.rule == "alias-format"]
    assert not lint(vault, select=("alias-format",))


# ----------------------------------------------------------------------------- alias-link

B_NOTE = "---\naliases: [Bee, Other]\n---\n# B\n\n## Heading\n"

ALIAS_LINK_CASES = {
    "plain": ("See [[Bee]].\n", "See [[B|Bee]].\n"),
    "heading": ("See [[Bee#Heading]].\n", "See [[B#Heading|Bee]].\n"),
    "display text kept": ("See [[Bee|shown]].\n", "See [[B|shown]].\n"),
    "heading and display": ("See [[Bee#Heading|x]].\n", "See [[B#Heading|x]].\n"),
    "embed": ("See ![[Bee]].\n", "See ![[B|Bee]].\n"),
    "case as typed is shown": ("See [[bee]].\n", "See [[B|bee]].\n"),
    "several on a CRLF line": ("[[Bee]] and [[Other]] and [[B]]\r\nend\r\n",
                               "[[B|Bee]] and [[B|Other]] and [[B]]\r\nend\r\n"),
    "table cell": ("| a | b |\n|---|---|\n| [[Bee]] | x |\n",
                   "| a | b |\n|---|---|\n| [[B\\|Bee]] | x |\n"),
    "table, second cell, heading": ("| a | b |\n|---|---|\n| x | [[Bee#Heading]] |\n",
                                    "| a | b |\n|---|---|\n| x | [[B#Heading\\|Bee]] |\n"),
    "table, escaped display pipe": ("| a | b |\n|---|---|\n| [[Bee\\|shown]] | x |\n",
                                    "| a | b |\n|---|---|\n| [[B\\|shown]] | x |\n"),
    "front-matter link": ('---\nrelated: ["[[Bee]]"]\n---\nx\n',
                          '---\nrelated: ["[[B|Bee]]"]\n---\nx\n'),
}


@pytest.mark.parametrize(("before", "after"), list(ALIAS_LINK_CASES.values()),
                         ids=list(ALIAS_LINK_CASES))
def test_alias_link_fix_exact_bytes(tmp_path: Path, before: str, after: str) -> None:
    files = {"A.md": before, "B.md": B_NOTE}
    assert fixed_bytes(tmp_path, files, "A.md") == after.encode()
    assert (tmp_path / "v" / "B.md").read_text() == B_NOTE


@pytest.mark.parametrize(("before", "after"), [
    ("a | b\n---|---\n[[Bee]] | x\n", "a | b\n---|---\n[[B\\|Bee]] | x\n"),
    ("> | a | b |\n> |---|---|\n> | [[Bee]] | x |\n",
     "> | a | b |\n> |---|---|\n> | [[B\\|Bee]] | x |\n"),
], ids=["table without leading pipes", "table in a blockquote"])
def test_alias_link_escapes_pipe_in_every_table(tmp_path: Path, before: str,
                                                after: str) -> None:
    assert fixed_bytes(tmp_path, {"A.md": before, "B.md": B_NOTE}, "A.md").decode() == after


@pytest.mark.parametrize("line", ["Choose A | B: see [[Bee]].\n", "`a|b` then [[Bee]]\n"],
                         ids=["pipe in prose", "pipe in inline code"])
def test_alias_link_plain_pipe_outside_tables(tmp_path: Path, line: str) -> None:
    """A paragraph is not a table just because it holds a `|` (no delimiter row)."""
    out = fixed_bytes(tmp_path, {"A.md": line, "B.md": B_NOTE}, "A.md").decode()
    assert out == line.replace("[[Bee]]", "[[B|Bee]]")


def test_alias_link_bare_name_when_unique_even_in_a_folder(tmp_path: Path) -> None:
    files = {"A.md": "See [[Bee]].\n", "deep/dir/B.md": B_NOTE}
    assert fixed_bytes(tmp_path, files, "A.md") == b"See [[B|Bee]].\n"


def test_alias_link_path_when_another_note_shares_the_name(tmp_path: Path) -> None:
    files = {"A.md": "See [[Bee]].\n", "dir/B.md": B_NOTE, "other/B.md": "# another B\n"}
    assert fixed_bytes(tmp_path, files, "A.md") == b"See [[dir/B|Bee]].\n"


def test_alias_link_absolute_link_format(tmp_path: Path) -> None:
    files = {"A.md": "See [[Bee#Heading]].\n", "dir/B.md": B_NOTE,
             ".obsidian/app.json": '{"newLinkFormat": "absolute"}'}
    assert fixed_bytes(tmp_path, files, "A.md") == b"See [[dir/B#Heading|Bee]].\n"


def test_alias_link_fixed_links_resolve(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "[[Bee]] ![[Other]]\n", "dir/B.md": B_NOTE,
                                        "x/B.md": "# B\n"})
    out = fix(vault)
    assert out.fixed == 2
    assert not [f for f in lint(vault) if f.rule in ("alias-link", "broken-link")]


# ----------------------------------------------------------------------- missing-backlink

def test_backlinks_block_filled_sorted_and_stale_removed(tmp_path: Path) -> None:
    b = f"# B\n\nintro  \n{START}\n- [[Gone]]\n{END}\n\ntail"
    files = {"zeta.md": "[[B]]\n", "Alpha.md": "see ![[B]]\n",
             "m.md": '---\nrelated: ["[[B]]"]\n---\nx\n', "B.md": b}
    out = fixed_bytes(tmp_path, files, "B.md")
    assert out == (f"# B\n\nintro  \n{START}\n- [[Alpha]]\n- [[m]]\n- [[zeta]]\n{END}\n\ntail"
                   ).encode()


def test_backlinks_finding_is_at_the_start_marker(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "A.md": "[[B]]\n", "B.md": f"# B\n\ntext\n{START}\n- [[Gone]]\n{END}\n"})
    findings = [f for f in lint(vault) if f.rule == "missing-backlink"]
    assert [(f.path, f.line) for f in findings] == [("B.md", 4)]
    assert findings[0].fixable


def test_backlinks_block_crlf(tmp_path: Path) -> None:
    files = {"A.md": "[[B]]\r\n", "B.md": f"# B\r\n{START}\r\n{END}\r\n"}
    expected = f"# B\r\n{START}\r\n- [[A]]\r\n{END}\r\n".encode()
    assert fixed_bytes(tmp_path, files, "B.md") == expected


def test_backlinks_entry_uses_path_when_name_is_shared(tmp_path: Path) -> None:
    files = {"x/A.md": "[[B]]\n", "y/A.md": "# other A\n", "B.md": f"{START}\n{END}\n"}
    assert fixed_bytes(tmp_path, files, "B.md") == f"{START}\n- [[x/A]]\n{END}\n".encode()


def test_backlinks_opted_in_note_gets_a_block(tmp_path: Path) -> None:
    config = '[backlinks]\nnotes = ["Concepts/**"]\n'
    vault = make_vault(tmp_path / "v", {
        "A.md": "[[Concept]] [[Other]]\n", "Concepts/Concept.md": "# Concept\n\ntext\n",
        "Concepts/Lonely.md": "# Lonely\n", "Other.md": "# Other\n"}, config=config)
    out = fix(vault)
    assert set(out.changed) == {"Concepts/Concept.md"}
    assert (vault / "Concepts/Concept.md").read_text() == (
        f"# Concept\n\ntext\n\n## Backlinks\n{START}\n- [[A]]\n{END}\n")
    assert (vault / "Concepts/Lonely.md").read_text() == "# Lonely\n"
    assert (vault / "Other.md").read_text() == "# Other\n"
    assert fix(vault).changed == {}


def test_backlinks_opted_in_note_without_final_newline(tmp_path: Path) -> None:
    config = '[backlinks]\nnotes = ["Concepts/**"]\n'
    out = fixed_bytes(tmp_path, {"A.md": "[[Concept]]\n", "Concepts/Concept.md": "text"},
                      "Concepts/Concept.md", config=config)
    assert not out.endswith(b"\n")
    assert out.startswith(b"text\n")
    assert out.endswith(f"## Backlinks\n{START}\n- [[A]]\n{END}".encode())


SYMMETRIC = '[backlinks]\nsymmetric = ["related"]\n'


def test_symmetric_creates_front_matter(tmp_path: Path) -> None:
    files = {"A.md": '---\nrelated: ["[[B]]"]\n---\nx\n', "B.md": "# B\n"}
    vault = make_vault(tmp_path / "v", files, config=SYMMETRIC)
    findings = [f for f in lint(vault) if f.rule == "missing-backlink"]
    assert [f.path for f in findings] == ["B.md"]
    out = fix(vault)
    assert set(out.changed) == {"B.md"}
    assert (vault / "B.md").read_text() == '---\nrelated:\n  - "[[A]]"\n---\n# B\n'
    assert (vault / "A.md").read_text() == files["A.md"]
    assert fix(vault).changed == {}


def test_symmetric_appends_missing_key(tmp_path: Path) -> None:
    files = {"A.md": '---\nrelated: ["[[B]]"]\n---\nx\n',
             "B.md": "---\ntitle: B # t\n---\n# B\n"}
    assert fixed_bytes(tmp_path, files, "B.md", config=SYMMETRIC) == (
        b'---\ntitle: B # t\nrelated:\n  - "[[A]]"\n---\n# B\n')


def test_symmetric_adds_to_existing_list(tmp_path: Path) -> None:
    files = {"A.md": '---\nrelated: ["[[B]]"]\n---\nx\n',
             "B.md": '---\nrelated: ["[[C]]"] # mine\n---\n# B\n',
             "C.md": '---\nrelated: ["[[B]]"]\n---\n'}
    vault = make_vault(tmp_path / "v", files, config=SYMMETRIC)
    fix(vault)
    text = (vault / "B.md").read_text()
    assert text.startswith('---\nrelated: ["[[C]]", "[[A]]"]')
    assert "# mine" in text
    assert text.endswith("\n---\n# B\n")
    assert fix(vault).changed == {}


def test_fixpoint_alias_link_then_backlink(tmp_path: Path) -> None:
    files = {"A.md": "See [[Alias of B]].\n",
             "B.md": f"---\naliases: [Alias of B]\n---\n# B\n\n{START}\n{END}\n"}
    vault = make_vault(tmp_path / "v", files)
    out = fix(vault)
    assert (vault / "A.md").read_text() == "See [[B|Alias of B]].\n"
    assert (vault / "B.md").read_text() == (
        f"---\naliases: [Alias of B]\n---\n# B\n\n{START}\n- [[A]]\n{END}\n")
    assert out.check.findings == []
    before = snapshot(vault)
    assert fix(vault).changed == {}
    assert snapshot(vault) == before


def test_fixpoint_through_the_cli(tmp_path: Path) -> None:
    files = {"A.md": "See [[Alias of B]].\n",
             "B.md": f"---\naliases: [Alias of B]\n---\n# B\n\n{START}\n{END}\n"}
    vault = make_vault(tmp_path / "v", files)
    first = run_cli("check", vault, "--fix", "--no-cache")
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"{START}\n- [[A]]\n{END}" in (vault / "B.md").read_text()
    assert (vault / "A.md").read_text() == "See [[B|Alias of B]].\n"
    assert "fixed 2" in first.stdout  # the link, and the backlink it exposed
    before = snapshot(vault)
    second = run_cli("check", vault, "--fix", "--no-cache", "--exit-non-zero-on-fix")
    assert second.returncode == 0, second.stdout + second.stderr
    assert snapshot(vault) == before


# ------------------------------------------------------------------------ duplicate-block

def test_duplicate_block_seed_003_keeps_the_complete_later_thread(tmp_path: Path) -> None:
    original = seed("003_*.txt")
    lines = original.split(b"\n")
    expected = b"\n".join(lines[0:1] + lines[48:])
    vault = make_vault(tmp_path / "v", {"note.md": original})
    out = fix(vault, select=("duplicate-block",))
    assert (vault / "note.md").read_bytes() == expected
    assert not original.endswith(b"\n") and not expected.endswith(b"\n")
    kept = expected.split(b"\n")
    assert len(kept) == len(set(kept))  # every distinct line exactly once
    assert set(kept) == set(lines)
    assert out.fixed == 1
    assert fix(vault, select=("duplicate-block",)).changed == {}


def test_duplicate_block_seed_002_untouched(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"note.md": seed("002_*.txt")})
    before = snapshot(vault)
    out = fix(vault, select=("duplicate-block",))
    assert out.changed == {}
    assert snapshot(vault) == before


LONG = [f"Line {i} of the pasted block, which is long enough to count toward the limit."
        for i in range(4)]
BLOCK = "\n".join(LONG) + "\n"


def test_duplicate_block_identical_copies_later_goes(tmp_path: Path) -> None:
    text = "intro\n\n" + BLOCK + "\nmiddle\n\n" + BLOCK + "\nend\n"
    out = fixed_bytes(tmp_path, {"N.md": text}, "N.md").decode()
    assert out == "intro\n\n" + BLOCK + "\nmiddle\n\nend\n"


def test_duplicate_block_at_most_one_blank_line_goes(tmp_path: Path) -> None:
    text = "intro\n\n" + BLOCK + "\n\nmiddle\n\n\n" + BLOCK + "\n\n\nend\n"
    out = fixed_bytes(tmp_path, {"N.md": text}, "N.md").decode()
    head = "intro\n\n" + BLOCK + "\n\nmiddle\n"
    assert out in (head + "\n" * 4 + "end\n", head + "\n" * 5 + "end\n")


def test_duplicate_block_later_copy_at_end_without_final_newline(tmp_path: Path) -> None:
    text = "intro\n\n" + BLOCK + "\nmiddle\n\n" + BLOCK.rstrip("\n")
    out = fixed_bytes(tmp_path, {"N.md": text}, "N.md").decode()
    assert out == "intro\n\n" + BLOCK + "\nmiddle"


def test_duplicate_block_later_copy_with_reply_keeps_it(tmp_path: Path) -> None:
    later = f"{LONG[0]}\n{LONG[1]}\n> reply: but what about RL?\n{LONG[2]}\n{LONG[3]}\n"
    text = "intro\n" + BLOCK + "\nmiddle\n" + later + "end\n"
    out = fixed_bytes(tmp_path, {"N.md": text}, "N.md").decode()
    assert out == "intro\nmiddle\n" + later + "end\n"


def test_duplicate_block_crlf(tmp_path: Path) -> None:
    block = BLOCK.replace("\n", "\r\n")
    text = "intro\r\n\r\n" + block + "\r\nmiddle\r\n\r\n" + block + "\r\nend\r\n"
    out = fixed_bytes(tmp_path, {"N.md": text}, "N.md")
    assert out == ("intro\r\n\r\n" + block + "\r\nmiddle\r\n\r\nend\r\n").encode()


# ---------------------------------------------------------------------------- tag-format

def test_tag_format_strips_leading_hash(tmp_path: Path) -> None:
    assert fixed_bytes(tmp_path, {"N.md": '---\ntags: ["#a", b]\n---\nx\n'}, "N.md") == (
        b'---\ntags: ["a", b]\n---\nx\n')


def test_tag_format_block_list_and_single_quotes(tmp_path: Path) -> None:
    before = "---\ntitle: t # c\ntags:\n  - '#x'\n  - y\n---\nx\n"
    assert fixed_bytes(tmp_path, {"N.md": before}, "N.md").decode() == (
        "---\ntitle: t # c\ntags:\n  - 'x'\n  - y\n---\nx\n")


def test_tag_format_keeps_the_tags_list_indent(tmp_path: Path) -> None:
    before = "---\nk0:\n- x\ntags:\n  - '#a'\n  - b\n---\nx\n"
    assert fixed_bytes(tmp_path, {"N.md": before}, "N.md").decode() == (
        "---\nk0:\n- x\ntags:\n  - 'a'\n  - b\n---\nx\n")


def test_tag_format_reports_the_rest_without_changing_it(tmp_path: Path) -> None:
    before = '---\ntags: ["machine learning", "ai&ml", 2025]\n---\nx\n'
    vault = make_vault(tmp_path / "v", {"N.md": before})
    out = fix(vault)
    assert out.changed == {}
    assert (vault / "N.md").read_text() == before
    assert len([f for f in out.check.findings if f.rule == "tag-format"]) == 3


def test_tag_format_strips_hash_and_reports_the_space(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"N.md": '---\ntags: ["#a b"]\n---\nx\n'})
    out = fix(vault)
    assert (vault / "N.md").read_text() == '---\ntags: ["a b"]\n---\nx\n'
    assert [f.rule for f in out.check.findings] == ["tag-format"]


# ------------------------------------------------------------------------------ mojibake

def test_mojibake_needs_unsafe_fixes(tmp_path: Path) -> None:
    original = seed("000_*.txt")
    vault = make_vault(tmp_path / "v", {"note.md": original})
    out = fix(vault)
    assert out.changed == {}
    assert (vault / "note.md").read_bytes() == original
    assert [f.line for f in out.check.findings if f.rule == "mojibake"] == [36]


def test_mojibake_unsafe_fix_changes_only_line_36(tmp_path: Path) -> None:
    original = seed("000_*.txt")
    vault = make_vault(tmp_path / "v", {"note.md": original})
    out = fix(vault, unsafe=True)
    new = (vault / "note.md").read_bytes()
    old_lines, new_lines = original.split(b"\n"), new.split(b"\n")
    assert len(old_lines) == len(new_lines)
    changed = [i + 1 for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert changed == [36]
    assert "â€”".encode() in old_lines[35]
    assert new_lines[35] == old_lines[35].replace("â€”".encode(), "—".encode())
    assert not [f for f in out.check.findings if f.rule == "mojibake"]


# -------------------------------------------------------------------------------- safety

def test_bytes_outside_edits_are_verbatim(tmp_path: Path) -> None:
    a = ("\ufeff---\r\ntitle: x   \r\nalias: Foo\r\n---\r\n\tindented\t \r\n"
         "trailing spaces   \r\nsee [[Bee]]  \r\nno final newline")
    vault = make_vault(tmp_path / "v", {"A.md": a, "B.md": B_NOTE})
    fix(vault)
    assert (vault / "A.md").read_bytes() == (
        "\ufeff---\r\ntitle: x   \r\naliases:\r\n  - Foo\r\n---\r\n\tindented\t \r\n"
        "trailing spaces   \r\nsee [[B|Bee]]  \r\nno final newline").encode()


def test_file_mode_is_kept(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"N.md": "---\nalias: Foo\n---\n"})
    os.chmod(vault / "N.md", 0o640)
    out = fix(vault)
    assert out.changed and not out.skipped
    assert (vault / "N.md").read_text() == "---\naliases:\n  - Foo\n---\n"
    assert stat.S_IMODE((vault / "N.md").stat().st_mode) == 0o640


def test_no_temp_files_left_behind(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"N.md": "---\nalias: Foo\n---\n", "d/M.md": "[[Foo]]\n"})
    fix(vault)
    names = sorted(p.relative_to(vault).as_posix() for p in vault.rglob("*") if p.is_file())
    assert [n for n in names if not n.startswith(".notewarden-cache")] == ["N.md", "d/M.md"]


def test_files_with_nothing_to_fix_are_not_rewritten(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"N.md": "---\nalias: Foo\n---\n", "clean.md": "# ok\n",
                                        "other.md": "[[N]] text\n"})
    before = snapshot(vault)
    fix(vault)
    after = snapshot(vault)
    assert after["clean.md"] == before["clean.md"]
    assert after["other.md"] == before["other.md"]
    assert after["N.md"][0] != before["N.md"][0]


def test_symlink_leaving_the_vault_is_not_written(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("---\nalias: Foo\n---\nx\n")
    vault = make_vault(tmp_path / "v", {"ok.md": "---\nalias: Bar\n---\n"})
    os.symlink(outside, vault / "link.md")
    result = run_cli("check", vault, "--fix", "--no-cache")
    assert "Traceback" not in result.stderr
    assert outside.read_text() == "---\nalias: Foo\n---\nx\n"
    assert (vault / "link.md").is_symlink()
    assert "link.md" in result.stderr and "warning" in result.stderr
    assert (vault / "ok.md").read_text() == "---\naliases:\n  - Bar\n---\n"


def test_skipped_write_is_still_reported_as_left(tmp_path: Path) -> None:
    """The alias problem in the symlinked note was not fixed: the report must say so."""
    outside = tmp_path / "outside.md"
    outside.write_text("---\nalias: Foo\n---\nx\n")
    vault = make_vault(tmp_path / "v", {"ok.md": "# ok\n"})
    os.symlink(outside, vault / "link.md")
    out = fix(vault)
    assert out.skipped
    assert [(f.path, f.rule) for f in out.check.findings] == [("link.md", "alias-format")]
    assert out.fixed == 0
    result = run_cli("check", vault, "--fix", "--no-cache")
    assert result.returncode == 1, result.stdout
    assert "link.md" in result.stdout


def test_symlink_inside_the_vault_is_written_through(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"real/N.md": "---\nalias: Foo\n---\n"})
    os.symlink(vault / "real" / "N.md", vault / "link.md")
    fix(vault)
    assert (vault / "link.md").is_symlink()
    assert (vault / "real/N.md").read_text() == "---\naliases:\n  - Foo\n---\n"


def test_write_atomic_skips_a_file_changed_since_read(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"N.md": "original\n"})
    p = vault / "N.md"
    data, snap = read_with_snapshot(p)
    assert data == b"original\n"
    p.write_bytes(b"edited by Obsidian, longer\n")
    with pytest.raises(WriteSkipped):
        write_atomic(p, b"new", snap, vault)
    assert p.read_bytes() == b"edited by Obsidian, longer\n"
    assert [q.name for q in vault.iterdir() if q.is_file()] == ["N.md"]


def test_write_atomic_skips_same_size_change_with_new_mtime(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"N.md": "original\n"})
    p = vault / "N.md"
    _data, snap = read_with_snapshot(p)
    p.write_bytes(b"ORIGINAL\n")
    info = p.stat()
    os.utime(p, ns=(info.st_atime_ns, snap.mtime_ns + 1_000_000_000))
    with pytest.raises(WriteSkipped):
        write_atomic(p, b"new", snap, vault)
    assert p.read_bytes() == b"ORIGINAL\n"


def test_write_atomic_skips_same_size_change_with_same_mtime(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"N.md": "original\n"})
    p = vault / "N.md"
    _data, snap = read_with_snapshot(p)
    p.write_bytes(b"ORIGINAL\n")
    info = p.stat()
    os.utime(p, ns=(info.st_atime_ns, snap.mtime_ns))  # an mtime check alone would miss it
    with pytest.raises(WriteSkipped):
        write_atomic(p, b"new", snap, vault)
    assert p.read_bytes() == b"ORIGINAL\n"


def test_write_atomic_skips_a_touched_file(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"N.md": "original\n"})
    p = vault / "N.md"
    _data, snap = read_with_snapshot(p)
    info = p.stat()
    os.utime(p, ns=(info.st_atime_ns, snap.mtime_ns + 5_000_000_000))
    with pytest.raises(WriteSkipped):
        write_atomic(p, b"new", snap, vault)
    assert p.read_bytes() == b"original\n"


def test_write_atomic_writes_and_keeps_mode(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"N.md": "original\n"})
    p = vault / "N.md"
    os.chmod(p, 0o640)
    _data, snap = read_with_snapshot(p)
    write_atomic(p, b"new", snap, vault)
    assert p.read_bytes() == b"new"
    assert stat.S_IMODE(p.stat().st_mode) == 0o640
    assert [q.name for q in vault.iterdir() if q.is_file()] == ["N.md"]


def test_write_atomic_refuses_symlink_out_of_vault(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_bytes(b"outside\n")
    vault = make_vault(tmp_path / "v", {})
    link = vault / "link.md"
    os.symlink(outside, link)
    _data, snap = read_with_snapshot(link)
    with pytest.raises(WriteSkipped):
        write_atomic(link, b"new", snap, vault)
    assert outside.read_bytes() == b"outside\n"
    assert link.is_symlink()


def test_concurrent_edit_during_fix_is_not_clobbered(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """run_fix reads, then something saves the note before the write: the save wins."""
    import notewarden.fixer as fixer

    vault = make_vault(tmp_path / "v", {"N.md": "---\nalias: Foo\n---\n"})
    real = fixer.write_atomic

    def saving_first(path: Path, data: bytes, expected: object, root: Path) -> None:
        path.write_bytes(b"---\nalias: Saved by editor\n---\n")
        real(path, data, expected, root)  # type: ignore[arg-type]

    monkeypatch.setattr(fixer, "write_atomic", saving_first)
    out = fix(vault)
    assert out.skipped
    assert (vault / "N.md").read_bytes() == b"---\nalias: Saved by editor\n---\n"


# ----------------------------------------------------------------------------------- CLI

MIXED = {"A.md": "---\nalias: Foo\n---\nSee [[Bee]].\n", "B.md": B_NOTE,
         "clean.md": "# clean\n"}


def test_diff_prints_a_diff_and_writes_nothing(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", MIXED)
    before = snapshot(vault)
    result = run_cli("check", vault, "--diff")
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("--- a/A.md\n+++ b/A.md\n")
    assert "-alias: Foo\n" in result.stdout
    assert "+aliases:\n+  - Foo\n" in result.stdout
    assert "-See [[Bee]].\n+See [[B|Bee]].\n" in result.stdout
    assert "B.md" not in result.stdout and "clean.md" not in result.stdout
    assert snapshot(vault) == before


def test_diff_without_changes_exits_zero(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "[[B]]\n", "B.md": "# B\n"})
    before = snapshot(vault)
    result = run_cli("check", vault, "--diff", "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "--- a/" not in result.stdout
    assert snapshot(vault) == before


def test_diff_and_unsafe_fixes(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"note.md": seed("000_*.txt")})
    before = snapshot(vault)
    safe = run_cli("check", vault, "--diff", "--no-cache")
    assert safe.returncode == 0 and "--- a/" not in safe.stdout
    unsafe = run_cli("check", vault, "--diff", "--unsafe-fixes", "--no-cache")
    assert unsafe.returncode == 1
    assert unsafe.stdout.startswith("--- a/note.md\n+++ b/note.md\n")
    removed = [line for line in unsafe.stdout.splitlines()
               if line.startswith("-") and not line.startswith("---")]
    added = [line for line in unsafe.stdout.splitlines()
             if line.startswith("+") and not line.startswith("+++")]
    assert len(removed) == len(added) == 1
    assert "â€”" in removed[0]
    assert added[0][1:] == removed[0][1:].replace("â€”", "—")
    assert snapshot(vault) == before


def test_diff_of_a_crlf_note_without_final_newline(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"N.md": "---\r\nalias: Foo\r\n---\r\nbody",
                                        "M.md": "x\n" + "[[Foo]] last"})
    result = run_cli("check", vault, "--diff", "--no-cache")
    assert result.returncode == 1
    assert "-[[Foo]] last\n\\ No newline at end of file\n+[[N|Foo]] last\n" in result.stdout
    assert (vault / "N.md").read_bytes() == b"---\r\nalias: Foo\r\n---\r\nbody"


def test_unified_diff_function() -> None:
    diff = unified_diff({"x/N.md": (b"a\nb\n", b"a\nc\n")})
    assert diff == "--- a/x/N.md\n+++ b/x/N.md\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
    assert unified_diff({}) == ""


def test_fix_reports_number_fixed_and_exits_zero(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", MIXED)
    result = run_cli("check", vault, "--fix", "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "fixed 2" in result.stdout
    assert (vault / "A.md").read_text() == "---\naliases:\n  - Foo\n---\nSee [[B|Bee]].\n"


def test_fix_lists_what_is_left(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {**MIXED, "C.md": "[[Nowhere]]\n"})
    result = run_cli("check", vault, "--fix", "--no-cache")
    assert result.returncode == 1
    assert "C.md:1:1: broken-link" in result.stdout
    assert "A.md" not in result.stdout
    assert "fixed 2" in result.stdout


def test_fix_json_summary_counts_fixed(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {**MIXED, "C.md": "[[Nowhere]]\n"})
    result = run_cli("check", vault, "--fix", "--no-cache", "--format", "json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["summary"]["fixed"] == 2
    assert [(f["path"], f["rule"]) for f in data["findings"]] == [("C.md", "broken-link")]


def test_exit_non_zero_on_fix(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", MIXED)
    result = run_cli("check", vault, "--fix", "--exit-non-zero-on-fix", "--no-cache")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "fixed 2" in result.stdout
    assert (vault / "A.md").read_text() == "---\naliases:\n  - Foo\n---\nSee [[B|Bee]].\n"
    again = run_cli("check", vault, "--fix", "--exit-non-zero-on-fix", "--no-cache")
    assert again.returncode == 0, again.stdout + again.stderr


def test_second_fix_changes_nothing(tmp_path: Path) -> None:
    files = {**MIXED, "T.md": '---\ntags: ["#a"]\naliases: [x, x]\n---\n',
             "D.md": "x\n\n" + BLOCK + "\ny\n\n" + BLOCK}
    vault = make_vault(tmp_path / "v", files)
    first = run_cli("check", vault, "--fix")
    assert first.returncode == 0, first.stdout + first.stderr
    before = snapshot(vault)
    second = run_cli("check", vault, "--fix", "--exit-non-zero-on-fix")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "fixed" not in second.stdout
    assert snapshot(vault) == before


def test_fix_without_unsafe_leaves_mojibake_reported(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"note.md": seed("000_*.txt")})
    result = run_cli("check", vault, "--fix", "--no-cache", "--select", "mojibake")
    assert result.returncode == 1
    assert "note.md:36:" in result.stdout and "mojibake" in result.stdout
    result = run_cli("check", vault, "--fix", "--unsafe-fixes", "--no-cache",
                     "--select", "mojibake")
    assert result.returncode == 0, result.stdout
    assert "fixed 1" in result.stdout


def test_rules_shows_fix_safety() -> None:
    result = run_cli("rules")
    assert result.returncode == 0
    rows = {line.split()[0]: line.split()[2] for line in result.stdout.splitlines()[1:]}
    assert rows["mojibake"] == "unsafe"
    for name in ("alias-format", "alias-link", "tag-format", "duplicate-block",
                 "missing-backlink"):
        assert rows[name] == "safe", name
    assert rows["broken-link"] == "none"
    one = run_cli("rules", "mojibake")
    assert "fix: unsafe" in one.stdout.splitlines()[0]
