//! The export on worker threads, for users read from bytes: each worker parses, matches and
//! renders batches of records with its own [`Stage`]; the [`Sink`] takes the batches back in
//! input order (see `read::parallel`), so the output is the same as on one thread.

use std::io::{Read, Write};

use super::pipeline::{Batch, Sink, Stage};
use super::{ExportError, Summary};
use crate::read::UserReader;
use crate::read::parallel::{self, RawBatch, Work};

impl Work for Stage<'_> {
    type Out = Batch;

    /// Parses and processes every record into `out` (emptied by the sink); stops at the
    /// first record that does not parse.
    fn process(&mut self, raw: &RawBatch, out: &mut Batch) {
        for rec in raw.records() {
            match self.parse(&rec) {
                Ok(user) => self.push(rec.index, &user, out),
                Err(e) => {
                    out.unreadable = Some(e.into());
                    return;
                }
            }
        }
        if let Some(e) = &raw.error {
            out.unreadable = Some(e.clone().into());
        }
    }

    fn panicked(out: &mut Batch) {
        *out = Batch::default();
        out.unreadable = Some(ExportError::Internal(
            "an export worker thread failed; please report this with the input that caused it, and run with one thread (`--threads 1`, `Exporter::threads(1)`) meanwhile".into(),
        ));
    }
}

/// Runs the export of `reader` with one worker thread per stage (at least two).
pub(super) fn run<R: Read, W: Write>(
    stages: Vec<Stage<'_>>,
    mut reader: UserReader<R>,
    mut sink: Sink<'_, W>,
) -> Result<Summary, ExportError> {
    parallel::run(
        stages,
        &mut reader,
        |_, batch| sink.take(batch),
        || {
            ExportError::Internal(
            "the export worker threads stopped early; please report this with the input, or run with one thread (`--threads 1`, `Exporter::threads(1)`)".into(),
        )
        },
    )?;
    sink.finish()
}
