"""Hugo's and WordPress's shortcodes and Jekyll's link tags in a body, written as the Markdown they stand for (pure).

Editors who learned Hugo write ``{{< ref "events/foo.md" >}}``, ``{{< figure
src="…" caption="…" >}}`` or ``{{< youtube id >}}`` in their text, those who
learned Jekyll ``{% link news/foo.md %}`` and ``{{ site.baseurl }}``, and
WordPress puts ``[caption …]<img …> Text[/caption]`` around an image with a
caption and ``[embed]address[/embed]`` around a video (a WordPress export
imported keeps them: eccpsite.importers.wordpress). eccpsite
runs no template code in content, but where such a tag's meaning is plain it
is written as what it means before the Markdown is rendered:

- ``ref``/``relref`` and Liquid's ``link``: the content file's site address
  (read from the file's folder, then from ``content/``, as Hugo does); one
  that names no content file stays as written, and the link check reports it;
- ``figure`` and WordPress's ``caption``: the image with its caption
  (``<figure>`` on a line of its own, the image and the text inside a paragraph);
- ``highlight`` (both): a fenced code block;
- ``youtube``, ``vimeo``, ``x``/``tweet``, ``instagram``, ``gist``, and WordPress's
  ``embed`` and ``youtube``: a link to the video or post (the site embeds no
  third-party players, as for an ``<iframe>``);
- ``{{ site.baseurl }}``: nothing (the site's addresses start at its root).

Any other Hugo shortcode, and WordPress's ``gallery``, ``audio``, ``video`` and
``playlist``, are left in the text, with a warning on their line (Liquid is
left alone: ``{{ x }}`` is also what a text about templates says; and any
other ``[word]`` is Markdown's).
Every replacement keeps the line count, so later messages keep their lines.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from eccpsite.core import urls
from eccpsite.core.markup.rawhtml import outside_code
from eccpsite.core.sourcelinks import content_address

WORDPRESS = ("caption", "embed", "youtube", "gallery", "audio", "video", "playlist")  # WordPress's (and Jetpack's) own
_OPENING = re.compile(rf"\{{\{{[<%]|\{{%|\{{\{{-?\s*site\.baseurl\s*-?\}}\}}|\[(?:{'|'.join(WORDPRESS)})\b")
_SHORTCODE = re.compile(r"\s*(/?)\s*([\w.-]+)(.*?)\s*", re.S)  # what is between {{< and >}}
_LIQUID = re.compile(r"-?\s*(\w+)\s*(.*?)\s*-?", re.S)  # between {% and %}
LONGEST = 2000  # characters a tag may span: an opening with no end near it is text (and no scan runs on and on)
_PAIRED = ("caption", "embed")  # [caption …]…[/caption]: the others stand alone
_IMAGE = re.compile(r"<img\b[^>]*>|!\[[^\]\n]*\]\([^)\s]+\)")  # the image of a caption: HTML, or Markdown once imported
_ATTRIBUTE = re.compile(r'(\w+)\s*=\s*"([^"]*)"')
_ARG = re.compile(r'(?:(\w+)\s*=\s*)?(?:"([^"]*)"|(\S+))')
_EMBEDS = ("youtube", "vimeo", "x", "tweet", "instagram", "gist")
RUN = ("ref", "relref", "figure", "highlight", *_EMBEDS)  # the Hugo shortcodes written as Markdown
LIQUID_RUN = ("link", "highlight", "endhighlight")  # the Liquid tags written as Markdown (and {{ site.baseurl }})

Notes = list[tuple[int, str]]  # (line index in the body, message)


@dataclass(frozen=True)
class Tag:
    """A shortcode or Liquid tag in a body."""

    start: int
    end: int
    text: str
    family: str  # "hugo", "liquid" or "wordpress"
    closing: bool  # {{< /name >}}
    name: str  # lowercase; "site.baseurl" for that Liquid value
    arguments: str
    inner: str = ""  # what a paired WordPress shortcode holds

    @property
    def hugo(self) -> bool:
        return self.family == "hugo"


def tags(text: str) -> Iterator[Tag]:
    """The tags of ``text``, in order, none inside another."""
    done = 0
    for opening in _OPENING.finditer(text):
        start = opening.start()
        if start < done:
            continue
        found = _tag(text, opening)
        if found is not None:
            done = found.end
            yield found


def _tag(text: str, opening: re.Match[str]) -> Tag | None:
    start, marker = opening.start(), opening.group()
    if marker.startswith("["):
        return _wordpress(text, start, marker[1:])
    if marker.startswith("{{") and "baseurl" in marker:
        return Tag(start, opening.end(), marker, "liquid", False, "site.baseurl", "")
    hugo = marker != "{%"
    close = {"{{<": ">}}", "{{%": "%}}", "{%": "%}"}[marker]
    end = text.find(close, opening.end(), opening.end() + LONGEST)
    inner = (_SHORTCODE if hugo else _LIQUID).fullmatch(text, opening.end(), end) if end >= 0 else None
    if inner is None:
        return None
    written = text[start : end + len(close)]
    if hugo:
        return Tag(start, end + len(close), written, "hugo", bool(inner.group(1)), inner.group(2).lower(), inner.group(3))
    return Tag(start, end + len(close), written, "liquid", False, inner.group(1).lower(), inner.group(2))


def _wordpress(text: str, start: int, name: str) -> Tag | None:
    """The WordPress shortcode ``[name …]`` at ``start``, with what it holds up to ``[/name]`` for a paired one."""
    opened = text.find("]", start, start + LONGEST)
    if opened < 0:
        return None
    arguments = text[start + 1 + len(name) : opened]
    if name not in _PAIRED:  # [video src="…"]; a bare [video] is as likely a word in brackets, [video](x) a link
        markdown = not arguments.strip() or text[opened + 1 : opened + 2] in ("(", "[", ":")
        return None if markdown else Tag(start, opened + 1, text[start : opened + 1], "wordpress", False, name, arguments)
    closing = text.find(f"[/{name}]", opened, opened + LONGEST)
    if closing < 0:
        return None
    end = closing + len(name) + 3
    return Tag(start, end, text[start:end], "wordpress", False, name, arguments, text[opened + 1 : closing])


def written_in_markdown(path: str, body: str) -> tuple[str, Notes]:
    """``body`` of the file at ``path`` with its shortcodes and link tags written as Markdown (see the module's
    docstring), and a warning for each Hugo shortcode it leaves as written."""
    if _OPENING.search(body) is None:  # most bodies: one scan, no more
        return body, []
    fenced, _ = _rewritten(body, lambda tag, alone: _fence(tag) if alone else None)  # what they hold is code
    return _rewritten(fenced, lambda tag, alone: _meaning(path, tag, alone), note=True)


Rewrite = Callable[[Tag, bool], str | None]  # a tag, and whether it is alone on its line → its Markdown


def _rewritten(body: str, rewrite: Rewrite, note: bool = False) -> tuple[str, Notes]:
    """``body`` with each tag outside code that ``rewrite`` gives Markdown for replaced by it (the line count kept);
    with ``note``, a warning for each other Hugo shortcode."""
    visible = outside_code(body)  # code keeps its shortcodes: they are shown, as a text about Hugo means them
    notes: Notes = []
    pieces: list[str] = []
    done = counted = line = 0
    for tag in tags(visible):
        line, counted = line + body.count("\n", counted, tag.start), tag.start
        line_start = body.rfind("\n", 0, tag.start) + 1
        alone = not body[line_start : tag.start].strip() and not body[tag.end : _line_end(body, tag.end)].strip()
        found = rewrite(tag, alone)
        if found is None:
            if note and tag.family != "liquid" and not tag.closing:
                notes.append((line, _unknown(tag)))
            continue
        pieces += [body[done : tag.start], found + "\n" * (tag.text.count("\n") - found.count("\n"))]
        done = tag.end
    return ("".join(pieces) + body[done:] if pieces else body), notes


def _fence(tag: Tag) -> str | None:
    """A fence for an opening or closing ``highlight`` (Hugo's or Liquid's) alone on its line; None for other tags."""
    if tag.name not in ("highlight", "endhighlight") or (tag.name == "endhighlight" and tag.hugo):
        return None
    if tag.closing or tag.name == "endhighlight":
        return "```"
    positional, named = _arguments(tag.arguments)
    return "```" + (positional[0] if positional else named.get("lang", ""))


def _line_end(body: str, at: int) -> int:
    end = body.find("\n", at)
    return len(body) if end < 0 else end


def _unknown(tag: Tag) -> str:
    wordpress = tag.family == "wordpress"
    shown = " ".join((tag.text.split("]", 1)[0] + "]" if wordpress else tag.text).split())
    shown = shown if len(shown) <= 60 else shown[:57] + "…"
    generator, runs = ("WordPress", "caption, embed and youtube") if wordpress else ("Hugo", ", ".join(RUN))
    return f"the {generator} shortcode {shown} is not run here and is shown as written; write it in Markdown (eccpsite writes {runs} itself)"


def _arguments(text: str) -> tuple[list[str], dict[str, str]]:
    positional: list[str] = []
    named: dict[str, str] = {}
    for name, quoted, bare in _ARG.findall(text):
        value = quoted if quoted or not bare else bare
        if name:
            named[name.lower()] = value
        else:
            positional.append(value)
    return positional, named


def _first(positional: list[str], named: dict[str, str], name: str) -> str:
    return named.get(name) or (positional[0] if positional else "")


def _meaning(path: str, tag: Tag, alone: bool) -> str | None:
    """The Markdown of a tag that is not a ``highlight`` (see :func:`_fence`); None when it has none here."""
    if tag.family == "wordpress":
        return _wordpress_meaning(tag, alone)
    if not tag.hugo:
        if tag.name == "site.baseurl":
            return ""
        return _address(path, tag.arguments.strip("'\"")) if tag.name == "link" else None
    if tag.closing:
        return None
    positional, named = _arguments(tag.arguments)
    if tag.name in ("ref", "relref"):
        return _address(path, _first(positional, named, "path"))
    if tag.name == "figure":
        return _figure(named, alone)
    if tag.name in _EMBEDS:
        link = _embedded(tag.name, positional, named)
        return f"[{link[0]}]({link[1]})" if link is not None else None
    return None


def _wordpress_meaning(tag: Tag, alone: bool) -> str | None:
    """A caption's image with its text, or a link to what ``embed`` or ``youtube`` shows; None for the others."""
    if tag.name == "caption":
        image = _IMAGE.search(tag.inner)
        if image is None:
            return None
        caption = dict(_ATTRIBUTE.findall(tag.arguments)).get("caption") or _IMAGE.sub("", tag.inner)
        caption = html.unescape(_unescaped(" ".join(re.sub(r"</?a\b[^>]*>|\[|\]\([^)]*\)", "", caption).split())))  # a link around the image goes
        found = _image_html(image.group())
        if not alone:
            return f"{found} {caption}"
        return f"<figure>{found}<figcaption>{html.escape(caption)}</figcaption></figure>" if caption else f"<figure>{found}</figure>"
    if tag.name in ("embed", "youtube"):
        address = _unescaped((tag.inner or tag.arguments).strip().strip('"=').strip())
        if not re.fullmatch(r"https?://\S+", address):
            return None
        if "youtube.com/" in address or "youtu.be/" in address:
            return f"[Watch the video on YouTube]({address})"
        return f"[Watch the video on Vimeo]({address})" if "vimeo.com/" in address else f"<{address}>"
    return None


def _image_html(image: str) -> str:
    """An ``<img>`` of the source, text alternative and size of the HTML or Markdown ``image`` (nothing else: WordPress's
    classes would each be a warning that the sanitizer removes them)."""
    markdown = re.fullmatch(r"!\[([^\]]*)\]\(([^)]+)\)", image)
    kept = {"alt": markdown.group(1), "src": markdown.group(2)} if markdown else dict(_ATTRIBUTE.findall(image))
    attributes = [(name, _unescaped(kept[name]) if markdown else html.unescape(kept[name])) for name in ("src", "alt", "width", "height") if name in kept]
    return "<img" + "".join(f' {name}="{html.escape(value)}"' for name, value in attributes) + ">"


def _unescaped(text: str) -> str:
    """``text`` without Markdown's backslash escapes (``map\\_of`` → ``map_of``: an imported body has them)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def _address(path: str, written: str) -> str | None:
    """The site address of the content file ``written`` names, from the file's folder or from content/ (its
    extension may be left out, and a bundle named by its folder); None when it names none."""
    target, hash_, fragment = written.partition("#")
    if not target:
        return None
    from_content = target.lstrip("/")
    tries = [from_content] if target.startswith("/") else [urls.content_relative(path, target), from_content]
    for tried in tries:
        if tried is None:
            continue
        for name in (tried, tried + ".md", tried.rstrip("/") + "/index.md", tried.rstrip("/") + "/_index.md"):
            address = content_address(_bundle(name))
            if address is not None:
                return address + hash_ + fragment
    return None


def _bundle(rel: str) -> str:
    """``news/foo/index.md`` (a Hugo page bundle) as ``news/foo.md``, the file eccpsite would read."""
    head, _, tail = rel.rpartition("/")
    return head + ".md" if tail in ("index.md", "_index.md") and "/" in head else rel


def _figure(named: dict[str, str], alone: bool) -> str | None:
    source = named.get("src")
    if not source:
        return None
    caption, alt = named.get("caption") or named.get("title") or "", named.get("alt") or ""
    if not alone:
        return f"![{alt or caption}]({source})"
    image = f'<img src="{html.escape(source)}" alt="{html.escape(alt or caption)}">'
    if named.get("link"):
        image = f'<a href="{html.escape(named["link"])}">{image}</a>'
    shown = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f"<figure>{image}{shown}</figure>"


def _embedded(name: str, positional: list[str], named: dict[str, str]) -> tuple[str, str] | None:
    """The link text and address of what an embedding shortcode shows; None when its arguments do not say."""
    ident, user = _first(positional, named, "id"), named.get("user", "")
    if name in ("youtube", "vimeo") and ident:
        site, address = ("YouTube", f"https://www.youtube.com/watch?v={ident}") if name == "youtube" else ("Vimeo", f"https://vimeo.com/{ident}")
        title = named.get("title")
        return (f"{title} (video on {site})" if title else f"Watch the video on {site}"), address
    if name in ("x", "tweet") and user and named.get("id"):
        return "The post on X", f"https://x.com/{user}/status/{named['id']}"
    if name == "instagram" and ident:
        return "The post on Instagram", f"https://www.instagram.com/p/{ident}/"
    if name == "gist" and len(positional) >= 2:
        return "The gist on GitHub", f"https://gist.github.com/{positional[0]}/{positional[1]}"
    return None
