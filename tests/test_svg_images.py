"""SVG images of content/media: parsed and held against an allow-list (eccpsite.edges.svg_images).

Each way past the old byte filter is here, refused with its line and what was
found; ordinary drawings (the site's own map, an Inkscape file, an Illustrator
export) pass. In headless Chromium, without any Content-Security-Policy, each
live bypass is shown to run its script (so the corpus is real) and no accepted
file runs one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import NOW, write_site

from eccpsite.build import BuildOptions, build_outputs
from eccpsite.core.errors import BuildFailed
from eccpsite.edges.svg_images import svg_problem
from eccpsite.outputs import europe_map

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Browser

SVG = 'xmlns="http://www.w3.org/2000/svg"'
XLINK = 'xmlns:xlink="http://www.w3.org/1999/xlink"'
RAN = "void(window.ran=1)"  # what a script of the corpus does: a mark the browser test reads back
BOX = '<rect width="200" height="200" fill="red"/>'


def _svg(body: str, head: str = "") -> bytes:
    return f'{head}<svg {SVG} {XLINK} width="200" height="200">{body}</svg>'.encode()


# name -> (file, text the refusal names): each runs its script in Chromium (the browser test shows it), and each
# passed the byte filter this module replaced (issue 21).
LIVE_BYPASSES: dict[str, tuple[bytes, str]] = {
    "prefixed script": (f'<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:script>{RAN}</s:script></s:svg>'.encode(), "a script <script>"),
    "entity in a link": (_svg(f'<a href="&#106;avascript:{RAN}">{BOX}</a>'), "scheme 'javascript:'"),
    "tab in a link": (_svg(f'<a xlink:href="java&#9;script:{RAN}">{BOX}</a>'), "scheme 'javascript:'"),
    "animate values": (
        _svg(f'<a href="#x"><animate attributeName="href" values="java&#115;cript:{RAN}" begin="0s" fill="freeze"/>{BOX}</a>'),
        "an animation, which can turn a link into a script <animate>",
    ),
    "set": (_svg(f'<a href="#x"><set attributeName="href" to="&#x6A;avascript:{RAN}" begin="0s" fill="freeze"/>{BOX}</a>'), "<set>"),
    "srcdoc": (
        _svg('<iframe xmlns="http://www.w3.org/1999/xhtml" srcdoc="&lt;script&gt;parent.ran=1&lt;/script&gt;"></iframe>'),
        "an HTML element <iframe>",
    ),
    "prefixed foreignObject": (
        _svg(
            '<s:foreignObject xmlns:s="http://www.w3.org/2000/svg" width="200" height="200"><iframe xmlns="http://www.w3.org/1999/xhtml" '
            'srcdoc="&lt;script&gt;parent.ran=1&lt;/script&gt;"></iframe></s:foreignObject>'
        ),
        "a foreignObject",
    ),
    "UTF-16 with a byte order mark": (("\ufeff" + _svg(f"<script>{RAN}</script>").decode()).encode("utf-16-le"), "is saved in UTF-16"),
}

REFUSED: dict[str, tuple[bytes, int, str]] = {
    "UTF-16 without a byte order mark": (_svg(BOX).decode().encode("utf-16-le"), 1, "holds a NUL character"),
    "UTF-16 big-endian": (("\ufeff" + _svg(BOX).decode()).encode("utf-16-be"), 0, "UTF-16"),
    "Latin-1 bytes": (_svg("<title>caf\xe9</title>").decode().encode("latin-1"), 1, "is not UTF-8 text"),
    "declared UTF-7": (_svg(BOX, '<?xml version="1.0" encoding="UTF-7"?>\n'), 1, "declares the encoding 'UTF-7'"),
    "entity declaration": (_svg("<title>&x;</title>", '<!DOCTYPE svg [<!ENTITY x "javascript:">]>\n'), 1, "DOCTYPE with declarations"),
    "undeclared entity": (
        _svg("\n<title>&x;</title>", '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'),
        3,
        "an entity '&x;' that is not declared",
    ),
    "xml-stylesheet": (_svg(BOX, '<?xml-stylesheet type="text/xsl" href="x.xsl"?>\n'), 1, "processing instruction <?xml-stylesheet"),
    "upper-case handler (inert in XML, refused all the same)": (_svg(BOX.replace("<rect", '<rect ONCLICK="x"')), 1, "event handler ONCLICK="),
    "handler on the root": (b'<svg xmlns="http://www.w3.org/2000/svg"\n onload="alert(1)"/>', 1, "event handler onload= on <svg>"),
    "handler in another namespace": (_svg(BOX.replace("<rect", '<rect xmlns:e="urn:x" e:onclick="x"')), 1, "event handler onclick="),
    "HTML script": (_svg('\n\n<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'), 3, "HTML element <script>"),
    "iframe in HTML": (_svg('<iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example/"/>'), 1, "HTML element <iframe>"),
    "srcdoc attribute": (_svg(BOX.replace("<rect", '<rect srcdoc="x"')), 1, "attribute srcdoc= on <rect>"),
    "animateTransform": (_svg('<animateTransform attributeName="transform"/>'), 1, "<animateTransform>"),
    "animateMotion": (_svg("<animateMotion/>"), 1, "<animateMotion>"),
    "unknown element": (_svg("<blink/>"), 1, "<blink>"),
    "unknown namespace": (_svg('<x:thing xmlns:x="urn:evil"/>'), 1, "unknown namespace 'urn:evil'"),
    "script inside metadata": (
        _svg('<sodipodi:namedview xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"><script>alert(1)</script></sodipodi:namedview>'),
        1,
        "a script <script>",
    ),
    "not SVG at the root": (b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>', 1, "is not an SVG image"),
    "no namespace": (b"<svg><script>alert(1)</script></svg>", 1, "is not an SVG image"),
    "vbscript link": (_svg('<a href=" VBScript:msgbox(1)"><text>x</text></a>'), 1, "scheme 'vbscript:'"),
    "newline in the scheme": (_svg('<a href="jav&#x0A;ascript:alert(1)"><text>x</text></a>'), 1, "scheme 'javascript:'"),
    "protocol-relative image": (_svg('<image href="//evil.example/x.png" width="1" height="1"/>'), 1, "another site"),
    "SVG as data": (_svg('<image href="data:image/svg+xml;base64,PHN2Zy8+" width="1" height="1"/>'), 1, "scheme 'data:'"),
    "file link": (_svg('<image xlink:href="file:///home/me/photo.png" width="1" height="1"/>'), 1, "scheme 'file:'"),
    "style with a script url": (_svg(BOX.replace("<rect", "<rect style=\"fill:url('javascript:alert(1)')\"")), 1, "CSS with 'javascript:'"),
    "style with an escaped script url": (_svg(BOX.replace("<rect", '<rect style="background:url(\\6a avascript:alert(1))"')), 1, "CSS with 'javascript:'"),
    "style with expression": (_svg(BOX.replace("<rect", '<rect style="width:expression(alert(1))"')), 1, "CSS with 'expression('"),
    "style element with an import": (_svg("\n<style>@im\\70ort url(https://evil.example/x.css);</style>"), 2, "CSS with '@import'"),
    "presentation attribute with a script url": (_svg(BOX.replace('fill="red"', 'fill="url(javascript:alert(1))"')), 1, "CSS with 'javascript:'"),
    "xml:base": (_svg(BOX.replace("<rect", '<rect xml:base="javascript:/"')), 1, "xml:base"),
    "broken XML": (b'<svg xmlns="http://www.w3.org/2000/svg">\n<rect>\n</svg>', 3, "is not well-formed XML (mismatched tag"),
}

INKSCAPE = b"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) -->
<svg
   width="210mm" height="297mm" viewBox="0 0 210 297" version="1.1" id="svg5"
   inkscape:version="1.2.2 (b0a8486541, 2022-12-01)" sodipodi:docname="logo.svg"
   xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
   xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
   xmlns:xlink="http://www.w3.org/1999/xlink"
   xmlns="http://www.w3.org/2000/svg" xmlns:svg="http://www.w3.org/2000/svg"
   xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:cc="http://creativecommons.org/ns#"
   xmlns:dc="http://purl.org/dc/elements/1.1/">
  <sodipodi:namedview id="namedview7" pagecolor="#ffffff" bordercolor="#666666" borderopacity="1.0"
     inkscape:showpageshadow="2" inkscape:pageopacity="0.0" inkscape:deskcolor="#d1d1d1" inkscape:document-units="mm"
     showgrid="false" inkscape:zoom="0.73" inkscape:current-layer="layer1" />
  <defs id="defs2">
    <linearGradient inkscape:collect="always" id="linearGradient1"><stop style="stop-color:#003399;stop-opacity:1" offset="0" id="stop1" /></linearGradient>
    <linearGradient xlink:href="#linearGradient1" id="linearGradient2" x1="10" y1="10" x2="90" y2="90" gradientUnits="userSpaceOnUse" />
    <filter style="color-interpolation-filters:sRGB" id="blur"><feGaussianBlur stdDeviation="1.5" /></filter>
  </defs>
  <metadata><rdf:RDF><cc:Work rdf:about=""><dc:format>image/svg+xml</dc:format>
    <cc:license rdf:resource="http://creativecommons.org/licenses/by/4.0/" /></cc:Work></rdf:RDF></metadata>
  <g inkscape:label="Layer 1" inkscape:groupmode="layer" id="layer1">
    <path style="fill:url(#linearGradient2);stroke:#000;stroke-width:0.26;filter:url(#blur)" d="M 10,10 H 90 V 90 Z" id="path1"
       sodipodi:nodetypes="cccc" inkscape:connector-curvature="0" />
    <text xml:space="preserve" style="font-size:10px;font-family:sans-serif" x="20" y="120" id="text1">
      <tspan sodipodi:role="line" x="20" y="120">ECCP &amp; friends</tspan></text>
    <image width="4" height="4" x="0" y="0" href="data:image/png;base64,iVBORw0KGgo=" preserveAspectRatio="none" />
    <a href="https://clustercollaboration.eu/"><circle cx="150" cy="50" r="20" /></a>
    <a xlink:href="../about/"><rect x="120" y="100" width="20" height="20" /></a>
    <use xlink:href="#path1" transform="translate(0,150)" />
  </g>
</svg>
"""

ILLUSTRATOR = b"""\xef\xbb\xbf<?xml version="1.0" encoding="utf-8"?>
<!-- Generator: Adobe Illustrator 24.0.0, SVG Export Plug-In . SVG Version: 6.00 Build 0)  -->
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg version="1.1" id="Layer_1" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
  xmlns:i="http://ns.adobe.com/AdobeIllustrator/10.0/" x="0px" y="0px" viewBox="0 0 100 100"
  style="enable-background:new 0 0 100 100;" xml:space="preserve" data-name="Layer 1">
<style type="text/css">
  .st0{fill:#FFCC00;}
  .st1{fill:none;stroke:#003399;stroke-miterlimit:10;}
</style>
<g i:extraneous="self"><polygon class="st0" points="50,5 61,39 97,39 68,61 79,95 50,74 21,95 32,61 3,39 39,39 "/>
<circle class="st1" cx="50" cy="50" r="45"/></g>
</svg>
"""


def _accepted() -> dict[str, bytes]:
    counts = {"be": 3, "de": 30, "lu": 1, "mt": 2}
    return {
        "the site's map": europe_map.draw(counts, "Cluster organisations by country").encode(),
        "the site's favicon": (Path(__file__).resolve().parent.parent / "templates" / "static" / "favicon.svg").read_bytes(),
        "Inkscape": INKSCAPE,
        "Illustrator (byte order mark, DOCTYPE)": ILLUSTRATOR,
    }


@pytest.mark.parametrize("name", sorted(LIVE_BYPASSES))
def test_svg_images_every_bypass_of_the_byte_filter_is_refused(name: str) -> None:
    data, text = LIVE_BYPASSES[name]

    problem = svg_problem(data)

    assert problem is not None and text in problem[1], problem
    assert problem[1].endswith("export it again as a plain SVG (in Inkscape: Save as, Plain SVG), or as PNG")


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_svg_images_active_or_unreadable_content_is_refused_on_its_line(name: str) -> None:
    data, line, text = REFUSED[name]

    problem = svg_problem(data)

    assert problem is not None and text in problem[1], problem
    assert problem[0] == line, problem


@pytest.mark.parametrize("name", sorted(_accepted()))
def test_svg_images_ordinary_drawings_pass(name: str) -> None:
    assert svg_problem(_accepted()[name]) is None


def test_svg_images_a_refused_svg_stops_the_build_with_its_path_and_line(tmp_path: Path) -> None:
    site = write_site(tmp_path, {"content/media/ok.svg": INKSCAPE, "content/media/logo.svg": LIVE_BYPASSES["prefixed script"][0]})

    with pytest.raises(BuildFailed) as failed:
        build_outputs(site, BuildOptions(now=NOW, pdf=False))

    assert [str(e) for e in failed.value.errors if "svg" in e.path] == [
        "content/media/logo.svg:1: this SVG image holds a script <script>; export it again as a plain SVG (in Inkscape: Save as, Plain SVG), or as PNG"
    ]


def _ran(browser: Browser, url: str) -> bool:
    """Whether opening ``url``, or clicking one of its links, ran the corpus's script in Chromium (nothing leaves 127.0.0.1)."""
    page = browser.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url.rsplit("/", 1)[0]) else route.abort())
    try:
        page.goto(url)
        page.wait_for_timeout(300)  # animations begin, frames load
        if page.evaluate("window.ran === 1"):
            return True
        for number in range(page.locator("a").count()):
            page.goto(url)
            page.wait_for_timeout(200)
            page.locator("a").nth(number).click(timeout=2000, no_wait_after=True)
            page.wait_for_timeout(300)
            if page.evaluate("window.ran === 1"):
                return True
        return False
    finally:
        page.close()


@pytest.mark.browser
def test_svg_images_chromium_runs_each_bypass_and_nothing_accepted(tmp_path: Path, serve_dir: Callable[[Path], str], chromium: Any) -> None:
    for number, (data, _) in enumerate(LIVE_BYPASSES.values()):
        (tmp_path / f"bypass-{number}.svg").write_bytes(data)
    for number, data in enumerate(_accepted().values()):
        (tmp_path / f"accepted-{number}.svg").write_bytes(data)
    base = serve_dir(tmp_path)

    ran = {name: _ran(chromium, f"{base}bypass-{number}.svg") for number, name in enumerate(LIVE_BYPASSES)}
    accepted_ran = {name: _ran(chromium, f"{base}accepted-{number}.svg") for number, name in enumerate(_accepted())}

    assert [name for name, did in ran.items() if not did] == []  # the corpus is real: each file runs its script
    assert [name for name, did in accepted_ran.items() if did] == []
