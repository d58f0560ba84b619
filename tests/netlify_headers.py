"""The headers Netlify sends for a path, read from netlify.toml as Netlify applies them.

Every ``[[headers]]`` rule whose ``for`` pattern matches the path applies, in
the file's order; a header set again by a later rule takes the later value
(what Netlify's own local server, ``netlify dev``, does). A ``*`` in a pattern
matches any characters, ``/`` included. Helpers, not tests.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

NETLIFY_TOML = Path(__file__).resolve().parent.parent / "netlify.toml"


@lru_cache(maxsize=1)
def netlify_config() -> dict[str, Any]:
    """netlify.toml, parsed."""
    with NETLIFY_TOML.open("rb") as file:
        return tomllib.load(file)


def _pattern(glob: str) -> re.Pattern[str]:
    return re.compile("^" + ".*".join(re.escape(part) for part in glob.split("*")) + "$")


def headers_at(path: str, config: dict[str, Any] | None = None) -> dict[str, str]:
    """The headers of the response to ``path`` (names in lower case)."""
    found: dict[str, str] = {}
    for rule in (config or netlify_config()).get("headers", []):
        if _pattern(rule["for"]).match(path):
            found.update({name.lower(): value for name, value in rule["values"].items()})
    return found


def csp_directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as ``{directive: [sources]}``."""
    parts = (part.strip().split() for part in policy.split(";"))
    return {words[0]: words[1:] for words in parts if words}
