//! CSV tables: pure functions from results to tables, and one writer with two locales.
//!
//! Every table is built in memory as [`Table`] (header + rows of typed cells) and serialised by
//! [`Table::to_csv`], so formats are tested without a disk. Column names carry their units
//! (`_h` hours, `_days` days, `_share` 0–1).

use crate::engine::catalog;
use crate::model::Model;
use crate::montecarlo::Experiment;
use crate::stats::{PairedDiff, Summary, exceedance, paired_diff};

/// How numbers and fields are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CsvLocale {
    /// Comma-separated, decimal point (RFC 4180; what most tools read).
    #[default]
    En,
    /// Semicolon-separated, decimal comma: opens correctly in a German Excel.
    De,
}

/// One cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text; made formula-safe when written.
    Text(String),
    /// A number; NaN is written as an empty cell.
    Num(f64),
    /// A whole number.
    Int(u64),
}

/// A table: header and rows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// Rows, each as long as the header.
    pub rows: Vec<Vec<Cell>>,
}

/// Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return at the
/// start) gets a leading apostrophe, the OWASP recommendation against CSV injection. Text that
/// starts with an apostrophe itself gets one more, so that [`unprotect`] can undo exactly what
/// was added: without it, a setup named `'=x` would be written unchanged and read back as `=x`.
pub(crate) fn formula_safe(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// The text of a cell that [`formula_safe`] wrote: one leading apostrophe, if there is one, is
/// the writer's and is removed; nothing else is changed.
///
/// Every cell that starts with `'` was protected by the writer (text starting with `'` is
/// protected too), so removing exactly one is exact for every text.
pub fn unprotect(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

/// Writes a header and rows as CSV in `locale` to `w`, row by row (nothing is buffered but
/// the writer's own buffer), so that large tables need not be held in memory.
pub fn write_csv<W: std::io::Write>(
    locale: CsvLocale,
    header: impl IntoIterator<Item = String>,
    rows: impl IntoIterator<Item = Vec<Cell>>,
    w: W,
) -> std::io::Result<()> {
    let mut out = RowWriter::new(locale, w);
    out.header(header)?;
    for row in rows {
        out.row(&row)?;
    }
    out.flush()
}

/// Writes rows of cells as CSV records, formatting numbers into one reused buffer.
struct RowWriter<W: std::io::Write> {
    out: csv::Writer<W>,
    locale: CsvLocale,
    field: String,
}

impl<W: std::io::Write> RowWriter<W> {
    fn new(locale: CsvLocale, w: W) -> Self {
        let delimiter = if locale == CsvLocale::De { b';' } else { b',' };
        RowWriter {
            out: csv::WriterBuilder::new()
                .delimiter(delimiter)
                .from_writer(w),
            locale,
            field: String::new(),
        }
    }

    fn row(&mut self, cells: &[Cell]) -> std::io::Result<()> {
        use std::fmt::Write as _;
        let io = |e: csv::Error| std::io::Error::other(e);
        for c in cells {
            self.field.clear();
            match c {
                Cell::Text(t) => self.field.push_str(&formula_safe(t)),
                // NaN is an empty cell. Rust's shortest round-trip representation is exact and
                // the same on every machine.
                Cell::Num(x) if x.is_nan() => {}
                Cell::Num(x) => {
                    write!(self.field, "{x}").expect("formatting into a String cannot fail");
                    if self.locale == CsvLocale::De
                        && let Some(point) = self.field.find('.')
                    {
                        self.field.replace_range(point..=point, ",");
                    }
                }
                Cell::Int(i) => {
                    write!(self.field, "{i}").expect("formatting into a String cannot fail")
                }
            }
            self.out.write_field(&self.field).map_err(io)?;
        }
        self.out.write_record(None::<&[u8]>).map_err(io)
    }

    fn header(&mut self, names: impl IntoIterator<Item = String>) -> std::io::Result<()> {
        self.row(&names.into_iter().map(Cell::Text).collect::<Vec<_>>())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    fn into_inner(self) -> std::io::Result<W> {
        self.out
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

impl Table {
    /// Serialises the table. Numbers use Rust's shortest round-trip representation, so the
    /// output is exact and identical on every machine.
    pub fn to_csv(&self, locale: CsvLocale) -> Vec<u8> {
        let mut buf = Vec::new();
        write_csv(
            locale,
            self.header.iter().cloned(),
            self.rows.iter().cloned(),
            &mut buf,
        )
        .expect("writing to memory cannot fail");
        buf
    }
}

fn header(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// `summary.csv`: one row per setup × metric.
pub fn summary_table(exp: &Experiment) -> Table {
    let mut t = Table {
        header: header(&[
            "setup",
            "metric",
            "n",
            "mean",
            "mean_ci_lo",
            "mean_ci_hi",
            "sd",
            "min",
            "p5",
            "p5_ci_lo",
            "p5_ci_hi",
            "p50",
            "p50_ci_lo",
            "p50_ci_hi",
            "p90",
            "p90_ci_lo",
            "p90_ci_hi",
            "p95",
            "p95_ci_lo",
            "p95_ci_hi",
            "p99",
            "p99_ci_lo",
            "p99_ci_hi",
            "max",
            "cvar95",
            "description",
        ]),
        rows: Vec::new(),
    };
    // Each summary sorts every replication's value: computed in parallel, listed in order.
    let summaries: Vec<Vec<Summary>> = {
        use rayon::prelude::*;
        exp.setups
            .iter()
            .map(|s| s.values.par_iter().map(|v| Summary::of(v)).collect())
            .collect()
    };
    for (s, summaries) in exp.setups.iter().zip(&summaries) {
        for (def, m) in catalog().iter().zip(summaries) {
            let mut row = vec![
                Cell::Text(s.name.clone()),
                Cell::Text(def.name.clone()),
                Cell::Int(m.n as u64),
            ];
            row.extend([m.mean, m.ci_lo, m.ci_hi, m.sd, m.min].map(Cell::Num));
            for (q, ci) in [
                (m.p5, m.p5_ci),
                (m.p50, m.p50_ci),
                (m.p90, m.p90_ci),
                (m.p95, m.p95_ci),
                (m.p99, m.p99_ci),
            ] {
                row.extend([Cell::Num(q), Cell::Num(ci.0), Cell::Num(ci.1)]);
            }
            row.extend([
                Cell::Num(m.max),
                Cell::Num(m.cvar95),
                Cell::Text(def.description.clone()),
            ]);
            t.rows.push(row);
        }
    }
    t
}

/// `exceedance.csv`: P(metric > threshold) per setup for the scenario's thresholds.
pub fn exceedance_table(model: &Model, exp: &Experiment) -> Table {
    let mut t = Table {
        header: header(&[
            "setup",
            "metric",
            "threshold",
            "p_exceed",
            "p_ci_lo",
            "p_ci_hi",
            "n",
        ]),
        rows: Vec::new(),
    };
    for s in &exp.setups {
        for (metric, thresholds) in &model.report.thresholds {
            let Some(m) = catalog().iter().position(|d| &d.name == metric) else {
                continue;
            };
            for &x in thresholds {
                let p = exceedance(&s.values[m], x);
                t.rows.push(vec![
                    Cell::Text(s.name.clone()),
                    Cell::Text(metric.clone()),
                    Cell::Num(x),
                    Cell::Num(p.p),
                    Cell::Num(p.lo),
                    Cell::Num(p.hi),
                    Cell::Int(p.n as u64),
                ]);
            }
        }
    }
    t
}

/// `replications.csv`: one row per replication × setup, one column per metric (or only the
/// headline metrics with `headline_only`, the slim copy the charts need). Streamed row by row:
/// at 100,000 replications the file has hundreds of megabytes.
pub fn write_replications<W: std::io::Write>(
    exp: &Experiment,
    headline_only: bool,
    locale: CsvLocale,
    w: W,
) -> std::io::Result<()> {
    let metrics: Vec<usize> = (0..catalog().len())
        .filter(|&m| !headline_only || catalog()[m].headline)
        .collect();
    let mut h = header(&["replication", "setup"]);
    h.extend(metrics.iter().map(|&m| catalog()[m].name.clone()));
    let mut out = RowWriter::new(locale, w);
    out.header(h)?;
    // Formatting millions of numbers is most of the cost: blocks of replications are formatted
    // in parallel and written in order, a few blocks at a time, so memory stays bounded.
    const BLOCK: usize = 256;
    let reps = exp.count as usize;
    let blocks: Vec<std::ops::Range<usize>> = (0..reps)
        .step_by(BLOCK)
        .map(|a| a..(a + BLOCK).min(reps))
        .collect();
    let format_block = |block: &std::ops::Range<usize>| -> std::io::Result<Vec<u8>> {
        let mut buf = RowWriter::new(locale, Vec::new());
        let mut row = Vec::with_capacity(metrics.len() + 2);
        for i in block.clone() {
            for s in &exp.setups {
                row.clear();
                row.push(Cell::Int(exp.first + i as u64));
                row.push(Cell::Text(s.name.clone()));
                row.extend(metrics.iter().map(|&m| Cell::Num(s.values[m][i])));
                buf.row(&row)?;
            }
        }
        buf.into_inner()
    };
    let mut w = out.into_inner()?;
    for group in blocks.chunks(4 * rayon::current_num_threads().max(1)) {
        let texts: Vec<std::io::Result<Vec<u8>>> = {
            use rayon::prelude::*;
            group.par_iter().map(format_block).collect()
        };
        for text in texts {
            w.write_all(&text?)?;
        }
    }
    w.flush()
}

/// `daily.csv`: per setup and day of the window: backlog quantiles, the probability that nobody
/// qualified was on duty during business hours, the mean number of open P1 tickets.
pub fn daily_table(model: &Model, exp: &Experiment) -> Table {
    let mut t = Table {
        header: header(&[
            "setup",
            "day",
            "date",
            "backlog_p10",
            "backlog_p50",
            "backlog_p90",
            "p_nobody_qualified",
            "open_p1_mean",
        ]),
        rows: Vec::new(),
    };
    for s in &exp.setups {
        let d = &s.daily;
        let n = d.replications.max(1) as f64;
        for day in 0..d.backlog_counts.len() {
            t.rows.push(vec![
                Cell::Text(s.name.clone()),
                Cell::Int(day as u64),
                Cell::Text(model.calendar.date_of_day(day as i64).to_string()),
                Cell::Int(u64::from(d.backlog_quantile(day, 0.10))),
                Cell::Int(u64::from(d.backlog_quantile(day, 0.50))),
                Cell::Int(u64::from(d.backlog_quantile(day, 0.90))),
                Cell::Num(f64::from(d.nobody_count[day]) / n),
                Cell::Num(d.open_p1_sum[day] as f64 / n),
            ]);
        }
    }
    t
}

/// `times.csv`: the distribution of response and resolution times of all tickets of all
/// replications, per setup and priority, as cumulative shares at the end of each bin (bins of
/// 0.1 business hours up to 24, then 20 a decade up to 10,000, then one open bin; see
/// [`crate::engine::TimeHistogram`]; rows are written up to the bin where the share reaches 1).
pub fn times_table(exp: &Experiment) -> Table {
    use crate::engine::TimeHistogram;
    let mut t = Table {
        header: header(&[
            "setup",
            "kind",
            "priority",
            "upto_bh",
            "tickets",
            "cumulative_share",
        ]),
        rows: Vec::new(),
    };
    for s in &exp.setups {
        for (kind, name) in [(0, "response"), (1, "resolution")] {
            for (p, counts) in s.times[kind].iter().enumerate() {
                let total: u64 = counts.iter().sum();
                if total == 0 {
                    continue;
                }
                let mut seen = 0;
                for (i, &c) in counts.iter().enumerate() {
                    seen += c;
                    t.rows.push(vec![
                        Cell::Text(s.name.clone()),
                        Cell::Text(name.to_string()),
                        Cell::Text(format!("P{}", p + 1)),
                        // Exact decimals (from integer tenths); the last bin is open-ended.
                        Cell::Num(TimeHistogram::upper_h(i)),
                        Cell::Int(c),
                        Cell::Num(seen as f64 / total as f64),
                    ]);
                    if seen == total {
                        break;
                    }
                }
            }
        }
    }
    t
}

/// `episodes.csv`: how often a year nobody qualified is on duty, and for how long. Per setup
/// and measure (`business_hours`: the uncovered business time of an episode; `calendar_days`:
/// its span from first to last uncovered hour), one row per length bin of
/// [`crate::engine::EpisodeHistogram`] (all bins, also empty ones): the episodes of all
/// replications in the bin, the same per simulated year, the cumulative share of episodes up to
/// the bin's end, and the episodes per year longer than that.
pub fn episodes_table(model: &Model, exp: &Experiment) -> Table {
    use crate::engine::EpisodeHistogram;
    let mut t = Table {
        header: header(&[
            "setup",
            "measure",
            "upto",
            "episodes",
            "per_year",
            "cumulative_share",
            "longer_per_year",
        ]),
        rows: Vec::new(),
    };
    let years = exp.count as f64 * f64::from(model.sim.years);
    for s in &exp.setups {
        for (kind, (name, edges)) in [
            ("business_hours", &EpisodeHistogram::BUSINESS_H[..]),
            ("calendar_days", &EpisodeHistogram::DAYS[..]),
        ]
        .into_iter()
        .enumerate()
        {
            let counts = &s.episodes[kind];
            let total: u64 = counts.iter().sum();
            let mut seen = 0;
            for (i, &c) in counts.iter().enumerate() {
                seen += c;
                t.rows.push(vec![
                    Cell::Text(s.name.clone()),
                    Cell::Text(name.to_string()),
                    // The last bin is open-ended.
                    Cell::Num(edges.get(i).map_or(f64::INFINITY, |&e| f64::from(e))),
                    Cell::Int(c),
                    Cell::Num(c as f64 / years),
                    Cell::Num(if total > 0 {
                        seen as f64 / total as f64
                    } else {
                        f64::NAN
                    }),
                    Cell::Num((total - seen) as f64 / years),
                ]);
            }
        }
    }
    t
}

/// Paired differences of every metric of every setup against the baseline.
pub fn comparisons(model: &Model, exp: &Experiment) -> Vec<(usize, usize, PairedDiff)> {
    let base = &exp.setups[model.report.baseline];
    let mut out = Vec::new();
    for (si, s) in exp.setups.iter().enumerate() {
        if si == model.report.baseline {
            continue;
        }
        for m in 0..catalog().len() {
            out.push((si, m, paired_diff(&base.values[m], &s.values[m])));
        }
    }
    out
}

/// `comparison.csv`: paired differences (setup − baseline) with their 95 % CIs, and how much
/// the pairing (common random numbers) narrows the interval against independent runs.
pub fn comparison_table(model: &Model, exp: &Experiment) -> Table {
    let mut t = Table {
        header: header(&[
            "setup",
            "baseline",
            "metric",
            "n",
            "diff_mean",
            "diff_ci_lo",
            "diff_ci_hi",
            "diff_sd",
            "independent_ci_half_width",
            "ci_narrowing_factor",
        ]),
        rows: Vec::new(),
    };
    let base = &exp.setups[model.report.baseline].name;
    for (si, m, d) in comparisons(model, exp) {
        t.rows.push(vec![
            Cell::Text(exp.setups[si].name.clone()),
            Cell::Text(base.clone()),
            Cell::Text(catalog()[m].name.clone()),
            Cell::Int(d.n as u64),
            Cell::Num(d.mean_diff),
            Cell::Num(d.ci_lo),
            Cell::Num(d.ci_hi),
            Cell::Num(d.sd_diff),
            Cell::Num(d.independent_half_width),
            Cell::Num(d.narrowing),
        ]);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `write_replications` formats blocks in parallel, groups of blocks at a time: its output
    /// must be what writing the rows one by one gives, across block and group boundaries.
    #[test]
    fn replications_in_parallel_blocks_equal_row_by_row() {
        use crate::montecarlo::SetupResults;
        let count = 2_600; // more than one group of blocks on any machine up to 2 threads
        let setups: Vec<SetupResults> = ["=one", "two"]
            .iter()
            .enumerate()
            .map(|(k, name)| SetupResults {
                name: name.to_string(),
                values: (0..catalog().len())
                    .map(|m| {
                        (0..count)
                            .map(|i| match (i + m + k) % 7 {
                                0 => f64::NAN,
                                r => (i * m) as f64 / f64::from(r as u32) - 0.1,
                            })
                            .collect()
                    })
                    .collect(),
                daily: Default::default(),
                times: Default::default(),
                episodes: Default::default(),
            })
            .collect();
        let exp = Experiment {
            first: 17,
            count: count as u64,
            setups,
        };
        for locale in [CsvLocale::En, CsvLocale::De] {
            let mut parallel = Vec::new();
            write_replications(&exp, false, locale, &mut parallel).unwrap();
            let mut h = header(&["replication", "setup"]);
            h.extend(catalog().iter().map(|d| d.name.clone()));
            let rows = (0..count).flat_map(|i| {
                exp.setups.iter().map(move |s| {
                    let mut row = vec![Cell::Int(17 + i as u64), Cell::Text(s.name.clone())];
                    row.extend(s.values.iter().map(|v| Cell::Num(v[i])));
                    row
                })
            });
            let mut serial = Vec::new();
            write_csv(locale, h, rows, &mut serial).unwrap();
            assert!(parallel == serial, "{locale:?}");
        }
    }

    fn table() -> Table {
        Table {
            header: vec!["setup".into(), "value_h".into()],
            rows: vec![
                vec![Cell::Text("=HYPERLINK(\"x\")".into()), Cell::Num(1234.5)],
                vec![Cell::Text("Two; admins".into()), Cell::Num(f64::NAN)],
                vec![Cell::Text("-1".into()), Cell::Int(3)],
            ],
        }
    }

    #[test]
    fn protection_round_trips_every_text() {
        for name in [
            "'=x",
            "'-20% budget",
            "=SUM(A1)",
            "+1",
            "-x",
            "@y",
            "''",
            "'",
            "plain",
            "",
            "\tx",
        ] {
            let written = formula_safe(name);
            assert!(
                !written.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{name:?} is written as a formula: {written:?}"
            );
            assert_eq!(unprotect(&written), name);
        }
        assert_eq!(formula_safe("'=x"), "''=x");
        assert_eq!(formula_safe("plain"), "plain");
    }

    #[test]
    fn english_csv() {
        let s = String::from_utf8(table().to_csv(CsvLocale::En)).unwrap();
        assert_eq!(
            s,
            "setup,value_h\n\"'=HYPERLINK(\"\"x\"\")\",1234.5\nTwo; admins,\n'-1,3\n"
        );
    }

    #[test]
    fn german_csv_uses_semicolons_and_decimal_commas() {
        let s = String::from_utf8(table().to_csv(CsvLocale::De)).unwrap();
        assert_eq!(
            s,
            "setup;value_h\n\"'=HYPERLINK(\"\"x\"\")\";1234,5\n\"Two; admins\";\n'-1;3\n"
        );
    }
}
