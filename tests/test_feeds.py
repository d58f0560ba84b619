"""Feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 that feed readers and the W3C validator accept.

The rules are the W3C Feed Validator's: the self link is where the feed lives,
no relative references in content, plausible dates, unique guids, real names
in author fields; and ours: stable ids, dates from content (never the clock,
never after the build's moment), sanitized content, newest first.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import feedparser  # type: ignore[import-untyped]
import pytest
from conftest import NOW, REPO, write_site

from eccpsite.build import BuildOptions, build_outputs
from eccpsite.core import urls
from eccpsite.core.model import first_listed
from eccpsite.outputs.feed_entries import absolutize
from eccpsite.outputs.pages import render_feeds
from eccpsite.outputs.render import Output, Renderer
from eccpsite.outputs.site import render_site
from eccpsite.outputs.theme import make_environment

BASE = "https://test.example.org"
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
NOW_MOMENT = dt.datetime(2019, 9, 16, tzinfo=dt.timezone(dt.timedelta(hours=2)))
SECTIONS = ("news", "events", "calls", "interviews", "newsletter", "all")

CONTENT_FILES: dict[str, str | bytes] = {
    "content/media/map.png": b"\x89PNG\r\n\x1a\n",
    "content/news/2019-09-01-forum-report.md": """---
title: Report from the forum
date: 2019-09-01
source: Cluster Excellence Network
summary: How the forum went.
tags: [forum]
links:
  - {title: Photos of the forum, url: "https://photos.example.org/forum"}
---
The [forum](/events/two-day-forum/) met in Zagreb[^1]; see [all events](/events/), [the earlier item](../unsafe-html/) and the map:

![A map of the venue](/media/map.png)

[^1]: In the Westin hotel.
""",
    "content/news/2019-08-20-unsafe-html.md": """---
title: A news item with raw HTML
date: 2019-08-20
tags: [forum]
---
Text with 4<sup>th</sup> and <script>alert("x")</script> and <a href="javascript:alert(1)" onclick="steal()">a bad link</a>.
""",
    "content/news/2019-09-20-dated-after-the-build.md": """---
title: A news item dated after the build
date: 2019-09-20
---
Dated four days after the build's moment.
""",
    "content/events/two-day-forum.md": """---
title: Two-day cluster forum
start: 2019-04-25
end: 2019-04-26
location: {city: Zagreb, country: HR}
tags: [forum]
---
Two full days of talks.
""",
    "content/events/tentative-mission.md": """---
title: Matchmaking mission to Nanjing
start: 2019-11-15
tentative: true
date_note: mid-November 2019
location: {city: Nanjing, country: CN}
---
The exact dates are not yet known.
""",
    "content/calls/three-stage-call.md": """---
title: Cluster internationalisation call
opens: 2019-01-15
deadlines:
  - {date: 2019-03-01, label: 1st cut-off}
  - {date: 2019-06-04T17:00, label: 2nd cut-off}
  - {date: 2019-10-01, label: 3rd cut-off}
programme: COSME
---
Apply before any of the three cut-offs.
""",
    "content/interviews/jane-doe.md": """---
title: Jane Doe on clusters
date: 2019-07-01
person: {name: Jane Doe, role: Cluster manager, organisation: Test Cluster, country: BE}
---
An interview.
""",
    "content/newsletter/2019-09.yaml": """number: 3
date: 2019-09-10
title: Newsletter of September 2019
intro: The forum, a mission and a call.
sections:
  - title: News
    items: [news/forum-report]
  - title: Events
    items: [events/tentative-mission, events/two-day-forum]
""",
}


def outputs_of(project: Path, now: str = NOW, pdf: bool = True) -> dict[str, bytes]:
    return {o.url: o.data for o in build_outputs(project, BuildOptions(now=now, pdf=pdf)).outputs}


def feeds_of(outputs: dict[str, bytes]) -> dict[str, bytes]:
    return {url: data for url, data in outputs.items() if url.startswith("/feeds/") or "/feed." in url}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_site(tmp_path_factory.mktemp("feeds") / "site", CONTENT_FILES)


@pytest.fixture(scope="module")
def built(project: Path) -> dict[str, bytes]:
    """The fixture site without its PDF edition (see the enclosure tests)."""
    return outputs_of(project, pdf=False)


@pytest.fixture(scope="module")
def real_outputs() -> dict[str, bytes]:
    return outputs_of(REPO)


@pytest.fixture(scope="module")
def real(real_outputs: dict[str, bytes]) -> dict[str, bytes]:
    return feeds_of(real_outputs)


def xml_feeds(feeds: dict[str, bytes]) -> Iterator[tuple[str, bytes]]:
    return ((u, d) for u, d in sorted(feeds.items()) if u.endswith((".xml", ".atom")))


def entries(url: str, data: bytes) -> list[dict[str, object]]:
    """The entries of a feed in any of the three formats, read from the raw document (not feedparser, which fixes things up)."""
    if url.endswith(".json"):
        items: list[dict[str, object]] = json.loads(data)["items"]
        return [{"id": i["id"], "link": i["url"], "content": i["content_html"], "published": dt.datetime.fromisoformat(str(i["date_published"])),
                 "updated": dt.datetime.fromisoformat(str(i["date_modified"]))} for i in items]  # fmt: skip
    root = ET.fromstring(data)
    if url.endswith(".atom"):
        return [
            {
                "id": e.findtext(f"{ATOM}id"),
                "link": next(link.get("href") for link in e.findall(f"{ATOM}link") if link.get("rel") == "alternate"),
                "content": e.findtext(f"{ATOM}content"),
                "published": dt.datetime.fromisoformat(e.findtext(f"{ATOM}published") or ""),
                "updated": dt.datetime.fromisoformat(e.findtext(f"{ATOM}updated") or ""),
            }
            for e in root.iter(f"{ATOM}entry")
        ]
    return [
        {
            "id": i.findtext("guid"),
            "link": i.findtext("link"),
            "content": i.findtext(CONTENT),
            "published": email.utils.parsedate_to_datetime(i.findtext("pubDate") or ""),
            "updated": email.utils.parsedate_to_datetime(i.findtext("pubDate") or ""),
        }
        for i in root.iter("item")
    ]


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value or "" for name, value in attrs if name in ("href", "src")]


def references(fragment: str) -> list[str]:
    parser = _References()
    parser.feed(fragment)
    return parser.found


# --- which feeds -----------------------------------------------------------------------------------


def test_feeds_exist_for_every_section_format_and_tag(built: dict[str, bytes]) -> None:
    feeds = set(feeds_of(built))
    expected = {urls.feed_url(s, ext) for s in SECTIONS for ext in ("xml", "atom", "json")}
    expected |= {urls.tag_feed_url(t, ext) for t in ("forum",) for ext in ("xml", "atom", "json")}
    assert feeds == expected
    assert urls.feed_url("news", "atom") == "/feeds/news.atom" and urls.tag_feed_url("forum", "xml") == "/tags/forum/feed.xml"


def test_feeds_hold_their_sections_items(built: dict[str, bytes]) -> None:
    def links(url: str) -> list[str]:
        return [str(e["link"]) for e in entries(url, built[url])]

    # both were published in the edition of 10 September: the same date, then by address, last first
    assert links("/feeds/events.xml") == [f"{BASE}/events/two-day-forum/", f"{BASE}/events/tentative-mission/"]
    assert links("/feeds/calls.atom") == [f"{BASE}/calls/three-stage-call/"]
    assert links("/feeds/interviews.json") == [f"{BASE}/interviews/jane-doe/"]
    assert links("/feeds/newsletter.xml") == [f"{BASE}/newsletter/2019-09/"]
    assert len(links("/feeds/all.xml")) == 3 + 2 + 1 + 1 + 1
    assert set(links("/tags/forum/feed.atom")) == {f"{BASE}/news/forum-report/", f"{BASE}/news/unsafe-html/", f"{BASE}/events/two-day-forum/"}


# --- validity --------------------------------------------------------------------------------------


def test_feeds_parse_with_feedparser_without_bozo(built: dict[str, bytes], real: dict[str, bytes]) -> None:
    checked = 0
    for url, data in [*xml_feeds(feeds_of(built)), *xml_feeds(real)]:
        parsed = feedparser.parse(data)
        assert not parsed.bozo, f"{url}: {parsed.get('bozo_exception')}"
        assert parsed.version == ("atom10" if url.endswith(".atom") else "rss20"), url
        checked += 1
    assert checked >= 2 * len(SECTIONS) * 2


def test_feeds_json_feed_1_1_has_required_fields(built: dict[str, bytes], real: dict[str, bytes]) -> None:
    for url, data in {**feeds_of(built), **real}.items():
        if not url.endswith(".json"):
            continue
        document = json.loads(data)
        assert document["version"] == "https://jsonfeed.org/version/1.1"
        assert document["title"] and document["home_page_url"].startswith("https://")
        for item in document["items"]:
            assert item["id"] and item["url"].startswith("https://") and item["content_html"]


def test_feeds_self_link_is_the_feeds_own_address(built: dict[str, bytes], real: dict[str, bytes]) -> None:
    for base, feeds in ((BASE, feeds_of(built)), ("https://www.clustercollaboration.eu", real)):
        for url, data in feeds.items():
            location = base + url
            if url.endswith(".json"):
                assert json.loads(data)["feed_url"] == location
                continue
            root = ET.fromstring(data)
            links = root.findall(f"{ATOM}link") if url.endswith(".atom") else root.findall(f"channel/{ATOM}link")
            assert [link.get("href") for link in links if link.get("rel") == "self"] == [location], url


def test_feeds_channel_link_leads_to_the_site(built: dict[str, bytes]) -> None:
    rss = ET.fromstring(built["/feeds/news.xml"])
    assert rss.findtext("channel/link") == f"{BASE}/news/"
    atom = ET.fromstring(built["/tags/forum/feed.atom"])
    assert [link.get("href") for link in atom.findall(f"{ATOM}link") if link.get("rel") == "alternate"] == [f"{BASE}/tags/forum/"]
    assert json.loads(built["/feeds/all.json"])["home_page_url"] == f"{BASE}/"


def test_feeds_have_no_relative_references_in_content(built: dict[str, bytes], real: dict[str, bytes]) -> None:
    for url, data in {**feeds_of(built), **real}.items():
        for entry in entries(url, data):
            for reference in references(str(entry["content"])):
                assert reference.startswith(("https://", "http://", "mailto:")), f"{url}: {reference}"


def test_feeds_resolve_relative_links_against_the_items_page(built: dict[str, bytes]) -> None:
    (report,) = [e for e in entries("/feeds/news.atom", built["/feeds/news.atom"]) if e["id"] == f"{BASE}/news/forum-report/"]
    found = references(str(report["content"]))
    assert f"{BASE}/events/two-day-forum/" in found
    assert f"{BASE}/news/unsafe-html/" in found
    assert f"{BASE}/events/" in found
    assert f"{BASE}/media/map.png" in found
    assert any(r.startswith(f"{BASE}/news/forum-report/#fn") for r in found)
    assert "https://photos.example.org/forum" in found


def test_feeds_absolutize_leaves_absolute_urls_and_escapes() -> None:
    fragment = '<a href="../b/?x=1&amp;y=2">b</a><a href="https://other.example/">o</a><img src="c.png" alt=""><a href="mailto:a@b.eu">m</a>'
    assert absolutize(fragment, "https://s.example/news/a/") == (
        '<a href="https://s.example/news/b/?x=1&amp;y=2">b</a><a href="https://other.example/">o</a>'
        '<img src="https://s.example/news/a/c.png" alt=""><a href="mailto:a@b.eu">m</a>'
    )


def test_feeds_guids_are_unique_and_the_items_address(built: dict[str, bytes], real: dict[str, bytes]) -> None:
    for url, data in {**feeds_of(built), **real}.items():
        ids = [e["id"] for e in entries(url, data)]
        assert len(ids) == len(set(ids)), url
        assert all(e["id"] == e["link"] for e in entries(url, data)), url
    rss = ET.fromstring(built["/feeds/news.xml"])
    assert {g.get("isPermaLink") for g in rss.iter("guid")} == {"true"}


def test_feeds_content_is_sanitized(built: dict[str, bytes]) -> None:
    for url, data in feeds_of(built).items():
        for entry in entries(url, data):
            content = str(entry["content"]).lower()
            assert "<script" not in content and "javascript:" not in content and "onclick" not in content, url
    (unsafe,) = [e for e in entries("/feeds/news.xml", built["/feeds/news.xml"]) if "unsafe-html" in str(e["id"])]
    assert "4<sup>th</sup>" in str(unsafe["content"])


# --- dates and order ---------------------------------------------------------------------------------


def test_feeds_dates_are_never_after_the_build(built: dict[str, bytes], real: dict[str, bytes]) -> None:
    for url, data in {**feeds_of(built), **real}.items():
        for entry in entries(url, data):
            assert entry["published"] <= NOW_MOMENT and entry["updated"] <= NOW_MOMENT, url  # type: ignore[operator]
            assert entry["published"] >= dt.datetime(2015, 1, 1, tzinfo=dt.UTC), url  # type: ignore[operator]
    news = {e["id"]: e for e in entries("/feeds/news.atom", built["/feeds/news.atom"])}
    assert news[f"{BASE}/news/dated-after-the-build/"]["published"] == NOW_MOMENT


def test_feeds_event_date_is_when_it_was_published_not_when_it_starts(built: dict[str, bytes]) -> None:
    events = {e["id"]: e for e in entries("/feeds/events.atom", built["/feeds/events.atom"])}
    # the mission (15 November) was published in the edition of 10 September; the forum too
    mission = events[f"{BASE}/events/tentative-mission/"]
    assert mission["published"] == dt.datetime(2019, 9, 10, tzinfo=NOW_MOMENT.tzinfo)


def test_feeds_first_listed_is_the_earliest_edition_of_each_item() -> None:
    site = build_outputs(REPO, BuildOptions(now=NOW, pdf=False)).site
    first = site.first_listed  # worked out once, with the site model
    for item in site.items:
        dates = [e.edition.date for e in site.editions if item in e.items]
        assert first.get(item.ref) == (min(dates) if dates else None), item.ref
    assert len({e.edition.date for e in site.editions}) > 1 and first  # several editions, some items listed
    assert first_listed(site.editions) == first


def test_feeds_are_newest_first(built: dict[str, bytes], real: dict[str, bytes]) -> None:
    for url, data in {**feeds_of(built), **real}.items():
        dates = [e["published"] for e in entries(url, data)]
        assert dates == sorted(dates, reverse=True), url  # type: ignore[type-var]


def test_feeds_build_date_comes_from_content_not_the_clock(built: dict[str, bytes]) -> None:
    rss = ET.fromstring(built["/feeds/interviews.xml"])
    assert rss.findtext("channel/lastBuildDate") == "Mon, 01 Jul 2019 00:00:00 +0200"
    atom = ET.fromstring(built["/feeds/interviews.atom"])
    assert atom.findtext(f"{ATOM}updated") == "2019-07-01T00:00:00+02:00"


def test_feeds_two_builds_are_identical(project: Path, built: dict[str, bytes]) -> None:
    assert feeds_of(outputs_of(project, pdf=False)) == feeds_of(built)


def test_feeds_the_same_moment_written_in_another_zone_makes_the_same_site(project: Path, built: dict[str, bytes]) -> None:
    # --now 2019-09-16 is midnight in the site's zone (Brussels, +02:00 then); the same instant in UTC must not put
    # its offset into the dates the feeds and pages write (a CI job often gives --now in UTC)
    assert outputs_of(project, "2019-09-15T22:00:00+00:00", pdf=False) == built


# --- authors -----------------------------------------------------------------------------------------


def test_feeds_have_a_feed_level_author_with_a_real_name(built: dict[str, bytes], real: dict[str, bytes]) -> None:
    atom = ET.fromstring(built["/feeds/news.atom"])
    assert atom.findtext(f"{ATOM}author/{ATOM}name") == "Test Cluster Platform"
    assert json.loads(built["/feeds/news.json"])["authors"] == [{"name": "Test Cluster Platform", "url": f"{BASE}/"}]
    rss = ET.fromstring(real["/feeds/news.xml"])
    assert rss.findtext("channel/managingEditor") == "contact@clustercollaboration.eu (European Cluster Collaboration Platform)"
    assert all("@" in (a.text or "") for a in rss.iter("author"))  # RSS authors must be e-mail addresses
    for entry in ET.fromstring(built["/feeds/news.atom"]).iter(f"{ATOM}entry"):
        if entry.findtext(f"{ATOM}id") == f"{BASE}/news/forum-report/":
            assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Cluster Excellence Network"


# --- newsletter enclosures -----------------------------------------------------------------------------


def test_feeds_newsletter_has_no_enclosure_without_a_pdf(built: dict[str, bytes]) -> None:
    assert b"enclosure" not in built["/feeds/newsletter.xml"]
    assert b"attachments" not in built["/feeds/newsletter.json"]


def test_feeds_newsletter_encloses_the_edition_pdf_with_its_length(project: Path) -> None:
    site = build_outputs(project, BuildOptions(now=NOW, pdf=False)).site
    pdf = b"%PDF-1.7\n" + b"x" * 1234

    def render_pdfs(r: Renderer) -> Iterator[Output]:
        yield Output(urls.edition_pdf_url("2019-09"), pdf)

    outputs = {o.url: o.data for o in render_site(site, make_environment(project / "templates"), stages=[render_pdfs, render_feeds])}
    pdf_url = f"{BASE}/newsletter/2019-09/2019-09.pdf"
    rss = ET.fromstring(outputs["/feeds/newsletter.xml"])
    (enclosure,) = rss.iter("enclosure")
    assert enclosure.attrib == {"url": pdf_url, "length": str(len(pdf)), "type": "application/pdf"}
    atom = ET.fromstring(outputs["/feeds/newsletter.atom"])
    (link,) = [link for link in atom.iter(f"{ATOM}link") if link.get("rel") == "enclosure"]
    assert (link.get("href"), link.get("length"), link.get("type")) == (pdf_url, str(len(pdf)), "application/pdf")
    (item,) = json.loads(outputs["/feeds/newsletter.json"])["items"]
    assert item["attachments"] == [{"url": pdf_url, "mime_type": "application/pdf", "size_in_bytes": len(pdf)}]
    assert not feedparser.parse(outputs["/feeds/newsletter.xml"]).bozo


def test_feeds_newsletter_of_the_real_build_encloses_every_edition_pdf(real_outputs: dict[str, bytes]) -> None:
    editions = sorted(p.stem for p in (REPO / "content/newsletter").glob("*.yaml"))
    base = "https://www.clustercollaboration.eu"
    expected = {f"{base}{urls.edition_pdf_url(e)}": len(real_outputs[urls.edition_pdf_url(e)]) for e in editions}
    rss = ET.fromstring(real_outputs["/feeds/newsletter.xml"])
    assert {e.get("url"): int(e.get("length") or 0) for e in rss.iter("enclosure")} == expected
    items = json.loads(real_outputs["/feeds/newsletter.json"])["items"]
    assert {a["url"]: a["size_in_bytes"] for i in items for a in i["attachments"]} == expected


# --- git history -------------------------------------------------------------------------------------


def _git(project: Path, *args: str, when: str | None = None) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    if when is not None:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    command = ["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.org", "-c", "commit.gpgsign=false", *args]
    subprocess.run(command, cwd=project, env=env, check=True, capture_output=True)


def _atom_entries(data: bytes) -> dict[str, bytes]:
    return {e.findtext(f"{ATOM}id") or "": ET.tostring(e) for e in ET.fromstring(data).iter(f"{ATOM}entry")}


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_feeds_editing_one_event_changes_only_its_entries(tmp_path: Path) -> None:
    project = write_site(tmp_path / "site", CONTENT_FILES)
    _git(project, "init", "-q")
    _git(project, "add", ".")
    _git(project, "commit", "-q", "-m", "Add the content", when="2019-01-10T12:00:00+01:00")
    before = feeds_of(outputs_of(project, pdf=False))
    path = project / "content/events/two-day-forum.md"
    path.write_text(path.read_text().replace("Two full days of talks.", "Two full days of talks and a dinner."))
    _git(project, "commit", "-q", "-am", "Mention the dinner", when="2019-02-01T09:00:00+01:00")
    after = feeds_of(outputs_of(project, pdf=False))

    edited = f"{BASE}/events/two-day-forum/"
    changed = {url for url in before if before[url] != after[url]}
    assert changed == {f"{prefix}.{ext}" for prefix in ("/feeds/events", "/feeds/all", "/tags/forum/feed") for ext in ("xml", "atom", "json")}
    for url in (u for u in changed if u.endswith(".atom")):
        old, new = _atom_entries(before[url]), _atom_entries(after[url])
        assert {k: v for k, v in old.items() if k != edited} == {k: v for k, v in new.items() if k != edited}, url
        assert old[edited] != new[edited]
    (entry,) = [e for e in entries("/feeds/events.atom", after["/feeds/events.atom"]) if e["id"] == edited]
    assert entry["updated"] == dt.datetime(2019, 2, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert "and a dinner" in str(entry["content"])


def test_feeds_a_summary_reaches_readers_as_the_text_it_is(tmp_path: Path) -> None:
    """RSS's <description> is HTML to feed readers, Atom's <summary> and JSON Feed's summary are text: a summary
    written as '<script>…' is escaped for the first (twice in the XML) and kept as text in the others."""
    summary = "<script>alert(2)</script> & <img src=x onerror=alert(3)>"
    site = write_site(tmp_path / "site", {"content/news/2019-06-01-s.md": f"---\ntitle: S\ndate: 2019-06-01\nsummary: {json.dumps(summary)}\n---\nBody.\n"})
    outputs = {o.url: o.data for o in build_outputs(site, BuildOptions(now=NOW, pdf=False)).outputs}

    description = ET.fromstring(outputs["/feeds/news.xml"]).findtext("channel/item/description")
    assert description == "&lt;script&gt;alert(2)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(3)&gt;"  # HTML for the text
    assert feedparser.parse(outputs["/feeds/news.xml"]).entries[0].summary == description  # what a reader renders
    atom = ET.fromstring(outputs["/feeds/news.atom"]).find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}summary")
    assert atom is not None and atom.text == summary and atom.get("type", "text") == "text"
    assert json.loads(outputs["/feeds/news.json"])["items"][0]["summary"] == summary
