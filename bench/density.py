"""How much inline markup a Markdown text holds: the measure behind the benchmark's realistic corpus (issue 22).

``python bench/density.py [FOLDER]`` prints the density of the Markdown files
under FOLDER (default: the repository's ``content/``), per 100 words, for each
kind of inline markup Python-Markdown has to find: links, emphasis, strong,
inline code, quotations, footnote references and superscripts, and, because
smarty's walk starts from them too, apostrophes and dashes. It also gives the
share of paragraphs that hold a character some inline pattern starts from
(``[ ` * _ < & \\ ' "``, two dashes, three dots): the text the inline gate
(``eccpsite.core.markup.inline_gate``) cannot skip.

The counts are made on the Markdown source, front matter left out, code
blocks left in (the real content has none).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

WORD = re.compile(r"[A-Za-zÀ-ž0-9]+")
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)

# What each kind looks like in Markdown source (Python-Markdown's syntax, as editors write it).
MARKUP: dict[str, re.Pattern[str]] = {
    "links": re.compile(r"(?<!!)\[[^\]\n]+\]\([^)\n]+\)|(?<!!)\[[^\]\n^]+\]\[[^\]\n]*\]|<https?://[^>\s]+>"),
    "emphasis": re.compile(r"(?<![*\w])\*(?![*\s])[^*\n]+?(?<![*\s])\*(?![*\w])|(?<![_\w])_(?![_\s])[^_\n]+?(?<![_\s])_(?![_\w])"),
    "strong": re.compile(r"\*\*(?!\s)[^*\n]+?(?<!\s)\*\*|__(?!\s)[^_\n]+?(?<!\s)__"),
    "inline code": re.compile(r"`[^`\n]+`"),
    "quotes": re.compile(r"\"[^\"\n]+\"|“[^”\n]+”|(?<!\w)'[^'\n]+'(?!\w)|‘[^’\n]+’"),
    "footnotes": re.compile(r"\[\^[^\]\n]+\](?!:)"),
    "superscripts": re.compile(r"<sup>"),
    "apostrophes": re.compile(r"(?<=\w)['’](?=\w)"),
    "dashes": re.compile(r"--|—|–"),
}
KINDS = tuple(MARKUP)
# The kinds the issue asks the corpus to match: the others are reported, not targeted.
TARGETED = ("links", "emphasis", "strong", "inline code", "quotes", "footnotes", "superscripts")
GATED = re.compile(r"[\[`*_<&\\'\"]|--|\.\.\.")  # a character some inline or smarty pattern starts from (inline_gate.NEEDS)


def body(text: str) -> str:
    """The Markdown of a content file, without its front matter."""
    return FRONT_MATTER.sub("", text, count=1)


def words(text: str) -> int:
    """The words of a text, as the benchmark counts them."""
    return len(WORD.findall(text))


def paragraphs(text: str) -> list[str]:
    """The blocks of a Markdown text (split at blank lines), footnote definitions and table rulers left out."""
    return [block for block in re.split(r"\n\s*\n", text) if block.strip() and not block.startswith("[^")]


def density(texts: Iterable[str]) -> dict[str, float]:
    """Per 100 words of ``texts`` (Markdown bodies), how many of each kind of markup; ``words`` and ``gated paragraphs``
    (the share, in %, of paragraphs holding a character the inline gate lets through) besides."""
    counts = dict.fromkeys(KINDS, 0)
    total = blocks = gated = 0
    for text in texts:
        total += words(text)
        for kind, pattern in MARKUP.items():
            counts[kind] += len(pattern.findall(text))
        found = paragraphs(text)
        blocks += len(found)
        gated += sum(1 for block in found if GATED.search(block))
    per = {kind: 100 * count / total if total else 0.0 for kind, count in counts.items()}
    return {**per, "words": float(total), "gated paragraphs": 100 * gated / blocks if blocks else 0.0}


def content_bodies(folder: Path) -> list[str]:
    """The Markdown bodies of the content files under ``folder``, in name order."""
    return [body(path.read_text(encoding="utf-8")) for path in sorted(folder.rglob("*.md"))]


def real_density(folder: Path = REPO / "content") -> dict[str, float]:
    """The density of the real content (the repository's ``content/`` unless told otherwise)."""
    return density(content_bodies(folder))


def table(columns: Mapping[str, Mapping[str, float]]) -> list[str]:
    """A Markdown table: a row per kind of markup, a column per measured corpus."""
    names = list(columns)
    lines = ["| per 100 words | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for kind in KINDS:
        lines.append(f"| {kind}{'' if kind in TARGETED else ' (not targeted)'} | " + " | ".join(f"{columns[n][kind]:.2f}" for n in names) + " |")
    lines.append("| paragraphs the gate cannot skip | " + " | ".join(f"{columns[n]['gated paragraphs']:.0f} %" for n in names) + " |")
    lines.append("| words measured | " + " | ".join(f"{columns[n]['words']:,.0f}" for n in names) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else REPO / "content"
    print("\n".join(table({str(folder): real_density(folder)})))
    return 0


if __name__ == "__main__":
    sys.exit(main())
