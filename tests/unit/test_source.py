"""source.py: front matter split from the body, YAML with lines, and what it refuses."""

from __future__ import annotations

import pytest
import yaml

from eccpsite.core.errors import ContentError
from eccpsite.core.located import Located, LocatedList
from eccpsite.core.source import MAX_FILE_BYTES, Document, load_yaml, split_front_matter
from eccpsite.core.yaml_careful import MAX_DEPTH, MAX_NODES

PATH = "content/news/x.md"


def _doc(text: str) -> Document:
    doc = split_front_matter(PATH, text)
    assert isinstance(doc, Document), doc
    return doc


def _error(result: object) -> ContentError:
    assert isinstance(result, ContentError), result
    return result


def test_split_front_matter_separates_meta_and_body() -> None:
    doc = _doc("---\ntitle: Hello\ndate: 2019-05-14\n---\nFirst line.\n\nSecond.\n")
    assert dict(doc.meta) == {"title": "Hello", "date": "2019-05-14"}
    assert doc.body == "First line.\n\nSecond.\n"
    assert doc.body_line == 5


def test_split_front_matter_records_the_line_of_each_key() -> None:
    doc = _doc("---\ntitle: Hello\n\ndate: 2019-05-14\nlocation:\n  city: Toronto\n  country: CA\n---\n")
    assert doc.meta.line_of("title") == 2
    assert doc.meta.line_of("date") == 4
    location = doc.meta["location"]
    assert isinstance(location, Located)
    assert location.line_of("country") == 7


def test_split_front_matter_records_the_line_of_each_list_entry() -> None:
    doc = _doc("---\ntags:\n  - a\n  - b\n---\n")
    tags = doc.meta["tags"]
    assert isinstance(tags, LocatedList)
    assert tags.lines == [3, 4]


def test_split_front_matter_keeps_dates_as_text() -> None:
    doc = _doc("---\ndate: 2019-02-30\n---\n")
    assert doc.meta["date"] == "2019-02-30"


def test_split_front_matter_accepts_a_byte_order_mark_and_crlf() -> None:
    doc = _doc("\ufeff---\r\ntitle: Hello\r\n---\r\nBody\r\n")
    assert doc.meta["title"] == "Hello"


def test_split_front_matter_accepts_an_empty_front_matter() -> None:
    doc = _doc("---\n---\nBody\n")
    assert dict(doc.meta) == {}
    assert doc.body == "Body\n"


def test_split_front_matter_refuses_a_file_without_an_opening_fence() -> None:
    error = _error(split_front_matter(PATH, "title: Hello\n"))
    assert (error.path, error.line) == (PATH, 1)
    assert "must start with a line '---'" in error.message


def test_split_front_matter_refuses_an_unclosed_fence() -> None:
    error = _error(split_front_matter(PATH, "---\ntitle: Hello\ndate: 2019-05-14\nBody text\n"))
    assert error.line == 1
    assert "never closed" in error.message


def test_split_front_matter_reports_yaml_errors_at_the_file_line() -> None:
    error = _error(split_front_matter(PATH, "---\ntitle: Hello\n  date: 2019-05-14\n---\n"))
    assert error.line == 3
    assert "not valid YAML" in error.message


def test_load_yaml_points_an_unclosed_bracket_at_its_opening_line() -> None:
    error = _error(load_yaml(PATH, "title: ok\ntags: [a, b\ndate: 2019-05-14\nsummary: x\n"))
    assert error.line == 2
    assert "'['" in error.message and "never closed" in error.message


def test_load_yaml_points_an_unclosed_quote_at_its_opening_line() -> None:
    error = _error(load_yaml(PATH, 'title: "Hello\ndate: 2019-05-14\n\n\n'))
    assert error.line == 1
    assert "quote" in error.message


def test_load_yaml_suggests_quotes_for_a_colon_in_a_value() -> None:
    error = _error(load_yaml(PATH, "title: EU-Canada: matchmaking\n"))
    assert error.line == 1
    assert "must be put in quotes" in error.message


def test_load_yaml_refuses_python_tags() -> None:
    error = _error(load_yaml(PATH, 'title: ok\nx: !!python/object/apply:os.system ["true"]\n'))
    assert error.line == 2
    assert "'!!python/object/apply:os.system' is not allowed" in error.message


def test_load_yaml_refuses_custom_tags() -> None:
    error = _error(load_yaml(PATH, "x: !secret value\n"))
    assert "'!secret' is not allowed" in error.message


def test_load_yaml_refuses_aliases() -> None:
    error = _error(load_yaml(PATH, "a: &x hello\nb: *x\n"))
    assert "anchors and aliases" in error.message


def test_load_yaml_refuses_an_alias_bomb_quickly() -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, 9):
        lines.append(f"{chr(97 + n)}: &{chr(97 + n)} [{', '.join([f'*{chr(96 + n)}'] * 9)}]")
    error = _error(load_yaml(PATH, "\n".join(lines) + "\n"))
    assert "anchors and aliases" in error.message


def test_load_yaml_refuses_too_many_values() -> None:
    text = "items:\n" + "".join(f"  - {n}\n" for n in range(MAX_NODES + 1))
    error = _error(load_yaml(PATH, text))
    assert f"more than {MAX_NODES} values" in error.message


def test_load_yaml_refuses_deep_nesting() -> None:
    error = _error(load_yaml(PATH, "a: " + "[" * 40 + "]" * 40 + "\n"))
    assert "nested more than" in error.message


def test_load_yaml_refuses_an_oversized_text() -> None:
    error = _error(load_yaml(PATH, "a: " + "x" * MAX_FILE_BYTES))
    assert f"the limit is {MAX_FILE_BYTES}" in error.message


def test_load_yaml_refuses_a_duplicate_key() -> None:
    error = _error(load_yaml(PATH, "title: a\ndate: 2019-01-01\ntitle: b\n"))
    assert error.line == 3
    assert "appears twice (first on line 1)" in error.message


def test_load_yaml_refuses_a_non_text_key() -> None:
    error = _error(load_yaml(PATH, "title: a\n2019: b\n"))
    assert error.line == 2
    assert "the key '2019' must be a word" in error.message


def test_load_yaml_refuses_a_list_at_the_top() -> None:
    error = _error(load_yaml(PATH, "- a\n- b\n"))
    assert "expected 'key: value' lines" in error.message


def test_load_yaml_adds_the_line_offset() -> None:
    error = _error(load_yaml(PATH, "a: 1\n  b: 2\n", line_offset=10))
    assert error.line == 12


def test_load_yaml_reads_plain_values() -> None:
    meta = load_yaml(PATH, "n: 3\nf: 1.5\nflag: true\nnothing:\nwhen: 2019-05-14T09:30:00\n")
    assert isinstance(meta, Located)
    assert dict(meta) == {"n": 3, "f": 1.5, "flag": True, "nothing": None, "when": "2019-05-14T09:30:00"}


def test_load_yaml_reads_only_true_and_false_as_booleans() -> None:
    meta = load_yaml(PATH, "country: NO\ndraft: yes\nonline: off\na: true\nb: False\n")
    assert isinstance(meta, Located)
    assert dict(meta) == {"country": "NO", "draft": "yes", "online": "off", "a": True, "b": False}


def test_split_front_matter_closes_at_the_first_fence_line_with_or_without_trailing_spaces() -> None:
    doc = _doc("---\ntitle: '---'\nsummary: x\n--- \t\nBody\n---\nmore\n")
    assert dict(doc.meta) == {"title": "---", "summary": "x"}
    assert (doc.body, doc.body_line) == ("Body\n---\nmore\n", 5)
    doc = _doc("---\ntitle: a\n...\nBody")
    assert (dict(doc.meta), doc.body, doc.body_line) == ({"title": "a"}, "Body", 4)


def test_split_front_matter_of_a_file_that_ends_at_the_closing_fence() -> None:
    doc = _doc("---\ntitle: a\n---")
    assert (doc.body, doc.body_line) == ("", 4)
    doc = _doc("---\n---")
    assert (dict(doc.meta), doc.meta.line, doc.body, doc.body_line) == ({}, 2, "", 3)


def test_split_front_matter_does_not_close_at_a_longer_dash_line() -> None:
    error = _error(split_front_matter(PATH, "---\ntitle: a\n----\n"))
    assert "never closed" in error.message


def test_load_yaml_keeps_the_lines_of_nested_values_and_the_types_of_plain_scalars() -> None:
    text = "title: T\nn: 0x1F\nf: -.inf\nz: ~\nq: 'yes'\nwhen: 2019-05-14\nperson:\n  name: N\n  roles: [a, {b: c}]\nlist:\n  - 1\n  -\n    k: v\n"
    meta = load_yaml(PATH, text, line_offset=1)
    assert isinstance(meta, Located)
    assert dict(meta) == {
        "title": "T", "n": 31, "f": float("-inf"), "z": None, "q": "yes", "when": "2019-05-14",
        "person": {"name": "N", "roles": ["a", {"b": "c"}]}, "list": [1, {"k": "v"}],
    }  # fmt: skip
    assert (meta.line, meta.line_of("person"), meta["person"].line, meta["person"].line_of("roles")) == (2, 8, 9, 10)
    roles = meta["person"]["roles"]
    assert isinstance(roles, LocatedList) and (roles.line, roles.lines, roles[1].line) == (10, [10, 10], 10)
    assert (meta["list"].line, meta["list"].lines, meta["list"][1].line_of("k")) == (12, [12, 14], 14)


def test_load_yaml_refuses_a_second_document_and_a_list_as_key() -> None:
    assert "(but found another document)" in str(_error(load_yaml(PATH, "a: 1\n---\nb: 2\n")))
    assert "must be a word" in _error(load_yaml(PATH, "? [a, b]\n: 1\n")).message


# What a hostile file is refused with: eccpsite's own message at the line where the limit is passed,
# before libyaml's own limits (worded by libyaml, and different from one release to the next) can speak.
_ALIASES = "anchors and aliases (&name / *name) are not allowed; write the value out"
_DEEP = f"values are nested more than {MAX_DEPTH} levels deep"
_LIMITS = {
    "200,000 nested brackets": ("title: Deep\nextra: " + "[" * 200_000 + "]" * 200_000 + "\n", 2, _DEEP),
    "100,000 nested mappings": ("title: Deep\nextra: " + "{a: " * 100_000 + "1" + "}" * 100_000 + "\n", 2, _DEEP),
    "10,000 aliases": ("title: &t Bomb\n" + "".join(f"k{i}: *t\n" for i in range(10_000)), 1, _ALIASES),
    "10,000 aliases in a list": ("a: &t x\nb: [" + "*t, " * 10_000 + "]\n", 1, _ALIASES),
    "a 2 MB file": ('title: "' + "x" * 2_000_000 + '"\n', 1, f"the file is 2000010 bytes; the limit is {MAX_FILE_BYTES} bytes"),
    "300,000 values": ("a: [" + "1, " * 300_000 + "1]\n", 1, f"the file has more than {MAX_NODES} values; split it up"),
}


@pytest.mark.parametrize("name", sorted(_LIMITS))
def test_load_yaml_speaks_before_libyaml_on_hostile_sizes(name: str) -> None:
    text, line, message = _LIMITS[name]
    error = _error(load_yaml(PATH, text))
    assert yaml.__with_libyaml__, "the lock installs PyYAML with libyaml: these limits must be met on the C parser"
    assert (error.line, error.message) == (line, message)


def test_load_yaml_does_not_count_brackets_in_text_comments_or_quotes() -> None:
    deep = "[" * 30
    text = f"title: see {deep} C# {deep}\nsummary: '{deep} it''s'\nq: \"{deep} \\\" {deep}\"\nr: x # {deep}\ntags: [a, [b]]\n"
    assert not isinstance(load_yaml(PATH, text), ContentError)
