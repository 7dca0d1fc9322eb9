"""Mutation testing for notewarden's edit path: small source changes the tests must notice.

    python tools/mutate.py [--module NAME ...] [--sample N] [--seed S] [--jobs J] [--list]
                           [--save FILE.json] [--report FILE.json] [--dry-run]

Each mutant is one small change to one module (a comparison flipped, a boolean operator
swapped, a constant changed, a statement replaced by `pass`, a returned value replaced by
None, an arithmetic operator swapped). For each mutant, the test files mapped to its module
in tools/mutation.toml are run with `pytest -x -q -p no:cacheprovider`; the mutant is killed
when they fail (or hang past the timeout: "timeout"), and survives when they pass.

The worktree is never written: src/ is copied to a temporary folder per worker, the mutant is
written there, and that folder is put first on PYTHONPATH. PYTHONPATH entries are searched by
the ordinary path finder, which comes before the editable install's finder (appended to
sys.meta_path), so both the tests' imports and the `notewarden` console script they run as
a subprocess load the mutant. Bytecode is not written for mutants (PYTHONDONTWRITEBYTECODE),
and the mutated module's cached bytecode is removed before each run, so a mutant of the same
size written within the same second can never be shadowed by a stale .pyc.

The score of a module is killed (timeouts included) / (total - survivors listed as equivalent
in tools/mutation.toml); the raw killed / total is printed beside it. The run exits 1 when a
module's score is under its threshold (90% unless the module sets another).

What is not mutated (by design; see also the `equivalent` list in tools/mutation.toml):
- docstrings, type annotations, `if TYPE_CHECKING:` blocks, imports, `assert` statements
  (they narrow types for mypy), `def`/`class` statements themselves;
- strings inside f-strings and inside `raise` statements: message wording, checked by the
  CLI tests, not the edit path (deleting the `raise` itself is still a mutant);
- module-level statements are not deleted (deleting a definition is a NameError at import),
  but module-level constants are changed.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import tomllib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "tools" / "mutation.toml"

_COMPARE_SWAP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
    ast.In: ast.NotIn, ast.NotIn: ast.In,
}
_BINOP_SWAP: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.FloorDiv, ast.Div: ast.Mult,
    ast.FloorDiv: ast.Mult, ast.Mod: ast.FloorDiv, ast.Pow: ast.Mult,
    ast.BitOr: ast.BitAnd, ast.BitAnd: ast.BitOr, ast.BitXor: ast.BitOr,
    ast.LShift: ast.RShift, ast.RShift: ast.LShift,
}


@dataclass(frozen=True)
class Mutant:
    """One change to one module: replace bytes [start, end) of its source by `text`."""

    module: str  # the name in tools/mutation.toml
    path: str  # relative to the repository root
    line: int
    qualname: str  # the function (or "<module>") the change is in
    description: str  # e.g. "`a < b` -> `a <= b`"
    start: int
    end: int
    text: bytes

    @property
    def key(self) -> str:
        """How tools/mutation.toml names this mutant (stable when lines move)."""
        return f"{self.qualname}: {self.description}"

    def apply(self, source: bytes) -> bytes:
        return source[: self.start] + self.text + source[self.end :]


@dataclass
class ModuleConfig:
    name: str
    path: str
    tests: list[str]
    functions: list[str] = field(default_factory=list)  # empty: the whole module
    skip: list[str] = field(default_factory=list)  # functions and module constants left alone
    threshold: float = 90.0


@dataclass
class Outcome:
    mutant: Mutant
    status: str  # killed, timeout, survived


# --- generating mutants ------------------------------------------------------------------


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Generator:
    """Walks one module's AST and yields its mutants, in source order."""

    def __init__(self, module: str, path: str, source: bytes, functions: list[str],
                 skip: list[str]) -> None:
        self.module = module
        self.path = path
        self.source = source
        self.functions = set(functions)
        self.skip = set(skip)
        self.line_starts = [0]
        for index, byte in enumerate(source):
            if byte == 0x0A:
                self.line_starts.append(index + 1)
        self.seen: dict[str, int] = {}

    def offset(self, line: int, column: int) -> int:
        return self.line_starts[line - 1] + column  # col_offset counts UTF-8 bytes

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        return start, end

    def segment(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.source[start:end].decode("utf-8")

    def mutant(self, node: ast.AST, qualname: str, description: str, text: str) -> Mutant:
        start, end = self.span(node)
        key = f"{qualname}: {description}"
        count = self.seen.get(key, 0) + 1
        self.seen[key] = count
        if count > 1:
            description += f" #{count}"
        return Mutant(self.module, self.path, node.lineno,  # type: ignore[attr-defined]
                      qualname, description, start, end, text.encode("utf-8"))

    def run(self) -> Iterator[Mutant]:
        tree = ast.parse(self.source)
        yield from self.body(tree.body, "<module>", selected=not self.functions,
                             top_level=True)

    def body(self, statements: list[ast.stmt], qualname: str, *, selected: bool,
             top_level: bool = False) -> Iterator[Mutant]:
        for index, statement in enumerate(statements):
            if index == 0 and _is_docstring(statement):
                continue
            yield from self.statement(statement, qualname, selected=selected,
                                      top_level=top_level)

    def statement(self, node: ast.stmt, qualname: str, *, selected: bool,
                  top_level: bool) -> Iterator[Mutant]:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            inner = node.name if qualname == "<module>" else f"{qualname}.{node.name}"
            if inner in self.skip:
                return
            chosen = selected or inner in self.functions or (
                isinstance(node, ast.ClassDef) and any(
                    name.startswith(inner + ".") for name in self.functions))
            if isinstance(node, ast.ClassDef) and not selected:
                yield from self.body(node.body, inner, selected=inner in self.functions)
                return
            if chosen:
                for default in [*node.args.defaults, *node.args.kw_defaults] \
                        if not isinstance(node, ast.ClassDef) else []:
                    if default is not None:
                        yield from self.expression(default, qualname)
            yield from self.body(node.body, inner, selected=chosen)
            return
        if isinstance(node, ast.Import | ast.ImportFrom | ast.Assert | ast.Global
                      | ast.Nonlocal | ast.Pass):
            return
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return
        if isinstance(node, ast.Try) and top_level:
            return  # optional imports (`try: import fcntl`)
        if not selected:
            return
        if top_level:
            targets = node.targets if isinstance(node, ast.Assign) else [
                getattr(node, "target", None)]
            if len(targets) == 1 and isinstance(targets[0], ast.Name):
                qualname = targets[0].id  # a module constant is named by itself
            if qualname in self.skip:
                return
        returns_value = isinstance(node, ast.Return) and node.value is not None and not (
            isinstance(node.value, ast.Constant) and node.value.value is None)
        if returns_value:
            yield self.mutant(node, qualname,
                              f"`{_short(self.segment(node))}` -> `return None`",
                              "return None")
        elif not top_level:  # (deleting `return x` would be the same as `return None`)
            yield self.mutant(node, qualname, f"delete `{_short(self.segment(node), 50)}`",
                              "pass")
        if isinstance(node, ast.Raise):
            return  # the message is wording; the deletion above is the mutant
        if isinstance(node, ast.AnnAssign):
            if node.value is not None:
                yield from self.expression(node.value, qualname)
            return
        for name, value in ast.iter_fields(node):
            if name in ("body", "orelse", "finalbody", "handlers") and isinstance(value, list):
                for child in value:
                    if isinstance(child, ast.ExceptHandler):
                        yield from self.body(child.body, qualname, selected=True)
                    elif isinstance(child, ast.stmt):
                        yield from self.statement(child, qualname, selected=True,
                                                  top_level=False)
                continue
            if name == "type_comment":
                continue
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.expr):
                    yield from self.expression(child, qualname)
                elif isinstance(child, ast.withitem | ast.keyword | ast.comprehension):
                    for sub in ast.iter_child_nodes(child):
                        if isinstance(sub, ast.expr):
                            yield from self.expression(sub, qualname)

    def expression(self, node: ast.expr, qualname: str) -> Iterator[Mutant]:
        """Mutants of one expression and everything inside it, outermost first."""
        if isinstance(node, ast.JoinedStr):
            return  # wording; and Python 3.11 gives nodes inside f-strings unreliable columns
        if isinstance(node, ast.Lambda):
            yield from self.expression(node.body, qualname)
            return
        yield from self.replacements(node, qualname)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                yield from self.expression(child, qualname)
            elif isinstance(child, ast.comprehension | ast.keyword):
                for sub in ast.iter_child_nodes(child):
                    if isinstance(sub, ast.expr):
                        yield from self.expression(sub, qualname)

    def replacements(self, node: ast.expr, qualname: str) -> Iterator[Mutant]:
        before = _short(self.segment(node))

        def changed(new: ast.expr) -> Mutant:
            text = f"({ast.unparse(new)})"
            return self.mutant(node, qualname, f"`{before}` -> `{_short(text[1:-1])}`", text)

        if isinstance(node, ast.Compare):
            for index, op in enumerate(node.ops):
                swap = _COMPARE_SWAP.get(type(op))
                if swap is not None:
                    ops = list(node.ops)
                    ops[index] = swap()
                    yield changed(ast.Compare(node.left, ops, node.comparators))
        elif isinstance(node, ast.BoolOp):
            swapped: ast.boolop = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            yield changed(ast.BoolOp(swapped, node.values))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield changed(node.operand)
        elif isinstance(node, ast.BinOp):
            binop = _BINOP_SWAP.get(type(node.op))
            if binop is not None:
                yield changed(ast.BinOp(node.left, binop(), node.right))
        elif isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool):
                yield changed(ast.Constant(not value))
            elif isinstance(value, int):
                yield changed(ast.Constant(value + 1))
                yield changed(ast.Constant(value - 1))
            elif isinstance(value, str | bytes):
                other = b"XX" if isinstance(value, bytes) else "XX"
                yield changed(ast.Constant(value[:0] if value else other))


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
        and isinstance(node.value.value, str)


def generate(config: ModuleConfig, root: Path = ROOT) -> list[Mutant]:
    """Every mutant of one configured module that still compiles, in source order."""
    source = (root / config.path).read_bytes()
    out = []
    for mutant in _Generator(config.name, config.path, source, config.functions,
                             config.skip).run():
        mutated = mutant.apply(source)
        if mutated == source:
            continue
        try:
            compile(mutated, config.path, "exec", dont_inherit=True)
        except SyntaxError:
            continue
        out.append(mutant)
    return out


def diff_of(mutant: Mutant, root: Path = ROOT) -> str:
    source = (root / mutant.path).read_bytes()
    old = source.decode("utf-8").splitlines(keepends=True)
    new = mutant.apply(source).decode("utf-8").splitlines(keepends=True)
    return "".join(difflib.unified_diff(old, new, f"a/{mutant.path}", f"b/{mutant.path}", n=1))


# --- running them -------------------------------------------------------------------------


def load_config(path: Path = CONFIG) -> tuple[dict[str, ModuleConfig], dict[str, dict[str, str]],
                                             dict[str, object]]:
    """(modules by name, {module: {mutant key: why it is equivalent}}, settings)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    settings = data.get("settings", {})
    threshold = float(settings.get("threshold", 90))
    modules = {
        name: ModuleConfig(name, table["path"], list(table["tests"]),
                           list(table.get("functions", [])), list(table.get("skip", [])),
                           float(table.get("threshold", threshold)))
        for name, table in data["modules"].items()
    }
    equivalent: dict[str, dict[str, str]] = {}
    for entry in data.get("equivalent", []):
        equivalent.setdefault(entry["module"], {})[entry["mutant"]] = entry["why"]
    return modules, equivalent, settings


class _Worker:
    """A private copy of src/ that one mutant at a time is written into."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = Path(tempfile.mkdtemp(prefix="notewarden-mutate-"))
        shutil.copytree(root / "src", self.folder / "src",
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(self.folder / "src")],
                       check=True)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def run(self, command: list[str], timeout: float, mutant: Mutant | None = None) -> str:
        """Run `command` (from the repository root) against the copy, with `mutant` applied
        and then put back; "killed", "timeout" or "survived" (the command succeeded)."""
        target = original = None
        if mutant is not None:
            target = self.folder / mutant.path
            original = target.read_bytes()
            target.write_bytes(mutant.apply(original))
            for cached in (target.parent / "__pycache__").glob(target.stem + ".*.pyc"):
                cached.unlink()
        env = {**os.environ, "PYTHONPATH": str(self.folder / "src"),
               "PYTHONDONTWRITEBYTECODE": "1"}
        try:
            process = subprocess.Popen(command, cwd=self.root, env=env, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       start_new_session=True)
            try:
                code = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the mutant's own process group
                process.wait()
                return "timeout"
            return "survived" if code == 0 else "killed"
        finally:
            if target is not None and original is not None:
                target.write_bytes(original)


def pytest_command(tests: list[str], pytest_args: list[str]) -> list[str]:
    return [sys.executable, "-m", "pytest", *pytest_args, *tests]


def _git_status(root: Path) -> str:
    result = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=root,
                            capture_output=True, text=True, check=False)
    return result.stdout


def run_all(mutants: list[Mutant], modules: dict[str, ModuleConfig], jobs: int,
            pytest_args: list[str], timeout: float, root: Path = ROOT,
            progress: bool = True) -> list[Outcome]:
    """Run every mutant (in `jobs` threads, each with its own copy of src/)."""
    workers = [_Worker(root) for _ in range(max(jobs, 1))]
    free = list(workers)
    lock = threading.Lock()
    done = [0]

    def one(mutant: Mutant) -> Outcome:
        with lock:
            worker = free.pop()
        try:
            status = worker.run(pytest_command(modules[mutant.module].tests, pytest_args),
                                timeout, mutant)
        finally:
            with lock:
                free.append(worker)
                done[0] += 1
                if progress:
                    print(f"[{done[0]}/{len(mutants)}] {status:8} {mutant.path}:{mutant.line} "
                          f"{mutant.description}", flush=True)
        return Outcome(mutant, status)

    def baseline(name: str) -> str:
        with lock:
            worker = free.pop()
        try:
            return worker.run(pytest_command(modules[name].tests, pytest_args), timeout)
        finally:
            with lock:
                free.append(worker)

    try:
        with ThreadPoolExecutor(max_workers=len(workers)) as pool:
            try:
                names = sorted({mutant.module for mutant in mutants})
                for name, status in zip(names, pool.map(baseline, names), strict=True):
                    if status != "survived":
                        raise SystemExit(f"mutate: the tests for {name} fail ({status}) on "
                                         "the unmutated code; fix them first")
                return list(pool.map(one, mutants))
            except BaseException:  # Ctrl-C: finish the mutants running, start no other
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    finally:
        for worker in workers:
            worker.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", action="append", default=[],
                        help="a module name from tools/mutation.toml (repeatable)")
    parser.add_argument("--sample", type=int, default=0,
                        help="run N mutants per module, chosen at random (default: all)")
    parser.add_argument("--seed", type=int, default=0, help="seed for --sample")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at once")
    parser.add_argument("--list", action="store_true",
                        help="show each survivor's diff, and only list the mutants "
                             "with --dry-run")
    parser.add_argument("--dry-run", action="store_true",
                        help="generate the mutants and count them; run nothing")
    parser.add_argument("--timeout", type=float, help="seconds per mutant")
    parser.add_argument("--save", type=Path, help="also write the outcomes to this JSON file")
    parser.add_argument("--report", type=Path,
                        help="run nothing: report the outcomes saved with --save, against "
                             "the current equivalent list")
    args = parser.parse_args(argv)

    modules, equivalent, settings = load_config()
    if args.report is not None:
        saved = json.loads(args.report.read_text(encoding="utf-8"))
        outcomes = [Outcome(Mutant(**{**entry["mutant"], "text": entry["mutant"]["text"]
                                      .encode("utf-8")}), entry["status"])
                    for entry in saved]
        shown = list(dict.fromkeys(o.mutant.module for o in outcomes))
        return report(outcomes, shown, modules, equivalent, show_diff=args.list)
    names = args.module or list(modules)
    unknown = [name for name in names if name not in modules]
    if unknown:
        parser.error(f"unknown module(s) {', '.join(unknown)}; known: {', '.join(modules)}")
    mutants: list[Mutant] = []
    for name in names:
        found = generate(modules[name])
        keys = {mutant.key for mutant in found}
        for stale in sorted(set(equivalent.get(name, {})) - keys):
            print(f"mutate: {name}: the equivalent entry {stale!r} matches no mutant",
                  file=sys.stderr)
        if args.sample and len(found) > args.sample:
            rng = random.Random(f"{args.seed}:{name}")  # a module's sample is its own
            found = sorted(rng.sample(found, args.sample), key=lambda m: m.start)
        mutants.extend(found)
    if args.dry_run:
        for name in names:
            print(f"{name}: {sum(m.module == name for m in mutants)} mutants")
        if args.list:
            for mutant in mutants:
                print(f"{mutant.path}:{mutant.line}: {mutant.key}")
        return 0

    before = _git_status(ROOT)
    timeout = args.timeout or float(str(settings.get("timeout", 120)))
    pytest_args = [str(arg) for arg in settings.get("pytest_args",  # type: ignore[attr-defined]
                                                    ["-x", "-q", "-p", "no:cacheprovider"])]
    outcomes = run_all(mutants, modules, args.jobs, pytest_args, timeout)
    if args.save is not None:
        args.save.write_text(json.dumps(
            [{"mutant": {**asdict(o.mutant), "text": o.mutant.text.decode("utf-8")},
              "status": o.status} for o in outcomes], indent=1), encoding="utf-8")
    if _git_status(ROOT) != before:
        print("mutate: WARNING: the worktree changed during the run (git status differs)",
              file=sys.stderr)
    return report(outcomes, names, modules, equivalent, show_diff=args.list)


def report(outcomes: list[Outcome], names: list[str], modules: dict[str, ModuleConfig],
           equivalent: dict[str, dict[str, str]], show_diff: bool = False) -> int:
    """Print the survivors and a score per module; 1 when a module is under its threshold."""
    survivors = [o for o in outcomes if o.status == "survived"]
    if survivors:
        print("\nSurviving mutants:")
    for outcome in survivors:
        mutant = outcome.mutant
        why = equivalent.get(mutant.module, {}).get(mutant.key)
        label = "  [equivalent: " + why + "]" if why else ""
        print(f"  {mutant.path}:{mutant.line}: {mutant.key}{label}")
        if show_diff:
            print("    " + diff_of(mutant).replace("\n", "\n    ").rstrip())
    print(f"\n{'module':18} {'killed':>7} {'timeout':>8} {'survived':>9} {'equiv':>6} "
          f"{'total':>6} {'raw':>7} {'score':>7}")
    failed = False
    for name in names:
        mine = [o for o in outcomes if o.mutant.module == name]
        killed = sum(o.status == "killed" for o in mine)
        timeouts = sum(o.status == "timeout" for o in mine)
        alive = [o for o in mine if o.status == "survived"]
        known = sum(o.mutant.key in equivalent.get(name, {}) for o in alive)
        raw = 100.0 * (killed + timeouts) / len(mine) if mine else 100.0
        counted = len(mine) - known
        score = 100.0 * (killed + timeouts) / counted if counted else 100.0
        under = score < modules[name].threshold
        failed |= under
        print(f"{name:18} {killed:7} {timeouts:8} {len(alive):9} {known:6} {len(mine):6} "
              f"{raw:6.1f}% {score:6.1f}%"
              f"{'  < ' + str(modules[name].threshold) + '%' if under else ''}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
