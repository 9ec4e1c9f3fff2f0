//! Go's template executor (text/template/exec.go and funcs.go), ported for its behaviour, with
//! Helm's engine functions `include` and `tpl` (helm/helm v3 pkg/engine/engine.go) and
//! provenance for everything written.

use std::collections::HashMap;
use std::fmt::Display;
use std::rc::Rc;
use std::sync::Arc;

use super::lex::go_quote;
use super::parse::{self, Arg, Command, Node, Number, Pipe, Tree};
use super::prov::{self, Out};
use super::{ExecOptions, Templates, WARN_END, WARN_START, associate};
use crate::helm::gofmt;
use crate::helm::value::{Origin, Provenance, Str, Value};

/// Functions the engine itself provides (Go's builtins, Helm's `include` and `tpl`).
const BUILTINS: &[&str] = &[
    "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
    "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
];

pub(super) fn is_engine_func(name: &str) -> bool {
    BUILTINS.contains(&name) || name == "include" || name == "tpl"
}

/// The name Helm's root template has (`template.New("gotpl")`): what `tpl` templates are called
/// and what "no template ... associated with" names.
const ROOT_NAME: &str = "gotpl";

#[derive(Debug)]
pub(super) struct ExecErr {
    pub(super) msg: String,
    pub(super) origin: Option<Origin>,
    /// Where the innermost error of a chain (through `include`/`tpl`) happened.
    pub(super) inner: Option<Origin>,
}

pub(super) enum Flow {
    Break,
    Continue,
    Err(Box<ExecErr>),
}

type R<T> = Result<T, Flow>;

/// A value and whether it sits in an `interface{}` slot (a map value or list element not yet
/// taken out by a pipeline): Go then names its type `interface {}`, and a nil there is a nil
/// interface ("nil pointer evaluating interface {}.x") rather than no value at all.
#[derive(Clone, Debug)]
struct Slot {
    v: Value,
    iface: bool,
}

impl Slot {
    fn of(v: Value) -> Slot {
        Slot { v, iface: false }
    }
}

/// How positions in an executing template map to origins.
#[derive(Clone)]
enum Mapper {
    /// A chart file: positions are byte offsets in it.
    File(Arc<str>),
    /// A `tpl` text: positions map through the text's own provenance (when it came from a
    /// values file or a template), else everything is the `tpl` call's.
    Tpl {
        src: Option<Rc<Provenance>>,
        call: Origin,
    },
}

impl Mapper {
    fn action(&self, pos: usize) -> Origin {
        match self {
            Mapper::File(file) => Origin {
                file: file.clone(),
                offset: pos,
                literal: false,
                value: None,
            },
            Mapper::Tpl { src, call } => match src.as_ref().and_then(|p| covering(p, pos)) {
                Some(mut o) => {
                    o.literal = false;
                    o
                }
                None => call.clone(),
            },
        }
    }

    fn write_text(&self, out: &mut Out, pos: usize, text: &str) {
        match self {
            Mapper::File(file) => out.write(
                Origin {
                    file: file.clone(),
                    offset: pos,
                    literal: true,
                    value: None,
                },
                text,
            ),
            Mapper::Tpl { src: None, call } => out.write(call.clone(), text),
            Mapper::Tpl { src: Some(p), call } => {
                // The text node is `text` at `pos` in the tpl string; the string's chunks say
                // where each part of it came from.
                let shifted: Vec<(usize, Origin)> = p
                    .chunks
                    .iter()
                    .map(|(s, o)| (s.saturating_sub(pos), shifted_before(o, *s, pos)))
                    .collect();
                out.append_range(text, &dedup_starts(shifted), 0..text.len(), call, &|o| o);
            }
        }
    }
}

/// A chunk starting at `s` seen from position `pos`: when it starts before `pos`, its origin at
/// `pos`.
fn shifted_before(o: &Origin, s: usize, pos: usize) -> Origin {
    if s < pos {
        prov::shift(o, pos - s)
    } else {
        o.clone()
    }
}

/// After shifting, several chunks may start at 0: keep the last of them.
fn dedup_starts(chunks: Vec<(usize, Origin)>) -> Vec<(usize, Origin)> {
    let mut out: Vec<(usize, Origin)> = Vec::with_capacity(chunks.len());
    for (s, o) in chunks {
        if out.last().is_some_and(|(ls, _)| *ls == s) {
            out.pop();
        }
        out.push((s, o));
    }
    out
}

/// The origin of byte `pos` of a string with provenance `p`.
fn covering(p: &Provenance, pos: usize) -> Option<Origin> {
    let idx = p.chunks.partition_point(|(s, _)| *s <= pos);
    let (s, o) = p.chunks.get(idx.checked_sub(1)?)?;
    Some(prov::shift(o, pos - s))
}

/// The template being executed.
struct Frame {
    /// The name executing (a file, a `define`, `gotpl` for `tpl`): `executing "NAME"`.
    name: Rc<str>,
    tree: Rc<Tree>,
    mapper: Rc<Mapper>,
}

type Vars = Vec<(String, Slot)>;

/// Templates `tpl` defined, visible to the `tpl` execution that defined them and what it calls.
type Overlay = HashMap<String, (Rc<Tree>, Rc<Mapper>)>;

struct State<'a> {
    set: &'a Templates,
    opts: &'a ExecOptions,
    overlays: Vec<Overlay>,
    depth: usize,
    steps: u64,
    written: usize,
    /// `include` nesting per name (Helm's `includedNames`).
    included: HashMap<String, usize>,
    /// Stack budget in use: nested control structures, pipelines and template calls, each
    /// weighted by the stack it takes (see [`ExecOptions::max_nesting`]).
    units: usize,
    /// The position of the action (or control pipeline) being evaluated in the current
    /// template: what whitespace a function adds is attributed to.
    action: usize,
}

pub(super) fn execute(
    set: &Templates,
    name: &str,
    data: &Value,
    opts: &ExecOptions,
) -> Result<Out, Box<ExecErr>> {
    let mut st = State {
        set,
        opts,
        overlays: Vec::new(),
        depth: 0,
        steps: 0,
        written: 0,
        included: HashMap::new(),
        units: 0,
        action: 0,
    };
    let Some((tree, mapper)) = st.lookup(name) else {
        return Err(Box::new(ExecErr {
            msg: format!(
                "template: no template {} associated with template {}",
                go_quote(name),
                go_quote(ROOT_NAME)
            ),
            origin: None,
            inner: None,
        }));
    };
    let frame = Frame {
        name: Rc::from(name),
        tree,
        mapper,
    };
    let mut out = Out::default();
    let dot = Slot::of(data.clone());
    let mut vars: Vars = vec![("$".to_owned(), dot.clone())];
    let root = frame.tree.clone();
    match st.walk_list(&frame, &mut vars, &dot, &root.root, &mut out) {
        Ok(()) => Ok(out),
        Err(Flow::Err(e)) => Err(e),
        Err(Flow::Break | Flow::Continue) => Err(Box::new(ExecErr {
            msg: "template: break or continue outside range".to_owned(),
            origin: None,
            inner: None,
        })),
    }
}

/// Go's type name for a value, as errors print it.
fn type_name(v: &Value) -> String {
    match v {
        Value::Nil => "<nil>".to_owned(),
        Value::Bool(_) => "bool".to_owned(),
        Value::Int(_) => "int".to_owned(),
        Value::Float(_) => "float64".to_owned(),
        Value::Str(_) => "string".to_owned(),
        Value::List(_) => "[]interface {}".to_owned(),
        Value::Map(_) => "map[string]interface {}".to_owned(),
        Value::Object(o) => o.type_name().to_owned(),
    }
}

fn slot_type(s: &Slot) -> String {
    if s.iface {
        "interface {}".to_owned()
    } else {
        type_name(&s.v)
    }
}

/// How an action prints a value (Go's `fmt.Fprint` after `printableValue`).
fn print_text(v: &Value) -> String {
    match v {
        Value::Nil => "<no value>".to_owned(),
        Value::Str(s) => s.text.to_string(),
        v => v.go_string(),
    }
}

/// Signatures of the builtins: fixed parameters and whether more may follow (Go checks the
/// count before evaluating the arguments).
fn signature(name: &str) -> Option<(usize, bool)> {
    Some(match name {
        "and" | "or" | "call" | "index" | "slice" | "printf" | "eq" => (1, true),
        "html" | "js" | "urlquery" | "print" | "println" => (0, true),
        "len" | "not" => (1, false),
        "ne" | "lt" | "le" | "gt" | "ge" | "include" | "tpl" => (2, false),
        _ => return None,
    })
}

impl State<'_> {
    fn lookup(&self, name: &str) -> Option<(Rc<Tree>, Rc<Mapper>)> {
        for o in self.overlays.iter().rev() {
            if let Some((t, m)) = o.get(name) {
                return Some((t.clone(), m.clone()));
            }
        }
        let t = self.set.trees.get(name)?;
        Some((t.clone(), Rc::new(Mapper::File(t.parse_name.clone()))))
    }

    /// Go's `state.errorf` with the node the error is at.
    fn err(&self, f: &Frame, pos: usize, ctx: &dyn Display, msg: impl Display) -> Flow {
        Flow::Err(Box::new(ExecErr {
            msg: format!(
                "template: {}: executing {} at <{}>: {}",
                f.tree.location(pos),
                go_quote(&f.name),
                ctx,
                msg
            ),
            origin: Some(f.mapper.action(pos)),
            inner: None,
        }))
    }

    fn step(&mut self, f: &Frame, pos: usize, ctx: &dyn Display) -> R<()> {
        self.steps += 1;
        if self.steps > self.opts.max_steps {
            return Err(self.err(
                f,
                pos,
                ctx,
                format!(
                    "template execution exceeds {} steps (a loop or recursion too large)",
                    self.opts.max_steps
                ),
            ));
        }
        Ok(())
    }

    /// Takes `w` units of the nesting budget (released with `self.units -= w`).
    fn enter(&mut self, f: &Frame, pos: usize, ctx: &dyn Display, w: usize) -> R<()> {
        self.units += w;
        if self.units > self.opts.max_nesting {
            self.units -= w;
            return Err(self.err(
                f,
                pos,
                ctx,
                "template nesting too deep (if/with/range, parentheses and template calls nested beyond the limit)",
            ));
        }
        Ok(())
    }

    fn account(&mut self, f: &Frame, pos: usize, ctx: &dyn Display, n: usize) -> R<()> {
        self.written = self.written.saturating_add(n);
        if self.written > self.opts.max_output {
            return Err(self.err(
                f,
                pos,
                ctx,
                format!("rendered output exceeds {} bytes", self.opts.max_output),
            ));
        }
        Ok(())
    }

    fn walk_list(
        &mut self,
        f: &Frame,
        vars: &mut Vars,
        dot: &Slot,
        nodes: &[Node],
        out: &mut Out,
    ) -> R<()> {
        for n in nodes {
            self.walk(f, vars, dot, n, out)?;
        }
        Ok(())
    }

    fn walk(
        &mut self,
        f: &Frame,
        vars: &mut Vars,
        dot: &Slot,
        node: &Node,
        out: &mut Out,
    ) -> R<()> {
        let saved = self.action;
        let r = self.walk_node(f, vars, dot, node, out);
        self.action = saved;
        r
    }

    fn walk_node(
        &mut self,
        f: &Frame,
        vars: &mut Vars,
        dot: &Slot,
        node: &Node,
        out: &mut Out,
    ) -> R<()> {
        match node {
            Node::Text { pos, text } => {
                self.step(f, *pos, &"text")?;
                self.account(f, *pos, &"text", text.len())?;
                f.mapper.write_text(out, *pos, text);
                Ok(())
            }
            Node::Comment { .. } => Ok(()),
            Node::Action { pos, pipe } => {
                self.action = *pos;
                self.step(f, *pos, pipe)?;
                let val = self.eval_pipeline(f, vars, dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.print(f, *pos, pipe, &val.v, out)?;
                }
                Ok(())
            }
            Node::If(c) | Node::With(c) => {
                self.action = c.pos;
                self.step(f, c.pos, &c.pipe)?;
                self.enter(f, c.pos, &c.pipe, 1)?;
                let mark = vars.len();
                let val = self.eval_pipeline(f, vars, dot, &c.pipe)?;
                let r = if val.v.truthy() {
                    if matches!(node, Node::With(_)) {
                        self.walk_list(f, vars, &val, &c.list, out)
                    } else {
                        self.walk_list(f, vars, dot, &c.list, out)
                    }
                } else if let Some(e) = &c.else_list {
                    self.walk_list(f, vars, dot, e, out)
                } else {
                    Ok(())
                };
                vars.truncate(mark);
                self.units -= 1;
                r
            }
            Node::Range(c) => {
                self.action = c.pos;
                self.step(f, c.pos, &c.pipe)?;
                self.enter(f, c.pos, &c.pipe, 2)?;
                let mark = vars.len();
                let r = self.walk_range(f, vars, dot, c, out);
                vars.truncate(mark);
                self.units -= 2;
                r
            }
            Node::Template { pos, name, pipe } => {
                self.step(f, *pos, &TemplateCtx(name, pipe.as_ref()))?;
                let ctx = TemplateCtx(name, pipe.as_ref());
                let Some((tree, mapper)) = self.lookup(name) else {
                    return Err(self.err(
                        f,
                        *pos,
                        &ctx,
                        format!("template {} not defined", go_quote(name)),
                    ));
                };
                if self.depth >= self.opts.max_depth {
                    return Err(self.err(
                        f,
                        *pos,
                        &ctx,
                        format!("exceeded maximum template depth ({})", self.opts.max_depth),
                    ));
                }
                let new_dot = match pipe {
                    Some(p) => self.eval_pipeline(f, vars, dot, p)?,
                    None => Slot::of(Value::Nil),
                };
                let frame = Frame {
                    name: Rc::from(name.as_str()),
                    tree: tree.clone(),
                    mapper,
                };
                let mut new_vars: Vars = vec![("$".to_owned(), new_dot.clone())];
                self.enter(f, *pos, &ctx, 1)?;
                self.depth += 1;
                let r = self.walk_list(&frame, &mut new_vars, &new_dot, &tree.root, out);
                self.depth -= 1;
                self.units -= 1;
                r
            }
            Node::Break { .. } => Err(Flow::Break),
            Node::Continue { .. } => Err(Flow::Continue),
        }
    }

    fn print(&mut self, f: &Frame, pos: usize, ctx: &Pipe, v: &Value, out: &mut Out) -> R<()> {
        let action = f.mapper.action(pos);
        match v {
            Value::Str(s) if s.provenance.is_some() => {
                self.account(f, pos, ctx, s.text.len())?;
                let files = &self.set.files;
                let chunks = s
                    .provenance
                    .as_ref()
                    .map(|p| p.chunks.as_slice())
                    .unwrap_or(&[]);
                out.append_range(&s.text, chunks, 0..s.text.len(), &action, &|o: Origin| {
                    if files.contains(&o.file) || o.file.is_empty() {
                        o
                    } else {
                        Origin {
                            value: Some(Box::new(o)),
                            ..action.clone()
                        }
                    }
                });
            }
            v => {
                let text = print_text(v);
                self.account(f, pos, ctx, text.len())?;
                out.write(action, &text);
            }
        }
        Ok(())
    }

    fn walk_range(
        &mut self,
        f: &Frame,
        vars: &mut Vars,
        dot: &Slot,
        c: &parse::Control,
        out: &mut Out,
    ) -> R<()> {
        let val = self.eval_pipeline(f, vars, dot, &c.pipe)?;
        let mark = vars.len();
        // (index, element) pairs; elements of lists and maps sit in interface{} slots.
        let items: Vec<(Value, Slot)> = match &val.v {
            Value::List(l) => l
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    (
                        Value::Int(i as i64),
                        Slot {
                            v: v.clone(),
                            iface: true,
                        },
                    )
                })
                .collect(),
            Value::Map(m) => match m.try_borrow() {
                Ok(m) => m
                    .iter()
                    .map(|(k, v)| {
                        (
                            Value::str(k.as_str()),
                            Slot {
                                v: v.clone(),
                                iface: true,
                            },
                        )
                    })
                    .collect(),
                Err(_) => Vec::new(),
            },
            Value::Int(n) => {
                if c.pipe.decl.len() > 1 {
                    return Err(self.err(
                        f,
                        c.pos,
                        &c.pipe,
                        format!("can't use {n} to iterate over more than one variable"),
                    ));
                }
                // Go 1.22's range over an integer, produced lazily below.
                return self.range_int(f, vars, c, *n, mark, dot, out);
            }
            Value::Nil => Vec::new(),
            v => {
                // Go reports it at the node evaluated last (its `state.node`).
                let (pos, ctx): (usize, &dyn Display) = match last_node(&c.pipe) {
                    Some(a) => (a.pos(), a),
                    None => (c.pos, &c.pipe),
                };
                return Err(self.err(
                    f,
                    pos,
                    ctx,
                    format!("range can't iterate over {}", v.go_string()),
                ));
            }
        };
        if items.is_empty() {
            if let Some(e) = &c.else_list {
                return self.walk_list(f, vars, dot, e, out);
            }
            return Ok(());
        }
        for (index, elem) in items {
            self.step(f, c.pos, &c.pipe)?;
            match self.one_iteration(f, vars, c, Slot::of(index), elem, mark, out) {
                Err(Flow::Break) => break,
                Err(Flow::Continue) | Ok(()) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn range_int(
        &mut self,
        f: &Frame,
        vars: &mut Vars,
        c: &parse::Control,
        n: i64,
        mark: usize,
        dot: &Slot,
        out: &mut Out,
    ) -> R<()> {
        if n <= 0 {
            if let Some(e) = &c.else_list {
                return self.walk_list(f, vars, dot, e, out);
            }
            return Ok(());
        }
        for i in 0..n {
            self.step(f, c.pos, &c.pipe)?;
            let elem = Slot::of(Value::Int(i));
            match self.one_iteration(f, vars, c, Slot::of(Value::Nil), elem, mark, out) {
                Err(Flow::Break) => break,
                Err(Flow::Continue) | Ok(()) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn one_iteration(
        &mut self,
        f: &Frame,
        vars: &mut Vars,
        c: &parse::Control,
        index: Slot,
        elem: Slot,
        mark: usize,
        out: &mut Out,
    ) -> R<()> {
        let decl = &c.pipe.decl;
        if let Some(first) = decl.first() {
            if c.pipe.is_assign {
                if decl.len() > 1 {
                    self.set_var(f, c.pos, &c.pipe, vars, first, index.clone())?;
                } else {
                    self.set_var(f, c.pos, &c.pipe, vars, first, elem.clone())?;
                }
            } else {
                // The pipeline pushed the declared variables: the element is the top one.
                let len = vars.len();
                if let Some(slot) = len.checked_sub(1).and_then(|i| vars.get_mut(i)) {
                    slot.1 = elem.clone();
                }
            }
        }
        if let Some(second) = decl.get(1) {
            if c.pipe.is_assign {
                self.set_var(f, c.pos, &c.pipe, vars, second, elem.clone())?;
            } else {
                let len = vars.len();
                if let Some(slot) = len.checked_sub(2).and_then(|i| vars.get_mut(i)) {
                    slot.1 = index;
                }
            }
        }
        let r = self.walk_list(f, vars, &elem, &c.list, out);
        vars.truncate(mark);
        r
    }

    fn set_var(
        &self,
        f: &Frame,
        pos: usize,
        ctx: &dyn Display,
        vars: &mut Vars,
        name: &str,
        value: Slot,
    ) -> R<()> {
        for (n, v) in vars.iter_mut().rev() {
            if n == name {
                *v = value;
                return Ok(());
            }
        }
        Err(self.err(f, pos, ctx, format!("undefined variable: {name}")))
    }

    fn var_value(
        &self,
        f: &Frame,
        pos: usize,
        ctx: &dyn Display,
        vars: &Vars,
        name: &str,
    ) -> R<Slot> {
        for (n, v) in vars.iter().rev() {
            if n == name {
                return Ok(v.clone());
            }
        }
        Err(self.err(f, pos, ctx, format!("undefined variable: {name}")))
    }

    fn eval_pipeline(&mut self, f: &Frame, vars: &mut Vars, dot: &Slot, pipe: &Pipe) -> R<Slot> {
        // A pipeline nested in parentheses takes the most stack per level (about 14 KiB in a
        // debug build): 6 units.
        self.enter(f, pipe.pos, pipe, 6)?;
        let r = self.eval_pipeline_inner(f, vars, dot, pipe);
        self.units -= 6;
        r
    }

    fn eval_pipeline_inner(
        &mut self,
        f: &Frame,
        vars: &mut Vars,
        dot: &Slot,
        pipe: &Pipe,
    ) -> R<Slot> {
        let mut value: Option<Slot> = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(f, vars, dot, cmd, value.take())?;
            // interface{} values are taken out of their slot.
            value = Some(Slot::of(v.v));
        }
        let value = value.unwrap_or_else(|| Slot::of(Value::Nil));
        for d in &pipe.decl {
            if pipe.is_assign {
                self.set_var(f, pipe.pos, pipe, vars, d, value.clone())?;
            } else {
                vars.push((d.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, f: &Frame, args: &[Arg], first: &Arg, final_: &Option<Slot>) -> R<()> {
        if args.len() > 1 || final_.is_some() {
            return Err(self.err(
                f,
                first.pos(),
                first,
                format!("can't give argument to non-function {first}"),
            ));
        }
        Ok(())
    }

    fn eval_command(
        &mut self,
        f: &Frame,
        vars: &mut Vars,
        dot: &Slot,
        cmd: &Command,
        final_: Option<Slot>,
    ) -> R<Slot> {
        let Some(first) = cmd.args.first() else {
            return Err(self.err(f, cmd.pos, cmd, "empty command"));
        };
        self.step(f, cmd.pos, cmd)?;
        let rest = cmd.args.get(1..).unwrap_or(&[]);
        match first {
            Arg::Field { pos, idents } => {
                self.eval_field_chain(f, vars, dot, dot.clone(), *pos, first, idents, rest, final_)
            }
            Arg::Chain { pos, node, fields } => {
                let recv = self.eval_chain_base(f, vars, dot, *pos, first, node)?;
                self.eval_field_chain(f, vars, dot, recv, *pos, first, fields, rest, final_)
            }
            Arg::Identifier { pos, name } => {
                let at = At {
                    pos: cmd.pos,
                    ctx: cmd,
                };
                self.eval_function(f, vars, dot, *pos, name, at, rest, final_)
            }
            Arg::Pipe(p) => {
                self.not_a_function(f, &cmd.args, first, &final_)?;
                self.eval_pipeline(f, vars, dot, p)
            }
            Arg::Variable { pos, idents } => {
                let name = idents.first().map(String::as_str).unwrap_or("$");
                let value = self.var_value(f, *pos, first, vars, name)?;
                if idents.len() == 1 {
                    self.not_a_function(f, &cmd.args, first, &final_)?;
                    return Ok(value);
                }
                let fields = idents.get(1..).unwrap_or(&[]);
                self.eval_field_chain(f, vars, dot, value, *pos, first, fields, rest, final_)
            }
            _ => {
                self.not_a_function(f, &cmd.args, first, &final_)?;
                match first {
                    Arg::Bool { val, .. } => Ok(Slot::of(Value::Bool(*val))),
                    Arg::Dot { .. } => Ok(dot.clone()),
                    Arg::Nil { pos } => Err(self.err(f, *pos, first, "nil is not a command")),
                    Arg::Number { pos, text, num } => {
                        self.ideal_constant(f, *pos, first, text, num).map(Slot::of)
                    }
                    Arg::String { text, .. } => Ok(Slot::of(Value::str(text.as_str()))),
                    _ => Err(self.err(
                        f,
                        first.pos(),
                        first,
                        format!("can't evaluate command {}", go_quote(&first.to_string())),
                    )),
                }
            }
        }
    }

    fn ideal_constant(
        &self,
        f: &Frame,
        pos: usize,
        ctx: &Arg,
        text: &str,
        num: &Number,
    ) -> R<Value> {
        if num.complex {
            return Err(self.err(f, pos, ctx, "complex numbers are not supported"));
        }
        let hex_int = text.len() > 2
            && (text.starts_with("0x") || text.starts_with("0X"))
            && !text.contains(['p', 'P']);
        let rune = text.starts_with('\'');
        if let Some(x) = num.float
            && !hex_int
            && !rune
            && text.contains(['.', 'e', 'E', 'p', 'P'])
        {
            return Ok(Value::Float(x));
        }
        if let Some(i) = num.int {
            return Ok(Value::Int(i));
        }
        if num.uint.is_some() {
            return Err(self.err(f, pos, ctx, format!("{text} overflows int")));
        }
        Ok(Value::Nil)
    }

    fn eval_chain_base(
        &mut self,
        f: &Frame,
        vars: &mut Vars,
        dot: &Slot,
        pos: usize,
        chain: &Arg,
        node: &Arg,
    ) -> R<Slot> {
        if let Arg::Nil { .. } = node {
            return Err(self.err(
                f,
                pos,
                chain,
                format!("indirection through explicit nil in {chain}"),
            ));
        }
        let v = self.eval_arg(f, vars, dot, node)?;
        Ok(Slot::of(v))
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field_chain(
        &mut self,
        f: &Frame,
        vars: &mut Vars,
        dot: &Slot,
        mut receiver: Slot,
        pos: usize,
        node: &Arg,
        idents: &[String],
        args: &[Arg],
        final_: Option<Slot>,
    ) -> R<Slot> {
        let n = idents.len();
        for (i, ident) in idents.iter().enumerate() {
            if i + 1 < n {
                receiver = self.eval_field(f, vars, dot, pos, node, ident, receiver, &[], None)?;
            } else {
                return self.eval_field(f, vars, dot, pos, node, ident, receiver, args, final_);
            }
        }
        Ok(receiver)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field(
        &mut self,
        f: &Frame,
        vars: &mut Vars,
        dot: &Slot,
        pos: usize,
        node: &Arg,
        name: &str,
        recv: Slot,
        args: &[Arg],
        final_: Option<Slot>,
    ) -> R<Slot> {
        let has_args = !args.is_empty() || final_.is_some();
        match &recv.v {
            Value::Nil if !recv.iface => {
                if self.opts.strict {
                    return Err(self.err(
                        f,
                        pos,
                        node,
                        format!("nil data; no entry for key {}", go_quote(name)),
                    ));
                }
                Ok(Slot::of(Value::Nil))
            }
            Value::Nil => Err(self.err(
                f,
                pos,
                node,
                format!("nil pointer evaluating interface {{}}.{name}"),
            )),
            Value::Object(o) => {
                let mut argv = Vec::with_capacity(args.len() + 1);
                for a in args {
                    argv.push(self.eval_arg(f, vars, dot, a)?);
                }
                if let Some(fin) = &final_ {
                    argv.push(fin.v.clone());
                }
                match o.call(name, &argv) {
                    Some(Ok(v)) => Ok(Slot::of(v)),
                    Some(Err(e)) => {
                        Err(self.err(f, pos, node, format!("error calling {name}: {e}")))
                    }
                    None => match o.field(name) {
                        Some(v) => {
                            if has_args {
                                return Err(self.err(
                                    f,
                                    pos,
                                    node,
                                    format!(
                                        "{name} has arguments but cannot be invoked as function"
                                    ),
                                ));
                            }
                            Ok(Slot::of(v))
                        }
                        None => Err(self.err(
                            f,
                            pos,
                            node,
                            format!("can't evaluate field {name} in type {}", slot_type(&recv)),
                        )),
                    },
                }
            }
            Value::Map(m) => {
                if has_args {
                    return Err(self.err(
                        f,
                        pos,
                        node,
                        format!("{name} is not a method but has arguments"),
                    ));
                }
                let got = m.try_borrow().ok().and_then(|m| m.get(name).cloned());
                match got {
                    Some(v) => Ok(Slot { v, iface: true }),
                    None if self.opts.strict => Err(self.err(
                        f,
                        pos,
                        node,
                        format!("map has no entry for key {}", go_quote(name)),
                    )),
                    None => Ok(Slot {
                        v: Value::Nil,
                        iface: true,
                    }),
                }
            }
            _ => Err(self.err(
                f,
                pos,
                node,
                format!("can't evaluate field {name} in type {}", slot_type(&recv)),
            )),
        }
    }

    /// An argument's value (Go's `evalArg` for an `interface{}` parameter).
    fn eval_arg(&mut self, f: &Frame, vars: &mut Vars, dot: &Slot, n: &Arg) -> R<Value> {
        Ok(match n {
            Arg::Dot { .. } => dot.v.clone(),
            Arg::Nil { .. } => Value::Nil,
            Arg::Field { pos, idents } => {
                self.eval_field_chain(f, vars, dot, dot.clone(), *pos, n, idents, &[], None)?
                    .v
            }
            Arg::Variable { pos, idents } => {
                let name = idents.first().map(String::as_str).unwrap_or("$");
                let value = self.var_value(f, *pos, n, vars, name)?;
                if idents.len() == 1 {
                    value.v
                } else {
                    let fields = idents.get(1..).unwrap_or(&[]);
                    self.eval_field_chain(f, vars, dot, value, *pos, n, fields, &[], None)?
                        .v
                }
            }
            Arg::Pipe(p) => self.eval_pipeline(f, vars, dot, p)?.v,
            Arg::Identifier { pos, name } => {
                let at = At { pos: *pos, ctx: n };
                self.eval_function(f, vars, dot, *pos, name, at, &[], None)?
                    .v
            }
            Arg::Chain { pos, node, fields } => {
                let recv = self.eval_chain_base(f, vars, dot, *pos, n, node)?;
                self.eval_field_chain(f, vars, dot, recv, *pos, n, fields, &[], None)?
                    .v
            }
            Arg::Bool { val, .. } => Value::Bool(*val),
            Arg::Number { pos, text, num } => self.ideal_constant(f, *pos, n, text, num)?,
            Arg::String { text, .. } => Value::str(text.as_str()),
        })
    }

    /// An argument for a `string` parameter (Go's `evalArg` with a string type).
    fn eval_string_arg(&mut self, f: &Frame, vars: &mut Vars, dot: &Slot, n: &Arg) -> R<Str> {
        match n {
            Arg::String { text, .. } => Ok(Str {
                text: Rc::from(text.as_str()),
                provenance: None,
            }),
            Arg::Bool { .. } | Arg::Number { .. } => {
                Err(self.err(f, n.pos(), n, format!("expected string; found {n}")))
            }
            Arg::Nil { .. } => Err(self.err(f, n.pos(), n, "cannot assign nil to string")),
            _ => {
                let v = self.eval_arg(f, vars, dot, n)?;
                self.want_string(f, n.pos(), n, v)
            }
        }
    }

    fn want_string(&self, f: &Frame, pos: usize, ctx: &dyn Display, v: Value) -> R<Str> {
        match v {
            Value::Str(s) => Ok(s),
            Value::Nil => Err(self.err(f, pos, ctx, "invalid value; expected string")),
            v => Err(self.err(
                f,
                pos,
                ctx,
                format!(
                    "wrong type for value; expected string; got {}",
                    type_name(&v)
                ),
            )),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_function(
        &mut self,
        f: &Frame,
        vars: &mut Vars,
        dot: &Slot,
        pos: usize,
        name: &str,
        cmd: At<'_>,
        args: &[Arg],
        final_: Option<Slot>,
    ) -> R<Slot> {
        let ident = IdentCtx(name);
        let num_in = args.len() + usize::from(final_.is_some());
        let external = if is_engine_func(name) {
            None
        } else {
            match (self.set.lookup)(name) {
                Some(func) => Some(func),
                None => {
                    return Err(self.err(
                        f,
                        pos,
                        &ident,
                        format!("{} is not a defined function", go_quote(name)),
                    ));
                }
            }
        };
        if let Some((fixed, variadic)) = signature(name) {
            if variadic && num_in < fixed {
                return Err(self.err(
                    f,
                    pos,
                    &ident,
                    format!(
                        "wrong number of args for {name}: want at least {fixed} got {}",
                        args.len()
                    ),
                ));
            }
            if !variadic && num_in != fixed {
                return Err(self.err(
                    f,
                    pos,
                    &ident,
                    format!("wrong number of args for {name}: want {fixed} got {num_in}"),
                ));
            }
        }
        // and/or evaluate their arguments lazily and return one of them.
        if name == "and" || name == "or" {
            let want = name == "or";
            let mut v = Value::Nil;
            for a in args {
                v = self.eval_arg(f, vars, dot, a)?;
                if v.truthy() == want {
                    return Ok(Slot::of(v));
                }
            }
            if let Some(fin) = final_ {
                v = fin.v;
            }
            return Ok(Slot::of(v));
        }
        if name == "include" || name == "tpl" {
            return self.engine_call(f, vars, dot, cmd, name, args, final_);
        }
        // printf's format is a string parameter.
        let mut argv: Vec<Value> = Vec::with_capacity(num_in);
        for (i, a) in args.iter().enumerate() {
            if i == 0 && name == "printf" {
                argv.push(Value::Str(self.eval_string_arg(f, vars, dot, a)?));
            } else {
                argv.push(self.eval_arg(f, vars, dot, a)?);
            }
        }
        if let Some(fin) = final_ {
            if name == "printf" && args.is_empty() {
                argv.push(Value::Str(self.want_string(f, cmd.pos, cmd.ctx, fin.v)?));
            } else {
                argv.push(fin.v);
            }
        }
        let result = match external {
            Some(func) => func(&argv),
            None => builtin(name, &argv, args),
        };
        // Every function's string is held to the functions' limit, so that no chain of calls
        // (`cat`, `quote`, `b64enc` of what an earlier call built) grows past it.
        let result = result.and_then(|v| match &v {
            Value::Str(text) if text.text.len() > crate::helm::funcs::MAX_STRING => Err(format!(
                "{name}: the result is {} bytes, more than the limit of {}",
                text.text.len(),
                crate::helm::funcs::MAX_STRING
            )),
            _ => Ok(v),
        });
        match result {
            Ok(v) => Ok(Slot::of(self.carry_provenance(f, self.action, v, &argv))),
            Err(e) => Err(self.call_error(f, cmd, name, e)),
        }
    }

    fn call_error(&self, f: &Frame, cmd: At<'_>, name: &str, e: String) -> Flow {
        // Go reports these before the call, without "error calling".
        if e.starts_with("wrong number of args for ") || e.starts_with("wrong type for value; ") {
            return self.err(f, cmd.pos, cmd.ctx, e);
        }
        let e = if (name == "fail" || name == "required") && !e.contains(WARN_START) {
            format!("{WARN_START}{e}{WARN_END}")
        } else {
            e
        };
        self.err(f, cmd.pos, cmd.ctx, format!("error calling {name}: {e}"))
    }

    /// A function's string result keeps the provenance of its last argument when it is that
    /// argument with only whitespace changed (`indent`, `nindent`, `trim`, ...), or contains
    /// it (`quote`, `printf "%s:8080"`), or is part of it (`trunc`, `trimPrefix`).
    fn carry_provenance(&self, f: &Frame, pos: usize, v: Value, argv: &[Value]) -> Value {
        let Value::Str(out) = &v else { return v };
        if out.provenance.is_some() {
            return v;
        }
        let Some(Value::Str(input)) = argv.last() else {
            return v;
        };
        let Some(p) = &input.provenance else { return v };
        if input.text == out.text {
            return Value::Str(Str {
                text: out.text.clone(),
                provenance: Some(p.clone()),
            });
        }
        let call = f.mapper.action(pos);
        let prov =
            prov::align(input, &out.text, &call).or_else(|| prov::embed(input, &out.text, &call));
        match prov {
            Some(p) => Value::Str(Str {
                text: out.text.clone(),
                provenance: Some(Rc::new(p)),
            }),
            None => v,
        }
    }

    /// Helm's `include` and `tpl` (engine.go `includeFun`, `tplFun`).
    #[allow(clippy::too_many_arguments)]
    fn engine_call(
        &mut self,
        f: &Frame,
        vars: &mut Vars,
        dot: &Slot,
        cmd: At<'_>,
        name: &str,
        args: &[Arg],
        final_: Option<Slot>,
    ) -> R<Slot> {
        let first = match args.first() {
            Some(a) => self.eval_string_arg(f, vars, dot, a)?,
            None => {
                let v = final_.as_ref().map(|s| s.v.clone()).unwrap_or_default();
                self.want_string(f, cmd.pos, cmd.ctx, v)?
            }
        };
        let data = match (args.get(1), &final_) {
            (Some(a), _) => self.eval_arg(f, vars, dot, a)?,
            (None, Some(fin)) if !args.is_empty() => fin.v.clone(),
            _ => Value::Nil,
        };
        // Out of stack budget (with room for the included template's first action): say it as
        // Helm says a recursive include.
        if name == "include" && self.units + 4 + 2 * 6 > self.opts.max_nesting {
            let e = ExecErr {
                msg: nested_reference(&first.text),
                origin: None,
                inner: None,
            };
            return Err(self.wrap_engine_error(f, cmd, name, e));
        }
        self.enter(f, cmd.pos, cmd.ctx, 4)?;
        let r = if name == "include" {
            self.include(&first.text, &data)
        } else {
            self.tpl(f, cmd.pos, &first, &data)
        };
        self.units -= 4;
        match r {
            Ok(s) => Ok(Slot::of(Value::Str(s))),
            Err(Flow::Err(e)) => Err(self.wrap_engine_error(f, cmd, name, *e)),
            Err(other) => Err(other),
        }
    }

    fn wrap_engine_error(&self, f: &Frame, cmd: At<'_>, name: &str, e: ExecErr) -> Flow {
        let origin = f.mapper.action(cmd.pos);
        Flow::Err(Box::new(ExecErr {
            inner: Some(e.inner.or(e.origin).unwrap_or_else(|| origin.clone())),
            msg: format!(
                "template: {}: executing {} at <{}>: error calling {name}: {}",
                f.tree.location(cmd.pos),
                go_quote(&f.name),
                cmd.ctx,
                e.msg
            ),
            origin: Some(origin),
        }))
    }

    fn include(&mut self, name: &str, data: &Value) -> R<Str> {
        let count = self.included.get(name).copied().unwrap_or(0);
        if count > 1000 || self.depth >= self.opts.max_depth {
            return Err(plain_err(nested_reference(name)));
        }
        let Some((tree, mapper)) = self.lookup(name) else {
            return Err(plain_err(format!(
                "template: no template {} associated with template {}",
                go_quote(name),
                go_quote(ROOT_NAME)
            )));
        };
        self.included.insert(name.to_owned(), count + 1);
        let frame = Frame {
            name: Rc::from(name),
            tree: tree.clone(),
            mapper,
        };
        let dot = Slot::of(data.clone());
        let mut vars: Vars = vec![("$".to_owned(), dot.clone())];
        let mut out = Out::default();
        self.depth += 1;
        let r = self.walk_list(&frame, &mut vars, &dot, &tree.root, &mut out);
        self.depth -= 1;
        self.included.insert(name.to_owned(), count);
        match r {
            Ok(()) | Err(Flow::Break | Flow::Continue) => Ok(out.into_str()),
            Err(e) => Err(e),
        }
    }

    fn tpl(&mut self, f: &Frame, pos: usize, text: &Str, data: &Value) -> R<Str> {
        if self.depth >= self.opts.max_depth {
            return Err(plain_err(format!(
                "exceeded maximum template depth ({})",
                self.opts.max_depth
            )));
        }
        // Parsing is work too: a `tpl` of a large text in a loop must reach the step limit.
        self.steps = self.steps.saturating_add(text.text.len() as u64 / 8);
        self.step(f, pos, &"tpl")?;
        let set = self.set;
        // The parser's stack comes on top of the executor's: give it what is left (a parser
        // unit takes about 3 of the executor's).
        let budget =
            (self.opts.max_nesting.saturating_sub(self.units) / 3).min(parse::PARSE_BUDGET);
        let trees = parse::parse_with_budget(ROOT_NAME, &text.text, &|n| set.has_func(n), budget)
            .map_err(|(e, _)| {
            plain_err(format!(
                "cannot parse template {}: {e}",
                quote_tpl(&text.text)
            ))
        })?;
        let mapper = Rc::new(Mapper::Tpl {
            src: text.provenance.clone(),
            call: f.mapper.action(pos),
        });
        let mut overlay: Overlay = HashMap::new();
        let mut plain: HashMap<String, Rc<Tree>> = HashMap::new();
        let mut top = None;
        for (n, tree) in trees {
            let tree = Rc::new(tree);
            if n == ROOT_NAME {
                top = Some(tree.clone());
            }
            // Go's associate: an empty definition does not replace a defined one.
            if let Some((old, _)) = self.lookup(&n)
                && parse::is_empty_tree(&tree.root)
                && !parse::is_empty_tree(&old.root)
            {
                continue;
            }
            associate(&mut plain, n, tree);
        }
        for (n, t) in plain {
            overlay.insert(n, (t, mapper.clone()));
        }
        let Some(top) = top else {
            return Ok(Str::default());
        };
        let frame = Frame {
            name: Rc::from(ROOT_NAME),
            tree: top.clone(),
            mapper,
        };
        let dot = Slot::of(data.clone());
        let mut vars: Vars = vec![("$".to_owned(), dot.clone())];
        let mut out = Out::default();
        self.overlays.push(overlay);
        self.depth += 1;
        let r = self.walk_list(&frame, &mut vars, &dot, &top.root, &mut out);
        self.depth -= 1;
        self.overlays.pop();
        match r {
            Ok(()) | Err(Flow::Break | Flow::Continue) => {
                Ok(out.remove_all("<no value>").into_str())
            }
            Err(Flow::Err(e)) => Err(Flow::Err(Box::new(ExecErr {
                msg: format!(
                    "error during tpl function execution for {}: {}",
                    quote_tpl(&text.text),
                    e.msg
                ),
                origin: None,
                inner: e.inner.or(e.origin),
            }))),
        }
    }
}

/// The node a pipeline evaluates last: the last argument of its last command.
fn last_node(pipe: &Pipe) -> Option<&Arg> {
    let arg = pipe.cmds.last()?.args.last()?;
    match arg {
        Arg::Pipe(p) => last_node(p).or(Some(arg)),
        a => Some(a),
    }
}

/// The `tpl` text as Helm's errors quote it, cut after 200 characters (Helm quotes it whole;
/// a large text would make a huge message).
fn quote_tpl(text: &str) -> String {
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}...", go_quote(text.get(..cut).unwrap_or(text))),
        None => go_quote(text),
    }
}

/// Helm's error for an `include` nested too deep (engine.go `includeFun`).
fn nested_reference(name: &str) -> String {
    format!("rendering template has a nested reference name: {name}: unable to execute template")
}

fn plain_err(msg: String) -> Flow {
    Flow::Err(Box::new(ExecErr {
        msg,
        origin: None,
        inner: None,
    }))
}

/// Where a function call is, for its errors: the command (or, for a function used as an
/// argument, the identifier), as Go's `evalFunction` passes it.
#[derive(Clone, Copy)]
struct At<'a> {
    pos: usize,
    ctx: &'a dyn Display,
}

/// `{{template "name" pipe}}` as an error context.
struct TemplateCtx<'a>(&'a str, Option<&'a Pipe>);

impl Display for TemplateCtx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.1 {
            Some(p) => write!(f, "{{{{template {} {p}}}}}", go_quote(self.0)),
            None => write!(f, "{{{{template {}}}}}", go_quote(self.0)),
        }
    }
}

struct IdentCtx<'a>(&'a str);

impl Display for IdentCtx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

// The builtins (funcs.go).

fn builtin(name: &str, args: &[Value], nodes: &[Arg]) -> Result<Value, String> {
    let first = args.first().cloned().unwrap_or_default();
    let rest = args.get(1..).unwrap_or(&[]);
    match name {
        "not" => Ok(Value::Bool(!first.truthy())),
        "len" => length(&first),
        "index" => index(first, rest),
        "slice" => slice(&first, rest),
        "eq" => eq(&first, rest).map(Value::Bool),
        "ne" => eq(&first, rest).map(|b| Value::Bool(!b)),
        "lt" => lt(&first, rest.first().unwrap_or(&Value::Nil)).map(Value::Bool),
        "le" => le(&first, rest.first().unwrap_or(&Value::Nil)).map(Value::Bool),
        "gt" => le(&first, rest.first().unwrap_or(&Value::Nil)).map(|b| Value::Bool(!b)),
        "ge" => lt(&first, rest.first().unwrap_or(&Value::Nil)).map(|b| Value::Bool(!b)),
        "print" => Ok(Value::str(gofmt::sprint(args))),
        "println" => Ok(Value::str(gofmt::sprintln(args))),
        "printf" => {
            let format = first.as_str().unwrap_or("").to_owned();
            Ok(Value::str(gofmt::sprintf(&format, rest)))
        }
        "html" => Ok(Value::str(html_escape(&eval_args(args)))),
        "js" => Ok(Value::str(js_escape(&eval_args(args)))),
        "urlquery" => Ok(Value::str(query_escape(&eval_args(args)))),
        "call" => match first {
            Value::Nil => Err("call of nil".to_owned()),
            v => Err(format!(
                "non-function {} of type {}",
                nodes.first().map(ToString::to_string).unwrap_or_default(),
                type_name(&v)
            )),
        },
        _ => Err(format!("{} is not a defined function", go_quote(name))),
    }
}

fn eval_args(args: &[Value]) -> String {
    if let [Value::Str(s)] = args {
        return s.text.to_string();
    }
    let printable: Vec<Value> = args
        .iter()
        .map(|a| match a {
            Value::Nil => Value::str("<no value>"),
            a => a.clone(),
        })
        .collect();
    gofmt::sprint(&printable)
}

fn length(v: &Value) -> Result<Value, String> {
    Ok(Value::Int(match v {
        Value::Str(s) => s.text.len() as i64,
        Value::List(l) => l.len() as i64,
        Value::Map(m) => m.try_borrow().map(|m| m.len()).unwrap_or(0) as i64,
        Value::Nil => return Err("reflect: call of reflect.Value.Type on zero Value".to_owned()),
        v => return Err(format!("len of type {}", type_name(v))),
    }))
}

fn index_arg(v: &Value, cap: usize) -> Result<usize, String> {
    match v {
        Value::Int(x) => {
            if *x < 0 || *x as u64 > cap as u64 {
                return Err(format!("index out of range: {x}"));
            }
            Ok(*x as usize)
        }
        Value::Nil => Err("cannot index slice/array with nil".to_owned()),
        v => Err(format!(
            "cannot index slice/array with type {}",
            type_name(v)
        )),
    }
}

fn index(item: Value, indexes: &[Value]) -> Result<Value, String> {
    if let Value::Nil = item {
        return Err("index of untyped nil".to_owned());
    }
    let mut item = item;
    for ix in indexes {
        item = match &item {
            Value::List(l) => {
                let i = index_arg(ix, l.len())?;
                l.get(i)
                    .cloned()
                    .ok_or_else(|| "reflect: slice index out of range".to_owned())?
            }
            Value::Str(s) => {
                let i = index_arg(ix, s.text.len())?;
                Value::Int(i64::from(
                    *s.text
                        .as_bytes()
                        .get(i)
                        .ok_or_else(|| "reflect: string index out of range".to_owned())?,
                ))
            }
            Value::Map(m) => match ix {
                Value::Str(k) => m
                    .try_borrow()
                    .ok()
                    .and_then(|m| m.get(&*k.text).cloned())
                    .unwrap_or(Value::Nil),
                Value::Nil => return Err("value is nil; should be of type string".to_owned()),
                v => return Err(format!("value has type {}; should be string", type_name(v))),
            },
            Value::Nil => return Err("index of nil pointer".to_owned()),
            v => return Err(format!("can't index item of type {}", type_name(v))),
        };
    }
    Ok(item)
}

fn slice(item: &Value, indexes: &[Value]) -> Result<Value, String> {
    if let Value::Nil = item {
        return Err("slice of untyped nil".to_owned());
    }
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let len = match item {
        Value::Str(s) => {
            if indexes.len() == 3 {
                return Err("cannot 3-index slice a string".to_owned());
            }
            s.text.len()
        }
        Value::List(l) => l.len(),
        v => return Err(format!("can't slice item of type {}", type_name(v))),
    };
    let mut idx = [0usize, len, len];
    for (i, ix) in indexes.iter().enumerate() {
        let x = index_arg(ix, len)?;
        if let Some(slot) = idx.get_mut(i) {
            *slot = x;
        }
    }
    let [i, j, k] = idx;
    if i > j {
        return Err(format!("invalid slice index: {i} > {j}"));
    }
    if indexes.len() == 3 && j > k {
        return Err(format!("invalid slice index: {j} > {k}"));
    }
    Ok(match item {
        Value::Str(s) => {
            Value::str(String::from_utf8_lossy(s.text.as_bytes().get(i..j).unwrap_or(&[])).as_ref())
        }
        Value::List(l) => Value::list(l.get(i..j).unwrap_or(&[]).to_vec()),
        _ => Value::Nil,
    })
}

#[derive(PartialEq, Clone, Copy)]
enum Kind {
    Bool,
    Int,
    Float,
    Str,
}

fn basic_kind(v: &Value) -> Option<Kind> {
    match v {
        Value::Bool(_) => Some(Kind::Bool),
        Value::Int(_) => Some(Kind::Int),
        Value::Float(_) => Some(Kind::Float),
        Value::Str(_) => Some(Kind::Str),
        _ => None,
    }
}

fn same_kind(a: &Value, b: &Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn eq(a: &Value, rest: &[Value]) -> Result<bool, String> {
    if rest.is_empty() {
        return Err("missing argument for comparison".to_owned());
    }
    let k1 = basic_kind(a);
    for b in rest {
        let k2 = basic_kind(b);
        let truth = if k1 != k2 {
            if !matches!(a, Value::Nil) && !matches!(b, Value::Nil) {
                return Err(format!(
                    "incompatible types for comparison: {} and {}",
                    type_name(a),
                    type_name(b)
                ));
            }
            false
        } else {
            match (a, b) {
                (Value::Bool(x), Value::Bool(y)) => x == y,
                (Value::Int(x), Value::Int(y)) => x == y,
                (Value::Float(x), Value::Float(y)) => x == y,
                (Value::Str(x), Value::Str(y)) => x.text == y.text,
                _ => {
                    let a_nil = matches!(a, Value::Nil);
                    let b_nil = matches!(b, Value::Nil);
                    if !same_kind(a, b) && !a_nil && !b_nil {
                        return Err(format!(
                            "non-comparable types {}: {}, {}: {}",
                            a.go_string(),
                            type_name(a),
                            type_name(b),
                            b.go_string()
                        ));
                    }
                    if a_nil || b_nil {
                        a_nil == b_nil
                    } else {
                        match (a, b) {
                            (Value::Object(x), Value::Object(y)) => Rc::ptr_eq(x, y),
                            _ => {
                                return Err(format!(
                                    "non-comparable type {}: {}",
                                    b.go_string(),
                                    type_name(b)
                                ));
                            }
                        }
                    }
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn lt(a: &Value, b: &Value) -> Result<bool, String> {
    let bad = || "invalid type for comparison".to_owned();
    let k1 = basic_kind(a).ok_or_else(bad)?;
    let k2 = basic_kind(b).ok_or_else(bad)?;
    if k1 != k2 {
        return Err(format!(
            "incompatible types for comparison: {} and {}",
            type_name(a),
            type_name(b)
        ));
    }
    Ok(match (a, b) {
        (Value::Int(x), Value::Int(y)) => x < y,
        (Value::Float(x), Value::Float(y)) => x < y,
        (Value::Str(x), Value::Str(y)) => x.text < y.text,
        _ => return Err(bad()),
    })
}

fn le(a: &Value, b: &Value) -> Result<bool, String> {
    if lt(a, b)? {
        return Ok(true);
    }
    eq(a, std::slice::from_ref(b))
}

/// Go's `HTMLEscapeString`.
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\0' => out.push('\u{FFFD}'),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Go's `JSEscapeString`.
fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u00{:02X}", c as u32)),
            c if !c.is_ascii() && (c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}') => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// Go's `url.QueryEscape`.
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
