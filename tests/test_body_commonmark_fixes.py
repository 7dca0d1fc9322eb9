"""One regression test for each disagreement with CommonMark that the oracle
(tests/test_commonmark_oracle.py) found in the body scanner and that was fixed. Links are
checked in a real vault: a `[[Missing]]` link is reported broken where CommonMark reads it
as prose, and is not where it is code. Headings are read with the note parser."""

from __future__ import annotations

from pathlib import Path

from notewarden.parsing.note import parse_note
from tests.helpers import check_json, findings_of, lint, make_vault


def broken(tmp_path: Path, text: str) -> list[tuple[int, int]]:
    """(line, column) of each broken link reported in a note of the given text."""
    vault = make_vault(tmp_path / "vault", {"Note.md": text})
    return [(f.line, f.column) for f in lint(vault, select=("broken-link",))]


def headings(text: str) -> list[tuple[int, str, int]]:
    return [tuple(h) for h in parse_note("Note.md", text.encode()).headings]


# --- escapes ------------------------------------------------------------------------


def test_an_escaped_backtick_opens_no_code_span(tmp_path: Path) -> None:
    assert broken(tmp_path, "a \\` b [[Missing]] ` c\n") == [(1, 8)]


def test_a_backtick_after_an_escaped_backslash_still_opens_one(tmp_path: Path) -> None:
    assert broken(tmp_path, "a \\\\` b [[Missing]] ` c\n") == []


def test_an_escaped_bracket_makes_no_wikilink(tmp_path: Path) -> None:
    assert broken(tmp_path, "\\[[Missing]]\n") == []
    assert broken(tmp_path, "\\\\[[Missing]]\n") == [(1, 3)]


def test_math_after_an_escaped_backslash_is_math(tmp_path: Path) -> None:
    assert broken(tmp_path, "\\\\$[[Missing]]$\n") == []


def test_an_unpaired_backtick_run_is_literal_all_of_it(tmp_path: Path) -> None:
    # The `` after the escaped backslash pairs with nothing: its second backtick must not
    # open a one-backtick span that closes at the last backtick.
    assert broken(tmp_path, "\\\\`` [[Missing]] ```x`\n") == [(1, 6)]


# --- unclosed constructs used to hide every link after them --------------------------


def test_an_unclosed_inline_comment_hides_nothing(tmp_path: Path) -> None:
    assert broken(tmp_path, "type <!-- to open a comment\n\n[[Missing]]\n") == [(3, 1)]


def test_an_unclosed_double_dollar_hides_nothing(tmp_path: Path) -> None:
    assert broken(tmp_path, "costs $$ here\n\n[[Missing]]\n") == [(3, 1)]
    assert broken(tmp_path, "$$\nx\n\n[[Missing]]\n") == [(4, 1)]


def test_a_comment_at_a_line_start_still_runs_to_its_end(tmp_path: Path) -> None:
    assert broken(tmp_path, "<!--\n\n[[Missing]]\n") == []


def test_an_unclosed_fence_in_a_list_item_ends_with_the_item(tmp_path: Path) -> None:
    text = "- a\n  ```\n  [[Missing]]\n- [[Missing]]\n"
    assert broken(tmp_path, text) == [(4, 3)]


def test_a_closed_fence_indented_at_the_top_level_keeps_its_prose_lines(
        tmp_path: Path) -> None:
    assert broken(tmp_path, "  ```\n[[Missing]]\n  ```\n") == []


# --- what is a fence, a comment, indented code ----------------------------------------


def test_a_backtick_fence_takes_no_backtick_in_its_info_string(tmp_path: Path) -> None:
    # ``` a ``` is a code span in a paragraph, not a fence that runs to the end.
    assert broken(tmp_path, "``` a ```\n[[Missing]]\n") == [(2, 1)]
    assert broken(tmp_path, "~~~ a ```\n[[Missing]]\n") == []


def test_the_short_comments_close_at_once(tmp_path: Path) -> None:
    assert broken(tmp_path, "x <!--> [[Missing]] -->\n") == [(1, 9)]
    assert broken(tmp_path, "x <!---> [[Missing]] -->\n") == [(1, 10)]


def test_a_comment_opened_at_a_line_start_masks_the_rest_of_its_line(
        tmp_path: Path) -> None:
    # The line is an HTML block: its backtick pairs with none on the next line.
    assert broken(tmp_path, "<!-- c -->`\n[[Missing]]`\n") == [(2, 1)]


def test_two_spaces_and_a_tab_indent_code(tmp_path: Path) -> None:
    assert broken(tmp_path, "  \t[[Missing]]\n") == []


def test_indented_code_may_follow_a_math_block_or_a_setext_heading(
        tmp_path: Path) -> None:
    assert broken(tmp_path, "$$\nx\n$$\n    [[Missing]]\n") == []
    assert broken(tmp_path, "Title\n===\n    [[Missing]]\n") == []
    # With no text above it, `===` is a paragraph, and the indented line continues it.
    assert broken(tmp_path, "\n===\n    [[Missing]]\n") == [(3, 5)]


# --- code spans stay in their paragraph ----------------------------------------------


def test_a_code_span_does_not_cross_into_the_next_list_item(tmp_path: Path) -> None:
    assert broken(tmp_path, "- `one\n- [[Missing]]`\n") == [(2, 3)]


def test_a_code_span_does_not_cross_a_setext_underline(tmp_path: Path) -> None:
    assert broken(tmp_path, "`Foo\n----\n[[Missing]]`\n") == [(3, 1)]
    assert headings("`Foo\n----\n`\n") == [(2, "`Foo", 1)]


def test_a_code_span_does_not_cross_into_a_comment_or_a_table_row(tmp_path: Path) -> None:
    assert broken(tmp_path, "`a\n<!-- c -->\n[[Missing]]`\n") == [(3, 1)]
    assert broken(tmp_path, "`a\n| [[Missing]]` |\n") == [(2, 3)]


def test_a_code_span_opened_in_an_atx_heading_ends_with_its_line(tmp_path: Path) -> None:
    # A heading is one line: its unpaired backtick pairs with nothing on a later line,
    # in a quote or list item too; a pair on the heading's own line is still a code span.
    assert broken(tmp_path, "# Title `x\n[[Missing]] `\n") == [(2, 1)]
    assert broken(tmp_path, "> ## Title `x\n> [[Missing]] `\n") == [(2, 3)]
    assert broken(tmp_path, "- # Title `x\n  [[Missing]] `\n") == [(2, 3)]
    assert broken(tmp_path, "# `[[Missing]]` and `x\ny`\n") == []


# --- headings -----------------------------------------------------------------------


def test_an_atx_heading_of_closing_hashes_only_is_empty() -> None:
    assert headings("### ###\n## Real ##\n") == [(2, "Real", 2)]


def test_a_fences_closing_line_is_not_a_setext_heading() -> None:
    assert headings("```\ncode\n```\n-\n") == []


def test_a_setext_heading_may_start_with_a_hash_that_is_no_heading() -> None:
    assert headings("#tag\n===\n") == [(1, "#tag", 1)]
    assert headings("`[[a]]`\n===\n") == [(1, "`[[a]]`", 1)]


def test_a_fence_closes_only_with_its_own_character(tmp_path: Path) -> None:
    assert broken(tmp_path, "```\n```~\n[[Missing]]\n```\n[[Missing]]\n") == [(5, 1)]


def test_a_line_of_one_html_tag_is_no_setext_heading() -> None:
    assert headings("<b>\n===\n") == []
    assert headings("<b>bold</b>\n===\n") == [(1, "<b>bold</b>", 1)]


def test_an_inline_comment_does_not_run_into_a_comment_block(tmp_path: Path) -> None:
    assert broken(tmp_path, "a <!--\n[[Missing]]\n<!-- c -->\n") == [(2, 1)]


def test_indented_lines_after_a_paragraph_of_backticks_continue_it(tmp_path: Path) -> None:
    # "```a`b" is no fence (a backtick in its info string): the next line continues it.
    assert broken(tmp_path, "```a`b\n    [[Missing]]\n") == [(2, 5)]
    # `===` under an HTML comment underlines nothing: the indented line continues it.
    assert broken(tmp_path, "<!-- c -->\n===\n    [[Missing]]\n") == [(3, 5)]


# --- fences and comment blocks inside blockquotes and callouts -----------------------
# A quote's content is the line after `>` and one optional space; a fence or comment
# block in it runs to its close or to the quote's end (CommonMark 0.31.2, 'Block quotes').


def test_a_fence_in_a_callout_is_code(tmp_path: Path) -> None:
    # The code line's own ``` would pair with the opening one as a code span: it does not.
    text = "> [!example]\n> ```python\n> a ``` b [[Missing]]\n> ```\n"
    assert broken(tmp_path, text) == []


def test_a_link_after_the_fence_in_the_callout_is_found(tmp_path: Path) -> None:
    text = '> [!example]\n> ```python\n> x = "[[Missing]]"\n> ```\n> after: [[Missing]]\n'
    assert broken(tmp_path, text) == [(5, 10)]


def test_a_fence_in_a_nested_quote_is_code(tmp_path: Path) -> None:
    text = "> [!note]\n> > ~~~\n> > [[Missing]]\n> > ~~~\n> > [[Missing]]\n> [[Missing]]\n"
    assert broken(tmp_path, text) == [(5, 5), (6, 3)]


def test_a_tilde_fence_in_a_quote_is_code(tmp_path: Path) -> None:
    assert broken(tmp_path, "> ~~~\n> [[Missing]]\n> ~~~\n[[Missing]]\n") == [(4, 1)]


def test_an_unclosed_fence_in_a_quote_ends_with_the_quote(tmp_path: Path) -> None:
    # A fence is never continued lazily: the line without `>` is outside the quote.
    assert broken(tmp_path, "> ```\n> [[Missing]]\n[[Missing]]\n") == [(3, 1)]
    assert broken(tmp_path, "> > ```\n> > [[Missing]]\n> [[Missing]]\n") == [(3, 3)]


def test_a_comment_block_in_a_quote_hides_its_lines_to_the_quotes_end(tmp_path: Path) -> None:
    assert broken(tmp_path, "> <!--\n> [[Missing]]\n\n[[Missing]]\n") == [(4, 1)]
    assert broken(tmp_path, "> <!-- a\n> [[Missing]] -->\n> [[Missing]]\n") == [(3, 3)]


def test_a_code_span_in_a_callout_closes_on_a_lazy_continuation_line(
        tmp_path: Path) -> None:
    # The callout holds ``` (so its content is scanned on its own): its last paragraph
    # still runs on to the lazy line below, where the span opened on line 3 closes.
    text = "> [!note]\n> `[[Missing]]``` [[Missing]] ``\n`[[Missing]]``\n"
    assert broken(tmp_path, text) == [(3, 2)]
    # After a fence left open, the next line is no continuation: the quote ends there.
    assert broken(tmp_path, "> ```\n> a\nb `[[Missing]]`\n[[Missing]]\n") == [(4, 1)]


def test_quote_lines_inside_a_fence_are_code_not_a_quote(tmp_path: Path) -> None:
    text = "```\n> ```\n> [[Missing]]\n```\n> [[Missing]]\n"
    assert broken(tmp_path, text) == [(5, 3)]


def test_a_callouts_code_through_the_console_script(tmp_path: Path) -> None:
    """The installed script on a real vault: a broken-looking link in a callout's code is
    not reported; a real broken link after the code, in the same callout, is."""
    vault = make_vault(tmp_path / "vault", {
        "Note.md": "# Note\n\n> [!example] Usage\n> ~~~markdown\n> See [[Not a link]].\n"
                   "> ~~~\n> And [[Really missing]].\n",
    })
    found = [(f["path"], f["line"]) for f in findings_of("broken-link", check_json(vault))]
    assert found == [("Note.md", 7)]


def test_quotes_nested_past_the_depth_limit_are_parsed_without_recursing_on() -> None:
    # Each depth of `>` is scanned again; past 20 (markdown-it-py's nesting limit) not:
    # a line of thousands of `>` must neither exhaust the stack nor cost its square.
    text = (">" * 5000 + " ```\n") * 3 + "[[a]]\n"
    note = parse_note("Note.md", text.encode())
    assert [link.target for link in note.links] == ["a"]


# --- fenced code inside list items ---------------------------------------------------
# A fence belongs to the item whose content column it sits at (up to three columns past
# it), often four or more spaces from the line's start; it ends at its closing fence or
# where the item ends (CommonMark 0.31.2, 'List items' and 'Fenced code blocks').


def test_a_fence_under_a_numbered_item_indented_four_spaces_is_code(tmp_path: Path) -> None:
    # (A blank line in the code: its backticks pair up as no code span across it.)
    text = ('1. Install:\n    ```bash\n    echo "[[Missing]]"\n\n    echo\n    ```\n'
            "2. Then [[Missing]]\n")
    assert broken(tmp_path, text) == [(7, 9)]


def test_a_fence_in_a_nested_item_at_its_content_column_is_code(tmp_path: Path) -> None:
    text = ("- a\n    - b\n      ```\n      x = 1\n\n      [[Missing]]\n      ```\n"
            "    - [[Missing]]\n")
    assert broken(tmp_path, text) == [(8, 7)]


def test_a_tab_indented_fence_in_an_item_is_code(tmp_path: Path) -> None:
    # The tab runs to column 4: two columns past the content column of `- `.
    assert broken(tmp_path, "- a\n\t~~~\n\t[[Missing]]\n\t~~~\n- [[Missing]]\n") == [(5, 3)]
    # Columns, not characters: `   \t ` is five columns, the content column of `   - `.
    text = "   - a\n   \t ~~~\n   \t [[Missing]]\n   \t ~~~\n   - [[Missing]]\n"
    assert broken(tmp_path, text) == [(5, 6)]


def test_a_tilde_fence_in_an_item_after_a_blank_line_is_code(tmp_path: Path) -> None:
    text = "1.  foo\n\n    ~~~\n    [[Missing]]\n    ~~~\n\n    [[Missing]]\n"
    assert broken(tmp_path, text) == [(7, 5)]


def test_a_fence_opened_on_the_marker_line_is_code(tmp_path: Path) -> None:
    assert broken(tmp_path, "- ```js\n  [[Missing]]\n  ```\n- [[Missing]]\n") == [(4, 3)]


def test_an_unclosed_fence_in_an_item_ends_where_the_item_ends(tmp_path: Path) -> None:
    # A line indented less than the content column is not in the item: the fence ends.
    text = "- a\n    ```\n    [[Missing]]\nafter [[Missing]]\n"
    assert broken(tmp_path, text) == [(4, 7)]


def test_list_item_code_through_the_console_script(tmp_path: Path) -> None:
    """The installed script on a real vault: a broken-looking link in a list item's
    fenced code is not reported; a real broken link in the next item is."""
    vault = make_vault(tmp_path / "vault", {
        "Note.md": '# Note\n\n1. Install:\n    ```bash\n    echo "[[Not a link]]"\n'
                   "    ```\n2. Then [[Really missing]]\n",
    })
    found = [(f["path"], f["line"]) for f in findings_of("broken-link", check_json(vault))]
    assert found == [("Note.md", 7)]


# --- indented code in blockquotes and callouts --------------------------------------


def test_indented_code_in_a_callout_hides_its_link(tmp_path: Path) -> None:
    assert broken(tmp_path, "> [!note]\n>\n>     [[Missing]]\n") == []


def test_a_link_in_the_quote_paragraph_after_indented_code_is_found(tmp_path: Path) -> None:
    assert broken(tmp_path, "> [!note]\n>\n>     code\n>\n> see [[Missing]]\n") == [(5, 7)]


def test_an_indented_line_continuing_a_quote_paragraph_is_not_code(tmp_path: Path) -> None:
    assert broken(tmp_path, "> text\n>     [[Missing]]\n") == [(2, 7)]


def test_a_tab_after_the_quote_marker_counts_its_columns(tmp_path: Path) -> None:
    # `>\t`: the optional space takes one of the tab's three columns, two are left.
    assert broken(tmp_path, ">\t[[Missing]]\n") == [(1, 3)]
    assert broken(tmp_path, ">\t\t[[Missing]]\n") == []


def test_an_indented_line_after_a_quote_ending_in_code_is_code(tmp_path: Path) -> None:
    # No paragraph is open for it to continue lazily: the quote ends, code starts.
    assert broken(tmp_path, ">     code\n    [[Missing]]\n") == []


# --- indented code in and after list items ------------------------------------------


def test_indented_code_in_a_list_item_hides_its_link(tmp_path: Path) -> None:
    # Four columns past the item's content column (2 for `- `, 3 for `1. `), after a
    # blank line: code (CommonMark examples 270 and 254).
    assert broken(tmp_path, "- step\n\n      [[Missing]]\n") == []
    assert broken(tmp_path, "1. step\n\n       [[Missing]]\n") == []
    assert broken(tmp_path, "- step\n\n\t\t[[Missing]]\n") == []


def test_a_list_item_can_open_with_indented_code(tmp_path: Path) -> None:
    # Five or more columns after the marker (examples 7 and 273).
    assert broken(tmp_path, "-\t\t[[Missing]]\n") == []
    assert broken(tmp_path, "1.     code\n\n   text\n\n       [[Missing]] more\n") == []


def test_the_item_text_after_its_indented_code_is_prose(tmp_path: Path) -> None:
    text = "1.     code [[Missing]]\n\n   text [[Missing]]\n\n       more code\n"
    assert broken(tmp_path, text) == [(3, 9)]
    # With no other indented line or tab in the note, code on the marker's line after
    # spaces is not looked for (differences.py, indented-code-in-list-items).
    assert broken(tmp_path, "1.     code [[Missing]]\n") == [(1, 13)]


def test_an_indented_line_that_goes_on_an_item_paragraph_is_prose(tmp_path: Path) -> None:
    assert broken(tmp_path, "- step\n      [[Missing]]\n") == [(2, 7)]
    # Two columns past the content column, after a blank line: the item's paragraph.
    assert broken(tmp_path, "- step\n\n    [[Missing]]\n") == [(3, 5)]


def test_indented_code_just_after_a_list_item_hides_its_link(tmp_path: Path) -> None:
    # Less indented than the item's content column (6 for ` -    `), after a blank
    # line: top-level code, not the item's continuation (examples 257 and 313).
    assert broken(tmp_path, " -    one\n\n     [[Missing]]\n") == []
    assert broken(tmp_path, "1. a\n\n  2. b\n\n    3. [[Missing]]\n") == []
    # `2)` cannot interrupt the paragraph above it, so it opens no item.
    assert broken(tmp_path, "a\n2) b\n\n    - [[Missing]]\n") == []


def test_a_fence_indented_by_a_tab_is_no_fence(tmp_path: Path) -> None:
    # A tab is four columns: the line continues the paragraph, and its ``` opens nothing
    # that hides the link after it.
    assert broken(tmp_path, "```a`b\n\t```[[Missing]]\n```\n") == [(2, 5)]


def test_an_inline_comment_ends_with_its_paragraph(tmp_path: Path) -> None:
    # A heading or a fence interrupts the paragraph: the `-->` after it closes nothing
    # opened before it, so neither the heading nor a link after the fence is hidden.
    assert headings("a <!--\n# b -->\n") == [(1, "b -->", 2)]
    assert broken(tmp_path, "a <!--\n```\nb -->\n```\n[[Missing]]\n") == [(5, 1)]


def test_a_top_level_fence_does_not_end_at_a_list_item(tmp_path: Path) -> None:
    # Indented by one space, but in no list item: it runs to its closing fence.
    assert broken(tmp_path, "a\n ```\n- [[Missing]]\n ```\n[[Missing]]\n") == [(5, 1)]


def test_a_nested_line_after_a_lazy_one_is_prose(tmp_path: Path) -> None:
    # ` b` goes on the item's paragraph lazily; after the blank line, `    - ...` is a list
    # nested in the item (two columns past its content column), not code.
    assert broken(tmp_path, "- a\n b\n\n    - [[Missing]]\n") == [(4, 7)]


def test_a_marker_four_columns_past_a_paragraph_is_its_text(tmp_path: Path) -> None:
    # `    - ` under a paragraph line goes on the paragraph (no item, no code), so the
    # backtick above pairs with the first one on it: the link after that is prose.
    assert broken(tmp_path, "`\n    - `[[Missing]]`\n") == [(2, 8)]
    # The same four columns past a list item's content column.
    assert broken(tmp_path, "- a `x\n      - b` [[Missing]] `c`\n") == [(2, 12)]
    # A nested item (two columns past) is an item: the code span does not reach it.
    assert broken(tmp_path, "- a `x [[Missing]]\n    - b`\n") == [(1, 8)]


def test_an_ordered_item_not_at_1_cannot_interrupt_a_paragraph(tmp_path: Path) -> None:
    # `2)` under a paragraph line is its text, so the backtick above pairs across it.
    assert broken(tmp_path, "`\n2) [[Missing]]\n`[[Missing]]`\n") == [(3, 2)]
    # Also as a heading's look-alike: `2. # a` there is no heading.
    assert broken(tmp_path, "a\n2. # a `x\nb` [[Missing]] `\n") == [(3, 4)]
    # A second item of a list is an item, and ends the first one's paragraph.
    assert broken(tmp_path, "1. a `x [[Missing]]\n2. b`\n") == [(1, 9)]


def test_a_tab_indented_fence_look_alike_goes_on_the_paragraph(tmp_path: Path) -> None:
    # A tab is four columns: `\t  ````` opens no fence under a paragraph line.
    assert broken(tmp_path, "`\n\t- ```\n\t  ```\n`[[Missing]]`\n") == [(4, 2)]


def test_an_empty_quote_line_ends_the_quote_paragraph(tmp_path: Path) -> None:
    # After `> ` no line continues the quote lazily: an indented line is code.
    assert broken(tmp_path, "> [!note]\n> \n    - [[Missing]]\n") == []
    assert broken(tmp_path, "> a\n>\n    [[Missing]]\n") == []
    assert broken(tmp_path, "> a\n    [[Missing]]\n") == [(2, 5)]  # lazy: the quote's text


def test_math_right_under_a_paragraph_line_keeps_the_paragraph_going(tmp_path: Path) -> None:
    # The `$$` lines are the paragraph's math (dollarmath's math block cannot interrupt a
    # paragraph), so the indented line after them goes on the paragraph: prose.
    assert broken(tmp_path, "x\n$$\ny\n$$\n    [[Missing]]\n") == [(5, 5)]
    # After a blank line the math is a block of its own, and the indented line is code.
    assert broken(tmp_path, "x\n\n$$\ny\n$$\n    [[Missing]]\n") == []


def test_a_comment_or_code_span_goes_on_past_an_indented_paragraph_line(tmp_path: Path) -> None:
    # `    b <!-- x` goes on the paragraph (no code): its comment closes two lines on.
    assert broken(tmp_path, "a\n    b <!-- x\nc [[Missing]] -->\n[[Missing]]\n") == [(4, 1)]
    assert broken(tmp_path, "a\n    b `x\nc [[Missing]] `\n") == []


def test_a_blanked_code_line_opens_no_indented_code(tmp_path: Path) -> None:
    # The item's own code (`\t\t- ...`) is blanked for the main scan; the blank it leaves
    # must not start indented code that swallows the item's prose line after it.
    text = "- [[Missing]]\n- b\n c\n\n\t\t- [[Missing]]\n    [[Missing]]\n"
    assert broken(tmp_path, text) == [(1, 3), (6, 5)]


def test_a_tab_indented_comment_line_after_a_quote_comment_block_is_code(
        tmp_path: Path) -> None:
    # `> <!--` opens an HTML block that ends with the quote; the tab-indented line after
    # it is no lazy line (a tab is four columns, so it opens no comment block either) and
    # no paragraph is open: indented code.
    assert broken(tmp_path, "[[Missing]]\n> [!note]\n> <!--\n\t<!-- [[Missing]] -->\n") \
        == [(1, 1)]


# --- math, as dollarmath (the oracle's plugin) reads it ------------------------------


def test_inline_math_goes_on_across_a_line_break_in_its_paragraph(tmp_path: Path) -> None:
    assert broken(tmp_path, "a $x\n[[Missing]] y$ b\n") == []
    assert broken(tmp_path, "a $x\n\n[[Missing]] y$ b\n") == [(3, 1)]  # not past a blank


def test_a_dollar_after_a_closing_dollar_opens_math_of_its_own(tmp_path: Path) -> None:
    assert broken(tmp_path, "$a$$[[Missing]]$\n") == []
    assert broken(tmp_path, "5$[[Missing]]$\n") == [(1, 3)]  # a digit before: no math


def test_an_escaped_dollar_inside_math_does_not_close_it(tmp_path: Path) -> None:
    assert broken(tmp_path, "$a \\$ [[Missing]]$\n") == []
    assert broken(tmp_path, "$$a \\$$ [[Missing]] $$\n") == []


def test_a_math_block_closes_on_a_line_that_ends_with_two_dollars(tmp_path: Path) -> None:
    # `$$` inside a line closes nothing; a line ending with `$$`, or `$$ (label)`, does.
    assert broken(tmp_path, "$$\nx $$ [[Missing]]\ny $$\n[[Missing]]\n") == [(4, 1)]
    assert broken(tmp_path, "$$\n[[Missing]]\nx $$ (eq1)\n[[Missing]]\n") == [(4, 1)]
    # Another `$$` inside the opening line: no block, inline math up to it.
    assert broken(tmp_path, "$$a$$ b\n[[Missing]]\n$$\n") == [(2, 1)]


def test_a_math_block_line_under_paragraph_text_is_inline(tmp_path: Path) -> None:
    # The `$$` goes on the paragraph and pairs with no `$$` in it: no math, so the fence
    # after it (which ends the paragraph) opens and closes as it would without it.
    text = "a\n$$\n```\n$$\n[[Missing]]\n```\n[[Missing]]\n"
    assert broken(tmp_path, text) == [(7, 1)]


def test_math_and_comments_opened_in_a_heading_end_with_it(tmp_path: Path) -> None:
    assert broken(tmp_path, "# a $x\n[[Missing]] y$\n") == [(2, 1)]
    assert broken(tmp_path, "# a <!-- x\n[[Missing]] -->\n") == [(2, 1)]
    assert broken(tmp_path, "- # a $$x\n  [[Missing]] y$$\n") == [(2, 3)]


def test_a_marker_four_columns_past_its_container_goes_on_the_paragraph(
        tmp_path: Path) -> None:
    # `    - ` is one column short of the item's content (five) and four past the note's
    # edge: no item, so the item's paragraph goes on, and the item's ``` line after it
    # opens a fence rather than closing a code span opened on the line before.
    text = "   - a\n    - ```\n      [[Missing]]\n      ```\n"
    assert broken(tmp_path, text) == [(3, 7)]


def test_a_math_block_may_follow_a_comment_block_at_once(tmp_path: Path) -> None:
    # The `-->` line ends an HTML block, not a paragraph: the `$$` after it opens a math
    # block, which the comment line inside it does not end (as it would inline math).
    text = "<!--\nx -->\n$$\n<!-- y -->\n[[Missing]]\n$$\n[[Missing]]\n"
    assert broken(tmp_path, text) == [(7, 1)]


def test_a_math_block_may_follow_indented_code_at_once(tmp_path: Path) -> None:
    text = "    code\n$$\n<!-- y -->\n[[Missing]]\n$$\n[[Missing]]\n"
    assert broken(tmp_path, text) == [(6, 1)]


def test_indented_code_may_follow_any_math_block_at_once(tmp_path: Path) -> None:
    # The math block's closing line (`x $$` too) ends it: the indented line is code,
    # whatever the line above the block's opening `$$` was.
    assert broken(tmp_path, "$$\nx $$\n    [[Missing]]\n") == []
    assert broken(tmp_path, "    code\n$$\n$$\n    [[Missing]]\n") == []


def test_a_span_opened_in_a_paragraph_ends_where_a_quote_starts(tmp_path: Path) -> None:
    # A quote line interrupts the paragraph: the backtick, `<!--` or `$` before it pairs
    # with nothing on it.
    assert broken(tmp_path, "a `x\n> [[Missing]] `\n") == [(2, 3)]
    assert broken(tmp_path, "a <!-- x\n> [[Missing]] -->\n") == [(2, 3)]
    assert broken(tmp_path, "a $x\n> [[Missing]] y$\n") == [(2, 3)]
    # Within a quote's paragraph (a lazy line included) a code span goes on.
    assert broken(tmp_path, "> a\nb `x\n> [[Missing]] `\n") == []


def test_a_double_dollar_line_that_closed_inline_math_ends_no_block(tmp_path: Path) -> None:
    # `$$` / `$$` under paragraph text is the paragraph's inline math, so the `$$` line
    # after it goes on the paragraph too: inline math to the next `$$`, not a block.
    text = "%%\n%%\n$$\n$$\n$$\n$[[Missing]]$$[[Missing]]$\n$$\n"
    assert broken(tmp_path, text) == [(6, 15)]


def test_a_math_block_may_follow_a_setext_heading_at_once(tmp_path: Path) -> None:
    text = "Title\n===\n$$\n<!-- y -->\n[[Missing]]\n$$\n[[Missing]]\n"
    assert broken(tmp_path, text) == [(7, 1)]
