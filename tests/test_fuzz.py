"""Property tests of the parsers an outsider's file goes through (issue 8).

Whatever a content file holds, ``split_front_matter`` → ``parse_item`` →
``render_markdown`` gives a typed item, or located errors (a path and a
line ≥ 0); never an exception, so no traceback ever reaches an editor. The
rendered HTML never carries a tag outside the sanitizer's allow-list, an
event handler or a ``javascript:``/``data:`` URL.

How many examples: ``HYPOTHESIS_PROFILE=ci`` (default, a few hundred per
property) or ``long`` (10,000), see ``tests/hypothesis_profiles.py``.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from html.parser import HTMLParser
from typing import Any

import hypothesis_profiles
import yaml
from hypothesis import given
from hypothesis import strategies as st

from eccpsite.core import yaml_careful
from eccpsite.core.characters import UNPRINTABLE, find_unprintable
from eccpsite.core.config import CONFIG_FIELDS, SiteConfig, parse_config
from eccpsite.core.errors import ContentError
from eccpsite.core.kinds import COMMON_FIELDS, EDITION_FIELDS, KINDS, Edition, Item, folders, parse_edition
from eccpsite.core.located import Located
from eccpsite.core.markup.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES, inline_markdown, plain_text, render_markdown
from eccpsite.core.schema import parse_item
from eccpsite.core.source import Document, load_yaml, split_front_matter
from eccpsite.outputs.theme import _json_for_script

assert hypothesis_profiles.PROFILE in hypothesis_profiles.PROFILES

# --- strategies ------------------------------------------------------------------------------------------------------

HOSTILE_TEXT = [
    "</script>", "<!--", "-->", "<script>alert(1)</script>", "{{ 7*7 }}", "{% raw %}", "javascript:alert(1)", "data:text/html,x",
    "../../x", "/etc/passwd", "file:///etc/passwd", "\x00", "\x0c", "\x1b", "\ufffe", "\u2028", "\ufeff", "é", "😀", "&amp;", "]]>",
    "' onmouseover='x", '" onerror="x', "\\", "\t", "\r\n", "---", "...", "2019-02-30", "2019-05-14T09:30", "NO", "0x1F", "1e400",
]  # fmt: skip
FIELD_NAMES = sorted({*COMMON_FIELDS, *(name for kind in KINDS for name in kind.fields), *EDITION_FIELDS, *CONFIG_FIELDS})
NESTED_KEYS = ["title", "url", "date", "label", "name", "role", "organisation", "country", "venue", "city", "author", "text", "items"]

texts = st.one_of(st.text(max_size=40), st.sampled_from(HOSTILE_TEXT), st.lists(st.sampled_from(HOSTILE_TEXT), max_size=4).map("".join))
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), texts, st.dates(), st.datetimes(), st.dates().map(dt.date.isoformat),
    st.sampled_from(["BE", "be", "UK", "https://example.org/", "mailto:a@b.eu", "news/x", "scheduled", "cancelled"]),
)  # fmt: skip
keys = st.one_of(st.sampled_from(FIELD_NAMES), st.sampled_from(NESTED_KEYS), st.text(min_size=1, max_size=12))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)), max_leaves=12)
front_matters = st.dictionaries(keys, values, max_size=10)

YAML_PIECES = [
    ":", ": ", "-", "- ", "[", "]", "{", "}", ",", "&a ", "*a", "!!python/object/apply:os.system ['x']", "!x ", "|", ">", "'", '"',
    "#", "%YAML 1.1", "? ", "<<: ", "\n", "\n  ", "\t", "title", "date", "2019-09-16", "\x00", "\x0c", "\\u0000", "é", "~", "null",
]  # fmt: skip
yaml_texts = st.lists(st.one_of(st.sampled_from(YAML_PIECES), st.text(max_size=8)), max_size=30).map("".join)

MARKDOWN_PIECES = [
    "# ", "## ", "* ", "1. ", "> ", "```", "    ", "\n", "\n\n", "|", "|---|---|", "[x](", ")", "![", "](", "<", ">", "&", "&#x6a;", "&#0;",
    "javascript:", "JaVaScRiPt:", "data:text/html;base64,PHNjcmlwdD4=", "vbscript:", "<script>", "</script>", "<img src=", " onerror=",
    " onload=alert(1)", "alert(1)", '<a href="', '">', "</a>", "<iframe src=x>", "<style>", "</style>", " style=", "[^1]", "[^1]: ",
    "<sup>", "</sup>", "<sub>", "<br>", "<!--", "-->", "<![CDATA[", "]]>", '"', "'", "`", "{{ 7*7 }}", "<svg onload=", "<math>",
    "<noscript>", "<table><tr><td>", "<div class=x onclick=y>", "<object data=x>", "<form action=x>", "<base href=x>", "*", "_", "\\",
    "http://example.org/", "mailto:a@b.eu", "/media/x.png", "../../etc/passwd", "file:///etc/passwd", "\t", "\u2028", "é",
]  # fmt: skip
markdowns = st.lists(st.one_of(st.sampled_from(MARKDOWN_PIECES), st.text(max_size=10)), max_size=40).map("".join)
paths = st.sampled_from(["content/news/2019-09-16-x.md", "content/events/x.md", "content/pages/about.md", "content/news/X Y.md"])


def _dump(meta: dict[Any, Any]) -> str:
    return yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)


# --- what must always hold -------------------------------------------------------------------------------------------


def _assert_located(errors: list[ContentError], path: str) -> None:
    """Every error names the file and a line (0: the whole file) and says something."""
    assert errors
    for error in errors:
        assert isinstance(error, ContentError)
        assert error.path == path
        assert isinstance(error.line, int)
        assert error.line >= 0
        assert error.message.strip()
        assert str(error).startswith(path)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def _assert_safe(rendered: str) -> None:
    """Only allowed tags and attributes; no handler; every URL relative or with an allowed scheme."""
    parser = _Tags()
    parser.feed(rendered)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()), (tag, name)
            if name in ("href", "src") and value is not None:
                target = re.sub(r"[\x00-\x20]", "", html.unescape(value))
                scheme = _SCHEME.match(target)
                assert scheme is None or scheme.group(1).lower() in URL_SCHEMES, (tag, value)
    assert "<script" not in rendered.lower()


def _pipeline(kind: str, path: str, text: str) -> Item | list[ContentError]:
    """What the build does with one source file, up to its rendered body."""
    doc = split_front_matter(path, text)
    if isinstance(doc, ContentError):
        return [doc]
    item = parse_item(kind, doc)
    if isinstance(item, list):
        return item
    _assert_safe(render_markdown(item.body))
    return item


def _assert_item_or_located(result: Item | list[ContentError], path: str) -> None:
    if isinstance(result, Item):
        assert result.path == path
        assert result.title.strip()
    else:
        _assert_located(result, path)


# --- properties ------------------------------------------------------------------------------------------------------


@given(path=paths, text=st.text())
def test_fuzz_split_front_matter_of_any_text_is_a_document_or_a_located_error(path: str, text: str) -> None:
    result = split_front_matter(path, text)
    if isinstance(result, Document):
        assert isinstance(result.meta, Located)
        assert result.body_line >= 2
    else:
        _assert_located([result], path)


@given(text=yaml_texts, offset=st.integers(min_value=0, max_value=3))
def test_fuzz_load_yaml_of_yaml_like_text_is_a_mapping_or_a_located_error(text: str, offset: int) -> None:
    result = load_yaml("content/newsletter/x.yaml", text, line_offset=offset)
    if isinstance(result, ContentError):
        _assert_located([result], "content/newsletter/x.yaml")
        assert result.line == 0 or result.line > offset
    else:
        assert isinstance(result, Located)


@given(kind=st.sampled_from(folders()), path=paths, meta=front_matters, body=markdowns)
def test_fuzz_generated_front_matter_gives_an_item_or_located_errors(kind: str, path: str, meta: dict[Any, Any], body: str) -> None:
    result = _pipeline(kind, path, f"---\n{_dump(meta)}---\n{body}")
    _assert_item_or_located(result, path)


@given(kind=st.sampled_from(folders()), path=paths, front=yaml_texts, body=markdowns)
def test_fuzz_raw_yaml_front_matter_gives_an_item_or_located_errors(kind: str, path: str, front: str, body: str) -> None:
    result = _pipeline(kind, path, f"---\n{front}\n---\n{body}")
    _assert_item_or_located(result, path)


@given(
    kind=st.sampled_from(folders()),
    title=texts,
    date=st.one_of(st.dates(), texts),
    extra=st.dictionaries(st.sampled_from(FIELD_NAMES), values, max_size=3),
    body=markdowns,
)
def test_fuzz_nearly_valid_items_give_an_item_or_located_errors(kind: str, title: str, date: object, extra: dict[str, Any], body: str) -> None:
    by_kind: dict[str, dict[str, Any]] = {
        "news": {"date": date},
        "events": {"start": date},
        "calls": {"deadlines": [{"date": date, "label": title}]},
        "interviews": {"date": date, "person": {"name": title}},
        "pages": {},
        "clusters": {"country": "RO", "sectors": [title]},
        "countries": {},
    }
    required = by_kind[kind]
    path = f"content/{kind}/2019-09-16-fuzzed.md"
    result = _pipeline(kind, path, f"---\n{_dump({'title': title, **required, **extra})}---\n{body}")
    _assert_item_or_located(result, path)


@given(meta=front_matters)
def test_fuzz_editions_give_an_edition_or_located_errors(meta: dict[Any, Any]) -> None:
    path = "content/newsletter/2019-09.yaml"
    loaded = load_yaml(path, _dump(meta))
    if isinstance(loaded, ContentError):
        _assert_located([loaded], path)
        return
    result = parse_edition(path, loaded)
    if isinstance(result, Edition):
        assert result.id == "2019-09"
    else:
        _assert_located(result, path)


@given(meta=front_matters)
def test_fuzz_site_configs_give_a_config_or_located_errors(meta: dict[Any, Any]) -> None:
    loaded = load_yaml("site.yaml", _dump(meta))
    if isinstance(loaded, ContentError):
        _assert_located([loaded], "site.yaml")
        return
    result = parse_config("site.yaml", loaded)
    if isinstance(result, SiteConfig):
        links = [entry.url for entry in result.menu] + [entry.url for entry in result.follow]
        assert [url for url in links if not url.startswith(("/", "http://", "https://", "mailto:"))] == []
    else:
        _assert_located(result, "site.yaml")


@given(source=markdowns, prefix=st.sampled_from(["", "editorial", "news-x"]))
def test_fuzz_rendered_markdown_is_always_sanitized(source: str, prefix: str) -> None:
    rendered = render_markdown(source, prefix)
    _assert_safe(rendered)
    _assert_safe(inline_markdown(source))
    assert isinstance(plain_text(rendered), str)


@given(value=st.recursive(texts, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)), max_leaves=6))
def test_fuzz_json_for_script_never_ends_the_block_and_keeps_the_value(value: Any) -> None:
    text = str(_json_for_script(value))
    assert "<" not in text
    assert ">" not in text
    assert json.loads(text) == value


# --- fast paths give what the careful ones give (issue 6) ------------------------------------------------------------


def _located_shape(value: Any) -> Any:
    """A value with the lines Located and LocatedList carry (which == leaves out); generators (from '!!map x') as a word."""
    if isinstance(value, dict):
        return ("map", type(value).__name__, getattr(value, "line", None), [(k, value.lines.get(k), _located_shape(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", type(value).__name__, getattr(value, "line", None), list(value.lines), [_located_shape(v) for v in value])
    return ("value", type(value).__name__, "generator" if type(value).__name__ == "generator" else repr(value))


@given(text=st.one_of(yaml_texts, front_matters.map(_dump)), offset=st.integers(min_value=0, max_value=3))
def test_fuzz_load_yaml_in_one_pass_equals_the_careful_three_passes(text: str, offset: int) -> None:
    fast = load_yaml("content/news/x.md", text, line_offset=offset)
    careful = yaml_careful.load_careful("content/news/x.md", text, offset)
    assert _located_shape(fast) == _located_shape(careful)


@given(text=st.one_of(texts, markdowns, st.text(alphabet=st.characters(), max_size=60)))
def test_fuzz_find_unprintable_finds_what_the_pattern_finds(text: str) -> None:
    found, expected = find_unprintable(text), UNPRINTABLE.search(text)
    assert (found and (found.start(), found.group())) == (expected and (expected.start(), expected.group()))
