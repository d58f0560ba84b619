"""What editors of other generators write (issue 15): it builds as they meant it, or gets a located message with the fix.

Each case is run as an editor would: a small project written to disk and built
(or checked) through eccpsite's own build; feeds are read with feedparser.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import feedparser  # type: ignore[import-untyped]
import pytest
from browser import axe_check, describe_violations
from conftest import NOW, run_eccpsite, write_site

from eccpsite.build import BuildOptions, build_outputs
from eccpsite.core.errors import BuildFailed


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


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005fe02fea7d6a0b10000000049454e44ae426082"
)  # one transparent pixel

EDITOR_CONTENT: dict[str, str | bytes] = {
    "content/news/2019-05-14-japan-week.md": """---
title: "EU-Japan #matchmaking week"
date: 2019-05-14T13:31:00+09:00
tags: [Japan, ESCP-S3, blue growth]
---
# Introduction

Clusters from Europe and Japan met in Tokyo, before [the Osaka mission](../events/2019-06-03-osaka-mission.md).

![The cluster map of Japan](../media/japan-map.png)

## Programme

| | |
|---|---|
| Date | 14 May 2019 |
| Place | Tokyo |

# Results

Forty meetings.
""",
    "content/events/2019-06-03-osaka-mission.md": "---\ntitle: Osaka mission\nstart: 2019-06-03\n---\nIn Osaka.\n",
    "content/media/japan-map.png": PNG,
}


# The same text in a file main could read before (a plain date, tags as slugs): only the body is at stake.
def _plain_front(text: str | bytes) -> str | bytes:
    if isinstance(text, bytes):
        return text
    return text.replace("2019-05-14T13:31:00+09:00", "2019-05-14").replace("[Japan, ESCP-S3, blue growth]", "[japan]").replace("#match", "match")


PLAIN_FRONT = {path: _plain_front(text) for path, text in EDITOR_CONTENT.items()}


def test_body_headings_from_a_single_hash_are_kept_under_the_page_title(tmp_path: Path) -> None:
    page = _outputs(write_site(tmp_path, PLAIN_FRONT))["/news/japan-week/"].decode()
    assert "<h2>Introduction</h2>" in page and "<h3>Programme</h3>" in page and "<h2>Results</h2>" in page
    assert page.count("<h1") == 1  # the page title only


def test_key_value_table_with_an_empty_header_row_has_no_empty_header_cells(tmp_path: Path) -> None:
    page = _outputs(write_site(tmp_path, PLAIN_FRONT))["/news/japan-week/"].decode()
    table = page.split("<table>", 1)[1].split("</table>", 1)[0]
    assert "<thead>" not in table and "<th></th>" not in table
    assert '<th scope="row">Date</th>' in table and "<td>14 May 2019</td>" in table


def test_pages_of_editors_content_pass_axe_heading_order_and_table_headers(tmp_path: Path, serve_dir: Any, chromium: Any) -> None:
    project = write_site(tmp_path / "site", EDITOR_CONTENT)
    output = tmp_path / "out"
    done = run_eccpsite("build", "--now", NOW, "--no-pdf", "--output", str(output), cwd=project)
    assert done.returncode == 0, done.stderr
    base = serve_dir(output)
    for url in ("news/japan-week/", "tags/escp-s3/", "tags/blue-growth/"):
        violations = axe_check(base + url, browser=chromium)
        assert not violations, describe_violations(violations)
    page = (output / "news" / "japan-week" / "index.html").read_text(encoding="utf-8")
    assert '<a href="/events/osaka-mission/">the Osaka mission</a>' in page  # written relative to the file, as previews read it
    assert '<img alt="The cluster map of Japan" src="/media/japan-map.png">' in page
    assert "Tagged “ESCP-S3”" in (output / "tags" / "escp-s3" / "index.html").read_text(encoding="utf-8")
    assert "Tagged “blue growth”" in (output / "tags" / "blue-growth" / "index.html").read_text(encoding="utf-8")


def test_unquoted_hash_that_yaml_would_cut_is_a_located_error_with_the_fix(tmp_path: Path) -> None:
    front = "title: EU-Japan #matchmaking week\ndate: 2019-05-14\ndraft: false # for now\n"
    project = write_site(tmp_path, {"content/news/2019-05-14-x.md": f"---\n{front}---\nText.\n"})
    assert _errors(project) == [
        "content/news/2019-05-14-x.md:2: title: YAML reads ' #' as the start of a comment, so this text would be 'EU-Japan' "
        "and '#matchmaking week' would be lost; put it in quotes: title: \"EU-Japan #matchmaking week\""
    ]


def test_raw_html_the_sanitizer_removes_is_a_located_warning_naming_it(tmp_path: Path) -> None:
    body = 'Watch:\n\n<iframe src="https://www.youtube.com/embed/x"></iframe>\n\n`<iframe>` in code stays.\n\n<span style="color: red">Red</span>\n'
    project = write_site(tmp_path, {"content/news/2019-05-14-x.md": f"---\ntitle: X\ndate: 2019-05-14\n---\n{body}"})
    warnings = [str(w) for w in build_outputs(project, BuildOptions(now=NOW, pdf=False)).warnings]
    assert warnings == [
        "content/news/2019-05-14-x.md:7: warning: the HTML element <iframe> is not allowed on the site and is removed; "
        "link to it instead, e.g. [Watch the video](https://…)",
        "content/news/2019-05-14-x.md:11: warning: the attribute 'style' of <span> is removed; the site's theme sets the styles; use Markdown for emphasis",
    ]


def test_one_run_reports_a_field_error_a_broken_link_and_a_vague_link_text_each_with_its_line(tmp_path: Path) -> None:
    project = write_site(
        tmp_path,
        {
            "content/news/2019-05-14-a.md": "---\ntitle: A\ndate: 2019-05-14\nlocation: Tokyo\n---\nText of A.\n",
            "content/news/2019-05-15-b.md": "---\ntitle: B\ndate: 2019-05-15\n---\nFirst line.\n\nSee [the forum](/events/gone/).\n",
            "content/news/2019-05-16-c.md": "---\ntitle: C\ndate: 2019-05-16\n---\nText.\n\nMore [here](/news/b/) and [A](/news/a/).\n",
        },
    )
    done = run_eccpsite("build", "--now", NOW, "--no-pdf", cwd=project)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert any(line.startswith("content/news/2019-05-14-a.md:4: location: unknown field") for line in lines)
    assert "content/news/2019-05-15-b.md:7: the link to /events/gone/ leads to no page of the site" in lines
    assert "content/news/2019-05-16-c.md:7: warning: the link text 'here' does not say where it leads; describe the destination" in lines
    assert not any("/news/a/" in line for line in lines)  # A has errors of its own: a link to it is not broken
    assert not (project / "build").exists()


HUGO_BODY = """Read [the forum]({{< ref "events/2019-05-20-forum.md" >}}), [its report]({{< relref "../news/2019-05-10-report" >}})
and [the same]({{< ref "/news/2019-05-10-report.md" >}}).

{{< figure src="../media/map.png" alt="A map of the venue"
    caption="Where the forum meets" >}}

{{< youtube id="abc123" title="The opening talk" >}}

{{< highlight yaml >}}
tags: [{{< not-run >}}]
{{< /highlight >}}

`{{< youtube inside-code >}}` and {{< notice warning >}}careful{{< /notice >}}.

See [this report](/news/gone/).
"""

JEKYLL_BODY = """See [the report]({% link news/2019-05-10-report.md %}) and [the about page]({{ site.baseurl }}/news/report/).

{% highlight python %}
print("{{ 7*7 }}")
{% endhighlight %}

A text about templates keeps {{ page.title }} and {% for x in list %} as written.
"""


def test_hugo_shortcodes_and_jekyll_link_tags_build_as_they_meant(tmp_path: Path) -> None:
    project = write_site(
        tmp_path,
        {
            "content/media/map.png": PNG,
            "content/news/2019-05-10-report.md": "---\ntitle: The report\ndate: 2019-05-10\n---\nText.\n",
            "content/events/2019-05-20-forum.md": "---\ntitle: Forum\nstart: 2019-05-20\nlocation:\n  city: Brussels\n  country: BE\n---\n"
            "## Programme\n\nTalks.\n",
            "content/news/2019-05-14-hugo.md": f"---\ntitle: Written in Hugo's way\ndate: 2019-05-14\n---\n{HUGO_BODY}",
            "content/news/2019-05-15-jekyll.md": f"---\ntitle: Written in Jekyll's way\ndate: 2019-05-15\n---\n{JEKYLL_BODY}",
        },
    )
    done = run_eccpsite("build", "--now", NOW, "--no-pdf", cwd=project)
    lines = done.stderr.splitlines()
    # one error, on its own line though the figure above it spans two: every replacement keeps the line count
    assert "content/news/2019-05-14-hugo.md:19: the link to /news/gone/ leads to no page of the site" in lines, lines
    assert (
        "content/news/2019-05-14-hugo.md:17: warning: the Hugo shortcode {{< notice warning >}} is not run here and is shown as written; "
        "write it in Markdown (eccpsite writes ref, relref, figure, highlight, youtube, vimeo, x, tweet, instagram, gist itself)"
    ) in lines
    assert sum("shortcode" in line for line in lines) == 1, "a shortcode inside a code block or span is code"
    (project / "content/news/2019-05-14-hugo.md").write_text(
        f"---\ntitle: Written in Hugo's way\ndate: 2019-05-14\n---\n{HUGO_BODY.replace('/news/gone/', '/news/report/')}", encoding="utf-8"
    )
    outputs = _outputs(project)
    hugo = outputs["/news/hugo/"].decode()
    assert '<a href="/events/forum/">the forum</a>, <a href="/news/report/">its report</a>' in hugo
    assert '<a href="/news/report/">the same</a>' in hugo
    assert '<figure><img src="/media/map.png" alt="A map of the venue"><figcaption>Where the forum meets</figcaption></figure>' in hugo
    assert '<a href="https://www.youtube.com/watch?v=abc123">The opening talk (video on YouTube)</a>' in hugo
    assert "<pre><code>tags: [{{&lt; not-run &gt;}}]\n</code></pre>" in hugo
    assert "<code>{{&lt; youtube inside-code &gt;}}</code>" in hugo
    assert "{{&lt; notice warning &gt;}}careful{{&lt; /notice &gt;}}" in hugo, "what is not run is kept, not dropped"
    jekyll = outputs["/news/jekyll/"].decode()
    assert '<a href="/news/report/">the report</a> and <a href="/news/report/">the about page</a>' in jekyll
    assert '<pre><code>print("{{ 7*7 }}")\n</code></pre>' in jekyll
    assert "keeps {{ page.title }} and {% for x in list %} as written" in jekyll


def test_fenced_code_blocks_are_code_blocks(tmp_path: Path) -> None:
    body = "Before.\n```yaml\ntitle: x\n# not a heading\n```\n\n~~~\n<b>shown</b>\n~~~\n"
    project = write_site(tmp_path, {"content/news/2019-05-14-x.md": f"---\ntitle: X\ndate: 2019-05-14\n---\n{body}"})
    page = _outputs(project)["/news/x/"].decode()
    assert "<pre><code>title: x\n# not a heading\n</code></pre>" in page
    assert "<pre><code>&lt;b&gt;shown&lt;/b&gt;\n</code></pre>" in page


def test_shortcode_scan_ends_on_a_body_of_openings_without_ends() -> None:
    from eccpsite.core.shortcodes import written_in_markdown

    for body in ("{{< " * 30000, '{{< figure src="' * 20000, "{% link " * 30000, "{{< x >}}\n" * 5000):
        text, notes = written_in_markdown("content/news/x.md", body)
        assert len(notes) == body.count(">}}") and text.count("\n") == body.count("\n")


def test_other_generators_names_of_our_fields_are_read_as_ours(tmp_path: Path) -> None:
    later = "---\ntitle: Later\ndate: 2019-05-15\npublishDate: 2030-01-01T08:00\n---\nBody.\n"
    project = write_site(
        tmp_path,
        {
            "content/news/2019-05-14-hugo.md": "---\ntitle: Hugo's names\ndate: 2019-05-14\ndescription: Read as the summary.\n---\nBody.\n",
            "content/news/2019-05-15-later.md": later,
        },
    )
    outputs = _outputs(project)
    assert "Read as the summary." in outputs["/news/"].decode()
    assert "/news/later/" not in outputs, "publishDate keeps it out until then, as publish_at does"


WORDPRESS_BODY = (
    "<p>As WordPress writes a post.</p>\n\n"
    '[caption id="attachment_5" align="aligncenter" width="300"]<a href="/media/map.png">'
    '<img class="size-medium wp-image-5" src="/media/map.png" alt="A map" width="300" /></a> Where we meet &amp; eat[/caption]\n\n'
    '[caption id="attachment_6"][![A map](/media/map.png)](/media/map.png) Imported: the\\_caption[/caption]\n\n'
    "[embed]https://www.youtube.com/watch?v=abc\\_d[/embed]\n\n"
    '[gallery ids="5,6"]\n\n'
    "A [video](/media/map.png) link and a [video] in brackets are Markdown's.\n"
)


def test_wordpress_captions_and_embeds_build_as_they_meant(tmp_path: Path) -> None:
    project = write_site(
        tmp_path, {"content/media/map.png": PNG, "content/news/2019-05-14-wp.md": f"---\ntitle: Written in WordPress\ndate: 2019-05-14\n---\n{WORDPRESS_BODY}"}
    )
    result = build_outputs(project, BuildOptions(now=NOW, pdf=False))
    assert [str(w) for w in result.warnings] == [
        "content/news/2019-05-14-wp.md:13: warning: the WordPress shortcode [gallery ids=\"5,6\"] is not run here and is shown as written; "
        "write it in Markdown (eccpsite writes caption, embed and youtube itself)"
    ]
    page = next(o.data.decode() for o in result.outputs if o.url == "/news/wp/")
    assert '<figure><img src="/media/map.png" alt="A map" width="300"><figcaption>Where we meet &amp; eat</figcaption></figure>' in page
    assert '<figure><img src="/media/map.png" alt="A map"><figcaption>Imported: the_caption</figcaption></figure>' in page
    assert '<a href="https://www.youtube.com/watch?v=abc_d">Watch the video on YouTube</a>' in page
    assert '[gallery ids="5,6"]' in page.replace("&quot;", '"').replace("\u201c", '"').replace("\u201d", '"'), "what is not run is kept"
    assert 'A <a href="/media/map.png">video</a> link and a [video] in brackets' in page
