//! The html5lib tokenizer conformance tests (`html5lib-tests/tokenizer/*.test`): every test
//! of every file, once per listed initial state, with its `lastStartTag`. The token stream
//! (adjacent character tokens coalesced, as the format requires) must equal `output`.
//! Parse errors are not compared: the tokenizer does not report them.
//!
//! Two adaptations, both forced by the format rather than chosen:
//! - A Rust `&str` cannot hold a lone surrogate (`unicodeCharsProblematic.test`'s
//!   double-escaped `\uD800`); such code points become U+FFFD in both input and expected
//!   output, as they would on their way in from Python (CPython cannot encode them to
//!   UTF-8 either).
//! - `xmlViolation.test` expects the "coercing an HTML DOM into an infoset" tweaks; they
//!   are applied to our output for that file only.
//!
//! The directory is `$HTMLGUARD_HTML5LIB_DIR`, else `../shared/html5lib-tests` next to the
//! repository; the test fails when it is missing.

mod support;

use std::path::PathBuf;

use htmlguard::parser::token::{State, Token};
use htmlguard::parser::tokenizer::Tokenizer;
use serde_json::{json, Map, Value};

/// `\uHHHH` escapes (pairs combined; a lone surrogate becomes U+FFFD).
fn unescape(s: &str) -> String {
    let mut units = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut out = String::new();
    let flush = |units: &mut Vec<u16>, out: &mut String| {
        out.extend(char::decode_utf16(units.drain(..)).map(|c| c.unwrap_or('\u{FFFD}')));
    };
    while i < s.len() {
        if bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'u') && i + 6 <= s.len() {
            if let Ok(u) = u16::from_str_radix(&s[i + 2..i + 6], 16) {
                units.push(u);
                i += 6;
                continue;
            }
        }
        flush(&mut units, &mut out);
        let c = s[i..].chars().next().unwrap();
        out.push(c);
        i += c.len_utf8();
    }
    flush(&mut units, &mut out);
    out
}

fn unescape_value(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(unescape(s)),
        Value::Array(a) => Value::Array(a.iter().map(unescape_value).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (unescape(k), unescape_value(v)))
                .collect(),
        ),
        v => v.clone(),
    }
}

fn state_of(name: &str) -> State {
    match name {
        "Data state" => State::Data,
        "PLAINTEXT state" => State::PlainText,
        "RCDATA state" => State::RcData,
        "RAWTEXT state" => State::RawText,
        "Script data state" => State::ScriptData,
        "CDATA section state" => State::CdataSection,
        other => panic!("unknown initial state {other}"),
    }
}

/// Coalesces adjacent `["Character", ..]` tokens.
fn push_token(out: &mut Vec<Value>, tok: Value) {
    if let (Some(Value::Array(last)), Value::Array(new)) = (out.last_mut(), &tok) {
        if last[0] == "Character" && new[0] == "Character" {
            let joined = format!("{}{}", last[1].as_str().unwrap(), new[1].as_str().unwrap());
            last[1] = Value::String(joined);
            return;
        }
    }
    out.push(tok);
}

fn xml_coerce(tok: Value) -> Value {
    let Value::Array(mut t) = tok else { return tok };
    if let Some(s) = t.get(1).and_then(Value::as_str).map(str::to_owned) {
        if t[0] == "Character" {
            let s: String = s
                .chars()
                .map(|c| match c {
                    '\u{C}' => ' ',
                    '\u{FFFE}' | '\u{FFFF}' => '\u{FFFD}',
                    c => c,
                })
                .collect();
            t[1] = Value::String(s);
        } else if t[0] == "Comment" {
            let mut s = s;
            while s.contains("--") {
                s = s.replace("--", "- -");
            }
            t[1] = Value::String(s);
        }
    }
    Value::Array(t)
}

fn run(input: &str, state: State, last_start_tag: Option<&str>) -> Vec<Value> {
    let mut tokenizer = Tokenizer::new(input);
    tokenizer.set_state(state);
    tokenizer.set_last_start_tag(last_start_tag);
    let mut out = Vec::new();
    loop {
        let value = match tokenizer.next_token() {
            Token::Eof => break,
            Token::Characters(text) => json!(["Character", text]),
            Token::Comment(text) => json!(["Comment", text]),
            Token::Doctype(d) => {
                json!(["DOCTYPE", d.name, d.public_id, d.system_id, !d.force_quirks])
            }
            Token::EndTag(tag) => json!(["EndTag", tag.name.text]),
            Token::StartTag(tag) => {
                let mut attrs = Map::new();
                for a in &tag.attrs {
                    let previous = attrs.insert(a.name.text.to_string(), json!(a.value));
                    assert!(previous.is_none(), "duplicate attribute {}", a.name.text);
                }
                let mut v = vec![
                    json!("StartTag"),
                    json!(tag.name.text),
                    Value::Object(attrs),
                ];
                if tag.self_closing {
                    v.push(json!(true));
                }
                tokenizer.recycle(tag.attrs);
                Value::Array(v)
            }
        };
        push_token(&mut out, value);
    }
    out
}

#[test]
fn html5lib_tokenizer() {
    let dir = support::html5lib_dir("tokenizer");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "test"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .test files in {}", dir.display());
    let (mut total_expected, mut total_run, mut failures) = (0, 0, Vec::new());
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let xml = doc.get("xmlViolationTests").is_some();
        let tests = doc
            .get("tests")
            .or_else(|| doc.get("xmlViolationTests"))
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("{name}: no tests"));
        let expected_runs: usize = tests
            .iter()
            .map(|t| {
                t.get("initialStates")
                    .and_then(Value::as_array)
                    .map_or(1, Vec::len)
            })
            .sum();
        let (mut run_here, mut passed) = (0, 0);
        for test in tests {
            let double = test.get("doubleEscaped") == Some(&Value::Bool(true));
            let raw_input = test["input"].as_str().unwrap();
            let input = if double {
                unescape(raw_input)
            } else {
                raw_input.to_owned()
            };
            let mut expected_raw = Vec::new();
            for tok in test["output"].as_array().unwrap() {
                let tok = if double {
                    unescape_value(tok)
                } else {
                    tok.clone()
                };
                push_token(&mut expected_raw, tok);
            }
            let states: Vec<&str> = match test.get("initialStates") {
                Some(s) => s
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap())
                    .collect(),
                None => vec!["Data state"],
            };
            let last = test.get("lastStartTag").and_then(Value::as_str);
            for state in states {
                run_here += 1;
                let mut actual = run(&input, state_of(state), last);
                if xml {
                    actual = actual.into_iter().map(xml_coerce).collect();
                }
                if actual == expected_raw {
                    passed += 1;
                } else {
                    failures.push(format!(
                        "{name}: {} [{state}]\n  input:    {input:?}\n  expected: {}\n  actual:   {}",
                        test["description"],
                        Value::Array(expected_raw.clone()),
                        Value::Array(actual),
                    ));
                }
            }
        }
        println!("{name}: {passed}/{run_here} passed");
        assert_eq!(run_here, expected_runs, "{name}: not every test ran");
        total_expected += expected_runs;
        total_run += run_here;
    }
    println!("total: {}/{total_run} passed", total_run - failures.len());
    assert_eq!(total_run, total_expected);
    assert!(total_run > 0);
    for f in failures.iter().take(40) {
        println!("{f}");
    }
    assert!(
        failures.is_empty(),
        "{} html5lib tokenizer tests failed",
        failures.len()
    );
}
