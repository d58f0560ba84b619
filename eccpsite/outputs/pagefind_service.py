"""Pagefind's service mode, spoken directly: pages handed over one by one in a fixed order, the bundle handed back.

``pagefind --service`` is the process that Pagefind's own Python and Node
APIs drive. It reads requests on its standard input and answers each in turn
on its standard output; every message is JSON, encoded in base64 and ended
by a comma (base64 has none). eccpsite speaks it without those APIs: the
Python one is asynchronous, sleeps a tenth of a second before each answer it
reads (a minute and a half for 1,000 pages), and ends the process as soon as
it answers.

Pagefind numbers pages in the order they reach it, and the bundle's bytes
follow from those numbers. Its command (``pagefind --site DIR``) reads DIR in
the order the file system lists it (a hash of the names seeded per file
system on ext4, the order of creation on tmpfs), so one tree made different
bundles on two disks; here the caller fixes the order. The bundle comes back
in the answer to ``GetFiles`` and the caller writes every file whole.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any

from eccpsite.edges import children


class ServiceFailed(Exception):
    """Pagefind answered with an error, or ended without answering."""


class Service:
    """One ``pagefind --service`` process, ended with the build however it ends (eccpsite.edges.children); a context manager."""

    def __init__(self, binary: str) -> None:
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed by __exit__) read only if it fails: a pipe nobody reads could fill
        self._process = subprocess.Popen(children.command([binary, "--service"]), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._errors)
        self._last = 0
        self._read = bytearray()  # what was read of the answers not yet returned
        self._scanned = 0  # how much of it holds no comma

    def __enter__(self) -> Service:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        """Close its input (it then exits), or kill it when the block failed; wait for it either way."""
        try:
            if kind is None and self._process.stdin is not None:
                self._process.stdin.close()
                self._process.wait(timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            pass
        finally:
            if self._process.poll() is None:
                self._process.kill()
                self._process.wait()
            self._errors.close()

    @property
    def last_sent(self) -> int:
        """The number of the last message sent (they are numbered 1, 2 ... in the order they are sent)."""
        return self._last

    def ask(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Send one request and return the payload of its answer; raises ServiceFailed for an error answer."""
        return self.answer(self.send(payload))

    def send(self, payload: dict[str, Any]) -> int:
        """Send one request without waiting for its answer; its message number."""
        self._last += 1
        message = json.dumps({"message_id": self._last, "payload": payload}).encode()
        stdin = self._process.stdin
        assert stdin is not None
        try:
            stdin.write(base64.b64encode(message) + b",")
            stdin.flush()
        except (BrokenPipeError, ValueError):  # it ended (ValueError: its input was closed by the block's end)
            raise ServiceFailed(self._ended()) from None
        return self._last

    def answer(self, number: int) -> dict[str, Any]:
        """The payload of the next answer, which must be to message ``number``; raises ServiceFailed for an error."""
        answer = self._read_answer()
        found = answer.get("payload") if isinstance(answer, dict) else None
        if not isinstance(found, dict):
            raise ServiceFailed(f"Pagefind answered something else than a message: {str(answer)[:200]}")
        if found.get("type") == "Error":
            raise ServiceFailed(str(found.get("message", "an error without a message")))
        if answer.get("message_id") != number:
            raise ServiceFailed(f"Pagefind answered message {answer.get('message_id')} instead of {number}")
        return found

    def _read_answer(self) -> Any:
        """The next message on Pagefind's output, decoded."""
        stdout = self._process.stdout
        assert stdout is not None
        while True:
            comma = self._read.find(b",", self._scanned)
            if comma >= 0:
                encoded = bytes(self._read[:comma])
                del self._read[: comma + 1]
                self._scanned = 0
                break
            self._scanned = len(self._read)  # no comma up to here: search only what comes next
            chunk = os.read(stdout.fileno(), 1 << 20)
            if not chunk:
                raise ServiceFailed(self._ended())
            self._read += chunk
        try:
            return json.loads(base64.b64decode(encoded, validate=True))
        except ValueError:
            raise ServiceFailed(f"Pagefind wrote something that is not a message: {encoded[:200]!r}") from None

    def stop(self) -> None:
        """Kill the process (a request could not be sent, or an answer was wrong): the other side then stops waiting."""
        if self._process.poll() is None:
            self._process.kill()

    def _ended(self) -> str:
        """Why the process ended: what it wrote on its error output, else its status."""
        code = self._process.wait()
        self._errors.seek(0)
        said = self._errors.read().decode(errors="replace").strip()
        return said or f"pagefind --service ended with status {code}"


def bundle(binary: str, pages: Iterable[tuple[str, str]], language: str) -> list[tuple[str, bytes]]:
    """The Pagefind bundle of ``pages`` ((url, HTML) each, indexed in that order) in ``language``: (path, bytes) of
    each of its files, paths relative to the bundle's folder.

    The pages are sent by a thread of their own while the answers are read
    here: Pagefind takes its requests one at a time, in the order they come,
    so the order holds, and neither side waits for the other's turn (one
    request at a time took twice as long on a loaded machine)."""
    with Service(binary) as service:
        index = service.ask({"type": "NewIndex", "config": {"force_language": language}})["index_id"]
        first = service.last_sent + 1
        failed: list[BaseException] = []

        def send_all() -> None:
            try:
                for url, html in pages:
                    service.send({"type": "AddFile", "index_id": index, "url": url, "file_path": None, "file_contents": html})
                service.send({"type": "GetFiles", "index_id": index})
            except ServiceFailed:  # Pagefind ended: the answers read below say why
                return
            except (OSError, UnicodeError) as exc:  # a page could not be read: end Pagefind, and say so below
                failed.append(exc)
                service.stop()

        sender = threading.Thread(target=send_all, name="pagefind-pages", daemon=True)
        sender.start()
        try:
            number = first
            while True:
                found = service.answer(number)
                if found.get("type") == "GetFiles":
                    break
                number += 1
        except ServiceFailed:
            service.stop()
            sender.join()
            if failed:
                raise ServiceFailed(str(failed[0])) from None
            raise
        sender.join()
    files: Sequence[dict[str, str]] = found["files"]
    return [(str(file["path"]), base64.b64decode(file["content"])) for file in files]
