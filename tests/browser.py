"""Validators for built pages: the Nu HTML checker, axe-core in headless Chromium,
a local HTTP server for a built folder, and screenshots.

Helpers, not tests. ``tests/conftest.py`` loads this module as a pytest plugin, so
its fixtures (``serve_dir``, ``chromium``) are available to every test, and a test
marked ``@pytest.mark.browser`` is skipped, with the reason, when Chromium is absent.

The tools come from ``make test``: Debian's Chromium (never a browser downloaded by
Playwright), a Java runtime, and the npm packages ``vnu-jar`` and ``axe-core`` in
``node_modules/``.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
CHROMIUM = Path(os.environ.get("ECCPSITE_CHROMIUM", "/usr/bin/chromium"))
# No sandbox (CI runs as root); no calls home, which this machine's closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

Violation = dict[str, Any]


def chromium_missing() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is absent (`make test` installs Debian's chromium)"
    return None


def java_missing() -> str | None:
    """Why the Nu HTML checker cannot run here, or None when it can."""
    if shutil.which("java") is None:
        return "no java on PATH (`make test` installs default-jre-headless)"
    return None


needs_java = pytest.mark.skipif(java_missing() is not None, reason=java_missing() or "")


def _require(path: Path) -> Path:
    """Return ``path``, or fail with how to get it when the npm packages are not installed."""
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: run `make test` (it runs npm ci)", pytrace=False)
    return path


# --- the Nu HTML checker -------------------------------------------------------------


def nu_validate(paths: Iterable[Path | str]) -> list[str]:
    """Check HTML files (or folders of them) with the Nu HTML checker.

    Returns one ``path:line:column: message`` string per error; an empty list means valid.
    Warnings are not reported. All paths go to a single Java process.
    """
    targets = [str(path) for path in paths]
    if not targets:
        return []
    command = ["java", "-jar", str(_require(VNU_JAR)), "--format", "json", "--errors-only", "--stdout", "--skip-non-html", *targets]
    completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    try:
        report = json.loads(completed.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f"the Nu HTML checker gave no report (exit {completed.returncode}): {completed.stderr.strip()}") from None
    return [_format_nu_message(message) for message in report.get("messages", []) if message.get("type") != "info"]


def _format_nu_message(message: dict[str, Any]) -> str:
    """``path:line:column: message`` for one message of the checker's JSON report."""
    url = message.get("url", "")
    path = unquote(urlparse(url).path) if url.startswith("file:") else url
    line = message.get("lastLine") or message.get("firstLine") or 0
    column = message.get("firstColumn") or message.get("lastColumn") or 0
    return f"{path}:{line}:{column}: {message.get('message', '').strip()}"


# --- a local server for a built folder -------------------------------------------------


_MEDIA_TYPES = {
    **http.server.SimpleHTTPRequestHandler.extensions_map,
    ".ics": "text/calendar; charset=utf-8",
    ".atom": "application/atom+xml",
    ".xml": "application/xml",
    ".json": "application/json",
    ".js": "text/javascript",
    ".wasm": "application/wasm",
}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files without logging each request; answer unknown paths with 404.html, as Netlify does."""

    extensions_map = _MEDIA_TYPES

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _HeaderHandler(_QuietHandler):
    """:class:`_QuietHandler` that adds the headers ``headers_for(path)`` gives (Netlify's, from netlify.toml)."""

    headers_for: Callable[[str], Mapping[str, str]] = staticmethod(lambda path: {})

    def end_headers(self) -> None:
        for name, value in self.headers_for(urlparse(self.path).path).items():
            self.send_header(name, value)
        super().end_headers()


@contextlib.contextmanager
def serve_directory(directory: Path | str, headers: Callable[[str], Mapping[str, str]] | None = None) -> Iterator[str]:
    """Serve ``directory`` over HTTP on 127.0.0.1 in a thread; yield its base URL (ending in ``/``).

    ``headers``: the extra headers of the response to a path (``netlify_headers.headers_at`` sends Netlify's).
    """
    if headers is None:
        handler = functools.partial(_QuietHandler, directory=str(directory))
    else:
        with_headers = type("Handler", (_HeaderHandler,), {"headers_for": staticmethod(headers)})
        handler = functools.partial(with_headers, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name=f"serve {directory}", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def serve_dir() -> Iterator[Callable[[Path | str], str]]:
    """A function that serves a folder on 127.0.0.1 until the test ends and returns its base URL."""
    with contextlib.ExitStack() as stack:
        yield lambda directory: stack.enter_context(serve_directory(directory))


# --- headless Chromium -------------------------------------------------------------------


@contextlib.contextmanager
def launch_chromium() -> Iterator[Browser]:
    """Start Debian's Chromium headless through Playwright (which never downloads a browser)."""
    from playwright.sync_api import sync_playwright

    reason = chromium_missing()
    if reason:
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """One headless Chromium shared by the session's browser tests."""
    with launch_chromium() as browser:
        yield browser


@contextlib.contextmanager
def _browser(browser: Browser | None) -> Iterator[Browser]:
    """The given browser, or a new one for the duration of the block."""
    if browser is not None:
        yield browser
        return
    with launch_chromium() as launched:
        yield launched


def axe_check(url: str, *, browser: Browser | None = None, tags: Iterable[str] = AXE_TAGS, width: int | None = None) -> list[Violation]:
    """Run axe-core on the page at ``url``; return its violations (an empty list means none).

    Each violation is axe's own record: ``id``, ``impact``, ``help``, ``helpUrl`` and
    ``nodes`` (each with ``target`` and ``html``). Only rules with one of ``tags`` run.
    ``width``: the window's width in CSS pixels (Playwright's 1280 by default).
    """
    source = _require(AXE_JS).read_text(encoding="utf-8")
    with _browser(browser) as running:
        context = running.new_context(bypass_csp=True, **({"viewport": {"width": width, "height": 900}} if width else {}))
        try:
            page = context.new_page()
            page.goto(url, wait_until="load")
            page.add_script_tag(content=source)
            options = {"runOnly": {"type": "tag", "values": list(tags)}, "resultTypes": ["violations"]}
            results: dict[str, Any] = page.evaluate("options => axe.run(document, options)", options)
        finally:
            context.close()
    violations: list[Violation] = results["violations"]
    return violations


def describe_violations(violations: Iterable[Violation]) -> str:
    """One line per violated rule and element, for an assertion message."""
    lines = []
    for violation in violations:
        for node in violation.get("nodes", []):
            target = " ".join(str(part) for part in node.get("target", []))
            lines.append(f"{violation['id']} ({violation.get('impact')}): {violation.get('help')}: {target}")
    return "\n".join(lines)


def screenshot(url: str, path: Path | str, width: int, *, height: int = 900, full_page: bool = True, browser: Browser | None = None) -> Path:
    """Save a PNG of the page at ``url`` as seen in a window ``width`` CSS pixels wide; return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _browser(browser) as running:
        context = running.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
        try:
            page = context.new_page()
            page.goto(url, wait_until="load")
            page.screenshot(path=str(path), full_page=full_page)
        finally:
            context.close()
    return path


# --- pytest plugin hooks -------------------------------------------------------------------


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip tests marked ``browser`` when Chromium is absent, saying why."""
    reason = chromium_missing()
    if reason is None:
        return
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=reason))
