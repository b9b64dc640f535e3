//! The compiled half of the `userio` Python package (`userio._userio`).
//!
//! A thin layer over `userio-core`: each file mirrors one core module and only converts
//! arguments, calls the core and converts results and errors. The public, documented
//! surface is `python/userio/__init__.py`, which re-exports from here.

mod auth0;
mod convert;
mod errors;
mod export;
mod expr;
mod pyjson;
mod query;
mod schema;

use pyo3::prelude::*;

/// mimalloc for the Rust side (Python objects still use Python's allocator): parsing users
/// allocates many small strings and maps, ~25% less CPU than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[pymodule]
fn _userio(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    schema::register(m)?;
    query::register(m)?;
    expr::register(m)?;
    export::register(m)?;
    convert::register(m)?;
    auth0::register(m)?;
    Ok(())
}
