//! A process-wide string interner.
//!
//! ammonia's `Builder<'a>` borrows every name it is given. A compiled policy must own its
//! configuration and be `'static` (it lives in an `Arc` shared across threads), so names are
//! interned once and live for the rest of the process. Memory grows only with the number of
//! *distinct* strings ever used in a policy, not with the number of policies built.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

static STRINGS: LazyLock<Mutex<HashSet<&'static str>>> = LazyLock::new(Default::default);

pub fn intern(s: &str) -> &'static str {
    let mut set = STRINGS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = set.get(s) {
        return found;
    }
    let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
    set.insert(leaked);
    leaked
}

#[cfg(test)]
mod tests {
    use super::intern;

    #[test]
    fn same_string_same_pointer() {
        let a = intern(&String::from("data-x"));
        let b = intern("data-x");
        assert!(std::ptr::eq(a, b));
    }
}
