"""Old addresses that keep working: ``aliases:`` and files renamed in git (eccpsite.outputs.redirects).

The builds are real CLI runs; renames are real commits in a real git repository;
the redirect page is checked by the Nu HTML checker.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from browser import needs_java, nu_validate
from conftest import RunCli, snapshot, write_files, write_site

from eccpsite.build import BuildOptions
from eccpsite.edges.history import read_history
from eccpsite.serve.rebuild import Rebuilder

NOW = "2019-06-01"


def news(title: str, date: str = "2019-05-14", extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\nText of {title}.\n"


JAPAN = news("EU–Japan matchmaking", extra="aliases:\n  - /content/eu-japan-matchmaking\n  - /news/old-japan/\n  - /2019/05/japan.html\n")


def redirect_lines(site: Path) -> list[str]:
    return [line for line in (site / "build" / "_redirects").read_text(encoding="utf-8").splitlines() if not line.startswith("#")]


def test_aliases_become_301_lines_and_pages(tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(tmp_path / "site", {"content/news/2019-05-14-eu-japan.md": JAPAN})
    done = run_cli("build", "--no-pdf", "--now", NOW, cwd=site)
    assert done.returncode == 0, done.stderr
    assert redirect_lines(site) == [
        "/2019/05/japan.html /news/eu-japan/ 301!",
        "/content/eu-japan-matchmaking /news/eu-japan/ 301!",
        "/news/old-japan/ /news/eu-japan/ 301!",
    ]
    page = (site / "build" / "content" / "eu-japan-matchmaking" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://test.example.org/news/eu-japan/">' in page
    assert '<meta http-equiv="refresh" content="0; url=/news/eu-japan/">' in page
    assert '<a href="/news/eu-japan/">' in page
    assert "<script" not in page  # the site's CSP allows no inline script, and the page needs none
    assert (site / "build" / "2019" / "05" / "japan.html").is_file()
    assert (site / "build" / "news" / "old-japan" / "index.html").is_file()
    sitemap = (site / "build" / "sitemap.xml").read_text(encoding="utf-8")
    assert "/news/eu-japan/" in sitemap and "old-japan" not in sitemap and "eu-japan-matchmaking" not in sitemap


@needs_java
def test_redirect_page_passes_the_nu_checker(tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(tmp_path / "site", {"content/news/2019-05-14-eu-japan.md": JAPAN})
    assert run_cli("build", "--no-pdf", "--now", NOW, cwd=site).returncode == 0
    assert nu_validate([site / "build" / "content" / "eu-japan-matchmaking" / "index.html", site / "build" / "2019" / "05" / "japan.html"]) == []


def test_no_aliases_no_redirects_file(site: Path, run_cli: RunCli) -> None:
    write_files(site, {"content/news/a.md": news("A")})
    assert run_cli("build", "--no-pdf", "--now", NOW, cwd=site).returncode == 0
    assert not (site / "build" / "_redirects").exists()


def test_alias_errors_are_located(tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(tmp_path / "site", {"content/news/2019-05-14-eu-japan.md": JAPAN})
    assert run_cli("build", "--no-pdf", "--now", NOW, cwd=site).returncode == 0
    before = snapshot(site / "build")
    write_files(
        site,
        {
            "content/news/a.md": news("A", extra="aliases:\n  - /old/a/\n  - /news/b/\n"),
            "content/news/b.md": news("B", extra="aliases:\n  - /old/a\n  - /news/\n"),
        },
    )
    done = run_cli("build", "--no-pdf", "--now", NOW, cwd=site)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert "content/news/a.md:6: aliases: '/news/b/' is the address of content/news/b.md; an alias is an old address no page has now: remove it" in lines
    assert "content/news/b.md:5: aliases: '/old/a' is already an alias of content/news/a.md:5; an old address leads to one page: keep it in one file" in lines
    assert "content/news/b.md:6: aliases: '/news/' is the address of a page the site makes; an alias is an old address no page has now: remove it" in lines
    assert snapshot(site / "build") == before  # the previous output is untouched
    write_files(
        site,
        {
            "content/news/c.md": news("C", extra="aliases:\n  - https://old.example.org/news/c/?p=3\n  - /news/c/\n"),
            "content/news/d.md": news("D", extra="aliases: /media/x.jpg\n"),
        },
    )
    done = run_cli("build", "--no-pdf", "--now", NOW, cwd=site)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert "content/news/c.md:5: aliases: 'https://old.example.org/news/c/?p=3' is a full address; an alias is a path of this site: write '/news/c/'" in lines
    assert "content/news/d.md:4: aliases: '/media/x.jpg' is where the site's own files are served (/media/); an alias cannot take it" in lines
    assert "Traceback" not in done.stderr
    assert snapshot(site / "build") == before  # the previous output is untouched


def test_alias_of_itself_and_not_a_path(tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(tmp_path / "site", {"content/news/a.md": news("A", extra="aliases:\n  - /news/a\n")})
    done = run_cli("check", "--now", NOW, cwd=site)
    assert done.returncode == 1
    assert "content/news/a.md:5: aliases: '/news/a' is its own address" in done.stderr
    write_files(site, {"content/news/a.md": news("A", extra="aliases:\n  - /fine/\n  - old/a\n")})
    done = run_cli("check", "--now", NOW, cwd=site)
    assert "content/news/a.md:6: aliases: 'old/a' is not a site path; an alias starts with '/', e.g. '/news/old-slug/' or '/old/a'" in done.stderr


def git(project: Path, *args: str) -> None:
    command = ["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.org", "-c", "init.defaultBranch=main", *args]
    subprocess.run(command, cwd=project, check=True, capture_output=True)


def test_renamed_file_redirects_its_old_address(tmp_path: Path, run_cli: RunCli) -> None:
    site = write_site(tmp_path / "site", {"content/news/2019-05-14-eu-japan.md": news("Japan"), "content/news/b.md": news("B", extra="slug: bee\n")})
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "first")
    assert run_cli("build", "--no-pdf", "--now", NOW, cwd=site).returncode == 0
    assert not (site / "build" / "_redirects").exists()
    git(site, "mv", "content/news/2019-05-14-eu-japan.md", "content/news/2019-05-14-eu-japan-matchmaking.md")
    git(site, "mv", "content/news/b.md", "content/news/c.md")  # its address comes from 'slug:', so it does not move
    git(site, "commit", "-qm", "rename")
    done = run_cli("build", "--no-pdf", "--now", NOW, cwd=site)
    assert done.returncode == 0, done.stderr
    assert redirect_lines(site) == ["/news/eu-japan/ /news/eu-japan-matchmaking/ 301!"]
    assert "1 old address(es) of renamed files lead to the new ones" in done.stdout
    was, now = "content/news/2019-05-14-eu-japan.md", "content/news/2019-05-14-eu-japan-matchmaking.md"
    assert f"/news/eu-japan/ -> /news/eu-japan-matchmaking/  ({was} is now {now})" in done.stdout
    page = (site / "build" / "news" / "eu-japan" / "index.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=/news/eu-japan-matchmaking/">' in page
    checked = run_cli("check", "--now", NOW, cwd=site)
    assert checked.returncode == 0 and "/news/eu-japan/ -> /news/eu-japan-matchmaking/" in checked.stdout
    # A new item taking the old name has the old address again: the redirect gives way to the page.
    write_files(site, {"content/news/eu-japan.md": news("A new Japan item")})
    git(site, "add", "-A")
    git(site, "commit", "-qm", "reuse the name")
    assert run_cli("build", "--no-pdf", "--now", NOW, cwd=site).returncode == 0
    assert not (site / "build" / "_redirects").exists()
    assert "A new Japan item" in (site / "build" / "news" / "eu-japan" / "index.html").read_text(encoding="utf-8")


def test_history_follows_a_chain_of_renames(tmp_path: Path) -> None:
    project = tmp_path / "p"
    write_files(project, {"content/news/a.md": news("A")})
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "a")
    git(project, "mv", "content/news/a.md", "content/news/b.md")
    git(project, "commit", "-qm", "b")
    (project / "content" / "events").mkdir()
    git(project, "mv", "content/news/b.md", "content/events/c.md")
    git(project, "commit", "-qm", "c")
    revision = read_history(project, ["content/events/c.md"])["content/events/c.md"]
    assert revision.former == ("content/news/b.md", "content/news/a.md")
    assert revision.sequence == 2


def test_dev_server_serves_the_alias_page(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"content/news/2019-05-14-eu-japan.md": JAPAN})
    built = Rebuilder(site, BuildOptions(now=NOW, pdf=False)).rebuild()
    page = built.find("/content/eu-japan-matchmaking/")
    assert isinstance(page, bytes) and b'url=/news/eu-japan/"' in page
    assert isinstance(built.find("/_redirects"), bytes)
