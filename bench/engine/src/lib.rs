//! Engine study for issue 4: where htmlguard's time goes, and prototypes that change the
//! ceiling. See bench/ENGINE.md for the results and how to run the binaries.

pub mod arena;
pub mod corpus;
pub mod stages;
pub mod walk;
