//! `calibration.html`: the self-contained report of one calibration, in English or German
//! like `report.html` — what was read (and what was not), the problems met, the priority
//! mapping and the merges, the estimates with their confidence intervals, and the charts a
//! statistician wants to see (tickets per day against the Poisson band, the hour-of-week heat
//! map, a QQ plot and a density overlay per effort fit, observed response and resolution
//! times). No scripts, no network, no external fonts: the charts are inline SVG in the run
//! charts' style, and the page uses the font stack of `report.html`.
//!
//! Deterministic: the same calibration gives the same bytes (no timestamps).

use std::fmt::Write as _;

use super::charts::{calibration_charts, date, family_label, weekdays};
use super::{Calibration, EffortSource, Family, IngestReport, ObservedTimes};
use crate::dist::DistSpec;
use crate::report::html::{CSS, esc};
use crate::report::i18n::Lang;

/// Styles beyond `report.html`'s.
const EXTRA_CSS: &str = "
td.l, th.l { text-align: left; }
.tight td, .tight th { padding: 4px 6px; font-size: 0.85rem; }
.verdict { border-left: 4px solid var(--ink); padding: 4px 0 4px 12px; }
code { font-size: 0.9em; }
";

/// The calibration report. `source` is the export's file name as given (only its last path
/// component is shown). Charts are drawn here; if drawing fails, the page says so in place of
/// the chart instead of failing the calibration (the scenario is the main result).
pub fn calibration_html(
    cal: &Calibration,
    ingest: &IngestReport,
    source: &str,
    lang: Lang,
) -> String {
    let l = lang;
    let file = source
        .rsplit(['/', '\\'])
        .find(|s| !s.is_empty())
        .unwrap_or(source);
    let charts = calibration_charts(cal, source, l);
    let chart = |name: &str| -> String {
        match &charts {
            Ok(all) => all
                .iter()
                .find(|c| c.name == name)
                .map(|c| {
                    let svg = c.svg.find("<svg").map_or(&c.svg[..], |i| &c.svg[i..]);
                    format!("<figure class=\"chart\">\n{svg}\n</figure>\n")
                })
                .unwrap_or_default(),
            Err(e) => format!(
                "<p class=\"note\">{}: {}</p>\n",
                l.pick(
                    "The chart could not be drawn",
                    "Das Diagramm konnte nicht gezeichnet werden"
                ),
                esc(&e.to_string())
            ),
        }
    };
    let tickets: u64 = cal.categories.iter().map(|c| c.n).sum();
    let mut h = String::new();
    let title = format!("{} — {}", l.pick("Calibration", "Kalibrierung"), file);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}{EXTRA_CSS}</style>\n</head>\n<body>\n<main>\n",
        l.code(),
        esc(&title)
    );
    let _ = writeln!(h, "<h1>{}</h1>", esc(&title));
    let _ = writeln!(
        h,
        "<p class=\"meta\">{} {} – {} ({} {}) · {} {} · {} {} · covsim {}</p>",
        l.pick("Period", "Zeitraum"),
        date(l, cal.period.0),
        date(l, cal.period.1),
        l.num(cal.years, 2),
        l.pick("years", "Jahre"),
        l.num(tickets as f64, 0),
        l.pick("tickets", "Tickets"),
        l.pick("preset", "Vorlage"),
        esc(if ingest.preset.is_empty() {
            "–"
        } else {
            &ingest.preset
        }),
        env!("CARGO_PKG_VERSION")
    );

    read_section(&mut h, ingest, l);
    problems_section(&mut h, ingest, l);
    mapping_section(&mut h, cal, ingest, l);
    estimates_section(&mut h, cal, l);

    // Arrivals.
    let _ = writeln!(h, "<section>\n<h2>{}</h2>", l.pick("Arrivals", "Ankünfte"));
    dispersion(&mut h, cal, l);
    h.push_str(&chart("daily"));
    let _ = writeln!(
        h,
        "<p class=\"note\">{}</p>",
        l.pick(
            "The band holds 95 % of the days if tickets arrive as a Poisson process with the weekday and month profile of the export. Public holidays are not in the profile and show as low days; more than about 5 % of days outside the band, or runs of them, mean that days vary more than the model assumes.",
            "Das Band enthält 95 % der Tage, wenn Tickets als Poisson-Prozess mit dem Wochentags- und Monatsprofil des Exports eintreffen. Feiertage sind nicht im Profil und erscheinen als schwache Tage; deutlich mehr als 5 % der Tage außerhalb des Bands, oder Serien davon, bedeuten, dass die Tage stärker schwanken als das Modell annimmt."
        )
    );
    h.push_str(&chart("hour-of-week"));
    h.push_str("</section>\n");

    // Efforts.
    let _ = writeln!(
        h,
        "<section>\n<h2>{}</h2>\n<p class=\"note\">{}</p>",
        l.pick("Effort fits", "Aufwandsanpassungen"),
        l.pick(
            "Left: observed values against the fitted quantiles at their Kaplan–Meier plotting positions; points on the dashed diagonal fit. Open tickets (orange rings) are lower bounds: their true value lies above. Right: histogram (open tickets stacked in orange) and the fitted density, on the same area-1 scale.",
            "Links: beobachtete Werte gegen die Quantile der Anpassung an ihren Kaplan-Meier-Positionen; Punkte auf der gestrichelten Diagonale passen. Offene Tickets (orange Ringe) sind Untergrenzen: ihr wahrer Wert liegt darüber. Rechts: Histogramm (offene Tickets orange gestapelt) und die angepasste Dichte, beide mit Fläche 1."
        )
    );
    for i in 0..cal.categories.len() {
        h.push_str(&chart(&format!("effort-{i}")));
    }
    h.push_str("</section>\n");

    if cal.observed.iter().any(|o| {
        !o.response_bh.is_empty() || !o.resolution_bh.is_empty() || !o.open_age_bh.is_empty()
    }) {
        observed_section(&mut h, &cal.observed, l);
        h.push_str(&chart("observed-times"));
        h.push_str("</section>\n");
    }

    let _ = writeln!(
        h,
        "<footer>{} covsim {} · {} · {}</footer>\n</main>\n</body>\n</html>",
        l.pick("Made with", "Erstellt mit"),
        env!("CARGO_PKG_VERSION"),
        esc(file),
        l.pick(
            "no free text or personal data was read",
            "kein Freitext und keine personenbezogenen Daten gelesen"
        )
    );
    h
}

fn read_section(h: &mut String, ingest: &IngestReport, l: Lang) {
    let _ = writeln!(
        h,
        "<section>\n<h2>{}</h2>\n<p class=\"verdict\">{}</p>",
        l.pick("What was read", "Was gelesen wurde"),
        l.pick(
            "Privacy (GDPR): only the columns listed below were read. Free text (subjects, descriptions, comments) and personal data (names, e-mail addresses, phone numbers) were not read, and ticket ids were used only to find duplicates: none of them appears in this report or in the scenario.",
            "Datenschutz (DSGVO): Gelesen wurden nur die unten aufgeführten Spalten. Freitext (Betreff, Beschreibung, Kommentare) und personenbezogene Daten (Namen, E-Mail-Adressen, Telefonnummern) wurden nicht gelesen, Ticketnummern nur zum Erkennen von Dubletten verwendet: nichts davon steht in diesem Bericht oder im Szenario."
        )
    );
    let _ = writeln!(
        h,
        "<p>{}: {}</p>",
        l.pick("Data rows", "Datenzeilen"),
        l.num(ingest.rows as f64, 0)
    );
    let _ = writeln!(
        h,
        "<table class=\"tight\"><thead><tr><th>{}</th><th class=\"l\">{}</th></tr></thead><tbody>",
        l.pick("Field", "Feld"),
        l.pick("Column of the export", "Spalte des Exports")
    );
    for (field, col) in &ingest.columns_used {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"l\">{}</td></tr>",
            esc(field),
            esc(col)
        );
    }
    h.push_str("</tbody></table>\n");
    let not_read: Vec<String> = ingest
        .columns_seen
        .iter()
        .filter(|c| !ingest.columns_used.iter().any(|(_, u)| u == *c))
        .map(|c| esc(c))
        .collect();
    let _ = writeln!(
        h,
        "<p><b>{}</b> ({}): {}</p>",
        l.pick("Columns not read", "Nicht gelesene Spalten"),
        not_read.len(),
        if not_read.is_empty() {
            "–".to_string()
        } else {
            not_read.join(", ")
        }
    );
    if !ingest.notes.is_empty() {
        h.push_str("<ul>\n");
        for n in &ingest.notes {
            let _ = writeln!(h, "<li>{}</li>", esc(n));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</section>\n");
}

fn problems_section(h: &mut String, ingest: &IngestReport, l: Lang) {
    let _ = writeln!(
        h,
        "<section>\n<h2>{}</h2>",
        l.pick(
            "Rows and cells not used",
            "Nicht verwendete Zeilen und Zellen"
        )
    );
    if ingest.problems.is_empty() {
        let _ = writeln!(
            h,
            "<p>{}</p>",
            l.pick(
                "None: every row was used.",
                "Keine: jede Zeile wurde verwendet."
            )
        );
    } else {
        let _ = writeln!(
            h,
            "<table class=\"tight\"><thead><tr><th>{}</th><th>{}</th><th class=\"l\">{}</th></tr></thead><tbody>",
            l.pick("Reason", "Grund"),
            l.pick("Rows", "Zeilen"),
            l.pick(
                "Example lines (1 = header)",
                "Beispielzeilen (1 = Kopfzeile)"
            )
        );
        for p in &ingest.problems {
            let lines: Vec<String> = p.example_lines.iter().map(|x| x.to_string()).collect();
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"l\">{}</td></tr>",
                esc(&p.reason),
                l.num(p.count as f64, 0),
                lines.join(", ")
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("</section>\n");
}

fn mapping_section(h: &mut String, cal: &Calibration, ingest: &IngestReport, l: Lang) {
    let _ = writeln!(
        h,
        "<section>\n<h2>{}</h2>\n<table class=\"tight\"><thead><tr><th>{}</th><th class=\"l\">{}</th></tr></thead><tbody>",
        l.pick("Priority mapping", "Zuordnung der Prioritäten"),
        l.pick("Value in the export", "Wert im Export"),
        l.pick("Priority", "Priorität")
    );
    for (v, p) in &ingest.priority_mapping {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"l\">{}</td></tr>",
            esc(v),
            p.label()
        );
    }
    let _ = writeln!(
        h,
        "</tbody></table>\n<p class=\"note\">{}</p>",
        l.pick(
            "If a value is mapped wrongly, override the mapping (covsim calibrate --help) and calibrate again.",
            "Ist ein Wert falsch zugeordnet: Zuordnung überschreiben (covsim calibrate --help) und neu kalibrieren."
        )
    );
    let _ = writeln!(
        h,
        "<h3>{}</h3>",
        l.pick("Merged into “other”", "Zusammengefasst unter „other“")
    );
    if cal.merged.is_empty() {
        let _ = writeln!(
            h,
            "<p>{}</p>",
            l.pick(
                "None: every category had enough tickets.",
                "Keine: jede Kategorie hatte genug Tickets."
            )
        );
    } else {
        let _ = writeln!(
            h,
            "<table class=\"tight\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            l.pick("Category", "Kategorie"),
            l.pick("Priority", "Priorität"),
            l.pick("Tickets", "Tickets")
        );
        for (c, p, n) in &cal.merged {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(c),
                p.label(),
                l.num(*n as f64, 0)
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("</section>\n");
}

/// A distribution's parameters in words, in hours.
fn dist_text(l: Lang, d: &DistSpec) -> String {
    let v = |x: f64| l.num(x, if x >= 10.0 { 1 } else { 2 });
    match d {
        DistSpec::Fixed { value } => format!("{} h", v(*value)),
        DistSpec::Exponential { mean } => format!("{} {} h", l.pick("mean", "Mittel"), v(*mean)),
        DistSpec::LogNormalMedianP90 { median, p90 } => {
            format!(
                "{} {} h, P90 {} h",
                l.pick("median", "Median"),
                v(*median),
                v(*p90)
            )
        }
        DistSpec::LogNormalMeanSd { mean, sd } | DistSpec::Gamma { mean, sd } => {
            format!(
                "{} {} h, {} {} h",
                l.pick("mean", "Mittel"),
                v(*mean),
                l.pick("sd", "SD"),
                v(*sd)
            )
        }
        DistSpec::Weibull { shape, scale } => format!(
            "{} {}, {} {} h",
            l.pick("shape", "Form"),
            v(*shape),
            l.pick("scale", "Skala"),
            v(*scale)
        ),
        DistSpec::Uniform { min, max } => format!("{}–{} h", v(*min), v(*max)),
        DistSpec::Triangular { min, mode, max } => {
            format!("{}–{}–{} h", v(*min), v(*mode), v(*max))
        }
        DistSpec::Empirical { bins } => match l {
            Lang::En => format!("{} bins", bins.len()),
            Lang::De => format!("{} Klassen", bins.len()),
        },
    }
}

fn estimates_section(h: &mut String, cal: &Calibration, l: Lang) {
    let _ = writeln!(
        h,
        "<section>\n<h2>{}</h2>\n<p class=\"note\">{}</p>",
        l.pick("Estimates per category and priority", "Schätzungen je Kategorie und Priorität"),
        l.pick(
            "Rate: tickets per year for the whole company with its 95 % confidence interval. Factors: tickets per weekday (Mon–Sun) and month (Jan–Dec) relative to their mean. Effort: the family with the lowest AIC among those fitted by maximum likelihood (open tickets censored), its goodness of fit with a parametric-bootstrap p-value (small p: the family does not fit), and the runners-up with their AIC distance (below 2: about as good).",
            "Rate: Tickets pro Jahr für das ganze Unternehmen mit 95-%-Konfidenzintervall. Faktoren: Tickets je Wochentag (Mo–So) und Monat (Jan–Dez) relativ zu ihrem Mittel. Aufwand: die Familie mit dem kleinsten AIC unter den per Maximum Likelihood angepassten (offene Tickets zensiert), ihre Anpassungsgüte mit Bootstrap-p-Wert (kleines p: die Familie passt nicht) und die nächstbesten mit ihrem AIC-Abstand (unter 2: etwa gleich gut)."
        )
    );
    let _ = writeln!(
        h,
        "<table class=\"tight\"><thead><tr><th>{}</th><th>{}</th><th>n</th><th>{}</th><th>{}</th><th class=\"l\">{}</th><th class=\"l\">{}</th><th class=\"l\">{}</th><th class=\"l\">{}</th></tr></thead><tbody>",
        l.pick("Category", "Kategorie"),
        l.pick("Prio", "Prio"),
        l.pick("Tickets a year (95 % CI)", "Tickets pro Jahr (95-%-KI)"),
        l.pick("Arrivals", "Ankünfte"),
        l.pick("Weekday · month factors", "Wochentags- · Monatsfaktoren"),
        l.pick("Effort", "Aufwand"),
        l.pick("Fit", "Anpassung"),
        l.pick("Runners-up (ΔAIC)", "Nächstbeste (ΔAIC)")
    );
    // Estimation's own caveats (months kept at 1, pooled fits, fallbacks) belong next to the
    // numbers they qualify; they are written in English by the estimator.
    if !cal.notes.is_empty() {
        let mut list = String::from("<ul class=\"note\">");
        for n in &cal.notes {
            let _ = write!(list, "<li>{}</li>", esc(n));
        }
        list.push_str("</ul>\n");
        // Before the table: a reader sees the caveats before the figures.
        let table_start = h.rfind("<table class=\"tight\">").unwrap_or(h.len());
        h.insert_str(table_start, &list);
    }
    for c in &cal.categories {
        let e = &c.effort;
        let arrivals = format!(
            "{}<small>{} {}</small>",
            if c.business_hours {
                l.pick("business hours", "Geschäftszeit")
            } else {
                l.pick("always", "jederzeit")
            },
            l.pct(c.share_outside_hours, 1),
            l.pick("outside hours", "außerhalb")
        );
        let wd: Vec<String> = c.weekday_factors.iter().map(|x| l.num(*x, 2)).collect();
        let mf: Vec<String> = c.month_factors.iter().map(|x| l.num(*x, 2)).collect();
        let source = match e.source {
            EffortSource::TimeWorked => l.pick("time worked", "erfasster Aufwand").to_string(),
            EffortSource::ResolutionUpperBound => format!(
                "<b>{}</b>",
                l.pick(
                    "upper bound: resolution time in business hours",
                    "Obergrenze: Lösungszeit in Geschäftsstunden"
                )
            ),
        };
        let effort = format!(
            "{}: {}<small>{} · n = {}, {} {}</small>",
            family_label(l, e.chosen),
            esc(&dist_text(l, &e.dist)),
            source,
            e.n,
            e.censored,
            l.pick("open (censored)", "offen (zensiert)")
        );
        let best = e
            .candidates
            .iter()
            .map(|f| f.aic)
            .filter(|a| a.is_finite())
            .fold(f64::INFINITY, f64::min);
        let chosen_aic = e
            .candidates
            .iter()
            .find(|f| f.family == e.chosen)
            .map(|f| f.aic);
        let fit = match (&e.gof, chosen_aic) {
            (Some(g), aic) => format!(
                "{} {}, p = {}<small>{} {} · {}</small>",
                esc(g.statistic),
                l.num(g.value, 3),
                l.num(g.p_value, 3),
                l.num(f64::from(g.bootstrap), 0),
                l.pick("bootstrap samples", "Bootstrap-Stichproben"),
                aic.map_or("–".into(), |a| format!("AIC {}", l.num(a, 1)))
            ),
            (None, _) if e.chosen == Family::Empirical => l
                .pick(
                    "no family fits: empirical distribution",
                    "keine Familie passt: empirische Verteilung",
                )
                .to_string(),
            (None, aic) => aic.map_or("–".into(), |a| format!("AIC {}", l.num(a, 1))),
        };
        let others: Vec<String> = e
            .candidates
            .iter()
            .filter(|f| f.family != e.chosen)
            .map(|f| {
                format!(
                    "{} {}",
                    family_label(l, f.family),
                    l.signed(f.aic - best, 1)
                )
            })
            .collect();
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}<small>{}–{}</small></td><td>{arrivals}</td><td class=\"l\">{}<small>{}</small></td><td class=\"l\">{effort}</td><td class=\"l\">{fit}</td><td class=\"l\">{}</td></tr>",
            esc(&c.label),
            c.priority.label(),
            l.num(c.n as f64, 0),
            l.num(c.tickets_per_year, 1),
            l.num(c.rate_ci.0, 1),
            l.num(c.rate_ci.1, 1),
            wd.join(" "),
            mf.join(" "),
            others.join("<br>")
        );
    }
    h.push_str("</tbody></table>\n</section>\n");
}

fn dispersion(h: &mut String, cal: &Calibration, l: Lang) {
    let d = &cal.dispersion;
    let (lo, hi) = d.poisson_ci;
    let head = match l {
        Lang::En => format!(
            "Index of dispersion of tickets per business day: <b>{}</b> over {} days (Poisson arrivals give 1; 95 % range under Poisson {} to {}).",
            l.num(d.index, 2),
            d.days,
            l.num(lo, 2),
            l.num(hi, 2)
        ),
        Lang::De => format!(
            "Dispersionsindex der Tickets pro Geschäftstag: <b>{}</b> über {} Tage (Poisson-Ankünfte ergeben 1; 95-%-Bereich unter Poisson {} bis {}).",
            l.num(d.index, 2),
            d.days,
            l.num(lo, 2),
            l.num(hi, 2)
        ),
    };
    let meaning = if d.index > hi {
        l.pick(
            "Overdispersed: days vary more than Poisson arrivals would make them — busy days come in clusters (one cause hitting many users, rollouts, projects). The simulation draws Poisson arrivals, so it will show fewer bad days than the client had: read its backlog and response times as optimistic, and consider a separate category for the clustered tickets.",
            "Überdispersion: Die Tage schwanken stärker als bei Poisson-Ankünften – volle Tage kommen gehäuft (eine Ursache trifft viele Nutzer, Rollouts, Projekte). Die Simulation zieht Poisson-Ankünfte und zeigt daher weniger schlechte Tage als der Kunde hatte: Rückstau und Reaktionszeiten sind eher zu günstig; die gehäuften Tickets als eigene Kategorie erwägen.",
        )
    } else if d.index < lo {
        l.pick(
            "Underdispersed: days are more regular than Poisson arrivals (scheduled work, tickets created in batches by a rule). The simulation's Poisson arrivals vary more than the history: its results are, if anything, pessimistic.",
            "Unterdispersion: Die Tage sind gleichmäßiger als bei Poisson-Ankünften (geplante Arbeiten, per Regel gesammelt erstellte Tickets). Die Poisson-Ankünfte der Simulation schwanken stärker: ihre Ergebnisse sind eher zu ungünstig.",
        )
    } else {
        l.pick(
            "Consistent with Poisson arrivals: the simulation's arrival model fits the history.",
            "Vereinbar mit Poisson-Ankünften: Das Ankunftsmodell der Simulation passt zur Historie.",
        )
    };
    let _ = writeln!(h, "<p class=\"verdict\">{head} {meaning}</p>");
    let names = weekdays(l);
    let mut by_day = [0u64; 7];
    for (d, row) in cal.hour_of_week.iter().enumerate() {
        by_day[d] = row.iter().map(|x| u64::from(*x)).sum();
    }
    let parts: Vec<String> = names
        .iter()
        .zip(by_day)
        .map(|(n, c)| format!("{n} {}", l.num(c as f64, 0)))
        .collect();
    let _ = writeln!(
        h,
        "<p class=\"note\">{}: {}</p>",
        l.pick("Tickets per weekday", "Tickets je Wochentag"),
        parts.join(" · ")
    );
}

fn quantile_of(v: &[f64], p: f64) -> f64 {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if s.is_empty() {
        return f64::NAN;
    }
    s.sort_by(f64::total_cmp);
    // Type 7 (linear interpolation between order statistics), as spreadsheets compute it.
    let h = (s.len() - 1) as f64 * p;
    let i = h.floor() as usize;
    let f = h - i as f64;
    if i + 1 < s.len() {
        s[i] + f * (s[i + 1] - s[i])
    } else {
        s[i]
    }
}

fn observed_section(h: &mut String, obs: &[ObservedTimes], l: Lang) {
    let _ = writeln!(
        h,
        "<section>\n<h2>{}</h2>\n<p class=\"note\">{}</p>",
        l.pick("Observed response and resolution times", "Beobachtete Reaktions- und Lösungszeiten"),
        l.pick(
            "In business hours of the scenario's calendar; what covsim backtest compares the simulation with. Quantiles interpolate between tickets (as spreadsheets do). Open tickets are counted with their age at export, not in the quantiles.",
            "In Geschäftsstunden des Szenario-Kalenders; damit vergleicht covsim backtest die Simulation. Quantile interpolieren zwischen Tickets (wie Tabellenkalkulationen). Offene Tickets zählen mit ihrem Alter beim Export, nicht in den Quantilen."
        )
    );
    let _ = writeln!(
        h,
        "<table class=\"tight\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        l.pick("Priority", "Priorität"),
        l.pick("Responses", "Reaktionen"),
        l.pick("median [bh]", "Median [GStd]"),
        l.pick("P90 [bh]", "P90 [GStd]"),
        l.pick("Resolved", "Gelöst"),
        l.pick("median [bh]", "Median [GStd]"),
        l.pick("P90 [bh]", "P90 [GStd]"),
        l.pick("Open at export", "Offen beim Export"),
        l.pick("oldest [bh]", "älteste [GStd]")
    );
    for (i, o) in obs.iter().enumerate() {
        let p = o
            .priority
            .map_or_else(|| format!("#{}", i + 1), |p| p.label().to_string());
        let q = |v: &[f64], p: f64| l.num(quantile_of(v, p), 1);
        let oldest = o.open_age_bh.iter().copied().fold(f64::NAN, f64::max);
        let _ = writeln!(
            h,
            "<tr><td>{p}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            l.num(o.response_bh.len() as f64, 0),
            q(&o.response_bh, 0.5),
            q(&o.response_bh, 0.9),
            l.num(o.resolution_bh.len() as f64, 0),
            q(&o.resolution_bh, 0.5),
            q(&o.resolution_bh, 0.9),
            l.num(o.open_age_bh.len() as f64, 0),
            l.num(oldest, 1)
        );
    }
    h.push_str("</tbody></table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_like_spreadsheets() {
        // PERCENTILE.INC({1,2,3,4}, 0.9) = 3.7; median 2.5.
        let v = [4.0, 1.0, 3.0, 2.0];
        assert!((quantile_of(&v, 0.9) - 3.7).abs() < 1e-12);
        assert!((quantile_of(&v, 0.5) - 2.5).abs() < 1e-12);
        assert!(quantile_of(&[], 0.5).is_nan());
    }
}
