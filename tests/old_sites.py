"""Old sites to import, generated as their own tools write them: a Hugo site, a Jekyll site, a WordPress
export (WXR 1.2) and an RSS 2.0 feed. Each function returns, per item, its old address and its title, so a
test can follow every old address to the page it must now lead to."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.sax.saxutils import escape

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
TOPICS = ["Matchmaking", "cluster policy", "ESCP-S3", "Japan", "blue growth", "digitalisation", "Canada"]
START = dt.datetime(2017, 1, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def _moment(i: int) -> dt.datetime:
    """A publication moment per item: one every 1.3 days, at varied hours, in winter or summer time."""
    when = START + dt.timedelta(hours=31 * i + (i % 7))
    offset = dt.timedelta(hours=2 if 4 <= when.month <= 10 else 1)
    return when.astimezone(dt.timezone(offset))


def hugo_site(root: Path, count: int) -> dict[str, str]:
    """A Hugo site with ``count`` news in ``content/news/`` (TOML and YAML front matter, dates with offsets, tags,
    summaries, aliases, some page bundles with an image, one draft), a page and a list page."""
    old: dict[str, str] = {}
    (root / "content" / "news").mkdir(parents=True)
    (root / "static" / "images").mkdir(parents=True)
    (root / "static" / "images" / "cover.png").write_bytes(PNG)
    (root / "hugo.toml").write_text('baseURL = "https://old.example.org/"\ntitle = "Old ECCP"\n[permalinks]\n  news = "/news/:year/:month/:slug/"\n')
    (root / "content" / "_index.md").write_text("---\ntitle: Home\n---\n")
    (root / "content" / "news" / "_index.md").write_text("---\ntitle: News\n---\n")
    (root / "content" / "about.md").write_text("---\ntitle: About the old site\n---\nWe are the **ECCP**.\n")
    old["/about/"] = "About the old site"
    for i in range(count):
        when = _moment(i)
        title = f"Cluster news {i}: {TOPICS[i % len(TOPICS)]} in {when:%B %Y}"
        slug = f"cluster-news-{i}"
        tags = [TOPICS[i % len(TOPICS)], TOPICS[(i * 3 + 1) % len(TOPICS)]]
        address = f"/news/{when:%Y}/{when:%m}/{slug}/"
        old[address] = title
        old[f"/content/old-news-{i}"] = title
        if i % 4 == 0:
            head = "+++\n" + f'title = "{title}"\ndate = {when.isoformat()}\nslug = "{slug}"\ntags = {tags!r}\n'.replace("'", '"')
            head += f'summary = "Summary of item {i}."\naliases = ["/content/old-news-{i}"]\n+++\n'
        else:
            head = f'---\ntitle: "{title}"\ndate: {when.isoformat()}\nslug: {slug}\ntags: {tags}\nsummary: Summary of item {i}.\n'
            head += f"aliases:\n  - /content/old-news-{i}\ncategories: [News, Events]\nlastmod: {when.date().isoformat()}\n"
            head += ("draft: true\n" if i == 7 else "") + "---\n"
        body = f"Text of item {i}. See [the programme](https://example.org/{i}).\n\n![The cover](/images/cover.png)\n"
        if i % 10 == 5:
            folder = root / "content" / "news" / f"bundle-{i}"
            folder.mkdir()
            (folder / "photo.png").write_bytes(PNG + str(i).encode())
            (folder / "index.md").write_text(head + body + "\n![A photo of the bundle](photo.png)\n", encoding="utf-8")
        else:
            (root / "content" / "news" / f"{when:%Y-%m-%d}-item-{i}.md").write_text(head + body, encoding="utf-8")
    return old


def wordpress_export(path: Path, posts: int, pages: int, uploads: Path | None = None) -> dict[str, str]:
    """A WordPress export (WXR 1.2) with ``posts`` posts and ``pages`` pages, categories, tags, excerpts, featured
    images (attachments, their files in ``uploads``), paragraphs without <p>, an embedded video, a script, a
    draft, and a menu item and a trashed post that must be skipped."""
    old: dict[str, str] = {}
    items = []
    if uploads is not None:
        (uploads / "2019" / "05").mkdir(parents=True)
        (uploads / "2019" / "05" / "featured.png").write_bytes(PNG)
    items.append(
        "<item><title>featured</title><link>https://old.example.org/featured/</link><wp:post_id>9000</wp:post_id>"
        "<wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>"
        "<wp:attachment_url>https://old.example.org/wp-content/uploads/2019/05/featured.png</wp:attachment_url>"
        "<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value>The cluster team in Brussels</wp:meta_value></wp:postmeta></item>"
    )
    for i in range(posts + pages):
        is_post = i < posts
        when = _moment(i).astimezone(dt.UTC)
        title = f"{'Post' if is_post else 'Page'} {i} – {TOPICS[i % len(TOPICS)]} & partners"
        slug = f"{'post' if is_post else 'page'}-{i}"
        link = f"https://old.example.org/{when:%Y/%m/%d}/{slug}/" if is_post else f"https://old.example.org/{slug}/"
        status = "draft" if i == 3 else "publish"
        old[link.removeprefix("https://old.example.org")] = title
        body = f'First paragraph of {i}.\nA second line.\n\nSecond paragraph with <strong>bold</strong> and <a href="https://example.org/{i}">a link</a>.'
        if i == 1:
            body += '\n\n<iframe src="https://www.youtube.com/embed/abc" title="The video"></iframe>\n\n<script>alert(1)</script>'
        categories = '<category domain="category" nicename="news"><![CDATA[News]]></category>'
        categories += f'<category domain="post_tag" nicename="t{i}"><![CDATA[{TOPICS[i % 7]}]]></category>'
        thumb = "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>9000</wp:meta_value></wp:postmeta>" if i % 5 == 0 else ""
        items.append(
            f"<item><title>{escape(title)}</title><link>{link}</link><pubDate>{when:%a, %d %b %Y %H:%M:%S} +0000</pubDate>"
            f'<dc:creator><![CDATA[editor]]></dc:creator><guid isPermaLink="false">https://old.example.org/?p={i + 1}</guid>'
            f"<content:encoded><![CDATA[{body}]]></content:encoded><excerpt:encoded><![CDATA[Excerpt of {i}.]]></excerpt:encoded>"
            f"<wp:post_id>{i + 1}</wp:post_id><wp:post_date>{when:%Y-%m-%d %H:%M:%S}</wp:post_date>"
            f"<wp:post_date_gmt>{when:%Y-%m-%d %H:%M:%S}</wp:post_date_gmt><wp:post_name>{slug}</wp:post_name>"
            f"<wp:status>{status}</wp:status><wp:post_type>{'post' if is_post else 'page'}</wp:post_type>{categories}{thumb}</item>"
        )
    items.append("<item><title>Menu</title><wp:post_id>9001</wp:post_id><wp:post_type>nav_menu_item</wp:post_type><wp:status>publish</wp:status></item>")
    items.append("<item><title>Gone</title><wp:post_id>9002</wp:post_id><wp:post_type>post</wp:post_type><wp:status>trash</wp:status></item>")
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n<channel><title>Old ECCP</title>'
        "<link>https://old.example.org</link><wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://old.example.org</wp:base_site_url>\n"
        + "\n".join(items)
        + "\n</channel></rss>\n",
        encoding="utf-8",
    )
    return old


def rss_feed(path: Path, count: int) -> dict[str, str]:
    """An RSS 2.0 feed of ``count`` items with full text (content:encoded), summaries, categories and offsets."""
    old: dict[str, str] = {}
    entries = []
    for i in range(count):
        when = _moment(i)
        title = f"Feed item {i}: {TOPICS[i % 7]}"
        link = f"https://old.example.org/news/feed-item-{i}.html"
        old[link.removeprefix("https://old.example.org")] = title
        entries.append(
            f"<item><title>{escape(title)}</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>{when:%a, %d %b %Y %H:%M:%S %z}</pubDate><category>{TOPICS[i % 7]}</category>"
            f"<description>Summary of feed item {i}.</description>"
            f"<content:encoded><![CDATA[<p>Full text of item {i}.</p><ul><li>one</li><li>two</li></ul>]]></content:encoded></item>"
        )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>Old news</title><link>https://old.example.org/</link><description>Old news</description>\n"
        + "\n".join(entries)
        + "\n</channel></rss>\n",
        encoding="utf-8",
    )
    return old
