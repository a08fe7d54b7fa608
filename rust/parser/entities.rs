//! Named character references: the WHATWG table (`entities_table.rs`, generated from
//! Python's `html.entities.html5` by `scripts/gen_parser_tables.py`), sorted by name and
//! searched by binary search (within the names sharing the first byte) for the longest
//! name the input starts with. The search compares each name's first eight bytes as one
//! integer (`KEYS`), which orders names as their bytes do, and only names that share
//! those eight bytes byte by byte (at most a few: names longer than eight bytes).

use super::entities_table::{BY_FIRST_BYTE, ENTITIES, MAX_LEN};

/// Each name's first eight bytes as a big-endian integer, zero-padded: since names have
/// no NUL, comparing keys compares the names' first eight bytes in byte order.
static KEYS: [u64; ENTITIES.len()] = {
    let mut keys = [0u64; ENTITIES.len()];
    let mut i = 0;
    while i < ENTITIES.len() {
        let name = ENTITIES[i].0.as_bytes();
        let mut k = 0;
        while k < 8 {
            keys[i] <<= 8;
            if k < name.len() {
                keys[i] |= name[k] as u64;
            }
            k += 1;
        }
        i += 1;
    }
    keys
};

fn key(name: &[u8]) -> u64 {
    let mut be = [0u8; 8];
    let n = name.len().min(8);
    be[..n].copy_from_slice(&name[..n]);
    u64::from_be_bytes(be)
}

fn find(name: &[u8]) -> Option<&'static str> {
    let &(lo, hi) = BY_FIRST_BYTE.get(usize::from(*name.first()?))?;
    let (lo, hi) = (usize::from(lo), usize::from(hi));
    let want = key(name);
    let tail = name.get(8..).unwrap_or_default();
    // The first name whose key is not below, then the few sharing the key (names of
    // more than eight bytes) by their tails, in order.
    let first = lo + KEYS[lo..hi].partition_point(|&k| k < want);
    (first..hi)
        .take_while(|&i| KEYS[i] == want)
        .find(|&i| ENTITIES[i].0.as_bytes().get(8..).unwrap_or_default() == tail)
        .map(|i| ENTITIES[i].1)
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

    #[test]
    fn every_name_is_found() {
        for (name, value) in &ENTITIES {
            assert_eq!(find(name.as_bytes()), Some(*value), "{name}");
            // The name one byte shorter is found only when it is a name itself.
            let bytes = name.as_bytes();
            let prefix = &bytes[..bytes.len() - 1];
            let is_name = ENTITIES.iter().any(|(n, _)| n.as_bytes() == prefix);
            assert_eq!(find(prefix).is_some(), is_name, "{name}");
        }
        assert_eq!(find(b"notanentity;"), None);
        assert_eq!(find(b"CounterClockwiseContourIntegral;"), Some("\u{2233}"));
    }
}
