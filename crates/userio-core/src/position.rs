//! Positions in input text: byte offset, line and column, and caret excerpts.
//!
//! Every position in userio is a [`Position`]: a 0-based **byte** offset plus a 1-based
//! line and a 1-based column. Columns count Unicode scalar values (characters), not
//! bytes, so `é` advances the column by one. Bindings convert offsets at the boundary
//! (Python: code points, Node: UTF-16 units).

use std::fmt;

use serde::Serialize;

/// Where something is in an input: byte offset (0-based), line and column (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Position {
    /// Byte offset from the start of the input, 0-based.
    pub byte: u64,
    /// Line number, 1-based. Lines end at `\n`.
    pub line: u64,
    /// Column, 1-based, counted in characters.
    pub column: u64,
}

impl Position {
    /// The position of the first byte of an input.
    pub const START: Position = Position { byte: 0, line: 1, column: 1 };

    /// The position of byte offset `byte` inside `text` (clamped to the text's length).
    pub fn of_offset(text: &[u8], byte: usize) -> Position {
        Position::START.advanced(&text[..byte.min(text.len())])
    }

    /// This position moved past `bytes`.
    pub fn advanced(self, bytes: &[u8]) -> Position {
        let mut pos = self;
        pos.byte += bytes.len() as u64;
        match memchr::memrchr(b'\n', bytes) {
            Some(last_nl) => {
                pos.line += memchr::memchr_iter(b'\n', bytes).count() as u64;
                pos.column = 1 + count_chars(&bytes[last_nl + 1..]);
            }
            None => pos.column += count_chars(bytes),
        }
        pos
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Counts characters in possibly invalid UTF-8: every byte that is not a continuation byte.
fn count_chars(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count() as u64
}

/// Renders the line of `text` holding byte offset `byte`, with a caret under it:
///
/// ```text
///   1 | name:jo AND
///     |            ^
/// ```
///
/// Long lines are cut to a window around the caret.
pub fn excerpt(text: &str, byte: usize) -> String {
    const WINDOW: usize = 60;
    let byte = floor_char_boundary(text, byte.min(text.len()));
    let line_start = text[..byte].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[byte..].find('\n').map_or(text.len(), |i| byte + i);
    let line_no = text[..line_start].matches('\n').count() + 1;
    let line = &text[line_start..line_end];
    let caret_col = text[line_start..byte].chars().count();
    let (shown, caret) = if caret_col > WINDOW {
        let skip = caret_col - WINDOW / 2;
        let s: String = line.chars().skip(skip).take(WINDOW).collect();
        (format!("…{s}"), caret_col - skip + 1)
    } else {
        (line.chars().take(WINDOW * 2).collect(), caret_col)
    };
    let gutter = line_no.to_string();
    format!(
        "{gutter} | {shown}\n{pad} | {space}^",
        pad = " ".repeat(gutter.len()),
        space = " ".repeat(caret)
    )
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_to_lines_and_columns() {
        let text = "ab\ncé\nx".as_bytes();
        assert_eq!(Position::of_offset(text, 0), Position { byte: 0, line: 1, column: 1 });
        assert_eq!(Position::of_offset(text, 3), Position { byte: 3, line: 2, column: 1 });
        // after "cé" (3 bytes, 2 chars)
        assert_eq!(Position::of_offset(text, 6), Position { byte: 6, line: 2, column: 3 });
        assert_eq!(Position::of_offset(text, 7), Position { byte: 7, line: 3, column: 1 });
    }

    #[test]
    fn excerpt_points_at_the_byte() {
        assert_eq!(excerpt("name:jo AND", 11), "1 | name:jo AND\n  |            ^");
        assert_eq!(excerpt("a\nbé c", 6), "2 | bé c\n  |    ^");
    }
}
