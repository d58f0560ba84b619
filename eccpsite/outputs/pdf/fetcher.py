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
from typing import Any
from urllib.parse import urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from eccpsite.outputs.pdf.pdf_policy import WHERE, Policy, Refusal

__all__ = ["WHERE", "Policy", "ProjectFetcher", "Refusal"]


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
