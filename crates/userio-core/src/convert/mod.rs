//! Round trips: CSV → import file, Auth0 export → import file, metadata flattening.
//!
//! Filled in by the round-trip work.
