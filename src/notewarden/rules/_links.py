"""Shared wording for the link rules."""

from __future__ import annotations

from notewarden.model import Link, LinkKind


def shown(link: Link) -> str:
    """The link roughly as written, for messages."""
    target = link.target + (f"#{link.subpath}" if link.subpath else "")
    if link.kind in (LinkKind.MARKDOWN, LinkKind.MARKDOWN_EMBED):
        return f"({target})"
    bang = "!" if link.kind == LinkKind.EMBED else ""
    return f"{bang}[[{target}]]"
