"""Suite-wide settings: every store goes to a temporary cache folder, never the user's;
and hypothesis profiles.

Hypothesis profiles (`--hypothesis-profile NAME`):
- `ci`, the default: 2,000 examples for each property test that does not set its own
  count (the prose-safety properties of tests/test_fix_properties.py);
- `long`: 10,000 of them, for a longer look than CI affords:
  `python -m pytest tests/test_fix_properties.py --hypothesis-profile long`;
- `mutation`: 200 examples, derandomized and without the example database, so that
  tools/mutate.py gets the same verdict for a mutant every time it runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

_QUIET = [HealthCheck.too_slow]
settings.register_profile("ci", max_examples=2_000, deadline=None, suppress_health_check=_QUIET)
settings.register_profile("long", max_examples=10_000, deadline=None,
                          suppress_health_check=_QUIET)
settings.register_profile("mutation", max_examples=200, deadline=None, derandomize=True,
                          database=None, suppress_health_check=_QUIET)
settings.load_profile("ci")


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
