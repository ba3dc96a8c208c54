//! The backtest in words and tables: metric labels, likely causes of misses, the summary, the
//! terminal table and `backtest.csv`, in English or German.

use super::backtest::{Backtest, Comparison, MetricId, TimeKind, Verdict};
use crate::model::Priority;
use crate::report::csv::{Cell, Table};
use crate::report::i18n::Lang;

/// Label and unit of a compared metric.
pub fn label(id: &MetricId, l: Lang) -> (String, &'static str) {
    match *id {
        MetricId::Time {
            kind,
            priority,
            quantile,
        } => {
            let what = match kind {
                TimeKind::Response => l.pick("response", "Reaktion"),
                TimeKind::Resolution => l.pick("resolution", "Lösung"),
            };
            let stat = if quantile == 50 {
                l.pick("median", "Median").to_owned()
            } else {
                format!("P{quantile}")
            };
            (
                format!("{} {what}, {stat}", priority.label()),
                l.pick("business h", "Geschäftsstd."),
            )
        }
        MetricId::WeeklyMean(None) => (
            l.pick("tickets per week, mean", "Tickets pro Woche, Mittel")
                .to_owned(),
            l.pick("tickets", "Tickets"),
        ),
        MetricId::WeeklyMean(Some(p)) => (
            format!(
                "{} {}",
                p.label(),
                l.pick("tickets per week, mean", "Tickets pro Woche, Mittel")
            ),
            l.pick("tickets", "Tickets"),
        ),
        MetricId::WeeklySd => (
            l.pick(
                "tickets per week, standard deviation",
                "Tickets pro Woche, Standardabw.",
            )
            .to_owned(),
            l.pick("tickets", "Tickets"),
        ),
        MetricId::Backlog(d) => (
            match l {
                Lang::En => format!("open tickets on {}", d.format("%Y-%m-%d")),
                Lang::De => format!("offene Tickets am {}", d.format("%d.%m.%Y")),
            },
            l.pick("tickets", "Tickets"),
        ),
    }
}

/// Decimals to show a metric's values with.
pub fn decimals(id: &MetricId) -> usize {
    match id {
        MetricId::Backlog(_) => 0,
        _ => 1,
    }
}

/// The likely causes of a miss, in plain words; empty for a metric inside its band.
pub fn cause(c: &Comparison, l: Lang) -> String {
    let above = match c.verdict {
        Verdict::Inside => return String::new(),
        Verdict::Above => true,
        Verdict::Below => false,
    };
    match c.metric {
        MetricId::Time {
            kind: TimeKind::Response,
            priority: p,
            ..
        } => {
            let p = p.label();
            if above {
                match l {
                    Lang::En => format!(
                        "observed {p} response is longer than the model's: the responders are less available than modelled (an admin's IT share may be lower than 1, or absences and meetings larger), or the effort is too small, so that the model's queue is shorter; or the ticket system records the first response later than work starts"
                    ),
                    Lang::De => format!(
                        "die beobachtete {p}-Reaktion dauert länger als im Modell: die Bearbeiter sind seltener verfügbar als modelliert (der IT-Anteil eines Admins liegt vielleicht unter 1, oder Abwesenheiten und Besprechungen sind größer), oder der Aufwand ist zu klein, so dass die Warteschlange im Modell kürzer ist; oder das Ticketsystem erfasst die erste Reaktion später als den Arbeitsbeginn"
                    ),
                }
            } else {
                match l {
                    Lang::En => format!(
                        "observed {p} response is shorter than the model's: the ticket system may record an automatic acknowledgement or the assignment as first response; or the real responders are more available than modelled (more IT share, fewer absences), or the effort is too large"
                    ),
                    Lang::De => format!(
                        "die beobachtete {p}-Reaktion ist kürzer als im Modell: das Ticketsystem erfasst vielleicht eine automatische Bestätigung oder die Zuweisung als erste Reaktion; oder die Bearbeiter sind besser verfügbar als modelliert (höherer IT-Anteil, weniger Abwesenheit), oder der Aufwand ist zu groß"
                    ),
                }
            }
        }
        MetricId::Time {
            kind: TimeKind::Resolution,
            priority: p,
            ..
        } => {
            let p = p.label();
            if above {
                match l {
                    Lang::En => format!(
                        "observed {p} resolution is longer than the model's: the effort_h of the {p} categories may be too small, or tickets wait for users or vendors (paused), which the model does not simulate, or they are closed late in the ticket system"
                    ),
                    Lang::De => format!(
                        "die beobachtete {p}-Lösung dauert länger als im Modell: der effort_h der {p}-Kategorien ist vielleicht zu klein, oder Tickets warten auf Nutzer oder Lieferanten (pausiert), was das Modell nicht simuliert, oder sie werden im Ticketsystem spät geschlossen"
                    ),
                }
            } else {
                match l {
                    Lang::En => format!(
                        "observed {p} resolution is shorter than the model's: the effort_h of the {p} categories may be too large, or the real responders more available than modelled"
                    ),
                    Lang::De => format!(
                        "die beobachtete {p}-Lösung ist kürzer als im Modell: der effort_h der {p}-Kategorien ist vielleicht zu groß, oder die Bearbeiter sind besser verfügbar als modelliert"
                    ),
                }
            }
        }
        MetricId::WeeklyMean(None) => {
            if above {
                l.pick(
                    "more tickets per week than modelled: tickets_per_user_month (or tickets_per_year) too low, or company.users too low",
                    "mehr Tickets pro Woche als modelliert: tickets_per_user_month (oder tickets_per_year) zu niedrig, oder company.users zu niedrig",
                )
                .to_owned()
            } else {
                l.pick(
                    "fewer tickets per week than modelled: tickets_per_user_month (or tickets_per_year) too high; or the export misses tickets (e.g. filtered by queue or status)",
                    "weniger Tickets pro Woche als modelliert: tickets_per_user_month (oder tickets_per_year) zu hoch; oder dem Export fehlen Tickets (z. B. nach Queue oder Status gefiltert)",
                )
                .to_owned()
            }
        }
        MetricId::WeeklyMean(Some(p)) => {
            let p = p.label();
            match (l, above) {
                (Lang::En, true) => format!(
                    "more {p} tickets than modelled: the rates of the {p} categories are too low (the priority mix differs, or the export maps priorities differently)"
                ),
                (Lang::En, false) => format!(
                    "fewer {p} tickets than modelled: the rates of the {p} categories are too high (the priority mix differs, or the export maps priorities differently)"
                ),
                (Lang::De, true) => format!(
                    "mehr {p}-Tickets als modelliert: die Raten der {p}-Kategorien sind zu niedrig (anderer Prioritätenmix, oder der Export ordnet Prioritäten anders zu)"
                ),
                (Lang::De, false) => format!(
                    "weniger {p}-Tickets als modelliert: die Raten der {p}-Kategorien sind zu hoch (anderer Prioritätenmix, oder der Export ordnet Prioritäten anders zu)"
                ),
            }
        }
        MetricId::WeeklySd => {
            if above {
                l.pick(
                    "weekly counts vary more than the model's Poisson arrivals: bursts (outages, roll-outs, projects) or a seasonality the scenario's weekday and month factors do not have",
                    "die Wochenzahlen schwanken stärker als die Poisson-Ankünfte des Modells: Häufungen (Störungen, Roll-outs, Projekte) oder eine Saison, die die Wochentags- und Monatsfaktoren des Szenarios nicht haben",
                )
                .to_owned()
            } else {
                l.pick(
                    "weekly counts are more regular than Poisson arrivals: tickets may be planned work (scheduled requests) rather than incidents",
                    "die Wochenzahlen sind gleichmäßiger als Poisson-Ankünfte: die Tickets sind vielleicht geplante Arbeit (terminierte Anfragen) statt Störungen",
                )
                .to_owned()
            }
        }
        MetricId::Backlog(_) => {
            if above {
                l.pick(
                    "more tickets open than modelled: less capacity or more effort than modelled, or tickets left open in the ticket system after the work was done",
                    "mehr offene Tickets als modelliert: weniger Kapazität oder mehr Aufwand als modelliert, oder Tickets bleiben im Ticketsystem offen, obwohl die Arbeit getan ist",
                )
                .to_owned()
            } else {
                l.pick(
                    "fewer tickets open than modelled: more capacity or less effort than modelled",
                    "weniger offene Tickets als modelliert: mehr Kapazität oder weniger Aufwand als modelliert",
                )
                .to_owned()
            }
        }
    }
}

fn verdict_word(c: &Comparison, l: Lang) -> String {
    let w = match c.verdict {
        Verdict::Inside => l.pick("inside", "innerhalb"),
        Verdict::Above => l.pick("ABOVE", "DARÜBER"),
        Verdict::Below => l.pick("BELOW", "DARUNTER"),
    };
    if c.borderline {
        format!("{w} ({})", l.pick("borderline", "knapp"))
    } else {
        w.to_owned()
    }
}

/// A confidence interval as `a–b`; an end the replications cannot bound is left open
/// (`≤ b`, `≥ a`).
fn ci((lo, hi): (f64, f64), d: usize, l: Lang) -> String {
    match (lo.is_nan(), hi.is_nan()) {
        (false, false) => format!("{}–{}", l.num(lo, d), l.num(hi, d)),
        (true, false) => format!("≤{}", l.num(hi, d)),
        (false, true) => format!("≥{}", l.num(lo, d)),
        (true, true) => "–".to_owned(),
    }
}

/// The overall result in two or three sentences.
pub fn summary(b: &Backtest, l: Lang) -> String {
    let k = b.comparisons.len();
    let inside = b.inside();
    let misses = k - inside;
    let above = b
        .comparisons
        .iter()
        .filter(|c| c.verdict == Verdict::Above)
        .count();
    let mut s = match l {
        Lang::En => format!(
            "Calibration score: {inside} of {k} metrics inside their simulated 90 % band ({}). A model that reproduces the history misses at most {} of {k} by chance (binomial, {} level; each metric misses with probability {}).",
            l.pct(b.score(), 0),
            b.acceptable_misses,
            l.pct(super::backtest::SCORE_LEVEL, 0),
            l.pct(b.miss_probability, 1)
        ),
        Lang::De => format!(
            "Kalibrierungsgüte: {inside} von {k} Kennzahlen liegen in ihrem simulierten 90-%-Band ({}). Ein Modell, das die Vergangenheit wiedergibt, verfehlt zufällig höchstens {} von {k} (Binomialverteilung, Niveau {}; jede Kennzahl verfehlt mit Wahrscheinlichkeit {}).",
            l.pct(b.score(), 0),
            b.acceptable_misses,
            l.pct(super::backtest::SCORE_LEVEL, 0),
            l.pct(b.miss_probability, 1)
        ),
    };
    s.push(' ');
    if b.reproduces() {
        s.push_str(l.pick(
            "Verdict: the model reproduces the observed history.",
            "Ergebnis: das Modell gibt die beobachtete Vergangenheit wieder.",
        ));
    } else {
        s.push_str(&match l {
            Lang::En => format!(
                "Verdict: the model does NOT reproduce the observed history ({misses} misses, {above} above and {} below its band); see the likely causes below before using its results.",
                misses - above
            ),
            Lang::De => format!(
                "Ergebnis: das Modell gibt die beobachtete Vergangenheit NICHT wieder ({misses} Abweichungen, {above} darüber und {} darunter); vor der Nutzung seiner Ergebnisse die wahrscheinlichen Ursachen unten prüfen.",
                misses - above
            ),
        });
    }
    s
}

/// The table printed on the terminal: one line per metric, the summary and the likely causes.
pub fn table_text(b: &Backtest, l: Lang) -> String {
    let mut out = match l {
        Lang::En => format!(
            "Backtest of setup \"{}\" of {} against {} ({} to {}, {} tickets), {} replications, seed {}\n\n",
            b.setup,
            b.scenario,
            b.source,
            b.period.0.format("%Y-%m-%d %H:%M"),
            b.period.1.format("%Y-%m-%d %H:%M"),
            b.tickets,
            b.replications,
            b.seed
        ),
        Lang::De => format!(
            "Backtest des Betreuungsmodells „{}“ von {} gegen {} ({} bis {}, {} Tickets), {} Replikationen, Seed {}\n\n",
            b.setup,
            b.scenario,
            b.source,
            b.period.0.format("%d.%m.%Y %H:%M"),
            b.period.1.format("%d.%m.%Y %H:%M"),
            b.tickets,
            b.replications,
            b.seed
        ),
    };
    let head = vec![
        l.pick("metric", "Kennzahl").to_owned(),
        l.pick("observed", "beobachtet").to_owned(),
        l.pick("simulated 90 % band", "simuliertes 90-%-Band")
            .to_owned(),
        l.pick("95 % CI of band edges", "95-%-KI der Bandgrenzen")
            .to_owned(),
        l.pick("verdict", "Ergebnis").to_owned(),
    ];
    let mut rows = vec![head];
    for c in &b.comparisons {
        let (name, unit) = label(&c.metric, l);
        let d = decimals(&c.metric);
        let n = |x: f64| l.num(x, d);
        rows.push(vec![
            format!("{name} [{unit}]"),
            n(c.observed),
            format!("{} – {}", n(c.band.p5), n(c.band.p95)),
            format!("{} / {}", ci(c.band.p5_ci, d, l), ci(c.band.p95_ci, d, l)),
            verdict_word(c, l),
        ]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|j| rows.iter().map(|r| r[j].chars().count()).max().unwrap_or(0))
        .collect();
    for (i, r) in rows.iter().enumerate() {
        let mut line = String::new();
        for (j, cell) in r.iter().enumerate() {
            let pad = widths[j] - cell.chars().count();
            if j == 0 || j == 4 {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
            line.push_str("  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
        if i == 0 {
            out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 8));
            out.push('\n');
        }
    }
    out.push('\n');
    out.push_str(&summary(b, l));
    out.push('\n');
    let misses: Vec<&Comparison> = b
        .comparisons
        .iter()
        .filter(|c| c.verdict != Verdict::Inside)
        .collect();
    if !misses.is_empty() {
        out.push_str(&format!(
            "\n{}\n",
            l.pick("Likely causes:", "Wahrscheinliche Ursachen:")
        ));
        for c in misses {
            out.push_str(&format!("- {}: {}\n", label(&c.metric, l).0, cause(c, l)));
        }
    }
    if !b.skipped.is_empty() {
        out.push_str(&format!(
            "\n{}\n",
            l.pick("Not compared:", "Nicht verglichen:")
        ));
        for (id, why) in &b.skipped {
            out.push_str(&format!("- {}: {why}\n", label(id, l).0));
        }
    }
    out
}

/// `backtest.csv`: one row per compared metric. Keys, units and verdicts are in English (the
/// columns are a contract with spreadsheets); the likely cause is in `l`.
pub fn csv_table(b: &Backtest, l: Lang) -> Table {
    let header = [
        "metric",
        "priority",
        "observed",
        "sim_p5",
        "sim_p5_ci_low",
        "sim_p5_ci_high",
        "sim_median",
        "sim_p95",
        "sim_p95_ci_low",
        "sim_p95_ci_high",
        "replications_with_value",
        "verdict",
        "borderline",
        "likely_cause",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rows = b
        .comparisons
        .iter()
        .map(|c| {
            let priority: Option<Priority> = match c.metric {
                MetricId::Time { priority, .. } => Some(priority),
                MetricId::WeeklyMean(p) => p,
                _ => None,
            };
            vec![
                Cell::Text(c.metric.key()),
                Cell::Text(priority.map_or(String::new(), |p| p.label().to_owned())),
                Cell::Num(c.observed),
                Cell::Num(c.band.p5),
                Cell::Num(c.band.p5_ci.0),
                Cell::Num(c.band.p5_ci.1),
                Cell::Num(c.band.median),
                Cell::Num(c.band.p95),
                Cell::Num(c.band.p95_ci.0),
                Cell::Num(c.band.p95_ci.1),
                Cell::Int(c.band.replications),
                Cell::Text(c.verdict.key().to_owned()),
                Cell::Text(if c.borderline { "yes" } else { "no" }.to_owned()),
                Cell::Text(cause(c, l)),
            ]
        })
        .collect();
    Table { header, rows }
}
