"""What a build is asked to do: the options of ``eccpsite build``, ``check`` and ``serve``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BuildOptions:
    """The options of a build, as the command line gives them."""

    now: str | None = None  # --now (a date or datetime); else SOURCE_DATE_EPOCH; else the clock
    drafts: bool = False
    strict: bool = False
    pdf: bool = True  # False with --no-pdf: PDF editions are skipped (their images are still checked)
