//! Sprig v3.3.0's function library and Helm's own functions (`toYaml`, `fromYaml`, `required`,
//! `fail`, `lookup`, ...), by name. (STUB: the helm-funcs work fills it.) The engine's own
//! builtins (Go's `and`, `or`, `index`, `printf`, ...) and the functions that need the engine
//! (`include`, `tpl`) live in `helm::template`.

use super::value::Func;

/// The function `name`, when Sprig or Helm defines it (Helm's list: no `env`, `expandenv`).
pub(crate) fn lookup(name: &str) -> Option<Func> {
    let _ = name;
    None
}

/// Whether the function draws on the clock or randomness (its output here is a fixed
/// stand-in). (STUB until helm-funcs lands.)
pub(crate) fn is_nonhermetic(name: &str) -> bool {
    let _ = name;
    false
}
