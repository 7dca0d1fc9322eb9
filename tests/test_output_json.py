"""JSON output's encoder (output.json_text): orjson, held to the standard library's
json.dumps as an oracle, and the byte-level search for the characters it must still escape
held to the character class it stands for."""

from __future__ import annotations

import json

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from notewarden.output import _JSON_UNESCAPED, _UNESCAPED_UTF8, json_text

# Text without lone surrogates (those take json.dumps' path; see json_text), weighted
# towards the characters that need escaping.
_SPECIAL = st.sampled_from([*map(chr, range(0x20)), *map(chr, range(0x7F, 0xA0)), "\u2028",
                            "\u2029", *map(chr, range(0x202A, 0x202F)),
                            *map(chr, range(0x2066, 0x206A)), '"', "\\", "é", "—", "€", "😀"])
_TEXT = st.lists(st.one_of(_SPECIAL, st.characters(blacklist_categories=["Cs"])),
                 max_size=12).map("".join)
_PAYLOAD = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), _TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(_TEXT, inner, max_size=4)),
    max_leaves=12)
# Generating nested payloads is slow (2,000 took 17 s): fewer, each with a dozen strings.
_PAYLOADS = settings(max_examples=300)


@_PAYLOADS
@given(_PAYLOAD)
def test_orjson_writes_what_json_dumps_writes(payload: object) -> None:
    expected = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    assert orjson.dumps(payload) == expected.encode("utf-8")


@given(_TEXT)
def test_the_byte_search_finds_exactly_the_characters_to_escape(text: str) -> None:
    data = text.encode("utf-8")
    assert any(p.search(data) for p in _UNESCAPED_UTF8) == bool(_JSON_UNESCAPED.search(text))


@_PAYLOADS
@given(_PAYLOAD)
def test_json_text_is_one_line_of_the_same_values(payload: object) -> None:
    text = json_text(payload)
    assert json.loads(text) == payload
    assert not _JSON_UNESCAPED.search(text) and "\n" not in text and "\r" not in text


def test_what_orjson_refuses_is_written_by_json_dumps() -> None:
    # Undecodable file-name bytes (lone surrogates) and integers past 64 bits.
    assert json_text({"path": "caf\udce9.md"}) == '{"path":"caf\\udce9.md"}'
    assert json.loads(json_text([2**70, "é"])) == [2**70, "é"]


def test_every_escaped_character_is_escaped() -> None:
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    text = json_text({"s": every})
    assert json.loads(text) == {"s": every}
    for char in ("\x7f", "\x85", "\x9f", "\u2028", "\u2029", "\u202e", "\u2066", "\u2069"):
        assert char not in text and f"\\u{ord(char):04x}" in text
