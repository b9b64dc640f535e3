//! Writes deterministic sample users: `gen-users [--count N] [--seed S] [--shape import|profile]
//! [--format json|ndjson] [-o FILE]`. Used for the bundled examples and benchmark files.

use std::io::{self, BufWriter, Write};

use userio_testkit::{Generator, Shape};

fn main() -> io::Result<()> {
    let mut count = 1000u64;
    let mut seed = 42u64;
    let mut shape = Shape::Import;
    let mut ndjson = false;
    let mut out: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage(&format!("{arg} needs a value")));
        match arg.as_str() {
            "--count" => {
                count = value().parse().unwrap_or_else(|_| usage("--count takes a number"))
            }
            "--seed" => seed = value().parse().unwrap_or_else(|_| usage("--seed takes a number")),
            "--shape" => {
                shape = match value().as_str() {
                    "import" => Shape::Import,
                    "profile" => Shape::Profile,
                    other => usage(&format!("unknown shape {other:?}")),
                }
            }
            "--format" => ndjson = value() == "ndjson",
            "-o" | "--out" => out = Some(value()),
            _ => usage(&format!("unknown argument {arg:?}")),
        }
    }
    let sink: Box<dyn Write> = match &out {
        Some(path) => Box::new(std::fs::File::create(path)?),
        None => Box::new(io::stdout().lock()),
    };
    let mut w = BufWriter::with_capacity(1 << 20, sink);
    if !ndjson {
        w.write_all(b"[\n")?;
    }
    for (i, user) in Generator::new(seed, shape).take(count as usize).enumerate() {
        if !ndjson && i > 0 {
            w.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut w, &user)?;
        if ndjson {
            w.write_all(b"\n")?;
        }
    }
    if !ndjson {
        w.write_all(b"\n]\n")?;
    }
    w.flush()
}

fn usage(msg: &str) -> ! {
    eprintln!(
        "gen-users: {msg}\nusage: gen-users [--count N] [--seed S] [--shape import|profile] [--format json|ndjson] [-o FILE]"
    );
    std::process::exit(2)
}
