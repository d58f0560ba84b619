"""netlify.toml builds the site with eccpsite and serves it with the right headers."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from netlify_headers import csp_directives, headers_at

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def netlify() -> dict[str, Any]:
    with (ROOT / "netlify.toml").open("rb") as file:
        return tomllib.load(file)


def headers_for(config: dict[str, Any], pattern: str) -> dict[str, str]:
    """The headers netlify.toml sets for exactly this ``for`` pattern."""
    matches = [rule["values"] for rule in config.get("headers", []) if rule["for"] == pattern]
    assert len(matches) == 1, f"expected one [[headers]] block for {pattern!r}, found {len(matches)}"
    return {name.lower(): value for name, value in matches[0].items()}


def test_netlify_builds_with_eccpsite_into_build(netlify: dict[str, Any]) -> None:
    build = netlify["build"]
    assert build["publish"] == "build"
    assert build["command"] == "bash scripts/setup.sh python-site && .venv/bin/eccpsite build"
    assert build["environment"]["PYTHON_VERSION"] == "3.11"


def test_netlify_builds_with_the_python_the_lock_is_made_for(netlify: dict[str, Any]) -> None:
    version = netlify["build"]["environment"]["PYTHON_VERSION"]
    for lock in ("site", "test"):
        header = (ROOT / "requirements" / f"{lock}.txt").read_text(encoding="utf-8").splitlines()[1]
        assert f"--python-version {version}" in header, (lock, header)


@pytest.mark.parametrize(
    ("pattern", "content_type"),
    [
        ("/*.ics", "text/calendar; charset=utf-8"),
        ("/feeds/*.xml", "application/rss+xml; charset=utf-8"),
        ("/feeds/*.atom", "application/atom+xml; charset=utf-8"),
        ("/feeds/*.json", "application/feed+json; charset=utf-8"),
    ],
)
def test_netlify_serves_feeds_and_calendars_with_their_media_types(netlify: dict[str, Any], pattern: str, content_type: str) -> None:
    assert headers_for(netlify, pattern)["content-type"] == content_type


def test_netlify_sends_security_headers_on_every_page(netlify: dict[str, Any]) -> None:
    headers = headers_for(netlify, "/*")
    csp = {part.split()[0]: part.split()[1:] for part in (p.strip() for p in headers["content-security-policy"].split(";")) if part}
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"][0] == "'self'" and "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:", "https:"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert headers["strict-transport-security"].startswith("max-age=")
    assert int(headers["strict-transport-security"].split(";")[0].split("=")[1]) >= 31536000
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


TODAYS_POLICY = headers_for(tomllib.loads((ROOT / "netlify.toml").read_text(encoding="utf-8")), "/*")["content-security-policy"]


@pytest.mark.parametrize("path", ["/", "/news/eu-canada-matchmaking/", "/feeds/news.xml", "/events/calendar.ics", "/administration/", "/media/x.pdf"])
def test_every_page_but_the_editing_interface_keeps_the_sites_policy(path: str) -> None:
    headers = headers_at(path)
    assert headers["content-security-policy"] == TODAYS_POLICY
    script = csp_directives(headers["content-security-policy"])["script-src"]
    assert "'unsafe-eval'" not in script and "'unsafe-inline'" not in script


@pytest.mark.parametrize("path", ["/admin/", "/admin/index.html", "/admin/config.yml", "/admin/decap-cms.js"])
def test_the_editing_interface_alone_allows_what_decap_needs(path: str) -> None:
    headers = headers_at(path)
    csp = csp_directives(headers["content-security-policy"])
    assert csp["script-src"] == ["'self'", "'unsafe-eval'", "'wasm-unsafe-eval'"]  # no inline script, no other origin
    assert "'unsafe-inline'" in csp["style-src"]
    assert csp["connect-src"] == ["'self'", "https://api.github.com", "http://localhost:8081"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    # The other security headers of every page still apply.
    assert headers["strict-transport-security"].startswith("max-age=") and headers["x-content-type-options"] == "nosniff"


def test_netlify_answers_unknown_paths_with_the_404_page(netlify: dict[str, Any]) -> None:
    fallbacks = [rule for rule in netlify.get("redirects", []) if rule["from"] == "/*"]
    assert fallbacks == [{"from": "/*", "to": "/404.html", "status": 404}]


def test_netlify_keeps_the_build_cache_between_deploys(netlify: dict[str, Any]) -> None:
    cached = [p for p in netlify.get("plugins", []) if p.get("package") == "netlify-plugin-cache"]
    assert cached and ".cache" in cached[0]["inputs"]["paths"]
    package = (Path(__file__).resolve().parents[1] / "package.json").read_text(encoding="utf-8")
    assert '"netlify-plugin-cache"' in package  # file-based plugins must be in package.json for Netlify to install them
