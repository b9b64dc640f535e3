//! The duplicate check: the same email (ignoring case), `user_id` or username (ignoring
//! case) twice in one file.
//!
//! Each value is kept as a 64-bit hash with the index of the first user that had it, never
//! the users themselves: about 16 bytes per distinct value. The hashes are computed where
//! the users are checked (on worker threads, [`hashed_keys`]); the lookups run in file
//! order on the caller's thread ([`Dupes`]), a batch of users at a time so that their
//! cache misses overlap.

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
#[derive(Default)]
struct SeenMap {
    slots: Slots,
    len: usize,
}

impl SeenMap {
    /// The first index seen with `hash`, recording `index` when `hash` is new.
    fn first(&mut self, hash: u64, index: u64) -> u64 {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let slots = self.slots.as_mut();
        let mask = slots.len() - 1;
        let mut i = (hash as usize) & mask;
        loop {
            let [h, v] = slots[i];
            if v == 0 {
                slots[i] = [hash, index + 1];
                self.len += 1;
                return index;
            }
            if h == hash {
                return v - 1;
            }
            i = (i + 1) & mask;
        }
    }

    /// The home slot of `hash`, if the table has any.
    fn home(&self, hash: u64) -> Option<&[u64; 2]> {
        let slots = self.slots.as_ref();
        slots.get((hash as usize) & slots.len().wrapping_sub(1))
    }

    fn grow(&mut self) {
        let cap = (self.slots.len() * 2).max(1024);
        let old = std::mem::replace(&mut self.slots, Slots::zeroed(cap));
        let slots = self.slots.as_mut();
        let mask = cap - 1;
        for &[h, v] in old.as_ref().iter().filter(|[_, v]| *v != 0) {
            let mut i = (h as usize) & mask;
            while slots[i][1] != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = [h, v];
        }
    }
}

/// Zeroed memory for a table's slots. Every fresh 4 KiB page costs a page fault (several
/// microseconds on a virtual machine: more than the lookups themselves), so on Linux the
/// tables of 2 MiB and more are mapped with the transparent-huge-page hint, which cuts
/// their faults 512-fold where the system allows it.
enum Slots {
    Heap(Vec<[u64; 2]>),
    #[cfg(target_os = "linux")]
    Mapped(memmap2::MmapMut),
}

impl Default for Slots {
    fn default() -> Self {
        Slots::Heap(Vec::new())
    }
}

impl Slots {
    fn zeroed(n: usize) -> Slots {
        #[cfg(target_os = "linux")]
        if n * 16 >= 2 << 20
            && let Ok(map) = memmap2::MmapMut::map_anon(n * 16)
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
    let mut h: u64 = s.len() as u64 ^ P1;
    let mut feed = |chunk: &[u8]| {
        let mut w = [0u8; 8];
        w[..chunk.len()].copy_from_slice(chunk);
        let m = u128::from(h ^ u64::from_le_bytes(w) ^ P0) * u128::from(P1 ^ h.rotate_left(23));
        h = (m as u64) ^ ((m >> 64) as u64);
    };
    if fold && !s.is_ascii() {
        let lower: String = s.chars().flat_map(char::to_lowercase).collect();
        lower.as_bytes().chunks(8).for_each(&mut feed);
    } else if fold {
        for chunk in s.as_bytes().chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            w.make_ascii_lowercase();
            feed(&w[..chunk.len()]);
        }
    } else {
        s.as_bytes().chunks(8).for_each(&mut feed);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
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
    fn large_tables_keep_working() {
        // Past 2 MiB of slots (131,072), where Linux maps the table.
        let mut m = SeenMap::default();
        for i in 0..200_000u64 {
            assert_eq!(m.first(hash_of(&i.to_string(), false), i), i);
        }
        assert!(m.slots.len() >= 262_144);
        for i in (0..200_000u64).step_by(997) {
            assert_eq!(m.first(hash_of(&i.to_string(), false), 1 << 40), i);
        }
    }
}
