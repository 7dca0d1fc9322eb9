"""The command line as ruff and pre-commit users expect it (issue 15), through the installed
console script: exit codes, the summary, `[*]`, colour under a real pseudo-terminal,
paths relative to the current folder, and the smaller flags."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest

from notewarden.fixer import allowed
from notewarden.model import Finding, Severity
from notewarden.output import fix_shown
from notewarden.rules import RULES
from tests.helpers import EXAMPLE_VAULT, console_script, make_vault, run_cli

BROKEN = {"A.md": "# A\n\nSee [[Nowhere]].\n", "B.md": "# B\n\n[[Gone]] and [[Lost]]\n",
          "C.md": "# C\n"}
MOJIBAKE = "It was a long day \u00e2\u20ac\u201d and then it rained.\n"  # 'â€”', an unsafe fix
DUPLICATED = "".join(f"This is line {n} of a paragraph that was pasted twice here.\n"
                     for n in range(4))


# --- the summary, exit codes, [*] -----------------------------------------------------------

def test_summary_counts_problems_notes_with_problems_and_notes_checked(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", BROKEN)
    result = run_cli("check", vault, "--no-cache")
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == \
        "Found 3 problems in 2 of 3 notes: 3 errors, 0 warnings"


def test_singular_summary_and_clean_run(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "[[Nowhere]]\n"})
    result = run_cli("check", vault, "--no-cache")
    assert result.stdout.splitlines()[-1] == "Found 1 problem in 1 of 1 note: 1 error, 0 warnings"
    (vault / "A.md").write_text("fine\n")
    assert run_cli("check", vault, "--no-cache").stdout == "All checks passed: 1 note\n"


def test_exit_zero_exits_zero_whatever_it_found(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", BROKEN)
    result = run_cli("check", vault, "--no-cache", "--exit-zero")
    assert result.returncode == 0
    assert "broken-link" in result.stdout
    diff = run_cli("check", vault, "--no-cache", "--exit-zero", "--diff")
    assert diff.returncode == 0
    # A usage error is still one.
    assert run_cli("check", vault, "--exit-zero", "--select", "nope").returncode == 2


def test_a_finding_of_severity_info_never_fails_a_run(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", BROKEN, config='[rules]\nbroken-link = "info"\n')
    result = run_cli("check", vault, "--no-cache")
    assert result.returncode == 0, result.stdout
    assert "A.md:3:5: broken-link" in result.stdout
    assert result.stdout.splitlines()[-1] == \
        "Found 3 problems in 2 of 3 notes: 0 errors, 0 warnings, 3 info"
    data = json.loads(run_cli("check", vault, "--no-cache", "--format", "json").stdout)
    assert data["summary"]["info"] == 3
    # One warning beside them fails the run again.
    (vault / "D.md").write_text("---\nalias: D2\n---\n")
    assert run_cli("check", vault, "--no-cache").returncode == 1


def test_star_marks_only_what_fix_would_fix(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"Dup.md": DUPLICATED * 2, "Moji.md": MOJIBAKE})
    result = run_cli("check", ".", "--no-cache", cwd=vault)
    lines = {line.split(":")[0]: line for line in result.stdout.splitlines() if ":" in line}
    assert lines["Dup.md"].endswith("[*]"), lines
    assert "mojibake" in lines["Moji.md"] and not lines["Moji.md"].endswith("[*]")
    assert result.stdout.splitlines()[-1].endswith(
        "; 1 fixable with --fix; 1 more with --unsafe-fixes")
    # With --unsafe-fixes, --fix would fix the mojibake too: then it is marked.
    unsafe = run_cli("check", ".", "--no-cache", "--unsafe-fixes", cwd=vault)
    assert all(line.endswith("[*]") for line in unsafe.stdout.splitlines() if ".md:" in line)
    assert unsafe.stdout.splitlines()[-1].endswith("; 2 fixable with --fix --unsafe-fixes")


@pytest.mark.parametrize("name", sorted(RULES))
@pytest.mark.parametrize("unsafe", [False, True])
def test_star_agrees_with_what_the_fixer_applies_for_every_rule(name: str, unsafe: bool) -> None:
    for fixable in (False, True):
        finding = Finding("A.md", 1, 1, name, Severity.WARNING, "m", fixable=fixable)
        assert fix_shown(finding, unsafe) is allowed(finding, unsafe)


# --- colour, under a real pseudo-terminal ---------------------------------------------------

ESC = "\x1b["


def _run_on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run the console script with its stdout on a pseudo-terminal; return what it printed."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen([console_script(), *args], stdout=terminal,
                               stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env)
    os.close(terminal)
    chunks = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 1)
        if ready:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        elif process.poll() is not None:
            break
    process.wait(timeout=60)
    os.close(controller)
    return b"".join(chunks).decode()


def _env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("NO_COLOR", "FORCE_COLOR")}
    return {**env, **extra}


def test_colour_on_a_terminal_and_off_with_no_color(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", BROKEN)
    args = ["check", str(vault), "--no-cache"]
    assert ESC in _run_on_a_terminal(args, _env())
    plain = _run_on_a_terminal(args, _env(NO_COLOR="1"))
    assert "broken-link" in plain and ESC not in plain
    # An empty NO_COLOR does not count (no-color.org).
    assert ESC in _run_on_a_terminal(args, _env(NO_COLOR=""))
    # --color always beats NO_COLOR; --color never beats the terminal.
    assert ESC in _run_on_a_terminal([*args, "--color", "always"], _env(NO_COLOR="1"))
    assert ESC not in _run_on_a_terminal([*args, "--color", "never"], _env())


def test_force_color_and_color_always_colour_a_pipe(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", BROKEN)
    args = [console_script(), "check", str(vault), "--no-cache"]

    def piped(*extra: str, **env: str) -> str:
        return subprocess.run([*args, *extra], capture_output=True, text=True,
                              env=_env(**env), timeout=120).stdout

    assert ESC not in piped()
    assert ESC in piped(FORCE_COLOR="1")
    assert ESC in piped("--color", "always")
    assert ESC not in piped("--color", "never", FORCE_COLOR="1")
    assert ESC not in piped(FORCE_COLOR="1", NO_COLOR="1")


# --- paths relative to the current folder ---------------------------------------------------

def test_paths_are_relative_to_the_current_folder(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"Home.md": "# Home\n\n[[Nowhere]]\n",
                                        "Notes/Inner.md": "[[Lost]]\n"})
    inside = run_cli("check", "..", "--no-cache", cwd=vault / "Notes")
    assert "../Home.md:3:1: broken-link" in inside.stdout
    assert "\nInner.md:1:1: broken-link" in "\n" + inside.stdout
    above = run_cli("check", "v", "--no-cache", cwd=tmp_path)
    assert "v/Notes/Inner.md:1:1: broken-link" in above.stdout
    github = run_cli("check", "..", "--no-cache", "--format", "github", cwd=vault / "Notes")
    assert "::error file=../Home.md,line=3,col=1," in github.stdout
    data = json.loads(run_cli("check", "..", "--no-cache", "--format", "json",
                              cwd=vault / "Notes").stdout)
    by_path = {f["path"]: f["file"] for f in data["findings"]}
    assert by_path == {"Home.md": "../Home.md", "Notes/Inner.md": "Inner.md"}


def test_a_relative_path_that_needs_quoting_is_still_escaped(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"Sub/Line\nbreak.md": "[[Nowhere]]\n"})
    result = run_cli("check", ".", "--no-cache", cwd=vault / "Sub")
    assert result.stdout.startswith('"Line\\nbreak.md":1:1: broken-link'), result.stdout
    from_above = run_cli("check", "v", "--no-cache", cwd=tmp_path)
    assert from_above.stdout.startswith('"v/Sub/Line\\nbreak.md":1:1:'), from_above.stdout


def test_example_vault_from_a_sub_folder(tmp_path: Path) -> None:
    result = run_cli("check", "..", "--no-cache", "--select", "broken-link",
                     cwd=EXAMPLE_VAULT / "Concepts")
    assert result.stdout.startswith("../Home.md:20:3: broken-link [[Sample Efficiency]]")


# --- rule names, --config, --extend-exclude -------------------------------------------------

def test_rule_names_match_case_insensitively_and_a_misspelt_one_suggests(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", BROKEN)
    assert run_cli("check", vault, "--no-cache", "--select", "Broken-Link").returncode == 1
    assert run_cli("check", vault, "--no-cache", "--ignore", "BROKEN-LINK").returncode == 0
    result = run_cli("check", vault, "--select", "brokenlink")
    assert result.returncode == 2
    assert result.stderr == ("notewarden: error: unknown rule 'brokenlink'; "
                             "did you mean 'broken-link'?\n")
    assert "did you mean 'tag-format'?" in run_cli("rules", "tagformat").stderr
    assert run_cli("rules", "Mojibake").stdout.startswith("mojibake (warning, fix: unsafe)")
    far = run_cli("check", vault, "--select", "zzzz")
    assert far.stderr == "notewarden: error: unknown rule 'zzzz'; `notewarden rules` lists " \
                         "them all\n"


def test_config_rule_names_too(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", BROKEN, config='[rules]\nBroken-Link = "off"\n')
    assert run_cli("check", vault, "--no-cache").returncode == 0
    (vault / ".notewarden.toml").write_text('[rules]\nbrokenlink = "off"\n')
    result = run_cli("check", vault, "--no-cache")
    assert result.returncode == 2
    assert result.stderr.endswith("unknown rule 'brokenlink' in [rules]; did you mean "
                                  "'broken-link'?\n")


def test_config_reads_another_file(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", BROKEN, config='[rules]\nbroken-link = "error"\n')
    other = tmp_path / "lenient.toml"
    other.write_text('[rules]\nbroken-link = "off"\n')
    assert run_cli("check", vault, "--no-cache").returncode == 1
    assert run_cli("check", vault, "--no-cache", "--config", other).returncode == 0
    # Its errors name it; a missing one is an error, not "no config".
    other.write_text("colour = 1\n")
    bad = run_cli("check", vault, "--no-cache", "--config", other)
    assert bad.returncode == 2 and str(other) in bad.stderr
    missing = run_cli("check", vault, "--no-cache", "--config", tmp_path / "nope.toml")
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1 and "nope.toml" in missing.stderr


def test_extend_exclude_adds_to_the_config_ignore(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {**BROKEN, "Drafts/D.md": "[[Nope]]\n"},
                       config='ignore = ["A.md"]\n')
    found = json.loads(run_cli("check", vault, "--no-cache", "--format", "json").stdout)
    assert {f["path"] for f in found["findings"]} == {"B.md", "Drafts/D.md"}
    result = run_cli("check", vault, "--no-cache", "--format", "json",
                     "--extend-exclude", "Drafts/**", "--extend-exclude", "B.md")
    assert json.loads(result.stdout)["findings"] == []
    assert result.returncode == 0


# --- --quiet, --statistics, json-lines ------------------------------------------------------

def test_quiet_prints_findings_only(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", BROKEN)
    result = run_cli("check", ".", "--no-cache", "--quiet", cwd=vault)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "A.md:3:5: broken-link [[Nowhere]]: no note named 'Nowhere'",
        "B.md:3:1: broken-link [[Gone]]: no note named 'Gone'",
        "B.md:3:14: broken-link [[Lost]]: no note named 'Lost'"]
    (vault / "A.md").write_text("# A\n")
    (vault / "B.md").write_text("# B\n")
    assert run_cli("check", ".", "--no-cache", "-q", cwd=vault).stdout == ""


def test_statistics_counts_findings_per_rule(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {**BROKEN, "Dup.md": DUPLICATED * 2, "M.md": MOJIBAKE})
    result = run_cli("check", vault, "--no-cache", "--statistics")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "3  broken-link      error",
        "1  duplicate-block  warning  [*] 1 fixable",
        "1  mojibake         warning  1 with --unsafe-fixes"]
    assert lines[-1].startswith("Found 5 problems in 4 of 5 notes")
    assert "Nowhere" not in result.stdout
    data = json.loads(run_cli("check", vault, "--no-cache", "--statistics",
                              "--format", "json").stdout)
    assert data[0] == {"rule": "broken-link", "severity": "error", "count": 3, "fixable": 0,
                       "unsafe_fixable": 0}
    assert run_cli("check", vault, "--statistics", "--format", "github").returncode == 2


def test_json_lines_is_one_finding_a_line(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {**BROKEN, "Odd\u2028name.md": "[[Nope]]\n"})
    result = run_cli("check", ".", "--no-cache", "--format", "json-lines", cwd=vault)
    assert result.returncode == 1
    lines = result.stdout.split("\n")
    assert lines[-1] == ""  # one newline at the end, none inside a finding
    findings = [json.loads(line) for line in lines[:-1]]
    assert [(f["path"], f["line"], f["column"]) for f in findings] == [
        ("A.md", 3, 5), ("B.md", 3, 1), ("B.md", 3, 14), ("Odd\u2028name.md", 1, 1)]
    assert set(findings[0]) == {"path", "file", "line", "column", "rule", "severity",
                                "message", "fixable"}
    (vault / "A.md").unlink()
    (vault / "B.md").unlink()
    (vault / "Odd\u2028name.md").unlink()
    clean = run_cli("check", ".", "--no-cache", "--format", "json-lines", cwd=vault)
    assert clean.stdout == ""


# --- a folder with no notes -----------------------------------------------------------------

def test_a_folder_with_no_notes_warns_and_writes_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli("check", empty)
    assert result.returncode == 0
    assert result.stderr == f"notewarden: warning: no notes found under {empty}\n"
    assert list(empty.iterdir()) == []
    pictures = make_vault(tmp_path / "v", {"A.md": "# A\n", "img/a.png": b"\x89PNG"})
    inside = run_cli("check", "img", cwd=pictures)
    assert inside.returncode == 0
    assert inside.stderr == "notewarden: warning: no notes found under img\n"
    assert sorted(p.name for p in (pictures / "img").iterdir()) == ["a.png"]
    # A vault with notes says nothing of the kind.
    assert run_cli("check", pictures).stderr == ""


# --- notewarden init ------------------------------------------------------------------------

def test_init_writes_a_commented_starter_config(tmp_path: Path) -> None:
    import tomllib

    odd = 'Odd "quoted"\tfolder'
    vault = make_vault(tmp_path / "v", {"Home.md": "[[Sources/S]]\n", "Sources/S.md": "# S\n",
                                        "Concepts/Deep/C.md": "# C\n", f"{odd}/O.md": "# O\n",
                                        "attachments/a.png": b"\x89PNG",
                                        ".trash/Old.md": "# old\n"})
    result = run_cli("init", cwd=vault / "Sources")  # from inside: written at the root
    assert result.returncode == 0, result.stderr
    target = vault / ".notewarden.toml"
    assert result.stdout == f"wrote {target}\n"
    text = target.read_text(encoding="utf-8")
    settings = tomllib.loads(text)
    assert settings["rules"] == {name: rule.severity.value for name, rule in RULES.items()}
    assert settings["schemas"] == {"**": "obsidian"}
    assert "backlinks" not in settings and "watch" not in settings
    assert "# [backlinks]\n# notes = " in text and "# [watch]\n# rename-adds-alias" in text
    # One commented [schemas] line for each top-level folder with notes, valid TOML when
    # uncommented, even for a folder name TOML must escape.
    schema_lines = [line[2:] for line in text.splitlines() if line.startswith('# "')]
    keys = [next(iter(tomllib.loads(line))) for line in schema_lines]
    assert keys == ["Concepts/**", f"{odd}/**", "Sources/**"]
    # The vault checks exactly as before with it.
    assert run_cli("check", vault, "--no-cache").returncode == 0


def test_init_refuses_to_replace_a_config(tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {"A.md": "# A\n"}, config="ignore = []\n")
    result = run_cli("init", vault)
    assert result.returncode == 2
    assert result.stderr == (f"notewarden: error: {vault / '.notewarden.toml'} already "
                             "exists; not replaced\n")
    assert (vault / ".notewarden.toml").read_text() == "ignore = []\n"
    # Nor a symlink planted by that name.
    other = make_vault(tmp_path / "w", {"A.md": "# A\n"})
    (other / ".notewarden.toml").symlink_to(tmp_path / "elsewhere.toml")
    assert run_cli("init", other).returncode == 2
    assert not (tmp_path / "elsewhere.toml").exists()


# --- the README's Commands section and --help -----------------------------------------------

def _readme_commands() -> dict[str, set[str]]:
    """Each command line of the README's Commands block -> the long flags it names."""
    import re

    from tests.helpers import REPO

    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- commands:start -->", 1)[1].split("<!-- commands:end -->", 1)[0]
    out: dict[str, set[str]] = {}
    command = ""
    for line in block.splitlines():
        if line.startswith("notewarden"):
            words = []
            for word in line.split()[1:]:
                if not re.fullmatch(r"[a-z]+", word):
                    break
                words.append(word)
            command = " ".join(words)
            out.setdefault(command, set())
        if line.startswith(("notewarden", " ")):
            out[command] |= set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", line))
    return out


def _help_commands() -> dict[str, set[str]]:
    """Each command `--help` describes -> the long flags its help lists (but --help)."""
    import click

    from notewarden.cli import main

    out: dict[str, set[str]] = {}

    def visit(command: click.Command, path: str) -> None:
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                visit(sub, f"{path} {name}".strip())
            if path:
                return  # a group like `hook` only holds its commands
        out[path] = {opt for param in command.params if isinstance(param, click.Option)
                     for opt in param.opts if opt.startswith("--")}

    visit(main, "")
    return out


def test_readme_commands_list_every_command_and_flag_help_shows() -> None:
    readme, shown = _readme_commands(), _help_commands()
    assert readme == shown
    # And --help, as the installed script prints it, names each of those flags.
    for command, flags in shown.items():
        text = run_cli(*command.split(), "--help").stdout
        assert all(flag in text for flag in flags), (command, flags)


def test_usage_errors_are_one_line(tmp_path: Path) -> None:
    for args, start in ((["check", "--frobnicate"], "No such option '--frobnicate'"),
                        (["check", "--format", "xml"], "Invalid value for '--format'"),
                        (["rules", "a", "b"], "Got unexpected extra argument"),
                        (["frobnicate"], "No such command 'frobnicate'")):
        result = run_cli(*args, cwd=tmp_path)
        assert result.returncode == 2, args
        assert result.stdout == ""
        assert result.stderr.startswith(f"notewarden: error: {start}"), result.stderr
        assert result.stderr.count("\n") == 1, result.stderr
