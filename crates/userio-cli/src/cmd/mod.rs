//! One module per subcommand.

pub mod split;
pub mod convert;
pub mod import;
pub mod export;
pub mod query;
pub mod validate;
pub mod tenant;
