//! The self-contained HTML report of a run: a plain-language reading of the numbers, the
//! charts (inline SVG), the summary table with confidence intervals, the paired comparison
//! and the key assumptions of the scenario. No scripts, no network; print CSS puts every
//! chart on a page of its own.
//!
//! Deterministic: the same files and charts give the same bytes (no timestamps).

use std::fmt::Write as _;

use super::charts::data::{RunData, Summary};
use super::charts::{CHARTS, ChartError, setup_color};
use super::horizon::Horizon;
use super::i18n::Lang;
use super::table::{check_target, target_stat};
use crate::model::{Role, Target, TargetBound, TargetStat, Tier};

/// Metrics of the summary table, in order.
const TABLE_METRICS: [&str; 12] = [
    "user_hours_lost",
    "outage_bh",
    "backlog_max",
    "response_p1_p95_bh",
    "resolution_p2_p95_bh",
    "coverage_share",
    "uncovered_bh",
    "longest_gap_days",
    "cost_it_eur",
    "cost_downtime_eur",
    "cost_total_eur",
    "cost_per_pc_month_eur",
];

/// Renders `report.html` from the files of a run folder and the charts returned by
/// [`super::charts::render_charts`] (the SVGs are inlined; PNGs are ignored).
pub fn render_report(
    files: &[(&str, Vec<u8>)],
    charts: &[(String, Vec<u8>)],
    lang: Lang,
) -> Result<Vec<u8>, ChartError> {
    let d = RunData::parse(files)?;
    let l = lang;
    let mut h = String::new();
    let title = format!(
        "{} — {}",
        l.pick("IT support coverage", "IT-Betreuung im Vergleich"),
        d.scenario_name
    );
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        l.code(),
        esc(&title)
    );
    let _ = writeln!(h, "<h1>{}</h1>", esc(&title));
    let _ = writeln!(
        h,
        "<p class=\"meta\">{} · {} {} · {} {} · {} {} · covsim {}</p>",
        esc(&d.scenario_name),
        l.num((d.replications * d.years) as f64, 0),
        l.pick("simulated years", "simulierte Jahre"),
        l.pick("seed", "Seed"),
        d.seed,
        l.pick("baseline", "Bezugsmodell"),
        esc(&d.baseline),
        esc(&d.version)
    );
    let horizon = Horizon::new(d.years);
    if let Some(note) = horizon.note(l) {
        let _ = writeln!(h, "<p class=\"note\">{}</p>", esc(&note));
    }

    // Reading.
    let _ = writeln!(
        h,
        "<section class=\"reading\">\n<h2>{}</h2>",
        l.pick("What the numbers say", "Was die Zahlen sagen")
    );
    h.push_str(&reading(&d, l, &target_reading(files, &d, l)?)?);
    h.push_str("</section>\n");

    // Summary table.
    let _ = writeln!(
        h,
        "<section>\n<h2>{}</h2>\n<p class=\"note\">{}</p>",
        l.pick("Results per setup", "Ergebnisse je Betreuungsmodell"),
        if horizon.is_year() {
            l.pick(
                "Mean per simulated year, below it its 95 % confidence interval and the value of a bad year: one year in twenty is worse (P95; P5 for coverage, where more is better).",
                "Mittelwert pro simuliertem Jahr, darunter sein 95-%-Konfidenzintervall und der Wert eines schlechten Jahres: eines von zwanzig ist schlechter (P95; P5 bei der Abdeckung, wo mehr besser ist)."
            ).to_string()
        } else {
            match l {
                Lang::En => format!(
                    "Mean per simulated year, below it its 95 % confidence interval and the value of {}: {} is worse (P95; P5 for coverage, where more is better).",
                    horizon.bad(l),
                    horizon.one_in(l, 20)
                ),
                Lang::De => format!(
                    "Mittelwert pro simuliertem Jahr, darunter sein 95-%-Konfidenzintervall und der Wert in einem schlechten {}: {} ist schlechter (P95; P5 bei der Abdeckung, wo mehr besser ist).",
                    horizon.unit(l),
                    horizon.one_in(l, 20)
                ),
            }
        }
    );
    h.push_str(&summary_table(&d, l)?);
    h.push_str("</section>\n");

    // Comparison.
    if d.setups.len() > 1 {
        let _ = writeln!(
            h,
            "<section>\n<h2>{} {}</h2>\n<p class=\"note\">{}</p>",
            l.pick("Difference against", "Unterschied zu"),
            esc(&quote(l, &d.baseline)),
            l.pick(
                "Paired differences (setup minus baseline) in the same simulated years — same incidents, same absences — with 95 % confidence intervals. An interval that does not contain 0 is a clear difference.",
                "Gepaarte Differenzen (Modell minus Bezugsmodell) in denselben simulierten Jahren – gleiche Störungen, gleiche Abwesenheiten – mit 95-%-Konfidenzintervall. Ein Intervall, das die 0 nicht enthält, ist ein klarer Unterschied."
            )
        );
        h.push_str(&comparison_table(&d, l));
        h.push_str("</section>\n");
    }

    // Charts.
    for name in CHARTS {
        let file = format!("{name}.svg");
        if let Some((_, svg)) = charts.iter().find(|(n, _)| *n == file) {
            let svg = String::from_utf8_lossy(svg);
            let svg = match svg.find("<svg") {
                Some(i) => &svg[i..],
                None => &svg[..],
            };
            let _ = writeln!(h, "<figure class=\"chart\">\n{svg}\n</figure>");
        }
    }

    // Assumptions.
    let _ = writeln!(
        h,
        "<section class=\"assumptions\">\n<h2>{}</h2>",
        l.pick(
            "Key assumptions of the scenario",
            "Wichtige Annahmen des Szenarios"
        )
    );
    h.push_str(&assumptions(&d, l));
    h.push_str("</section>\n");
    let _ = writeln!(
        h,
        "<footer>{} covsim {} · {} · {} {} · {} {}</footer>\n</main>\n</body>\n</html>",
        l.pick("Made with", "Erstellt mit"),
        esc(&d.version),
        esc(&d.scenario_name),
        l.num(d.replications as f64, 0),
        l.pick("replications", "Replikationen"),
        l.pick("seed", "Seed"),
        d.seed
    );
    Ok(h.into_bytes())
}

pub(crate) const CSS: &str = "
:root { --ink: #222; --grey: #666; --rule: #ddd; }
body { font-family: 'Noto Sans', 'Open Sans', 'Helvetica Neue', Arial, sans-serif; color: var(--ink);
  margin: 0; background: #fff; line-height: 1.45; }
main { max-width: 1200px; margin: 0 auto; padding: 32px 40px; }
h1 { font-size: 2rem; margin: 0 0 4px; }
h2 { font-size: 1.4rem; margin: 32px 0 10px; border-bottom: 2px solid var(--rule); padding-bottom: 4px; }
h3 { font-size: 1.1rem; margin: 18px 0 6px; }
.meta, .note, footer { color: var(--grey); font-size: 0.95rem; }
.reading p { font-size: 1.1rem; margin: 8px 0; }
.reading li { font-size: 1.05rem; margin: 4px 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; margin: 8px 0 4px; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--rule); text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
thead th { border-bottom: 2px solid var(--ink); }
td small { color: var(--grey); display: block; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 6px; vertical-align: baseline; }
.clear { font-weight: 600; }
.reading p.target { border-left: 4px solid var(--ink); padding: 4px 0 4px 12px; }
figure.chart { margin: 28px 0; }
figure.chart svg { width: 100%; height: auto; display: block; border: 1px solid var(--rule); }
footer { margin-top: 40px; border-top: 1px solid var(--rule); padding-top: 8px; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  table, tr { break-inside: avoid; }
  figure.chart { break-before: page; break-inside: avoid; margin: 0; }
  figure.chart svg { border: none; max-height: 180mm; }
  section.assumptions { break-before: page; }
}
";

/// HTML-escaped text.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn quote(l: Lang, s: &str) -> String {
    match l {
        Lang::En => format!("“{s}”"),
        Lang::De => format!("„{s}“"),
    }
}

/// A value of a metric for reading: shares as percentages.
fn value(l: Lang, metric: &str, x: f64) -> String {
    if metric.ends_with("_share") {
        l.pct(x, 1)
    } else {
        l.num(x, decimals(x))
    }
}

fn decimals(x: f64) -> usize {
    if x.abs() >= 100.0 { 0 } else { 1 }
}

fn swatch(i: usize) -> String {
    let c = setup_color(i);
    format!(
        "<span class=\"swatch\" style=\"background:#{:02x}{:02x}{:02x}\"></span>",
        c.0, c.1, c.2
    )
}

fn reading(d: &RunData, l: Lang, target: &str) -> Result<String, ChartError> {
    let mut h = String::new();
    let horizon = Horizon::new(d.years);
    let uhl: Vec<&Summary> = d
        .setups
        .iter()
        .map(|s| d.summary(s, "user_hours_lost"))
        .collect::<Result<_, _>>()?;
    let gap: Vec<&Summary> = d
        .setups
        .iter()
        .map(|s| d.summary(s, "longest_gap_days"))
        .collect::<Result<_, _>>()?;
    h.push_str("<ul>\n");
    for (i, s) in d.setups.iter().enumerate() {
        let u = uhl[i];
        let g = gap[i];
        let text = match l {
            Lang::En => format!(
                "With <b>{}</b>, the company loses {} user-hours a year on average (95 % CI {} to {}); {twenty} it loses more than <b>{}</b>{per_year}. The longest stretch with nobody qualified present is {} days on average, and longer than {} days {twenty}.",
                esc(s),
                l.num(u.mean, 0),
                l.num(u.mean_lo, 0),
                l.num(u.mean_hi, 0),
                l.num(u.p95, 0),
                l.num(g.mean, 1),
                l.num(g.p95, 1),
                twenty = horizon.in_one_out_of(l, "twenty", "zwanzig"),
                per_year = if horizon.is_year() { "" } else { " a year" }
            ),
            Lang::De => format!(
                "Mit <b>{}</b> verliert das Unternehmen im Mittel {} Arbeitsstunden pro Jahr (95-%-KI {} bis {}); {twenty} sind es mehr als <b>{}</b>{per_year}. Die längste Zeit ohne qualifizierte Person dauert im Mittel {} Tage, {twenty} länger als {} Tage.",
                esc(s),
                l.num(u.mean, 0),
                l.num(u.mean_lo, 0),
                l.num(u.mean_hi, 0),
                l.num(u.p95, 0),
                l.num(g.mean, 1),
                l.num(g.p95, 1),
                twenty = horizon.in_one_out_of(l, "twenty", "zwanzig"),
                per_year = if horizon.is_year() { "" } else { " pro Jahr" }
            ),
        };
        let _ = writeln!(h, "<li>{}{text}</li>", swatch(i));
    }
    h.push_str("</ul>\n");
    h.push_str(target);
    // The setup with the fewest user-hours lost against the baseline.
    let best = (0..d.setups.len())
        .min_by(|&a, &b| uhl[a].mean.total_cmp(&uhl[b].mean))
        .unwrap_or(0);
    let diff = d
        .comparison
        .iter()
        .find(|x| x.setup == d.setups[best] && x.metric == "user_hours_lost");
    if let Some(x) = diff {
        let clear = x.hi < 0.0 || x.lo > 0.0;
        let text = match l {
            Lang::En => format!(
                "<b>{}</b> loses the fewest user-hours: {} a year fewer than {} in the same simulated years (95 % CI {} to {}){}.",
                esc(&d.setups[best]),
                l.num(-x.mean, 0),
                esc(&quote(l, &d.baseline)),
                l.num(-x.hi, 0),
                l.num(-x.lo, 0),
                if clear {
                    ", a clear difference"
                } else {
                    "; the interval includes no difference, so the simulation cannot tell them apart"
                }
            ),
            Lang::De => format!(
                "<b>{}</b> verliert die wenigsten Arbeitsstunden: {} pro Jahr weniger als {} in denselben simulierten Jahren (95-%-KI {} bis {}){}.",
                esc(&d.setups[best]),
                l.num(-x.mean, 0),
                esc(&quote(l, &d.baseline)),
                l.num(-x.hi, 0),
                l.num(-x.lo, 0),
                if clear {
                    ", ein klarer Unterschied"
                } else {
                    "; das Intervall schließt „kein Unterschied“ ein, die Simulation kann sie nicht unterscheiden"
                }
            ),
        };
        let _ = writeln!(h, "<p>{text}</p>");
    }
    let worst = (0..d.setups.len())
        .max_by(|&a, &b| gap[a].mean.total_cmp(&gap[b].mean))
        .unwrap_or(0);
    let best_gap = (0..d.setups.len())
        .min_by(|&a, &b| gap[a].mean.total_cmp(&gap[b].mean))
        .unwrap_or(0);
    if worst != best_gap {
        let text = match l {
            Lang::En => format!(
                "“Einer ist keiner”: with {} nobody qualified is there for {} business hours a year; with {} for {} hours.",
                esc(&d.setups[worst]),
                l.num(d.summary(&d.setups[worst], "uncovered_bh")?.mean, 0),
                esc(&d.setups[best_gap]),
                l.num(d.summary(&d.setups[best_gap], "uncovered_bh")?.mean, 0)
            ),
            Lang::De => format!(
                "„Einer ist keiner“: Mit {} ist {} Geschäftsstunden im Jahr niemand Qualifiziertes da, mit {} {} Stunden.",
                esc(&d.setups[worst]),
                l.num(d.summary(&d.setups[worst], "uncovered_bh")?.mean, 0),
                esc(&d.setups[best_gap]),
                l.num(d.summary(&d.setups[best_gap], "uncovered_bh")?.mean, 0)
            ),
        };
        let _ = writeln!(h, "<p>{text}</p>");
    }
    let _ = writeln!(
        h,
        "<p class=\"note\">{}</p>",
        l.pick(
            "Each simulated year draws incidents, illness, vacation and resignations anew; all setups see the same incidents and the same absences of the same people, so the differences come from the setups, not from luck.",
            "Jedes simulierte Jahr würfelt Störungen, Krankheit, Urlaub und Kündigungen neu aus; alle Modelle erleben dieselben Störungen und dieselben Abwesenheiten derselben Personen, die Unterschiede kommen also von den Modellen, nicht vom Zufall."
        )
    );
    Ok(h)
}

/// Mean and percentiles of one row of `summary.csv`, as [`crate::stats::Summary`] holds them.
fn summary_rows(
    files: &[(&str, Vec<u8>)],
    metric: &str,
    setups: &[String],
) -> Result<Vec<crate::stats::Summary>, ChartError> {
    let get = |name: &'static str| {
        files
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| b.as_slice())
            .ok_or(ChartError::MissingFile(name))
    };
    let manifest: serde_json::Value =
        serde_json::from_slice(get("manifest.json")?).map_err(|e| ChartError::Malformed {
            file: "manifest.json".into(),
            reason: e.to_string(),
        })?;
    let de = manifest.get("csv_locale").and_then(|v| v.as_str()) == Some("de");
    let malformed = |e: csv::Error| ChartError::Malformed {
        file: "summary.csv".into(),
        reason: e.to_string(),
    };
    let mut r = csv::ReaderBuilder::new()
        .delimiter(if de { b';' } else { b',' })
        .from_reader(get("summary.csv")?);
    let header: Vec<String> = r
        .headers()
        .map_err(malformed)?
        .iter()
        .map(str::to_string)
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| ChartError::MissingColumn {
                file: "summary.csv".into(),
                column: name.into(),
            })
    };
    let cols: Vec<usize> = ["setup", "metric", "mean", "p5", "p50", "p90", "p95", "p99"]
        .iter()
        .map(|c| col(c))
        .collect::<Result<_, _>>()?;
    // Text cells carry the writer's formula protection; names are compared untrimmed.
    let text = crate::report::csv::unprotect;
    let mut out: Vec<Option<crate::stats::Summary>> = vec![None; setups.len()];
    for (line, row) in r.records().enumerate() {
        let row = row.map_err(malformed)?;
        let cell = |k: usize| row.get(cols[k]).unwrap_or("").trim();
        let raw_text = |k: usize| text(row.get(cols[k]).unwrap_or(""));
        if raw_text(1) != metric {
            continue;
        }
        let Some(i) = setups.iter().position(|s| *s == raw_text(0)) else {
            continue;
        };
        let num = |k: usize| -> Result<f64, ChartError> {
            let raw = cell(k);
            if raw.is_empty() {
                return Ok(f64::NAN);
            }
            let s = if de {
                raw.replace(',', ".")
            } else {
                raw.to_string()
            };
            s.parse().map_err(|_| ChartError::BadValue {
                file: "summary.csv".into(),
                line: line + 2,
                column: header[cols[k]].clone(),
                value: raw.into(),
            })
        };
        let mut s = crate::stats::Summary::of(&[]);
        s.mean = num(2)?;
        s.p5 = num(3)?;
        s.p50 = num(4)?;
        s.p90 = num(5)?;
        s.p95 = num(6)?;
        s.p99 = num(7)?;
        out[i] = Some(s);
    }
    out.into_iter()
        .zip(setups)
        .map(|(s, name)| {
            s.ok_or_else(|| ChartError::MissingRow {
                file: "summary.csv".into(),
                row: format!("{name} / {metric}"),
            })
        })
        .collect()
}

/// A value of a metric with its unit: `24 h`, `1,234 €`, `97.5 %`.
fn with_unit(l: Lang, metric: &str, x: f64) -> String {
    let (_, unit) = l.metric(metric);
    let v = value(l, metric, x);
    if unit.is_empty() || unit == "%" || x.is_nan() {
        v
    } else {
        format!("{v} {unit}")
    }
}

/// A target's bound as written, with its unit: `24 h`, `2,000 h`, `95 %`.
fn bound_text(l: Lang, metric: &str, x: f64) -> String {
    // Up to three decimals, without trailing zeros.
    let d = (0..=3)
        .find(|&d| {
            let f = 10f64.powi(d);
            ((x * f).round() - x * f).abs() < 1e-9
        })
        .unwrap_or(3) as usize;
    let (_, unit) = l.metric(metric);
    if metric.ends_with("_share") {
        format!("{}\u{202f}%", l.num(x * 100.0, d.saturating_sub(2)))
    } else if unit.is_empty() {
        l.num(x, d)
    } else {
        format!("{} {unit}", l.num(x, d))
    }
}

/// What a year at the statistic means: "one year in twenty is worse".
fn stat_meaning(l: Lang, t: &Target, horizon: Horizon) -> String {
    // The share of worse years (or periods) the statistic stands for; `None` for the mean.
    let worse = match (t.stat, t.bound) {
        (TargetStat::Mean, _) => {
            return l
                .pick(
                    "the mean over the simulated years",
                    "der Mittelwert über die simulierten Jahre",
                )
                .to_string();
        }
        (TargetStat::Percentile(n), TargetBound::Max(_)) => 100 - u32::from(n),
        (TargetStat::Percentile(n), TargetBound::Min(_)) => u32::from(n),
    };
    if !horizon.is_year() {
        return worse_periods(l, worse, horizon);
    }
    match worse {
        50 => l
            .pick(
                "half the years are worse",
                "die Hälfte der Jahre ist schlechter",
            )
            .to_string(),
        10 => l
            .pick(
                "one year in ten is worse",
                "eines von zehn Jahren ist schlechter",
            )
            .to_string(),
        5 => l
            .pick(
                "one year in twenty is worse",
                "eines von zwanzig Jahren ist schlechter",
            )
            .to_string(),
        1 => l
            .pick(
                "one year in a hundred is worse",
                "eines von hundert Jahren ist schlechter",
            )
            .to_string(),
        k => match l {
            Lang::En => format!("{k} % of the years are worse"),
            Lang::De => format!("{k} % der Jahre sind schlechter"),
        },
    }
}

/// [`stat_meaning`] for replications of several years: `worse` % of the N-year periods are
/// worse.
fn worse_periods(l: Lang, worse: u32, horizon: Horizon) -> String {
    match (worse, l) {
        (10 | 5 | 1, Lang::En) => format!("{} is worse", horizon.one_in(l, 100 / worse)),
        (10 | 5 | 1, Lang::De) => format!("{} ist schlechter", horizon.one_in(l, 100 / worse)),
        (k, Lang::En) => format!("{k} % of the {} are worse", horizon.units(l)),
        (k, Lang::De) => format!("{k} % der {} sind schlechter", horizon.units(l)),
    }
}

/// The paragraph on the scenario's `[report] target`: which setups meet it and the cheapest
/// of them (lowest mean total cost), from `summary.csv`. Empty without a target.
fn target_reading(files: &[(&str, Vec<u8>)], d: &RunData, l: Lang) -> Result<String, ChartError> {
    let Some(t) = &d.model.report.target else {
        return Ok(String::new());
    };
    let values: Vec<f64> = summary_rows(files, &t.metric, &d.setups)?
        .iter()
        .map(|s| target_stat(s, t.stat))
        .collect();
    let costs: Vec<f64> = summary_rows(files, "cost_total_eur", &d.setups)?
        .iter()
        .map(|s| s.mean)
        .collect();
    let check = check_target(t, &values, &costs);
    let (label, _) = l.metric(&t.metric);
    let stat = match t.stat {
        TargetStat::Mean => l.pick("mean", "Mittelwert").to_string(),
        TargetStat::Percentile(n) => format!("P{n}"),
    };
    let (bound, x) = match t.bound {
        TargetBound::Max(x) => (l.pick("at most", "höchstens"), x),
        TargetBound::Min(x) => (l.pick("at least", "mindestens"), x),
    };
    let eur = |x: f64| format!("{}\u{a0}€", l.num(x, 0));
    let name = |i: usize| format!("{}<b>{}</b>", swatch(i), esc(&d.setups[i]));
    // A setup with its value of the target's statistic.
    let name_v = |i: usize| format!("{} ({})", name(i), esc(&with_unit(l, &t.metric, values[i])));
    let mut text = match l {
        Lang::En => format!(
            "<b>Target</b>: {stat} of {} {bound} {} ({}). ",
            esc(&quote(l, &label)),
            esc(&bound_text(l, &t.metric, x)),
            stat_meaning(l, t, Horizon::new(d.years))
        ),
        Lang::De => format!(
            "<b>Ziel</b>: {stat} von {} {bound} {} ({}). ",
            esc(&quote(l, &label)),
            esc(&bound_text(l, &t.metric, x)),
            stat_meaning(l, t, Horizon::new(d.years))
        ),
    };
    match check.cheapest.as_slice() {
        [] => {
            // The closest miss: the lowest value under a max, the highest under a min.
            let closest =
                (0..values.len())
                    .filter(|&i| !values[i].is_nan())
                    .min_by(|&a, &b| match t.bound {
                        TargetBound::Max(_) => values[a].total_cmp(&values[b]),
                        TargetBound::Min(_) => values[b].total_cmp(&values[a]),
                    });
            text.push_str(l.pick("No setup meets it", "Kein Modell erreicht es"));
            if let Some(i) = closest {
                let v = esc(&with_unit(l, &t.metric, values[i]));
                let _ = match l {
                    Lang::En => write!(text, "; the closest is {} with {v}", name(i)),
                    Lang::De => write!(text, "; am nächsten kommt {} mit {v}", name(i)),
                };
            }
            text.push('.');
        }
        [i] => {
            let _ = match l {
                Lang::En => write!(
                    text,
                    "The cheapest setup that meets it is {}, at a total cost of {} a year on average (IT and downtime)",
                    name_v(*i),
                    eur(costs[*i])
                ),
                Lang::De => write!(
                    text,
                    "Das günstigste Modell, das es erreicht, ist {} mit Gesamtkosten von im Mittel {} pro Jahr (IT und Ausfall)",
                    name_v(*i),
                    eur(costs[*i])
                ),
            };
            match check.runner_up {
                Some(r) => {
                    let _ = match l {
                        Lang::En => write!(
                            text,
                            "; the next cheapest that meets it, {}, costs {} more.",
                            name(r),
                            eur(costs[r] - costs[*i])
                        ),
                        Lang::De => write!(
                            text,
                            "; das nächstgünstige, das es erreicht, {}, kostet {} mehr.",
                            name(r),
                            eur(costs[r] - costs[*i])
                        ),
                    };
                }
                None => text.push_str(l.pick(
                    "; it is the only one that does.",
                    "; es ist das einzige, das es erreicht.",
                )),
            }
        }
        tied => {
            let names: Vec<String> = tied.iter().map(|&i| name_v(i)).collect();
            let _ = match l {
                Lang::En => write!(
                    text,
                    "The cheapest setups that meet it cost the same, {} a year on average: {}.",
                    eur(costs[tied[0]]),
                    names.join(", ")
                ),
                Lang::De => write!(
                    text,
                    "Die günstigsten Modelle, die es erreichen, kosten gleich viel, im Mittel {} pro Jahr: {}.",
                    eur(costs[tied[0]]),
                    names.join(", ")
                ),
            };
        }
    }
    let missed: Vec<String> = (0..values.len())
        .filter(|&i| !check.meets[i] && !check.cheapest.is_empty())
        .map(|i| {
            format!(
                "{} ({})",
                esc(&d.setups[i]),
                esc(&with_unit(l, &t.metric, values[i]))
            )
        })
        .collect();
    if !missed.is_empty() {
        let _ = write!(
            text,
            " {}: {}.",
            l.pick("Missed by", "Verfehlt von"),
            missed.join(", ")
        );
    }
    Ok(format!("<p class=\"target\">{text}</p>\n"))
}

fn summary_table(d: &RunData, l: Lang) -> Result<String, ChartError> {
    let mut h = String::from("<table>\n<thead><tr><th></th>");
    for (i, s) in d.setups.iter().enumerate() {
        let _ = write!(h, "<th>{}{}</th>", swatch(i), esc(s));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for m in TABLE_METRICS {
        if d.summary(&d.setups[0], m).is_err() {
            continue;
        }
        let (label, unit) = l.metric(m);
        let unit = if unit.is_empty() || unit == "%" {
            String::new()
        } else {
            format!(" [{unit}]")
        };
        let _ = write!(h, "<tr><td>{}{}</td>", esc(&label), esc(&unit));
        // A bad year is the high end, or the low end where more is better (coverage).
        let (bad_label, low_is_bad) = if m.ends_with("_share") {
            ("P5", true)
        } else {
            ("P95", false)
        };
        for s in &d.setups {
            let x = d.summary(s, m)?;
            let _ = write!(
                h,
                "<td>{}<small>{} – {}</small><small>{bad_label} {}</small></td>",
                value(l, m, x.mean),
                value(l, m, x.mean_lo),
                value(l, m, x.mean_hi),
                value(l, m, if low_is_bad { x.p5 } else { x.p95 })
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    Ok(h)
}

fn comparison_table(d: &RunData, l: Lang) -> String {
    let others: Vec<(usize, &String)> = d
        .setups
        .iter()
        .enumerate()
        .filter(|(_, s)| **s != d.baseline)
        .collect();
    let mut h = String::from("<table>\n<thead><tr><th></th>");
    for (i, s) in &others {
        let _ = write!(h, "<th>{}{}</th>", swatch(*i), esc(s));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for m in TABLE_METRICS {
        let (label, unit) = l.metric(m);
        let unit = if unit.is_empty() || unit == "%" {
            String::new()
        } else {
            format!(" [{unit}]")
        };
        let cells: Vec<String> = others
            .iter()
            .map(|(_, s)| {
                d.comparison
                    .iter()
                    .find(|x| x.setup == **s && x.metric == m)
                    .map_or_else(
                        || "<td>–</td>".to_string(),
                        |x| {
                            let f = |v: f64| {
                                if m.ends_with("_share") {
                                    format!("{}\u{202f}%", l.signed(v * 100.0, 1))
                                } else {
                                    l.signed(v, decimals(x.mean))
                                }
                            };
                            let clear = x.hi < 0.0 || x.lo > 0.0;
                            format!(
                                "<td{}>{}<small>{} {} {}</small></td>",
                                if clear { " class=\"clear\"" } else { "" },
                                f(x.mean),
                                f(x.lo),
                                l.pick("to", "bis"),
                                f(x.hi)
                            )
                        },
                    )
            })
            .collect();
        if cells.iter().all(|c| c == "<td>–</td>") {
            continue;
        }
        let _ = writeln!(
            h,
            "<tr><td>{}{}</td>{}</tr>",
            esc(&label),
            esc(&unit),
            cells.concat()
        );
    }
    h.push_str("</tbody>\n</table>\n");
    h
}

fn assumptions(d: &RunData, l: Lang) -> String {
    let m = &d.model;
    let mut h = String::new();
    let tickets: f64 = m.categories.iter().map(|c| c.tickets_per_year).sum();
    let _ = writeln!(
        h,
        "<p>{}: {} {}, {} PCs, {} {} {}.</p>",
        l.pick("Company", "Unternehmen"),
        l.num(f64::from(m.company.users), 0),
        l.pick("users", "Nutzer"),
        l.num(f64::from(m.company.pcs), 0),
        l.pick("about", "etwa"),
        l.num(tickets, 0),
        l.pick("tickets a year", "Tickets pro Jahr")
    );
    let _ = writeln!(
        h,
        "<h3>{}</h3>\n<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
        l.pick("People", "Personen"),
        l.pick("Person", "Person"),
        l.pick("Role", "Rolle"),
        l.pick("Vacation [days/year]", "Urlaub [Tage/Jahr]"),
        l.pick(
            "Illness [episodes/year × mean days]",
            "Krankheit [Fälle/Jahr × Ø Tage]"
        ),
        l.pick("Training [days/year]", "Schulung [Tage/Jahr]"),
        l.pick("Resignation [per year]", "Kündigung [pro Jahr]"),
        l.pick("Vacancy [mean days]", "Vakanz [Ø Tage]"),
    );
    let mut people: Vec<&crate::model::Person> = m.people.iter().collect();
    for c in &m.contracts {
        people.extend(c.technicians.iter());
    }
    for p in people {
        let a = &p.absence;
        let role = match p.role {
            Role::Admin => l.pick("admin", "Administrator"),
            Role::KeyUser => l.pick("key user", "Key-User"),
            Role::Technician => l.pick("MSP technician", "MSP-Techniker"),
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} × {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&p.id),
            role,
            a.vacation.days_per_year,
            l.num(a.illness.episodes_per_year, 1),
            l.num(a.illness.duration_days.mean(), 1),
            a.training_days_per_year,
            l.pct(a.attrition.quit_probability_per_year, 0),
            l.num(a.attrition.time_to_fill_days.mean(), 0),
        );
    }
    h.push_str("</tbody>\n</table>\n");
    let _ = writeln!(
        h,
        "<h3>{}</h3>\n<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
        l.pick(
            "Setups and SLA terms",
            "Betreuungsmodelle und SLA-Bedingungen"
        ),
        l.pick("Setup", "Modell"),
        l.pick("Who works on tickets", "Wer Tickets bearbeitet"),
        l.pick(
            "Response target P1–P4 [business h]",
            "Reaktionsziel P1–P4 [Geschäftsstd.]"
        ),
        l.pick(
            "Resolution target P1–P4 [business h]",
            "Lösungsziel P1–P4 [Geschäftsstd.]"
        ),
    );
    for (i, s) in m.setups.iter().enumerate() {
        let tiers: Vec<String> = s
            .tiers
            .iter()
            .map(|t| match t {
                Tier::InHouse(ix) => format!(
                    "{}: {}",
                    l.pick("in-house", "intern"),
                    ix.iter()
                        .map(|&k| esc(&m.people[k].id))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Tier::KeyUser(k) => format!(
                    "{}: {}",
                    l.pick("key user", "Key-User"),
                    esc(&m.people[*k].id)
                ),
                Tier::Msp(c) => {
                    let c = &m.contracts[*c];
                    format!(
                        "MSP {} ({} {})",
                        esc(&c.id),
                        c.technicians.len(),
                        l.pick("technicians", "Techniker")
                    )
                }
                Tier::Emergency(_) => l
                    .pick("ad-hoc emergency help", "Notfallhilfe auf Zuruf")
                    .to_string(),
            })
            .collect();
        let targets = |t: &[f64; 4]| {
            t.iter()
                .map(|x| l.num(*x, if x.fract() == 0.0 { 0 } else { 1 }))
                .collect::<Vec<_>>()
                .join(" / ")
        };
        let _ = writeln!(
            h,
            "<tr><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            swatch(i),
            esc(&s.name),
            tiers.join("; "),
            targets(&s.sla.response_h),
            targets(&s.sla.resolution_h)
        );
    }
    h.push_str("</tbody>\n</table>\n");
    h
}
