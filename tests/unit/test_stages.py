"""Stages declare what they come after, how they are reused and when the dev server makes them; the order of a
run is checked once against those declarations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from eccpsite import build
from eccpsite.outputs import pages, render
from eccpsite.outputs.render import WHOLE, Output, Renderer, declare, declared


@declare(after=("render_feeds",))
def render_after_feeds(r: Renderer) -> Iterator[Output]:
    yield from ()


def test_a_stage_placed_before_a_stage_it_reads_is_refused() -> None:
    with pytest.raises(AssertionError, match=r"render_after_feeds must come after \['render_feeds'\]"):
        render.check_order([render_after_feeds, pages.render_feeds])
    assert render.check_order([pages.render_feeds, render_after_feeds]) == [pages.render_feeds, render_after_feeds]


def test_the_build_s_stages_are_in_an_order_their_declarations_allow() -> None:
    stages = build.build_stages(Path("."), [], build.BuildOptions(pdf=False))
    assert render.check_order(stages) == stages
    names = [s.__name__ for s in stages]
    assert names.index("render_edition_pdfs") < names.index("render_feeds") < names.index("render_redirects")


def test_declarations_say_what_the_dev_server_makes_on_request_and_what_is_kept_whole() -> None:
    stages = build.build_stages(Path("."), [], build.BuildOptions(pdf=False))
    on_request = {"render_feeds", "render_country_calendars", "render_calendars", "render_email_editions", "render_admin"}
    assert {s.__name__ for s in stages if declared(s).on_request} == on_request
    assert [s.__name__ for s in stages if declared(s).reuse == WHOLE] == ["render_country_calendars", "render_calendars"]
    assert [s.__name__ for s in stages if declared(s).items] == ["render_items"]
