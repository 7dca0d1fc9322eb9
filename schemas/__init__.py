"""Schemas bundled with notewarden, named in `.notewarden.toml` without a path."""
