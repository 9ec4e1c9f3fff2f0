//! Provenance through the functions that only move text: `indent`, `nindent`, `trim*`,
//! `quote`, `squote` (and `toString` of a string, which returns it as it is). Their result is
//! built from pieces of the argument and inserted text; each output chunk keeps the origin of
//! the input text it copies, and inserted text (padding, quotes) takes the origin of the input
//! position it stands at, as an action's output (`literal: false`).

use std::rc::Rc;

use crate::helm::value::{Origin, Provenance, Str, Value};

/// A piece of a function's output.
pub(crate) enum Piece<'a> {
    /// Input bytes `start..end`, copied.
    Copy(usize, usize),
    /// Inserted text, standing at the given input position.
    Insert(&'a str, usize),
}

/// The origin of input byte `pos` (its chunk's, shifted into the chunk when literal).
fn origin_at(prov: &Provenance, pos: usize) -> Option<Origin> {
    let (start, origin) = prov.chunks.iter().rev().find(|(start, _)| *start <= pos)?;
    let mut o = origin.clone();
    if o.literal {
        o.offset += pos - start;
    }
    Some(o)
}

/// The output of `pieces` over `src`, with provenance when `src` has some.
pub(crate) fn rebuild(src: &Str, pieces: &[Piece<'_>]) -> Value {
    let text: &str = &src.text;
    let mut out = String::new();
    let mut chunks: Vec<(usize, Origin)> = Vec::new();
    let prov = src.provenance.as_deref();
    let push = |chunks: &mut Vec<(usize, Origin)>, at: usize, o: Origin| {
        if let Some((last_at, last)) = chunks.last_mut() {
            if *last_at == at {
                *last = o;
                return;
            }
            // Continues the previous chunk exactly: no new chunk needed.
            if last.literal && o.literal && last.file == o.file && last.value == o.value {
                if last.offset + (at - *last_at) == o.offset {
                    return;
                }
            } else if !last.literal && *last == o {
                return;
            }
        }
        chunks.push((at, o));
    };
    for piece in pieces {
        match piece {
            Piece::Copy(start, end) => {
                let Some(part) = text.get(*start..*end) else {
                    continue;
                };
                if let Some(prov) = prov {
                    let at = out.len();
                    if let Some(o) = origin_at(prov, *start) {
                        push(&mut chunks, at, o);
                    }
                    for (cstart, origin) in &prov.chunks {
                        if *cstart > *start && *cstart < *end {
                            push(&mut chunks, at + (cstart - start), origin.clone());
                        }
                    }
                }
                out.push_str(part);
            }
            Piece::Insert(ins, pos) => {
                if ins.is_empty() {
                    continue;
                }
                if let Some(prov) = prov
                    && let Some(mut o) = origin_at(prov, (*pos).min(text.len().saturating_sub(1)))
                {
                    o.literal = false;
                    push(&mut chunks, out.len(), o);
                }
                out.push_str(ins);
            }
        }
    }
    Value::Str(Str {
        text: Rc::from(out),
        provenance: prov.map(|_| Rc::new(Provenance { chunks })),
    })
}

/// `indent`'s pieces: `pad` before every line of `text` (after a first `prefix`).
pub(crate) fn indent_pieces<'a>(text: &str, pad: &'a str, prefix: &'a str) -> Vec<Piece<'a>> {
    let mut pieces = Vec::new();
    if !prefix.is_empty() {
        pieces.push(Piece::Insert(prefix, 0));
    }
    let mut start = 0usize;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            pieces.push(Piece::Insert(pad, start));
            pieces.push(Piece::Copy(start, i + 1));
            start = i + 1;
        }
    }
    pieces.push(Piece::Insert(pad, start));
    pieces.push(Piece::Copy(start, text.len()));
    pieces
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::super::testing::call;
    use super::*;

    fn lit(file: &str, offset: usize) -> Origin {
        Origin {
            file: Arc::from(file),
            offset,
            literal: true,
            value: None,
        }
    }

    /// "ab\ncd" written at offset 100 of a helper (literal), as `include` would return it.
    fn included() -> Value {
        Value::Str(Str {
            text: Rc::from("ab\ncd"),
            provenance: Some(Rc::new(Provenance {
                chunks: vec![(0, lit("c/templates/_h.tpl", 100))],
            })),
        })
    }

    fn chunks(v: &Value) -> Vec<(usize, usize, bool)> {
        let Value::Str(s) = v else { panic!() };
        s.provenance
            .as_ref()
            .unwrap()
            .chunks
            .iter()
            .map(|(at, o)| (*at, o.offset, o.literal))
            .collect()
    }

    #[test]
    fn nindent_keeps_the_included_lines_origins() {
        let out = call("nindent", &[Value::Int(2), included()]).unwrap();
        assert_eq!(out.go_string(), "\n  ab\n  cd");
        // "\n  " stands at input 0 (not literal); "ab\n" copies 100..; "  " stands at
        // input 3 (offset 103, not literal); "cd" copies 103...
        assert_eq!(
            chunks(&out),
            vec![
                (0, 100, false),
                (3, 100, true),
                (6, 103, false),
                (8, 103, true)
            ]
        );
    }

    #[test]
    fn trim_and_quote_shift_offsets() {
        let v = Value::Str(Str {
            text: Rc::from("  xy "),
            provenance: Some(Rc::new(Provenance {
                chunks: vec![(0, lit("f", 10))],
            })),
        });
        let t = call("trim", &[v]).unwrap();
        assert_eq!(t.go_string(), "xy");
        assert_eq!(chunks(&t), vec![(0, 12, true)]);
        let q = call("quote", &[t]).unwrap();
        assert_eq!(q.go_string(), "\"xy\"");
        assert_eq!(
            chunks(&q),
            vec![(0, 12, false), (1, 12, true), (3, 13, false)]
        );
        // Without provenance, nothing is invented.
        let plain = call("indent", &[Value::Int(1), Value::str("a")]).unwrap();
        let Value::Str(s) = plain else { panic!() };
        assert!(s.provenance.is_none());
    }
}
