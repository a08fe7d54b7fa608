//! Element names of the three namespaces an HTML fragment can hold, for the sanitizer's
//! namespace check: an element may only change namespace where the parser itself would
//! switch (`<svg>`, `<math>`, the integration points), and a name must belong to the
//! namespace it is in. Lists from the SVG 2 element index (plus SVG 1.1's `animateColor`)
//! and MathML's presentation and content elements; sorted (bytewise) for binary search.

/// SVG element names.
pub const SVG: &[&str] = &[
    "a", "animate", "animateColor", "animateMotion", "animateTransform", "circle", "clipPath",
    "defs", "desc", "discard", "ellipse", "feBlend", "feColorMatrix", "feComponentTransfer",
    "feComposite", "feConvolveMatrix", "feDiffuseLighting", "feDisplacementMap",
    "feDistantLight", "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR",
    "feGaussianBlur", "feImage", "feMerge", "feMergeNode", "feMorphology", "feOffset",
    "fePointLight", "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence", "filter",
    "foreignObject", "g", "image", "line", "linearGradient", "marker", "mask", "metadata",
    "mpath", "path", "pattern", "polygon", "polyline", "radialGradient", "rect", "script",
    "set", "stop", "style", "svg", "switch", "symbol", "text", "textPath", "title", "tspan",
    "use", "view",
];

/// MathML element names.
pub const MATHML: &[&str] = &[
    "abs", "and", "annotation", "annotation-xml", "apply", "approx", "arccos", "arccosh",
    "arccot", "arccoth", "arccsc", "arccsch", "arcsec", "arcsech", "arcsin", "arcsinh",
    "arctan", "arctanh", "arg", "bind", "bvar", "card", "cartesianproduct", "cbytes", "ceiling",
    "cerror", "ci", "cn", "codomain", "complexes", "compose", "condition", "conjugate", "cos",
    "cosh", "cot", "coth", "cs", "csc", "csch", "csymbol", "curl", "declare", "degree",
    "determinant", "diff", "divergence", "divide", "domain", "domainofapplication", "emptyset",
    "eq", "equivalent", "eulergamma", "exists", "exp", "exponentiale", "factorial", "factorof",
    "false", "floor", "fn", "forall", "gcd", "geq", "grad", "gt", "ident", "image", "imaginary",
    "imaginaryi", "implies", "in", "infinity", "int", "integers", "intersect", "interval",
    "inverse", "lambda", "laplacian", "lcm", "leq", "limit", "list", "ln", "log", "logbase",
    "lowlimit", "lt", "maction", "maligngroup", "malignmark", "math", "matrix", "matrixrow",
    "max", "mean", "median", "menclose", "merror", "mfenced", "mfrac", "mglyph", "mi", "min",
    "minus", "mlabeledtr", "mlongdiv", "mmultiscripts", "mn", "mo", "mode", "moment",
    "momentabout", "mover", "mpadded", "mphantom", "mprescripts", "mroot", "mrow", "ms",
    "mscarries", "mscarry", "msgroup", "msline", "mspace", "msqrt", "msrow", "mstack", "mstyle",
    "msub", "msubsup", "msup", "mtable", "mtd", "mtext", "mtr", "munder", "munderover",
    "naturalnumbers", "neq", "none", "not", "notanumber", "notin", "notprsubset", "notsubset",
    "or", "otherwise", "outerproduct", "partialdiff", "pi", "piece", "piecewise", "plus",
    "power", "primes", "product", "prsubset", "quotient", "rationals", "real", "reals", "reln",
    "rem", "root", "scalarproduct", "sdev", "sec", "sech", "selector", "semantics", "sep",
    "set", "setdiff", "share", "sin", "sinh", "span", "subset", "sum", "tan", "tanh", "tendsto",
    "times", "transpose", "true", "union", "uplimit", "variance", "vector", "vectorproduct",
    "xor",
];

/// SVG's animation elements, whose `attributeName` can make them set any attribute of
/// their target.
pub fn is_svg_animation(name: &str) -> bool {
    matches!(
        name,
        "animate" | "animateMotion" | "animateTransform" | "set" | "animateColor"
    )
}

pub fn is_svg(name: &str) -> bool {
    SVG.binary_search(&name).is_ok()
}

pub fn is_mathml(name: &str) -> bool {
    MATHML.binary_search(&name).is_ok()
}

/// Names that are HTML elements: anything not SVG or MathML, and the few both share.
pub fn is_html(name: &str) -> bool {
    (!is_svg(name) && !is_mathml(name))
        || matches!(name, "title" | "style" | "font" | "a" | "script" | "span")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_and_answer() {
        assert!(SVG.windows(2).all(|w| w[0] < w[1]));
        assert!(MATHML.windows(2).all(|w| w[0] < w[1]));
        assert!(is_svg("foreignObject") && is_svg("svg") && !is_svg("div"));
        assert!(is_mathml("mi") && is_mathml("annotation-xml") && !is_mathml("p"));
        assert!(is_html("p") && is_html("a") && is_html("title") && !is_html("mi"));
    }
}
