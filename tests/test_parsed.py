"""What each file parsed to, kept from one build to the next (eccpsite.edges.parse_cache): an edit build parses again
only the files that changed, says the same warnings on the same lines as a cold build, reads back the very values
the parse gave, and never trusts a value it did not write."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from conftest import NOW, RunCli, write_site
from hypothesis import given
from hypothesis import strategies as st

from eccpsite.core.accessibility import CAPITALS_MIN_LETTERS, accessibility_findings
from eccpsite.core.content import body_facts, parse_content
from eccpsite.edges import parse_cache as parsed
from eccpsite.edges.parse_cache import ParseStore, decode, encode, kept_parses, store_path
from eccpsite.edges.reader import read_sources

WARNED = "content/news/2019-09-01-warned.md"
LINKED = "content/news/2019-09-02-linked.md"
FILES: dict[str, str | bytes] = {
    WARNED: "---\ntitle: Warned\ndate: 2019-09-01\n---\nFirst line.\n\n![Photo](/media/a.png)\n\n<div style='x'>Styled</div>\n",
    LINKED: "---\ntitle: Linked\ndate: 2019-09-02\n---\nSee [the other news](2019-09-01-warned.md).\n",
    "content/news/2019-09-03-plain.md": "---\ntitle: Plain\ndate: 2019-09-03\n---\nNothing to say about this text.\n",
    "content/media/a.png": bytes.fromhex("89504e470d0a1a0a"),
}


def _warnings(done_stderr: str) -> list[str]:
    return sorted(line for line in done_stderr.splitlines() if ": warning: " in line)


def test_an_edit_build_parses_only_the_changed_file_and_warns_as_a_cold_build(tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(tmp_path / "site", FILES)
    cold = run_cli("build", "--now", NOW, "--no-pdf", cwd=site)
    assert cold.returncode == 0, cold.stderr
    assert _warnings(cold.stderr), "the corpus has warnings to keep"

    (site / "content/news/2019-09-03-plain.md").write_text(str(FILES["content/news/2019-09-03-plain.md"]) + "One more line.\n")
    with kept_parses(site) as store:
        content = parse_content(read_sources(site), facts_of=store, kept=store)
    edit = run_cli("build", "--now", NOW, "--no-pdf", cwd=site)

    assert store.reused == 2, "the two files that did not change are not parsed again"
    assert edit.returncode == 0, edit.stderr
    assert _warnings(edit.stderr) == _warnings(cold.stderr)
    assert [w for w in content.errors] == [w for w in parse_content(read_sources(site)).errors]
    linked = next(i for i in content.items if i.path == LINKED)
    assert "(/news/warned/)" in linked.body, "a kept rewritten body is the rewritten one"
    assert 'href="/news/warned/"' in (site / "build/news/linked/index.html").read_text()


def test_values_the_store_did_not_write_are_parsed_again(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", FILES)
    with kept_parses(site) as store:
        expected = parse_content(read_sources(site), facts_of=store, kept=store)
    db = sqlite3.connect(store_path(site))
    with db:
        rows = db.execute("SELECT key, value FROM parsed ORDER BY key").fetchall()
        assert len(rows) == 3
        title_a_number, other_class, other_zone = (json.loads(value) for _, value in rows)
        title_a_number["item"]["v"][3] = 7  # kind, slug, path, title …
        other_class["item"]["c"] = "SiteConfig"
        other_zone["tz"] = "Asia/Tokyo"  # dates with a time would be read in another zone
        tampered = [json.dumps(title_a_number), json.dumps(other_class), json.dumps(other_zone)]
        db.executemany("UPDATE parsed SET value = ? WHERE key = ?", zip(tampered, [key for key, _ in rows], strict=True))
    db.close()

    with kept_parses(site) as store:
        again = parse_content(read_sources(site), facts_of=store, kept=store)
    db = sqlite3.connect(store_path(site))
    db.execute("UPDATE parsed SET value = 'not json'")
    db.commit()
    db.close()
    with kept_parses(site) as third:
        parse_content(read_sources(site), facts_of=third, kept=third)

    assert store.reused == 0 and third.reused == 0
    assert again == expected


def test_a_file_of_another_schema_is_replaced_unread(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", FILES)
    path = store_path(site)
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE parsed (key BLOB PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("CREATE TRIGGER t AFTER INSERT ON parsed BEGIN SELECT 1; END")
    db.commit()
    db.close()

    with kept_parses(site) as store:
        parse_content(read_sources(site), facts_of=store, kept=store)
    with kept_parses(site) as second:
        parse_content(read_sources(site), facts_of=second, kept=second)

    assert store.reused == 0 and second.reused == 3


def test_facts_survive_their_json() -> None:
    for path, body in ((WARNED, str(FILES[WARNED]).split("---\n", 2)[2]), (LINKED, "See [it](2019-09-01-warned.md).\n"), ("content/news/x.md", "[" * 300)):
        facts = body_facts(path, body)
        assert decode(encode(facts, body), body) == facts
    assert ParseStore({})("content/news/x.md", "Text.\n") == body_facts("content/news/x.md", "Text.\n")


def _capitals_by_line(text: str) -> list[int]:
    """The lines in capitals as the check first found them: every line read whole, markup removed."""
    markup = re.compile(r"[*_`~]+|!?\[|\]\([^)]*\)")
    found, offset = [], 0
    for line in text.split("\n"):
        letters = [c for c in markup.sub("", line) if c.isalpha()]
        if len(letters) >= CAPITALS_MIN_LETTERS and all(c.isupper() for c in letters):
            found.append(offset)
        offset += len(line) + 1
    return found


@given(st.lists(st.sampled_from(["THE DEADLINE IS ", "NEAR ", "ÉTÉ ", "a", "[LINK](/x/y) ", "](", "*", "\n", "Ok ", "1"]), max_size=60))
def test_lines_in_capitals_are_the_lines_read_whole(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert [f.offset for f in accessibility_findings(text) if "in capitals" in f.message] == _capitals_by_line(text)


def test_bodies_checked_ahead_on_every_core_give_the_facts_of_the_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    many = {f"content/news/2019-08-{n % 28 + 1:02d}-item-{n}.md": str(FILES[WARNED]).replace("Warned", f"Item {n}") for n in range(80)}
    site = write_site(tmp_path / "site", {**FILES, **many})
    sources = read_sources(site)
    files = [(s.path, s.text) for kind_sources in sources.items.values() for s in kind_sources]

    ahead = ParseStore({})
    assert ahead.check_ahead(files) == len(files), "80 bodies not kept: checked on every core"
    with monkeypatch.context() as patched:  # the parse finds every body's facts: it checks none itself
        patched.setattr(parsed, "body_facts", lambda path, written: pytest.fail(f"{path} checked again"))
        with_ahead = parse_content(sources, facts_of=ahead, kept=ahead)
    kept = ParseStore(dict(ahead.changes()[0]))
    assert kept.check_ahead(files) == 0, "every file kept: nothing to check ahead"
    without = parse_content(sources)

    assert with_ahead.errors == without.errors and with_ahead.errors, "the same warnings on the same lines"
    assert [i.body for i in with_ahead.items] == [i.body for i in without.items]
    assert "(/news/warned/)" in next(i for i in with_ahead.items if i.path == LINKED).body


def test_what_a_parse_gave_reads_back_as_the_same_values(repo_project: Path) -> None:
    """Every item of the real content and of the golden site, read back from the store, is the parsed item: equal,
    and with the same digest (types included: a tuple stays a tuple, a date a date, a time keeps its zone)."""
    from eccpsite.incremental.digests import Digester

    for project in (repo_project, Path(__file__).parent / "golden" / "site"):
        sources = read_sources(project)
        first = ParseStore({})
        parsed_once = parse_content(sources, facts_of=first, kept=first)
        second = ParseStore(dict(first.changes()[0]))
        read_back = parse_content(sources, facts_of=second, kept=second)
        assert second.reused == len(parsed_once.items) >= 10
        assert read_back.errors == parsed_once.errors
        for before, after in zip(parsed_once.items, read_back.items, strict=True):
            assert after == before and after.extra == before.extra and type(after) is type(before)
            assert Digester().digest(after) == Digester().digest(before), before.path


def test_a_time_read_back_keeps_its_zone_and_which_of_two_it_is() -> None:
    """Clocks go back at 03:00 on 27 October 2019 in Brussels: 02:30 comes twice (``fold``)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from eccpsite.core.kinds import registered
    from eccpsite.edges import item_json

    classes = item_json.Classes(kind.item for kind in registered())
    brussels = ZoneInfo("Europe/Brussels")
    for when in (
        dt.datetime(2019, 10, 27, 2, 30, tzinfo=brussels),
        dt.datetime(2019, 10, 27, 2, 30, fold=1, tzinfo=brussels),
        dt.datetime(2019, 10, 27, 2, 30, tzinfo=dt.timezone(dt.timedelta(hours=9))),
        dt.datetime(2019, 10, 27, 2, 30),
    ):
        back = classes.decode(json.loads(json.dumps(item_json.encode(when))))
        assert (back, back.tzinfo, back.fold, back.utcoffset()) == (when, when.tzinfo, when.fold, when.utcoffset())
    with pytest.raises(item_json.NotAnItem):
        item_json.encode(ParseStore({}))


def test_the_dev_server_takes_the_kept_parses_and_keeps_its_own(tmp_path: Path) -> None:
    from eccpsite.core.options import BuildOptions
    from eccpsite.serve.rebuild import Rebuilder

    site = write_site(tmp_path / "site", FILES)
    options = BuildOptions(now=NOW, pdf=False)
    first = Rebuilder(site, options, keep_going=True).rebuild()  # no cache yet: it parses every file, and keeps them
    with kept_parses(site) as store:
        parse_content(read_sources(site), facts_of=store, kept=store)
    assert store.reused == 3, "a build after a dev server's session parses nothing again"

    # a title planted in the kept parse of one file: the next session's first parse is that value, read, not parsed
    db = sqlite3.connect(store_path(site))
    rows = [(key, value) for key, value in db.execute("SELECT key, value FROM parsed") if '"Plain"' in value]
    assert len(rows) == 1
    db.execute("UPDATE parsed SET value = ? WHERE key = ?", (rows[0][1].replace('"Plain"', '"Planted"'), rows[0][0]))
    db.commit()
    db.close()
    again = Rebuilder(site, options, keep_going=True).rebuild()

    assert b"Planted" in again.pages["/news/plain/"] and b"Planted" not in first.pages["/news/plain/"]
    assert again.warnings == first.warnings and again.warnings, "the kept warnings are the parse's"
