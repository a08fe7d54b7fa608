//! htmlguard's core: what is safe HTML, decided in one place.
//!
//! - `policy`: what a user wrote, validated and compiled into the decisions (`Rules`).
//! - `engine`: the pipeline, and the engine behind a seam that applies the rules.
//! - `html`: HTML as bytes and text (pre-scan lexer, splitting, escaping, serializing).
//! - `parser`: our own tokenizer and tree builder (the next engine's parser).
//! - `report`: the record of what was removed.
//! - `columns`: a bulk job's column in Arrow's layout, sanitized in one call.
//! - `linkify`, `hooks`: links made from text; the caller's link and attribute hooks.
//! - `handoff`: the queue `sanitize_async`'s background threads take their jobs from.
//!
//! Everything here except `bindings` is plain Rust and runs under `cargo test`.

pub mod audit;
pub mod columns;
pub mod engine;
pub mod handoff;
pub mod hooks;
pub mod html;
pub mod linkify;
pub mod parser;
pub mod policy;
mod pool;
pub mod report;
pub mod text;

#[cfg(feature = "python")]
mod bindings;

#[cfg(not(ammonia_unstable))]
compile_error!(
    "htmlguard needs ammonia's DOM access: build with RUSTFLAGS=\"--cfg ammonia_unstable\" \
     (set by .cargo/config.toml; an explicit RUSTFLAGS replaces it)"
);
