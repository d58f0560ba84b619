"""The repository's real site, built once as of 2019-09-16, for the browser tests of the theme.

On that day there are upcoming events (20 and 25–26 September 2019, February 2020)
and calls still open, so every kind of page has something to show.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from eccpsite.build import BuildOptions, build

REPO = Path(__file__).resolve().parents[1]
NOW = "2019-09-16"
# The moment the pages' scripts see in the browser: noon on the day of the build, in Brussels.
BROWSER_NOW = dt.datetime(2019, 9, 16, 12, 0, tzinfo=ZoneInfo("Europe/Brussels"))

# One page of each type that readers see (the checks of issue 7).
PAGES = {
    "home": "/",
    "news list": "/news/",
    "news item": "/news/eu-cluster-weeks-hanover-fair-eu-canada/",
    "event list": "/events/",
    "event filter (country)": "/events/country/ro/",
    "event filter (attendance)": "/events/online/",
    "past events": "/events/past/",
    "month view": "/events/calendar/2019-09/",
    "event item (upcoming)": "/events/erek-international-conference-2019/",
    "event item (past)": "/events/eu-canada-cluster-matchmaking-toronto-2019/",
    "call list": "/calls/",
    "call item": "/calls/cosme-clusters-go-international-2019/",
    "interview": "/interviews/christian-rangen-superclusters/",
    "edition": "/newsletter/eccp-2019-09/",
    "newsletter archive": "/newsletter/",
    "tag page": "/tags/canada/",
    "search": "/search/",
    "accessibility statement": "/accessibility/",
    "cluster profile": "/clusters/clustero/",
    "cluster directory": "/clusters/",
    "cluster sector": "/clusters/sector/packaging/",
    "country": "/countries/ro/",
    "countries": "/countries/",
    "404": "/404.html",
}


def build_repo_site(output: Path) -> Path:
    """Build the repository's content and theme into ``output`` as of :data:`NOW`; return ``output``."""
    build(REPO, output, BuildOptions(now=NOW))
    return output


def html_file(site: Path, url: str) -> Path:
    """The file that serves ``url`` in a built folder."""
    return site / (url.lstrip("/") + "index.html" if url.endswith("/") else url.lstrip("/"))
