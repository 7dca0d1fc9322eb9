"""notewarden: an Obsidian-compatible linter and maintainer for Markdown vaults."""

__version__ = "0.1.0"
