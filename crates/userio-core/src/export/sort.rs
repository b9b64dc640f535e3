//! Sorting rendered rows by a sort key, in memory or through temporary files.
//!
//! Only what the output needs is buffered: the sort key and the already-rendered row bytes.
//! When the buffered size passes the memory budget, the buffer is sorted and spilled to an
//! anonymous temporary file (a *run*); at the end the runs are merged with a binary heap
//! (at most [`MAX_FAN_IN`] at once; more runs are merged in passes). Every entry carries
//! its input sequence number, so the order is total and the sort stable whatever the runs.
//!
//! Order: missing values (absent or `null`) last in both directions; otherwise numbers
//! (numerically) < ISO date-times (as instants) < other strings (by code point) < booleans
//! (`false` < `true`) < arrays and objects (by their compact JSON text). Descending reverses
//! that order except for missing values, which stay last.

use crate::datetime::days_from_civil;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use serde_json::Value;

use crate::user::UserRef;

/// At most this many runs are merged at once (each holds a 64 KiB read buffer).
pub(crate) const MAX_FAN_IN: usize = 64;

/// A sort attribute path such as `created_at`, `user.app_metadata.plan` or
/// `identities[0].connection`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SortPath {
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Field(String),
    Index(usize),
}

impl Segment {
    /// The attribute name of a field step.
    fn field(&self) -> Option<&str> {
        match self {
            Segment::Field(f) => Some(f),
            Segment::Index(_) => None,
        }
    }
}

impl SortPath {
    /// Parses a dotted path; `[n]` indexes arrays; a leading `user.` is ignored.
    pub(crate) fn parse(text: &str) -> Result<SortPath, String> {
        let trimmed = text.trim();
        let trimmed = trimmed.strip_prefix("user.").unwrap_or(trimmed);
        if trimmed.is_empty() {
            return Err("the sort path is empty: give an attribute such as `created_at`".into());
        }
        let mut segments = Vec::new();
        for part in trimmed.split('.') {
            let (field, mut rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if field.is_empty() && rest.is_empty() {
                return Err(format!("empty segment in sort path `{text}`"));
            }
            if !field.is_empty() {
                segments.push(Segment::Field(field.to_owned()));
            }
            while !rest.is_empty() {
                let close =
                    rest.find(']').ok_or_else(|| format!("missing `]` in sort path `{text}`"))?;
                let n = rest[1..close].trim().parse::<usize>().map_err(|_| {
                    format!("`{}` is not an array index in sort path `{text}`", &rest[1..close])
                })?;
                segments.push(Segment::Index(n));
                rest = &rest[close + 1..];
                if !rest.is_empty() && !rest.starts_with('[') {
                    return Err(format!("unexpected `{rest}` in sort path `{text}`"));
                }
            }
        }
        Ok(SortPath { segments })
    }

    /// The top-level attribute the path starts with (`None`: it indexes the user itself).
    pub(crate) fn root(&self) -> Option<&str> {
        match self.segments.first() {
            Some(Segment::Field(f)) => Some(f),
            _ => None,
        }
    }

    /// The value at this path, if any.
    pub(crate) fn resolve<'v>(&self, user: UserRef<'v>) -> Option<&'v Value> {
        let (v, rest) = user.start(&self.segments, Segment::field);
        let mut v = v?;
        for seg in rest {
            v = match (seg, v) {
                (Segment::Field(f), Value::Object(map)) => map.get(f)?,
                (Segment::Field(f), Value::Array(items)) => items.get(f.parse::<usize>().ok()?)?,
                (Segment::Index(i), Value::Array(items)) => items.get(*i)?,
                _ => return None,
            };
        }
        Some(v)
    }
}

/// A sort key, ordered as described in the [module docs](self).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Key {
    Number(f64),
    Instant(i64, u32),
    Text(String),
    Bool(bool),
    Json(String),
    Missing,
}

impl Key {
    /// The key of `value` (`None`: the attribute is absent).
    pub(crate) fn of(value: Option<&Value>, case_insensitive: bool) -> Key {
        match value {
            None | Some(Value::Null) => Key::Missing,
            Some(Value::Bool(b)) => Key::Bool(*b),
            Some(Value::Number(n)) => n.as_f64().map_or(Key::Missing, Key::Number),
            Some(Value::String(s)) => match parse_instant(s) {
                Some((secs, nanos)) => Key::Instant(secs, nanos),
                None if case_insensitive => Key::Text(s.to_lowercase()),
                None => Key::Text(s.clone()),
            },
            Some(other) => Key::Json(other.to_string()),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Key::Number(_) => 0,
            Key::Instant(..) => 1,
            Key::Text(_) => 2,
            Key::Bool(_) => 3,
            Key::Json(_) => 4,
            Key::Missing => 5,
        }
    }

    /// Heap bytes held by the key.
    fn heap_size(&self) -> usize {
        match self {
            Key::Text(s) | Key::Json(s) => s.capacity(),
            _ => 0,
        }
    }

    /// Compares two keys; `descending` reverses all but the missing-last rule.
    pub(crate) fn compare(&self, other: &Key, descending: bool) -> Ordering {
        let ord = match (self, other) {
            (Key::Missing, Key::Missing) => return Ordering::Equal,
            (Key::Missing, _) => return Ordering::Greater,
            (_, Key::Missing) => return Ordering::Less,
            (Key::Number(a), Key::Number(b)) => a.total_cmp(b),
            (Key::Instant(a, an), Key::Instant(b, bn)) => (a, an).cmp(&(b, bn)),
            (Key::Text(a), Key::Text(b)) | (Key::Json(a), Key::Json(b)) => a.cmp(b),
            (Key::Bool(a), Key::Bool(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        };
        if descending { ord.reverse() } else { ord }
    }
}

/// Parses an ISO 8601 / RFC 3339 date-time (`2024-01-02T03:04:05.678Z`, an offset such as
/// `+02:00`, or none for UTC) or a date (`2024-01-02`, midnight UTC) into seconds and
/// nanoseconds since the Unix epoch.
pub(crate) fn parse_instant(s: &str) -> Option<(i64, u32)> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(r)?;
        if part.iter().all(u8::is_ascii_digit) {
            Some(part.iter().fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')))
        } else {
            None
        }
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if b.len() == 10 {
        return Some((days * 86_400, 0));
    }
    if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 16 || b[13] != b':' {
        return None;
    }
    let (hour, minute) = (num(11..13)?, num(14..16)?);
    let mut i = 16;
    let mut second = 0;
    let mut nanos = 0u32;
    if b.get(i) == Some(&b':') {
        second = num(i + 1..i + 3)?;
        i += 3;
        if matches!(b.get(i), Some(b'.' | b',')) {
            i += 1;
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                if i - start < 9 {
                    nanos = nanos * 10 + u32::from(b[i] - b'0');
                }
                i += 1;
            }
            let digits = i - start;
            if digits == 0 {
                return None;
            }
            for _ in digits..9 {
                nanos *= 10;
            }
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let offset = match b.get(i) {
        None => 0,
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) => {
            let oh = num(i + 1..i + 3)?;
            let om = match (b.len() - i, b.get(i + 3)) {
                (6, Some(b':')) => num(i + 4..i + 6)?,
                (5, _) => num(i + 3..i + 5)?,
                (3, _) => 0,
                _ => return None,
            };
            let off = oh * 3600 + om * 60;
            if *sign == b'+' { off } else { -off }
        }
        _ => return None,
    };
    Some((days * 86_400 + hour * 3600 + minute * 60 + second - offset, nanos))
}

/// One buffered row: its key, its input sequence number and its rendered bytes.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) key: Key,
    pub(crate) seq: u64,
    row: Row,
}

/// Where a row's bytes are: in the sorter's arena (buffered rows), or owned (read back
/// from a run file).
#[derive(Debug, Clone)]
enum Row {
    Arena { chunk: u32, start: u32, len: u32 },
    Owned(Box<[u8]>),
}

/// Rows packed into 1 MiB chunks: no allocation per row, and the freed memory of parsed
/// users stays hot for the next parse.
#[derive(Debug, Default)]
struct Arena {
    chunks: Vec<Vec<u8>>,
    bytes: usize,
    chunk_size: usize,
}

impl Arena {
    fn push(&mut self, row: &[u8]) -> Row {
        let fits = self.chunks.last().is_some_and(|c| c.capacity() - c.len() >= row.len());
        if !fits {
            let chunk = Vec::with_capacity(self.chunk_size.max(row.len()));
            self.bytes += chunk.capacity();
            self.chunks.push(chunk);
        }
        let chunk_index = self.chunks.len() - 1;
        let chunk = &mut self.chunks[chunk_index];
        let start = chunk.len();
        chunk.extend_from_slice(row);
        match (u32::try_from(chunk_index), u32::try_from(start), u32::try_from(row.len())) {
            (Ok(chunk), Ok(start), Ok(len)) => Row::Arena { chunk, start, len },
            _ => Row::Owned(row.into()),
        }
    }

    fn get<'a>(&'a self, row: &'a Row) -> &'a [u8] {
        match row {
            Row::Arena { chunk, start, len } => {
                let (s, l) = (*start as usize, *len as usize);
                self.chunks.get(*chunk as usize).and_then(|c| c.get(s..s + l)).unwrap_or_default()
            }
            Row::Owned(b) => b,
        }
    }
}

impl Entry {
    fn size(&self) -> usize {
        std::mem::size_of::<Entry>()
            + self.key.heap_size()
            + match &self.row {
                Row::Owned(b) => b.len(),
                Row::Arena { .. } => 0,
            }
    }

    fn compare(&self, other: &Entry, descending: bool) -> Ordering {
        self.key.compare(&other.key, descending).then(self.seq.cmp(&other.seq))
    }
}

/// Why sorting failed: a temporary file could not be written or read back.
#[derive(Debug)]
pub(crate) struct TempError(pub(crate) io::Error);

/// Buffers entries within a budget, spilling sorted runs, and merges them at the end.
#[derive(Debug)]
pub(crate) struct Sorter {
    descending: bool,
    budget: usize,
    keep: Option<usize>,
    temp_dir: Option<PathBuf>,
    buf: Vec<Entry>,
    buf_bytes: usize,
    arena: Arena,
    /// Sorted runs with their merge level: 64 runs of one level merge into one run of the
    /// next, so that few files are open however many runs a small budget makes.
    runs: Vec<(File, u32)>,
    runs_written: u64,
}

impl Sorter {
    pub(crate) fn new(
        descending: bool,
        budget: usize,
        keep: Option<u64>,
        temp_dir: Option<PathBuf>,
    ) -> Self {
        Sorter {
            descending,
            budget,
            keep: keep.map(|k| usize::try_from(k).unwrap_or(usize::MAX)),
            temp_dir,
            buf: Vec::new(),
            buf_bytes: 0,
            arena: Arena { chunk_size: (budget / 16).clamp(4096, 1 << 20), ..Arena::default() },
            runs: Vec::new(),
            runs_written: 0,
        }
    }

    /// How many runs were spilled to temporary files.
    pub(crate) fn runs_written(&self) -> u64 {
        self.runs_written
    }

    fn buffered_size(&self) -> usize {
        self.buf_bytes + self.arena.bytes + self.buf.capacity() * std::mem::size_of::<Entry>()
    }

    fn new_arena(&self) -> Arena {
        Arena { chunk_size: self.arena.chunk_size, ..Arena::default() }
    }

    /// Buffers one row with its key and input sequence number.
    pub(crate) fn push(&mut self, key: Key, seq: u64, row: &[u8]) -> Result<(), TempError> {
        let entry = Entry { key, seq, row: self.arena.push(row) };
        self.buf_bytes += entry.size();
        self.buf.push(entry);
        if let Some(keep) = self.keep
            && self.buf.len() >= keep.max(512).saturating_mul(2)
        {
            self.sort_and_truncate();
        }
        if self.buffered_size() > self.budget {
            self.spill()?;
        }
        Ok(())
    }

    fn sort_and_truncate(&mut self) {
        let desc = self.descending;
        self.buf.sort_unstable_by(|a, b| a.compare(b, desc));
        if let Some(keep) = self.keep
            && self.buf.len() > keep
        {
            self.buf.truncate(keep);
            // Compact the arena to the rows kept.
            let fresh = self.new_arena();
            let old = std::mem::replace(&mut self.arena, fresh);
            for e in &mut self.buf {
                e.row = self.arena.push(old.get(&e.row));
            }
            self.buf_bytes = self.buf.iter().map(Entry::size).sum();
        }
    }

    fn temp_file(&self) -> Result<File, TempError> {
        match &self.temp_dir {
            Some(dir) => tempfile::tempfile_in(dir),
            None => tempfile::tempfile(),
        }
        .map_err(TempError)
    }

    fn spill(&mut self) -> Result<(), TempError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.sort_and_truncate();
        let file = self.temp_file()?;
        let mut w = BufWriter::with_capacity(64 * 1024, file);
        for e in &self.buf {
            write_entry(&mut w, e, self.arena.get(&e.row)).map_err(TempError)?;
        }
        let file = finish_run(w)?;
        self.runs.push((file, 0));
        self.runs_written += 1;
        self.buf = Vec::new();
        self.buf_bytes = 0;
        self.arena = self.new_arena();
        // Cascade: merge the trailing runs of one level once there are MAX_FAN_IN of them.
        while let Some(&(_, level)) = self.runs.last() {
            let same = self.runs.iter().rev().take_while(|(_, l)| *l == level).count();
            if same < MAX_FAN_IN {
                break;
            }
            let group: Vec<File> =
                self.runs.drain(self.runs.len() - same..).map(|(f, _)| f).collect();
            let file = self.merge_to_file(group)?;
            self.runs.push((file, level + 1));
        }
        Ok(())
    }

    fn merge_to_file(&self, group: Vec<File>) -> Result<File, TempError> {
        let file = self.temp_file()?;
        let mut w = BufWriter::with_capacity(64 * 1024, file);
        let keep = self.keep.unwrap_or(usize::MAX);
        merge(group, Vec::new(), &Arena::default(), self.descending, keep, |e, row| {
            write_entry(&mut w, e, row).map_err(TempError)?;
            Ok::<bool, TempError>(true)
        })?;
        finish_run(w)
    }

    /// Hands every row to `emit` in order (at most `keep` of them). `emit` returns `false`
    /// to stop early.
    pub(crate) fn finish<E>(
        mut self,
        mut emit: impl FnMut(&[u8]) -> Result<bool, E>,
    ) -> Result<(), E>
    where
        E: From<TempError>,
    {
        let keep = self.keep.unwrap_or(usize::MAX);
        if self.runs.is_empty() {
            self.sort_and_truncate();
            for e in self.buf.iter().take(keep) {
                if !emit(self.arena.get(&e.row))? {
                    break;
                }
            }
            return Ok(());
        }
        // The last buffer joins the merge from memory instead of going through a file.
        self.sort_and_truncate();
        // Merge in passes until one heap can take every run.
        while self.runs.len() > MAX_FAN_IN {
            let group: Vec<File> = self.runs.drain(..MAX_FAN_IN).map(|(f, _)| f).collect();
            let file = self.merge_to_file(group)?;
            self.runs.push((file, u32::MAX));
        }
        let runs = std::mem::take(&mut self.runs).into_iter().map(|(f, _)| f).collect();
        let last = std::mem::take(&mut self.buf);
        merge(runs, last, &self.arena, self.descending, keep, |_, row| emit(row))
    }
}

fn finish_run(w: BufWriter<File>) -> Result<File, TempError> {
    let mut file = w.into_inner().map_err(|e| TempError(e.into_error()))?;
    file.seek(SeekFrom::Start(0)).map_err(TempError)?;
    Ok(file)
}

struct HeapItem {
    entry: Entry,
    run: usize,
    descending: bool,
}

impl PartialEq for HeapItem {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for HeapItem {}
impl PartialOrd for HeapItem {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for HeapItem {
    /// Reversed: `BinaryHeap` is a max-heap and the merge wants the smallest entry first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.entry.compare(&self.entry, self.descending)
    }
}

/// One sorted input of a merge: a run file, or the last buffer still in memory.
enum Source {
    File(BufReader<File>),
    Memory(std::vec::IntoIter<Entry>),
}

impl Source {
    fn next_entry(&mut self) -> io::Result<Option<Entry>> {
        match self {
            Source::File(r) => read_entry(r),
            Source::Memory(it) => Ok(it.next()),
        }
    }
}

/// Merges sorted `runs` and the sorted in-memory `last` entries, emitting at most `keep`.
fn merge<E>(
    runs: Vec<File>,
    last: Vec<Entry>,
    arena: &Arena,
    descending: bool,
    keep: usize,
    mut emit: impl FnMut(&Entry, &[u8]) -> Result<bool, E>,
) -> Result<(), E>
where
    E: From<TempError>,
{
    let mut readers: Vec<Source> =
        runs.into_iter().map(|f| Source::File(BufReader::with_capacity(64 * 1024, f))).collect();
    if !last.is_empty() {
        readers.push(Source::Memory(last.into_iter()));
    }
    let mut heap = BinaryHeap::with_capacity(readers.len());
    for (run, r) in readers.iter_mut().enumerate() {
        if let Some(entry) = r.next_entry().map_err(TempError)? {
            heap.push(HeapItem { entry, run, descending });
        }
    }
    let mut emitted = 0usize;
    while emitted < keep {
        let Some(top) = heap.pop() else { break };
        if !emit(&top.entry, arena.get(&top.entry.row))? {
            break;
        }
        emitted += 1;
        if let Some(entry) = readers[top.run].next_entry().map_err(TempError)? {
            heap.push(HeapItem { entry, run: top.run, descending });
        }
    }
    Ok(())
}

fn write_bytes(w: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    w.write_all(&(bytes.len() as u64).to_le_bytes())?;
    w.write_all(bytes)
}

fn write_entry(w: &mut impl Write, e: &Entry, row: &[u8]) -> io::Result<()> {
    match &e.key {
        Key::Number(n) => {
            w.write_all(&[0])?;
            w.write_all(&n.to_bits().to_le_bytes())?;
        }
        Key::Instant(s, n) => {
            w.write_all(&[1])?;
            w.write_all(&s.to_le_bytes())?;
            w.write_all(&n.to_le_bytes())?;
        }
        Key::Text(s) => {
            w.write_all(&[2])?;
            write_bytes(w, s.as_bytes())?;
        }
        Key::Bool(b) => w.write_all(&[3, u8::from(*b)])?,
        Key::Json(s) => {
            w.write_all(&[4])?;
            write_bytes(w, s.as_bytes())?;
        }
        Key::Missing => w.write_all(&[5])?,
    }
    w.write_all(&e.seq.to_le_bytes())?;
    write_bytes(w, row)
}

fn read_array<const N: usize>(r: &mut impl Read) -> io::Result<[u8; N]> {
    let mut a = [0u8; N];
    r.read_exact(&mut a)?;
    Ok(a)
}

fn read_bytes(r: &mut impl Read) -> io::Result<Vec<u8>> {
    let len = u64::from_le_bytes(read_array(r)?);
    let len = usize::try_from(len)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "corrupt sort run"))?;
    let mut v = vec![0; len];
    r.read_exact(&mut v)?;
    Ok(v)
}

fn read_string(r: &mut impl Read) -> io::Result<String> {
    String::from_utf8(read_bytes(r)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "corrupt sort run"))
}

fn read_entry(r: &mut impl Read) -> io::Result<Option<Entry>> {
    let mut tag = [0u8; 1];
    loop {
        match r.read(&mut tag) {
            Ok(0) => return Ok(None),
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let key = match tag[0] {
        0 => Key::Number(f64::from_bits(u64::from_le_bytes(read_array(r)?))),
        1 => Key::Instant(i64::from_le_bytes(read_array(r)?), u32::from_le_bytes(read_array(r)?)),
        2 => Key::Text(read_string(r)?),
        3 => Key::Bool(read_array::<1>(r)?[0] != 0),
        4 => Key::Json(read_string(r)?),
        5 => Key::Missing,
        _ => return Err(io::Error::new(io::ErrorKind::InvalidData, "corrupt sort run")),
    };
    let seq = u64::from_le_bytes(read_array(r)?);
    let row = Row::Owned(read_bytes(r)?.into_boxed_slice());
    Ok(Some(Entry { key, seq, row }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths() {
        let u = json!({"identities": [{"connection": "db"}], "a": {"b": 1}});
        let p = |s: &str| SortPath::parse(s).unwrap();
        assert_eq!(
            p("user.identities[0].connection").resolve(UserRef::Whole(&u)),
            Some(&json!("db"))
        );
        assert_eq!(p("identities.0.connection").resolve(UserRef::Whole(&u)), Some(&json!("db")));
        assert_eq!(p("a.b").resolve(UserRef::Whole(&u)), Some(&json!(1)));
        assert_eq!(p("a.c").resolve(UserRef::Whole(&u)), None);
        assert!(SortPath::parse("").is_err());
        assert!(SortPath::parse("a[x]").is_err());
        assert!(SortPath::parse("a[0").is_err());
        assert!(SortPath::parse("a..b").is_err());
    }

    #[test]
    fn instants() {
        assert_eq!(parse_instant("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(parse_instant("1970-01-01"), Some((0, 0)));
        assert_eq!(parse_instant("1970-01-01T01:00:00+01:00"), Some((0, 0)));
        assert_eq!(parse_instant("1970-01-01T00:00:00.5Z"), Some((0, 500_000_000)));
        assert_eq!(parse_instant("2000-03-01T00:00:00Z"), Some((951_868_800, 0)));
        assert_eq!(parse_instant("1969-12-31T23:59:59Z"), Some((-1, 0)));
        assert_eq!(parse_instant("2024-13-01"), None);
        assert_eq!(parse_instant("2024-01-01Tx"), None);
        assert_eq!(parse_instant("hello"), None);
        assert_eq!(parse_instant("2024-01-01T00:00:00Zjunk"), None);
    }

    #[test]
    fn key_order() {
        let k = |v: Value| Key::of(Some(&v), false);
        let keys = [
            k(json!(-1)),
            k(json!(2.5)),
            k(json!(10)),
            k(json!("2020-01-01T00:00:00Z")),
            k(json!("2021-01-01")),
            k(json!("B")),
            k(json!("a")),
            k(json!(false)),
            k(json!(true)),
            k(json!([1])),
            Key::Missing,
        ];
        for w in keys.windows(2) {
            assert_eq!(w[0].compare(&w[1], false), Ordering::Less, "{w:?}");
        }
        assert_eq!(keys[0].compare(&keys[1], true), Ordering::Greater);
        assert_eq!(keys[0].compare(&Key::Missing, true), Ordering::Less);
        assert_eq!(Key::of(None, false), Key::Missing);
        assert_eq!(Key::of(Some(&Value::Null), false), Key::Missing);
        assert_eq!(Key::of(Some(&json!("Ab")), true), Key::Text("ab".into()));
    }

    fn entries(n: u64) -> Vec<(Key, u64, Vec<u8>)> {
        (0..n)
            .map(|i| {
                let key = match i % 7 {
                    0 => Key::Missing,
                    1 => Key::Text(format!("t{}", (i * 31) % 13)),
                    _ => Key::Number(((i * 7919) % 101) as f64),
                };
                (key, i, format!("row{i}\n").into_bytes())
            })
            .collect()
    }

    fn run(budget: usize, desc: bool, keep: Option<u64>) -> (Vec<u8>, u64) {
        let mut s = Sorter::new(desc, budget, keep, None);
        for (key, seq, row) in entries(3000) {
            s.push(key, seq, &row).unwrap();
        }
        let runs = s.runs_written();
        // Cascading merges keep the number of open run files small.
        assert!(s.runs.len() < 2 * MAX_FAN_IN, "{} open runs", s.runs.len());
        let mut out = Vec::new();
        s.finish(|row| {
            out.extend_from_slice(row);
            Ok::<bool, TempError>(true)
        })
        .unwrap();
        (out, runs)
    }

    #[test]
    fn spilled_merge_equals_in_memory_sort() {
        for desc in [false, true] {
            for keep in [None, Some(5), Some(700), Some(10_000)] {
                let (mem, runs) = run(usize::MAX, desc, keep);
                assert_eq!(runs, 0);
                // Many runs: exercises cascading merges.
                let (disk, runs) = run(24_000, desc, keep);
                assert!(runs > 1, "expected spills");
                assert_eq!(mem, disk, "desc={desc} keep={keep:?}");
            }
        }
    }

    #[test]
    fn stable_and_missing_last() {
        let (out, _) = run(usize::MAX, true, None);
        let text = String::from_utf8(out).unwrap();
        let rows: Vec<&str> = text.lines().collect();
        // Missing keys (i % 7 == 0) come last, in input order.
        let tail: Vec<&str> = rows[rows.len() - 429..].to_vec();
        assert!(tail.iter().all(|r| r[3..].parse::<u64>().unwrap() % 7 == 0));
        let seqs: Vec<u64> = tail.iter().map(|r| r[3..].parse().unwrap()).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    }
}
