//! Per-user work on worker threads, with results taken back in input order: the engine
//! under the parallel export and the parallel validator.
//!
//! The caller's thread reads the input and cuts it into [`RawBatch`]es of consecutive
//! records (the reader need not be `Send`). Each worker turns a batch into its output with
//! [`Work::process`]. The caller's thread hands each batch and its output to `take` in
//! input order (so whatever `take` writes to need not be `Send` either). At most
//! `3 × workers` batches are in flight, so memory stays bounded; once `take` says it wants
//! no more (or fails), the workers stop at their next batch. With no worker at all, the
//! caller's thread does the work itself, batch by batch, through the same two steps.

use std::collections::BTreeMap;
use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};

use super::{ReadError, Record, UserReader};
use crate::position::Position;

/// Records per batch (fewer when they pass [`BATCH_BYTES`]).
const BATCH_USERS: usize = 512;
/// Bytes of raw records per batch.
const BATCH_BYTES: usize = 256 * 1024;
/// The first batches are smaller (1/16, 1/8, 1/4, 1/2 of the above), so that every worker
/// gets going soon: on a small input, full batches would leave most of them idle.
const RAMP: [usize; 5] = [4, 3, 2, 1, 0];

/// The limits of the `seq`th batch: records, bytes.
fn batch_limits(seq: u64) -> (usize, usize) {
    let shift = RAMP[seq.min(4) as usize];
    (BATCH_USERS >> shift, BATCH_BYTES >> shift)
}

/// Worker threads for `requested` (`0`: one per CPU core, up to 4).
pub(crate) fn threads(requested: usize) -> usize {
    match requested {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get().min(4)),
        n => n,
    }
}

/// Consecutive raw records copied out of the reader.
#[derive(Default)]
pub(crate) struct RawBatch {
    bytes: Vec<u8>,
    /// Index, position and end offset in `bytes` of each record.
    records: Vec<(u64, Position, usize)>,
    /// The reader failed after the records above.
    pub(crate) error: Option<ReadError>,
}

impl RawBatch {
    /// Fills `batch` (emptied first); `None` at the end of the input.
    fn read<R: Read>(
        reader: &mut UserReader<R>,
        mut batch: RawBatch,
        (max_records, max_bytes): (usize, usize),
    ) -> Option<RawBatch> {
        batch.bytes.clear();
        batch.records.clear();
        batch.error = None;
        while batch.records.len() < max_records && batch.bytes.len() < max_bytes {
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

    /// The records, in input order.
    pub(crate) fn records(&self) -> impl Iterator<Item = Record<'_>> {
        let mut start = 0;
        self.records.iter().map(move |&(index, position, end)| {
            let raw = &self.bytes[start..end];
            start = end;
            Record { index, position, raw }
        })
    }

    /// The first record's index and position (the reader error's when there is none).
    pub(crate) fn start(&self) -> (Option<u64>, Position) {
        match (self.records.first(), &self.error) {
            (Some(&(index, position, _)), _) => (Some(index), position),
            (None, Some(e)) => (e.index, e.position),
            (None, None) => (None, Position::START),
        }
    }
}

/// The per-batch work of one thread.
pub(crate) trait Work: Send {
    /// What a batch turns into; recycled between batches.
    type Out: Default + Send;

    /// Turns `batch` into `out` (which holds whatever the previous batch left in it).
    fn process(&mut self, batch: &RawBatch, out: &mut Self::Out);

    /// Marks `out` as the output of a batch whose processing panicked.
    fn panicked(out: &mut Self::Out);
}

/// Reads `reader` to the end (or until `take` returns `Ok(false)` or an error), processing
/// each batch on one of `workers` (on the caller's thread when there is none) and handing it
/// to `take` in input order. `lost` is the error when the workers are gone too early.
pub(crate) fn run<R: Read, W: Work, E>(
    mut workers: Vec<W>,
    reader: &mut UserReader<R>,
    mut take: impl FnMut(&RawBatch, &mut W::Out) -> Result<bool, E>,
    lost: impl Fn() -> E,
) -> Result<(), E> {
    if workers.len() <= 1 {
        let Some(mut work) = workers.pop() else { return Ok(()) };
        let (mut raw, mut out) = (RawBatch::default(), W::Out::default());
        while let Some(batch) = RawBatch::read(reader, raw, batch_limits(u64::MAX)) {
            raw = batch;
            process(&mut work, &raw, &mut out);
            // A read error ends the input, as on the threaded path.
            if !take(&raw, &mut out)? || raw.error.is_some() {
                break;
            }
        }
        return Ok(());
    }
    let max_in_flight = 3 * workers.len() as u64;
    let stop = AtomicBool::new(false);
    let (job_tx, job_rx) = mpsc::sync_channel::<(u64, RawBatch)>(max_in_flight as usize);
    let job_rx = Mutex::new(job_rx);
    let (done_tx, done_rx) = mpsc::channel::<(u64, RawBatch, W::Out)>();
    let pools = Pools::<W::Out>::default();
    std::thread::scope(|scope| {
        for mut work in workers {
            let done_tx = done_tx.clone();
            let (job_rx, stop, pools) = (&job_rx, &stop, &pools);
            scope.spawn(move || {
                loop {
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok((seq, raw)) = job else { return };
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let mut out = pools.outs.take();
                    process(&mut work, &raw, &mut out);
                    if done_tx.send((seq, raw, out)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        let outcome = feed(reader, &mut take, &job_tx, &done_rx, max_in_flight, &pools, &lost);
        stop.store(true, Ordering::Relaxed);
        drop(job_tx);
        outcome
    })
}

/// [`Work::process`], with a panic turned into [`Work::panicked`].
fn process<W: Work>(work: &mut W, raw: &RawBatch, out: &mut W::Out) {
    if catch_unwind(AssertUnwindSafe(|| work.process(raw, out))).is_err() {
        W::panicked(out);
    }
}

/// The caller's side: keeps the workers busy and hands their results to `take` in order.
fn feed<R: Read, O: Default, E>(
    reader: &mut UserReader<R>,
    take: &mut impl FnMut(&RawBatch, &mut O) -> Result<bool, E>,
    job_tx: &mpsc::SyncSender<(u64, RawBatch)>,
    done_rx: &mpsc::Receiver<(u64, RawBatch, O)>,
    max_in_flight: u64,
    pools: &Pools<O>,
    lost: &impl Fn() -> E,
) -> Result<(), E> {
    let (mut sent, mut taken, mut eof) = (0u64, 0u64, false);
    let mut early: BTreeMap<u64, (RawBatch, O)> = BTreeMap::new();
    loop {
        while !eof && sent - taken < max_in_flight {
            match RawBatch::read(reader, pools.raw.take(), batch_limits(sent)) {
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
        let (raw, mut out) = loop {
            if let Some(done) = early.remove(&taken) {
                break done;
            }
            let (seq, raw, out) = done_rx.recv().map_err(|_| lost())?;
            early.insert(seq, (raw, out));
        };
        taken += 1;
        let more = take(&raw, &mut out)?;
        pools.raw.give(raw);
        pools.outs.give(out);
        if !more {
            return Ok(());
        }
    }
}

/// Emptied buffers handed back for reuse, so that a long run does not allocate (and fault
/// in) fresh batch buffers all the time. Each holds at most the batches in flight.
struct Pools<O> {
    raw: Pool<RawBatch>,
    outs: Pool<O>,
}

impl<O> Default for Pools<O> {
    fn default() -> Self {
        Pools { raw: Pool::default(), outs: Pool::default() }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Collects each record's index; panics on the record `panic_at`.
    #[derive(Clone)]
    struct Indexes {
        panic_at: u64,
    }

    impl Work for Indexes {
        type Out = Vec<u64>;
        fn process(&mut self, batch: &RawBatch, out: &mut Vec<u64>) {
            out.clear();
            for rec in batch.records() {
                assert!(rec.index != self.panic_at, "record {} (a test panic)", rec.index);
                out.push(rec.index);
            }
        }
        fn panicked(out: &mut Vec<u64>) {
            *out = vec![u64::MAX];
        }
    }

    fn input(users: u64) -> Vec<u8> {
        (0..users).map(|i| format!("{{\"i\":{i}}}\n")).collect::<String>().into_bytes()
    }

    /// What `take` saw with `workers` workers: the indexes, then `u64::MAX` per failed batch.
    fn taken(workers: usize, users: u64, panic_at: u64, stop_after: usize) -> Vec<u64> {
        let data = input(users);
        let mut reader = UserReader::new(&data[..]);
        let mut seen = Vec::new();
        let mut batches = 0;
        run(
            vec![Indexes { panic_at }; workers],
            &mut reader,
            |raw, out: &mut Vec<u64>| {
                assert!(out.contains(&u64::MAX) || out.len() == raw.records().count());
                seen.append(out);
                batches += 1;
                Ok::<_, ()>(batches < stop_after)
            },
            || (),
        )
        .expect("the workers stay");
        seen
    }

    #[test]
    fn results_come_back_in_input_order() {
        let all: Vec<u64> = (0..5000).collect();
        for workers in [0, 1, 2, 3] {
            let expected = if workers == 0 { Vec::new() } else { all.clone() };
            assert_eq!(taken(workers, 5000, u64::MAX, usize::MAX), expected, "{workers}");
        }
    }

    /// Where the batches of `users` small records start, with `workers` workers.
    fn starts(workers: usize, users: u64) -> Vec<u64> {
        let mut starts = vec![0];
        while *starts.last().unwrap() < users {
            let seq = if workers > 1 { starts.len() as u64 - 1 } else { u64::MAX };
            starts.push(starts.last().unwrap() + batch_limits(seq).0 as u64);
        }
        starts
    }

    #[test]
    fn batches_ramp_up_with_workers() {
        assert_eq!(starts(1, 2000), [0, 512, 1024, 1536, 2048]);
        assert_eq!(starts(2, 2000), [0, 32, 96, 224, 480, 992, 1504, 2016]);
    }

    #[test]
    fn a_panicking_batch_is_marked_and_the_rest_goes_on() {
        for workers in [1, 3] {
            let seen = taken(workers, 2000, 700, usize::MAX);
            let s = starts(workers, 2000);
            let (from, to) = s.windows(2).map(|w| (w[0], w[1])).find(|w| w.1 > 700).unwrap();
            let expected: Vec<u64> = (0..from).chain([u64::MAX]).chain(to..2000).collect();
            assert_eq!(seen, expected, "{workers}");
        }
    }

    #[test]
    fn take_can_stop_the_run() {
        for workers in [1, 2] {
            let two = starts(workers, 5000)[2];
            assert_eq!(taken(workers, 5000, u64::MAX, 2), (0..two).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_read_error_ends_the_last_batch() {
        let mut data = input(600);
        data.extend_from_slice(b"{\"i\":");
        let ends = |workers: usize| {
            let mut reader = UserReader::new(&data[..]);
            let mut ends = Vec::new();
            run(
                vec![Indexes { panic_at: u64::MAX }; workers],
                &mut reader,
                |raw, out: &mut Vec<u64>| {
                    let code = raw.error.as_ref().map(ReadError::code);
                    ends.push((out.len(), code, raw.start().0));
                    Ok::<_, ()>(true)
                },
                || (),
            )
            .expect("the workers stay");
            ends
        };
        let full = |n, at| (n, None, Some(at));
        let truncated = |n, at| (n, Some("file_truncated"), Some(at));
        assert_eq!(
            ends(2),
            [full(32, 0), full(64, 32), full(128, 96), full(256, 224), truncated(120, 480)]
        );
        assert_eq!(ends(1), [full(512, 0), truncated(88, 512)], "on the caller's thread");
    }
}
