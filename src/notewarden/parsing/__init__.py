"""Turning a file's bytes into a parsed note: front-matter, body structure, links."""
