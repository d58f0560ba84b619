"""Links and images written relative to the file (issue 15): built into the target's address, as MkDocs and Zola do;
a link that leads nowhere gets the address it meant; a fragment must name an anchor of its page (as Zola checks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import NOW, run_eccpsite, write_site
from test_editor_habits import PNG

from eccpsite.build import BuildOptions, build_outputs
from eccpsite.core.errors import BuildFailed
from eccpsite.core.sourcelinks import site_links, source_address
from eccpsite.outputs.links import LinkIndex, address_fix

NEWS = "content/news/2019-05-15-x.md"


@pytest.mark.parametrize(
    ("written", "address"),
    [
        ("../events/2019-05-14-foo.md", "/events/foo/"),
        ("../events/foo.md#programme", "/events/foo/#programme"),
        ("2019-05-01-other.md", "/news/other/"),
        ("./2019-05-01-other.md", "/news/other/"),
        ("../pages/about.md", "/about/"),
        ("../newsletter/2019-07.yaml", "/newsletter/2019-07/"),
        ("../media/a.pdf", "/media/a.pdf"),
        ("../media/maps/x%20y.png", "/media/maps/x y.png"),
        ("../../README.md", None),  # outside content/: left as written, for the link check to report
        ("../events/foo/", None),  # an address, not a file
        ("/events/foo/", None),
        ("https://example.org/x.md", None),
        ("mailto:a@example.org", None),
        ("#notes", None),
    ],
)
def test_source_address_reads_a_file_relative_address_from_the_files_folder(written: str, address: str | None) -> None:
    assert source_address(NEWS, written) == address


def test_site_links_rewrites_links_images_references_and_html_in_place_but_not_code() -> None:
    body = (
        'See [the forum](../events/2019-05-14-foo.md "The forum") and ![a map](<../media/map.png>).\n'
        "[ref]: ../calls/cgi.md\n"
        '<a href="../pages/about.md">About</a> <img src=\'../media/logo.png\' alt="Logo">\n'
        "`[inline code](../events/x.md)`\n"
        "```\n[fenced](../events/x.md)\n```\n"
    )
    assert site_links(NEWS, body) == (
        'See [the forum](/events/foo/ "The forum") and ![a map](</media/map.png>).\n'
        "[ref]: /calls/cgi/\n"
        '<a href="/about/">About</a> <img src=\'/media/logo.png\' alt="Logo">\n'
        "`[inline code](../events/x.md)`\n"
        "```\n[fenced](../events/x.md)\n```\n"
    )
    plain = "No links here, only [an address](/news/y/).\n"
    assert site_links(NEWS, plain) is plain


def test_file_relative_links_and_images_build_into_the_targets_addresses(tmp_path: Path) -> None:
    project = write_site(
        tmp_path,
        {
            "content/events/2019-05-14-foo.md": "---\ntitle: The forum\nstart: 2019-05-14\n---\nForum.\n",
            "content/media/x.png": PNG,
            NEWS: "---\ntitle: X\ndate: 2019-05-15\nimage: ../media/x.png\nimage_alt: A pixel\n---\n"
            "Read [about the forum](../events/2019-05-14-foo.md) and see ![the pixel](../media/x.png).\n",
        },
    )
    page = {o.url: o.data for o in build_outputs(project, BuildOptions(now=NOW, pdf=False)).outputs}["/news/x/"].decode()
    assert '<a href="/events/foo/">about the forum</a>' in page
    assert '<img alt="the pixel" src="/media/x.png">' in page
    assert '<img src="/media/x.png" alt="A pixel">' in page  # image: written from the file's folder


def test_image_path_leading_outside_content_is_a_located_error(tmp_path: Path) -> None:
    project = write_site(tmp_path, {NEWS: "---\ntitle: X\ndate: 2019-05-15\nimage: ../../x.png\nimage_alt: A pixel\n---\nText.\n"})
    with pytest.raises(BuildFailed) as failed:
        build_outputs(project, BuildOptions(now=NOW, pdf=False))
    assert [str(e) for e in failed.value.errors] == [
        f"{NEWS}:4: image: '../../x.png' must be a path inside the project's content/ folder (read from content/news/ it leads outside); "
        "put the file in content/media/ and write ../media/<its name>"
    ]


def test_check_names_the_address_a_broken_link_meant_and_the_anchor_a_fragment_missed(tmp_path: Path) -> None:
    body = (
        "A [typo](../events/2019-05-14-cluster-fourm.md).\n\n"  # line 5
        "The [old address](/events/2019-05-14-foo/) and [read from the page](events/foo/).\n\n"  # line 7
        "The [notes](/news/y/#note) and [this page's](#fn:2)[^1].\n\n"  # line 9
        "[^1]: A note.\n"
    )
    project = write_site(
        tmp_path,
        {
            "content/events/2019-05-14-foo.md": "---\ntitle: The forum\nstart: 2019-05-14\n---\nForum.\n",
            "content/events/2019-05-14-cluster-forum.md": "---\ntitle: The cluster forum\nstart: 2019-05-14\n---\nForum.\n",
            "content/news/2019-05-01-y.md": '---\ntitle: Y\ndate: 2019-05-01\n---\n<h2 id="notes">Notes</h2>\n\nY.\n',
            NEWS: f"---\ntitle: X\ndate: 2019-05-15\n---\n{body}",
        },
    )
    done = run_eccpsite("check", "--now", NOW, cwd=project)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert f"{NEWS}:5: the link to /events/cluster-fourm/ leads to no page of the site; link to /events/cluster-forum/" in lines
    assert f"{NEWS}:7: the link to /events/2019-05-14-foo/ leads to no page of the site; link to /events/foo/" in lines
    assert f"{NEWS}:7: the link to events/foo/ leads to no page of the site; link to /events/foo/" in lines
    assert f"{NEWS}:9: the link to /news/y/#note: the page /news/y/ has no anchor #note; did you mean #notes?" in lines
    assert f"{NEWS}:9: the link to #fn:2: this page has no anchor #fn:2; did you mean #fn:1?" in lines
    assert len([line for line in lines if line.startswith(NEWS)]) == 5


def test_address_fix_proposes_nothing_far_from_the_sites_addresses() -> None:
    known = {"/events/foo/", "/news/", "/news/bar/", "/news/cluster-forum/"}
    assert address_fix("/events/2019-05-14-foo/", known) == "/events/foo/"
    assert address_fix("/news/cluster-fourm/", known) == "/news/cluster-forum/"
    assert address_fix("/news/a/", known) is None
    assert address_fix("/events/foo.md", known) == "/events/foo/"
    assert address_fix("/news/events/foo/", known) == "/events/foo/"
    assert address_fix("/events/completely-different/", known) is None


def test_dev_server_link_index_checks_fragments_again_when_an_anchor_goes() -> None:
    index = LinkIndex()
    target = b'<main><h2 id="programme">Programme</h2></main>'
    linking = b'<main><a href="/events/foo/#programme">The programme</a></main>'
    sources = {"/news/x/": NEWS}
    assert index.update({"/events/foo/": target, "/news/x/": linking}, (), sources, lenient=True) == []
    problems = index.update({"/events/foo/": b"<main><h2>Programme</h2></main>", "/news/x/": linking}, (), sources, lenient=True)
    assert [p.message for p in problems] == ["the link to /events/foo/#programme: the page /events/foo/ has no anchor #programme"]


def test_fragments_into_pages_kept_from_the_last_build_are_checked_against_their_anchors(tmp_path: Path) -> None:
    y = '---\ntitle: Y\ndate: 2019-05-01\n---\n<h2 id="notes">Notes</h2>\n\nY.\n'
    project = write_site(tmp_path, {"content/news/2019-05-01-y.md": y})
    assert run_eccpsite("build", "--now", NOW, "--no-pdf", cwd=project).returncode == 0
    linking = "---\ntitle: X\ndate: 2019-05-15\n---\n[The notes](/news/y/#notes) and [the note](/news/y/#note).\n"
    (project / NEWS).write_text(linking, encoding="utf-8")
    done = run_eccpsite("build", "--now", NOW, "--no-pdf", cwd=project)  # /news/y/ is kept from the last build, not rendered
    assert done.returncode == 1
    assert [line for line in done.stderr.splitlines() if line.startswith(NEWS)] == [
        f"{NEWS}:5: the link to /news/y/#note: the page /news/y/ has no anchor #note; did you mean #notes?"
    ]
