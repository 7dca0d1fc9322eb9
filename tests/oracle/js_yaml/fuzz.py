"""Look for disagreements the corpus does not hold: mutate its blocks, ask js-yaml.

usage: python tests/oracle/js_yaml/fuzz.py [--seed S] [--count N]   (needs Node.js and npm)

Each mutant is a corpus block with one to three characters inserted, deleted or replaced
(from YAML's indicators, whitespace, and characters the readers treat differently). It
records js-yaml's verdicts with record.mjs, reads each mutant as test_js_yaml_oracle.py
does, and prints the disagreements by kind, with an example of each, so that a new class
can become corpus blocks (make_blocks.py) and a fix. Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from notewarden.parsing.note import parse_note  # noqa: E402
from tests import test_js_yaml_oracle as oracle  # noqa: E402

PIECES = [*"\t\n :-[]{}#&*!|>'\"\\,?%@`~<0123456789.eE_x+", "\x80", "\u2028", "\ufeff",
          "\u00e9", "<<", "  ", "&a ", "*a", "!!int ", "\t- ", "- ", ": ", "\n  ", "yes",
          "null", "1_0", "2025-01-01", "\r\n"]


def mutants(seed: int, count: int) -> list[dict[str, str]]:
    rnd = random.Random(seed)
    texts = [block["text"] for block in oracle.BLOCKS if len(block["text"]) < 3000]
    out = []
    for number in range(count):
        chars = list(rnd.choice(texts))
        for _ in range(rnd.randint(1, 3)):
            at, roll = rnd.randrange(len(chars) + 1), rnd.random()
            if roll < 0.5:
                chars.insert(at, rnd.choice(PIECES))
            elif chars:
                at = min(at, len(chars) - 1)
                if roll < 0.8:
                    del chars[at]
                else:
                    chars[at] = rnd.choice(PIECES)
        text = "".join(chars)
        out.append({"id": f"mutant-{number}", "kind": "mutant",
                    "text": text if text.endswith(("\n", "\r")) else text + "\n"})
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        given, recorded = Path(scratch, "in.json"), Path(scratch, "out.json")
        given.write_text(json.dumps(mutants(args.seed, args.count)), encoding="utf-8")
        subprocess.run(["node", str(HERE / "record.mjs"), str(given), str(recorded)],
                       check=True)
        blocks = json.loads(recorded.read_text(encoding="utf-8"))["blocks"]
    kinds: collections.Counter[str] = collections.Counter()
    example: dict[str, str] = {}
    for block in blocks:
        newline = "\r\n" if "\r\n" in block["text"] else "\n"
        note = parse_note("N.md", f"---{newline}{block['text']}---{newline}".encode())
        if note.block is None or note.block.yaml_text != block["text"] or not note.front_matter:
            continue  # the mutant holds a `---` line: no longer one block
        parsed, recorded_value = note.front_matter, block["default"].get("value")
        if oracle.verdict_mismatch(block, parsed) is not None:
            kind = f"js-yaml rejects it: {block['default']['reason']}" \
                if not block["default"]["ok"] else \
                f"js-yaml reads it; notewarden: {(parsed.error or '')[:50]}"
        elif (block["default"]["ok"] and parsed.error is None and recorded_value is not None
              and oracle.tagged(recorded_value) is None
              and oracle.value_mismatch(recorded_value, oracle.properties(parsed))):
            kind = "value"
        else:
            continue
        kinds[kind] += 1
        example.setdefault(kind, block["text"])
    print(f"{sum(kinds.values())} of {len(blocks)} mutants disagree")
    for kind, count in kinds.most_common():
        print(f"{count:6}  {kind}  e.g. {example[kind][:100]!r}")


if __name__ == "__main__":
    main()
