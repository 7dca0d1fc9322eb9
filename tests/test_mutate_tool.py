"""tools/mutate.py itself: which mutants it makes of a tiny module, that a mutant is what a
subprocess imports, and that the copy it mutates is put back (the worktree is never written)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from tests.helpers import REPO


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutate", REPO / "tools" / "mutate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["mutate"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


TINY = '''"""A docstring is never mutated."""
LIMIT = 3


def clamp(value: int) -> int:
    """Nor is this one."""
    if value > LIMIT and value != 7:
        return LIMIT
    if not value:
        raise ValueError("never mutated")
    return value - 1


def untouched() -> str:
    return "skipped: not in functions"
'''


def _tiny_repo(root: Path) -> Path:
    package = root / "src" / "tiny"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "core.py").write_text(TINY)
    return root


def test_the_mutants_of_a_tiny_module(tmp_path: Path) -> None:
    mutate = _tool()
    root = _tiny_repo(tmp_path)
    config = mutate.ModuleConfig("core", "src/tiny/core.py", [], ["clamp"], ["LIMIT"])
    keys = [mutant.key for mutant in mutate.generate(config, root)]
    assert keys == [
        "clamp: delete `if value > LIMIT and value != 7: return LIMIT`",
        "clamp: `value > LIMIT and value != 7` -> `value > LIMIT or value != 7`",
        "clamp: `value > LIMIT` -> `value >= LIMIT`",
        "clamp: `value != 7` -> `value == 7`",
        "clamp: `7` -> `8`",
        "clamp: `7` -> `6`",
        "clamp: `return LIMIT` -> `return None`",
        "clamp: delete `if not value: raise ValueError(\"never mutated\")`",
        "clamp: `not value` -> `value`",
        "clamp: delete `raise ValueError(\"never mutated\")`",
        "clamp: `return value - 1` -> `return None`",
        "clamp: `value - 1` -> `value + 1`",
        "clamp: `1` -> `2`",
        "clamp: `1` -> `0`",
    ]
    whole = mutate.ModuleConfig("core", "src/tiny/core.py", [])
    whole_keys = [mutant.key for mutant in mutate.generate(whole, root)]
    assert "LIMIT: `3` -> `4`" in whole_keys
    assert "untouched: `\"skipped: not in functions\"` -> `''`" in whole_keys
    assert not any("docstring" in key or "Nor is" in key for key in whole_keys)


def test_a_subprocess_loads_the_mutant_and_the_copy_is_put_back(tmp_path: Path) -> None:
    mutate = _tool()
    root = _tiny_repo(tmp_path)
    config = mutate.ModuleConfig("core", "src/tiny/core.py", [], ["clamp"])
    by_key = {mutant.key: mutant for mutant in mutate.generate(config, root)}
    probe = [sys.executable, "-c", "from tiny.core import clamp; assert clamp(5) == 3"]
    worker = mutate._Worker(root)
    try:
        assert worker.run(probe, 60) == "survived"
        assert worker.run(probe, 60, by_key["clamp: `return LIMIT` -> `return None`"]) \
            == "killed"
        # Equivalent for this probe (5 != 7 either way): the mutant survives.
        assert worker.run(probe, 60, by_key["clamp: `7` -> `8`"]) == "survived"
        assert (worker.folder / config.path).read_text() == TINY  # the copy, put back
        hang = [sys.executable, "-c", "import threading; threading.Event().wait()"]
        assert worker.run(hang, 0.5) == "timeout"
    finally:
        worker.close()
    assert not worker.folder.exists()
    assert (root / config.path).read_text() == TINY  # the original is never written
