//! What the `url` crate's parse of a URL attribute would say, read from the value's first
//! bytes when its shape is common and simple. The rules only ask for the scheme, whether
//! the value is relative, and whether it parses at all; a full parse costs about a
//! thousand instructions for a link, this scan a few per byte. Values of any other shape
//! are left to `Url::parse`, so every answer is the crate's (checked by the tests below).

use url::Url;

/// A URL attribute's value as `Url::parse` (without a base) would classify it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape<'a> {
    /// No scheme: `Err(RelativeUrlWithoutBase)`.
    Relative,
    /// A scheme (lowercase, as `Url::scheme` gives it) and what follows its `:`. Any error
    /// of the parse is then some other error than `RelativeUrlWithoutBase`.
    Scheme(&'a str, &'a str),
}

/// The value's shape, or None when only a full parse can tell (leading or embedded
/// controls and spaces the parser strips, uppercase in the scheme).
pub fn shape(value: &str) -> Option<Shape<'_>> {
    let bytes = value.as_bytes();
    // Without a `:` there is no scheme.
    if memchr::memchr(b':', bytes).is_none() {
        return Some(Shape::Relative);
    }
    match bytes[0] {
        b'a'..=b'z' => {}
        // The parser trims leading C0 controls and spaces.
        0..=b' ' | b'A'..=b'Z' => return None,
        _ => return Some(Shape::Relative),
    }
    for (i, &b) in bytes.iter().enumerate().skip(1) {
        match b {
            b'a'..=b'z' | b'0'..=b'9' | b'+' | b'-' | b'.' => {}
            b':' => return Some(Shape::Scheme(&value[..i], &value[i + 1..])),
            // The parser skips tabs and newlines anywhere; uppercase would need lowering.
            b'\t' | b'\n' | b'\r' | b'A'..=b'Z' => return None,
            // Any other character ends the scheme state: no scheme.
            _ => return Some(Shape::Relative),
        }
    }
    Some(Shape::Relative)
}

/// Whether `Url::parse` surely succeeds on a value of shape `Shape::Scheme(scheme, rest)`:
/// false means "unknown". Proved for a scheme that is not special (`mailto:x`: a path
/// that cannot fail) unless an authority may follow, and for an http(s), ws(s) or ftp URL
/// whose authority is a plain host name (the parser's and IDNA's fast path: no user, no
/// port, no percent sign, no IP address, no punycode).
pub fn surely_parses(scheme: &str, rest: &str) -> bool {
    // The serialization's offsets are u32s.
    if rest.len() > u32::MAX as usize / 8 {
        return false;
    }
    match scheme {
        "file" => false,
        "http" | "https" | "ws" | "wss" | "ftp" => rest
            .strip_prefix("//")
            .is_some_and(|after| plain_host(after.as_bytes())),
        // An authority follows `//` (tabs and newlines are skipped before it is seen).
        _ => !matches!(rest.as_bytes().first(), Some(b'/' | b'\t' | b'\n' | b'\r')),
    }
}

/// Whether the authority at the start of `after` (up to `/`, `?`, `#`, `\\` or the end)
/// is a plain host name: dot-separated labels of lowercase letters, digits and inner
/// hyphens, each starting with a letter and none with `--` as its third and fourth
/// characters. IDNA passes such a name through unchanged and it cannot end in a number
/// (an IPv4 address). One pass over the bytes, a label at a time.
fn plain_host(after: &[u8]) -> bool {
    let mut label = 0; // bytes in the current label
    let mut prev = b'.';
    for &b in after {
        match b {
            b'a'..=b'z' => {}
            b'0'..=b'9' | b'-' if label > 0 => {}
            b'.' if label > 0 && prev != b'-' => {
                label = 0;
                prev = b;
                continue;
            }
            b'/' | b'?' | b'#' | b'\\' => break,
            _ => return false,
        }
        if label == 3 && b == b'-' && prev == b'-' {
            return false;
        }
        label += 1;
        prev = b;
    }
    label > 0 && prev != b'-'
}

/// Whether every byte of `value` is printable ASCII (`!` to `~`), eight bytes at a time.
pub fn printable_ascii(value: &str) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let mut chunks = value.as_bytes().chunks_exact(8);
    for c in &mut chunks {
        let x = u64::from_ne_bytes(c.try_into().expect("eight bytes"));
        // Some byte below 0x21 (exact as a whole, for a bound below 0x80).
        let low = x.wrapping_sub(ONES * 0x21) & !x & HIGH;
        // Some byte of 0x7F or above: its low seven bits plus one carry into bit 7,
        // or bit 7 is set already.
        let high = (((x & !HIGH) + ONES) | x) & HIGH;
        if low | high != 0 {
            return false;
        }
    }
    chunks.remainder().iter().all(|&b| b > b' ' && b < 0x7f)
}

/// `Url::parse` (without a base), saving the parse for a value without a `:`: it has no
/// scheme, so it is a relative URL.
pub fn parse_url(value: &str) -> Result<Url, url::ParseError> {
    if memchr::memchr(b':', value.as_bytes()).is_none() {
        return Err(url::ParseError::RelativeUrlWithoutBase);
    }
    Url::parse(value)
}

/// Whether `Url::parse(value)` fails with `RelativeUrlWithoutBase`.
pub fn is_relative(value: &str) -> bool {
    match shape(value) {
        Some(Shape::Relative) => true,
        Some(Shape::Scheme(..)) => false,
        None => matches!(
            Url::parse(value),
            Err(url::ParseError::RelativeUrlWithoutBase)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every answer the scan gives is the one `Url::parse` gives. Returns whether the scan
    /// proved a parse.
    fn agrees(v: &str) -> bool {
        let parsed = Url::parse(v);
        let relative = matches!(parsed, Err(url::ParseError::RelativeUrlWithoutBase));
        assert_eq!(is_relative(v), relative, "{v:?}");
        match shape(v) {
            None => {}
            Some(Shape::Relative) => assert!(relative, "{v:?}: {parsed:?}"),
            Some(Shape::Scheme(scheme, rest)) => {
                assert!(!relative, "{v:?}");
                if surely_parses(scheme, rest) {
                    assert_eq!(parsed.as_ref().map(Url::scheme), Ok(scheme), "{v:?}");
                    return true;
                } else if let Ok(u) = &parsed {
                    assert_eq!(u.scheme(), scheme, "{v:?}");
                }
            }
        }
        false
    }

    #[test]
    fn printable_ascii_is_every_byte_in_range() {
        for b in 0..=255u8 {
            for at in 0..17 {
                let mut v = vec![b'a'; 17];
                v[at] = b;
                let Ok(s) = std::str::from_utf8(&v) else {
                    continue;
                };
                assert_eq!(printable_ascii(s), b > b' ' && b < 0x7f, "{b} at {at}");
            }
        }
        assert!(printable_ascii("") && !printable_ascii("a\u{e9}bcdefgh"));
    }

    #[test]
    fn the_scan_agrees_with_the_url_crate() {
        for v in [
            "",
            "https://docs.example.org/kernel",
            "http://old.example.net/for",
            "mailto:team@example.com",
            "/wiki/File:x.png",
            "#a:b",
            "./a:b",
            "https://a--b.example/",
            "https://xn--nxasmq6b.example/",
            "https://1.2.3.4/",
            "https://example.0x1/",
            "https://example.com.:8080/",
            "https://example.com./",
            "https://ex-.com/",
            "https://-ex.com/",
            "https://ex..com/",
            "https://user@ex.com/",
            "https:ex.com",
            "https:///ex.com",
            "https://ex.com\\path",
            "https://EX.com/",
            "HTTPS://ex.com/",
            " https://ex.com/",
            "java\tscript:alert(1)",
            "javascript:alert(1)",
            "mailto://[",
            "mailto:\t//[",
            "tel:+1-555",
            "a b:c",
            "\u{e9}:x",
            "file:///etc/passwd",
            "ws://a.b/c?d#e",
            "ftp://a%2eb/",
            "https://a.b?x",
            "https://a.b#x",
            "https://",
            "https://?",
            "x:",
            "data:text/html,<b>",
        ] {
            let _ = agrees(v);
        }
        // Random values from an alphabet of the characters that change the parse.
        let alphabet: Vec<char> = "ahtps:/.-0x19@%[]\\#? \t\nAZ\u{e9}\u{3002}mailo:xn-"
            .chars()
            .collect();
        let prefixes = [
            "", "https://", "http:", "mailto:", "ws://", "a:", "file:", "x.y-z:",
        ];
        let mut seed: u64 = 0x9e3779b97f4a7c15;
        let mut proved = 0;
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 14) as usize;
            let mut v = prefixes[(seed >> 60) as usize % prefixes.len()].to_string();
            v.extend(
                (0..len)
                    .map(|k| alphabet[((seed >> (k * 4 + 3)) % alphabet.len() as u64) as usize]),
            );
            proved += usize::from(agrees(&v));
        }
        // Enough proved parses that the comparison means something.
        assert!(proved > 20_000, "{proved}");
    }
}
