"""Links to documents say their format and size on the page: ``Programme (PDF, 140 KB)``."""

from __future__ import annotations

from pathlib import Path

from conftest import NOW, RunCli, write_site

from eccpsite.core.documents import describe_documents, document_format, file_size

SIZES = {"/media/programme.pdf": 140_312, "/media/budget 2019.xlsx": 2_400_000}


def test_a_link_to_a_document_gets_its_format_and_size() -> None:
    page = '<p>See the <a href="/media/programme.pdf">programme</a>.</p>'
    assert describe_documents(page, SIZES) == '<p>See the <a href="/media/programme.pdf">programme (PDF, 140 KB)</a>.</p>'


def test_an_address_with_escapes_and_a_fragment_is_the_file_it_names() -> None:
    page = '<a href="/media/budget%202019.xlsx#sheet2" title="Budget">the budget</a>'
    assert describe_documents(page, SIZES) == '<a href="/media/budget%202019.xlsx#sheet2" title="Budget">the budget (XLSX, 2.4 MB)</a>'


def test_links_that_say_it_already_or_are_not_the_sites_documents_stay_as_written() -> None:
    kept = [
        '<a href="/media/programme.pdf">Programme (PDF, 140 KB)</a>',
        '<a href="/media/programme.pdf">Programme, pdf 0.1 MB</a>',
        '<a href="https://ec.europa.eu/programme.pdf">Programme</a>',
        '<a href="/media/other.pdf">Other</a>',  # not in content/media: the link check reports it
        '<a href="/media/photo.jpg">Photo</a>',
    ]
    for page in kept:
        assert describe_documents(page, SIZES) == page


def test_formats_and_sizes_read_as_readers_weigh_them() -> None:
    assert [document_format(p) for p in ("/media/a.pdf", "/media/a.DOCX", "/media/a.odt", "/media/a.png")] == ["PDF", "DOCX", "ODT", None]
    assert [file_size(n) for n in (120, 140_312, 999_499, 1_400_000)] == ["1 KB", "140 KB", "999 KB", "1.4 MB"]


NEWS = "---\ntitle: A call for papers\ndate: 2019-09-16\n---\nRead the [call for papers](/media/call.pdf) and the [rules (PDF, 3 KB)](/media/rules.pdf).\n"


def test_the_page_of_an_item_says_the_size_of_the_file_and_follows_its_changes(tmp_path: Path, run_cli: RunCli) -> None:
    files: dict[str, str | bytes] = {"content/news/2019-09-16-call.md": NEWS, "content/media/rules.pdf": b"%PDF-1.4\n"}
    site = write_site(tmp_path / "site", {**files, "content/media/call.pdf": b"%PDF-1.4\n" + b"0" * 140_000})
    done = run_cli("build", "--now", NOW, "--no-pdf", cwd=site)
    assert done.returncode == 0, done.stderr
    page = (site / "build" / "news" / "call" / "index.html").read_text(encoding="utf-8")
    assert '<a href="/media/call.pdf">call for papers (PDF, 140 KB)</a>' in page
    assert '<a href="/media/rules.pdf">rules (PDF, 3 KB)</a>' in page  # the editor's own words, even when the size is off
    (site / "content" / "media" / "call.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 2_100_000)
    assert run_cli("build", "--now", NOW, "--no-pdf", cwd=site).returncode == 0
    assert "call for papers (PDF, 2.1 MB)" in (site / "build" / "news" / "call" / "index.html").read_text(encoding="utf-8")
