"""The engine's store in memory, for the dev server: each page's bytes and context, and whole stages carried over.

The dev server keeps the last good build in memory (eccpsite.serve.rebuild).
Its pages go through the same engine as a build's (eccpsite.incremental.engine:
same records, same question), kept here with their bytes and the context
they were made from. A save must show in tens of milliseconds at 10,000
items, so two shortcuts spare the engine's question for most pages:

- **a stage** whose reads are unchanged is not run at all: its outputs are
  the last build's (the pages it made are carried over with it);
- **items edited in place** (the usual save): a stage's pages are carried over
  without running it, and only those holding an edited item (the holders
  index, ref → urls) or reading what changed are made again, from their
  context with the edited items swapped in; the item pages of unchanged items
  are carried over in one pass.

Its first build has no memory to start from, so it looks the pages up in the
last build's kept output (a :class:`KeptOutput`): a page whose key and reads'
key are those recorded there is taken with its bytes, and kept as if made.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from eccpsite.core.errors import ContentError
from eccpsite.core.kinds import Item
from eccpsite.core.swap import refs_in, swap_items
from eccpsite.incremental.engine import Fingerprints, Record
from eccpsite.incremental.recording import Recorder, dependencies
from eccpsite.outputs import pages, render
from eccpsite.outputs.render import Output, Renderer, Reused

Reads = tuple[tuple[str, ...], bytes]  # what a record read, and their key


@dataclass(frozen=True, slots=True)
class Kept:
    """A page the dev server remembers: its record, what it was made from, and the items that holds (by ref)."""

    record: Record[Output]
    # (template, context) — for an item page taken from the kept output, (template, its inputs), which name its item
    # just as well (its page is made again from the item, never from this); None for files made by a function (Engine.files)
    context: tuple[str, dict[str, Any]] | None
    refs: frozenset[str]


@dataclass(frozen=True, slots=True)
class KeptStage:
    """A stage's outputs, carried over while its reads are unchanged."""

    reads: tuple[str, ...]
    reads_key: bytes
    outputs: tuple[Output, ...]
    pages: tuple[str, ...]  # the urls of its kept pages
    # the pages by what they read: a save asks the question once per distinct reads (8 for 16,000 item pages),
    # not once per page; a page is under its reads (and perhaps under reads it had before it was made again)
    page_reads: dict[Reads, frozenset[str]] = field(default_factory=dict, compare=False)
    position: dict[str, int] = field(default_factory=dict, compare=False)  # url → index in ``outputs``, of each page

    @classmethod
    def of(cls, reads: tuple[str, ...], reads_key: bytes, outputs: Sequence[Output], pages: tuple[str, ...], kept: dict[str, Kept]) -> KeptStage:
        """A stage just run: its pages' reads and places are gathered once, for the saves that patch it."""
        position = {output.url: index for index, output in enumerate(outputs)}
        groups: dict[Reads, set[str]] = {}
        for url in pages:
            if url in kept:
                groups.setdefault(_reads_of(kept[url]), set()).add(url)
        return cls(reads, reads_key, tuple(outputs), pages, {key: frozenset(urls) for key, urls in groups.items()}, position)


@dataclass
class Memory:
    """What one good build made, as the next one starts from (the engine's ``Store``: ``last`` is the build before)."""

    base: bytes = b""
    pages: dict[str, Kept] = field(default_factory=dict)
    stages: dict[str, KeptStage] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)  # url → item of each kept item page
    item_reads: set[Reads] = field(default_factory=set)  # what the item pages read
    item_editions: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # the editions listing each item
    editions: tuple[Any, ...] | None = None  # the site's editions item_editions was made from
    # ref → urls of the pages whose context holds that item; a superset (it may name pages made since without it,
    # or forgotten), kept up to date from one build to the next rather than rebuilt
    holders: dict[str, set[str]] = field(default_factory=dict)

    def forget(self, wanted: Callable[[tuple[str, ...]], bool]) -> None:
        """Drop every page and stage whose reads ``wanted`` picks."""
        self.pages = {url: p for url, p in self.pages.items() if not wanted(p.record.reads)}
        self.stages = {name: s for name, s in self.stages.items() if not wanted(s.reads)}
        self.items = {url: item for url, item in self.items.items() if url in self.pages}


class KeptOutput(Protocol):
    """The last build's records and files on disk (eccpsite.incremental.snapshot.KeptPages): what the dev server's
    first build takes pages from, its keys being a build's (its items are seeded: eccpsite.serve.rebuild)."""

    def last(self, url: str) -> Record[Any] | None: ...

    def read(self, url: str) -> bytes | None: ...


class MemoryStore:
    """The engine's store for one dev-server build: looks up the last build's pages, keeps this one's. With ``kept``
    (a first build), a page the memory does not hold is looked up there too."""

    def __init__(self, last: Memory, carry: bool = False, kept: KeptOutput | None = None) -> None:
        self.last_build = last
        self.kept = kept
        # ``carry``: items were edited in place, so this build makes the same pages as the last one; they start as
        # the last build's (one copy of the dict) and the pages made again replace theirs
        self.carried = carry
        self.new = Memory(pages=dict(last.pages) if carry else {}, holders=last.holders)
        self.stage_pages: list[str] = []  # the pages of the stage running, kept or reused
        self.fresh: dict[str, tuple[frozenset[str], frozenset[str]]] = {}  # url → refs before and after, of each page made
        self.taken: set[str] = set()  # the urls of the pages taken from ``kept`` (and not made again since)

    @property
    def base(self) -> bytes:
        return self.last_build.base

    def last(self, url: str) -> Record[Any] | None:
        kept = self.last_build.pages.get(url)
        if kept is not None:
            return kept.record
        return self.kept.last(url) if self.kept is not None else None

    def last_stage(self, name: str) -> list[Record[Output]]:
        return []  # stages are carried over whole by run_stage, ahead of the engine

    def reuse(self, record: Record[Any], made_of: Any = None) -> Output | None:
        known = self.last_build.pages.get(record.url)
        if known is None:  # the kept output's: its bytes, kept with what this build would make it of
            data = self.kept.read(record.url) if self.kept is not None else None
            if data is None:
                return None
            output = self.keep(Record(record.url, record.key, record.reads, record.reads_key, Output(record.url, data)), made_of)
            self.taken.add(record.url)
            return output
        self.new.pages[record.url] = known
        self.stage_pages.append(record.url)
        made: Output = known.record.made
        return made

    def keep(self, record: Record[Output], context: Any) -> Output:
        self.taken.discard(record.url)
        before = self.last_build.pages.get(record.url)
        kept = self.new.pages[record.url] = Kept(record, context, frozenset(refs_in(context)))
        self.fresh[record.url] = (before.refs if before is not None else frozenset(), kept.refs)
        self.stage_pages.append(record.url)
        return record.made

    def finish(self, base: bytes) -> Memory:
        """This build's memory (its records made on ``base``), with the holders index brought up to date."""
        self.new.base = base
        holders = self.new.holders
        for url, (before, after) in self.fresh.items():
            for ref in before - after:
                holders.get(ref, set()).discard(url)
            for ref in after - before:
                holders.setdefault(ref, set()).add(url)
        return self.new


@dataclass(frozen=True)
class Delta:
    """How one build's outputs differ from the last build's: what was made (or made again), and what is gone."""

    made: tuple[Output, ...]
    gone: frozenset[str]  # urls of the last build's outputs that this one did not make


class Stages:
    """Runs the dev server's stages on the engine, carrying over what did not change (see the module's docstring)."""

    def __init__(self, r: Renderer, store: MemoryStore, fingerprints: Fingerprints, recorder: Recorder, swaps: dict[str, Item] | None) -> None:
        self.r = r
        self.store = store
        self.fingerprints = fingerprints
        self.recorder = recorder
        self.swaps = swaps  # the items edited in place, when the site is the last one with them swapped in
        self.errors: list[ContentError] = []  # what the stages yielded besides their outputs
        self._made: list[Output] = []  # the outputs that are not the last build's very objects (some may be)
        self._gone: set[str] = set()
        self._known = True  # False once a stage ran without a record of what it made last time

    @property
    def delta(self) -> Delta | None:
        """How the outputs of the stages run differ from the last build's; None when that cannot be told."""
        return Delta(tuple(self._made), frozenset(self._gone)) if self._known else None

    @property
    def old(self) -> Memory:
        return self.store.last_build

    @property
    def new(self) -> Memory:
        return self.store.new

    def _unchanged(self, reads: Reads) -> bool:
        return self.fingerprints.unchanged(*reads)

    def run(self, stage: render.Stage) -> list[Output]:
        """Run one stage, or carry its outputs over when nothing it read changed."""
        name = f"{stage.__module__}.{stage.__qualname__}"
        old = self.old.stages.get(name)
        items = render.declared(stage).items
        if old is not None and self._unchanged((old.reads, old.reads_key)):
            if not self.store.carried:  # else its pages are there already
                carried = list(filter(self.old.pages.__contains__, old.pages))
                self.new.pages.update(zip(carried, map(self.old.pages.__getitem__, carried), strict=True))
            if items:
                self.new.items, self.new.item_reads = dict(self.old.items), set(self.old.item_reads)
                self.new.item_editions, self.new.editions = self.old.item_editions, self.old.editions
            self.new.stages[name] = old
            self.recorder.note_all(old.reads)
            return list(old.outputs)
        if self.swaps is not None and old is not None and render.declared(stage).placed and self._patchable(old):
            return self._patch(name, old, items)
        self.store.stage_pages = []
        with self.recorder.recording() as names:
            outputs, errors = split_outputs(self._items() if items else stage(self.r))
        self.errors.extend(errors)
        self._made.extend(outputs)
        if old is None:
            self._known = False
        else:
            self._gone.update({o.url for o in old.outputs}.difference(o.url for o in outputs))
        if not errors:
            reads = dependencies(names)
            self.new.stages[name] = KeptStage.of(reads, self.fingerprints.reads_key(reads), outputs, tuple(self.store.stage_pages), self.new.pages)
        return outputs

    def _item_page(self, item: Item, editions: tuple[Any, ...]) -> render.Made_:
        """An item's page through the engine, noted as the page of that item."""
        output = pages.render_item(self.r, item, editions)
        kept = self.new.pages.get(self.r.site.url(item))
        if kept is not None:
            self.new.items[kept.record.url] = item
            self.new.item_reads.add((kept.record.reads, kept.record.reads_key))
        return output

    def _items(self) -> Iterator[render.Made_]:
        """render_items, one page per item; when nothing the item pages read changed but the items themselves (the
        usual save), the pages of the unchanged items are carried over in one pass."""
        editions = self._item_editions()
        old, new = self.old, self.new
        if not old.items or not all(map(self._unchanged, old.item_reads)):
            for item in self.r.site.items:
                yield self._item_page(item, editions.get(item.ref, ()))
            return
        digest = self.fingerprints.digester.digest
        listed = (
            set()
            if editions is old.item_editions
            else {ref for ref in editions.keys() | old.item_editions.keys() if digest(editions.get(ref, ())) != digest(old.item_editions.get(ref, ()))}
        )
        current = set(map(id, self.r.site.items))  # the items are alive (held by both sites): an id is one item
        kept = [(url, item) for url, item in old.items.items() if id(item) in current and item.ref not in listed]
        new.items.update(kept)
        urls_kept = [url for url, _ in kept]
        new.pages.update(zip(urls_kept, map(old.pages.__getitem__, urls_kept), strict=True))
        self.store.stage_pages.extend(urls_kept)
        new.item_reads.update(old.item_reads)
        for reads, _ in old.item_reads:
            self.recorder.note_all(reads)
        yield from (new.pages[url].record.made for url in urls_kept)  # in the last build's order: the site's, as items keep their place
        done = {id(item) for _, item in kept}
        for item in self.r.site.items:
            if id(item) not in done:
                yield self._item_page(item, editions.get(item.ref, ()))

    def _item_editions(self) -> dict[str, tuple[Any, ...]]:
        """The editions listing each item (pages.item_editions), the last build's while the site's editions are the same
        object (items edited in place outside them); noted as this build's."""
        editions = self.r.site.editions
        found = self.old.item_editions if editions is self.old.editions else pages.item_editions(self.r.site)
        self.new.item_editions, self.new.editions = found, editions
        return found

    def _patchable(self, old: KeptStage) -> bool:
        """Whether a stage's last outputs are all kept pages with their contexts (not files made by a function: see
        Engine.files), so that it can be patched rather than run."""
        pages = self.old.pages
        return bool(old.reads_key) and len(old.outputs) == len(old.pages) and all(url in pages and pages[url].context is not None for url in old.pages)

    def _patch(self, name: str, old: KeptStage, items: bool) -> list[Output]:
        """Items were edited in place: make again only the stage's pages that hold one or read what changed.

        With every item in its old place, the stage would make the same pages
        from the same contexts, the edited items swapped in; so the others are
        carried over (the store starts from the last build's pages) without
        running the stage or asking the engine.
        """
        assert self.swaps is not None
        if items:
            self.new.items, self.new.item_reads = dict(self.old.items), set(self.old.item_reads)
            self._item_editions()
        position = old.position
        redo = {url for ref in self.swaps for url in self.old.holders.get(ref, ()) if url in position}
        for reads, urls in old.page_reads.items():
            if not self._unchanged(reads):  # a field these pages read changed (a list's page reads the list)
                redo.update(urls)
        made = list(old.outputs)
        gone: list[int] = []  # the places of pages not made now
        errors = []
        for url in sorted(redo, key=position.__getitem__):
            again, failed = split_outputs((self._again(url, self.old.items.get(url) if items else None),))
            if again:
                made[position[url]] = again[0]
                self._made.append(again[0])
            else:
                gone.append(position[url])
                self._gone.add(url)
            errors.extend(failed)
        self.errors.extend(errors)
        for index in reversed(gone):
            del made[index]
        if errors:  # the build fails: nothing of it is kept
            return made
        if gone:
            self.new.stages[name] = KeptStage.of(old.reads, old.reads_key, made, old.pages, self.new.pages)
        else:  # the same pages in the same places: what the stage knew of them holds
            self.new.stages[name] = KeptStage(old.reads, old.reads_key, tuple(made), old.pages, self._regrouped(old.page_reads, redo), position)
        return made

    def _regrouped(self, groups: dict[Reads, frozenset[str]], made: Iterable[str]) -> dict[Reads, frozenset[str]]:
        """``groups`` with each page of ``made`` also under what it read this time (a new group only where it read
        something else: a save seldom changes what a page reads)."""
        regrouped = groups
        for url in made:
            reads = _reads_of(self.new.pages[url])
            if url not in regrouped.get(reads, ()):
                regrouped = {**regrouped, reads: regrouped.get(reads, frozenset()) | {url}}
        return regrouped

    def _again(self, url: str, item: Item | None) -> render.Made_:
        """Make a kept page again with the edited items swapped in: an item's page from its item, another from its context."""
        assert self.swaps is not None
        if item is None:
            kept = self.old.pages[url].context
            assert kept is not None, "a stage with files made by a function is run, not patched (_patchable)"
            template, context = swap_items(kept, self.swaps)
            assert self.r.pages is not None
            return self.r.pages.page(self.r, url, template, context)
        self.new.items.pop(url, None)
        return self._item_page(self.swaps.get(item.ref, item), self.new.item_editions.get(item.ref, ()))


_reads_of: Callable[[Kept], Reads] = operator.attrgetter("record.reads", "record.reads_key")


def split_outputs(made: Iterable[render.Made_]) -> tuple[list[Output], list[ContentError]]:
    """What a stage yielded in the dev server, as its outputs and its errors: never a reused file (its store hands
    back the Output itself)."""
    outputs, errors = render.split(made)
    assert not any(isinstance(o, Reused) for o in outputs)
    return [o for o in outputs if isinstance(o, Output)], errors


url_of = operator.attrgetter("url")
data_of = operator.attrgetter("data")
