//! [`UserIndex`]: users held by attribute path, for running many queries over one set.
//!
//! [`Query::matches`] reads one user's JSON tree at a time, so every query pays a walk of
//! scattered heap objects per user. The index is built once and lays the same users out the
//! way Elasticsearch's doc values do: one column per attribute path (`email`,
//! `app_metadata.plan`, …), holding every value found at that path as `(user, value)` pairs
//! in user order, strings packed in one buffer per column. A query then scans only the
//! columns its leaves name and combines one bit set per leaf with the clause occurrences.
//!
//! The answers are exactly [`Query::matches`]'s, by construction:
//!
//! - a column holds what the matcher's path walk reaches: arrays at any depth are passed
//!   through (their items go into the same column), an object is one entry (for `_exists_`)
//!   and its keys open the child columns;
//! - each entry is tested by the very [`Test`] the matcher runs, on the same [`Scalar`] view;
//! - bare terms (the top-level fields except the metadata) and `*:` read the same entries the
//!   matcher's loops over the user's keys would;
//! - a user that is not a JSON object (which the matcher still answers for) is kept whole and
//!   matched with [`Query::matches`].
//!
//! `tests/query_index.rs` checks this against `matches` on every query and user of the test
//! vectors and the lucene-kit corpus, and on generated users and queries.

use std::borrow::Borrow;
use std::collections::HashMap;

use serde_json::Value;

use super::Query;
use super::compile::{CASE_INSENSITIVE_FIELDS, CNode, METADATA_FIELDS, Target, Test, Tests};
use super::matcher::{Scalar, email_domain};
use crate::user::UserRef;

mod json;

pub use json::IndexReadError;

/// Why a user could not be added to a [`UserIndex`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// [`UserIndex::push_json`] was given text that is not one JSON value.
    #[error("user {user}: {source}")]
    Json {
        /// The user's position (0-based, in the order added).
        user: usize,
        /// The parser's error, with the line and column in the user's text.
        source: serde_json::Error,
    },
    /// The index numbers users with 32 bits.
    #[error(
        "the index is full: it holds {0} users, the most one index can number; split the users over several indexes"
    )]
    TooManyUsers(usize),
    /// One string value is over 4 GiB.
    #[error(
        "user {user}: a string of {bytes} bytes at `{path}` is over the index's 4 GiB limit for one value"
    )]
    StringTooLong {
        /// The user's position (0-based, in the order added).
        user: usize,
        /// The attribute path, dotted.
        path: String,
        /// The string's length in bytes.
        bytes: usize,
    },
}

/// Users held by attribute path, so that many queries run over them fast.
///
/// ```
/// use serde_json::json;
/// use userio_core::query::{Query, UserIndex};
///
/// let users = [
///     json!({"email": "jane@example.com", "logins_count": 12, "app_metadata": {"plan": "gold"}}),
///     json!({"email": "joe@example.org", "blocked": true}),
/// ];
/// let index = UserIndex::build(&users)?;
/// let gold = index.search(&Query::parse("app_metadata.plan:gold AND logins_count:>10")?);
/// assert_eq!(gold.iter().collect::<Vec<_>>(), [0]);
/// assert_eq!(index.search(&Query::parse("NOT blocked:true")?).count(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct UserIndex {
    users: usize,
    /// `columns[0]` is the users themselves (the empty path); the others are found through
    /// `children`.
    columns: Vec<Column>,
    /// Column → key → child column.
    children: Vec<HashMap<Box<str>, usize>>,
    /// The domain of each top-level string `email` (Auth0's `email.domain`).
    email_domains: Column,
    /// Users that are not JSON objects, matched one by one.
    odd: Vec<(u32, Value)>,
    /// Objects entered so far by [`UserIndex::push_json`] (see `Column::last_object`).
    objects: u64,
}

/// The longest string value an index holds (its length is kept in 32 bits); small in unit
/// tests, so that going past it can be tested.
const MAX_STRING_BYTES: usize = if cfg!(test) { 16 } else { u32::MAX as usize };

/// The values found at one attribute path, in user order.
#[derive(Debug, Clone, Default)]
struct Column {
    /// The dotted path, for error messages.
    path: String,
    users: Vec<u32>,
    vals: Vec<Val>,
    /// The strings of `vals`, one after another.
    text: String,
    /// While [`UserIndex::push_json`] parses: the number of the last object that gave this
    /// column a value (to find a key written twice in one object).
    last_object: u64,
}

/// A [`Scalar`] with its string moved into the column's buffer.
#[derive(Debug, Clone, Copy)]
enum Val {
    Str { start: u64, len: u32 },
    Num(Option<f64>),
    Bool(bool),
    Null,
    Container { empty: bool },
}

impl Column {
    fn named(path: String) -> Column {
        Column { path, ..Column::default() }
    }

    fn push(&mut self, user: u32, v: Scalar<'_>) -> Result<(), IndexError> {
        let val = match v {
            Scalar::Str(s) => {
                if s.len() > MAX_STRING_BYTES {
                    let (path, bytes) = (self.path.clone(), s.len());
                    return Err(IndexError::StringTooLong { user: user as usize, path, bytes });
                }
                let len = s.len() as u32;
                let start = self.text.len() as u64;
                self.text.push_str(s);
                Val::Str { start, len }
            }
            Scalar::Num(n) => Val::Num(n),
            Scalar::Bool(b) => Val::Bool(b),
            Scalar::Null => Val::Null,
            Scalar::Container { empty } => Val::Container { empty },
        };
        self.users.push(user);
        self.vals.push(val);
        Ok(())
    }

    #[inline]
    fn scalar(&self, v: Val) -> Scalar<'_> {
        match v {
            Val::Str { start, len } => {
                let start = start as usize;
                Scalar::Str(&self.text[start..start + len as usize])
            }
            Val::Num(n) => Scalar::Num(n),
            Val::Bool(b) => Scalar::Bool(b),
            Val::Null => Scalar::Null,
            Val::Container { empty } => Scalar::Container { empty },
        }
    }

    /// Sets in `bits` the users with an entry that passes `test`.
    fn mark(&self, test: &Test, bits: &mut Bits) {
        for (&user, &v) in self.users.iter().zip(&self.vals) {
            if test.test_scalar(self.scalar(v)) {
                bits.set(user as usize);
            }
        }
    }

    /// Removes the last entries, those of user `id`.
    fn pop_user(&mut self, id: u32) {
        while self.users.last() == Some(&id) {
            self.users.pop();
            if let Some(Val::Str { start, .. }) = self.vals.pop() {
                self.text.truncate(start as usize);
            }
        }
    }

    fn heap_bytes(&self) -> usize {
        self.path.capacity()
            + self.users.capacity() * size_of::<u32>()
            + self.vals.capacity() * size_of::<Val>()
            + self.text.capacity()
    }
}

impl Default for UserIndex {
    fn default() -> Self {
        UserIndex::new()
    }
}

impl UserIndex {
    /// An empty index.
    pub fn new() -> UserIndex {
        UserIndex {
            users: 0,
            columns: vec![Column::named(String::new())],
            children: vec![HashMap::new()],
            email_domains: Column::named("email.domain".to_owned()),
            odd: Vec::new(),
            objects: 0,
        }
    }

    /// An index of `users`, in order (positions start at 0).
    pub fn build<I>(users: I) -> Result<UserIndex, IndexError>
    where
        I: IntoIterator,
        I::Item: Borrow<Value>,
    {
        let mut index = UserIndex::new();
        for u in users {
            index.push(u.borrow())?;
        }
        Ok(index)
    }

    /// Adds `user` after the others and returns its position. The index keeps its own copy
    /// of the values, so `user` can be dropped (a file can be indexed one user at a time).
    pub fn push(&mut self, user: &Value) -> Result<usize, IndexError> {
        let pos = self.users;
        let id = u32::try_from(pos).map_err(|_| IndexError::TooManyUsers(pos))?;
        match user {
            Value::Object(_) => {
                if let Err(e) = self.add(0, user, id, false) {
                    self.remove_user(id);
                    return Err(e);
                }
            }
            other => self.odd.push((id, other.clone())),
        }
        self.users += 1;
        Ok(pos)
    }

    /// Removes the entries of user `id`, the last one written (after a failed `push`).
    fn remove_user(&mut self, id: u32) {
        for col in self.columns.iter_mut().chain(std::iter::once(&mut self.email_domains)) {
            col.pop_user(id);
        }
    }

    /// Adds `v`, found at column `col`'s path, for user `id`: arrays pass their items on to
    /// the same column, objects are one entry and open a child column per key. `email`: `v`
    /// is the top-level `email` itself (not an item of it).
    fn add(&mut self, col: usize, v: &Value, id: u32, email: bool) -> Result<(), IndexError> {
        match v {
            Value::Array(items) => {
                for item in items {
                    self.add(col, item, id, false)?;
                }
            }
            Value::Object(m) => {
                self.put(col, id, Scalar::Container { empty: m.is_empty() }, false)?;
                for (key, child) in m {
                    let c = self.child(col, key);
                    self.add(c, child, id, col == 0 && key == "email")?;
                }
            }
            scalar => self.put(col, id, Scalar::of(scalar), email)?,
        }
        Ok(())
    }

    /// Records `v` at column `col` for user `id`; for the top-level `email` (`email`), also
    /// its domain (Auth0's `email.domain`). Both builders, `push` and `push_json`, go
    /// through here.
    fn put(&mut self, col: usize, id: u32, v: Scalar<'_>, email: bool) -> Result<(), IndexError> {
        self.columns[col].push(id, v)?;
        match v {
            Scalar::Str(s) if email => self.email_domains.push(id, Scalar::Str(email_domain(s))),
            _ => Ok(()),
        }
    }

    /// The column for `key` below `col`, made on first use.
    fn child(&mut self, col: usize, key: &str) -> usize {
        if let Some(&c) = self.children[col].get(key) {
            return c;
        }
        let c = self.columns.len();
        let path = match self.columns[col].path.as_str() {
            "" => key.to_owned(),
            parent => format!("{parent}.{key}"),
        };
        self.columns.push(Column::named(path));
        self.children.push(HashMap::new());
        self.children[col].insert(key.into(), c);
        c
    }

    /// The number of users added.
    pub fn len(&self) -> usize {
        self.users
    }

    /// Whether no user was added.
    pub fn is_empty(&self) -> bool {
        self.users == 0
    }

    /// The number of distinct attribute paths seen.
    pub fn paths(&self) -> usize {
        self.columns.len() - 1
    }

    /// The heap memory the index holds, in bytes (an estimate that leaves out the hash
    /// tables' overhead and the non-object users).
    pub fn heap_bytes(&self) -> usize {
        let keys: usize = self.children.iter().flat_map(|m| m.keys()).map(|k| k.len() + 24).sum();
        self.columns.iter().map(Column::heap_bytes).sum::<usize>()
            + self.email_domains.heap_bytes()
            + keys
    }

    /// The users that match `query`: the same ones as [`Query::matches`] on each user.
    pub fn search(&self, query: &Query) -> Matches {
        let mut bits = self.eval(&query.compiled);
        for (id, user) in &self.odd {
            bits.put(*id as usize, query.compiled.eval(UserRef::Whole(user)));
        }
        Matches { bits }
    }

    fn eval(&self, node: &CNode) -> Bits {
        match node {
            CNode::All => Bits::ones(self.users),
            CNode::Leaf { target, tests } => self.eval_leaf(target, tests),
            CNode::Bool { must, should, not } => {
                let mut acc = Bits::ones(self.users);
                for n in must {
                    acc.and(&self.eval(n));
                }
                if must.is_empty() && !should.is_empty() {
                    let mut any = Bits::zeros(self.users);
                    for n in should {
                        any.or(&self.eval(n));
                    }
                    acc.and(&any);
                }
                for n in not {
                    acc.and_not(&self.eval(n));
                }
                acc
            }
        }
    }

    fn eval_leaf(&self, target: &Target, tests: &Tests) -> Bits {
        let mut bits = Bits::zeros(self.users);
        match target {
            Target::Path(segs) => {
                if let Some(col) = self.find(segs) {
                    self.columns[col].mark(tests.pick(false), &mut bits);
                }
            }
            Target::EmailDomain => {
                let test = tests.pick(true);
                self.email_domains.mark(test, &mut bits);
                if let Some(col) = self.find(&["email", "domain"]) {
                    // Below an `email` that is not a string (an object, or an array of them).
                    self.columns[col].mark(test, &mut bits);
                }
            }
            Target::Default => {
                for (key, &col) in &self.children[0] {
                    if !METADATA_FIELDS.contains(&&**key) {
                        let test = tests.pick(CASE_INSENSITIVE_FIELDS.contains(&&**key));
                        self.columns[col].mark(test, &mut bits);
                    }
                }
            }
            Target::All => {
                for (key, &col) in &self.children[0] {
                    let test = tests.pick(CASE_INSENSITIVE_FIELDS.contains(&&**key));
                    self.mark_below(col, test, &mut bits);
                }
            }
        }
        bits
    }

    /// Marks the users with a value at `col` or below that passes `test` (`*:`). The
    /// matcher's deep walk hands objects to no test; here their entries are tested too, which
    /// is the same because every test `*:` can hold fails on an object (only `_exists_`
    /// passes one, and `_exists_:*` does not parse; the property test in
    /// `tests/query_index.rs` generates it, so a grammar that accepted it would be caught).
    fn mark_below(&self, col: usize, test: &Test, bits: &mut Bits) {
        self.columns[col].mark(test, bits);
        for &c in self.children[col].values() {
            self.mark_below(c, test, bits);
        }
    }

    /// The column at `segs`, if any user has a value there.
    fn find<S: AsRef<str>>(&self, segs: &[S]) -> Option<usize> {
        segs.iter().try_fold(0, |col, seg| self.children[col].get(seg.as_ref()).copied())
    }
}

/// The users a [`UserIndex::search`] selected, by position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matches {
    bits: Bits,
}

impl Matches {
    /// How many users matched.
    pub fn count(&self) -> usize {
        self.bits.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether the user at `position` matched (false past the end).
    pub fn contains(&self, position: usize) -> bool {
        position < self.bits.len && self.bits.get(position)
    }

    /// The positions of the matching users, ascending.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.bits.words.iter().enumerate().flat_map(|(i, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                (w != 0).then(|| {
                    let bit = w.trailing_zeros() as usize;
                    w &= w - 1;
                    i * 64 + bit
                })
            })
        })
    }
}

/// A set of user positions, `len` bits, with the bits past `len` always clear.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Bits {
    words: Vec<u64>,
    len: usize,
}

impl Bits {
    fn zeros(len: usize) -> Bits {
        Bits { words: vec![0; len.div_ceil(64)], len }
    }

    fn ones(len: usize) -> Bits {
        let mut words = vec![u64::MAX; len.div_ceil(64)];
        if let Some(last) = words.last_mut()
            && !len.is_multiple_of(64)
        {
            *last = (1 << (len % 64)) - 1;
        }
        Bits { words, len }
    }

    #[inline]
    fn set(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }

    fn put(&mut self, i: usize, on: bool) {
        if on {
            self.set(i);
        } else {
            self.words[i / 64] &= !(1 << (i % 64));
        }
    }

    fn get(&self, i: usize) -> bool {
        self.words[i / 64] & (1 << (i % 64)) != 0
    }

    fn and(&mut self, o: &Bits) {
        self.words.iter_mut().zip(&o.words).for_each(|(a, b)| *a &= b);
    }

    fn or(&mut self, o: &Bits) {
        self.words.iter_mut().zip(&o.words).for_each(|(a, b)| *a |= b);
    }

    fn and_not(&mut self, o: &Bits) {
        self.words.iter_mut().zip(&o.words).for_each(|(a, b)| *a &= !b);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn positions(index: &UserIndex, q: &str) -> Vec<usize> {
        index.search(&Query::parse(q).unwrap()).iter().collect()
    }

    #[test]
    fn bit_sets_keep_their_tail_clear() {
        for len in [0, 1, 63, 64, 65, 130] {
            let ones = Bits::ones(len);
            assert_eq!(Matches { bits: ones.clone() }.count(), len);
            let mut none = ones.clone();
            none.and_not(&ones);
            assert_eq!(Matches { bits: none }.count(), 0);
        }
        let m = Matches { bits: Bits::ones(70) };
        assert_eq!(m.iter().collect::<Vec<_>>(), (0..70).collect::<Vec<_>>());
        assert!(m.contains(69) && !m.contains(70));
    }

    #[test]
    fn arrays_objects_and_absent_values() {
        let users = [
            json!({"a": [[{"b": 1}], {"b": [2, null]}]}),
            json!({"a": {}}),
            json!({"a": [null, []]}),
            json!({"a": {"b": {}}}),
        ];
        let index = UserIndex::build(&users).unwrap();
        assert_eq!(positions(&index, "_exists_:a"), [0, 3]);
        assert_eq!(positions(&index, "a.b:2"), [0]);
        assert_eq!(positions(&index, "_exists_:a.b"), [0]);
        assert_eq!(positions(&index, "NOT _exists_:a"), [1, 2]);
        assert_eq!(index.paths(), 2);
    }

    #[test]
    fn users_that_are_not_objects_are_matched_whole() {
        let users = [json!([{"name": "jo"}]), json!("jo"), json!({"name": "Jo"})];
        let index = UserIndex::build(&users).unwrap();
        let q = Query::parse("name:jo").unwrap();
        let expected: Vec<usize> = (0..3).filter(|&i| q.matches(&users[i])).collect();
        assert_eq!(index.search(&q).iter().collect::<Vec<_>>(), expected);
        assert_eq!(positions(&index, "NOT name:jo"), [1]);
    }

    #[test]
    fn a_user_past_a_limit_leaves_nothing_behind() {
        let long = "x".repeat(MAX_STRING_BYTES + 1);
        let bad = json!({"email": "a@b.c", "a": ["short", {"b": "short"}], "z": long});
        let text = bad.to_string();
        let mut index = UserIndex::new();
        index.push(&json!({"a": "first"})).unwrap();
        let written = |index: &UserIndex| {
            let entries: usize = index.columns.iter().map(|c| c.users.len()).sum();
            entries + index.email_domains.users.len()
        };
        let before = written(&index);
        let check = |result: Result<usize, IndexError>, index: &UserIndex| {
            match result {
                Err(IndexError::StringTooLong { user: 1, path, bytes }) => {
                    assert_eq!((path.as_str(), bytes), ("z", MAX_STRING_BYTES + 1));
                }
                other => panic!("{other:?}"),
            }
            assert_eq!((index.len(), written(index)), (1, before));
        };
        // Each checked on its own: a later failure's clean-up would hide an earlier one's.
        let pushed = index.push(&bad);
        check(pushed, &index);
        let pushed = index.push_json(&text);
        check(pushed, &index);
        assert_eq!(index.push(&json!({"a": "second"})).unwrap(), 1);
        let none: Vec<usize> = Vec::new();
        assert_eq!(positions(&index, "a:short OR a.b:short OR email.domain:b.c"), none);
        assert_eq!(positions(&index, "_exists_:a"), [0, 1]);
    }

    #[test]
    fn email_domain_reads_the_string_or_the_object() {
        let users = [
            json!({"email": "a@Example.com"}),
            json!({"email": {"domain": "example.com"}}),
            json!({"email": ["b@example.com"]}),
        ];
        let index = UserIndex::build(&users).unwrap();
        assert_eq!(positions(&index, "email.domain:example.com"), [0, 1]);
    }
}
