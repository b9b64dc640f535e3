//! Node.js bindings for `userio-core`, built with napi-rs and published on npm as `userio`.
//!
//! This crate is the private native layer (`native.js` / `native.d.ts`). The public API is
//! the JavaScript façade in `index.js`, which turns JavaScript values into JSON text, calls
//! these functions and turns the error *data* they return into `UserioError` subclasses.
//! Every module here mirrors a module of the core and only converts: arguments in, a call
//! into `userio_core`, results and errors out.
#![deny(missing_docs)]
// `#[napi]` registers items only outside `cfg(test)`; `clippy --all-targets` builds a test
// target of this cdylib in which they look unused.
#![cfg_attr(test, allow(dead_code))]

/// mimalloc for the Rust side (JavaScript values live in V8's heap): parsing users allocates
/// many small strings and maps, ~25% less CPU than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod auth0;
mod convert;
mod errors;
mod export;
mod expr;
mod query;
mod schema;
