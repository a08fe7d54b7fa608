//! Token entry: splitting character runs by class, the "tree construction dispatcher"
//! (HTML content or foreign content), and "the rules for parsing tokens in foreign content".

use std::borrow::Cow;

use super::builder::{Class, Mode, Step, Tok, TreeBuilder};
use super::dom::Ns;
use super::foreign;
use super::names::{self, T};
use crate::parser::token::{State, Text, Token};

fn class_of(b: u8) -> Class {
    match b {
        b'\t' | b'\n' | 0x0c | b'\r' | b' ' => Class::Space,
        0 => Class::Nul,
        _ => Class::Other,
    }
}

pub(super) fn is_all_space(text: &str) -> bool {
    text.bytes().all(|b| class_of(b) == Class::Space)
}

/// Cut a run of NULs, or a run without NUL, off the front of `text`; the latter is
/// [`Class::Space`] when it is all whitespace, [`Class::Other`] otherwise.
fn split_nul_run<'a>(text: &mut Text<'a>) -> (Text<'a>, Class) {
    let bytes = text.as_bytes();
    let (end, class) = if bytes[0] == 0 {
        let end = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        (end, Class::Nul)
    } else {
        let end = memchr::memchr(0, bytes).unwrap_or(bytes.len());
        let run = &bytes[..end];
        let class = if run.iter().all(|&b| class_of(b) == Class::Space) {
            Class::Space
        } else {
            Class::Other
        };
        (end, class)
    };
    (cut(text, end), class)
}

/// Cut the first `end` bytes (at a char boundary) off the front of `text`.
fn cut<'a>(text: &mut Text<'a>, end: usize) -> Text<'a> {
    if end == text.len() {
        return std::mem::take(text);
    }
    match text {
        Cow::Borrowed(s) => {
            let (a, b) = s.split_at(end);
            *text = Cow::Borrowed(b);
            Cow::Borrowed(a)
        }
        Cow::Owned(s) => {
            let rest = s.split_off(end);
            Cow::Owned(std::mem::replace(s, rest))
        }
    }
}

/// Cut a run of one class off the front of `text`.
fn split_run<'a>(text: &mut Text<'a>) -> (Text<'a>, Class) {
    let bytes = text.as_bytes();
    let class = class_of(bytes[0]);
    // Class boundaries are at ASCII bytes, so always at char boundaries.
    let end = bytes
        .iter()
        .position(|&b| class_of(b) != class)
        .unwrap_or(bytes.len());
    (cut(text, end), class)
}

impl<'a> TreeBuilder<'a> {
    /// Process one token; returns the tokenizer state to switch to when the token requires
    /// one (after `<title>`, `<textarea>`, `<style>`, `<script>`, `<plaintext>`, …).
    ///
    /// The common cases are handled here, the rest out of line, so that this function's
    /// frame stays small (it runs once per token).
    pub fn process(&mut self, token: Token<'a>) -> Option<State> {
        if self.stopped {
            return None;
        }
        #[cfg(test)]
        self.check_foreign_open();
        if self.mode == Mode::InTableText && !matches!(token, Token::Characters(_)) {
            self.end_table_text();
        }
        let tok = match token {
            Token::Characters(text) => {
                // Not the first characters after `<pre>` and the like, and no NUL.
                let has_nul = || self.may_have_nul && memchr::memchr(0, text.as_bytes()).is_some();
                let plain = !(self.ignore_lf || text.is_empty() || has_nul());
                // The common case: in body (in cell and in caption process characters as
                // in body), HTML content, no NUL: one run.
                if plain
                    && matches!(self.mode, Mode::InBody | Mode::InCell | Mode::InCaption)
                    && self.adjusted_current_is_html()
                {
                    self.reconstruct_afe();
                    if self.frameset_ok && !is_all_space(&text) {
                        self.frameset_ok = false;
                    }
                    self.insert_chars(text);
                    return None;
                }
                if plain && self.starts_table_text() {
                    self.start_table_text(text);
                    return None;
                }
                return self.characters(text);
            }
            Token::StartTag(tag) => {
                let t = names::classify_atom(tag.name.atom);
                if self.adjusted_current_is_html() {
                    // HTML content: straight to the mode.
                    self.ignore_lf = false;
                    if self.is_plain_start(t) {
                        self.plain_start(t, tag);
                        return None;
                    }
                    // A table's rows and cells: their modes' first rules, directly.
                    match (self.mode, t) {
                        (Mode::InRow, T::Td | T::Th) => self.start_cell(t, tag),
                        (Mode::InTableBody, T::Tr) => self.start_row(tag),
                        _ => return self.html_content(Tok::Start(t, tag)),
                    }
                    return None;
                }
                Tok::Start(t, tag)
            }
            Token::EndTag(tag) => {
                let t = names::classify_atom(tag.name.atom);
                if self.adjusted_current_is_html() {
                    self.ignore_lf = false;
                    if self.end_tag_closed_current(t, &tag.name) {
                        return None;
                    }
                    match (self.mode, t) {
                        (Mode::InCell, T::Td | T::Th) => self.end_cell(t),
                        (Mode::InRow, T::Tr) => self.end_row(),
                        _ => return self.html_content(Tok::End(t, tag)),
                    }
                    return None;
                }
                Tok::End(t, tag)
            }
            Token::Comment(t) => Tok::Comment(t),
            Token::Doctype(d) => Tok::Doctype(d),
            Token::Eof => Tok::Eof,
        };
        self.ignore_lf = false;
        self.dispatch(tok)
    }

    /// A run of no characters, as html5lib's tree builder takes one (bleach's `strip=True`
    /// hands it one in place of each stripped tag) and does what any text that is not
    /// whitespace does there, but insert: where the "in body" rules process characters as
    /// HTML content, the active formatting elements are reconstructed; in a column group
    /// the group is closed. Elsewhere nothing changes, and the newline after `<pre>` is
    /// still the next token's to lose.
    pub fn empty_text(&mut self) {
        if self.stopped || !self.is_html_content(&Tok::Chars(Cow::Borrowed(""), Class::Other)) {
            return;
        }
        match self.mode {
            Mode::InBody | Mode::InCell | Mode::InCaption | Mode::InTemplate => {
                self.reconstruct_afe();
            }
            Mode::InColumnGroup if self.current_is(T::Colgroup) => {
                self.pop();
                self.mode = Mode::InTable;
            }
            _ => {}
        }
    }

    /// Characters but the common case of [`process`](Self::process).
    #[inline(never)]
    fn characters(&mut self, mut text: Text<'a>) -> Option<State> {
        if std::mem::take(&mut self.ignore_lf) && text.starts_with('\n') {
            text = match text {
                Cow::Borrowed(s) => Cow::Borrowed(&s[1..]),
                Cow::Owned(mut s) => {
                    s.remove(0);
                    Cow::Owned(s)
                }
            };
        }
        if text.is_empty() {
            return None;
        }
        match self.mode {
            // The current node is the raw text element (HTML), and the tokenizer already
            // replaced NULs in its text states.
            Mode::Text => {
                self.insert_chars(text);
                return None;
            }
            // Modes whose character handling (here or in the modes they defer to) treats
            // whitespace and other characters alike but for `frameset_ok` and table text's
            // non-space flag, and that never switch to a mode that tells them apart within
            // a token.
            Mode::InBody
            | Mode::InCell
            | Mode::InCaption
            | Mode::InTable
            | Mode::InTableText
            | Mode::InTableBody
            | Mode::InRow
            | Mode::InTemplate => return self.body_chars(text),
            _ => {}
        }
        let mut switch = None;
        while !text.is_empty() {
            let (run, class) = split_run(&mut text);
            if let Some(s) = self.dispatch(Tok::Chars(run, class)) {
                switch = Some(s);
            }
        }
        switch
    }

    /// A tag in HTML content: straight to the mode.
    #[inline(never)]
    fn html_content(&mut self, tok: Tok<'a>) -> Option<State> {
        let step = if self.mode == Mode::InBody {
            self.in_body(tok)
        } else {
            self.step(self.mode, tok)
        };
        self.after_step(step)
    }

    fn after_step(&mut self, step: Step<'a>) -> Option<State> {
        match step {
            Step::Done => None,
            Step::Switch(s) => Some(s),
            Step::Reprocess(mode, tok) => {
                self.mode = mode;
                self.dispatch(tok)
            }
        }
    }

    /// The unit tests check the count of foreign elements on the stack before every token.
    #[cfg(test)]
    fn check_foreign_open(&self) {
        let foreign = self.stack.iter().filter(|&&n| self.el(n).ns != Ns::Html);
        assert_eq!(self.foreign_open as usize, foreign.count());
    }

    /// Whether the adjusted current node is an HTML element (or there is none): every
    /// token is then HTML content.
    #[inline]
    fn adjusted_current_is_html(&self) -> bool {
        (self.foreign_open == 0 && self.context_is_html)
            || self
                .adjusted_current()
                .is_none_or(|n| self.el(n).ns == Ns::Html)
    }

    /// Characters in the "in body" or "text" insertion modes (HTML or foreign content):
    /// there whitespace and other characters differ only in clearing `frameset_ok`, so a
    /// run is split only at NULs (dropped in body, replaced in foreign content), not at
    /// every change between whitespace and the rest.
    fn body_chars(&mut self, mut text: Text<'a>) -> Option<State> {
        if !self.may_have_nul {
            let class = if text.bytes().all(|b| class_of(b) == Class::Space) {
                Class::Space
            } else {
                Class::Other
            };
            return self.dispatch(Tok::Chars(text, class));
        }
        let mut switch = None;
        while !text.is_empty() {
            let (run, class) = split_nul_run(&mut text);
            if let Some(s) = self.dispatch(Tok::Chars(run, class)) {
                switch = Some(s);
            }
        }
        switch
    }

    /// Whether a token goes to the insertion mode (HTML content) rather than foreign content.
    fn is_html_content(&self, tok: &Tok<'a>) -> bool {
        let Some(node) = self.adjusted_current() else {
            return true;
        };
        let e = self.el(node);
        if e.ns == Ns::Html || matches!(tok, Tok::Eof) {
            return true;
        }
        let is_chars = matches!(tok, Tok::Chars(..));
        if names::is_mathml_text_integration(e.ns, e.tag) {
            match tok {
                Tok::Start(t, _) if !matches!(t, T::Mglyph | T::Malignmark) => return true,
                _ if is_chars => return true,
                _ => {}
            }
        }
        if e.ns == Ns::MathMl && e.tag == T::AnnotationXml {
            if let Tok::Start(T::Svg, _) = tok {
                return true;
            }
        }
        let html_ip = e.html_integration_point || names::is_svg_html_integration(e.ns, e.tag);
        html_ip && (is_chars || matches!(tok, Tok::Start(..)))
    }

    pub(crate) fn dispatch(&mut self, mut tok: Tok<'a>) -> Option<State> {
        // Bounded: every reprocessing changes the mode or pops the stack.
        loop {
            let step = if self.is_html_content(&tok) {
                self.step(self.mode, tok)
            } else {
                self.foreign(tok)
            };
            match step {
                Step::Done => return None,
                Step::Switch(s) => return Some(s),
                Step::Reprocess(mode, t) => {
                    self.mode = mode;
                    tok = t;
                }
            }
        }
    }

    /// "The rules for parsing tokens in foreign content".
    fn foreign(&mut self, tok: Tok<'a>) -> Step<'a> {
        match tok {
            Tok::Chars(text, class) => {
                match class {
                    Class::Nul => {
                        let n = text.len();
                        self.insert_chars(Cow::Owned("\u{fffd}".repeat(n)));
                    }
                    Class::Space => self.insert_chars(text),
                    Class::Other => {
                        self.frameset_ok = false;
                        self.insert_chars(text);
                    }
                }
                Step::Done
            }
            Tok::Comment(t) => {
                self.insert_comment(t, None);
                Step::Done
            }
            Tok::Doctype(_) => Step::Done,
            Tok::Start(t, ref tag)
                if names::is_foreign_breakout(t)
                    || (t == T::Font
                        && tag
                            .attrs
                            .iter()
                            .any(|a| names::is_font_breakout_attr(&a.name.text))) =>
            {
                self.pop_to_html_content();
                self.step(self.mode, tok)
            }
            Tok::End(T::Br | T::P, _) => {
                self.pop_to_html_content();
                self.step(self.mode, tok)
            }
            Tok::Start(t, mut tag) => {
                let Some(acn) = self.adjusted_current() else {
                    return Step::Done;
                };
                let ns = self.el(acn).ns;
                match ns {
                    Ns::MathMl => foreign::adjust_mathml_attrs(&mut tag.attrs),
                    Ns::Svg => {
                        if let Some(n) = foreign::svg_tag_name(&tag.name.text) {
                            tag.name.text = Cow::Borrowed(n);
                        }
                        foreign::adjust_svg_attrs(&mut tag.attrs);
                    }
                    Ns::Html => {}
                }
                let self_closing = tag.self_closing;
                if self.insert_element(ns, t, tag).is_some() && self_closing {
                    self.pop();
                }
                Step::Done
            }
            Tok::End(_, ref tag) => {
                let mut i = self.stack.len() - 1;
                loop {
                    if i == 0 {
                        return Step::Done;
                    }
                    let node = self.stack[i];
                    if names::same_name_ignore_case(&self.el(node).name.text, &tag.name.text) {
                        self.pop_until_node(node);
                        return Step::Done;
                    }
                    i -= 1;
                    if self.el(self.stack[i]).ns == Ns::Html {
                        return self.step(self.mode, tok);
                    }
                }
            }
            Tok::Eof => self.step(self.mode, tok),
        }
    }

    /// Breakout from foreign content: pop until the current node is a MathML text
    /// integration point, an HTML integration point or an HTML element.
    fn pop_to_html_content(&mut self) {
        while let Some(c) = self.current() {
            let e = self.el(c);
            if e.ns == Ns::Html
                || names::is_mathml_text_integration(e.ns, e.tag)
                || e.html_integration_point
                || names::is_svg_html_integration(e.ns, e.tag)
            {
                break;
            }
            self.pop();
        }
    }

    pub(crate) fn step(&mut self, mode: Mode, tok: Tok<'a>) -> Step<'a> {
        match mode {
            Mode::Initial => self.initial(tok),
            Mode::BeforeHtml => self.before_html(tok),
            Mode::BeforeHead => self.before_head(tok),
            Mode::InHead => self.in_head(tok),
            Mode::InHeadNoscript => self.in_head_noscript(tok),
            Mode::AfterHead => self.after_head(tok),
            Mode::InBody => self.in_body(tok),
            Mode::Text => self.text(tok),
            Mode::InTable => self.in_table(tok),
            Mode::InTableText => self.in_table_text(tok),
            Mode::InCaption => self.in_caption(tok),
            Mode::InColumnGroup => self.in_column_group(tok),
            Mode::InTableBody => self.in_table_body(tok),
            Mode::InRow => self.in_row(tok),
            Mode::InCell => self.in_cell(tok),
            Mode::InTemplate => self.in_template(tok),
            Mode::AfterBody => self.after_body(tok),
            Mode::InFrameset => self.in_frameset(tok),
            Mode::AfterFrameset => self.after_frameset(tok),
            Mode::AfterAfterBody => self.after_after_body(tok),
            Mode::AfterAfterFrameset => self.after_after_frameset(tok),
        }
    }
}
