//! The import chunk planner: splits a users file into JSON-array files that each stay under
//! Auth0's import-job size limit, never splitting a user and keeping the order.

use std::io::Read;

use crate::read::{ReadError, ReadErrorKind, UserReader};

/// Auth0 refuses import requests over 512,000 bytes (multipart framing included); this
/// default leaves room for the framing.
pub const DEFAULT_MAX_CHUNK_BYTES: usize = 500_000;

/// One import file: a JSON array holding users `first_index ..first_index + users`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// 0-based chunk number.
    pub number: usize,
    /// Index (in the original file) of the first user in this chunk.
    pub first_index: u64,
    /// How many users the chunk holds.
    pub users: u64,
    /// The chunk's bytes: a JSON array, each user exactly as in the input.
    pub bytes: Vec<u8>,
}

/// Splits `input` into chunks of at most `max_bytes`, handing each to `sink` in order.
/// Returns the number of chunks. A single user larger than `max_bytes` is an error.
pub fn split<R: Read, E: From<ReadError>>(
    input: R,
    max_bytes: usize,
    mut sink: impl FnMut(Chunk) -> Result<(), E>,
) -> Result<usize, E> {
    let mut reader = UserReader::new(input);
    let mut current = Chunk { number: 0, first_index: 0, users: 0, bytes: Vec::new() };
    while let Some(rec) = reader.next_record() {
        let rec = rec?;
        // `[` + users joined by `,\n` + `]\n`
        let needed = rec.raw.len() + if current.users == 0 { 3 } else { 2 };
        if current.users > 0 && current.bytes.len() + needed > max_bytes {
            current.bytes.extend_from_slice(b"]\n");
            let number = current.number;
            let next =
                Chunk { number: number + 1, first_index: rec.index, users: 0, bytes: Vec::new() };
            sink(std::mem::replace(&mut current, next))?;
        }
        if current.users == 0 {
            if rec.raw.len() + 3 > max_bytes {
                return Err(ReadError {
                    kind: ReadErrorKind::RecordTooLarge(max_bytes.saturating_sub(3)),
                    position: rec.position,
                    index: Some(rec.index),
                }
                .into());
            }
            current.first_index = rec.index;
            current.bytes.push(b'[');
        } else {
            current.bytes.extend_from_slice(b",\n");
        }
        current.bytes.extend_from_slice(rec.raw);
        current.users += 1;
    }
    if current.users == 0 {
        return Ok(current.number);
    }
    current.bytes.extend_from_slice(b"]\n");
    let count = current.number + 1;
    sink(current)?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_under_the_limit_in_order() {
        let users: Vec<String> =
            (0..100).map(|i| format!("{{\"email\":\"u{i}@example.com\"}}")).collect();
        let input = format!("[{}]", users.join(","));
        let mut chunks = Vec::new();
        let n = split::<_, ReadError>(input.as_bytes(), 300, |c| {
            chunks.push(c);
            Ok(())
        })
        .unwrap();
        assert_eq!(n, chunks.len());
        assert!(n > 1);
        let mut seen = 0;
        for c in &chunks {
            assert!(c.bytes.len() <= 300);
            let arr: Vec<serde_json::Value> = serde_json::from_slice(&c.bytes).unwrap();
            assert_eq!(arr.len() as u64, c.users);
            assert_eq!(c.first_index, seen);
            seen += c.users;
        }
        assert_eq!(seen, 100);
    }
}
