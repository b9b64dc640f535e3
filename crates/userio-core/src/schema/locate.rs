//! Finds where a JSON pointer lands inside a record's raw text, so issues get a line and
//! column. Only run for users that have issues, so valid users pay nothing for positions.
//!
//! The scanner assumes the text already parsed as JSON; on anything unexpected it stops and
//! returns the deepest place it reached (never panics).

/// The byte offset inside `raw` of the value at `pointer` (or of its key when `at_key` is set
/// and the last step is an object member). When the pointer goes deeper than the text (a
/// missing property), the offset of the deepest existing container is returned.
pub fn locate(raw: &[u8], pointer: &str, at_key: bool) -> usize {
    let mut pos = skip_ws(raw, 0);
    let mut key_pos = pos;
    if pointer.is_empty() {
        return pos;
    }
    for seg in pointer.split('/').skip(1) {
        let seg = unescape_segment(seg);
        match raw.get(pos) {
            Some(b'{') => match find_member(raw, pos, &seg) {
                Some((k, v)) => {
                    key_pos = k;
                    pos = v;
                }
                None => return pos,
            },
            Some(b'[') => {
                let Ok(want) = seg.parse::<usize>() else { return pos };
                match find_element(raw, pos, want) {
                    Some(v) => {
                        key_pos = v;
                        pos = v;
                    }
                    None => return pos,
                }
            }
            _ => return pos,
        }
    }
    if at_key { key_pos } else { pos }
}

fn unescape_segment(seg: &str) -> std::borrow::Cow<'_, str> {
    if seg.contains('~') { seg.replace("~1", "/").replace("~0", "~").into() } else { seg.into() }
}

fn skip_ws(raw: &[u8], mut i: usize) -> usize {
    while matches!(raw.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// `i` at an opening quote; returns the index just after the closing quote.
fn skip_string(raw: &[u8], mut i: usize) -> usize {
    i += 1;
    while let Some(&b) = raw.get(i) {
        match b {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    raw.len()
}

fn skip_value(raw: &[u8], i: usize) -> usize {
    match raw.get(i) {
        Some(b'"') => skip_string(raw, i),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            while let Some(&b) = raw.get(j) {
                match b {
                    b'"' => {
                        j = skip_string(raw, j);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            raw.len()
        }
        Some(_) => {
            let mut j = i;
            while let Some(&b) = raw.get(j) {
                if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    break;
                }
                j += 1;
            }
            j
        }
        None => raw.len(),
    }
}

/// Decodes the key string at `i` (an opening quote); returns it and the index after it.
fn read_key(raw: &[u8], i: usize) -> (String, usize) {
    let end = skip_string(raw, i);
    let text = raw.get(i..end).unwrap_or_default();
    let key = if text.contains(&b'\\') {
        serde_json::from_slice::<String>(text).unwrap_or_default()
    } else {
        String::from_utf8_lossy(text.get(1..text.len().saturating_sub(1)).unwrap_or_default())
            .into_owned()
    };
    (key, end)
}

/// In the object at `open`, the (key offset, value offset) of member `name`. The last
/// duplicate wins, as it does when parsing.
fn find_member(raw: &[u8], open: usize, name: &str) -> Option<(usize, usize)> {
    let mut i = skip_ws(raw, open + 1);
    let mut found = None;
    loop {
        match raw.get(i) {
            Some(b'"') => {}
            _ => return found,
        }
        let key_at = i;
        let (key, end) = read_key(raw, i);
        i = skip_ws(raw, end);
        if raw.get(i) != Some(&b':') {
            return found;
        }
        i = skip_ws(raw, i + 1);
        if key == name {
            found = Some((key_at, i));
        }
        i = skip_ws(raw, skip_value(raw, i));
        match raw.get(i) {
            Some(b',') => i = skip_ws(raw, i + 1),
            _ => return found,
        }
    }
}

/// In the array at `open`, the offset of element `want`.
fn find_element(raw: &[u8], open: usize, want: usize) -> Option<usize> {
    let mut i = skip_ws(raw, open + 1);
    if raw.get(i) == Some(&b']') {
        return None;
    }
    for n in 0.. {
        if i >= raw.len() {
            return None;
        }
        if n == want {
            return Some(i);
        }
        i = skip_ws(raw, skip_value(raw, i));
        match raw.get(i) {
            Some(b',') => i = skip_ws(raw, i + 1),
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::locate;

    #[test]
    fn finds_values_keys_and_elements() {
        let raw = br#"{ "a": 1, "b\"x": {"c": [10, {"d": "v"}]}, "e/f": true, "a": 2 }"#;
        let at = |p: &str, k: bool| {
            let i = locate(raw, p, k);
            String::from_utf8_lossy(&raw[i..(i + 3).min(raw.len())]).into_owned()
        };
        assert_eq!(at("", false), "{ \"");
        assert_eq!(at("/a", false), "2 }");
        assert_eq!(at("/a", true), "\"a\"");
        assert_eq!(at("/b\"x/c/1/d", false), "\"v\"");
        assert_eq!(at("/b\"x/c/0", false), "10,");
        assert_eq!(at("/e~1f", false), "tru");
        // missing: deepest container
        assert_eq!(at("/b\"x/zz", false), "{\"c");
        assert_eq!(at("/b\"x/c/9", false), "[10");
    }

    #[test]
    fn never_panics_on_junk() {
        for raw in [&b""[..], b"{", b"{\"a", b"{\"a\":", b"[", b"\"", b"{\"a\":[1,"] {
            for p in ["", "/a", "/a/0", "/0"] {
                let _ = locate(raw, p, true);
                let _ = locate(raw, p, false);
            }
        }
    }
}
