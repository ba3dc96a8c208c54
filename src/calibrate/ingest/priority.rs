//! Priority values as ticket systems write them, mapped to P1–P4.
//!
//! Order of the rules, first match wins: the user's `--priority-map`, the preset's own values,
//! generic German and English words, `P1`…`P4`, codes like `1 - Critical` or `3 high` by their
//! word, and bare numbers by the preset's scale (P1…P4 for 1…4 without a preset).

use crate::model::Priority;

use super::presets::Preset;

/// Generic words, lower case. Compound words are listed before their parts.
const WORDS: &[(&str, Priority)] = &[
    ("very high", Priority::P1),
    ("sehr hoch", Priority::P1),
    ("very low", Priority::P4),
    ("sehr niedrig", Priority::P4),
    ("kritisch", Priority::P1),
    ("critical", Priority::P1),
    ("urgent", Priority::P1),
    ("dringend", Priority::P1),
    ("emergency", Priority::P1),
    ("notfall", Priority::P1),
    ("highest", Priority::P1),
    ("blocker", Priority::P1),
    ("höchste", Priority::P1),
    ("hoch", Priority::P2),
    ("high", Priority::P2),
    ("wichtig", Priority::P2),
    ("mittel", Priority::P3),
    ("medium", Priority::P3),
    ("normal", Priority::P3),
    ("moderate", Priority::P3),
    ("niedrig", Priority::P4),
    ("gering", Priority::P4),
    ("low", Priority::P4),
    ("lowest", Priority::P4),
    ("planning", Priority::P4),
];

fn word(s: &str) -> Option<Priority> {
    WORDS.iter().find(|(w, _)| *w == s).map(|(_, p)| *p)
}

/// `P1`…`P4` (also `P 1`, `Prio 1`, `Priorität 1`).
fn p_code(s: &str) -> Option<Priority> {
    let digits = s
        .strip_prefix("priorität")
        .or_else(|| s.strip_prefix("priority"))
        .or_else(|| s.strip_prefix("prio"))
        .or_else(|| s.strip_prefix('p'))?
        .trim();
    match digits {
        "1" => Some(Priority::P1),
        "2" => Some(Priority::P2),
        "3" => Some(Priority::P3),
        "4" => Some(Priority::P4),
        _ => None,
    }
}

fn number(n: i64, preset: Option<&Preset>) -> Option<Priority> {
    match preset {
        Some(p) => p
            .priority_numbers
            .iter()
            .find(|(k, _)| *k == n)
            .map(|(_, p)| *p),
        None => Priority::ALL
            .get(usize::try_from(n).ok()?.checked_sub(1)?)
            .copied(),
    }
}

/// Maps one priority cell; `None` when nothing matches (the caller reports it).
pub(crate) fn map_priority(
    raw: &str,
    preset: Option<&Preset>,
    user: &[(String, Priority)],
) -> Option<Priority> {
    let t = raw.trim();
    if let Some((_, p)) = user.iter().find(|(v, _)| v.trim().eq_ignore_ascii_case(t)) {
        return Some(*p);
    }
    let s = t.to_lowercase();
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        return None;
    }
    if let Some(p) = preset.and_then(|p| p.priorities.iter().find(|(v, _)| *v == s)) {
        return Some(p.1);
    }
    if let Some(p) = word(&s).or_else(|| p_code(&s)) {
        return Some(p);
    }
    // "1 - Critical", "3 high", "2: Hoch": the word decides, as numbers run either way.
    let lead: String = s.chars().take_while(char::is_ascii_digit).collect();
    if !lead.is_empty() {
        let rest = s[lead.len()..]
            .trim_start_matches([' ', '-', ':', '.', '–'])
            .trim();
        if rest.is_empty() {
            return lead.parse().ok().and_then(|n| number(n, preset));
        }
        return word(rest);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::presets::find_preset;
    use super::*;
    use Priority::*;

    #[test]
    fn words_codes_and_scales() {
        for (s, p) in [
            ("Kritisch", P1),
            ("Hoch", P2),
            ("Mittel", P3),
            ("Normal", P3),
            ("Niedrig", P4),
            ("Critical", P1),
            ("High", P2),
            ("Medium", P3),
            ("Low", P4),
            ("Urgent", P1),
            ("1 - Critical", P1),
            ("3 - Moderate", P3),
            ("P2", P2),
            ("p4", P4),
            ("3", P3),
        ] {
            assert_eq!(map_priority(s, None, &[]), Some(p), "{s}");
        }
        let znuny = find_preset("znuny");
        assert_eq!(map_priority("5 very high", znuny, &[]), Some(P1));
        assert_eq!(map_priority("5", znuny, &[]), Some(P1));
        assert_eq!(map_priority("2 low", znuny, &[]), Some(P4));
        let autotask = find_preset("autotask");
        assert_eq!(map_priority("4", autotask, &[]), Some(P1));
        assert_eq!(map_priority("1", autotask, &[]), Some(P2));
        assert_eq!(map_priority("whenever", None, &[]), None);
        let user = [("whenever".to_string(), P4), ("High".to_string(), P1)];
        assert_eq!(map_priority("Whenever", None, &user), Some(P4));
        assert_eq!(map_priority("high", None, &user), Some(P1));
    }
}
