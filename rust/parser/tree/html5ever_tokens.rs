//! INTERIM DRIVER until our tokenizer lands: runs html5ever's tokenizer and feeds its
//! tokens to our [`TreeBuilder`], honouring the state switches the builder asks for and
//! answering the tokenizer's CDATA question from [`TreeBuilder::cdata_allowed`]. It will be
//! replaced by a short loop over our tokenizer:
//! `loop { let t = tok.next_token(); let eof = t == Eof; if let Some(s) = tb.process(t) {
//! tok.set_state(s) }; tok.set_cdata_allowed(tb.cdata_allowed()); if eof { break } }`.
//! Tokens are converted to owned text, so the tree borrows nothing from the input.

use std::borrow::Cow;
use std::cell::RefCell;

use html5ever::buffer_queue::BufferQueue;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::{self, RawKind};
use html5ever::tokenizer::{
    self as h5, TagKind, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::TokenizerResult;

use super::builder::name_of;
use super::{ContextElement, Dom, Opts, TreeBuilder};
use crate::parser::token::{Attribute, Doctype, State, Tag, Token};

struct Sink {
    tb: RefCell<Option<TreeBuilder<'static>>>,
}

fn owned(t: StrTendril) -> Cow<'static, str> {
    Cow::Owned(String::from(t))
}

fn convert(token: h5::Token) -> Option<Token<'static>> {
    Some(match token {
        h5::Token::DoctypeToken(d) => Token::Doctype(Box::new(Doctype {
            name: d.name.map(owned),
            public_id: d.public_id.map(owned),
            system_id: d.system_id.map(owned),
            force_quirks: d.force_quirks,
        })),
        h5::Token::TagToken(tag) => {
            let t = Tag {
                name: name_of(Cow::Owned(tag.name.to_string())),
                attrs: tag
                    .attrs
                    .into_iter()
                    .map(|a| Attribute {
                        name: name_of(Cow::Owned(a.name.local.to_string())),
                        value: owned(a.value),
                    })
                    .collect(),
                self_closing: tag.self_closing,
            };
            match tag.kind {
                TagKind::StartTag => Token::StartTag(t),
                TagKind::EndTag => Token::EndTag(t),
            }
        }
        h5::Token::CommentToken(t) => Token::Comment(owned(t)),
        h5::Token::CharacterTokens(t) => Token::Characters(owned(t)),
        h5::Token::NullCharacterToken => Token::Characters(Cow::Borrowed("\0")),
        h5::Token::EOFToken => Token::Eof,
        h5::Token::ParseError(_) => return None,
    })
}

fn result_for(state: State) -> TokenSinkResult<()> {
    match state {
        State::Data | State::CdataSection => TokenSinkResult::Continue,
        State::RcData => TokenSinkResult::RawData(RawKind::Rcdata),
        State::RawText => TokenSinkResult::RawData(RawKind::Rawtext),
        State::ScriptData => TokenSinkResult::RawData(RawKind::ScriptData),
        State::PlainText => TokenSinkResult::Plaintext,
    }
}

fn h5_state(state: State) -> states::State {
    match state {
        State::Data | State::CdataSection => states::State::Data,
        State::RcData => states::State::RawData(RawKind::Rcdata),
        State::RawText => states::State::RawData(RawKind::Rawtext),
        State::ScriptData => states::State::RawData(RawKind::ScriptData),
        State::PlainText => states::State::Plaintext,
    }
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: h5::Token, _line: u64) -> TokenSinkResult<()> {
        let Some(token) = convert(token) else {
            return TokenSinkResult::Continue;
        };
        let mut tb = self.tb.borrow_mut();
        let Some(tb) = tb.as_mut() else {
            return TokenSinkResult::Continue;
        };
        match tb.process(token) {
            Some(state) => result_for(state),
            None => TokenSinkResult::Continue,
        }
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.tb
            .borrow()
            .as_ref()
            .is_some_and(|tb| tb.cdata_allowed())
    }
}

fn run(html: &str, tb: TreeBuilder<'static>) -> Dom<'static> {
    let opts = TokenizerOpts {
        initial_state: Some(h5_state(tb.initial_state())),
        ..Default::default()
    };
    let tokenizer = Tokenizer::new(
        Sink {
            tb: RefCell::new(Some(tb)),
        },
        opts,
    );
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    while !matches!(tokenizer.feed(&input), TokenizerResult::Done) {}
    tokenizer.end();
    let tb = tokenizer.sink.tb.borrow_mut().take().expect("the builder");
    tb.finish()
}

/// Parse a whole document.
pub fn parse_document(html: &str, opts: Opts) -> Dom<'static> {
    run(html, TreeBuilder::new_document(opts))
}

/// Parse a fragment in `context`.
pub fn parse_fragment(html: &str, context: ContextElement, opts: Opts) -> Dom<'static> {
    run(html, TreeBuilder::new_fragment(context, opts))
}
