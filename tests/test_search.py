"""Search (issue 7): `eccpsite build` indexes the site with Pagefind, and /search/ finds things.

The browser tests drive the site's own search page over a plain static server,
as a reader would: type, submit, read the results.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser import AXE_JS, AXE_TAGS, describe_violations, serve_directory
from built_site import build_repo_site
from conftest import NOW, copy_repo_project

from eccpsite.build import BuildOptions, build
from eccpsite.edges.fingerprint import digest
from eccpsite.incremental.writer import write_site
from eccpsite.outputs import search as search_module
from eccpsite.outputs.render import Output
from eccpsite.outputs.search import SHARDS, UNUSED, SearchIndexFailed, index_site, indexed_pages, search_key, shard_of

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# The EU-Canada items of the real content, as their result titles begin.
EU_CANADA = {
    "/events/eu-canada-cluster-matchmaking-toronto-2019/",
    "/news/eu-cluster-weeks-hanover-fair-eu-canada/",
}


PAGE = """<!DOCTYPE html><html lang="en"><head><title>X</title></head>
<body><main data-pagefind-body><h1>EU-Canada</h1><p>Toronto matchmaking.</p></main></body></html>"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repo_site(tmp_path_factory.mktemp("search") / "site")


@pytest.fixture(scope="module")
def base_url(built: Path) -> Iterator[str]:
    with serve_directory(built) as url:
        yield url.rstrip("/")


def search(page: Page, query: str) -> list[str]:
    """Type ``query`` into the search page's field, submit, and return the result links."""
    page.fill("#search-input", query)
    page.press("#search-input", "Enter")
    page.wait_for_function("q => document.getElementById('search-status').textContent.includes(`for “${q}”`)", arg=query)
    return [str(href) for href in page.eval_on_selector_all("#search-results a", "links => links.map(a => a.getAttribute('href'))")]


def test_search_index_is_built_beside_the_pages(built: Path) -> None:
    """The build writes Pagefind's library and index, without the ready-made interfaces the site does not use."""
    bundle = built / "pagefind"
    assert (bundle / "pagefind.js").is_file()
    assert (bundle / "pagefind-entry.json").is_file()
    assert list((bundle / "fragment").iterdir()), "one fragment per indexed page"
    assert not [name for name in UNUSED if (bundle / name).exists()]
    page = (built / "search" / "index.html").read_text(encoding="utf-8")
    assert 'src="/static/search.js"' in page and 'action="/search/"' in page


def test_search_index_covers_items_not_lists(built: Path) -> None:
    """Only items, pages and editions are indexed: a list page would only repeat their summaries."""
    marked = [p for p in built.rglob("index.html") if "data-pagefind-body" in p.read_text(encoding="utf-8")]
    assert built / "news" / "eu-cluster-weeks-hanover-fair-eu-canada" / "index.html" in marked
    assert built / "newsletter" / "eccp-2019-09" / "index.html" in marked
    assert built / "news" / "index.html" not in marked and built / "index.html" not in marked


def test_search_index_keeps_the_facts_labels_apart_from_their_values(built: Path) -> None:
    """An event's "When" and its date, a call's "Status" and its state are two words to Pagefind, not one
    ("WhereBerlin" was a word no search found)."""
    import gzip
    import re

    labels = ("When", "Where", "Organiser", "Registration", "Website", "Status", "Programme", "Budget", "Opens", "Deadline")
    labels += ("Sectors", "Members", "Founded", "Labels")
    joined = re.compile(rf"(?:\w|\))(?:{'|'.join(labels)})(?=\w)|\b(?:{'|'.join(labels)})(?=[0-9A-Z])")
    contents = {}
    for fragment in built.glob("pagefind/**/fragment/*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes())
        found = json.loads(data[data.index(b"{") :])
        contents[found["url"]] = found["content"]
    events = [url for url in contents if url.startswith("/events/")]
    assert events and all(" When " in contents[url] for url in events)
    assert {url: joined.findall(text) for url, text in contents.items() if joined.search(text)} == {}


def test_search_index_is_the_same_for_the_same_pages(built: Path, tmp_path: Path) -> None:
    """Indexing the same pages twice gives byte-identical files (builds are reproducible)."""
    copies = []
    for name in ("one", "two"):
        folder = tmp_path / name
        (folder / "news" / "x").mkdir(parents=True)
        (folder / "news" / "x" / "index.html").write_text(PAGE, encoding="utf-8")
        assert index_site(folder) > 0
        copies.append({p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()})
    assert copies[0] == copies[1]


def test_search_index_does_not_depend_on_the_order_the_pages_were_written(listing_in_order: Path) -> None:
    """Forked workers write pages in no fixed order; given the build's order, Pagefind finds them in that order."""
    order = [f"/news/n{n}/" for n in range(12)] + ["/events/", "/events/e/", "/about/"]
    bundles = []
    for name, written in (("forward", order), ("backward", order[::-1])):
        folder = listing_in_order / name
        for url in written:
            (folder / url.strip("/")).mkdir(parents=True, exist_ok=True)
            (folder / url.strip("/") / "index.html").write_text(PAGE.replace("Toronto", f"Toronto {url}"), encoding="utf-8")
        assert index_site(folder, "en", order) > 0
        assert sorted(p.name for p in folder.iterdir()) == ["about", "events", "news", "pagefind"]  # its own folder is gone
        bundles.append({p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted((folder / "pagefind").rglob("*")) if p.is_file()})
    assert bundles[0] == bundles[1]
    assert any(name.startswith("pagefind/fragment/") for name in bundles[0])


def test_search_key_comes_from_digests_of_the_marked_pages() -> None:
    pages = [("/news/x/", PAGE.encode()), ("/news/", b"<html>a list, not indexed</html>")]
    other_list = [pages[0], ("/news/", b"<html>another list</html>")]
    edited = [("/news/x/", PAGE.replace("Toronto", "Montreal").encode()), pages[1]]

    key = search_key(indexed_pages(pages), "en")

    assert indexed_pages(pages) == [("/news/x/", digest(PAGE.encode()))]
    assert search_key(indexed_pages(other_list), "en") == key
    assert search_key(indexed_pages(edited), "en") != key
    assert search_key(indexed_pages(pages), "fr") != key


def test_search_index_failure_leaves_the_previous_output(tmp_path: Path) -> None:
    """If indexing fails in the staging folder, the swap never happens and nothing is left behind."""
    output = tmp_path / "build"
    write_site([Output("/a/", b"old")], [], output)

    def failing(staging: Path) -> int:
        raise SearchIndexFailed("the search index could not be built: boom")

    with pytest.raises(SearchIndexFailed):
        write_site([Output("/a/", b"new")], [], output, finish=failing)
    assert (output / "a" / "index.html").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


@pytest.mark.browser
def test_search_canada_finds_the_eu_canada_items(base_url: str, chromium: Browser) -> None:
    """Searching "Canada" on the built site lists the EU-Canada event and news, with excerpts."""
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(base_url + "/search/")
        found = search(page, "Canada")
        assert set(found) >= EU_CANADA, found
        assert "result" in page.inner_text("#search-status")
        assert page.locator("#search-results mark").count() > 0, "the words found are highlighted"
        assert page.url.endswith("/search/?q=Canada"), "the query is kept in the address, for a bookmark"
        assert search(page, "xylophonequartz") == []
        assert page.inner_text("#search-status").startswith("No results")
    finally:
        context.close()


@pytest.mark.browser
def test_search_from_the_header_form_lands_on_results(base_url: str, chromium: Browser) -> None:
    """The search box in every page's header takes the reader to /search/?q=… with the results shown."""
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(base_url + "/events/")
        page.fill("#header-search-input", "Canada")
        page.press("#header-search-input", "Enter")
        page.wait_for_selector("#search-results li")
        links = page.eval_on_selector_all("#search-results a", "links => links.map(a => a.getAttribute('href'))")
        assert set(links) >= EU_CANADA
        assert page.input_value("#search-input") == "Canada"
    finally:
        context.close()


@pytest.mark.browser
def test_search_results_pass_axe(base_url: str, chromium: Browser) -> None:
    """The search page with results shown has no axe violation either."""
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(base_url + "/search/?q=Canada")
        page.wait_for_selector("#search-results li")
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
        results = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS)
        assert results["violations"] == [], describe_violations(results["violations"])
    finally:
        context.close()


# A large site's index in several bundles, merged by the search page (search.SHARD_PAGES made small here).


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_repo_project(tmp_path_factory.mktemp("sharded") / "project")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_module, "SHARD_PAGES", 20)
        build(project, project / "build", BuildOptions(now=NOW, pdf=False))
    return project / "build"


def test_search_index_of_a_large_site_is_split_into_bundles(sharded: Path) -> None:
    bundles = json.loads((sharded / "pagefind" / SHARDS).read_text(encoding="utf-8"))["bundles"]
    assert bundles == [f"/pagefind/shard-{n}/" for n in range(1, 8)]  # about 105 pages (with the cluster profiles), 20 a bundle: 8
    counts = [len(list((sharded / url.strip("/") / "fragment").iterdir())) for url in ["/pagefind/", *bundles]]
    assert all(counts) and sum(counts) == len(list((sharded / "pagefind").rglob("fragment/*")))
    assert not list((sharded / "pagefind" / "shard-1").glob("pagefind-ui*")), "no unused interfaces in the other bundles"


def test_search_bundles_are_remade_only_where_a_page_changed(tmp_path: Path) -> None:
    pages = [(f"/news/item-{n}/", bytes([n]) * 20) for n in range(90)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_module, "SHARD_PAGES", 20)
        keys = {}
        for version in (pages, [(url, b"changed" if url == "/news/item-7/" else d) for url, d in pages]):
            groups: dict[int, list[tuple[str, bytes]]] = {}
            for url, d in version:
                groups.setdefault(shard_of(url, 8), []).append((url, d))
            keys[len(keys)] = {shard: search_key(members, "en") for shard, members in groups.items()}
    changed = [shard for shard in keys[0] if keys[0][shard] != keys[1][shard]]
    assert changed == [shard_of("/news/item-7/", 8)]


@pytest.mark.browser
def test_search_finds_pages_of_every_bundle(sharded: Path, chromium: Browser) -> None:
    with serve_directory(sharded) as url:
        context = chromium.new_context()
        try:
            page = context.new_page()
            page.goto(url.rstrip("/") + "/search/")
            canada = search(page, "Canada")
            assert set(canada) >= EU_CANADA
            found = canada + search(page, "cluster")  # the first 30 results of each
            assert {shard_of(link, 4) for link in found} == {0, 1, 2, 3}, found  # results from every bundle
            assert page.locator("#search-results mark").count() > 0
        finally:
            context.close()
