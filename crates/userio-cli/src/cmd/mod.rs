//! One module per subcommand.

pub mod convert;
pub mod export;
pub mod import;
pub mod query;
pub mod split;
pub mod validate;
