"""Output that a vault cannot forge (issue 12 C): file names, headings and link targets
with control characters are printed escaped in text, github and watch output, and JSON
output stays valid, one object per line. Through the installed console script."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from notewarden.output import json_text, printable, printable_path
from tests.helpers import console_script, make_vault, run_cli

FORGED = "Fake.md:9:9: broken-link forged\nA.md"
ESCAPED = "E\x1b[31mred\x07.md"
# A heading link and a link target holding ESC, a tab, C1's CSI and U+2028.
NOTE_WITH_CONTROLS = ("# Real heading\n"
                      "[[Target#bad\x1bheading\u2028x]]\n"
                      "[[Mis\tsing\x9b note]]\n")
RAW = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))] + ["\u2028", "\u2029", "\u202e"]


def _vault(tmp_path: Path) -> Path:
    if sys.platform == "win32":  # pragma: no cover
        pytest.skip("file names with control characters")
    return make_vault(tmp_path / "v", {
        FORGED: "[[Nowhere]]\n",
        ESCAPED: "[[Nowhere]]\n",
        "Target.md": NOTE_WITH_CONTROLS,
    })


def _no_raw_controls(text: str, allowed: str = "\n") -> None:
    bad = sorted({char for char in text if char in RAW and char not in allowed})
    assert not bad, f"raw control characters {bad!r} in output:\n{text!r}"


def test_text_output_escapes_paths_and_messages(tmp_path: Path) -> None:
    vault = _vault(tmp_path)
    result = run_cli("check", vault, "--no-cache", cwd=vault)
    assert result.returncode == 1, result.stderr
    _no_raw_controls(result.stdout)
    lines = result.stdout.splitlines()
    findings = [line for line in lines if ": " in line and not line.startswith("Found")]
    assert len(findings) == 4, lines  # no forged line among them
    assert '"Fake.md:9:9: broken-link forged\\nA.md":1:1: broken-link [[Nowhere]]: ' \
           "no note named 'Nowhere'" in lines
    assert any(line.startswith('"E\\x1b[31mred\\x07.md":1:1: broken-link') for line in lines)
    assert "Target.md:2:1: broken-heading [[Target#bad\\x1bheading\\u2028x]]: this note " \
           "has no heading 'bad\\x1bheading\\u2028x'" in lines
    assert "Target.md:3:1: broken-link [[Mis\\tsing\\x9b note]]: no note named " \
           "'Mis\\tsing\\x9b note'" in lines


def test_github_output_escapes_paths_and_messages(tmp_path: Path) -> None:
    vault = _vault(tmp_path)
    result = run_cli("check", vault, "--no-cache", "--format", "github", cwd=vault)
    assert result.returncode == 1, result.stderr
    _no_raw_controls(result.stdout)
    lines = result.stdout.splitlines()
    assert len(lines) == 4 and all(line.startswith("::error file=") for line in lines), lines
    # GitHub unescapes %0A in a property: the annotation names the real file.
    assert any(line.startswith("::error file=Fake.md%3A9%3A9%3A broken-link forged%0AA.md,"
                               "line=1,col=1,") for line in lines), lines
    assert any(line.startswith("::error file=E%1B[31mred%07.md,") for line in lines), lines
    assert any(line.endswith("::[[Mis%09sing%C2%9B note]]: no note named "
                             "'Mis\\tsing\\x9b note'") for line in lines), lines
    assert any("[[Target#bad%1Bheading%E2%80%A8x]]" in line for line in lines), lines


def test_json_output_is_valid_one_line_json_naming_the_files_exactly(tmp_path: Path) -> None:
    vault = _vault(tmp_path)
    result = run_cli("check", vault, "--no-cache", "--format", "json")
    assert result.returncode == 1, result.stderr
    _no_raw_controls(result.stdout)
    assert result.stdout.count("\n") <= 1 and "\u2028" not in result.stdout
    findings = json.loads(result.stdout)["findings"]
    assert {f["path"] for f in findings} == {FORGED, ESCAPED, "Target.md"}
    assert any("bad\x1bheading\u2028x" in f["message"] for f in findings)


def test_the_escapes_are_unambiguous() -> None:
    assert printable_path("Notes/a\\b.md") == "Notes/a\\b.md"  # bare: exactly the name
    assert printable_path("a\nb\\c.md") == '"a\\nb\\\\c.md"'  # quoted: every \ escaped
    assert printable_path('"quoted".md') == '"\\"quoted\\".md"'
    assert printable_path("caf\udce9.md") == '"caf\\xe9.md"'  # an undecodable byte
    assert printable("tab\there \x1b[0m \u2028 \x85") == "tab\\there \\x1b[0m \\u2028 \\x85"
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    escaped = printable(every)
    _no_raw_controls(escaped, allowed="")
    assert json.loads(json_text({"s": every + "\udce9"}))["s"] == every + "\udce9"
    assert printable("\udce9 \ud800") == "\\xe9 \\ud800"  # a lone surrogate prints, escaped


def _watch_output(vault: Path, *args: str, timeout: float = 30) -> str:
    """`notewarden watch VAULT ARGS`' stdout up to its "watching" line (its initial report
    comes first), then stopped with SIGTERM."""
    argv = [console_script(), "watch", str(vault), "--polling", *args]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "NO_COLOR": "1"}, start_new_session=True)
    out: list[bytes] = []
    err: list[bytes] = []
    done = threading.Event()

    def read(stream: object, into: list[bytes]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            into.append(line)
            if b"watching" in line:
                done.set()

    threads = [threading.Thread(target=read, args=(process.stdout, out), daemon=True),
               threading.Thread(target=read, args=(process.stderr, err), daemon=True)]
    for thread in threads:
        thread.start()
    try:
        assert done.wait(timeout), (b"".join(out), b"".join(err))
        time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        for thread in threads:
            thread.join(timeout=5)
    assert b"Traceback" not in b"".join(err), b"".join(err)
    return b"".join(out).decode("utf-8")


def test_watch_text_output_escapes_paths_and_messages(tmp_path: Path) -> None:
    vault = _vault(tmp_path)
    text = _watch_output(vault)
    _no_raw_controls(text)
    assert '  "Fake.md:9:9: broken-link forged\\nA.md":1:1: broken-link [[Nowhere]]: ' \
           "no note named 'Nowhere'" in text.splitlines()
    assert "  Target.md:3:1: broken-link [[Mis\\tsing\\x9b note]]: no note named " \
           "'Mis\\tsing\\x9b note'" in text.splitlines()


def test_watch_json_output_is_one_valid_object_per_line(tmp_path: Path) -> None:
    vault = _vault(tmp_path)
    text = _watch_output(vault, "--format", "json")
    _no_raw_controls(text)
    [initial] = [json.loads(line) for line in text.splitlines()]
    assert {f["path"] for f in initial["findings"]} == {FORGED, ESCAPED, "Target.md"}


def test_a_forged_line_cannot_pass_for_a_finding_in_any_format(tmp_path: Path) -> None:
    """Whatever the format, the count of findings a reader sees is the real count."""
    vault = _vault(tmp_path)
    for fmt, prefix in (("text", None), ("github", "::error ")):
        result = run_cli("check", vault, "--no-cache", "--format", fmt)
        lines = [line for line in result.stdout.splitlines() if line.strip()]
        if prefix:
            assert len([line for line in lines if line.startswith(prefix)]) == 4
        else:
            assert len([line for line in lines if "broken-" in line]) == 4
