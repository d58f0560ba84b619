"""The PDF edition: its text, pages, contents, outline, tags, fonts and metadata; its cache; and what it refuses to read.

The PDF is checked as a reader would meet it (text, pages, outline), not byte
for byte against a stored file; only the same build twice must give the same bytes.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import NOW, RunCli, write_files, write_site
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

from eccpsite.build import BuildOptions, build_outputs
from eccpsite.core.config import SiteConfig
from eccpsite.core.errors import BuildFailed
from eccpsite.core.markup.markdown import render_markdown
from eccpsite.outputs.pdf import edition_pdf
from eccpsite.outputs.pdf.fetcher import Policy, ProjectFetcher

BASE = "https://test.example.org"
PDF_URL = "/newsletter/2019-09/2019-09.pdf"


def png(width: int = 8, height: int = 4) -> bytes:
    """A small blue PNG, made here so the test owns its image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x00\x33\x99" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


FILES: dict[str, str | bytes] = {
    "content/media/chart.png": png(),
    "content/news/2019-09-01-nf4-canada.md": """\
---
title: NF4 and Natural Products Canada sign a Memorandum
date: 2019-09-01
source: NF4 consortium
image: media/chart.png
image_alt: A bar chart of the partners' exports
---
On 9 May 2019 the **NF4**[^1] consortium met at Vitafoods Europe.

The partners also report on [the Toronto matchmaking](/events/toronto-matchmaking/) and publish
their results on [the NF4 website](https://nf4.example.eu/results) and at https://nf4.example.eu/plain.

## Next steps

A second meeting follows in Montreal.[^note]

[^1]: NF4 stands for New Frontiers in Food Fast Forward.
[^note]: The Montreal meeting is planned for spring.
""",
    "content/events/toronto-matchmaking.md": """\
---
title: EU-Canada Cluster Matchmaking in Toronto
start: 2019-06-05
end: 2019-06-07
location: {venue: Metro Toronto Convention Centre, city: Toronto, country: CA}
organiser: European Cluster Collaboration Platform
---
Some 27 clusters from 16 countries met Canada's five superclusters.
""",
    "content/calls/cosme-go-international.md": """\
---
title: COSME Clusters Go International call 2019
programme: COSME
opens: 2019-06-01
deadlines:
  - {date: 2019-10-30, label: Full proposal}
url: https://ec.europa.eu/call
---
The call supports European Strategic Cluster Partnerships.
""",
    "content/interviews/rangen.md": """\
---
title: Christian Rangen on superclusters
date: 2019-09-10
person: {name: Christian Rangen, role: Strategy advisor, country: NO}
---
Superclusters has lately become a familiar word.
""",
    "content/newsletter/2019-09.yaml": """\
number: 9
date: 2019-09-16
title: "Test Newsletter — September 2019"
intro: The matchmaking in Toronto, a COSME call and an interview.
editorial:
  author: Jane Doe
  role: Head of Unit
  text: |
    Welcome to the **September** edition.
sections:
  - title: Latest news
    items: [news/nf4-canada]
  - title: Events and calls
    items: [events/toronto-matchmaking, calls/cosme-go-international]
  - title: Interviews
    items: [interviews/rangen, news/nf4-canada]
""",
}

TITLES = (
    "NF4 and Natural Products Canada sign a Memorandum",
    "EU-Canada Cluster Matchmaking in Toronto",
    "COSME Clusters Go International call 2019",
    "Christian Rangen on superclusters",
)


def _build(project: Path, **options: Any) -> dict[str, bytes]:
    result = build_outputs(project, BuildOptions(now=NOW, **options))
    return {o.url: o.data for o in result.outputs}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_site(tmp_path_factory.mktemp("pdf") / "site", FILES)


@pytest.fixture(scope="module")
def pdf_bytes(project: Path) -> bytes:
    return _build(project)[PDF_URL]


@pytest.fixture(scope="module")
def pdf(pdf_bytes: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf_bytes))


def _pages_text(reader: PdfReader) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def _outline_titles(entries: list[Any], depth: int = 0) -> Iterator[tuple[int, str]]:
    for entry in entries:
        if isinstance(entry, list):
            yield from _outline_titles(entry, depth + 1)
        else:
            yield depth, str(entry.title)


# The PDF a reader opens.


def test_edition_pdf_has_every_item_title_and_full_text(pdf: PdfReader) -> None:
    text = " ".join(_pages_text(pdf))
    for title in TITLES:
        assert title in text
    sentences = ("Some 27 clusters", "A second meeting follows in Montreal", "Superclusters has lately become", "Welcome to the September edition")
    for sentence in sentences:
        assert sentence in text
    # dates, places and deadlines
    for fact in ("5–7 June 2019", "Metro Toronto Convention Centre, Toronto, Canada", "30 October 2019 (Full proposal)", "1 September 2019", "Jane Doe"):
        assert fact in text


def test_edition_pdf_is_a4_with_cover_contents_and_running_heads(pdf: PdfReader) -> None:
    pages = _pages_text(pdf)
    assert len(pages) >= 4  # cover, contents, editorial, items
    for page in pdf.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4 in points
    assert "Test Newsletter — September 2019" in pages[0] and "No. 9" in pages[0] and "16 September 2019" in pages[0]
    assert "IN THIS EDITION" in pages[0].upper()
    assert "Contents" in pages[1]
    assert "Page 1 of" not in pages[0]  # no running head or foot on the cover
    for number, text in enumerate(pages[1:], 2):
        assert f"Page {number} of {len(pages)}" in text
        assert "Test Newsletter — September 2019" in text


def test_edition_pdf_contents_page_numbers_lead_to_the_items(pdf: PdfReader) -> None:
    pages = _pages_text(pdf)
    contents = pages[1]
    for title in TITLES:
        found = re.search(re.escape(title) + r"[ .]*(\d+)", contents)
        assert found, f"{title!r} is not in the contents: {contents}"
        page = int(found.group(1))
        assert title in pages[page - 1], f"the contents send {title!r} to page {page}, where it is not"
        assert all(title not in p for p in pages[2 : page - 1]), f"{title!r} appears before page {page}"


def test_edition_pdf_outline_has_sections_and_items(pdf: PdfReader) -> None:
    outline = list(_outline_titles(pdf.outline))
    assert (0, "Contents") in outline
    assert (0, "From the editor") in outline
    for section in ("Latest news", "Events and calls", "Interviews"):
        assert (0, section) in outline
    for title in TITLES:
        assert (1, title) in outline
    # an item listed twice is printed (and bookmarked) once
    assert sum(1 for _, t in outline if t == TITLES[0]) == 1


def test_edition_pdf_is_tagged_with_language_and_metadata(pdf: PdfReader) -> None:
    root: Any = pdf.trailer["/Root"]
    assert "/StructTreeRoot" in root
    tree = root["/StructTreeRoot"].get_object()
    assert tree.get("/K") is not None
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en"
    meta = pdf.metadata
    assert meta is not None
    assert meta.title == "Test Newsletter — September 2019"
    assert meta.author == "Test Cluster Platform"
    assert meta.subject and "No. 9" in meta.subject
    assert str(meta["/CreationDate"]).startswith("D:20190916")  # the edition's date, never the clock


def _fonts(resources: Any, seen: set[int]) -> Iterator[DictionaryObject]:
    resources = resources.get_object() if resources is not None else {}
    for font in (resources.get("/Font") or {}).values():
        yield font.get_object()
    for xobject in (resources.get("/XObject") or {}).values():
        ref = xobject.idnum if isinstance(xobject, IndirectObject) else id(xobject)
        if ref not in seen:
            seen.add(ref)
            yield from _fonts(xobject.get_object().get("/Resources"), seen)


def test_edition_pdf_embeds_every_font_from_the_repository(pdf: PdfReader) -> None:
    fonts: dict[str, Any] = {}
    seen: set[int] = set()
    for page in pdf.pages:
        for font in _fonts(page.get("/Resources"), seen):
            fonts[str(font["/BaseFont"])] = font
    assert fonts
    for name, font in fonts.items():
        descriptor: Any = font["/DescendantFonts"][0].get_object()["/FontDescriptor"] if "/DescendantFonts" in font else font["/FontDescriptor"]
        descriptor = descriptor.get_object()
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, f"{name} is not embedded"
        assert "Source-Sans-3" in name, f"{name} is not the font shipped in templates/fonts/"


def test_edition_pdf_footnotes_sit_at_the_foot_of_their_page(pdf: PdfReader) -> None:
    pages = _pages_text(pdf)
    (call_page,) = [n for n, text in enumerate(pages) if "consortium met at Vitafoods" in text]
    assert "NF4 stands for New Frontiers in Food Fast Forward." in pages[call_page]
    assert pages[call_page].index("NF4 stands for") > pages[call_page].index("Montreal")
    assert sum("NF4 stands for" in text for text in pages) == 1


def test_edition_pdf_links_are_clickable_and_printed(pdf: PdfReader) -> None:
    uris = set()
    for page in pdf.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                uris.add(str(action["/URI"]))
    assert "https://nf4.example.eu/results" in uris
    assert f"{BASE}/news/nf4-canada/" in uris
    text = " ".join(_pages_text(pdf))
    assert "the NF4 website (https://nf4.example.eu/results)" in text
    assert "https://nf4.example.eu/plain (https://" not in text  # a bare address is not printed twice
    assert re.search(r"the Toronto matchmaking \(page \d+\)", text)  # an item of the edition: a page reference


def test_edition_pdf_shows_the_item_image(pdf: PdfReader) -> None:
    images = [image for page in pdf.pages for image in page.images]
    assert images, "the item's image/ is embedded"


def test_edition_pdf_is_byte_identical_when_rendered_again(project: Path, pdf_bytes: bytes, tmp_path: Path) -> None:
    copy = write_site(tmp_path / "again", FILES)  # another folder, no cache: rendered afresh
    assert _build(copy)[PDF_URL] == pdf_bytes


# The cache and --no-pdf.


@pytest.fixture
def render_count(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = edition_pdf.render_pdf

    def counting(*args: Any, **kwargs: Any) -> bytes:
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(edition_pdf, "render_pdf", counting)
    return calls


def test_edition_pdf_cache_is_used_until_an_input_changes(tmp_path: Path, render_count: list[str]) -> None:
    site = write_site(tmp_path / "site", FILES)
    first = _build(site)[PDF_URL]
    assert len(render_count) == 1 and list((site / ".cache" / "pdf" / "2019-09").glob("*.pdf"))
    assert _build(site)[PDF_URL] == first
    assert len(render_count) == 1, "an unchanged edition is not rendered again"
    item = site / "content/events/toronto-matchmaking.md"
    item.write_text(item.read_text().replace("Some 27 clusters", "Some 28 clusters"))
    changed = _build(site)[PDF_URL]
    assert len(render_count) == 2, "an edited item renders the edition again"
    assert b"Some 28" not in first and changed != first
    assert len(list((site / ".cache" / "pdf" / "2019-09").glob("*.pdf"))) == 1, "the old entry is replaced"
    css = site / "templates/newsletter/pdf.css"
    css.write_text(css.read_text() + "\n.item > h3 { color: #000; }\n")
    _build(site)
    assert len(render_count) == 3, "a changed stylesheet renders the edition again"


def test_edition_pdf_is_skipped_with_no_pdf(project: Path, render_count: list[str]) -> None:
    outputs = _build(project, pdf=False)
    assert PDF_URL not in outputs
    assert render_count == []
    assert b".pdf" not in outputs["/newsletter/"], "the index links no PDF that was not built"
    assert "/newsletter/2019-09/email.html" in outputs


def test_edition_pdf_size_is_shown_on_the_web_pages(project: Path, pdf_bytes: bytes) -> None:
    outputs = _build(project)
    size = f"PDF, {round(len(pdf_bytes) / 1000)} KB".encode()
    assert size in outputs["/newsletter/"]
    assert size in outputs["/newsletter/2019-09/"]
    assert b'href="/newsletter/2019-09/2019-09.pdf"' in outputs["/newsletter/2019-09/"]


def test_cli_build_no_pdf_skips_the_pdf(tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(tmp_path / "site", FILES)
    result = run_cli("build", "--now", NOW, "--no-pdf", cwd=site)
    assert result.returncode == 0, result.stderr
    assert not list((site / "build").rglob("*.pdf"))
    assert (site / "build/newsletter/2019-09/email.html").is_file()
    assert not (site / ".cache" / "pdf").exists()  # no PDF rendered, none cached (Markdown still is)


# What the renderer may read.


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A real listening socket on the loopback: the test asserts nobody connected to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def _assert_no_connection(server: socket.socket) -> None:
    with pytest.raises(BlockingIOError):
        server.accept()


def _hostile_item(port: int) -> str:
    return f"""\
---
title: A hostile item
date: 2019-09-02
---
An innocent paragraph.

![passwd](/etc/passwd)

![up](../../../etc/passwd)

![network](http://127.0.0.1:{port}/x.png)

<img src="file:///etc/passwd" alt="file">
"""


def test_edition_pdf_refuses_files_outside_the_project_and_the_network(tmp_path: Path, listener: socket.socket, run_cli: RunCli) -> None:
    port = listener.getsockname()[1]
    site = write_site(tmp_path / "site", {**FILES, "content/news/2019-09-02-hostile.md": _hostile_item(port)})
    edition = site / "content/newsletter/2019-09.yaml"
    edition.write_text(edition.read_text().replace("items: [news/nf4-canada]", "items: [news/nf4-canada, news/hostile]"))
    result = run_cli("build", "--now", NOW, cwd=site)
    assert result.returncode == 1
    where = "content/news/2019-09-02-hostile.md"
    assert f"{where}:7: the image '/etc/passwd' is not a file of the site" in result.stderr
    assert f"{where}:9: the image '../../../etc/passwd' is not a file of the site" in result.stderr
    assert f"{where}:11: the image 'http://127.0.0.1:{port}/x.png' is on the network" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (site / "build").exists()
    _assert_no_connection(listener)


def test_fetcher_refuses_before_reading_or_connecting(tmp_path: Path, listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    site = write_site(tmp_path / "site", FILES)
    outside = tmp_path / "secret.txt"
    outside.write_text("root:x:0:0:secret")
    (site / "content/media/link.png").symlink_to(outside)
    fetcher = ProjectFetcher(Policy(site, BASE, {"/media/chart.png": site / "content/media/chart.png"}))
    refused = [
        "file:///etc/passwd",
        outside.as_uri(),
        (site / "content/media/link.png").as_uri(),
        (site / "templates/../../secret.txt").as_uri(),
        f"{BASE}/etc/passwd",
        f"http://127.0.0.1:{port}/x.png",
        f"https://127.0.0.1:{port}/x.png",
        "ftp://example.org/x.png",
    ]
    for url in refused:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert [r.url for r in fetcher.refused] == refused
    _assert_no_connection(listener)
    assert fetcher.fetch(f"{BASE}/media/chart.png").read() == png()
    assert fetcher.fetch((site / "templates/fonts/OFL.txt").as_uri()).read().startswith(b"Copyright")
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"


def test_edition_pdf_never_contains_what_the_fetcher_refused(tmp_path: Path, listener: socket.socket) -> None:
    """Even HTML that went round the image check (here straight to the renderer) cannot read the files."""
    port = listener.getsockname()[1]
    site = write_site(tmp_path / "site", FILES)
    secret = tmp_path / "secret.svg"
    secret.write_text('<svg xmlns="http://www.w3.org/2000/svg"><text y="20">TOPSECRET</text></svg>')
    sources = ("file:///etc/passwd", secret.as_uri(), "/etc/passwd", "../../../etc/passwd", f"http://127.0.0.1:{port}/x.png")
    page = "<html lang=en><body><p>Hello</p>" + "".join(f'<img src="{s}" alt="x">' for s in sources) + "</body></html>"
    fetcher = ProjectFetcher(Policy(site, BASE, {}))
    data = edition_pdf.render_pdf(page, f"{BASE}/newsletter/x/", site / "templates/newsletter/pdf.css", fetcher, "0" * 64)
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    assert "Hello" in text and "TOPSECRET" not in text and "root:" not in text
    assert b"TOPSECRET" not in data
    assert {r.url for r in fetcher.refused} == {"file:///etc/passwd", secret.as_uri(), f"{BASE}/etc/passwd", f"http://127.0.0.1:{port}/x.png"}
    _assert_no_connection(listener)


def test_edition_pdf_network_allowed_only_by_site_yaml(tmp_path: Path) -> None:
    policy = Policy(tmp_path, BASE, {}, allow_network=True)
    assert policy.refusal("https://images.example.org/x.png") is None
    assert policy.refusal("file:///etc/passwd") is not None  # still no local file outside the project
    assert Policy(tmp_path, BASE, {}).refusal("https://images.example.org/x.png") is not None


def test_edition_pdf_missing_site_image_is_a_located_error(tmp_path: Path) -> None:
    files = dict(FILES)
    interview = str(files["content/interviews/rangen.md"])
    files["content/interviews/rangen.md"] = interview.replace("familiar word.", "familiar word.\n\n![A portrait](/media/missing.png)")
    site = write_site(tmp_path / "site", files)
    with pytest.raises(BuildFailed) as failed:
        _build(site)
    message = "content/interviews/rangen.md:8: the image '/media/missing.png' is not a file of the site; put the file in content/media/ and write /media/<name>"
    assert message in [str(e) for e in failed.value.errors]


# The print HTML (pure functions).


CONFIG = SiteConfig(title="T", base_url=BASE)


def test_inline_footnotes_moves_each_note_to_its_call() -> None:
    body = render_markdown("A[^1] and B[^2] and A again[^1].\n\n[^1]: First *note*.\n\n[^2]: Second.\n\n    More of it.", "x")
    printed = edition_pdf.inline_footnotes(body)
    assert printed == ('<p>A<span class="footnote">First <em>note</em>.</span> and B<span class="footnote">Second.<br>More of it.</span> and A again.</p>\n')


def test_inline_footnotes_leaves_a_text_without_notes() -> None:
    assert edition_pdf.inline_footnotes("<p>Plain.</p>") == "<p>Plain.</p>"


def test_print_links_prints_addresses_and_refers_to_pages() -> None:
    body = '<p><a href="/events/x/">the event</a> <a href="../y/">Y</a> <a href="https://e.eu/a">E</a> <a href="https://e.eu/b">https://e.eu/b</a></p>'
    printed = edition_pdf.print_links(body, f"{BASE}/news/n/", CONFIG, {"/events/x/": "item-events-x"})
    assert '<a class="internal" href="#item-events-x">the event</a>' in printed
    assert f'<a href="{BASE}/news/y/">Y</a><span class="address"> ({BASE}/news/y/)</span>' in printed
    assert '<a href="https://e.eu/a">E</a><span class="address"> (https://e.eu/a)</span>' in printed
    assert '<a class="address" href="https://e.eu/b">https://e.eu/b</a>' in printed


def test_demote_headings_puts_item_headings_under_the_item_title() -> None:
    assert edition_pdf.demote_headings("<h2>A</h2><h3 id='x'>B</h3><h6>C</h6>") == "<h4>A</h4><h5 id='x'>B</h5><h6>C</h6>"


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        (f"{BASE}/media/chart.png", True),
        ("data:image/png;base64,AAAA", True),
        (f"{BASE}/media/other.png", False),
        (f"{BASE}/etc/passwd", False),
        ("file:///etc/passwd", False),
        ("http://127.0.0.1/x.png", False),
        ("http://localhost:8000/x.png", False),
        ("https://[::1]/x.png", False),
        ("ftp://example.org/x", False),
        ("javascript:alert(1)", False),
        ("x.png", False),
    ],
)
def test_policy_allows_only_site_files_and_data(tmp_path: Path, url: str, allowed: bool) -> None:
    write_files(tmp_path, {"content/media/chart.png": png()})
    policy = Policy(tmp_path, BASE, {"/media/chart.png": tmp_path / "content/media/chart.png"})
    assert (policy.refusal(url) is None) is allowed


_KEY_OF_THIS_CODE = """
from pathlib import Path
import eccpsite
from eccpsite.outputs.pdf.edition_pdf import cache_key
print(Path(eccpsite.__file__).parent, cache_key("<p>edition</p>", "theme", None, [], Path(".")))
"""


def _pdf_key_with_package(package_parent: Path) -> tuple[str, str]:
    """The PDF cache key of one edition computed by the eccpsite package found in ``package_parent`` (and where it is)."""
    site_packages = [p for p in sys.path if p.endswith("site-packages")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(package_parent), *site_packages])}
    # -S: no site module, so the editable install's path hook cannot put the project's own copy first
    command = [sys.executable, "-S", "-c", _KEY_OF_THIS_CODE]
    result = subprocess.run(command, env=env, cwd=package_parent, capture_output=True, text=True, check=True)
    where, key = result.stdout.split()
    return where, key


def test_edition_pdf_key_changes_when_the_pdf_renderer_s_code_changes(tmp_path: Path) -> None:
    package = Path(edition_pdf.__file__).parents[2]  # eccpsite/, from eccpsite/outputs/pdf/
    shutil.copytree(package, tmp_path / "eccpsite", ignore=shutil.ignore_patterns("__pycache__"))
    where, same = _pdf_key_with_package(tmp_path)
    assert where == str(tmp_path / "eccpsite")
    renderer = tmp_path / "eccpsite" / "outputs" / "pdf" / "edition_pdf.py"
    renderer.write_text(renderer.read_text(encoding="utf-8") + "\n# a change to how PDFs are made\n", encoding="utf-8")

    _, changed = _pdf_key_with_package(tmp_path)

    assert same == _pdf_key_with_package(package.parent)[1], "a copy of the same code makes the same key"
    assert changed != same, "an edit to the PDF renderer makes every PDF again"
