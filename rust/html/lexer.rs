//! The byte lexer the pre-scans share: where tags, comments and raw text start and end,
//! read the way the HTML tokenizer reads them, without a tree builder.
//!
//! Two consumers: [`crate::html::split`] walks the [`Tokens`] of a document to find where
//! it can be cut, and [`crate::html::attrs`] steps through attribute lists to bound them.
//! Both only need to know where the tokenizer's constructs begin and end; neither needs
//! names decoded or values unescaped, so everything here works on borrowed bytes.

/// Void elements: a start tag opens nothing.
pub const VOID: &[&[u8]] = &[
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

/// Elements whose content the tokenizer reads as text up to the matching end tag
/// (`script` has its own rules, see [`Token::EscapedScript`]).
pub const RAW: &[&[u8]] = &[
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
pub const AMBIGUOUS: &[&[u8]] = &[b"svg", b"math", b"select"];

pub fn is_ws(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

pub fn eq_ci(a: &[u8], b: &[u8]) -> bool {
    a.eq_ignore_ascii_case(b)
}

pub fn one_of(name: &[u8], set: &[&[u8]]) -> bool {
    set.iter().any(|s| eq_ci(name, s))
}

pub fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    memchr::memmem::find(&hay[from..], needle).map(|p| p + from)
}

/// End of a comment whose `<!--` ends just before `s` (the tokenizer's rules, including the
/// abrupt `<!-->` and `<!--->` forms and `--!>`).
pub fn comment_end(b: &[u8], s: usize) -> Option<usize> {
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

/// End of a tag name that starts at `k`.
pub fn name_end(b: &[u8], mut k: usize) -> usize {
    while k < b.len() && !is_ws(b[k]) && b[k] != b'/' && b[k] != b'>' {
        k += 1;
    }
    k
}

/// Where the text of raw-text element `name` ends: the start of the first `</name` followed
/// by whitespace, `/` or `>`.
pub fn raw_text_end(b: &[u8], from: usize, name: &[u8]) -> Option<usize> {
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

/// Where a tag's attribute list goes next.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// An attribute starts here.
    Next(usize),
    /// The tag ended; the index just past its `>`.
    End(usize),
    /// The input ended inside the tag.
    Eof,
}

fn is_tag_sep(b: u8) -> bool {
    is_ws(b) || b == b'/'
}

/// Skip the separators after a tag name or an attribute, at `k`.
pub fn first_attribute(b: &[u8], mut k: usize) -> Step {
    while k < b.len() && is_tag_sep(b[k]) {
        k += 1;
    }
    match b.get(k) {
        None => Step::Eof,
        Some(b'>') => Step::End(k + 1),
        Some(_) => Step::Next(k),
    }
}

/// The end of the attribute starting at `k` (a byte that is not whitespace, `/` or `>`):
/// its name, optional `=` and value, as the tokenizer reads them. `Err` carries the step
/// when the tag ends inside the attribute (`a=>`) or the input does.
pub fn attribute_end(b: &[u8], mut k: usize) -> Result<usize, Step> {
    let n = b.len();
    k += 1; // a leading '=' belongs to the name
    while k < n && !is_ws(b[k]) && !matches!(b[k], b'/' | b'>' | b'=') {
        k += 1;
    }
    let name_end = k;
    while k < n && is_ws(b[k]) {
        k += 1;
    }
    if k >= n || b[k] != b'=' {
        return Ok(name_end);
    }
    k += 1;
    while k < n && is_ws(b[k]) {
        k += 1;
    }
    if k >= n {
        return Err(Step::Eof);
    }
    match b[k] {
        q @ (b'"' | b'\'') => match b[k + 1..].iter().position(|&c| c == q) {
            Some(p) => Ok(k + 1 + p + 1),
            None => Err(Step::Eof),
        },
        b'>' => Err(Step::End(k + 1)),
        _ => {
            while k < n && !is_ws(b[k]) && b[k] != b'>' {
                k += 1;
            }
            Ok(k)
        }
    }
}

/// From an attribute start `k`, skip the attribute and say what follows.
pub fn next_attribute(b: &[u8], k: usize) -> Step {
    match attribute_end(b, k) {
        Ok(end) => first_attribute(b, end),
        Err(step) => step,
    }
}

/// Scans a tag's attributes from `k` (just after its name); returns the index after `>`,
/// or None when the input ends inside the tag (the tokenizer then drops the tag).
pub fn tag_end(b: &[u8], k: usize) -> Option<usize> {
    let mut step = first_attribute(b, k);
    loop {
        match step {
            Step::Next(at) => step = next_attribute(b, at),
            Step::End(e) => return Some(e),
            Step::Eof => return None,
        }
    }
}

/// What [`Tokens`] reports. Text, comments, bogus comments and raw text are skipped.
#[derive(Debug, PartialEq, Eq)]
pub enum Token<'a> {
    /// A start tag; `end` is just past its `>`, or past the element's raw text when it has
    /// some (the matching end tag comes next).
    Start { name: &'a [u8], end: usize },
    /// An end tag; `end` is just past its `>`.
    End { name: &'a [u8], end: usize },
    /// `<![CDATA[`: a bogus comment in HTML content, a CDATA section in foreign content.
    Cdata,
    /// `<!--` inside script text: the tokenizer's escaped states, which only the tree
    /// builder can follow.
    EscapedScript,
    /// The input ends inside a construct, or the rest is text (`<plaintext>`): no more
    /// tokens can be known.
    Unterminated,
}

/// The tags of a document, read as the tokenizer in its data state reads them.
pub struct Tokens<'a> {
    b: &'a [u8],
    i: usize,
    done: bool,
}

impl<'a> Tokens<'a> {
    pub fn new(html: &'a str) -> Self {
        Tokens {
            b: html.as_bytes(),
            i: 0,
            done: false,
        }
    }

    fn stop(&mut self) -> Option<Token<'a>> {
        self.done = true;
        Some(Token::Unterminated)
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let b = self.b;
        while !self.done {
            let j = self.i + memchr::memchr(b'<', b.get(self.i..)?)?;
            let rest = &b[j..];
            if rest.starts_with(b"<!--") {
                match comment_end(b, j + 4) {
                    Some(e) => self.i = e,
                    None => return self.stop(),
                }
            } else if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
                let cdata = rest.starts_with(b"<![CDATA[");
                match find(b, j + 2, b">") {
                    Some(e) => self.i = e + 1,
                    None => return self.stop(),
                }
                if cdata {
                    return Some(Token::Cdata);
                }
            } else if rest.starts_with(b"</") {
                match rest.get(2) {
                    Some(c) if c.is_ascii_alphabetic() => {
                        let ne = name_end(b, j + 2);
                        let Some(end) = tag_end(b, ne) else {
                            return self.stop();
                        };
                        self.i = end;
                        return Some(Token::End {
                            name: &b[j + 2..ne],
                            end,
                        });
                    }
                    Some(b'>') => self.i = j + 3,
                    Some(_) => match find(b, j + 2, b">") {
                        Some(e) => self.i = e + 1,
                        None => return self.stop(),
                    },
                    None => return self.stop(),
                }
            } else if rest.len() > 1 && rest[1].is_ascii_alphabetic() {
                let ne = name_end(b, j + 1);
                let name = &b[j + 1..ne];
                let Some(mut end) = tag_end(b, ne) else {
                    return self.stop();
                };
                if eq_ci(name, b"plaintext") {
                    self.done = true; // everything after is text
                } else if eq_ci(name, b"script") {
                    let Some(text_end) = raw_text_end(b, end, b"script") else {
                        return self.stop();
                    };
                    if find(&b[..text_end], end, b"<!--").is_some() {
                        self.done = true;
                        return Some(Token::EscapedScript);
                    }
                    end = text_end;
                } else if one_of(name, RAW) {
                    match raw_text_end(b, end, name) {
                        Some(text_end) => end = text_end,
                        None => return self.stop(),
                    }
                }
                self.i = end;
                return Some(Token::Start { name, end });
            } else {
                self.i = j + 1;
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_endings_follow_the_tokenizer() {
        assert_eq!(comment_end(b"<!-->", 4), Some(5));
        assert_eq!(comment_end(b"<!--->", 4), Some(6));
        assert_eq!(comment_end(b"<!---->", 4), Some(7));
        assert_eq!(comment_end(b"<!-- a --!>", 4), Some(11));
        assert_eq!(comment_end(b"<!-- a -- >", 4), None);
    }

    #[test]
    fn attributes_follow_the_tokenizer() {
        let b = b"<b a=1 c='x>y' d=\"q\"e >";
        assert_eq!(next_attribute(b, 3), Step::Next(7));
        assert_eq!(next_attribute(b, 7), Step::Next(15));
        assert_eq!(next_attribute(b, 15), Step::Next(20));
        assert_eq!(next_attribute(b, 20), Step::End(b.len()));
        assert_eq!(next_attribute(b"<b a='x", 3), Step::Eof);
        assert_eq!(attribute_end(b, 7), Ok(14));
        assert_eq!(tag_end(b, 2), Some(b.len()));
        assert_eq!(tag_end(b"<b a=>", 2), Some(6));
        assert_eq!(tag_end(b"<b a=\"x>", 2), None);
    }

    #[test]
    fn tokens_skip_text_comments_and_raw_text() {
        let html = "a<p class='x>'>t<!-- <b> --><style></p></style></p><br/><![CDATA[x]]>";
        let got: Vec<Token> = Tokens::new(html).collect();
        assert_eq!(
            got,
            vec![
                Token::Start {
                    name: b"p",
                    end: 15
                },
                Token::Start {
                    name: b"style",
                    end: 39
                },
                Token::End {
                    name: b"style",
                    end: 47
                },
                Token::End {
                    name: b"p",
                    end: 51
                },
                Token::Start {
                    name: b"br",
                    end: 56
                },
                Token::Cdata,
            ]
        );
    }

    #[test]
    fn tokens_stop_where_the_tokenizer_cannot_be_followed() {
        fn last(s: &str) -> Option<Token<'_>> {
            Tokens::new(s).last()
        }
        assert_eq!(last("<b>x<div title='"), Some(Token::Unterminated));
        assert_eq!(last("<!-- open"), Some(Token::Unterminated));
        assert_eq!(last("<script><!--</script>"), Some(Token::EscapedScript));
        assert_eq!(
            last("<plaintext><b>"),
            Some(Token::Start {
                name: b"plaintext",
                end: 11
            })
        );
    }
}
