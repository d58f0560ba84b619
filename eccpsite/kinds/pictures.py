"""The checks of a picture field (``image``, ``photo``, ``logo``): its alt text is there, its path stays inside the
project (pure)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from eccpsite.errors import FieldError


def check_picture(parsed: Mapping[str, Any], key: str, missing_alt: str) -> Iterator[FieldError]:
    """A picture ``key`` without its ``<key>_alt`` (``missing_alt`` says what to write), or outside the project."""
    if key not in parsed:
        return
    if f"{key}_alt" not in parsed:
        yield FieldError(missing_alt, field=key)
    value: str = parsed[key]
    if value.startswith(("http://", "https://")):
        return
    parts = value.replace("\\", "/").split("/")
    if value.startswith("/") or ".." in parts or ":" in parts[0]:
        yield FieldError(f"{value!r} must be a path inside the project's content/ or static/ folder, without '..'", field=key)
