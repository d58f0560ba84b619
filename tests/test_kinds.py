"""The registry of content kinds: a kind is one module and its templates.

A throwaway kind (``tests/report_kind.py``) is registered and a copy of the
repository's site is built with one report in ``content/reports/``: its page,
its list, its feed and its sitemap entry appear, it is validated like every
kind, and nothing else in eccpsite was edited for it.
"""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
import report_kind
from conftest import copy_repo_project

from eccpsite.build import BuildOptions, build
from eccpsite.core import kinds
from eccpsite.core.errors import BuildFailed

REPORT = """---
title: Cluster collaboration in figures
date: 2019-09-10
pages: 48
tags: [Cluster policy]
---
What the platform's survey of 2019 found.
"""


@pytest.fixture
def with_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry with the report kind added: the one line a new kind adds to ``eccpsite.core.kinds.KINDS``."""
    monkeypatch.setattr(kinds, "KINDS", (*kinds.KINDS, report_kind.KIND))


@pytest.fixture
def project(tmp_path: Path, with_reports: None) -> Path:
    project = copy_repo_project(tmp_path / "project")
    (project / "templates" / "report.html").write_text(report_kind.TEMPLATE, encoding="utf-8")
    (project / "content" / "reports").mkdir()
    (project / "content" / "reports" / "2019-09-10-cluster-collaboration-in-figures.md").write_text(REPORT, encoding="utf-8")
    return project


def test_a_registered_kind_gets_its_page_list_feed_and_sitemap_entry(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(project, out, BuildOptions(now="2019-09-16", pdf=False))
    page = (out / "reports" / "cluster-collaboration-in-figures" / "index.html").read_text(encoding="utf-8")
    assert "<h1" in page and "Cluster collaboration in figures" in page and "48 pages" in page
    assert '"@type"' not in page.split("application/ld+json", 1)[-1][:20]  # the kind declares no JSON-LD
    listing = (out / "reports" / "index.html").read_text(encoding="utf-8")
    assert 'href="/reports/cluster-collaboration-in-figures/"' in listing
    feed = feedparser.parse((out / "feeds" / "reports.xml").read_bytes())
    assert not feed.bozo and [e.title for e in feed.entries] == ["Cluster collaboration in figures"]
    assert feed.feed.title.endswith(": Reports")
    everything = json.loads((out / "feeds" / "all.json").read_text(encoding="utf-8"))
    assert any(e["url"].endswith("/reports/cluster-collaboration-in-figures/") for e in everything["items"])
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "/reports/cluster-collaboration-in-figures/</loc>" in sitemap and "/reports/</loc>" in sitemap
    tag = (out / "tags" / "cluster-policy" / "index.html").read_text(encoding="utf-8")
    assert 'href="/reports/cluster-collaboration-in-figures/"' in tag


def test_a_registered_kind_is_validated_like_every_kind(project: Path, tmp_path: Path) -> None:
    path = project / "content" / "reports" / "2019-09-10-cluster-collaboration-in-figures.md"
    path.write_text(REPORT.replace("pages: 48", "pgaes: 48"), encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build(project, tmp_path / "out", BuildOptions(now="2019-09-16", pdf=False))
    messages = [str(e) for e in failed.value.errors]
    expected = "content/reports/2019-09-10-cluster-collaboration-in-figures.md:4: pgaes: unknown field (did you mean 'pages'?)"
    assert any(m.startswith(expected) for m in messages), messages


def test_a_page_may_not_take_a_registered_kind_s_folder(project: Path, tmp_path: Path) -> None:
    (project / "content" / "pages" / "reports.md").write_text("---\ntitle: Reports\n---\nOur reports.\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build(project, tmp_path / "out", BuildOptions(now="2019-09-16", pdf=False))
    assert any("'reports' is used by the site itself" in str(e) for e in failed.value.errors)
