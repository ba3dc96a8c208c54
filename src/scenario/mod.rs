//! Scenario files: the only code that reads them. [`load`] reads, parses and validates a TOML
//! scenario into a checked [`Model`], or returns every problem at once, each with
//! `file:line:column`, the field path and, where possible, what would be right.
//!
//! The file format is documented key by key (unit, default, valid range, source of the
//! default) in `scenarios/README.md`; [`STARTER`] is a commented example.
//!
//! # How problems are found
//!
//! 1. `toml` parses the text into a document that keeps the byte span of every key and value.
//!    Malformed TOML stops here (every syntax error the parser recovers from is reported).
//! 2. `raw` walks the document field by field into plain structs, reporting wrong types and
//!    unknown keys (with the closest valid key) without stopping.
//! 3. `validate` checks ranges, references and consistency, applying the calibration defaults,
//!    and builds the model.
//! 4. Each problem's field path is looked up in the document (`locate`) to get its line and
//!    column. Follow-up problems of a value that could not be read are dropped, so the user
//!    sees each mistake once.
//!
//! ```
//! let model = covsim::scenario::from_str(covsim::scenario::STARTER, "starter.toml").unwrap();
//! assert_eq!(model.company.pcs, 50);
//!
//! let err = covsim::scenario::from_str("[company]\npcs = -5\n", "bad.toml").unwrap_err();
//! let pcs = err.0.iter().find(|e| e.path == "company.pcs").unwrap();
//! assert_eq!((pcs.line, pcs.column), (2, 7));
//! assert_eq!(pcs.to_string(), "bad.toml:2:7: company.pcs: must be between 1 and 100000, got -5");
//! ```

pub(crate) mod defaults;
mod hours;
mod locate;
pub mod msp_load;
mod overrides;
mod raw;
mod suggest;
mod text;
mod validate;

use std::fmt;
use std::path::Path as FsPath;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::model::Model;
use locate::{LineIndex, Path};
use raw::Issue;

pub use overrides::{
    Override, apply_to_text, did_you_mean, from_str_with, label, parse_set, parse_value, path_key,
};

/// The commented starter scenario that `covsim init` writes: a 50-PC company in Bavaria with
/// the four setups of the mission.
pub const STARTER: &str = include_str!("../../scenarios/mustermann-gmbh.toml");

/// At most this many syntax errors are reported: after the first few, a parser's recovery
/// mostly reports consequences of the first.
const MAX_SYNTAX_ERRORS: usize = 10;

/// One problem in a scenario file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ScenarioError {
    /// The file, as given to [`load`] or [`from_str`].
    pub file: String,
    /// 1-based line of the offending key or value; 0 if the problem has no location in the
    /// text (the file cannot be read).
    pub line: usize,
    /// 1-based column (in characters); 0 together with `line`.
    pub column: usize,
    /// Field path in the TOML structure, e.g. `setups[2].msp.response_h.P1`; empty for
    /// problems of the file as a whole (unreadable file, malformed TOML).
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What would be right, e.g. "did you mean 'response_h'?".
    pub hint: Option<String>,
}

impl fmt::Display for ScenarioError {
    /// `file:line:col: path: message (hint)`; location and path are left out where unknown.
    /// Messages quote what the file says; control characters in it are shown escaped, so that
    /// an error message cannot drive the terminal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", text::printable(&self.file))?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        f.write_str(": ")?;
        if !self.path.is_empty() {
            write!(f, "{}: ", text::printable(&self.path))?;
        }
        f.write_str(&text::printable(&self.message))?;
        if let Some(h) = &self.hint {
            write!(f, " ({})", text::printable(h))?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// Every problem found in a scenario file, in the order of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl fmt::Display for ScenarioErrors {
    /// One line per problem, then a count line such as `3 errors in scenario.toml`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.0 {
            writeln!(f, "{e}")?;
        }
        let n = self.0.len();
        let file = self.0.first().map_or("the scenario", |e| e.file.as_str());
        write!(f, "{n} error{} in {file}", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for ScenarioErrors {}

/// Scenario files larger than this are refused: 1 MiB, about a hundred times the largest real
/// scenario (the starter is 20 KB). The limit keeps a wrong file (a log, an image, a disk
/// image, `/dev/zero`) from being read into memory and parsed for minutes.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// Reads, parses and validates the scenario file at `path`.
pub fn load(path: &FsPath) -> Result<Model, ScenarioErrors> {
    let text = read_text(path)?;
    from_str(&text, &path.display().to_string())
}

/// Reads the scenario file at `path` as text, at most [`MAX_FILE_BYTES`]. Reads the file once,
/// as a stream, so that pipes (`covsim run <(…)`) work and what is simulated is exactly the
/// text that was read; a file that never ends (`/dev/zero`) is refused at the limit.
pub fn read_text(path: &FsPath) -> Result<String, ScenarioErrors> {
    use std::io::Read;
    let file = path.display().to_string();
    let whole_file = |message: String| {
        ScenarioErrors(vec![ScenarioError {
            file: file.clone(),
            line: 0,
            column: 0,
            path: String::new(),
            message,
            hint: None,
        }])
    };
    let cannot_read = |e: std::io::Error| whole_file(format!("cannot read the file: {e}"));
    let f = std::fs::File::open(path).map_err(cannot_read)?;
    let mut bytes = Vec::new();
    f.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(whole_file(format!(
            "the file is larger than {} MiB, far larger than any scenario (a scenario is a TOML text of a few kilobytes); is it the right file?",
            MAX_FILE_BYTES >> 20
        )));
    }
    match String::from_utf8(bytes) {
        Ok(t) => Ok(t),
        Err(e) => {
            // Point at the first byte that is not UTF-8: the text before it is valid.
            let valid = e.utf8_error().valid_up_to();
            let prefix = std::str::from_utf8(&e.as_bytes()[..valid]).unwrap_or_default();
            let (line, column) = LineIndex::new(prefix).line_col(prefix, valid);
            Err(ScenarioErrors(vec![ScenarioError {
                file,
                line,
                column,
                path: String::new(),
                message: "the file is not UTF-8 text".to_owned(),
                hint: Some("save the scenario as UTF-8 text, which TOML requires".to_owned()),
            }]))
        }
    }
}

/// Parses and validates scenario `text`; `file_name` is used in messages and, without its
/// extension, as the scenario's name when the file has no `name`.
pub fn from_str(text: &str, file_name: &str) -> Result<Model, ScenarioErrors> {
    let lines = LineIndex::new(text);
    let (doc, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        let errors = syntax
            .iter()
            .take(MAX_SYNTAX_ERRORS)
            .map(|e| {
                let (line, column) = e.span().map_or((1, 1), |s| lines.line_col(text, s.start));
                ScenarioError {
                    file: file_name.to_owned(),
                    line,
                    column,
                    path: String::new(),
                    message: format!("invalid TOML: {}", e.message().trim()),
                    hint: None,
                }
            })
            .collect();
        return Err(ScenarioErrors(errors));
    }
    let root = Spanned::new(doc.span(), DeValue::Table(doc.into_inner()));
    let (raw, reader) = raw::read(&root);
    let default_name = std::path::Path::new(file_name).file_stem().map_or_else(
        || file_name.to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    let semantic = match validate::validate(&raw, &default_name) {
        Ok(model) if reader.issues.is_empty() => return Ok(model),
        Ok(_) => Vec::new(),
        Err(issues) => issues,
    };
    // A value that could not be read was replaced by its default or left out; problems found
    // at or below it are consequences of the reported one.
    let unreadable: Vec<&Path> = reader
        .issues
        .iter()
        .map(|i| &i.path)
        .chain(&reader.unreadable)
        .collect();
    let mut issues = reader.issues.clone();
    issues.extend(
        semantic
            .into_iter()
            .filter(|s| !unreadable.iter().any(|u| s.path.starts_with(u))),
    );
    Err(ScenarioErrors(locate_all(
        issues, &root, text, &lines, file_name,
    )))
}

/// Turns issues into errors with line and column, in file order, without repeats (a profile
/// problem is found again for every person who uses the profile).
fn locate_all(
    issues: Vec<Issue>,
    root: &locate::Value<'_>,
    text: &str,
    lines: &LineIndex,
    file: &str,
) -> Vec<ScenarioError> {
    let mut errors: Vec<(usize, ScenarioError)> = Vec::new();
    // A set, not a search of `errors`: a file of thousands of unknown keys must not take
    // quadratic time to report.
    let mut seen: std::collections::HashSet<ScenarioError> = std::collections::HashSet::new();
    for issue in issues {
        let span = issue
            .span
            .unwrap_or_else(|| locate::span_of(root, &issue.path));
        let (line, column) = lines.line_col(text, span.start);
        let e = ScenarioError {
            file: file.to_owned(),
            line,
            column,
            path: issue.path.to_string(),
            message: issue.message,
            hint: issue.hint,
        };
        if seen.insert(e.clone()) {
            errors.push((span.start, e));
        }
    }
    // Stable: problems at the same place keep the order in which they were found.
    errors.sort_by_key(|(start, _)| *start);
    errors.into_iter().map(|(_, e)| e).collect()
}
