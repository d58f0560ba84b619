"""Which addresses the PDF renderer may read: decided without reading anything, and without WeasyPrint.

Kept apart from :mod:`eccpsite.outputs.pdf.fetcher` so that every build can check an
edition's images against the policy without importing WeasyPrint, which takes
half a second and is needed only when a PDF is actually rendered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

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
