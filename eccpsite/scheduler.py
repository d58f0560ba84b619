"""The scheduled rebuild: call the Netlify build hook when the deployed site says a status has changed.

Every build publishes ``/next-change.txt``: the next moment at which the site
changes by itself (a call closes, an event ends, a registration deadline or a
``publish_at`` passes), or nothing. ``.github/workflows/scheduled-rebuild.yml``
runs this module every 30 minutes::

    python3 -m eccpsite.scheduler --site https://www.clustercollaboration.eu

It reads the deployed file and, when the moment has passed, POSTs to the
build hook named by the ``NETLIFY_BUILD_HOOK`` environment variable (a
secret: it is never printed). Only the standard library is used, so the
workflow runs it from a checkout without installing eccpsite.

Exit codes: 0 when it called the hook or had nothing to do, 1 when the file
or the hook could not be used (a clear message says why), 2 for a usage error
(no hook configured, a bad ``--site``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

HOOK_VARIABLE = "NETLIFY_BUILD_HOOK"
NEXT_CHANGE = "/next-change.txt"  # eccpsite.core.urls.NEXT_CHANGE (not imported: this module needs nothing but the standard library)
TIMEOUT = 30  # seconds for each request
AGENT = "eccpsite-scheduler"


class Failure(Exception):
    """Why the scheduler could not decide or act; printed as it is."""


@dataclass(frozen=True)
class Decision:
    """What the deployed ``next-change.txt`` says: when the site next changes (None: never), and whether that is past."""

    when: dt.datetime | None
    due: bool


def read_next_change(site: str) -> dt.datetime | None:
    """The moment in the deployed ``next-change.txt`` of ``site`` (None when it is empty)."""
    url = site.rstrip("/") + NEXT_CHANGE
    request = urllib.request.Request(url, headers={"User-Agent": AGENT, "Cache-Control": "no-cache"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            data = response.read(1000)
    except urllib.error.HTTPError as exc:
        raise Failure(f"cannot read {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Failure(f"cannot read {url}: {reason}") from None
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise Failure(f"{url} is not text; expected an ISO 8601 moment such as 2019-10-01T00:00:00+02:00, or nothing") from None
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise Failure(f"{url} holds {text[:80]!r}; expected an ISO 8601 moment such as 2019-10-01T00:00:00+02:00, or nothing") from None
    if when.tzinfo is None:
        raise Failure(f"{url} holds {text!r} without a UTC offset; expected a moment such as 2019-10-01T00:00:00+02:00")
    return when


def decide(site: str, now: dt.datetime) -> Decision:
    """Whether a rebuild is due at ``now``, from the deployed site's ``next-change.txt``."""
    when = read_next_change(site)
    return Decision(when, when is not None and when <= now)


def call_hook(hook: str) -> int:
    """POST to the build hook (Netlify starts a build of the production branch); the HTTP status."""
    request = urllib.request.Request(hook, data=b"{}", method="POST", headers={"User-Agent": AGENT, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            status: int = response.status
    except urllib.error.HTTPError as exc:
        raise Failure(f"the build hook answered HTTP {exc.code} {exc.reason}; check the {HOOK_VARIABLE} secret") from None
    except (urllib.error.URLError, OSError) as exc:
        raise Failure(f"cannot reach the build hook: {getattr(exc, 'reason', exc)}") from None
    return status


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python3 -m eccpsite.scheduler", description="Call the Netlify build hook when next-change.txt says so.")
    parser.add_argument("--site", required=True, help="the deployed site's address, e.g. https://www.clustercollaboration.eu")
    parser.add_argument("--dry-run", action="store_true", help="say what would be done, call nothing")
    return parser.parse_args(argv)


def run(argv: Sequence[str] | None = None, now: dt.datetime | None = None) -> int:
    """The command line: decide, call the hook when due, and say what happened."""
    args = _parse(sys.argv[1:] if argv is None else argv)
    if not args.site.startswith(("https://", "http://")):
        print(f"error: --site must be an address starting with https://, not {args.site!r}", file=sys.stderr)
        return 2
    hook = os.environ.get(HOOK_VARIABLE, "").strip()
    if not hook and not args.dry_run:
        print(f"error: {HOOK_VARIABLE} is not set; add the Netlify build hook as a secret of that name (see README)", file=sys.stderr)
        return 2
    moment = now or dt.datetime.now(dt.UTC)
    try:
        decision = decide(args.site, moment)
        if decision.when is None:
            print("next-change.txt is empty: nothing changes by itself; no build needed")
            return 0
        if not decision.due:
            print(f"not due: the site next changes at {decision.when.isoformat()}; no build needed")
            return 0
        if args.dry_run:
            print(f"due since {decision.when.isoformat()}: would call the build hook")
            return 0
        status = call_hook(hook)
    except Failure as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"due since {decision.when.isoformat()}: called the build hook (HTTP {status})")
    return 0


if __name__ == "__main__":
    sys.exit(run())
