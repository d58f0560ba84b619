"""Every URL of the site and the output file behind it, in one place.

URLs are site paths beginning and ending with ``/`` (``/news/x/``); the output
file of a URL ending in ``/`` is its ``index.html``.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from functools import lru_cache

# First path segments that pages may not take, because the build's own pages use them (the kinds' folders are
# added by kinds.reserved_segments).
RESERVED = frozenset({"tags", "newsletter", "feeds", "static", "search", "pagefind", "page", "404", "sitemap.xml", "robots.txt", "countries", "admin"})


def item_url(kind: str, slug: str) -> str:
    return f"/{slug}/" if kind == "pages" else f"/{kind}/{slug}/"


def list_url(base: str, page: int) -> str:
    """Page ``page`` (1-based) of a paginated list at ``base``: ``/news/``, ``/news/page/2/``."""
    return base if page == 1 else f"{base}page/{page}/"


def section_url(kind: str) -> str:
    return f"/{kind}/"


PAST_EVENTS = "/events/past/"
CLOSED_CALLS = "/calls/closed/"
NEWSLETTER = "/newsletter/"
HOME = "/"
NOT_FOUND = "/404.html"
SITEMAP = "/sitemap.xml"
ROBOTS = "/robots.txt"
TAGS = "/tags/"
STATIC = "/static/"
ADMIN = "/admin/"  # the web editing interface (eccpsite.outputs.admin)


_NOT_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=4096)  # a few hundred tags, asked for on every page that lists them
def slugify(text: str) -> str:
    """The URL form of a name as editors write it: ``ESCP-S3`` → ``escp-s3``, ``Blue growth`` → ``blue-growth``.

    Accents are dropped (``Énergie`` → ``energie``); letters of other scripts
    are kept, lowercased; every run of other characters becomes one hyphen.
    Tags (and anything "slugged like tags") go through here, so two names
    with the same slug are one name. A slug gives itself back.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub("-", unicodedata.normalize("NFC", folded).casefold()).strip("-")


def tag_url(tag: str) -> str:
    """A tag's page: ``/tags/escp-s3/`` for the tag written ``ESCP-S3``."""
    return f"/tags/{slugify(tag)}/"


def edition_url(edition_id: str) -> str:
    return f"/newsletter/{edition_id}/"


def edition_pdf_url(edition_id: str) -> str:
    return f"/newsletter/{edition_id}/{edition_id}.pdf"


def edition_email_url(edition_id: str, extension: str = "html") -> str:
    return f"/newsletter/{edition_id}/email.{extension}"


FEED_FORMATS = ("xml", "atom", "json")  # RSS 2.0, Atom 1.0, JSON Feed 1.1
EVENTS_CALENDAR = "/events/calendar.ics"
CALL_DEADLINES = "/calls/deadlines.ics"


def feed_url(section: str, extension: str) -> str:
    """A section's feed: ``/feeds/news.xml`` (RSS), ``.atom`` (Atom), ``.json`` (JSON Feed)."""
    return f"/feeds/{section}.{extension}"


def tag_feed_url(tag: str, extension: str) -> str:
    return f"/tags/{slugify(tag)}/feed.{extension}"


def event_calendar_url(slug: str) -> str:
    return f"/events/{slug}/event.ics"


def tag_calendar_url(tag: str) -> str:
    return f"/tags/{slugify(tag)}/calendar.ics"


SEARCH = "/search/"
NEXT_CHANGE = "/next-change.txt"
ATTENDANCE = ("in-person", "online")
# Second path segments under /events/ that event slugs may not take, because the calendar's lists use them.
EVENT_RESERVED = frozenset({"past", "page", "country", "tag", *ATTENDANCE, "calendar", "calendar.ics"})
EVENT_MONTHS = "/events/calendar/"  # the month view of the build's own month


def event_month_url(year: int, month: int) -> str:
    """The month view of one month: ``/events/calendar/2019-09/``."""
    return f"{EVENT_MONTHS}{year:04d}-{month:02d}/"


def event_country_url(country: str) -> str:
    """Events in one country: ``/events/country/ro/``."""
    return f"/events/country/{country.lower()}/"


def event_tag_url(tag: str) -> str:
    """Events on one topic: ``/events/tag/matchmaking/``."""
    return f"/events/tag/{slugify(tag)}/"


def event_attendance_url(attendance: str) -> str:
    """Events by attendance: ``/events/online/``, ``/events/in-person/``."""
    return f"/events/{attendance}/"


CLUSTERS = "/clusters/"
COUNTRIES = "/countries/"
# Second path segments under /clusters/ that profile slugs may not take, because the directory's pages use them.
CLUSTER_RESERVED = frozenset({"page", "sector", "country", "feed.xml"})


def cluster_sector_url(sector: str) -> str:
    """The profiles of one sector: ``/clusters/sector/digital-services/``."""
    return f"/clusters/sector/{sector}/"


def country_url(country: str) -> str:
    """A country's page: ``/countries/ro/``."""
    return f"/countries/{country.lower()}/"


def country_calendar_url(country: str) -> str:
    """The events in one country, as a calendar: ``/countries/ro/calendar.ics``."""
    return f"/countries/{country.lower()}/calendar.ics"


def static_url(name: str) -> str:
    return f"{STATIC}{name}"


def output_path(url: str) -> str:
    """The file (relative to the output folder) that serves ``url``.

    Refuses anything that could leave the output folder.
    """
    if not url.startswith("/") or "\\" in url or "\x00" in url:
        raise ValueError(f"not a site path: {url!r}")
    parts = url.strip("/").split("/") if url.strip("/") else []
    if any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"not a site path: {url!r}")
    path = "/".join(parts)
    if url.endswith("/"):
        return f"{path}/index.html" if path else "index.html"
    return path


CONTENT = "content/"


def content_relative(path: str, written: str) -> str | None:
    """What ``written``, read from the folder of the project file ``path`` (``content/news/x.md``), names, as a path
    from ``content/`` (``../media/x.png`` → ``media/x.png``); None when it leads outside content/."""
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), written))
    return resolved[len(CONTENT) :] if resolved.startswith(CONTENT) else None
