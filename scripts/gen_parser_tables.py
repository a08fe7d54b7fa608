#!/usr/bin/env python3
"""Generate the parser's static tables (issue 13).

- rust/parser/atoms_table.rs: every known tag and attribute name, an `Atom` constant for
  each, and a perfect hash (hash and displace) from a name to its atom, so a lookup costs
  one multiply per eight bytes, two array reads and one string compare.
- rust/parser/entities_table.rs: the WHATWG named character references (Python's
  `html.entities.html5`), sorted by name for binary search.

Run from the repository root: python3 scripts/gen_parser_tables.py
Python 3 standard library only.
"""

import html.entities
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "rust" / "parser"

HTML_ELEMENTS = """
a abbr acronym address applet area article aside audio b base basefont bdi bdo bgsound
big blink blockquote body br button canvas caption center cite code col colgroup data
datalist dd del details dfn dialog dir div dl dt em embed fieldset figcaption figure font
footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe image img
input ins isindex kbd keygen label legend li link listing main map mark marquee menu
menuitem meta meter multicol nav nextid nobr noembed noframes noscript object ol optgroup
option output p param picture plaintext pre progress q rb rp rt rtc ruby s samp script
search section select selectedcontent slot small source spacer span strike strong style
sub summary sup table tbody td template textarea tfoot th thead time title tr track tt u
ul var video wbr xmp
"""

# Lowercase, as the tokenizer emits them (the tree builder restores SVG's camelCase).
SVG_ELEMENTS = """
altglyph altglyphdef altglyphitem animate animatecolor animatemotion animatetransform
circle clippath color-profile cursor defs desc discard ellipse feblend fecolormatrix
fecomponenttransfer fecomposite feconvolvematrix fediffuselighting fedisplacementmap
fedistantlight fedropshadow feflood fefunca fefuncb fefuncg fefuncr fegaussianblur feimage
femerge femergenode femorphology feoffset fepointlight fespecularlighting fespotlight
fetile feturbulence filter font-face font-face-format font-face-name font-face-src
font-face-uri foreignobject g glyph glyphref hatch hatchpath hkern line lineargradient
marker mask mesh meshgradient meshpatch meshrow metadata missing-glyph mpath path pattern
polygon polyline radialgradient rect set solidcolor stop svg switch symbol text textpath
tref tspan unknown use view vkern
"""

MATHML_ELEMENTS = """
math maction maligngroup malignmark annotation annotation-xml menclose merror mfenced
mfrac mglyph mi mlabeledtr mlongdiv mmultiscripts mn mo mover mpadded mphantom
mprescripts mroot mrow ms mscarries mscarry msgroup msline mspace msqrt msrow mstack
mstyle msub msubsup msup mtable mtd mtext mtr munder munderover none semantics
"""

HTML_ATTRIBUTES = """
abbr accept accept-charset accesskey action align alink allow allowfullscreen alt archive
async autocapitalize autocomplete autocorrect autofocus autoplay axis background bgcolor
blocking border cellpadding cellspacing char charoff charset checked cite class classid
clear code codebase codetype color cols colspan compact content contenteditable controls
coords crossorigin data datetime declare decoding default defer dir dirname disabled
download draggable enctype enterkeyhint face fetchpriority for form formaction formenctype
formmethod formnovalidate formtarget frame frameborder headers height hidden high href
hreflang hspace http-equiv id imagesizes imagesrcset inert inputmode integrity is ismap
itemid itemprop itemref itemscope itemtype kind label lang language link list loading
longdesc loop low manifest marginheight marginwidth max maxlength media method min
minlength multiple muted name nohref nomodule nonce noresize noshade novalidate nowrap
object open optimum pattern ping placeholder playsinline popover popovertarget
popovertargetaction poster preload profile readonly referrerpolicy rel required rev
reversed role rows rowspan rules sandbox scheme scope scrolling selected shadowrootclonable
shadowrootdelegatesfocus shadowrootmode shadowrootserializable shape size sizes slot span
spellcheck src srcdoc srclang srcset standby start step style summary tabindex target text
title translate type usemap valign value valuetype version vlink vspace width wrap
writingsuggestions
aria-activedescendant aria-atomic aria-autocomplete aria-busy aria-checked aria-colcount
aria-colindex aria-colspan aria-controls aria-current aria-describedby aria-description
aria-details aria-disabled aria-errormessage aria-expanded aria-flowto aria-haspopup
aria-hidden aria-invalid aria-keyshortcuts aria-label aria-labelledby aria-level aria-live
aria-modal aria-multiline aria-multiselectable aria-orientation aria-owns aria-placeholder
aria-posinset aria-pressed aria-readonly aria-relevant aria-required aria-roledescription
aria-rowcount aria-rowindex aria-rowspan aria-selected aria-setsize aria-sort
aria-valuemax aria-valuemin aria-valuenow aria-valuetext
"""

# The standard's "adjust SVG attributes" table (lowercase side), "adjust MathML
# attributes" and "adjust foreign attributes", then SVG and MathML attributes sanitizers
# commonly allow or must recognise.
FOREIGN_ATTRIBUTES = """
attributename attributetype basefrequency baseprofile calcmode clippathunits
diffuseconstant edgemode filterunits glyphref gradienttransform gradientunits
kernelmatrix kernelunitlength keypoints keysplines keytimes lengthadjust
limitingconeangle markerheight markerunits markerwidth maskcontentunits maskunits
numoctaves pathlength patterncontentunits patterntransform patternunits pointsatx
pointsaty pointsatz preservealpha preserveaspectratio primitiveunits refx refy
repeatcount repeatdur requiredextensions requiredfeatures specularconstant
specularexponent spreadmethod startoffset stddeviation stitchtiles surfacescale
systemlanguage tablevalues targetx targety textlength viewbox viewtarget
xchannelselector ychannelselector zoomandpan
definitionurl
xlink:actuate xlink:arcrole xlink:href xlink:role xlink:show xlink:title xlink:type
xml:base xml:lang xml:space xmlns xmlns:xlink
accent-height alignment-baseline amplitude ascent azimuth begin bias by clip clip-path
clip-rule color-interpolation color-interpolation-filters color-rendering cx cy d
direction display divisor dominant-baseline dur dx dy elevation end exponent fill
fill-opacity fill-rule flood-color flood-opacity font-family font-size font-size-adjust
font-stretch font-style font-variant font-weight fr from fx fy g1 g2 glyph-name
image-rendering in in2 intercept k k1 k2 k3 k4 kerning letter-spacing lighting-color
local marker-end marker-mid marker-start mode offset opacity operator order orient origin
overflow paint-order points radius r restart result rotate rx ry scale seed
shape-rendering stop-color stop-opacity stroke stroke-dasharray stroke-dashoffset
stroke-linecap stroke-linejoin stroke-miterlimit stroke-opacity stroke-width
text-anchor text-decoration text-rendering to transform transform-origin u1 u2
underline-position underline-thickness unicode unicode-bidi values vector-effect
visibility word-spacing writing-mode x x1 x2 y y1 y2 z
accentunder actiontype close columnalign columnlines columnspacing columnspan depth
displaystyle encoding fence frame framespacing largeop linethickness lspace mathbackground
mathcolor mathsize mathvariant maxsize minsize movablelimits notation rowalign rowlines
rowspacing rspace scriptlevel selection separator separators stretchy symmetric voffset
"""

HEADER = "// @generated by scripts/gen_parser_tables.py; do not edit.\n"


MASK64 = (1 << 64) - 1


def name_hash(data: bytes) -> int:
    """Must match `hash` in rust/parser/atoms.rs: eight bytes per multiply."""
    h = (len(data) * 0x9E3779B97F4A7C15) & MASK64
    for i in range(0, len(data), 8):
        word = int.from_bytes(data[i : i + 8], "little")
        h = ((h ^ word) * 0xFF51AFD7ED558CCD) & MASK64
        h ^= h >> 32
    return h


def slot(h: int, disp: int, bits: int) -> int:
    """Must match `slot` in rust/parser/atoms.rs."""
    return ((((h & 0xFFFFFFFF) ^ disp) * 0x9E3779B1) & 0xFFFFFFFF) >> (32 - bits)


def perfect_hash(names: list[str]) -> tuple[int, list[int], int, list[int]]:
    """Hash and displace: each bucket of names gets the first displacement that puts all
    its names in free slots. Returns (bucket count, displacements, slot bits, slots)."""
    bits = (len(names) * 2 - 1).bit_length()
    size = 1 << bits
    nbuckets = max(1, len(names) // 3)
    buckets: list[list[int]] = [[] for _ in range(nbuckets)]
    hashes = [name_hash(n.encode()) for n in names]
    for i, h in enumerate(hashes):
        buckets[(h >> 40) % nbuckets].append(i)
    slots = [0] * size  # atom number, 0 for an empty slot
    disps = [0] * nbuckets
    for b in sorted(range(nbuckets), key=lambda b: -len(buckets[b])):
        members = buckets[b]
        if not members:
            continue
        for disp in range(1 << 16):
            taken = [slot(hashes[i], disp, bits) for i in members]
            if len(set(taken)) == len(taken) and all(slots[s] == 0 for s in taken):
                for i, s in zip(members, taken, strict=True):
                    slots[s] = i + 1  # atom 0 is UNKNOWN
                disps[b] = disp
                break
        else:
            raise SystemExit("no displacement found; change the bucket count")
    return nbuckets, disps, bits, slots


def const_name(name: str) -> str:
    return name.upper().replace("-", "_").replace(":", "_")


def rust_list(items: list[str], per_line: int) -> str:
    lines = []
    for i in range(0, len(items), per_line):
        lines.append("    " + ", ".join(items[i : i + per_line]) + ",")
    return "\n".join(lines)


def gen_atoms() -> str:
    seen: dict[str, None] = {}
    for block in (
        HTML_ELEMENTS,
        SVG_ELEMENTS,
        MATHML_ELEMENTS,
        HTML_ATTRIBUTES,
        FOREIGN_ATTRIBUTES,
    ):
        for name in block.split():
            assert name == name.lower(), name
            seen.setdefault(name, None)
    names = list(seen)
    consts = [const_name(n) for n in names]
    assert len(set(consts)) == len(consts), "two names share a constant"
    nbuckets, disps, bits, slots = perfect_hash(names)
    out = [HEADER]
    out.append("use super::atoms::Atom;\n\n")
    for i, (n, c) in enumerate(zip(names, consts, strict=True)):
        out.append(f"/// `{n}`\npub const {c}: Atom = Atom({i + 1});\n")
    out.append(f"\npub(super) const MAX_LEN: usize = {max(map(len, names))};\n")
    out.append(f"pub(super) const BUCKETS: u64 = {nbuckets};\n")
    out.append(f"pub(super) const BITS: u32 = {bits};\n\n")
    out.append("/// Index = atom number; entry 0 is UNKNOWN's empty name.\n")
    quoted = ['""'] + [f'"{n}"' for n in names]
    out.append(f"pub(super) static NAMES: [&str; {len(quoted)}] = [\n")
    out.append(rust_list(quoted, 8) + "\n];\n\n")
    out.append(f"pub(super) static DISPS: [u32; {nbuckets}] = [\n")
    out.append(rust_list([str(d) for d in disps], 16) + "\n];\n\n")
    out.append(f"pub(super) static SLOTS: [u16; {len(slots)}] = [\n")
    out.append(rust_list([str(s) for s in slots], 16) + "\n];\n")
    return "".join(out)


def rust_str(s: str) -> str:
    return '"' + "".join(f"\\u{{{ord(c):x}}}" for c in s) + '"'


def gen_entities() -> str:
    items = sorted(html.entities.html5.items(), key=lambda kv: kv[0].encode())
    assert len(items) == 2231
    for name, _ in items:
        assert name.rstrip(";").isalnum() and name.isascii(), name
    out = [HEADER]
    out.append(f"pub(super) const MAX_LEN: usize = {max(len(n) for n, _ in items)};\n\n")
    out.append("/// (name without the `&`, replacement), sorted by name's bytes.\n")
    out.append(f"pub(super) static ENTITIES: [(&str, &str); {len(items)}] = [\n")
    for name, value in items:
        out.append(f'    ("{name}", {rust_str(value)}),\n')
    out.append("];\n\n")
    # For each first byte, the range of ENTITIES starting with it: the binary search
    # then runs over a few dozen names instead of all of them.
    ranges = []
    for first in range(128):
        idx = [i for i, (n, _) in enumerate(items) if ord(n[0]) == first]
        ranges.append(f"({idx[0]}, {idx[-1] + 1})" if idx else "(0, 0)")
    out.append("/// `ENTITIES[lo..hi]` are the names starting with ASCII byte `b`.\n")
    out.append("pub(super) static BY_FIRST_BYTE: [(u16, u16); 128] = [\n")
    out.append(rust_list(ranges, 8) + "\n];\n")
    return "".join(out)


def main() -> None:
    (OUT / "atoms_table.rs").write_text(gen_atoms())
    (OUT / "entities_table.rs").write_text(gen_entities())


if __name__ == "__main__":
    main()
