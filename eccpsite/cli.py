"""The command line: ``eccpsite build | serve | check | new | import``.

Exit codes: 0 success, 1 content errors (and a build the machine stopped: a
full disk, a read-only or forbidden folder, named in one line), 2 usage errors,
3 another build is running (``build --no-wait``), 130 interrupted (Ctrl-C, or
SIGTERM/SIGHUP). Content errors are printed as ``path:line: field: message``;
no traceback reaches an editor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from eccpsite import __version__, scaffold
from eccpsite.core.errors import BuildFailed, ContentError, SearchIndexFailed, UsageError
from eccpsite.core.options import BuildOptions
from eccpsite.edges.buildlock import Busy
from eccpsite.edges.clock import Timings
from eccpsite.edges.folder_swap import OutputRefused
from eccpsite.uptodate import BUILT, RESTORED, UP_TO_DATE, build_if_changed

if TYPE_CHECKING:
    from eccpsite.outputs.redirects import Redirect

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_BUSY, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"eccpsite: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="eccpsite", description="Build the ECCP website, feeds, calendars and newsletter editions.")
    parser.add_argument("--version", action="version", version=f"eccpsite {__version__}")
    parser.add_argument("--project", type=Path, help="the project folder (default: the folder with site.yaml holding the current folder)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    b = sub.add_parser("build", help="build the site into build/")
    b.add_argument("--now", help="build as if it were this date or datetime (statuses of calls and events)")
    b.add_argument("--drafts", action="store_true", help="include drafts")
    b.add_argument("--strict", action="store_true", help="treat warnings as errors")
    b.add_argument("--output", type=Path, help="output folder (default: build/ in the project)")
    b.add_argument("--no-pdf", dest="pdf", action="store_false", help="skip the PDF editions (a quicker preview)")
    b.add_argument("--timings", action="store_true", help="say how long each stage of the build took")
    b.add_argument("--no-wait", dest="wait", action="store_false", help="fail at once (exit 3) if another build of it is running")
    c = sub.add_parser("check", help="validate content and links; writes nothing")
    c.add_argument("--now")
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")
    c.add_argument("--external", action="store_true", help="also check links to other websites (needs the network)")
    c.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for each external link (default: 10)")
    s = sub.add_parser("serve", help="build in memory, serve on localhost, rebuild on save and reload the browser")
    s.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000; 0 picks a free one)")
    s.add_argument("--now", help="serve as if it were this date or datetime")
    s.add_argument("--drafts", action="store_true", help="include drafts")
    s.add_argument("--host", action="append", default=[], metavar="NAME", help="also answer requests for this host name (a proxy, an alias of this machine)")
    j = sub.add_parser("schema", help="write JSON Schemas of the front matter, editions and site.yaml for editors' tools")
    j.add_argument("--output", type=Path, help="folder to write them to (default: schemas/ in the project)")
    i = sub.add_parser("import", help="bring an existing site in: items of a Hugo or Jekyll site, a WordPress export, a feed")
    i.add_argument("source", choices=["hugo", "jekyll", "wordpress", "feed"], help="what the old site is")
    i.add_argument("path", type=Path, help="the Hugo or Jekyll site's folder, the WordPress export (WXR .xml) or the RSS/Atom file")
    i.add_argument("--kind", choices=["news", "events", "pages"], default="news", help="what its posts become (default: news)")
    i.add_argument("--section", help="hugo: import only this section (content/<section>/)")
    i.add_argument("--media", type=Path, help="wordpress, feed: a folder with the old site's files (wp-content/uploads), to copy images from")
    n = sub.add_parser("new", help="start a new item, page or newsletter edition")
    n.add_argument("kind", choices=[*scaffold.commands(), scaffold.EDITION])
    n.add_argument("title")
    return parser


def find_project(start: Path) -> Path:
    """The project folder holding ``start``, as a path relative to ``start`` ("." or "../.."): the nearest folder,
    from ``start`` up, with a ``site.yaml``; else ``start`` itself (the build then says site.yaml is missing).

    Every command runs from any subfolder of the project (``content/news/``
    too), as git does.
    """
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / "site.yaml").is_file():
            return Path(os.path.relpath(folder, here))  # relative: messages name folders as short as they were
    return Path(".")


def _report(errors: list[ContentError], warnings: tuple[ContentError, ...] | list[ContentError] = ()) -> None:
    for warning in warnings:
        print(warning, file=sys.stderr)
    for error in errors:
        print(error, file=sys.stderr)
    if errors:
        print(f"{len(errors)} error(s); nothing was written, the previous output is unchanged.", file=sys.stderr)


def moved_lines(moved: tuple[Redirect, ...]) -> list[str]:
    """What the summary says of the old addresses of renamed items: each, and where it leads now."""
    if not moved:
        return []
    head = f"{len(moved)} old address(es) of renamed files lead to the new ones (build/_redirects):"
    return [head, *(f"  {r.old} -> {r.new}  ({r.former} is now {r.path})" for r in moved)]


def repaired_line(output: Path, paths: tuple[str, ...], shown: int = 3) -> str:
    """What the summary says of files of the output changed by hand since the last build (the build puts them back)."""
    names = ", ".join(paths[:shown]) + (f" and {len(paths) - shown} more" if len(paths) > shown else "")
    return f"{len(paths)} file(s) of {output} were removed, added or edited since the last build ({names}): built again"


def timings_table(timings: Timings, total: float) -> str:
    """The stages of a build with their wall-clock and CPU seconds, one per line, and the whole build's time."""
    width = max(len(name) for name, _, _ in [*timings.stages, ("stage", 0.0, 0.0)])
    lines = [f"{'stage':<{width}}  {'wall':>8}  {'CPU':>8}"]
    lines += [f"{name:<{width}}  {wall:>6.2f} s  {cpu:>6.2f} s" for name, wall, cpu in timings.stages]
    lines.append(f"{'the whole build':<{width}}  {total:>6.2f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    project: Path = args.project or find_project(Path.cwd())  # relative to the current folder
    try:
        if args.command == "build":
            output = args.output or project / "build"
            options = BuildOptions(now=args.now, drafts=args.drafts, strict=args.strict, pdf=args.pdf)
            done = build_if_changed(project, output, options, wait=args.wait, notice=_say)
            if done.how == UP_TO_DATE:
                print(f"{output} is up to date: nothing changed since the last build ({done.seconds:.2f} s)")
            else:
                _report([], done.warnings)
            if done.repaired:
                print(repaired_line(output, done.repaired))
            if done.how == RESTORED:
                print(f"nothing changed since the last build: its {done.files} files, kept in .cache/, are now in {output} ({done.seconds:.2f} s)")
            elif done.how == BUILT:
                reused = f" ({done.result.reused} unchanged pages taken from the last build)" if done.result and done.result.reused else ""
                print(f"built {done.files} files into {output} in {done.seconds:.2f} s{reused}")
                for line in moved_lines(done.result.moved if done.result else ()):
                    print(line)
            if args.timings and done.timings is not None:
                print(timings_table(done.timings, done.seconds))
            return EXIT_OK
        if args.command == "check":
            from eccpsite.build import build_outputs

            result = build_outputs(project, BuildOptions(now=args.now, strict=args.strict, pdf=False))
            _report([], result.warnings)
            if args.external:
                from eccpsite.check import check_external

                sources = {result.site.url(i): i.path for i in result.site.items}
                asked, problems = check_external(result.outputs, sources, timeout=args.timeout)
                if args.strict and problems:
                    _report([ContentError(p.path, p.line, p.field, p.message) for p in problems])
                    return EXIT_CONTENT
                _report([], problems)
                print(f"{asked} external links checked, {len(problems)} problem(s)")
            for line in moved_lines(result.moved):
                print(line)
            print(f"no errors ({len(result.site.items)} items, {len(result.site.editions)} editions, {len(result.warnings)} warnings)")
            return EXIT_OK
        if args.command == "serve":
            from eccpsite.serve.server import serve

            return serve(project, BuildOptions(now=args.now, drafts=args.drafts, pdf=False), args.port, tuple(args.host))
        if args.command == "schema":
            from eccpsite.outputs.editor_schema import write_schemas

            written = write_schemas(args.output or project / "schemas")
            print(f"wrote {len(written)} JSON Schemas into {written[0].parent}: {', '.join(p.name for p in written)}")
            return EXIT_OK
        if args.command == "import":
            from eccpsite.importers import ImportFailed, ImportInterrupted, run_import

            try:
                report = run_import(project, args.source, args.path, args.kind, args.section, args.media)
            except ImportFailed as exc:
                print(f"eccpsite: {exc}", file=sys.stderr)
                return EXIT_USAGE
            except ImportInterrupted as stopped:
                print(f"eccpsite: interrupted; {stopped.line()}", file=sys.stderr)
                return EXIT_INTERRUPTED
            except KeyboardInterrupt:  # while the old site was read, before anything was written
                print("eccpsite: interrupted; nothing was written", file=sys.stderr)
                return EXIT_INTERRUPTED
            _print_out("\n".join(report.lines()))
            return EXIT_OK
        if args.command == "new":
            path = scaffold.new_item(project, args.kind, args.title, dt.date.today())
            print(f"created {os.path.relpath(path)}")
            return EXIT_OK
    except BuildFailed as failed:
        _report(failed.errors, failed.warnings)
        return EXIT_CONTENT
    except SearchIndexFailed as exc:
        print(f"eccpsite: {exc}; nothing was written, the previous output is unchanged.", file=sys.stderr)
        return EXIT_CONTENT
    except (OutputRefused, UsageError, FileExistsError) as exc:  # FileExistsError: `new` would overwrite an item
        print(f"eccpsite: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Busy as exc:
        print(f"eccpsite: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except KeyboardInterrupt:
        print("eccpsite: interrupted" + ("; the output folder holds the last complete build" if args.command == "build" else ""), file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:  # the machine stopped the build: a full disk, a read-only or forbidden folder ...
        print(f"eccpsite: {system_error(exc)}; nothing was written, the previous output is unchanged.", file=sys.stderr)
        return EXIT_CONTENT
    except Exception as exc:  # a bug of eccpsite: say so in one line, never with a traceback (ECCPSITE_DEBUG=1 shows it)
        if os.environ.get("ECCPSITE_DEBUG"):
            raise
        print(f"eccpsite: internal error ({type(exc).__name__}: {exc}); nothing was written. This is a bug of eccpsite,", file=sys.stderr)
        print("not of your content: please report it with the command you ran (ECCPSITE_DEBUG=1 shows the details).", file=sys.stderr)
        return EXIT_CONTENT
    return EXIT_USAGE


def _print_out(text: str) -> None:
    """Print a command's report; when the reader of standard output went away (``| head``), the work is done all the
    same: the rest of the report is dropped quietly instead of ending in a "broken pipe" that says nothing was written."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python flushes stdout again on exit: let that go nowhere
        os.close(devnull)


# What to do about each error the machine may stop a build with, by errno.
_ADVICE = {
    errno.ENOSPC: "free some space, or build elsewhere with --output",
    errno.EDQUOT: "free some space, or build elsewhere with --output",
    errno.EROFS: "the file system is read-only: build elsewhere with --output",
    errno.EACCES: "check the folder's permissions, or build elsewhere with --output",
    errno.EPERM: "check the folder's permissions, or build elsewhere with --output",
    errno.ENOTDIR: "a part of that path is a file, not a folder: choose another --output",
    errno.EBUSY: "a mount point cannot be replaced: build into a folder inside it with --output",
    errno.EXDEV: "a mount point cannot be replaced: build into a folder inside it with --output",
}


def system_error(exc: OSError) -> str:
    """One line for an error of the operating system: the path, the cause and what to do."""
    where = f"{exc.filename}: " if exc.filename else ""
    cause = exc.strerror or str(exc)
    advice = _ADVICE.get(exc.errno or 0)
    return f"{where}{cause}" + (f" ({advice})" if advice else "")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


_ENDINGS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)  # Ctrl-C, a CI job cancelled, a terminal closed


def _end_on_signals() -> None:
    """SIGTERM and SIGHUP end a build as Ctrl-C does: its staging folder removed, its child processes ended, one
    line and exit 130 (by default Python would just die)."""
    for number in _ENDINGS[1:]:
        signal.signal(number, _interrupt)


def _ignore_signals() -> None:
    """The command is over: a Ctrl-C or SIGTERM now has nothing left to stop. Python would die of it while exiting
    (it gives SIGINT back to the system after flushing stdout, so the last line printed was the signal's cue), with
    no message and the signal's status instead of the command's."""
    for number in _ENDINGS:
        signal.signal(number, signal.SIG_IGN)


def run() -> None:
    """Console-script entry point."""
    _end_on_signals()
    try:
        code = main()
        _ignore_signals()
    except KeyboardInterrupt:  # between two steps main() guards (its arguments read, its message printed)
        _ignore_signals()
        print("eccpsite: interrupted", file=sys.stderr)
        code = EXIT_INTERRUPTED
    raise SystemExit(code)
