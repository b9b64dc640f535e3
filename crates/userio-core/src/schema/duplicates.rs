//! The duplicate check: the same email (ignoring case), `user_id` or username (ignoring
//! case) twice in one file.
//!
//! Each value is kept as a 64-bit hash with the index of the first user that had it, never
//! the users themselves: about 16 bytes per distinct value. The hashes are computed where
//! the users are checked (on worker threads, [`hashed_keys`]); the lookups run in file
//! order on the caller's thread ([`Dupes`]), a batch of users at a time so that their
//! cache misses overlap.

use std::collections::HashMap;
use std::ops::Range;

use super::Code;
use super::rules::Sink;

/// Per duplicate-checked field (see [`DUPLICATE_FIELDS`]): the text, as a range of the
/// batch's text buffer, and its [`hash_of`].
pub(super) type HashedKeys = [Option<(Range<usize>, u64)>; 3];

/// The duplicate-checked texts of a user (`email`, `user_id`, `username`), copied to
/// `texts`, with their hashes.
pub(super) fn hashed_keys(texts_of: [Option<&str>; 3], texts: &mut String) -> HashedKeys {
    let mut keys = [None, None, None];
    for ((slot, text), (_, fold, _, _)) in keys.iter_mut().zip(texts_of).zip(DUPLICATE_FIELDS) {
        if let Some(text) = text {
            let at = texts.len();
            texts.push_str(text);
            *slot = Some((at..texts.len(), hash_of(text, fold)));
        }
    }
    keys
}

/// The first user of each email, `user_id` and username hash seen so far.
#[derive(Default)]
pub(super) struct Dupes {
    /// One table per duplicate-checked field.
    maps: [SeenMap; 3],
}

impl Dupes {
    /// Starts loading the home slot of `hash` in field `k`'s table into the cache.
    pub(super) fn prefetch(&self, k: usize, hash: u64) {
        let Some(slot) = self.maps[k].home(hash) else { return };
        #[cfg(target_arch = "x86_64")]
        safe_arch::prefetch_t0(slot);
        #[cfg(not(target_arch = "x86_64"))]
        std::hint::black_box(slot[0]); // a load: slower than a prefetch, but it overlaps too
    }

    /// The duplicate check of field `k` (see [`DUPLICATE_FIELDS`]) holding `text`, whose
    /// `hash_of` is `hash`.
    pub(super) fn check_hashed(
        &mut self,
        k: usize,
        hash: u64,
        text: &str,
        index: u64,
        sink: &mut Sink,
    ) {
        let (field, _, code, template) = DUPLICATE_FIELDS[k];
        let first = self.maps[k].first(hash, index);
        if first != index {
            sink.push_text(
                format!("/{field}"),
                code,
                template.replace("{first}", &first.to_string()),
                text,
            );
        }
    }
}

/// A set of 64-bit hashes, each with the index of the first user that had it: open
/// addressing with linear probing over one array of `[hash, index + 1]` pairs (0: empty),
/// so a lookup touches one cache line (the table outgrows the caches on large files).
///
/// Probing does not wrap around: a key's slot is at or after its home slot, in the table's
/// `cap` home slots or the [`TAIL`] after them. That lets the table double in place (see
/// [`SeenMap::grow`]), so that on large files it only ever touches the memory of its final
/// size rather than a fresh, twice larger table at each doubling: fresh pages are what
/// these lookups cost most. A key whose probe runs past the tail (a cluster of like hashes,
/// which a crafted file could pile up) goes to a small `HashMap` instead.
#[derive(Default)]
struct SeenMap {
    slots: Slots,
    /// Home slots: a power of two (0 before the first key).
    cap: usize,
    /// Keys in `slots`.
    len: usize,
    /// Keys whose probe ran past the tail.
    overflow: HashMap<u64, u64>,
}

/// Slots after the last home slot, for probes that run past it.
const TAIL: usize = 256;

impl SeenMap {
    /// The first index seen with `hash`, recording `index` when `hash` is new.
    fn first(&mut self, hash: u64, index: u64) -> u64 {
        if (self.len + 1) * 4 > self.cap * 3 {
            self.grow();
        }
        let slots = &mut self.slots.as_mut()[..self.cap + TAIL];
        let home = (hash as usize) & (self.cap - 1);
        for slot in &mut slots[home..] {
            match *slot {
                [_, 0] => {
                    *slot = [hash, index + 1];
                    self.len += 1;
                    return index;
                }
                [h, v] if h == hash => return v - 1,
                _ => {}
            }
        }
        *self.overflow.entry(hash).or_insert(index)
    }

    /// The home slot of `hash`, if the table has any.
    fn home(&self, hash: u64) -> Option<&[u64; 2]> {
        let home = (hash as usize) & self.cap.checked_sub(1)?;
        self.slots.as_ref().get(home)
    }

    /// Places `pair` in `slots` (holding `cap` home slots and the tail), or in `overflow`.
    fn place(slots: &mut [[u64; 2]], cap: usize, pair: [u64; 2], overflow: &mut HashMap<u64, u64>) {
        let home = (pair[0] as usize) & (cap - 1);
        match slots[home..].iter_mut().find(|s| s[1] == 0) {
            Some(slot) => *slot = pair,
            None => _ = overflow.insert(pair[0], pair[1] - 1),
        }
    }

    /// Doubles the home slots. In place when the memory allows: the pairs of the tail are
    /// set aside, then each pair of the old home slots, in order, is taken out and placed
    /// again. A pair lands at or before its old slot, or in the new upper half, which
    /// holds nothing unplaced; and as probes never wrap, taking a pair out never breaks the
    /// probe of one placed before it. Otherwise into new memory. The overflowed keys are
    /// placed again too.
    fn grow(&mut self) {
        let cap = (self.cap * 2).max(1024);
        let total = self.len + self.overflow.len();
        let mut overflow = HashMap::new();
        let mut set_aside: Vec<[u64; 2]> =
            std::mem::take(&mut self.overflow).into_iter().map(|(h, i)| [h, i + 1]).collect();
        if self.slots.len() >= cap + TAIL && self.cap > 0 {
            let old = self.cap;
            let slots = &mut self.slots.as_mut()[..cap + TAIL];
            set_aside.extend(slots[old..old + TAIL].iter_mut().map(std::mem::take));
            for i in 0..old {
                let pair = std::mem::take(&mut slots[i]);
                if pair[1] != 0 {
                    Self::place(slots, cap, pair, &mut overflow);
                }
            }
        } else {
            let old = std::mem::replace(&mut self.slots, Slots::zeroed(cap + TAIL));
            set_aside.extend(old.as_ref().iter().copied());
        }
        let slots = self.slots.as_mut();
        for pair in set_aside.into_iter().filter(|p| p[1] != 0) {
            Self::place(slots, cap, pair, &mut overflow);
        }
        self.cap = cap;
        self.len = total - overflow.len();
        self.overflow = overflow;
    }
}

/// Zeroed memory for a table's slots. Every fresh 4 KiB page costs a page fault (several
/// microseconds on a virtual machine: more than the lookups themselves), so on Linux a
/// table past [`MAP_FROM`] slots moves to an anonymous mapping that reserves address space
/// for far more slots than it needs (pages are only backed once written), so that it can
/// double in place, and that asks for transparent huge pages, which cut the faults
/// 512-fold where the system allows it.
enum Slots {
    Heap(Vec<[u64; 2]>),
    #[cfg(target_os = "linux")]
    Mapped(memmap2::MmapMut),
}

/// Slots from which a table is mapped rather than allocated (2 MiB).
#[cfg(target_os = "linux")]
const MAP_FROM: usize = 1 << 17;

/// Address space reserved per mapped table: 1 GiB, 64 Mi slots (about 48 million distinct
/// values); a larger table moves to a larger reservation.
#[cfg(target_os = "linux")]
const RESERVE_BYTES: usize = 1 << 30;

impl Default for Slots {
    fn default() -> Self {
        Slots::Heap(Vec::new())
    }
}

impl Slots {
    /// At least `n` zeroed slots.
    fn zeroed(n: usize) -> Slots {
        #[cfg(target_os = "linux")]
        if n >= MAP_FROM
            && let Ok(map) = memmap2::MmapOptions::new()
                .len(RESERVE_BYTES.max(n * 16 * 4))
                .no_reserve_swap()
                .map_anon()
        {
            let _ = map.advise(memmap2::Advice::HugePage); // a hint: fine if refused
            return Slots::Mapped(map);
        }
        Slots::Heap(vec![[0, 0]; n])
    }

    fn len(&self) -> usize {
        self.as_ref().len()
    }

    fn as_ref(&self) -> &[[u64; 2]] {
        match self {
            Slots::Heap(v) => v,
            #[cfg(target_os = "linux")]
            Slots::Mapped(m) => bytemuck::cast_slice(m),
        }
    }

    fn as_mut(&mut self) -> &mut [[u64; 2]] {
        match self {
            Slots::Heap(v) => v,
            #[cfg(target_os = "linux")]
            Slots::Mapped(m) => bytemuck::cast_slice_mut(m),
        }
    }
}

/// A 64-bit hash of `s`, lower-cased first when `fold` is set: 8 bytes at a time through a
/// folded 64x64->128-bit multiply (as in wyhash, so every input bit reaches every output
/// bit), then a murmur3 finaliser. Deterministic across runs and machines.
fn hash_of(s: &str, fold: bool) -> u64 {
    const P0: u64 = 0xa076_1d64_78bd_642f;
    const P1: u64 = 0xe703_7ed1_a0b4_28db;
    let lower: String;
    let (bytes, fold_ascii) = if fold && !s.is_ascii() {
        lower = s.chars().flat_map(char::to_lowercase).collect();
        (lower.as_bytes(), false)
    } else {
        (s.as_bytes(), fold)
    };
    let mut h: u64 = s.len() as u64 ^ P1;
    for chunk in bytes.chunks(8) {
        let mut w = [0u8; 8];
        w[..chunk.len()].copy_from_slice(chunk);
        let mut w = u64::from_le_bytes(w);
        if fold_ascii {
            w = ascii_lowercase(w);
        }
        let m = u128::from(h ^ w ^ P0) * u128::from(P1 ^ h.rotate_left(23));
        h = (m as u64) ^ ((m >> 64) as u64);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// `w`'s 8 ASCII bytes with `A`..=`Z` lower-cased, all at once: a byte's high bit is set
/// by adding `0x80 - b'A'` when it is at least `A`, and by adding `0x80 - b'Z' - 1` when it
/// is past `Z` (no carry crosses bytes, as every byte is below 0x80).
fn ascii_lowercase(w: u64) -> u64 {
    use crate::swar::ONES;
    let from_a = w + ONES * u64::from(0x80 - b'A');
    let past_z = w + ONES * u64::from(0x80 - b'Z' - 1);
    let upper = from_a & !past_z & (ONES * 0x80);
    w | (upper >> 2)
}

/// The duplicate-checked fields: name, compared lower-cased, code, message template.
const DUPLICATE_FIELDS: [(&str, bool, Code, &str); 3] = [
    (
        "email",
        true,
        Code::DuplicateEmail,
        "same email as user {first} (emails are compared lower-cased): each user may appear only once in an import; merge or remove one",
    ),
    (
        "user_id",
        false,
        Code::DuplicateUserId,
        "same `user_id` as user {first}: user ids must be unique; give one user another id or remove the duplicate",
    ),
    (
        "username",
        true,
        Code::DuplicateUsername,
        "same `username` as user {first} (usernames are compared lower-cased): usernames must be unique",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_map_keeps_the_first_index() {
        let mut m = SeenMap::default();
        for i in 0..5000u64 {
            assert_eq!(m.first(hash_of(&i.to_string(), false), i), i);
        }
        for i in 0..5000u64 {
            assert_eq!(m.first(hash_of(&i.to_string(), false), 9999), i);
        }
        // Hashes that share their low bits probe past each other.
        let mut m = SeenMap::default();
        for i in 0..3000u64 {
            assert_eq!(m.first(i << 40, i), i);
        }
        assert_eq!((m.first(7 << 40, 1), m.first(0, 5), m.len), (7, 0, 3000));
    }

    #[test]
    fn hash_separates_near_identical_emails() {
        // These collided with an earlier, weaker mixer (1M-user benchmark file).
        assert_ne!(
            hash_of("weidoe.988974@exampleco.com", true),
            hash_of("weidoe.188984@exampleco.com", true)
        );
        assert_eq!(hash_of("Jane@Example.com", true), hash_of("jane@example.com", true));
        assert_ne!(hash_of("Jane@Example.com", false), hash_of("jane@example.com", false));
        let mut seen = std::collections::HashSet::new();
        for i in 0..200_000u32 {
            assert!(seen.insert(hash_of(&format!("weidoe.{i}@exampleco.com"), true)));
        }
    }

    #[test]
    fn ascii_lowercase_lowers_only_capitals() {
        let all: Vec<u8> = (0u8..0x80).collect();
        for chunk in all.chunks(8) {
            let w = u64::from_le_bytes(chunk.try_into().unwrap());
            let want = u64::from_le_bytes(chunk.to_ascii_lowercase().try_into().unwrap());
            assert_eq!(ascii_lowercase(w), want, "{chunk:?}");
        }
    }

    #[test]
    fn clustered_hashes_overflow_without_growing_the_table() {
        // Hashes that all share their low 40 bits (the home slot of every table size) at
        // the last home slot: all but the tail's worth go to the overflow map, and the
        // table grows only with the count.
        let mut m = SeenMap::default();
        let at_end = |i: u64| (i << 40) | ((1 << 40) - 1);
        for i in 0..5000u64 {
            assert_eq!(m.first(at_end(i), i), i);
        }
        assert!(m.cap <= 8192, "{}", m.cap);
        assert!(m.overflow.len() > 4000);
        for i in (0..5000u64).rev() {
            assert_eq!(m.first(at_end(i), 7), i);
        }
        assert_eq!(m.len + m.overflow.len(), 5000);
    }

    #[test]
    fn large_tables_keep_working() {
        // Past 2 MiB of slots (131,072), where Linux maps the table, and two doublings in
        // place after that.
        let mut m = SeenMap::default();
        let n = 600_000u64;
        for i in 0..n {
            assert_eq!(m.first(hash_of(&i.to_string(), false), i), i);
        }
        assert_eq!(m.cap, 1 << 20);
        for i in 0..n {
            assert_eq!(m.first(hash_of(&i.to_string(), false), 1 << 40), i);
        }
        assert_eq!(m.len + m.overflow.len(), n as usize);
    }
}
