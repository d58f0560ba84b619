"""The checks of a picture field (``image``, ``photo``, ``logo``): its alt text is there, and its path is read the
way the theme takes it, from content/, and stays inside the project (pure)."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

from eccpsite.core import urls
from eccpsite.core.errors import FieldError


def check_picture(path: str, parsed: MutableMapping[str, Any], key: str, missing_alt: str) -> Iterator[FieldError]:
    """A picture ``key`` of the file ``path`` without its ``<key>_alt`` (``missing_alt`` says what to write), or
    outside the project. One written from the file's folder, as editors' previews read it (``../media/x.png`` in
    content/news/), is read from content/ (``media/x.png``): ``parsed`` then holds that path."""
    if key not in parsed:
        return
    if f"{key}_alt" not in parsed:
        yield FieldError(missing_alt, field=key)
    value: str = parsed[key]
    if value.startswith(("./", "../")):
        inside = urls.content_relative(path, value)
        if inside is None:
            folder = path.rpartition("/")[0]
            where = f"{value!r} must be a path inside the project's content/ folder (read from {folder}/ it leads outside)"
            yield FieldError(f"{where}; put the file in content/media/ and write ../media/<its name>", field=key)
            return
        parsed[key] = value = inside
    if value.startswith(("http://", "https://")):
        return
    parts = value.replace("\\", "/").split("/")
    if value.startswith("/") or ".." in parts or ":" in parts[0]:
        yield FieldError(f"{value!r} must be a path inside the project's content/ or static/ folder, without '..'", field=key)
