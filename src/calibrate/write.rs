//! The calibrated scenario: the starter of `covsim init` ([`crate::scenario::STARTER`]) with
//! its `[[categories]]` replaced by the calibrated ones, every calibrated key commented with
//! its evidence (period, n, fitted family, AIC, fit statistic).
//!
//! The starter's text is reused, not copied: its company, simulation, profiles, people, MSP,
//! emergency, costs, setups and report sections come through with their comments, so the
//! calibrated file reads like the starter a consultant already knows. Only what an export can
//! tell is replaced; what it cannot tell (skill, on-site share, users affected, productivity
//! loss, knowledge; the company's PCs and users) keeps the starter's defaults and is marked
//! `E: not in the export, adjust`.

use std::fmt::Write as _;

use crate::calibrate::{
    Calibration, CategoryEstimate, EffortFit, EffortSource, Family, IngestReport,
};
use crate::dist::DistSpec;
use crate::model::{Priority, Skill};
use crate::scenario::STARTER;
use crate::scenario::defaults;

/// The mark of every key whose value does not come from the export.
pub const NOT_IN_EXPORT: &str = "E: not in the export, adjust";

/// Column where the comment after a key starts (as in the starter).
const COMMENT_COL: usize = 33;

/// A complete scenario calibrated from one export: the starter's company, people, setups,
/// costs and report with the calibrated `[[categories]]`. `source` is the export's file name
/// as the user gave it (only its last path component is written).
///
/// The result loads with [`crate::scenario::from_str`] whenever the calibration's numbers are
/// finite and in the ranges of `scenarios/README.md` (rates ≥ 0, factors 0–1000, effort
/// parameters > 0), which estimation guarantees.
pub fn scenario_toml(cal: &Calibration, ingest: &IngestReport, source: &str) -> String {
    let file = file_name(source);
    let parts = starter_parts();
    let mut out = String::with_capacity(STARTER.len() + 1500 * cal.categories.len());
    header(&mut out, cal, ingest, &file);
    for line in parts.before.lines() {
        let key = line.split('=').next().unwrap_or("").trim();
        match key {
            "name" if line.starts_with("name") => {
                let _ = writeln!(
                    out,
                    "name = {}",
                    toml_str(&format!("Calibrated from {file}"))
                );
            }
            "pcs" | "users" => {
                let assignment = line.split('#').next().unwrap_or(line).trim_end();
                let _ = writeln!(
                    out,
                    "{}",
                    commented(assignment, &format!("{NOT_IN_EXPORT} (starter's value)"))
                );
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    categories(&mut out, cal);
    out.push_str(parts.after);
    out
}

/// The starter split around its tickets section.
struct StarterParts {
    /// From `name = …` to the tickets section.
    before: &'static str,
    /// From the first section after the last category to the end.
    after: &'static str,
}

/// Splits the starter at its `[[categories]]`: the tickets section starts at its `# --- Tickets`
/// rule (or the first `[[categories]]`) and ends before the comments that lead to the next
/// table. Found by structure, not by line numbers, so edits to the starter keep working.
fn starter_parts() -> StarterParts {
    let text = STARTER;
    let mut offsets = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        offsets.push((pos, line));
        pos += line.len();
    }
    let name = offsets
        .iter()
        .position(|(_, l)| l.starts_with("name"))
        .unwrap_or(0);
    let first_cat = offsets
        .iter()
        .position(|(_, l)| l.trim_start().starts_with("[[categories]]"))
        .expect("the starter has categories");
    let start = offsets
        .iter()
        .position(|(_, l)| l.starts_with("# --- Tickets"))
        .filter(|&i| i < first_cat)
        .unwrap_or(first_cat);
    let next_table = offsets
        .iter()
        .enumerate()
        .skip(first_cat + 1)
        .find(|(_, (_, l))| {
            let t = l.trim_start();
            t.starts_with('[') && !t.starts_with("[[categories]]")
        })
        .map_or(offsets.len(), |(i, _)| i);
    // Walk back over the comments and blank lines that introduce the next table.
    let mut end = next_table;
    while end > first_cat {
        let t = offsets[end - 1].1.trim();
        if t.is_empty() || t.starts_with('#') {
            end -= 1;
        } else {
            break;
        }
    }
    let at = |i: usize| offsets.get(i).map_or(text.len(), |(p, _)| *p);
    StarterParts {
        before: &text[at(name)..at(start)],
        after: &text[at(end)..],
    }
}

/// The last path component of `source` (a path may name the client's folders).
fn file_name(source: &str) -> String {
    source
        .rsplit(['/', '\\'])
        .find(|s| !s.is_empty())
        .unwrap_or(source)
        .to_string()
}

/// A TOML basic string.
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A number as TOML: six significant digits (the estimates' own precision is far coarser),
/// no exponent, trailing zeros dropped.
pub(crate) fn num(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return "0".into();
    }
    let digits = (5 - x.abs().log10().floor() as i32).clamp(0, 15) as usize;
    let s = format!("{x:.digits$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// A number for comments: readable, not for machines.
fn short(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// `key = value` padded to the comment column, then `# comment`.
fn commented(assignment: &str, comment: &str) -> String {
    let pad = COMMENT_COL
        .saturating_sub(assignment.chars().count())
        .max(1);
    format!("{assignment}{}# {comment}", " ".repeat(pad))
}

fn header(out: &mut String, cal: &Calibration, ingest: &IngestReport, file: &str) {
    let tickets: u64 = cal.categories.iter().map(|c| c.n).sum();
    let problems: u64 = ingest.problems.iter().map(|p| p.count).sum();
    let used: Vec<String> = ingest
        .columns_used
        .iter()
        .map(|(field, col)| format!("{field} = {col:?}"))
        .collect();
    let _ = writeln!(
        out,
        "# covsim scenario calibrated from the ticket export {file:?} by `covsim calibrate`\n\
         # (covsim {}).\n#\n\
         # Export: {file}, preset {}, period {} to {} ({} years),\n\
         # {tickets} tickets in {} categories; {} rows read, {problems} rows or cells not used\n\
         # (reasons in the calibration report).",
        env!("CARGO_PKG_VERSION"),
        if ingest.preset.is_empty() {
            "none"
        } else {
            &ingest.preset
        },
        cal.period.0,
        cal.period.1,
        short(cal.years),
        cal.categories.len(),
        ingest.rows,
    );
    out.push_str("# Columns read (no others were read at all):\n");
    for chunk in wrap_list(&used, 92) {
        let _ = writeln!(out, "#   {chunk}");
    }
    out.push_str(
        "# No free text (subjects, descriptions, comments) and no personal data (names, e-mail\n\
         # addresses, ticket ids) were read into this file.\n\
         #\n\
         # The [[categories]] below are calibrated: each key's comment gives the period, the\n\
         # number of tickets n, the fitted family, its AIC (and the runners-up) and the fit\n\
         # statistic. Keys marked \"E: not in the export, adjust\" are the starter's defaults:\n\
         # ask the client. Everything outside [[categories]] is the starter of `covsim init`\n\
         # (a 50-PC company): adapt company, people, setups and costs to the client.\n\
         # Then: `covsim validate FILE`, `covsim backtest FILE EXPORT --setup NAME`, `covsim run FILE`.\n\
         # Every key is documented in scenarios/README.md.\n\n",
    );
}

/// Items joined with ", " into lines of at most `width` characters.
fn wrap_list(items: &[String], width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for it in items {
        if !cur.is_empty() && cur.len() + 2 + it.len() > width {
            lines.push(std::mem::take(&mut cur) + ",");
        }
        if !cur.is_empty() {
            cur.push_str(", ");
        }
        cur.push_str(it);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Scenario ids: letters, digits, '-' and '_' (validation's rule), unique.
fn scenario_ids(cal: &Calibration) -> Vec<String> {
    let mut ids: Vec<String> = Vec::with_capacity(cal.categories.len());
    for c in &cal.categories {
        let mut id: String =
            c.id.chars()
                .map(|ch| {
                    if ch.is_ascii_alphanumeric() || ch == '-' || ch == '_' {
                        ch
                    } else {
                        '-'
                    }
                })
                .collect();
        if id.is_empty() {
            id = format!("category-{}", c.priority.label().to_lowercase());
        }
        let base = id.clone();
        let mut k = 2;
        while ids.contains(&id) {
            id = format!("{base}-{k}");
            k += 1;
        }
        ids.push(id);
    }
    ids
}

fn categories(out: &mut String, cal: &Calibration) {
    out.push_str(
        "# --- Tickets (calibrated) -------------------------------------------------------------------\n",
    );
    let _ = writeln!(
        out,
        "# One category per category x priority of the export, {} to {} ({} years).\n\
         # Rates are per company and year (tickets / years observed) with their 95 % CI;\n\
         # weekday and month factors are the shares of tickets created per weekday or month,\n\
         # relative to their mean; efforts are fitted by maximum likelihood (open tickets enter\n\
         # as right-censored) and chosen by AIC.",
        cal.period.0,
        cal.period.1,
        short(cal.years)
    );
    if !cal.merged.is_empty() {
        let merged: Vec<String> = cal
            .merged
            .iter()
            .map(|(c, p, n)| format!("{c:?} {} ({n})", p.label()))
            .collect();
        out.push_str("# Merged into \"other\" below the minimum count:\n");
        for line in wrap_list(&merged, 92) {
            let _ = writeln!(out, "#   {line}");
        }
    }
    let missing = months_not_covered(cal);
    let ids = scenario_ids(cal);
    for (c, id) in cal.categories.iter().zip(&ids) {
        out.push('\n');
        category(out, cal, c, id, &missing);
    }
}

/// Months (1–12) with no day inside the observation period.
fn months_not_covered(cal: &Calibration) -> Vec<u32> {
    use chrono::Datelike;
    let (from, to) = cal.period;
    let mut seen = [false; 12];
    let mut d = from;
    while d <= to && !seen.iter().all(|s| *s) {
        seen[d.month0() as usize] = true;
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    (1..=12).filter(|m| !seen[*m as usize - 1]).collect()
}

fn list(xs: &[f64]) -> String {
    let v: Vec<String> = xs.iter().map(|x| num(*x)).collect();
    format!("[{}]", v.join(", "))
}

fn category(out: &mut String, cal: &Calibration, c: &CategoryEstimate, id: &str, missing: &[u32]) {
    let period = format!("{} to {}", cal.period.0, cal.period.1);
    let _ = writeln!(
        out,
        "# {:?}, {}: {} tickets in {period}.",
        c.label,
        c.priority.label(),
        c.n
    );
    let _ = writeln!(out, "[[categories]]");
    let _ = writeln!(out, "id = {}", toml_str(id));
    let _ = writeln!(
        out,
        "{}",
        commented(
            &format!("tickets_per_year = {}", num(c.tickets_per_year)),
            &format!(
                "per company: n = {} in {} years, 95 % CI {}-{}",
                c.n,
                short(cal.years),
                short(c.rate_ci.0),
                short(c.rate_ci.1)
            )
        )
    );
    let _ = writeln!(
        out,
        "{}",
        commented(
            &format!(
                "arrivals = \"{}\"",
                if c.business_hours {
                    "business"
                } else {
                    "always"
                }
            ),
            &format!(
                "{} of the n = {} created outside business hours",
                pct(c.share_outside_hours),
                c.n
            )
        )
    );
    let months_note = if missing.is_empty() {
        String::new()
    } else {
        let m: Vec<String> = missing.iter().map(u32::to_string).collect();
        format!(
            ";\n#   months {} are not in the period (no data)",
            m.join(", ")
        )
    };
    let _ = writeln!(
        out,
        "# Weekday (Mon-Sun) and month (Jan-Dec) factors: the n = {} tickets per weekday or month\n\
         # relative to their mean, {period}{months_note}.\n\
         weekday_factors = {}\nmonth_factors = {}",
        c.n,
        list(&c.weekday_factors),
        list(&c.month_factors),
    );
    let _ = writeln!(
        out,
        "{}",
        commented(
            &format!("priority = \"{}\"", c.priority.label()),
            "from the export's priority (mapping in the calibration report)"
        )
    );
    effort(out, &c.effort, &period);
    not_in_export(out, c.priority);
}

fn pct(share: f64) -> String {
    format!("{:.1} %", share * 100.0)
}

fn family_name(f: Family) -> &'static str {
    match f {
        Family::Exponential => "exponential",
        Family::LogNormal => "lognormal",
        Family::Gamma => "gamma",
        Family::Weibull => "weibull",
        Family::Empirical => "empirical",
    }
}

fn effort(out: &mut String, e: &EffortFit, period: &str) {
    let _ = writeln!(
        out,
        "# effort_h: n = {} ({} censored: still open at export), {period},",
        e.n, e.censored
    );
    out.push_str(match e.source {
        EffortSource::TimeWorked => "#   from the time-worked column.\n",
        EffortSource::ResolutionUpperBound => {
            "#   UPPER BOUND: from resolution times in business hours (the export has no time-worked\n\
             #   column; waiting is included, so the true effort is lower).\n"
        }
    });
    let chosen = e.candidates.iter().find(|f| f.family == e.chosen);
    let best_aic = e
        .candidates
        .iter()
        .map(|f| f.aic)
        .filter(|a| a.is_finite())
        .fold(f64::INFINITY, f64::min);
    match (e.chosen, chosen) {
        (Family::Empirical, _) => {
            let _ = writeln!(
                out,
                "#   No family fits (goodness of fit rejected every one): the empirical distribution."
            );
        }
        (f, Some(fit)) => {
            let _ = writeln!(
                out,
                "#   Fitted family: {} (maximum likelihood), AIC {:.1}, log-likelihood {:.1}.",
                family_name(f),
                fit.aic,
                fit.log_likelihood
            );
        }
        (f, None) => {
            let _ = writeln!(
                out,
                "#   Fitted family: {} (maximum likelihood).",
                family_name(f)
            );
        }
    }
    let others: Vec<String> = e
        .candidates
        .iter()
        .filter(|f| f.family != e.chosen)
        .map(|f| {
            format!(
                "{} AIC {:.1} (+{:.1})",
                family_name(f.family),
                f.aic,
                f.aic - best_aic
            )
        })
        .collect();
    if !others.is_empty() {
        let head = if e.chosen == Family::Empirical {
            "Families tried"
        } else {
            "Runners-up"
        };
        let lines = wrap_list(&others, 80);
        for (i, line) in lines.iter().enumerate() {
            let end = if i + 1 == lines.len() { "." } else { "" };
            if i == 0 {
                let _ = writeln!(out, "#   {head}: {line}{end}");
            } else {
                let _ = writeln!(out, "#     {line}{end}");
            }
        }
    }
    if let Some(g) = &e.gof {
        let _ = writeln!(
            out,
            "#   Fit: {} = {:.3}, p = {:.3} (parametric bootstrap, {} samples).",
            g.statistic, g.value, g.p_value, g.bootstrap
        );
    }
    let _ = writeln!(out, "effort_h = {}", dist_toml(&e.dist));
}

/// A distribution as the scenario's inline table.
pub(crate) fn dist_toml(d: &DistSpec) -> String {
    match d {
        DistSpec::Fixed { value } => format!("{{ dist = \"fixed\", value = {} }}", num(*value)),
        DistSpec::Exponential { mean } => {
            format!("{{ dist = \"exponential\", mean = {} }}", num(*mean))
        }
        DistSpec::LogNormalMedianP90 { median, p90 } => format!(
            "{{ dist = \"lognormal\", median = {}, p90 = {} }}",
            num(*median),
            num(*p90)
        ),
        DistSpec::LogNormalMeanSd { mean, sd } => format!(
            "{{ dist = \"lognormal\", mean = {}, sd = {} }}",
            num(*mean),
            num(*sd)
        ),
        DistSpec::Gamma { mean, sd } => format!(
            "{{ dist = \"gamma\", mean = {}, sd = {} }}",
            num(*mean),
            num(*sd)
        ),
        DistSpec::Weibull { shape, scale } => format!(
            "{{ dist = \"weibull\", shape = {}, scale = {} }}",
            num(*shape),
            num(*scale)
        ),
        DistSpec::Uniform { min, max } => format!(
            "{{ dist = \"uniform\", min = {}, max = {} }}",
            num(*min),
            num(*max)
        ),
        DistSpec::Triangular { min, mode, max } => format!(
            "{{ dist = \"triangular\", min = {}, mode = {}, max = {} }}",
            num(*min),
            num(*mode),
            num(*max)
        ),
        DistSpec::Empirical { bins } => {
            // Shares are written rounded; the last takes the remainder so that the written
            // shares sum to 1 within validation's 1e-6 whatever the number of bins.
            let mut s = String::from("{ dist = \"empirical\", bins = [\n");
            let mut written = 0.0_f64;
            for (i, (share, bin)) in bins.iter().enumerate() {
                let share = if i + 1 == bins.len() {
                    (1.0 - written).max(0.0)
                } else {
                    (share * 1e6).round() / 1e6
                };
                written += share;
                let inner = dist_toml(bin);
                let inner = inner.trim_start_matches("{ ");
                let _ = writeln!(s, "    {{ share = {}, {inner},", num_share(share));
            }
            s.push_str("] }");
            s
        }
    }
}

/// A share with up to 6 decimals (no significant-digit rounding: the sum must stay 1).
fn num_share(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() { "0".into() } else { s.into() }
}

/// The keys an export cannot give: the scenario's defaults per priority, marked.
fn not_in_export(out: &mut String, p: Priority) {
    let skill = Skill::Admin;
    let users = if p == Priority::P1 { "\"all\"" } else { "1" };
    let lines = [
        ("skill = \"admin\"".to_string(), NOT_IN_EXPORT.to_string()),
        (
            format!("onsite_probability = {}", num(defaults::ONSITE_PROBABILITY)),
            NOT_IN_EXPORT.to_string(),
        ),
        (
            format!("users_affected = {users}"),
            NOT_IN_EXPORT.to_string(),
        ),
        (
            format!(
                "productivity_loss = {}",
                num(defaults::productivity_loss(p))
            ),
            NOT_IN_EXPORT.to_string(),
        ),
        (
            format!(
                "knowledge_probability = {}",
                num(defaults::knowledge_probability(skill))
            ),
            NOT_IN_EXPORT.to_string(),
        ),
    ];
    for (a, c) in lines {
        let _ = writeln!(out, "{}", commented(&a, &c));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_valid_toml_with_six_significant_digits() {
        assert_eq!(num(412.345678), "412.346");
        assert_eq!(num(0.000123456789), "0.000123457");
        assert_eq!(num(2.0), "2");
        assert_eq!(num(1234567.0), "1234567");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num_share(0.1), "0.1");
    }

    #[test]
    fn the_starter_splits_around_its_categories() {
        let p = starter_parts();
        assert!(p.before.starts_with("name = "));
        assert!(!p.before.contains("[[categories]]"));
        assert!(p.before.contains("[simulation]"));
        assert!(!p.after.contains("[[categories]]"));
        assert!(p.after.contains("[profiles.it-admin]"));
        assert!(p.after.contains("[[setups]]"));
        // The comment that introduces the profiles comes along with them.
        assert!(p.after.trim_start().starts_with("# --- Absence"));
    }

    #[test]
    fn file_names_drop_folders() {
        assert_eq!(file_name("/home/x/Kunde/export.csv"), "export.csv");
        assert_eq!(file_name("C:\\Kunde\\export.xlsx"), "export.xlsx");
        assert_eq!(toml_str("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000A\"");
    }
}
