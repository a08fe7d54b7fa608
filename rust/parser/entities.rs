//! Named character references: the WHATWG table (`entities_table.rs`, generated from
//! Python's `html.entities.html5` by `scripts/gen_parser_tables.py`), sorted by name and
//! searched by binary search (within the names sharing the first byte) for the longest
//! name the input starts with.

use super::entities_table::{BY_FIRST_BYTE, ENTITIES, MAX_LEN};

fn find(name: &[u8]) -> Option<&'static str> {
    let &(lo, hi) = BY_FIRST_BYTE.get(usize::from(*name.first()?))?;
    let candidates = &ENTITIES[usize::from(lo)..usize::from(hi)];
    candidates
        .binary_search_by(|(n, _)| n.as_bytes().cmp(name))
        .ok()
        .map(|i| candidates[i].1)
}

/// The longest named reference at the start of `after_amp` (the bytes after a `&`):
/// its length in bytes (with the `;` when the name has one) and its replacement.
/// Names are ASCII alphanumerics with an optional final `;`, at most `MAX_LEN` bytes, so
/// at most `MAX_LEN` lookups are tried per `&`, whatever the input.
pub fn longest_match(after_amp: &[u8]) -> Option<(usize, &'static str)> {
    let limit = after_amp.len().min(MAX_LEN);
    let alnum = after_amp[..limit]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if alnum == 0 {
        return None;
    }
    if after_amp.get(alnum) == Some(&b';') && alnum < MAX_LEN {
        if let Some(v) = find(&after_amp[..=alnum]) {
            return Some((alnum + 1, v));
        }
    }
    (1..=alnum)
        .rev()
        .find_map(|len| find(&after_amp[..len]).map(|v| (len, v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_complete() {
        assert_eq!(ENTITIES.len(), 2231);
        assert!(ENTITIES
            .windows(2)
            .all(|w| w[0].0.as_bytes() < w[1].0.as_bytes()));
    }

    #[test]
    fn longest_match_cases() {
        assert_eq!(longest_match(b"amp;x"), Some((4, "&")));
        assert_eq!(longest_match(b"ampx"), Some((3, "&")));
        assert_eq!(longest_match(b"notin;"), Some((6, "\u{2209}")));
        assert_eq!(longest_match(b"notit;"), Some((3, "\u{ac}")));
        assert_eq!(
            longest_match(b"NotEqualTilde;"),
            Some((14, "\u{2242}\u{338}"))
        );
        assert_eq!(longest_match(b"xyz;"), None);
        assert_eq!(longest_match(b";"), None);
        assert_eq!(longest_match(b""), None);
        assert_eq!(longest_match(&[b'a'; 100]), None);
    }
}
