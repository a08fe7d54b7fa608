//! A bound on the attributes of one tag, applied to the input before parsing.
//!
//! html5ever's tokenizer checks each new attribute against all earlier ones on the same tag
//! (to drop duplicates), so a tag with `k` attributes costs `k²` comparisons: a single tag
//! with a million attributes would take minutes. Tags keep their first [`MAX_ATTRIBUTES`]
//! attributes and lose the rest. Keeping the *first* ones matters: the tokenizer keeps the
//! first of two attributes with one name, so a later duplicate must never be the one that
//! survives (`<a href="javascript:…" [300 attributes] href="https://x.example/">` is a
//! link the browser would never have followed to x.example).

use std::borrow::Cow;
use std::collections::HashMap;

use crate::html::lexer::{attribute_end, first_attribute, name_end, next_attribute, Step};

/// Most attributes one element keeps; later ones are dropped.
pub const MAX_ATTRIBUTES: usize = 256;

/// Lists this long are remembered, so other candidate tags that run into them stop there
/// instead of walking them again.
const MEMO_FROM: usize = 16;

/// A walked attribute list: where its attributes start, where the last one ends, and the
/// remembered list it ran into (list index, position in it), if any.
struct List {
    starts: Vec<usize>,
    end: usize,
    rest: Option<(usize, usize)>,
}

impl List {
    /// Start of the `k`-th attribute (0-based) of this list, following remembered tails.
    fn start_of(lists: &[List], mut list: usize, mut k: usize) -> Option<usize> {
        loop {
            let l = &lists[list];
            if k < l.starts.len() {
                return Some(l.starts[k]);
            }
            let (next, at) = l.rest?;
            k = k - l.starts.len() + at;
            list = next;
        }
    }

    fn end(lists: &[List], mut list: usize) -> usize {
        while let Some((next, _)) = lists[list].rest {
            list = next;
        }
        lists[list].end
    }
}

/// Drop the attributes past the first `cap` of any tag that has more.
///
/// The tokenizer's state (text, comment, raw text, CDATA) decides where a tag may start,
/// and it cannot be known without the tree builder. But once a tag has started, how it is
/// read does not depend on anything else. So every `<` followed by a letter is treated as
/// a possible tag start, and each one's attribute list is measured; lists that meet are
/// shared (long ones are remembered), which keeps the pass linear. Cutting a possible tag
/// that is really text only happens for text that looks like a tag with more than `cap`
/// attributes.
pub fn limit_attributes(html: &str, cap: usize) -> Cow<'_, str> {
    let b = html.as_bytes();
    // Each attribute takes at least two bytes (itself and a separator before the next).
    if b.len() < 2 * cap {
        return Cow::Borrowed(html);
    }
    let mut memo: HashMap<usize, (usize, usize)> = HashMap::new();
    let mut lists: Vec<List> = Vec::new();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
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
        let mut list = List {
            starts: Vec::new(),
            end: k,
            rest: None,
        };
        let mut tail = 0; // attributes counted in the remembered part
        let mut at = k;
        loop {
            if let Some(&(l, pos)) = (!memo.is_empty()).then(|| memo.get(&at)).flatten() {
                list.rest = Some((l, pos));
                tail = count_from(&lists, l, pos);
                break;
            }
            list.starts.push(at);
            list.end = match attribute_end(b, at) {
                Ok(e) => e,
                Err(Step::End(e)) => e - 1,
                Err(_) => b.len(),
            };
            match next_attribute(b, at) {
                Step::Next(next) => at = next,
                Step::End(_) | Step::Eof => break,
            }
        }
        let total = list.starts.len() + tail;
        if total <= cap && total < MEMO_FROM {
            continue;
        }
        let id = lists.len();
        for (j, &s) in list.starts.iter().enumerate() {
            memo.insert(s, (id, j));
        }
        lists.push(list);
        if total > cap {
            // From the first attribute past the cap to the end of the last attribute: the
            // separators and `/` before `>` stay.
            if let Some(from) = List::start_of(&lists, id, cap) {
                cuts.push((from, List::end(&lists, id)));
            }
        }
    }
    if cuts.is_empty() {
        return Cow::Borrowed(html);
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
    Cow::Owned(out)
}

/// How many attributes a remembered list has from position `pos` on.
fn count_from(lists: &[List], mut list: usize, mut pos: usize) -> usize {
    let mut n = 0;
    loop {
        let l = &lists[list];
        n += l.starts.len().saturating_sub(pos);
        match l.rest {
            Some((next, at)) => {
                list = next;
                pos = at;
            }
            None => return n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(n: usize) -> String {
        let attrs: Vec<String> = (0..n).map(|i| format!("a{i}=\"{i}\"")).collect();
        format!("<b {}>x</b>", attrs.join(" "))
    }

    #[test]
    fn ordinary_input_is_untouched() {
        let s = tag(10).repeat(100);
        assert!(matches!(limit_attributes(&s, 256), Cow::Borrowed(_)));
    }

    #[test]
    fn long_lists_keep_their_first_attributes() {
        let input = tag(1000);
        let out = limit_attributes(&input, 256);
        assert!(out.starts_with("<b a0=\"0\" a1=\"1\" "), "{}", &out[..40]);
        assert!(
            out.ends_with("a255=\"255\" >x</b>"),
            "{}",
            &out[out.len() - 40..]
        );
        assert_eq!(out.matches('=').count(), 256);
    }

    #[test]
    fn a_late_duplicate_never_replaces_the_first() {
        let filler: String = (0..300).map(|i| format!(" x{i}")).collect();
        let input = format!("<a href=\"javascript:x\"{filler} href=\"https://x.example/\">l</a>");
        let out = limit_attributes(&input, 256);
        assert!(out.contains("href=\"javascript:x\""));
        assert!(!out.contains("x.example"), "{out}");
    }

    #[test]
    fn self_closing_slash_stays() {
        let input = format!("<path{} />", " d=1".repeat(300));
        let out = limit_attributes(&input, 256);
        assert!(out.ends_with(" />"), "{}", &out[out.len() - 10..]);
    }

    #[test]
    fn lookalikes_in_values_and_overlaps_stay_linear() {
        // Every `<a` is a candidate and each is an attribute of the one before it.
        let s = "<a ".repeat(300_000) + ">";
        let out = limit_attributes(&s, 256);
        assert!(out.len() < 2000, "{}", out.len());
        let s = format!("<x y=\"{}\" {}>", "<b c d ".repeat(1000), "z ".repeat(10));
        let _ = limit_attributes(&s, 256);
    }
}
