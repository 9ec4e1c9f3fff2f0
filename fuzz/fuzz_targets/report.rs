//! Arbitrary findings on arbitrary text -> every output format (human with and without colour,
//! compact, JSON, SARIF, GitHub, JUnit). No format may panic; the JSON and SARIF reports must
//! be valid JSON, and no raw ESC may reach a text format.
#![no_main]

use kubeward::finding::Severity;
use kubeward::outcome::{ArbitraryFinding, outcome_for_text};
use kubeward::report::{Format, HumanOptions, write_report};
use libfuzzer_sys::fuzz_target;

/// Reads the input as: text, then a 0xFF byte, then findings (each: rule, severity, start,
/// length, related start, related length as bytes and u16s, then message/label/help strings
/// cut from the rest).
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> u8 {
        let (first, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        *first
    }

    fn u16(&mut self) -> usize {
        usize::from(self.byte()) << 8 | usize::from(self.byte())
    }

    fn string(&mut self) -> String {
        let len = usize::from(self.byte() % 64);
        let (taken, rest) = self.0.split_at(len.min(self.0.len()));
        self.0 = rest;
        String::from_utf8_lossy(taken).into_owned()
    }
}

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|b| *b == 0xFF).unwrap_or(data.len());
    let (text, rest) = data.split_at(split);
    let text = String::from_utf8_lossy(text);
    let mut reader = Reader(rest.get(1..).unwrap_or_default());
    let mut findings = Vec::new();
    while !reader.0.is_empty() && findings.len() < 16 {
        let rule = usize::from(reader.byte());
        let severity = match reader.byte() % 3 {
            0 => Severity::Info,
            1 => Severity::Warning,
            _ => Severity::Error,
        };
        let (start, len) = (reader.u16() * 7, reader.u16());
        let related =
            (reader.byte() % 2 == 1).then(|| (reader.u16() * 7, reader.u16(), reader.string()));
        let message = reader.string();
        let label = (reader.byte() % 2 == 1).then(|| reader.string());
        let help = (reader.byte() % 2 == 1).then(|| reader.string());
        findings.push(ArbitraryFinding {
            rule,
            severity,
            start,
            len,
            message,
            label,
            help,
            related,
        });
    }
    let result = outcome_for_text("fuzz/input.yaml", &text, findings);
    for (format, color) in [
        (Format::Human, false),
        (Format::Human, true),
        (Format::Compact, false),
        (Format::Json, false),
        (Format::Sarif, false),
        (Format::Github, false),
        (Format::Junit, false),
    ] {
        let mut out = Vec::new();
        let human = HumanOptions { color, width: 80 };
        write_report(&result, format, &human, &mut out).expect("reports write to memory");
        if matches!(format, Format::Json | Format::Sarif) {
            serde_json::from_slice::<serde_json::Value>(&out).expect("the report is JSON");
        }
        if !color {
            assert!(
                !out.contains(&0x1b),
                "a raw ESC reached the {format:?} output"
            );
        }
    }
});
