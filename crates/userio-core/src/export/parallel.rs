//! Parsing, matching and rendering on worker threads, for exports read from bytes.
//!
//! The caller's thread reads the input and cuts it into batches of raw records (the reader
//! is not required to be `Send`), hands them to `workers` threads that parse, match and
//! render them, and feeds the results to the [`Sink`] in input order (the writer is not
//! required to be `Send` either). At most `3 × workers` batches are in flight, so memory
//! stays bounded; once the sink wants no more users (a `limit`) or meets an error, the
//! workers stop at their next batch.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};

use super::pipeline::{Batch, Sink, Stage};
use super::{ExportError, Summary};
use crate::position::Position;
use crate::read::{ReadError, Record, UserReader};

/// Records per batch (fewer when they pass [`BATCH_BYTES`]).
const BATCH_USERS: usize = 512;
/// Bytes of raw records per batch.
const BATCH_BYTES: usize = 256 * 1024;

/// Consecutive raw records copied out of the reader.
#[derive(Default)]
struct RawBatch {
    bytes: Vec<u8>,
    /// Index, position and end offset in `bytes` of each record.
    records: Vec<(u64, Position, usize)>,
    /// The reader failed after the records above.
    error: Option<ReadError>,
}

impl RawBatch {
    /// Fills `batch` (emptied first); `None` at the end of the input.
    fn read<R: Read>(reader: &mut UserReader<R>, mut batch: RawBatch) -> Option<RawBatch> {
        batch.bytes.clear();
        batch.records.clear();
        batch.error = None;
        while batch.records.len() < BATCH_USERS && batch.bytes.len() < BATCH_BYTES {
            match reader.next_record() {
                None => break,
                Some(Ok(rec)) => {
                    batch.bytes.extend_from_slice(rec.raw);
                    batch.records.push((rec.index, rec.position, batch.bytes.len()));
                }
                Some(Err(e)) => {
                    batch.error = Some(e);
                    break;
                }
            }
        }
        (!batch.records.is_empty() || batch.error.is_some()).then_some(batch)
    }

    /// Parses and processes every record into `out` (empty); stops at the first record that
    /// does not parse.
    fn process(&mut self, stage: &mut Stage<'_>, out: &mut Batch) {
        let mut start = 0;
        for &(index, position, end) in &self.records {
            let rec = Record { index, position, raw: &self.bytes[start..end] };
            start = end;
            match stage.parse(&rec) {
                Ok(user) => stage.push(index, &user, out),
                Err(e) => {
                    out.unreadable = Some(e.into());
                    return;
                }
            }
        }
        if let Some(e) = self.error.take() {
            out.unreadable = Some(e.into());
        }
    }
}

/// Runs the export of `reader` with one worker thread per stage (at least one) besides the
/// caller's.
pub(super) fn run<R: Read, W: Write>(
    stages: Vec<Stage<'_>>,
    mut reader: UserReader<R>,
    mut sink: Sink<'_, W>,
) -> Result<Summary, ExportError> {
    let max_in_flight = 3 * stages.len().max(1) as u64;
    let stop = AtomicBool::new(false);
    let (job_tx, job_rx) = mpsc::sync_channel::<(u64, RawBatch)>(max_in_flight as usize);
    let job_rx = Mutex::new(job_rx);
    let (done_tx, done_rx) = mpsc::channel::<(u64, Batch)>();
    let pools = Pools::default();
    std::thread::scope(|scope| {
        for mut stage in stages {
            let done_tx = done_tx.clone();
            let (job_rx, stop, pools) = (&job_rx, &stop, &pools);
            scope.spawn(move || {
                loop {
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok((seq, mut raw)) = job else { return };
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let mut batch = pools.batches.take();
                    let run = catch_unwind(AssertUnwindSafe(|| raw.process(&mut stage, &mut batch)));
                    if run.is_err() {
                        batch = Batch::default();
                        batch.unreadable = Some(ExportError::Internal(
                            "an export worker thread failed; please report this with the input that caused it, and run with one thread (`--threads 1`, `Exporter::threads(1)`) meanwhile".into(),
                        ));
                    }
                    pools.raw.give(raw);
                    if done_tx.send((seq, batch)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        let outcome = feed(&mut reader, &mut sink, &job_tx, &done_rx, max_in_flight, &pools);
        stop.store(true, Ordering::Relaxed);
        drop(job_tx);
        outcome.and_then(|()| sink.finish())
    })
}

/// The caller's side: keeps the workers busy and hands their results to the sink in order.
fn feed<R: Read, W: Write>(
    reader: &mut UserReader<R>,
    sink: &mut Sink<'_, W>,
    job_tx: &mpsc::SyncSender<(u64, RawBatch)>,
    done_rx: &mpsc::Receiver<(u64, Batch)>,
    max_in_flight: u64,
    pools: &Pools,
) -> Result<(), ExportError> {
    let lost = || {
        ExportError::Internal(
            "the export worker threads stopped early; please report this with the input, or run with one thread (`--threads 1`, `Exporter::threads(1)`)".into(),
        )
    };
    let (mut sent, mut taken, mut eof) = (0u64, 0u64, false);
    let mut early: BTreeMap<u64, Batch> = BTreeMap::new();
    loop {
        while !eof && sent - taken < max_in_flight {
            match RawBatch::read(reader, pools.raw.take()) {
                Some(raw) => {
                    eof = raw.error.is_some();
                    job_tx.send((sent, raw)).map_err(|_| lost())?;
                    sent += 1;
                }
                None => eof = true,
            }
        }
        if taken == sent {
            return Ok(());
        }
        let mut batch = loop {
            if let Some(b) = early.remove(&taken) {
                break b;
            }
            let (seq, b) = done_rx.recv().map_err(|_| lost())?;
            early.insert(seq, b);
        };
        taken += 1;
        let more = sink.take(&mut batch)?;
        pools.batches.give(batch);
        if !more {
            return Ok(());
        }
    }
}

/// Emptied buffers handed back for reuse, so that a long export does not allocate (and
/// fault in) fresh batch buffers all the time. Each holds at most the batches in flight.
#[derive(Default)]
struct Pools {
    raw: Pool<RawBatch>,
    batches: Pool<Batch>,
}

struct Pool<T>(Mutex<Vec<T>>);

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Pool(Mutex::new(Vec::new()))
    }
}

impl<T: Default> Pool<T> {
    fn take(&self) -> T {
        self.0.lock().ok().and_then(|mut v| v.pop()).unwrap_or_default()
    }
    fn give(&self, item: T) {
        if let Ok(mut v) = self.0.lock() {
            v.push(item);
        }
    }
}
