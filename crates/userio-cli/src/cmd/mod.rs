//! One module per subcommand.

pub mod connections;
pub mod convert;
pub mod count;
pub mod export;
pub mod import;
pub mod output;
pub mod query;
pub mod split;
pub mod tenant;
pub mod validate;
