"""Bad input gives a finding or one clear message, never a traceback, and every other
note is still checked. Real files, the installed console script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from notewarden.reading import MAX_NOTE_BYTES
from tests.helpers import SEEDS, console_script, lint, make_vault, rules_at, run_cli

CANARY = {"Canary.md": "A note that must still be checked: [[Nowhere]]\n"}


def assert_canary(findings: list) -> None:  # type: ignore[type-arg]
    assert ("Canary.md", 1, 36) in [(f.path, f.line, f.column) for f in findings
                                    if f.rule == "broken-link"]


def test_everything_bad_at_once_through_the_cli(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        **CANARY,
        "latin1.md": b"# caf\xe9\n",
        "utf16.md": "# hi\n".encode("utf-16"),
        "binary.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "empty.md": b"",
        "unclosed.md": "---\ntitle: x\nbody\n",
        "crlf-bom.md": "\ufeff---\r\naliases: X\r\n---\r\n[[Nowhere]]\r\n",
        "bomb.md": "---\na: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                   "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                   "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n---\n",
        "deep.md": "---\na: " + "[" * 5000 + "]" * 5000 + "\n---\n",
    })
    os.symlink("missing-target.md", vault / "dangling.md")
    os.symlink("loop-b.md", vault / "loop-a.md")
    os.symlink("loop-a.md", vault / "loop-b.md")
    (vault / "sub").mkdir()
    os.symlink("..", vault / "sub" / "up")
    os.mkfifo(vault / "pipe.md")
    result = run_cli("check", vault, "--format", "json", "--no-cache", timeout=60)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    findings = json.loads(result.stdout)["findings"]
    rules = {(f["path"], f["rule"]) for f in findings}
    assert ("Canary.md", "broken-link") in rules
    assert {("latin1.md", "encoding"), ("utf16.md", "encoding"), ("binary.md", "encoding"),
            ("unclosed.md", "yaml-syntax"), ("crlf-bom.md", "alias-format"),
            ("crlf-bom.md", "broken-link"), ("bomb.md", "yaml-syntax"),
            ("deep.md", "yaml-syntax"), ("dangling.md", "unreadable"),
            ("loop-a.md", "unreadable"), ("loop-b.md", "unreadable"),
            ("sub/up", "unreadable")} <= rules
    assert not any(f["path"].startswith("sub/up/") for f in findings)  # not scanned twice
    assert not any(f["path"] == "empty.md" for f in findings)
    # A FIFO is reported, never opened for reading (that could wait for ever).
    assert [f["rule"] for f in findings if f["path"] == "pipe.md"] == ["unreadable"]


def test_invalid_utf8_points_at_the_bad_byte(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {**CANARY, "A.md": b"ok\nline two caf\xe9\n"})
    found = lint(vault)
    assert rules_at(found, "encoding") == [("A.md", 2, 13)]
    assert "0xe9" in next(f.message for f in found if f.rule == "encoding")
    assert_canary(found)


def test_utf8_with_bom_is_fine(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "\ufeff# Title\n"})
    assert lint(vault) == []


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_crlf_and_bom_notes_still_have_front_matter(tmp_path: Path, newline: str,
                                                    bom: str) -> None:
    text = bom + newline.join(["---", "aliases: X", "---", "# T", "[[Nowhere]]", ""])
    vault = make_vault(tmp_path / "v", {"A.md": text})
    found = lint(vault)
    assert rules_at(found, "alias-format") == [("A.md", 2, 1)]
    assert rules_at(found, "broken-link") == [("A.md", 5, 1)]


def test_a_rule_in_the_body_is_not_front_matter(tmp_path: Path) -> None:
    seed = next(SEEDS.glob("004_*.txt"))
    vault = make_vault(tmp_path / "v", {"Transcript.md": seed.read_bytes(),
                                        "B.md": "---\na: 1\n---\ntext\n\n---\n\nmore\n"})
    assert lint(vault) == []


def test_a_ten_megabyte_note_is_checked(tmp_path: Path) -> None:
    line = "Prose about scaling laws and continual learning, line after line. " * 2 + "\n"
    body = line * (10 * 2**20 // len(line)) + "Finally [[Nowhere]].\n"
    vault = make_vault(tmp_path / "v", {"Big.md": body, **CANARY})
    started = time.perf_counter()
    found = lint(vault)
    assert time.perf_counter() - started < 60  # a sanity bound, not a benchmark
    assert ("Big.md", "broken-link") in {(f.path, f.rule) for f in found}
    assert_canary(found)


def test_a_note_over_the_size_limit_is_reported_not_read(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", CANARY)
    with open(vault / "Huge.md", "wb") as handle:
        handle.truncate(MAX_NOTE_BYTES + 1)  # sparse: costs no disk
    found = lint(vault)
    assert rules_at(found, "unreadable") == [("Huge.md", 1, 1)]
    assert_canary(found)


def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {**CANARY, "Secret.md": "# s\n"})
    (vault / "Secret.md").chmod(0)
    command = [console_script(), "check", str(vault), "--format", "json", "--no-cache"]
    if os.geteuid() == 0:
        # Root reads any file; drop the capabilities that let it, so permissions apply.
        if not shutil.which("setpriv"):
            pytest.fail("running as root needs util-linux's setpriv for this test")
        caps = "-dac_override,-dac_read_search"
        command = ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert {(f["path"], f["rule"]) for f in findings} == {("Secret.md", "unreadable"),
                                                          ("Canary.md", "broken-link")}
    assert "Permission denied" in next(f["message"] for f in findings
                                       if f["rule"] == "unreadable")


def test_empty_vault_and_empty_note(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"Empty.md": ""})
    result = run_cli("check", vault)
    assert result.returncode == 0
    assert "All checks passed" in result.stdout
