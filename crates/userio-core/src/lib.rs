/*!
`userio-core` validates, selects and exports users in Auth0's bulk user format.

```no_run
use userio_core::{export::{Exporter, Format}, expr::Column, query::Query};

let query = Query::parse("_exists_:user_metadata AND logins_count:[5 TO *]")?;
let mut columns = Column::defaults();
columns.push(Column::new("Plan", "user.app_metadata.plan || 'free'")?);
let summary = Exporter::new(columns)
    .query(query)
    .sort_by("created_at", true)
    .format(Format::Csv)
    .export_path("users.ndjson", std::io::stdout())?;
eprintln!("{} of {} users written", summary.written, summary.read);
# Ok::<(), Box<dyn std::error::Error>>(())
```

The crate is made of small modules with one job each:

- [`read`]: streams users out of a JSON array or NDJSON (optionally gzip) file, one raw
  record at a time, with the byte offset, line and column of each record.
- [`schema`]: validates users against Auth0's bulk-import schema and plans import chunks.
- [`query`]: parses Lucene queries (Auth0 search v3 semantics) and matches them on users,
  one at a time or, for many queries over one set, through a [`query::UserIndex`].
- [`expr`]: column sources: attribute paths, a native fast path and sandboxed JavaScript.
- [`export`]: query → sort → columns → CSV / JSON / NDJSON, streaming, bounded memory.
- [`convert`]: CSV → import file, Auth0 export → import file, metadata flattening.

Every error says what went wrong, where (user index, JSON pointer, byte / line / column or
query offset) and how to fix it. Positions are described in [`position`].
*/
#![deny(missing_docs)]

pub mod convert;
mod cursor;
mod datetime;
mod de;
pub mod export;
pub mod expr;
pub mod position;
pub mod query;
pub mod read;
pub mod schema;
mod swar;
mod user;

/// The README's Rust examples, compiled as doc tests so they cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
