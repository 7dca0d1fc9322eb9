#!/usr/bin/env python3
"""Generate a synthetic, Obsidian-style Markdown vault for benchmarking notewarden.

    python bench/generate_vault.py OUT_DIR [--notes 10000] [--seed 1] [--seeds DIR]

The output is deterministic: the same arguments (and the same seed texts) give a
byte-identical vault. All randomness comes from one `random.Random(seed)`; nothing
reads the clock, the global `random` module or iterates over a `set` of strings (whose
order changes from run to run with hash randomisation).

What a vault holds:

* `--notes` notes spread over ~50 folders (nested up to 3 deep); ~30% under `Sources/`,
  a few at the root, and ~1.5% reusing the name of a note in another folder.
* Each note: ~20 front-matter properties (ids, title, dates, urls, a status enum, lists,
  numbers, booleans, sometimes a `related:` list of quoted "[[Other Note]]" values), then
  a 3-8 KB body of paragraphs, bullet lists and quotes sampled from the seed texts, with
  `## ` headings, a few `^block-id`s and 5-20 links.
* Links: mostly `[[Note]]`, some `[[Note#Heading]]`, `[[Note#^blockid]]`,
  `[[Note|display]]`, `![[image.png]]` embeds, `[x](Folder/Note%20Name.md)` Markdown links
  (vault-absolute paths), and ~7% broken ones (5% to missing notes, 2% to missing headings).
* About 3% of `Sources/` notes break `_schemas/source.schema.json` (bad status or rating),
  so schema findings exist too.
* `.obsidian/app.json`, `.notewarden.toml`, `_schemas/source.schema.json` and a handful
  of attachments under `Attachments/`.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

DEFAULT_SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"

# ~50 folders, nested up to 3 deep. "" is the vault root.
SOURCE_FOLDERS = (
    "Sources",
    "Sources/Articles",
    "Sources/Articles/2025",
    "Sources/Articles/2026",
    "Sources/Books",
    "Sources/Papers",
    "Sources/Papers/AI",
    "Sources/Papers/Economics",
    "Sources/Podcasts",
    "Sources/Videos",
    "Sources/Videos/YouTube",
    "Sources/Threads",
)
OTHER_FOLDERS = (
    "",
    "Inbox",
    "Projects",
    "Projects/Notewarden",
    "Projects/Notewarden/Design",
    "Projects/Research",
    "Projects/Research/Scaling",
    "Projects/Writing",
    "Projects/Writing/Drafts",
    "Areas",
    "Areas/Health",
    "Areas/Finance",
    "Areas/Learning",
    "Areas/Learning/Courses",
    "Concepts",
    "Concepts/AI",
    "Concepts/AI/Training",
    "Concepts/Economics",
    "Concepts/Philosophy",
    "People",
    "People/Researchers",
    "People/Founders",
    "Companies",
    "Meetings",
    "Meetings/2025",
    "Meetings/2026",
    "Journal",
    "Journal/2025",
    "Journal/2025/11",
    "Journal/2025/12",
    "Journal/2026",
    "Journal/2026/01",
    "Journal/2026/02",
    "Maps",
    "Archive",
    "Archive/Old Projects",
    "Archive/Old Projects/2024",
    "Templates Output",
)
MARKER_FILE = ".notewarden-bench-vault"  # hidden, so linters and floor.py skip it
SOURCE_SHARE = 0.30
DUPLICATE_NAME_SHARE = 0.015

STATUSES = ("draft", "active", "processed", "archived")
PLATFORMS = ("youtube", "podcast", "paper", "article", "book", "thread")
ATTACHMENTS = (
    "diagram-01.png",
    "diagram-02.png",
    "scaling-curve.png",
    "whiteboard.png",
    "portrait.png",
    "chart-compute.png",
    "screenshot-2025-12-23.png",
    "cover.jpg",
    "paper-draft.pdf",
    "talk-notes.pdf",
)

# Link kinds and their weights (percent of a note's links).
LINK_WEIGHTS = (
    ("plain", 52),
    ("heading", 11),
    ("block", 5),
    ("alias", 12),
    ("embed", 7),
    ("markdown", 6),
    ("broken_note", 5),
    ("broken_heading", 2),
)

SOURCE_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://example.invalid/notewarden-bench/source.schema.json",
    "title": "Source note",
    "type": "object",
    "required": ["id", "title", "created", "status", "url"],
    "properties": {
        "id": {"type": "string", "pattern": "^SRC-[0-9]{8}-[0-9]{5}$"},
        "title": {"type": "string", "minLength": 1},
        "created": {"type": "string", "format": "date"},
        "updated": {"type": "string", "format": "date"},
        "status": {"enum": list(STATUSES)},
        "platform": {"enum": list(PLATFORMS)},
        "url": {"type": "string", "format": "uri"},
        "author": {"type": "string"},
        "rating": {"type": "integer", "minimum": 1, "maximum": 5},
        "priority": {"type": "number", "minimum": 0, "maximum": 1},
        "published": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "word_count": {"type": "integer", "minimum": 0},
    },
}

CONFIG_TOML = """\
[schemas]
"**" = "obsidian"
"Sources/**" = "_schemas/source.schema.json"
"""

# Words YAML would read as a boolean or null if they stood alone as a value.
YAML_WORDS = ("true", "false", "null")

# A valid 1x1 transparent PNG; other attachments just get a few placeholder bytes.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a5d8d6a40000000049454e44ae426082"
)


# --------------------------------------------------------------------------- seed text


@dataclass
class SeedText:
    """Pools of text sampled from the seed files."""

    paragraphs: list[str]
    lines: list[str]
    words: list[str]  # distinct, lower-case, alphabetic, in first-seen order


def clean_line(line: str) -> str:
    """Strip Markdown syntax that would change how a sampled line parses.

    Removes leading `#`/`>`/indentation (headings, quotes, indented code) and the
    characters that open links, code, math, comments, tables or block ids.
    """
    line = line.strip().lstrip("#>").strip()
    for char in "[]`$|^<>%~*_\\":
        line = line.replace(char, "")
    if re.fullmatch(r"[-=+\s]*", line):  # thematic breaks, setext underlines
        return ""
    return line


def load_seeds(seed_dir: Path) -> SeedText:
    """Read every *.txt in seed_dir (sorted by name) into paragraph/line/word pools."""
    files = sorted(seed_dir.glob("*.txt"))
    if not files:
        sys.exit(f"generate_vault: no seed texts (*.txt) in {seed_dir}")
    paragraphs: list[str] = []
    lines: list[str] = []
    words: dict[str, None] = {}  # an ordered set
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for block in re.split(r"\n\s*\n", text):
            cleaned = [clean_line(line) for line in block.splitlines()]
            cleaned = [line for line in cleaned if line]
            lines.extend(cleaned)
            joined = " ".join(cleaned)
            if len(joined) >= 80:
                paragraphs.append(joined)
        for word in re.findall(r"\b[A-Za-z]{4,12}\b", text):
            if word.lower() not in YAML_WORDS:
                words.setdefault(word.lower(), None)
    if not paragraphs:
        paragraphs = [line for line in lines if len(line) >= 20] or ["lorem ipsum " * 10]
    return SeedText(paragraphs, lines, list(words))


# --------------------------------------------------------------------------- planning


@dataclass
class NotePlan:
    """Everything other notes need to know about a note before any is written."""

    index: int
    name: str
    folder: str
    is_source: bool
    headings: list[str] = field(default_factory=list)
    block_ids: list[str] = field(default_factory=list)
    duplicate_name: bool = False

    @property
    def path(self) -> str:
        """Vault-relative POSIX path of the note file."""
        return f"{self.folder}/{self.name}.md" if self.folder else f"{self.name}.md"

    @property
    def link_target(self) -> str:
        """What a wikilink to this note says: the name, or the path when it is ambiguous."""
        return self.path[:-3] if self.duplicate_name else self.name


def title_words(rng: random.Random, words: list[str], low: int, high: int) -> str:
    """A title-cased phrase of low..high words from the seed vocabulary."""
    return " ".join(rng.choice(words).capitalize() for _ in range(rng.randint(low, high)))


def unique_phrase(rng: random.Random, words: list[str], taken: dict[str, None],
                  low: int, high: int) -> str:
    """A title phrase whose lower-case form is not in taken (then added to it)."""
    while True:
        phrase = title_words(rng, words, low, high)
        if phrase.lower() not in taken:
            taken[phrase.lower()] = None
            return phrase


def make_block_id(rng: random.Random) -> str:
    """A 6-character Obsidian block id such as `a3f9k2`."""
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))


def plan_notes(rng: random.Random, seeds: SeedText, count: int) -> list[NotePlan]:
    """Choose every note's name, folder, headings and block ids."""
    taken: dict[str, None] = {}
    notes: list[NotePlan] = []
    for index in range(count):
        is_source = rng.random() < SOURCE_SHARE
        folder = rng.choice(SOURCE_FOLDERS if is_source else OTHER_FOLDERS)
        name = unique_phrase(rng, seeds.words, taken, 2, 4)
        note = NotePlan(index, name, folder, is_source)
        heading_names: dict[str, None] = {}
        note.headings = [unique_phrase(rng, seeds.words, heading_names, 1, 4)
                         for _ in range(rng.randint(3, 7))]
        ids: dict[str, None] = {}
        wanted = rng.choice((0, 1, 1, 2, 3))
        while len(ids) < wanted:
            ids.setdefault(make_block_id(rng), None)
        note.block_ids = list(ids)
        notes.append(note)
    add_duplicate_names(rng, notes)
    return notes


def add_duplicate_names(rng: random.Random, notes: list[NotePlan]) -> None:
    """Give some notes the name of an earlier note that lives in another folder."""
    for note in notes[1:]:
        if rng.random() >= DUPLICATE_NAME_SHARE:
            continue
        original = notes[rng.randrange(note.index)]
        if original.folder == note.folder or original.duplicate_name:
            continue
        note.name = original.name
        note.duplicate_name = original.duplicate_name = True


# --------------------------------------------------------------------------- links


@dataclass
class LinkStats:
    total: int = 0
    broken: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, broken: bool) -> None:
        self.total += 1
        self.broken += broken
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1


def make_link(rng: random.Random, seeds: SeedText, notes: list[NotePlan],
              with_blocks: list[NotePlan], source: NotePlan, stats: LinkStats) -> str:
    """One link of a randomly chosen kind, from `source` to another note."""
    kinds = [kind for kind, _ in LINK_WEIGHTS]
    kind = rng.choices(kinds, weights=[weight for _, weight in LINK_WEIGHTS])[0]
    target = notes[rng.randrange(len(notes))]
    if kind == "plain":
        text = f"[[{target.link_target}]]"
    elif kind == "heading":
        if rng.random() < 0.1:  # a link to a heading in the same note
            text = f"[[#{rng.choice(source.headings)}]]"
        else:
            text = f"[[{target.link_target}#{rng.choice(target.headings)}]]"
    elif kind == "block" and with_blocks:
        target = with_blocks[rng.randrange(len(with_blocks))]
        text = f"[[{target.link_target}#^{rng.choice(target.block_ids)}]]"
    elif kind == "alias":
        text = f"[[{target.link_target}|{title_words(rng, seeds.words, 1, 3).lower()}]]"
    elif kind == "embed":
        text = f"![[{rng.choice(ATTACHMENTS)}]]"
    elif kind == "markdown":
        text = f"[{title_words(rng, seeds.words, 1, 3)}]({quote(target.path)})"
    elif kind == "broken_note":  # note names never contain digits, so this never exists
        text = f"[[{title_words(rng, seeds.words, 2, 3)} {rng.randint(2, 99)}]]"
    elif kind == "broken_heading":
        text = f"[[{target.link_target}#No Such {title_words(rng, seeds.words, 1, 2)}]]"
    else:  # "block" when no note has a block id: fall back to a plain link
        kind, text = "plain", f"[[{target.link_target}]]"
    stats.add(kind, kind.startswith("broken"))
    return text


def make_related(rng: random.Random, notes: list[NotePlan]) -> list[str]:
    """Wikilinks for the `related:` property (0-3 of them)."""
    return [f"[[{notes[rng.randrange(len(notes))].link_target}]]"
            for _ in range(rng.randint(1, 3))]


# --------------------------------------------------------------------------- note text


def yaml_str(value: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def yaml_list(key: str, items: list[str]) -> list[str]:
    """Lines of a block-style YAML list (`key: []` when empty)."""
    if not items:
        return [f"{key}: []"]
    return [f"{key}:", *(f"  - {item}" for item in items)]


def random_date(rng: random.Random, start: date = date(2023, 1, 1), days: int = 1100) -> date:
    return start + timedelta(days=rng.randrange(days))


def make_tag(rng: random.Random, words: list[str]) -> str:
    """A tag such as `scaling` or `ai/training`."""
    tag = rng.choice(words)
    if rng.random() < 0.3:
        tag += "/" + rng.choice(words)
    return tag


def front_matter(rng: random.Random, seeds: SeedText, note: NotePlan,
                 notes: list[NotePlan]) -> str:
    """The note's YAML front-matter, fences included (about 20 properties)."""
    words = seeds.words
    created = random_date(rng)
    updated = created + timedelta(days=rng.randrange(90))
    prefix = "SRC" if note.is_source else "NOTE"
    status = rng.choice(STATUSES)
    rating = rng.randint(1, 5)
    if note.is_source and rng.random() < 0.03:  # a schema violation to report
        if rng.random() < 0.5:
            status = "todo"
        else:
            rating = 7
    slug = "-".join(note.name.lower().split())
    aliases = [yaml_str(title_words(rng, words, 2, 3)) for _ in range(rng.randint(0, 2))]
    lines = [
        "---",
        f"id: {prefix}-{created:%Y%m%d}-{note.index:05d}",
        f"title: {yaml_str(note.name)}",
        f"created: {created.isoformat()}",
        f"updated: {updated.isoformat()}",
        f"status: {status}",
        f"type: {'source' if note.is_source else 'note'}",
        f"platform: {rng.choice(PLATFORMS)}",
        f'url: "https://example.com/{rng.choice(words)}/{slug}"',
        f"author: {title_words(rng, words, 2, 2)}",
        *yaml_list("aliases", aliases),
        *yaml_list("tags", [make_tag(rng, words) for _ in range(rng.randint(1, 4))]),
        f"topics: [{', '.join(rng.choice(words) for _ in range(rng.randint(1, 3)))}]",
        f"rating: {rating}",
        f"word_count: {rng.randint(300, 1500)}",
        f"priority: {rng.randint(0, 100) / 100}",
        f"published: {rng.choice(('true', 'false'))}",
        f"reviewed: {rng.choice(('true', 'false'))}",
    ]
    if rng.random() < 0.4:
        lines += yaml_list("related", [yaml_str(link) for link in make_related(rng, notes)])
    summary = rng.choice(seeds.lines)[:200]
    lines += [
        f"summary: {yaml_str(summary)}",
        "language: en",
        f"version: {rng.randint(1, 9)}",
        "---",
    ]
    return "\n".join(lines) + "\n"


def make_paragraph(rng: random.Random, seeds: SeedText) -> tuple[str, bool]:
    """A prose paragraph, a bullet list or a quote; the flag is True for prose."""
    roll = rng.random()
    if roll < 0.2:
        items = [rng.choice(seeds.lines)[:240] for _ in range(rng.randint(3, 6))]
        return "\n".join(f"- {item}" for item in items), False
    if roll < 0.27:
        return f"> {rng.choice(seeds.lines)[:300]}", False
    text = rng.choice(seeds.paragraphs)
    if len(text) > 900:  # a random window, cut at spaces
        start = text.find(" ", rng.randrange(len(text) - 600)) + 1
        end = text.rfind(" ", start, start + rng.randint(400, 900))
        text = text[start:end] if end > start else text[start:start + 900]
    return text, True


def insert_links(rng: random.Random, text: str, links: list[str]) -> str:
    """Insert each link between two words of text (never before the first word).

    Each link is one item of the word list, so a later link never lands inside an
    earlier one that contains spaces.
    """
    words = text.split(" ")
    for link in links:
        words.insert(rng.randint(1, len(words)), link)
    return " ".join(words)


def body(rng: random.Random, seeds: SeedText, note: NotePlan, notes: list[NotePlan],
         with_blocks: list[NotePlan], stats: LinkStats) -> str:
    """The note body: 3-8 KB of sections, with its block ids and 5-20 links."""
    link_count = rng.randint(5, 20)
    # Aim a little under 8 KB: links, headings and the last paragraph add to it.
    target_size = rng.randint(3000, 7400) - 35 * link_count
    paragraphs: list[str] = []
    prose: list[int] = []  # indexes of prose paragraphs (where block ids go)
    size = 0
    while size < target_size or len(prose) < max(1, len(note.block_ids)):
        text, is_prose = make_paragraph(rng, seeds)
        if is_prose:
            prose.append(len(paragraphs))
        paragraphs.append(text)
        size += len(text.encode("utf-8")) + 2

    links_by_paragraph: dict[int, list[str]] = {}
    for _ in range(link_count):
        index = rng.randrange(len(paragraphs))
        link = make_link(rng, seeds, notes, with_blocks, note, stats)
        links_by_paragraph.setdefault(index, []).append(link)
    for index, links in links_by_paragraph.items():
        paragraphs[index] = insert_links(rng, paragraphs[index], links)
    # Block ids go last, so no link lands after one; one per paragraph.
    chosen = rng.sample(prose, len(note.block_ids))
    for block_id, index in zip(note.block_ids, chosen, strict=True):
        paragraphs[index] += f" ^{block_id}"

    # Spread the paragraphs over the note's headings, in order.
    per_section = max(1, len(paragraphs) // len(note.headings))
    blocks = [f"# {note.name}"]
    for number, heading in enumerate(note.headings):
        blocks.append(f"## {heading}")
        start = number * per_section
        end = len(paragraphs) if number == len(note.headings) - 1 else start + per_section
        blocks.extend(paragraphs[start:end])
    return "\n\n".join(blocks) + "\n"


# --------------------------------------------------------------------------- writing


def write_support_files(out: Path) -> None:
    """`.obsidian/app.json`, `.notewarden.toml`, the schema and the attachments."""
    (out / ".obsidian").mkdir(parents=True, exist_ok=True)
    (out / ".obsidian" / "app.json").write_text("{}\n", encoding="utf-8")
    (out / ".notewarden.toml").write_text(CONFIG_TOML, encoding="utf-8")
    (out / "_schemas").mkdir(exist_ok=True)
    schema_text = json.dumps(SOURCE_SCHEMA, indent=2) + "\n"
    (out / "_schemas" / "source.schema.json").write_text(schema_text, encoding="utf-8")
    (out / "Attachments").mkdir(exist_ok=True)
    for name in ATTACHMENTS:
        data = TINY_PNG if name.endswith(".png") else f"placeholder {name}\n".encode()
        (out / "Attachments" / name).write_bytes(data)


def prepare_output(out: Path) -> None:
    """Create an empty `out`. An existing folder is only emptied if this script made it
    (it holds MARKER_FILE), so a typo can never wipe a real vault."""
    if out.exists():
        if (out / MARKER_FILE).is_file():
            shutil.rmtree(out)
        elif not out.is_dir() or any(out.iterdir()):
            sys.exit(f"generate_vault: {out} exists and is not a generated vault; "
                     "pick a new or empty folder")
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER_FILE).write_text("generated by bench/generate_vault.py\n", encoding="utf-8")


def generate(out: Path, count: int, seed: int, seed_dir: Path) -> str:
    """Write the vault into `out` and return a one-line summary."""
    rng = random.Random(seed)
    seeds = load_seeds(seed_dir)
    prepare_output(out)
    write_support_files(out)

    notes = plan_notes(rng, seeds, count)
    with_blocks = [note for note in notes if note.block_ids]
    stats = LinkStats()
    total_bytes = body_bytes = 0
    for note in notes:
        head = front_matter(rng, seeds, note, notes)
        text = head + "\n" + body(rng, seeds, note, notes, with_blocks, stats)
        data = text.encode("utf-8")
        path = out / note.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        total_bytes += len(data)
        body_bytes += len(data) - len(head.encode("utf-8"))

    folders = len({note.folder for note in notes})
    duplicates = sum(note.duplicate_name for note in notes)
    sources = sum(note.is_source for note in notes)
    return (
        f"{count} notes ({sources} in Sources/, {duplicates} with duplicate names) "
        f"in {folders} folders, {total_bytes:,} bytes "
        f"(avg body {body_bytes // max(count, 1):,} B), "
        f"{stats.total:,} links (avg {stats.total / max(count, 1):.1f}/note, "
        f"{stats.broken:,} broken), {len(ATTACHMENTS)} attachments -> {out}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path,
                        help="vault folder to create (a vault generated there before is replaced)")
    parser.add_argument("--notes", type=int, default=10_000, help="number of notes")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS,
                        help=f"folder of seed *.txt files (default: {DEFAULT_SEEDS})")
    args = parser.parse_args(argv)
    if args.notes < 1:
        parser.error("--notes must be at least 1")
    print(generate(args.out_dir, args.notes, args.seed, args.seeds))


if __name__ == "__main__":
    main()
