"""The edit path's promises, each one a test that a mutant of it fails (tools/mutate.py)."""

from __future__ import annotations
