"""Hypothesis strategies for notes that stress the body scanner: fences of both kinds and
several lengths (closed, unclosed, with info strings), code spans of one to three
backticks, backslash escapes, HTML comments, `%%` comments, `$`/`$$` math, callouts,
nested and tab-indented lists (with fences in their items), tables and headings, with
`[[wikilinks]]` everywhere so a masking error shows as a link found or missed."""

from __future__ import annotations

from hypothesis import strategies as st

_NAMES = st.sampled_from(["a", "b", "Note", "x y", "c#h", "d|shown", "e#^id"])
WIKILINKS = _NAMES.map(lambda name: f"[[{name}]]")

_INLINE_PIECES = st.one_of(
    WIKILINKS,
    WIKILINKS.map(lambda link: "!" + link),
    st.sampled_from([
        "word", " ", " ", "  ", "\t", "`", "``", "```", "\\", "\\`", "\\[", "\\]", "\\\\",
        "\\$", "$", "$$", "$x$", "$ x$", "$5", "<!--", "-->", "<!-- c -->", "<!-->", "%%",
        "<b>", "</b>", "*", "_", "**", "~~", "[", "]", "(", ")", "|", "\\|", "#", "#tag",
        "<http://a.b>", "[t](u.md)", "&amp;", "^id", ":",
    ]),
    WIKILINKS.map(lambda link: f"`{link}`"),
    WIKILINKS.map(lambda link: f"`` {link} ``"),
    WIKILINKS.map(lambda link: f"${link}$"),
    WIKILINKS.map(lambda link: f"<!-- {link} -->"),
    WIKILINKS.map(lambda link: f"%% {link} %%"),
)
TEXT = st.lists(_INLINE_PIECES, min_size=1, max_size=8).map("".join)
_INDENTS = st.sampled_from(["", " ", "  ", "   ", "    ", "\t", "  \t", "      ", "\t\t"])


@st.composite
def _fence(draw: st.DrawFn) -> list[str]:
    char = draw(st.sampled_from("`~"))
    opening = char * draw(st.integers(3, 5))
    info = draw(st.sampled_from(["", "python", " js", "a`b", "[[a]]", "~"]))
    indent = draw(st.sampled_from(["", " ", "  ", "   "]))
    body = draw(st.lists(st.one_of(TEXT, st.just(""), _INDENTS.flatmap(
        lambda i: TEXT.map(lambda t: i + t))), max_size=4))
    close = draw(st.sampled_from(["same", "longer", "shorter", "other", "none", "info"]))
    closing = {"same": opening, "longer": opening + char, "shorter": opening[:-1],
               "other": ("~" if char == "`" else "`") * 3, "none": None,
               "info": opening + " x"}[close]
    lines = [indent + opening + info, *body]
    if closing is not None:
        lines.append(draw(st.sampled_from(["", " ", "   "])) + closing)
    return lines


@st.composite
def _list(draw: st.DrawFn) -> list[str]:
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        indent = draw(st.sampled_from(["", "  ", "    ", "\t", "\t\t", "   "]))
        marker = draw(st.sampled_from(["- ", "* ", "1. ", "2) ", "- [ ] "]))
        code = draw(st.sampled_from(["none", "none", "under", "on-marker"]))
        fence = draw(_fence()) if code != "none" else []
        # A fence in the item: at its content column (the marker's width past its
        # indent), up to four columns past it, or with a tab; or on the marker's line.
        pad = draw(st.sampled_from(["", " ", "   ", "    ", "\t"]))
        inside = indent + " " * len(marker) + pad if pad != "\t" else indent + "\t"
        if code == "on-marker":
            lines.append(indent + marker + fence[0].lstrip(" "))
            fence = fence[1:]
        else:
            lines.append(indent + marker + draw(TEXT))
        lines.extend(inside + line if line else line for line in fence)
        if draw(st.booleans()):
            lines.append(draw(_INDENTS) + draw(TEXT))
        if draw(st.booleans()):
            lines.append("")
    return lines


@st.composite
def _quote(draw: st.DrawFn) -> list[str]:
    head = draw(st.sampled_from(["> [!note]", "> [!tip]- Title [[a]]", ">", "> "]))
    inner = draw(st.lists(st.one_of(TEXT, _fence(), st.just("")).map(
        lambda x: x if isinstance(x, list) else [x]), min_size=1, max_size=3))
    prefix = draw(st.sampled_from(["> ", ">", "> > "]))
    return [head, *(prefix + line for block in inner for line in block)]


@st.composite
def _table(draw: st.DrawFn) -> list[str]:
    columns = draw(st.integers(1, 3))
    rows = [draw(st.lists(TEXT, min_size=columns, max_size=columns))
            for _ in range(draw(st.integers(1, 3)))]
    return ["| " + " | ".join(["h"] * columns) + " |", "|" + "---|" * columns,
            *("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
              for row in rows)]


_BLOCKS = st.one_of(
    TEXT.map(lambda t: [t]),
    st.tuples(TEXT, TEXT).map(list),
    st.tuples(st.sampled_from(["# ", "## ", "### ", "#", "    # "]), TEXT).map(
        lambda pair: ["".join(pair)]),
    st.tuples(TEXT, st.sampled_from(["===", "---", "-", "  ==="])).map(list),
    _fence(),
    st.tuples(_INDENTS, TEXT).map(lambda pair: ["".join(pair)]),
    _list(),
    _quote(),
    _table(),
    st.lists(TEXT, max_size=2).map(lambda body: ["$$", *body, "$$"]),
    st.lists(TEXT, max_size=2).map(lambda body: ["<!--", *body, "-->"]),
    st.lists(TEXT, max_size=2).map(lambda body: ["%%", *body, "%%"]),
    st.just([""]),
)


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A note's text: a handful of blocks, each followed by a blank line or not."""
    lines: list[str] = []
    for block in draw(st.lists(_BLOCKS, min_size=1, max_size=6)):
        lines.extend(block)
        if draw(st.booleans()):
            lines.append("")
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))
