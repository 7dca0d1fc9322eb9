"""Write blocks.json: the front-matter blocks that record.mjs asks js-yaml about.

usage: python tests/oracle/js_yaml/make_blocks.py

Each block is the YAML text between a note's `---` fences, as Obsidian hands it to its
YAML reader: the example vault's own blocks (which tests/seeds/ link to), then edge cases
by kind. `start` is, where known, the line of the block (1-based) where the problem
starts: the line yaml-syntax must point at. The output is deterministic, so a re-run that
changes blocks.json means the corpus changed and verdicts.json must be recorded again.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
if __name__ == "__main__":  # run as a script from a checkout: use its notewarden
    sys.path.insert(0, str(REPO / "src"))

from notewarden.parsing.front_matter import find_front_matter  # noqa: E402

BLOCKS: list[dict[str, Any]] = []


def add(kind: str, text: str, start: int | None = None) -> None:
    """One block; text gets a final newline, as a line before the closing fence has."""
    if not text.endswith(("\n", "\r")):
        text += "\r\n" if "\r\n" in text else "\n"
    entry: dict[str, Any] = {"id": f"{kind}-{sum(b['kind'] == kind for b in BLOCKS) + 1:03d}",
                             "kind": kind, "text": text}
    if start is not None:
        entry["start"] = start
    BLOCKS.append(entry)


def seeds() -> None:
    for path in sorted((REPO / "example-vault").rglob("*.md")):
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
        block, _ = find_front_matter(text)
        if block is not None:
            add("seed", block.yaml_text)


def generated_vault_style() -> None:
    # The shape of ../shared/bench/gen_vault.py's notes: the bench's everyday blocks.
    for i, (creator, tier) in enumerate([("Dwarkesh Patel", "paradigm"), ("Kenia", "signal"),
                                         ("Nathan Lambert", "noise")]):
        add("everyday", "\n".join([
            f"id: SRC-{i:06d}", f'title: "Note {i:05d} Scaling laws"', "platform: youtube",
            "format: video", f"creator: {creator}", f"date_published: 2025-0{i + 1}-1{i}",
            "status: processed", f'url: "https://www.youtube.com/watch?v=v{i:010d}"',
            "aliases:", f'  - "Note {i:05d} (alias)"', "teleology: synthesize", "guest: null",
            f"signal_tier: {tier}", "chain_relevance: Intelligence, Expertise",
            "integration_targets: CANON-30001", f"date_processed: 2026-01-0{i + 1}",
            "synopsis: \"It's about models; 'quotes' inside.\"", "key_insights:",
            '  - "First insight: models scale"', '  - "Second, with a comma"', "topics:",
            '  - "ai-engineering"', '  - "research"']))
    add("everyday", "aliases:\n  - On-the-job learning\ntags: [concept, ai/learning]\n"
        "related: [\"[[AI Scaling Limits]]\"]\ncssclasses: wide-page\npublish: true")
    add("everyday", "title: Daily note\ndate: 2025-12-23\ntags:\n  - daily\n  - journal\n"
        "mood: 7\nweather: sunny\nsleep: 7.5\nexercise: false\n")
    add("everyday", "title: Meeting with Ana\nattendees:\n  - \"[[Ana]]\"\n  - \"[[Bo]]\"\n"
        "start: 2025-12-23T10:00\nend: 2025-12-23T11:30\nproject: \"[[Apollo]]\"\n")
    add("everyday", "")
    add("everyday", "# only a comment\n")
    add("everyday", "title: Book\nauthor: Ursula K. Le Guin\nrating: 4.5\nread: 2024\n"
        "isbn: 978-0-441-00731-6\nseries: Hainish Cycle\n")


def duplicate_keys() -> None:
    add("duplicate-key", "title: A\ntags: [x]\ntitle: B", start=3)
    add("duplicate-key", "tags:\n  - a\nstatus: done\ntags:\n  - b", start=4)
    add("duplicate-key", "a: 1\na: 1", start=2)
    add("duplicate-key", "outer:\n  x: 1\n  y: 2\n  x: 3", start=4)
    add("duplicate-key", "\"title\": A\ntitle: B", start=2)
    add("duplicate-key", "'title': A\n\"title\": B", start=2)
    add("duplicate-key", "m: {a: 1, b: 2, a: 3}", start=1)
    add("duplicate-key", "list:\n  - name: x\n    name: y", start=3)
    add("duplicate-key", "Title: A\ntitle: B")  # case differs: two keys
    add("duplicate-key", "1: one\n\"1\": uno", start=2)
    add("duplicate-key", "true: yes\n\"true\": si", start=2)
    add("duplicate-key", "null: a\n~: b", start=2)
    add("duplicate-key", "1: a\n1.0: b", start=2)
    add("duplicate-key", "0x10: a\n16: b", start=2)
    add("duplicate-key", "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nf: 6\ng: 7\nh: 8\na: 9", start=9)
    add("duplicate-key", "base: &b {x: 1}\nmerged:\n  <<: *b\n  x: 2")  # merge then override
    add("duplicate-key", "k: a\nk : b", start=2)
    add("duplicate-key", "caf\u00e9: 1\ncafe\u0301: 2")  # NFC and NFD: different strings
    add("duplicate-key", "? a\n: 1\n? a\n: 2", start=3)
    add("duplicate-key", "[a, b]: 1\n\"a,b\": 2", start=2)
    add("duplicate-key", "tags: [a]\nTags: [b]\ntags: [c]", start=3)
    add("duplicate-key", "x:\n  y: 1\nx:\n  y: 2", start=3)
    add("duplicate-key", "<<: {a: 1}\na: 2")


def tabs() -> None:
    add("tab", "key:\tvalue")
    add("tab", "key:\t\tvalue\t")
    add("tab", "outer:\n\tinner: 1", start=2)
    add("tab", "tags:\n\t- a\n\t- b", start=2)
    add("tab", "tags:\n  -\ta\n  -\tb")
    add("tab", "title: a\tb")
    add("tab", "title: a\t# comment")
    add("tab", "title: \"a\tb\"")
    add("tab", "title: first\n\tsecond", start=2)
    add("tab", "text: |\n  line\n  \tindented")
    add("tab", "text: |\n\tline", start=2)
    add("tab", "key\t: value")
    add("tab", "\tkey: value", start=1)
    add("tab", "a: 1\n\t\nb: 2")
    add("tab", "outer:\n  inner:\n  \tdeep: 1", start=3)
    add("tab", "list: [a,\tb]")
    add("tab", "map: {a:\t1}")
    add("tab", "a: 1\t\nb: 2\t")
    add("tab", "- a\n-\tb")
    add("tab", "outer:\n  a: 1\n\tb: 2", start=3)
    add("tab", "tags:\n  -\tkey: 1\n   \tk2: 2")
    add("tab", "tags:\n  -\tkey: 1\n    k2: 2")
    add("tab", "text: |\n  a\n\t\n  b")
    add("tab", "text: |\n  a\n  \t\n  b")
    add("tab", "a: 1\n  \t\nb: 2")
    add("tab", "a:\n  - x\n\t\n  - y")
    add("tab", "a: 1\n \t \nb: 2")
    add("tab", "title: first\n\t\n  second")
    add("tab", "a: 1 \t\n\t\t\nb: 2")


def anchors_aliases() -> None:
    add("anchor", "base: &b value\ncopy: *b")
    add("anchor", "base: &b\n  x: 1\n  y: 2\ncopy: *b")
    add("anchor", "list:\n  - &i item\n  - *i")
    add("anchor", "copy: *missing", start=1)
    add("anchor", "a: &x 1\nb: &x 2\nc: *x")
    add("anchor", "base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  z: 3")
    add("anchor", "a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]")
    add("anchor", "a: &a 5\nc:\n  <<: *a", start=3)
    add("anchor", "*a : 1", start=1)
    add("anchor", "a: &k key\n*k : value")
    add("anchor", "a: &r [1, *r]")
    add("anchor", "a: & x")
    add("anchor", "a: &\u00e9 1\nb: *\u00e9")
    add("anchor", "a: !!str &x 1\nb: *x")
    add("anchor", "<<: {a: 1}\nb: 2")
    add("anchor", "x: &e\ny: *e")
    # Billion laughs, small enough for js-yaml (it shares aliased objects), too big for
    # notewarden's guard once expanded.
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 6):
        refs = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"l{level}: &l{level} [{refs}]")
    add("anchor", "\n".join(lines))
    add("anchor", "a: &a.b 1\nb: *a.b")
    add("anchor", "a: &k key\n*k: value", start=2)
    add("anchor", "date: 2025-01-23\u2028*a00.Z")


def flow() -> None:
    add("flow", "tags: [a, b]")
    add("flow", "tags: [a, b,]")
    add("flow", "tags: [a,, b]", start=1)
    add("flow", "tags: [,a]", start=1)
    add("flow", "m: {a: 1, b: 2}")
    add("flow", "m: {a: 1,}")
    add("flow", "m: {a: [1, 2], b: {c: d}}")
    add("flow", "tags: [\n  a,\n  b\n]")
    add("flow", "tags: [a:b]")
    add("flow", "tags: [a: b]")
    add("flow", "tags: [a, b", start=1)
    add("flow", "m: {a: 1", start=1)
    add("flow", "tags: [a, b\nnext: 1", start=1)
    add("flow", "link: [[Note]]")
    add("flow", "link: [[Note|Alias]]")
    add("flow", "link: [[Note#Heading]]")
    add("flow", "links:\n  - [[A]]\n  - [[B]]")
    add("flow", "link: \"[[Note]]\"")
    add("flow", "links: [\"[[A]]\", \"[[B]]\"]")
    add("flow", "m: {a, b}")
    add("flow", "list:\n  - {a: 1}\n  - [x]")
    add("flow", "tags: [a] extra", start=1)
    add("flow", "m: {a: 1} extra", start=1)
    add("flow", "tags: []\nm: {}")
    add("flow", "tags: [ \"a b\", 'c d' ]")
    add("flow", "tags: [a b, c d]")
    add("flow", "tags: [a\nb]")
    add("flow", "tags: [a, [b, [c, [d]]]]")
    add("flow", "m: {\"a\":1}")
    add("flow", "m: {a:1}")
    add("flow", "tags: [a]]", start=1)
    add("flow", "tags: [a}", start=1)
    add("flow", "m: {? a : 1}")
    add("flow", "tags: [-a, -b]")
    add("flow", "tags: [- a]", start=1)
    add("flow", "link: [[Note]] and more", start=1)
    add("flow", "tags: [a,\nb]")
    add("flow", "tags: [\na,\nb\n]")
    add("flow", "tags: [a\n  b]")
    add("flow", "m: {a: 1,\nb: 2}")
    add("flow", "outer:\n  tags: [a,\n  b]")
    add("flow", "outer:\n  tags: [a,\n b]")
    add("flow", "outer:\n  tags: [a\n   b]")
    add("flow", "outer:\n  tags: [a\n  b]")
    add("flow", "tags: [\"a\nb\"]")
    add("flow", "- [a\nb]")
    add("flow", "tags: [a, b\n]")
    add("flow", "tags: [a, b\n  ]")


def hash_tags() -> None:
    add("hash", "tags: [#tag]", start=1)
    add("hash", "tags: [ #tag ]", start=1)
    add("hash", "tags: [a, #b]", start=1)
    add("hash", "tags: [a,#b]")
    add("hash", "tags: #tag")
    add("hash", "tags:\n  - #tag\n  - ok")
    add("hash", "tags: \"#tag\"")
    add("hash", "tags: a#b")
    add("hash", "tags: [\"#a\", \"#b\"]")
    add("hash", "tags: #a, #b")
    add("hash", "tags: a #b")
    add("hash", "tags:\n  - \"#a\"\n  - b#c")
    add("hash", "#tags: [a]\ntitle: x")
    add("hash", "tags: [a] # comment")
    add("hash", "title: C# in depth")
    add("hash", "color: #ff0000")


def quotes() -> None:
    add("quote", "title: \"abc", start=1)
    add("quote", "title: 'abc", start=1)
    add("quote", "title: \"abc\ntags: [a]\nstatus: done", start=1)
    add("quote", "a: 1\nb: 2\ntitle: 'it''s\nc: 3\nd: 4", start=3)
    add("quote", "title: \"first\n  second\"")
    add("quote", "title: 'first\n  second'")
    add("quote", "title: \"it's\"")
    add("quote", "title: 'it''s'")
    add("quote", "title: 'it's'", start=1)
    add("quote", "title: \"a \\\" b\"")
    add("quote", "title: \"a \\q b\"", start=1)
    add("quote", "title: \"\\x41\\u00e9\\U0001F600\"")
    add("quote", "title: \"\\x4\"", start=1)
    add("quote", "title: \"tab\\there\\nnewline\"")
    add("quote", "title: 'a\\nb'")
    add("quote", "tags:\n  - \"a\n  - b", start=2)
    add("quote", "tags: [\"a, b]", start=1)
    add("quote", "title: a \"b\" c")
    add("quote", "title: \"a\" b", start=1)
    add("quote", "title: 'a' b", start=1)
    add("quote", "title: \"\"")
    add("quote", "title: ''")
    add("quote", "\"title: x", start=1)
    add("quote", "title: \"Dwarkesh: \"What\" next\"", start=1)
    add("quote", "title: \"ends with backslash\\\"", start=1)
    add("quote", "title: \"first\n\n  third\"")
    add("quote", "title: \"x\"\nbody: \"unclosed\nmore: 1\nyet: 2", start=2)
    add("quote", "title: \u201csmart quotes\u201d")
    add("quote", "title: \"a\\\nb\"")
    add("quote", "path: \"C:\\Users\\me\"", start=1)
    add("quote", "path: 'C:\\Users\\me'")
    add("quote", "path: C:\\Users\\me")
    add("quote", "regex: '^\\d+$'")
    add("quote", "title: 'first\nsecond'")
    add("quote", "title: \"first\nsecond\"")
    # js-yaml keeps the spaces that end a line inside a quoted value; YAML drops them.
    add("quote", "t: \"a \n  b\"")
    add("quote", "t: 'a  \n  b'")
    add("quote", "t: \"a \\\" \r\nb\"")
    add("quote", "t: \"a \n\n  b\"")
    add("quote", "t: \"a\t\n  b\"\nu: x ")
    add("quote", "t: \"a\\ \n  b\"")


def numbers() -> None:
    for value in ["1.10", "1.0", "01", "007", "0o17", "0o19", "0x1F", "0X1F", "0xGG", "0b101",
                  "0b102", "1_000", "1_000.5", "_1", "1_", "1__0", "+1", "-1", "+0", "-0",
                  "+.5", "-.5", ".5", "5.", "1e3", "1E3", "1.5e-3", "1e+3", "1e", "e3",
                  ".inf", "-.inf", "+.inf", ".Inf", ".INF", ".NaN", ".nan", ".NAN", "-.nan",
                  "1.2.3", "1,000", "1:30", "190:20:30", "12345678901234567890", "0x_1F",
                  "+0x1F", "-0x1F", "-0o7", "0.1e1_0", "3.14", "2.0", "v1.0", "1/2", "½",
                  "١٢٣", "0.", ".", "-", "+", "0e0", "-0.0", "1e400", "0x", "0o", "0b",
                  "00", "09", "1.5E3", "6.02e23", "1_000_000"]:
        add("number", f"value: {value}")
    add("number", "values: [1, 1.5, -2, 0x10, .inf, 1_0]")
    add("number", "rating: 4.5\ncount: 12\nversion: 2.10\nzip: 02134")


def dates() -> None:
    for value in ["2025-12-23", "2025-1-5", "2025-12-23T10:00:00Z", "2025-12-23 10:00:00",
                  "2025-12-23T10:00", "2025-12-23T10:00:00+02:00", "2025-12-23T10:00:00.123Z",
                  "2025-12-23 10:00:00 +2", "2025-02-30", "2025-13-01", "20251223",
                  "2025/12/23", "Dec 23, 2025", "\"2025-12-23\"", "2025-12-23t10:00:00z",
                  "2025-12-23T10:00:00.123456789Z", "10:30", "1999-12-31T23:59:60Z",
                  "2025-12-23T1:00:00Z", "2025-12-23   10:00:00", "2025-12-23T10:00:00 Z",
                  "2025-12-23T10:00:00-05", "0001-01-01", "9999-12-31", "2025-12-23T25:00:00Z",
                  "2025-12-23T10:00:00.Z", "2025-12", "2025"]:
        add("date", f"date: {value}")
    add("date", "2025-12-23: diary\n2025-12-24: more")
    add("date", "dates: [2025-12-23, 2025-12-24T10:00:00Z]")
    add("date", "created: 2025-12-23\nmodified: 2025-12-24T08:30:00Z\ndue: \"2026-01-01\"")


def booleans() -> None:
    for value in ["yes", "no", "Yes", "NO", "on", "off", "ON", "Off", "y", "n", "Y", "N",
                  "true", "True", "TRUE", "false", "False", "FALSE", "tRue", "\"true\"",
                  "'false'", "t", "f", "1"]:
        add("bool", f"draft: {value}")
    add("bool", "flags: [yes, no, true, false, on, off]")


def nulls() -> None:
    for value in ["~", "null", "Null", "NULL", "", "nUll", "None", "nil", "\"null\"", "'~'",
                  "~ # comment", "null # comment", "!!null ''", "!!null x"]:
        add("null", f"guest: {value}".rstrip() if value == "" else f"guest: {value}")
    add("null", "list:\n  -\n  - ~\n  - null")
    add("null", "list: [~, null, ]")
    add("null", "a:\nb:\nc:")
    add("null", "~: tilde key")
    add("null", "? ~\n: explicit")
    add("null", "~")
    add("null", "null # nothing")
    add("null", "&a")


def keys() -> None:
    for length in (1023, 1024, 1025, 2000):
        add("key", f"{'k' * length}: value")
    add("key", f"\"{'q' * 1100}\": value")
    add("key", f"short: {'v' * 10000}")
    add("key", "t\u00edtulo: Hola\n\u65e5\u672c\u8a9e: \u30c6\u30b9\u30c8\n"
        "\u041a\u043b\u044e\u0447: \u0437\u043d\u0430\u0447\u0435\u043d\u0438\u0435")
    add("key", "\U0001F680: rocket\n\U0001F468\u200d\U0001F469\u200d\U0001F467: family")
    add("key", "\u05e9\u05dc\u05d5\u05dd: \u05e2\u05d5\u05dc\u05dd")
    add("key", "zero\u200bwidth: x")
    add("key", "key:\u00a0value")
    add("key", "key\u00a0: value")
    add("key", "\u3000key: ideographic space")
    add("key", "\"\": empty key")
    add("key", ": no key", start=1)
    add("key", "\" \": space key")
    add("key", "key with spaces: v\nkey-with-dashes: v\nkey_with_underscores: v\nkey.with.dots: v")
    add("key", "key:value")
    add("key", "key :value")
    add("key", "1: one\n2: two")
    add("key", "true: t\nnull: n\n.inf: i\n1.0: f\n0x10: h\n1e3: e")
    add("key", "[a, b]: c")
    add("key", "{a: 1}: c")
    add("key", "? [a, [b]]\n: c")
    add("key", "? |\n  block key\n: v")
    add("key", "a:\n  " + "\n  ".join(f"k{i}: {i}" for i in range(500)))
    add("key", "\n".join(f"prop{i}: value {i}" for i in range(300)))
    add("key", "__proto__: x\nconstructor: y\ntoString: z")
    add("key", "- not\n- a mapping")
    add("key", "just a string")
    add("key", "42")
    add("key", "[a, b]")
    add("key", "- a\nb: 1", start=2)
    add("key", "a: 1\n- b", start=2)


def bom_crlf() -> None:
    add("bom", "\ufefftitle: with a BOM")
    add("bom", "title: BOM inside \ufeff value")
    add("bom", "a: 1\n\ufeffb: 2")
    add("bom", "\ufeff")
    add("bom", "\ufeffouter:\n  tags: [a\n  b]", start=3)
    add("crlf", "title: CRLF\r\ntags:\r\n  - a\r\n  - b\r\n")
    add("crlf", "title: \"multi\r\n  line\"\r\n")
    add("crlf", "text: |\r\n  one\r\n  two\r\nafter: 1\r\n")
    add("crlf", "text: >\r\n  one\r\n  two\r\n")
    add("crlf", "a: 1\r\nb: 2\nc: 3\r\n")
    add("crlf", "a: 1\rb: 2\n")  # a lone CR inside: a line break to YAML
    add("crlf", "title: \"unclosed\r\ntags: [a]\r\n", start=1)
    add("crlf", "a: 1\r\na: 2\r\n", start=2)
    add("crlf", "outer:\r\n\tinner: 1\r\n", start=2)
    add("crlf", "title: x\r\n\r\n\r\nafter: blank lines\r\n")


def control_characters() -> None:
    add("control", "title: \"a\x80b\"")
    add("control", "title: a\x80b")
    add("control", "title: ok # comment \x07")
    add("control", "title: a\x07b")
    add("control", "title: \"a\x07b\"")
    add("control", "title: a\x7fb")
    add("control", "title: \"a\x7fb\"")
    add("control", "title: 'a\x9fb'")
    add("control", "title: a\x85b")
    add("control", "title: a\u2028b")
    add("control", "title: a\u2029b")
    add("control", "title: \"a\u2028b\"")
    add("control", "title: \"a\x1bb\"")
    add("control", "title: \"a\\x1bb\"")
    add("control", "# \x80 in a comment\ntitle: x")
    add("control", "title: a\ufffeb")
    add("control", "title: a\x0cb")
    add("control", "title: \"mojibake \u00c3\u0083\u00c2\u00a9\"")
    add("control", "text: |\n  a\x80b")
    add("control", "title: x\x0b")
    # Found by mutating this corpus against js-yaml: line breaks to libyaml only.
    add("control", "a: 1\u2028b: 2", start=1)
    add("control", "# comment\u2028title: x")
    add("control", "tags: [a] \u2028# comment", start=1)
    add("control", "\u2028key: Null")
    add("control", "draft: F}alse\u2028")
    add("control", "title: a\x85b: c", start=1)
    add("control", "tags: \u2028*a#a, #b")
    add("control", "#title: a\x07b")
    add("control", "# only a comment \ufffe")
    add("control", f"{'k' * 1030}\ufeffk: value")


def structure() -> None:
    add("structure", "text: |\n  line one\n  line two\n")
    add("structure", "text: >\n  folded\n  lines\n\n  para\n")
    add("structure", "text: |-\n  strip\n")
    add("structure", "text: |+\n  keep\n\n")
    add("structure", "text: >2\n   indented\n")
    add("structure", "text: |0\n  x", start=1)
    add("structure", "text: |\n    deeper\n  less\n")
    add("structure", "text: |\nno indent")
    add("structure", "a:\n  b: 1\n c: 2", start=3)
    add("structure", "a: 1\n  b: 2", start=2)
    add("structure", "a:\n    - x\n  - y", start=3)
    add("structure", "tags:\n- a\n- b")
    add("structure", "tags:\n  - a\n   - b")
    add("structure", "tags:\n   - a\n  - b", start=3)
    add("structure", "nested:\n  - - a\n    - b\n  - - c")
    deep = "".join("  " * level + f"l{level}:\n" for level in range(1, 40))
    add("structure", "a:\n" + deep + "  " * 40 + "end: 1")
    add("structure", "deep: " + "[" * 60 + "]" * 60)
    add("structure", "title: first\n  second\n  third")
    add("structure", "title: first\nsecond", start=2)
    add("structure", "title: first\n\n  after blank")
    add("structure", "title: Note: subtitle", start=1)
    add("structure", "url: http://example.com/a?b=c#d")
    add("structure", "time: 12:30")
    add("structure", "title: @user", start=1)
    add("structure", "title: `cmd`", start=1)
    add("structure", "title: %percent")
    add("structure", "title: *bold*", start=1)
    add("structure", "title: &x")
    add("structure", "title: !important")
    add("structure", "title: !!str 123")
    add("structure", "title: !!int '12'")
    add("structure", "title: !!int abc", start=1)
    add("structure", "title: !!float 1")
    add("structure", "title: !!bool yes", start=1)
    add("structure", "title: !!binary aGVsbG8=")
    add("structure", "title: !!timestamp 2025-12-23")
    add("structure", "s: !!set {a, b}")
    add("structure", "o: !!omap [a: 1, b: 2]")
    add("structure", "p: !!pairs [a: 1, a: 2]")
    add("structure", "title: !<tag:yaml.org,2002:str> x")
    add("structure", "title: !local x", start=1)
    add("structure", "title: |pipe", start=1)
    add("structure", "title: >quote", start=1)
    add("structure", "task: - [ ] todo", start=1)
    add("structure", "key: - item", start=1)
    add("structure", "title: a | b")
    add("structure", "title: -dash")
    add("structure", "title: - dash", start=1)
    add("structure", "title: ?q")
    add("structure", "title: ? q", start=1)
    add("structure", "title: ,comma")
    add("structure", "title: [bracket] text", start=1)
    add("structure", "title: {brace} text", start=1)
    add("structure", "title: value   ")
    add("structure", "a: 1\n...\n")
    add("structure", "a: 1\n...\nb: 2", start=3)
    add("structure", "a: 1\n--- b\n", start=2)
    # A directive needs a `---` line after it, which would close the front-matter.
    add("structure", "%YAML 1.2\na: 1")
    add("structure", "a: 1\n%YAML 1.2")
    add("structure", "%TAG !e! tag:example.com,2000:\na: !e!x 1")
    add("structure", "--- a: 1")
    add("structure", "--- a: 1\nb: 2", start=2)
    add("structure", "---title: x")
    add("structure", "---title: x\nb: 2", start=2)
    add("structure", "--- [a]")
    add("structure", "--- |\n  x")
    add("structure", "--- # comment\na: 1")
    add("structure", "a: 1\n---b: 2")
    add("structure", "emoji: \U0001F600\nmath: $x^2$\nhtml: <b>bold</b>\namp: a & b")
    add("structure", "aliases: [A, B]\ncssclasses: wide-page\npublish: true\npermalink: /x")
    add("structure", "title: 'single' # comment\nnext: \"double\" # comment")
    add("structure", "a: b: c", start=1)
    add("structure", "a:\n  b: 1\n  - c", start=3)
    add("structure", "? complex\n: value")
    add("structure", "?\n: empty explicit key")
    add("structure", "a:\n  # indented comment\n  b: 1\n# outdented comment\nc: 2")
    add("structure", "a: >-\n  folded\n  strip")
    add("structure", "title: 'unterminated block\n  more\n", start=1)
    add("structure", "list:\n- a\n  - b")
    add("structure", "description: Some text with: a colon", start=1)
    add("structure", "description: text with a trailing colon:")
    add("structure", "description: \"text with: colon\"")
    add("structure", "a:   \n  b")


def corpus() -> list[dict[str, Any]]:
    """Every block, in order: what blocks.json must hold."""
    BLOCKS.clear()
    for kind in (seeds, generated_vault_style, duplicate_keys, tabs, anchors_aliases, flow,
                 hash_tags, quotes, numbers, dates, booleans, nulls, keys, bom_crlf,
                 control_characters, structure):
        kind()
    for block in BLOCKS:  # each block must come back whole from a note's fences
        newline = "\r\n" if "\r\n" in block["text"] else "\n"
        found, _ = find_front_matter(f"---{newline}{block['text']}---{newline}")
        assert found is not None and found.yaml_text == block["text"], block["id"]
    return list(BLOCKS)


def main() -> None:
    blocks = corpus()
    out = HERE / "blocks.json"
    out.write_text(json.dumps(blocks, indent=1, ensure_ascii=True) + "\n", encoding="utf-8")
    print(f"{len(blocks)} blocks written to {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
