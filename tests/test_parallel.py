"""Item pages and calendars made by forked workers are the ones made in one process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import COUNT_POOLS, write_site

SCRIPT = (
    """
import sys
from pathlib import Path
from eccpsite.outputs import site as render_site_module
from eccpsite.build import BuildOptions, build_outputs

"""
    + COUNT_POOLS
    + """
render_site_module.PARALLEL_ITEMS = int(sys.argv[2])
result = build_outputs(Path(sys.argv[1]), BuildOptions(now="2019-09-16", pdf=False))
print("pool" if pooled else "serial")
for out in sorted(result.outputs, key=lambda o: o.url):
    sys.stdout.buffer.write(out.url.encode() + b"\\0" + out.data + b"\\0")
"""
)


EVENT = "---\ntitle: Cluster days {n}\nstart: 2019-10-{n:02d}T09:30\nlocation: {{city: Bucharest, country: RO}}\ntags: [t1]\n---\nMeetings.\n"


def _news(number: int) -> str:
    front = f"---\ntitle: News number {number}\ndate: 2019-06-{number % 28 + 1:02d}\ntags: [t{number % 3}]\n---\n"
    return front + f"Text of item {number}, with a note.[^1]\n\n[^1]: The note.\n"


def test_parallel_item_pages_equal_serial_ones(tmp_path: Path) -> None:
    files = {f"content/news/2019-06-01-n{n}.md": _news(n) for n in range(40)}
    files |= {f"content/events/days-{n}.md": EVENT.format(n=n) for n in range(1, 6)}
    site = write_site(tmp_path / "site", files)

    def run(threshold: int) -> tuple[str, bytes]:
        done = subprocess.run([sys.executable, "-c", SCRIPT, str(site), str(threshold)], capture_output=True, check=True)
        mode, _, outputs = done.stdout.partition(b"\n")
        return mode.decode(), outputs

    parallel, serial = run(1), run(10_000)
    assert (parallel[0], serial[0]) == ("pool", "serial")
    assert parallel[1] == serial[1]
    assert b"/news/n39/" in parallel[1] and b"/events/days-5/event.ics" in parallel[1]
