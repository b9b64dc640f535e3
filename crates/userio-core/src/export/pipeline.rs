//! The two halves of an export run, split so that the per-user work can run on worker
//! threads while counting, sorting and writing stay on the caller's thread, in input order:
//!
//! - [`Stage`] does the per-user work: match the query, render the row, compute the sort key.
//!   It appends one [`Item`] per user to a [`Batch`].
//! - [`Sink`] takes batches in input order and does everything that depends on order: the
//!   counts of the [`Summary`], progress reports, the `limit`, the sorter and the output.
//!
//! Both the single-threaded path and the parallel one (see `parallel.rs`) go through these,
//! so they give byte-identical output and identical summaries.

use std::io::{BufWriter, Write};

use super::project::{self, Parsed, Projection};
use super::sort::{Key, SortPath, Sorter};
use super::{
    CellErrorDetail, ExportError, Exporter, Framing, MAX_CELL_ERROR_DETAILS, PROGRESS_EVERY,
    Renderer, Summary,
};
use crate::expr::Column;
use crate::query::Query;
use crate::read::{ReadError, Record};

/// What became of one user.
pub(super) enum Item {
    /// Read, but the query did not select it.
    Skipped,
    /// Selected; its row ends at `end` in [`Batch::rows`] (it starts where the previous
    /// row ended).
    Row { end: usize, key: Option<Key>, cell_errors: u32 },
    /// Selected, but rendering it stopped the export (a cell under the `abort` policy).
    Aborted(ExportError),
}

/// The outcome of a run of consecutive users.
#[derive(Default)]
pub(super) struct Batch {
    pub(super) rows: Vec<u8>,
    pub(super) items: Vec<Item>,
    /// The first [`MAX_CELL_ERROR_DETAILS`] failed cells of the batch, with the position of
    /// their user in `items`.
    pub(super) details: Vec<(usize, CellErrorDetail)>,
    /// The user after `items` could not be read or parsed: the export stops there, before
    /// counting it.
    pub(super) unreadable: Option<ExportError>,
}

/// Failed cells of the user being rendered.
#[derive(Default)]
pub(super) struct FailedCells {
    pub(super) count: u32,
    pub(super) details: Vec<CellErrorDetail>,
}

/// What every stage of one export shares: the sort path and the attributes to parse.
pub(super) struct Plan {
    sort: Option<SortPath>,
    projection: Option<Projection>,
}

impl Plan {
    /// The plan of `ex`, and a sorter when it sorts.
    pub(super) fn of(ex: &Exporter) -> Result<(Plan, Option<Sorter>), ExportError> {
        let (sort, sorter) = match &ex.sort {
            Some((path, desc)) => (
                Some(SortPath::parse(path).map_err(ExportError::InvalidOption)?),
                Some(Sorter::new(*desc, ex.memory_budget, ex.limit, ex.temp_dir.clone())),
            ),
            None => (None, None),
        };
        let projection =
            Projection::of(&ex.columns_or_defaults(), ex.query.as_ref(), sort.as_ref());
        Ok((Plan { sort, projection }, sorter))
    }

    /// The attributes parsed from each user (`None`: all of them).
    #[cfg(test)]
    pub(super) fn projection_keys(&self) -> Option<Vec<String>> {
        self.projection.as_ref().map(|p| p.keys())
    }
}

/// The per-user work. One per thread.
pub(super) struct Stage<'e> {
    query: Option<&'e Query>,
    projection: Option<&'e Projection>,
    renderer: Renderer,
    sort: Option<&'e SortPath>,
    case_insensitive: bool,
    failed: FailedCells,
}

impl<'e> Stage<'e> {
    pub(super) fn new(ex: &'e Exporter, plan: &'e Plan) -> Result<Self, ExportError> {
        Ok(Stage {
            query: ex.query.as_ref(),
            projection: plan.projection.as_ref(),
            renderer: Renderer::new(ex)?,
            sort: plan.sort.as_ref(),
            case_insensitive: ex.case_insensitive,
            failed: FailedCells::default(),
        })
    }

    /// Parses a record, only the attributes the export reads when they are known.
    pub(super) fn parse(&self, rec: &Record<'_>) -> Result<Parsed<'e>, ReadError> {
        project::parse(self.projection, rec)
    }

    /// The columns, for the header.
    pub(super) fn columns(&self) -> &[Column] {
        &self.renderer.columns
    }

    /// Matches, renders and keys one user into `batch`.
    pub(super) fn push(&mut self, index: u64, user: &Parsed<'_>, batch: &mut Batch) {
        let user = user.user();
        if self.query.is_some_and(|q| !q.matches_user(user)) {
            batch.items.push(Item::Skipped);
            return;
        }
        let start = batch.rows.len();
        self.failed.count = 0;
        self.failed.details.clear();
        let rendered = self.renderer.render(user, index, &mut self.failed, &mut batch.rows);
        let at = batch.items.len();
        for d in self.failed.details.drain(..) {
            if batch.details.len() < MAX_CELL_ERROR_DETAILS {
                batch.details.push((at, d));
            }
        }
        batch.items.push(match rendered {
            Ok(()) => Item::Row {
                end: batch.rows.len(),
                key: self.sort.map(|p| Key::of(p.resolve(user), self.case_insensitive)),
                cell_errors: self.failed.count,
            },
            Err(e) => {
                batch.rows.truncate(start);
                Item::Aborted(e)
            }
        });
    }
}

/// Counts, sorts and writes batches, in input order.
pub(super) struct Sink<'e, W: Write> {
    ex: &'e Exporter,
    summary: Summary,
    sorter: Option<Sorter>,
    framing: Framing,
    w: BufWriter<W>,
    limit: u64,
}

impl<'e, W: Write> Sink<'e, W> {
    /// Starts the output (BOM, header, `[`).
    pub(super) fn start(
        ex: &'e Exporter,
        sorter: Option<Sorter>,
        columns: &[Column],
        out: W,
    ) -> Result<Self, ExportError> {
        let mut w = BufWriter::with_capacity(64 * 1024, out);
        let mut framing = Framing::new(ex);
        framing.start(&mut w, columns)?;
        Ok(Sink {
            ex,
            summary: Summary::default(),
            sorter,
            framing,
            w,
            limit: ex.limit.unwrap_or(u64::MAX),
        })
    }

    /// True while more users are wanted (no sort and `limit` rows written: done).
    pub(super) fn wants_more(&self) -> bool {
        self.sorter.is_some() || self.summary.written < self.limit
    }

    /// Takes the batch's users in order and empties it (keeping its buffers). Returns false
    /// once no more users are wanted.
    pub(super) fn take(&mut self, batch: &mut Batch) -> Result<bool, ExportError> {
        let more = self.take_items(batch);
        batch.rows.clear(); // `items` and `details` are drained
        batch.unreadable = None;
        more
    }

    fn take_items(&mut self, batch: &mut Batch) -> Result<bool, ExportError> {
        let Batch { rows, items, details, unreadable } = batch;
        let mut details = details.drain(..).peekable();
        let mut start = 0;
        for (at, item) in items.drain(..).enumerate() {
            if !self.wants_more() {
                return Ok(false);
            }
            self.summary.read += 1;
            if self.summary.read.is_multiple_of(PROGRESS_EVERY) {
                self.ex.report(&self.summary);
            }
            let (end, key, cell_errors) = match item {
                Item::Skipped => continue,
                Item::Row { end, key, cell_errors } => (end, key, cell_errors),
                Item::Aborted(e) => return Err(e),
            };
            self.summary.matched += 1;
            self.summary.cell_errors += u64::from(cell_errors);
            while let Some((_, d)) = details.next_if(|(i, _)| *i == at) {
                if self.summary.first_cell_errors.len() < MAX_CELL_ERROR_DETAILS {
                    self.summary.first_cell_errors.push(d);
                }
            }
            let row = &rows[start..end];
            start = end;
            match &mut self.sorter {
                Some(sorter) => {
                    sorter.push(key.unwrap_or(Key::Missing), self.summary.matched, row)?
                }
                None => {
                    self.framing.row(&mut self.w, row)?;
                    self.summary.written += 1;
                }
            }
        }
        match unreadable.take() {
            Some(e) if self.wants_more() => Err(e),
            _ => Ok(self.wants_more()),
        }
    }

    /// Merges the sort (if any), ends the output and returns the counts.
    pub(super) fn finish(mut self) -> Result<Summary, ExportError> {
        if let Some(sorter) = self.sorter.take() {
            self.summary.sort_runs = sorter.runs_written();
            let (summary, framing, w, ex) =
                (&mut self.summary, &mut self.framing, &mut self.w, self.ex);
            sorter.finish(|row| {
                framing.row(w, row)?;
                summary.written += 1;
                if summary.written.is_multiple_of(PROGRESS_EVERY) {
                    ex.report(summary);
                }
                Ok::<bool, ExportError>(true)
            })?;
        }
        self.framing.end(&mut self.w)?;
        self.w.flush()?;
        self.ex.report(&self.summary);
        Ok(self.summary)
    }
}
