//! Go's text/template parser (text/template/parse/parse.go and node.go), ported for its
//! behaviour: the same grammar, node positions (which error columns are computed from), error
//! texts, `{{define}}`/`{{block}}` collection, variable scoping and the `String()` forms that
//! execution errors quote (`executing "x" at <.Values.a>`).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::rc::Rc;
use std::sync::Arc;

use super::lex::{self, Item, Kind, Unq};

/// Deepest nesting of parenthesised pipelines (Go allows 10000; our stack is smaller).
pub(super) const MAX_PAREN_DEPTH: usize = 50;
/// Deepest nesting of `if`/`with`/`range`/`block`/`else if` (Go has no limit; each level recurses
/// in the parser and the executor).
pub(super) const MAX_NESTING: usize = 100;
/// The parser's stack budget: a control level counts 1, a parenthesis 2 (a debug build takes
/// about 10 KiB of stack a unit; real templates nest a few levels).
pub(super) const PARSE_BUDGET: usize = 100;

/// One parsed template (a file or a `define`).
#[derive(Debug)]
pub(super) struct Tree {
    pub(super) name: String,
    /// The name of the file it was parsed from (Go's `ParseName`): error locations use it.
    pub(super) parse_name: Arc<str>,
    pub(super) text: Rc<str>,
    pub(super) root: Vec<Node>,
}

impl Tree {
    /// `NAME:LINE:COL` of a byte position (Go's `ErrorContext` location: column in bytes from 0).
    pub(super) fn location(&self, pos: usize) -> String {
        let (line, col) = line_col(&self.text, pos);
        format!("{}:{line}:{col}", self.parse_name)
    }
}

/// Line (from 1) and byte column (from 0) of a position, as Go's `ErrorContext` counts them.
pub(super) fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let before = text.get(..pos).unwrap_or(text);
    let line = 1 + before.matches('\n').count();
    let col = match before.rfind('\n') {
        Some(i) => pos - (i + 1),
        None => pos,
    };
    (line, col)
}

/// Whether a tree is empty of everything but spaces and comments (Go's `IsEmptyTree`).
pub(super) fn is_empty_tree(nodes: &[Node]) -> bool {
    nodes.iter().all(|n| match n {
        Node::Text { text, .. } => text.trim_matches(lex::is_space).is_empty(),
        Node::Comment { .. } => true,
        _ => false,
    })
}

#[derive(Debug)]
pub(super) enum Node {
    Text {
        pos: usize,
        text: String,
    },
    Comment {
        pos: usize,
        text: String,
    },
    Action {
        pos: usize,
        pipe: Pipe,
    },
    If(Control),
    With(Control),
    Range(Control),
    Template {
        pos: usize,
        name: String,
        pipe: Option<Pipe>,
    },
    Break {
        pos: usize,
    },
    Continue {
        pos: usize,
    },
}

#[derive(Debug)]
pub(super) struct Control {
    pub(super) pos: usize,
    pub(super) pipe: Pipe,
    pub(super) list: Vec<Node>,
    pub(super) else_list: Option<Vec<Node>>,
}

#[derive(Debug)]
pub(super) struct Pipe {
    pub(super) pos: usize,
    pub(super) is_assign: bool,
    pub(super) decl: Vec<String>,
    pub(super) cmds: Vec<Command>,
}

#[derive(Debug)]
pub(super) struct Command {
    pub(super) pos: usize,
    pub(super) args: Vec<Arg>,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Number {
    pub(super) int: Option<i64>,
    pub(super) uint: Option<u64>,
    pub(super) float: Option<f64>,
    pub(super) complex: bool,
}

#[derive(Debug)]
pub(super) enum Arg {
    /// `.a.b`: the identifiers without dots.
    Field {
        pos: usize,
        idents: Vec<String>,
    },
    /// `$x.a.b`: `$x` first.
    Variable {
        pos: usize,
        idents: Vec<String>,
    },
    /// `(pipe).a.b`, `fn.a`.
    Chain {
        pos: usize,
        node: Box<Arg>,
        fields: Vec<String>,
    },
    Identifier {
        pos: usize,
        name: String,
    },
    Dot {
        pos: usize,
    },
    Nil {
        pos: usize,
    },
    Bool {
        pos: usize,
        val: bool,
    },
    Number {
        pos: usize,
        text: String,
        num: Number,
    },
    String {
        pos: usize,
        quoted: String,
        text: String,
    },
    Pipe(Box<Pipe>),
}

impl Arg {
    pub(super) fn pos(&self) -> usize {
        match self {
            Arg::Field { pos, .. }
            | Arg::Variable { pos, .. }
            | Arg::Chain { pos, .. }
            | Arg::Identifier { pos, .. }
            | Arg::Dot { pos }
            | Arg::Nil { pos }
            | Arg::Bool { pos, .. }
            | Arg::Number { pos, .. }
            | Arg::String { pos, .. } => *pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

// String forms (node.go's `String()`), used by error contexts and the ported parse tests.

impl std::fmt::Display for Arg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Arg::Field { idents, .. } => {
                for i in idents {
                    write!(f, ".{i}")?;
                }
                Ok(())
            }
            Arg::Variable { idents, .. } => f.write_str(&idents.join(".")),
            Arg::Chain { node, fields, .. } => {
                if let Arg::Pipe(p) = node.as_ref() {
                    write!(f, "({p})")?;
                } else {
                    write!(f, "{node}")?;
                }
                for field in fields {
                    write!(f, ".{field}")?;
                }
                Ok(())
            }
            Arg::Identifier { name, .. } => f.write_str(name),
            Arg::Dot { .. } => f.write_str("."),
            Arg::Nil { .. } => f.write_str("nil"),
            Arg::Bool { val, .. } => write!(f, "{val}"),
            Arg::Number { text, .. } => f.write_str(text),
            Arg::String { quoted, .. } => f.write_str(quoted),
            Arg::Pipe(p) => write!(f, "{p}"),
        }
    }
}

impl std::fmt::Display for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if let Arg::Pipe(p) = a {
                write!(f, "({p})")?;
            } else {
                write!(f, "{a}")?;
            }
        }
        Ok(())
    }
}

impl std::fmt::Display for Pipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.decl.is_empty() {
            f.write_str(&self.decl.join(", "))?;
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

/// A list of nodes as Go's `ListNode.String()` writes it, text quoted (the parse tests' form).
pub(super) fn list_string(nodes: &[Node]) -> String {
    let mut s = String::new();
    for n in nodes {
        node_string(n, &mut s);
    }
    s
}

fn node_string(n: &Node, s: &mut String) {
    let control = |s: &mut String, kw: &str, c: &Control| {
        let _ = write!(s, "{{{{{kw} {}}}}}", c.pipe);
        s.push_str(&list_string(&c.list));
        if let Some(e) = &c.else_list {
            s.push_str("{{else}}");
            s.push_str(&list_string(e));
        }
        s.push_str("{{end}}");
    };
    match n {
        Node::Text { text, .. } => s.push_str(&lex::go_quote(text)),
        Node::Comment { text, .. } => {
            let _ = write!(s, "{{{{{text}}}}}");
        }
        Node::Action { pipe, .. } => {
            let _ = write!(s, "{{{{{pipe}}}}}");
        }
        Node::If(c) => control(s, "if", c),
        Node::With(c) => control(s, "with", c),
        Node::Range(c) => control(s, "range", c),
        Node::Template { name, pipe, .. } => match pipe {
            Some(p) => {
                let _ = write!(s, "{{{{template {} {p}}}}}", lex::go_quote(name));
            }
            None => {
                let _ = write!(s, "{{{{template {}}}}}", lex::go_quote(name));
            }
        },
        Node::Break { .. } => s.push_str("{{break}}"),
        Node::Continue { .. } => s.push_str("{{continue}}"),
    }
}

/// Parses `text` (named `name`) into trees: the top-level one and every `define`/`block`.
/// `has_func` says whether a function name exists (Go checks at parse time).
/// Errors are Go's: `template: NAME:LINE: MESSAGE`.
pub(super) fn parse(
    name: &str,
    text: &str,
    has_func: &dyn Fn(&str) -> bool,
) -> Result<HashMap<String, Tree>, (String, usize)> {
    parse_with_budget(name, text, has_func, PARSE_BUDGET)
}

/// [`parse`] with a smaller stack budget (`tpl` parses while the executor's stack is in use).
pub(super) fn parse_with_budget(
    name: &str,
    text: &str,
    has_func: &dyn Fn(&str) -> bool,
    budget: usize,
) -> Result<HashMap<String, Tree>, (String, usize)> {
    let items = lex::lex(text, !has_func("break"), !has_func("continue"));
    let text: Rc<str> = Rc::from(text);
    let parse_name: Arc<str> = Arc::from(name);
    let mut p = Parser {
        items,
        cursor: 0,
        frontier: 0,
        text: text.clone(),
        parse_name: parse_name.clone(),
        vars: vec!["$".to_owned()],
        range_depth: 0,
        paren_depth: 0,
        nesting: 0,
        action_line: 0,
        has_func,
        trees: HashMap::new(),
        err_pos: std::cell::Cell::new(0),
        budget,
        line_starts: std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect(),
    };
    let root = p.parse_top().map_err(|e| (e, p.err_pos.get()))?;
    let top = Tree {
        name: name.to_owned(),
        parse_name,
        text,
        root,
    };
    p.add(top).map_err(|e| (e, p.err_pos.get()))?;
    Ok(p.trees)
}

struct Parser<'a> {
    items: Vec<Item>,
    cursor: usize,
    /// The furthest item read: Go's `token[0]`, whose line parse errors name.
    frontier: usize,
    text: Rc<str>,
    parse_name: Arc<str>,
    vars: Vec<String>,
    range_depth: usize,
    paren_depth: usize,
    nesting: usize,
    action_line: usize,
    has_func: &'a dyn Fn(&str) -> bool,
    trees: HashMap<String, Tree>,
    /// Where the last error was raised (the item whose line the message names).
    err_pos: std::cell::Cell<usize>,
    budget: usize,
    /// Offsets where lines start: an item's line without rescanning the text.
    line_starts: Vec<usize>,
}

type PResult<T> = Result<T, String>;

enum Ended {
    End,
    Else { pos: usize },
}

impl Parser<'_> {
    /// The line (from 1) of a position.
    fn line(&self, pos: usize) -> usize {
        self.line_starts.partition_point(|s| *s <= pos).max(1)
    }

    fn item(&self, i: usize) -> Item {
        self.items.get(i).cloned().unwrap_or_else(|| Item {
            kind: Kind::Eof,
            pos: self.text.len(),
            val: String::new(),
        })
    }

    fn next(&mut self) -> Item {
        let it = self.item(self.cursor);
        if self.cursor < self.items.len() {
            self.cursor += 1;
        }
        self.frontier = self.frontier.max(self.cursor.saturating_sub(1));
        it
    }

    fn backup(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    fn peek(&mut self) -> Item {
        let it = self.next();
        self.backup();
        it
    }

    fn next_non_space(&mut self) -> Item {
        loop {
            let it = self.next();
            if it.kind != Kind::Space {
                return it;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item {
        let it = self.next_non_space();
        self.backup();
        it
    }

    fn errorf(&self, msg: impl std::fmt::Display) -> String {
        let pos = self.item(self.frontier).pos;
        self.err_pos.set(pos);
        let line = self.line(pos);
        format!("template: {}:{line}: {msg}", self.parse_name)
    }

    fn unexpected<T>(&self, it: &Item, context: &str) -> PResult<T> {
        if it.kind == Kind::Error {
            let line = self.line(it.pos);
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != line {
                extra = format!(
                    " in action started at {}:{}",
                    self.parse_name, self.action_line
                );
                if it.val.ends_with(" action") {
                    extra = format!(" started at {}:{}", self.parse_name, self.action_line);
                }
            }
            let msg = self.errorf(format!("{}{extra}", it.val));
            self.err_pos.set(it.pos);
            return Err(msg);
        }
        Err(self.errorf(format!("unexpected {} in {context}", it.describe())))
    }

    fn expect(&mut self, kind: Kind, context: &str) -> PResult<Item> {
        let it = self.next_non_space();
        if it.kind != kind {
            return self.unexpected(&it, context);
        }
        Ok(it)
    }

    fn add(&mut self, tree: Tree) -> PResult<()> {
        if let Some(old) = self.trees.get(&tree.name)
            && !is_empty_tree(&old.root)
        {
            if !is_empty_tree(&tree.root) {
                return Err(self.errorf(format!(
                    "template: multiple definition of template {}",
                    lex::go_quote(&tree.name)
                )));
            }
            return Ok(());
        }
        self.trees.insert(tree.name.clone(), tree);
        Ok(())
    }

    fn parse_top(&mut self) -> PResult<Vec<Node>> {
        let mut root = Vec::new();
        while self.peek().kind != Kind::Eof {
            if self.peek().kind == Kind::LeftDelim {
                let delim_cursor = self.cursor;
                self.next();
                if self.next_non_space().kind == Kind::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.cursor = delim_cursor;
            }
            match self.text_or_action()? {
                Parsed::Node(n) => root.push(n),
                Parsed::End => return Err(self.errorf("unexpected {{end}}")),
                Parsed::Else { .. } => return Err(self.errorf("unexpected {{else}}")),
            }
        }
        Ok(root)
    }

    fn parse_definition(&mut self) -> PResult<()> {
        let context = "define clause";
        let name_item = self.next_non_space();
        if !matches!(name_item.kind, Kind::String | Kind::RawString) {
            return self.unexpected(&name_item, context);
        }
        let name = lex::unquote(&name_item.val).map_err(|e| self.errorf(e))?;
        self.expect(Kind::RightDelim, context)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".to_owned()]);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        if let Ended::Else { .. } = end {
            return Err(self.errorf(format!("unexpected {{{{else}}}} in {context}")));
        }
        let tree = Tree {
            name,
            parse_name: self.parse_name.clone(),
            text: self.text.clone(),
            root: list,
        };
        self.add(tree)
    }

    fn item_list(&mut self) -> PResult<(Vec<Node>, Ended)> {
        let mut list = Vec::new();
        while self.peek_non_space().kind != Kind::Eof {
            match self.text_or_action()? {
                Parsed::Node(n) => list.push(n),
                Parsed::End => return Ok((list, Ended::End)),
                Parsed::Else { pos } => return Ok((list, Ended::Else { pos })),
            }
        }
        Err(self.errorf("unexpected EOF"))
    }

    fn text_or_action(&mut self) -> PResult<Parsed> {
        let it = self.next_non_space();
        match it.kind {
            Kind::Text => Ok(Parsed::Node(Node::Text {
                pos: it.pos,
                text: it.val,
            })),
            Kind::LeftDelim => {
                self.action_line = self.line(it.pos);
                let r = self.action();
                self.action_line = 0;
                r
            }
            Kind::Comment => Ok(Parsed::Node(Node::Comment {
                pos: it.pos,
                text: it.val,
            })),
            _ => self.unexpected(&it, "input"),
        }
    }

    fn action(&mut self) -> PResult<Parsed> {
        let it = self.next_non_space();
        match it.kind {
            Kind::Block => return self.block_control().map(Parsed::Node),
            Kind::Break | Kind::Continue => {
                let word = if it.kind == Kind::Break {
                    "{{break}}"
                } else {
                    "{{continue}}"
                };
                let t = self.next_non_space();
                if t.kind != Kind::RightDelim {
                    return self.unexpected(&t, word);
                }
                if self.range_depth == 0 {
                    return Err(self.errorf(format!("{word} outside {{{{range}}}}")));
                }
                return Ok(Parsed::Node(if it.kind == Kind::Break {
                    Node::Break { pos: it.pos }
                } else {
                    Node::Continue { pos: it.pos }
                }));
            }
            Kind::Else => return self.else_control(),
            Kind::End => {
                self.expect(Kind::RightDelim, "end")?;
                return Ok(Parsed::End);
            }
            Kind::If => return self.control("if").map(|c| Parsed::Node(Node::If(c))),
            Kind::Range => return self.control("range").map(|c| Parsed::Node(Node::Range(c))),
            Kind::Template => return self.template_control().map(Parsed::Node),
            Kind::With => return self.control("with").map(|c| Parsed::Node(Node::With(c))),
            _ => {}
        }
        self.backup();
        let pos = self.peek().pos;
        let pipe = self.pipeline("command", Kind::RightDelim)?;
        Ok(Parsed::Node(Node::Action { pos, pipe }))
    }

    fn else_control(&mut self) -> PResult<Parsed> {
        let peek = self.peek_non_space();
        if matches!(peek.kind, Kind::If | Kind::With) {
            return Ok(Parsed::Else { pos: peek.pos });
        }
        let t = self.expect(Kind::RightDelim, "else")?;
        Ok(Parsed::Else { pos: t.pos })
    }

    fn used(&self) -> usize {
        self.nesting + 2 * self.paren_depth
    }

    fn enter(&mut self) -> PResult<()> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING || self.used() > self.budget {
            return Err(self.errorf(format!(
                "max nesting depth exceeded (more than {MAX_NESTING} nested if/with/range/block)"
            )));
        }
        Ok(())
    }

    fn control(&mut self, context: &str) -> PResult<Control> {
        self.enter()?;
        let r = self.control_inner(context);
        self.nesting -= 1;
        r
    }

    fn control_inner(&mut self, context: &str) -> PResult<Control> {
        let mark = self.vars.len();
        let pipe = self.pipeline(context, Kind::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let listed = self.item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        let (list, next) = listed?;
        let mut else_list = None;
        if let Ended::Else { .. } = next {
            let peek = self.peek().kind;
            if context == "if" && peek == Kind::If {
                self.next();
                let c = self.control("if")?;
                else_list = Some(vec![Node::If(c)]);
            } else if context == "with" && peek == Kind::With {
                self.next();
                let c = self.control("with")?;
                else_list = Some(vec![Node::With(c)]);
            } else {
                let (l, next) = self.item_list()?;
                if let Ended::Else { .. } = next {
                    return Err(self.errorf("expected end; found {{else}}"));
                }
                else_list = Some(l);
            }
        }
        self.vars.truncate(mark);
        Ok(Control {
            pos: pipe.pos,
            pipe,
            list,
            else_list,
        })
    }

    fn template_name(&mut self, it: &Item, context: &str) -> PResult<String> {
        match it.kind {
            Kind::String | Kind::RawString => lex::unquote(&it.val).map_err(|e| self.errorf(e)),
            _ => self.unexpected(it, context),
        }
    }

    fn block_control(&mut self) -> PResult<Node> {
        let context = "block clause";
        let tok = self.next_non_space();
        let name = self.template_name(&tok, context)?;
        let pipe = self.pipeline(context, Kind::RightDelim)?;
        self.enter()?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".to_owned()]);
        let listed = self.item_list();
        self.vars = saved_vars;
        self.nesting -= 1;
        let (list, end) = listed?;
        if let Ended::Else { .. } = end {
            return Err(self.errorf(format!("unexpected {{{{else}}}} in {context}")));
        }
        self.add(Tree {
            name: name.clone(),
            parse_name: self.parse_name.clone(),
            text: self.text.clone(),
            root: list,
        })?;
        Ok(Node::Template {
            pos: tok.pos,
            name,
            pipe: Some(pipe),
        })
    }

    fn template_control(&mut self) -> PResult<Node> {
        let context = "template clause";
        let tok = self.next_non_space();
        let name = self.template_name(&tok, context)?;
        let mut pipe = None;
        if self.next_non_space().kind != Kind::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(context, Kind::RightDelim)?);
        }
        Ok(Node::Template {
            pos: tok.pos,
            name,
            pipe,
        })
    }

    fn pipeline(&mut self, context: &str, end: Kind) -> PResult<Pipe> {
        let start = self.peek_non_space();
        let mut pipe = Pipe {
            pos: start.pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        // Declarations or assignments.
        loop {
            let v = self.peek_non_space();
            if v.kind != Kind::Variable {
                break;
            }
            let before = self.cursor;
            self.next_non_space();
            let token_after = self.peek();
            let next = self.peek_non_space();
            match next.kind {
                Kind::Assign | Kind::Declare => {
                    pipe.is_assign = next.kind == Kind::Assign;
                    self.next_non_space();
                    pipe.decl.push(v.val.clone());
                    self.vars.push(v.val);
                }
                Kind::Char if next.val == "," => {
                    self.next_non_space();
                    pipe.decl.push(v.val.clone());
                    self.vars.push(v.val);
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space().kind {
                            Kind::Variable | Kind::RightDelim | Kind::RightParen => continue,
                            _ => return Err(self.errorf("range can only initialize variables")),
                        }
                    }
                    return Err(self.errorf(format!("too many declarations in {context}")));
                }
                _ => {
                    let _ = token_after;
                    self.cursor = before;
                }
            }
            break;
        }
        loop {
            let it = self.next_non_space();
            if it.kind == end {
                self.check_pipeline(&pipe, context)?;
                return Ok(pipe);
            }
            match it.kind {
                Kind::Bool
                | Kind::CharConstant
                | Kind::Complex
                | Kind::Dot
                | Kind::Field
                | Kind::Identifier
                | Kind::Number
                | Kind::Nil
                | Kind::RawString
                | Kind::String
                | Kind::Variable
                | Kind::LeftParen => {
                    self.backup();
                    let c = self.command()?;
                    pipe.cmds.push(c);
                }
                _ => return self.unexpected(&it, context),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return Err(self.errorf(format!("missing value for {context}")));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args.first(),
                Some(
                    Arg::Bool { .. }
                        | Arg::Dot { .. }
                        | Arg::Nil { .. }
                        | Arg::Number { .. }
                        | Arg::String { .. }
                )
            ) {
                return Err(self.errorf(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                )));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<Command> {
        let pos = self.peek_non_space().pos;
        let mut args = Vec::new();
        loop {
            self.peek_non_space();
            if let Some(a) = self.operand()? {
                args.push(a);
            }
            let it = self.next();
            match it.kind {
                Kind::Space => continue,
                Kind::RightDelim | Kind::RightParen => self.backup(),
                Kind::Pipe => {}
                _ => return self.unexpected(&it, "operand"),
            }
            break;
        }
        if args.is_empty() {
            return Err(self.errorf("empty command"));
        }
        Ok(Command { pos, args })
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().kind != Kind::Field {
            return Ok(Some(node));
        }
        let chain_pos = self.peek().pos;
        let mut fields = Vec::new();
        while self.peek().kind == Kind::Field {
            let f = self.next();
            fields.push(f.val.trim_start_matches('.').to_owned());
        }
        Ok(Some(match node {
            Arg::Field { mut idents, .. } => {
                idents.extend(fields);
                Arg::Field {
                    pos: chain_pos,
                    idents,
                }
            }
            Arg::Variable { mut idents, .. } => {
                idents.extend(fields);
                Arg::Variable {
                    pos: chain_pos,
                    idents,
                }
            }
            Arg::Bool { .. }
            | Arg::String { .. }
            | Arg::Number { .. }
            | Arg::Nil { .. }
            | Arg::Dot { .. } => {
                return Err(self.errorf(format!(
                    "unexpected . after term {}",
                    lex::go_quote(&node.to_string())
                )));
            }
            other => Arg::Chain {
                pos: chain_pos,
                node: Box::new(other),
                fields,
            },
        }))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let it = self.next_non_space();
        Ok(Some(match it.kind {
            Kind::Identifier => {
                if !(self.has_func)(&it.val) {
                    return Err(
                        self.errorf(format!("function {} not defined", lex::go_quote(&it.val)))
                    );
                }
                Arg::Identifier {
                    pos: it.pos,
                    name: it.val,
                }
            }
            Kind::Dot => Arg::Dot { pos: it.pos },
            Kind::Nil => Arg::Nil { pos: it.pos },
            Kind::Variable => {
                let idents: Vec<String> = it.val.split('.').map(str::to_owned).collect();
                let first = idents.first().cloned().unwrap_or_default();
                if !self.vars.contains(&first) {
                    return Err(
                        self.errorf(format!("undefined variable {}", lex::go_quote(&first)))
                    );
                }
                Arg::Variable {
                    pos: it.pos,
                    idents,
                }
            }
            Kind::Field => Arg::Field {
                pos: it.pos,
                idents: it
                    .val
                    .trim_start_matches('.')
                    .split('.')
                    .map(str::to_owned)
                    .collect(),
            },
            Kind::Bool => Arg::Bool {
                pos: it.pos,
                val: it.val == "true",
            },
            Kind::CharConstant | Kind::Complex | Kind::Number => {
                let num = new_number(&it.val, it.kind).map_err(|e| self.errorf(e))?;
                Arg::Number {
                    pos: it.pos,
                    text: it.val,
                    num,
                }
            }
            Kind::LeftParen => {
                if self.paren_depth >= MAX_PAREN_DEPTH || self.used() + 2 > self.budget {
                    return Err(self.errorf("max expression depth exceeded"));
                }
                self.paren_depth += 1;
                let p = self.pipeline("parenthesized pipeline", Kind::RightParen);
                self.paren_depth -= 1;
                Arg::Pipe(Box::new(p?))
            }
            Kind::String | Kind::RawString => {
                let text = lex::unquote(&it.val).map_err(|e| self.errorf(e))?;
                Arg::String {
                    pos: it.pos,
                    quoted: it.val,
                    text,
                }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

enum Parsed {
    Node(Node),
    End,
    Else { pos: usize },
}

/// Go's `newNumber`: which of int64/uint64/float64 the literal is exactly representable as.
pub(super) fn new_number(text: &str, kind: Kind) -> Result<Number, String> {
    let mut n = Number {
        int: None,
        uint: None,
        float: None,
        complex: false,
    };
    if kind == Kind::CharConstant {
        let inner = text.get(1..).unwrap_or("");
        let (c, tail) = lex::unquote_char(inner, '\'')?;
        if tail != "'" {
            return Err(format!("malformed character constant: {text}"));
        }
        let v = match c {
            Unq::Char(c) => c as i64,
            Unq::Byte(b) => i64::from(b),
        };
        n.int = Some(v);
        n.uint = u64::try_from(v).ok();
        n.float = Some(v as f64);
        return Ok(n);
    }
    // Imaginary constants (Go accepts them; this engine does not evaluate them).
    let imaginary = text
        .strip_suffix('i')
        .is_some_and(|t| parse_go_float(t).is_some());
    if kind == Kind::Complex || imaginary {
        n.complex = true;
        return Ok(n);
    }
    let u = parse_go_uint(text);
    if let Some(u) = u {
        n.uint = Some(u);
    }
    if let Some(i) = parse_go_int(text) {
        n.int = Some(i);
        if i == 0 {
            n.uint = Some(0);
        }
    }
    if let Some(i) = n.int {
        n.float = Some(i as f64);
    } else if let Some(u) = n.uint {
        n.float = Some(u as f64);
    } else if let Some(f) = parse_go_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: {}", lex::go_quote(text)));
        }
        n.float = Some(f);
        if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 {
            n.int = Some(f as i64);
        }
        if f.fract() == 0.0 && f >= 0.0 && f < u64::MAX as f64 {
            n.uint = Some(f as u64);
        }
    }
    if n.int.is_none() && n.uint.is_none() && n.float.is_none() {
        return Err(format!("illegal number syntax: {}", lex::go_quote(text)));
    }
    Ok(n)
}

/// Underscores are allowed only between digits (or after a base prefix), as in Go.
fn valid_underscores(digits: &str, after_prefix: bool) -> bool {
    if !digits.contains('_') {
        return true;
    }
    let b = digits.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'_' {
            let prev_ok = if i == 0 {
                after_prefix
            } else {
                b.get(i - 1).is_some_and(|p| *p != b'_')
            };
            let next_ok = b.get(i + 1).is_some_and(|n| *n != b'_');
            if !prev_ok || !next_ok {
                return false;
            }
        }
    }
    true
}

/// Go's `strconv.ParseUint(s, 0, 64)` (no sign allowed).
fn parse_go_uint(s: &str) -> Option<u64> {
    if s.starts_with(['+', '-']) {
        return None;
    }
    let (radix, digits, prefixed) = split_base(s);
    if digits.is_empty() || !valid_underscores(digits, prefixed) {
        return None;
    }
    if !prefixed && radix == 10 && digits.contains('_') && s.len() > 1 && s.starts_with('0') {
        // "0_1" style octal with underscores is fine in Go; handled by split_base.
    }
    u64::from_str_radix(&digits.replace('_', ""), radix).ok()
}

fn split_base(s: &str) -> (u32, &str, bool) {
    let lower = s.get(..2).map(str::to_ascii_lowercase);
    match lower.as_deref() {
        Some("0x") => (16, s.get(2..).unwrap_or(""), true),
        Some("0o") => (8, s.get(2..).unwrap_or(""), true),
        Some("0b") => (2, s.get(2..).unwrap_or(""), true),
        _ if s.len() > 1 && s.starts_with('0') => (8, s.get(1..).unwrap_or(""), true),
        _ => (10, s, false),
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    let u = parse_go_uint(body)?;
    if neg {
        if u <= i64::MAX as u64 + 1 {
            Some((u as i128).wrapping_neg() as i64)
        } else {
            None
        }
    } else {
        i64::try_from(u).ok()
    }
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal and hexadecimal floats, with underscores.
fn parse_go_float(s: &str) -> Option<f64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    let v = if body.len() > 2 && body.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("0x")) {
        parse_hex_float(body.get(2..)?)?
    } else {
        if !valid_underscores(body, false) {
            return None;
        }
        let clean = body.replace('_', "");
        if clean.is_empty()
            || !clean
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        {
            return None;
        }
        clean.parse::<f64>().ok()?
    };
    Some(if neg { -v } else { v })
}

fn parse_hex_float(s: &str) -> Option<f64> {
    let lower = s.to_ascii_lowercase();
    let (mant, exp) = match lower.split_once('p') {
        Some((m, e)) => (m, e.replace('_', "").parse::<i32>().ok()?),
        None => return None, // Go requires the p exponent in a hex float.
    };
    let mant = mant.trim_start_matches('_');
    let (int_part, frac_part) = mant.split_once('.').unwrap_or((mant, ""));
    let mut v = 0f64;
    let mut any = false;
    for c in int_part.chars().filter(|c| *c != '_') {
        v = v * 16.0 + f64::from(c.to_digit(16)?);
        any = true;
    }
    let mut scale = 1.0 / 16.0;
    for c in frac_part.chars().filter(|c| *c != '_') {
        v += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
        any = true;
    }
    if !any {
        return None;
    }
    Some(v * 2f64.powi(exp))
}
