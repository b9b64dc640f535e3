//! Finding where a JSON value ends, fast: the reader's hot loop.
//!
//! Only what decides the end is tracked (strings, escapes, bracket depth); the parse that
//! follows checks everything else. On x86-64, 64-byte blocks without a backslash are
//! scanned with SSE2 bit masks, as simdjson's first stage does: the in-string mask is a
//! prefix XOR of the quote mask, and only the brackets outside strings are looked at one by
//! one. Blocks with a backslash, an escape pending from the block before, or a top-level
//! string go byte by byte. Both ways give the same end (see the tests).

/// Where the scan is, between calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct ScanState {
    /// Open `{` and `[` (a value that starts with one is at depth 1 after it).
    pub(super) depth: usize,
    pub(super) in_str: bool,
    /// The next byte is escaped (it follows a `\` inside a string).
    pub(super) esc: bool,
}

/// Scans the next bytes of a value; returns the offset just past its end, if it ends in
/// `bytes`. A value is a string (`in_str` set, depth 0, its opening quote already consumed)
/// or starts with `{` / `[` (depth 0, `bytes` starting at the bracket).
pub(super) fn scan(bytes: &[u8], st: &mut ScanState) -> Option<usize> {
    let mut k = 0;
    while let Some(block) = bytes.get(k..).and_then(<[u8]>::first_chunk::<64>) {
        let found = match block_masks(block) {
            Some(m) if !st.esc && st.depth > 0 => scan_block(m, st),
            _ => scan_bytes(block, st),
        };
        if let Some(end) = found {
            return Some(k + end);
        }
        k += 64;
    }
    scan_bytes(&bytes[k..], st).map(|end| k + end)
}

/// Byte by byte.
fn scan_bytes(bytes: &[u8], st: &mut ScanState) -> Option<usize> {
    let mut k = 0;
    while k < bytes.len() {
        if st.esc {
            st.esc = false;
            k += 1;
            continue;
        }
        if st.in_str {
            match quote_or_backslash(&bytes[k..]) {
                Some(j) => {
                    k += j;
                    if bytes[k] == b'\\' {
                        st.esc = true;
                    } else {
                        st.in_str = false;
                        if st.depth == 0 {
                            return Some(k + 1);
                        }
                    }
                    k += 1;
                }
                None => k = bytes.len(),
            }
            continue;
        }
        match bytes[k] {
            b'"' => st.in_str = true,
            b'{' | b'[' => st.depth += 1,
            b'}' | b']' => {
                st.depth -= 1;
                if st.depth == 0 {
                    return Some(k + 1);
                }
            }
            _ => {}
        }
        k += 1;
    }
    None
}

/// Bit `i` of each mask is set when byte `i` of a block is a `"`, a `{` or `[`, a `}` or
/// `]`.
#[derive(Clone, Copy)]
struct Masks {
    quote: u64,
    open: u64,
    close: u64,
}

/// One block with no `\` inside, entered outside any escape and inside a bracket.
fn scan_block(m: Masks, st: &mut ScanState) -> Option<usize> {
    let mut inside = prefix_xor(m.quote);
    if st.in_str {
        inside = !inside;
    }
    st.in_str = inside >> 63 == 1;
    let mut brackets = (m.open | m.close) & !inside;
    while brackets != 0 {
        let at = brackets.trailing_zeros();
        if m.open >> at & 1 == 1 {
            st.depth += 1;
        } else {
            st.depth -= 1;
            if st.depth == 0 {
                return Some(at as usize + 1);
            }
        }
        brackets &= brackets - 1;
    }
    None
}

/// Bit `i` set when an odd number of bits `0..=i` of `x` are set.
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// The masks of `block`, or `None` when it holds a `\` (or no SIMD is available here).
#[cfg(target_arch = "x86_64")]
fn block_masks(block: &[u8; 64]) -> Option<Masks> {
    use safe_arch::{
        bitor_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i, move_mask_i8_m128i,
        set_splat_i8_m128i,
    };
    let mut quote = 0u64;
    let mut backslash = 0u64;
    let mut open = 0u64;
    let mut close = 0u64;
    for (i, lane) in block.as_chunks::<16>().0.iter().enumerate() {
        let v = load_unaligned_m128i(lane);
        let mask = |v, c: u8| {
            let eq = cmp_eq_mask_i8_m128i(v, set_splat_i8_m128i(c as i8));
            u64::from(move_mask_i8_m128i(eq) as u16)
        };
        // `{` and `[` differ only in bit 0x20, as do `}` and `]`.
        let folded = bitor_m128i(v, set_splat_i8_m128i(0x20));
        let shift = 16 * i;
        quote |= mask(v, b'"') << shift;
        backslash |= mask(v, b'\\') << shift;
        open |= mask(folded, b'{') << shift;
        close |= mask(folded, b'}') << shift;
    }
    (backslash == 0).then_some(Masks { quote, open, close })
}

#[cfg(not(target_arch = "x86_64"))]
fn block_masks(_: &[u8; 64]) -> Option<Masks> {
    None
}

/// The offset of the first `"` or `\` in `bytes`, eight bytes at a time.
pub(super) fn quote_or_backslash(bytes: &[u8]) -> Option<usize> {
    use crate::swar::{eq, find};
    find(bytes, |w| eq(w, b'"') | eq(w, b'\\'), |c| c == b'"' || c == b'\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    type Scanner = fn(&[u8], &mut ScanState) -> Option<usize>;

    /// The end found by `scanner`, fed in pieces of `piece` bytes.
    fn end_in_pieces(
        bytes: &[u8],
        st0: ScanState,
        piece: usize,
        scanner: Scanner,
    ) -> Option<usize> {
        let mut st = st0;
        let mut k = 0;
        for chunk in bytes.chunks(piece) {
            if let Some(end) = scanner(chunk, &mut st) {
                return Some(k + end);
            }
            k += chunk.len();
        }
        None
    }

    fn check(bytes: &[u8]) {
        let st0 = if bytes.first() == Some(&b'"') {
            ScanState { in_str: true, ..ScanState::default() }
        } else {
            ScanState::default()
        };
        let skip = usize::from(st0.in_str);
        let expected = end_in_pieces(&bytes[skip..], st0, bytes.len().max(1), scan_bytes);
        for piece in [1, 7, 63, 64, 65, 130, bytes.len().max(1)] {
            assert_eq!(
                end_in_pieces(&bytes[skip..], st0, piece, scan),
                expected,
                "piece {piece}: {:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn blocks_find_the_same_end_as_bytes() {
        let long = "x".repeat(70);
        let cases = [
            format!(r#"{{"a":"{long}","b":[1,{{"c":"}}]"}}],"d":"\""}}, {{"next":1}}"#),
            format!(r#"[{{"k":"{long}\\\\"}},"{long}\\"]"],{{}}]  ["after"]"#),
            format!(r#"{{"esc":"{}\\"}}{{","z":1}}"#, "y".repeat(62)),
            format!(r#""top-level {long} string \" with }} inside" , 1"#),
            format!(r#"{{"unclosed":"{long}"#),
            format!("{{{}}}{}", "[".repeat(100) + &"]".repeat(100), "]".repeat(10)),
        ];
        for case in &cases {
            check(case.as_bytes());
        }
    }

    #[test]
    fn random_inputs_find_the_same_end() {
        // A small xorshift, so that the test needs no dependency and is reproducible.
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let alphabet = b"{}[]\"\\a,: ";
        for _ in 0..3000 {
            let len = (next() % 300) as usize;
            let mut bytes = vec![b'{'];
            bytes.extend((0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]));
            check(&bytes);
        }
    }

    #[test]
    fn finds_quotes_and_backslashes() {
        let cases: &[&[u8]] = &[
            b"",
            b"\"",
            b"abc",
            b"abcdefgh",
            b"abcdefgh\"",
            b"abcdefg\\x\"",
            b"\x80\x01\"\\",
            b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\"",
            b"!!!!!!!!\x21\x23\x5b\x5d\\",
            "\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\"".as_bytes(),
        ];
        for bytes in cases {
            let want = bytes.iter().position(|&c| c == b'"' || c == b'\\');
            assert_eq!(quote_or_backslash(bytes), want, "{bytes:?}");
            for k in 0..bytes.len() {
                let want = bytes[k..].iter().position(|&c| c == b'"' || c == b'\\');
                assert_eq!(quote_or_backslash(&bytes[k..]), want);
            }
        }
        for b in 0..=255u8 {
            let mut v = vec![b' '; 11];
            v[9] = b;
            let want = v.iter().position(|&c| c == b'"' || c == b'\\');
            assert_eq!(quote_or_backslash(&v), want, "{b}");
            v[3] = b'\\';
            assert_eq!(quote_or_backslash(&v), Some(3));
        }
    }
}
