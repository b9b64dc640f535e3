//! Small, allocation-free format checks: email, URI, E.164, hex and base64.

/// Why an email address is not valid, or `None` when it is.
///
/// The check follows what JSON-Schema `format: email` validators accept in practice (and
/// what Auth0's profile rules add): one `@`, a dot-atom local part of at most 64 bytes, a
/// domain of dot-separated labels with at least one dot, at most 254 bytes in all.
/// Non-ASCII letters are allowed (internationalised addresses).
pub fn email_problem(s: &str) -> Option<&'static str> {
    if s.is_empty() {
        return Some("it is empty");
    }
    if s.len() > 254 {
        return Some("it is longer than 254 characters");
    }
    let Some(at) = s.rfind('@') else {
        return Some("no `@`");
    };
    let (local, domain) = (&s[..at], &s[at + 1..]);
    if local.is_empty() {
        return Some("nothing before the `@`");
    }
    if local.len() > 64 {
        return Some("the part before `@` is longer than 64 characters");
    }
    if local.contains('@') {
        return Some("more than one `@`");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Some("a dot at the start or end of the name, or two dots in a row");
    }
    if let Some(c) = local.chars().find(|&c| {
        !(c.is_ascii_alphanumeric()
            || matches!(
                c,
                '!' | '#'
                    | '$'
                    | '%'
                    | '&'
                    | '\''
                    | '*'
                    | '+'
                    | '/'
                    | '='
                    | '?'
                    | '^'
                    | '_'
                    | '`'
                    | '{'
                    | '|'
                    | '}'
                    | '~'
                    | '.'
                    | '-'
            )
            || !c.is_ascii())
            || c.is_whitespace()
            || c.is_control()
    }) {
        return Some(if c.is_whitespace() {
            "it contains a space"
        } else {
            "a character not allowed before the `@`"
        });
    }
    if domain.is_empty() {
        return Some("nothing after the `@`");
    }
    if !domain.contains('.') {
        return Some("the domain has no dot (example.com)");
    }
    for label in domain.split('.') {
        if label.is_empty() {
            return Some("an empty part in the domain (two dots, or a dot at an end)");
        }
        if label.len() > 63 {
            return Some("a domain part longer than 63 characters");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Some("a domain part starting or ending with `-`");
        }
        if label.chars().any(|c| {
            !(c.is_ascii_alphanumeric() || c == '-' || (!c.is_ascii() && c.is_alphanumeric()))
        }) {
            return Some("a character not allowed in the domain");
        }
    }
    None
}

/// True for an absolute URI: `scheme:rest`, no whitespace or control characters; for
/// `http`/`https` a non-empty authority (`//host`) is required.
pub fn is_absolute_uri(s: &str) -> bool {
    let Some(colon) = s.find(':') else { return false };
    let scheme = &s[..colon];
    let rest = &s[colon + 1..];
    let mut chars = scheme.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    if !chars.all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c)) {
        return false;
    }
    if rest.is_empty() || has_space_or_control(s) {
        return false;
    }
    if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") {
        let Some(auth) = rest.strip_prefix("//") else { return false };
        let host_end = auth.find(['/', '?', '#']).unwrap_or(auth.len());
        return host_end > 0;
    }
    true
}

/// True when `s` holds whitespace or a control character.
fn has_space_or_control(s: &str) -> bool {
    if s.is_ascii() {
        // ASCII whitespace and controls: 0x00-0x20 and 0x7F.
        return s.bytes().any(|b| b <= b' ' || b == 0x7f);
    }
    s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// True when `s` holds whitespace.
pub fn has_whitespace(s: &str) -> bool {
    if s.is_ascii() {
        return s.bytes().any(|b| b == b' ' || (b'\t'..=b'\r').contains(&b));
    }
    s.chars().any(char::is_whitespace)
}

/// `^\+[0-9]{1,15}$`
pub fn is_e164(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('+') else { return false };
    (1..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `^[A-Z2-7]+$`
pub fn is_base32_upper(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
}

/// The decoded length of a hex string (either case), or why it is not hex.
pub fn hex_len(s: &str) -> Result<usize, String> {
    if let Some((i, c)) = s.char_indices().find(|(_, c)| !c.is_ascii_hexdigit()) {
        return Err(format!("character {c:?} at offset {i} is not a hex digit"));
    }
    if !s.len().is_multiple_of(2) {
        return Err(format!("odd length {}", s.len()));
    }
    Ok(s.len() / 2)
}

/// The decoded length of standard or URL-safe base64, padded or not, or why it is not.
pub fn base64_len(s: &str) -> Result<usize, String> {
    let body = s.trim_end_matches('=');
    let pad = s.len() - body.len();
    if pad > 2 {
        return Err("more than two `=` at the end".into());
    }
    if let Some((i, c)) = body
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '-' | '_')))
    {
        return Err(if c == '=' {
            format!("`=` in the middle (offset {i})")
        } else {
            format!("character {c:?} at offset {i} is not base64")
        });
    }
    if pad > 0 && !s.len().is_multiple_of(4) {
        return Err("wrong padding: padded base64 has a length that is a multiple of 4".into());
    }
    if body.len() % 4 == 1 {
        return Err(format!(
            "impossible length {} (one character too many or too few)",
            body.len()
        ));
    }
    Ok(body.len() / 4 * 3 + [0, 0, 1, 2][body.len() % 4])
}

/// Decoded length of `value` in `encoding` (`hex`, `base64`, `utf8`).
pub fn decoded_len(value: &str, encoding: &str) -> Result<usize, String> {
    match encoding {
        "hex" => hex_len(value),
        "base64" => base64_len(value),
        _ => Ok(value.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in
            ["a@example.com", "Jane.Doe+x@mail.example.co.uk", "zoë@exämple.de", "o'brien@x.io"]
        {
            assert_eq!(email_problem(ok), None, "{ok}");
        }
        for bad in [
            "",
            "a",
            "@x.com",
            "a@",
            "a@b",
            "a b@x.com",
            "a..b@x.com",
            "a@x..com",
            "a@-x.com",
            "a@b@c.com",
            ".a@x.com",
        ] {
            assert!(email_problem(bad).is_some(), "{bad}");
        }
        assert!(email_problem(&format!("{}@x.com", "a".repeat(65))).is_some());
    }

    #[test]
    fn uris_and_patterns() {
        assert!(is_absolute_uri("https://cdn.example.com/a.png"));
        assert!(is_absolute_uri("data:image/png;base64,AAAA"));
        assert!(!is_absolute_uri("/avatar.png"));
        assert!(!is_absolute_uri("https://"));
        assert!(!is_absolute_uri("https://x.com/a b.png"));
        for (text, space, control) in [
            ("a b", true, false),
            ("a\tb", true, true),
            ("a\u{1c}b", false, true),
            ("a\u{7f}b", false, true),
            ("a\u{a0}b", true, false),
            ("a\u{85}b", true, true),
            ("ab\u{e9}", false, false),
            ("ab", false, false),
        ] {
            assert_eq!(has_whitespace(text), space, "{text:?}");
            assert_eq!(has_space_or_control(text), space || control, "{text:?}");
            assert_eq!(has_whitespace(text), text.chars().any(char::is_whitespace));
        }
        assert!(is_e164("+12125550001"));
        assert!(!is_e164("+1 212 555"));
        assert!(!is_e164("12125550001"));
        assert!(!is_e164("+1234567890123456"));
        assert!(is_base32_upper("JBTWY3DPEHPK3PNP"));
        assert!(!is_base32_upper("jbtwy3dp"));
        assert!(!is_base32_upper("JBTWY3DPEHPK3PN1"));
    }

    #[test]
    fn encodings() {
        assert_eq!(hex_len("5f4dcc3b5aa765d61d8327deb882cf99"), Ok(16));
        assert_eq!(hex_len("5F4D"), Ok(2));
        assert!(hex_len("5f4").is_err());
        assert!(hex_len("zz").is_err());
        assert_eq!(base64_len("cg7f42jH39/2EaAU4wNd4s2lKIk="), Ok(20));
        assert_eq!(base64_len("cg7f42jH39_2EaAU4wNd4s2lKIk"), Ok(20));
        assert_eq!(base64_len("XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg="), Ok(32));
        assert!(base64_len("abc=d").is_err());
        assert!(base64_len("abcde").is_err());
        assert!(base64_len("ab=").is_err());
    }
}
