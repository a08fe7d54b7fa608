//! htmlguard's core: what is safe HTML, decided in one place.
//!
//! Everything here except `bindings` is plain Rust and runs under `cargo test`.

pub mod audit;
pub mod inspect;
mod intern;
pub mod options;
pub mod parse;
pub mod policy;
mod pool;
pub mod presets;
pub mod registry;
pub mod sanitize;
pub mod scan;
pub mod serialize;
pub mod split;
pub mod text;

#[cfg(feature = "python")]
mod bindings;

#[cfg(not(ammonia_unstable))]
compile_error!(
    "htmlguard needs ammonia's DOM access: build with RUSTFLAGS=\"--cfg ammonia_unstable\" \
     (set by .cargo/config.toml; an explicit RUSTFLAGS replaces it)"
);
