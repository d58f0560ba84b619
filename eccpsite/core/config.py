"""Site configuration: ``site.yaml`` read into a frozen, validated value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from eccpsite.core import fields as f
from eccpsite.core.dates import DEFAULT_TIMEZONE
from eccpsite.core.errors import ContentError, FieldError
from eccpsite.core.located import Located
from eccpsite.core.urls import slugify


@dataclass(frozen=True)
class NamedLink:
    """A link of the site's frame: a menu entry or a "follow us" address."""

    title: str
    url: str


@dataclass(frozen=True)
class TagInfo:
    """A tag named in ``site.yaml``: the form pages show (``name``, else the key as written) and what its page says."""

    tag: str
    name: str
    description: str | None = None


@dataclass(frozen=True)
class AdminConfig:
    """``admin:`` of site.yaml: the GitHub repository the editing interface at /admin/ opens pull requests on."""

    repo: str  # owner/name
    branch: str = "main"


@dataclass(frozen=True, kw_only=True)
class SiteConfig:
    title: str
    base_url: str
    short_title: str = ""
    tagline: str = ""
    description: str = ""
    language: str = "en"
    timezone: str = DEFAULT_TIMEZONE
    author: str = ""
    email: str = ""
    closing_soon_days: int = 14
    per_page: int = 10
    menu: tuple[NamedLink, ...] = ()
    follow: tuple[NamedLink, ...] = ()
    pdf_allow_network: bool = False
    tags: tuple[TagInfo, ...] = ()
    admin: AdminConfig | None = None  # None: no editing interface at /admin/

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def absolute(self, url: str) -> str:
        """An absolute URL for a site path such as ``/news/x/``."""
        return self.base_url.rstrip("/") + url


def _timezone(value: Any) -> str:
    name = f.text(value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FieldError(f"{name!r} is not a time zone; expected a name such as Europe/Brussels") from None
    return name


def _base_url(value: Any) -> str:
    return f.url(value).rstrip("/")


def _positive(value: Any) -> int:
    number = f.integer(value)
    if number < 1:
        raise FieldError("expected a number of 1 or more")
    return number


def _link(value: Any) -> str:
    """A menu or follow link: a site path (``/news/``) or a full web address, never ``javascript:``."""
    raw = f.text(value)
    if raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    try:
        return f.url(raw)
    except FieldError:
        raise FieldError(f"expected a site path such as /news/ or a web address starting with https://, found {raw!r}") from None


_TAG_FIELDS = {"name": f.Field(f.text), "description": f.Field(f.text)}


def _tags(value: Any) -> tuple[TagInfo, ...]:
    """``tags:`` of site.yaml: per tag (as written; its slug identifies it) an optional ``name`` and ``description``."""
    if not isinstance(value, Located):
        raise FieldError("expected a mapping of tags, e.g. ESCP-S3: {description: European Strategic Cluster Partnerships}")
    found: dict[str, TagInfo] = {}
    for tag, raw in value.items():
        line = value.line_of(tag)
        slug = slugify(tag)
        if not slug:
            raise FieldError(f"the tag {tag!r} has no letter or digit, so it has no address", line, tag)
        if slug in found:
            raise FieldError(f"{tag!r} and {found[slug].tag!r} are the same tag (/tags/{slug}/); keep one of them", line, tag)
        try:
            parsed, problems = f.read_mapping(raw if raw is not None else Located(line), _TAG_FIELDS, "a tag ({name, description})")
        except FieldError as exc:
            raise FieldError(exc.message, line, tag) from None
        if problems:
            raise FieldError(problems[0].message, problems[0].line, f"{tag}.{problems[0].field}")
        found[slug] = TagInfo(tag, parsed.get("name", tag), parsed.get("description"))
    return tuple(found.values())


REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$")  # a GitHub repository: owner/name


def _repo(value: Any) -> str:
    raw = f.text(value)
    if REPO.match(raw):
        return raw
    path = urlsplit(raw).path.strip("/").removesuffix(".git") if "github.com" in raw else ""
    fix = f"; write {path}" if REPO.match(path) else " (e.g. my-organisation/eccpsite)"
    raise FieldError(f"expected a GitHub repository written owner/name, found {raw!r}{fix}")


_ADMIN_FIELDS = {"repo": f.Field(f.shaped(_repo, pattern=REPO.pattern), True), "branch": f.Field(f.text)}
_ADMIN = f.mapping_of(_ADMIN_FIELDS, "the editing interface ({repo, branch})", AdminConfig)
_ENTRY = {"title": f.Field(f.text, True), "url": f.Field(_link, True)}
CONFIG_FIELDS: dict[str, f.Field] = {
    "title": f.Field(f.text, True),
    "short_title": f.Field(f.text),
    "base_url": f.Field(_base_url, True),
    "tagline": f.Field(f.text),
    "description": f.Field(f.text),
    "language": f.Field(f.text),
    "timezone": f.Field(_timezone),
    "author": f.Field(f.text),
    "email": f.Field(f.text),
    "closing_soon_days": f.Field(f.integer),
    "per_page": f.Field(_positive),
    "menu": f.Field(f.list_of(f.mapping_of(_ENTRY, "a menu entry ({title, url})", NamedLink), "menu entries")),
    "follow": f.Field(f.list_of(f.mapping_of(_ENTRY, "a follow link ({title, url})", NamedLink), "follow links")),
    "pdf_allow_network": f.Field(f.boolean),
    "tags": f.Field(_tags),
    "admin": f.Field(_ADMIN),
}


def parse_config(path: str, meta: Located) -> SiteConfig | list[ContentError]:
    """Validate ``site.yaml``."""
    parsed, problems = f.read_mapping(meta, CONFIG_FIELDS, "site.yaml")
    if problems:
        return [ContentError(path, p.line or 0, p.field or "", p.message) for p in problems]
    parsed.setdefault("short_title", parsed["title"])
    parsed.setdefault("author", parsed["title"])
    return SiteConfig(**parsed)
