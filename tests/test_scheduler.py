"""The scheduled rebuild against a local HTTP server that plays both the deployed site and the Netlify build hook.

The scheduler runs as the workflow runs it (``python3 -m eccpsite.scheduler``,
a subprocess with the hook in its environment); the server counts the calls.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, write_site

HOOK_PATH = "/build_hooks/5f0c0ffee"


@dataclass
class Stage:
    """What the server answers and what it was asked."""

    next_change: bytes | None = b""  # None: 404
    hook_status: int = 200
    hook_calls: list[bytes] = field(default_factory=list)


def _handler(stage: Stage) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: bytes = b"") -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path == "/next-change.txt" and stage.next_change is not None:
                self._answer(200, stage.next_change)
            else:
                self._answer(404, b"Not found")

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == HOOK_PATH:
                stage.hook_calls.append(body)
                self._answer(stage.hook_status)
            else:
                self._answer(404)

    return Handler


@contextlib.contextmanager
def _serve(stage: Stage) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(stage))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def stage() -> Iterator[tuple[Stage, str]]:
    playing = Stage()
    with _serve(playing) as base:
        yield playing, base


def _schedule(base: str, *extra: str, hook: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "NETLIFY_BUILD_HOOK": hook if hook is not None else base + HOOK_PATH}
    command = [sys.executable, "-m", "eccpsite.scheduler", "--site", base + "/", *extra]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False)


def _moment(hours: float) -> bytes:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)).astimezone(dt.timezone(dt.timedelta(hours=2))).isoformat().encode() + b"\n"


def test_scheduler_calls_the_hook_once_when_the_change_is_due(stage: tuple[Stage, str]) -> None:
    playing, base = stage
    playing.next_change = _moment(-1)
    done = _schedule(base)
    assert done.returncode == 0, done.stderr
    assert len(playing.hook_calls) == 1
    assert "called the build hook (HTTP 200)" in done.stdout
    assert HOOK_PATH not in done.stdout + done.stderr  # the secret is never printed


@pytest.mark.parametrize("content", [_moment(3), b"", b"\n"], ids=["later", "empty", "blank line"])
def test_scheduler_calls_nothing_when_no_change_is_due(content: bytes, stage: tuple[Stage, str]) -> None:
    playing, base = stage
    playing.next_change = content
    done = _schedule(base)
    assert done.returncode == 0, done.stderr
    assert playing.hook_calls == []
    assert "no build needed" in done.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read http://127.0.0.1:{port}/next-change.txt: HTTP 404 Not Found"),
        (b"<html>Page not found</html>", "holds '<html>Page not found</html>'; expected an ISO 8601 moment"),
        (b"2019-10-01T00:00:00\n", "without a UTC offset"),
        (b"\xff\xfe\x00", "is not text"),
    ],
    ids=["missing", "not a moment", "no offset", "not text"],
)
def test_scheduler_fails_clearly_when_the_file_is_unreadable(content: bytes | None, message: str, stage: tuple[Stage, str]) -> None:
    playing, base = stage
    playing.next_change = content
    done = _schedule(base)
    assert done.returncode == 1
    assert message.format(port=base.rsplit(":", 1)[1]) in done.stderr
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
    assert playing.hook_calls == []


def test_scheduler_fails_clearly_when_the_site_is_down() -> None:
    with _serve(Stage()) as base:
        pass  # the server is gone: nothing listens on its port any more
    done = _schedule(base)
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: cannot read {base}/next-change.txt: ")
    assert "Traceback" not in done.stderr


def test_scheduler_fails_when_the_hook_refuses(stage: tuple[Stage, str]) -> None:
    playing, base = stage
    playing.next_change = _moment(-0.1)
    playing.hook_status = 404
    done = _schedule(base)
    assert done.returncode == 1
    assert "the build hook answered HTTP 404" in done.stderr and "NETLIFY_BUILD_HOOK" in done.stderr
    assert len(playing.hook_calls) == 1


def test_scheduler_without_a_hook_is_a_usage_error(stage: tuple[Stage, str]) -> None:
    playing, base = stage
    playing.next_change = _moment(-1)
    done = _schedule(base, hook="")
    assert done.returncode == 2
    assert "NETLIFY_BUILD_HOOK is not set" in done.stderr
    assert playing.hook_calls == []


def test_scheduler_dry_run_calls_nothing(stage: tuple[Stage, str]) -> None:
    playing, base = stage
    playing.next_change = _moment(-1)
    done = _schedule(base, "--dry-run")
    assert done.returncode == 0
    assert "would call the build hook" in done.stdout
    assert playing.hook_calls == []


def test_scheduler_reads_what_a_build_writes(stage: tuple[Stage, str], tmp_path: Path) -> None:
    """The file a real build publishes: an event that ended on 20 September 2019 makes the change due long ago."""
    from eccpsite.build import BuildOptions, build_outputs

    playing, base = stage
    site = write_site(tmp_path / "site", {"content/events/forum.md": "---\ntitle: Forum\nstart: 2019-09-20\ntimezone: Asia/Seoul\n---\nA forum.\n"})
    outputs = {o.url: o.data for o in build_outputs(site, BuildOptions(now="2019-09-16", pdf=False)).outputs}
    playing.next_change = outputs["/next-change.txt"]
    assert playing.next_change == b"2019-09-21T00:00:00+09:00\n"  # the end of the day in Seoul
    done = _schedule(base)
    assert done.returncode == 0, done.stderr
    assert len(playing.hook_calls) == 1


def test_scheduler_workflow_runs_it_on_a_schedule_with_the_secret() -> None:
    workflow = yaml.safe_load((REPO / ".github/workflows/scheduled-rebuild.yml").read_text(encoding="utf-8"))
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads the key 'on' as true
    assert triggers["schedule"][0]["cron"]
    (job,) = workflow["jobs"].values()
    step = job["steps"][-1]
    assert step["run"].startswith("python3 -m eccpsite.scheduler --site ")
    assert step["env"]["NETLIFY_BUILD_HOOK"] == "${{ secrets.NETLIFY_BUILD_HOOK }}"
