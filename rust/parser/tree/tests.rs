//! Unit tests: the builder's API, the depth limit, linear time on hostile shapes (sizes
//! where quadratic work would take minutes; the assertions are on the result, not on
//! timing) and no panics on token soup.

use std::borrow::Cow;

use super::html5ever_tokens::{parse_document, parse_fragment};
use super::serialize::to_test_format;
use super::*;
use crate::html::MAX_DEPTH;
use crate::parser::token::{Attribute, Tag, Token};

fn doc(html: &str) -> String {
    to_test_format(&parse_document(html, Opts::default()))
}

/// Our tokenizer and tree builder on a fragment in a `<div>`, in the html5lib test format
/// (`frag` feeds the builder html5ever's tokens).
pub(super) fn ours(html: &str) -> String {
    to_test_format(&crate::parser::parse::parse_fragment(
        html,
        ContextElement::div(),
        Opts::default(),
    ))
}

fn frag(html: &str) -> String {
    to_test_format(&parse_fragment(
        html,
        ContextElement::div(),
        Opts::default(),
    ))
}

fn name(s: &str) -> crate::parser::token::Name<'_> {
    crate::parser::token::Name {
        atom: crate::parser::atoms::lookup(s),
        text: Cow::Borrowed(s),
    }
}

fn start<'a>(n: &'a str, attrs: &[(&'a str, String)]) -> Token<'a> {
    Token::StartTag(Tag {
        name: name(n),
        attrs: attrs
            .iter()
            .map(|(k, v)| Attribute {
                name: name(k),
                value: Cow::Owned(v.clone()),
            })
            .collect(),
        self_closing: false,
    })
}

fn end(n: &str) -> Token<'_> {
    Token::EndTag(Tag {
        name: name(n),
        attrs: Vec::new(),
        self_closing: false,
    })
}

fn chars(s: &str) -> Token<'_> {
    Token::Characters(Cow::Borrowed(s))
}

/// Feed tokens to a `<div>`-context fragment builder, as the sanitizer will.
fn build<'a>(tokens: impl IntoIterator<Item = Token<'a>>) -> Dom<'a> {
    let mut tb = TreeBuilder::new_fragment(ContextElement::div(), Opts::default());
    for t in tokens {
        tb.process(t);
    }
    tb.finish()
}

/// The deepest element below the root (the root's children are at depth 1).
fn max_depth(dom: &Dom<'_>) -> usize {
    let mut deepest = 0;
    let mut work = vec![(dom.root, 0)];
    while let Some((id, d)) = work.pop() {
        deepest = deepest.max(d);
        for c in dom.children(id) {
            if dom.element(c).is_some() {
                work.push((c, d + 1));
            }
        }
        if let Some(t) = dom.element(id).and_then(|e| e.template_contents) {
            work.push((t, d));
        }
    }
    deepest
}

fn count(dom: &Dom<'_>, tag: &str) -> usize {
    dom.nodes
        .iter()
        .filter(
            |n| matches!(&n.data, NodeData::Element(e) if e.name.text == tag && n.parent.is_some()),
        )
        .count()
}

#[test]
fn simple_document() {
    assert_eq!(
        doc("<p>One<p>Two"),
        "| <html>\n|   <head>\n|   <body>\n|     <p>\n|       \"One\"\n|     <p>\n|       \"Two\"\n"
    );
}

#[test]
fn fragment_in_div() {
    assert_eq!(frag("<b>x</b>"), "| <b>\n|   \"x\"\n");
    assert_eq!(frag("<td>x"), "| \"x\"\n");
    assert_eq!(
        frag("<svg><foreignObject><b>x</b></foreignObject></svg>"),
        "| <svg svg>\n|   <svg foreignObject>\n|     <b>\n|       \"x\"\n"
    );
}

#[test]
fn noscript_is_raw_text_with_scripting_on() {
    assert_eq!(
        frag("<noscript><b>x</b></noscript>"),
        "| <noscript>\n|   \"<b>x</b>\"\n"
    );
    let off = Opts {
        scripting: false,
        ..Opts::default()
    };
    let d = parse_fragment("<noscript><b>x</b></noscript>", ContextElement::div(), off);
    assert_eq!(to_test_format(&d), "| <noscript>\n|   <b>\n|     \"x\"\n");
}

#[test]
fn cdata_only_in_foreign_content() {
    assert_eq!(
        frag("<svg><![CDATA[<b>]]></svg>"),
        "| <svg svg>\n|   \"<b>\"\n"
    );
    assert_eq!(frag("<![CDATA[x]]>"), "| <!-- [CDATA[x]] -->\n");
}

#[test]
fn character_runs_split_anywhere() {
    // The same text in one piece or byte by byte gives the same tree.
    let text = "a \u{0} b\n<table> x \u{0}y</table>";
    let whole = build([start("table", &[]), chars(text), end("table")]);
    let pieces: Vec<Token> = text
        .char_indices()
        .map(|(i, c)| chars(&text[i..i + c.len_utf8()]))
        .collect();
    let split = build(
        std::iter::once(start("table", &[]))
            .chain(pieces)
            .chain(std::iter::once(end("table"))),
    );
    assert_eq!(to_test_format(&whole), to_test_format(&split));
}

#[test]
fn depth_limit_drops_start_tags_and_keeps_their_content() {
    let n = 2000;
    let html = "<div>".repeat(n) + "x" + &"</div>".repeat(n);
    let opts = Opts {
        max_depth: 10,
        ..Opts::default()
    };
    let d = parse_fragment(&html, ContextElement::div(), opts);
    assert_eq!(d.dropped.get("div"), Some(&(n - 10)));
    assert_eq!(max_depth(&d), 10);
    let mut expected = String::new();
    for i in 0..10 {
        expected += &format!("| {}<div>\n", "  ".repeat(i));
    }
    expected += &format!("| {}\"x\"\n", "  ".repeat(10));
    assert_eq!(to_test_format(&d), expected);
}

#[test]
fn million_nested_divs() {
    let n = 1_000_000;
    let d = build(std::iter::repeat_with(|| start("div", &[])).take(n));
    assert_eq!(d.dropped_count(), n - MAX_DEPTH);
    assert_eq!(max_depth(&d), MAX_DEPTH);
}

#[test]
fn misnested_formatting_storm() {
    // <b><i></b></i> x 100k
    let n = 100_000;
    let d = build((0..n).flat_map(|_| [start("b", &[]), start("i", &[]), end("b"), end("i")]));
    assert_eq!(count(&d, "b"), n);
    assert!(max_depth(&d) <= MAX_DEPTH);
}

#[test]
fn formatting_thousands_deep_and_misnested() {
    // <b><i><u> x 5000, then text, then the end tags in the wrong order.
    let n = 5000;
    let opens = (0..n).flat_map(|_| [start("b", &[]), start("i", &[]), start("u", &[])]);
    let closes = (0..n).flat_map(|_| [end("b"), chars("x"), end("u"), end("i")]);
    let d = build(opens.chain(std::iter::once(chars("t"))).chain(closes));
    assert!(max_depth(&d) <= MAX_DEPTH + 1);
}

#[test]
fn anchor_storm() {
    let n = 100_000;
    let d = build((0..n).flat_map(|_| [start("a", &[]), chars("x")]));
    assert_eq!(count(&d, "a"), n);
    assert!(max_depth(&d) <= 2);
}

#[test]
fn distinct_formatting_elements_storm() {
    let n = 100_000;
    let d = build((0..n).map(|i| start("b", &[("id", i.to_string())])));
    assert_eq!(d.dropped.get("b"), Some(&(n - MAX_DEPTH)));
    assert!(max_depth(&d) <= MAX_DEPTH);
}

#[test]
fn reconstruction_storm_is_bounded() {
    // <p><b id=N></p> x 50k: the standard reopens every earlier <b> in each paragraph.
    let n = 50_000;
    let d = build((0..n).flat_map(|i| {
        [
            start("p", &[]),
            start("b", &[("id", i.to_string())]),
            chars("x"),
            end("p"),
        ]
    }));
    assert_eq!(count(&d, "p"), n);
    assert!(count(&d, "b") <= n * (MAX_FORMATTING + 1));
}

#[test]
fn table_foster_parenting_storm() {
    let n = 100_000;
    let d =
        build((0..n).flat_map(|_| [start("table", &[]), chars("x"), start("b", &[]), chars("y")]));
    assert_eq!(count(&d, "table"), n);
    assert!(max_depth(&d) <= MAX_DEPTH);
    // Foster parenting under deep nesting.
    let deep = (0..400).map(|_| start("div", &[]));
    let storm = (0..n).flat_map(|_| {
        [
            start("table", &[]),
            chars("x"),
            start("tr", &[]),
            start("i", &[]),
        ]
    });
    let d = build(deep.chain(storm));
    assert!(max_depth(&d) <= MAX_DEPTH + 2);
}

#[test]
fn nested_tables_storm() {
    let n = 100_000;
    let d = build((0..n).flat_map(|_| {
        [
            start("table", &[]),
            start("tr", &[]),
            start("td", &[]),
            chars("x"),
        ]
    }));
    assert!(max_depth(&d) <= MAX_DEPTH + 2);
}

#[test]
fn select_and_template_storms() {
    let n = 100_000;
    let d = build((0..n).flat_map(|_| [start("select", &[]), start("option", &[]), chars("x")]));
    assert!(max_depth(&d) <= 3);
    let d = build((0..n).map(|_| start("template", &[])));
    assert_eq!(d.dropped.get("template"), Some(&(n - MAX_DEPTH)));
    let d = build((0..n).flat_map(|_| {
        [
            end("template"),
            end("select"),
            start("template", &[]),
            chars("x"),
        ]
    }));
    assert!(max_depth(&d) <= MAX_DEPTH);
}

#[test]
fn end_tag_storms() {
    let n = 100_000;
    let d = build((0..n).map(|_| end("p")));
    assert_eq!(count(&d, "p"), n);
    let d = build((0..n).map(|_| end("br")));
    assert_eq!(count(&d, "br"), n);
    // Unmatched end tags under a deep stack of non-special elements.
    let d = build(
        (0..MAX_DEPTH)
            .map(|_| start("span", &[]))
            .chain((0..n).map(|_| end("x"))),
    );
    assert_eq!(count(&d, "span"), MAX_DEPTH);
}

#[test]
fn adoption_storms() {
    let n = 100_000;
    // A furthest block each time.
    let d = build((0..n).flat_map(|_| [start("b", &[]), start("div", &[]), chars("x"), end("b")]));
    assert!(max_depth(&d) <= MAX_DEPTH + 1);
    let d = build((0..n).flat_map(|_| [start("a", &[]), start("p", &[]), chars("x")]));
    assert_eq!(count(&d, "p"), n);
    let d = build((0..n).flat_map(|_| [start("nobr", &[]), start("nobr", &[]), chars("x")]));
    assert!(max_depth(&d) <= MAX_DEPTH + 1);
}

#[test]
fn many_attributes_on_repeated_body() {
    let attrs: Vec<(&str, String)> = Vec::new();
    let names: Vec<String> = (0..2000).map(|i| format!("a{i}")).collect();
    let with: Vec<(&str, String)> = names.iter().map(|n| (n.as_str(), String::new())).collect();
    let mut tb = TreeBuilder::new_document(Opts::default());
    tb.process(start("body", &attrs));
    for _ in 0..500 {
        tb.process(start("body", &with));
    }
    let d = tb.finish();
    assert_eq!(
        d.nodes.iter().find_map(|n| match &n.data {
            NodeData::Element(e) if e.name.text == "body" => Some(e.attrs.len()),
            _ => None,
        }),
        Some(2000)
    );
}

/// Token soup through the html5ever driver in several contexts: no panic, depth bounded.
#[test]
fn token_soup_never_panics() {
    const PIECES: &[&str] = &[
        "<b>",
        "</b>",
        "<i>",
        "</i>",
        "<a href=x>",
        "</a>",
        "<p>",
        "</p>",
        "<div>",
        "</div>",
        "<table>",
        "</table>",
        "<tr>",
        "<td>",
        "</td>",
        "<th>",
        "<caption>",
        "<colgroup>",
        "<col>",
        "<tbody>",
        "</tr>",
        "<select>",
        "</select>",
        "<option>",
        "<optgroup>",
        "<template>",
        "</template>",
        "<svg>",
        "</svg>",
        "<math>",
        "</math>",
        "<mi>",
        "<annotation-xml encoding=text/html>",
        "<foreignObject>",
        "<desc>",
        "<title>",
        "</title>",
        "<textarea>",
        "</textarea>",
        "<script>",
        "</script>",
        "<style>",
        "</style>",
        "<noscript>",
        "</noscript>",
        "<plaintext>",
        "<frameset>",
        "<frame>",
        "<body>",
        "<html>",
        "<head>",
        "</head>",
        "</body>",
        "</html>",
        "<form>",
        "</form>",
        "<li>",
        "<dd>",
        "<h1>",
        "</h2>",
        "<nobr>",
        "<font color=red>",
        "<font>",
        "<br>",
        "</br>",
        "<image>",
        "<input type=hidden>",
        "<input>",
        "<hr>",
        "<ruby>",
        "<rt>",
        "<rb>",
        "<button>",
        "</button>",
        "<object>",
        "</object>",
        "<marquee>",
        "<!-- c -->",
        "<!doctype html>",
        "<![CDATA[x]]>",
        "x",
        " ",
        "\0",
        "\n",
        "&amp;",
        "<listing>\n",
        "<pre>",
        "<xmp>",
        "<iframe>",
        "<noembed>",
        "<isindex>",
        "<keygen>",
        "<menuitem>",
        "<selectedcontent>",
        "<search>",
        "<dl>",
        "<dt>",
        "<ul>",
        "<ol>",
        "<center>",
    ];
    let contexts = [
        ContextElement::div(),
        ContextElement {
            ns: Ns::Html,
            name: "template".into(),
        },
        ContextElement {
            ns: Ns::Html,
            name: "table".into(),
        },
        ContextElement {
            ns: Ns::Html,
            name: "tr".into(),
        },
        ContextElement {
            ns: Ns::Html,
            name: "select".into(),
        },
        ContextElement {
            ns: Ns::Html,
            name: "html".into(),
        },
        ContextElement {
            ns: Ns::Svg,
            name: "svg".into(),
        },
        ContextElement {
            ns: Ns::MathMl,
            name: "mi".into(),
        },
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let opts = Opts {
        max_depth: 24,
        ..Opts::default()
    };
    for round in 0..3000 {
        let len = 1 + (next() % 60) as usize;
        let html: String = (0..len)
            .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
            .collect();
        let d = if round % 9 == 0 {
            parse_document(&html, opts)
        } else {
            let ctx = contexts[round % contexts.len()].clone();
            parse_fragment(&html, ctx, opts)
        };
        assert!(max_depth(&d) <= opts.max_depth + 8, "{html}");
        let _ = to_test_format(&d);
    }
}

/// Exploratory (run with `--ignored`): our tree against html5ever's (RcDom, as the ammonia
/// engine builds it) on random token soup in a `<div>` context; prints the shortest
/// differences. Every difference seen so far is an html5ever deviation from the standard
/// that the tree-construction tests do not cover: its "special" category lacks the MathML
/// (`mi` … `annotation-xml`) and SVG (`foreignObject`, `desc`, `title`) elements; its default scope lacks MathML `annotation-xml`, and its breakout from
/// foreign content pops an `annotation-xml` that is an HTML integration point; "in table
/// body" checks
/// `table`/`tbody`/`tfoot` in table scope instead of `tbody`/`thead`/`tfoot`. Every
/// difference (74 of 200,000 on 2026-12-03) has `svg`, `math` or `thead` in its soup.
/// (`search`, special in the standard, is not in ours, as in browsers and html5ever.)
#[test]
#[ignore]
fn differential_against_html5ever() {
    use html5ever::tendril::TendrilSink;
    use html5ever::{local_name, ns, QualName};
    const PIECES: &[&str] = &[
        "<b>",
        "</b>",
        "<i>",
        "</i>",
        "<a href=x>",
        "</a>",
        "<p>",
        "</p>",
        "<div>",
        "</div>",
        "<table>",
        "</table>",
        "<tr>",
        "<td>",
        "</td>",
        "<th>",
        "<caption>",
        "<colgroup>",
        "<col>",
        "<tbody>",
        "</tr>",
        "<select>",
        "</select>",
        "<option>",
        "<optgroup>",
        "<template>",
        "</template>",
        "<svg>",
        "</svg>",
        "<math>",
        "</math>",
        "<mi>",
        "<annotation-xml encoding=text/html>",
        "<foreignObject>",
        "<desc>",
        "<title>",
        "</title>",
        "<textarea>",
        "</textarea>",
        "<script>",
        "</script>",
        "<style>",
        "</style>",
        "<noscript>",
        "</noscript>",
        "<frameset>",
        "<frame>",
        "<body>",
        "<html>",
        "<head>",
        "</head>",
        "</body>",
        "</html>",
        "<form>",
        "</form>",
        "<li>",
        "<dd>",
        "<h1>",
        "</h2>",
        "<nobr>",
        "<font color=red>",
        "<font>",
        "<br>",
        "</br>",
        "<image>",
        "<input type=hidden>",
        "<input>",
        "<hr>",
        "<ruby>",
        "<rt>",
        "<rb>",
        "<button>",
        "</button>",
        "<object>",
        "</object>",
        "<marquee>",
        "<!-- c -->",
        "<!doctype html>",
        "<![CDATA[x]]>",
        "x",
        " ",
        "\0",
        "\n",
        "&amp;",
        "<listing>\n",
        "<pre>",
        "<xmp>",
        "<iframe>",
        "<noembed>",
        "<isindex>",
        "<keygen>",
        "<menuitem>",
        "<search>",
        "<dl>",
        "<dt>",
        "<ul>",
        "<ol>",
        "<center>",
        "<em>",
        "</em>",
        "<s>",
        "<u>",
        "</u>",
        "<span>",
        "</span>",
        "<b id=1>",
        "<b id=2>",
        "<a id=1>",
        "<font size=3>",
        "</font>",
        "</nobr>",
        "</caption>",
        "</colgroup>",
        "</tbody>",
        "<thead>",
        "<tfoot>",
        "</th>",
        "</option>",
        "</li>",
        "</dd>",
        "</dt>",
        "</h1>",
        "<h2>",
        "<applet>",
        "</applet>",
        "</marquee>",
        "<rp>",
        "<rtc>",
        "</ruby>",
        "<code>",
        "<strike>",
        "<tt>",
        "<big>",
        "<small>",
        "<path/>",
        "<g>",
        "</g>",
        "<mo>",
        "<mglyph>",
        "<malignmark>",
        "<plaintext>",
    ];
    let mut seed: u64 = 0x1234_5678_9abc_def1;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut diffs = 0;
    let mut shortest: Vec<(usize, String)> = Vec::new();
    for _ in 0..200_000 {
        let len = 1 + (next() % 40) as usize;
        let html: String = (0..len)
            .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
            .collect();
        let opts = Opts {
            max_depth: usize::MAX,
            ..Opts::default()
        };
        let ours = to_test_format(&parse_fragment(&html, ContextElement::div(), opts));
        let dom = html5ever::parse_fragment(
            ammonia::rcdom::RcDom::default(),
            Default::default(),
            QualName::new(None, ns!(html), local_name!("div")),
            vec![],
            false,
        )
        .one(html.as_str());
        let root = dom.document.children.borrow()[0].clone();
        let theirs = crate::engine::parse::test_format(&root);
        if ours != theirs {
            diffs += 1;
            shortest.push((
                html.len(),
                format!("=== {html:?}\n--- ours\n{ours}--- html5ever\n{theirs}"),
            ));
            shortest.sort();
            shortest.truncate(5);
        }
    }
    for (_, s) in &shortest {
        eprintln!("{s}");
    }
    eprintln!("differences: {diffs} of 200000");
}
