"""Suite-wide settings: every store goes to a temporary cache folder, never the user's."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """NOTEWARDEN_CACHE_DIR for the whole run (in-process checks and the console script
    alike), so the suite never touches ~/.cache/notewarden."""
    folder = tmp_path_factory.mktemp("notewarden-cache")
    before = os.environ.get("NOTEWARDEN_CACHE_DIR")
    os.environ["NOTEWARDEN_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        del os.environ["NOTEWARDEN_CACHE_DIR"]
    else:
        os.environ["NOTEWARDEN_CACHE_DIR"] = before
