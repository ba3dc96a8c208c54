//! The integrity of a run folder: `manifest.json` records each data file's size, CRC-32 and
//! row count (`file_checks`), and `covsim report` refuses a folder whose files do not match,
//! rather than drawing charts from a truncated or doubled file.
//!
//! Charts, `report.html` and `manifest.json` itself are not recorded: `covsim report` rewrites
//! the first two, and the manifest cannot hold its own checksum.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

/// Size, checksum and rows of one file, as written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileCheck {
    /// Size in bytes.
    pub bytes: u64,
    /// CRC-32 (IEEE, as `crc32` and zlib compute it) as 8 lowercase hex digits.
    pub crc32: String,
    /// CSV records after the header line (only for `.csv` files).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rows: Option<u64>,
}

/// Counts CSV lines while bytes go by: newlines outside double quotes, so that a quoted name
/// with a line break in it is one record.
#[derive(Clone, Debug, Default)]
struct LineCounter {
    lines: u64,
    quoted: bool,
    last: Option<u8>,
}

impl LineCounter {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            match b {
                b'"' => self.quoted = !self.quoted,
                b'\n' if !self.quoted => self.lines += 1,
                _ => {}
            }
        }
        if let Some(&b) = bytes.last() {
            self.last = Some(b);
        }
    }

    /// Records after the header; a last line without a newline counts too.
    fn rows(&self) -> u64 {
        let lines = self.lines + u64::from(self.last.is_some_and(|b| b != b'\n'));
        lines.saturating_sub(1)
    }
}

/// Computes a [`FileCheck`] of bytes fed in pieces.
#[derive(Debug)]
pub struct Checker {
    hasher: crc32fast::Hasher,
    bytes: u64,
    lines: Option<LineCounter>,
}

impl Checker {
    /// A checker for the file `name` (rows are counted for `.csv` files).
    pub fn new(name: &str) -> Self {
        Checker {
            hasher: crc32fast::Hasher::new(),
            bytes: 0,
            lines: name.ends_with(".csv").then(LineCounter::default),
        }
    }

    /// Feeds the next bytes.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.bytes += bytes.len() as u64;
        if let Some(l) = &mut self.lines {
            l.feed(bytes);
        }
    }

    /// The check of everything fed.
    pub fn finish(self) -> FileCheck {
        FileCheck {
            bytes: self.bytes,
            crc32: format!("{:08x}", self.hasher.finalize()),
            rows: self.lines.map(|l| l.rows()),
        }
    }

    /// The check of a whole file in memory.
    pub fn of(name: &str, bytes: &[u8]) -> FileCheck {
        let mut c = Checker::new(name);
        c.feed(bytes);
        c.finish()
    }
}

/// A writer that checks what passes through it: the check of a streamed file is computed while
/// it is written, without reading it back.
pub struct CheckingWriter<'a, W: Write> {
    inner: W,
    checker: &'a mut Checker,
}

impl<'a, W: Write> CheckingWriter<'a, W> {
    /// Wraps `inner`, feeding `checker`.
    pub fn new(inner: W, checker: &'a mut Checker) -> Self {
        CheckingWriter { inner, checker }
    }

    /// The inner writer.
    pub fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: Write> Write for CheckingWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.checker.feed(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Whether a file's check is recorded in the manifest (see the module documentation).
pub fn is_checked(name: &str) -> bool {
    name != "manifest.json" && !name.starts_with("chart-") && name != "report.html"
}

/// `manifest` (pretty-printed JSON, as covsim writes it) with a `file_checks` object added as
/// its last field. The text is spliced rather than parsed and printed again, so that the order
/// of the existing fields stays as it is.
pub fn add_checks(manifest: &[u8], checks: &BTreeMap<String, FileCheck>) -> Option<Vec<u8>> {
    let value: serde_json::Value = serde_json::from_slice(manifest).ok()?;
    let obj = value.as_object()?;
    if obj.is_empty() || obj.contains_key("file_checks") {
        return None;
    }
    let text = std::str::from_utf8(manifest).ok()?.trim_end();
    let body = text.strip_suffix('}')?.trim_end();
    let wrapped =
        serde_json::to_string_pretty(&serde_json::json!({ "file_checks": checks })).ok()?;
    // `{\n  "file_checks": …\n}` → its inner lines, indented as a field of the manifest.
    let inner = wrapped.strip_prefix("{\n")?.strip_suffix("\n}")?;
    Some(format!("{body},\n{inner}\n}}\n").into_bytes())
}

/// Checks the files of a run folder against its manifest: sizes, checksums and row counts as
/// recorded, `replications.csv` holding one row per replication and setup, and `daily.csv`
/// and `episodes.csv` the same rows for every setup. Folders written
/// before `file_checks` existed get the row-count check only. The error names the file and
/// what does not match.
pub fn verify_run_folder(files: &[(&str, Vec<u8>)]) -> Result<(), String> {
    let file = |name: &str| files.iter().find(|f| f.0 == name).map(|f| f.1.as_slice());
    let manifest = file("manifest.json").ok_or("manifest.json is missing")?;
    let m = super::folder::check_manifest(manifest)
        .map_err(|why| format!("manifest.json is not the manifest of a covsim run: {why}"))?;
    if m.contains_key("command") {
        return Err(format!(
            "this is the folder of a covsim {}, not of a run; `covsim report` draws the charts \
             of a run",
            m["command"].as_str().unwrap_or("batch")
        ));
    }
    let recorded: Option<BTreeMap<String, FileCheck>> = match m.get("file_checks") {
        None => None,
        Some(v) => Some(
            serde_json::from_value(v.clone())
                .map_err(|e| format!("manifest.json: file_checks is malformed: {e}"))?,
        ),
    };
    if let Some(recorded) = &recorded {
        for (name, want) in recorded {
            let Some(bytes) = file(name) else { continue };
            let have = Checker::of(name, bytes);
            if have.bytes != want.bytes {
                return Err(format!(
                    "{name} has {} bytes, but manifest.json records {}: the file was cut short, \
                     extended or changed after the run",
                    have.bytes, want.bytes
                ));
            }
            if have.rows != want.rows {
                return Err(format!(
                    "{name} has {} rows, but manifest.json records {}: the file was changed \
                     after the run",
                    have.rows.unwrap_or(0),
                    want.rows.unwrap_or(0)
                ));
            }
            if have.crc32 != want.crc32 {
                return Err(format!(
                    "{name} has CRC-32 {}, but manifest.json records {}: the file was changed \
                     after the run",
                    have.crc32, want.crc32
                ));
            }
        }
    }
    let replications = m["replications"].as_u64().unwrap_or(0);
    let setups = m
        .get("setups")
        .and_then(serde_json::Value::as_array)
        .map_or(0, Vec::len) as u64;
    if let Some(bytes) = file("replications.csv") {
        let rows = Checker::of("replications.csv", bytes).rows.unwrap_or(0);
        let want = replications.checked_mul(setups);
        if want != Some(rows) {
            return Err(format!(
                "replications.csv has {rows} rows, but manifest.json records {replications} \
                 replications of {setups} setups ({} rows): the file was cut short, or the \
                 manifest was changed",
                want.map_or("too many".to_string(), |w| w.to_string())
            ));
        }
    }
    if let Some(bytes) = file("daily.csv") {
        // Every setup has one row per simulated day.
        let rows = Checker::of("daily.csv", bytes).rows.unwrap_or(0);
        if setups == 0 || rows == 0 || !rows.is_multiple_of(setups) {
            return Err(format!(
                "daily.csv has {rows} rows, not the same number of days for each of the \
                 {setups} setups in manifest.json: the file was cut short or changed"
            ));
        }
    }
    if let Some(bytes) = file("episodes.csv") {
        // Every setup has one row per bin of each measure.
        use crate::engine::EpisodeHistogram;
        let bins = (EpisodeHistogram::BUSINESS_H.len() + EpisodeHistogram::DAYS.len() + 2) as u64;
        let rows = Checker::of("episodes.csv", bytes).rows.unwrap_or(0);
        if rows != setups * bins {
            return Err(format!(
                "episodes.csv has {rows} rows, not {bins} for each of the {setups} setups in \
                 manifest.json: the file was cut short or changed"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_count_records_not_line_breaks_in_quoted_names() {
        let csv = b"setup,x\n\"two\nlines\",1\nplain,2";
        assert_eq!(Checker::of("a.csv", csv).rows, Some(2));
        let mut c = Checker::new("a.csv");
        for piece in csv.chunks(3) {
            c.feed(piece);
        }
        assert_eq!(c.finish(), Checker::of("a.csv", csv));
        assert_eq!(Checker::of("scenario.toml", b"a\nb\n").rows, None);
    }

    #[test]
    fn checks_are_added_last_and_the_other_fields_keep_their_order() {
        let manifest = b"{\n  \"z\": 1,\n  \"a\": [\n    2\n  ]\n}\n";
        let mut checks = BTreeMap::new();
        checks.insert("x.csv".to_string(), Checker::of("x.csv", b"h\n1\n"));
        let out = String::from_utf8(add_checks(manifest, &checks).unwrap()).unwrap();
        assert!(
            out.starts_with(
                "{\n  \"z\": 1,\n  \"a\": [\n    2\n  ],\n  \"file_checks\": {\n    \"x.csv\": {\n"
            ),
            "{out}"
        );
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["file_checks"]["x.csv"]["rows"], 1);
        assert!(add_checks(out.as_bytes(), &checks).is_none(), "added twice");
    }
}
