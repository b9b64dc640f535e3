//! Eight bytes at a time: finding bytes in a `u64` word without SIMD instructions, for the
//! short runs (JSON strings, record tails) where SIMD set-up costs more than it saves.
//!
//! Each mask has the high bit of every flagged byte set. A flag is exact for the lowest
//! flagged byte; above a true match, borrows may flag bytes that do not match, so only the
//! lowest flag of a mask (or of an `|` of masks) is used.

/// `0x01` in every byte.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
/// `0x80` in every byte.
const HIGH: u64 = ONES * 0x80;

/// The bytes of `w` equal to `c`.
pub(crate) fn eq(w: u64, c: u8) -> u64 {
    let x = w ^ (ONES * u64::from(c));
    x.wrapping_sub(ONES) & !x & HIGH
}

/// The bytes of `w` below `n` (at most 0x80).
pub(crate) fn below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(ONES * u64::from(n)) & !w & HIGH
}

/// The offset of the first byte of `bytes` that `hits` flags in its word (`is` says the
/// same of one byte, for the tail shorter than a word).
pub(crate) fn find(
    bytes: &[u8],
    hits: impl Fn(u64) -> u64,
    is: impl Fn(u8) -> bool,
) -> Option<usize> {
    let mut i = 0;
    while let Some(chunk) = bytes[i..].first_chunk::<8>() {
        let m = hits(u64::from_le_bytes(*chunk));
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    bytes[i..].iter().position(|&c| is(c)).map(|k| i + k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_agrees_with_a_byte_loop() {
        let hits = |w| eq(w, b'"') | eq(w, b'\\') | below(w, 0x20);
        let is = |c: u8| c == b'"' || c == b'\\' || c < 0x20;
        let base: Vec<u8> = (0x20u8..=0xff).filter(|c| !is(*c)).collect();
        for len in [0, 1, 7, 8, 9, 23, 64] {
            let text = &base[..len];
            assert_eq!(find(text, hits, is), None);
            for at in 0..len {
                for stop in [b'"', b'\\', 0, 0x1f, b'\n'] {
                    let mut b = text.to_vec();
                    b[at] = stop;
                    // A second stop after the first, and 0x01 / 0xff bytes around it, which
                    // are where borrows would show.
                    if at + 1 < len {
                        b[at + 1] = 0x01;
                    }
                    if at > 0 {
                        b[at - 1] = 0xff;
                    }
                    assert_eq!(find(&b, hits, is), Some(at), "{stop} at {at} of {len}");
                }
            }
        }
    }
}
