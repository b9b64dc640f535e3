//! `bench-validator MODE FILE [ROUNDS]`: times one way of checking a users file.
//!
//! Modes:
//! - `floor`: stream the records (userio's reader) and `serde_json::from_slice` each into
//!   `Value` — parsing only, the floor for any validator that works on `Value`;
//! - `floor-whole`: `serde_json::from_slice` the whole file into one `Value` (memory grows);
//! - `userio`: `userio_core::schema::validate` (every rule, duplicates, positions), with its
//!   default worker threads (one per core, up to 4);
//! - `userio-nodup`: the same without the duplicate check (strictly flat memory);
//! - `userio-1`, `userio-nodup-1`: the same two on one thread (`threads: 1`);
//! - `userio-value`: `userio-1` with its typed fast path off (every user through `Value`,
//!   as before the fast path; same report);
//! - `jsonschema`: stream + parse each record, then `jsonschema` (0.61, formats on) checks
//!   it against Auth0's published per-user schema, collecting every error;
//! - `read`: the record reader alone (no parse), to see what the reader costs;
//! - `all`: each of the streaming modes in turn, best of ROUNDS, with ratios.
//!
//! Every streaming mode reads the file through a 64 KiB buffer (no whole-file copy), so
//! `/usr/bin/time -v bench-validator MODE FILE 1` gives each mode's peak memory.

use std::io::Read;
use std::time::{Duration, Instant};

use serde_json::Value;
use userio_core::read::UserReader;
use userio_core::schema::ValidateOptions;

const SCHEMA: &str = include_str!("../auth0-import-user.schema.json");

fn open(file: &str) -> std::io::BufReader<std::fs::File> {
    std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(file).expect("open the file"))
}

fn floor(input: impl Read) -> (u64, u64) {
    let mut reader = UserReader::new(input);
    let (mut users, mut objects) = (0, 0);
    while let Some(rec) = reader.next_record() {
        let rec = rec.expect("readable");
        let v: Value = serde_json::from_slice(rec.raw).expect("json");
        users += 1;
        objects += u64::from(v.is_object());
    }
    (users, users - objects)
}

fn read_only(input: impl Read) -> (u64, u64) {
    let mut reader = UserReader::new(input);
    let (mut users, mut bytes) = (0, 0u64);
    while let Some(rec) = reader.next_record() {
        let rec = rec.expect("readable");
        users += 1;
        bytes += rec.raw.len() as u64;
    }
    (users, u64::from(bytes == 0))
}

fn floor_whole(file: &str) -> (u64, u64) {
    let bytes = std::fs::read(file).expect("read the file");
    let v: Value = serde_json::from_slice(&bytes).expect("json array");
    (v.as_array().map_or(0, |a| a.len() as u64), 0)
}

/// `userio_core::schema::validate_with` with the defaults but for `threads`, the duplicate
/// check and the fast path.
fn userio(input: impl Read, threads: usize, check_duplicates: bool, fast_path: bool) -> (u64, u64) {
    let options = ValidateOptions { threads, check_duplicates, fast_path, ..Default::default() };
    let r = userio_core::schema::validate_with(input, &options);
    (r.users, r.users - r.valid)
}

fn jsonschema_mode(input: impl Read, validator: &jsonschema::Validator) -> (u64, u64) {
    let mut reader = UserReader::new(input);
    let (mut users, mut invalid) = (0, 0);
    while let Some(rec) = reader.next_record() {
        let rec = rec.expect("readable");
        let v: Value = serde_json::from_slice(rec.raw).expect("json");
        users += 1;
        // Collect every error (a report), as userio does.
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        invalid += u64::from(!errors.is_empty());
    }
    (users, invalid)
}

/// CPU time of the whole process so far (all threads), from `getrusage`.
fn cpu_time() -> Duration {
    // SAFETY: `getrusage` only writes the struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Runs `f` `rounds` times: the best wall time, that round's CPU time and `f`'s counts.
fn time(rounds: usize, mut f: impl FnMut() -> (u64, u64)) -> (Duration, Duration, u64, u64) {
    let mut best = (Duration::MAX, Duration::ZERO);
    let mut out = (0, 0);
    for _ in 0..rounds {
        let (t, cpu) = (Instant::now(), cpu_time());
        out = std::hint::black_box(f());
        let wall = t.elapsed();
        if wall < best.0 {
            best = (wall, cpu_time() - cpu);
        }
    }
    (best.0, best.1, out.0, out.1)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, mode, file, rest @ ..] = args.as_slice() else {
        eprintln!("usage: bench-validator floor|floor-whole|read|userio|userio-nodup|userio-1|userio-nodup-1|userio-value|jsonschema|all FILE [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = rest.first().and_then(|r| r.parse().ok()).unwrap_or(3);
    let len = std::fs::metadata(file).expect("stat the file").len();
    let schema: Value = serde_json::from_str(SCHEMA).expect("schema");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("valid schema");
    let mb = len as f64 / 1e6;
    let modes: Vec<&str> = if mode == "all" {
        vec!["floor", "userio", "userio-nodup", "userio-1", "userio-nodup-1", "userio-value", "jsonschema"]
    } else {
        vec![mode.as_str()]
    };
    println!("file: {file} ({mb:.1} MB), best of {rounds}");
    let mut rows = Vec::new();
    for m in modes {
        let (wall, cpu, users, invalid) = match m {
            "floor" => time(rounds, || floor(open(file))),
            "floor-whole" => time(rounds, || floor_whole(file)),
            "read" => time(rounds, || read_only(open(file))),
            "userio" => time(rounds, || userio(open(file), 0, true, true)),
            "userio-nodup" => time(rounds, || userio(open(file), 0, false, true)),
            "userio-1" => time(rounds, || userio(open(file), 1, true, true)),
            "userio-nodup-1" => time(rounds, || userio(open(file), 1, false, true)),
            "userio-value" => time(rounds, || userio(open(file), 1, true, false)),
            "jsonschema" => time(rounds, || jsonschema_mode(open(file), &validator)),
            other => {
                eprintln!("unknown mode {other}");
                std::process::exit(2);
            }
        };
        rows.push((m, wall.as_secs_f64(), cpu.as_secs_f64(), users, invalid));
    }
    let secs_of = |mode: &str| rows.iter().find(|r| r.0 == mode).map(|r| r.1);
    let ratio = |base: Option<f64>, secs: f64, inverse: bool| {
        base.map_or(String::from("-"), |b| format!("{:.2}", if inverse { b / secs } else { secs / b }))
    };
    println!(
        "{:<15} {:>8} {:>8} {:>8} {:>10} {:>8} {:>8} {:>13}",
        "mode", "seconds", "cpu s", "MB/s", "users/s", "invalid", "x floor", "jsonschema/x"
    );
    for &(m, secs, cpu, users, invalid) in &rows {
        println!(
            "{m:<15} {secs:>8.3} {cpu:>8.3} {:>8.1} {:>10.0} {invalid:>8} {:>8} {:>13}",
            mb / secs,
            users as f64 / secs,
            ratio(secs_of("floor"), secs, false),
            ratio(secs_of("jsonschema"), secs, true),
        );
    }
}
