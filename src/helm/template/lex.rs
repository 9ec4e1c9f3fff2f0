//! Go's text/template lexer (text/template/parse/lex.go), ported for its behaviour: the same
//! items, trim markers (`{{- ` / ` -}}`, any Go space after/before the dash), comments, Go number
//! syntax, and the same error texts. Items carry byte positions into the template text; an item's
//! line is computed from its position, which is what Go's line counting amounts to.

/// Item kinds, as Go names them (`itemBool`, ...). Keywords come after `Keyword`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Error,
    Bool,
    Char,
    CharConstant,
    Comment,
    Complex,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    // Keywords.
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl Kind {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            Kind::Block
                | Kind::Break
                | Kind::Continue
                | Kind::Dot
                | Kind::Define
                | Kind::Else
                | Kind::End
                | Kind::If
                | Kind::Nil
                | Kind::Range
                | Kind::Template
                | Kind::With
        )
    }
}

#[derive(Clone, Debug)]
pub(super) struct Item {
    pub(super) kind: Kind,
    pub(super) pos: usize,
    pub(super) val: String,
}

impl Item {
    /// Go's `item.String()`, as parse errors print a token.
    pub(super) fn describe(&self) -> String {
        match self.kind {
            Kind::Eof => "EOF".to_owned(),
            Kind::Error => self.val.clone(),
            k if k.is_keyword() => format!("<{}>", self.val),
            _ => {
                if self.val.chars().count() > 10 {
                    let head: String = self.val.chars().take(10).collect();
                    format!("{}...", go_quote(&head))
                } else {
                    go_quote(&self.val)
                }
            }
        }
    }
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";

pub(super) fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

fn has_left_trim_marker(s: &str) -> bool {
    let mut it = s.chars();
    it.next() == Some('-') && it.next().is_some_and(is_space)
}

fn has_right_trim_marker(s: &str) -> bool {
    let mut it = s.chars();
    it.next().is_some_and(is_space) && it.next() == Some('-')
}

/// Go's `%#U` of a rune: `U+0023 '#'`.
fn sharp_u(c: char) -> String {
    if c.is_control() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("U+{:04X} '{c}'", c as u32)
    }
}

enum State {
    Text,
    LeftDelim,
    Comment,
    RightDelim,
    InsideAction,
    Space,
    Identifier,
    FieldOrVariable(Kind),
    Variable,
    Char,
    Number,
    Quote,
    RawQuote,
    Done,
}

/// Lexes the whole text. The last item is `Eof` or `Error`.
/// `break_ok`/`continue_ok`: `break`/`continue` are keywords (no function has that name).
pub(super) fn lex(input: &str, break_ok: bool, continue_ok: bool) -> Vec<Item> {
    lex_with(input, break_ok, continue_ok, false)
}

/// [`lex`], emitting comments as items when `emit_comment` (Go's `ParseComments` mode).
pub(super) fn lex_with(
    input: &str,
    break_ok: bool,
    continue_ok: bool,
    emit_comment: bool,
) -> Vec<Item> {
    let mut l = Lexer {
        input,
        pos: 0,
        start: 0,
        width: 0,
        paren_depth: 0,
        items: Vec::new(),
        break_ok,
        continue_ok,
        emit_comment,
    };
    let mut state = State::Text;
    loop {
        state = match state {
            State::Done => break,
            State::Text => l.lex_text(),
            State::LeftDelim => l.lex_left_delim(),
            State::Comment => l.lex_comment(),
            State::RightDelim => l.lex_right_delim(),
            State::InsideAction => l.lex_inside_action(),
            State::Space => l.lex_space(),
            State::Identifier => l.lex_identifier(),
            State::FieldOrVariable(k) => l.lex_field_or_variable(k),
            State::Variable => {
                if l.at_terminator() {
                    l.emit(Kind::Variable);
                    State::InsideAction
                } else {
                    State::FieldOrVariable(Kind::Variable)
                }
            }
            State::Char => l.lex_char(),
            State::Number => l.lex_number(),
            State::Quote => l.lex_quote(),
            State::RawQuote => l.lex_raw_quote(),
        };
    }
    l.items
}

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    width: usize,
    paren_depth: i64,
    items: Vec<Item>,
    break_ok: bool,
    continue_ok: bool,
    emit_comment: bool,
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        self.input.get(self.pos..).unwrap_or("")
    }

    fn rest_at(&self, pos: usize) -> &str {
        self.input.get(pos..).unwrap_or("")
    }

    fn next(&mut self) -> Option<char> {
        match self.rest().chars().next() {
            Some(c) => {
                self.width = c.len_utf8();
                self.pos += self.width;
                Some(c)
            }
            None => {
                self.width = 0;
                None
            }
        }
    }

    fn backup(&mut self) {
        self.pos -= self.width;
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn emit(&mut self, kind: Kind) {
        let val = self
            .input
            .get(self.start..self.pos)
            .unwrap_or("")
            .to_owned();
        self.items.push(Item {
            kind,
            pos: self.start,
            val,
        });
        self.start = self.pos;
    }

    fn ignore(&mut self) {
        self.start = self.pos;
    }

    fn errorf(&mut self, msg: String) -> State {
        self.items.push(Item {
            kind: Kind::Error,
            pos: self.start,
            val: msg,
        });
        State::Done
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.next() {
            Some(c) if valid.contains(c) => true,
            Some(_) => {
                self.backup();
                false
            }
            None => false,
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while let Some(c) = self.next() {
            if !valid.contains(c) {
                self.backup();
                return;
            }
        }
    }

    fn lex_text(&mut self) -> State {
        self.width = 0;
        if let Some(x) = self.rest().find(LEFT) {
            if x > 0 {
                self.pos += x;
                let delim_end = self.pos + LEFT.len();
                let mut trim = 0;
                if has_left_trim_marker(self.rest_at(delim_end)) {
                    let text = self.input.get(self.start..self.pos).unwrap_or("");
                    trim = text.len() - text.trim_end_matches(is_space).len();
                }
                self.pos -= trim;
                if self.pos > self.start {
                    self.emit(Kind::Text);
                }
                self.pos += trim;
                self.ignore();
            }
            return State::LeftDelim;
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.emit(Kind::Text);
        }
        self.emit(Kind::Eof);
        State::Done
    }

    fn lex_left_delim(&mut self) -> State {
        self.pos += LEFT.len();
        let trim = has_left_trim_marker(self.rest());
        let after = if trim { 2 } else { 0 };
        if self.rest_at(self.pos + after).starts_with(LEFT_COMMENT) {
            self.pos += after;
            self.ignore();
            return State::Comment;
        }
        self.emit(Kind::LeftDelim);
        self.pos += after;
        self.ignore();
        self.paren_depth = 0;
        State::InsideAction
    }

    fn at_right_delim(&self) -> (bool, bool) {
        let rest = self.rest();
        if has_right_trim_marker(rest) && self.rest_at(self.pos + 2).starts_with(RIGHT) {
            return (true, true);
        }
        (rest.starts_with(RIGHT), false)
    }

    fn lex_comment(&mut self) -> State {
        self.pos += LEFT_COMMENT.len();
        let Some(x) = self.rest().find(RIGHT_COMMENT) else {
            return self.errorf("unclosed comment".to_owned());
        };
        self.pos += x + RIGHT_COMMENT.len();
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.errorf("comment ends before closing delimiter".to_owned());
        }
        let comment = Item {
            kind: Kind::Comment,
            pos: self.start,
            val: self
                .input
                .get(self.start..self.pos)
                .unwrap_or("")
                .to_owned(),
        };
        if trim {
            self.pos += 2;
        }
        self.pos += RIGHT.len();
        if trim {
            let rest = self.rest();
            self.pos += rest.len() - rest.trim_start_matches(is_space).len();
        }
        self.ignore();
        if self.emit_comment {
            self.items.push(comment);
        }
        State::Text
    }

    fn lex_right_delim(&mut self) -> State {
        let (_, trim) = self.at_right_delim();
        if trim {
            self.pos += 2;
            self.ignore();
        }
        self.pos += RIGHT.len();
        self.emit(Kind::RightDelim);
        if trim {
            let rest = self.rest();
            self.pos += rest.len() - rest.trim_start_matches(is_space).len();
            self.ignore();
        }
        State::Text
    }

    fn lex_inside_action(&mut self) -> State {
        let (delim, _) = self.at_right_delim();
        if delim {
            if self.paren_depth == 0 {
                return State::RightDelim;
            }
            return self.errorf("unclosed left paren".to_owned());
        }
        let Some(r) = self.next() else {
            return self.errorf("unclosed action".to_owned());
        };
        match r {
            c if is_space(c) => {
                self.backup();
                State::Space
            }
            '=' => {
                self.emit(Kind::Assign);
                State::InsideAction
            }
            ':' => {
                if self.next() != Some('=') {
                    return self.errorf("expected :=".to_owned());
                }
                self.emit(Kind::Declare);
                State::InsideAction
            }
            '|' => {
                self.emit(Kind::Pipe);
                State::InsideAction
            }
            '"' => State::Quote,
            '`' => State::RawQuote,
            '$' => State::Variable,
            '\'' => State::Char,
            '.' => {
                if let Some(b) = self.input.as_bytes().get(self.pos)
                    && !b.is_ascii_digit()
                {
                    return State::FieldOrVariable(Kind::Field);
                }
                self.backup();
                State::Number
            }
            '+' | '-' | '0'..='9' => {
                self.backup();
                State::Number
            }
            c if is_alnum(c) => {
                self.backup();
                State::Identifier
            }
            '(' => {
                self.paren_depth += 1;
                self.emit(Kind::LeftParen);
                State::InsideAction
            }
            ')' => {
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return self.errorf("unexpected right paren".to_owned());
                }
                self.emit(Kind::RightParen);
                State::InsideAction
            }
            c if c.is_ascii() && !c.is_ascii_control() => {
                self.emit(Kind::Char);
                State::InsideAction
            }
            c => self.errorf(format!("unrecognized character in action: {}", sharp_u(c))),
        }
    }

    fn lex_space(&mut self) -> State {
        let mut n = 0;
        while let Some(c) = self.peek() {
            if !is_space(c) {
                break;
            }
            self.next();
            n += 1;
        }
        // A trim-marked closing delimiter: " -}}" after the spaces.
        let before = self.pos.saturating_sub(1);
        if has_right_trim_marker(self.rest_at(before))
            && self.rest_at(before + 2).starts_with(RIGHT)
        {
            self.pos = before;
            if n == 1 {
                return State::RightDelim;
            }
        }
        self.emit(Kind::Space);
        State::InsideAction
    }

    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            Some(c) => RIGHT.starts_with(c),
        }
    }

    fn lex_identifier(&mut self) -> State {
        loop {
            match self.next() {
                Some(c) if is_alnum(c) => {}
                r => {
                    if r.is_some() {
                        self.backup();
                    }
                    if !self.at_terminator() {
                        let c = r.unwrap_or('\u{FFFD}');
                        return self.errorf(format!("bad character {}", sharp_u(c)));
                    }
                    let word = self.input.get(self.start..self.pos).unwrap_or("");
                    let kind = match word {
                        "block" => Kind::Block,
                        "break" if self.break_ok => Kind::Break,
                        "continue" if self.continue_ok => Kind::Continue,
                        "define" => Kind::Define,
                        "else" => Kind::Else,
                        "end" => Kind::End,
                        "if" => Kind::If,
                        "range" => Kind::Range,
                        "nil" => Kind::Nil,
                        "template" => Kind::Template,
                        "with" => Kind::With,
                        "true" | "false" => Kind::Bool,
                        _ => Kind::Identifier,
                    };
                    self.emit(kind);
                    return State::InsideAction;
                }
            }
        }
    }

    fn lex_field_or_variable(&mut self, kind: Kind) -> State {
        if self.at_terminator() {
            self.emit(if kind == Kind::Variable {
                Kind::Variable
            } else {
                Kind::Dot
            });
            return State::InsideAction;
        }
        let mut last = None;
        loop {
            let r = self.next();
            match r {
                Some(c) if is_alnum(c) => {}
                Some(_) => {
                    self.backup();
                    last = r;
                    break;
                }
                None => break,
            }
        }
        if !self.at_terminator() {
            let c = last.unwrap_or('\u{FFFD}');
            return self.errorf(format!("bad character {}", sharp_u(c)));
        }
        self.emit(kind);
        State::InsideAction
    }

    fn lex_char(&mut self) -> State {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some('\n') | None => {
                        return self.errorf("unterminated character constant".to_owned());
                    }
                    Some(_) => {}
                },
                Some('\n') | None => {
                    return self.errorf("unterminated character constant".to_owned());
                }
                Some('\'') => break,
                Some(_) => {}
            }
        }
        self.emit(Kind::CharConstant);
        State::InsideAction
    }

    fn lex_number(&mut self) -> State {
        if !self.scan_number() {
            let text = self
                .input
                .get(self.start..self.pos)
                .unwrap_or("")
                .to_owned();
            return self.errorf(format!("bad number syntax: {}", go_quote(&text)));
        }
        if matches!(self.peek(), Some('+' | '-')) {
            if !self.scan_number() || !self.input.get(..self.pos).unwrap_or("").ends_with('i') {
                let text = self
                    .input
                    .get(self.start..self.pos)
                    .unwrap_or("")
                    .to_owned();
                return self.errorf(format!("bad number syntax: {}", go_quote(&text)));
            }
            self.emit(Kind::Complex);
        } else {
            self.emit(Kind::Number);
        }
        State::InsideAction
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if self.peek().is_some_and(is_alnum) {
            self.next();
            return false;
        }
        true
    }

    fn lex_quote(&mut self) -> State {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some('\n') | None => {
                        return self.errorf("unterminated quoted string".to_owned());
                    }
                    Some(_) => {}
                },
                Some('\n') | None => return self.errorf("unterminated quoted string".to_owned()),
                Some('"') => break,
                Some(_) => {}
            }
        }
        self.emit(Kind::String);
        State::InsideAction
    }

    fn lex_raw_quote(&mut self) -> State {
        loop {
            match self.next() {
                None => return self.errorf("unterminated raw quoted string".to_owned()),
                Some('`') => break,
                Some(_) => {}
            }
        }
        self.emit(Kind::RawString);
        State::InsideAction
    }
}

/// Go's `strconv.Quote` (`%q` of a string).
pub(super) use crate::helm::gofmt::quote as go_quote;

/// Go's `strconv.Unquote` for the string literals a template can hold: `"..."` with Go escapes,
/// `` `...` `` raw. Returns Go's error text (`invalid syntax`) on failure.
pub(super) fn unquote(s: &str) -> Result<String, String> {
    if let Some(raw) = s.strip_prefix('`').and_then(|r| r.strip_suffix('`')) {
        if s.len() < 2 {
            return Err("invalid syntax".to_owned());
        }
        // Go drops carriage returns from raw strings.
        return Ok(raw.replace('\r', ""));
    }
    let inner = s
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .filter(|_| s.len() >= 2)
        .ok_or_else(|| "invalid syntax".to_owned())?;
    let mut out = String::new();
    let mut rest = inner;
    while !rest.is_empty() {
        let (c, tail) = unquote_char(rest, '"')?;
        match c {
            Unq::Char(c) => out.push(c),
            Unq::Byte(b) => out.push(char::from(b)),
        }
        rest = tail;
    }
    Ok(out)
}

pub(super) enum Unq {
    Char(char),
    /// A `\x`/octal escape: a byte (Go strings may hold any byte; here it becomes that code point).
    Byte(u8),
}

/// Go's `strconv.UnquoteChar`: the first (possibly escaped) character of `s`.
pub(super) fn unquote_char(s: &str, quote: char) -> Result<(Unq, &str), String> {
    let bad = || "invalid syntax".to_owned();
    let mut chars = s.chars();
    let c = chars.next().ok_or_else(bad)?;
    if c == quote && (quote == '\'' || quote == '"') {
        return Err(bad());
    }
    if c != '\\' {
        return Ok((Unq::Char(c), chars.as_str()));
    }
    let e = chars.next().ok_or_else(bad)?;
    let rest = chars.as_str();
    let simple = match e {
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\u{b}'),
        '\\' => Some('\\'),
        '\'' | '"' => {
            if e != quote {
                return Err(bad());
            }
            Some(e)
        }
        _ => None,
    };
    if let Some(c) = simple {
        return Ok((Unq::Char(c), rest));
    }
    match e {
        'x' | 'u' | 'U' => {
            let n = match e {
                'x' => 2,
                'u' => 4,
                _ => 8,
            };
            let digits = rest.get(..n).ok_or_else(bad)?;
            let v = u32::from_str_radix(digits, 16).map_err(|_| bad())?;
            let tail = rest.get(n..).ok_or_else(bad)?;
            if e == 'x' {
                return Ok((Unq::Byte(u8::try_from(v).map_err(|_| bad())?), tail));
            }
            let c = char::from_u32(v).ok_or_else(bad)?;
            Ok((Unq::Char(c), tail))
        }
        '0'..='7' => {
            let digits = s.get(1..4).ok_or_else(bad)?;
            let v = u32::from_str_radix(digits, 8).map_err(|_| bad())?;
            let b = u8::try_from(v).map_err(|_| bad())?;
            Ok((Unq::Byte(b), s.get(4..).ok_or_else(bad)?))
        }
        _ => Err(bad()),
    }
}
