"""What editors of other generators write (issue 15): it builds as they meant it, or gets a located message with the fix.

Each case is run as an editor would: a small project written to disk and built
(or checked) through eccpsite's own build; feeds are read with feedparser.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import feedparser  # type: ignore[import-untyped]
import pytest
from conftest import NOW, write_site

from eccpsite.build import BuildOptions, build_outputs
from eccpsite.errors import BuildFailed


def _outputs(project: Path) -> dict[str, bytes]:
    return {o.url: o.data for o in build_outputs(project, BuildOptions(now=NOW, pdf=False)).outputs}


def _errors(project: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failed:
        build_outputs(project, BuildOptions(now=NOW, pdf=False))
    return [str(e) for e in failed.value.errors]


def test_dates_with_a_time_order_the_day_and_date_the_feed_entries(tmp_path: Path) -> None:
    project = write_site(
        tmp_path,
        {
            "content/news/tokyo.md": "---\ntitle: From Tokyo\ndate: 2019-05-14T10:00:00+09:00\n---\nText.\n",
            "content/news/brussels.md": "---\ntitle: From Brussels\ndate: 2019-05-14 18:30\n---\nText.\n",
            "content/news/plain.md": "---\ntitle: A plain date\ndate: 2019-05-14\n---\nText.\n",
        },
    )
    outputs = _outputs(project)
    page = outputs["/news/"].decode()
    assert page.index("From Brussels") < page.index("From Tokyo") < page.index("A plain date")
    feed = feedparser.parse(outputs["/feeds/news.atom"])
    assert not feed.bozo
    published = {e.title: dt.datetime(*e.published_parsed[:6], tzinfo=dt.UTC) for e in feed.entries}
    assert published["From Tokyo"] == dt.datetime(2019, 5, 14, 1, 0, tzinfo=dt.UTC)
    assert published["From Brussels"] == dt.datetime(2019, 5, 14, 16, 30, tzinfo=dt.UTC)
    assert '<time datetime="2019-05-14">14 May 2019</time>' in outputs["/news/tokyo/"].decode()
