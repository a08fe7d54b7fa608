//! The default engine: html5ever's tokenizer and tree builder (through ammonia's `rcdom`
//! tree), bounded in depth, then the sanitizing walk.

use crate::engine::parse::parse_fragment;
use crate::engine::walk::{walk, Cleaned};
use crate::engine::Engine;
use crate::html::MAX_DEPTH;
use crate::policy::Rules;
use crate::report::Recorder;

pub struct Html5ever;

impl Engine for Html5ever {
    fn name(&self) -> &'static str {
        "html5ever"
    }

    fn clean(&self, html: &str, rules: &Rules, rec: &mut Recorder<'_>) -> Cleaned {
        walk(&parse_fragment(html, MAX_DEPTH), rules, rec)
    }
}
