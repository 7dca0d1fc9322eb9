"""Links screened while the parse workers run (VaultIndex.screen_links) must give exactly
the findings of links resolved after indexing, whatever order the records come in."""

from __future__ import annotations

import random
from pathlib import Path

from notewarden.engine import Vault, run_check
from notewarden.index import VaultIndex
from notewarden.indexing import build_index
from notewarden.pool import PARALLEL_THRESHOLD
from notewarden.store import Records
from tests.helpers import make_vault

# Every kind of link a note can hold, each pointing both at notes earlier and later in
# the walk, so that some targets' records are in when a link is screened and some not.
LINKS = """\
[[Target {n}#Heading {n}]] [[Target {n}#No Such Heading]]
[[Target {n}#^block-{n}]] [[Target {n}#^no-such-block]]
![[Target {n}#Heading {n}]] [[Target {n}#Heading {n}#Sub {n}]] [[Target {n}#Heading {n}#Nope]]
[[Twin]] [[Twin#Twin Heading]] [[Nowhere {n}]] [[Nowhere {n}#Heading]]
![[picture.png]] ![[picture.png#frag]] ![[missing-{n}.png]] [[doc.pdf#page=2]]
[[./Target {n}]] [[../Top#Top Heading]] [[#Own Heading]] [[#Not Mine]] [[#^own]]
[[Nick {n}]] [[Unreadable]] [[Unreadable#Any Heading]]
[t](Target%20{n}.md#Heading%20{n}) [t](Target%20{n}.md#Missing%20One)
"""


def _vault(root: Path, notes: int) -> Path:
    files: dict[str, str | bytes] = {
        "Top.md": "# Top Heading\n",
        "a/Twin.md": "# Twin Heading\n",
        "b/Twin.md": "# Other\n",
        "picture.png": b"\x89PNG",
        "doc.pdf": b"%PDF",
        "Unreadable.md": b"\xff\xfe not utf-8 \x80\n",
    }
    for n in range(notes):
        files[f"m/Target {n}.md"] = (
            f"---\naliases: [Nick {n}]\n---\n# Heading {n}\n## Sub {n}\ntext ^block-{n}\n")
        # Half the linking notes link forwards, half backwards, in walk order.
        target = (n + notes // 2) % notes
        files[f"m/Linker {n}.md"] = (
            "# Own Heading\n" + LINKS.format(n=target) + "last line ^own\n")
    return make_vault(root, files)


def _findings(vault: Path, jobs: int) -> list[tuple[str, int, int, str, str]]:
    result = run_check([vault], use_cache=False, jobs=jobs)
    return [(f.path, f.line, f.column, f.rule, f.message) for f in result.findings]


def test_screened_links_give_the_findings_of_unscreened_ones(tmp_path: Path) -> None:
    vault = _vault(tmp_path / "v", PARALLEL_THRESHOLD // 2 + 10)  # enough for the pool
    in_workers = _findings(vault, jobs=2)
    in_one_process = _findings(vault, jobs=1)  # parsed here: nothing is screened
    assert in_workers == in_one_process
    rules = {finding[3] for finding in in_workers if finding[0] == "m/Linker 3.md"}
    assert rules == {"broken-link", "broken-heading", "broken-block", "missing-attachment",
                     "ambiguous-link", "alias-link"}


def test_screening_in_any_order_leaves_the_same_link_issues(tmp_path: Path) -> None:
    vault = _vault(tmp_path / "v", 12)
    config = Vault.open([vault])[0]
    built = build_index(config.config, config.schemas, jobs=1)
    records = {path: built.records[path] for path in built.records}
    expected = {path: built.link_issues(record) for path, record in records.items()}
    assert any(expected.values())
    for seed in range(5):
        order = list(records)
        random.Random(seed).shuffle(order)
        arrived = Records()
        index = VaultIndex(vault, arrived, built.attachments, note_paths=order)
        for path in order:
            arrived.add(records[path])
            index.screen_links(records[path])
        index.all_records_in()
        # Screening passed over every link that resolves plainly; it leaves the issues and
        # the links by relative path or into the note itself, which link_issues checks.
        left = {(path, row) for path, rows in index._unscreened.items()
                for row in rows if row is not None}
        assert left == {(path, row) for path, record in records.items()
                        for row in record.link_rows
                        if not row[1] or row[1][0] in "./"
                        or any(tuple(link) == row for link, _ in expected[path])}
        assert {path: index.link_issues(records[path]) for path in order} == expected


def test_rules_skipped_for_notes_without_link_issues_would_report_nothing_there(
        tmp_path: Path) -> None:
    # vault_problems skips a rule marked only_link_issues for a note whose link_issues is
    # empty; run them anyway on every note of a vault with every kind of link.
    from notewarden.rules import VAULT_RULES

    vault = _vault(tmp_path / "v", 12)
    (vault / "Plain.md").write_text("[[Top]] [[Top#Top Heading]] ![[picture.png]]\n")
    config = Vault.open([vault])[0]
    index = build_index(config.config, config.schemas, jobs=1)
    marked = [rule for rule in VAULT_RULES if rule.only_link_issues]
    assert {rule.name for rule in marked} == {
        "broken-link", "broken-heading", "broken-block", "missing-attachment",
        "ambiguous-link", "alias-link"}
    quiet = [path for path in index.records if not index.link_issues(index.records[path])]
    assert "Plain.md" in quiet and "m/Target 3.md" in quiet
    for path in quiet:
        for rule in marked:
            assert list(rule.check(index.records[path], index)) == [], (rule.name, path)
