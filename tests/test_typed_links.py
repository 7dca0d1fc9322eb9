"""Typed links in JSON Schema (issue 14, part 2): `format: wikilink` and `x-links-to`,
on real vaults in temporary folders; the warm store and `watch` re-check a note whose
typed link points at a note whose front-matter changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import EXAMPLE_VAULT, REPO, check_json, findings_of, lint, make_vault, run_cli
from tests.test_hook import git_env  # noqa: F401 - autouse: a git identity, no outside state
from tests.test_watch import FAST, findings_in, mentions, watching

PERSON = {"type": "object", "required": ["role"], "properties": {"role": {"type": "string"}}}
CONFIG = '[schemas]\n"Videos/**" = "_schemas/video.schema.json"\n'


def _video_schema(**properties: Any) -> str:
    return json.dumps({"type": "object", "properties": properties})


def _guest(**links_to: str) -> dict[str, Any]:
    return {"type": "string", "format": "wikilink", "x-links-to": links_to}


def _vault(tmp_path: Path, schema: str, notes: dict[str, str], **extra: str) -> Path:
    files = {"_schemas/video.schema.json": schema,
             "_schemas/person.schema.json": json.dumps(PERSON),
             "People/Bob.md": "---\nrole: host\n---\n# Bob\n",
             "People/Carol.md": "---\nname: Carol\n---\n# Carol\n",
             "Hives/Hive Alpha.md": "# Hive Alpha\n", "photo.png": "png", **notes}
    return make_vault(tmp_path / "v", files, config=extra.get("config", CONFIG))


def _schema_findings(vault: Path) -> list[tuple[str, int, int, str]]:
    return [(f.path, f.line, f.column, f.message) for f in lint(vault) if f.rule == "schema"]


# --- format: wikilink --------------------------------------------------------------------


@pytest.mark.parametrize("value", ['"[[Bob]]"', '"[[Bob|the host]]"', '"[[Bob#Early life]]"',
                                   '"[[People/Bob]]"', '"[[#Notes]]"', "7"])
def test_format_wikilink_accepts_one_wiki_link(tmp_path: Path, value: str) -> None:
    schema = _video_schema(guest={"format": "wikilink"})
    vault = _vault(tmp_path, schema, {"Videos/V.md": f"---\nguest: {value}\n---\n# Notes\n"})
    assert _schema_findings(vault) == []


@pytest.mark.parametrize("value", ["Bob", '"![[Bob]]"', '"[[Bob]] and [[Carol]]"',
                                   '"[[Bob]] "', '"see [[Bob]]"', '"[[]]"'])
def test_format_wikilink_rejects_anything_else(tmp_path: Path, value: str) -> None:
    schema = _video_schema(guest={"format": "wikilink"})
    vault = _vault(tmp_path, schema, {"Videos/V.md": f"---\nguest: {value}\n---\n"})
    ((path, line, column, message),) = _schema_findings(vault)
    assert (path, line, column) == ("Videos/V.md", 2, 1)
    assert message.startswith("guest: ") and "is not a 'wikilink'" in message


# --- x-links-to ----------------------------------------------------------------------------


def test_a_link_outside_the_glob_is_reported_at_the_property(tmp_path: Path) -> None:
    schema = _video_schema(guest=_guest(glob="People/**"))
    vault = _vault(tmp_path, schema, {
        "Videos/V.md": '---\ntitle: x\nguest: "[[Hive Alpha]]"\n---\n',
        "Videos/W.md": '---\nguest: "[[Bob]]"\n---\n'})
    assert _schema_findings(vault) == [(
        "Videos/V.md", 3, 1, "guest: [[Hive Alpha]] must link to a note under People/**; it "
        "links to Hives/Hive Alpha.md (_schemas/video.schema.json)")]


def test_a_target_whose_front_matter_breaks_the_schema_is_reported(tmp_path: Path) -> None:
    schema = _video_schema(guest=_guest(schema="_schemas/person.schema.json"))
    vault = _vault(tmp_path, schema, {
        "Videos/V.md": '---\nguest: "[[Carol|C]]"\n---\n',
        "Videos/W.md": '---\nguest: "[[Bob]]"\n---\n'})
    assert _schema_findings(vault) == [(
        "Videos/V.md", 2, 1, "guest: [[Carol|C]] must link to a note that satisfies "
        "_schemas/person.schema.json; People/Carol.md does not (role: required property is "
        "missing) (_schemas/video.schema.json)")]


def test_glob_and_schema_together(tmp_path: Path) -> None:
    schema = _video_schema(guest=_guest(glob="People/**", schema="_schemas/person.schema.json"))
    vault = _vault(tmp_path, schema, {
        "Videos/A.md": '---\nguest: "[[Bob]]"\n---\n',  # fits both
        "Videos/B.md": '---\nguest: "[[Carol]]"\n---\n',  # right folder, wrong properties
        "Videos/C.md": '---\nguest: "[[Hive Alpha]]"\n---\n'})  # wrong folder
    found = {path: message for path, _line, _column, message in _schema_findings(vault)}
    assert set(found) == {"Videos/B.md", "Videos/C.md"}
    assert "satisfies _schemas/person.schema.json; People/Carol.md does not" in found[
        "Videos/B.md"]
    assert "must link to a note under People/**; it links to Hives/Hive Alpha.md" in found[
        "Videos/C.md"]


def test_items_hold_each_element_at_its_own_line(tmp_path: Path) -> None:
    schema = _video_schema(guests={"type": "array", "items": _guest(glob="People/**")})
    vault = _vault(tmp_path, schema, {"Videos/V.md": (
        '---\nguests:\n  - "[[Bob]]"\n  - "[[Hive Alpha]]"\n  - "[[Carol]]"\n---\n')})
    assert [(line, column, message.split(";")[0]) for _p, line, column, message
            in _schema_findings(vault)] == [
        (4, 5, "guests[1]: [[Hive Alpha]] must link to a note under People/**")]


def test_a_broken_typed_link_is_only_a_broken_link(tmp_path: Path) -> None:
    schema = _video_schema(guest=_guest(glob="People/**", schema="_schemas/person.schema.json"))
    vault = _vault(tmp_path, schema, {"Videos/V.md": '---\nguest: "[[Nobody]]"\n---\n'})
    findings = [(f.path, f.rule) for f in lint(vault)]
    assert findings == [("Videos/V.md", "broken-link")]


def test_a_link_to_an_attachment_is_not_a_note(tmp_path: Path) -> None:
    schema = _video_schema(guest={"x-links-to": {"schema": "_schemas/person.schema.json"}})
    vault = _vault(tmp_path, schema, {"Videos/V.md": '---\nguest: "[[photo.png]]"\n---\n'})
    ((_path, _line, _column, message),) = _schema_findings(vault)
    assert "[[photo.png]] must link to a note that satisfies" not in message
    assert message.startswith("guest: [[photo.png]] must link to a note; it links to "
                              "photo.png, which is not a note")


def test_a_value_that_is_no_link_is_left_to_format_wikilink(tmp_path: Path) -> None:
    schema = _video_schema(guest={"x-links-to": {"glob": "People/**"}})
    vault = _vault(tmp_path, schema, {"Videos/V.md": "---\nguest: Hive Alpha\n---\n"})
    assert _schema_findings(vault) == []


def test_x_links_to_is_followed_through_ref_and_all_of(tmp_path: Path) -> None:
    schema = json.dumps({
        "type": "object",
        "allOf": [{"properties": {"host": {"$ref": "#/$defs/person"}}}],
        "properties": {"guests": {"items": {"$ref": "parts.json#/guest"}}},
        "$defs": {"person": {"x-links-to": {"glob": "People/**"}}}})
    vault = _vault(tmp_path, schema, {
        "_schemas/parts.json": json.dumps({"guest": {"x-links-to": {"glob": "People/**"}}}),
        "Videos/V.md": '---\nhost: "[[Hive Alpha]]"\nguests: ["[[Bob]]", "[[Hive Alpha]]"]\n'
                       "---\n"})
    assert [message.split(" must")[0] for *_at, message in _schema_findings(vault)] == [
        "host: [[Hive Alpha]]", "guests[1]: [[Hive Alpha]]"]


def test_pattern_and_additional_properties_lead_to_x_links_to(tmp_path: Path) -> None:
    schema = json.dumps({
        "type": "object", "properties": {"title": {"type": "string"}},
        "patternProperties": {"^guest_": {"x-links-to": {"glob": "People/**"}}},
        "additionalProperties": {"x-links-to": {"glob": "Hives/**"}}})
    vault = _vault(tmp_path, schema, {
        "Videos/V.md": '---\ntitle: "[[Bob]]"\nguest_1: "[[Hive Alpha]]"\nhive: "[[Bob]]"\n'
                       "---\n"})
    assert [(line, message.split(";")[0]) for _p, line, _c, message
            in _schema_findings(vault)] == [
        (3, "guest_1: [[Hive Alpha]] must link to a note under People/**"),
        (4, "hive: [[Bob]] must link to a note under Hives/**")]


def test_a_bundled_schema_can_be_named(tmp_path: Path) -> None:
    schema = _video_schema(guest={"x-links-to": {"schema": "obsidian"}})
    vault = _vault(tmp_path, schema, {
        "People/Dan.md": "---\ntags: 5\n---\n",
        "Videos/V.md": '---\nguest: "[[Dan]]"\n---\n',
        "Videos/W.md": '---\nguest: "[[Bob]]"\n---\n'})
    ((path, _line, _column, message),) = _schema_findings(vault)
    assert path == "Videos/V.md"
    assert "must link to a note that satisfies obsidian; People/Dan.md does not (tags:" in message


def test_a_target_whose_front_matter_does_not_parse(tmp_path: Path) -> None:
    schema = _video_schema(guest={"x-links-to": {"schema": "_schemas/person.schema.json"}})
    vault = _vault(tmp_path, schema, {
        "People/Eve.md": "---\nrole: [unclosed\n---\n",
        "Videos/V.md": '---\nguest: "[[Eve]]"\n---\n'})
    ((_path, _line, _column, message),) = _schema_findings(vault)
    assert "People/Eve.md does not (its front-matter does not parse)" in message


# --- what a schema may name -----------------------------------------------------------------


@pytest.mark.parametrize("ref", ["/etc/passwd", "../outside.schema.json", "file:///etc/passwd",
                                 "https://example.com/person.json"])
def test_an_x_links_to_schema_outside_the_vault_is_a_config_error(tmp_path: Path,
                                                                   ref: str) -> None:
    (tmp_path / "outside.schema.json").write_text('{"const": "TOPSECRET-123"}')
    schema = _video_schema(guest={"x-links-to": {"schema": ref}})
    vault = _vault(tmp_path, schema, {"Videos/V.md": '---\nguest: "[[Bob]]"\n---\n'})
    result = run_cli("check", vault, "--no-cache")
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "x-links-to schema" in result.stderr and ref in result.stderr
    assert "TOPSECRET" not in result.stdout + result.stderr


def test_a_ref_in_an_x_links_to_schema_is_confined_too(tmp_path: Path) -> None:
    (tmp_path / "outside.json").write_text('{"const": "TOPSECRET-123"}')
    schema = _video_schema(guest={"x-links-to": {"schema": "_schemas/leaky.json"}})
    vault = _vault(tmp_path, schema, {
        "_schemas/leaky.json": '{"properties": {"role": {"$ref": "../../outside.json"}}}',
        "Videos/V.md": '---\nguest: "[[Bob]]"\n---\n'})
    result = run_cli("check", vault, "--no-cache")
    assert result.returncode == 2
    assert "is refused" in result.stderr and "_schemas/leaky.json" in result.stderr
    assert "TOPSECRET" not in result.stdout + result.stderr


@pytest.mark.parametrize("spec", ['"People/**"', '{"glob": 3}', '{"folder": "People"}'])
def test_an_x_links_to_notewarden_cannot_follow_is_a_config_error(tmp_path: Path,
                                                                   spec: str) -> None:
    schema = '{"properties": {"guest": {"x-links-to": ' + spec + "}}}"
    vault = _vault(tmp_path, schema, {"Videos/V.md": '---\nguest: "[[Bob]]"\n---\n'})
    result = run_cli("check", vault, "--no-cache")
    assert result.returncode == 2
    assert "x-links-to must be an object" in result.stderr


def test_a_missing_x_links_to_schema_file_is_a_config_error(tmp_path: Path) -> None:
    schema = _video_schema(guest={"x-links-to": {"schema": "_schemas/nobody.json"}})
    vault = _vault(tmp_path, schema, {"Videos/V.md": '---\nguest: "[[Bob]]"\n---\n'})
    result = run_cli("check", vault, "--no-cache")
    assert result.returncode == 2
    assert "cannot read x-links-to schema '_schemas/nobody.json'" in result.stderr


# --- incremental checks -------------------------------------------------------------------


def _warm_schema_messages(vault: Path) -> list[str]:
    result = run_cli("check", vault, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    return [f["message"] for f in json.loads(result.stdout)["findings"]
            if f["rule"] == "schema"]


def test_a_warm_check_rechecks_typed_links_when_the_target_changes(tmp_path: Path) -> None:
    schema = _video_schema(guest=_guest(glob="People/**", schema="_schemas/person.schema.json"))
    vault = _vault(tmp_path, schema, {"Videos/V.md": '---\nguest: "[[Bob]]"\n---\n'})
    assert _warm_schema_messages(vault) == []  # cold: fills the store
    assert _warm_schema_messages(vault) == []  # warm, unchanged
    bob = vault / "People/Bob.md"
    bob.write_text("---\nname: Bob\n---\n# Bob\n", encoding="utf-8")  # loses `role`
    (message,) = _warm_schema_messages(vault)
    assert "People/Bob.md does not (role: required property is missing)" in message
    bob.write_text("---\nname: Bob\n---\n# Bob, edited\n", encoding="utf-8")  # body only
    assert len(_warm_schema_messages(vault)) == 1
    bob.write_text("---\nrole: guest\n---\n# Bob\n", encoding="utf-8")
    assert _warm_schema_messages(vault) == []
    (vault / "Hives").mkdir(exist_ok=True)
    bob.rename(vault / "Hives/Bob.md")  # moved out of the glob
    (message,) = _warm_schema_messages(vault)
    assert "must link to a note under People/**; it links to Hives/Bob.md" in message
    # Each warm answer is the cold one.
    assert [f["message"] for f in findings_of("schema", check_json(vault))] == [message]


def test_watch_rechecks_typed_links_when_the_target_changes(tmp_path: Path) -> None:
    schema = _video_schema(guest=_guest(schema="_schemas/person.schema.json"))
    vault = _vault(tmp_path, schema, {"Videos/V.md": '---\nguest: "[[Bob]]"\n---\n'})
    with watching(vault, *FAST) as daemon:
        assert findings_in(daemon.passes[0], "Videos/V.md") == []
        (vault / "People/Bob.md").write_text("---\nrole: 5\n---\n# Bob\n", encoding="utf-8")
        report = daemon.wait_for(mentions("People/Bob.md"))
        (finding,) = findings_in(report, "Videos/V.md", "schema")
        assert "People/Bob.md does not (role: 5 is not of type 'string')" in finding["message"]
        # check's JSON adds `file` (relative to the current folder); watch's passes do not.
        assert [{k: v for k, v in f.items() if k != "file"} for f in check_json(vault)] \
            == report["findings"]
        (vault / "People/Bob.md").write_text("---\nrole: host\n---\n# Bob\n", encoding="utf-8")
        report = daemon.wait_for(mentions("People/Bob.md"))
        assert findings_in(report, "Videos/V.md") == []


def test_watch_reloads_when_the_x_links_to_schema_is_edited(tmp_path: Path) -> None:
    schema = _video_schema(guest=_guest(schema="_schemas/person.schema.json"))
    vault = _vault(tmp_path, schema, {"Videos/V.md": '---\nguest: "[[Bob]]"\n---\n'})
    with watching(vault, *FAST) as daemon:
        assert findings_in(daemon.passes[0], "Videos/V.md") == []
        stricter = {**PERSON, "required": ["role", "born"]}
        (vault / "_schemas/person.schema.json").write_text(json.dumps(stricter),
                                                           encoding="utf-8")
        report = daemon.wait_for(lambda p: p["event"] == "config")
        (finding,) = findings_in(report, "Videos/V.md", "schema")
        assert "People/Bob.md does not (born: required property is missing)" in finding[
            "message"]


# --- the example vault ---------------------------------------------------------------------


VIDEO = "Videos/Dario Amodei and Dwarkesh Patel - Exponential Scaling vs Real World Friction.md"


def test_the_example_vaults_guest_is_a_person_and_the_readme_shows_a_wrong_one(
        tmp_path: Path) -> None:
    paths = {f["path"] for f in check_json(EXAMPLE_VAULT, "--select", "schema")}
    assert paths == {"Sources/Dwarkesh Patel - What Are We Scaling.md"}  # seed 000's defect
    vault = tmp_path / "example-vault"
    shutil.copytree(EXAMPLE_VAULT, vault)
    video = vault / VIDEO
    text = video.read_text(encoding="utf-8")
    assert 'guest: "[[Dario Amodei]]"\n' in text
    video.write_text(text.replace("[[Dario Amodei]]", "[[Dwarkesh Patel - What Are We Scaling]]"),
                     encoding="utf-8")
    result = run_cli("check", "Videos", "--no-cache", cwd=vault)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shown = readme.split("Were its guest", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    assert result.stdout.splitlines()[0] + "\n" == shown


def test_typed_links_through_the_parse_pool_and_the_store(tmp_path: Path) -> None:
    """Enough notes for the parse workers (pool.PARALLEL_THRESHOLD): the schemas and the
    typed links cross processes, and the workers' stored rows answer the warm check."""
    schema = _video_schema(guest=_guest(glob="People/**", schema="_schemas/person.schema.json"))
    notes = {f"Videos/V{i}.md": f'---\nguest: "[[{"Bob" if i % 3 else "Carol"}]]"\n---\n'
             for i in range(360)}
    vault = _vault(tmp_path, schema, notes)
    cold = run_cli("check", vault, "--format", "json", "--jobs", "2")
    assert cold.returncode == 1, cold.stderr
    found = json.loads(cold.stdout)["findings"]
    assert {f["path"] for f in found} == {f"Videos/V{i}.md" for i in range(0, 360, 3)}
    assert all("People/Carol.md does not (role: required property is missing)" in f["message"]
               for f in found)
    (vault / "People/Carol.md").write_text("---\nrole: guest\n---\n", encoding="utf-8")
    warm = run_cli("check", vault, "--format", "json", "--jobs", "2")
    assert warm.returncode == 0, warm.stdout + warm.stderr


def test_the_schema_set_keeps_its_typed_links_when_pickled(tmp_path: Path) -> None:
    """Parse workers started by spawn (macOS, Windows) get the schemas pickled."""
    import pickle

    from notewarden.config import load_config
    from notewarden.rules import RULES
    from notewarden.schemas import SchemaSet

    schema = _video_schema(guest=_guest(glob="People/**", schema="_schemas/person.schema.json"))
    vault = _vault(tmp_path, schema, {})
    schemas = SchemaSet.load(load_config(vault, set(RULES)))
    copy = pickle.loads(pickle.dumps(schemas))
    assert (copy.link_schemas, copy.typed, copy.link_targets) == (
        schemas.link_schemas, frozenset({"_schemas/video.schema.json"}),
        (("People/**", "_schemas/person.schema.json"),))
    assert copy.link_schemas_for("People/Bob.md") == ["_schemas/person.schema.json"]
    assert copy.link_schemas_for("Hives/Hive Alpha.md") == []


def test_an_x_links_to_schema_symlinked_out_of_the_vault_is_refused(tmp_path: Path) -> None:
    (tmp_path / "outside.schema.json").write_text('{"const": "TOPSECRET-123"}')
    schema = _video_schema(guest={"x-links-to": {"schema": "_schemas/person-link.json"}})
    vault = _vault(tmp_path, schema, {"Videos/V.md": '---\nguest: "[[Bob]]"\n---\n'})
    (vault / "_schemas/person-link.json").symlink_to(tmp_path / "outside.schema.json")
    result = run_cli("check", vault, "--no-cache")
    assert result.returncode == 2
    assert "x-links-to schema '_schemas/person-link.json' is outside the vault" in result.stderr
    assert "TOPSECRET" not in result.stdout + result.stderr


def test_a_staged_check_reports_typed_links_a_staged_edit_breaks(tmp_path: Path) -> None:
    """`check --staged` checks the staged notes, and also the typed links elsewhere that
    point at a note the commit changes (as it reports links into a note it deletes)."""
    from tests.test_hook import git, make_repo

    schema = _video_schema(guest=_guest(schema="_schemas/person.schema.json"))
    repo = make_repo(tmp_path / "repo", {
        ".notewarden.toml": CONFIG, "_schemas/video.schema.json": schema,
        "_schemas/person.schema.json": json.dumps(PERSON),
        "People/Bob.md": "---\nrole: host\n---\n# Bob\n",
        "Videos/V.md": '---\ntitle: V\nguest: "[[Bob]]"\n---\nSee [[Bob]].\n'})
    (repo / "People/Bob.md").write_text("---\nname: Bob\n---\n# Bob\n", encoding="utf-8")
    staged = run_cli("check", "--staged", "--format", "json", cwd=repo)
    assert staged.returncode == 0, staged.stdout  # not staged yet: the commit is fine
    git(repo, "add", "People/Bob.md")
    staged = run_cli("check", "--staged", "--format", "json", cwd=repo)
    assert staged.returncode == 1, staged.stdout + staged.stderr
    ((path, line, rule, message),) = [(f["path"], f["line"], f["rule"], f["message"])
                                      for f in json.loads(staged.stdout)["findings"]]
    assert (path, line, rule) == ("Videos/V.md", 3, "schema")
    assert "People/Bob.md does not (role: required property is missing)" in message
