//! "Did you mean" suggestions by edit distance.

/// Levenshtein distance between two strings, by characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The closest candidate within a distance that scales with the word's length (a third of it,
/// at least 1), comparing case-insensitively first (`Name` -> `name`).
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let candidate = c.to_lowercase();
            let distance = if candidate == lower {
                0
            } else if candidate.starts_with(&lower) && lower.len() >= 3 {
                // A truncated word (`warn` for `warning`) is a near miss.
                1
            } else {
                edit_distance(word, c)
            };
            (distance, c)
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// ` (did you mean `x`?)`, or nothing.
pub fn hint<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(word, candidates)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(did_you_mean("rulez", ["rules", "exclude"]), Some("rules"));
        assert_eq!(did_you_mean("Name", ["name", "names"]), Some("name"));
        assert_eq!(
            did_you_mean("protocl", ["protocol", "port"]),
            Some("protocol")
        );
        assert_eq!(did_you_mean("zzz", ["rules"]), None);
        assert_eq!(did_you_mean("warn", ["info", "warning"]), Some("warning"));
    }
}
