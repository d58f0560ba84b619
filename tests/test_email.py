"""The e-mail edition: one self-contained HTML file for mail clients, and its plain-text part."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import NOW, REPO, write_site
from test_edition_pdf import FILES, TITLES

from eccpsite.build import BuildOptions, build_outputs
from eccpsite.outputs.email_edition import MAX_BYTES, absolute_urls, inline_css

BASE = "https://test.example.org"
EMAIL = "/newsletter/2019-09/email.html"
TEXT = "/newsletter/2019-09/email.txt"


class _Mail(HTMLParser):
    """What a mail client would fetch and show: addresses, images, style and link elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.addresses: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.styles: list[str] = []
        self.links = 0
        self.tables: list[dict[str, str | None]] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.addresses += [v or "" for k, v in attrs if k in ("href", "src")]
        if tag == "img":
            self.images.append(values)
        elif tag == "link":
            self.links += 1
        elif tag == "table":
            self.tables.append(values)
        self._in_style = tag == "style"
        if self._in_style:
            self.styles.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles[-1] += data


def _parse(data: bytes) -> _Mail:
    mail = _Mail()
    mail.feed(data.decode("utf-8"))
    return mail


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    site = write_site(tmp_path_factory.mktemp("email") / "site", FILES)
    return {o.url: o.data for o in build_outputs(site, BuildOptions(now=NOW)).outputs}


@pytest.fixture(scope="module")
def real_outputs() -> dict[str, bytes]:
    """The repository's real editions (without PDFs: nothing is written, not even the cache)."""
    return {o.url: o.data for o in build_outputs(REPO, BuildOptions(now=NOW, pdf=False)).outputs}


def test_email_is_a_600px_table_layout_with_every_item(outputs: dict[str, bytes]) -> None:
    mail = _parse(outputs[EMAIL])
    assert any(t.get("width") == "600" and t.get("role") == "presentation" for t in mail.tables)
    text = outputs[EMAIL].decode()
    for title in TITLES:
        assert title in text
    assert "Jane Doe" in text and "Welcome to the <strong>September</strong> edition." in text
    assert "5–7 June 2019 · Metro Toronto Convention Centre, Toronto, Canada" in text


def test_email_css_is_inlined_and_only_media_queries_stay(outputs: dict[str, bytes]) -> None:
    mail = _parse(outputs[EMAIL])
    assert mail.links == 0
    for style in mail.styles:
        assert re.fullmatch(r"\s*(@media[^{]*\{(?:[^{}]*\{[^{}]*\})*\s*\}\s*)*", style), f"a <style> block holds more than media queries: {style!r}"
    assert re.search(rb'<td class="masthead" style="[^"]*background-color: #003399;', outputs[EMAIL])


def test_email_has_only_absolute_addresses(outputs: dict[str, bytes]) -> None:
    mail = _parse(outputs[EMAIL])
    assert mail.addresses
    for address in mail.addresses:
        assert address.startswith((f"{BASE}/", "https://", "mailto:")), f"{address!r} is not absolute"
    assert f"{BASE}/news/nf4-canada/" in mail.addresses
    assert f"{BASE}/newsletter/2019-09/2019-09.pdf" in mail.addresses


def test_email_images_have_alt_texts(outputs: dict[str, bytes]) -> None:
    mail = _parse(outputs[EMAIL])
    assert mail.images, "the fixture's item image is in the e-mail"
    for image in mail.images:
        assert image.get("alt"), f"{image} has no alt text"
    assert {"src": f"{BASE}/media/chart.png", "alt": "A bar chart of the partners' exports"}.items() <= mail.images[0].items()


def test_email_links_the_pdf_with_its_size(outputs: dict[str, bytes]) -> None:
    size = round(len(outputs["/newsletter/2019-09/2019-09.pdf"]) / 1000)
    assert f"Download the PDF ({size} KB)".encode() in outputs[EMAIL]
    assert f"Download the PDF ({size} KB): {BASE}/newsletter/2019-09/2019-09.pdf".encode() in outputs[TEXT]


def test_email_text_is_plain_with_titles_and_addresses(outputs: dict[str, bytes]) -> None:
    text = outputs[TEXT].decode()
    assert not re.search(r"<[a-z/][^>]*>", text), "no HTML tag in the plain-text part"
    for title in TITLES:
        assert title in text
    assert f"{BASE}/events/toronto-matchmaking/" in text
    assert "FROM THE EDITOR" in text and "Welcome to the September edition." in text
    assert max(len(line) for line in text.splitlines()) <= 120


def test_email_editions_of_the_real_content_are_small_and_self_contained(real_outputs: dict[str, bytes]) -> None:
    emails = {url: data for url, data in real_outputs.items() if url.endswith("/email.html")}
    assert len(emails) == len(list((REPO / "content/newsletter").glob("*.yaml")))
    for url, data in emails.items():
        assert len(data) < MAX_BYTES, f"{url} is {len(data)} bytes"
        mail = _parse(data)
        assert all(a.startswith(("https://", "mailto:")) for a in mail.addresses), url
        assert all(i.get("alt") for i in mail.images), url
        assert url.replace(".html", ".txt") in real_outputs


def test_absolute_urls_resolves_against_the_edition() -> None:
    page = '<a href="/news/x/">x</a> <a href="#fn-1">1</a> <img src="../media/a.png" alt=""> <a href="mailto:a@b.eu">m</a> <a href="https://e.eu/">e</a>'
    assert absolute_urls(page, f"{BASE}/newsletter/n/") == (
        f'<a href="{BASE}/news/x/">x</a> <a href="{BASE}/newsletter/n/#fn-1">1</a> <img src="{BASE}/newsletter/media/a.png" alt=""> '
        '<a href="mailto:a@b.eu">m</a> <a href="https://e.eu/">e</a>'
    )


def test_inline_css_keeps_media_queries_and_fetches_nothing(tmp_path: Path) -> None:
    page = (
        '<html><head><link rel="stylesheet" href="https://evil.example/x.css">'
        "<style>p { color: red; } @media (max-width: 600px) { p { color: blue; } }</style></head>"
        "<body><p>Hi</p></body></html>"
    )
    inlined = inline_css(page)
    assert '<p style="color: red;">Hi</p>' in inlined
    assert "@media (max-width: 600px)" in inlined
    assert "evil.example" not in inlined
