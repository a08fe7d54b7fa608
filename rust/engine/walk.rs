//! The sanitizing walk: one pass over a parsed tree that asks the policy's [`Rules`] about
//! each node, writes what is kept, and reports what is removed. Every engine's tree is
//! walked by this same code (through [`Tree`]), so engines differ only in how they parse.
//!
//! Besides the policy's decisions it enforces two structural ones, because the output must
//! parse back to the tree that was checked: elements deeper than [`MAX_DEPTH`] are
//! unwrapped, and so are elements the parser cannot nest in themselves (`<a>` in `<a>`,
//! left behind when something between them is removed). Trees the parser would rebuild
//! differently are noted (`misnested`), and the pipeline sanitizes the output again.
//!
//! In the first round it also makes links from text (the policy's `linkify`) and calls
//! the caller's [`Hooks`] ([`Extras`]); later rounds only settle the shape of that output.
//! Text is linkified a run at a time (the text written between two tags, which is one
//! text node when the output is parsed again), leaving alone the parts that were inside
//! an `<a>` or a skipped element of the input.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use crate::hooks::{Hooks, Link};
use crate::html::element::{AttrName, Name, OwnedName};
use crate::html::serialize;
use crate::html::shape::{
    implied_by_parser, is_raw_text, is_void, misnested, moves_text, self_nested, text_misplaced,
};
use crate::html::MAX_DEPTH;
use crate::linkify::{Found, Linkify};
use crate::parser::atoms::{A, ANNOTATION_XML, SELECT, SELECTEDCONTENT};
use crate::parser::tree::dom::Ns;
use crate::policy::rules::{
    writable_attr_name, Attr, IdMap, InputAttr, Parent, Rules, Verdict, NO_ENCODINGS,
};
use crate::report::{Kind, Recorder};

/// Serialized HTML, and whether parsing it again would build a different tree.
pub struct Cleaned {
    pub html: String,
    pub misnested: bool,
}

/// A node as the walk sees it.
pub enum View<'v, A> {
    Element {
        name: Name<'v>,
        attrs: &'v [A],
    },
    Text(&'v str),
    Comment(&'v str),
    /// Doctypes, processing instructions: never written.
    Other,
}

/// What the walk reads of a parsed fragment.
pub trait Tree {
    type Node: Clone;
    type Attr: InputAttr;
    /// The fragment's root (the `<html>` element its top-level nodes hang from).
    fn root(&self) -> Self::Node;
    /// Push `node`'s children, last first (the walk pops them in document order).
    fn push_children_rev(&self, node: &Self::Node, ops: &mut Vec<Op<Self::Node>>);
    /// Call `f` with `node`'s view (a callback: a tree may lend its data only for a while).
    fn with<R>(&self, node: &Self::Node, f: impl FnOnce(View<'_, Self::Attr>) -> R) -> R;
    /// Start tags the parser dropped for depth, by name.
    fn dropped(&self) -> &BTreeMap<String, usize>;
}

/// The walk's work list: a node to visit, the end of an element written open, the end
/// of an input element in whose text no links are made, or the space written for the end
/// tag of an element unwrapped (`space_when_stripping`).
pub enum Op<N> {
    Node(N),
    Close,
    Leave,
    Space,
}

/// What a round adds to the policy's decisions: links made from text (when the policy
/// says so), and the caller's hooks.
pub struct Extras<'x> {
    pub linkify: bool,
    pub hooks: Option<&'x mut dyn Hooks>,
    /// The input is a piece of a larger document with tags before it (`html/split.rs`
    /// cuts after an end tag): `disallowed="drop"` makes the newlines it makes in the
    /// whole.
    pub after_tag: bool,
}

impl Extras<'_> {
    /// Nothing added: the later rounds, which settle the output's shape.
    pub fn none() -> Extras<'static> {
        Extras {
            linkify: false,
            hooks: None,
            after_tag: false,
        }
    }
}

/// Sanitize a parsed fragment of `size` bytes (the output is about as long).
pub fn walk<T: Tree>(
    tree: &T,
    size: usize,
    rules: &Rules,
    rec: &mut Recorder<'_>,
    extras: Extras<'_>,
) -> Cleaned {
    for (name, n) in tree.dropped() {
        rec.add_n(Kind::Tag, name, name, "nested too deep", *n);
    }
    let root = tree.root();
    let ids = rules.animates.then(|| element_ids(tree, &root));
    let hooks = extras.hooks;
    let mut w = Walk {
        rules,
        ids: ids.as_ref(),
        rec,
        out: String::with_capacity(size + size / 8),
        misplaced: false,
        open: Vec::with_capacity(32),
        encodings: Vec::new(),
        foreign: 0,
        newline_eaten_at: None,
        top: Parent::root(),
        linkify: rules.linkify.as_ref().filter(|_| extras.linkify),
        quiet: 0,
        run: String::new(),
        run_quiet: Vec::new(),
        hooks,
    };
    // Explicit stack: trees can be deep, and the caller's stack is not ours to spend.
    let mut ops: Vec<Op<T::Node>> = Vec::with_capacity(64);
    tree.push_children_rev(&root, &mut ops);
    while let Some(op) = ops.pop() {
        let node = match op {
            Op::Close => {
                w.close();
                continue;
            }
            Op::Leave => {
                w.quiet -= 1;
                continue;
            }
            Op::Space => {
                w.text(" ");
                continue;
            }
            Op::Node(node) => node,
        };
        tree.with(&node, |view| match view {
            View::Element { name, attrs } => {
                // An input link's text, for a link hook (gathered only when one is called).
                let text = || text_content(tree, &node);
                let children = match w.element(name, attrs, text) {
                    Next::Skip => false,
                    Next::Unwrap => true,
                    Next::Stripped => {
                        ops.push(Op::Space);
                        true
                    }
                    Next::Open { children } => {
                        ops.push(Op::Close);
                        children
                    }
                };
                if children {
                    if w.linkify.is_some_and(|l| l.skips(name.local)) {
                        w.quiet += 1;
                        ops.push(Op::Leave);
                    }
                    tree.push_children_rev(&node, &mut ops);
                }
            }
            View::Text(text) => w.text(text),
            View::Comment(contents) => w.comment(contents),
            View::Other => {}
        });
    }
    w.flush();
    serialize::protect_leading_bom(&mut w.out);
    Cleaned {
        html: w.out,
        misnested: w.misplaced,
    }
}

/// The walk's state between nodes.
struct Walk<'w, 'r, 'x> {
    rules: &'w Rules,
    ids: Option<&'w IdMap>,
    rec: &'w mut Recorder<'r>,
    out: String,
    /// Whether the output has a tree the parser would build differently.
    misplaced: bool,
    /// The kept elements enclosing the current node, innermost last.
    open: Vec<OwnedName>,
    /// What the namespace check needs of each `<annotation-xml>` in `open` (every other
    /// element has `NO_ENCODINGS`).
    encodings: Vec<(usize, bool)>,
    /// How many elements of `open` are not HTML.
    foreign: usize,
    /// Where the content of the last <pre>, <textarea> or <listing> opened begins: a text
    /// written right there that starts with a newline needs another in front of it, as
    /// the parser drops one newline after those start tags.
    newline_eaten_at: Option<usize>,
    /// What the namespace check needs of the fragment's root.
    top: Parent<'static>,
    /// Where links are made from text, in this round.
    linkify: Option<&'w Linkify>,
    /// How many elements enclosing the current node in the input are ones whose text
    /// gets no links (`a`, the skipped elements).
    quiet: usize,
    /// With `linkify`: the text written since the last tag, not yet escaped.
    run: String,
    /// The parts of `run` that get no links.
    run_quiet: Vec<Range<usize>>,
    hooks: Option<&'x mut dyn Hooks>,
}
/// What follows an element's start tag.
enum Next {
    /// Nothing: it was removed with its content, or is void.
    Skip,
    /// Its content, in its place (its tags were removed).
    Unwrap,
    /// As `Unwrap`, with a space after the content for its end tag
    /// (`space_when_stripping`; the one for its start tag is written).
    Stripped,
    /// Its end tag, after its content unless the content is never shown.
    Open { children: bool },
}

/// An HTML `<a>`, as links are made.
fn link_name() -> Name<'static> {
    Name::with_atom(Ns::Html, A, "a")
}

/// The attributes of `kept` as a link hook sees them.
fn plain_attrs(kept: &[Attr<'_>]) -> Vec<(String, String)> {
    kept.iter()
        .map(|a| (a.name.local.to_string(), a.value.to_string()))
        .collect()
}

/// What the namespace check needs of the innermost of `open` (or of `top`).
fn parent_of<'a>(
    open: &'a [OwnedName],
    encodings: &[(usize, bool)],
    top: Parent<'static>,
) -> Parent<'a> {
    match open.last() {
        Some(p) => Parent {
            name: p.name(),
            encodings: match p.atom {
                ANNOTATION_XML => *encodings.last().expect("pushed when opened"),
                _ => NO_ENCODINGS,
            },
        },
        _ => top,
    }
}

/// Plain `(name, value)` pairs as attributes to write.
fn as_attrs(attrs: &[(String, String)]) -> Vec<Attr<'_>> {
    attrs
        .iter()
        .map(|(n, v)| Attr {
            name: AttrName::plain(n),
            value: Cow::Borrowed(v),
            from: None,
        })
        .collect()
}

impl Walk<'_, '_, '_> {
    /// What the namespace check needs of the element the next node is written in.
    fn parent(&self) -> Parent<'_> {
        parent_of(&self.open, &self.encodings, self.top)
    }

    fn element<A: InputAttr>(
        &mut self,
        name: Name<'_>,
        attrs: &[A],
        text: impl FnOnce() -> String,
    ) -> Next {
        let rules = self.rules;
        let parent = parent_of(&self.open, &self.encodings, self.top);
        let tag = name.local;
        let verdict = rules.element(&parent, name, attrs.is_empty());
        if verdict == Verdict::Drop {
            self.rec.add(Kind::Tag, tag, tag, "");
            if rules.spaces_stripped_tags() {
                self.text(if is_void(name) { " " } else { "  " });
            }
            return Next::Skip;
        }
        let link = name.is_html(A) && self.hooks.as_ref().is_some_and(|h| h.wants_links());
        if verdict == Verdict::Keep && attrs.is_empty() && !rules.adds_attributes(name) && !link {
            // Most elements: kept as they are, with no attributes (and no vector of them).
            if !rules.bare_allowed(name, &[]) {
                let implied = implied_by_parser(name, parent.name);
                return self.stripped(name, implied);
            }
            return self.open_element(name, &[]);
        }
        let kept = match verdict {
            Verdict::Keep => {
                let hook = self.hooks.as_deref_mut().map(|h| h as &mut dyn Hooks);
                rules
                    .attributes(name, attrs, &parent, self.ids, self.rec, hook)
                    .filter(|kept| rules.bare_allowed(name, kept))
            }
            _ => None,
        };
        match kept {
            Some(kept) if link => {
                // The text before it first, so that hooks see links in document order.
                self.flush();
                let text = text();
                let mut link = Link {
                    attrs: plain_attrs(&kept),
                    text,
                };
                let before = link.text.clone();
                if !self
                    .hooks
                    .as_deref_mut()
                    .is_some_and(|h| h.link(&mut link, false))
                {
                    return Next::Unwrap;
                }
                let Some(kept) = self.checked_link(&link.attrs) else {
                    return Next::Unwrap;
                };
                let kept = as_attrs(&kept);
                if link.text == before {
                    return self.open_element(name, &kept);
                }
                // The hook wrote the link's text: it replaces the content.
                let next = self.open_element(name, &kept);
                if let Next::Open { .. } = next {
                    serialize::text(&mut self.out, &link.text, false);
                    return Next::Open { children: false };
                }
                next
            }
            Some(kept) => self.open_element(name, &kept),
            None => {
                let implied = attrs.is_empty() && implied_by_parser(name, parent.name);
                self.stripped(name, implied)
            }
        }
    }

    /// Element `name` unwrapped by the policy: reported (unless `implied`: it has no
    /// attributes and the parser may have added it itself, so the input never had its
    /// tags), with a space for each of its tags when the policy asks.
    fn stripped(&mut self, name: Name<'_>, implied: bool) -> Next {
        if implied {
            return Next::Unwrap;
        }
        self.rec.add(Kind::Tag, name.local, name.local, "");
        if !self.rules.spaces_stripped_tags() {
            return Next::Unwrap;
        }
        self.text(" ");
        if is_void(name) {
            Next::Unwrap
        } else {
            Next::Stripped
        }
    }

    /// A link's attributes as a hook left them, checked by the policy again as an input
    /// `<a>`'s (a name no parser would read as one is dropped); None when it is not kept.
    fn checked_link(&self, attrs: &[(String, String)]) -> Option<Vec<(String, String)>> {
        let attrs: Vec<(String, String)> = attrs
            .iter()
            .filter(|(n, _)| writable_attr_name(n))
            .cloned()
            .collect();
        let parent = self.parent();
        let mut none = Recorder::none();
        let kept =
            self.rules
                .attributes(link_name(), &attrs, &parent, self.ids, &mut none, None)?;
        Some(plain_attrs(&kept))
    }

    /// Write the start tag of `name`, kept with `kept`, unless the tree's shape forbids it.
    fn open_element(&mut self, name: Name<'_>, kept: &[Attr<'_>]) -> Next {
        self.flush();
        let tag = name.local;
        if self.open.len() >= MAX_DEPTH {
            self.rec.add(Kind::Tag, tag, tag, "nested too deep");
            return Next::Unwrap;
        }
        if self_nested(name, &self.open) {
            self.rec.add(Kind::Tag, tag, tag, "nested in itself");
            return Next::Unwrap;
        }
        self.misplaced = self.misplaced || misnested(name, &self.open, self.foreign > 0);
        match name.bare_start_tag() {
            Some(start) if kept.is_empty() => self.out.push_str(start),
            _ => serialize::start_tag(&mut self.out, tag, kept.iter().map(|a| (a.name, &*a.value))),
        }
        if is_void(name) {
            return Next::Skip;
        }
        if serialize::eats_leading_newline(name) {
            self.newline_eaten_at = Some(self.out.len());
        }
        if name.atom == ANNOTATION_XML {
            self.encodings.push(Parent::encodings(name, kept));
        }
        self.foreign += usize::from(name.ns != Ns::Html);
        self.open.push(name.to_owned());
        // A <selectedcontent> in a <select> is filled by the browser from the selected
        // option: what the input put there is never shown.
        let replaced = name.is_html(SELECTEDCONTENT)
            && self
                .open
                .iter()
                .any(|e| e.ns == Ns::Html && e.atom == SELECT);
        Next::Open {
            children: !replaced,
        }
    }

    fn close(&mut self) {
        self.flush();
        let name = self.open.pop().expect("a close follows an open");
        self.foreign -= usize::from(name.ns != Ns::Html);
        if name.atom == ANNOTATION_XML {
            self.encodings.pop();
        }
        self.out.push_str(name.end_tag());
    }

    fn text(&mut self, text: &str) {
        let enclosing = self.open.last().map(OwnedName::name);
        // Text of elements unwrapped below a table part at the depth limit would be moved
        // out of the table when parsed again: dropped instead.
        if self.open.len() == MAX_DEPTH && enclosing.is_some_and(moves_text) {
            return;
        }
        let misplaced = text_misplaced(enclosing, text);
        self.misplaced = self.misplaced || misplaced;
        let raw = enclosing.is_some_and(is_raw_text);
        if self.linkify.is_some() && !raw {
            // Linkified when the run ends. Text in foreign content, or that the parser
            // would move out of a table, gets no links.
            let start = self.run.len();
            self.run.push_str(text);
            if self.quiet > 0 || self.foreign > 0 || misplaced {
                self.run_quiet.push(start..self.run.len());
            }
            return;
        }
        if self.newline_eaten_at == Some(self.out.len()) && text.starts_with('\n') {
            self.out.push('\n');
        }
        serialize::text(&mut self.out, text, raw);
    }

    /// Write the run of text, with links made from it. Asked at every node: the check is
    /// inlined, the work is not.
    #[inline(always)]
    fn flush(&mut self) {
        if self.linkify.is_some() && !self.run.is_empty() {
            self.flush_run();
        }
    }

    #[inline(never)]
    fn flush_run(&mut self) {
        let Some(linkify) = self.linkify else { return };
        let run = std::mem::take(&mut self.run);
        let quiet = std::mem::take(&mut self.run_quiet);
        if self.newline_eaten_at == Some(self.out.len()) && run.starts_with('\n') {
            self.out.push('\n');
        }
        let mut placed = Vec::new();
        let mut budget = 8 * run.len() + (64 << 10);
        let mut keep = |f: &Found<'_>| self.keeps_made_link(f, &quiet);
        place(
            linkify,
            &run,
            0..run.len(),
            &mut keep,
            &mut budget,
            &mut placed,
        );
        let mut done = 0;
        for found in placed {
            let range = found.range;
            serialize::text(&mut self.out, &run[done..range.start], false);
            let text = &run[range.clone()];
            if !self.made_link(&found.href, text) {
                serialize::text(&mut self.out, text, false);
            }
            done = range.end;
        }
        serialize::text(&mut self.out, &run[done..], false);
        // Kept for the next run's allocation.
        self.run = run;
        self.run.clear();
        self.run_quiet = quiet;
        self.run_quiet.clear();
    }

    /// Whether the policy keeps a link made of `found` (outside the `quiet` parts of the
    /// run): the hook-free part of [`made_link`](Self::made_link)'s decision.
    fn keeps_made_link(&self, found: &Found<'_>, quiet: &[Range<usize>]) -> bool {
        let r = &found.range;
        let i = quiet.partition_point(|q| q.end <= r.start);
        if quiet.get(i).is_some_and(|q| q.start < r.end) {
            return false;
        }
        let a = link_name();
        if self.open.len() >= MAX_DEPTH
            || self.rules.element(&self.parent(), a, false) != Verdict::Keep
            || self_nested(a, &self.open)
        {
            return false;
        }
        let href = [("href".to_string(), found.href.to_string())];
        self.checked_link(&href)
            .is_some_and(|kept| kept.iter().any(|(n, _)| n == "href"))
    }

    /// Write a link to `href` made from `text`, as the policy (and a link hook) keeps it;
    /// false when it is not kept, and nothing was written.
    fn made_link(&mut self, href: &str, text: &str) -> bool {
        let a = link_name();
        let rules = self.rules;
        if self.open.len() >= MAX_DEPTH
            || rules.element(&self.parent(), a, false) != Verdict::Keep
            || self_nested(a, &self.open)
        {
            return false;
        }
        let href = [("href".to_string(), href.to_string())];
        let Some(kept) = self.checked_link(&href) else {
            return false;
        };
        let mut link = Link {
            attrs: kept,
            text: text.to_string(),
        };
        if let Some(hooks) = self.hooks.as_deref_mut().filter(|h| h.wants_links()) {
            if !hooks.link(&mut link, true) {
                return false;
            }
            match self.checked_link(&link.attrs) {
                Some(kept) => link.attrs = kept,
                None => return false,
            }
        }
        if !link.attrs.iter().any(|(n, _)| n == "href") {
            return false;
        }
        self.misplaced = self.misplaced || misnested(a, &self.open, self.foreign > 0);
        let attrs = as_attrs(&link.attrs);
        serialize::start_tag(
            &mut self.out,
            "a",
            attrs.iter().map(|a| (a.name, &*a.value)),
        );
        serialize::text(&mut self.out, &link.text, false);
        self.out.push_str("</a>");
        true
    }

    fn comment(&mut self, contents: &str) {
        if self.rules.keeps_comments() {
            self.flush();
            serialize::comment(&mut self.out, contents);
        } else {
            let tag = self.open.last().map_or("", |e| e.name().local);
            self.rec.add(Kind::Comment, tag, "#comment", contents);
        }
    }
}

/// The links to make in `run[within]`, in order, into `placed`: those the link finder
/// finds there and `keep` accepts. The finder reads past a candidate to decide it, so
/// the text between two links made can hold a link of its own once the links end it, as
/// it does when the output is parsed again: each such gap is read again on its own (and
/// so on) while `budget` (bytes read again) lasts, so that sanitizing the output again
/// makes no more links, in linear time.
fn place<'t>(
    linkify: &Linkify,
    run: &'t str,
    within: Range<usize>,
    keep: &mut impl FnMut(&Found<'t>) -> bool,
    budget: &mut usize,
    placed: &mut Vec<Found<'t>>,
) {
    let mut prev = within.start;
    for mut f in linkify.links(&run[within.clone()]) {
        f.range = f.range.start + within.start..f.range.end + within.start;
        if !keep(&f) {
            continue;
        }
        let gap = f.range.start - prev;
        if gap > 0 && *budget >= gap {
            *budget -= gap;
            place(linkify, run, prev..f.range.start, keep, budget, placed);
        }
        prev = f.range.end;
        placed.push(f);
    }
}

/// The text of `node`'s subtree, in document order.
fn text_content<T: Tree>(tree: &T, node: &T::Node) -> String {
    let mut text = String::new();
    let mut ops = Vec::new();
    tree.push_children_rev(node, &mut ops);
    while let Some(op) = ops.pop() {
        let Op::Node(node) = op else { continue };
        let element = tree.with(&node, |view| match view {
            View::Text(t) => {
                text.push_str(t);
                false
            }
            View::Element { .. } => true,
            _ => false,
        });
        if element {
            tree.push_children_rev(&node, &mut ops);
        }
    }
    text
}

/// Every `id` in the document → its element (None when several elements share it).
fn element_ids<T: Tree>(tree: &T, root: &T::Node) -> IdMap {
    let mut ids = IdMap::new();
    let mut ops = vec![Op::Node(root.clone())];
    while let Some(op) = ops.pop() {
        let Op::Node(node) = op else { continue };
        tree.with(&node, |view| {
            if let View::Element { name, attrs } = view {
                for a in attrs.iter().filter(|a| a.name(name).local == "id") {
                    ids.entry(a.value().to_string())
                        .and_modify(|e| *e = None)
                        .or_insert_with(|| Some(name.local.into()));
                }
            }
        });
        tree.push_children_rev(&node, &mut ops);
    }
    ids
}
