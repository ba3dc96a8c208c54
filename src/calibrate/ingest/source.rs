//! Bytes to rows: encodings, CSV delimiters and XLSX sheets. Only the cells of the columns
//! asked for leave this module; every other cell is skipped where it lies.

use std::io::Cursor;

use calamine::{Data, Reader};

use super::IngestError;

/// One needed cell.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell {
    /// Text as written (numbers of XLSX cells formatted without a trailing `.0`).
    Text(String),
    /// An XLSX date-time cell: year, month, day, hour, minute, second.
    Stamp(i32, u32, u32, u32, u32, u32),
}

/// A table to read: CSV text or one XLSX sheet.
pub(crate) enum Sheet {
    /// Decoded CSV text, its delimiter and the line the data starts after (a `sep=` line).
    Csv {
        /// The file's text.
        text: String,
        /// Field delimiter.
        delimiter: u8,
    },
    /// A worksheet.
    Xlsx {
        /// Sheet name, for notes.
        name: String,
        /// Its cells.
        range: calamine::Range<Data>,
    },
}

/// What decoding found out, for the report's notes.
pub(crate) struct Loaded {
    /// Candidate tables, in file order (CSV: one).
    pub(crate) sheets: Vec<Sheet>,
    /// E.g. "read as Windows-1252".
    pub(crate) notes: Vec<String>,
}

/// Decodes `bytes` and finds the tables in it.
pub(crate) fn load(name: &str, bytes: &[u8]) -> Result<Loaded, IngestError> {
    let zip = bytes.starts_with(b"PK\x03\x04");
    let ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if zip || ole {
        return load_workbook(name, bytes);
    }
    let mut notes = Vec::new();
    let text = decode(bytes, &mut notes);
    if text.contains('\0') {
        return Err(IngestError::NotATable {
            file: name.to_string(),
        });
    }
    // Excel's "sep=;" first line names the delimiter.
    let first = text.lines().next().unwrap_or("");
    let (text, delimiter) = match first.trim_end().strip_prefix("sep=") {
        Some(d) if d.len() == 1 && d.is_ascii() => {
            let d = d.as_bytes()[0];
            // Keep the line count: the sep line becomes an empty line, skipped as blank.
            let rest = text[first.len()..].to_string();
            (rest, d)
        }
        _ => {
            let d = sniff(&text);
            (text, d)
        }
    };
    notes.push(format!(
        "CSV with delimiter {}",
        match delimiter {
            b'\t' => "tab".to_string(),
            d => format!("'{}'", d as char),
        }
    ));
    Ok(Loaded {
        sheets: vec![Sheet::Csv { text, delimiter }],
        notes,
    })
}

fn decode(bytes: &[u8], notes: &mut Vec<String>) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    for (bom, enc, label) in [
        (&[0xFF, 0xFE][..], encoding_rs::UTF_16LE, "UTF-16 LE"),
        (&[0xFE, 0xFF][..], encoding_rs::UTF_16BE, "UTF-16 BE"),
    ] {
        if bytes.starts_with(bom) {
            notes.push(format!("read as {label}"));
            let (text, _, _) = enc.decode(bytes);
            return text.into_owned();
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            // German Excel saves "CSV (Trennzeichen-getrennt)" in Windows-1252.
            notes.push("read as Windows-1252 (not valid UTF-8)".to_string());
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            text.into_owned()
        }
    }
}

/// Counts `d` outside double quotes in `line`.
fn count_outside_quotes(line: &str, d: char) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for c in line.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if c == d && !quoted {
            n += 1;
        }
    }
    n
}

/// The delimiter that splits the first lines most consistently (`,` `;` tab `|`).
fn sniff(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(6)
        .collect();
    let mut best = (b',', (0usize, 0usize));
    for d in [',', ';', '\t', '|'] {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        let Some(&head) = counts.first() else {
            continue;
        };
        if head == 0 {
            continue;
        }
        let consistent = counts.iter().filter(|&&c| c == head).count();
        let score = (consistent, head);
        if score > best.1 {
            best = (d as u8, score);
        }
    }
    best.0
}

/// An XLSX file is a zip archive: a few MB may unpack to gigabytes (a zip bomb, or a workbook
/// with other sheets full of data), and calamine unpacks whole sheets into memory. The unpacked
/// size is bounded like the size of a CSV export, with room for XML's verbosity.
const MAX_UNPACKED_BYTES: u64 = 4 * super::MAX_BYTES;

fn check_unpacked_size(name: &str, bytes: &[u8], limit: u64) -> Result<(), IngestError> {
    if !bytes.starts_with(b"PK") {
        return Ok(()); // XLS (OLE) is not compressed: the file size bounds it.
    }
    // A broken archive is left to calamine, whose message names the problem.
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let mut total = 0u64;
    for i in 0..archive.len() {
        if let Ok(entry) = archive.by_index_raw(i) {
            total = total.saturating_add(entry.size());
        }
    }
    if total > limit {
        return Err(IngestError::Workbook {
            file: name.to_string(),
            message: format!(
                "the workbook unpacks to {} MiB, more than the {} MiB a ticket export can need; \
                 export only the ticket sheet, or save it as CSV",
                total / (1024 * 1024),
                limit / (1024 * 1024)
            ),
        });
    }
    Ok(())
}

fn load_workbook(name: &str, bytes: &[u8]) -> Result<Loaded, IngestError> {
    let bad = |e: calamine::Error| IngestError::Workbook {
        file: name.to_string(),
        message: e.to_string(),
    };
    check_unpacked_size(name, bytes, MAX_UNPACKED_BYTES)?;
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(bad)?;
    let names = book.sheet_names();
    let mut sheets = Vec::new();
    for n in names {
        let range = book.worksheet_range(&n).map_err(bad)?;
        sheets.push(Sheet::Xlsx { name: n, range });
    }
    Ok(Loaded {
        sheets,
        notes: Vec::new(),
    })
}

fn data_text(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(x) => x.as_f64().to_string(),
    }
}

fn data_cell(d: &Data) -> Option<Cell> {
    match d {
        Data::Empty => None,
        Data::DateTime(x) if x.is_datetime() => {
            let (y, mo, da, h, mi, s, ms) = x.to_ymd_hms_milli();
            // Round to the nearest second: serials carry float noise.
            let mut c = (
                y as i32, mo as u32, da as u32, h as u32, mi as u32, s as u32,
            );
            if ms >= 500 {
                c.5 += 1;
            }
            Some(if c.5 == 60 {
                // Rare: let the text path deal with the carry via chrono.
                let t = chrono::NaiveDate::from_ymd_opt(c.0, c.1, c.2)
                    .and_then(|d| d.and_hms_opt(c.3, c.4, 59))
                    .map(|t| t + chrono::Duration::seconds(1));
                match t {
                    Some(t) => {
                        use chrono::{Datelike, Timelike};
                        Cell::Stamp(
                            t.year(),
                            t.month(),
                            t.day(),
                            t.hour(),
                            t.minute(),
                            t.second(),
                        )
                    }
                    None => Cell::Text(String::new()),
                }
            } else {
                Cell::Stamp(c.0, c.1, c.2, c.3, c.4, c.5)
            })
        }
        other => {
            let t = data_text(other);
            (!t.trim().is_empty()).then_some(Cell::Text(t))
        }
    }
}

impl Sheet {
    /// Name for messages ("" for CSV).
    pub(crate) fn label(&self) -> Option<&str> {
        match self {
            Sheet::Csv { .. } => None,
            Sheet::Xlsx { name, .. } => Some(name),
        }
    }

    /// The first `n` non-blank rows as text with their line numbers: header candidates.
    pub(crate) fn head(
        &self,
        file: &str,
        n: usize,
    ) -> Result<Vec<(u64, Vec<String>)>, IngestError> {
        let mut out = Vec::new();
        match self {
            Sheet::Csv { text, delimiter } => {
                let mut rdr = csv_reader(text, *delimiter);
                let mut lines = LineCounter::new(text);
                for rec in rdr.records() {
                    let rec = rec.map_err(|e| csv_error(file, &e))?;
                    let line = lines.line_at(&rec);
                    if rec.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    out.push((line, rec.iter().map(|c| c.trim().to_string()).collect()));
                    if out.len() == n {
                        break;
                    }
                }
            }
            Sheet::Xlsx { range, .. } => {
                let first = range.start().map_or(0, |(r, _)| r as u64);
                let lead = range.start().map_or(0, |(_, c)| c as usize);
                for (i, row) in range.rows().enumerate() {
                    if row.iter().all(|d| data_text(d).trim().is_empty()) {
                        continue;
                    }
                    let mut cells = vec![String::new(); lead];
                    cells.extend(row.iter().map(|d| data_text(d).trim().to_string()));
                    out.push((first + i as u64 + 1, cells));
                    if out.len() == n {
                        break;
                    }
                }
            }
        }
        Ok(out)
    }

    /// Calls `f(line, cells)` for every non-blank row after `header_line`, with only the
    /// cells of `cols` (by position in the header). Returns the number of such rows.
    pub(crate) fn rows<const N: usize>(
        &self,
        file: &str,
        header_line: u64,
        cols: &[Option<usize>; N],
        mut f: impl FnMut(u64, [Option<Cell>; N]),
    ) -> Result<u64, IngestError> {
        let mut count = 0;
        match self {
            Sheet::Csv { text, delimiter } => {
                let mut rdr = csv_reader(text, *delimiter);
                let mut rec = csv::StringRecord::new();
                let mut lines = LineCounter::new(text);
                loop {
                    match rdr.read_record(&mut rec) {
                        Ok(true) => {}
                        Ok(false) => break,
                        Err(e) => return Err(csv_error(file, &e)),
                    }
                    let line = lines.line_at(&rec);
                    if line <= header_line || rec.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    count += 1;
                    let cells = cols.map(|c| {
                        c.and_then(|i| rec.get(i))
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(|s| Cell::Text(s.to_string()))
                    });
                    f(line, cells);
                }
            }
            Sheet::Xlsx { range, .. } => {
                let first = range.start().map_or(0, |(r, _)| r as u64);
                let lead = range.start().map_or(0, |(_, c)| c as usize);
                for (i, row) in range.rows().enumerate() {
                    let line = first + i as u64 + 1;
                    if line <= header_line || row.iter().all(|d| data_text(d).trim().is_empty()) {
                        continue;
                    }
                    count += 1;
                    let cells = cols.map(|c| {
                        c.and_then(|i| i.checked_sub(lead))
                            .and_then(|i| row.get(i))
                            .and_then(data_cell)
                    });
                    f(line, cells);
                }
            }
        }
        Ok(count)
    }
}

/// 1-based line numbers from byte offsets: the CSV reader's own line count is off by one
/// after CR LF line ends, so lines are counted here (records come in file order).
struct LineCounter<'t> {
    text: &'t str,
    byte: usize,
    line: u64,
}

impl<'t> LineCounter<'t> {
    fn new(text: &'t str) -> Self {
        LineCounter {
            text,
            byte: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, rec: &csv::StringRecord) -> u64 {
        let mut to = rec
            .position()
            .map_or(self.byte, |p| (p.byte() as usize).min(self.text.len()));
        // After CR LF the reader's position points at the LF: the record starts after it.
        let bytes = self.text.as_bytes();
        while to < bytes.len() && matches!(bytes[to], b'\r' | b'\n') {
            to += 1;
        }
        if to > self.byte {
            let skipped = self.text.as_bytes()[self.byte..to]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.line += skipped as u64;
            self.byte = to;
        }
        self.line
    }
}

fn csv_reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

fn csv_error(file: &str, e: &csv::Error) -> IngestError {
    IngestError::Csv {
        file: file.to_string(),
        line: e.position().map_or(0, |p| p.line()),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff("a;b;c\n1;2;3\n"), b';');
        assert_eq!(sniff("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff("a\tb\n1\t2\n"), b'\t');
        assert_eq!(sniff("a|b\n1|2\n"), b'|');
        assert_eq!(sniff("\"a;x\",b\n\"1;2\",3\n"), b',');
        assert_eq!(sniff("single\n1\n"), b',');
    }

    #[test]
    fn a_workbook_that_unpacks_beyond_the_limit_is_refused_before_reading() {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let deflate = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/worksheets/sheet1.xml", deflate).unwrap();
        zip.write_all(&vec![b' '; 3 * 1024 * 1024]).unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        assert!(
            bytes.len() < 64 * 1024,
            "spaces compress: {} bytes",
            bytes.len()
        );
        let e = check_unpacked_size("bomb.xlsx", &bytes, 2 * 1024 * 1024).unwrap_err();
        assert!(e.to_string().contains("unpacks to 3 MiB"), "{e}");
        assert!(check_unpacked_size("bomb.xlsx", &bytes, 4 * 1024 * 1024).is_ok());
    }
}

#[cfg(test)]
mod line_tests {
    use super::*;

    #[test]
    fn crlf_lines_are_counted_once() {
        let s = Sheet::Csv {
            text: "a;b\r\n1;2\r\n3;4\r\n".to_string(),
            delimiter: b';',
        };
        let mut seen = Vec::new();
        let n = s
            .rows("x", 1, &[Some(0)], |line, cells| {
                seen.push((line, cells[0].clone()))
            })
            .unwrap();
        assert_eq!(n, 2);
        assert_eq!(seen[0].0, 2);
        assert_eq!(seen[1].0, 3);
    }
}
