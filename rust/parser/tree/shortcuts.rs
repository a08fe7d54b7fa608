//! Shortcuts for the commonest tags in body: what the full insertion-mode rules would do,
//! taken without building a [`Tok`](super::builder::Tok), matching on every mode and rule,
//! or moving the tag through them. "In cell" and "in caption" defer these tags to "in
//! body", so the shortcuts hold there too.

use super::builder::{Entry, Mode, TreeBuilder};
use super::dom::Ns;
use super::names::{self, T};
use crate::parser::token::{Name, Tag, Text};

impl<'a> TreeBuilder<'a> {
    /// In a body-like mode with HTML content.
    #[inline]
    fn body_like(&self) -> bool {
        matches!(self.mode, Mode::InBody | Mode::InCell | Mode::InCaption)
    }

    /// Whether body's rule for this start tag is "reconstruct the active formatting
    /// elements, insert the element" (and, for a formatting element, push it on the list).
    /// `a` and `nobr`, which first close an open one, take the long way.
    #[inline]
    pub(super) fn is_plain_start(&self, t: T) -> bool {
        self.body_like()
            && (matches!(t, T::Other | T::Span | T::Sub | T::Sup | T::Var | T::Ruby)
                || (names::is_formatting(t) && !matches!(t, T::A | T::Nobr)))
    }

    /// Body's rule for a start tag [`is_plain_start`](Self::is_plain_start) accepts.
    pub(super) fn plain_start(&mut self, t: T, tag: Tag<'a>) {
        self.reconstruct_afe();
        if let Some(id) = self.insert_html(t, tag) {
            if names::is_formatting(t) {
                self.push_formatting(id);
            }
        }
    }

    /// An end tag for the current node, in a body-like mode: every rule that can apply
    /// then only pops it (the scope checks find it first; implied end tags stop at it; the
    /// adoption agency's short case when it is a formatting element that is the list's
    /// last entry or not in the list). Tags with rules of their own (mode switches, the
    /// form pointer, markers, table structure) are left to them. Returns whether it acted.
    pub(super) fn end_tag_closed_current(&mut self, t: T, name: &Name<'a>) -> bool {
        if !self.body_like() || has_own_end_rule(t) || self.stack.len() < 2 {
            return false;
        }
        let Some(&c) = self.stack.last() else {
            return false;
        };
        let e = self.el(c);
        if e.ns != Ns::Html || e.tag != t || !names::same_name(&e.name, name) {
            return false;
        }
        if e.in_afe {
            if self.afe.last() != Some(&Entry::El(c)) {
                return false;
            }
            self.afe.pop();
            self.el_mut(c).in_afe = false;
        }
        self.pop();
        true
    }
}

impl<'a> TreeBuilder<'a> {
    /// Whether characters (without NUL) now start "in table text": in table, in table
    /// body or in row with a table-ish current node (then also the adjusted current node,
    /// as a fragment's root is `html`), in HTML content.
    #[inline]
    pub(super) fn starts_table_text(&self) -> bool {
        matches!(self.mode, Mode::InTable | Mode::InTableBody | Mode::InRow)
            && self.current_is_table_ish()
    }

    /// What "in table" then "in table text" do with such characters: keep them pending.
    pub(super) fn start_table_text(&mut self, text: Text<'a>) {
        self.orig_mode = self.mode;
        self.mode = Mode::InTableText;
        self.pending_non_space = !super::dispatch::is_all_space(&text);
        self.pending_table_text = text;
    }

    /// "In table text" for any token but characters: insert the pending text and go back
    /// to the original mode, which then processes the token (as the mode's reprocessing
    /// would: the current node is still an HTML element, so the token is HTML content).
    pub(super) fn end_table_text(&mut self) {
        self.flush_table_text();
        self.mode = self.orig_mode;
    }
}

/// End tags whose rule in body, in cell or in caption does more than pop the current node
/// when it has their name.
fn has_own_end_rule(t: T) -> bool {
    use T::*;
    matches!(
        t,
        Body | Html
            | Form
            | Template
            | Br
            | Applet
            | Marquee
            | Object
            | Caption
            | Col
            | Colgroup
            | Table
            | Tbody
            | Td
            | Tfoot
            | Th
            | Thead
            | Tr
    )
}

#[cfg(test)]
mod tests {
    use crate::parser::tree::tests::ours as tree;

    #[test]
    fn a_closed_formatting_element_leaves_the_list() {
        // `</b>` pops the `b` and takes it off the list: the `x` is not wrapped again.
        assert_eq!(tree("<b>a</b>x"), "| <b>\n|   \"a\"\n| \"x\"\n");
    }

    #[test]
    fn a_formatting_element_not_last_in_the_list_takes_the_adoption_agency() {
        // After `</p>` the `i` is closed but still listed after the `b`: `</b>` is then
        // not the short case, and the `i` is reopened for the `y`.
        assert_eq!(
            tree("<b><p><i>x</p></b>y"),
            "| <b>\n|   <p>\n|     <i>\n|       \"x\"\n| <i>\n|   \"y\"\n"
        );
    }

    #[test]
    fn an_end_tag_with_an_own_rule_is_not_shortcut() {
        // `</form>` clears the form pointer, so a later `<form>` opens.
        assert_eq!(tree("<form></form><form>"), "| <form>\n| <form>\n");
        // `</object>` clears the list down to its marker, so the closed `b` before it is
        // reopened for the `x`.
        assert_eq!(
            tree("<p><b><object></object></p>x"),
            "| <p>\n|   <b>\n|     <object>\n| <b>\n|   \"x\"\n"
        );
    }

    #[test]
    fn an_end_tag_for_another_unknown_element_does_not_close_the_current_one() {
        // Same class (T::Other), different names.
        assert_eq!(tree("<x-a><x-b></x-b>t"), "| <x-a>\n|   <x-b>\n|   \"t\"\n");
        assert_eq!(tree("<x-a><x-b></x-a>t"), "| <x-a>\n|   <x-b>\n| \"t\"\n");
        assert_eq!(tree("<x-a></x-a>t"), "| <x-a>\n| \"t\"\n");
    }

    #[test]
    fn in_a_cell_plain_tags_act_as_in_body() {
        assert_eq!(
            tree("<table><td><span><b>x</b></span>y</table>"),
            "| <table>\n|   <tbody>\n|     <tr>\n|       <td>\n|         <span>\n|           \
             <b>\n|             \"x\"\n|         \"y\"\n"
        );
    }

    #[test]
    fn a_plain_start_tag_reconstructs_the_formatting_elements() {
        assert_eq!(
            tree("<p><b>x<p><span>y"),
            "| <p>\n|   <b>\n|     \"x\"\n| <p>\n|   <b>\n|     <span>\n|       \"y\"\n"
        );
    }
}
