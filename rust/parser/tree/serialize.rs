//! The html5lib tree-construction test format (`| <html>`, two spaces per level,
//! attributes sorted, `svg `/`math ` prefixes, `content` for template contents).

use std::fmt::Write;

use super::dom::{attr_ns, AttrNs, Dom, NodeData, NodeId, Ns};

/// The test-format dump of a document, or of a fragment's children.
pub fn to_test_format(dom: &Dom<'_>) -> String {
    let mut out = String::new();
    // An explicit stack: a tree can be as deep as its input.
    let mut work: Vec<(NodeId, usize, bool)> = Vec::new();
    let push_children = |work: &mut Vec<(NodeId, usize, bool)>, parent: NodeId, depth: usize| {
        let kids: Vec<NodeId> = dom.children(parent).collect();
        for &k in kids.iter().rev() {
            work.push((k, depth, false));
        }
    };
    push_children(&mut work, dom.root, 0);
    while let Some((id, depth, is_content)) = work.pop() {
        let indent = "  ".repeat(depth);
        if is_content {
            let _ = writeln!(out, "| {indent}content");
            push_children(&mut work, id, depth + 1);
            continue;
        }
        match &dom.node(id).data {
            NodeData::Document | NodeData::Fragment => {}
            NodeData::Doctype {
                name,
                public_id,
                system_id,
            } => {
                if public_id.is_empty() && system_id.is_empty() {
                    let _ = writeln!(out, "| {indent}<!DOCTYPE {name}>");
                } else {
                    let _ = writeln!(
                        out,
                        "| {indent}<!DOCTYPE {name} \"{public_id}\" \"{system_id}\">"
                    );
                }
            }
            NodeData::Text(t) => {
                let _ = writeln!(out, "| {indent}\"{t}\"");
            }
            NodeData::Comment(t) => {
                let _ = writeln!(out, "| {indent}<!-- {t} -->");
            }
            NodeData::Element(e) => {
                let prefix = match e.ns {
                    Ns::Html => "",
                    Ns::Svg => "svg ",
                    Ns::MathMl => "math ",
                };
                let _ = writeln!(out, "| {indent}<{prefix}{}>", e.name.text);
                let mut attrs: Vec<(String, &str)> = e
                    .attrs
                    .iter()
                    .map(|a| {
                        let (ns, local) = attr_ns(e.ns, &a.name.text);
                        let p = match ns {
                            AttrNs::None => "",
                            AttrNs::XLink => "xlink ",
                            AttrNs::Xml => "xml ",
                            AttrNs::Xmlns => "xmlns ",
                        };
                        (format!("{p}{local}"), &*a.value)
                    })
                    .collect();
                attrs.sort();
                for (n, v) in attrs {
                    let _ = writeln!(out, "| {indent}  {n}=\"{v}\"");
                }
                if let Some(c) = e.template_contents {
                    work.push((c, depth + 1, true));
                }
                push_children(&mut work, id, depth + 1);
            }
        }
    }
    out
}
