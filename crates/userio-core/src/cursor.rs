//! A small, strict JSON reader for the fast paths: it reads a record's text in place and
//! answers `None` ("don't know") for anything it is not sure `serde_json` reads the same
//! way, so that the caller can fall back to `serde_json` itself.
//!
//! It refuses (with `None`) exactly what `serde_json` refuses (bad syntax, raw control
//! characters in strings, lone surrogates in `\u` escapes, trailing commas), and on top of
//! that, to stay on the safe side of `serde_json`'s own limits, numbers near the ends of
//! the `f64` range (or rounded to zero) and nesting deeper than [`MAX_DEPTH`]. Strings are
//! borrowed from the input unless they hold escapes.

use std::borrow::Cow;

/// Which object keys [`Cursor::walk`] accepts.
pub(crate) trait KeyRule: Copy {
    /// Whether `key` may stand; `top` is true for the keys of the walked value itself, false
    /// for those of objects nested in it.
    fn allows(self, key: &str, top: bool) -> bool;
}

/// Deepest nesting [`Cursor::walk`] follows (`serde_json` stops at 128).
pub(crate) const MAX_DEPTH: u32 = 64;

/// A position in a record's text.
pub(crate) struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Cursor { text, at: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The next byte after whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        let b = self.bytes();
        while let Some(&c) = b.get(self.at) {
            if !matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(c);
            }
            self.at += 1;
        }
        None
    }

    /// Consumes `c` after whitespace.
    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.at += 1)
    }

    /// Consumes `word` (`true`, `false`, `null`).
    fn word(&mut self, word: &str) -> Option<()> {
        let end = self.at + word.len();
        (self.text.get(self.at..end)? == word).then(|| self.at = end)
    }

    /// Whether the next byte after whitespace is `c` (not consumed).
    pub(crate) fn next_is(&mut self, c: u8) -> bool {
        self.peek() == Some(c)
    }

    /// Only whitespace is left.
    pub(crate) fn end(&mut self) -> Option<()> {
        self.peek().is_none().then_some(())
    }

    /// A string.
    pub(crate) fn string(&mut self) -> Option<Cow<'a, str>> {
        self.eat(b'"')?;
        let start = self.at;
        self.at += special(&self.bytes()[self.at..]);
        match self.bytes().get(self.at)? {
            b'"' => {
                self.at += 1;
                Some(Cow::Borrowed(&self.text[start..self.at - 1]))
            }
            b'\\' => self.escaped(start).map(Cow::Owned),
            _ => None, // a raw control character
        }
    }

    /// The rest of a string that holds an escape at `self.at`; it started at `start`.
    fn escaped(&mut self, start: usize) -> Option<String> {
        let mut out = String::from(&self.text[start..self.at]);
        loop {
            match self.bytes().get(self.at)? {
                b'"' => {
                    self.at += 1;
                    return Some(out);
                }
                b'\\' => {
                    let c = match self.bytes().get(self.at + 1)? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return None,
                    };
                    out.push(c);
                    self.at += 2;
                }
                _ => return None, // a raw control character
            }
            let run = special(&self.bytes()[self.at..]);
            out.push_str(&self.text[self.at..self.at + run]);
            self.at += run;
        }
    }

    /// The character of the `\uXXXX` escape at `self.at` (two of them for a surrogate
    /// pair), leaving the cursor on the last escape's final 2 bytes.
    fn unicode_escape(&mut self) -> Option<char> {
        let hex = |at: usize| -> Option<u32> {
            let digits = self.bytes().get(at..at + 6)?;
            if &digits[..2] != b"\\u" || !digits[2..].iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            u32::from_str_radix(&self.text[at + 2..at + 6], 16).ok()
        };
        let first = hex(self.at)?;
        let code = match first {
            0xD800..=0xDBFF => {
                let low = hex(self.at + 6).filter(|l| (0xDC00..=0xDFFF).contains(l))?;
                self.at += 6;
                0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00)
            }
            0xDC00..=0xDFFF => return None, // a lone low surrogate
            c => c,
        };
        self.at += 4;
        char::from_u32(code)
    }

    /// `true` or `false`.
    pub(crate) fn bool(&mut self) -> Option<bool> {
        match self.peek()? {
            b't' => self.word("true").map(|()| true),
            b'f' => self.word("false").map(|()| false),
            _ => None,
        }
    }

    /// An integer without fraction or exponent (as `i64` reads it).
    pub(crate) fn int(&mut self) -> Option<i64> {
        self.peek()?;
        let start = self.at;
        self.number()?;
        self.text[start..self.at].parse().ok()
    }

    /// A number in JSON's grammar that `serde_json` certainly reads as a finite number:
    /// up to 18 characters without exponent, or else one whose value is finite, under
    /// 1e300 and not rounded to zero (far from where `serde_json` would fail).
    fn number(&mut self) -> Option<()> {
        let b = self.bytes();
        let start = self.at;
        let mut at = start + usize::from(b.get(start) == Some(&b'-'));
        let digits = |at: &mut usize| {
            let from = *at;
            while b.get(*at).is_some_and(u8::is_ascii_digit) {
                *at += 1;
            }
            *at - from
        };
        match b.get(at)? {
            b'0' => at += 1,
            b'1'..=b'9' => _ = digits(&mut at),
            _ => return None,
        }
        if b.get(at) == Some(&b'.') {
            at += 1;
            if digits(&mut at) == 0 {
                return None;
            }
        }
        let mantissa_end = at;
        if matches!(b.get(at), Some(b'e' | b'E')) {
            at += 1;
            at += usize::from(matches!(b.get(at), Some(b'+' | b'-')));
            if digits(&mut at) == 0 {
                return None;
            }
        }
        if b.get(at).is_some_and(u8::is_ascii_digit) {
            return None; // a leading zero
        }
        if at - start > 18 || at != mantissa_end {
            let x: f64 = self.text[start..at].parse().ok()?;
            let zero = b[start..mantissa_end].iter().all(|c| matches!(c, b'0' | b'-' | b'.'));
            if !(x.is_finite() && x.abs() < 1e300 && (x != 0.0 || zero)) {
                return None;
            }
        }
        self.at = at;
        Some(())
    }

    /// An object: `field` is called with each key, the cursor before its value, and must
    /// read the value.
    pub(crate) fn object(
        &mut self,
        mut field: impl FnMut(&mut Self, Cow<'a, str>) -> Option<()>,
    ) -> Option<()> {
        self.items(b'{', b'}', |cur| {
            let key = cur.string()?;
            cur.eat(b':')?;
            field(cur, key)
        })
    }

    /// An array: `item` is called before each item and must read it.
    pub(crate) fn array(&mut self, item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.items(b'[', b']', item)
    }

    /// `open`, then items separated by commas (`item` reads each), then `close`.
    fn items(
        &mut self,
        open: u8,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        self.eat(open)?;
        if self.peek()? == close {
            self.at += 1;
            return Some(());
        }
        loop {
            item(self)?;
            match self.peek()? {
                b',' => self.at += 1,
                c if c == close => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// An object whose keys are all in `names`, each at most once: `field` is called with
    /// the key's index in `names` and must read the value.
    pub(crate) fn fields(
        &mut self,
        names: &[&str],
        field: impl FnMut(&mut Self, usize) -> Option<()>,
    ) -> Option<()> {
        self.fields_by(|key| names.iter().position(|n| *n == key), field)
    }

    /// An object whose keys `index` knows (as a number below 64), each at most once:
    /// `field` is called with the key's number and must read the value.
    pub(crate) fn fields_by(
        &mut self,
        index: impl Fn(&str) -> Option<usize>,
        mut field: impl FnMut(&mut Self, usize) -> Option<()>,
    ) -> Option<()> {
        let mut seen = 0u64;
        self.object(|cur, key| {
            let i = index(&key)?;
            if seen & (1 << i) != 0 {
                return None;
            }
            seen |= 1 << i;
            field(cur, i)
        })
    }

    /// An object of string properties named in `names`, each at most once.
    pub(crate) fn strings<const N: usize>(
        &mut self,
        names: [&str; N],
    ) -> Option<[Option<Cow<'a, str>>; N]> {
        let mut out = [const { None }; N];
        self.fields(&names, |cur, i| {
            out[i] = Some(cur.string()?);
            Some(())
        })?;
        Some(out)
    }

    /// Any value, keeping nothing; every object key in it must pass `rule` (`top`: the keys
    /// of this value itself, not of values nested in it).
    pub(crate) fn walk(&mut self, rule: impl KeyRule, top: bool, depth: u32) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' if depth < MAX_DEPTH => self.object(|cur, key| {
                rule.allows(&key, top).then_some(())?;
                cur.walk(rule, false, depth + 1)
            }),
            b'[' if depth < MAX_DEPTH => self.array(|cur| cur.walk(rule, false, depth + 1)),
            b't' | b'f' => self.bool().map(drop),
            b'n' => self.word("null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }
}

/// The length of the run of `b` before its first `"`, `\` or control character (all of
/// `b` when there is none).
fn special(b: &[u8]) -> usize {
    use crate::swar::{below, eq, find};
    let hits = |w| eq(w, b'"') | eq(w, b'\\') | below(w, 0x20);
    find(b, hits, |c| c == b'"' || c == b'\\' || c < 0x20).unwrap_or(b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Any key.
    #[derive(Clone, Copy)]
    struct AnyKey;

    impl KeyRule for AnyKey {
        fn allows(self, _: &str, _: bool) -> bool {
            true
        }
    }

    fn walk(text: &str) -> Option<()> {
        let mut cur = Cursor::new(text);
        cur.walk(AnyKey, true, 0)?;
        cur.end()
    }

    #[test]
    fn reads_what_serde_json_reads() {
        for ok in [
            r#"{"a":[1,-2,3.25,0,-0,0.5,true,false,null,"x",{},[]],"b":{"c":"d"}}"#,
            " \n{ \"a\" :\t1 , \"b\" : [ ] }\r\n",
            r#""esc\"aped \\ \/ \b\f\n\r\t \u00e9 \ud83d\ude00 end""#,
            "123456789012345678",
            "-12345678901234567",
            "1234567890123456789012",
            "1.5e3",
            "-2E-5",
            "0e10",
            "1e+299",
            "1e-305",
            "\"zo\u{eb} \u{1F600}\"",
        ] {
            assert_eq!(walk(ok), Some(()), "{ok}");
            assert!(serde_json::from_str::<serde_json::Value>(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_bad_json_and_anything_unsure() {
        for odd in [
            "",
            "{",
            r#"{"a":1,}"#,
            "[1,]",
            r#"{"a" 1}"#,
            r#"{"a":1 "b":2}"#,
            "01",
            "1.",
            "-",
            ".5",
            "1e",
            "1e+",
            "1.5e3.2",
            "1e400",
            "-1e300",
            "1e-400",
            "0.1e-330",
            "00",
            "-01",
            "tru",
            "truex",
            "nul",
            "\"a\u{1}b\"",
            "\"tab\there\"",
            r#""\x""#,
            r#""\u12""#,
            r#""\u12G4""#,
            r#""\ud83d""#,
            r#""\ude00""#,
            r#""\ud83d\u0041""#,
            "\"open",
            "{} {}",
            "{'a':1}",
        ] {
            assert_eq!(walk(odd), None, "{odd:?}");
        }
        let deep = format!("{}1{}", "[".repeat(70), "]".repeat(70));
        assert_eq!(walk(&deep), None);
    }

    #[test]
    fn strings_decode_like_serde_json() {
        for text in [
            r#""plain""#,
            r#""a\"b""#,
            r#""\u00e9t\u00e9 \ud83d\ude00!""#,
            r#""\\\\\n""#,
            r#""x\u0041y\u0042""#,
            r#""\/\/""#,
        ] {
            let want: String = serde_json::from_str(text).unwrap();
            let got = Cursor::new(text).string().unwrap();
            assert_eq!(got, want, "{text}");
            assert_eq!(matches!(got, Cow::Borrowed(_)), !text.contains('\\'));
        }
    }

    #[test]
    fn special_finds_the_first_stop_byte() {
        let text = "abcdefghijklmnopqrstuvwxyz0123456789é€😀 ~\u{7f}ÿ";
        for at in 0..text.len() {
            for stop in [b'"', b'\\', b'\n', 0u8, 0x1f] {
                let mut b = text.as_bytes().to_vec();
                b[at] = stop;
                assert_eq!(special(&b), at, "{stop} at {at}");
                b[text.len() - 1] = b'"';
                assert_eq!(special(&b), at, "{stop} at {at}, then a quote");
            }
        }
        assert_eq!(special(text.as_bytes()), text.len());
        for n in 0..40 {
            assert_eq!(special(&text.as_bytes()[..n]), n);
        }
    }

    #[test]
    fn fields_refuse_unknown_and_repeated_keys() {
        let read = |text: &str| {
            let mut cur = Cursor::new(text);
            cur.strings(["a", "b"]).map(|[a, b]| (a.map(Cow::into_owned), b.map(Cow::into_owned)))
        };
        assert_eq!(read(r#"{"b":"2","a":"1"}"#), Some((Some("1".into()), Some("2".into()))));
        assert_eq!(read("{}"), Some((None, None)));
        assert_eq!(read(r#"{"a":"1","a":"1"}"#), None);
        assert_eq!(read(r#"{"c":"1"}"#), None);
        assert_eq!(read(r#"{"a":null}"#), None);
        assert_eq!(read(r#"["a"]"#), None);
        let ints: Vec<Option<i64>> =
            ["32", "-7", "0", "32.0", "3e1", "99999999999999999999", "\"1\""]
                .iter()
                .map(|t| Cursor::new(t).int())
                .collect();
        assert_eq!(ints, [Some(32), Some(-7), Some(0), None, None, None, None]);
    }
}
