"""inline_gate.py: gated inline walks give exactly Python-Markdown's output, and gate only the patterns they were checked against."""

from __future__ import annotations

from pathlib import Path

import hypothesis_profiles
import markdown
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from markdown.inlinepatterns import SimpleTagInlineProcessor

from eccpsite.core.markup.inline_gate import GatedInlineProcessor, gate
from eccpsite.core.markup.markdown import _renderer

assert hypothesis_profiles.PROFILE in hypothesis_profiles.PROFILES

ROOT = Path(__file__).resolve().parents[2]

# Every character and sequence an inline pattern starts from, and what sits next to them.
PIECES = [
    "word", "Word", "1980", "80s", " ", "  ", "\n", "  \n", "\n\n", "\t", "(", ")", "[", "]", "{", "}", "!", "?", ".", "..", "...",
    "....", ",", ";", ":", "-", "--", "---", "----", "–", "—", "'", '"', "''", '""', "'\"", "\"'", "`", "``", "\\", "\\'", '\\"',
    "\\*", "*", "**", "***", "_", "__", "<", ">", "<<", ">>", "&", "&amp;", "&nbsp;", "&mdash;", "&#8211;", "&copy", "#", "|",
    "[x](http://example.org/)", "[x][r]", "[r]", "[r]: http://example.org/", "![i](/media/x.png)", "![i][r]", "<http://a.eu>",
    "<a@b.eu>", "<b>", "</b>", "<!-- c -->", "[^1]", "[^1]: note", "* ", "1. ", "> ", "    code", "```", "|---|---|", "é", "’",
]  # fmt: skip
markdowns = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


def _plain() -> markdown.Markdown:
    md = _renderer(gated=False)
    assert not any(isinstance(walk, GatedInlineProcessor) for walk in md.treeprocessors)
    return md


GATED = _renderer()
PLAIN = _plain()


def _convert(md: markdown.Markdown, source: str) -> str:
    md.reset()
    return md.convert(source)


def test_gate_gates_both_walks_with_the_installed_python_markdown() -> None:
    # Fails when a Python-Markdown upgrade changes a pattern: the build stays right (the walk is left
    # ungated) but slower, so NEEDS and CHECKED must be read again from the new patterns.
    gated = [name for name in ("inline", "smarty") if isinstance(GATED.treeprocessors[name], GatedInlineProcessor)]
    assert gated == ["inline", "smarty"]


@given(source=markdowns)
@example(source="It's the '80s -- \"quoted\"... and `code's` *em* [a](http://example.org/) &amp; <b>x</b>  \nend")
def test_gated_walks_render_exactly_as_python_markdown(source: str) -> None:
    assert _convert(GATED, source) == _convert(PLAIN, source)


def test_gated_walks_render_the_projects_content_exactly_as_python_markdown() -> None:
    files = sorted(ROOT.glob("content/**/*.md"))
    assert files
    for path in files:
        source = path.read_text(encoding="utf-8")
        assert _convert(GATED, source) == _convert(PLAIN, source), path


def test_gate_leaves_a_walk_with_other_patterns_ungated() -> None:
    md = _renderer(gated=False)
    md.inlinePatterns.register(SimpleTagInlineProcessor(r"()%%(.+?)%%", "mark"), "mark", 65)
    assert gate(md) == ["smarty"]
    assert _convert(md, "a %%b%% c") == "<p>a <mark>b</mark> c</p>"


def test_gate_leaves_walks_configured_differently_ungated() -> None:
    # Without footnotes the inline walk lacks a pattern; angled quotes add smarty patterns and change the html one.
    md = markdown.Markdown(extensions=["smarty"], extension_configs={"smarty": {"smart_angled_quotes": True}})
    assert gate(md) == []
    assert "&laquo;" in _convert(md, "<<word>>")


@pytest.mark.parametrize(
    ("walk", "needed"),
    [("inline", ["`", "\\", "[", "<", "&", "*", "_", "  \n"]), ("smarty", ["'", '"', "--", "..."])],
)
def test_gate_skips_only_text_without_any_needed_character(walk: str, needed: list[str]) -> None:
    processor = GATED.treeprocessors[walk]
    assert isinstance(processor, GatedInlineProcessor)
    for text in needed:
        assert processor.needed.search(f"plain {text} prose"), text
    assert processor.needed.search("plain prose, with: punctuation; (brackets) - and digits 1980.\n") is None


def test_gated_walks_try_only_the_patterns_whose_characters_a_text_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 22: text that passes a walk's gate meets only the patterns it can match (an apostrophe: at most smarty's six patterns for ')."""
    from markdown.treeprocessors import InlineProcessor

    tried: list[str] = []
    original = InlineProcessor._InlineProcessor__applyPattern  # type: ignore[attr-defined]

    def counting(self: InlineProcessor, pattern: object, data: str, index: int, start: int = 0) -> object:
        tried.append(type(pattern).__name__ + ":" + getattr(pattern, "compiled_re", pattern.getCompiledRegExp()).pattern)  # type: ignore[attr-defined]
        return original(self, pattern, data, index, start)

    monkeypatch.setattr(InlineProcessor, "_InlineProcessor__applyPattern", counting)
    md = _renderer()
    assert _convert(md, "The cluster's members met.") == "<p>The cluster&rsquo;s members met.</p>"
    assert 0 < len(tried) <= 6 and all("'" in entry for entry in tried), tried  # of 34
    tried.clear()
    assert _convert(md, "See [the map](http://example.org/).") == '<p>See <a href="http://example.org/">the map</a>.</p>'
    assert tried and all("\\[" in entry for entry in tried), tried  # footnote, reference, link: the ones that start from [
