"""The one error type of eccpsite: a located message an editor can act on.

Every stage collects :class:`ContentError` values instead of raising on the
first problem, so one run reports every error. :class:`BuildFailed` carries
the whole list to the edge (the CLI), which prints them and exits 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as _field


@dataclass(frozen=True, order=True)
class ContentError:
    """A problem in a source file, printed as ``path:line: field: message``."""

    path: str
    line: int = 0
    field: str = ""
    message: str = ""
    warning: bool = False
    near: str = _field(default="", compare=False)  # what was written where the problem is (a link's address), to find its line

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        field = f" {self.field}:" if self.field else ""
        kind = " warning:" if self.warning else ""
        return f"{where}:{kind}{field} {self.message}"


class SearchIndexFailed(Exception):
    """Pagefind could not index the site (raised by eccpsite.outputs.search; the CLI says so in one line)."""


class BuildFailed(Exception):
    """Raised at the end of a stage that collected at least one error."""

    def __init__(self, errors: list[ContentError], warnings: list[ContentError] | tuple[ContentError, ...] = ()) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = sorted(errors)
        self.warnings = tuple(sorted(set(warnings)))  # found in the same run: reported with the errors


class FieldError(ValueError):
    """Raised by a field parser; the caller adds path and line."""

    def __init__(self, message: str, line: int | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.field = field


class UsageError(Exception):
    """The command line asked for something impossible (a bad --now, SOURCE_DATE_EPOCH); exit code 2."""
