//! "Did you mean" suggestions by edit distance.

/// Levenshtein distance between two strings, by characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = Vec::with_capacity(b.len() + 1);
    for (i, ca) in a.chars().enumerate() {
        // `left` is current[j]; each window of `previous` is (previous[j], previous[j + 1]).
        let mut left = i + 1;
        current.clear();
        current.push(left);
        for (cb, window) in b.iter().zip(previous.windows(2)) {
            let &[diagonal, up] = window else { continue };
            let substitution = diagonal + usize::from(ca != *cb);
            left = substitution.min(up + 1).min(left + 1);
            current.push(left);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous.last().copied().unwrap_or(0)
}

/// The edit distance between `a` and `b` when it is at most `limit`, else `None`, in
/// O(length x limit): only the diagonal band of the table that can stay within `limit` is
/// computed, and the computation stops as soon as a row exceeds it. For matching one name
/// against every name of a namespace, where nearly all candidates are far.
// Indexing is in range by construction, and this loop runs for every candidate name: both
// strings have at most 64 characters (checked below), the rows have 65 slots, `j` runs within
// `0..=b_len`, `i - 1 < a_len`, `j - 1 < b_len`, and `high + 1 <= b_len` when `high < b_len`.
#[allow(clippy::indexing_slicing)]
pub(crate) fn edit_distance_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    let mut a_buf = [0 as char; 64];
    let mut b_buf = [0 as char; 64];
    let (a_len, b_len) = (a.chars().count(), b.chars().count());
    if a_len.abs_diff(b_len) > limit {
        return None;
    }
    if a_len > a_buf.len() || b_len > b_buf.len() {
        // Long strings: the plain table (never the case for Kubernetes names, at most 63).
        return Some(edit_distance(a, b)).filter(|d| *d <= limit);
    }
    for (slot, c) in a_buf.iter_mut().zip(a.chars()) {
        *slot = c;
    }
    for (slot, c) in b_buf.iter_mut().zip(b.chars()) {
        *slot = c;
    }
    let (a, b) = (&a_buf[..a_len], &b_buf[..b_len]);
    let far = limit + 1;
    // previous[j]: distance between a[..i] and b[..j], capped at `far`.
    let (mut previous_row, mut current_row) = ([0usize; 65], [0usize; 65]);
    let (mut previous, mut current) = (&mut previous_row, &mut current_row);
    for (j, slot) in previous.iter_mut().enumerate().take(b_len + 1) {
        *slot = j.min(far);
    }
    for i in 1..=a_len {
        let low = i.saturating_sub(limit).max(1);
        let high = (i + limit).min(b_len);
        current[0] = i.min(far);
        if low > 1 {
            current[low - 1] = far;
        }
        let mut row_min = current[0];
        for j in low..=high {
            let substitution = previous[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let value = substitution
                .min(previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(far);
            current[j] = value;
            row_min = row_min.min(value);
        }
        if high < b_len {
            current[high + 1] = far;
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    Some(previous[b_len]).filter(|d| *d <= limit)
}

/// The closest candidate within a distance that scales with the word's length (a third of it,
/// at least 1), comparing case-insensitively first (`Name` -> `name`).
pub(crate) fn did_you_mean<'a>(
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
pub(crate) fn hint<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(word, candidates)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

/// The nearest of `ids` (hyphenated rule ids) to `word`: by edit distance ([`did_you_mean`]),
/// else the shortest id holding every word of `word` in order (`latest-tag` ->
/// `latest-image-tag`, `liveness` -> `missing-liveness-probe`).
pub(crate) fn nearest_id<'a>(
    word: &str,
    ids: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let ids: Vec<&'a str> = ids.into_iter().collect();
    if let Some(id) = did_you_mean(word, ids.iter().copied()) {
        return Some(id);
    }
    let lower = word.to_lowercase();
    let words: Vec<&str> = lower
        .split(['-', '_', ' '])
        .filter(|w| w.len() >= 3)
        .collect();
    if words.is_empty() {
        return None;
    }
    ids.into_iter()
        .filter(|id| {
            let mut parts = id.split('-');
            words
                .iter()
                .all(|w| parts.any(|p| p == *w || p.starts_with(*w)))
        })
        .min_by_key(|id| (id.len(), *id))
}

/// ` (did you mean `x`?)` with [`nearest_id`], or nothing.
pub(crate) fn id_hint<'a>(word: &str, ids: impl IntoIterator<Item = &'a str>) -> String {
    nearest_id(word, ids)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_suggested_by_their_words() {
        let ids = [
            "latest-image-tag",
            "missing-liveness-probe",
            "image-pull-policy",
        ];
        assert_eq!(nearest_id("latest-tag", ids), Some("latest-image-tag"));
        assert_eq!(nearest_id("liveness", ids), Some("missing-liveness-probe"));
        assert_eq!(nearest_id("latest-imge-tag", ids), Some("latest-image-tag"));
        assert_eq!(nearest_id("zzz", ids), None);
    }

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

    /// The banded distance agrees with the full table wherever the distance is within the
    /// limit, and says `None` exactly where it is not.
    #[test]
    fn bounded_distance_agrees_with_the_full_table() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "kitten",
            "sitting",
            "checkout-db",
            "chekout-db",
            "checkout-dbs",
            "frontend",
            "fronted",
            "password",
            "pasword",
            "passwrod",
            "ü-name",
            "u-name",
            "redis-0",
            "redis-10",
            "x".repeat(70).leak(),
        ];
        let mut compared = 0;
        for a in words {
            for b in words {
                let full = edit_distance(a, b);
                for limit in 0..4 {
                    let banded = edit_distance_within(a, b, limit);
                    assert_eq!(banded, (full <= limit).then_some(full), "{a} {b} {limit}");
                    compared += 1;
                }
            }
        }
        assert_eq!(compared, 21 * 21 * 4);
    }
}
