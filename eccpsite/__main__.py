"""``python -m eccpsite``: the same command line as the ``eccpsite`` script."""

from eccpsite.cli import run

if __name__ == "__main__":
    run()
