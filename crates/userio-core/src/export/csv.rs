//! CSV cells: RFC 4180 quoting and spreadsheet formula neutralisation.
//!
//! A field is quoted only when it has to be: when it contains the delimiter, a double quote,
//! a carriage return or a line feed. Quotes inside are doubled.
//!
//! Formula injection: a spreadsheet treats a cell that starts with `=`, `+`, `-`, `@`, a tab
//! or a carriage return as a formula. With formula escaping on (the default), such a cell
//! gets a leading `'` (`=HYPERLINK(…)` → `'=HYPERLINK(…)`), which spreadsheets display as
//! text. Cells that are plain numbers (`-5`, `+1.5e3`) are left alone: a spreadsheet reads
//! them as the same number either way, and they cannot run anything.

/// True when `text` would be read as a formula by a spreadsheet.
pub fn is_formula(text: &str) -> bool {
    matches!(text.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'))
        && !is_plain_number(text)
}

/// A number such as `-12`, `+3.5`, `1e-7` (optional sign, digits, fraction, exponent).
fn is_plain_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i = 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    let int = digits(&mut i);
    let mut frac = false;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac = digits(&mut i);
    }
    if !int && !frac {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

/// Appends one field to `out`, quoting it when needed and neutralising a formula when
/// `formula_escape` is set.
pub(crate) fn write_field(out: &mut Vec<u8>, text: &str, delimiter: u8, formula_escape: bool) {
    let prefix = formula_escape && is_formula(text);
    let bytes = text.as_bytes();
    let needs_quotes = bytes.iter().any(|&b| b == delimiter || matches!(b, b'"' | b'\n' | b'\r'));
    if !needs_quotes {
        if prefix {
            out.push(b'\'');
        }
        out.extend_from_slice(bytes);
        return;
    }
    out.push(b'"');
    if prefix {
        out.push(b'\'');
    }
    let mut rest = bytes;
    while let Some(i) = memchr::memchr(b'"', rest) {
        out.extend_from_slice(&rest[..=i]);
        out.push(b'"');
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(s: &str, d: u8, esc: bool) -> String {
        let mut v = Vec::new();
        write_field(&mut v, s, d, esc);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn quoting() {
        assert_eq!(field("plain", b',', true), "plain");
        assert_eq!(field("a,b", b',', true), "\"a,b\"");
        assert_eq!(field("a,b", b'\t', true), "a,b");
        assert_eq!(field("say \"hi\"", b',', true), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines", b',', true), "\"two\nlines\"");
        assert_eq!(field("cr\r", b',', true), "\"cr\r\"");
        assert_eq!(field("", b',', true), "");
        assert_eq!(field("é ü", b',', true), "é ü");
    }

    #[test]
    fn formulas() {
        assert_eq!(field("=1+2", b',', true), "'=1+2");
        assert_eq!(field("=1+2", b',', false), "=1+2");
        assert_eq!(field("@SUM(A1)", b',', true), "'@SUM(A1)");
        assert_eq!(field("+cmd", b',', true), "'+cmd");
        assert_eq!(field("-2+3", b',', true), "'-2+3");
        assert_eq!(field("\tx", b',', true), "'\tx");
        assert_eq!(field("\tx", b'\t', true), "\"'\tx\"");
        assert_eq!(field("\rx", b',', true), "\"'\rx\"");
        assert_eq!(field("=\"a\",b", b',', true), "\"'=\"\"a\"\",b\"");
        assert_eq!(field("-5", b',', true), "-5");
        assert_eq!(field("-1.5e-3", b',', true), "-1.5e-3");
        assert_eq!(field("-.5", b',', true), "-.5");
        assert_eq!(field("-", b',', true), "'-");
        assert_eq!(field("-1e", b',', true), "'-1e");
        assert_eq!(field("a=b", b',', true), "a=b");
    }
}
