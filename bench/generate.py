"""A deterministic benchmark corpus for issue 6: eccpsite against Pelican and Hugo.

``python bench/generate.py N OUT`` writes three projects under ``OUT``:

- ``OUT/eccpsite/``: ``site.yaml`` and ``templates/`` copied from the repository,
  and, in SPEC format, N news items (~575 words each, realistic paragraphs,
  some headings, lists, tables, footnotes and superscripts, tags from a pool of
  30, countries, dates), events, calls and interviews in the proportions of the
  live ECCP (about 2,800 news to 1,300 events; calls and interviews 5 % of the
  news each), cluster profiles (one for every ten news, each in a country and
  one to three sectors; a share of the news, events and interviews name some of
  them in ``clusters:``), the two menu pages and a few newsletter editions;
- ``OUT/pelican/``: the same N news items as Pelican Markdown with its metadata,
  ``pelicanconf.py`` and a minimal theme (article page, index paginated 10 per
  page, a page per tag paginated the same way, an RSS feed of the latest 20);
- ``OUT/hugo/``: the same N news items as ``content/news/*.md`` with YAML front
  matter, ``hugo.toml`` and minimal layouts (single page, section list
  paginated 10 per page, term pages paginated the same way, RSS of the latest 20).

Both peers' article pages mark their article ``data-pagefind-body``, as
eccpsite marks its items, so that Pagefind run over their output (bench/run.py)
indexes the same pages eccpsite's search does.

The prose has the inline markup of the real ``content/`` (``bench/density.py``
measures it): each kind the issue names (links, emphasis, strong, inline code,
quotations, footnotes, superscripts) at ``MARGIN`` times its density per 100
words there, at least ``FLOOR`` (:func:`realistic_markup`); ``--plain-prose``
gives the almost bare prose of issue 6's corpus instead.

With ``--hugo-news`` the eccpsite project's news are written as ``hugo new``
writes them and a Hugo editor leaves them: ``content/news/<slug>.md`` with
``title``, ``date`` as a datetime with an offset
(``2018-01-01T13:31:00+09:00``), ``draft: false``, ``slug`` and quoted tags in
display case (``"Industry 4.0"``, ``"SMEs"``); eccpsite builds them unchanged.

Every tool's pagination is linear (``/page/2/``, ``/page/3/`` …) and 10 per
page, tag pages included, as eccpsite's own lists are. The corpus is made from a
seeded ``random.Random`` only: the same N and seed give the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import sys
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import density  # bench/ is not a package: found through the path above

REPO = Path(__file__).resolve().parents[1]
SEED = 2019
NOW = dt.date(2019, 9, 16)  # the --now of the benchmark builds
FIRST_NEWS = dt.date(2012, 1, 1)
NEWS_WORDS = 575
# Other kinds per news item, after the live ECCP (about 2,800 news and 1,300 events).
EVENTS_PER_NEWS = 1300 / 2800
CALLS_PER_NEWS = 0.05
INTERVIEWS_PER_NEWS = 0.05
CLUSTERS_PER_NEWS = 0.1  # 1,000 cluster profiles at 10,000 news
NAMING_SHARE = 0.3  # the share of events, and of interviews, that name one to three profiles (news: a third of that)
PER_PAGE = 10
FEED_ITEMS = 20

TAGS = (
    "matchmaking", "internationalisation", "cluster-policy", "smes", "cosme", "digitalisation", "industry-4-0",
    "circular-economy", "energy", "health", "agrifood", "mobility", "aerospace", "textiles", "tourism",
    "creative-industries", "blue-economy", "construction", "ict", "biotech", "advanced-materials", "logistics",
    "skills", "innovation", "smart-specialisation", "interreg", "horizon-2020", "escp-4i", "eu-cluster-weeks", "start-ups",
)  # fmt: skip
# How a Hugo editor writes some of the tags (the others: the slug's words, capitalised); each gives the slug back.
TAG_NAMES = {
    "smes": "SMEs", "cosme": "COSME", "industry-4-0": "Industry 4.0", "ict": "ICT", "horizon-2020": "Horizon 2020",
    "escp-4i": "ESCP-4i", "eu-cluster-weeks": "EU Cluster Weeks", "interreg": "Interreg", "start-ups": "Start-ups",
}  # fmt: skip
HUGO_OFFSETS = ("+09:00", "+02:00", "+01:00", "-05:00", "Z")  # the editors' own time zones, as Hugo writes them
# (adjective, name, ISO 3166-1 code, cities)
COUNTRIES = (
    ("Austrian", "Austria", "AT", ("Vienna", "Graz", "Linz")),
    ("Belgian", "Belgium", "BE", ("Brussels", "Ghent", "Liège")),
    ("Bulgarian", "Bulgaria", "BG", ("Sofia", "Plovdiv")),
    ("Croatian", "Croatia", "HR", ("Zagreb", "Split")),
    ("Czech", "the Czech Republic", "CZ", ("Prague", "Brno")),
    ("Danish", "Denmark", "DK", ("Copenhagen", "Aarhus")),
    ("Finnish", "Finland", "FI", ("Helsinki", "Tampere", "Oulu")),
    ("French", "France", "FR", ("Paris", "Lyon", "Toulouse", "Nantes")),
    ("German", "Germany", "DE", ("Berlin", "Hanover", "Munich", "Stuttgart")),
    ("Greek", "Greece", "GR", ("Athens", "Thessaloniki")),
    ("Hungarian", "Hungary", "HU", ("Budapest", "Debrecen")),
    ("Irish", "Ireland", "IE", ("Dublin", "Cork")),
    ("Italian", "Italy", "IT", ("Milan", "Turin", "Bologna")),
    ("Latvian", "Latvia", "LV", ("Riga",)),
    ("Lithuanian", "Lithuania", "LT", ("Vilnius", "Kaunas")),
    ("Dutch", "the Netherlands", "NL", ("Amsterdam", "Eindhoven", "Rotterdam")),
    ("Polish", "Poland", "PL", ("Warsaw", "Kraków", "Wrocław")),
    ("Portuguese", "Portugal", "PT", ("Lisbon", "Porto")),
    ("Romanian", "Romania", "RO", ("Bucharest", "Cluj-Napoca", "Brașov")),
    ("Spanish", "Spain", "ES", ("Madrid", "Barcelona", "Bilbao", "Valencia")),
    ("Swedish", "Sweden", "SE", ("Stockholm", "Gothenburg", "Malmö")),
    ("Serbian", "Serbia", "RS", ("Belgrade", "Novi Sad")),
    ("Ukrainian", "Ukraine", "UA", ("Kyiv", "Kharkiv")),
    ("Canadian", "Canada", "CA", ("Toronto", "Montreal")),
    ("Korean", "Korea", "KR", ("Seoul", "Incheon")),
    ("Japanese", "Japan", "JP", ("Tokyo", "Osaka")),
    ("Moroccan", "Morocco", "MA", ("Casablanca", "Rabat")),
    ("Brazilian", "Brazil", "BR", ("São Paulo",)),
)
SECTORS = (
    "aerospace", "agri-food", "automotive", "biotechnology", "blue growth", "construction", "creative industries",
    "digital health", "energy efficiency", "environmental technologies", "furniture", "ICT", "logistics",
    "medical devices", "mobility", "photonics", "plastics", "renewable energy", "textiles", "tourism", "water",
)  # fmt: skip
ORGANISATIONS = (
    "the European Commission (DG GROW)", "the European Cluster Collaboration Platform", "the EASME", "the Enterprise Europe Network",
    "the national cluster association", "the regional development agency", "the ministry of economy", "Interreg Europe",
)  # fmt: skip
SUBJECTS = (
    "The cluster organisation", "The consortium", "The partners", "Cluster managers from {country}", "More than {n} SMEs",
    "Representatives of {n} clusters", "The regional development agency", "The national cluster association",
    "The European Commission", "The ECCP", "The {sector} cluster", "Researchers and companies", "The delegation from {country}",
    "The steering committee", "Members of the partnership",
)  # fmt: skip
VERBS = (
    "presented", "discussed", "launched", "signed", "reviewed", "strengthened", "explored", "agreed on", "set up", "promoted",
    "mapped", "prepared", "shared", "supported", "tested", "evaluated", "co-financed", "announced",
)  # fmt: skip
OBJECTS = (
    "a joint internationalisation strategy", "new cooperation agreements", "the results of the pilot phase", "a roadmap for {sector}",
    "business opportunities in {sector}", "a matchmaking programme for SMEs", "a training scheme for cluster managers",
    "the first call for innovation vouchers", "a memorandum of understanding", "common standards for {sector}",
    "a study on value chains in {sector}", "the cluster's action plan for {year}", "an online catalogue of member companies",
    "a cross-sectoral pilot project", "the next edition of the European Cluster Conference", "a shared test facility",
)  # fmt: skip
COMPLEMENTS = (
    "in {city} on {day} {month} {year}", "with partners from {country}", "under the COSME programme",
    "to help SMEs reach markets beyond Europe", "across borders and sectors", "for the period {year}-{year2}",
    "in close cooperation with {organisation}", "after a year of preparation", "with a budget of EUR {budget} million",
    "as part of the European Strategic Cluster Partnerships", "to speed up the green and digital transition",
    "at the request of its members", "for the second time", "in line with the regional smart specialisation strategy",
)  # fmt: skip
OPENERS = ("In addition, ", "At the same time, ", "According to the organisers, ", "As a result, ", "Moreover, ", "In {year}, ", "", "", "", "")
HEADINGS = (
    "Background", "Results so far", "Next steps", "Who took part", "What the partners expect", "Figures", "How to join",
    "A closer look at {sector}", "Cooperation with {country}", "Lessons learnt",
)  # fmt: skip
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
FIRST_NAMES = (
    "Anna", "Bianca", "Christian", "Ciprian", "Dorota", "Elżbieta", "François", "Inés", "Jan", "Kinga", "Lars", "Marta", "Niklas",
    "Sofia", "Tomáš", "Zoltán",
)  # fmt: skip
LAST_NAMES = (
    "Andersen", "Dragomir", "Fischer", "García", "Horváth", "Jouvenceau", "Kovač", "Müller", "Nowak", "Popescu", "Rangen", "Rossi",
    "Silva", "Virtanen",
)  # fmt: skip
ROLES = ("Cluster manager", "Managing director", "Head of international cooperation", "Innovation manager", "President")
PROGRAMMES = ("COSME", "Horizon 2020", "Interreg Europe", "LIFE", "EUREKA", "Erasmus+")
CATEGORIES = ("Event report", "Cluster news", "Policy", "Partnerships", "Funding")
EVENT_KINDS = ("Matchmaking Event", "Cluster Conference", "Brokerage Event", "Workshop", "Webinar", "Study Visit", "Summit")
# Where the realistic prose links to (external only: the link check would refuse an internal page that is not there).
LINK_TARGETS = (
    "https://www.clustercollaboration.eu/cluster-mapping", "https://www.clustercollaboration.eu/eu-cluster-partnerships",
    "https://ec.europa.eu/growth/industry/policy/cluster_en", "https://ec.europa.eu/easme/en/cosme", "https://www.interregeurope.eu/",
    "https://een.ec.europa.eu/", "https://www.eurekanetwork.org/", "https://ec.europa.eu/programmes/horizon2020/",
)  # fmt: skip
HASHTAGS = ("#EUClusters", "#EUClusterWeeks", "#COSME", "#ClusterMatchmaking", "#SmartSpecialisation")
# The realistic corpus has each targeted kind of inline markup (density.TARGETED) at MARGIN times the real content's
# density per 100 words, and at least FLOOR: the real content is small (about 8,000 words) and its editors happen to
# write almost no emphasis or inline code, which editors of other sites do.
MARGIN = 1.5
FLOOR = 0.1
UNMARKED_WORDS = 1.3  # a body's words per word of its paragraphs' sentences (headings, lists and tables carry no markup)


@dataclass(frozen=True)
class Item:
    """One generated item: its folder, file name, front matter (ordered pairs) and body."""

    kind: str  # news | events | calls | interviews | clusters | pages
    slug: str
    filename: str
    front: tuple[tuple[str, object], ...]
    body: str


@dataclass(frozen=True)
class NewsFacts:
    """What Pelican and Hugo need of a news item."""

    slug: str
    title: str
    date: dt.date
    tags: tuple[str, ...]
    summary: str
    body: str


@dataclass
class Corpus:
    items: list[Item] = field(default_factory=list)
    news: list[NewsFacts] = field(default_factory=list)
    editions: list[tuple[str, str]] = field(default_factory=list)  # (file name, YAML text)


def markup_targets(real: Mapping[str, float], margin: float = MARGIN, floor: float = FLOOR) -> dict[str, float]:
    """How many of each targeted kind of inline markup per 100 words the realistic corpus writes, from the real
    content's density (:func:`density.real_density`)."""
    return {kind: max(floor, margin * real[kind]) for kind in density.TARGETED}


class Prose:
    """Sentences, paragraphs and Markdown blocks about clusters, from one seeded generator.

    With ``markup`` (per 100 words, for each kind of :data:`density.TARGETED`),
    the sentences of paragraphs carry inline markup at that density: links,
    emphasis, strong, inline code, quotations, footnotes (their texts are
    collected in ``notes`` for the end of the body) and superscripts. Without
    it, plain sentences, as the corpus of issue 6 had.
    """

    def __init__(self, rng: random.Random, markup: Mapping[str, float] | None = None) -> None:
        self.rng = rng
        self.markup = dict(markup or {})
        self.notes: list[str] = []

    def fill(self, template: str) -> str:
        """Replace the ``{slots}`` of a phrase with random values."""
        rng = self.rng
        _, country, _, cities = rng.choice(COUNTRIES)
        year = rng.randint(2014, 2020)
        values = {
            "country": country,
            "city": rng.choice(cities),
            "n": str(rng.choice((12, 20, 25, 30, 40, 50, 60, 80, 100, 120, 150))),
            "sector": rng.choice(SECTORS),
            "year": str(year),
            "year2": str(year + rng.randint(1, 4)),
            "day": str(rng.randint(1, 28)),
            "month": rng.choice(MONTHS),
            "organisation": rng.choice(ORGANISATIONS),
            "budget": f"{rng.randint(1, 40)}.{rng.randint(0, 9)}",
        }
        return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], template)

    def sentence(self) -> str:
        rng = self.rng
        parts = [self.fill(rng.choice(SUBJECTS)), rng.choice(VERBS), self.fill(rng.choice(OBJECTS))]
        parts += [self.fill(c) for c in rng.sample(COMPLEMENTS, rng.choice((0, 1, 1, 2)))]
        opener = self.fill(rng.choice(OPENERS))
        text = " ".join(parts)
        if opener:
            text = opener + text[0].lower() + text[1:]
        return text + "."

    def marked_sentence(self) -> str:
        """A sentence with inline markup, each kind drawn so that it comes at ``markup``'s density."""
        rng = self.rng
        parts = [self.fill(rng.choice(SUBJECTS)), rng.choice(VERBS), self.fill(rng.choice(OBJECTS))]
        parts += [self.fill(c) for c in rng.sample(COMPLEMENTS, rng.choice((0, 1, 1, 2)))]
        opener = self.fill(rng.choice(OPENERS))
        if opener:
            parts[0] = opener + parts[0][0].lower() + parts[0][1:]
        words = _words(" ".join(parts)) * UNMARKED_WORDS
        chance = {kind: rate * words / 100 for kind, rate in self.markup.items()}
        if rng.random() < chance.get("strong", 0):
            parts[0] = f"{opener}**{parts[0][len(opener) :]}**"
        if rng.random() < chance.get("links", 0):
            parts[2] = f"[{parts[2]}]({LINK_TARGETS[zlib.crc32(parts[2].encode()) % len(LINK_TARGETS)]})"  # a text leads to one address
        if rng.random() < chance.get("emphasis", 0):
            parts[-1] = f"*{parts[-1]}*"
        if rng.random() < chance.get("quotes", 0):
            parts.append(f'under the motto "{self.fill(rng.choice(OBJECTS))}"')
        if rng.random() < chance.get("superscripts", 0):
            parts.append(f"for the {rng.randint(4, 20)}<sup>th</sup> time")
        if rng.random() < chance.get("inline code", 0):
            parts.append(f"(hashtag `{rng.choice(HASHTAGS)}`)")
        text = " ".join(parts)
        if rng.random() < chance.get("footnotes", 0):
            self.notes.append(f"Figures reported by {self.fill(rng.choice(ORGANISATIONS))} in {rng.randint(2015, 2019)}.")
            text += f"[^n{len(self.notes)}]"
        return text + "."

    def paragraph(self, low: int = 3, high: int = 5) -> str:
        write = self.marked_sentence if self.markup else self.sentence
        return " ".join(write() for _ in range(self.rng.randint(low, high)))

    def take_notes(self) -> list[str]:
        """The definitions of the footnotes written since the last call, for the end of a body."""
        notes, self.notes = self.notes, []
        return [f"[^n{number}]: {note}" for number, note in enumerate(notes, 1)]

    def heading(self) -> str:
        return "## " + self.fill(self.rng.choice(HEADINGS))

    def bullets(self) -> str:
        rng = self.rng
        entries = [self.fill(rng.choice(OBJECTS)) for _ in range(rng.randint(3, 6))]
        return "\n".join(f"- {e[0].upper()}{e[1:]};" for e in entries[:-1]) + f"\n- {entries[-1][0].upper()}{entries[-1][1:]}."

    def table(self) -> str:
        rng = self.rng
        rows = rng.sample(COUNTRIES, rng.randint(3, 6))
        lines = ["| Country | Clusters | SMEs involved |", "|---|---:|---:|"]
        lines += [f"| {name[0].upper()}{name[1:]} | {rng.randint(2, 40)} | {rng.randint(10, 900)} |" for _, name, _, _ in rows]
        return "\n".join(lines)


_words = density.words


def _body(prose: Prose, target: int, *, links: list[tuple[str, str]], table: bool, footnote: bool, sup: bool) -> str:
    """A Markdown body of about ``target`` words with the given features."""
    rng = prose.rng
    blocks = [prose.paragraph(3, 4)]
    if sup:
        blocks.append(f"It was the {rng.randint(2, 12)}<sup>th</sup> meeting of its kind. " + prose.paragraph(1, 2))
    if footnote:
        blocks.append(prose.paragraph(2, 3) + "[^1]")
    for url, text in links:
        blocks.append(f"{prose.sentence()} More is on [{text}]({url}).")
    made_table = made_list = False
    while _words("\n\n".join(blocks)) < target:
        roll = rng.random()
        if roll < 0.18:
            blocks.append(prose.heading())
        elif roll < 0.28 and not made_list:
            blocks.append(prose.sentence()[:-1] + ":")
            blocks.append(prose.bullets())
            made_list = True
        elif roll < 0.36 and table and not made_table:
            blocks.append(prose.table())
            made_table = True
        else:
            blocks.append(prose.paragraph())
    if table and not made_table:
        blocks.append(prose.table())
    if footnote:
        blocks.append(f"[^1]: Figures reported by {prose.fill(rng.choice(ORGANISATIONS))} in {rng.randint(2015, 2019)}.")
    blocks += prose.take_notes()
    return "\n\n".join(blocks) + "\n"


def _slugify(text: str, suffix: int) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower().encode("ascii", "ignore").decode())
    return "-".join([*words[:8], str(suffix)])


def _tags(rng: random.Random, low: int, high: int) -> tuple[str, ...]:
    """Distinct tags, the first of the pool far more often than the last (as on real sites)."""
    weights = [1 / (i + 1) ** 0.7 for i in range(len(TAGS))]
    chosen: list[str] = []
    want = rng.randint(low, high)
    while len(chosen) < want:
        tag = rng.choices(TAGS, weights)[0]
        if tag not in chosen:
            chosen.append(tag)
    return tuple(chosen)


def _day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def _summary(prose: Prose) -> str:
    text = prose.sentence()
    return text if len(text) <= 190 else text[:185].rsplit(" ", 1)[0] + "."


def make_news(rng: random.Random, prose: Prose, index: int, earlier: list[NewsFacts]) -> tuple[Item, NewsFacts]:
    adjective, country, _, _ = rng.choice(COUNTRIES)
    title = f"{adjective} {rng.choice(SECTORS)} cluster {rng.choice(VERBS)} {prose.fill(rng.choice(OBJECTS))}"
    title = title[0].upper() + title[1:]
    slug = _slugify(title, index + 1)
    day = _day(rng, FIRST_NEWS, NOW)
    tags = _tags(rng, 1, 4)
    links: list[tuple[str, str]] = []
    if rng.random() < 0.4:
        links.append(("https://www.clustercollaboration.eu/cluster-mapping", "the ECCP's map of cluster organisations"))
    if earlier and rng.random() < 0.15:
        other = earlier[rng.randrange(len(earlier))]
        links.append((f"/news/{other.slug}/", f"the earlier report “{other.title}”"))
    target = max(380, min(780, round(rng.gauss(NEWS_WORDS, 60))))
    body = _body(prose, target, links=links, table=rng.random() < 0.2, footnote=rng.random() < 0.25, sup=rng.random() < 0.1)
    summary = _summary(prose)
    front: tuple[tuple[str, object], ...] = (
        ("title", title),
        ("date", day),
        ("summary", summary),
        ("tags", list(tags)),
        ("category", rng.choice(CATEGORIES)),
        ("source", prose.fill(rng.choice(ORGANISATIONS))[4:] if rng.random() < 0.7 else f"{country} cluster network"),
    )
    item = Item("news", slug, f"{day.isoformat()}-{slug}.md", front, body)
    return item, NewsFacts(slug, title, day, tags, summary, body)


def make_event(rng: random.Random, prose: Prose, index: int) -> Item:
    _, country, code, cities = rng.choice(COUNTRIES)
    city = rng.choice(cities)
    start = _day(rng, dt.date(2015, 1, 1), dt.date(2021, 6, 30))
    year = start.year
    title = f"EU-{country.removeprefix('the ')} {rng.choice(EVENT_KINDS)} on {rng.choice(SECTORS)} in {city} {year}"
    slug = _slugify(title, index + 1)
    online = rng.random() < 0.15
    front: list[tuple[str, object]] = [("title", title), ("start", start)]
    if rng.random() < 0.7:
        front.append(("end", start + dt.timedelta(days=rng.randint(1, 3))))
    if not online or rng.random() < 0.3:
        front.append(("location", {"venue": f"{city} Congress Centre", "city": city, "country": code}))
    if online:
        front.append(("online", True))
    front.append(("organiser", prose.fill(rng.choice(ORGANISATIONS))[4:]))
    front.append(("url", f"https://events.example.eu/{slug}"))
    if rng.random() < 0.3:
        front.append(("registration_deadline", start - dt.timedelta(days=rng.randint(7, 30))))
    if rng.random() < 0.05:
        front.append(("status", rng.choice(("cancelled", "postponed"))))
    front += [("summary", _summary(prose)), ("tags", list(_tags(rng, 1, 3)))]
    body = _body(prose, rng.randint(180, 320), links=[], table=False, footnote=False, sup=False)
    return Item("events", slug, f"{slug}.md", tuple(front), body)


def make_call(rng: random.Random, prose: Prose, index: int) -> Item:
    programme = rng.choice(PROGRAMMES)
    opens = _day(rng, dt.date(2015, 1, 1), dt.date(2020, 3, 31))
    title = f"{programme} call for proposals on {rng.choice(SECTORS)} {opens.year}"
    slug = _slugify(title, index + 1)
    first = opens + dt.timedelta(days=rng.randint(45, 120))
    deadlines = [{"date": first, "label": "1st stage" if rng.random() < 0.4 else "Deadline"}]
    if deadlines[0]["label"] == "1st stage":
        deadlines.append({"date": first + dt.timedelta(days=rng.randint(60, 150)), "label": "2nd stage"})
    front: tuple[tuple[str, object], ...] = (
        ("title", title),
        ("opens", opens),
        ("deadlines", deadlines),
        ("programme", programme),
        ("budget", f"EUR {rng.randint(1, 60)} million"),
        ("url", f"https://calls.example.eu/{slug}"),
        ("summary", _summary(prose)),
        ("tags", list(_tags(rng, 1, 3))),
    )
    body = _body(prose, rng.randint(250, 380), links=[], table=rng.random() < 0.2, footnote=False, sup=False)
    return Item("calls", slug, f"{slug}.md", front, body)


def make_interview(rng: random.Random, prose: Prose, index: int) -> Item:
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    adjective, country, code, _ = rng.choice(COUNTRIES)
    sector = rng.choice(SECTORS)
    title = f"{name} on {sector} clusters in {country}"
    slug = _slugify(title, index + 1)
    person = {"name": name, "role": rng.choice(ROLES), "organisation": f"{adjective} {sector} cluster", "country": code}
    blocks: list[str] = []
    while _words("\n\n".join(blocks)) < rng.randint(420, 560):
        blocks.append(f"**ECCP:** {prose.sentence()[:-1]}?")
        blocks.append(prose.paragraph(3, 5))
    blocks += prose.take_notes()
    front: tuple[tuple[str, object], ...] = (
        ("title", title),
        ("date", _day(rng, dt.date(2016, 1, 1), NOW)),
        ("person", person),
        ("summary", _summary(prose)),
        ("tags", list(_tags(rng, 1, 3))),
    )
    return Item("interviews", slug, f"{slug}.md", front, "\n\n".join(blocks) + "\n")


def make_cluster(rng: random.Random, prose: Prose, index: int) -> Item:
    """A cluster organisation's profile: a name from its country and sector, a city, sectors, members, a year."""
    adjective, _, code, cities = rng.choice(COUNTRIES)
    sectors = rng.sample(SECTORS, rng.randint(1, 3))
    title = f"{adjective} {sectors[0][0].upper() + sectors[0][1:]} Cluster {index + 1}"
    slug = _slugify(title, index + 1)
    front: tuple[tuple[str, object], ...] = (
        ("title", title),
        ("country", code),
        ("city", rng.choice(cities)),
        ("sectors", sectors),
        ("members", rng.randint(12, 400)),
        ("founded", rng.randint(1995, 2019)),
        ("website", f"https://clusters.example.eu/{slug}"),
        ("summary", _summary(prose)),
    )
    return Item("clusters", slug, f"{slug}.md", front, prose.paragraph(3, 5) + "\n\n" + prose.paragraph(2, 4) + "\n")


def name_clusters(items: list[Item], profiles: list[Item], seed: int) -> list[Item]:
    """``items`` with ``clusters:`` on a share of the news, events and interviews (from a generator of its own, so
    the other items stay as they were without profiles)."""
    rng = random.Random(seed + 17)
    slugs = [p.slug for p in profiles]
    share = {"news": NAMING_SHARE / 3, "events": NAMING_SHARE, "interviews": NAMING_SHARE}
    named = []
    for item in items:
        if slugs and rng.random() < share.get(item.kind, 0):
            item = Item(item.kind, item.slug, item.filename, (*item.front, ("clusters", rng.sample(slugs, rng.randint(1, 3)))), item.body)
        named.append(item)
    return named


def make_pages(prose: Prose) -> list[Item]:
    """The two pages the menu of ``site.yaml`` links to."""
    about = [prose.paragraph(), prose.paragraph(), *prose.take_notes()]
    contact = [prose.paragraph(), *prose.take_notes()]
    return [
        Item("pages", "about", "about.md", (("title", "About the ECCP"), ("menu", 1)), "\n\n".join(about) + "\n"),
        Item("pages", "contact", "contact.md", (("title", "Contact"), ("menu", 2)), "\n\n".join(contact) + "\n"),
    ]


def make_editions(rng: random.Random, corpus: Corpus, count: int) -> None:
    """``count`` newsletter editions, each referring to items of every kind."""
    by_kind: dict[str, list[str]] = {}
    for item in corpus.items:
        by_kind.setdefault(item.kind, []).append(f"{item.kind}/{item.slug}")
    titles = {"news": "Latest news", "events": "Upcoming events", "calls": "Open calls", "interviews": "Cluster achievements"}
    for n in range(count):
        day = dt.date(2019, 9, 1) - dt.timedelta(days=30 * (count - 1 - n))
        lines = [f"number: {n + 1}", f"date: {day.isoformat()}", f'title: "ECCP Newsletter — {MONTHS[day.month - 1]} {day.year}"']
        lines.append(f"intro: {json.dumps(Prose(rng).paragraph(2, 3), ensure_ascii=False)}")
        lines.append("sections:")
        for kind, heading in titles.items():
            refs = by_kind.get(kind, [])
            if refs:
                lines += [f"  - title: {heading}", "    items:"]
                lines += [f"      - {ref}" for ref in rng.sample(refs, min(len(refs), 5 if kind == "news" else 3))]
        corpus.editions.append((f"bench-{day.year}-{day.month:02d}.yaml", "\n".join(lines) + "\n"))


def make_corpus(n: int, seed: int = SEED, news_only: bool = False, markup: Mapping[str, float] | None = None) -> Corpus:
    """Every item of the benchmark, in a fixed order, from one seed; ``markup``: the inline markup of its prose, per
    100 words (:func:`realistic_markup`; None: plain prose, the corpus of issue 6)."""
    rng = random.Random(seed)
    prose = Prose(rng, markup)
    corpus = Corpus()
    for index in range(n):
        item, facts = make_news(rng, prose, index, corpus.news)
        corpus.items.append(item)
        corpus.news.append(facts)
    if not news_only:
        corpus.items += [make_event(rng, prose, i) for i in range(max(3, round(n * EVENTS_PER_NEWS)))]
        corpus.items += [make_call(rng, prose, i) for i in range(max(3, round(n * CALLS_PER_NEWS)))]
        corpus.items += [make_interview(rng, prose, i) for i in range(max(3, round(n * INTERVIEWS_PER_NEWS)))]
        cluster_rng = random.Random(seed + 1)  # a generator of its own: the other items are those of a corpus without profiles
        profiles = [make_cluster(cluster_rng, Prose(cluster_rng), i) for i in range(max(3, round(n * CLUSTERS_PER_NEWS)))]
        corpus.items = name_clusters(corpus.items, profiles, seed) + profiles
    corpus.items += make_pages(prose)
    if not news_only:
        make_editions(rng, corpus, max(3, min(12, n // 1000)))
    return corpus


def yaml_value(value: object) -> str:
    """A value in YAML flow style (JSON strings are valid YAML double-quoted scalars)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, int)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(yaml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {yaml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no YAML for {value!r}")


def _front_matter(pairs: tuple[tuple[str, object], ...]) -> str:
    lines = []
    for key, value in pairs:
        if key == "deadlines" and isinstance(value, list):
            lines.append("deadlines:")
            lines += [f"  - {yaml_value(d)}" for d in value]
        else:
            lines.append(f"{key}: {yaml_value(value)}")
    return "---\n" + "\n".join(lines) + "\n---\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def tag_name(tag: str) -> str:
    """A pool tag as an editor of another generator writes it: ``industry-4-0`` → ``Industry 4.0``."""
    return TAG_NAMES.get(tag) or tag.replace("-", " ").capitalize()


def hugo_news_file(news: NewsFacts) -> str:
    """A news file as ``hugo new`` writes it: a datetime with its offset, ``draft``, ``slug``, quoted display-case tags."""
    pick = zlib.crc32(news.slug.encode())  # the same slug gives the same time, whatever the order of writing
    offset = HUGO_OFFSETS[pick % len(HUGO_OFFSETS)]
    when = f"{news.date.isoformat()}T{pick % 24:02d}:{pick // 24 % 60:02d}:00{offset}"
    tags = ", ".join(json.dumps(tag_name(tag)) for tag in news.tags)
    front = f"---\ntitle: {json.dumps(news.title, ensure_ascii=False)}\ndate: {when}\ndraft: false\nslug: {json.dumps(news.slug)}\ntags: [{tags}]\n---\n"
    return front + news.body


def write_eccpsite(target: Path, corpus: Corpus, repo: Path = REPO, hugo: bool = False) -> None:
    """The eccpsite project: the repository's site.yaml and templates, and the corpus in SPEC format
    (with ``hugo``, its news as Hugo writes them: see :func:`hugo_news_file`)."""
    target.mkdir(parents=True)
    shutil.copy(repo / "site.yaml", target / "site.yaml")
    shutil.copytree(repo / "templates", target / "templates")
    for item in corpus.items:
        if not (hugo and item.kind == "news"):
            _write(target / "content" / item.kind / item.filename, _front_matter(item.front) + item.body)
    for news in corpus.news if hugo else ():
        _write(target / "content" / "news" / f"{news.slug}.md", hugo_news_file(news))
    for name, text in corpus.editions:
        _write(target / "content" / "newsletter" / name, text)


PELICAN_CONF = f"""\
# Pelican settings of the benchmark: news at /news/<slug>/, the index paginated
# {PER_PAGE} per page at / and /page/N/, a page per tag paginated the same way, and
# one RSS feed of the latest {FEED_ITEMS} articles. Nothing else is written.
AUTHOR = "ECCP"
SITENAME = "ECCP benchmark"
SITEURL = "https://bench.example.org"
PATH = "content"
THEME = "theme"
TIMEZONE = "Europe/Brussels"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%d %B %Y"
MARKDOWN = {{
    "extension_configs": {{
        "markdown.extensions.footnotes": {{}},
        "markdown.extensions.tables": {{}},
        "markdown.extensions.sane_lists": {{}},
        "markdown.extensions.smarty": {{}},
    }},
    "output_format": "html5",
}}
ARTICLE_PATHS = ["news"]
PAGE_PATHS = []
STATIC_PATHS = []
THEME_STATIC_PATHS = []
ARTICLE_URL = "news/{{slug}}/"
ARTICLE_SAVE_AS = "news/{{slug}}/index.html"
TAG_URL = "tags/{{slug}}/"
TAG_SAVE_AS = "tags/{{slug}}/index.html"
CATEGORY_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
DIRECT_TEMPLATES = ["index"]
PAGINATED_TEMPLATES = {{"index": None, "tag": None}}
DEFAULT_PAGINATION = {PER_PAGE}
PAGINATION_PATTERNS = (
    (1, "{{url}}", "{{save_as}}"),
    (2, "{{base_name}}/page/{{number}}/", "{{base_name}}/page/{{number}}/index.html"),
)
FEED_ALL_ATOM = None
FEED_ALL_RSS = "feeds/news.xml"
FEED_MAX_ITEMS = {FEED_ITEMS}
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
RELATIVE_URLS = False
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
"""

_PELICAN_BASE = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{% block title %}{{ SITENAME }}{% endblock %}</title>
<link rel="alternate" type="application/rss+xml" href="{{ SITEURL }}/feeds/news.xml"></head>
<body><header><a href="{{ SITEURL }}/">{{ SITENAME }}</a></header>
<main>{% block content %}{% endblock %}</main>
</body>
</html>
"""
_PELICAN_LIST = """\
<ul>
{% for article in articles_page.object_list %}
<li><a href="{{ SITEURL }}/{{ article.url }}">{{ article.title }}</a> <time datetime="{{ article.date.isoformat() }}">{{ article.locale_date }}</time>
<p>{{ article.summary }}</p></li>
{% endfor %}
</ul>
<nav>{% if articles_page.has_previous() %}<a href="{{ SITEURL }}/{{ articles_previous_page.url }}">Newer</a>{% endif %}
Page {{ articles_page.number }} of {{ articles_paginator.num_pages }}
{% if articles_page.has_next() %}<a href="{{ SITEURL }}/{{ articles_next_page.url }}">Older</a>{% endif %}</nav>
"""
PELICAN_TEMPLATES = {
    "base.html": _PELICAN_BASE,
    "article.html": """\
{% extends "base.html" %}
{% block title %}{{ article.title }} – {{ SITENAME }}{% endblock %}
{% block content %}
<article data-pagefind-body><h1>{{ article.title }}</h1>
<time datetime="{{ article.date.isoformat() }}">{{ article.locale_date }}</time>
{{ article.content }}
<ul>{% for tag in article.tags %}<li><a href="{{ SITEURL }}/{{ tag.url }}">{{ tag }}</a></li>{% endfor %}</ul>
</article>
{% endblock %}
""",
    "index.html": '{% extends "base.html" %}\n{% block content %}\n<h1>News</h1>\n' + _PELICAN_LIST + "{% endblock %}\n",
    "tag.html": '{% extends "base.html" %}\n{% block title %}{{ tag }} – {{ SITENAME }}{% endblock %}\n{% block content %}\n<h1>Tagged {{ tag }}</h1>\n'
    + _PELICAN_LIST
    + "{% endblock %}\n",
}


def _pelican_article(news: NewsFacts) -> str:
    meta = [
        f"Title: {news.title}",
        f"Date: {news.date.isoformat()}",
        f"Slug: {news.slug}",
        f"Tags: {', '.join(news.tags)}",
        f"Summary: {news.summary}",
    ]
    return "\n".join(meta) + "\n\n" + news.body


def write_pelican(target: Path, corpus: Corpus) -> None:
    """The Pelican project: settings, a minimal theme and the news as Markdown with Pelican metadata."""
    _write(target / "pelicanconf.py", PELICAN_CONF)
    for name, text in PELICAN_TEMPLATES.items():
        _write(target / "theme" / "templates" / name, text)
    for news in corpus.news:
        _write(target / "content" / "news" / f"{news.date.isoformat()}-{news.slug}.md", _pelican_article(news))


HUGO_CONFIG = f"""\
# Hugo settings of the benchmark: news at /news/<slug>/, the section list paginated
# {PER_PAGE} per page at /news/ and /news/page/N/, term pages at /tags/<tag>/ paginated the
# same way, and one RSS feed of the latest {FEED_ITEMS} news at /news/index.xml.
baseURL = "https://bench.example.org/"
languageCode = "en"
title = "ECCP benchmark"
timeZone = "Europe/Brussels"
disableKinds = ["home", "taxonomy", "sitemap", "robotstxt", "404"]

[pagination]
  pagerSize = {PER_PAGE}
  path = "page"

[services.rss]
  limit = {FEED_ITEMS}

[outputs]
  section = ["html", "rss"]
  term = ["html"]
  page = ["html"]

[taxonomies]
  tag = "tags"

[markup.goldmark.renderer]
  unsafe = true
"""
_HUGO_LIST = """\
<ul>
{{ range .Paginator.Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
<p>{{ .Summary }}</p></li>
{{ end }}
</ul>
<nav>{{ with .Paginator.Prev }}<a href="{{ .URL }}">Newer</a>{{ end }}
Page {{ .Paginator.PageNumber }} of {{ .Paginator.TotalPages }}
{{ with .Paginator.Next }}<a href="{{ .URL }}">Older</a>{{ end }}</nav>
"""
HUGO_LAYOUTS = {
    "baseof.html": """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ block "title" . }}{{ site.Title }}{{ end }}</title>
<link rel="alternate" type="application/rss+xml" href="/news/index.xml"></head>
<body><header><a href="/news/">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "page.html": """\
{{ define "title" }}{{ .Title }} – {{ site.Title }}{{ end }}
{{ define "main" }}
<article data-pagefind-body><h1>{{ .Title }}</h1>
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
{{ .Content }}
<ul>{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
</article>
{{ end }}
""",
    "section.html": '{{ define "main" }}\n<h1>News</h1>\n' + _HUGO_LIST + "{{ end }}\n",
    "term.html": '{{ define "title" }}{{ .Title }} – {{ site.Title }}{{ end }}\n{{ define "main" }}\n<h1>Tagged {{ .Title }}</h1>\n'
    + _HUGO_LIST
    + "{{ end }}\n",
    "section.rss.xml": """\
{{ printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<rss version="2.0"><channel>
<title>{{ site.Title }}</title><link>{{ .Permalink }}</link><description>News</description>
{{ range first 20 .Pages }}
<item><title>{{ .Title }}</title><link>{{ .Permalink }}</link><guid>{{ .Permalink }}</guid>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate><description>{{ .Summary | plainify }}</description></item>
{{ end }}
</channel></rss>
""",
}


def _hugo_article(news: NewsFacts) -> str:
    front = (("title", news.title), ("date", news.date), ("slug", news.slug), ("tags", list(news.tags)), ("summary", news.summary))
    return _front_matter(front) + news.body


def write_hugo(target: Path, corpus: Corpus) -> None:
    """The Hugo project: configuration, minimal layouts and the news with YAML front matter."""
    _write(target / "hugo.toml", HUGO_CONFIG)
    for name, text in HUGO_LAYOUTS.items():
        _write(target / "layouts" / name, text)
    for news in corpus.news:
        _write(target / "content" / "news" / f"{news.slug}.md", _hugo_article(news))


def realistic_markup(content: Path = REPO / "content") -> dict[str, float]:
    """The inline markup of the realistic corpus: :func:`markup_targets` of the density of the real ``content``."""
    return markup_targets(density.real_density(content))


def generate(
    out: Path, n: int, seed: int = SEED, news_only: bool = False, repo: Path = REPO, hugo_news: bool = False, markup: Mapping[str, float] | None = None
) -> dict[str, int]:
    """Write the three projects under ``out`` (replacing any earlier ones); returns the item counts.

    ``hugo_news``: the eccpsite project's news as Hugo writes them (see :func:`hugo_news_file`); ``markup``: the inline
    markup of the prose per 100 words (:func:`realistic_markup`; None: plain prose)."""
    corpus = make_corpus(n, seed, news_only, markup)
    for name in ("eccpsite", "pelican", "hugo"):
        if (out / name).exists():
            shutil.rmtree(out / name)
    write_eccpsite(out / "eccpsite", corpus, repo, hugo=hugo_news)
    write_pelican(out / "pelican", corpus)
    write_hugo(out / "hugo", corpus)
    counts: dict[str, int] = {}
    for item in corpus.items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    counts["editions"] = len(corpus.editions)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the benchmark corpus for eccpsite, Pelican and Hugo.")
    parser.add_argument("n", type=int, help="number of news items")
    parser.add_argument("out", type=Path, help="folder to write eccpsite/, pelican/ and hugo/ into")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--news-only", action="store_true", help="news only (and the menu pages) in the eccpsite project")
    parser.add_argument("--hugo-news", action="store_true", help="write the eccpsite news as `hugo new` does (datetimes with offsets, slug:, quoted tags)")
    parser.add_argument("--plain-prose", action="store_true", help="prose with almost no inline markup (the corpus of issue 6)")
    args = parser.parse_args(argv)
    markup = None if args.plain_prose else realistic_markup()
    counts = generate(args.out, args.n, args.seed, args.news_only, hugo_news=args.hugo_news, markup=markup)
    print(", ".join(f"{count} {kind}" for kind, count in counts.items()), f"written under {args.out}")
    written = density.density(density.content_bodies(args.out / "eccpsite" / "content" / "news"))
    print("\n".join(density.table({"real content/": density.real_density(), "generated news": written})))
    return 0


if __name__ == "__main__":
    sys.exit(main())
