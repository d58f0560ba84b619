"""Cluster organisations (issue 17): profiles, the links both ways with the items that name them, the directory,
its map of Europe, country pages and their calendars."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import icalendar
import pytest
import yaml
from conftest import NOW, REPO, RunCli, write_site

from eccpsite.build import BuildOptions, build
from eccpsite.outputs import europe_map

PROFILE = """---
title: {title}
country: {country}
sectors: [{sectors}]
---
Who they are and what they do.
"""


def _news(slug: str, date: str, clusters: str) -> str:
    return f"---\ntitle: News {slug}\ndate: {date}\nclusters: [{clusters}]\n---\nText.\n"


def _small_site(tmp_path: Path) -> Path:
    """Three profiles; two news items and an upcoming event name one of them."""
    return write_site(
        tmp_path / "site",
        {
            "content/clusters/widget-cluster.md": PROFILE.format(title="Widget Cluster", country="RO", sectors="ICT, Digital services"),
            "content/clusters/alpha-valley.md": PROFILE.format(title="Alpha Valley", country="RO", sectors="ict"),
            "content/clusters/zeta-network.md": PROFILE.format(title="Zeta Network", country="FR", sectors="Furniture"),
            "content/news/2019-05-01-first.md": _news("first", "2019-05-01", "widget-cluster"),
            "content/news/2019-06-01-second.md": _news("second", "2019-06-01", "widget-cluster, zeta-network"),
            "content/events/widget-day.md": (
                "---\ntitle: Widget Day\nstart: 2019-10-01\nlocation: {city: Cluj, country: RO}\nclusters: [widget-cluster]\n---\nA day.\n"
            ),
            "content/countries/ro.md": "---\ntitle: Clusters in Romania\n---\nRomania's cluster policy in brief.\n",
        },
    )


@pytest.fixture
def small_site(tmp_path: Path) -> Path:
    site = _small_site(tmp_path)
    build(site, site / "build", BuildOptions(now=NOW))
    return site / "build"


def _page(out: Path, url: str) -> str:
    return (out / url.strip("/") / "index.html").read_text(encoding="utf-8")


def _links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def test_profile_lists_the_items_naming_it_newest_first_and_each_links_back(small_site: Path) -> None:
    profile = _page(small_site, "/clusters/widget-cluster/")
    named = profile[profile.index('id="named-by-heading"') :]
    order = [url for url in _links(named) if url.startswith(("/news/", "/events/"))]
    assert order[:3] == ["/events/widget-day/", "/news/second/", "/news/first/"]
    upcoming = profile[profile.index('id="cluster-events-heading"') : profile.index('id="named-by-heading"')]
    assert "/events/widget-day/" in _links(upcoming)
    for url in ("/news/first/", "/news/second/", "/events/widget-day/"):
        assert "/clusters/widget-cluster/" in _links(_page(small_site, url)), url
    assert "/clusters/zeta-network/" in _links(_page(small_site, "/news/second/"))


def test_profile_page_carries_organization_json_ld(small_site: Path) -> None:
    profile = _page(small_site, "/clusters/widget-cluster/")
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', profile, re.S).group(1))  # type: ignore[union-attr]
    assert data["@type"] == "Organization" and data["name"] == "Widget Cluster"
    assert data["address"]["addressCountry"] == "RO" and data["knowsAbout"] == ["ICT", "Digital services"]


def test_directory_is_sorted_by_name_and_sectors_are_slugged_once(small_site: Path) -> None:
    directory = _page(small_site, "/clusters/")
    names = re.findall(r'<h3 class="card-title"><a href="/clusters/[^"]+/">([^<]+)</a>', directory)
    assert names == ["Alpha Valley", "Widget Cluster", "Zeta Network"]
    sector = _page(small_site, "/clusters/sector/ict/")
    assert "<h1>Cluster organisations: ICT</h1>" in sector  # "ict" and "ICT" are one sector; a tie goes to the capitals
    assert "/clusters/alpha-valley/" in sector and "/clusters/widget-cluster/" in sector and "/clusters/zeta-network/" not in sector
    assert (small_site / "clusters/sector/digital-services/index.html").is_file()


def test_country_page_shows_profiles_events_news_and_factsheet(small_site: Path) -> None:
    country = _page(small_site, "/countries/ro/")
    assert "<h1>Clusters in Romania</h1>" in country and "cluster policy in brief." in country
    links = _links(country)
    assert {"/clusters/alpha-valley/", "/clusters/widget-cluster/", "/events/widget-day/", "/news/first/", "/news/second/"} <= set(links)
    assert "/clusters/zeta-network/" not in links
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', country, re.S).group(1))  # type: ignore[union-attr]
    assert data["@type"] == "Country" and data["name"] == "Romania"
    france = _page(small_site, "/countries/fr/")
    assert "<h1>France</h1>" in france and "/news/first/" not in _links(france)


def test_country_calendar_holds_the_country_s_events(small_site: Path) -> None:
    calendar = icalendar.Calendar.from_ical((small_site / "countries/ro/calendar.ics").read_bytes())
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == ["Widget Day"]
    assert not icalendar.Calendar.from_ical((small_site / "countries/fr/calendar.ics").read_bytes()).walk("VEVENT")


def test_feed_of_new_profiles_lists_every_profile(small_site: Path) -> None:
    feed = feedparser.parse((small_site / "feeds/clusters.xml").read_bytes())
    assert not feed.bozo
    assert sorted(e.link for e in feed.entries) == [f"https://test.example.org/clusters/{s}/" for s in ("alpha-valley", "widget-cluster", "zeta-network")]
    assert "/feeds/clusters.xml" in _page(small_site, "/clusters/")


def test_a_site_without_profiles_has_an_empty_directory_only(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"content/news/2019-05-01-a.md": "---\ntitle: A\ndate: 2019-05-01\n---\nText.\n"})
    build(site, site / "build", BuildOptions(now=NOW))
    assert "No cluster organisation has a profile here yet." in _page(site / "build", "/clusters/")
    assert "europe-map" not in _page(site / "build", "/clusters/") and not (site / "build/countries").exists()
    assert not (site / "build/feeds/clusters.xml").exists()


def test_removed_profile_gives_a_located_error_with_a_hint_among_the_other_errors(tmp_path: Path, run_cli: RunCli) -> None:
    site = _small_site(tmp_path)
    (site / "content/clusters/widget-cluster.md").rename(site / "content/clusters/widgets-cluster.md")
    (site / "content/news/2019-07-01-broken.md").write_text("---\ntitle: Broken\ndate: 2019-02-30\n---\nText.\n", encoding="utf-8")
    result = run_cli("check", "--now", NOW, cwd=site)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    hint = "'widget-cluster' is not a cluster profile (did you mean 'widgets-cluster'?)"
    assert f"content/news/2019-05-01-first.md:4: clusters: {hint}; expected the file name of one in content/clusters/ without .md" in lines
    assert any(line.startswith("content/news/2019-06-01-second.md:4: clusters: 'widget-cluster'") for line in lines)
    assert any(line.startswith("content/events/widget-day.md:5: clusters: 'widget-cluster'") for line in lines)
    assert any(line.startswith("content/news/2019-07-01-broken.md:3: date:") for line in lines), lines


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("title: X\ncountry: RO\nsectorz: [ICT]\n", ":4: sectorz: unknown field (did you mean 'sectors'?)"),
        ("title: X\ncountry: RO\nlogo: media/x.png\n", ":4: logo: a logo needs 'logo_alt'"),
        ("title: X\ncountry: ro\n", ":3: country: write country codes in capitals: RO"),
        ("title: X\n", ":2: country: is required in a cluster profile"),
        ("title: X\ncountry: RO\nfounded: 12\n", ":4: founded: expected a year such as 2012, found 12"),
        ("title: X\ncountry: RO\nmembers: many\n", ":4: members: expected a whole number, found 'many'"),
    ],
)
def test_profile_fields_are_checked(tmp_path: Path, run_cli: RunCli, front: str, expected: str) -> None:
    site = write_site(tmp_path / "site", {"content/clusters/x.md": f"---\n{front}---\nBody.\n"})
    result = run_cli("check", "--now", NOW, cwd=site)
    assert result.returncode == 1
    assert any(line.startswith("content/clusters/x.md" + expected) for line in result.stderr.splitlines()), result.stderr


def test_factsheet_file_name_must_be_a_country_code(tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(tmp_path / "site", {"content/countries/romania.md": "---\ntitle: Romania\n---\nText.\n"})
    result = run_cli("check", "--now", NOW, cwd=site)
    assert result.returncode == 1 and "content/countries/romania.md:1: slug: a factsheet's file name is its country's code" in result.stderr


class _MapAndTable(HTMLParser):
    """The counts the map's links and the table's rows give, by country page."""

    def __init__(self) -> None:
        super().__init__()
        self.on_map: dict[str, tuple[int, int]] = {}  # url -> (count in the link's name, shade)
        self.in_table: dict[str, int] = {}
        self._row: str | None = None
        self._in_td = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and (a.get("class") or "").startswith("map-shade-"):
            count = int(re.search(r": (\d+) cluster organisations?$", a["aria-label"] or "").group(1))  # type: ignore[union-attr]
            self.on_map[a["href"] or ""] = (count, int((a["class"] or "")[len("map-shade-") :]))
        elif tag == "a" and self._row == "":
            self._row = a["href"]
        elif tag == "tr":
            self._row = ""
        elif tag == "td":
            self._in_td = True

    def handle_data(self, data: str) -> None:
        if self._in_td and self._row and data.strip():
            self.in_table[self._row] = int(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._in_td = False


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clusters") / "site"
    build(REPO, out, BuildOptions(now=NOW))
    return out


@pytest.mark.parametrize("url", ["/clusters/", "/countries/"])
def test_map_and_table_give_the_counts_of_the_content(real_site: Path, url: str) -> None:
    counts: dict[str, int] = {}
    for path in sorted((REPO / "content/clusters").glob("*.md")):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        counts[f"/countries/{front['country'].lower()}/"] = counts.get(f"/countries/{front['country'].lower()}/", 0) + 1
    parsed = _MapAndTable()
    parsed.feed(_page(real_site, url))
    assert parsed.in_table == counts
    framed = {url: n for url, n in counts.items() if url.split("/")[2].upper() in europe_map.outlines().countries}
    assert {u: n for u, (n, _) in parsed.on_map.items()} == framed
    assert framed and len(framed) < len(counts), "the seeds' clusters include Canada's, beyond the frame"
    assert all(shade == europe_map.shade(n) for n, shade in parsed.on_map.values())
    for page in parsed.on_map:
        assert (real_site / page.strip("/") / "index.html").is_file()


def test_every_seed_cluster_has_a_profile_named_by_its_items(real_site: Path) -> None:
    for slug, items in {
        "clustero": ["/news/joint-romanian-hungarian-cluster-conference-2018/", "/events/european-cluster-conference-2019/"],
        "transilvania-it-cluster": ["/news/european-cluster-conference-2019/"],
        "avaessen": ["/interviews/bianca-dragomir-avaessen-clusters-of-change/"],
    }.items():
        profile = _page(real_site, f"/clusters/{slug}/")
        for item in items:
            assert item in _links(profile), (slug, item)
            assert f"/clusters/{slug}/" in _links(_page(real_site, item)), (slug, item)


def test_map_outlines_cover_europe() -> None:
    shapes = europe_map.outlines()
    assert {"RO", "FR", "DE", "ES", "IT", "PL", "SE", "FI", "GB", "UA", "TR", "MA", "IS", "MT", "LU", "CY", "XK"} <= set(shapes.countries)
    assert shapes.countries["MT"]["small"] and not shapes.countries["FR"]["small"]
    assert "<script" not in europe_map.draw({"RO": 3}, "A map")
