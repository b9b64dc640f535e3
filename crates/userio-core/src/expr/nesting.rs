//! How deeply a column's source nests, measured before any parser sees it.
//!
//! Both parsers (the native tier's and boa's) descend once for each nested bracket, prefix
//! operator, `?:`, arrow, assignment, `**` and statement. boa's takes about 25 KB of stack
//! for each `(` in a release build, ten times that unoptimised: a hundred nested brackets
//! would overflow a thread's stack, which aborts the whole process (a CLI, a Python or a
//! Node program). So a source that nests deeper than [`MAX_NESTING`] is refused with the
//! offset where it does, and the parsers run on a stack made for that depth
//! ([`on_parser_stack`]).
//!
//! The count is lexical and errs on the high side: it knows strings, templates, comments
//! and regular expressions (a `/` starts one where an expression can start, as JavaScript
//! decides), and counts what nests until it must have ended (a `?` until the next `,` or
//! `;`, an `else` until its block closes).

/// The deepest a source may nest (brackets, prefix operators, `?:`, arrows, assignments,
/// statements, each counting one).
pub(crate) const MAX_NESTING: usize = 64;

/// Stack for parsing and compiling a source of at most [`MAX_NESTING`]: enough for boa's
/// parser unoptimised, with room to spare (only the pages used are ever touched).
const PARSER_STACK: usize = 64 << 20;

/// Runs `f` (parsing or compiling a source that passed [`check`]) on a stack made for
/// [`MAX_NESTING`], whatever the calling thread's own stack (2 MB for a Rust thread).
pub(crate) fn on_parser_stack<T>(f: impl FnOnce() -> T) -> T {
    stacker::grow(PARSER_STACK, f)
}

/// Where a source first nests deeper than [`MAX_NESTING`]: a byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooDeep(pub usize);

/// Checks that `source` (an expression) nests at most [`MAX_NESTING`] deep.
pub(crate) fn check(source: &str) -> Result<(), TooDeep> {
    deepest(source).map(|_| ())
}

/// How deep `source` nests (0 for `a + b`, 1 for `(a)`), or where it first goes deeper
/// than [`MAX_NESTING`].
fn deepest(source: &str) -> Result<usize, TooDeep> {
    Scanner::new(source).run()
}

/// The offset of the first bracket in `source` that closes nothing opened before it (as
/// the `)` of `user.name )`), if any: where a parser finds the source closing too early.
pub(crate) fn stray_closer(source: &str) -> Option<usize> {
    let mut scanner = Scanner::new(source);
    let _ = scanner.run();
    scanner.stray
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    Paren,
    Bracket,
    Brace,
    /// `${` in a template.
    Subst,
}

/// What the last token leaves: whether a `/` starts a regular expression (anything but
/// after an operand), and what a `{` opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// An operand ends here: `/` divides.
    Operand,
    /// An expression starts: `/` starts a regular expression, `{` an object literal.
    ExprStart,
    /// A statement starts: `/` starts a regular expression, `{` a block.
    StatementStart,
    /// `=>`: `{` is the arrow's body.
    Arrow,
    /// `.` or `?.`: a name follows, never a keyword.
    Dot,
}

#[derive(Debug)]
struct Frame {
    open: Open,
    /// Depth inside this frame before anything in it.
    base: usize,
    /// `?`, `=>`, assignments, `**`, `if`/`for`/`while`/`with`/`do` and labels: each nests
    /// the rest of the expression or statement, until `,` or `;`.
    pending: usize,
    /// `else`: nests its statement, however long the chain, until the frame closes.
    elses: usize,
    /// Prefix operators since the last operand.
    unary: usize,
    /// `?` waiting for their `:`.
    questions: usize,
    /// A `(` that holds an `if`/`for`/`while`/`with` head: a `/` after it starts a
    /// regular expression.
    head: bool,
    /// A `{` that is an object literal or the body of a function expression: a `/` after
    /// it divides.
    expr: bool,
}

impl Frame {
    fn new(open: Open, base: usize) -> Frame {
        Frame { open, base, pending: 0, elses: 0, unary: 0, questions: 0, head: false, expr: false }
    }

    fn depth(&self) -> usize {
        self.base + self.pending + self.elses + self.unary
    }
}

struct Scanner<'s> {
    src: &'s [u8],
    at: usize,
    frames: Vec<Frame>,
    prev: Prev,
    /// Where the first closing bracket that matched nothing was.
    stray: Option<usize>,
}

/// Keywords after which an expression starts (so a `/` starts a regular expression).
const EXPR_KEYWORDS: &[&[u8]] = &[
    b"return",
    b"throw",
    b"case",
    b"in",
    b"of",
    b"instanceof",
    b"extends",
    b"let",
    b"const",
    b"var",
];
/// Punctuators made of `+-!~*%<>=&|^/?.:` characters, longest first.
const PUNCTUATORS: &[&[u8]] = &[
    b">>>=", b"...", b"===", b"!==", b"**=", b"<<=", b">>=", b">>>", b"&&=", b"||=", b"??=", b"=>",
    b"==", b"!=", b"<=", b">=", b"&&", b"||", b"??", b"?.", b"++", b"--", b"+=", b"-=", b"*=",
    b"/=", b"%=", b"&=", b"|=", b"^=", b"**", b"<<", b">>", b"+", b"-", b"!", b"~", b"*", b"/",
    b"%", b"<", b">", b"=", b"&", b"|", b"^", b"?", b".", b":",
];
/// Prefix operators spelled as words.
const UNARY_KEYWORDS: &[&[u8]] = &[b"typeof", b"void", b"delete", b"new"];

impl<'s> Scanner<'s> {
    fn new(source: &'s str) -> Scanner<'s> {
        let outermost = Frame::new(Open::Paren, 0);
        let (src, frames) = (source.as_bytes(), vec![outermost]);
        Scanner { src, at: 0, frames, prev: Prev::ExprStart, stray: None }
    }

    fn top(&mut self) -> &mut Frame {
        self.frames.last_mut().expect("the outermost frame is never closed")
    }

    fn depth(&self) -> usize {
        self.frames.last().map_or(0, Frame::depth)
    }

    fn peek(&self, ahead: usize) -> u8 {
        self.src.get(self.at + ahead).copied().unwrap_or(0)
    }

    fn run(&mut self) -> Result<usize, TooDeep> {
        let mut deepest = 0;
        // `function`/`class` seen, whose body is the next `{` at this many frames, and
        // whether it is an expression.
        let mut function: Option<(usize, bool)> = None;
        let mut head_next = false;
        while self.at < self.src.len() {
            let start = self.at;
            let c = self.src[self.at];
            match c {
                b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => self.at += 1,
                b'/' if self.peek(1) == b'/' => self.skip_line(),
                b'/' if self.peek(1) == b'*' => self.skip_block_comment(),
                b'/' if self.prev != Prev::Operand => {
                    self.skip_regex();
                    self.operand();
                }
                b'\'' | b'"' => {
                    self.skip_string(c);
                    self.operand();
                }
                b'`' => {
                    self.at += 1;
                    self.template();
                }
                b'0'..=b'9' => {
                    self.skip_number();
                    self.operand();
                }
                b'.' if self.peek(1).is_ascii_digit() && self.prev != Prev::Operand => {
                    self.skip_number();
                    self.operand();
                }
                b'(' | b'[' | b'{' => {
                    self.at += 1;
                    let open = match c {
                        b'(' => Open::Paren,
                        b'[' => Open::Bracket,
                        _ => Open::Brace,
                    };
                    let mut frame = Frame::new(open, self.depth() + 1);
                    frame.head = open == Open::Paren && std::mem::take(&mut head_next);
                    let mut prev = Prev::ExprStart;
                    if open == Open::Brace {
                        frame.expr = match function.take() {
                            Some((frames, expr)) if frames == self.frames.len() => expr,
                            other => {
                                function = other;
                                self.prev == Prev::ExprStart
                            }
                        };
                        if !frame.expr {
                            prev = Prev::StatementStart;
                        }
                    }
                    self.frames.push(frame);
                    self.prev = prev;
                }
                b')' | b']' | b'}' => {
                    self.at += 1;
                    let want = match c {
                        b')' => Open::Paren,
                        b']' => Open::Bracket,
                        _ if self.top().open == Open::Subst => Open::Subst,
                        _ => Open::Brace,
                    };
                    // A closer that matches nothing is a syntax error, where parsing stops.
                    if self.frames.len() == 1 || self.top().open != want {
                        self.stray = self.stray.or(Some(start));
                    } else {
                        let frame = self.frames.pop().expect("more than one frame");
                        match want {
                            Open::Subst => {
                                self.template();
                                continue;
                            }
                            Open::Paren if frame.head => self.prev = Prev::StatementStart,
                            Open::Brace if !frame.expr => {
                                // A block ends its statement (an `else` may follow).
                                let outer = self.top();
                                if outer.open == Open::Brace && !outer.expr {
                                    outer.pending = 0;
                                    outer.questions = 0;
                                }
                                outer.unary = 0;
                                self.prev = Prev::StatementStart;
                            }
                            _ => self.operand(),
                        }
                    }
                }
                b';' => {
                    self.at += 1;
                    let top = self.top();
                    (top.pending, top.questions, top.unary) = (0, 0, 0);
                    self.prev = Prev::StatementStart;
                }
                b',' => {
                    self.at += 1;
                    let top = self.top();
                    (top.pending, top.questions, top.unary) = (0, 0, 0);
                    self.prev = Prev::ExprStart;
                }
                b'+' | b'-' | b'!' | b'~' | b'*' | b'%' | b'<' | b'>' | b'=' | b'&' | b'|'
                | b'^' | b'/' | b'?' | b'.' | b':' => self.punctuator(),
                b'#' | b'$' | b'_' | b'\\' | b'a'..=b'z' | b'A'..=b'Z' | 0x80.. => {
                    let word = self.word();
                    if self.prev == Prev::Dot {
                        self.operand();
                        continue;
                    }
                    match word {
                        b"if" | b"for" | b"while" | b"with" => {
                            self.top().pending += 1;
                            head_next = true;
                            self.prev = Prev::StatementStart;
                        }
                        b"do" => {
                            self.top().pending += 1;
                            self.prev = Prev::StatementStart;
                        }
                        b"else" => {
                            self.top().elses += 1;
                            self.prev = Prev::StatementStart;
                        }
                        b"try" | b"finally" => self.prev = Prev::StatementStart,
                        b"function" | b"class" => {
                            let expr = self.prev == Prev::ExprStart || self.prev == Prev::Arrow;
                            function = Some((self.frames.len(), expr));
                            self.prev = Prev::Operand;
                        }
                        // Prefix operators; as names in sloppy code `await` and `yield`
                        // may be operands, so a `/` after them divides.
                        b"await" | b"yield" => {
                            self.top().unary += 1;
                            self.prev = Prev::Operand;
                        }
                        w if UNARY_KEYWORDS.contains(&w) => {
                            self.top().unary += 1;
                            self.prev = Prev::ExprStart;
                        }
                        w if EXPR_KEYWORDS.contains(&w) => self.prev = Prev::ExprStart,
                        _ => self.operand(),
                    }
                }
                _ => self.at += 1,
            }
            let depth = self.depth();
            if depth > MAX_NESTING {
                return Err(TooDeep(start));
            }
            deepest = deepest.max(depth);
        }
        Ok(deepest)
    }

    /// An operand ends here.
    fn operand(&mut self) {
        self.top().unary = 0;
        self.prev = Prev::Operand;
    }

    /// An operator, `?`, `:`, `.` or `...` (the longest punctuator at this point).
    fn punctuator(&mut self) {
        let rest = &self.src[self.at..];
        let Some(op) = PUNCTUATORS.iter().copied().find(|p| rest.starts_with(p)) else {
            self.at += 1;
            return;
        };
        // `?.5` is `?` then `.5`.
        let op: &[u8] =
            if op == b"?." && rest.get(2).is_some_and(u8::is_ascii_digit) { b"?" } else { op };
        self.at += op.len();
        let after_operand = self.prev == Prev::Operand;
        let top = self.top();
        let mut prev = Prev::ExprStart;
        match op {
            b"." | b"?." => prev = Prev::Dot,
            b"++" | b"--" if after_operand => prev = Prev::Operand, // postfix
            b"++" | b"--" | b"!" | b"~" | b"..." => top.unary += 1,
            b"+" | b"-" if !after_operand => top.unary += 1,
            b"=>" => {
                top.pending += 1;
                prev = Prev::Arrow;
            }
            b"?" => {
                top.pending += 1;
                top.questions += 1;
            }
            b":" if top.questions > 0 => top.questions -= 1,
            b":" if top.open == Open::Brace && !top.expr => {
                // A label or a `case`: the statement after it is nested.
                top.pending += 1;
                prev = Prev::StatementStart;
            }
            b"**" => top.pending += 1,
            b"==" | b"===" | b"!=" | b"!==" | b"<=" | b">=" => {}
            _ if op.ends_with(b"=") => top.pending += 1, // an assignment
            _ => {}
        }
        self.prev = prev;
    }

    fn word(&mut self) -> &'s [u8] {
        let src = self.src;
        let start = self.at;
        while let Some(&c) = self.src.get(self.at) {
            let ident =
                c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$' | b'#' | b'\\') || c >= 0x80;
            if !ident {
                break;
            }
            self.at += 1;
        }
        &src[start..self.at]
    }

    fn skip_line(&mut self) {
        while self.at < self.src.len() && self.src[self.at] != b'\n' {
            self.at += 1;
        }
    }

    fn skip_block_comment(&mut self) {
        self.at += 2;
        while self.at < self.src.len() && !(self.peek(0) == b'*' && self.peek(1) == b'/') {
            self.at += 1;
        }
        self.at = (self.at + 2).min(self.src.len());
    }

    /// A string to its closing quote (or the end of the line, where it is unterminated).
    fn skip_string(&mut self, quote: u8) {
        self.at += 1;
        while let Some(&c) = self.src.get(self.at) {
            self.at += 1;
            match c {
                b'\\' => self.at += 1,
                b'\n' => return,
                _ if c == quote => return,
                _ => {}
            }
        }
    }

    /// A regular expression literal: to its closing `/` outside a class, then its flags.
    fn skip_regex(&mut self) {
        self.at += 1;
        let mut class = false;
        while let Some(&c) = self.src.get(self.at) {
            self.at += 1;
            match c {
                b'\\' => self.at += 1,
                b'\n' => return,
                b'[' => class = true,
                b']' => class = false,
                b'/' if !class => break,
                _ => {}
            }
        }
        self.word();
    }

    fn skip_number(&mut self) {
        let start = self.at;
        while let Some(&c) = self.src.get(self.at) {
            let sign = matches!(c, b'+' | b'-')
                && matches!(self.src[self.at - 1], b'e' | b'E')
                && !matches!(self.src.get(start + 1), Some(b'x' | b'X'));
            if !(c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || sign) {
                break;
            }
            self.at += 1;
        }
    }

    /// Template text after a `` ` `` or a substitution's `}`: to the closing `` ` `` (an
    /// operand) or the next `${` (a frame).
    fn template(&mut self) {
        while let Some(&c) = self.src.get(self.at) {
            self.at += 1;
            match c {
                b'\\' => self.at += 1,
                b'`' => {
                    self.operand();
                    return;
                }
                b'$' if self.peek(0) == b'{' => {
                    self.at += 1;
                    let frame = Frame::new(Open::Subst, self.depth() + 1);
                    self.frames.push(frame);
                    self.prev = Prev::ExprStart;
                    return;
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(source: &str) -> usize {
        deepest(source).expect("within the limit")
    }

    #[test]
    fn brackets_and_prefix_operators_nest() {
        assert_eq!(depth("a + 1"), 0);
        assert_eq!(depth("((1))"), 2);
        assert_eq!(depth("[[1]]"), 2);
        assert_eq!(depth("!!-1"), 3);
        assert_eq!(depth("{a: {b: 1}}"), 2);
        assert_eq!(depth("`${`${1}`}`"), 2);
        assert_eq!(depth("typeof void 1"), 2);
        assert_eq!(depth("[...[...a]]"), 4);
    }

    #[test]
    fn what_chains_to_the_left_does_not_nest() {
        assert_eq!(depth("a + b - c * d || e && f ?? g"), 0);
        assert_eq!(depth("user.a.b[0].c(1)(2).d"), 1);
        assert_eq!(depth("a++ + b-- - -c"), 1);
        assert_eq!(depth("f(1), g(2), h(3)"), 1);
        assert_eq!(depth("a?.b?.[0]?.(1) ?? c"), 1);
    }

    #[test]
    fn what_chains_to_the_right_nests() {
        assert_eq!(depth("a ? b : c ? d : e"), 2);
        assert_eq!(depth("a => b => c"), 2);
        assert_eq!(depth("a = b = c"), 2);
        assert_eq!(depth("a ** b ** c"), 2);
        // ... until the expression ends.
        assert_eq!(depth("[a ? b : c, d ? e : f]"), 2);
        assert_eq!(depth("a ?.5 : 1"), 1);
    }

    #[test]
    fn statements_nest_until_they_end() {
        let body = |b: &str| depth(&format!("(() => {{ {b} }})()"));
        let plain = body("return 1;");
        assert_eq!(body("if (a) if (b) x; if (c) y; return 1;"), plain + 3); // two ifs, a head
        assert_eq!(body("if (a) { x } if (b) { y } return 1;"), plain + 2); // one if, a block
        assert_eq!(body("if (a) x; else if (b) y; else if (c) z; else w;"), plain + 4);
        assert_eq!(body("a: b: return 1;"), plain + 2);
    }

    #[test]
    fn strings_comments_and_regular_expressions_hold_no_brackets() {
        assert_eq!(depth("'((((' + \"[[[\" + `(((${1}`"), 1);
        assert_eq!(depth("a /* (((( */ + 1 // ((((\n"), 0);
        assert_eq!(depth("/((\\/[(]/.test(a) ? 1 : 2"), 1);
        assert_eq!(depth("a / 2 / (b)"), 1);
        let block = depth("(() => { x })()");
        assert_eq!(depth("(() => { if (a) /[(]/.test(b); })()"), block + 2);
        // A `/` after an object literal or a function expression divides ...
        assert_eq!(depth("({}) / 2 + {} / ((1))"), 2);
        assert_eq!(depth("x = function () {} / ((1))"), 3);
        // ... after a block it starts a regular expression.
        assert_eq!(depth("(() => { {} /(((/.test(a) })()"), block + 1);
        // Property names are never keywords.
        assert_eq!(depth("a.return / ((1))"), 2);
    }

    #[test]
    fn a_source_too_deep_is_refused_where_it_gets_too_deep() {
        let deep = format!("{}1{}", "(".repeat(100), ")".repeat(100));
        assert_eq!(check(&deep), Err(TooDeep(MAX_NESTING)));
        assert_eq!(check(&"!".repeat(1000)), Err(TooDeep(MAX_NESTING)));
        let ternaries = "a ? b : ".repeat(MAX_NESTING + 1) + "c";
        assert!(check(&ternaries).is_err());
        let at_limit = format!("{}1{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        assert_eq!(check(&at_limit), Ok(()));
        let flat = "f(1) + ".repeat(10_000) + "1";
        assert_eq!(check(&flat), Ok(()));
    }
}
