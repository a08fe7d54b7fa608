//! What a caller can add to a sanitize: a hook on links (bleach's linkify callbacks) and
//! one on attributes (ammonia's and nh3's `attribute_filter`). Plain Rust; the bindings
//! implement it over Python callables. Whatever a hook returns is checked by the policy
//! again, so a hook can narrow what the policy keeps but never widen it.

/// A link as a link hook sees it and may change it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// Its attributes as the policy writes them (`href`, a `rel` it sets, …), in order.
    pub attrs: Vec<(String, String)>,
    /// Its text: the made link's text, or an input link's text content.
    pub text: String,
}

/// Hooks the walk calls (in the first round only; later rounds settle the output's
/// shape and see what the hooks already decided). The defaults change nothing.
pub trait Hooks {
    /// Whether [`link`](Self::link) is to be called (otherwise no link's text is
    /// gathered for it).
    fn wants_links(&self) -> bool {
        false
    }

    /// A link about to be written: made from text by linkify (`new`), or an `<a>` kept
    /// from the input. Change `link` in place; false drops it (a made link stays text,
    /// an input link is unwrapped: its content is kept).
    fn link(&mut self, _link: &mut Link, _new: bool) -> bool {
        true
    }

    /// Whether [`attribute`](Self::attribute) is to be called.
    fn wants_attributes(&self) -> bool {
        false
    }

    /// An input attribute the policy keeps on `element`, with the value it would write
    /// so far (as ammonia's filter: after the allowlists, the scheme check, forced
    /// values and `id_prefix`, before relative URLs are resolved and styles, classes and
    /// patterns are checked). None removes it; a new value is checked again.
    fn attribute(&mut self, _element: &str, _name: &str, value: &str) -> Option<String> {
        Some(value.to_string())
    }
}
