//! "Did you mean …?": the closest valid name to a misspelt key, id or keyword.

/// The candidate closest to `word`, if any is close enough to be a plausible typo.
///
/// A case-insensitive exact match wins (`p1` → `P1`). Otherwise the candidate with the highest
/// Jaro–Winkler similarity is taken if it reaches 0.8, or if it is within an edit distance of
/// about a third of the word's length: Jaro–Winkler favours shared prefixes (`respons_h` →
/// `response_h`), the edit distance catches swaps in short ids (`bne` → `ben`). Ties go to
/// the earlier candidate, so suggestions are deterministic.
pub(crate) fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = word.to_lowercase();
    let mut best: Option<(&'a str, f64)> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        let cl = c.to_lowercase();
        if cl == lower {
            return Some(c);
        }
        let jw = strsim::jaro_winkler(&lower, &cl);
        let dl = strsim::damerau_levenshtein(&lower, &cl);
        let limit = lower.chars().count().max(cl.chars().count()) / 3;
        if (jw >= 0.8 || dl <= limit) && best.is_none_or(|(_, s)| jw > s) {
            best = Some((c, jw));
        }
    }
    best.map(|(c, _)| c)
}

/// A hint naming the closest candidate, or else listing all of them (when there are few).
pub(crate) fn hint<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
    I::IntoIter: Clone,
{
    let it = candidates.into_iter();
    if let Some(c) = closest(word, it.clone()) {
        return Some(format!("did you mean '{c}'?"));
    }
    let all: Vec<&str> = it.collect();
    match all.len() {
        0 => None,
        1..=12 => Some(format!("expected one of: {}", all.join(", "))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys() {
        let keys = ["response_h", "resolution_h", "travel_h", "technicians"];
        assert_eq!(closest("respons_h", keys), Some("response_h"));
        assert_eq!(closest("resolution", keys), Some("resolution_h"));
        assert_eq!(closest("technician", keys), Some("technicians"));
        assert_eq!(closest("xyz", keys), None);
    }

    #[test]
    fn suggests_close_ids_and_ignores_case() {
        assert_eq!(closest("anan", ["anna", "ben", "karl"]), Some("anna"));
        assert_eq!(closest("bne", ["anna", "ben", "karl"]), Some("ben"));
        assert_eq!(closest("silvr", ["silver", "gold"]), Some("silver"));
        assert_eq!(closest("p1", ["P1", "P2"]), Some("P1"));
        assert_eq!(closest("mallory", ["anna", "ben"]), None);
    }

    #[test]
    fn hint_lists_short_candidate_lists() {
        assert_eq!(
            hint("netwrok", ["basic", "network"]).as_deref(),
            Some("did you mean 'network'?")
        );
        assert_eq!(
            hint("zzz", ["business", "always"]).as_deref(),
            Some("expected one of: business, always")
        );
        assert_eq!(hint("zzz", Vec::<&str>::new()), None);
    }
}
