//! A user as the query, the columns and the sort key read it.
//!
//! Usually that is a whole JSON value. An export that knows which top-level attributes it
//! reads (see `export/project.rs`) parses only those, into [`Fields`]: one slot per wanted
//! attribute, found by comparing the key with the wanted keys of the same length. That skips
//! building the top-level `Map` (a SipHash and an allocation per key, and again a hash per
//! lookup), which was a fifth of an export's time.
//!
//! Readers go through [`UserRef::get`] for a top-level attribute. Anything that needs the
//! user as one value calls [`UserRef::whole`]; for `Fields` that builds, once, an object of
//! the attributes present. The projection is only used when every reader declared its keys,
//! so `whole` on `Fields` is a fallback kept for correctness, not a path the export takes.

use std::cell::OnceCell;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Map, Value};

/// What the readers of a value need of it: all of it, or, when it is an object, only some
/// of its members (each with its own need). A reader that only follows `user.a.b` needs
/// `b` of `a`, not the rest of `a`; values that are not objects are always kept whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Need {
    Whole,
    Members(Vec<(String, Need)>),
}

impl Need {
    /// Adds a reader of the value at `path` below this one (`[]`: of this value, whole).
    fn add(&mut self, path: &[&str]) {
        let Some((key, rest)) = path.split_first() else {
            *self = Need::Whole;
            return;
        };
        let Need::Members(members) = self else { return };
        match members.iter_mut().find(|(m, _)| m == key) {
            Some((_, need)) => need.add(rest),
            None => {
                let mut need = Need::Members(Vec::new());
                need.add(rest);
                members.push(((*key).to_owned(), need));
            }
        }
    }
}

/// Top-level attribute names, each with a slot number and what its readers need of it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Keys {
    /// `by_len[n]`: the slots of the keys of `n` bytes, so that a key is compared only with
    /// same-length keys.
    by_len: Vec<Vec<usize>>,
    /// The keys, by slot.
    names: Vec<String>,
    /// What the readers need of each attribute, by slot.
    needs: Vec<Need>,
    /// Which set of names this is, for [`SlotCache`]: a fresh number after every change
    /// (a clone keeps it, as it has the same slots); 0 for none (never cached).
    id: u64,
}

impl PartialEq for Keys {
    fn eq(&self, other: &Keys) -> bool {
        self.names == other.names && self.needs == other.needs
    }
}

impl Eq for Keys {}

/// Bits of a [`SlotCache`] entry that hold the slot; the rest hold the [`Keys`] id.
const SLOT_BITS: u32 = 24;

/// The next [`Keys`] id, or 0 once ids would no longer fit beside a slot in a
/// [`SlotCache`] entry (about 10¹² sets of keys; from then on nothing is cached, which is
/// only slower).
fn next_keys_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    if id < 1 << (64 - SLOT_BITS) { id } else { 0 }
}

impl Keys {
    /// Adds `key` (once), read whole.
    pub(crate) fn add(&mut self, key: &str) {
        self.add_path(&[key]);
    }

    /// Adds a reader of the value at `path` (at least one key): its first key is an
    /// attribute, read whole when `path` is just that, else only along the rest of `path`
    /// (merged with what other readers need of it).
    pub(crate) fn add_path(&mut self, path: &[&str]) {
        let Some((key, rest)) = path.split_first() else { return };
        let slot = match self.slot(key) {
            Some(slot) => slot,
            None => {
                if self.by_len.len() <= key.len() {
                    self.by_len.resize(key.len() + 1, Vec::new());
                }
                self.by_len[key.len()].push(self.names.len());
                self.names.push((*key).to_owned());
                self.needs.push(Need::Members(Vec::new()));
                self.id = next_keys_id();
                self.names.len() - 1
            }
        };
        self.needs[slot].add(rest);
    }

    /// What the readers need of the attribute in `slot`.
    pub(crate) fn need(&self, slot: usize) -> &Need {
        &self.needs[slot]
    }

    /// The slot of `key`, if it is one of these keys.
    #[inline]
    pub(crate) fn slot(&self, key: &str) -> Option<usize> {
        self.by_len.get(key.len())?.iter().copied().find(|&slot| self.names[slot] == key)
    }

    /// The number of keys (and slots).
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// The keys, in slot order.
    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }
}

/// A reader's memory of where its top-level attribute is among the last [`Keys`] it met,
/// so that users parsed by the same projection are read by slot, with no key compared.
/// One atomic word (the keys' id and the slot), so a column shared by threads reading
/// different projections only ever misses.
#[derive(Debug, Default)]
pub(crate) struct SlotCache(AtomicU64);

/// Caches are equal whatever they hold: they are not part of what a reader means.
impl PartialEq for SlotCache {
    fn eq(&self, _: &SlotCache) -> bool {
        true
    }
}

impl Clone for SlotCache {
    fn clone(&self) -> SlotCache {
        SlotCache(AtomicU64::new(self.0.load(Ordering::Relaxed)))
    }
}

/// `map[key]`. Objects of up to [`SMALL_OBJECT`] members (most of a user's nested objects)
/// are searched in order, which costs less than hashing the key; larger ones by hash.
/// Either way the answer is the same: an object's keys are unique.
#[inline]
pub(crate) fn member<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if map.len() <= SMALL_OBJECT {
        // The first bytes first: most keys differ there, and comparing them needs no call.
        let same =
            |k: &str| k.len() == key.len() && k.bytes().next() == key.bytes().next() && k == key;
        map.iter().find_map(|(k, v)| same(k).then_some(v))
    } else {
        map.get(key)
    }
}

/// The most members [`member`] searches in order.
const SMALL_OBJECT: usize = 8;

/// Some top-level attributes of a user object: `values[slot]` for each of [`Keys`].
#[derive(Debug, Default)]
pub(crate) struct Fields {
    values: Vec<Option<Value>>,
    whole: OnceCell<Value>,
}

impl Fields {
    /// No attribute yet, room for `keys`.
    pub(crate) fn new(keys: &Keys) -> Fields {
        Fields { values: vec![None; keys.len()], whole: OnceCell::new() }
    }

    /// Sets the attribute in `slot`; a later duplicate key replaces an earlier one, as in a
    /// `Map`.
    pub(crate) fn set(&mut self, slot: usize, value: Value) {
        self.values[slot] = Some(value);
    }
}

/// A user for the readers: a whole value, or the [`Fields`] an export parsed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum UserRef<'u> {
    Whole(&'u Value),
    Fields(&'u Keys, &'u Fields),
}

impl<'u> UserRef<'u> {
    /// The top-level attribute `key` (`None` when absent, or when the user is not an object).
    #[inline]
    pub(crate) fn get(self, key: &str) -> Option<&'u Value> {
        match self {
            UserRef::Whole(v) => member(v.as_object()?, key),
            UserRef::Fields(keys, fields) => fields.values[keys.slot(key)?].as_ref(),
        }
    }

    /// [`get`](Self::get), remembering in `cache` the slot of `key` among these keys.
    #[inline(always)]
    pub(crate) fn get_cached(self, key: &str, cache: &SlotCache) -> Option<&'u Value> {
        match self {
            UserRef::Whole(v) => member(v.as_object()?, key),
            UserRef::Fields(keys, fields) => {
                let entry = cache.0.load(Ordering::Relaxed);
                let slot = if keys.id != 0 && entry >> SLOT_BITS == keys.id {
                    (entry & ((1 << SLOT_BITS) - 1)) as usize
                } else {
                    let slot = keys.slot(key)?;
                    if keys.id != 0 && slot < 1 << SLOT_BITS {
                        cache.0.store(keys.id << SLOT_BITS | slot as u64, Ordering::Relaxed);
                    }
                    slot
                };
                fields.values.get(slot)?.as_ref()
            }
        }
    }

    /// Whether the user is an object (parsed fields always are).
    #[cfg(feature = "js")]
    #[inline]
    pub(crate) fn is_object(self) -> bool {
        match self {
            UserRef::Whole(v) => v.is_object(),
            UserRef::Fields(..) => true,
        }
    }

    /// Where a reader's path of `steps` starts. On parsed [`Fields`], when the first step
    /// names an attribute (`key`), at that attribute (`None` when it is absent) with the
    /// other steps; otherwise at the whole user with all of them. Either way the reader
    /// then walks the steps with its own rules, so a projected user reads exactly as the
    /// whole one.
    #[inline]
    pub(crate) fn start<'s, S>(
        self,
        steps: &'s [S],
        key: impl Fn(&S) -> Option<&str>,
    ) -> (Option<&'u Value>, &'s [S]) {
        self.start_cached(steps, key, None)
    }

    /// [`start`](Self::start), finding the first attribute by the slot `cache` remembers
    /// (see [`get_cached`](Self::get_cached)) when there is one.
    #[inline(always)]
    pub(crate) fn start_cached<'s, S>(
        self,
        steps: &'s [S],
        key: impl Fn(&S) -> Option<&str>,
        cache: Option<&SlotCache>,
    ) -> (Option<&'u Value>, &'s [S]) {
        if let UserRef::Fields(..) = self
            && let Some((first, rest)) = steps.split_first()
            && let Some(k) = key(first)
        {
            let found = match cache {
                Some(cache) => self.get_cached(k, cache),
                None => self.get(k),
            };
            return (found, rest);
        }
        (Some(self.whole()), steps)
    }

    /// The user as one value. For [`Fields`], an object of the parsed attributes, in slot
    /// order, built on first use.
    pub(crate) fn whole(self) -> &'u Value {
        match self {
            UserRef::Whole(v) => v,
            UserRef::Fields(keys, fields) => fields.whole.get_or_init(|| {
                let present = keys.names().iter().zip(&fields.values);
                Value::Object(
                    present
                        .filter_map(|(k, v)| Some((k.clone(), v.clone()?)))
                        .collect::<Map<_, _>>(),
                )
            }),
        }
    }
}

impl<'u> From<&'u Value> for UserRef<'u> {
    fn from(v: &'u Value) -> Self {
        UserRef::Whole(v)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn fields_answer_like_the_whole_object() {
        let user = json!({"email": "a@b.c", "app_metadata": {"plan": "gold"}, "n": null});
        let mut keys = Keys::default();
        for k in ["app_metadata", "email", "n", "missing", "email"] {
            keys.add(k);
        }
        assert_eq!(keys.names(), ["app_metadata", "email", "n", "missing"]);
        let mut fields = Fields::new(&keys);
        for (k, v) in user.as_object().unwrap() {
            fields.set(keys.slot(k).unwrap(), v.clone());
        }
        let projected = UserRef::Fields(&keys, &fields);
        for k in ["email", "app_metadata", "n", "missing", "emai", "other"] {
            let expected = if keys.slot(k).is_some() { user.get(k) } else { None };
            assert_eq!(projected.get(k), expected, "{k}");
            assert_eq!(UserRef::from(&user).get(k), user.get(k), "{k}");
        }
        assert_eq!(projected.whole(), &user);
        assert_eq!(UserRef::from(&json!([1])).get("email"), None);
    }

    /// One reader (one cache) meets users parsed by projections with the key in different
    /// slots, as a column shared by two exports does.
    #[test]
    fn a_slot_cache_answers_for_whichever_keys_it_meets() {
        let user = json!({"a": 1, "b": 2, "c": 3});
        let parsed = |order: &[&str]| {
            let mut keys = Keys::default();
            order.iter().for_each(|k| keys.add(k));
            let mut fields = Fields::new(&keys);
            for k in order {
                fields.set(keys.slot(k).unwrap(), user[k].clone());
            }
            (keys, fields)
        };
        let (ab, ab_fields) = parsed(&["a", "b"]);
        let (ba, ba_fields) = parsed(&["b", "a"]);
        let (mut grown, grown_fields) = parsed(&["c"]);
        let cache = SlotCache::default();
        for _ in 0..2 {
            for (keys, fields) in [(&ab, &ab_fields), (&ba, &ba_fields)] {
                let at = UserRef::Fields(keys, fields);
                assert_eq!(at.get_cached("a", &cache), Some(&json!(1)));
            }
        }
        // A changed set of keys is another set: it gets a new id.
        let old_id = grown.id;
        grown.add("a");
        assert_ne!(grown.id, old_id);
        let cache = SlotCache::default();
        assert_eq!(UserRef::Fields(&grown, &grown_fields).get_cached("c", &cache), Some(&json!(3)));
        assert_eq!(UserRef::from(&user).get_cached("c", &cache), Some(&json!(3)));
    }
}
