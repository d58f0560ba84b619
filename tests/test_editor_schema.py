"""``eccpsite schema``: the JSON Schemas agree with the build, checked by a real validator (jsonschema).

Every file the build accepts (the project's content, the golden site, the valid files of the invalid
sites) passes its schema; every file whose front matter the build refuses fails it, except for what
only the build can know (a file name, another file, an end before its start).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import RunCli
from jsonschema import Draft202012Validator

from eccpsite.core.kinds import folders
from eccpsite.core.source import Document, load_yaml, split_front_matter

ROOT = Path(__file__).resolve().parent.parent
TREES = [ROOT, ROOT / "tests" / "golden" / "site"]
INVALID = ROOT / "tests" / "invalid"
# Errors about more than the file's own front matter: other files, other fields, the file's name.
BEYOND_A_SCHEMA = (
    *("is before", "is already used by", "does not match any item", "is not a real date"),
    # a series' rules across its keys and its start, and the zone names of the machine's zoneinfo database
    *("a series needs an end", "not both", "is not a day of the series", "is not a time zone"),
)


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Draft202012Validator]:
    folder = tmp_path_factory.mktemp("schemas")
    from eccpsite.cli import main

    assert main(["--project", str(ROOT), "schema", "--output", str(folder)]) == 0
    validators = {}
    for path in sorted(folder.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        validators[path.name.removesuffix(".schema.json")] = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return validators


def _front_matter(path: Path, project: Path) -> tuple[str, dict[str, Any]] | None:
    """The schema a file is checked with and its front matter as plain data, or None if it is no YAML at all."""
    name = path.relative_to(project).as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None
    if name == "site.yaml" or name.startswith("content/newsletter/"):
        meta = load_yaml(name, text)
        kind = "site" if name == "site.yaml" else "edition"
    else:
        doc = split_front_matter(name, text)
        meta = doc.meta if isinstance(doc, Document) else None
        kind = name.split("/")[1]
    if not isinstance(meta, dict):
        return None
    return kind, json.loads(json.dumps(meta))


def _files(project: Path) -> list[Path]:
    content = [p for p in (project / "content").rglob("*") if p.suffix in (".md", ".yaml") and "media" not in p.parts]
    return sorted([*content, *([project / "site.yaml"] if (project / "site.yaml").is_file() else [])])


@pytest.mark.parametrize("tree", TREES, ids=["content", "golden"])
def test_every_file_the_build_accepts_passes_its_schema(tree: Path, schemas: dict[str, Draft202012Validator]) -> None:
    checked = 0
    for path in _files(tree):
        found = _front_matter(path, tree)
        assert found is not None, path
        kind, meta = found
        if kind not in schemas:
            continue  # a folder of content/ that is no kind of item (media, factsheets …)
        errors = [f"{e.json_path}: {e.message}" for e in schemas[kind].iter_errors(meta)]
        assert errors == [], (path, errors)
        checked += 1
    assert checked > 10


def _cases() -> list[str]:
    return sorted(p.name for p in INVALID.iterdir() if (p / "expected.txt").is_file())


@pytest.mark.parametrize("case", _cases())
def test_the_schema_refuses_what_the_build_refuses_in_the_front_matter(case: str, schemas: dict[str, Draft202012Validator]) -> None:
    folder = INVALID / case
    expected = (folder / "expected.txt").read_text(encoding="utf-8").splitlines()
    for path in _files(folder):
        found = _front_matter(path, folder)
        if found is None:
            continue  # not YAML at all: the build's own error, no schema's business
        kind, meta = found
        if kind not in schemas:
            continue
        name = path.relative_to(folder).as_posix()
        errors = [line for line in expected if line.startswith(f"{name}:")]
        schema_says = sorted(e.message for e in schemas[kind].iter_errors(meta))
        if not errors:
            assert schema_says == [], (name, schema_says)
        elif any(_expressible(line, schemas[kind].schema) for line in errors):
            assert schema_says, (name, errors)


def _expressible(line: str, schema: dict[str, Any]) -> bool:
    """Whether a schema can say what this error line of the build says: not about other files or fields,
    and not about a field whose parser the schema cannot describe (its schema is {}, any value)."""
    if any(beyond in line for beyond in BEYOND_A_SCHEMA):
        return False
    field = line.split(": ", 2)[1] if line.count(": ") >= 2 else ""
    top = field.split(".")[0]
    return schema["properties"].get(top) != {}


def test_cli_schema_writes_one_schema_per_kind_edition_and_site(tmp_path: Path, run_cli: RunCli) -> None:
    done = run_cli("schema", "--output", str(tmp_path / "out"), cwd=ROOT)
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted(f"{n}.schema.json" for n in (*folders(), "edition", "site"))
    events = json.loads((tmp_path / "out" / "events.schema.json").read_text(encoding="utf-8"))
    assert events["additionalProperties"] is False and "start" in events["required"]
    assert events["properties"]["status"]["enum"] == ["scheduled", "cancelled", "postponed"]


def test_the_committed_schemas_are_the_ones_the_build_makes(tmp_path: Path, run_cli: RunCli) -> None:
    """schemas/ (which .vscode/settings.json gives VS Code) must not drift from the declarations: run `eccpsite schema`."""
    run_cli("schema", "--output", str(tmp_path), cwd=ROOT)
    made = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()}
    committed = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "schemas").iterdir()}
    assert committed == made, "run `.venv/bin/eccpsite schema` and commit schemas/"
    wired = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))["yaml.schemas"]
    assert all((ROOT / path).is_file() for path in wired)
