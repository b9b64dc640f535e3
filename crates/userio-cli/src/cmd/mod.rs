//! One module per subcommand.

pub mod query;
pub mod validate;
