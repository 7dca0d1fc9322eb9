"""Each way the js-yaml oracle found notewarden's front-matter reader disagreeing with
Obsidian's (js-yaml 4), with a test of its own: a positive case (as js-yaml reads it) and
a negative one (what must stay as it was). test_js_yaml_oracle.py checks the whole corpus.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from notewarden.parsing.front_matter import FrontMatterBlock, ParsedFrontMatter, parse_yaml
from tests.helpers import lint, make_vault, rules_at


def read(text: str) -> ParsedFrontMatter:
    return parse_yaml(FrontMatterBlock(text, 4, 2, 0))


def value(text: str) -> dict[str, Any]:
    parsed = read(text)
    assert parsed.error is None, parsed.error
    assert parsed.data is not None
    return parsed.data


def error(text: str) -> tuple[int, int, str]:
    """(line in the note, column, message) of the complaint."""
    parsed = read(text)
    assert parsed.error is not None, parsed.data
    return parsed.error_line, parsed.error_column, parsed.error


# --- js-yaml rejects, libyaml accepted ------------------------------------------------------


@pytest.mark.parametrize(("text", "line", "column", "first"), [
    ("title: A\ntags: [x]\ntitle: B\n", 4, 1, 2),
    ("outer:\n  x: 1\n  x: 2\n", 4, 3, 3),
    ("m: {a: 1, b: 2, a: 3}\n", 2, 17, 2),
    ("list:\n  - name: x\n    name: y\n", 4, 5, 3),
    ("1: one\n\"1\": uno\n", 3, 1, 2),  # both are the key "1" to js-yaml
    ("1: a\n1.0: b\n", 3, 1, 2),
    ("null: a\n~: b\n", 3, 1, 2),
    ("? a\n: 1\n? a\n: 2\n", 4, 3, 2),
])
def test_a_repeated_key_is_an_error_at_the_repeat(text: str, line: int, column: int,
                                                  first: int) -> None:
    assert error(text)[:2] == (line, column)
    assert f"appears twice (first at line {first})" in error(text)[2]


def test_keys_that_differ_are_not_repeats() -> None:
    assert value("Title: A\ntitle: B\ncaf\u00e9: 1\ncafe\u0301: 2\n") == {
        "Title": "A", "title": "B", "caf\u00e9": 1, "cafe\u0301": 2}
    # A key merged in by `<<` may be given again: that is an override, not a repeat.
    assert value("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  x: 3\n")["m"] == {"x": 3, "y": 2}


@pytest.mark.parametrize("text", ["a: !!bool yes\n", "a: !!null ''\n", "a: !!int abc\n",
                                  "a: !!float x\n", "a: !local x\n", "a: !!str {b: 1}\n",
                                  "a: !!set {b: 1}\n", "a: !!omap [b: 1, b: 2]\n"])
def test_an_explicit_tag_its_value_does_not_fit_is_an_error(text: str) -> None:
    assert error(text)[0] == 2


def test_explicit_tags_that_fit_give_js_yamls_values() -> None:
    assert value("a: !!int '12'\nb: !!float 1\nc: !!str 123\nd: !!null\ne: !!bool true\n"
                 "f: !!timestamp 2025-12-23\ng: !!binary aGVsbG8=\nh: !!set {x, y}\n"
                 "i: !!omap [p: 1, q: 2]\nj: !!pairs [p: 1, p: 2]\n") == {
        "a": 12, "b": 1.0, "c": "123", "d": None, "e": True, "f": "2025-12-23",
        "g": "hello", "h": {"x": None, "y": None}, "i": [{"p": 1}, {"q": 2}],
        "j": [["p", 1], ["p", 2]]}


@pytest.mark.parametrize(("text", "line"), [
    ("tags: [a\nb]\n", 3), ("outer:\n  tags: [a\n  b]\n", 4), ("- [a\nb]\n", 3)])
def test_a_plain_value_going_on_inside_brackets_no_deeper_than_its_key_is_an_error(
        text: str, line: int) -> None:
    assert error(text)[0] == line
    assert "indented past its key" in error(text)[2]


def test_values_going_on_deeper_or_new_entries_inside_brackets_are_fine() -> None:
    assert value("tags: [a\n  b]\n") == {"tags": ["a b"]}
    assert value("outer:\n  tags: [a\n   b]\n") == {"outer": {"tags": ["a b"]}}
    assert value("tags: [a,\nb]\nm: {x: 1,\ny: 2}\nq: [\"a\nb\"]\n") == {
        "tags": ["a", "b"], "m": {"x": 1, "y": 2}, "q": ["a b"]}


def test_a_leading_document_marker_is_read_as_js_yaml_reads_it() -> None:
    assert value("---title: x\n") == {"title": "x"}
    assert value("--- a: 1\n") == {"a": 1}
    assert error("---title: x\nb: 2\n")[0] == 3


# --- js-yaml reads, libyaml refused -----------------------------------------------------------


def test_a_tab_after_a_dash_is_read() -> None:
    assert value("tags:\n  -\ta\n  -\t\tb\n") == {"tags": ["a", "b"]}
    # but not before a mapping, which js-yaml refuses ("bad indentation")
    assert error("tags:\n  -\tkey: 1\n    k2: 2\n")[0] == 3


def test_a_blank_line_with_a_tab_is_read() -> None:
    assert value("a: 1\n\t\nb: 2\n  \t \nc:\n  - x\n\t\n  - y\n") == {
        "a": 1, "b": 2, "c": ["x", "y"]}
    assert error("text: |\n  a\n\t\n  b\n")[0] == 4  # inside a block scalar: js-yaml refuses


def test_control_characters_inside_quotes_and_comments_are_read() -> None:
    # Mis-decoded UTF-8 (mojibake) brings C1 control characters into titles.
    assert value('title: "mojibake \u00c3\u0083\u00c2\u00a9"\nb: \'a\x9fb\'  # \x07 \x80\n') == {
        "title": "mojibake \u00c3\u0083\u00c2\u00a9", "b": "a\x9fb"}


@pytest.mark.parametrize(("text", "column"), [
    ("title: a\x80b\n", 9), ('title: "a\x07b"\n', 10), ("a: 1\ntext: |\n  a\x80b\n", 4)])
def test_control_characters_elsewhere_are_errors_where_they_are(text: str, column: int) -> None:
    line, col, message = error(text)
    assert (line, col) == (text.count("\n", 0, text.index(next(
        ch for ch in text if ch in "\x07\x80"))) + 2, column)
    assert "control character" in message


def test_unicode_line_separators_are_text_as_in_js_yaml() -> None:
    assert value("a: x\x85y\nb: x\u2028y\nc: \ufeffz\n") == {
        "a": "x\x85y", "b": "x\u2028y", "c": "\ufeffz"}
    assert value("a: 1\n\ufeffb: 2\n") == {"a": 1, "\ufeffb": 2}


@pytest.mark.parametrize("length", [1023, 1024, 1500])
def test_keys_longer_than_libyamls_limit_are_read(length: int) -> None:
    plain, quoted = "k" * length, "q" * length
    assert value(f"{plain}: v\n\"{quoted}\": w\nafter: [a]\n") == {
        plain: "v", quoted: "w", "after": ["a"]}
    assert "appears twice" in error(f"{plain}: v\n{plain}: w\n")[2]


def test_anchors_defined_twice_or_named_in_any_script_are_read() -> None:
    assert value("a: &x 1\nb: &x 2\nc: *x\n") == {"a": 1, "b": 2, "c": 2}
    assert value("a: &\u00e9 [1]\nb: *\u00e9\n") == {"a": [1], "b": [1]}
    # An `&` inside a quoted value is text, even next to a redefined anchor.
    assert value("t: \"Tom &x Jerry\"\na: &x 1\nb: &x 2\nc: *x\n")["t"] == "Tom &x Jerry"


# --- values -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("1_000", 1000), ("0b101", 5), ("-0x1F", -31), ("+0x1F", 31), ("-0o7", -7),
    ("0x_1F", 31), ("1_000.5", 1000.5), ("0_1", 1.0), ("1.10", 1.1), ("017", 17),
    ("+.5", "+.5"), ("-.5", "-.5"), (".5", 0.5), ("1_", "1_"), ("_1", "_1"), ("0b", "0b"),
    ("1e3", 1000.0), ("1:30", "1:30"), ("yes", "yes"), ("off", "off"), ("2025-12-23", "2025-12-23"),
])
def test_numbers_are_js_yamls(text: str, expected: Any) -> None:
    got = value(f"v: {text}\n")["v"]
    assert got == expected and type(got) is type(expected)


def test_merge_keys_merge() -> None:
    assert value("a: &a {x: 1}\nb: &b {y: 2, x: 9}\nc:\n  <<: [*a, *b]\n  z: 3\n")["c"] == {
        "x": 1, "y": 2, "z": 3}
    assert value('"<<": not a merge\n') == {"<<": "not a merge"}
    assert "cannot merge" in error("a: &a 5\nc:\n  <<: *a\n")[2]


def test_keys_become_the_strings_js_yaml_makes() -> None:
    data = value("true: t\nnull: n\n.inf: i\n1.0: f\n0x10: h\n1e3: e\n1e21: big\n"
                 "[a, b]: list\n{a: 1}: map\n")
    assert data == {"true": "t", "null": "n", "Infinity": "i", "1": "f", "16": "h",
                    "1000": "e", "1e+21": "big", "a,b": "list", "[object Object]": "map"}
    assert "nested arrays" in error("? [a, [b]]\n: c\n")[2]


def test_special_floats() -> None:
    data = value("a: .inf\nb: -.Inf\nc: .NaN\n")
    assert data["a"] == math.inf and data["b"] == -math.inf and math.isnan(data["c"])


def test_a_repeated_key_is_a_yaml_syntax_finding_and_the_rest_is_checked(
        tmp_path: Path) -> None:
    vault = make_vault(tmp_path / "v", {
        "A.md": "---\ntitle: A\ntags: [x]\ntitle: B\n---\nSee [[Nowhere]].\n",
        "B.md": "---\ntitle: A\nTitle: B\n---\n"})
    found = lint(vault)
    assert rules_at(found, "yaml-syntax") == [("A.md", 4, 1)]
    assert rules_at(found, "broken-link") == [("A.md", 6, 5)]


# --- what a vault must not do to the reader ---------------------------------------------------


def test_numbers_past_pythons_and_javascripts_limits_are_values_not_crashes() -> None:
    digits = "9" * 5000
    assert value(f"big: {digits}\n") == {"big": math.inf}  # a double to js-yaml: Infinity
    assert value(f"? {'9' * 400}\n: key\n") == {"Infinity": "key"}


def test_the_second_reading_stays_linear_on_big_documents() -> None:
    # Thousands of tab-only lines between thousands of values, control characters and
    # long keys: the relaxed re-reading must not compare every spot with every value. A
    # guard against a quadratic blow-up (about 0.2 s here), not a speed target.
    import time

    lines = []
    for index in range(4000):
        lines += [f'k{index}: "v\x80{index}"', "\t"]
    lines += [f"{'x' * 1100}{index}: long" for index in range(50)]
    text = "\n".join(lines) + "\n"
    started = time.perf_counter()
    data = value(text)
    assert time.perf_counter() - started < 30
    assert data["k3999"] == "v\x803999" and len(data) == 4050


def test_a_lone_carriage_return_is_a_line_break_and_never_a_crash() -> None:
    assert error("a: 1\rb:] 2\n")[0] == 3
    assert value("a: 1\rb: 2\n") == {"a": 1, "b": 2}


def test_an_explicit_tag_right_after_a_byte_order_mark_is_checked() -> None:
    assert "cannot resolve" in error("\ufeff!!int &a \n")[2]  # no value: js-yaml refuses
    assert "not a number" in error("\ufeff!!int 12\n")[2]  # 12: no properties


# --- found by mutating the corpus against js-yaml ---------------------------------------------


def test_characters_libyaml_takes_for_line_breaks_are_text_even_where_it_reads_on() -> None:
    # libyaml (YAML 1.1) breaks lines at U+0085, U+2028 and U+2029 and reads on without
    # failing; js-yaml reads them as text, so a comment runs on and a key does not start.
    assert value("# comment\u2028title: x\nb: 1\n") == {"b": 1}
    assert error("a: 1\u2028b: 2\n")[0] == 2
    assert value("\u2028key: v\n") == {"\u2028key": "v"}


def test_spaces_ending_a_line_inside_quotes_are_kept_as_js_yaml_keeps_them() -> None:
    assert value('t: "a \n  b"\nu: \'c  \n  d\'\nv: "e\n  f"\nw: x \n') == {
        "t": "a  b", "u": "c   d", "v": "e f", "w": "x"}
    assert value('t: "a \n\n  b"\n') == {"t": "a \nb"}
    assert value('t: "a\\ \n  b"\n') == {"t": "a  b"}  # an escaped space is a space anyway


def test_a_document_that_is_only_null_has_no_properties() -> None:
    for text in ("~\n", "null # nothing\n", "&a\n"):
        assert read(text).data == {} and read(text).error is None


def test_a_byte_order_mark_does_not_shift_what_the_checks_see() -> None:
    assert error("\ufeffouter:\n  tags: [a\n  b]\n")[0] == 4


def test_anchor_names_run_as_far_as_js_yaml_reads_them() -> None:
    assert value("a: &a.b 1\nb: *a.b\n") == {"a": 1, "b": 1}
    line, _, message = error("a: &k key\n*k: value\n")
    assert line == 3 and "unidentified alias 'k:'" in message
    assert value("date: 2025-01-23\u2028*a00.Z\n") == {"date": "2025-01-23\u2028*a00.Z"}
