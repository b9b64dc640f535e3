//! The export benchmark's floor: parse every NDJSON line with serde_json, and write the same
//! cells (default columns + plan) of the same users with the csv crate. No query engine,
//! no expression engine, no sort: the least work any exporter has to do.
//!
//! `cargo run --release -p userio-testkit --bin export-floor -- FILE [all] > out.csv`
//! (`all`: write every user, for comparing with an exporter whose query matches all.)

use std::io::{BufRead, BufReader, Write};

use serde_json::Value;

fn text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: export-floor FILE [all]")?;
    let all = std::env::args().nth(2).as_deref() == Some("all");
    let input = BufReader::with_capacity(1 << 16, std::fs::File::open(path)?);
    let stdout = std::io::stdout().lock();
    let mut w = csv::Writer::from_writer(std::io::BufWriter::with_capacity(1 << 16, stdout));
    w.write_record([
        "Id",
        "Given Name",
        "Family Name",
        "Nickname",
        "Name",
        "Email",
        "Email Verified",
        "Picture",
        "Connection",
        "Created At",
        "Updated At",
        "Plan",
    ])?;
    let (mut read, mut written) = (0u64, 0u64);
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let u: Value = serde_json::from_str(&line)?;
        read += 1;
        let keep = all
            || u.get("user_metadata").is_some()
                && u.get("logins_count").and_then(Value::as_f64).is_some_and(|n| n >= 5.0);
        if !keep {
            continue;
        }
        let plan = match u.pointer("/app_metadata/plan") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => "free".to_owned(),
        };
        w.write_record([
            text(u.get("user_id")),
            text(u.get("given_name")),
            text(u.get("family_name")),
            text(u.get("nickname")),
            text(u.get("name")),
            text(u.get("email")),
            text(u.get("email_verified")),
            text(u.get("picture")),
            text(u.pointer("/identities/0/connection")),
            text(u.get("created_at")),
            text(u.get("updated_at")),
            plan,
        ])?;
        written += 1;
    }
    w.flush()?;
    eprintln!("floor: {read} read, {written} written");
    std::io::stderr().flush()?;
    Ok(())
}
