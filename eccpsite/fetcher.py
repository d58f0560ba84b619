"""What the PDF renderer may read: files of the project and ``data:`` URIs.

WeasyPrint fetches every image, stylesheet and font through a URL fetcher.
:class:`ProjectFetcher` is the only one eccpsite gives it. It serves

- the site's own files by their URL (``<base_url>/media/x.png`` is
  ``content/media/x.png``): only the assets the build publishes;
- ``file:`` URLs of files inside the project (the theme's stylesheet and fonts),
  never one outside it nor in a hidden folder (``.git``, ``.venv``);
- ``data:`` URIs;
- other ``http(s):`` URLs only when ``site.yaml`` says ``pdf_allow_network: true``.

Everything else is refused *before* any file is opened or any connection is
made, and each refusal is recorded, so the build can fail and name the item
whose image pointed elsewhere. :func:`refusal` is the policy on its own, so the
build can check an edition's images before rendering it at all.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

WHERE = "put the file in content/media/ and write /media/<name>"


@dataclass(frozen=True)
class Refusal:
    """A URL the renderer asked for and did not get, and why."""

    url: str
    message: str


class Policy:
    """Which URLs may be read, decided without reading anything."""

    def __init__(self, root: Path, site_url: str, assets: Mapping[str, Path], allow_network: bool = False) -> None:
        self.root = root.resolve()
        self.site_url = site_url.rstrip("/")
        self.assets = dict(assets)
        self.allow_network = allow_network

    def site_path(self, url: str) -> str | None:
        """``/media/x.png`` for ``<base_url>/media/x.png``; None for a URL off the site."""
        if not url.startswith(self.site_url + "/"):
            return None
        return unquote(urlsplit(url[len(self.site_url) :]).path)

    def local_file(self, url: str) -> Path | None:
        """The project file a URL stands for, if it is one the renderer may read."""
        path = self.site_path(url)
        if path is not None:
            return self.assets.get(path)
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        resolved = Path(url2pathname(unquote(parts.path))).resolve()
        try:
            inside = resolved.relative_to(self.root)
        except ValueError:
            return None
        return None if any(part.startswith(".") for part in inside.parts) else resolved

    def refusal(self, url: str) -> str | None:
        """Why ``url`` may not be read (a message an editor can act on), or None when it may."""
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return None
        if self.site_path(url) is not None:
            return None if self.local_file(url) else f"is not a file of the site; {WHERE}"
        if scheme == "file":
            return None if self.local_file(url) else f"is outside the project, which the PDF may not read; {WHERE}"
        if scheme in ("http", "https"):
            if self.allow_network:
                return None
            return f"is on the network, which the PDF renderer does not reach; {WHERE} (or set 'pdf_allow_network: true' in site.yaml)"
        if not scheme:
            return f"is not a full address; {WHERE}"
        return f"uses '{scheme}:', which the PDF renderer does not read; {WHERE}"


class ProjectFetcher(URLFetcher):  # type: ignore[misc]
    """A WeasyPrint URL fetcher that applies :class:`Policy` and records what it refused."""

    def __init__(self, policy: Policy) -> None:
        super().__init__(timeout=10, allow_redirects=policy.allow_network, fail_on_errors=False)
        self.policy = policy
        self.refused: list[Refusal] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Serve ``url`` if the policy allows it; otherwise record it and raise (WeasyPrint skips the resource)."""
        message = self.policy.refusal(url)
        if message is not None:
            return self._refuse(url, message)
        if urlsplit(url).scheme.lower() == "data":
            return super().fetch(url, headers)
        path = self.policy.local_file(url)
        if path is None:  # allowed and not local: the network, which site.yaml allows
            return super().fetch(url, headers)
        try:
            body = path.read_bytes()
        except OSError as exc:
            return self._refuse(url, f"could not be read ({exc.strerror or exc})")
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": kind})

    def _refuse(self, url: str, message: str) -> URLFetcherResponse:
        self.refused.append(Refusal(url, message))
        raise ValueError(f"{url} {message}")
