use std::borrow::Cow;

use super::*;
use crate::parser::atoms::Atom;

fn all(input: &str) -> Vec<Token<'_>> {
    let mut t = Tokenizer::new(input);
    let mut out = Vec::new();
    loop {
        match t.next_token() {
            Token::Eof => return out,
            tok => out.push(tok),
        }
    }
}

fn text(tokens: &[Token<'_>]) -> String {
    tokens
        .iter()
        .filter_map(|t| match t {
            Token::Characters(c) => Some(c.as_ref()),
            _ => None,
        })
        .collect()
}

fn start_tag<'t, 'a>(tok: &'t Token<'a>) -> &'t Tag<'a> {
    match tok {
        Token::StartTag(tag) => tag,
        other => panic!("not a start tag: {other:?}"),
    }
}

#[test]
fn text_runs_and_plain_values_are_borrowed() {
    let tokens = all("<p class=\"intro\" id=x>Hello, world. A whole paragraph.</p>");
    let p = start_tag(&tokens[0]);
    assert_eq!(p.name.atom, atoms::P);
    assert!(matches!(p.name.text, Cow::Borrowed("p")));
    assert_eq!(p.attrs[0].name.atom, atoms::CLASS);
    assert!(matches!(p.attrs[0].value, Cow::Borrowed("intro")));
    assert!(matches!(p.attrs[1].value, Cow::Borrowed("x")));
    assert!(matches!(
        tokens[1],
        Token::Characters(Cow::Borrowed("Hello, world. A whole paragraph."))
    ));
    assert!(matches!(&tokens[2], Token::EndTag(t) if t.name.atom == atoms::P));
    assert_eq!(tokens.len(), 3);
}

#[test]
fn changed_text_is_owned_and_coalesced() {
    let tokens = all("a &amp; b &ampx &#x41;\r\nc\rd\0e");
    assert_eq!(tokens.len(), 1, "{tokens:?}");
    assert!(matches!(tokens[0], Token::Characters(Cow::Owned(_))));
    assert_eq!(text(&tokens), "a & b &x A\nc\nd\0e");
    // A lone `&` or an unknown reference keeps the run borrowed.
    assert!(matches!(
        all("fish & chips &xyz; &#;")[0],
        Token::Characters(Cow::Borrowed("fish & chips &xyz; &#;"))
    ));
}

#[test]
fn names_lowercased_and_atoms() {
    let tokens = all("<DIV Class=a onClick=b data-X=c>");
    let div = start_tag(&tokens[0]);
    assert_eq!(div.name.atom, atoms::DIV);
    assert_eq!(div.name.text, "div");
    let names: Vec<_> = div
        .attrs
        .iter()
        .map(|a| (a.name.text.as_ref(), a.name.atom))
        .collect();
    assert_eq!(
        names,
        [
            ("class", atoms::CLASS),
            ("onclick", Atom::UNKNOWN),
            ("data-x", Atom::UNKNOWN)
        ]
    );
}

#[test]
fn attribute_reference_rule() {
    let tokens = all("<a href=\"?a=1&amp=2&ampx&amp;y&not;\" title=&lt>");
    let a = start_tag(&tokens[0]);
    assert_eq!(a.attrs[0].value, "?a=1&amp=2&ampx&y\u{ac}");
    assert_eq!(a.attrs[1].value, "<");
}

#[test]
fn duplicates_keep_the_first_value() {
    let tokens = all("<a x=1 href=2 X=3 HREF=4 y=5 x=6>");
    let a = start_tag(&tokens[0]);
    let got: Vec<_> = a.attrs.iter().map(|a| (&*a.name.text, &*a.value)).collect();
    assert_eq!(got, [("x", "1"), ("href", "2"), ("y", "5")]);
    // Past the linear limit the hash set takes over, with the same result.
    let many: String = (0..100)
        .map(|i| format!(" n{} href=v{i}", i % 40))
        .collect();
    let input = format!("<a{many}>");
    let tokens = all(&input);
    let a = start_tag(&tokens[0]);
    assert_eq!(a.attrs.len(), 41);
    assert_eq!(a.attrs[0].name.text, "n0");
    assert_eq!(a.attrs[1].value, "v0");
    assert_eq!(a.attrs[40].name.text, "n39");
}

#[test]
fn state_switch_after_title() {
    let mut t = Tokenizer::new("<title><b>&amp;</b></title><b>");
    assert_eq!(start_tag(&t.next_token()).name.atom, atoms::TITLE);
    t.set_state(State::RcData);
    assert_eq!(
        t.next_token(),
        Token::Characters(Cow::Owned("<b>&</b>".into()))
    );
    assert!(matches!(t.next_token(), Token::EndTag(tag) if tag.name.atom == atoms::TITLE));
    assert_eq!(start_tag(&t.next_token()).name.atom, atoms::B);
    assert_eq!(t.next_token(), Token::Eof);
    assert_eq!(t.next_token(), Token::Eof);
}

#[test]
fn last_start_tag_override() {
    let mut t = Tokenizer::new("a</div></textarea>b");
    t.set_state(State::RcData);
    t.set_last_start_tag(Some("textarea"));
    assert_eq!(t.next_token(), Token::Characters(Cow::Borrowed("a</div>")));
    assert!(matches!(t.next_token(), Token::EndTag(tag) if tag.name.atom == atoms::TEXTAREA));
    assert_eq!(t.next_token(), Token::Characters(Cow::Borrowed("b")));
}

#[test]
fn cdata_only_in_foreign_content() {
    let input = "<![CDATA[x<y]]>z";
    let mut t = Tokenizer::new(input);
    t.set_cdata_allowed(true);
    assert_eq!(t.next_token(), Token::Characters(Cow::Borrowed("x<yz")));
    let mut t = Tokenizer::new(input);
    assert_eq!(
        t.next_token(),
        Token::Comment(Cow::Borrowed("[CDATA[x<y]]"))
    );
    assert_eq!(t.next_token(), Token::Characters(Cow::Borrowed("z")));
}

#[test]
fn cdata_decided_after_pending_text_is_delivered() {
    let mut t = Tokenizer::new("text<![CDATA[x]]>");
    t.set_cdata_allowed(true);
    assert_eq!(t.next_token(), Token::Characters(Cow::Borrowed("text")));
    t.set_cdata_allowed(false);
    assert_eq!(t.next_token(), Token::Comment(Cow::Borrowed("[CDATA[x]]")));
    let mut t = Tokenizer::new("text<![CDATA[x]]>");
    assert_eq!(t.next_token(), Token::Characters(Cow::Borrowed("text")));
    t.set_cdata_allowed(true);
    assert_eq!(t.next_token(), Token::Characters(Cow::Borrowed("x")));
}

#[test]
fn recycled_vec_is_reused() {
    let mut t = Tokenizer::new("<a x=1 y=2><b z=3>");
    let a = match t.next_token() {
        Token::StartTag(tag) => tag,
        other => panic!("{other:?}"),
    };
    let mut attrs = a.attrs;
    attrs.reserve(64);
    let capacity = attrs.capacity();
    t.recycle(attrs);
    let b = t.next_token();
    let b = start_tag(&b);
    assert_eq!(b.attrs.len(), 1);
    assert_eq!(b.attrs.capacity(), capacity);
}

#[test]
fn comments_and_doctype_borrow() {
    let tokens = all("<!-- a -- b --><!DOCTYPE html><?pi x>");
    assert!(matches!(
        tokens[0],
        Token::Comment(Cow::Borrowed(" a -- b "))
    ));
    assert!(matches!(
        &tokens[1],
        Token::Doctype(d) if d.name.as_deref() == Some("html") && !d.force_quirks
    ));
    assert!(matches!(tokens[2], Token::Comment(Cow::Borrowed("?pi x"))));
}

fn attrs<'t>(tag: &'t Tag<'_>) -> Vec<(&'t str, &'t str)> {
    tag.attrs
        .iter()
        .map(|a| (&*a.name.text, &*a.value))
        .collect()
}

#[test]
fn one_pass_tag_shapes() {
    let tokens = all("x<a b = 'v' c=\"w\"d=u/e f>");
    assert_eq!(tokens[0], Token::Characters(Cow::Borrowed("x")));
    let a = start_tag(&tokens[1]);
    assert_eq!(attrs(a), [("b", "v"), ("c", "w"), ("d", "u/e"), ("f", "")]);
    assert!(!a.self_closing);
    // `/` not before `>` is dropped; a first `=` is part of the name; `=>` is an empty value.
    let tokens = all("<br/><a / b><a =b><a b=>");
    assert!(start_tag(&tokens[0]).self_closing);
    assert_eq!(attrs(start_tag(&tokens[1])), [("b", "")]);
    assert!(!start_tag(&tokens[1]).self_closing);
    assert_eq!(attrs(start_tag(&tokens[2])), [("=b", "")]);
    assert_eq!(attrs(start_tag(&tokens[3])), [("b", "")]);
    // Uppercase names are lowercased (owned); values keep their case.
    let tokens = all("<A HREF='X'>");
    let a = start_tag(&tokens[0]);
    assert_eq!((a.name.atom, &*a.name.text), (atoms::A, "a"));
    assert_eq!(attrs(a), [("href", "X")]);
    // NUL in names and values.
    let tokens = all("<a\0 b\0=\"\0\" c=\0>");
    let a = start_tag(&tokens[0]);
    assert_eq!(a.name.text, "a\u{FFFD}");
    assert_eq!(attrs(a), [("b\u{FFFD}", "\u{FFFD}"), ("c", "\u{FFFD}")]);
    // An end tag keeps no attributes, and a quoted `>` does not end it.
    let tokens = all("</a title=\"x>y\" b=&amp;>z");
    assert!(
        matches!(&tokens[0], Token::EndTag(t) if t.name.atom == atoms::A && t.attrs.is_empty())
    );
    assert_eq!(tokens[1], Token::Characters(Cow::Borrowed("z")));
    assert_eq!(tokens.len(), 2);
}

#[test]
fn one_pass_values_borrow_unless_changed() {
    let tokens = all("<a b=\"1&amp;2\" c='&lt;' d=&gt;x e=\"&\" f=\"plain\" g=plain>");
    let a = start_tag(&tokens[0]);
    assert_eq!(
        attrs(a),
        [
            ("b", "1&2"),
            ("c", "<"),
            ("d", ">x"),
            ("e", "&"),
            ("f", "plain"),
            ("g", "plain")
        ]
    );
    assert!(matches!(a.attrs[3].value, Cow::Borrowed("&")));
    assert!(matches!(a.attrs[4].value, Cow::Borrowed("plain")));
    assert!(matches!(a.attrs[5].value, Cow::Borrowed("plain")));
    // A CR anywhere in the input: values without one stay borrowed.
    let tokens = all("<a b=\"x\r\ny\" c=\"z\" d=u\re>\r");
    let a = start_tag(&tokens[0]);
    // (A CR is whitespace, so it ends an unquoted value.)
    assert_eq!(attrs(a), [("b", "x\ny"), ("c", "z"), ("d", "u"), ("e", "")]);
    assert!(matches!(a.attrs[1].value, Cow::Borrowed("z")));
}

#[test]
fn tags_ending_with_the_input_are_dropped() {
    for input in [
        "t<a b=\"x&amp;",
        "t<a b=\"x&amp;\"",
        "t<a b=x&amp;",
        "t<a b='&",
        "t<a b=\"\0",
        "t<a b=x\0",
        "t<a b=x",
        "t<a b =",
        "t<a/",
        "t</a x=\"y\"",
    ] {
        assert_eq!(
            all(input),
            [Token::Characters(Cow::Borrowed("t"))],
            "{input:?}"
        );
    }
}

#[test]
fn characters_before_a_tag_come_first_and_whole() {
    let tokens = all("a&amp;b<i>");
    assert_eq!(tokens[0], Token::Characters(Cow::Owned("a&b".into())));
    assert_eq!(start_tag(&tokens[1]).name.atom, atoms::I);
    // A `<` that opens nothing stays in the run, across `</>`.
    assert_eq!(
        all("a < b</>c"),
        [Token::Characters(Cow::Owned("a < bc".into()))]
    );
}

#[test]
fn text_runs_of_every_short_length() {
    // Runs shorter than, as long as and longer than the eight bytes tested at once, with
    // multi-byte characters (high bytes) in them.
    for n in 0..20 {
        for filler in ["x", "\u{e9}", "\u{3c00}"] {
            let run = filler.repeat(n);
            let input = format!("{run}<b>yyyyyyyyyy");
            let tokens = all(&input);
            let mut expected = Vec::new();
            if n > 0 {
                expected.push(Token::Characters(Cow::Borrowed(run.as_str())));
            }
            assert_eq!(tokens[..expected.len()], expected, "{input:?}");
            assert_eq!(start_tag(&tokens[expected.len()]).name.atom, atoms::B);
            assert_eq!(text(&tokens), format!("{run}yyyyyyyyyy"));
            let input = format!("{run}&amp;yyyyyyyyyy");
            assert_eq!(text(&all(&input)), format!("{run}&yyyyyyyyyy"), "{input:?}");
        }
    }
}

#[test]
fn tags_with_and_without_attributes() {
    let tokens = all("<td><td a=1><td >");
    for tok in &tokens {
        assert_eq!(start_tag(tok).name.atom, atoms::TD);
    }
    assert_eq!(attrs(start_tag(&tokens[0])), []);
    assert_eq!(attrs(start_tag(&tokens[1])), [("a", "1")]);
    assert_eq!(attrs(start_tag(&tokens[2])), []);
    // The last start tag is recorded on both paths: `</td>` ends RCDATA after each.
    for input in ["<td></td>", "<td a=1></td>"] {
        let mut t = Tokenizer::new(input);
        t.next_token();
        t.set_state(State::RcData);
        assert!(matches!(t.next_token(), Token::EndTag(tag) if tag.name.atom == atoms::TD));
    }
}

// ---- hostile shapes: every one finishes (linear time) and gives the expected tokens ----

const N: usize = 1_000_000;

#[test]
fn comment_open_storm() {
    let input = "<!--".repeat(N);
    let tokens = all(&input);
    assert_eq!(tokens.len(), 1);
    match &tokens[0] {
        // The final `--` is held back as a possible end and dropped at EOF.
        Token::Comment(c) => assert_eq!(c.len(), input.len() - 6),
        other => panic!("{other:?}"),
    }
}

#[test]
fn ampersand_and_numeric_storms() {
    let input = "&".repeat(N);
    assert_eq!(
        all(&input),
        [Token::Characters(Cow::Borrowed(input.as_str()))]
    );
    let input = "&#".repeat(N);
    assert_eq!(text(&all(&input)), input);
    let input = "&#x".repeat(N);
    assert_eq!(text(&all(&input)), input);
    let input = format!("&#{}", "9".repeat(N));
    assert_eq!(text(&all(&input)), "\u{FFFD}");
    let input = format!("&{}", "a".repeat(N));
    assert_eq!(text(&all(&input)), input);
    let input = "&amp".repeat(N);
    assert_eq!(text(&all(&input)).len(), N);
    // References between `<`s that open no tag: one run, made owned once.
    let input = "&lt;<".repeat(N);
    assert_eq!(text(&all(&input)), "<<".repeat(N));
}

#[test]
fn attribute_storms() {
    let input = format!("<a{}>", " a".repeat(N));
    let tokens = all(&input);
    assert_eq!(start_tag(&tokens[0]).attrs.len(), 1);
    let distinct: String = (0..N / 4).map(|i| format!(" a{i}=v")).collect();
    let input = format!("<a{distinct}>");
    let tokens = all(&input);
    assert_eq!(start_tag(&tokens[0]).attrs.len(), N / 4);
    let input = format!("<a{}", " b=\"".repeat(N));
    assert_eq!(all(&input), []);
}

#[test]
fn large_text_is_one_borrowed_run() {
    let input = "lorem ipsum dolor sit amet ".repeat(400_000);
    assert!(input.len() > 10_000_000);
    let tokens = all(&input);
    assert_eq!(tokens.len(), 1);
    assert!(matches!(tokens[0], Token::Characters(Cow::Borrowed(_))));
}

#[test]
fn unterminated_everything() {
    for input in [
        "<",
        "</",
        "<a",
        "<a ",
        "<a b",
        "<a b=",
        "<a b='",
        "<a b=\"x",
        "<a b=x",
        "<a /",
        "<!",
        "<!-",
        "<!--",
        "<!-- x -",
        "<!-- x --",
        "<!-- x --!",
        "<!DOCTYPE",
        "<!DOCTYPE html PUBLIC \"x",
        "<!DOCTYPE html SYSTEM 'x",
        "<?",
        "</x",
        "&",
        "&#",
        "&#x",
        "&am",
        "\r",
        "<![CDATA[",
    ] {
        let mut t = Tokenizer::new(input);
        let mut n = 0;
        while t.next_token() != Token::Eof {
            n += 1;
            assert!(n < 10, "{input:?}");
        }
        for state in [
            State::RcData,
            State::RawText,
            State::ScriptData,
            State::PlainText,
        ] {
            let mut t = Tokenizer::new(input);
            t.set_state(state);
            t.set_last_start_tag(Some("a"));
            while t.next_token() != Token::Eof {}
        }
    }
}

#[test]
fn raw_text_storms() {
    for (state, input) in [
        (State::RcData, "</".repeat(N)),
        (State::RcData, format!("</{}", "a".repeat(N))),
        (State::RawText, "<</a".repeat(N)),
        (State::ScriptData, "<!--<script>".repeat(N / 10)),
        (State::ScriptData, "<!--<script></script>-->".repeat(N / 20)),
        (State::ScriptData, "<!---".repeat(N)),
    ] {
        let mut t = Tokenizer::new(&input);
        t.set_state(state);
        t.set_last_start_tag(Some("aa"));
        assert_eq!(
            t.next_token(),
            Token::Characters(Cow::Borrowed(input.as_str()))
        );
        assert_eq!(t.next_token(), Token::Eof);
    }
}

#[test]
fn tag_storms() {
    let input = "<a>".repeat(N);
    let mut t = Tokenizer::new(&input);
    let mut n = 0;
    while let Token::StartTag(tag) = t.next_token() {
        t.recycle(tag.attrs);
        n += 1;
    }
    assert_eq!(n, N);
    let input = "<".repeat(N);
    assert_eq!(text(&all(&input)), input);
    let input = "</>".repeat(N);
    assert_eq!(all(&input), []);
}

/// Random mixes of the bytes every state reacts to, multi-byte characters and CRLF, in
/// every initial state: no panic, and the stream ends.
#[test]
fn random_fragments_never_panic() {
    const PIECES: &[&str] = &[
        "<",
        "</",
        ">",
        "&",
        "&amp",
        ";",
        "#",
        "x",
        "9",
        "-",
        "!",
        "--",
        "<!--",
        "-->",
        "=",
        "\"",
        "'",
        " ",
        "\r",
        "\n",
        "\r\n",
        "\0",
        "a",
        "A",
        "script",
        "<script>",
        "</script>",
        "\u{e9}",
        "\u{1F600}",
        "<![CDATA[",
        "]]>",
        "<!DOCTYPE",
        "PUBLIC",
        "SYSTEM",
        "/",
        "?",
        "`",
        "<title>",
        "</title>",
        "&#x",
        "&#",
        "&not",
        "\u{c}",
        "</a",
        "<b c=d>",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let states = [
        State::Data,
        State::RcData,
        State::RawText,
        State::ScriptData,
        State::PlainText,
        State::CdataSection,
    ];
    for _ in 0..20_000 {
        let len = rand() % 40;
        let input: String = (0..len)
            .map(|_| PIECES[(rand() % PIECES.len() as u64) as usize])
            .collect();
        let state = states[(rand() % states.len() as u64) as usize];
        let mut t = Tokenizer::new(&input);
        t.set_state(state);
        t.set_cdata_allowed(rand() % 2 == 0);
        t.set_last_start_tag(["a", "script", "title"].get((rand() % 4) as usize).copied());
        let mut n = 0;
        loop {
            match t.next_token() {
                Token::Eof => break,
                Token::StartTag(tag) => t.recycle(tag.attrs),
                _ => {}
            }
            n += 1;
            assert!(n <= input.len() + 1, "{input:?}");
        }
    }
}

/// Throughput on a generated document of user-style HTML; prints, asserts nothing about
/// time. `cargo test --release --lib tokenizer_throughput -- --ignored --nocapture`
#[test]
#[ignore]
fn tokenizer_throughput() {
    let unit = "<p class=\"note\" id=p1>Some <b>bold</b> text, a <a href=\"https://example.com/?a=1&amp;b=2\" \
        title='x'>link</a> &amp; caf\u{e9} \u{1F600}.</p>\n<ul><li>one<li>two</ul><!-- c -->\n\
        <div style=\"color: red\"><img src=x.png alt=\"\"><br>Plain text of a paragraph that \
        goes on for a while, as paragraphs do, without any markup in it at all.</div>\n";
    let input = unit.repeat(10_000_000 / unit.len());
    let mut best = f64::MAX;
    let mut count = 0;
    for _ in 0..5 {
        let started = std::time::Instant::now();
        let mut t = Tokenizer::new(&input);
        count = 0;
        loop {
            match t.next_token() {
                Token::Eof => break,
                Token::StartTag(tag) => t.recycle(tag.attrs),
                _ => {}
            }
            count += 1;
        }
        best = best.min(started.elapsed().as_secs_f64());
    }
    println!(
        "{} bytes, {count} tokens: {:.0} MB/s",
        input.len(),
        input.len() as f64 / best / 1e6
    );
}

/// Our tokens as comparable strings, character tokens coalesced.
fn flat(input: &str, state: State, last: Option<&str>, cdata: bool) -> Vec<String> {
    let mut t = Tokenizer::new(input);
    t.set_state(state);
    t.set_cdata_allowed(cdata);
    t.set_last_start_tag(last);
    let mut out: Vec<String> = Vec::new();
    loop {
        let tok = t.next_token();
        let s = match tok {
            Token::Characters(c) => format!("#{c}"),
            Token::Comment(c) => format!("!{c}"),
            Token::Doctype(d) => {
                format!("D{:?}", (d.name, d.public_id, d.system_id, d.force_quirks))
            }
            Token::EndTag(t) => format!("/{}", t.name.text),
            Token::StartTag(t) => {
                let attrs: Vec<_> = t.attrs.iter().map(|a| (&*a.name.text, &*a.value)).collect();
                format!("<{} {attrs:?} {}", t.name.text, t.self_closing)
            }
            Token::Eof => return out,
        };
        push_flat(&mut out, s);
    }
}

fn push_flat(out: &mut Vec<String>, s: String) {
    if s == "#" {
        // html5ever emits an empty character token for an empty CDATA section at EOF.
        return;
    }
    match (out.last_mut(), s.strip_prefix('#')) {
        (Some(last), Some(text)) if last.starts_with('#') => last.push_str(text),
        _ => out.push(s),
    }
}

/// html5ever's tokenizer on the same input, in the same shape.
fn flat_html5ever(input: &str, state: State, last: Option<&str>, cdata: bool) -> Vec<String> {
    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer as h;
    use std::cell::RefCell;

    struct Sink(RefCell<Vec<String>>, bool);
    impl h::TokenSink for Sink {
        type Handle = ();
        fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
            self.1
        }
        fn process_token(&self, token: h::Token, _line: u64) -> h::TokenSinkResult<()> {
            let s = match token {
                h::CharacterTokens(t) => format!("#{t}"),
                h::NullCharacterToken => "#\0".to_owned(),
                h::CommentToken(t) => format!("!{t}"),
                h::DoctypeToken(d) => {
                    let c = |t: Option<StrTendril>| t.map(|t| Cow::<str>::Owned(t.to_string()));
                    format!(
                        "D{:?}",
                        (c(d.name), c(d.public_id), c(d.system_id), d.force_quirks)
                    )
                }
                h::TagToken(t) if t.kind == h::EndTag => format!("/{}", t.name),
                h::TagToken(t) => {
                    let attrs: Vec<_> = t
                        .attrs
                        .iter()
                        .map(|a| (&*a.name.local, &*a.value))
                        .collect();
                    format!("<{} {attrs:?} {}", t.name, t.self_closing)
                }
                h::EOFToken | h::ParseError(_) => return h::TokenSinkResult::Continue,
            };
            push_flat(&mut self.0.borrow_mut(), s);
            h::TokenSinkResult::Continue
        }
    }
    use html5ever::tokenizer::states::{RawKind, State as S};
    let initial_state = match state {
        State::Data => None,
        State::RcData => Some(S::RawData(RawKind::Rcdata)),
        State::RawText => Some(S::RawData(RawKind::Rawtext)),
        State::ScriptData => Some(S::RawData(RawKind::ScriptData)),
        State::PlainText => Some(S::Plaintext),
        State::CdataSection => Some(S::CdataSection),
    };
    let opts = h::TokenizerOpts {
        discard_bom: false,
        initial_state,
        last_start_tag_name: last.map(str::to_owned),
        ..Default::default()
    };
    let tokenizer = h::Tokenizer::new(Sink(RefCell::new(Vec::new()), cdata), opts);
    let queue = h::BufferQueue::default();
    queue.push_back(StrTendril::from_slice(input));
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    tokenizer.sink.0.take()
}

/// Random inputs agree with html5ever's tokenizer in every text state, CDATA allowed or
/// not.
#[test]
fn differential_with_html5ever() {
    const PIECES: &[&str] = &[
        "<",
        "</",
        ">",
        "&",
        "&amp",
        "&amp;",
        ";",
        "#",
        "x",
        "9",
        "-",
        "!",
        "--",
        "<!--",
        "-->",
        "=",
        "\"",
        "'",
        " ",
        "\r",
        "\n",
        "\r\n",
        "\0",
        "a",
        "B",
        "<!DOCTYPE",
        "PUBLIC",
        "SYSTEM",
        "/",
        "?",
        "`",
        "\u{e9}",
        "\u{1F600}",
        "&#x",
        "&#",
        "&notin",
        "&not",
        "\u{c}",
        "<a ",
        "<b c=d>",
        "</a ",
        "[CDATA[",
        "<!",
        "&#128;",
        "&#x110000;",
        "&lt",
        "\t",
    ];
    const MORE: &[&str] = &[
        "</script",
        "<script",
        "</TITLE",
        "title",
        "<!--<script>",
        "</script>-->",
        "]]>",
    ];
    let states = [
        State::Data,
        State::RcData,
        State::RawText,
        State::ScriptData,
        State::PlainText,
        State::CdataSection,
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    // HTMLGUARD_TOKENIZER_DIFF_CASES=1000000 for a longer run.
    let cases = std::env::var("HTMLGUARD_TOKENIZER_DIFF_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40_000);
    for _ in 0..cases {
        let len = rand() % 32;
        let input: String = (0..len)
            .map(|_| {
                let n = rand() as usize % (PIECES.len() + MORE.len());
                *PIECES.get(n).unwrap_or_else(|| &MORE[n - PIECES.len()])
            })
            .collect::<String>();
        let state = states[(rand() % states.len() as u64) as usize];
        let last = ["a", "script", "title"].get((rand() % 4) as usize).copied();
        let cdata = rand() % 2 == 0;
        assert_eq!(
            flat(&input, state, last, cdata),
            flat_html5ever(&input, state, last, cdata),
            "{input:?} {state:?} {last:?} {cdata}"
        );
    }
}
