//! The native tier: a small tree for the JavaScript expressions users actually write,
//! evaluated with JavaScript's exact meaning.

pub(crate) mod eval;
pub(crate) mod parse;
pub(crate) mod plan;
pub(crate) mod write;
