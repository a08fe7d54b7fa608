//! The tree builder's state and the algorithms the insertion modes share: the stack of open
//! elements and its scopes, the appropriate place for inserting a node (foster parenting),
//! creating and inserting elements (with the depth limit), the list of active formatting
//! elements (Noah's Ark, reconstruction), the adoption agency algorithm, and resetting the
//! insertion mode.

use std::borrow::Cow;

use super::dom::{Dom, Element, NodeData, NodeId, Ns, QuirksMode};
use super::names::{self, Scope, T};
use super::reuse;
use crate::parser::token::{Attribute, Name, State, Tag, Text, Token};

/// The most formatting elements the list of active formatting elements keeps after its
/// last marker (see [`TreeBuilder::push_formatting`]).
pub const MAX_FORMATTING: usize = 32;

/// Options of a parse.
#[derive(Clone, Copy, Debug)]
pub struct Opts {
    /// Whether scripting is enabled: `<noscript>` is then raw text (html5ever's default,
    /// and what the browser showing the output does).
    pub scripting: bool,
    /// Start tags that would open an element deeper than this are dropped.
    pub max_depth: usize,
}

impl Default for Opts {
    fn default() -> Self {
        Opts {
            scripting: true,
            max_depth: crate::html::MAX_DEPTH,
        }
    }
}

/// The context element of fragment parsing.
#[derive(Clone, Debug)]
pub struct ContextElement {
    pub ns: Ns,
    /// The local name (ASCII-lowercase for HTML; SVG names as written, e.g. `foreignObject`).
    pub name: String,
}

impl ContextElement {
    /// `<div>`, the sanitizer's context.
    pub fn div() -> Self {
        ContextElement {
            ns: Ns::Html,
            name: "div".into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Initial,
    BeforeHtml,
    BeforeHead,
    InHead,
    InHeadNoscript,
    AfterHead,
    InBody,
    Text,
    InTable,
    InTableText,
    InCaption,
    InColumnGroup,
    InTableBody,
    InRow,
    InCell,
    InTemplate,
    AfterBody,
    InFrameset,
    AfterFrameset,
    AfterAfterBody,
    AfterAfterFrameset,
}

/// An entry of the list of active formatting elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Entry {
    Marker,
    El(NodeId),
}

/// How a run of characters is treated (the builder splits runs by this).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// Tab, LF, FF, CR, space.
    Space,
    Nul,
    Other,
}

/// A token as the insertion modes see it: tag names classified, text split by class.
#[derive(Debug)]
pub(crate) enum Tok<'a> {
    Chars(Text<'a>, Class),
    Start(T, Tag<'a>),
    End(T, Tag<'a>),
    Comment(Text<'a>),
    Doctype(Box<crate::parser::token::Doctype<'a>>),
    Eof,
}

/// What an insertion mode did with a token.
pub(crate) enum Step<'a> {
    Done,
    /// Switch the tokenizer to this state.
    Switch(State),
    /// Reprocess the token in this mode (through the dispatcher).
    Reprocess(Mode, Tok<'a>),
}

pub struct TreeBuilder<'a> {
    pub(crate) dom: Dom<'a>,
    pub(crate) opts: Opts,
    pub(crate) mode: Mode,
    pub(crate) orig_mode: Mode,
    pub(crate) template_modes: Vec<Mode>,
    pub(crate) stack: Vec<NodeId>,
    /// How many open HTML elements of each name are on the stack (a scope search for a
    /// name that is not open at all is O(1)).
    pub(crate) open_count: [u32; names::COUNT],
    /// How many elements on the stack are not HTML: while none is (and the context, if
    /// any, is HTML), every token is HTML content without looking at the current node.
    pub(crate) foreign_open: u32,
    pub(crate) context_is_html: bool,
    pub(crate) afe: Vec<Entry>,
    pub(crate) head: Option<NodeId>,
    pub(crate) form: Option<NodeId>,
    pub(crate) context: Option<NodeId>,
    pub(crate) frameset_ok: bool,
    pub(crate) ignore_lf: bool,
    pub(crate) foster_parenting: bool,
    /// The pending table character tokens: the first run as it came (no copy), later
    /// runs appended.
    pub(crate) pending_table_text: Text<'a>,
    pub(crate) pending_non_space: bool,
    pub(crate) stopped: bool,
    /// Whether character tokens may contain U+0000 (false when the caller checked that
    /// the input has no NUL byte: character references never decode to U+0000).
    pub(crate) may_have_nul: bool,
}

impl<'a> TreeBuilder<'a> {
    fn empty(opts: Opts) -> Self {
        let mut stack = reuse::take_stack();
        stack.reserve(32);
        TreeBuilder {
            dom: Dom::new(),
            opts,
            mode: Mode::Initial,
            orig_mode: Mode::Initial,
            template_modes: Vec::new(),
            stack,
            open_count: [0; names::COUNT],
            foreign_open: 0,
            context_is_html: true,
            afe: reuse::take_afe(),
            head: None,
            form: None,
            context: None,
            frameset_ok: true,
            ignore_lf: false,
            foster_parenting: false,
            pending_table_text: Text::Borrowed(""),
            pending_non_space: false,
            stopped: false,
            may_have_nul: true,
        }
    }

    /// A builder for a whole document.
    pub fn new_document(opts: Opts) -> Self {
        Self::empty(opts)
    }

    /// A builder for the fragment parsing algorithm with `context` as the context element.
    pub fn new_fragment(context: ContextElement, opts: Opts) -> Self {
        let mut tb = Self::empty(opts);
        let tag = if context.name.bytes().any(|b| b.is_ascii_uppercase()) {
            names::classify(&context.name.to_ascii_lowercase())
        } else {
            names::classify(&context.name)
        };
        let ctx = tb.new_node(NodeData::Element(Element {
            ns: context.ns,
            tag,
            name: name_of(Cow::Owned(context.name)),
            attrs: Vec::new(),
            template_contents: None,
            html_integration_point: false,
            open: false,
            in_afe: false,
        }));
        tb.context = Some(ctx);
        tb.context_is_html = context.ns == Ns::Html;
        let root = tb.new_element(Ns::Html, T::Html, name_of(names::HTML.into()), Vec::new());
        tb.dom.insert(NodeId::DOCUMENT, root, None);
        tb.dom.root = root;
        tb.push(root);
        if context.ns == Ns::Html && tag == T::Template {
            tb.template_modes.push(Mode::InTemplate);
        }
        tb.reset_insertion_mode();
        if context.ns == Ns::Html && tag == T::Form {
            tb.form = Some(ctx);
        }
        tb
    }

    /// Reserve room for the tree of an input of `len` bytes (realistic HTML has about one
    /// node per 20 bytes; dense documents more), so the arena rarely grows by copying.
    pub fn reserve_for_input(&mut self, len: usize) {
        let nodes = len / 16 + 8;
        self.dom.nodes.reserve(nodes);
    }

    /// Tell the builder that the input has no NUL byte (so no character token has one:
    /// character references never decode to U+0000), which spares a scan of every text.
    pub fn input_has_no_nul(&mut self) {
        self.may_have_nul = false;
    }

    /// The tokenizer state a fragment starts in (by its context element), `Data` for a
    /// document.
    pub fn initial_state(&self) -> State {
        let Some(ctx) = self.context else {
            return State::Data;
        };
        let e = self.el(ctx);
        if e.ns != Ns::Html {
            return State::Data;
        }
        match e.tag {
            T::Title | T::Textarea => State::RcData,
            T::Style | T::Xmp | T::Iframe | T::Noembed | T::Noframes => State::RawText,
            T::Noscript if self.opts.scripting => State::RawText,
            T::Script => State::ScriptData,
            T::Plaintext => State::PlainText,
            _ => State::Data,
        }
    }

    /// The context element's name (the tokenizer's "last start tag" for a fragment).
    pub fn context_name(&self) -> Option<&str> {
        self.context.map(|c| &*self.el(c).name.text)
    }

    /// Whether `<![CDATA[` opens a CDATA section now: the adjusted current node exists and
    /// is not in the HTML namespace.
    pub fn cdata_allowed(&self) -> bool {
        self.adjusted_current()
            .is_some_and(|n| self.el(n).ns != Ns::Html)
    }

    /// The finished tree.
    pub fn finish(mut self) -> Dom<'a> {
        if !self.stopped {
            self.process(Token::Eof);
        }
        reuse::give_stack(std::mem::take(&mut self.stack));
        reuse::give_afe(std::mem::take(&mut self.afe));
        self.dom
    }

    // ----- nodes -----

    #[inline]
    pub(crate) fn new_node(&mut self, data: NodeData<'a>) -> NodeId {
        self.dom.create(data)
    }

    #[inline]
    pub(crate) fn new_element(
        &mut self,
        ns: Ns,
        tag: T,
        name: Name<'a>,
        attrs: Vec<Attribute<'a>>,
    ) -> NodeId {
        let data = self.element_data(ns, tag, name, attrs, false);
        self.new_node(data)
    }

    /// A new element's node data (a `<template>`'s contents are created here), `open` as
    /// the caller will have it.
    #[inline(always)]
    fn element_data(
        &mut self,
        ns: Ns,
        tag: T,
        name: Name<'a>,
        attrs: Vec<Attribute<'a>>,
        open: bool,
    ) -> NodeData<'a> {
        let template_contents = if ns == Ns::Html && tag == T::Template {
            Some(self.new_node(NodeData::Fragment))
        } else {
            None
        };
        let html_integration_point = ns == Ns::MathMl
            && tag == T::AnnotationXml
            && attrs.iter().any(|a| {
                names::is_encoding_attr(&a.name.text) && names::is_html_encoding(&a.value)
            });
        NodeData::Element(Element {
            ns,
            tag,
            name,
            attrs,
            template_contents,
            html_integration_point,
            open,
            in_afe: false,
        })
    }

    #[inline(always)]
    pub(crate) fn el(&self, id: NodeId) -> &Element<'a> {
        self.dom.element(id).expect("an element")
    }

    pub(crate) fn el_mut(&mut self, id: NodeId) -> &mut Element<'a> {
        self.dom.element_mut(id).expect("an element")
    }

    pub(crate) fn is_html(&self, id: NodeId, t: T) -> bool {
        let e = self.el(id);
        e.ns == Ns::Html && e.tag == t
    }

    // ----- the stack of open elements -----

    #[inline]
    pub(crate) fn push(&mut self, id: NodeId) {
        self.stack.push(id);
        self.opened(id);
    }

    #[inline]
    fn opened(&mut self, id: NodeId) {
        let e = self.el_mut(id);
        e.open = true;
        if e.ns == Ns::Html {
            let t = e.tag;
            self.open_count[t as usize] += 1;
        } else {
            self.foreign_open += 1;
        }
    }

    fn closed(&mut self, id: NodeId) {
        let e = self.el_mut(id);
        e.open = false;
        if e.ns == Ns::Html {
            let t = e.tag;
            self.open_count[t as usize] -= 1;
        } else {
            self.foreign_open -= 1;
        }
    }

    pub(crate) fn pop(&mut self) -> Option<NodeId> {
        let id = self.stack.pop()?;
        self.closed(id);
        Some(id)
    }

    pub(crate) fn current(&self) -> Option<NodeId> {
        self.stack.last().copied()
    }

    pub(crate) fn current_is(&self, t: T) -> bool {
        self.current().is_some_and(|c| self.is_html(c, t))
    }

    /// The adjusted current node: the context element when the stack holds only the root
    /// of a fragment.
    pub(crate) fn adjusted_current(&self) -> Option<NodeId> {
        if self.stack.len() == 1 && self.context.is_some() {
            self.context
        } else {
            self.current()
        }
    }

    pub(crate) fn position(&self, id: NodeId) -> Option<usize> {
        if !self.el(id).open {
            return None;
        }
        self.stack.iter().rposition(|&n| n == id)
    }

    pub(crate) fn remove_from_stack(&mut self, id: NodeId) {
        if let Some(i) = self.position(id) {
            self.stack.remove(i);
            self.closed(id);
        }
    }

    /// Pop until an HTML element of class `t` has been popped.
    pub(crate) fn pop_until(&mut self, t: T) {
        self.pop_until_fn(|tb, n| tb.is_html(n, t));
    }

    pub(crate) fn pop_until_fn(&mut self, f: impl Fn(&Self, NodeId) -> bool) {
        while let Some(n) = self.pop() {
            if f(self, n) {
                break;
            }
        }
    }

    pub(crate) fn pop_until_node(&mut self, id: NodeId) {
        if self.el(id).open {
            self.pop_until_fn(|_, n| n == id);
        }
    }

    /// Whether an HTML element of class `t` is on the stack at all.
    pub(crate) fn has_open(&self, t: T) -> bool {
        self.open_count[t as usize] > 0
    }

    /// "Has an element in scope" for an HTML element of class `t`.
    pub(crate) fn in_scope(&self, scope: Scope, t: T) -> bool {
        self.has_open(t) && self.in_scope_fn(scope, |tb, n| tb.is_html(n, t))
    }

    pub(crate) fn in_scope_fn(&self, scope: Scope, target: impl Fn(&Self, NodeId) -> bool) -> bool {
        for &n in self.stack.iter().rev() {
            if target(self, n) {
                return true;
            }
            let e = self.el(n);
            if names::is_scope_boundary(scope, e.ns, e.tag) {
                return false;
            }
        }
        false
    }

    pub(crate) fn generate_implied_end_tags(&mut self, except: Option<T>) {
        while let Some(c) = self.current() {
            let e = self.el(c);
            if e.ns != Ns::Html || !names::is_implied_end(e.tag) || Some(e.tag) == except {
                break;
            }
            self.pop();
        }
    }

    pub(crate) fn generate_implied_end_tags_thoroughly(&mut self) {
        while let Some(c) = self.current() {
            let e = self.el(c);
            if e.ns != Ns::Html || !names::is_implied_end_thorough(e.tag) {
                break;
            }
            self.pop();
        }
    }

    /// "Close a p element".
    pub(crate) fn close_p(&mut self) {
        self.generate_implied_end_tags(Some(T::P));
        self.pop_until(T::P);
    }

    pub(crate) fn close_p_in_button_scope(&mut self) {
        if self.in_scope(Scope::Button, T::P) {
            self.close_p();
        }
    }

    /// Pop until the current node is one of `ts` (or `html`): "clear the stack back to a
    /// table context" and its siblings.
    pub(crate) fn clear_back_to(&mut self, ts: &[T]) {
        while let Some(c) = self.current() {
            let e = self.el(c);
            if e.ns == Ns::Html && (e.tag == T::Html || ts.contains(&e.tag)) {
                break;
            }
            self.pop();
        }
    }

    // ----- inserting -----

    /// "The appropriate place for inserting a node": (parent, insert before).
    #[inline]
    pub(crate) fn insertion_place(&self, target: Option<NodeId>) -> (NodeId, Option<NodeId>) {
        let Some(target) = target.or(self.current()) else {
            return (NodeId::DOCUMENT, None);
        };
        let e = self.el(target);
        if !self.foster_parenting {
            return match e.template_contents {
                Some(contents) => (contents, None),
                None => (target, None),
            };
        }
        self.foster_place(target)
    }

    /// The appropriate place with foster parenting on.
    #[inline(never)]
    fn foster_place(&self, target: NodeId) -> (NodeId, Option<NodeId>) {
        let e = self.el(target);
        let (parent, before) = if e.ns == Ns::Html
            && matches!(e.tag, T::Table | T::Tbody | T::Tfoot | T::Thead | T::Tr)
        {
            let last_template = if self.has_open(T::Template) {
                self.stack
                    .iter()
                    .rposition(|&n| self.is_html(n, T::Template))
            } else {
                None
            };
            let last_table = self.stack.iter().rposition(|&n| self.is_html(n, T::Table));
            match (last_template, last_table) {
                (Some(tp), tb) if tb.is_none_or(|tb| tp > tb) => (self.stack[tp], None),
                (_, None) => (self.stack[0], None),
                (_, Some(tb)) => {
                    let table = self.stack[tb];
                    match self.dom.parent(table) {
                        Some(p) => (p, Some(table)),
                        None => (self.stack[tb - 1], None),
                    }
                }
            }
        } else {
            (target, None)
        };
        match self.dom.element(parent).and_then(|e| e.template_contents) {
            Some(contents) => (contents, None),
            None => (parent, before),
        }
    }

    #[inline]
    pub(crate) fn insert_chars(&mut self, text: Text<'a>) {
        let (parent, before) = self.insertion_place(None);
        if parent == NodeId::DOCUMENT {
            return;
        }
        self.dom.insert_text(parent, before, text);
    }

    pub(crate) fn insert_comment(&mut self, text: Text<'a>, parent: Option<NodeId>) {
        let (parent, before) = match parent {
            Some(p) => (p, None),
            None => self.insertion_place(None),
        };
        let id = self.new_node(NodeData::Comment(text));
        self.dom.insert(parent, id, before);
    }

    /// Whether the depth limit drops a start tag now (counted in `Dom::dropped`). Leaves
    /// (HTML void elements, self-closing foreign elements) are popped at once and never
    /// deepen the stack, so they are kept.
    fn too_deep(&mut self, ns: Ns, t: T, tag: &Tag<'a>) -> bool {
        let leaf = if ns == Ns::Html {
            names::is_void(t)
        } else {
            tag.self_closing
        };
        if leaf || self.stack.len() <= self.opts.max_depth {
            return false;
        }
        self.count_dropped(&tag.name.text);
        true
    }

    pub(crate) fn count_dropped(&mut self, name: &str) {
        match self.dom.dropped.get_mut(name) {
            Some(n) => *n += 1,
            None => {
                self.dom.dropped.insert(name.to_owned(), 1);
            }
        }
    }

    /// "Insert a foreign element" for a start tag (HTML elements too), pushing it on the
    /// stack. `None` when the depth limit dropped it: the token is then ignored, its
    /// content goes to the current node (as Chromium flattens a too-deep tree).
    pub(crate) fn insert_element(&mut self, ns: Ns, t: T, tag: Tag<'a>) -> Option<NodeId> {
        if self.too_deep(ns, t, &tag) {
            return None;
        }
        Some(self.insert_new(ns, t, tag.name, tag.attrs))
    }

    pub(crate) fn insert_html(&mut self, t: T, tag: Tag<'a>) -> Option<NodeId> {
        self.insert_element(Ns::Html, t, tag)
    }

    /// Insert an element and pop it at once (void elements).
    pub(crate) fn insert_void(&mut self, t: T, tag: Tag<'a>) {
        if self.insert_html(t, tag).is_some() {
            self.pop();
        }
    }

    /// Insert an element the builder makes up (`html`, `head`, `body`, `tbody`, `tr`,
    /// `colgroup`, `p`): not subject to the depth limit, it adds a bounded number of levels.
    pub(crate) fn insert_implied(&mut self, t: T, name: &'static str) -> NodeId {
        self.insert_new(Ns::Html, t, name_of(name.into()), Vec::new())
    }

    /// A new element inserted at the appropriate place and pushed: `new_element`,
    /// `insert_node` and `push` in one, so that the node is written once, links and all,
    /// and not looked up again to be marked open.
    #[inline]
    fn insert_new(&mut self, ns: Ns, t: T, name: Name<'a>, attrs: Vec<Attribute<'a>>) -> NodeId {
        let (parent, before) = self.insertion_place(None);
        let data = self.element_data(ns, t, name, attrs, true);
        let id = match before {
            None => self.dom.append_new(parent, data),
            Some(_) => {
                let id = self.dom.create(data);
                self.dom.insert(parent, id, before);
                id
            }
        };
        self.stack.push(id);
        if ns == Ns::Html {
            self.open_count[t as usize] += 1;
        } else {
            self.foreign_open += 1;
        }
        id
    }

    /// Insert a new element at the appropriate place and push it.
    #[inline]
    fn insert_node(&mut self, id: NodeId) {
        let (parent, before) = self.insertion_place(None);
        self.dom.insert_fresh(parent, id, before);
        self.push(id);
    }

    /// A copy of an element, for reconstruction and the adoption agency ("create an element
    /// for the token for which the element was created").
    fn clone_element(&mut self, id: NodeId) -> NodeId {
        let e = self.el(id);
        let (ns, tag, name, attrs) = (e.ns, e.tag, e.name.clone(), e.attrs.clone());
        self.new_element(ns, tag, name, attrs)
    }

    // ----- the list of active formatting elements -----

    fn afe_set(&mut self, i: usize, e: Entry) {
        if let Entry::El(old) = self.afe[i] {
            self.el_mut(old).in_afe = false;
        }
        if let Entry::El(new) = e {
            self.el_mut(new).in_afe = true;
        }
        self.afe[i] = e;
    }

    fn afe_remove_at(&mut self, i: usize) {
        if let Entry::El(old) = self.afe.remove(i) {
            self.el_mut(old).in_afe = false;
        }
    }

    pub(crate) fn afe_remove(&mut self, id: NodeId) {
        if let Some(i) = self.afe_index(id) {
            self.afe_remove_at(i);
        }
    }

    fn afe_index(&self, id: NodeId) -> Option<usize> {
        if !self.el(id).in_afe {
            return None;
        }
        self.afe.iter().rposition(|&e| e == Entry::El(id))
    }

    pub(crate) fn push_marker(&mut self) {
        self.afe.push(Entry::Marker);
    }

    /// Push a formatting element, applying the Noah's Ark clause (at most three equal
    /// elements after the last marker).
    ///
    /// Beyond the standard, at most [`MAX_FORMATTING`] entries stay after the last marker
    /// (the earliest goes): every scan of the list is then O(1), and reconstruction cannot
    /// clone more than that many elements per token (the standard's list is unbounded
    /// when the elements differ in attributes, so `<p><b id=N></p>` repeated would clone
    /// O(n) elements per paragraph: quadratic time and output).
    pub(crate) fn push_formatting(&mut self, id: NodeId) {
        let mut equal = 0;
        let mut earliest_equal = None;
        let mut count = 0;
        let mut earliest = 0;
        for i in (0..self.afe.len()).rev() {
            let Entry::El(other) = self.afe[i] else { break };
            count += 1;
            earliest = i;
            if self.same_element(id, other) {
                equal += 1;
                earliest_equal = Some(i);
            }
        }
        if equal >= 3 {
            if let Some(i) = earliest_equal {
                self.afe_remove_at(i);
            }
        } else if count >= MAX_FORMATTING {
            self.afe_remove_at(earliest);
        }
        self.afe.push(Entry::El(id));
        self.el_mut(id).in_afe = true;
    }

    /// Same tag name, namespace and attributes (in any order).
    fn same_element(&self, a: NodeId, b: NodeId) -> bool {
        let (a, b) = (self.el(a), self.el(b));
        if a.ns != b.ns || a.name.text != b.name.text || a.attrs.len() != b.attrs.len() {
            return false;
        }
        if a.attrs
            .iter()
            .zip(&b.attrs)
            .all(|(x, y)| x.name.text == y.name.text && x.value == y.value)
        {
            return true;
        }
        sorted_attrs(&a.attrs) == sorted_attrs(&b.attrs)
    }

    pub(crate) fn clear_afe_to_marker(&mut self) {
        while let Some(e) = self.afe.pop() {
            match e {
                Entry::Marker => break,
                Entry::El(id) => self.el_mut(id).in_afe = false,
            }
        }
    }

    /// The last formatting element after the last marker named `name`.
    pub(crate) fn afe_find(&self, name: &Name<'a>) -> Option<NodeId> {
        for &e in self.afe.iter().rev() {
            match e {
                Entry::Marker => return None,
                Entry::El(id) if names::same_name(&self.el(id).name, name) => return Some(id),
                Entry::El(_) => {}
            }
        }
        None
    }

    /// "Reconstruct the active formatting elements". Entries that cannot be reopened under
    /// the depth limit are dropped from the list, so the list stays bounded by the depth.
    #[inline(always)]
    pub(crate) fn reconstruct_afe(&mut self) {
        match self.afe.last() {
            None | Some(Entry::Marker) => {}
            Some(&Entry::El(id)) if self.el(id).open => {}
            Some(Entry::El(_)) => self.reconstruct_afe_slow(),
        }
    }

    #[inline(never)]
    fn reconstruct_afe_slow(&mut self) {
        let mut i = self.afe.len() - 1;
        while i > 0 {
            match self.afe[i - 1] {
                Entry::Marker => break,
                Entry::El(id) if self.el(id).open => break,
                Entry::El(_) => i -= 1,
            }
        }
        while i < self.afe.len() {
            if self.stack.len() > self.opts.max_depth {
                while self.afe.len() > i {
                    if let Some(Entry::El(id)) = self.afe.pop() {
                        self.el_mut(id).in_afe = false;
                        let name = self.el(id).name.text.clone();
                        self.count_dropped(&name);
                    }
                }
                return;
            }
            let Entry::El(old) = self.afe[i] else { break };
            let new = self.clone_element(old);
            self.insert_node(new);
            self.afe_set(i, Entry::El(new));
            i += 1;
        }
    }

    /// "The adoption agency algorithm" for an end tag (or a start `a`/`nobr`). Returns
    /// true when the caller must act as for "any other end tag".
    pub(crate) fn adoption_agency(&mut self, subject: &Name<'a>) -> bool {
        if let Some(c) = self.current() {
            let e = self.el(c);
            if e.ns == Ns::Html && names::same_name(&e.name, subject) {
                if !e.in_afe {
                    self.pop();
                    return false;
                }
                // The common case, short: the current node is the last entry of the list
                // (so the formatting element), in scope, with no furthest block above it.
                if self.afe.last() == Some(&Entry::El(c)) {
                    self.pop();
                    self.afe.pop();
                    self.el_mut(c).in_afe = false;
                    return false;
                }
            }
        }
        for _ in 0..8 {
            let Some(fe) = self.afe_find(subject) else {
                return true;
            };
            let Some(fe_pos) = self.position(fe) else {
                self.afe_remove(fe);
                return false;
            };
            if !self.in_scope_fn(Scope::Default, |_, n| n == fe) {
                return false;
            }
            let furthest = (fe_pos + 1..self.stack.len()).find(|&i| {
                let e = self.el(self.stack[i]);
                names::is_special(e.ns, e.tag)
            });
            let Some(fb_pos) = furthest else {
                self.pop_until_node(fe);
                self.afe_remove(fe);
                return false;
            };
            let fb = self.stack[fb_pos];
            let common_ancestor = self.stack[fe_pos - 1];
            let mut bookmark = self.afe_index(fe).expect("formatting element in the list");
            let mut node_pos = fb_pos;
            let mut last_node = fb;
            let mut inner = 0;
            loop {
                inner += 1;
                node_pos -= 1;
                let node = self.stack[node_pos];
                if node == fe {
                    break;
                }
                if inner > 3 && self.el(node).in_afe {
                    let i = self.afe_index(node).expect("in the list");
                    self.afe_remove_at(i);
                    if i < bookmark {
                        bookmark -= 1;
                    }
                }
                let Some(afe_i) = self.afe_index(node) else {
                    self.stack.remove(node_pos);
                    self.closed(node);
                    continue;
                };
                let new = self.clone_element(node);
                self.afe_set(afe_i, Entry::El(new));
                self.closed(node);
                self.stack[node_pos] = new;
                self.opened(new);
                if last_node == fb {
                    bookmark = afe_i + 1;
                }
                self.dom.insert(new, last_node, None);
                last_node = new;
            }
            let (parent, before) = self.insertion_place(Some(common_ancestor));
            self.dom.insert(parent, last_node, before);
            let new = self.clone_element(fe);
            self.dom.move_children(fb, new);
            self.dom.insert(fb, new, None);
            // Bookmark first, then remove the old entry (which is before the bookmark or at it).
            let fe_i = self.afe_index(fe).expect("formatting element in the list");
            self.afe.insert(bookmark, Entry::El(new));
            self.el_mut(new).in_afe = true;
            let fe_i = if fe_i >= bookmark { fe_i + 1 } else { fe_i };
            self.afe_remove_at(fe_i);
            self.remove_from_stack(fe);
            let fb_pos = self.position(fb).expect("furthest block on the stack");
            self.stack.insert(fb_pos + 1, new);
            self.opened(new);
        }
        false
    }

    /// "Reset the insertion mode appropriately".
    pub(crate) fn reset_insertion_mode(&mut self) {
        for i in (0..self.stack.len()).rev() {
            let last = i == 0;
            let node = match (last, self.context) {
                (true, Some(ctx)) => ctx,
                _ => self.stack[i],
            };
            let e = self.el(node);
            if e.ns != Ns::Html {
                continue;
            }
            let mode = match e.tag {
                T::Td | T::Th if !last => Mode::InCell,
                T::Tr => Mode::InRow,
                T::Tbody | T::Thead | T::Tfoot => Mode::InTableBody,
                T::Caption => Mode::InCaption,
                T::Colgroup => Mode::InColumnGroup,
                T::Table => Mode::InTable,
                T::Template => *self.template_modes.last().unwrap_or(&Mode::InTemplate),
                T::Head if !last => Mode::InHead,
                T::Body => Mode::InBody,
                T::Frameset => Mode::InFrameset,
                T::Html => {
                    if self.head.is_none() {
                        Mode::BeforeHead
                    } else {
                        Mode::AfterHead
                    }
                }
                _ => continue,
            };
            self.mode = mode;
            return;
        }
        self.mode = Mode::InBody;
    }

    pub(crate) fn set_quirks(&mut self, q: QuirksMode) {
        self.dom.quirks_mode = q;
    }
}

fn sorted_attrs<'s>(attrs: &'s [Attribute<'_>]) -> Vec<(&'s str, &'s str)> {
    let mut v: Vec<(&str, &str)> = attrs.iter().map(|x| (&*x.name.text, &*x.value)).collect();
    v.sort_unstable();
    v
}

/// A name the builder makes up.
pub(crate) fn name_of(text: Text<'_>) -> Name<'_> {
    let atom = crate::parser::atoms::lookup(&text);
    Name { atom, text }
}
