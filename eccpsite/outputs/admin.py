"""The web editing interface at /admin/: Decap CMS's page, its configuration, and its bundle from npm.

A stage of the build, made only when ``site.yaml`` has ``admin:`` (the
repository it opens pull requests on). The bundle is the ``decap-cms``
package that ``npm ci`` installs from ``package-lock.json``; the site
serves it itself (no CDN), under the Content-Security-Policy that
``netlify.toml`` sets for /admin/ alone.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from pathlib import Path

from eccpsite.core import urls
from eccpsite.core.config import SiteConfig
from eccpsite.core.errors import ContentError
from eccpsite.core.kinds import kind_of
from eccpsite.core.model import Site
from eccpsite.outputs.cms import decap_config_yaml
from eccpsite.outputs.render import Made_, Output, Renderer, Stage, declare

BUNDLE = Path("node_modules", "decap-cms", "dist")
ENTRY = "decap-cms.js"
_CHECKOUT = Path(__file__).resolve().parents[2]  # eccpsite's own checkout, whose node_modules an editable install shares


def find_bundle(project: Path) -> Path | None:
    """The folder of Decap's bundle: in the project's node_modules, else in that of eccpsite's checkout; or None."""
    for base in (project, _CHECKOUT):
        if (base / BUNDLE / ENTRY).is_file():
            return base / BUNDLE
    return None


def bundle_files(folder: Path) -> list[Path]:
    """What the page loads: the entry script, the chunks it loads on demand and their WebAssembly (no source maps)."""
    return sorted(p for p in folder.iterdir() if p.is_file() and (p.name.endswith("." + ENTRY) or p.name == ENTRY or p.suffix == ".wasm"))


def admin_page(config: SiteConfig) -> bytes:
    """The page Decap runs in: no inline script or style (the CSP of /admin/ allows Decap's own, not the page's)."""
    title = html.escape(f"Edit the content · {config.short_title or config.title}")
    return f"""<!DOCTYPE html>
<html lang="{html.escape(config.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
</head>
<body>
<noscript><p>The editing interface needs JavaScript. You can also send your text as a pull request on GitHub:
see the editors' guide, "Contributing as a cluster organisation".</p></noscript>
<script src="{ENTRY}"></script>
</body>
</html>
""".encode()


def missing_bundle(project: Path, config: SiteConfig) -> ContentError | None:
    """The warning of a build whose site.yaml asks for /admin/ when Decap's bundle is not installed (it leaves /admin/ out)."""
    if config.admin is None or find_bundle(project) is not None:
        return None
    message = f"the editing interface /admin/ is left out: Decap CMS is not in {BUNDLE.as_posix()}; run `npm ci` (make site does)"
    return ContentError("site.yaml", 0, "admin", message, warning=True)


def _config_yml(site: Site, items: Mapping[str, str]) -> tuple[bytes]:
    """Decap's ``config.yml`` for ``site`` (its configuration) and the items an edition may list."""
    return (decap_config_yaml(site.config, items),)


def admin_stage(project: Path) -> Stage:
    """The stage that makes /admin/ (nothing when site.yaml has no ``admin:``, or without Decap's bundle)."""

    @declare(on_request=True)  # the dev server makes /admin/ when it is asked for, like the feeds
    def render_admin(r: Renderer) -> Iterator[Made_]:
        config = r.site.config
        if config.admin is None:
            return
        bundle = find_bundle(project)
        if bundle is None:  # the build warns (missing_bundle)
            return
        items = {item.ref: f"{kind_of(item).singular}: {item.title}" for item in sorted(r.site.items, key=lambda i: (i.kind, i.title))}
        yield Output(urls.ADMIN + "index.html", admin_page(config))
        yield from r.files((urls.ADMIN + "config.yml",), _config_yml, items=items)  # the last build's while no title changed
        for path in bundle_files(bundle):
            yield Output(urls.ADMIN + path.name, path.read_bytes())

    return render_admin
