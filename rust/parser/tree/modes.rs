//! The insertion modes (the standard's "8.2.6.4 The rules for parsing tokens in HTML
//! content"), one method each.

use std::borrow::Cow;

use super::builder::{name_of, Class, Mode, Step, Tok, TreeBuilder};
use super::dom::{NodeData, NodeId, Ns, QuirksMode};
use super::foreign;
use super::names::{self, Scope, T};
use super::quirks;
use crate::parser::token::{Name, State, Tag};

use Step::{Done, Reprocess};

/// A start tag the builder made up (`</br>` as `<br>`, `</p>`'s empty `p`).
fn bare_tag<'a>(name: &'static str) -> Tag<'a> {
    Tag {
        name: name_of(Cow::Borrowed(name)),
        attrs: Vec::new(),
        self_closing: false,
    }
}

/// "Clear the stack back to a table body context".
const BODY_CONTEXT: &[T] = &[T::Tbody, T::Tfoot, T::Thead, T::Template];
/// "Clear the stack back to a table row context".
const ROW_CONTEXT: &[T] = &[T::Tr, T::Template];

impl<'a> TreeBuilder<'a> {
    fn stop(&mut self) -> Step<'a> {
        while self.pop().is_some() {}
        self.stopped = true;
        Done
    }

    /// The generic raw text and RCDATA element parsing algorithms (and `<script>`).
    fn raw_text(&mut self, t: T, tag: Tag<'a>, state: State) -> Step<'a> {
        if self.insert_html(t, tag).is_none() {
            return Done;
        }
        self.orig_mode = self.mode;
        self.mode = Mode::Text;
        Step::Switch(state)
    }

    fn template_open(&self) -> bool {
        self.has_open(T::Template)
    }

    fn add_missing_attrs(&mut self, id: NodeId, tag: Tag<'a>) {
        let Some(e) = self.dom.element_mut(id) else {
            return;
        };
        if tag.attrs.is_empty() {
            return;
        }
        // A set, so repeated `<body>`s with many attributes stay linear.
        let mut seen: std::collections::HashSet<String> =
            e.attrs.iter().map(|a| a.name.text.to_string()).collect();
        for a in tag.attrs {
            if seen.insert(a.name.text.to_string()) {
                e.attrs.push(a);
            }
        }
    }

    /// The "initial" insertion mode.
    pub(super) fn initial(&mut self, tok: Tok<'a>) -> Step<'a> {
        match tok {
            Tok::Chars(_, Class::Space) => Done,
            Tok::Comment(t) => {
                self.insert_comment(t, Some(NodeId::DOCUMENT));
                Done
            }
            Tok::Doctype(d) => {
                self.set_quirks(quirks::quirks_mode(&d));
                let id = self.new_node(NodeData::Doctype {
                    name: d.name.unwrap_or_default(),
                    public_id: d.public_id.unwrap_or_default(),
                    system_id: d.system_id.unwrap_or_default(),
                });
                self.dom.insert(NodeId::DOCUMENT, id, None);
                self.mode = Mode::BeforeHtml;
                Done
            }
            tok => {
                self.set_quirks(QuirksMode::Quirks);
                Reprocess(Mode::BeforeHtml, tok)
            }
        }
    }

    fn insert_root(&mut self, tag: Option<Tag<'a>>) {
        let attrs = tag.map(|t| t.attrs).unwrap_or_default();
        let id = self.new_element(Ns::Html, T::Html, name_of(names::HTML.into()), attrs);
        self.dom.insert(NodeId::DOCUMENT, id, None);
        self.push(id);
        self.mode = Mode::BeforeHead;
    }

    /// The "before html" insertion mode.
    pub(super) fn before_html(&mut self, tok: Tok<'a>) -> Step<'a> {
        match tok {
            Tok::Doctype(_) | Tok::Chars(_, Class::Space) => Done,
            Tok::Comment(t) => {
                self.insert_comment(t, Some(NodeId::DOCUMENT));
                Done
            }
            Tok::Start(T::Html, tag) => {
                self.insert_root(Some(tag));
                Done
            }
            Tok::End(t, _) if !matches!(t, T::Head | T::Body | T::Html | T::Br) => Done,
            tok => {
                self.insert_root(None);
                Reprocess(Mode::BeforeHead, tok)
            }
        }
    }

    /// The "before head" insertion mode.
    pub(super) fn before_head(&mut self, tok: Tok<'a>) -> Step<'a> {
        match tok {
            Tok::Doctype(_) | Tok::Chars(_, Class::Space) => Done,
            Tok::Comment(t) => {
                self.insert_comment(t, None);
                Done
            }
            Tok::Start(T::Html, _) => self.in_body(tok),
            Tok::Start(T::Head, tag) => {
                self.head = self.insert_html(T::Head, tag);
                if self.head.is_none() {
                    self.head = Some(self.insert_implied(T::Head, names::HEAD));
                }
                self.mode = Mode::InHead;
                Done
            }
            Tok::End(t, _) if !matches!(t, T::Head | T::Body | T::Html | T::Br) => Done,
            tok => {
                self.head = Some(self.insert_implied(T::Head, names::HEAD));
                Reprocess(Mode::InHead, tok)
            }
        }
    }

    /// The "in head" insertion mode.
    pub(super) fn in_head(&mut self, tok: Tok<'a>) -> Step<'a> {
        match tok {
            Tok::Chars(t, Class::Space) => {
                self.insert_chars(t);
                Done
            }
            Tok::Comment(t) => {
                self.insert_comment(t, None);
                Done
            }
            Tok::Doctype(_) => Done,
            Tok::Start(T::Html, _) => self.in_body(tok),
            Tok::Start(t @ (T::Base | T::Basefont | T::Bgsound | T::Link | T::Meta), tag) => {
                self.insert_void(t, tag);
                Done
            }
            Tok::Start(T::Title, tag) => self.raw_text(T::Title, tag, State::RcData),
            Tok::Start(T::Noscript, tag) if self.opts.scripting => {
                self.raw_text(T::Noscript, tag, State::RawText)
            }
            Tok::Start(t @ (T::Noframes | T::Style), tag) => self.raw_text(t, tag, State::RawText),
            Tok::Start(T::Noscript, tag) => {
                if self.insert_html(T::Noscript, tag).is_some() {
                    self.mode = Mode::InHeadNoscript;
                }
                Done
            }
            Tok::Start(T::Script, tag) => self.raw_text(T::Script, tag, State::ScriptData),
            Tok::End(T::Head, _) => {
                self.pop();
                self.mode = Mode::AfterHead;
                Done
            }
            Tok::Start(T::Template, tag) => {
                if self.insert_html(T::Template, tag).is_some() {
                    self.push_marker();
                    self.frameset_ok = false;
                    self.mode = Mode::InTemplate;
                    self.template_modes.push(Mode::InTemplate);
                }
                Done
            }
            Tok::End(T::Template, _) => {
                if !self.template_open() {
                    return Done;
                }
                self.generate_implied_end_tags_thoroughly();
                self.pop_until(T::Template);
                self.clear_afe_to_marker();
                self.template_modes.pop();
                self.reset_insertion_mode();
                Done
            }
            Tok::Start(T::Head, _) => Done,
            Tok::End(t, _) if !matches!(t, T::Body | T::Html | T::Br) => Done,
            tok => {
                self.pop();
                Reprocess(Mode::AfterHead, tok)
            }
        }
    }

    /// The "in head noscript" insertion mode.
    pub(super) fn in_head_noscript(&mut self, tok: Tok<'a>) -> Step<'a> {
        match tok {
            Tok::Doctype(_) => Done,
            Tok::Start(T::Html, _) => self.in_body(tok),
            Tok::End(T::Noscript, _) => {
                self.pop();
                self.mode = Mode::InHead;
                Done
            }
            Tok::Chars(_, Class::Space)
            | Tok::Comment(_)
            | Tok::Start(
                T::Basefont | T::Bgsound | T::Link | T::Meta | T::Noframes | T::Style,
                _,
            ) => self.in_head(tok),
            Tok::Start(T::Head | T::Noscript, _) => Done,
            Tok::End(t, _) if t != T::Br => Done,
            tok => {
                self.pop();
                Reprocess(Mode::InHead, tok)
            }
        }
    }

    /// The "after head" insertion mode.
    pub(super) fn after_head(&mut self, tok: Tok<'a>) -> Step<'a> {
        match tok {
            Tok::Chars(t, Class::Space) => {
                self.insert_chars(t);
                Done
            }
            Tok::Comment(t) => {
                self.insert_comment(t, None);
                Done
            }
            Tok::Doctype(_) => Done,
            Tok::Start(T::Html, _) => self.in_body(tok),
            Tok::Start(T::Body, tag) => {
                if self.insert_html(T::Body, tag).is_none() {
                    self.insert_implied(T::Body, names::BODY);
                }
                self.frameset_ok = false;
                self.mode = Mode::InBody;
                Done
            }
            Tok::Start(T::Frameset, tag) => {
                if self.insert_html(T::Frameset, tag).is_some() {
                    self.mode = Mode::InFrameset;
                }
                Done
            }
            Tok::Start(
                T::Base
                | T::Basefont
                | T::Bgsound
                | T::Link
                | T::Meta
                | T::Noframes
                | T::Script
                | T::Style
                | T::Template
                | T::Title,
                _,
            ) => {
                let Some(head) = self.head else { return Done };
                self.push(head);
                let step = self.in_head(tok);
                self.remove_from_stack(head);
                step
            }
            Tok::End(T::Template, _) => self.in_head(tok),
            Tok::Start(T::Head, _) => Done,
            Tok::End(t, _) if !matches!(t, T::Body | T::Html | T::Br) => Done,
            tok => {
                self.insert_implied(T::Body, names::BODY);
                Reprocess(Mode::InBody, tok)
            }
        }
    }

    /// The "in body" insertion mode.
    pub(super) fn in_body(&mut self, tok: Tok<'a>) -> Step<'a> {
        match tok {
            Tok::Chars(_, Class::Nul) => Done,
            Tok::Chars(t, class) => {
                self.reconstruct_afe();
                if class == Class::Other {
                    self.frameset_ok = false;
                }
                self.insert_chars(t);
                Done
            }
            Tok::Comment(t) => {
                self.insert_comment(t, None);
                Done
            }
            Tok::Doctype(_) => Done,
            Tok::Start(T::Html, tag) => {
                if !self.template_open() {
                    if let Some(&root) = self.stack.first() {
                        self.add_missing_attrs(root, tag);
                    }
                }
                Done
            }
            Tok::Start(
                T::Base
                | T::Basefont
                | T::Bgsound
                | T::Link
                | T::Meta
                | T::Noframes
                | T::Script
                | T::Style
                | T::Template
                | T::Title,
                _,
            )
            | Tok::End(T::Template, _) => self.in_head(tok),
            Tok::Start(T::Body, tag) => {
                if self.stack.len() == 1
                    || !self.is_html(self.stack[1], T::Body)
                    || self.template_open()
                {
                    return Done;
                }
                self.frameset_ok = false;
                let body = self.stack[1];
                self.add_missing_attrs(body, tag);
                Done
            }
            Tok::Start(T::Frameset, tag) => {
                if self.stack.len() == 1
                    || !self.is_html(self.stack[1], T::Body)
                    || !self.frameset_ok
                {
                    return Done;
                }
                let body = self.stack[1];
                self.dom.detach(body);
                while self.stack.len() > 1 {
                    self.pop();
                }
                if self.insert_html(T::Frameset, tag).is_some() {
                    self.mode = Mode::InFrameset;
                }
                Done
            }
            Tok::Eof => {
                if !self.template_modes.is_empty() {
                    return self.in_template(Tok::Eof);
                }
                self.stop()
            }
            Tok::End(T::Body, _) => {
                if self.in_scope(Scope::Default, T::Body) {
                    self.mode = Mode::AfterBody;
                }
                Done
            }
            Tok::End(T::Html, _) => {
                if self.in_scope(Scope::Default, T::Body) {
                    return Reprocess(Mode::AfterBody, tok);
                }
                Done
            }
            Tok::Start(
                t @ (T::Address
                | T::Article
                | T::Aside
                | T::Blockquote
                | T::Center
                | T::Details
                | T::Dialog
                | T::Dir
                | T::Div
                | T::Dl
                | T::Fieldset
                | T::Figcaption
                | T::Figure
                | T::Footer
                | T::Header
                | T::Hgroup
                | T::Main
                | T::Menu
                | T::Nav
                | T::Ol
                | T::P
                | T::Search
                | T::Section
                | T::Summary
                | T::Ul),
                tag,
            ) => {
                self.close_p_in_button_scope();
                self.insert_html(t, tag);
                Done
            }
            Tok::Start(t @ (T::H1 | T::H2 | T::H3 | T::H4 | T::H5 | T::H6), tag) => {
                self.close_p_in_button_scope();
                if self.current().is_some_and(|c| {
                    let e = self.el(c);
                    e.ns == Ns::Html && names::is_heading(e.tag)
                }) {
                    self.pop();
                }
                self.insert_html(t, tag);
                Done
            }
            Tok::Start(t @ (T::Pre | T::Listing), tag) => {
                self.close_p_in_button_scope();
                if self.insert_html(t, tag).is_some() {
                    self.ignore_lf = true;
                }
                self.frameset_ok = false;
                Done
            }
            Tok::Start(T::Form, tag) => {
                let template = self.template_open();
                if self.form.is_some() && !template {
                    return Done;
                }
                self.close_p_in_button_scope();
                let id = self.insert_html(T::Form, tag);
                if !template && id.is_some() {
                    self.form = id;
                }
                Done
            }
            Tok::Start(t @ (T::Li | T::Dd | T::Dt), tag) => {
                self.frameset_ok = false;
                for i in (0..self.stack.len()).rev() {
                    let e = self.el(self.stack[i]);
                    let closes = e.ns == Ns::Html
                        && if t == T::Li {
                            e.tag == T::Li
                        } else {
                            matches!(e.tag, T::Dd | T::Dt)
                        };
                    if closes {
                        let nt = e.tag;
                        self.generate_implied_end_tags(Some(nt));
                        self.pop_until(nt);
                        break;
                    }
                    if names::is_special(e.ns, e.tag)
                        && !(e.ns == Ns::Html && matches!(e.tag, T::Address | T::Div | T::P))
                    {
                        break;
                    }
                }
                self.close_p_in_button_scope();
                self.insert_html(t, tag);
                Done
            }
            Tok::Start(T::Plaintext, tag) => {
                self.close_p_in_button_scope();
                if self.insert_html(T::Plaintext, tag).is_some() {
                    return Step::Switch(State::PlainText);
                }
                Done
            }
            Tok::Start(T::Button, tag) => {
                if self.in_scope(Scope::Default, T::Button) {
                    self.generate_implied_end_tags(None);
                    self.pop_until(T::Button);
                }
                self.reconstruct_afe();
                self.insert_html(T::Button, tag);
                self.frameset_ok = false;
                Done
            }
            Tok::End(
                t @ (T::Address
                | T::Article
                | T::Aside
                | T::Blockquote
                | T::Button
                | T::Center
                | T::Details
                | T::Dialog
                | T::Dir
                | T::Div
                | T::Dl
                | T::Fieldset
                | T::Figcaption
                | T::Figure
                | T::Footer
                | T::Header
                | T::Hgroup
                | T::Listing
                | T::Main
                | T::Menu
                | T::Nav
                | T::Ol
                | T::Pre
                | T::Search
                | T::Section
                | T::Select
                | T::Summary
                | T::Ul),
                _,
            ) => {
                if self.in_scope(Scope::Default, t) {
                    self.generate_implied_end_tags(None);
                    self.pop_until(t);
                }
                Done
            }
            Tok::End(T::Form, _) => {
                if !self.template_open() {
                    let Some(node) = self.form.take() else {
                        return Done;
                    };
                    if !self.in_scope_fn(Scope::Default, |_, n| n == node) {
                        return Done;
                    }
                    self.generate_implied_end_tags(None);
                    self.remove_from_stack(node);
                } else if self.in_scope(Scope::Default, T::Form) {
                    self.generate_implied_end_tags(None);
                    self.pop_until(T::Form);
                }
                Done
            }
            Tok::End(T::P, _) => {
                if !self.in_scope(Scope::Button, T::P) {
                    self.insert_implied(T::P, names::P);
                }
                self.close_p();
                Done
            }
            Tok::End(T::Li, _) => {
                if self.in_scope(Scope::ListItem, T::Li) {
                    self.generate_implied_end_tags(Some(T::Li));
                    self.pop_until(T::Li);
                }
                Done
            }
            Tok::End(t @ (T::Dd | T::Dt), _) => {
                if self.in_scope(Scope::Default, t) {
                    self.generate_implied_end_tags(Some(t));
                    self.pop_until(t);
                }
                Done
            }
            Tok::End(T::H1 | T::H2 | T::H3 | T::H4 | T::H5 | T::H6, _) => {
                let heading = |tb: &Self, n: NodeId| {
                    let e = tb.el(n);
                    e.ns == Ns::Html && names::is_heading(e.tag)
                };
                if self.in_scope_fn(Scope::Default, heading) {
                    self.generate_implied_end_tags(None);
                    self.pop_until_fn(heading);
                }
                Done
            }
            Tok::Start(T::A, tag) => {
                if let Some(a) = self.afe_find(&tag.name) {
                    if self.adoption_agency(&tag.name) {
                        self.any_other_end_tag(&tag.name);
                    }
                    self.afe_remove(a);
                    self.remove_from_stack(a);
                }
                self.reconstruct_afe();
                if let Some(id) = self.insert_html(T::A, tag) {
                    self.push_formatting(id);
                }
                Done
            }
            Tok::Start(
                t @ (T::B
                | T::Big
                | T::Code
                | T::Em
                | T::Font
                | T::I
                | T::S
                | T::Small
                | T::Strike
                | T::Strong
                | T::Tt
                | T::U),
                tag,
            ) => {
                self.reconstruct_afe();
                if let Some(id) = self.insert_html(t, tag) {
                    self.push_formatting(id);
                }
                Done
            }
            Tok::Start(T::Nobr, tag) => {
                self.reconstruct_afe();
                if self.in_scope(Scope::Default, T::Nobr) {
                    if self.adoption_agency(&tag.name) {
                        self.any_other_end_tag(&tag.name);
                    }
                    self.reconstruct_afe();
                }
                if let Some(id) = self.insert_html(T::Nobr, tag) {
                    self.push_formatting(id);
                }
                Done
            }
            Tok::End(t, ref tag) if names::is_formatting(t) => {
                if self.adoption_agency(&tag.name) {
                    self.any_other_end_tag(&tag.name);
                }
                Done
            }
            Tok::Start(t @ (T::Applet | T::Marquee | T::Object), tag) => {
                self.reconstruct_afe();
                if self.insert_html(t, tag).is_some() {
                    self.push_marker();
                }
                self.frameset_ok = false;
                Done
            }
            Tok::End(t @ (T::Applet | T::Marquee | T::Object), _) => {
                if self.in_scope(Scope::Default, t) {
                    self.generate_implied_end_tags(None);
                    self.pop_until(t);
                    self.clear_afe_to_marker();
                }
                Done
            }
            Tok::Start(T::Table, tag) => {
                if self.dom.quirks_mode != QuirksMode::Quirks {
                    self.close_p_in_button_scope();
                }
                if self.insert_html(T::Table, tag).is_some() {
                    self.mode = Mode::InTable;
                }
                self.frameset_ok = false;
                Done
            }
            Tok::End(T::Br, _) => {
                self.reconstruct_afe();
                self.insert_void(T::Br, bare_tag(names::BR));
                self.frameset_ok = false;
                Done
            }
            Tok::Start(t @ (T::Area | T::Br | T::Embed | T::Img | T::Keygen | T::Wbr), tag) => {
                self.reconstruct_afe();
                self.insert_void(t, tag);
                self.frameset_ok = false;
                Done
            }
            Tok::Start(T::Input, tag) => {
                if self.context.is_some_and(|c| self.is_html(c, T::Select)) {
                    return Done;
                }
                if self.in_scope(Scope::Default, T::Select) {
                    self.pop_until(T::Select);
                }
                let hidden = is_hidden_input(&tag);
                self.reconstruct_afe();
                self.insert_void(T::Input, tag);
                if !hidden {
                    self.frameset_ok = false;
                }
                Done
            }
            Tok::Start(t @ (T::Param | T::Source | T::Track), tag) => {
                self.insert_void(t, tag);
                Done
            }
            Tok::Start(T::Hr, tag) => {
                self.close_p_in_button_scope();
                if self.in_scope(Scope::Default, T::Select) {
                    self.generate_implied_end_tags(None);
                }
                self.insert_void(T::Hr, tag);
                self.frameset_ok = false;
                Done
            }
            Tok::Start(T::Image, mut tag) => {
                tag.name = name_of(Cow::Borrowed(names::IMG));
                Reprocess(self.mode, Tok::Start(T::Img, tag))
            }
            Tok::Start(T::Textarea, tag) => {
                if self.insert_html(T::Textarea, tag).is_none() {
                    return Done;
                }
                self.ignore_lf = true;
                self.frameset_ok = false;
                self.orig_mode = self.mode;
                self.mode = Mode::Text;
                Step::Switch(State::RcData)
            }
            Tok::Start(T::Xmp, tag) => {
                self.close_p_in_button_scope();
                self.reconstruct_afe();
                self.frameset_ok = false;
                self.raw_text(T::Xmp, tag, State::RawText)
            }
            Tok::Start(T::Iframe, tag) => {
                self.frameset_ok = false;
                self.raw_text(T::Iframe, tag, State::RawText)
            }
            Tok::Start(T::Noembed, tag) => self.raw_text(T::Noembed, tag, State::RawText),
            Tok::Start(T::Noscript, tag) if self.opts.scripting => {
                self.raw_text(T::Noscript, tag, State::RawText)
            }
            Tok::Start(T::Select, tag) => {
                if self.context.is_some_and(|c| self.is_html(c, T::Select)) {
                    return Done;
                }
                if self.in_scope(Scope::Default, T::Select) {
                    self.pop_until(T::Select);
                } else {
                    self.reconstruct_afe();
                    self.insert_html(T::Select, tag);
                    self.frameset_ok = false;
                }
                Done
            }
            Tok::Start(T::Option, tag) => {
                if self.in_scope(Scope::Default, T::Select) {
                    self.generate_implied_end_tags(Some(T::Optgroup));
                } else if self.current_is(T::Option) {
                    self.pop();
                }
                self.reconstruct_afe();
                self.insert_html(T::Option, tag);
                Done
            }
            Tok::Start(T::Optgroup, tag) => {
                if self.in_scope(Scope::Default, T::Select) {
                    self.generate_implied_end_tags(None);
                } else if self.current_is(T::Option) {
                    self.pop();
                }
                self.reconstruct_afe();
                self.insert_html(T::Optgroup, tag);
                Done
            }
            Tok::Start(t @ (T::Rb | T::Rtc), tag) => {
                if self.in_scope(Scope::Default, T::Ruby) {
                    self.generate_implied_end_tags(None);
                }
                self.insert_html(t, tag);
                Done
            }
            Tok::Start(t @ (T::Rp | T::Rt), tag) => {
                if self.in_scope(Scope::Default, T::Ruby) {
                    self.generate_implied_end_tags(Some(T::Rtc));
                }
                self.insert_html(t, tag);
                Done
            }
            Tok::Start(t @ (T::Math | T::Svg), mut tag) => {
                self.reconstruct_afe();
                let ns = if t == T::Math {
                    foreign::adjust_mathml_attrs(&mut tag.attrs);
                    Ns::MathMl
                } else {
                    foreign::adjust_svg_attrs(&mut tag.attrs);
                    Ns::Svg
                };
                let self_closing = tag.self_closing;
                if self.insert_element(ns, t, tag).is_some() && self_closing {
                    self.pop();
                }
                Done
            }
            Tok::Start(
                T::Caption
                | T::Col
                | T::Colgroup
                | T::Frame
                | T::Head
                | T::Tbody
                | T::Td
                | T::Tfoot
                | T::Th
                | T::Thead
                | T::Tr,
                _,
            ) => Done,
            Tok::Start(t, tag) => {
                self.reconstruct_afe();
                self.insert_html(t, tag);
                Done
            }
            Tok::End(_, tag) => {
                self.any_other_end_tag(&tag.name);
                Done
            }
        }
    }

    /// In body, "any other end tag".
    fn any_other_end_tag(&mut self, name: &Name<'a>) {
        for i in (0..self.stack.len()).rev() {
            let node = self.stack[i];
            let e = self.el(node);
            if e.ns == Ns::Html && names::same_name(&e.name, name) {
                let t = e.tag;
                self.generate_implied_end_tags(Some(t));
                self.pop_until_node(node);
                return;
            }
            if names::is_special(e.ns, e.tag) {
                return;
            }
        }
    }

    /// The "text" insertion mode.
    pub(super) fn text(&mut self, tok: Tok<'a>) -> Step<'a> {
        match tok {
            Tok::Chars(t, _) => {
                self.insert_chars(t);
                Done
            }
            Tok::Eof => {
                self.pop();
                Reprocess(self.orig_mode, Tok::Eof)
            }
            Tok::End(..) => {
                self.pop();
                self.mode = self.orig_mode;
                Done
            }
            _ => Done,
        }
    }

    pub(super) fn current_is_table_ish(&self) -> bool {
        self.current().is_some_and(|c| {
            let e = self.el(c);
            e.ns == Ns::Html
                && matches!(
                    e.tag,
                    T::Table | T::Tbody | T::Template | T::Tfoot | T::Thead | T::Tr
                )
        })
    }

    /// The "in table" insertion mode.
    pub(super) fn in_table(&mut self, tok: Tok<'a>) -> Step<'a> {
        const TABLE_CONTEXT: &[T] = &[T::Table, T::Template];
        match tok {
            Tok::Chars(..) if self.current_is_table_ish() => {
                self.pending_table_text = Cow::Borrowed("");
                self.pending_non_space = false;
                self.orig_mode = self.mode;
                Reprocess(Mode::InTableText, tok)
            }
            Tok::Comment(t) => {
                self.insert_comment(t, None);
                Done
            }
            Tok::Doctype(_) => Done,
            Tok::Start(T::Caption, tag) => {
                self.clear_back_to(TABLE_CONTEXT);
                if self.insert_html(T::Caption, tag).is_some() {
                    self.push_marker();
                    self.mode = Mode::InCaption;
                }
                Done
            }
            Tok::Start(T::Colgroup, tag) => {
                self.clear_back_to(TABLE_CONTEXT);
                if self.insert_html(T::Colgroup, tag).is_some() {
                    self.mode = Mode::InColumnGroup;
                }
                Done
            }
            Tok::Start(T::Col, _) => {
                self.clear_back_to(TABLE_CONTEXT);
                self.insert_implied(T::Colgroup, names::COLGROUP);
                Reprocess(Mode::InColumnGroup, tok)
            }
            Tok::Start(t @ (T::Tbody | T::Tfoot | T::Thead), tag) => {
                self.clear_back_to(TABLE_CONTEXT);
                if self.insert_html(t, tag).is_some() {
                    self.mode = Mode::InTableBody;
                }
                Done
            }
            Tok::Start(T::Td | T::Th | T::Tr, _) => {
                self.clear_back_to(TABLE_CONTEXT);
                self.insert_implied(T::Tbody, names::TBODY);
                Reprocess(Mode::InTableBody, tok)
            }
            Tok::Start(T::Table, _) => {
                if !self.in_scope(Scope::Table, T::Table) {
                    return Done;
                }
                self.pop_until(T::Table);
                self.reset_insertion_mode();
                Reprocess(self.mode, tok)
            }
            Tok::End(T::Table, _) => {
                if self.in_scope(Scope::Table, T::Table) {
                    self.pop_until(T::Table);
                    self.reset_insertion_mode();
                }
                Done
            }
            Tok::End(
                T::Body
                | T::Caption
                | T::Col
                | T::Colgroup
                | T::Html
                | T::Tbody
                | T::Td
                | T::Tfoot
                | T::Th
                | T::Thead
                | T::Tr,
                _,
            ) => Done,
            Tok::Start(T::Style | T::Script | T::Template, _) | Tok::End(T::Template, _) => {
                self.in_head(tok)
            }
            Tok::Start(T::Input, ref tag) if is_hidden_input(tag) => {
                let Tok::Start(_, tag) = tok else { return Done };
                self.insert_void(T::Input, tag);
                Done
            }
            Tok::Start(T::Form, tag) => {
                if self.template_open() || self.form.is_some() {
                    return Done;
                }
                self.form = self.insert_html(T::Form, tag);
                if self.form.is_some() {
                    self.pop();
                }
                Done
            }
            Tok::Eof => self.in_body(tok),
            tok => self.foster_in_body(tok),
        }
    }

    /// In table, "anything else": process in body with foster parenting on.
    fn foster_in_body(&mut self, tok: Tok<'a>) -> Step<'a> {
        self.foster_parenting = true;
        let step = self.in_body(tok);
        self.foster_parenting = false;
        step
    }

    /// The "in table text" insertion mode.
    pub(super) fn in_table_text(&mut self, tok: Tok<'a>) -> Step<'a> {
        match tok {
            Tok::Chars(_, Class::Nul) => Done,
            Tok::Chars(t, class) => {
                if class == Class::Other {
                    self.pending_non_space = true;
                }
                if self.pending_table_text.is_empty() {
                    self.pending_table_text = t;
                } else {
                    self.pending_table_text.to_mut().push_str(&t);
                }
                Done
            }
            tok => {
                self.flush_table_text();
                Reprocess(self.orig_mode, tok)
            }
        }
    }

    /// "In table text", anything else: insert the pending table character tokens.
    pub(super) fn flush_table_text(&mut self) {
        let text = std::mem::take(&mut self.pending_table_text);
        if !text.is_empty() {
            if self.pending_non_space {
                // The whole pending text goes through "anything else" of "in table".
                self.foster_parenting = true;
                self.reconstruct_afe();
                self.frameset_ok = false;
                self.insert_chars(text);
                self.foster_parenting = false;
            } else {
                self.insert_chars(text);
            }
        }
        self.pending_non_space = false;
    }

    /// The "in caption" insertion mode.
    pub(super) fn in_caption(&mut self, tok: Tok<'a>) -> Step<'a> {
        match tok {
            Tok::End(T::Caption, _) => {
                self.close_caption();
                Done
            }
            Tok::Start(
                T::Caption
                | T::Col
                | T::Colgroup
                | T::Tbody
                | T::Td
                | T::Tfoot
                | T::Th
                | T::Thead
                | T::Tr,
                _,
            )
            | Tok::End(T::Table, _) => {
                if self.close_caption() {
                    return Reprocess(Mode::InTable, tok);
                }
                Done
            }
            Tok::End(
                T::Body
                | T::Col
                | T::Colgroup
                | T::Html
                | T::Tbody
                | T::Td
                | T::Tfoot
                | T::Th
                | T::Thead
                | T::Tr,
                _,
            ) => Done,
            tok => self.in_body(tok),
        }
    }

    fn close_caption(&mut self) -> bool {
        if !self.in_scope(Scope::Table, T::Caption) {
            return false;
        }
        self.generate_implied_end_tags(None);
        self.pop_until(T::Caption);
        self.clear_afe_to_marker();
        self.mode = Mode::InTable;
        true
    }

    /// The "in column group" insertion mode.
    pub(super) fn in_column_group(&mut self, tok: Tok<'a>) -> Step<'a> {
        match tok {
            Tok::Chars(t, Class::Space) => {
                self.insert_chars(t);
                Done
            }
            Tok::Comment(t) => {
                self.insert_comment(t, None);
                Done
            }
            Tok::Doctype(_) => Done,
            Tok::Start(T::Html, _) => self.in_body(tok),
            Tok::Start(T::Col, tag) => {
                self.insert_void(T::Col, tag);
                Done
            }
            Tok::End(T::Colgroup, _) => {
                if self.current_is(T::Colgroup) {
                    self.pop();
                    self.mode = Mode::InTable;
                }
                Done
            }
            Tok::End(T::Col, _) => Done,
            Tok::Start(T::Template, _) | Tok::End(T::Template, _) => self.in_head(tok),
            Tok::Eof => self.in_body(tok),
            tok => {
                if !self.current_is(T::Colgroup) {
                    return Done;
                }
                self.pop();
                Reprocess(Mode::InTable, tok)
            }
        }
    }

    fn any_in_table_scope(&self, ts: &[T]) -> bool {
        ts.iter().any(|&t| self.in_scope(Scope::Table, t))
    }

    /// "In table body", a `<tr>` start tag.
    pub(super) fn start_row(&mut self, tag: Tag<'a>) {
        self.clear_back_to(BODY_CONTEXT);
        if self.insert_html(T::Tr, tag).is_some() {
            self.mode = Mode::InRow;
        }
    }

    /// The "in table body" insertion mode.
    pub(super) fn in_table_body(&mut self, tok: Tok<'a>) -> Step<'a> {
        match tok {
            Tok::Start(T::Tr, tag) => {
                self.start_row(tag);
                Done
            }
            Tok::Start(T::Th | T::Td, _) => {
                self.clear_back_to(BODY_CONTEXT);
                self.insert_implied(T::Tr, names::TR);
                Reprocess(Mode::InRow, tok)
            }
            Tok::End(t @ (T::Tbody | T::Tfoot | T::Thead), _) => {
                if self.in_scope(Scope::Table, t) {
                    self.clear_back_to(BODY_CONTEXT);
                    self.pop();
                    self.mode = Mode::InTable;
                }
                Done
            }
            Tok::Start(T::Caption | T::Col | T::Colgroup | T::Tbody | T::Tfoot | T::Thead, _)
            | Tok::End(T::Table, _) => {
                if !self.any_in_table_scope(&[T::Tbody, T::Thead, T::Tfoot]) {
                    return Done;
                }
                self.clear_back_to(BODY_CONTEXT);
                self.pop();
                Reprocess(Mode::InTable, tok)
            }
            Tok::End(
                T::Body | T::Caption | T::Col | T::Colgroup | T::Html | T::Td | T::Th | T::Tr,
                _,
            ) => Done,
            tok => self.in_table(tok),
        }
    }

    /// "In row", a `<td>` or `<th>` start tag.
    pub(super) fn start_cell(&mut self, t: T, tag: Tag<'a>) {
        self.clear_back_to(ROW_CONTEXT);
        if self.insert_html(t, tag).is_some() {
            self.mode = Mode::InCell;
            self.push_marker();
        }
    }

    /// "In row", a `</tr>` end tag.
    pub(super) fn end_row(&mut self) {
        if self.in_scope(Scope::Table, T::Tr) {
            self.clear_back_to(ROW_CONTEXT);
            self.pop();
            self.mode = Mode::InTableBody;
        }
    }

    /// The "in row" insertion mode.
    pub(super) fn in_row(&mut self, tok: Tok<'a>) -> Step<'a> {
        match tok {
            Tok::Start(t @ (T::Th | T::Td), tag) => {
                self.start_cell(t, tag);
                Done
            }
            Tok::End(T::Tr, _) => {
                self.end_row();
                Done
            }
            Tok::Start(
                T::Caption | T::Col | T::Colgroup | T::Tbody | T::Tfoot | T::Thead | T::Tr,
                _,
            )
            | Tok::End(T::Table, _) => {
                if !self.in_scope(Scope::Table, T::Tr) {
                    return Done;
                }
                self.clear_back_to(ROW_CONTEXT);
                self.pop();
                Reprocess(Mode::InTableBody, tok)
            }
            Tok::End(t @ (T::Tbody | T::Tfoot | T::Thead), _) => {
                if !self.in_scope(Scope::Table, t) || !self.in_scope(Scope::Table, T::Tr) {
                    return Done;
                }
                self.clear_back_to(ROW_CONTEXT);
                self.pop();
                Reprocess(Mode::InTableBody, tok)
            }
            Tok::End(T::Body | T::Caption | T::Col | T::Colgroup | T::Html | T::Td | T::Th, _) => {
                Done
            }
            tok => self.in_table(tok),
        }
    }

    fn close_cell(&mut self) {
        self.generate_implied_end_tags(None);
        self.pop_until_fn(|tb, n| tb.is_html(n, T::Td) || tb.is_html(n, T::Th));
        self.clear_afe_to_marker();
        self.mode = Mode::InRow;
    }

    /// "In cell", a `</td>` or `</th>` end tag.
    pub(super) fn end_cell(&mut self, t: T) {
        if self.in_scope(Scope::Table, t) {
            self.generate_implied_end_tags(None);
            self.pop_until(t);
            self.clear_afe_to_marker();
            self.mode = Mode::InRow;
        }
    }

    /// The "in cell" insertion mode.
    pub(super) fn in_cell(&mut self, tok: Tok<'a>) -> Step<'a> {
        match tok {
            Tok::End(t @ (T::Td | T::Th), _) => {
                self.end_cell(t);
                Done
            }
            Tok::Start(
                T::Caption
                | T::Col
                | T::Colgroup
                | T::Tbody
                | T::Td
                | T::Tfoot
                | T::Th
                | T::Thead
                | T::Tr,
                _,
            ) => {
                if !self.any_in_table_scope(&[T::Td, T::Th]) {
                    return Done;
                }
                self.close_cell();
                Reprocess(Mode::InRow, tok)
            }
            Tok::End(T::Body | T::Caption | T::Col | T::Colgroup | T::Html, _) => Done,
            Tok::End(t @ (T::Table | T::Tbody | T::Tfoot | T::Thead | T::Tr), _) => {
                if !self.in_scope(Scope::Table, t) {
                    return Done;
                }
                self.close_cell();
                Reprocess(Mode::InRow, tok)
            }
            tok => self.in_body(tok),
        }
    }

    fn switch_template_mode(&mut self, mode: Mode, tok: Tok<'a>) -> Step<'a> {
        self.template_modes.pop();
        self.template_modes.push(mode);
        Reprocess(mode, tok)
    }

    /// The "in template" insertion mode.
    pub(super) fn in_template(&mut self, tok: Tok<'a>) -> Step<'a> {
        match tok {
            Tok::Chars(..) | Tok::Comment(_) | Tok::Doctype(_) => self.in_body(tok),
            Tok::Start(
                T::Base
                | T::Basefont
                | T::Bgsound
                | T::Link
                | T::Meta
                | T::Noframes
                | T::Script
                | T::Style
                | T::Template
                | T::Title,
                _,
            )
            | Tok::End(T::Template, _) => self.in_head(tok),
            Tok::Start(T::Caption | T::Colgroup | T::Tbody | T::Tfoot | T::Thead, _) => {
                self.switch_template_mode(Mode::InTable, tok)
            }
            Tok::Start(T::Col, _) => self.switch_template_mode(Mode::InColumnGroup, tok),
            Tok::Start(T::Tr, _) => self.switch_template_mode(Mode::InTableBody, tok),
            Tok::Start(T::Td | T::Th, _) => self.switch_template_mode(Mode::InRow, tok),
            Tok::Start(..) => self.switch_template_mode(Mode::InBody, tok),
            Tok::End(..) => Done,
            Tok::Eof => {
                if !self.template_open() {
                    return self.stop();
                }
                self.pop_until(T::Template);
                self.clear_afe_to_marker();
                self.template_modes.pop();
                self.reset_insertion_mode();
                Reprocess(self.mode, Tok::Eof)
            }
        }
    }

    /// The "after body" insertion mode.
    pub(super) fn after_body(&mut self, tok: Tok<'a>) -> Step<'a> {
        match tok {
            Tok::Chars(_, Class::Space) | Tok::Start(T::Html, _) => self.in_body(tok),
            Tok::Comment(t) => {
                let root = self.stack.first().copied();
                self.insert_comment(t, root);
                Done
            }
            Tok::Doctype(_) => Done,
            Tok::End(T::Html, _) => {
                if self.context.is_none() {
                    self.mode = Mode::AfterAfterBody;
                }
                Done
            }
            Tok::Eof => self.stop(),
            tok => Reprocess(Mode::InBody, tok),
        }
    }

    /// The "in frameset" insertion mode.
    pub(super) fn in_frameset(&mut self, tok: Tok<'a>) -> Step<'a> {
        match tok {
            Tok::Chars(t, Class::Space) => {
                self.insert_chars(t);
                Done
            }
            Tok::Comment(t) => {
                self.insert_comment(t, None);
                Done
            }
            Tok::Start(T::Html, _) => self.in_body(tok),
            Tok::Start(T::Frameset, tag) => {
                self.insert_html(T::Frameset, tag);
                Done
            }
            Tok::End(T::Frameset, _) => {
                if self.stack.len() > 1 {
                    self.pop();
                    if self.context.is_none() && !self.current_is(T::Frameset) {
                        self.mode = Mode::AfterFrameset;
                    }
                }
                Done
            }
            Tok::Start(T::Frame, tag) => {
                self.insert_void(T::Frame, tag);
                Done
            }
            Tok::Start(T::Noframes, _) => self.in_head(tok),
            Tok::Eof => self.stop(),
            _ => Done,
        }
    }

    /// The "after frameset" insertion mode.
    pub(super) fn after_frameset(&mut self, tok: Tok<'a>) -> Step<'a> {
        match tok {
            Tok::Chars(t, Class::Space) => {
                self.insert_chars(t);
                Done
            }
            Tok::Comment(t) => {
                self.insert_comment(t, None);
                Done
            }
            Tok::Start(T::Html, _) => self.in_body(tok),
            Tok::End(T::Html, _) => {
                self.mode = Mode::AfterAfterFrameset;
                Done
            }
            Tok::Start(T::Noframes, _) => self.in_head(tok),
            Tok::Eof => self.stop(),
            _ => Done,
        }
    }

    /// The "after after body" insertion mode.
    pub(super) fn after_after_body(&mut self, tok: Tok<'a>) -> Step<'a> {
        match tok {
            Tok::Comment(t) => {
                self.insert_comment(t, Some(NodeId::DOCUMENT));
                Done
            }
            Tok::Doctype(_) | Tok::Chars(_, Class::Space) | Tok::Start(T::Html, _) => {
                self.in_body(tok)
            }
            Tok::Eof => self.stop(),
            tok => Reprocess(Mode::InBody, tok),
        }
    }

    /// The "after after frameset" insertion mode.
    pub(super) fn after_after_frameset(&mut self, tok: Tok<'a>) -> Step<'a> {
        match tok {
            Tok::Comment(t) => {
                self.insert_comment(t, Some(NodeId::DOCUMENT));
                Done
            }
            Tok::Doctype(_) | Tok::Chars(_, Class::Space) | Tok::Start(T::Html, _) => {
                self.in_body(tok)
            }
            Tok::Eof => self.stop(),
            Tok::Start(T::Noframes, _) => self.in_head(tok),
            _ => Done,
        }
    }
}

fn is_hidden_input(tag: &Tag<'_>) -> bool {
    tag.attrs
        .iter()
        .find(|a| names::is_type_attr(&a.name.text))
        .is_some_and(|a| names::is_hidden(&a.value))
}
