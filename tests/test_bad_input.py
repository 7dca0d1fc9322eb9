"""Bad input: every broken, hostile or odd file gives a finding (or nothing, when it is
harmless), never a traceback, and every OTHER note in the vault is still checked.

Each bad file sits next to a canary note holding a broken link `[[Nowhere]]`; the canary's
broken-link finding proves the rest of the vault was checked. Real files in temporary
vaults, no mocks; the combined tests run the installed console script as a user would.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from notewarden.reading import MAX_NOTE_BYTES
from tests.helpers import SEEDS, console_script, lint, make_vault, rules_at, run_cli

CANARY_TEXT = "A note that must still be checked: [[Nowhere]]\n"
CANARY_COLUMN = CANARY_TEXT.index("[[") + 1  # 36


def canary(folder: str = "") -> dict[str, str | bytes]:
    return {f"{folder}Canary.md": CANARY_TEXT}


def assert_still_checked(findings: list[Any], path: str = "Canary.md") -> None:
    """The canary's broken link is reported exactly once, where it is."""
    assert rules_at(findings, "broken-link").count((path, 1, CANARY_COLUMN)) == 1, findings


def assert_no_internal_error(findings: list[Any]) -> None:
    assert not [f for f in findings if "internal error" in f.message], findings


def of(findings: list[Any], path: str) -> list[tuple[str, int, int]]:
    """(rule, line, column) of every finding about `path`."""
    return [(f.rule, f.line, f.column) for f in findings if f.path == path]


def message_of(findings: list[Any], path: str, rule: str) -> str:
    (message,) = [f.message for f in findings if f.path == path and f.rule == rule]
    return message


def symlink(target: str, link: Path) -> None:
    try:
        os.symlink(target, link)
    except (OSError, NotImplementedError) as exc:  # Windows without the privilege
        pytest.skip(f"cannot create symlinks here: {exc}")


def seed(number: str) -> bytes:
    return next(SEEDS.glob(f"{number}_*.txt")).read_bytes()


# --- encoding ---------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "line", "column"), [
    (b"# caf\xe9\n", 1, 6),  # Windows-1252 / Latin-1 `é`
    (b"first line\nsecond caf\xe9 line\n", 2, 11),
    (b"ok\r\nline \x80 two\r\n", 2, 6),  # a lone continuation byte, CRLF note
    (b"# \xc3\n", 1, 3),  # truncated multi-byte sequence at the end of a line
])
def test_invalid_utf8_is_an_encoding_error_at_the_bad_byte(tmp_path: Path, raw: bytes,
                                                           line: int, column: int) -> None:
    vault = make_vault(tmp_path / "v", {**canary(), "Latin.md": raw})
    found = lint(vault)
    assert of(found, "Latin.md") == [("encoding", line, column)]
    (finding,) = [f for f in found if f.path == "Latin.md"]
    assert finding.severity == "error"
    assert "UTF-8" in finding.message
    assert f"line {line}" in finding.message
    assert_still_checked(found)


def test_encoding_column_counts_characters_not_bytes(tmp_path: Path) -> None:
    # Finding.column is in characters everywhere else. `café ` is 5 characters (6 bytes):
    # the bad byte after it is the 6th character of the line, as an editor shows it.
    vault = make_vault(tmp_path / "v", {**canary(), "Mixed.md": "café ".encode() + b"\xff\n"})
    found = lint(vault)
    assert of(found, "Mixed.md") == [("encoding", 1, 6)]
    assert_still_checked(found)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le-bom", "utf-16-be-bom"])
def test_utf16_with_bom_is_an_encoding_error_that_says_utf16(tmp_path: Path,
                                                              codec: str) -> None:
    text = "# Notes\n\nSee [[Elsewhere]].\n"
    raw = {
        "utf-16": text.encode("utf-16"),  # native order, with BOM
        "utf-16-le-bom": b"\xff\xfe" + text.encode("utf-16-le"),
        "utf-16-be-bom": b"\xfe\xff" + text.encode("utf-16-be"),
    }[codec]
    vault = make_vault(tmp_path / "v", {**canary(), "Wide.md": raw})
    found = lint(vault)
    assert [rule for rule, _line, _col in of(found, "Wide.md")] == ["encoding"]
    assert "UTF-16" in message_of(found, "Wide.md", "encoding")
    assert_still_checked(found)


@pytest.mark.parametrize("raw", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00",
    b"plain text\x00with a NUL byte\n",
    bytes(range(256)) * 4,
], ids=["png", "nul", "all-bytes"])
def test_a_binary_file_named_md_is_an_encoding_error(tmp_path: Path, raw: bytes) -> None:
    vault = make_vault(tmp_path / "v", {**canary(), "image.md": raw})
    found = lint(vault)
    assert of(found, "image.md") == [("encoding", 1, 1)]
    assert "binary" in message_of(found, "image.md", "encoding")
    assert_still_checked(found)


def test_valid_utf8_is_not_an_encoding_error(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        **canary(), "Fine.md": "# Café — naïve “quotes” 日本語 🚀\n",
        "Bom.md": "\ufeff# Café with a BOM\n"})
    found = lint(vault)
    assert of(found, "Fine.md") == [] and of(found, "Bom.md") == []
    assert_still_checked(found)


# --- empty files, front-matter fences -------------------------------------------------


@pytest.mark.parametrize("raw", [b"", b"\n", b"   \n\n", b"\xef\xbb\xbf"],
                         ids=["empty", "newline", "blank", "bom-only"])
def test_an_empty_note_gives_no_finding(tmp_path: Path, raw: bytes) -> None:
    vault = make_vault(tmp_path / "v", {**canary(), "Empty.md": raw})
    found = lint(vault)
    assert of(found, "Empty.md") == []
    assert_still_checked(found)


@pytest.mark.parametrize("text", [
    "---\ntitle: never closed\n\n# Body\n",
    "---\r\ntitle: never closed\r\n",
    "\ufeff---\ntitle: never closed\n",
    "---\n",
])
def test_unclosed_front_matter_is_a_yaml_syntax_finding(tmp_path: Path, text: str) -> None:
    vault = make_vault(tmp_path / "v", {**canary(), "Open.md": text})
    found = lint(vault)
    assert of(found, "Open.md") == [("yaml-syntax", 1, 1)]
    assert "never closed" in message_of(found, "Open.md", "yaml-syntax")
    assert_still_checked(found)


def test_unclosed_front_matter_note_is_still_checked_as_text(tmp_path: Path) -> None:
    # Obsidian shows it all as body, so its links are real links.
    vault = make_vault(tmp_path / "v", {**canary(), "Open.md": "---\ntitle: x\nsee [[Nowhere]]\n"})
    found = lint(vault)
    assert ("Open.md", 3, 5) in rules_at(found, "broken-link")
    assert ("Open.md", 1, 1) in rules_at(found, "yaml-syntax")


@pytest.mark.parametrize("text", [
    "---\ntitle: Real front-matter\n---\n# Title\n\nabove\n\n---\n\nbelow\n",
    "---\ntitle: Real\n---\nabove\n\n---\nnot: [front-matter\n---\n",
    "# No front-matter\n\nabove\n\n---\n\nbelow\n\n---\n",
    "Setext heading\n---\n\ntext\n",
    "\n---\nnot: [yaml\n---\n",  # the fence is not on the first line
    " ---\nnot: [yaml\n---\n",  # nor is an indented fence
])
def test_a_horizontal_rule_in_the_body_is_not_front_matter(tmp_path: Path, text: str) -> None:
    vault = make_vault(tmp_path / "v", {**canary(), "Rule.md": text})
    found = lint(vault)
    assert of(found, "Rule.md") == []
    assert_still_checked(found)


def test_seed_004_with_rules_in_its_body_gives_no_findings(tmp_path: Path) -> None:
    raw = seed("004")
    assert b"\n---\n" in raw and not raw.startswith(b"---")  # the premise of this test
    vault = make_vault(tmp_path / "v", {"Transcripts/The next step towards AGI.md": raw})
    assert lint(vault) == []
    vault = make_vault(tmp_path / "v2", {**canary("Transcripts/"),
                                         "Transcripts/The next step towards AGI.md": raw})
    found = lint(vault)
    assert [f.path for f in found] == ["Transcripts/Canary.md"]
    assert_still_checked(found, "Transcripts/Canary.md")


# --- CRLF and BOM -------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("bom", ["", "\ufeff"], ids=["nobom", "bom"])
def test_crlf_and_bom_notes_still_parse_front_matter(tmp_path: Path, newline: str,
                                                     bom: str) -> None:
    text = bom + newline.join([
        "---",             # 1
        "aliases: X",      # 2: a bare string, not a list
        "tags: [a, b]",    # 3
        "---",             # 4
        "# Title",         # 5
        "",                # 6
        "See [[Nowhere]] here.",  # 7
        "",
    ])
    vault = make_vault(tmp_path / "v", {**canary(), "Note.md": text})
    found = lint(vault)
    assert rules_at(found, "alias-format") == [("Note.md", 2, 1)]
    assert ("Note.md", 7, 5) in rules_at(found, "broken-link")
    assert {rule for rule, _l, _c in of(found, "Note.md")} == {"alias-format", "broken-link"}
    assert_still_checked(found)


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_bom_does_not_shift_first_line_columns(tmp_path: Path, newline: str) -> None:
    text = "\ufeff[[Nowhere]] first" + newline + "x [[Nowhere]]" + newline
    vault = make_vault(tmp_path / "v", {"Note.md": text})
    assert rules_at(lint(vault), "broken-link") == [("Note.md", 1, 1), ("Note.md", 2, 3)]


# --- size ---------------------------------------------------------------------------------


def test_a_ten_megabyte_note_is_checked(tmp_path: Path) -> None:
    lines: list[str] = []
    size = 0
    link_lines: list[int] = []
    while size < 10 * 2**20:
        number = len(lines) + 1
        if number % 50_000 == 0:
            line = f"Line {number} links to [[Nowhere {number}]] and to [[Canary]].\n"
            link_lines.append(number)
        else:
            line = (f"Line {number}: prose about scaling laws, continual learning and sample "
                    "efficiency — with a café or two.\n")
        lines.append(line)
        size += len(line.encode("utf-8"))
    assert len(link_lines) >= 2
    vault = make_vault(tmp_path / "v", {**canary(), "Big.md": "".join(lines)})
    assert (vault / "Big.md").stat().st_size >= 10 * 2**20
    started = time.perf_counter()
    found = lint(vault)
    elapsed = time.perf_counter() - started
    assert elapsed < 30, f"checking a 10 MB note took {elapsed:.1f} s"  # a sanity bound
    expected = [("Big.md", n, len(f"Line {n} links to ") + 1) for n in link_lines]
    assert [x for x in rules_at(found, "broken-link") if x[0] == "Big.md"] == expected
    assert not [f for f in found if f.path == "Big.md" and f.rule != "broken-link"]
    assert_still_checked(found)


def test_a_note_over_the_size_limit_is_unreadable_not_read(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", canary())
    with open(vault / "Huge.md", "wb") as handle:
        handle.truncate(MAX_NOTE_BYTES + 1)  # sparse: costs no disk
    started = time.perf_counter()
    found = lint(vault)
    assert time.perf_counter() - started < 30
    assert of(found, "Huge.md") == [("unreadable", 1, 1)]
    assert "limit" in message_of(found, "Huge.md", "unreadable")
    assert_still_checked(found)


@pytest.mark.parametrize("walked_size", [0, 5, 1000])
def test_a_note_that_changed_size_since_the_walk_is_read_whole(
        tmp_path: Path, walked_size: int) -> None:
    """The walk's size is only a hint for the read: an editor may save between the two."""
    from notewarden.pool import read_note
    from notewarden.vault import VaultFile

    data = ("---\ntags: [a]\n---\n" + "Body [[Gone]]\n" * 5000).encode()  # ~70 KB
    (tmp_path / "Grew.md").write_bytes(data)
    note = read_note(tmp_path, VaultFile("Grew.md", walked_size, 0))
    assert note.raw == data
    assert len([link for link in note.links if link.target == "Gone"]) == 5000


def test_a_note_that_grew_past_the_limit_since_the_walk_is_not_read(tmp_path: Path) -> None:
    from notewarden.pool import read_note
    from notewarden.vault import VaultFile

    with open(tmp_path / "Huge.md", "wb") as handle:
        handle.truncate(MAX_NOTE_BYTES + 1)
    note = read_note(tmp_path, VaultFile("Huge.md", 10, 0))
    assert note.read_error is not None and "over" in note.read_error
    assert note.raw == b""


# --- permissions --------------------------------------------------------------------------

NOBODY = 65534


def _become_nobody() -> None:  # runs in the child, between fork and exec
    os.setgroups([])  # drop root's supplementary groups too
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def _nobody_can_run_notewarden() -> bool:
    """Can user nobody run the installed console script and import what a check needs?

    It cannot when the venv's interpreter (or its site-packages) is not world-readable, for
    example a venv whose `python` is a symlink into root's 0700 home (pyenv)."""
    probes = [
        [console_script(), "--version"],
        [sys.executable, "-c", "import notewarden.engine, notewarden.index, yaml, ftfy"],
    ]
    for command in probes:
        try:
            probe = subprocess.run(command, preexec_fn=_become_nobody, cwd="/",
                                   capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            return False
        if probe.returncode != 0:
            return False
    return True


def _check_json_with(prefix: list[str], vault: Path,
                     preexec: Any = None) -> list[dict[str, Any]]:
    command = [*prefix, console_script(), "check", str(vault), "--format", "json", "--no-cache"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd="/",
                            preexec_fn=preexec, env={**os.environ, "NO_COLOR": "1"})
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    return json.loads(result.stdout)["findings"]


def _make_locked_vault(root: Path, world_readable: bool) -> Path:
    vault = make_vault(root, {**canary(), "Secret.md": "# secret [[Nowhere]]\n",
                              "Locked/Inside.md": "# inside [[Nowhere]]\n"})
    if world_readable:  # so that user nobody can read everything but the locked parts
        for folder, _dirs, files in os.walk(vault):
            os.chmod(folder, 0o755)
            for name in files:
                os.chmod(os.path.join(folder, name), 0o644)
    (vault / "Secret.md").chmod(0)
    (vault / "Locked").chmod(0)
    return vault


def _unlock(vault: Path) -> None:
    for path in (vault / "Locked", vault / "Secret.md"):
        if path.exists() or path.is_symlink():
            path.chmod(0o700)


def _assert_locked_findings(findings: list[dict[str, Any]]) -> None:
    by_path = {(f["path"], f["rule"]) for f in findings}
    assert by_path == {("Secret.md", "unreadable"), ("Locked", "unreadable"),
                       ("Canary.md", "broken-link")}, findings
    secret = next(f for f in findings if f["path"] == "Secret.md")
    assert (secret["line"], secret["column"]) == (1, 1)
    assert "ermission" in secret["message"]  # "Permission denied"
    canary_findings = [f for f in findings if f["path"] == "Canary.md"]
    assert [(f["line"], f["column"]) for f in canary_findings] == [(1, CANARY_COLUMN)]


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_an_unreadable_note_is_reported_and_the_rest_still_checked(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        vault = _make_locked_vault(tmp_path / "v", world_readable=False)
        try:
            if os.access(vault / "Secret.md", os.R_OK):
                pytest.skip("this user can read a mode-000 file (capabilities?)")
            found = lint(vault)
        finally:
            _unlock(vault)
        _assert_locked_findings([{"path": f.path, "rule": f.rule, "line": f.line,
                                  "column": f.column, "message": f.message} for f in found])
        return

    # Root reads any file whatever its mode, so permissions must be made to apply.
    if _nobody_can_run_notewarden():
        # Run the console script as user nobody, on a vault in a world-readable folder.
        root = Path(tempfile.mkdtemp(prefix="notewarden-nobody-", dir="/tmp"))
        try:
            os.chmod(root, 0o755)
            vault = _make_locked_vault(root / "v", world_readable=True)
            findings = _check_json_with([], vault, preexec=_become_nobody)
        finally:
            _unlock(root / "v")
            shutil.rmtree(root, ignore_errors=True)
        _assert_locked_findings(findings)
    elif shutil.which("setpriv"):
        # The venv is not usable by nobody (its interpreter lives somewhere only root can
        # read), so stay root but drop the capabilities that let root ignore permissions.
        vault = _make_locked_vault(tmp_path / "v", world_readable=False)
        caps = "-dac_override,-dac_read_search"
        try:
            findings = _check_json_with(
                ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}"], vault)
        finally:
            _unlock(vault)
        _assert_locked_findings(findings)
    else:
        # Fallback: neither nobody nor setpriv can take root's read permission away here,
        # so check the same "cannot read file" path with a file that no user can read: a
        # dangling symlink, linted in-process.
        vault = make_vault(tmp_path / "v", canary())
        symlink("gone.md", vault / "Secret.md")
        found = lint(vault)
        assert of(found, "Secret.md") == [("unreadable", 1, 1)]
        assert "cannot read" in message_of(found, "Secret.md", "unreadable")
        assert_still_checked(found)


# --- symlinks -------------------------------------------------------------------------------


def test_a_folder_symlink_loop_is_reported_once_and_notes_are_not_doubled(
        tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {**canary(), **canary("sub/"),
                                        "sub/Deeper/Note.md": "[[Canary]] and [[Nowhere]]\n"})
    symlink("..", vault / "sub" / "loop")
    started = time.perf_counter()
    found = lint(vault)
    assert time.perf_counter() - started < 30
    assert of(found, "sub/loop") == [("unreadable", 1, 1)]
    assert "loop" in message_of(found, "sub/loop", "unreadable")
    assert not [f for f in found if f.path.startswith("sub/loop/")]
    keys = [(f.path, f.line, f.column, f.rule) for f in found]
    assert len(keys) == len(set(keys)), Counter(keys).most_common(3)
    assert_still_checked(found)
    assert_still_checked(found, "sub/Canary.md")
    assert rules_at(found, "broken-link").count(("sub/Deeper/Note.md", 1, 16)) == 1


def test_a_symlink_to_its_own_folder_is_a_loop(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {**canary("sub/")})
    symlink(".", vault / "sub" / "self")
    found = lint(vault)
    assert of(found, "sub/self") == [("unreadable", 1, 1)]
    assert_still_checked(found, "sub/Canary.md")


def test_a_file_symlink_loop_is_unreadable_for_each_link(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", canary())
    symlink("b.md", vault / "a.md")
    symlink("a.md", vault / "b.md")
    symlink("self.md", vault / "self.md")
    found = lint(vault)
    for name in ("a.md", "b.md", "self.md"):
        assert of(found, name) == [("unreadable", 1, 1)], name
        assert "loop" in message_of(found, name, "unreadable")
    assert_still_checked(found)


def test_a_dangling_symlink_is_unreadable(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", canary())
    symlink("missing.md", vault / "x.md")
    found = lint(vault)
    assert of(found, "x.md") == [("unreadable", 1, 1)]
    assert "cannot read" in message_of(found, "x.md", "unreadable")
    assert_still_checked(found)


def test_a_symlinked_note_that_works_is_checked(tmp_path: Path) -> None:  # the negative case
    vault = make_vault(tmp_path / "v", {"Real.md": "# Real\n"})
    symlink("Real.md", vault / "Alias.md")
    assert lint(vault) == []


# --- hostile YAML ---------------------------------------------------------------------------


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ['lol0: &lol0 "lol"']
    for level in range(1, levels + 1):
        refs = ", ".join([f"*lol{level - 1}"] * width)
        lines.append(f"lol{level}: &lol{level} [{refs}]")
    return "---\n" + "\n".join(lines) + "\n---\n# Body\n\nsee [[Nowhere]]\n"


def mapping_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ["m0: &m0 {a: lol, b: lol}"]
    for level in range(1, levels + 1):
        refs = ", ".join(f"k{i}: *m{level - 1}" for i in range(width))
        lines.append(f"m{level}: &m{level} {{{refs}}}")
    return "---\n" + "\n".join(lines) + "\n---\n"


@pytest.mark.parametrize("text", [billion_laughs(), billion_laughs(12, 10), mapping_laughs()],
                         ids=["lists", "lists-1e12", "mappings"])
def test_a_yaml_alias_bomb_is_refused_quickly(tmp_path: Path, text: str) -> None:
    vault = make_vault(tmp_path / "v", {**canary(), "Bomb.md": text})
    started = time.perf_counter()
    found = lint(vault)
    elapsed = time.perf_counter() - started
    assert elapsed < 5, f"an alias bomb took {elapsed:.1f} s"
    assert [rule for rule, _l, _c in of(found, "Bomb.md") if rule != "broken-link"] \
        == ["yaml-syntax"]
    assert (rules_at(found, "yaml-syntax")[0][1]) >= 2  # a line inside the front-matter
    assert_no_internal_error(found)
    assert_still_checked(found)


def test_the_body_of_a_bomb_note_is_still_checked(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"Bomb.md": billion_laughs()})
    body_line = billion_laughs().split("\n").index("see [[Nowhere]]") + 1
    assert ("Bomb.md", body_line, 5) in rules_at(lint(vault), "broken-link")


@pytest.mark.parametrize("yaml_text", [
    "a: &a [*a]",
    "a: &a {b: *a}",
    "a: &a [1, [2, *a]]",
])
def test_a_recursive_yaml_alias_is_a_finding(tmp_path: Path, yaml_text: str) -> None:
    vault = make_vault(tmp_path / "v", {**canary(), "Rec.md": f"---\n{yaml_text}\n---\n"})
    started = time.perf_counter()
    found = lint(vault)
    assert time.perf_counter() - started < 5
    assert of(found, "Rec.md") == [("yaml-syntax", 2, 1)]
    assert_still_checked(found)


def test_small_aliases_are_fine(tmp_path: Path) -> None:  # the negative case
    text = "---\nbase: &base [x, y]\ncopy: *base\ntags: [a]\n---\n"
    vault = make_vault(tmp_path / "v", {"Ok.md": text})
    assert lint(vault) == []


DEPTH = 10_000


@pytest.mark.parametrize("yaml_text", [
    "a: " + "[" * DEPTH + "]" * DEPTH,
    "a: " + "{a: " * DEPTH + "1" + "}" * DEPTH,
    "[" * DEPTH + "]" * DEPTH,
    "a: " + "[" * DEPTH,  # and never closed
], ids=["lists", "mappings", "top-level", "unclosed"])
def test_deeply_nested_yaml_is_a_finding_not_a_crash(tmp_path: Path, yaml_text: str) -> None:
    vault = make_vault(tmp_path / "v", {**canary(), "Deep.md": f"---\n{yaml_text}\n---\n"})
    started = time.perf_counter()
    found = lint(vault)
    assert time.perf_counter() - started < 30
    assert [rule for rule, _l, _c in of(found, "Deep.md")] == ["yaml-syntax"]
    assert "Recursion" not in message_of(found, "Deep.md", "yaml-syntax")
    assert_no_internal_error(found)
    assert_still_checked(found)


def test_deeply_nested_brackets_in_the_body_are_fine(tmp_path: Path) -> None:
    text = "text " + "[" * DEPTH + "]" * DEPTH + "\nsee [[Nowhere]]\n"
    vault = make_vault(tmp_path / "v", {**canary(), "Deep.md": text})
    found = lint(vault)
    assert of(found, "Deep.md") == [("broken-link", 2, 5)]
    assert_still_checked(found)


# --- special files --------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_md_does_not_hang_the_run(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", canary())
    os.mkfifo(vault / "pipe.md")
    result = run_cli("check", vault, "--format", "json", "--no-cache", timeout=60)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert {(f["path"], f["rule"]) for f in findings} <= {
        ("Canary.md", "broken-link"), ("pipe.md", "unreadable")}
    assert ("Canary.md", "broken-link") in {(f["path"], f["rule"]) for f in findings}
    assert stat.S_ISFIFO((vault / "pipe.md").lstat().st_mode)  # left alone


@pytest.mark.skipif(sys.platform != "linux", reason="needs file names that are raw bytes")
def test_a_file_name_that_is_not_utf8_is_still_checked(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", canary())
    name = os.fsencode(vault) + b"/caf\xe9.md"  # a Latin-1 file name
    try:
        with open(name, "wb") as handle:
            handle.write(b"# Latin-1 name [[Nowhere]]\n")
    except OSError as exc:  # a file system that insists on UTF-8 names
        pytest.skip(f"cannot create a non-UTF-8 file name here: {exc}")
    found = lint(vault)
    assert [(f.rule, f.line, f.column) for f in found if f.path.startswith("caf")] \
        == [("broken-link", 1, 16)]
    assert_still_checked(found)
    # JSON is UTF-8 (RFC 8259): the name must not come out as the raw byte 0xe9.
    result = subprocess.run(
        [console_script(), "check", str(vault), "--format", "json", "--no-cache"],
        capture_output=True, timeout=60, env={**os.environ, "NO_COLOR": "1"})
    assert b"Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout.decode("utf-8"))  # strict: raises on invalid UTF-8
    assert {(f["rule"], f["line"]) for f in data["findings"] if f["path"].startswith("caf")} \
        == {("broken-link", 1)}


# --- everything at once, through the console script --------------------------------------


def bad_vault(root: Path, *, symlinks: bool = True, fifo: bool = True) -> Path:
    files: dict[str, str | bytes] = {
        **canary(), **canary("sub/"),
        "latin1.md": b"# caf\xe9\n",
        "utf16.md": "# Wide\n[[Nowhere]]\n".encode("utf-16"),
        "png.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
        "nul.md": b"text\x00text\n",
        "empty.md": b"",
        "unclosed.md": "---\ntitle: x\n",
        "rule-after-fm.md": "---\ntitle: t\n---\nabove\n\n---\n\nbelow\n",
        "Transcript 004.md": seed("004"),
        "crlf.md": "---\r\naliases: X\r\n---\r\n\r\n[[Nowhere]]\r\n",
        "bom.md": "\ufeff---\naliases: X\n---\n\n[[Nowhere]]\n",
        "crlf-bom.md": "\ufeff---\r\naliases: X\r\n---\r\n\r\n[[Nowhere]]\r\n",
        "bomb.md": billion_laughs(),
        "recursive.md": "---\na: &a [*a]\n---\n",
        "deep.md": "---\na: " + "[" * DEPTH + "]" * DEPTH + "\n---\n",
    }
    vault = make_vault(root, files)
    with open(vault / "huge.md", "wb") as handle:
        handle.truncate(MAX_NOTE_BYTES + 1)
    if symlinks:
        symlink("..", vault / "sub" / "loop")
        symlink("loop-b.md", vault / "loop-a.md")
        symlink("loop-a.md", vault / "loop-b.md")
        symlink("missing.md", vault / "dangling.md")
    if fifo and hasattr(os, "mkfifo"):
        os.mkfifo(vault / "pipe.md")
    return vault


EXPECTED_AT_ONCE = {
    ("Canary.md", "broken-link", 1), ("sub/Canary.md", "broken-link", 1),
    ("latin1.md", "encoding", 1), ("utf16.md", "encoding", 1), ("png.md", "encoding", 1),
    ("nul.md", "encoding", 1), ("unclosed.md", "yaml-syntax", 1),
    ("crlf.md", "alias-format", 2), ("crlf.md", "broken-link", 5),
    ("bom.md", "alias-format", 2), ("bom.md", "broken-link", 5),
    ("crlf-bom.md", "alias-format", 2), ("crlf-bom.md", "broken-link", 5),
    ("bomb.md", "yaml-syntax", 2),
    ("bomb.md", "broken-link", billion_laughs().split("\n").index("see [[Nowhere]]") + 1),
    ("recursive.md", "yaml-syntax", 2), ("deep.md", "yaml-syntax", 2),
    ("huge.md", "unreadable", 1),
    ("sub/loop", "unreadable", 1), ("loop-a.md", "unreadable", 1),
    ("loop-b.md", "unreadable", 1), ("dangling.md", "unreadable", 1),
}


def _cli_findings(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, (result.returncode, result.stderr)
    data = json.loads(result.stdout)
    assert data["summary"]["findings"] == len(data["findings"])
    return data["findings"]


def _assert_everything_found(findings: list[dict[str, Any]]) -> None:
    # A FIFO is not a file Obsidian could open: skipping it or calling it unreadable are
    # both fine; hanging on it is not (the run would never get here).
    got = [(f["path"], f["rule"], f["line"]) for f in findings
           if (f["path"], f["rule"]) != ("pipe.md", "unreadable")]
    assert set(got) == EXPECTED_AT_ONCE, (set(got) ^ EXPECTED_AT_ONCE)
    assert len(got) == len(set(got))  # nothing twice (the folder loop is not re-scanned)
    assert not [f for f in findings if "internal error" in f["message"]]


def test_everything_bad_at_once_through_the_console_script(tmp_path: Path) -> None:
    vault = bad_vault(tmp_path / "v")
    started = time.perf_counter()
    result = run_cli("check", vault, "--format", "json", "--no-cache", timeout=60)
    assert time.perf_counter() - started < 60
    _assert_everything_found(_cli_findings(result))
    # The text report of the same vault: one line per finding, no traceback.
    text = run_cli("check", vault, "--no-cache", timeout=60)
    assert text.returncode == 1 and "Traceback" not in text.stderr, text.stderr
    assert "Canary.md:1:36: broken-link" in text.stdout


def test_everything_bad_at_once_in_process(tmp_path: Path) -> None:
    vault = bad_vault(tmp_path / "v", fifo=False)  # in-process: a hang would hang pytest
    found = lint(vault)
    _assert_everything_found([{"path": f.path, "rule": f.rule, "line": f.line,
                               "message": f.message} for f in found])


def test_everything_bad_at_once_with_the_cache_warm_and_cold(tmp_path: Path) -> None:
    vault = bad_vault(tmp_path / "v")
    cold = _cli_findings(run_cli("check", vault, "--format", "json", timeout=60))
    warm = _cli_findings(run_cli("check", vault, "--format", "json", timeout=60))
    _assert_everything_found(cold)
    assert warm == cold


def test_everything_bad_at_once_in_parallel_workers(tmp_path: Path) -> None:
    # Enough notes for the process pool (index.PARALLEL_THRESHOLD): bad files are parsed in
    # worker processes and their findings pickled back.
    from notewarden.pool import PARALLEL_THRESHOLD

    vault = bad_vault(tmp_path / "v")
    for number in range(PARALLEL_THRESHOLD + 20):
        (vault / "filler").mkdir(exist_ok=True)
        (vault / "filler" / f"n{number}.md").write_text(f"# Filler {number}\n[[Transcript 004]]\n")
    result = run_cli("check", vault, "--format", "json", "--no-cache", "--jobs", "2",
                     timeout=120)
    findings = _cli_findings(result)
    _assert_everything_found([f for f in findings if not f["path"].startswith("filler/")])
    assert not [f for f in findings if f["path"].startswith("filler/")]
