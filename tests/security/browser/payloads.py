"""The project's own XSS payloads for the browser suite.

Each entry is ``(label, template)``. In a template ``{X}`` stands for the hook call
``xss(N)`` with the payload's own number ``N`` (so an execution names its payload), ``{N}``
for the bare number and ``{B64}`` for ``<script>xss(N)</script>`` in base64. Each payload
is meant to execute when the raw HTML is embedded in a page and given the harness's
events (the control run checks that at least 90% do in current Chromium); a few dead
vectors (IE ``expression``/``behavior``, Firefox ``-moz-binding``, ...) are kept on
purpose, since a sanitizer has to remove them all the same.
"""

from __future__ import annotations

import base64

_ANIM = "<style>@keyframes hgk{from{opacity:.5}to{opacity:1}}</style>"
_SVG_DOC = "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload='{X}'/>"
_MGLYPH = "<math><mtext><table><mglyph>"

PAYLOADS: tuple[tuple[str, str], ...] = (
    # --- event handlers that fire without interaction -----------------------------------
    ("img onerror", "<img src=x onerror={X}>"),
    ("img onerror, quoted, slash separator", '<img/src="/missing.png"/onerror="{X}">'),
    ("img onerror, mixed case", "<IMG SRC=x OnErRoR={X}>"),
    ("img onerror, newline separators", "<img\nsrc=x\nonerror\n=\n{X}>"),
    ("img onerror, entity-encoded handler", "<img src=x onerror=&#x78;&#x73;&#x73;({N})>"),
    ("img onerror, comment-padded handler", "<img src=x onerror='/**/{X}'>"),
    ("image -> img", "<image src=x onerror={X}>"),
    ("img srcset onerror", '<img srcset=",,,,x" onerror="{X}">'),
    ("picture/source + img onerror", "<picture><source srcset=x><img onerror={X}></picture>"),
    ("img onload (data: gif)", '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" onload={X}>'),
    ("input type=image onerror", "<input type=image src=x onerror={X}>"),
    ("svg onload", "<svg onload={X}>"),
    ("svg onload, slash separators", "<svg/onload={X}//"),
    ("nested svg onload", "<svg><svg onload={X}></svg></svg>"),
    ("svg g onload", "<svg><g onload={X}></g></svg>"),
    ("svg image onerror", "<svg><image href=x onerror={X} /></svg>"),
    ("body onload", "<body onload={X}>"),
    ("body onpageshow", "<body onpageshow={X}>"),
    ("body onresize", "<body onresize={X}>"),
    ("body onhashchange", "<body onhashchange={X}>"),
    ("body onmessage", "<body onmessage={X}>"),
    ("body onfocus", "<body onfocus={X}>"),
    ("iframe onload", "<iframe onload={X}></iframe>"),
    ("iframe src=about:blank onload", '<iframe src="about:blank" onload="{X}"></iframe>'),
    ("input autofocus onfocus", "<input autofocus onfocus={X}>"),
    ("input onblur + second autofocus", "<input onblur={X} autofocus><input autofocus>"),
    ("select autofocus onfocus", "<select autofocus onfocus={X}></select>"),
    ("textarea autofocus onfocus", "<textarea autofocus onfocus={X}></textarea>"),
    ("keygen autofocus onfocus", "<keygen autofocus onfocus={X}>"),
    ("contenteditable autofocus onfocus", "<div contenteditable autofocus onfocus={X}>x</div>"),
    ("button autofocus onfocusin", "<button autofocus onfocusin={X}>b</button>"),
    ("a tabindex autofocus onfocus", '<a id=hgf tabindex=1 autofocus onfocus="{X}">x</a>'),
    (
        "animation: onanimationstart",
        _ANIM + '<div style="animation:hgk 1s" onanimationstart={X}>a</div>',
    ),
    ("animation: onanimationend", _ANIM + '<b style="animation:hgk 1ms" onanimationend={X}>a</b>'),
    (
        "animation: onwebkitanimationstart",
        _ANIM + '<p style="animation:hgk 1s" onwebkitanimationstart={X}>a</p>',
    ),
    (
        "animation: onanimationiteration",
        _ANIM + '<i style="animation:hgk 1ms 3" onanimationiteration={X}>a</i>',
    ),
    ("transition: ontransitionend", '<u style="transition:color 1ms" ontransitionend={X}>a</u>'),
    ("div onscrollend", '<div style="overflow:auto;height:9px" onscrollend={X}>x<br>y</div>'),
    ("details open ontoggle", "<details open ontoggle={X}>"),
    ("details ontoggle with summary", "<details ontoggle={X} open><summary>s</summary>d</details>"),
    ("svg animate onbegin", "<svg><animate onbegin={X} attributeName=x dur=1s></svg>"),
    ("svg set onbegin", "<svg><set onbegin={X} attributeName=fill to=red></svg>"),
    ("svg animate onend", "<svg><animate onend={X} attributeName=x dur=1ms></svg>"),
    (
        "svg animatetransform onbegin",
        "<svg><animateTransform onbegin={X} attributeName=transform></svg>",
    ),
    (
        "svg animatemotion onrepeat",
        "<svg><animateMotion onrepeat={X} path=M0,0 dur=1ms repeatCount=3 /></svg>",
    ),
    ("video src onerror", "<video src=x onerror={X}></video>"),
    ("audio src onerror", "<audio src=x onerror={X}></audio>"),
    ("video source onerror", "<video><source onerror={X}></video>"),
    ("audio source src onerror", "<audio><source src=x onerror={X}></audio>"),
    ("video onloadstart", "<video src=x onloadstart={X}></video>"),
    ("video poster onerror", "<video poster=x src=y onerror={X}></video>"),
    ("object data onerror", "<object data=x onerror={X}></object>"),
    ("embed onload", "<embed src=x onload={X}>"),
    ("script src onerror", "<script src=x onerror={X}></script>"),
    ("link stylesheet onerror", "<link rel=stylesheet href=x onerror={X}>"),
    (
        "link stylesheet onload (data: css)",
        "<link rel=stylesheet href=data:text/css,a{} onload={X}>",
    ),
    ("style onload", "<style onload={X}></style>"),
    ("marquee onmouseover", "<marquee onmouseover={X}>m</marquee>"),
    ("dialog open onclose", "<dialog open onclose={X}>d</dialog>"),
    ("script element", "<script>{X}</script>"),
    ("script, mixed case", "<ScRiPt>{X}</sCrIpT>"),
    ("script type=module", "<script type=module>{X}</script>"),
    ("script in svg", "<svg><script>{X}</script></svg>"),
    ("script in svg, entity-encoded body", "<svg><script>&#x78;ss({N})</script></svg>"),
    ("script after broken script", "<script>/*</script><script>{X}</script>"),
    ("script src data:", '<script src="data:text/javascript,{X}"></script>'),
    ("script setTimeout", "<script>setTimeout(function(){{X}},50)</script>"),
    (
        "0xsobky polyglot",
        "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk={X} )//%0D%0A%0d%0a//</stYle/"
        "</titLe/</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd={X}//>\\x3e",
    ),
    # --- event handlers that need an interaction (the harness fires them) ---------------
    ("custom element onmouseover", "<xss onmouseover={X}>x</xss>"),
    ("a onmouseover", "<a onmouseover={X}>x</a>"),
    ("div onclick", "<div onclick={X}>x</div>"),
    ("span onmouseenter", "<span onmouseenter={X}>x</span>"),
    ("p ondblclick", "<p ondblclick={X}>x</p>"),
    ("b onmousedown", "<b onmousedown={X}>x</b>"),
    ("i onmouseup", "<i onmouseup={X}>x</i>"),
    ("u onpointerdown", "<u onpointerdown={X}>x</u>"),
    ("s onpointerenter", "<s onpointerenter={X}>x</s>"),
    ("em onkeydown", "<em onkeydown={X}>x</em>"),
    ("strong onkeyup", "<strong onkeyup={X}>x</strong>"),
    ("input oninput", "<input oninput={X}>"),
    ("input onchange", "<input onchange={X}>"),
    ("select onchange", "<select onchange={X}><option>a</option></select>"),
    ("textarea onselect", "<textarea onselect={X}>t</textarea>"),
    ("form onsubmit", "<form onsubmit={X}><input></form>"),
    ("form onreset", "<form onreset={X}><input></form>"),
    ("input oninvalid required", "<input required oninvalid={X}>"),
    ("div oncontextmenu", "<div oncontextmenu={X}>x</div>"),
    ("div onwheel", "<div onwheel={X}>x</div>"),
    ("div onscroll", '<div style="overflow:auto;height:9px" onscroll={X}>x<br>y<br>z</div>'),
    ("draggable ondragstart", "<div draggable=true ondragstart={X}>x</div>"),
    ("div oncopy", "<div oncopy={X}>x</div>"),
    ("div onpaste", "<div onpaste={X}>x</div>"),
    ("div oncut", "<div oncut={X}>x</div>"),
    ("body onkeypress", "<body onkeypress={X}>"),
    ("div onauxclick", "<div onauxclick={X}>x</div>"),
    ("div onpointerup", "<div onpointerup={X}>x</div>"),
    ("div onmouseout", "<div onmouseout={X}>x</div>"),
    ("div onmouseleave", "<div onmouseleave={X}>x</div>"),
    ("div onfocusout tabindex", "<div tabindex=0 onfocusout={X}>x</div>"),
    ("contenteditable onbeforeinput", "<div contenteditable onbeforeinput={X}>x</div>"),
    ("input type=search onsearch", "<input type=search onsearch={X}>"),
    ("dialog oncancel", "<dialog open oncancel={X}>d</dialog>"),
    ("table onpointermove", "<table onpointermove={X}><tr><td>x</td></tr></table>"),
    ("svg a onclick", "<svg><a onclick={X}><rect width=9 height=9 /></a></svg>"),
    ("svg rect onmouseover", "<svg><rect width=9 height=9 onmouseover={X} /></svg>"),
    ("math mi onmouseover", "<math><mi onmouseover={X}>x</mi></math>"),
    ("math onclick", "<math onclick={X}><mi>x</mi></math>"),
    ("label onclick", "<label onclick={X}>l</label>"),
    ("button onclick", "<button onclick={X}>b</button>"),
    ("body oninput + input", "<body oninput={X}><input autofocus>"),
    # --- javascript:/data: URLs, with obfuscation ---------------------------------------
    ("a href javascript:", '<a href="javascript:{X}">x</a>'),
    ("a href javascript:, mixed case", '<a href="JaVaScRiPt:{X}">x</a>'),
    ("a href javascript:, leading spaces", '<a href="   javascript:{X}">x</a>'),
    ("a href javascript:, leading control char", '<a href="\x01\x02javascript:{X}">x</a>'),
    ("a href javascript:, &#x6a;", '<a href="&#x6a;avascript:{X}">x</a>'),
    (
        "a href javascript:, all decimal entities",
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;{X}">x</a>',
    ),
    (
        "a href javascript:, hex entities without semicolons",
        '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A{X}">x</a>',
    ),
    ("a href javascript:, zero-padded entity", '<a href="&#0000106avascript:{X}">x</a>'),
    ("a href javascript:, &Tab;", '<a href="java&Tab;script:{X}">x</a>'),
    ("a href javascript:, &NewLine;", '<a href="java&NewLine;script:{X}">x</a>'),
    ("a href javascript:, &#x09;", '<a href="jav&#x09;ascript:{X}">x</a>'),
    ("a href javascript:, &#13;", '<a href="javas&#13;cript:{X}">x</a>'),
    ("a href javascript:, &colon;", '<a href="javascript&colon;{X}">x</a>'),
    ("a href javascript:, leading &#x20;&#x0D;", '<a href="&#x20;&#x0D;javascript:{X}">x</a>'),
    ("a href javascript:, raw tab and newline", '<a href="ja\tva\nscript:{X}">x</a>'),
    ("a href javascript:, percent-encoded call", '<a href="javascript:%78ss({N})">x</a>'),
    ("a href javascript:, %0a after comment", '<a href="javascript://%0a{X}">x</a>'),
    ("a href javascript:, unquoted", "<a href=javascript:{X}>x</a>"),
    (
        "a href javascript: returning markup",
        "<a href=\"javascript:'<img src=x onerror={X}>'\">x</a>",
    ),
    ("a href data:text/html", '<a href="data:text/html,<script>{X}</script>">x</a>'),
    ("a href data: base64", '<a href="data:text/html;base64,{B64}">x</a>'),
    (
        "a href data:, mixed case and entities",
        '<a href="D&#x61;TA:text/html,&lt;script&gt;{X}&lt;/script&gt;">x</a>',
    ),
    ("area href javascript:", '<map name=hgm><area shape=default href="javascript:{X}"></map>'),
    ("iframe src javascript:", '<iframe src="javascript:{X}"></iframe>'),
    ("iframe src javascript:, upper case", '<iframe src="JAVASCRIPT:{X}"></iframe>'),
    ("iframe src javascript:, &#x6a;", '<iframe src="&#x6a;avascript:{X}"></iframe>'),
    ("iframe src javascript:, &Tab;", '<iframe src="java&Tab;script:{X}"></iframe>'),
    ("iframe src javascript:, leading newline", '<iframe src="&#x0A; javascript:{X}"></iframe>'),
    ("iframe src javascript:, &colon;", '<iframe src="javascript&colon;{X}"></iframe>'),
    (
        "iframe src javascript: returning markup",
        "<iframe src=\"javascript:'<script>{X}<\\/script>'\"></iframe>",
    ),
    ("iframe src data:text/html", '<iframe src="data:text/html,<script>{X}</script>"></iframe>'),
    ("iframe src data: base64", '<iframe src="data:text/html;base64,{B64}"></iframe>'),
    (
        "iframe src data:image/svg+xml",
        f'<iframe src="{_SVG_DOC}"></iframe>',
    ),
    ("iframe srcdoc script", '<iframe srcdoc="<script>{X}</script>"></iframe>'),
    (
        "iframe srcdoc, escaped img onerror",
        '<iframe srcdoc="&lt;img src=x onerror={X}&gt;"></iframe>',
    ),
    ("iframe srcdoc svg onload", '<iframe srcdoc="<svg onload={X}>"></iframe>'),
    (
        "iframe srcdoc, numeric entities",
        '<iframe srcdoc="&#60;script&#62;{X}&#60;/script&#62;"></iframe>',
    ),
    (
        "iframe srcdoc, &equals; &lpar;",
        '<iframe srcdoc="&lt;img src&equals;x onerror&equals;xss&lpar;{N}&rpar;&gt;"></iframe>',
    ),
    ("object data data:text/html", '<object data="data:text/html,<script>{X}</script>"></object>'),
    ("object data data: base64", '<object data="data:text/html;base64,{B64}"></object>'),
    (
        "object data data:image/svg+xml",
        f'<object data="{_SVG_DOC}"></object>',
    ),
    ("object data javascript:", '<object data="javascript:{X}"></object>'),
    ("embed src data:text/html", '<embed src="data:text/html,<script>{X}</script>">'),
    (
        "embed src data:image/svg+xml",
        f'<embed src="{_SVG_DOC}">',
    ),
    ("embed src javascript:", '<embed src="javascript:{X}">'),
    ("form action javascript:", '<form action="javascript:{X}"><input type=submit></form>'),
    (
        "form action javascript:, entities",
        '<form action="&#x6A;avascript&colon;{X}"><button>b</button></form>',
    ),
    (
        "button formaction javascript:",
        '<form><button formaction="javascript:{X}">b</button></form>',
    ),
    (
        "input submit formaction javascript:",
        '<form><input type=submit formaction="javascript:{X}"></form>',
    ),
    (
        "input image formaction, mixed case",
        '<form><input type=image formaction="JaVaScRiPt:{X}"></form>',
    ),
    (
        "button form= formaction outside the form",
        '<form id=hgfa></form><button form=hgfa formaction="javascript:{X}">b</button>',
    ),
    (
        "button formaction, &Tab;",
        '<form><button formaction="java&Tab;script:{X}">b</button></form>',
    ),
    ("isindex action", '<isindex action="javascript:{X}" type=submit>'),
    (
        "svg a xlink:href javascript:",
        '<svg><a xlink:href="javascript:{X}"><text y=20>x</text></a></svg>',
    ),
    ("svg a href javascript:", '<svg><a href="javascript:{X}"><circle r=9 /></a></svg>'),
    (
        "svg a xlink:href, &#x6a;",
        '<svg><a xlink:href="&#x6a;avascript:{X}"><rect width=9 height=9 /></a></svg>',
    ),
    (
        "svg animate sets a href to javascript:",
        '<svg><a><animate attributeName=href to="javascript:{X}" fill=freeze />'
        "<text y=20>x</text></a></svg>",
    ),
    (
        "svg set xlink:href to javascript:",
        '<svg><a><set attributeName="xlink:href" to="javascript:{X}" />'
        "<text y=20>x</text></a></svg>",
    ),
    ("math href javascript:", '<math href="javascript:{X}">x</math>'),
    ("meta refresh javascript:", '<meta http-equiv="refresh" content="0;url=javascript:{X}">'),
    (
        "meta refresh data:",
        '<meta http-equiv="refresh" content="0;url=data:text/html,<script>{X}</script>">',
    ),
    (
        "meta refresh data: base64",
        '<meta http-equiv=refresh content="0; URL=data:text/html;base64,{B64}">',
    ),
    ("base href javascript:", '<base href="javascript:{X}//"><a href="/x">x</a>'),
    # --- mutation XSS, namespace confusion, raw-text breakouts ---------------------------
    ("svg </p> style breakout", '<svg></p><style><a id="</style><img src=1 onerror={X}>">'),
    ("math mtext table mglyph style", "<math><mtext><table><mglyph><style><img src=x onerror={X}>"),
    # The DOMPurify 2.0.0 bypass hid the markup in an attribute value; since browsers escape
    # < and > there, these carry it in raw-text elements, which serialize unescaped. Only
    # the re-parse makes them run: the first parse leaves the img as text.
    (
        "mglyph/style comment + xmp (re-parse only)",
        _MGLYPH + "<style><!--</style><xmp>--><img src=x onerror={X}></xmp>",
    ),
    (
        "mglyph/style comment + noembed (re-parse only)",
        _MGLYPH + "<style><!--</style><noembed>--><img src=x onerror={X}></noembed>",
    ),
    (
        "mglyph/style comment + iframe (re-parse only)",
        _MGLYPH + "<style><!--</style><iframe>--><img src=x onerror={X}></iframe>",
    ),
    (
        "mglyph/style comment + noscript (re-parse only)",
        _MGLYPH + "<style><!--</style><noscript>--><img src=x onerror={X}></noscript>",
    ),
    (
        "mglyph/noframes comment + xmp (re-parse only)",
        _MGLYPH + "<noframes><!--</noframes><xmp>--><img src=x onerror={X}></xmp>",
    ),
    (
        "form/math nesting (DOMPurify 2.2.2)",
        "<form><math><mtext></form><form><mglyph><style></math><img src onerror={X}>",
    ),
    (
        "form/math nesting + xmp (re-parse only)",
        "<form><math><mtext></form><form><mglyph><xmp></math><img src onerror={X}>",
    ),
    (
        "math mtext table mglyph svg style",
        "<math><mtext><table><mglyph><svg><style><img src=x onerror={X}>",
    ),
    ("svg p style breakout", '<svg><p><style><g title="</style><img src=x onerror={X}>">'),
    ("svg style img breakout", "<svg><style><img src=x onerror={X}></style></svg>"),
    ("math style img breakout", "<math><style><img src=x onerror={X}></style></math>"),
    ("svg foreignObject img", "<svg><foreignObject><img src=x onerror={X}></foreignObject></svg>"),
    ("svg desc img", "<svg><desc><img src=x onerror={X}></desc></svg>"),
    ("svg title img", "<svg><title><img src=x onerror={X}></title></svg>"),
    (
        "math annotation-xml text/html",
        '<math><annotation-xml encoding="text/html"><img src=x onerror={X}>'
        "</annotation-xml></math>",
    ),
    ("math mi img", "<math><mi><img src=x onerror={X}></mi></math>"),
    ("math mtext img", "<math><mtext><img src=x onerror={X}></mtext></math>"),
    ("noscript title breakout", '<noscript><p title="</noscript><img src=x onerror={X}>">'),
    ("noscript style breakout", "<noscript><style></noscript><img src=x onerror={X}>"),
    ("textarea breakout", '<textarea><img title="</textarea><img src=x onerror={X}>">'),
    ("title breakout", '<title><img title="</title><img src=x onerror={X}>">'),
    ("style breakout", '<style><img title="</style><img src=x onerror={X}>">'),
    ("xmp breakout", '<xmp><img title="</xmp><img src=x onerror={X}>">'),
    ("iframe content breakout", '<iframe><img title="</iframe><img src=x onerror={X}>">'),
    ("noembed breakout", '<noembed><img title="</noembed><img src=x onerror={X}>">'),
    ("noframes breakout", '<noframes><img title="</noframes><img src=x onerror={X}>">'),
    ("template breakout", "<template><s></template><img src=x onerror={X}>"),
    ("select breakout", "<select><option></select><img src=x onerror={X}>"),
    ("select with img inside", "<select><img src=x onerror={X}></select>"),
    ("comment breakout <!-->", "<!--><img src=x onerror={X}>-->"),
    ("comment breakout <!--->", "<!---><img src=x onerror={X}>-->"),
    ("comment closed by --!>", "<!--a--!><img src=x onerror={X}>-->"),
    ("comment in attribute value", '<a title="<!--"><img src=x onerror={X}>-->">x</a>'),
    ("bogus comment <?", '<? foo="><img src=x onerror={X}>">'),
    ("bogus comment </ ", '</ foo="><img src=x onerror={X}>">'),
    ("bogus comment <!", '<! foo="><img src=x onerror={X}>">'),
    ("CDATA in HTML is a bogus comment", "<![CDATA[><img src=x onerror={X}>]]>"),
    ("CDATA in svg", '<svg><![CDATA[><image xlink:href="]]><img src=x onerror={X}//"></svg>'),
    (
        "noscript in div, title breakout",
        '<div><noscript><p title="</noscript><img src=x onerror={X}>"></noscript></div>',
    ),
    ("double open tag", "<<img src=x onerror={X}>"),
    ("nested quotes in unquoted attribute", "<img src=`x` onerror={X}>"),
    ("img in table foster-parented", "<table><img src=x onerror={X}></table>"),
    (
        "div in table then svg",
        "<table><tr><td><svg><img src=x onerror={X}></svg></td></tr></table>",
    ),
    ("plaintext-free listing breakout", "<listing><img src=x onerror={X}></listing>"),
    # --- style-based (dead in current browsers, must be removed anyway) ---------------
    ("style expression()", '<div style="width:expression({X})">x</div>'),
    ("style behavior: url", '<div style="behavior:url(#default#time2)" onbegin={X}>x</div>'),
    (
        "style -moz-binding",
        '<div style="-moz-binding:url(data:text/xml,%3Cb%3E{X}%3C/b%3E)">x</div>',
    ),
    ("style background javascript: url", '<div style="background:url(javascript:{X})">x</div>'),
    ("stylesheet @import javascript:", '<style>@import "javascript:{X}";</style>'),
    ("stylesheet expression", "<style>*{x:expression({X})}</style>"),
    ("link stylesheet javascript:", '<link rel=stylesheet href="javascript:{X}">'),
    ("style list-style javascript:", '<ul><li style="list-style:url(javascript:{X})">x</li></ul>'),
    # --- style-based that still run ------------------------------------------------------
    (
        "style animation in attribute",
        _ANIM + '<svg><rect style="animation:hgk 1s" onanimationstart={X} /></svg>',
    ),
    (
        "@import data: stylesheet with onload",
        "<link rel=stylesheet href=\"data:text/css,@import 'x';\" onload={X}>",
    ),
    (
        "style position overlay + onmouseover",
        '<a style="position:fixed;left:0;top:0;width:100%;height:100%" onmouseover={X}>x</a>',
    ),
)


def expand(template: str, n: int) -> str:
    """The template with its placeholders filled in for payload number ``n``."""
    script = base64.b64encode(f"<script>xss({n})</script>".encode()).decode()
    return template.replace("{X}", f"xss({n})").replace("{N}", str(n)).replace("{B64}", script)


def own_payloads() -> list[tuple[str, str, str]]:
    """``(id, label, html)`` for every own payload; ids are ``own-001`` ...."""
    return [
        (f"own-{i:03d}", label, expand(template, i))
        for i, (label, template) in enumerate(PAYLOADS, 1)
    ]
