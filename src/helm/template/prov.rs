//! Output with provenance: text and, for each stretch of it, the [`Origin`] that wrote it.

use std::rc::Rc;

use crate::helm::value::{Origin, Provenance, Str};

/// Text being written and the origin of each stretch (sorted by offset; an origin covers the
/// text up to the next chunk).
#[derive(Default, Debug)]
pub(super) struct Out {
    pub(super) text: String,
    pub(super) chunks: Vec<(usize, Origin)>,
}

impl Out {
    /// Starts a chunk with `origin` at the current end, unless it continues the last one.
    pub(super) fn mark(&mut self, origin: Origin) {
        let at = self.text.len();
        if let Some((start, last)) = self.chunks.last() {
            if continues(*start, last, at, &origin) {
                return;
            }
            if *start == at {
                self.chunks.pop();
                // The popped chunk was empty; the new one may continue the one before.
                if let Some((s, l)) = self.chunks.last()
                    && continues(*s, l, at, &origin)
                {
                    return;
                }
            }
        }
        self.chunks.push((at, origin));
    }

    pub(super) fn write(&mut self, origin: Origin, text: &str) {
        if text.is_empty() {
            return;
        }
        self.mark(origin);
        self.text.push_str(text);
    }

    /// Appends `text[range]` whose origins are `chunks` (as in [`Provenance`]), each origin
    /// passed through `map`; bytes no chunk covers get `default`.
    pub(super) fn append_range(
        &mut self,
        text: &str,
        chunks: &[(usize, Origin)],
        range: std::ops::Range<usize>,
        default: &Origin,
        map: &dyn Fn(Origin) -> Origin,
    ) {
        let mut at = range.start;
        while at < range.end {
            // Chunks starting at or before `at`: the last of them covers it.
            let idx = chunks.partition_point(|(s, _)| *s <= at);
            let next_start = chunks.get(idx).map_or(usize::MAX, |(s, _)| *s);
            let seg_end = next_start.min(range.end);
            let origin = match idx.checked_sub(1).and_then(|i| chunks.get(i)) {
                Some((cs, co)) => map(shift(co, at - cs)),
                None => default.clone(),
            };
            self.write(origin, text.get(at..seg_end).unwrap_or(""));
            at = seg_end;
        }
    }

    /// The text as a string value carrying its provenance.
    pub(super) fn into_str(self) -> Str {
        Str {
            text: Rc::from(self.text),
            provenance: Some(Rc::new(Provenance {
                chunks: self.chunks,
            })),
        }
    }

    /// Removes every occurrence of `pat` (Helm's `<no value>` clean-up), keeping provenance.
    pub(super) fn remove_all(self, pat: &str) -> Out {
        if pat.is_empty() || !self.text.contains(pat) {
            return self;
        }
        let mut out = Out::default();
        let mut last = 0;
        let dummy = self
            .chunks
            .first()
            .map(|(_, o)| o.clone())
            .unwrap_or_else(|| Origin {
                file: std::sync::Arc::from(""),
                offset: 0,
                literal: false,
                value: None,
            });
        for (i, _) in self.text.match_indices(pat) {
            out.append_range(&self.text, &self.chunks, last..i, &dummy, &|o| o);
            last = i + pat.len();
        }
        out.append_range(
            &self.text,
            &self.chunks,
            last..self.text.len(),
            &dummy,
            &|o| o,
        );
        out
    }
}

/// The origin of the byte `delta` bytes into a chunk whose origin is `o`.
pub(super) fn shift(o: &Origin, delta: usize) -> Origin {
    let mut o = o.clone();
    if o.literal {
        o.offset += delta;
    }
    o
}

/// Whether a chunk starting at `at` with `new` continues the chunk (`start`, `last`).
fn continues(start: usize, last: &Origin, at: usize, new: &Origin) -> bool {
    if last.file != new.file || last.literal != new.literal || last.value != new.value {
        return false;
    }
    if new.literal {
        last.offset + (at - start) == new.offset
    } else {
        last.offset == new.offset
    }
}

/// Provenance for `output` when it is `input` with only whitespace added or removed (what
/// `indent`, `nindent`, `trim`, `trimSuffix "\n"` do): the non-whitespace characters are aligned,
/// and added whitespace is attributed to `call`. `None` when the texts differ otherwise.
pub(super) fn align(input: &Str, output: &str, call: &Origin) -> Option<Provenance> {
    let prov = input.provenance.as_ref()?;
    let chunks = &prov.chunks;
    let text: &str = &input.text;
    let mut out = Out::default();
    let mut ii = text.char_indices().peekable();
    let mut ci = 0usize; // chunk cursor: chunks[ci] is the last chunk starting <= input pos
    let origin_at = |pos: usize, ci: &mut usize| -> Origin {
        while chunks.get(*ci + 1).is_some_and(|(s, _)| *s <= pos) {
            *ci += 1;
        }
        match chunks.get(*ci) {
            Some((s, o)) if *s <= pos => shift(o, pos - s),
            _ => call.clone(),
        }
    };
    for oc in output.chars() {
        loop {
            match ii.peek().copied() {
                Some((ipos, ic)) if ic == oc => {
                    let o = origin_at(ipos, &mut ci);
                    out.mark(o);
                    out.text.push(oc);
                    ii.next();
                    break;
                }
                _ if oc.is_whitespace() => {
                    out.mark(call.clone());
                    out.text.push(oc);
                    break;
                }
                Some((_, ic)) if ic.is_whitespace() => {
                    ii.next();
                }
                _ => return None,
            }
        }
    }
    if ii.any(|(_, c)| !c.is_whitespace()) {
        return None;
    }
    Some(Provenance { chunks: out.chunks })
}

/// Provenance for `output` when it contains `input` (`quote`: `"` + input + `"`) or is part of
/// it (`trunc`, `trimPrefix`): that part keeps the input's origins, the rest is `call`'s.
pub(super) fn embed(input: &Str, output: &str, call: &Origin) -> Option<Provenance> {
    let prov = input.provenance.as_ref()?;
    let text: &str = &input.text;
    if text.is_empty() || output.is_empty() {
        return None;
    }
    let mut out = Out::default();
    if let Some(at) = output.find(text) {
        out.write(call.clone(), output.get(..at).unwrap_or(""));
        out.append_range(text, &prov.chunks, 0..text.len(), call, &|o| o);
        out.write(call.clone(), output.get(at + text.len()..).unwrap_or(""));
    } else if let Some(at) = text.find(output) {
        out.append_range(text, &prov.chunks, at..at + output.len(), call, &|o| o);
    } else {
        return None;
    }
    Some(Provenance { chunks: out.chunks })
}
