//! Resumable bulk import: validate → check the connection → split → submit jobs (at most the
//! tenant's concurrency at once) → poll → fetch per-user errors → map them back to the file.
//!
//! A journal (JSON lines) records every chunk as it is submitted and finished, so a run that
//! was interrupted resumes with [`ImportOptions::resume`]: finished chunks are taken from the
//! journal, submitted ones are only polled, and no chunk is uploaded twice.

use std::collections::{HashMap, VecDeque};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tokio::sync::{Semaphore, mpsc};
use userio_core::position::Position;
use userio_core::read::{ReadError, UserReader};
use userio_core::schema::{self, DEFAULT_MAX_CHUNK_BYTES, ValidateOptions};

use crate::api::{Connection, FailedUser, Job, JobOptions, JobSummary, UserError};
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};

/// A progress callback, called from the import's thread.
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// What to import and how.
#[derive(Clone)]
pub struct ImportOptions {
    /// Target database connection, by name.
    pub connection: String,
    /// Job options (upsert, external id, completion email).
    pub job: JobOptions,
    /// Largest users file per job. Default [`DEFAULT_MAX_CHUNK_BYTES`] (Auth0 refuses requests
    /// over 512,000 bytes, multipart framing included).
    pub max_chunk_bytes: usize,
    /// Journal path; default `<input>.import-journal.jsonl`.
    pub journal: Option<PathBuf>,
    /// Continue an interrupted import recorded in the journal.
    pub resume: bool,
    /// On resume, upload chunks whose earlier upload was interrupted midway (and may or may
    /// not have reached Auth0). Off by default: such chunks stop the resume with an error.
    pub resubmit_uncertain: bool,
    /// Jobs running at once (Auth0 allows 2 per tenant).
    pub max_concurrent_jobs: usize,
    /// Stop after submitting this many new chunks, without waiting for them (simulates an
    /// interruption; for tests).
    pub stop_after_chunks: Option<usize>,
    /// Progress callback.
    pub progress: Option<ProgressFn>,
}

impl std::fmt::Debug for ImportOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportOptions")
            .field("connection", &self.connection)
            .field("job", &self.job)
            .field("max_chunk_bytes", &self.max_chunk_bytes)
            .field("journal", &self.journal)
            .field("resume", &self.resume)
            .finish_non_exhaustive()
    }
}

impl ImportOptions {
    /// Defaults for importing into `connection`.
    pub fn new(connection: impl Into<String>) -> ImportOptions {
        ImportOptions {
            connection: connection.into(),
            job: JobOptions::default(),
            max_chunk_bytes: DEFAULT_MAX_CHUNK_BYTES,
            journal: None,
            resume: false,
            resubmit_uncertain: false,
            max_concurrent_jobs: 2,
            stop_after_chunks: None,
            progress: None,
        }
    }
}

/// Progress of an import.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Users in the file.
    pub users_total: u64,
    /// Users in chunks whose job has finished.
    pub users_done: u64,
    /// Chunks finished.
    pub chunks_done: usize,
    /// Chunks submitted and running.
    pub chunks_running: usize,
}

/// One user Auth0 refused, mapped back to the input file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserFailure {
    /// 0-based index of the user in the file (`None` if Auth0's echo could not be matched).
    pub index: Option<u64>,
    /// The line (1-based) where the user starts in the file.
    pub line: Option<u64>,
    /// The column (1-based, in characters) where the user starts.
    pub column: Option<u64>,
    /// The user's email, as echoed.
    pub email: Option<String>,
    /// The user's `user_id`, as echoed.
    pub user_id: Option<String>,
    /// The chunk it was in.
    pub chunk: usize,
    /// The job.
    pub job_id: String,
    /// Auth0's errors for this user.
    pub errors: Vec<UserError>,
}

/// The result of one chunk's job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChunkOutcome {
    /// Chunk number.
    pub chunk: usize,
    /// Index of its first user.
    pub first_index: u64,
    /// Users in it.
    pub users: u64,
    /// Its job.
    pub job_id: String,
    /// `completed`, `failed` or `expired`.
    pub status: String,
    /// Why the job failed.
    pub details: Option<String>,
    /// Auth0's counts.
    pub summary: JobSummary,
}

/// The whole import's outcome.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    /// The target connection.
    pub connection_id: String,
    /// Users in the file.
    pub users: u64,
    /// Users inserted.
    pub inserted: u64,
    /// Users updated (upsert).
    pub updated: u64,
    /// Users that failed (per-user errors, plus every user of a failed job).
    pub failed: u64,
    /// Per-user failures, in file order.
    pub failures: Vec<UserFailure>,
    /// Every chunk's job, in chunk order.
    pub chunks: Vec<ChunkOutcome>,
    /// Chunks whose result came from the journal (resume).
    pub chunks_from_journal: usize,
    /// True when the run stopped early (`stop_after_chunks`): resume it to finish.
    pub interrupted: bool,
}

impl ImportReport {
    /// No user failed and every chunk's job completed.
    pub fn is_ok(&self) -> bool {
        !self.interrupted && self.failed == 0 && self.chunks.iter().all(|c| c.status == "completed")
    }

    /// Jobs that failed as a whole.
    pub fn failed_jobs(&self) -> impl Iterator<Item = &ChunkOutcome> {
        self.chunks.iter().filter(|c| c.status != "completed")
    }
}

// ---------------------------------------------------------------------------------------------
// Journal

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
enum Entry {
    Start { connection_id: String, max_chunk_bytes: usize, users: u64, upsert: bool },
    Submitting { chunk: usize, first_index: u64, users: u64, hash: String },
    Submitted { chunk: usize, job_id: String, hash: String },
    Rejected { chunk: usize, code: String, message: String },
    Finished { outcome: ChunkOutcome, failures: Vec<UserFailure> },
}

#[derive(Debug, Clone)]
enum ChunkState {
    Uncertain { hash: String },
    Submitted { job_id: String, hash: String },
    Finished { outcome: ChunkOutcome, failures: Vec<UserFailure> },
}

struct Journal {
    path: PathBuf,
    file: File,
}

impl Journal {
    fn append(&mut self, e: &Entry) -> Result<()> {
        let mut line =
            serde_json::to_vec(e).map_err(|e| Error::journal(&self.path, e.to_string()))?;
        line.push(b'\n');
        self.file
            .write_all(&line)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| Error::journal(&self.path, format!("cannot write: {e}")))
    }
}

fn load_journal(path: &Path) -> Result<(Option<Entry>, HashMap<usize, ChunkState>)> {
    let file = File::open(path).map_err(|e| {
        Error::journal(
            path,
            format!("cannot open it to resume ({e}); run without --resume to start"),
        )
    })?;
    let mut start = None;
    let mut states = HashMap::new();
    for (n, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| Error::journal(path, format!("cannot read: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let entry: Entry = match serde_json::from_str(&line) {
            Ok(e) => e,
            // A torn last line from a kill mid-write: ignore it (its chunk stays in its
            // previous state).
            Err(_) => continue,
        };
        let _ = n;
        match entry {
            Entry::Start { .. } => start = Some(entry),
            Entry::Submitting { chunk, hash, .. } => {
                states.insert(chunk, ChunkState::Uncertain { hash });
            }
            Entry::Submitted { chunk, job_id, hash } => {
                states.insert(chunk, ChunkState::Submitted { job_id, hash });
            }
            Entry::Rejected { chunk, .. } => {
                states.remove(&chunk);
            }
            Entry::Finished { outcome, failures } => {
                states.insert(outcome.chunk, ChunkState::Finished { outcome, failures });
            }
        }
    }
    Ok((start, states))
}

/// FNV-1a 64 of a chunk's bytes: detects an input that changed between runs.
fn fnv(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The default journal path for an input file.
pub fn default_journal_path(input: &Path) -> PathBuf {
    let mut name = input.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".import-journal.jsonl");
    input.with_file_name(name)
}

// ---------------------------------------------------------------------------------------------
// Planning: chunks with the positions and keys of their users

/// A chunk plus what is needed to map Auth0's per-user errors back to the file.
struct Planned {
    number: usize,
    first_index: u64,
    users: u64,
    bytes: Arc<Vec<u8>>,
    hash: String,
    positions: Vec<Position>,
    /// (lower-cased email, user_id) of each user.
    keys: Vec<(Option<String>, Option<String>)>,
}

#[derive(Deserialize)]
struct Key {
    #[serde(default)]
    email: Option<serde_json::Value>,
    #[serde(default)]
    user_id: Option<serde_json::Value>,
}

fn key_of(raw: &[u8]) -> (Option<String>, Option<String>) {
    match serde_json::from_slice::<Key>(raw) {
        Ok(k) => (
            k.email.and_then(|v| v.as_str().map(str::to_lowercase)),
            k.user_id.and_then(|v| v.as_str().map(str::to_owned)),
        ),
        Err(_) => (None, None),
    }
}

/// Splits the file with the core splitter; a second reader walks the file in lockstep to
/// record each user's original position and its email / user_id.
fn plan(path: &Path, max_bytes: usize, tx: &mpsc::Sender<Result<Planned>>) -> Result<usize> {
    let open = |p: &Path| userio_core::read::open(p).map_err(Error::from);
    let mut walker = UserReader::new(open(path)?);
    let split_input = open(path)?;
    schema::split(split_input, max_bytes, |chunk| -> Result<()> {
        let mut positions = Vec::with_capacity(chunk.users as usize);
        let mut keys = Vec::with_capacity(chunk.users as usize);
        for _ in 0..chunk.users {
            match walker.next_record() {
                Some(Ok(rec)) => {
                    positions.push(rec.position);
                    keys.push(key_of(rec.raw));
                }
                Some(Err(e)) => return Err(e.into()),
                None => {
                    return Err(ErrorKind::Read(ReadError::io(
                        &std::io::Error::other("the file changed while it was being split"),
                        &path.display().to_string(),
                    ))
                    .into());
                }
            }
        }
        let planned = Planned {
            number: chunk.number,
            first_index: chunk.first_index,
            users: chunk.users,
            hash: fnv(&chunk.bytes),
            bytes: Arc::new(chunk.bytes),
            positions,
            keys,
        };
        tx.blocking_send(Ok(planned))
            .map_err(|_| ErrorKind::Config("the import was cancelled".into()).into())
    })
}

/// Maps Auth0's echoed users back to file indexes and positions.
fn map_failures(p: &Planned, job_id: &str, failed: Vec<FailedUser>) -> Vec<UserFailure> {
    let mut by_id: HashMap<&str, VecDeque<usize>> = HashMap::new();
    let mut by_email: HashMap<&str, VecDeque<usize>> = HashMap::new();
    for (i, (email, id)) in p.keys.iter().enumerate() {
        if let Some(id) = id {
            by_id.entry(id.as_str()).or_default().push_back(i);
        }
        if let Some(e) = email {
            by_email.entry(e.as_str()).or_default().push_back(i);
        }
    }
    let mut used = vec![false; p.keys.len()];
    let mut out: Vec<UserFailure> = failed
        .into_iter()
        .map(|f| {
            let email = f.user.get("email").and_then(|v| v.as_str()).map(str::to_owned);
            let user_id = f.user.get("user_id").and_then(|v| v.as_str()).map(str::to_owned);
            let mut take = |q: Option<&mut VecDeque<usize>>| -> Option<usize> {
                let q = q?;
                while let Some(i) = q.pop_front() {
                    if !used[i] {
                        used[i] = true;
                        return Some(i);
                    }
                }
                None
            };
            let local = take(user_id.as_deref().and_then(|id| by_id.get_mut(id))).or_else(|| {
                take(email.as_deref().and_then(|e| by_email.get_mut(e.to_lowercase().as_str())))
            });
            UserFailure {
                index: local.map(|i| p.first_index + i as u64),
                line: local.and_then(|i| p.positions.get(i)).map(|p| p.line),
                column: local.and_then(|i| p.positions.get(i)).map(|p| p.column),
                email,
                user_id,
                chunk: p.number,
                job_id: job_id.to_owned(),
                errors: f.errors,
            }
        })
        .collect();
    out.sort_by_key(|f| f.index.unwrap_or(u64::MAX));
    out
}

// ---------------------------------------------------------------------------------------------
// The run

impl Client {
    /// Imports the users file at `path`. See the [module docs](self).
    pub async fn import(&self, path: &Path, opts: &ImportOptions) -> Result<ImportReport> {
        // 1. validate the whole file first
        let vpath = path.to_owned();
        let report = tokio::task::spawn_blocking(move || -> Result<_> {
            let input = userio_core::read::open(&vpath)?;
            Ok(schema::validate_with(input, &ValidateOptions::default()))
        })
        .await
        .map_err(|e| ErrorKind::Config(format!("validation task failed: {e}")))??;
        if !report.is_ok() {
            return Err(ErrorKind::InvalidFile(Box::new(report)).into());
        }
        if report.users == 0 {
            return Err(ErrorKind::Read(ReadError {
                kind: userio_core::read::ReadErrorKind::Empty,
                position: Position::START,
                index: None,
            })
            .into());
        }
        // 2. the target connection
        let conn: Connection = self.import_target(&opts.connection).await?;
        // 3. the journal
        let jpath = opts.journal.clone().unwrap_or_else(|| default_journal_path(path));
        let mut states = HashMap::new();
        if opts.resume {
            let (start, s) = load_journal(&jpath)?;
            match start {
                Some(Entry::Start { connection_id, max_chunk_bytes, users, .. })
                    if connection_id == conn.id
                        && max_chunk_bytes == opts.max_chunk_bytes
                        && users == report.users => {}
                Some(_) => {
                    return Err(Error::journal(
                        &jpath,
                        "it records an import of a different file, connection or chunk size; resume with the same settings, or delete the journal to start over",
                    ));
                }
                None => {
                    return Err(Error::journal(
                        &jpath,
                        "it has no start record; delete it to start over",
                    ));
                }
            }
            states = s;
            let uncertain: Vec<usize> = states
                .iter()
                .filter(|(_, s)| matches!(s, ChunkState::Uncertain { .. }))
                .map(|(n, _)| *n)
                .collect();
            if !uncertain.is_empty() && !opts.resubmit_uncertain {
                return Err(ErrorKind::UploadUncertain {
                    chunk: uncertain.iter().copied().min().unwrap_or(0),
                    message: format!(
                        "chunk(s) {uncertain:?} were being uploaded when the earlier run stopped"
                    ),
                }
                .into());
            }
        } else if jpath.metadata().is_ok_and(|m| m.len() > 0) {
            return Err(Error::journal(
                &jpath,
                "it already exists: an earlier import of this file was started. Pass --resume to continue it, or delete the journal to import again from the start",
            ));
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&jpath)
            .map_err(|e| Error::journal(&jpath, format!("cannot open for writing: {e}")))?;
        let journal = Arc::new(Mutex::new(Journal { path: jpath.clone(), file }));
        if !opts.resume {
            lock(&journal).append(&Entry::Start {
                connection_id: conn.id.clone(),
                max_chunk_bytes: opts.max_chunk_bytes,
                users: report.users,
                upsert: opts.job.upsert,
            })?;
        }

        // 4. plan in a blocking thread, submit and poll here
        let (tx, mut rx) = mpsc::channel::<Result<Planned>>(2);
        let ppath = path.to_owned();
        let max = opts.max_chunk_bytes;
        let planner = tokio::task::spawn_blocking(move || {
            if let Err(e) = plan(&ppath, max, &tx) {
                let _ = tx.blocking_send(Err(e));
            }
        });

        let mut out = ImportReport {
            connection_id: conn.id.clone(),
            users: report.users,
            ..ImportReport::default()
        };
        let progress =
            Arc::new(Mutex::new(Progress { users_total: report.users, ..Progress::default() }));
        let notify = |p: &Progress| {
            if let Some(cb) = &opts.progress {
                cb(p);
            }
        };
        let sem = Arc::new(Semaphore::new(opts.max_concurrent_jobs.max(1)));
        let mut running = tokio::task::JoinSet::new();
        let mut new_submissions = 0usize;
        let mut first_error: Option<Error> = None;
        let mut finished: Vec<(ChunkOutcome, Vec<UserFailure>)> = Vec::new();

        while let Some(planned) = rx.recv().await {
            let p = match planned {
                Ok(p) => p,
                Err(e) => {
                    first_error = Some(e);
                    break;
                }
            };
            // collect what has finished meanwhile
            while let Some(done) = running.try_join_next() {
                handle_done(done, &journal, &mut finished, &mut first_error, &progress, &notify);
            }
            if first_error.is_some() {
                break;
            }
            let state = states.remove(&p.number);
            let check_hash = |h: &str| -> Result<()> {
                if h == p.hash {
                    Ok(())
                } else {
                    Err(Error::journal(
                        &jpath,
                        format!(
                            "chunk {} differs from the one recorded: the file changed since the interrupted import; delete the journal to start over",
                            p.number
                        ),
                    ))
                }
            };
            match state {
                Some(ChunkState::Finished { outcome, failures }) => {
                    out.chunks_from_journal += 1;
                    {
                        let mut pr = lock(&progress);
                        pr.chunks_done += 1;
                        pr.users_done += p.users;
                        notify(&pr);
                    }
                    finished.push((outcome, failures));
                    continue;
                }
                Some(ChunkState::Submitted { job_id, hash }) => {
                    if let Err(e) = check_hash(&hash) {
                        first_error = Some(e);
                        break;
                    }
                    let permit = sem.clone().acquire_owned().await;
                    let client = self.clone();
                    lock(&progress).chunks_running += 1;
                    running.spawn(async move {
                        let _permit = permit;
                        client.finish_chunk(p, job_id).await
                    });
                    continue;
                }
                Some(ChunkState::Uncertain { hash }) => {
                    if let Err(e) = check_hash(&hash) {
                        first_error = Some(e);
                        break;
                    }
                }
                None => {}
            }
            if opts.stop_after_chunks.is_some_and(|n| new_submissions >= n) {
                out.interrupted = true;
                break;
            }
            // submit (in order, one at a time; jobs then run concurrently)
            let permit = sem.clone().acquire_owned().await;
            // collect again: waiting for the permit may have let a job finish
            while let Some(done) = running.try_join_next() {
                handle_done(done, &journal, &mut finished, &mut first_error, &progress, &notify);
            }
            let submitting = Entry::Submitting {
                chunk: p.number,
                first_index: p.first_index,
                users: p.users,
                hash: p.hash.clone(),
            };
            if let Err(e) = lock(&journal).append(&submitting) {
                first_error = Some(e);
                break;
            }
            let mut job_opts = opts.job.clone();
            if let Some(ext) = &opts.job.external_id {
                job_opts.external_id = Some(format!("{ext}-{}", p.number));
            }
            match self.submit_import(&conn.id, p.bytes.clone(), &job_opts).await {
                Ok(job) => {
                    let entry = Entry::Submitted {
                        chunk: p.number,
                        job_id: job.id.clone(),
                        hash: p.hash.clone(),
                    };
                    if let Err(e) = lock(&journal).append(&entry) {
                        first_error = Some(e);
                        break;
                    }
                    new_submissions += 1;
                    {
                        let mut pr = lock(&progress);
                        pr.chunks_running += 1;
                        notify(&pr);
                    }
                    if opts.stop_after_chunks.is_some_and(|n| new_submissions >= n) {
                        out.interrupted = true;
                        drop(permit);
                        break;
                    }
                    let client = self.clone();
                    running.spawn(async move {
                        let _permit = permit;
                        client.finish_chunk(p, job.id).await
                    });
                }
                Err(e) => {
                    let e = match e.into_kind() {
                        ErrorKind::UploadUncertain { message, .. } => {
                            ErrorKind::UploadUncertain { chunk: p.number, message }.into()
                        }
                        other => {
                            let err: Error = other.into();
                            let _ = lock(&journal).append(&Entry::Rejected {
                                chunk: p.number,
                                code: err.code().into(),
                                message: err.to_string(),
                            });
                            err
                        }
                    };
                    first_error = Some(e);
                    break;
                }
            }
        }
        drop(rx);
        if out.interrupted {
            running.abort_all();
        }
        while let Some(done) = running.join_next().await {
            if done.as_ref().is_err_and(tokio::task::JoinError::is_cancelled) {
                continue;
            }
            handle_done(done, &journal, &mut finished, &mut first_error, &progress, &notify);
        }
        let _ = planner.await;
        if let Some(e) = first_error {
            return Err(e);
        }
        finished.sort_by_key(|(o, _)| o.chunk);
        for (outcome, failures) in finished {
            out.inserted += outcome.summary.inserted;
            out.updated += outcome.summary.updated;
            if outcome.status == "completed" {
                out.failed += outcome.summary.failed;
            } else {
                out.failed += outcome.users;
            }
            out.failures.extend(failures);
            out.chunks.push(outcome);
        }
        Ok(out)
    }

    /// Waits for a chunk's job and maps its errors.
    async fn finish_chunk(
        &self,
        p: Planned,
        job_id: String,
    ) -> Result<(ChunkOutcome, Vec<UserFailure>)> {
        let job: Job = self.wait_job(&job_id).await?;
        let failures = if job.status == "completed" && job.summary.is_some_and(|s| s.failed > 0) {
            let errs = self.job_errors(&job_id).await?;
            map_failures(&p, &job_id, errs)
        } else {
            Vec::new()
        };
        Ok((
            ChunkOutcome {
                chunk: p.number,
                first_index: p.first_index,
                users: p.users,
                job_id,
                status: job.status,
                details: job.status_details,
                summary: job.summary.unwrap_or_default(),
            },
            failures,
        ))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn handle_done(
    done: std::result::Result<Result<(ChunkOutcome, Vec<UserFailure>)>, tokio::task::JoinError>,
    journal: &Mutex<Journal>,
    finished: &mut Vec<(ChunkOutcome, Vec<UserFailure>)>,
    first_error: &mut Option<Error>,
    progress: &Mutex<Progress>,
    notify: &dyn Fn(&Progress),
) {
    match done {
        Ok(Ok((outcome, failures))) => {
            let entry = Entry::Finished { outcome, failures };
            if let Err(e) = lock(journal).append(&entry) {
                first_error.get_or_insert(e);
            }
            let Entry::Finished { outcome, failures } = entry else { return };
            {
                let mut pr = lock(progress);
                pr.chunks_running = pr.chunks_running.saturating_sub(1);
                pr.chunks_done += 1;
                pr.users_done += outcome.users;
                notify(&pr);
            }
            finished.push((outcome, failures));
        }
        Ok(Err(e)) => {
            first_error.get_or_insert(e);
        }
        Err(e) => {
            first_error.get_or_insert(ErrorKind::Config(format!("a job task failed: {e}")).into());
        }
    }
}
