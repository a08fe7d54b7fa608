//! What the parser gates (`tests/html5lib_*.rs`) share.

use std::path::PathBuf;

/// `part` (`tokenizer` or `tree-construction`) of the html5lib conformance suites:
/// `$HTMLGUARD_HTML5LIB_DIR/part` when that is set, else `../shared/html5lib-tests/part`
/// beside the repository. Panics when it is not there: a gate that finds no tests must
/// not pass.
pub fn html5lib_dir(part: &str) -> PathBuf {
    let root = match std::env::var_os("HTMLGUARD_HTML5LIB_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/html5lib-tests"),
    };
    let dir = root.join(part);
    assert!(
        dir.is_dir(),
        "{} is missing: the html5lib suites go in ../shared/html5lib-tests beside the \
         repository, or set HTMLGUARD_HTML5LIB_DIR",
        dir.display()
    );
    dir
}
