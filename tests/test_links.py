"""The link check works from what a build keeps of each page (its links, taken where the page was made), and finds
what it found in the pages themselves; the dev server's LinkIndex agrees with it."""

from __future__ import annotations

from pathlib import Path

from conftest import NOW, write_site

from eccpsite.build import BuildOptions, build_outputs
from eccpsite.incremental.writer import Staging
from eccpsite.outputs.links import InMemory, LinkIndex, check_links, extract_links, page_links
from eccpsite.outputs.render import Output

PAGES = [
    Output("/", b'<a href="/news/">News</a> <a href="/news/gone/">Gone</a> <img src="/static/logo.png" alt="Logo">'),
    Output("/news/", b'<a href="../">Home</a> <a href="a/">A</a> <a href="b/">B</a> <a href="#">here</a> <img src="/media/x.png">'),
    Output("/news/a/", b'<a href="/news/gone/">again</a> <a href="/news/gone/">and again</a> <a href="https://example.org/">here</a>'),
    Output("/news/a/event.ics", b"BEGIN:VCALENDAR"),
    Output("/404.html", b'<a href="/feeds/news.xml">Feed</a> <a href="/news/a">A, without its slash</a> <a href="#top">Top</a>'),
]
ASSETS = ["/static/logo.png"]
SOURCES = {"/news/a/": "content/news/a.md"}


def _problems(found: list[object]) -> list[str]:
    return sorted(map(str, found))


def test_links_records_give_the_problems_of_the_pages(tmp_path: Path) -> None:
    from_pages = _problems(check_links(PAGES, ASSETS, SOURCES))
    in_memory = _problems(check_links([InMemory().put(o) for o in PAGES], ASSETS, SOURCES))
    written = _problems(check_links([Staging(tmp_path).put(o) for o in PAGES], ASSETS, SOURCES))

    assert from_pages == in_memory == written
    assert from_pages == [
        "build/404.html: the link to /feeds/news.xml leads to no page of the site",
        "build/: the link to /news/gone/ leads to no page of the site",
        "build/news/: the link to /media/x.png leads to no page of the site",
        "build/news/: the link to b/ leads to no page of the site",
        "build/news/: warning: a link with text 'here' leads nowhere ('#'); give it a real address",
        "build/news/: warning: the image /media/x.png has no alt text; say what it shows (in Markdown: ![what it shows](/media/x.png))",
        "content/news/a.md: the link to /news/gone/ leads to no page of the site",
        "content/news/a.md: the link to /news/gone/ leads to no page of the site",  # each link is reported
        "content/news/a.md: warning: the link text 'here' does not say where it leads; describe the destination",
    ]


def test_links_index_of_the_dev_server_agrees_with_the_check() -> None:
    pages = {o.url: o.data for o in PAGES}
    other = [url for url in pages if not url.endswith(("/", ".html"))] + ASSETS

    found = LinkIndex().update(pages, other, SOURCES)

    assert sorted(map(str, found)) == _problems(check_links(PAGES, ASSETS, SOURCES))


def test_links_of_a_page_keep_only_what_the_check_needs() -> None:
    links = page_links("/news/", PAGES[1].data)

    assert links is not None
    assert links.hrefs == ("../", "a/", "b/", "/media/x.png")  # not '#', not pages elsewhere
    assert len(links.warnings) == 2
    assert page_links("/news/a/event.ics", PAGES[3].data) is None
    same, other = page_links("/news/a/", PAGES[2].data), page_links("/news/a/", PAGES[2].data.replace(b"https://example.org/", b"http://example.com/"))
    assert same is not None and other is not None
    assert same.hrefs == other.hrefs  # links to other sites are not followed
    assert [m for _, m in same.warnings] == [m for _, m in other.warnings] and other.warnings[0][0] == "http://example.com/"  # the address finds the line


def test_links_extract_the_same_with_or_without_a_main_element() -> None:
    head = '<header><a href="/">Home</a> <a href="/news/" aria-current="page">News</a></header>'
    main = '<main><h1>T</h1><p><a href="/tags/x/">x</a> <img src="/media/a.png" alt=""></p></main>'
    tail = '<footer><a href="/about/">About <em>us</em></a><!-- <a href="/gone/">no</a> --></footer>'
    plain = [("a", "/", "Home"), ("a", "/news/", "News"), ("a", "/tags/x/", "x"), ("img", "/media/a.png", ""), ("a", "/about/", "About us")]
    assert extract_links(head + main + tail) == plain
    assert extract_links(head + main + tail) == plain  # the header and footer found again from the memo
    # a link around the main element: its text runs across the parts, so the page is read whole
    spanning = '<a href="/wrap/">before <main>inside</main> after</a>'
    assert extract_links(spanning) == [("a", "/wrap/", "before inside after")]
    assert extract_links('<main><a href="/open/">never closed</main>') == []


def test_links_a_protocol_relative_address_is_a_located_warning_with_the_full_address(tmp_path: Path) -> None:
    body = "First line.\n\nA [partner](//partner.example/x) and ![a logo](//partner.example/logo.png).\n"
    site = write_site(tmp_path / "site", {"content/news/2019-06-01-p.md": f"---\ntitle: P\ndate: 2019-06-01\n---\n{body}"})

    warnings = [str(w) for w in build_outputs(site, BuildOptions(now=NOW, pdf=False)).warnings]

    where = "content/news/2019-06-01-p.md:7: warning: "
    assert any(w.startswith(where + "//partner.example/x is an address on another site") and w.endswith("write https://partner.example/x") for w in warnings)
    assert any(w.startswith(where + "//partner.example/logo.png is an address on another site") for w in warnings), warnings


def test_links_index_reads_again_only_the_pages_it_is_told_changed_since_the_pages_it_checked() -> None:
    first = {o.url: o.data for o in PAGES}
    other = [url for url in first if not url.endswith(("/", ".html"))] + ASSETS
    second = {**first, "/": b'<a href="/news/">News</a> <a href="/nowhere/">Nowhere</a>'}  # "/" now links nowhere
    new_problem = "build/: the link to /nowhere/ leads to no page of the site"

    def after_first() -> LinkIndex:
        index = LinkIndex()
        assert new_problem not in _problems(index.update(first, other, SOURCES))
        return index

    assert new_problem in _problems(after_first().update(second, other, SOURCES, since=(first, ["/"])))
    assert new_problem not in _problems(after_first().update(second, other, SOURCES, since=(first, [])))  # taken at its word
    assert new_problem in _problems(after_first().update(second, other, SOURCES, since=(dict(first), [])))  # other pages: all read
    assert new_problem in _problems(LinkIndex().update(second, other, SOURCES, since=(first, [])))  # never saw them: all read
