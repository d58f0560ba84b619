"""``eccpsite check --external``: do the site's links to other websites still answer?

Off by default: it needs the network, and other sites break on their own
schedule. Each address is asked once (``HEAD``, then ``GET`` if the server
refuses ``HEAD``), with a time-out and at most ``workers`` requests at a time;
every failure is a warning naming the source files that hold the link
(``--strict`` makes them errors).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor

from eccpsite import __version__
from eccpsite.core.errors import ContentError
from eccpsite.outputs.links import external_links
from eccpsite.outputs.render import Output

TIMEOUT = 10.0  # seconds for one request
WORKERS = 8  # requests at a time
USER_AGENT = f"eccpsite-link-check/{__version__} (+https://www.clustercollaboration.eu)"

Probe = Callable[[str, float], str | None]  # (url, timeout) → what is wrong, or None


def _request(url: str, method: str, timeout: float) -> int:
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # http(s) only: see links.external_links
        return int(response.status)


def probe(url: str, timeout: float = TIMEOUT) -> str | None:
    """Ask ``url`` whether it answers; returns what is wrong ("answers 404 Not Found", "timed out") or None."""
    try:
        try:
            _request(url, "HEAD", timeout)
        except urllib.error.HTTPError as exc:
            if exc.code >= 500 or exc.code in (400, 403, 405, 501):  # many servers refuse HEAD: ask again with GET
                _request(url, "GET", timeout)
            else:
                raise
    except urllib.error.HTTPError as exc:
        return f"answers {exc.code} {exc.reason}"
    except TimeoutError:
        return f"did not answer within {timeout:g} s"
    except urllib.error.URLError as exc:
        reason = exc.reason
        return f"did not answer within {timeout:g} s" if isinstance(reason, TimeoutError) else f"could not be reached ({reason})"
    except (OSError, ValueError) as exc:
        return f"could not be reached ({exc})"
    return None


def check_external(
    outputs: Iterable[Output],
    sources: Mapping[str, str] | None = None,
    timeout: float = TIMEOUT,
    workers: int = WORKERS,
    ask: Probe = probe,
) -> tuple[int, list[ContentError]]:
    """Check every http(s) link of the pages; returns how many addresses were asked and a warning per failure and file."""
    found = external_links(outputs, sources)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        answers = dict(zip(found, pool.map(lambda url: ask(url, timeout), found), strict=True))
    problems = [
        ContentError(where, 0, "", f"the link to {url} {problem}; fix or remove the link if the page has moved", warning=True)
        for url, problem in answers.items()
        if problem is not None
        for where in found[url]
    ]
    return len(found), sorted(problems)
