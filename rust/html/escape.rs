//! Escaping text for HTML output, exactly as the serializer writes it.

/// Bytes that may need escaping in text (`[0]`) and in attribute values (`[1]`): a table
/// lets the loop skip ordinary bytes with one load and test each.
const SPECIAL: [[bool; 256]; 2] = {
    let mut t = [[false; 256]; 2];
    let mut k = 0;
    while k < 2 {
        t[k][b'&' as usize] = true;
        t[k][b'\r' as usize] = true;
        t[k][0xC2] = true;
        t[k][b'<' as usize] = true;
        t[k][b'>' as usize] = true;
        k += 1;
    }
    t[1][b'"' as usize] = true;
    t
};

/// Append `text` escaped for a text node (`attr` false) or a double-quoted attribute value.
/// Linear: html5ever 0.40's escaper rescans the rest of a text node after every `&` or
/// U+00A0, which is quadratic on ordinary text ("Fish & chips" repeated).
#[inline]
pub fn escape_into(out: &mut String, text: &str, attr: bool) {
    let bytes = text.as_bytes();
    // Long text without a CR or a 0xC2 byte (U+00A0 and its neighbours) has only `&`,
    // `<` and `>` to escape, which memchr finds many bytes at a time. Most text nodes
    // are a few bytes long, where the calls cost more than the loop below.
    if !attr && bytes.len() >= 32 {
        return escape_long(out, text);
    }
    // Most short values have nothing to escape: one scan, one copy.
    let special = &SPECIAL[attr as usize];
    match bytes.iter().position(|&b| special[b as usize]) {
        None => out.push_str(text),
        Some(first) => escape_from(out, text, attr, first),
    }
}

/// [`escape_into`] for text of 32 bytes or more.
fn escape_long(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    if memchr::memchr2(b'\r', 0xC2, bytes).is_some() {
        return escape_from(out, text, false, 0);
    }
    let mut last = 0;
    for i in memchr::memchr3_iter(b'&', b'<', b'>', bytes) {
        out.push_str(&text[last..i]);
        out.push_str(match bytes[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            _ => "&gt;",
        });
        last = i + 1;
    }
    out.push_str(&text[last..]);
}

/// [`escape_into`]'s byte loop, from `from` (no byte before it needs escaping).
fn escape_from(out: &mut String, text: &str, attr: bool, from: usize) {
    let bytes = text.as_bytes();
    let special = &SPECIAL[attr as usize];
    let mut last = 0;
    let mut i = from;
    while i < bytes.len() {
        if !special[bytes[i] as usize] {
            i += 1;
            continue;
        }
        let rep = match bytes[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if attr => "&quot;",
            // A raw CR would come back as LF (the parser normalises newlines), so the
            // output would change on a second pass; html5ever writes it raw.
            b'\r' => "&#13;",
            0xC2 if bytes.get(i + 1) == Some(&0xA0) => "&nbsp;",
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&text[last..i]);
        out.push_str(rep);
        i += if bytes[i] == 0xC2 { 2 } else { 1 };
        last = i;
    }
    out.push_str(&text[last..]);
}

/// Input that cannot contain markup, a character reference, a newline to normalise or a
/// NUL: the parser would produce one text node, so escaping gives the identical output.
/// An `&` starts a character reference only before an ASCII letter, digit or `#`; any
/// other `&` ("Tom & Jerry", "R&D." at the end) is text as it stands.
pub fn is_plain_text(html: &str) -> bool {
    let bytes = html.as_bytes();
    !html.starts_with('\u{feff}')
        && !bytes.iter().enumerate().any(|(i, &b)| match b {
            b'<' | b'\r' | b'\0' => true,
            b'&' => bytes
                .get(i + 1)
                .is_some_and(|&n| n.is_ascii_alphanumeric() || n == b'#'),
            _ => false,
        })
}

/// Text escaped exactly as the serializer writes a text node.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    escape_into(&mut out, text, false);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_is_linear_and_correct() {
        let text = "Fish & chips \u{a0} ".repeat(200_000);
        let mut out = String::new();
        escape_into(&mut out, &text, false);
        assert_eq!(out, "Fish &amp; chips &nbsp; ".repeat(200_000));
        let mut out = String::new();
        escape_into(&mut out, "a\"b\r<", true);
        assert_eq!(out, "a&quot;b&#13;&lt;");
        // Long text takes the other loop, unless it has a CR or a 0xC2 byte.
        for tail in ["", "\r", "\u{a0}", "\u{a9}", "\u{e9}"] {
            let text = format!("<a href=\"x\">{tail} & more than 32 bytes of text</a>");
            let mut out = String::new();
            escape_into(&mut out, &text, false);
            let tail = match tail {
                "\r" => "&#13;",
                "\u{a0}" => "&nbsp;",
                t => t,
            };
            let want =
                format!("&lt;a href=\"x\"&gt;{tail} &amp; more than 32 bytes of text&lt;/a&gt;");
            assert_eq!(out, want);
        }
    }

    #[test]
    fn an_ampersand_is_plain_text_where_no_reference_can_start() {
        for plain in ["Tom & Jerry", "AT&", "&", "& ", "&;", "&é", "a&& b", "x>y"] {
            assert!(is_plain_text(plain), "{plain:?}");
        }
        for not_plain in [
            "&amp;", "&lt", "&#38;", "R&D", "a&&b", "&1", "<b>", "a\rb", "\0",
        ] {
            assert!(!is_plain_text(not_plain), "{not_plain:?}");
        }
        assert!(!is_plain_text("\u{feff}x"));
    }
}
