//! A byte-level pre-scan that proves an input cannot nest deeper than the limit, so the
//! common input goes straight to ammonia with no extra parse.
//!
//! html5ever's tree builder does work proportional to the stack of open elements for many
//! tokens, so its run time is quadratic in nesting depth. This scan keeps a model stack of
//! open elements that is never smaller than the parser's: a start tag pushes (void elements
//! excepted), and an end tag pops only when it names the element on top. Elements the
//! parser closes implicitly stay in the model, so the model over-counts, which is the safe
//! direction. Implied elements (tbody, tr, reconstructed formatting elements) add at most a
//! small constant factor.
//!
//! The model is only sound while tokenization is unambiguous: inside `<svg>`, `<math>` or
//! `<select>`, and around `<![CDATA[` or script-escaped text, how a byte is tokenized
//! depends on the tree builder's state. The scan then answers [`Verdict::NeedsParse`], and
//! the caller takes the exact path in `parse.rs`.

/// Deepest nesting (in the model's count) passed to the parser unchanged. Chromium's HTML
/// parser caps its tree at the same depth.
pub const MAX_DEPTH: usize = 512;

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The parser's stack stays within a constant factor of `MAX_DEPTH`.
    Shallow,
    /// Too deep, or the bytes cannot be tokenized without the tree builder.
    NeedsParse,
}

pub(crate) const VOID: &[&[u8]] = &[
    b"area",
    b"base",
    b"br",
    b"col",
    b"embed",
    b"hr",
    b"img",
    b"input",
    b"link",
    b"meta",
    b"source",
    b"track",
    b"wbr",
    b"param",
    b"keygen",
    b"frame",
    b"basefont",
    b"bgsound",
    b"image",
];
/// Elements whose content the tokenizer reads as text up to the matching end tag.
pub(crate) const RAW: &[&[u8]] = &[
    b"style",
    b"xmp",
    b"iframe",
    b"noembed",
    b"noframes",
    b"noscript",
    b"textarea",
    b"title",
];
/// Elements inside which tokenization depends on the tree builder.
pub(crate) const AMBIGUOUS: &[&[u8]] = &[b"svg", b"math", b"select"];

pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

pub(crate) fn eq_ci(a: &[u8], b: &[u8]) -> bool {
    a.eq_ignore_ascii_case(b)
}

pub(crate) fn one_of(name: &[u8], set: &[&[u8]]) -> bool {
    set.iter().any(|s| eq_ci(name, s))
}

/// Count of `<` followed by an ASCII letter: an upper bound on the number of start tags.
pub fn tag_openings(b: &[u8]) -> usize {
    memchr::memchr_iter(b'<', b)
        .filter(|&i| b.get(i + 1).is_some_and(u8::is_ascii_alphabetic))
        .count()
}

pub(crate) fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    memchr::memmem::find(&hay[from..], needle).map(|p| p + from)
}

/// End of a comment whose `<!--` ends just before `s` (the tokenizer's rules, including the
/// abrupt `<!-->` and `<!--->` forms and `--!>`).
pub(crate) fn comment_end(b: &[u8], s: usize) -> Option<usize> {
    if b.get(s) == Some(&b'>') {
        return Some(s + 1);
    }
    if b.get(s) == Some(&b'-') && b.get(s + 1) == Some(&b'>') {
        return Some(s + 2);
    }
    let mut k = s;
    while k + 2 < b.len() {
        if b[k] == b'-' && b[k + 1] == b'-' {
            if b[k + 2] == b'>' {
                return Some(k + 3);
            }
            if b[k + 2] == b'!' && b.get(k + 3) == Some(&b'>') {
                return Some(k + 4);
            }
        }
        k += 1;
    }
    None
}

/// Scans a tag's attributes from `k` (just after its name); returns the index after `>`,
/// or None when the input ends inside the tag (the tokenizer then drops the tag).
pub(crate) fn tag_end(b: &[u8], k: usize) -> Option<usize> {
    let mut at = match first_attribute(b, k) {
        Step::Next(at) => at,
        Step::End(e) => return Some(e),
        Step::Eof => return None,
    };
    loop {
        match next_attribute(b, at) {
            Step::Next(next) => at = next,
            Step::End(e) => return Some(e),
            Step::Eof => return None,
        }
    }
}

pub(crate) fn name_end(b: &[u8], mut k: usize) -> usize {
    while k < b.len() && !is_ws(b[k]) && b[k] != b'/' && b[k] != b'>' {
        k += 1;
    }
    k
}

/// Where the text of raw-text element `name` ends: the start of the first `</name` followed
/// by whitespace, `/` or `>`.
pub(crate) fn raw_text_end(b: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut k = from;
    while let Some(p) = find(b, k, b"</") {
        let s = p + 2;
        let e = s + name.len();
        if e <= b.len()
            && eq_ci(&b[s..e], name)
            && (e == b.len() || is_ws(b[e]) || b[e] == b'/' || b[e] == b'>')
        {
            return Some(p);
        }
        k = p + 1;
    }
    None
}

/// Decide whether `html` can go to the parser unchanged.
pub fn verdict(html: &str, limit: usize) -> Verdict {
    let b = html.as_bytes();
    if tag_openings(b) <= limit {
        return Verdict::Shallow;
    }
    let n = b.len();
    let mut stack: Vec<&[u8]> = Vec::with_capacity(64);
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let j = i + off;
        let rest = &b[j..];
        if rest.starts_with(b"<!--") {
            match comment_end(b, j + 4) {
                Some(e) => i = e,
                None => return Verdict::Shallow, // the rest is one comment
            }
        } else if rest.starts_with(b"<![CDATA[") {
            return Verdict::NeedsParse;
        } else if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            match find(b, j + 2, b">") {
                Some(e) => i = e + 1,
                None => return Verdict::Shallow,
            }
        } else if rest.starts_with(b"</") {
            match rest.get(2) {
                Some(c) if c.is_ascii_alphabetic() => {
                    let ne = name_end(b, j + 2);
                    let Some(e) = tag_end(b, ne) else {
                        return Verdict::Shallow;
                    };
                    let name = &b[j + 2..ne];
                    if stack.last().is_some_and(|top| eq_ci(top, name)) {
                        stack.pop();
                    }
                    i = e;
                }
                Some(b'>') => i = j + 3,
                Some(_) => match find(b, j + 2, b">") {
                    Some(e) => i = e + 1,
                    None => return Verdict::Shallow,
                },
                None => return Verdict::Shallow,
            }
        } else if rest.len() > 1 && rest[1].is_ascii_alphabetic() {
            let ne = name_end(b, j + 1);
            let name = &b[j + 1..ne];
            let Some(e) = tag_end(b, ne) else {
                return Verdict::Shallow;
            };
            i = e;
            if one_of(name, VOID) {
                continue;
            }
            if one_of(name, AMBIGUOUS) {
                return Verdict::NeedsParse;
            }
            // A new <p> or <li> closes an open one on top.
            if (eq_ci(name, b"p") || eq_ci(name, b"li"))
                && stack.last().is_some_and(|top| eq_ci(top, name))
            {
                stack.pop();
            }
            if stack.len() >= limit {
                return Verdict::NeedsParse;
            }
            stack.push(name);
            if eq_ci(name, b"plaintext") {
                return Verdict::Shallow; // everything after is text
            }
            if eq_ci(name, b"script") {
                let Some(end) = raw_text_end(b, i, b"script") else {
                    return Verdict::Shallow;
                };
                // "<!--" inside a script switches the tokenizer to its escaped states,
                // where a "</script>" may not end the script.
                if find(&b[..end], i, b"<!--").is_some() {
                    return Verdict::NeedsParse;
                }
                i = end;
            } else if one_of(name, RAW) {
                match raw_text_end(b, i, name) {
                    Some(end) => i = end,
                    None => return Verdict::Shallow,
                }
            }
        } else {
            i = j + 1;
        }
        if i >= n {
            break;
        }
    }
    Verdict::Shallow
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deep(tag: &str, n: usize) -> String {
        format!("<{tag}>").repeat(n)
    }

    #[test]
    fn few_tags_are_shallow_without_scanning() {
        assert_eq!(verdict(&deep("div", 100), 512), Verdict::Shallow);
    }

    #[test]
    fn deep_nesting_needs_parse() {
        assert_eq!(verdict(&deep("div", 600), 512), Verdict::NeedsParse);
        assert_eq!(verdict(&deep("span/", 600), 512), Verdict::NeedsParse);
    }

    #[test]
    fn closed_siblings_are_shallow() {
        assert_eq!(verdict(&"<b>x</b>".repeat(2000), 512), Verdict::Shallow);
        assert_eq!(verdict(&"<p>x".repeat(2000), 512), Verdict::Shallow);
        assert_eq!(
            verdict(&"<br><img src=x>".repeat(2000), 512),
            Verdict::Shallow
        );
    }

    #[test]
    fn end_tags_that_do_not_match_the_top_do_not_pop() {
        // The parser ignores a stray </x>, so the model must not count it as a close.
        assert_eq!(verdict(&"<div></x>".repeat(600), 512), Verdict::NeedsParse);
        assert_eq!(
            verdict(&"<div><table></div>".repeat(600), 512),
            Verdict::NeedsParse
        );
    }

    #[test]
    fn tags_inside_comments_and_raw_text_do_not_count() {
        let s = format!("<!--{}-->", deep("div", 600));
        assert_eq!(verdict(&s, 512), Verdict::Shallow);
        let s = format!("<textarea>{}</textarea>", deep("div", 600));
        assert_eq!(verdict(&s, 512), Verdict::Shallow);
        let s = format!("<div title='{}'>", deep("div", 600));
        assert_eq!(verdict(&s, 512), Verdict::Shallow);
    }

    #[test]
    fn comment_endings_follow_the_tokenizer() {
        assert_eq!(comment_end(b"<!-->", 4), Some(5));
        assert_eq!(comment_end(b"<!--->", 4), Some(6));
        assert_eq!(comment_end(b"<!---->", 4), Some(7));
        assert_eq!(comment_end(b"<!-- a --!>", 4), Some(11));
        assert_eq!(comment_end(b"<!-- a -- >", 4), None);
    }

    #[test]
    fn ambiguous_contexts_need_parse() {
        let tail = "<b>x</b>".repeat(600);
        for head in [
            "<svg>",
            "<math>",
            "<select>",
            "<![CDATA[x]]>",
            "<script><!--</script>",
        ] {
            assert_eq!(
                verdict(&format!("{head}{tail}"), 512),
                Verdict::NeedsParse,
                "{head}"
            );
        }
    }

    #[test]
    fn unterminated_constructs_end_the_scan() {
        let s = format!("{}<div title='", "<b>x</b>".repeat(600));
        assert_eq!(verdict(&s, 512), Verdict::Shallow);
    }
}

/// Most attributes one element keeps; the earlier ones past this are dropped. html5ever's
/// tokenizer checks each new attribute against all earlier ones on the same tag, so a tag
/// with `k` attributes costs `k²` comparisons: a single tag with a million attributes would
/// take minutes.
pub const MAX_ATTRIBUTES: usize = 256;

/// Chains this long get their per-attribute counts remembered, so other candidate tags
/// that run into them stop there instead of walking them again.
const MEMO_FROM: usize = 16;

fn is_tag_sep(b: u8) -> bool {
    is_ws(b) || b == b'/'
}

/// Where a tag's attribute list goes next.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// An attribute starts here.
    Next(usize),
    /// The tag ended; the index just past its `>`.
    End(usize),
    /// The input ended inside the tag.
    Eof,
}

/// Skip the separators after a tag name or an attribute, at `k`.
fn first_attribute(b: &[u8], mut k: usize) -> Step {
    while k < b.len() && is_tag_sep(b[k]) {
        k += 1;
    }
    match b.get(k) {
        None => Step::Eof,
        Some(b'>') => Step::End(k + 1),
        Some(_) => Step::Next(k),
    }
}

/// From an attribute start `k` (a byte that is not whitespace, `/` or `>`), read the
/// attribute (name, optional `=` and value, as the tokenizer does) and say what follows.
fn next_attribute(b: &[u8], mut k: usize) -> Step {
    let n = b.len();
    k += 1; // a leading '=' belongs to the name
    while k < n && !is_ws(b[k]) && !matches!(b[k], b'/' | b'>' | b'=') {
        k += 1;
    }
    while k < n && is_ws(b[k]) {
        k += 1;
    }
    if k < n && b[k] == b'=' {
        k += 1;
        while k < n && is_ws(b[k]) {
            k += 1;
        }
        if k < n {
            match b[k] {
                q @ (b'"' | b'\'') => match b[k + 1..].iter().position(|&c| c == q) {
                    Some(p) => k = k + 1 + p + 1,
                    None => return Step::Eof,
                },
                b'>' => return Step::End(k + 1),
                _ => {
                    while k < n && !is_ws(b[k]) && b[k] != b'>' {
                        k += 1;
                    }
                }
            }
        }
    }
    first_attribute(b, k)
}

/// Drop the leading attributes of any tag that has more than `cap` of them.
///
/// The tokenizer's state (text, comment, raw text, CDATA) decides where a tag may start,
/// and it cannot be known without the tree builder. But once a tag has started, how it is
/// read does not depend on anything else. So every `<` followed by a letter is treated as
/// a possible tag start, and each one's attribute list is measured; lists that meet are
/// shared (counts are remembered for long ones), which keeps the pass linear. Cutting a
/// possible tag that is really text only happens for text that looks like a tag with more
/// than `cap` attributes.
pub fn limit_attributes(html: &str, cap: usize) -> std::borrow::Cow<'_, str> {
    let b = html.as_bytes();
    // Each attribute takes at least two bytes (itself and a separator before the next).
    // Longer inputs go straight to the walk: it jumps from `<` to `<` and reads only tags,
    // cheaper than a pass counting separators over all the text first.
    if b.len() < 2 * cap {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut memo: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut chain: Vec<usize> = Vec::new();
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let lt = i + off;
        let name_start = if b.get(lt + 1) == Some(&b'/') {
            lt + 2
        } else {
            lt + 1
        };
        if !b.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            i = lt + 1;
            continue;
        }
        // Candidates inside this name share its end, and so its attributes: skip them.
        let name_end = name_end(b, name_start);
        i = name_end.max(lt + 1);
        let Step::Next(k) = first_attribute(b, name_end) else {
            continue;
        };
        // Walk this candidate's attributes until the tag ends or a remembered list is met.
        chain.clear();
        let mut tail = 0; // attributes counted after the walked part
        let mut at = k;
        loop {
            // Lists are only remembered once one is long, so most inputs skip the lookup.
            if let Some(&rest) = (!memo.is_empty()).then(|| memo.get(&at)).flatten() {
                tail = rest;
                break;
            }
            chain.push(at);
            match next_attribute(b, at) {
                Step::Next(next) => at = next,
                Step::End(_) | Step::Eof => break,
            }
        }
        let total = chain.len() + tail;
        if total >= MEMO_FROM {
            for (j, &s) in chain.iter().enumerate() {
                memo.insert(s, total - j);
            }
        }
        if total > cap && !chain.is_empty() {
            // Keep the last `cap`: attributes with more than `cap` after them go. Where this
            // list ran into a remembered one, that one's own cut already covers the rest.
            let drop = total - cap;
            let cut_end = if drop < chain.len() { chain[drop] } else { at };
            cuts.push((chain[0], cut_end));
        }
    }
    if cuts.is_empty() {
        return std::borrow::Cow::Borrowed(html);
    }
    cuts.sort_unstable();
    let mut out = String::with_capacity(html.len());
    let mut pos = 0;
    for (s, e) in cuts {
        let s = s.max(pos);
        if e <= s {
            continue;
        }
        out.push_str(&html[pos..s]);
        pos = e;
    }
    out.push_str(&html[pos..]);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod attribute_tests {
    use super::*;

    fn tag(n: usize) -> String {
        let attrs: Vec<String> = (0..n).map(|i| format!("a{i}=\"{i}\"")).collect();
        format!("<b {}>x</b>", attrs.join(" "))
    }

    #[test]
    fn ordinary_input_is_untouched() {
        let s = tag(10).repeat(100);
        assert!(matches!(
            limit_attributes(&s, 256),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn long_lists_keep_their_last_attributes() {
        let input = tag(1000);
        let out = limit_attributes(&input, 256);
        assert!(out.starts_with("<b a744=\"744\" "), "{}", &out[..40]);
        assert!(out.ends_with("a999=\"999\">x</b>"));
        assert_eq!(out.matches('=').count(), 256);
    }

    #[test]
    fn lookalikes_in_values_and_overlaps_stay_linear() {
        // Every `<a` is a candidate and each is an attribute of the one before it.
        let s = "<a ".repeat(300_000) + ">";
        let out = limit_attributes(&s, 256);
        assert!(out.len() < 2000);
        let s = format!("<x y=\"{}\" {}>", "<b c d ".repeat(1000), "z ".repeat(10));
        let _ = limit_attributes(&s, 256);
    }

    #[test]
    fn next_attribute_follows_the_tokenizer() {
        let b = b"<b a=1 c='x>y' d=\"q\"e >";
        assert_eq!(next_attribute(b, 3), Step::Next(7));
        assert_eq!(next_attribute(b, 7), Step::Next(15));
        assert_eq!(next_attribute(b, 15), Step::Next(20));
        assert_eq!(next_attribute(b, 20), Step::End(b.len()));
        assert_eq!(next_attribute(b"<b a='x", 3), Step::Eof);
        assert_eq!(tag_end(b, 2), Some(b.len()));
        assert_eq!(tag_end(b"<b a=>", 2), Some(6));
        assert_eq!(tag_end(b"<b a=\"x>", 2), None);
    }
}
