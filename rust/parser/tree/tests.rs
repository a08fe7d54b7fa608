use super::html5ever_tokens::{parse_document, parse_fragment};
use super::serialize::to_test_format;
use super::*;

fn doc(html: &str) -> String {
    to_test_format(&parse_document(html, Opts::default()))
}

#[test]
fn simple_document() {
    assert_eq!(
        doc("<p>One<p>Two"),
        "| <html>\n|   <head>\n|   <body>\n|     <p>\n|       \"One\"\n|     <p>\n|       \"Two\"\n"
    );
}

#[test]
fn fragment_in_div() {
    let d = parse_fragment("<b>x</b>", ContextElement::div(), Opts::default());
    assert_eq!(to_test_format(&d), "| <b>\n|   \"x\"\n");
}
