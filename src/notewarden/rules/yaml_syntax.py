"""
yaml-syntax: front-matter that does not parse.

## What it does
Reports front-matter that Obsidian's YAML reader (js-yaml) rejects, at the line where the
problem starts: an unclosed quote or `[` where it opens, a key given twice at its second
occurrence (naming the line of the first), a tab or a control character where it is. The
message says what is wrong, with YAML's own words after it. Also reports front-matter that
opens with `---` but never closes, front-matter that is a list or a string instead of a
mapping of properties, and YAML alias bombs.

## Why it matters
Obsidian drops all of a note's properties when its front-matter is invalid: aliases, tags
and every field your queries rely on disappear silently. Some mistakes look harmless, such
as a key written twice or `tags: [#tag]` (the `#` starts a comment, so the `[` is never
closed). The rest of the note (its links, headings and blocks) is still checked.

## Example
```markdown
---
title: "Scaling: what next?
tags: [#ai]
status: draft
status: done
---
```

## Use instead
```markdown
---
title: "Scaling: what next?"
tags: ["#ai"]
status: done
---
```

## Fix
None: the intended YAML cannot be guessed safely.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from notewarden.model import FixSafety, Problem, Severity

if TYPE_CHECKING:  # only for annotations: the warm path must not import the parser
    from notewarden.parsing.note import ParsedNote

NAME = "yaml-syntax"
SEVERITY = Severity.ERROR
FIX_SAFETY = FixSafety.NONE
SUMMARY = "Front-matter that does not parse as YAML properties."
SCOPE = "note"


def check(note: ParsedNote, context: object) -> Iterator[Problem]:
    if note.front_matter_unclosed:
        yield Problem(
            1, 1, "front-matter opened with `---` is never closed; Obsidian shows it as text"
        )
    front_matter = note.front_matter
    if front_matter is not None and front_matter.error is not None:
        yield Problem(front_matter.error_line, front_matter.error_column, front_matter.error)
