"""``python -m eccpsite`` and the ``eccpsite`` script: the command line of :mod:`eccpsite.cli`.

The CLI is loaded inside the guard: loading it (Jinja2, Python-Markdown, the
whole pipeline) takes a moment, and a Ctrl-C then ends as one while a command
runs does — one line and exit 130, never a traceback.
"""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130


def run() -> None:
    """Console-script entry point."""
    try:
        from eccpsite.cli import run as run_command
    except KeyboardInterrupt:
        print("eccpsite: interrupted", file=sys.stderr)
        raise SystemExit(EXIT_INTERRUPTED) from None
    run_command()


if __name__ == "__main__":
    run()
