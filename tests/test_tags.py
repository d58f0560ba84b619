"""Tags as editors write them (issue 15): kept as written, addressed by their slug, one tag per slug.

The content is what an editor who never saw this project writes (display-case
tags, tags with spaces, one tag written two ways); the checks read the built
pages, feeds (feedparser) and calendars (icalendar) as a reader's tools do.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import feedparser  # type: ignore[import-untyped]
import icalendar
import pytest
from conftest import NOW, SITE_YAML, write_site

from eccpsite.build import BuildOptions, build_outputs
from eccpsite.core import urls
from eccpsite.core.errors import BuildFailed

FILES = {
    "site.yaml": SITE_YAML
    + """\
tags:
  ESCP-S3:
    description: European Strategic Cluster Partnerships for Smart Specialisation.
  horizon-2020:
    name: Horizon 2020
""",
    "content/news/2019-05-14-japan-mission.md": """---
title: EU-Japan matchmaking week
date: 2019-05-14
tags: [Japan, ESCP-S3, blue growth, horizon-2020]
---
Clusters met in Tokyo.
""",
    "content/news/2019-05-20-blue-growth.md": """---
title: Blue growth in the Baltic
date: 2019-05-20
tags: [Blue Growth, Japan]
---
Ports and clusters.
""",
    "content/news/2019-05-21-more-blue.md": """---
title: More blue growth
date: 2019-05-21
tags: [blue growth]
---
Again.
""",
    "content/events/2019-10-10-tokyo-forum.md": """---
title: Tokyo cluster forum
start: 2019-10-10
location: {city: Tokyo, country: JP}
tags: [Japan, ESCP-S3]
---
A forum.
""",
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    project = write_site(tmp_path_factory.mktemp("tags"), FILES)
    result = build_outputs(project, BuildOptions(now=NOW, pdf=False))
    return {o.url: o.data for o in result.outputs} | {"@warnings": "\n".join(map(str, result.warnings)).encode()}


def test_urls_slugify_makes_addresses_from_names_as_written() -> None:
    assert [urls.slugify(t) for t in ("ESCP-S3", "blue growth", "Blue  Growth", "Énergie", "R&D", "escp-s3")] == [
        "escp-s3", "blue-growth", "blue-growth", "energie", "r-d", "escp-s3",
    ]  # fmt: skip
    assert urls.tag_url("ESCP-S3") == "/tags/escp-s3/"


def test_tags_as_written_build_with_slug_urls(outputs: dict[str, bytes]) -> None:
    for slug in ("japan", "escp-s3", "blue-growth", "horizon-2020"):
        assert f"/tags/{slug}/index.html".replace("index.html", "") in outputs
    page = outputs["/news/japan-mission/"].decode()
    assert '<a href="/tags/escp-s3/">ESCP-S3</a>' in page
    assert '<a href="/tags/blue-growth/">blue growth</a>' in page
    assert '<a href="/tags/horizon-2020/">Horizon 2020</a>' in page  # site.yaml's name, not the slug written


def test_tags_variants_are_one_tag_shown_in_one_form_with_a_warning(outputs: dict[str, bytes]) -> None:
    tag_page = outputs["/tags/blue-growth/"].decode()
    assert "Tagged “blue growth”" in tag_page  # two files write "blue growth", one "Blue Growth"
    assert tag_page.count('class="card ') == 3
    assert "Blue Growth" not in outputs["/news/blue-growth/"].decode().split('class="tags"', 1)[1]
    warnings = outputs["@warnings"].decode()
    [line] = [w for w in warnings.splitlines() if "/tags/blue-growth/" in w]
    assert line.startswith("content/news/2019-05-20-blue-growth.md:4: warning: tags: ")
    assert "'Blue Growth' in content/news/2019-05-20-blue-growth.md" in line
    assert "'blue growth' in content/news/2019-05-14-japan-mission.md, content/news/2019-05-21-more-blue.md" in line


def test_tags_site_yaml_description_is_shown_on_the_tag_page(outputs: dict[str, bytes]) -> None:
    assert "European Strategic Cluster Partnerships for Smart Specialisation." in outputs["/tags/escp-s3/"].decode()
    assert "Tagged “ESCP-S3”" in outputs["/tags/escp-s3/"].decode()
    assert ">ESCP-S3</a>" in outputs["/tags/"].decode()


def test_tags_feeds_calendars_and_json_ld_use_the_display_form(outputs: dict[str, bytes]) -> None:
    for extension in ("xml", "atom"):
        feed = feedparser.parse(outputs[f"/feeds/news.{extension}"])
        assert not feed.bozo
        entry = next(e for e in feed.entries if e.title == "EU-Japan matchmaking week")
        assert {t.term for t in entry.tags} == {"Japan", "ESCP-S3", "blue growth", "Horizon 2020"}
    json_feed = json.loads(outputs["/feeds/news.json"])
    assert next(i for i in json_feed["items"] if i["title"] == "Blue growth in the Baltic")["tags"] == ["blue growth", "Japan"]
    calendar = icalendar.Calendar.from_ical(outputs["/events/calendar.ics"])
    [event] = calendar.walk("VEVENT")
    assert [str(c) for c in event.get("categories").cats] == ["Japan", "ESCP-S3"]
    assert "/tags/escp-s3/calendar.ics" in outputs and "/events/tag/escp-s3/" in outputs
    assert "Events on “ESCP-S3”" in outputs["/events/tag/escp-s3/"].decode()
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', outputs["/news/japan-mission/"].decode(), re.S)
    assert ld is not None and json.loads(ld.group(1))["keywords"] == "Japan, ESCP-S3, blue growth, Horizon 2020"


def test_tags_without_letters_are_a_located_error(tmp_path: Path) -> None:
    project = write_site(tmp_path, {"content/news/2019-05-14-x.md": "---\ntitle: X\ndate: 2019-05-14\ntags: [Japan, '+++']\n---\nText.\n"})
    with pytest.raises(BuildFailed) as failed:
        build_outputs(project, BuildOptions(now=NOW, pdf=False))
    assert [str(e) for e in failed.value.errors] == [
        "content/news/2019-05-14-x.md:4: tags: the tag '+++' has no letter or digit, so it has no address; write it in words"
    ]
