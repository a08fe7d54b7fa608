//! Deterministic inputs: realistic user HTML (what a Markdown renderer or a rich-text
//! editor produces, with the usual junk a sanitizer must remove) and public XSS payloads.

/// xorshift64*: tiny, seedable, identical on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "the",
    "of",
    "and",
    "sanitizer",
    "parser",
    "release",
    "notes",
    "we",
    "fixed",
    "a",
    "bug",
    "in",
    "table",
    "layout",
    "user",
    "content",
    "is",
    "rendered",
    "server",
    "side",
    "with",
    "markdown",
    "for",
    "example",
    "performance",
    "improves",
    "when",
    "cache",
    "hits",
    "this",
    "week",
    "tokens",
    "builder",
    "élan",
    "naïve",
    "café",
    "über",
    "日本語",
    "テスト",
    "😀",
    "Fish & chips",
    "x < y",
    "a > b",
    "“quoted”",
    "it's",
    "AT&T",
    "100%",
    "e.g.",
    "i.e.",
];

const URLS: &[&str] = &[
    "https://example.com/docs/getting-started",
    "https://github.com/org/repo/issues/123#issuecomment-42",
    "http://blog.example.org/2024/05/post.html?utm_source=feed&amp;utm_medium=rss",
    "/wiki/Main_Page",
    "../images/diagram.png",
    "#section-2",
    "mailto:someone@example.com",
    "javascript:alert(document.cookie)",
    "https://cdn.example.net/a/b/c/d/image-large@2x.webp",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
];

/// `min` to `min + extra - 1` words.
fn words(r: &mut Rng, min: usize, extra: usize, out: &mut String) {
    let n = min + if extra > 0 { r.below(extra) } else { 0 };
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&r.pick(WORDS).replace('&', "&amp;").replace('<', "&lt;"));
    }
}

/// Inline content: text with emphasis, links, code, entities and the odd event handler.
fn inline(r: &mut Rng, out: &mut String) {
    let parts = 3 + r.below(8);
    for _ in 0..parts {
        match r.below(14) {
            0 => {
                out.push_str("<em>");
                words(r, 1, 3, out);
                out.push_str("</em>");
            }
            1 => {
                out.push_str("<strong>");
                words(r, 1, 3, out);
                out.push_str("</strong>");
            }
            2 => {
                out.push_str("<a href=\"");
                out.push_str(r.pick(URLS));
                out.push('"');
                if r.chance(30) {
                    out.push_str(" title=\"");
                    words(r, 2, 0, out);
                    out.push('"');
                }
                if r.chance(15) {
                    out.push_str(" onclick=\"track(this)\" target=\"_blank\" rel=\"external\"");
                }
                out.push('>');
                words(r, 1, 4, out);
                out.push_str("</a>");
            }
            3 => {
                out.push_str("<code>");
                out.push_str(r.pick(&["fn main()", "a &lt; b &amp;&amp; c", "x-&gt;y", "len(s)"]));
                out.push_str("</code>");
            }
            4 => {
                out.push_str(r.pick(&["&amp;", "&nbsp;", "&copy;", "&mdash;", "&#x27;", "&quot;"]))
            }
            5 => out.push_str("<br>"),
            6 => {
                out.push_str("<span style=\"color: #c00; font-weight: bold\" class=\"hl\">");
                words(r, 2, 0, out);
                out.push_str("</span>");
            }
            7 => {
                // kbd is not in ugc: it is unwrapped.
                let tag = r.pick(&["del", "sup", "sub", "mark", "kbd", "u"]);
                out.push_str(&format!("<{tag}>"));
                words(r, 1, 0, out);
                out.push_str(&format!("</{tag}>"));
            }
            _ => words(r, 3, 10, out),
        }
        out.push(' ');
    }
}

fn block(r: &mut Rng, n: usize, out: &mut String) {
    match r.below(20) {
        0 | 1 => {
            let level = 1 + r.below(3);
            out.push_str(&format!("<h{level} id=\"section-{n}\">"));
            words(r, 2, 5, out);
            out.push_str(&format!("</h{level}>\n"));
        }
        2 | 3 => {
            let tag = if r.chance(50) { "ul" } else { "ol" };
            out.push_str(&format!("<{tag}>\n"));
            for _ in 0..2 + r.below(5) {
                out.push_str("<li>");
                inline(r, out);
                out.push_str("</li>\n");
            }
            out.push_str(&format!("</{tag}>\n"));
        }
        4 => {
            out.push_str("<pre><code class=\"language-rust\">");
            for _ in 0..3 + r.below(8) {
                out.push_str("    if a &lt; b &amp;&amp; c { println!(\"{}\", x); }\n");
            }
            out.push_str("</code></pre>\n");
        }
        5 => {
            out.push_str("<blockquote><p>");
            inline(r, out);
            out.push_str("</p></blockquote>\n");
        }
        6 => {
            out.push_str("<table>\n<thead><tr><th>Name</th><th align=\"right\">Value</th></tr></thead>\n<tbody>\n");
            for i in 0..2 + r.below(6) {
                out.push_str(&format!("<tr><td>row {i}</td><td align=\"right\">"));
                words(r, 2, 0, out);
                out.push_str("</td></tr>\n");
            }
            out.push_str("</tbody>\n</table>\n");
        }
        7 => {
            out.push_str("<p><img src=\"");
            out.push_str(r.pick(URLS));
            out.push_str("\" alt=\"");
            words(r, 2, 0, out);
            out.push_str("\" width=\"640\" height=\"480\" onerror=\"steal()\"></p>\n");
        }
        8 => out.push_str("<hr>\n"),
        9 if r.chance(40) => {
            out.push_str(
                "<script>window.analytics && analytics.track('view', {id: 42});</script>\n",
            );
        }
        10 if r.chance(40) => {
            out.push_str("<div style=\"margin: 0 auto; max-width: 40em\" onclick=\"go()\">");
            out.push_str("<p>");
            inline(r, out);
            out.push_str("</p></div>\n");
        }
        11 if r.chance(30) => out.push_str("<!-- rendered by md2html 1.2 -->\n"),
        12 if r.chance(30) => {
            out.push_str("<details><summary>More</summary><p>");
            inline(r, out);
            out.push_str("</p></details>\n");
        }
        _ => {
            out.push_str("<p>");
            inline(r, out);
            out.push_str("</p>\n");
        }
    }
}

/// One document of about `target` bytes.
pub fn document(r: &mut Rng, target: usize) -> String {
    let mut out = String::with_capacity(target + 1024);
    let mut n = 0;
    while out.len() < target {
        block(r, n, &mut out);
        n += 1;
    }
    out
}

/// The realistic corpus: `count` documents of 1–20 KB (log-uniform-ish: most are small).
pub fn realistic(count: usize, seed: u64) -> Vec<String> {
    let mut r = Rng::new(seed);
    (0..count)
        .map(|_| {
            let kb = 1 + (r.below(20) * r.below(20)) / 19;
            document(&mut r, kb * 1024)
        })
        .collect()
}

/// One 1 MB document.
pub fn big(seed: u64) -> String {
    document(&mut Rng::new(seed), 1 << 20)
}

/// The `payload` of every record in /work/shared/xss-public/*.jsonl (or `dir`).
pub fn xss_payloads(dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        eprintln!("warning: no XSS payloads at {dir}");
        return out;
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    paths.sort();
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            if let Some(s) = v.get("payload").and_then(|p| p.as_str()) {
                out.push(s.to_string());
            }
        }
    }
    out
}

pub const XSS_DIR: &str = "/work/shared/xss-public";

/// Default corpus sizes, shared by every binary so results are comparable.
pub const DOCS: usize = 300;
pub const SEED: u64 = 0x5eed_2024;
