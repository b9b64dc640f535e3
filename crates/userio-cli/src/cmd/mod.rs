//! One module per subcommand.

pub mod split;
pub mod validate;
