//! Go's `text/template` as Helm runs it (issue 18), with provenance: every byte of the output
//! knows the template text or action that wrote it, and, for a value from a values file, that
//! value's place.
//!
//! - `lex`/`parse`: Go's lexer and parser (text/template/parse), the same grammar, positions and
//!   error texts.
//! - `exec`: Go's executor (text/template/exec.go, funcs.go) with Helm's engine around it
//!   (helm/helm v3 pkg/engine/engine.go): missing keys as `missingkey=zero` (strict mode:
//!   `missingkey=error`), `<no value>` removed from the output, `include` and `tpl`, and Helm's
//!   error clean-up.
//! - `prov`: the output buffer with origins.
//!
//! **One set, like Helm's.** Helm parses every template of a chart and its subcharts into one
//! Go template set; `define`s are global. When two files define the same name, the file parsed
//! last wins (a file that defines a name twice is a parse error, as in Go). Helm parses in the
//! order of its `sortTemplates` (engine.go): the deepest paths (most `/`) first, so a parent
//! chart's templates come after its subcharts' and their defines win; paths with as many `/`
//! are sorted in reverse lexical order. The caller ([`Templates::parse`]) passes files in that
//! order. An empty definition (only spaces or comments) never replaces a non-empty one.
//!
//! **Provenance.** [`Templates::execute`] returns, with the text, an [`Origin`] for each stretch
//! of it: template text is `literal` at its (post-trim) offset; what an action prints is the
//! action's (the offset of its first token); a printed string that carries provenance keeps it
//! (an `include` result: the helper's text and actions), except that a values-file origin
//! becomes the action's with `value` naming the values scalar. A function's string result keeps
//! its last argument's provenance when it is that argument with whitespace changed (`indent`,
//! `nindent`, `trim`: aligned on the non-space characters, the added whitespace is the
//! action's), contains it (`quote`) or is part of it (`trunc`). `tpl` text maps back through the
//! string's own provenance (a values-file string: the values file's bytes). Helm's removal of
//! `<no value>` keeps the origins of what remains.
//!
//! **Errors** are Go's (`template: NAME:LINE:COL: executing "NAME" at <NODE>: ...`) cleaned up
//! as Helm v3 does: `parse error at (NAME:LINE): ...`, and a `fail`/`required` message as
//! `execution error at (NAME:LINE:COL): MESSAGE` (Helm v4's multi-line traces are not
//! produced; a `tpl` text quoted in a message is cut after 200 characters, where Helm quotes
//! it whole). [`TemplateError::origin`] is the place the message names; for an error inside an
//! `include`d helper or `tpl` text, [`TemplateError::inner`] is the failing action itself.
//! A function (`helm::funcs`) reports a bad call with an `Err` starting `wrong number of args
//! for ` or `wrong type for value; ` to get Go's wording without `error calling NAME: `; the
//! errors of functions named `fail` and `required` get Helm's `HELM_ERR_START`/`HELM_ERR_END`
//! markers when they do not carry them.
//!
//! **Limits** for hostile input ([`ExecOptions`]): nested `template`/`include`/`tpl` calls (100;
//! Go allows 100000 `template`s, Helm 1000 nested `include`s of one name: past our limit an
//! `include` fails with Helm's "nested reference" message), a stack budget shared by nested
//! control structures, parentheses and calls (a debug build stays within 2 MiB of stack), total
//! bytes written, execution steps. The parser allows 50 nested parentheses (Go: 10000) and 100
//! nested `if`/`with`/`range`. Each limit gives an error, never a hang or a stack overflow.
//!
//! **What differs from Go**, because values are Go's `interface{}` ([`Value`]): no complex
//! numbers (they parse; executing one is an error), no sized or unsigned integers, typed nil
//! pointers, channels or function values (`call` always fails: nothing is callable), maps with
//! string keys only; Go's `missingkey=default` mode is not offered (Helm uses `zero` or
//! `error`). Custom delimiters are not supported (Helm has none).

mod exec;
mod lex;
mod parse;
mod prov;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use super::value::{Func, Origin, Provenance, Value};
use parse::Tree;

/// How [`Templates::execute`] runs.
#[derive(Clone, Debug)]
pub(crate) struct ExecOptions {
    /// Helm's `--strict` (Go's `missingkey=error`): a missing map key is an error. Otherwise
    /// (`missingkey=zero`) it is nil, printed `<no value>`, which Helm then removes.
    pub(crate) strict: bool,
    /// Deepest nesting of `template`/`include`/`tpl` calls. Helm stops an `include` of the same
    /// name nested more than 1000 deep; our stack allows fewer.
    pub(crate) max_depth: usize,
    /// Stack budget: nested `if`/`with` (1 each), `range` (2), pipelines and parentheses (6),
    /// `template` (1) and `include`/`tpl` (4) calls together. 500 keeps a debug build within
    /// about 1.5 MiB of stack (measured: about 2.7 KiB a unit).
    pub(crate) max_nesting: usize,
    /// Bytes written in all (the output and every `include`/`tpl` result) before giving up.
    pub(crate) max_output: usize,
    /// Nodes walked, commands evaluated and `range` iterations before giving up.
    pub(crate) max_steps: u64,
}

impl Default for ExecOptions {
    fn default() -> Self {
        ExecOptions {
            strict: false,
            max_depth: 100,
            max_nesting: 500,
            max_output: 64 << 20,
            max_steps: 20_000_000,
        }
    }
}

/// An executed template: its text and where each part of it came from.
#[derive(Debug)]
pub(crate) struct Rendered {
    pub(crate) text: String,
    pub(crate) provenance: Provenance,
}

/// A parse or execution error: Helm's message (what `helm template` prints after `Error: `)
/// and the place it names.
#[derive(Debug, Clone)]
pub(crate) struct TemplateError {
    pub(crate) message: String,
    /// The place Helm's message names first (for an error inside an `include`d helper, the
    /// `include` call).
    pub(crate) origin: Option<Origin>,
    /// For an error inside `include`/`tpl`: where the innermost failing action is (the
    /// helper's line); `None` when that is `origin`.
    pub(crate) inner: Option<Box<Origin>>,
    /// Go's own message, before Helm's clean-up (`template: x:1:2: executing "x" at <...>: ...`).
    pub(crate) go_message: String,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Go's template set: the named templates (files and `define`s) and the functions.
pub(crate) struct Templates {
    trees: HashMap<String, Rc<Tree>>,
    /// The names of the files parsed: origins in them are template text.
    files: HashSet<Arc<str>>,
    lookup: fn(&str) -> Option<Func>,
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl Templates {
    /// A set with Go's builtins, Helm's `include` and `tpl`, and Sprig's and Helm's functions.
    pub(crate) fn new() -> Self {
        Self::with_funcs(crate::helm::funcs::lookup)
    }

    /// A set whose functions beyond the builtins, `include` and `tpl` are `lookup`'s.
    pub(crate) fn with_funcs(lookup: fn(&str) -> Option<Func>) -> Self {
        Templates {
            trees: HashMap::new(),
            files: HashSet::new(),
            lookup,
        }
    }

    fn has_func(&self, name: &str) -> bool {
        exec::is_engine_func(name) || (self.lookup)(name).is_some()
    }

    /// Parses `text` as the template `name` (a chart path) and adds it and its `define`s to the
    /// set. The error is Helm's: `parse error at (NAME:LINE): MESSAGE`.
    pub(crate) fn parse(&mut self, name: &str, text: &str) -> Result<(), TemplateError> {
        let trees = parse::parse(name, text, &|f| self.has_func(f)).map_err(|(msg, pos)| {
            TemplateError {
                message: helm_parse_message(name, &msg),
                origin: Some(Origin {
                    file: Arc::from(name),
                    offset: pos,
                    literal: false,
                    value: None,
                }),
                inner: None,
                go_message: msg,
            }
        })?;
        self.files.insert(Arc::from(name));
        for (n, tree) in trees {
            associate(&mut self.trees, n, Rc::new(tree));
        }
        Ok(())
    }

    /// Whether the set has a template of that name.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.trees.contains_key(name)
    }

    /// Executes the template `name` with `data` as dot (Helm's `ExecuteTemplate`), then removes
    /// `<no value>` as Helm does (outside strict mode).
    pub(crate) fn execute(
        &self,
        name: &str,
        data: &Value,
        options: &ExecOptions,
    ) -> Result<Rendered, TemplateError> {
        let out = exec::execute(self, name, data, options).map_err(|e| TemplateError {
            message: helm_exec_message(name, &e.msg),
            origin: e.origin,
            inner: e.inner.map(Box::new),
            go_message: e.msg,
        })?;
        let out = if options.strict {
            out
        } else {
            out.remove_all("<no value>")
        };
        Ok(Rendered {
            text: out.text,
            provenance: Provenance { chunks: out.chunks },
        })
    }
}

/// Go's `associate`: a new definition replaces the old one, unless it is empty and the old one
/// is not.
fn associate(trees: &mut HashMap<String, Rc<Tree>>, name: String, tree: Rc<Tree>) {
    if let Some(old) = trees.get(&name)
        && parse::is_empty_tree(&tree.root)
        && !parse::is_empty_tree(&old.root)
    {
        return;
    }
    trees.insert(name, tree);
}

/// Helm's `cleanupParseError`: `parse error at (NAME:LINE): LAST PART OF GO'S MESSAGE`.
fn helm_parse_message(name: &str, go: &str) -> String {
    let tokens: Vec<&str> = go.split(": ").collect();
    match (tokens.get(1), tokens.last()) {
        (Some(loc), Some(last)) if tokens.len() > 1 => format!("parse error at ({loc}): {last}"),
        _ => format!("parse error in ({name}): {go}"),
    }
}

const WARN_START: &str = "HELM_ERR_START";
const WARN_END: &str = "HELM_ERR_END";

/// Helm v3's `cleanupExecError`: a `fail`/`required` message becomes
/// `execution error at (NAME:LINE:COL): MESSAGE`; other errors stay Go's.
fn helm_exec_message(name: &str, go: &str) -> String {
    let tokens: Vec<&str> = go.splitn(3, ": ").collect();
    let (Some(loc), Some(rest)) = (tokens.get(1), tokens.get(2)) else {
        if go.starts_with("template: no template ") {
            return go.to_owned();
        }
        return format!("execution error in ({name}): {go}");
    };
    if let Some(start) = rest.find(WARN_START)
        && let Some(end) = rest.rfind(WARN_END)
        && let Some(msg) = rest.get(start + WARN_START.len()..end)
    {
        return format!("execution error at ({loc}): {msg}");
    }
    go.to_owned()
}
