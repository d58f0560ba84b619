"""Which SVG images content/media may publish: the file is parsed and held against an allow-list.

An SVG is a document, not a picture: opened from the site's own address (a
link to ``/media/logo.svg``), its scripts, event handlers, ``javascript:``
links and animations that rewrite a link run as the site. A search for bad
words cannot tell what a browser will run (a prefixed ``<s:script>``,
``&#106;avascript:``, ``java&#9;script:``, a file in UTF-16 all slip past
one), so the file is read as a browser reads it:

- the bytes must be UTF-8 (an UTF-8 byte order mark is accepted), and an
  encoding declared in ``<?xml ...?>`` must say so;
- it is parsed by expat, namespace-aware; a DOCTYPE with an internal subset,
  an entity declaration, a reference to an undeclared entity and a processing
  instruction (``<?xml-stylesheet?>`` can apply XSLT) are refused;
- each element is judged by its namespace URI, never its prefix: SVG elements
  of :data:`SVG_ELEMENTS` (drawing, text, gradients, filters, links), and the
  metadata elements of drawing programs (Inkscape, Sodipodi, Adobe, Sketch,
  Serif, RDF and Dublin Core), which browsers do not render; anything else —
  ``script``, ``foreignObject``, the animation elements, HTML — is refused;
- attributes of SVG elements must be of :data:`SVG_ATTRIBUTES` (or ``data-*``,
  ``aria-*``); an ``on*`` attribute is refused in any namespace;
- every link (``href``, ``xlink:href``) and every CSS ``url(...)`` must be a
  fragment (``#id``), a relative path, an ``https:`` address or a
  ``data:image/`` raster (PNG, JPEG, GIF, WebP, AVIF), judged after the parser
  decoded its entities and after ASCII whitespace and control characters are
  removed and letters lowered, as a browser's URL parser would see them;
- CSS (``style`` attributes and ``<style>`` elements), after its escapes are
  decoded, may not hold ``expression(``, ``@import``, ``-moz-binding`` or a
  script scheme.
"""

from __future__ import annotations

import re
from xml.parsers import expat

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_NS_SEPARATOR = " "

# What drawing programs write besides the drawing (settings, authorship). Browsers do not render these
# elements and give their attributes no meaning; what sits inside them is still checked.
METADATA_NAMESPACES = (
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://inkscape.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://purl.org/dc/",
    "http://creativecommons.org/ns#",
    "http://web.resource.org/cc/",
    "http://ns.adobe.com/",
    "adobe:ns:meta/",
    "http://www.bohemiancoding.com/sketch/ns",
    "http://www.serif.com/",
)

SVG_ELEMENTS = frozenset(
    """svg g defs desc title metadata symbol use image switch a view style
    path rect circle ellipse line polyline polygon text tspan textPath
    linearGradient radialGradient stop pattern clipPath mask marker filter
    feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting feDisplacementMap
    feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR feGaussianBlur feImage feMerge feMergeNode
    feMorphology feOffset fePointLight feSpecularLighting feSpotLight feTile feTurbulence""".split()
)

# Elements refused with a word on why (every other element outside the allow-list is refused too).
_ACTIVE = {
    "script": "a script",
    "foreignObject": "a foreignObject (it holds HTML, which may run scripts)",
    "animate": "an animation, which can turn a link into a script",
    "set": "an animation, which can turn a link into a script",
    "animateTransform": "an animation, which can turn a link into a script",
    "animateMotion": "an animation, which can turn a link into a script",
    "animateColor": "an animation, which can turn a link into a script",
    "iframe": "an embedded page",
    "handler": "an event handler",
    "listener": "an event handler",
}

SVG_ATTRIBUTES = frozenset(
    """id class style lang tabindex role focusable version baseProfile x y x1 y1 x2 y2 cx cy r rx ry fx fy fr
    width height viewBox preserveAspectRatio transform d points pathLength target type media title
    fill fill-opacity fill-rule stroke stroke-width stroke-opacity stroke-linecap stroke-linejoin
    stroke-miterlimit stroke-dasharray stroke-dashoffset opacity color color-interpolation
    color-interpolation-filters color-rendering display visibility overflow clip clip-path clip-rule mask
    filter marker marker-start marker-mid marker-end markerWidth markerHeight markerUnits refX refY orient
    font font-family font-size font-size-adjust font-stretch font-style font-variant font-weight
    text-anchor text-decoration text-rendering dominant-baseline alignment-baseline baseline-shift
    letter-spacing word-spacing writing-mode direction unicode-bidi dx dy rotate textLength lengthAdjust
    startOffset method spacing side gradientUnits gradientTransform spreadMethod offset stop-color
    stop-opacity patternUnits patternContentUnits patternTransform clipPathUnits maskUnits maskContentUnits
    mask-type filterUnits primitiveUnits in in2 result mode values operator k1 k2 k3 k4 kernelMatrix order
    divisor bias targetX targetY edgeMode kernelUnitLength preserveAlpha surfaceScale diffuseConstant
    specularConstant specularExponent scale xChannelSelector yChannelSelector flood-color flood-opacity
    lighting-color stdDeviation radius azimuth elevation z pointsAtX pointsAtY pointsAtZ limitingConeAngle
    baseFrequency numOctaves seed stitchTiles tableValues slope intercept amplitude exponent
    image-rendering shape-rendering pointer-events vector-effect paint-order mix-blend-mode isolation
    enable-background cursor requiredFeatures requiredExtensions systemLanguage zoomAndPan
    externalResourcesRequired""".split()
)
_XML_ATTRIBUTES = frozenset({"space", "lang"})
_XLINK_ATTRIBUTES = frozenset({"href", "title", "type", "show", "actuate", "role", "arcrole"})

_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_RASTER_DATA = re.compile(r"^data:image/(?:png|jpeg|jpg|gif|webp|avif)[;,]")
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})[ \t\n\r\f]?|\\(.)", re.S)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_URL = re.compile(r"url\(([^)]*)\)")
_CSS_ACTIVE = ("expression(", "@import", "-moz-binding", "behavior:", "javascript:", "vbscript:")
_FIX = "export it again as a plain SVG (in Inkscape: Save as, Plain SVG), or as PNG"


class SvgRefused(Exception):
    """What makes an SVG unfit to publish, and the line of the file it was found on (0: the whole file)."""

    def __init__(self, line: int, what: str) -> None:
        super().__init__(what)
        self.line = line
        self.what = what


def normalised(value: str) -> str:
    """``value`` as a browser's URL parser sees its scheme: without ASCII whitespace and control characters, lowercase."""
    return "".join(ch for ch in value if ch > " " and ch != "\x7f").lower()


def reference_problem(value: str) -> str | None:
    """Why a link or CSS ``url(...)`` of an SVG may not be published, or None (entities already decoded)."""
    target = normalised(value).strip("'\"")
    if not target or target.startswith("#"):
        return None
    if target.startswith("//"):
        return "leads to another site without saying how (//host/...)"
    scheme = _SCHEME.match(target)
    if scheme is None or scheme.group(1) == "https" or _RASTER_DATA.match(target):
        return None
    return f"uses the scheme '{scheme.group(1)}:' (only #fragments, relative paths, https: and data:image/ rasters are published)"


def _css_decoded(css: str) -> str:
    def unescape(match: re.Match[str]) -> str:
        if match.group(1):
            code = int(match.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"
        return match.group(2)

    return normalised(_CSS_ESCAPE.sub(unescape, _CSS_COMMENT.sub("", css)))


def css_problem(css: str) -> str | None:
    """Why CSS of an SVG (a ``style`` attribute, a ``<style>`` element) may not be published, or None."""
    decoded = _css_decoded(css)
    for word in _CSS_ACTIVE:
        if word in decoded:
            return f"CSS with '{word}'"
    for found in _CSS_URL.findall(decoded):
        if problem := reference_problem(found):
            return f"CSS url({found}) that {problem}"
    return None


def _split(name: str) -> tuple[str, str]:
    """``(namespace URI, local name)`` of an expat name (no namespace: '')."""
    namespace, _, local = name.rpartition(_NS_SEPARATOR)
    return namespace, local


def _metadata(namespace: str) -> bool:
    return any(namespace.startswith(known) for known in METADATA_NAMESPACES)


def _element_problem(namespace: str, local: str) -> str | None:
    if namespace == SVG_NS:
        if local in SVG_ELEMENTS:
            return None
        return f"holds {_ACTIVE.get(local, 'an element that is not part of a plain image,')} <{local}>"
    if _metadata(namespace):
        return None
    if namespace == "http://www.w3.org/1999/xhtml":
        return f"holds an HTML element <{local}>"
    return f"holds an element <{local}> of an unknown namespace '{namespace or 'none'}'"


def _attribute_problem(element: str, metadata: bool, namespace: str, local: str, value: str) -> str | None:
    """Why an attribute of an element may not be published, or None (``metadata``: the element is a drawing program's)."""
    shown = f"{'xlink:' if namespace == XLINK_NS else ''}{local}"
    if local.lower().startswith("on"):
        return f"has an event handler {shown}= on <{element}>"
    if local == "href" and namespace in ("", SVG_NS, XLINK_NS):
        problem = reference_problem(value)
        return f'has a link {shown}="{value.strip()[:60]}" on <{element}> that {problem}' if problem else None
    if namespace == XLINK_NS:
        return None if local in _XLINK_ATTRIBUTES else f"has an attribute xlink:{local} on <{element}>"
    if namespace == XML_NS:
        return None if local in _XML_ATTRIBUTES else f"has an attribute xml:{local} on <{element}>"
    if namespace and namespace != SVG_NS:
        return None if _metadata(namespace) else f"has an attribute {local} of an unknown namespace '{namespace}' on <{element}>"
    if metadata:
        return None
    if local not in SVG_ATTRIBUTES and not local.startswith(("data-", "aria-")):
        return f"has an attribute {local}= on <{element}> that is not one of a plain image"
    if (local == "style" or "url(" in _css_decoded(value)) and (problem := css_problem(value)):
        return f"has {problem} in {local}= on <{element}>"
    return None


def _decoded(data: bytes) -> bytes:
    """The UTF-8 bytes of the file (its byte order mark removed); raises SvgRefused when they are not UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:4] in (b"\x00\x00\xfe\xff", b"\x00\x00\x00<", b"<\x00\x00\x00"):
        raise SvgRefused(0, "is saved in UTF-16 or UTF-32, which this check does not read; save it as UTF-8")
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SvgRefused(line, f"is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from None
    if "\x00" in text:
        raise SvgRefused(text[: text.index("\x00")].count("\n") + 1, "holds a NUL character; save it as UTF-8 text")
    return data


class _Checker:
    """Expat's handlers: each raises SvgRefused at the first thing outside the allow-list."""

    def __init__(self, parser: expat.XMLParserType) -> None:
        self.parser = parser
        self.depth = 0
        self.in_style = 0
        self.css: list[str] = []

    def refuse(self, what: str) -> None:
        raise SvgRefused(self.parser.CurrentLineNumber, what)

    def xml_declaration(self, version: str | None, encoding: str | None, standalone: int) -> None:
        if encoding is not None and encoding.lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii", "ascii"):
            self.refuse(f"declares the encoding '{encoding}'; save it as UTF-8")

    def doctype(self, name: str, system_id: str | None, public_id: str | None, has_internal_subset: int) -> None:
        if has_internal_subset:
            self.refuse("has a DOCTYPE with declarations of its own (entities can hide a script)")

    def entity(self, name: str, *args: object) -> None:
        self.refuse(f"declares an entity '{name}'")

    def skipped_entity(self, name: str, is_parameter_entity: int) -> None:
        self.refuse(f"refers to an entity '&{name};' that is not declared")

    def instruction(self, target: str, data: str) -> None:
        self.refuse(f"holds a processing instruction <?{target} ...?>")

    def start(self, name: str, attributes: dict[str, str]) -> None:
        namespace, local = _split(name)
        if self.depth == 0 and (namespace, local) != (SVG_NS, "svg"):
            self.refuse(f"is not an SVG image: its first element is <{local}> (namespace '{namespace or 'none'}')")
        self.depth += 1
        if problem := _element_problem(namespace, local):
            self.refuse(problem)
        metadata = namespace != SVG_NS
        for attribute, value in attributes.items():
            if problem := _attribute_problem(local, metadata, *_split(attribute), value):
                self.refuse(problem)
        if (namespace, local) == (SVG_NS, "style"):
            self.in_style += 1

    def end(self, name: str) -> None:
        if _split(name) == (SVG_NS, "style"):
            self.in_style -= 1
            if self.in_style == 0:
                css, self.css = "".join(self.css), []
                if problem := css_problem(css):
                    self.refuse(f"has {problem} in a <style> element")

    def text(self, data: str) -> None:
        if self.in_style:
            self.css.append(data)


def check_svg(data: bytes) -> None:
    """Raise :class:`SvgRefused` unless the SVG file ``data`` is a plain image (see the module's text)."""
    data = _decoded(data)
    parser = expat.ParserCreate(encoding="UTF-8", namespace_separator=_NS_SEPARATOR)
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    checker = _Checker(parser)
    parser.XmlDeclHandler = checker.xml_declaration
    parser.StartDoctypeDeclHandler = checker.doctype
    parser.EntityDeclHandler = checker.entity
    parser.UnparsedEntityDeclHandler = checker.entity
    parser.SkippedEntityHandler = checker.skipped_entity
    parser.ProcessingInstructionHandler = checker.instruction
    parser.StartElementHandler = checker.start
    parser.EndElementHandler = checker.end
    parser.CharacterDataHandler = checker.text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise SvgRefused(exc.lineno, f"is not well-formed XML ({expat.errors.messages[exc.code]} at column {exc.offset + 1})") from None


def svg_problem(data: bytes) -> tuple[int, str] | None:
    """Why the SVG file ``data`` may not be published — ``(line, message with the fix)`` — or None."""
    try:
        check_svg(data)
    except SvgRefused as refused:
        return refused.line, f"this SVG image {refused.what}; {_FIX}"
    return None
