"""Item files parsed partly by a forked worker give what one process gives: items, errors, their order, unparsed refs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import write_site

SCRIPT = """
import sys
from pathlib import Path
from eccpsite import content
from eccpsite.reader import read_sources

def canon(value):
    # a value with the lines that Located and LocatedList carry, which their repr leaves out
    if isinstance(value, dict):
        return [type(value).__name__, getattr(value, "line", None), [(k, getattr(value, "lines", {}).get(k), canon(v)) for k, v in value.items()]]
    if isinstance(value, list):
        return [type(value).__name__, getattr(value, "line", None), getattr(value, "lines", None), [canon(v) for v in value]]
    return repr(value)

content.PARALLEL_FILES = int(sys.argv[2])
sources = read_sources(Path(sys.argv[1]))
files = sum(len(kind_sources) for kind_sources in sources.items.values())
parsed = content.parse_content(sources)
print("pool" if content.may_fork(files) else "serial")
print(repr(parsed.config))
for item in parsed.items:
    print(repr(item), canon(item.extra))
for edition in parsed.editions:
    print(repr(edition))
for error in parsed.errors:
    print(repr(error))
print(sorted(parsed.unparsed))
"""


def _news(number: int) -> str:
    extra = f"extra: {{sponsor: {{name: S{number}, tiers: [gold, {number}]}}}}\n" if number % 5 == 0 else ""
    front = f"---\ntitle: News number {number}\ndate: 2019-06-{number % 28 + 1:02d}\ntags: [t{number % 3}]\n{extra}---\n"
    return front + f"Text of item {number}.\r\n\nMore text.\n"


def _site(root: Path) -> Path:
    files: dict[str, str | bytes] = {f"content/news/2019-06-01-n{n:02d}.md": _news(n) for n in range(40)}
    event = "---\ntitle: Days {n}\nstart: 2019-10-{n:02d}T09:30\nlocation: {{city: Iasi, country: RO}}\n---\nMeet.\n"
    files |= {f"content/events/days-{n}.md": event.format(n=n) for n in range(1, 9)}
    files |= {
        "content/news/bad-yaml.md": "---\ntitle: [unclosed\ndate: 2019-06-01\n---\n",
        "content/news/bad-date.md": "---\ntitle: Bad\ndate: 2019-02-30\nslug: own-slug\n---\n",
        "content/news/no-front-matter.md": "Just text.\n",
        "content/news/bom.md": "\ufeff---\ntitle: Byte order mark\ndate: 2019-06-01\n---\nBody after a BOM.\n",
        "content/news/no-body.md": "---\ntitle: No body\ndate: 2019-06-01\n---",
        "content/news/alias.md": "---\ntitle: &a x\nsummary: *a\ndate: 2019-06-01\n---\n",
        "content/news/control.md": "---\ntitle: Control\ndate: 2019-06-01\n---\nA \x0c form feed.\n",
        "content/events/ends-first.md": "---\ntitle: E\nstart: 2019-05-14\nend: 2019-05-13\n---\n",
        "content/calls/call.md": "---\ntitle: Call\ndeadlines: [{date: 2019-10-01, label: first}]\n---\nApply.\n",
        "content/interviews/i.md": "---\ntitle: I\ndate: 2019-06-01\nperson: {name: N, country: UK}\n---\n",
        "content/pages/about.md": "---\ntitle: About\nmenu: 2\n---\nAbout us.\n",
        "content/newsletter/2019-07.yaml": "number: 1\ndate: 2019-07-01\ntitle: July\nsections:\n  - title: News\n    items: [news/n01]\n",
    }
    return write_site(root, files)


def test_content_parallel_parse_equals_serial_parse(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")

    def run(threshold: int) -> list[str]:
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        done = subprocess.run([sys.executable, "-c", SCRIPT, str(site), str(threshold)], capture_output=True, text=True, check=True, env=env)
        return done.stdout.splitlines()

    parallel, serial = run(1), run(10_000)
    assert (parallel[0], serial[0]) == ("pool", "serial")
    assert parallel[1:] == serial[1:]
    lines = "\n".join(serial)
    assert "content/news/bad-yaml.md" in lines and "2019-02-30 is not a real date" in lines and "U+000C" in lines
    assert "'news/own-slug'" in serial[-1] and "'news/no-front-matter'" in serial[-1]
    assert "['dict', None, [('sponsor', None, ['Located', 5, [('name', 5, \"'S0'\"), ('tiers', 5, ['LocatedList', 5, [5, 5]," in lines
    assert "body='Body after a BOM.\\n'" in lines and "body='Text of item 39.\\n\\nMore text.\\n'" in lines
    assert sum(line.startswith("News(") for line in serial) == 42
