//! Reading a run folder's files (as bytes) into what the charts and the report need.

use std::collections::BTreeMap;

use super::ChartError;
use crate::model::Model;

/// One CSV file, parsed into strings, with the locale's number format.
pub(crate) struct Csv {
    file: &'static str,
    header: Vec<String>,
    rows: Vec<csv::StringRecord>,
    decimal_comma: bool,
}

impl Csv {
    fn parse(file: &'static str, bytes: &[u8], decimal_comma: bool) -> Result<Csv, ChartError> {
        let mut r = csv::ReaderBuilder::new()
            .delimiter(if decimal_comma { b';' } else { b',' })
            .from_reader(bytes);
        let csv_err = |e: csv::Error| ChartError::Malformed {
            file: file.into(),
            reason: e.to_string(),
        };
        let header = r
            .headers()
            .map_err(csv_err)?
            .iter()
            .map(str::to_string)
            .collect();
        let rows = r
            .records()
            .collect::<Result<Vec<_>, _>>()
            .map_err(csv_err)?;
        Ok(Csv {
            file,
            header,
            rows,
            decimal_comma,
        })
    }

    /// Index of a column.
    pub(crate) fn col(&self, name: &str) -> Result<usize, ChartError> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| ChartError::MissingColumn {
                file: self.file.into(),
                column: name.into(),
            })
    }

    /// Text of a cell as it was before the writer protected it from spreadsheet formulas
    /// (see [`unprotect`](crate::report::csv::unprotect)).
    pub(crate) fn text<'a>(&'a self, row: &'a csv::StringRecord, col: usize) -> &'a str {
        crate::report::csv::unprotect(row.get(col).unwrap_or(""))
    }

    /// Number in a cell: empty is NaN, `inf` infinity.
    pub(crate) fn num(&self, row_index: usize, col: usize) -> Result<f64, ChartError> {
        let raw = self.rows[row_index].get(col).unwrap_or("").trim();
        if raw.is_empty() {
            return Ok(f64::NAN);
        }
        let s = if self.decimal_comma {
            raw.replace(',', ".")
        } else {
            raw.to_string()
        };
        s.parse::<f64>().map_err(|_| ChartError::BadValue {
            file: self.file.into(),
            line: row_index + 2,
            column: self.header[col].clone(),
            value: raw.into(),
        })
    }

    /// The rows.
    pub(crate) fn rows(&self) -> &[csv::StringRecord] {
        &self.rows
    }
}

/// One row of `summary.csv`: a metric of a setup across replications.
#[derive(Clone, Debug, Default)]
pub(crate) struct Summary {
    pub(crate) mean: f64,
    pub(crate) mean_lo: f64,
    pub(crate) mean_hi: f64,
    pub(crate) p5: f64,
    pub(crate) p50: f64,
    pub(crate) p95: f64,
}

/// One row of `comparison.csv`: paired difference setup − baseline.
#[derive(Clone, Debug)]
pub(crate) struct Diff {
    pub(crate) setup: String,
    pub(crate) metric: String,
    pub(crate) mean: f64,
    pub(crate) lo: f64,
    pub(crate) hi: f64,
}

/// One day of `daily.csv`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Day {
    pub(crate) day: f64,
    /// (year, month, day of month) of the date column.
    pub(crate) date: (i32, u32, u32),
    pub(crate) p10: f64,
    pub(crate) p50: f64,
    pub(crate) p90: f64,
}

/// Everything of a run that the charts and the report use.
pub(crate) struct RunData {
    pub(crate) scenario_name: String,
    pub(crate) seed: u64,
    pub(crate) replications: u64,
    pub(crate) years: u64,
    pub(crate) baseline: String,
    pub(crate) version: String,
    /// Setup names in the order of the run.
    pub(crate) setups: Vec<String>,
    pub(crate) model: Model,
    summary: BTreeMap<(String, String), Summary>,
    pub(crate) comparison: Vec<Diff>,
    replications_csv: Csv,
    /// Per setup (index as in `setups`).
    pub(crate) daily: Vec<Vec<Day>>,
    /// Response-time distribution per setup and priority (0 = P1 … 3 = P4): `(upto_bh, share)`.
    pub(crate) response: Vec<[Vec<(f64, f64)>; 4]>,
}

fn file<'a>(files: &'a [(&str, Vec<u8>)], name: &'static str) -> Result<&'a [u8], ChartError> {
    files
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| b.as_slice())
        .ok_or(ChartError::MissingFile(name))
}

impl RunData {
    /// Parses the files of a run folder.
    pub(crate) fn parse(files: &[(&str, Vec<u8>)]) -> Result<RunData, ChartError> {
        let manifest: serde_json::Value = serde_json::from_slice(file(files, "manifest.json")?)
            .map_err(|e| ChartError::Malformed {
                file: "manifest.json".into(),
                reason: e.to_string(),
            })?;
        let field = |name: &str| {
            manifest.get(name).ok_or_else(|| ChartError::MissingColumn {
                file: "manifest.json".into(),
                column: name.into(),
            })
        };
        let bad = |name: &str| ChartError::Malformed {
            file: "manifest.json".into(),
            reason: format!("{name} has the wrong type"),
        };
        let str_field = |name: &str| -> Result<String, ChartError> {
            field(name)?
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| bad(name))
        };
        let u64_field = |name: &str| -> Result<u64, ChartError> {
            field(name)?.as_u64().ok_or_else(|| bad(name))
        };
        let decimal_comma = str_field("csv_locale")? == "de";
        let setups: Vec<String> = field("setups")?
            .as_array()
            .ok_or_else(|| bad("setups"))?
            .iter()
            .map(|s| {
                s.get("name")
                    .and_then(|n| n.as_str())
                    .map(str::to_string)
                    .ok_or_else(|| bad("setups[].name"))
            })
            .collect::<Result<_, _>>()?;
        if setups.is_empty() {
            return Err(bad("setups"));
        }
        let scenario_text = std::str::from_utf8(file(files, "scenario.toml")?).map_err(|_| {
            ChartError::Malformed {
                file: "scenario.toml".into(),
                reason: "not UTF-8".into(),
            }
        })?;
        let model = crate::scenario::from_str(scenario_text, "scenario.toml").map_err(|e| {
            ChartError::Malformed {
                file: "scenario.toml".into(),
                reason: e.to_string(),
            }
        })?;

        // summary.csv
        let csv = Csv::parse("summary.csv", file(files, "summary.csv")?, decimal_comma)?;
        let cols: Vec<usize> = [
            "setup",
            "metric",
            "mean",
            "mean_ci_lo",
            "mean_ci_hi",
            "p5",
            "p50",
            "p95",
        ]
        .iter()
        .map(|c| csv.col(c))
        .collect::<Result<_, _>>()?;
        let mut summary = BTreeMap::new();
        for (i, row) in csv.rows().iter().enumerate() {
            let n = |k: usize| csv.num(i, cols[k]);
            summary.insert(
                (
                    csv.text(row, cols[0]).to_string(),
                    csv.text(row, cols[1]).to_string(),
                ),
                Summary {
                    mean: n(2)?,
                    mean_lo: n(3)?,
                    mean_hi: n(4)?,
                    p5: n(5)?,
                    p50: n(6)?,
                    p95: n(7)?,
                },
            );
        }

        // comparison.csv
        let csv = Csv::parse(
            "comparison.csv",
            file(files, "comparison.csv")?,
            decimal_comma,
        )?;
        let cols: Vec<usize> = ["setup", "metric", "diff_mean", "diff_ci_lo", "diff_ci_hi"]
            .iter()
            .map(|c| csv.col(c))
            .collect::<Result<_, _>>()?;
        let mut comparison = Vec::new();
        for (i, row) in csv.rows().iter().enumerate() {
            comparison.push(Diff {
                setup: csv.text(row, cols[0]).to_string(),
                metric: csv.text(row, cols[1]).to_string(),
                mean: csv.num(i, cols[2])?,
                lo: csv.num(i, cols[3])?,
                hi: csv.num(i, cols[4])?,
            });
        }

        // daily.csv
        let csv = Csv::parse("daily.csv", file(files, "daily.csv")?, decimal_comma)?;
        let cols: Vec<usize> = [
            "setup",
            "day",
            "date",
            "backlog_p10",
            "backlog_p50",
            "backlog_p90",
        ]
        .iter()
        .map(|c| csv.col(c))
        .collect::<Result<_, _>>()?;
        let mut daily = vec![Vec::new(); setups.len()];
        for (i, row) in csv.rows().iter().enumerate() {
            let Some(s) = setups.iter().position(|s| s == csv.text(row, cols[0])) else {
                continue;
            };
            let date_text = csv.text(row, cols[2]);
            let date = chrono::NaiveDate::parse_from_str(date_text, "%Y-%m-%d").map_err(|_| {
                ChartError::BadValue {
                    file: "daily.csv".into(),
                    line: i + 2,
                    column: "date".into(),
                    value: date_text.into(),
                }
            })?;
            use chrono::Datelike;
            daily[s].push(Day {
                day: csv.num(i, cols[1])?,
                date: (date.year(), date.month(), date.day()),
                p10: csv.num(i, cols[3])?,
                p50: csv.num(i, cols[4])?,
                p90: csv.num(i, cols[5])?,
            });
        }

        // times.csv
        let csv = Csv::parse("times.csv", file(files, "times.csv")?, decimal_comma)?;
        let cols: Vec<usize> = ["setup", "kind", "priority", "upto_bh", "cumulative_share"]
            .iter()
            .map(|c| csv.col(c))
            .collect::<Result<_, _>>()?;
        let mut response: Vec<[Vec<(f64, f64)>; 4]> = vec![Default::default(); setups.len()];
        for (i, row) in csv.rows().iter().enumerate() {
            if csv.text(row, cols[1]) != "response" {
                continue;
            }
            let Some(s) = setups.iter().position(|s| s == csv.text(row, cols[0])) else {
                continue;
            };
            let p = match csv.text(row, cols[2]) {
                "P1" => 0,
                "P2" => 1,
                "P3" => 2,
                "P4" => 3,
                _ => continue,
            };
            response[s][p].push((csv.num(i, cols[3])?, csv.num(i, cols[4])?));
        }

        let replications_csv = Csv::parse(
            "replications.csv",
            file(files, "replications.csv")?,
            decimal_comma,
        )?;
        replications_csv.col("setup")?;

        Ok(RunData {
            scenario_name: str_field("scenario_name")?,
            seed: u64_field("seed")?,
            replications: u64_field("replications")?,
            years: u64_field("years_per_replication").unwrap_or(1),
            baseline: str_field("baseline")?,
            version: str_field("covsim_version").unwrap_or_default(),
            setups,
            model,
            summary,
            comparison,
            replications_csv,
            daily,
            response,
        })
    }

    /// Summary of a metric of a setup.
    pub(crate) fn summary(&self, setup: &str, metric: &str) -> Result<&Summary, ChartError> {
        self.summary
            .get(&(setup.to_string(), metric.to_string()))
            .ok_or_else(|| ChartError::MissingRow {
                file: "summary.csv".into(),
                row: format!("{setup} / {metric}"),
            })
    }

    /// Values of a metric in every replication, per setup (index as in `setups`).
    pub(crate) fn values(&self, metric: &str) -> Result<Vec<Vec<f64>>, ChartError> {
        let csv = &self.replications_csv;
        let setup_col = csv.col("setup")?;
        let col = csv.col(metric)?;
        let mut out = vec![Vec::new(); self.setups.len()];
        for (i, row) in csv.rows().iter().enumerate() {
            if let Some(s) = self
                .setups
                .iter()
                .position(|s| s == csv.text(row, setup_col))
            {
                let v = csv.num(i, col)?;
                if !v.is_nan() {
                    out[s].push(v);
                }
            }
        }
        Ok(out)
    }

    /// The model's setup of that name.
    pub(crate) fn model_setup(&self, name: &str) -> Option<&crate::model::Setup> {
        self.model.setups.iter().find(|s| s.name == name)
    }
}

/// The `q`-quantile (0–1) of sorted values, linear interpolation between order statistics.
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (h - lo as f64)
}
