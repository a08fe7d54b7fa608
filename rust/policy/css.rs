//! The `style` attribute filter: declarations of allowed properties are kept, written back
//! in a normal form (`name:value` joined by `;`, tokens separated by single spaces); every
//! other declaration goes, and so does any value that could load something or hide what it
//! is (`url()`, `image()`, `image-set()`, `element()`, `expression()`, `@`-rules).
//! cssparser reads the value, so CSS escapes and comments cannot disguise a function name.

use std::collections::HashSet;

use cssparser::{Parser, ToCss, Token};

/// Functions whose arguments fetch or run something.
const LOADING: &[&str] = &[
    "url",
    "src",
    "image",
    "image-set",
    "-webkit-image-set",
    "element",
    "cross-fade",
    "-webkit-cross-fade",
    "expression",
    "paint",
];

/// Nesting of parentheses and blocks read inside one value: deeper values are dropped
/// rather than followed (each level is a recursion in the reader).
const MAX_NESTING: usize = 16;

/// `style` with only the declarations of `allowed` properties that are safe to keep;
/// `removed(property, value)` hears of every declaration left out.
pub fn filter_style(
    style: &str,
    allowed: &HashSet<String>,
    removed: &mut dyn FnMut(&str, &str),
) -> String {
    let mut p = Parser::new(style);
    let mut out = String::with_capacity(style.len());
    loop {
        let start = p.state();
        let name = match p.next() {
            Err(_) => break,
            Ok(Token::Semicolon) => continue,
            Ok(Token::Ident(name)) => name.to_string(),
            Ok(_) => {
                skip_declaration(&mut p);
                let text = p.slice_from(start.position()).trim_end_matches(';').trim();
                if !text.is_empty() {
                    removed(text, "");
                }
                continue;
            }
        };
        let value_start = p.position();
        let value = if p.expect_colon().is_ok() {
            let mut v = String::new();
            let ok = read_value(&mut p, &mut v, 0);
            ok.then_some(v)
        } else {
            None
        };
        if value.is_none() {
            skip_declaration(&mut p);
        }
        let text = p
            .slice_from(value_start)
            .trim_start_matches(|c: char| c.is_whitespace() || c == ':')
            .trim_end_matches(';')
            .trim();
        match value {
            Some(v) if allowed.contains(&name) && !v.is_empty() => {
                if !out.is_empty() {
                    out.push(';');
                }
                out.push_str(&name);
                out.push(':');
                out.push_str(&v);
            }
            _ => removed(&name, text),
        }
    }
    out
}

/// Skip to just past the next top-level `;` (or the end).
fn skip_declaration(p: &mut Parser<'_>) {
    while let Ok(t) = p.next() {
        if matches!(t, Token::Semicolon) {
            return;
        }
    }
}

/// Append the tokens of a value up to the next top-level `;`, consuming it. False when the
/// value holds something that is never kept.
fn read_value(p: &mut Parser<'_>, out: &mut String, depth: usize) -> bool {
    loop {
        let token = match p.next() {
            Err(_) => return true,
            Ok(t) => t.clone(),
        };
        match &token {
            Token::Semicolon if depth == 0 => return true,
            Token::UnquotedUrl(_)
            | Token::BadUrl(_)
            | Token::BadString(_)
            | Token::AtKeyword(_)
            | Token::CloseParenthesis
            | Token::CloseSquareBracket
            | Token::CloseCurlyBracket => return false,
            Token::Function(name) if LOADING.iter().any(|f| name.eq_ignore_ascii_case(f)) => {
                return false
            }
            _ => {}
        }
        let separate = !out.is_empty()
            && !out.ends_with(['(', '[', '{', ' '])
            && !matches!(token, Token::Comma);
        if separate {
            out.push(' ');
        }
        if token.to_css(out).is_err() {
            return false;
        }
        let close = match token {
            Token::Function(_) | Token::ParenthesisBlock => ")",
            Token::SquareBracketBlock => "]",
            Token::CurlyBracketBlock => "}",
            _ => continue,
        };
        if depth + 1 >= MAX_NESTING {
            return false;
        }
        let inner = p.parse_nested_block(|p| {
            if read_value(p, out, depth + 1) {
                Ok(())
            } else {
                Err(p.new_error_for_next_token::<()>())
            }
        });
        if inner.is_err() {
            return false;
        }
        out.push_str(close);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(style: &str, allowed: &[&str]) -> (String, Vec<(String, String)>) {
        let allowed: HashSet<String> = allowed.iter().map(|s| s.to_string()).collect();
        let mut removed = Vec::new();
        let out = filter_style(style, &allowed, &mut |n, v| {
            removed.push((n.to_string(), v.to_string()))
        });
        (out, removed)
    }

    #[test]
    fn keeps_allowed_declarations_in_normal_form() {
        let (out, removed) = filter(
            "font-style: italic; position:fixed ;color : rgb(1,2, 3) ;margin:0  auto;",
            &["font-style", "color", "margin"],
        );
        assert_eq!(out, "font-style:italic;color:rgb(1, 2, 3);margin:0 auto");
        assert_eq!(removed, [("position".to_string(), "fixed".to_string())]);
    }

    #[test]
    fn loading_and_hidden_values_are_dropped() {
        for style in [
            "color: url(https://x.org/a.png)",
            "color: URL('https://x.org/a.png')",
            "color: \\75rl(x)",
            "color: \\75 rl(x)",
            "color: u\\rl(x)",
            "color: \\000055RL(x)",
            "color: \\65 xpression(x)",
            "color: -webkit-image-set('a.png' 1x)",
            "color: red; @import 'x.css'",
            "color: u/**/rl(x)",
            "color: expression(alert(1))",
            "color: image-set('a.png' 1x)",
            "color: @import",
            "color: red)",
        ] {
            let (out, removed) = filter(style, &["color"]);
            let lower = out.to_ascii_lowercase();
            assert!(
                ["url", "expression", "image", "@", "import", "\\"]
                    .iter()
                    .all(|bad| !lower.contains(bad)),
                "{style}: {out}"
            );
            if out.is_empty() {
                assert_eq!(removed.len(), 1, "{style}");
            }
        }
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let style = format!("color: {}red", "(".repeat(100_000));
        let (out, _) = filter(&style, &["color"]);
        assert_eq!(out, "");
    }

    #[test]
    fn junk_between_declarations_is_skipped() {
        let (out, _) = filter("{x} ; color: red; 3px; width: 1px", &["color", "width"]);
        assert_eq!(out, "color:red;width:1px");
    }
}
