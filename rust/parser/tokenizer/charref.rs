//! Character references. The whole input is at hand, so a reference is decoded by looking
//! ahead from its `&` instead of through the standard's character reference states; the
//! result is the same: how many bytes it consumes and what they become.

use crate::parser::entities;

pub(super) enum Decoded {
    Str(&'static str),
    Char(char),
}

/// Decodes the reference at `bytes[pos] == b'&'`. Returns the end of what it consumed and
/// its replacement, or `None` when `pos..end` stays literal text (then `end` is `pos + 1`
/// or the end of a named reference kept as text; what follows is ordinary text either way).
pub(super) fn consume(bytes: &[u8], pos: usize, in_attr: bool) -> (usize, Option<Decoded>) {
    match bytes.get(pos + 1) {
        Some(b) if b.is_ascii_alphanumeric() => named(bytes, pos, in_attr),
        Some(b'#') => numeric(bytes, pos),
        _ => (pos + 1, None),
    }
}

fn named(bytes: &[u8], pos: usize, in_attr: bool) -> (usize, Option<Decoded>) {
    if let Some((len, value)) = common(&bytes[pos + 1..]) {
        return (pos + 1 + len, Some(Decoded::Str(value)));
    }
    let Some((len, value)) = entities::longest_match(&bytes[pos + 1..]) else {
        return (pos + 1, None);
    };
    let end = pos + 1 + len;
    // The historical rule: in an attribute value, `&amp=` or `&ampx` without the `;`
    // stays as written (URLs' query strings).
    if in_attr
        && bytes[end - 1] != b';'
        && bytes
            .get(end)
            .is_some_and(|&b| b == b'=' || b.is_ascii_alphanumeric())
    {
        return (end, None);
    }
    (end, Some(Decoded::Str(value)))
}

/// The commonest named references, with their `;` (so no longer name can match and the
/// attribute rule for names without one does not apply), without the table's search.
fn common(after_amp: &[u8]) -> Option<(usize, &'static str)> {
    match after_amp {
        [b'a', b'm', b'p', b';', ..] => Some((4, "&")),
        [b'q', b'u', b'o', b't', b';', ..] => Some((5, "\"")),
        [b'l', b't', b';', ..] => Some((3, "<")),
        [b'g', b't', b';', ..] => Some((3, ">")),
        _ => None,
    }
}

fn numeric(bytes: &[u8], pos: usize) -> (usize, Option<Decoded>) {
    let mut i = pos + 2;
    let hex = matches!(bytes.get(i), Some(b'x' | b'X'));
    if hex {
        i += 1;
    }
    let base = if hex { 16 } else { 10 };
    let digits_start = i;
    let mut value: u32 = 0;
    while let Some(d) = bytes.get(i).and_then(|&b| char::from(b).to_digit(base)) {
        // Saturate: any value past U+10FFFF decodes the same.
        value = (value * base + d).min(0x11_0000);
        i += 1;
    }
    if i == digits_start {
        return (pos + 1, None);
    }
    if bytes.get(i) == Some(&b';') {
        i += 1;
    }
    (i, Some(Decoded::Char(numeric_char(value))))
}

/// The standard's numeric character reference end state: NUL, surrogates and values past
/// U+10FFFF become U+FFFD; 0x80-0x9F are read as windows-1252.
fn numeric_char(value: u32) -> char {
    const C1: [u16; 32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013,
        0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ];
    let value = match value {
        0 => 0xFFFD,
        0x80..=0x9F => u32::from(C1[(value - 0x80) as usize]),
        v => v,
    };
    char::from_u32(value).unwrap_or('\u{FFFD}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_names_decode_as_the_table_does() {
        for name in ["amp;", "quot;", "lt;", "gt;", "amp;x", "lt;;"] {
            let bytes = name.as_bytes();
            assert_eq!(common(bytes), entities::longest_match(bytes), "{name}");
        }
        for other in ["amp", "ampx", "quot", "l", "lt", "gt=", "AMP;", "apos;", ""] {
            assert_eq!(common(other.as_bytes()), None, "{other}");
        }
    }
}
