//! Reading ticket exports (CSV or XLSX) of the common ticket systems into an [`Export`].
//!
//! ```text
//! bytes ─▶ source (encoding, delimiter, sheets) ─▶ header (preset, --map) ─▶ rows (needed
//! cells only) ─▶ tickets (event logs folded, duplicates, exclusions, censoring) ─▶ Export
//! ```
//!
//! Privacy by construction: the header decides which columns are needed, and only those cells
//! are ever copied out of the file; names, e-mail addresses and free text are never read.
//!
//! Every problem is counted, per reason, with example lines; nothing is dropped silently. A
//! file with nothing usable is an [`IngestError`] (exit code 2) naming the columns it saw and
//! those it looked for.

mod dates;
mod presets;
mod priority;
mod source;
mod values;
mod write;

use std::collections::HashMap;
use std::path::Path;

use chrono::{NaiveDateTime, NaiveTime};

use super::{Export, ExportTicket, IngestReport, Problem};
use crate::model::Priority;

pub use presets::{
    DateStyle, EffortUnit, Field, Preset, StatusKind, find_preset, list_presets_text, presets,
};
pub use write::write_export;

use dates::Dst;
use source::Cell;

/// Largest export read [bytes]: a ten-year export of a 100-PC company is a few MB; anything
/// this large is not a ticket list.
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// Example lines kept per problem.
const EXAMPLES: usize = 5;

/// Distinct unknown values listed one by one (priorities, statuses).
const LISTED_VALUES: usize = 20;

/// Rows looked at for the header (title rows of spreadsheet reports come before it).
const HEADER_SEARCH: usize = 10;

/// How to read an export.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReadOptions {
    /// Preset name (`--preset`); `None`: detected from the header.
    pub preset: Option<String>,
    /// `(field, column)` from `--map`, overriding the preset's column for that field.
    pub map: Vec<(String, String)>,
    /// `(value, priority)` from `--priority-map`, checked before every other rule.
    pub priority_map: Vec<(String, Priority)>,
    /// End of the observation (export time); `None`: the latest time in the file.
    pub until: Option<NaiveDateTime>,
    /// Start of the observation; `None`: the midnight before the first creation. An export
    /// cannot say when its period began: a quiet first day would otherwise shorten the period
    /// and make the first month look incomplete.
    pub from: Option<NaiveDateTime>,
}

/// Why an export could not be read. All are input errors (exit code 2) except failed reads of
/// an existing file and failed writes (exit code 1): see [`IngestError::exit_code`].
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The file could not be read.
    // The cause is part of the message and deliberately not a `source`: the command line
    // prints the whole chain, which would say it twice.
    #[error("cannot read {file}: {cause}")]
    Io {
        /// File as given.
        file: String,
        /// Cause.
        cause: std::io::Error,
    },
    /// Larger than [`MAX_BYTES`].
    #[error(
        "{file} is {size} bytes, more than the {limit} bytes calibrate reads; export a shorter \
         period or only the columns calibrate needs (covsim calibrate --list-presets)"
    )]
    TooLarge {
        /// File as given.
        file: String,
        /// Its size [bytes].
        size: u64,
        /// The limit [bytes].
        limit: u64,
    },
    /// Binary data that is no workbook.
    #[error(
        "{file} is neither CSV text nor an XLSX/XLS workbook (it holds binary data); export \
         the tickets as CSV or XLSX"
    )]
    NotATable {
        /// File as given.
        file: String,
    },
    /// A workbook calamine cannot read.
    #[error("{file} is not a readable workbook ({message}); save it again as .xlsx, or export CSV")]
    Workbook {
        /// File as given.
        file: String,
        /// calamine's message.
        message: String,
    },
    /// Broken CSV.
    #[error("{file}:{line}: unreadable CSV ({message}); check the quotes on that line")]
    Csv {
        /// File as given.
        file: String,
        /// Line (1 = first line of the file).
        line: u64,
        /// The CSV reader's message.
        message: String,
    },
    /// `--preset` names no preset.
    #[error(
        "unknown preset '{name}'; known presets: {known} (covsim calibrate --list-presets shows \
         their columns)"
    )]
    UnknownPreset {
        /// As given.
        name: String,
        /// The known names.
        known: String,
    },
    /// `--map` or `--priority-map` malformed.
    #[error("{option} {arg}: {message}")]
    BadOption {
        /// `--map` or `--priority-map`.
        option: &'static str,
        /// The argument.
        arg: String,
        /// What is wrong and what would be right.
        message: String,
    },
    /// A `--map` column is not in the header.
    #[error(
        "{file}: --map {field}={column}: no column '{column}' in the header (line {line}); \
         columns seen: {seen}"
    )]
    MapColumn {
        /// File as given.
        file: String,
        /// The field.
        field: String,
        /// The column asked for.
        column: String,
        /// Header line.
        line: u64,
        /// Columns of the header.
        seen: String,
    },
    /// No header names the columns of any preset, and `--map` does not name a creation column.
    #[error(
        "{file}: nothing usable: no header row names the columns of a known export.\n  columns \
         seen (line {line}): {seen}\n  looked for: {looked_for}\n  pass --preset NAME, or \
         --map id=COLUMN,created=COLUMN,closed=COLUMN,priority=COLUMN,category=COLUMN with the \
         column names of your file"
    )]
    NothingUsable {
        /// File as given.
        file: String,
        /// Line of the row shown.
        line: u64,
        /// Its cells.
        seen: String,
        /// What each preset looks for.
        looked_for: String,
    },
    /// A header was found but no row gave a ticket.
    #[error(
        "{file}: nothing usable: none of its {rows} data rows gave a ticket.\n  {problems}\n  \
         columns read: {used}\n  columns seen: {seen}"
    )]
    NoTickets {
        /// File as given.
        file: String,
        /// Data rows.
        rows: u64,
        /// The problems, most frequent first.
        problems: String,
        /// `field=column` read.
        used: String,
        /// Every column of the header.
        seen: String,
    },
    /// Writing an export failed.
    #[error("cannot write the export: {0}")]
    Write(std::io::Error),
}

impl IngestError {
    /// 2 for bad input or usage (the file or options must change), 1 for a failed read of an
    /// existing file or a failed write.
    pub fn exit_code(&self) -> u8 {
        match self {
            IngestError::Io { cause: source, .. }
                if !matches!(
                    source.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied
                ) =>
            {
                1
            }
            IngestError::Write(_) => 1,
            _ => 2,
        }
    }
}

/// Parses `--map id=Ticket,created=Erstellt am,…` (field names: see [`Field::key`]).
pub fn parse_map(arg: &str) -> Result<Vec<(String, String)>, IngestError> {
    let bad = |message: String| IngestError::BadOption {
        option: "--map",
        arg: arg.to_string(),
        message,
    };
    let fields = Field::ALL.map(Field::key).join(", ");
    let mut out: Vec<(String, String)> = Vec::new();
    for part in arg.split(',').filter(|p| !p.trim().is_empty()) {
        let Some((f, c)) = part.split_once('=') else {
            return Err(bad(format!(
                "'{part}' is not FIELD=COLUMN (e.g. created=Erstellt am)"
            )));
        };
        let Some(field) = Field::from_key(f) else {
            return Err(bad(format!(
                "unknown field '{}'; fields: {fields}",
                f.trim()
            )));
        };
        let column = c.trim();
        if column.is_empty() {
            return Err(bad(format!("no column name after '{}='", field.key())));
        }
        if out.iter().any(|(k, _)| k == field.key()) {
            return Err(bad(format!("field '{}' given twice", field.key())));
        }
        out.push((field.key().to_string(), column.to_string()));
    }
    if out.is_empty() {
        return Err(bad(format!("no FIELD=COLUMN pair; fields: {fields}")));
    }
    Ok(out)
}

/// Parses `--priority-map "Sehr dringend=P1,Irgendwann=P4"`.
pub fn parse_priority_map(arg: &str) -> Result<Vec<(String, Priority)>, IngestError> {
    let bad = |message: String| IngestError::BadOption {
        option: "--priority-map",
        arg: arg.to_string(),
        message,
    };
    let mut out = Vec::new();
    for part in arg.split(',').filter(|p| !p.trim().is_empty()) {
        let Some((v, p)) = part.rsplit_once('=') else {
            return Err(bad(format!("'{part}' is not VALUE=P1..P4")));
        };
        let p = match p.trim().to_ascii_uppercase().as_str() {
            "P1" => Priority::P1,
            "P2" => Priority::P2,
            "P3" => Priority::P3,
            "P4" => Priority::P4,
            other => return Err(bad(format!("'{other}' is not one of P1, P2, P3, P4"))),
        };
        out.push((v.trim().to_string(), p));
    }
    if out.is_empty() {
        return Err(bad("no VALUE=P1..P4 pair".to_string()));
    }
    Ok(out)
}

/// Reads an export file (CSV or XLSX); see [`read_export_bytes`].
pub fn read_export(path: &Path, opts: &ReadOptions) -> Result<Export, IngestError> {
    let file = path.display().to_string();
    let io = |cause| IngestError::Io {
        file: file.clone(),
        cause,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_BYTES {
        return Err(IngestError::TooLarge {
            file,
            size,
            limit: MAX_BYTES,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    read_export_bytes(&file, &bytes, opts)
}

/// Reads an export from memory; `name` names it in messages. Never panics, whatever the bytes.
pub fn read_export_bytes(
    name: &str,
    bytes: &[u8],
    opts: &ReadOptions,
) -> Result<Export, IngestError> {
    if bytes.len() as u64 > MAX_BYTES {
        return Err(IngestError::TooLarge {
            file: name.to_string(),
            size: bytes.len() as u64,
            limit: MAX_BYTES,
        });
    }
    let forced = match &opts.preset {
        Some(n) => Some(find_preset(n).ok_or_else(|| {
            IngestError::UnknownPreset {
                name: n.clone(),
                known: presets()
                    .iter()
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })?),
        None => None,
    };
    let mut map: Vec<(Field, String)> = Vec::new();
    for (f, c) in &opts.map {
        let field = Field::from_key(f).ok_or_else(|| IngestError::BadOption {
            option: "--map",
            arg: format!("{f}={c}"),
            message: format!(
                "unknown field '{f}'; fields: {}",
                Field::ALL.map(Field::key).join(", ")
            ),
        })?;
        map.push((field, c.clone()));
    }
    let loaded = source::load(name, bytes)?;
    let (sheet, header) = choose_header(name, &loaded.sheets, forced, &map)?;
    let mut run = Run::new(name, header, opts);
    run.notes.extend(loaded.notes);
    if let Some(label) = sheet.label() {
        run.notes.push(format!("sheet '{label}' read"));
    }
    let cols = run.header.cols;
    let header_line = run.header.line;
    let rows = sheet.rows(name, header_line, &cols, |line, cells| run.row(line, cells))?;
    run.finish(rows)
}

/// The header row and what each field reads.
struct Header {
    preset: Option<&'static Preset>,
    label: String,
    line: u64,
    names: Vec<String>,
    cols: [Option<usize>; 9],
}

/// Normalised column name: lower case, letters and digits only (`#` stays `#`).
fn norm(s: &str) -> String {
    let n: String = s
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    if n.is_empty() {
        s.trim().to_string()
    } else {
        n
    }
}

fn find_col(header: &[String], names: &[&str]) -> Option<usize> {
    names.iter().find_map(|n| {
        let n = norm(n);
        header.iter().position(|h| *h == n)
    })
}

fn preset_cols(p: &Preset, header: &[String]) -> [Option<usize>; 9] {
    Field::ALL.map(|f| find_col(header, p.names(f)))
}

fn choose_header<'s>(
    file: &str,
    sheets: &'s [source::Sheet],
    forced: Option<&'static Preset>,
    map: &[(Field, String)],
) -> Result<(&'s source::Sheet, Header), IngestError> {
    let mut first_row: Option<(u64, Vec<String>)> = None;
    let mut best_map_miss: Option<(usize, u64, Vec<String>, Field, String)> = None;
    for sheet in sheets {
        for (line, cells) in sheet.head(file, HEADER_SEARCH)? {
            let normed: Vec<String> = cells.iter().map(|c| norm(c)).collect();
            if first_row.is_none() {
                first_row = Some((line, cells.clone()));
            }
            // --map columns must all be in this row.
            let mut mapped = [None; 9];
            let mut miss = None;
            let mut hits = 0;
            for (f, c) in map {
                match normed.iter().position(|h| *h == norm(c)) {
                    Some(i) => {
                        mapped[f.index()] = Some(i);
                        hits += 1;
                    }
                    None => miss = miss.or(Some((*f, c.clone()))),
                }
            }
            if let Some((f, c)) = miss {
                if best_map_miss.as_ref().is_none_or(|b| hits > b.0) {
                    best_map_miss = Some((hits, line, cells.clone(), f, c));
                }
                continue;
            }
            let with_map = |mut cols: [Option<usize>; 9]| {
                for (i, m) in mapped.iter().enumerate() {
                    if m.is_some() {
                        cols[i] = *m;
                    }
                }
                cols
            };
            let candidate = if let Some(p) = forced {
                let cols = with_map(preset_cols(p, &normed));
                cols[Field::Created.index()].map(|_| (Some(p), p.name.to_string(), cols))
            } else {
                let mut best: Option<(usize, &'static Preset, [Option<usize>; 9])> = None;
                for p in presets() {
                    let own = preset_cols(p, &normed);
                    // Detected by its own names: --map alone must not make any preset fit.
                    let ok =
                        own[Field::Created.index()].is_some() && own[Field::Id.index()].is_some();
                    let cols = with_map(own);
                    let score = cols.iter().filter(|c| c.is_some()).count();
                    if ok && best.as_ref().is_none_or(|b| score > b.0) {
                        best = Some((score, p, cols));
                    }
                }
                match best {
                    Some((_, p, cols)) => Some((Some(p), format!("auto: {}", p.name), cols)),
                    None if mapped[Field::Created.index()].is_some() => {
                        Some((None, "map".to_string(), mapped))
                    }
                    None => None,
                }
            };
            if let Some((preset, label, cols)) = candidate {
                return Ok((
                    sheet,
                    Header {
                        preset,
                        label,
                        line,
                        names: cells,
                        cols,
                    },
                ));
            }
        }
    }
    if let Some((_, line, cells, f, c)) = best_map_miss {
        return Err(IngestError::MapColumn {
            file: file.to_string(),
            field: f.key().to_string(),
            column: c,
            line,
            seen: quote_list(&cells),
        });
    }
    let (line, seen) = first_row.unwrap_or((1, Vec::new()));
    let looked_for = match forced {
        Some(p) => format!("{} ({})", p.name, p.names(Field::Created).join(" | ")),
        None => presets()
            .iter()
            .map(|p| {
                format!(
                    "{} ({} + {})",
                    p.name,
                    p.names(Field::Id).join(" | "),
                    p.names(Field::Created).join(" | ")
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
    };
    Err(IngestError::NothingUsable {
        file: file.to_string(),
        line,
        seen: if seen.is_empty() {
            "(none: the file is empty)".to_string()
        } else {
            quote_list(&seen)
        },
        looked_for,
    })
}

fn quote_list(cells: &[String]) -> String {
    let shown: Vec<String> = cells
        .iter()
        .take(60)
        .map(|c| format!("\"{}\"", c.chars().take(60).collect::<String>()))
        .collect();
    shown.join(", ")
}

/// One row, parsed: only what calibration needs.
#[derive(Clone, Debug, PartialEq)]
struct Rec {
    line: u64,
    id: String,
    created: NaiveDateTime,
    first_response: Option<NaiveDateTime>,
    closed: Option<NaiveDateTime>,
    updated: Option<NaiveDateTime>,
    /// Index into `Run::priorities`, `None` when the cell is empty.
    priority: Option<usize>,
    category: Option<String>,
    status: Option<StatusKind>,
    effort_h: Option<f64>,
}

impl Rec {
    fn same_ticket_data(&self, o: &Rec) -> bool {
        Rec {
            line: 0,
            ..self.clone()
        } == Rec {
            line: 0,
            ..o.clone()
        }
    }

    fn latest_time(&self) -> NaiveDateTime {
        self.updated.unwrap_or_else(|| {
            [self.first_response, self.closed]
                .into_iter()
                .flatten()
                .fold(self.created, NaiveDateTime::max)
        })
    }
}

/// Problems counted per reason, in order of first appearance.
#[derive(Default)]
struct Problems {
    list: Vec<Problem>,
    index: HashMap<String, usize>,
}

impl Problems {
    fn add(&mut self, reason: &str, line: u64) {
        let i = match self.index.get(reason) {
            Some(&i) => i,
            None => {
                self.list.push(Problem {
                    reason: reason.to_string(),
                    count: 0,
                    example_lines: Vec::new(),
                });
                self.index.insert(reason.to_string(), self.list.len() - 1);
                self.list.len() - 1
            }
        };
        let p = &mut self.list[i];
        p.count += 1;
        if p.example_lines.len() < EXAMPLES {
            p.example_lines.push(line);
        }
    }
}

/// State of one read.
struct Run<'o> {
    file: String,
    header: Header,
    opts: &'o ReadOptions,
    recs: Vec<Rec>,
    problems: Problems,
    notes: Vec<String>,
    /// Distinct priority values with their mapping, in order of appearance.
    priorities: Vec<(String, Option<Priority>)>,
    priority_index: HashMap<String, usize>,
    /// Status values not in the preset's list: `(value, kind, rows)`.
    guessed_status: Vec<(String, StatusKind, u64)>,
    guessed_index: HashMap<String, usize>,
    converted: u64,
    gaps: u64,
    ambiguous: u64,
    latest: Option<NaiveDateTime>,
}

const DATE_FORMATS: &str = "e.g. 31.12.2025 17:05, 2025-12-31T17:05:00+01:00, 31/12/2025 17:05, \
                            12/31/2025 5:05 PM";

impl<'o> Run<'o> {
    fn new(file: &str, header: Header, opts: &'o ReadOptions) -> Self {
        Run {
            file: file.to_string(),
            header,
            opts,
            recs: Vec::new(),
            problems: Problems::default(),
            notes: Vec::new(),
            priorities: Vec::new(),
            priority_index: HashMap::new(),
            guessed_status: Vec::new(),
            guessed_index: HashMap::new(),
            converted: 0,
            gaps: 0,
            ambiguous: 0,
            latest: None,
        }
    }

    fn month_first(&self) -> bool {
        self.header.preset.is_some_and(|p| p.dates.month_first())
    }

    fn date(&mut self, cell: Option<Cell>, field: Field, line: u64) -> Option<NaiveDateTime> {
        let parsed = match cell? {
            Cell::Text(s) => dates::parse_text(&s, self.month_first()),
            Cell::Stamp(y, mo, d, h, mi, s) => dates::from_parts(y, mo, d, h, mi, s),
        };
        let Some(p) = parsed else {
            self.problems.add(
                &format!("{}: unparseable date-time ({DATE_FORMATS})", field.key()),
                line,
            );
            return None;
        };
        if p.converted {
            self.converted += 1;
        }
        match p.dst {
            Some(Dst::Gap) => self.gaps += 1,
            Some(Dst::Ambiguous) => self.ambiguous += 1,
            None => {}
        }
        self.latest = Some(self.latest.map_or(p.local, |l| l.max(p.local)));
        Some(p.local)
    }

    fn text(cell: Option<Cell>) -> Option<String> {
        match cell? {
            Cell::Text(s) => Some(s),
            Cell::Stamp(y, mo, d, h, mi, s) => {
                Some(format!("{y}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}"))
            }
        }
    }

    fn row(&mut self, line: u64, cells: [Option<Cell>; 9]) {
        let [
            id,
            created,
            first_response,
            closed,
            priority,
            category,
            status,
            effort,
            updated,
        ] = cells;
        let Some(created) = self.date_required(created, line) else {
            return;
        };
        let first_response = self.date(first_response, Field::FirstResponse, line);
        let closed = self.date(closed, Field::Closed, line);
        let updated = self.date(updated, Field::Updated, line);
        let id = match Self::text(id) {
            Some(id) => id,
            None => {
                if self.header.cols[Field::Id.index()].is_some() {
                    self.problems
                        .add("id: empty (the row is kept as a ticket of its own)", line);
                }
                format!("line {line}")
            }
        };
        let priority = Self::text(priority).map(|raw| self.intern_priority(raw));
        let status = Self::text(status).map(|raw| self.status(&raw));
        let effort_h = Self::text(effort).and_then(|raw| {
            let unit = self.header.preset.and_then(|p| p.effort_unit);
            let v = values::parse_effort(&raw, unit);
            if v.is_none() {
                self.problems.add(
                    "effort: not a duration (e.g. 90 in the preset's unit, or 1:30)",
                    line,
                );
            }
            v
        });
        self.recs.push(Rec {
            line,
            id,
            created,
            first_response,
            closed,
            updated,
            priority,
            category: Self::text(category),
            status,
            effort_h,
        });
    }

    fn date_required(&mut self, cell: Option<Cell>, line: u64) -> Option<NaiveDateTime> {
        if cell.is_none() {
            self.problems
                .add("created: empty (a ticket needs its creation time)", line);
            return None;
        }
        self.date(cell, Field::Created, line)
    }

    fn intern_priority(&mut self, raw: String) -> usize {
        if let Some(&i) = self.priority_index.get(&raw) {
            return i;
        }
        let p = priority::map_priority(&raw, self.header.preset, &self.opts.priority_map);
        self.priorities.push((raw.clone(), p));
        self.priority_index.insert(raw, self.priorities.len() - 1);
        self.priorities.len() - 1
    }

    fn status(&mut self, raw: &str) -> StatusKind {
        let (kind, known) = values::classify_status(raw, self.header.preset);
        if !known {
            let v = raw.trim().to_string();
            match self.guessed_index.get(&v) {
                Some(&i) => self.guessed_status[i].2 += 1,
                None => {
                    self.guessed_index
                        .insert(v.clone(), self.guessed_status.len());
                    self.guessed_status.push((v, kind, 1));
                }
            }
        }
        kind
    }

    /// Folds rows into tickets, applies exclusions and censoring, builds the export.
    fn finish(mut self, rows: u64) -> Result<Export, IngestError> {
        let recs = std::mem::take(&mut self.recs);
        let has = |f: Field| self.header.cols[f.index()].is_some();
        let (has_status, has_priority, has_category) = (
            has(Field::Status),
            has(Field::Priority),
            has(Field::Category),
        );

        // Group rows by id, in order of first appearance.
        let mut order: Vec<Vec<Rec>> = Vec::new();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        for r in recs {
            match by_id.get(&r.id) {
                Some(&i) => order[i].push(r),
                None => {
                    by_id.insert(r.id.clone(), order.len());
                    order.push(vec![r]);
                }
            }
        }
        drop(by_id);
        let (mut folded_rows, mut folded_tickets) = (0u64, 0u64);
        let mut candidates: Vec<Rec> = Vec::with_capacity(order.len());
        for mut group in order {
            if group.len() == 1 {
                candidates.extend(group);
                continue;
            }
            let first_created = group[0].created;
            let first_line = group[0].line;
            group.retain(|r| {
                if r.created == first_created {
                    true
                } else {
                    self.problems.add(
                        "id: duplicate id with another creation time (a different ticket under \
                         the same id; the first one is kept)",
                        r.line,
                    );
                    false
                }
            });
            if group.len() == 1 {
                candidates.extend(group);
                continue;
            }
            if group.iter().all(|r| r.same_ticket_data(&group[0])) {
                for r in &group[1..] {
                    self.problems.add(
                        &format!(
                            "id: duplicate row (the same ticket again; counted once, first on \
                             line {first_line} or earlier)"
                        ),
                        r.line,
                    );
                }
                candidates.push(group.swap_remove(0));
                continue;
            }
            // An event log: several states of one ticket.
            folded_rows += group.len() as u64;
            folded_tickets += 1;
            group.sort_by_key(|r| (r.latest_time(), r.line));
            let first_response = group.iter().filter_map(|r| r.first_response).min();
            let last_close = group.iter().filter_map(|r| r.closed).max();
            let effort_h = group.iter().rev().find_map(|r| r.effort_h);
            let mut latest = group.pop().expect("a group has rows");
            latest.first_response = first_response;
            // Closed in its latest state (by status, or by a closing time without one): the
            // last close ends it. Open in its latest state: censored, whatever closed before.
            if latest.closed.is_some() || latest.status == Some(StatusKind::Closed) {
                latest.closed = last_close;
            }
            latest.effort_h = effort_h;
            candidates.push(latest);
        }

        let until = self.opts.until;
        let mut tickets = Vec::with_capacity(candidates.len());
        let (mut reopened, mut uncategorised, mut open) = (0u64, 0u64, 0u64);
        let mut unknown_values = std::collections::HashSet::new();
        for r in candidates {
            if let Some(StatusKind::Excluded(why)) = r.status {
                self.problems.add(
                    &format!("status: {why} (not a ticket of its own; excluded)"),
                    r.line,
                );
                continue;
            }
            let priority = match r.priority {
                Some(i) => match self.priorities[i].1 {
                    Some(p) => p,
                    None => {
                        // One reason per value, up to a few; then one reason for the rest.
                        if unknown_values.len() < LISTED_VALUES || unknown_values.contains(&i) {
                            unknown_values.insert(i);
                            self.problems.add(
                                &format!(
                                    "priority: unknown value \"{}\" (map it with \
                                     --priority-map \"{}=P1\" … P4)",
                                    self.priorities[i].0, self.priorities[i].0
                                ),
                                r.line,
                            );
                        } else {
                            self.problems.add(
                                &format!(
                                    "priority: more than {LISTED_VALUES} different unknown \
                                     values (check the priority column, or --map \
                                     priority=COLUMN)"
                                ),
                                r.line,
                            );
                        }
                        continue;
                    }
                },
                None if has_priority => {
                    self.problems.add("priority: empty", r.line);
                    continue;
                }
                None => Priority::P3,
            };
            if until.is_some_and(|u| r.created > u) {
                self.problems
                    .add("created: after --until (excluded)", r.line);
                continue;
            }
            if self.opts.from.is_some_and(|f| r.created < f) {
                self.problems
                    .add("created: before --from (excluded)", r.line);
                continue;
            }
            let mut closed = match r.status {
                Some(StatusKind::Open) => {
                    if r.closed.is_some() {
                        reopened += 1;
                    }
                    None
                }
                Some(StatusKind::Closed) => match r.closed {
                    Some(c) => Some(c),
                    None => {
                        self.problems.add(
                            "closed: a closed ticket without a usable closing time (excluded: \
                             its resolution time is unknown)",
                            r.line,
                        );
                        continue;
                    }
                },
                _ => r.closed,
            };
            if closed.is_some_and(|c| c < r.created) {
                self.problems
                    .add("closed: before its creation (excluded)", r.line);
                continue;
            }
            let mut first_response = r.first_response;
            if first_response.is_some_and(|f| f < r.created) {
                self.problems.add(
                    "first_response: before its creation (cell not used)",
                    r.line,
                );
                first_response = None;
            }
            if let Some(u) = until {
                closed = closed.filter(|c| *c <= u);
                first_response = first_response.filter(|f| *f <= u);
            }
            if closed.is_none() {
                open += 1;
            }
            let category = match r.category {
                Some(c) => c,
                None => {
                    if has_category {
                        uncategorised += 1;
                    }
                    "uncategorised".to_string()
                }
            };
            tickets.push(ExportTicket {
                id: r.id,
                line: r.line,
                created: r.created,
                first_response,
                closed,
                priority,
                category,
                effort_h: r.effort_h,
            });
        }
        tickets.sort_by_key(|t| (t.created, t.line));

        let columns_seen = self.header.names.clone();
        let columns_used: Vec<(String, String)> = Field::ALL
            .iter()
            .filter_map(|f| {
                let i = self.header.cols[f.index()]?;
                Some((f.key().to_string(), self.header.names.get(i)?.clone()))
            })
            .collect();
        let mut problems = self.problems.list;
        // Most frequent first; the sort is stable, so ties keep their order of appearance.
        problems.sort_by_key(|p| std::cmp::Reverse(p.count));

        if tickets.is_empty() {
            let listed: Vec<String> = problems
                .iter()
                .take(6)
                .map(|p| format!("{} × {} (lines {:?})", p.count, p.reason, p.example_lines))
                .collect();
            return Err(IngestError::NoTickets {
                file: self.file,
                rows,
                problems: if listed.is_empty() {
                    "the file has a header but no data rows".to_string()
                } else {
                    listed.join("\n  ")
                },
                used: columns_used
                    .iter()
                    .map(|(f, c)| format!("{f}={c}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                seen: quote_list(&columns_seen),
            });
        }

        let observed_until = match until {
            Some(u) => u,
            None => self.latest.expect("a ticket has a creation time"),
        };
        let observed_from = match self.opts.from {
            Some(f) => f,
            None => tickets[0].created.date().and_time(NaiveTime::MIN),
        };

        let mut notes = std::mem::take(&mut self.notes);
        notes.insert(
            0,
            format!(
                "privacy (GDPR): only the {} columns listed as used were read; free-text and \
                 personal columns (subjects, descriptions, names, e-mail addresses, …) were not \
                 read and nothing of them is kept",
                columns_used.len()
            ),
        );
        if let Some(p) = self.header.preset
            && self.header.label.starts_with("auto")
        {
            notes.push(format!(
                "preset detected from the header: {} ({})",
                p.name, p.system
            ));
        }
        if self.header.line > 1 {
            notes.push(format!("header on line {}", self.header.line));
        }
        if !has(Field::Id) {
            notes.push(
                "no id column: every row is a ticket of its own (duplicates cannot be found)"
                    .to_string(),
            );
        }
        if !has_priority {
            notes.push("no priority column: every ticket taken as P3".to_string());
        }
        if !has_category {
            notes.push("no category column: every ticket is \"uncategorised\"".to_string());
        } else if uncategorised > 0 {
            notes.push(format!(
                "{uncategorised} tickets with an empty category: \"uncategorised\""
            ));
        }
        if !has_status {
            notes.push(
                "no status column: tickets with a closing time are closed, the others open"
                    .to_string(),
            );
        }
        if folded_tickets > 0 {
            notes.push(format!(
                "event log: {folded_rows} rows folded into {folded_tickets} tickets (latest \
                 state kept; closing time = last close, first response = earliest)"
            ));
        }
        notes.push(format!(
            "{open} tickets still open at {} (right-censored there, kept)",
            observed_until.format("%Y-%m-%d %H:%M")
        ));
        if reopened > 0 {
            notes.push(format!(
                "{reopened} tickets open again after an earlier close (taken as open)"
            ));
        }
        notes.push(match until {
            Some(_) => format!(
                "observation ends {} (--until)",
                observed_until.format("%Y-%m-%d %H:%M")
            ),
            None => format!(
                "observation ends {} (the latest time in the file)",
                observed_until.format("%Y-%m-%d %H:%M")
            ),
        });
        if self.converted > 0 {
            notes.push(format!(
                "{} times with a UTC offset converted to local time (Europe/Berlin)",
                self.converted
            ));
        }
        if self.gaps > 0 {
            notes.push(format!(
                "{} local times fall into the spring DST gap (02:00–03:00 does not exist): \
                 moved forward an hour",
                self.gaps
            ));
        }
        if self.ambiguous > 0 {
            notes.push(format!(
                "{} local times fall into the repeated autumn hour (02:00–03:00 twice): kept \
                 as written",
                self.ambiguous
            ));
        }
        // A garbled status column could hold thousands of values: the first few say enough.
        if self.guessed_status.len() > LISTED_VALUES {
            notes.push(format!(
                "{} more status values not known to the preset (first {LISTED_VALUES} below)",
                self.guessed_status.len() - LISTED_VALUES
            ));
        }
        for (v, k, n) in self.guessed_status.iter().take(LISTED_VALUES) {
            let what = match k {
                StatusKind::Open => "open".to_string(),
                StatusKind::Closed => "closed".to_string(),
                StatusKind::Excluded(r) => format!("excluded ({r})"),
            };
            notes.push(format!(
                "status \"{v}\" ({n} rows) is not one of the preset's values: taken as {what} \
                 by its words"
            ));
        }
        if let (Some(i), Some(p)) = (self.header.cols[Field::Effort.index()], self.header.preset) {
            notes.push(format!(
                "time worked read from \"{}\" in {}",
                self.header.names.get(i).map_or("", String::as_str),
                p.effort_unit.map_or("hours", EffortUnit::label)
            ));
        }
        let priority_mapping = self
            .priorities
            .iter()
            .filter_map(|(v, p)| Some((v.clone(), (*p)?)))
            .collect();
        Ok(Export {
            source: self.file,
            tickets,
            observed_from,
            observed_until,
            report: IngestReport {
                preset: self.header.label,
                rows,
                columns_seen,
                columns_used,
                priority_mapping,
                problems,
                notes,
            },
        })
    }
}
