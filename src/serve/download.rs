//! Taking the answer home: the changed scenario as TOML, the run folder as a zip, the report.
//!
//! The TOML keeps the file as the consultant wrote it (comments, sources, order): each changed
//! value is replaced where it stands, with a comment line above it that gives the old value.
//! Where a change sets a key the file does not have (a default), the file is written anew from
//! its data with the changes listed at the top instead. Either way the result is checked to be
//! exactly the data `--set` gives, so what is downloaded is what was simulated.

use std::io::Write as _;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use toml::de::{DeTable, DeValue};
use toml::{Spanned, Table, Value};

use super::{App, Config, Current, PageQuery, answer, error, page_id};
use crate::report::charts::render_charts;
use crate::report::html::render_report;
use crate::report::verify::{Checker, add_checks, is_checked};
use crate::scenario::{Override, apply_to_text};

/// One step of a path as the controls write them (`a.b[2]."c d"`).
enum Step {
    Key(String),
    Index(usize),
}

fn steps(path: &str) -> Option<Vec<Step>> {
    let mut out = Vec::new();
    let mut chars = path.chars().peekable();
    loop {
        let key = if chars.peek() == Some(&'"') {
            chars.next();
            let mut k = String::new();
            loop {
                match chars.next()? {
                    '\\' => k.push(chars.next()?),
                    '"' => break,
                    c => k.push(c),
                }
            }
            k
        } else {
            let mut k = String::new();
            while let Some(&c) = chars.peek() {
                if c == '.' || c == '[' {
                    break;
                }
                k.push(c);
                chars.next();
            }
            k
        };
        if key.is_empty() {
            return None;
        }
        out.push(Step::Key(key));
        while chars.peek() == Some(&'[') {
            chars.next();
            let mut n = String::new();
            loop {
                match chars.next()? {
                    ']' => break,
                    c => n.push(c),
                }
            }
            out.push(Step::Index(n.parse().ok()?));
        }
        match chars.next() {
            None => return Some(out),
            Some('.') => {}
            Some(_) => return None,
        }
    }
}

/// The value at `path` in the parsed file, with its byte span, if the file has it.
fn find<'a, 'i>(root: &'a Spanned<DeValue<'i>>, path: &[Step]) -> Option<&'a Spanned<DeValue<'i>>> {
    let mut cur = root;
    for s in path {
        cur = match (s, cur.get_ref()) {
            (Step::Key(k), DeValue::Table(t)) => t.get(k.as_str())?,
            (Step::Index(i), DeValue::Array(a)) => a.get(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// TOML text of a value on one line (inline tables and arrays stay inline).
fn inline(v: &Value) -> String {
    v.to_string()
}

/// The file with every override put in place and its old value in a comment above it; `None`
/// where an override sets something the file does not have.
fn edited(text: &str, overrides: &[Override]) -> Option<String> {
    let t = DeTable::parse(text).ok()?;
    let root = Spanned::new(t.span(), DeValue::Table(t.into_inner()));
    // (offset, bytes removed, text inserted), applied from the end so offsets stay valid.
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut notes: Vec<(usize, Vec<String>)> = Vec::new();
    for o in overrides {
        let path = steps(&o.path)?;
        let Some(v) = find(&root, &path) else {
            edits.push(added(text, &root, &path, &o.value)?);
            continue;
        };
        let span = v.span();
        let old = text.get(span.clone())?.trim().to_string();
        edits.push((span.start, span.len(), inline(&o.value)));
        let line = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
        let note = format!("{} was {old}", o.path);
        match notes.iter_mut().find(|(at, _)| *at == line) {
            Some((_, n)) => n.push(note),
            None => notes.push((line, vec![note])),
        }
    }
    for (line, n) in notes {
        let indent: String = text[line..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        edits.push((
            line,
            0,
            format!("{indent}# covsim serve: {}\n", n.join("; ")),
        ));
    }
    // Later offsets first; at one offset the replacement (which removes bytes) before the
    // comment line that goes in front of it.
    edits.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let mut out = text.to_string();
    for (at, len, with) in edits {
        out.replace_range(at..at + len, &with);
    }
    Some(out)
}

/// The edit that adds a key the file leaves to its default: a line after the first key of
/// its table (a `[table]` or `[[array]]` element of the file, not an inline table).
fn added(
    text: &str,
    root: &Spanned<DeValue<'_>>,
    path: &[Step],
    value: &Value,
) -> Option<(usize, usize, String)> {
    let (Step::Key(key), parent) = path.split_last()? else {
        return None;
    };
    let table = find(root, parent)?;
    let DeValue::Table(t) = table.get_ref() else {
        return None;
    };
    if text.get(table.span())?.trim_start().starts_with('{') {
        return None;
    }
    let first = t
        .iter()
        .map(|(_, v)| v)
        .filter(|v| match v.get_ref() {
            DeValue::Table(_) => false,
            DeValue::Array(a) => !a.iter().any(|x| matches!(x.get_ref(), DeValue::Table(_))),
            _ => true,
        })
        .min_by_key(|v| v.span().start)?;
    let start = text[..first.span().start].rfind('\n').map_or(0, |i| i + 1);
    let indent: String = text[start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let end = first.span().end + text[first.span().end..].find('\n')?;
    Some((
        end,
        0,
        format!(
            "\n{indent}{} = {}   # covsim serve: added (not set before: the default)",
            crate::scenario::path_key(key),
            inline(value)
        ),
    ))
}

/// The scenario with the page's changes, as the download gives it (and as the run folder's
/// `scenario.toml` holds it): running it with `covsim run` gives the page's numbers.
pub(super) fn changed_text(cfg: &Config, name: &str, overrides: &[Override]) -> String {
    if overrides.is_empty() {
        return cfg.text.clone();
    }
    let Ok(plain) = apply_to_text(&cfg.text, &cfg.file, overrides) else {
        // Validated before the run started: cannot happen; the original keeps the page
        // working.
        return cfg.text.clone();
    };
    let mut want: Table = toml::from_str(&plain).unwrap_or_default();
    let has_name = want.contains_key("name");
    if !has_name {
        want.insert("name".into(), Value::String(name.to_string()));
    }
    let named = |t: String| {
        if has_name {
            t
        } else {
            format!("name = {}\n{t}", Value::String(name.to_string()))
        }
    };
    if let Some(t) = edited(&cfg.text, overrides).map(named)
        && toml::from_str::<Table>(&t).ok().as_ref() == Some(&want)
    {
        return t;
    }
    let mut head = format!(
        "# {} with changes made in covsim serve (the file's comments are not kept here):\n",
        cfg.file
    );
    let doc: Table = toml::from_str(&cfg.text).unwrap_or_default();
    let root = Value::Table(doc);
    for o in overrides {
        let old = lookup(&root, &o.path).map_or("(not set: the default)".into(), inline);
        head.push_str(&format!("#   {} = {} (was {old})\n", o.path, o.value));
    }
    head.push('\n');
    head.push_str(&toml::to_string(&want).unwrap_or(plain));
    head
}

fn lookup<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = root;
    for s in steps(path)? {
        cur = match s {
            Step::Key(k) => cur.get(k.as_str())?,
            Step::Index(i) => cur.get(i)?,
        };
    }
    Some(cur)
}

/// A file name for downloads: the scenario file's stem, letters and digits only.
fn stem(cfg: &Config) -> String {
    let s = std::path::Path::new(&cfg.file)
        .file_stem()
        .map_or("scenario".into(), |s| s.to_string_lossy().into_owned());
    let s: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if s.is_empty() { "scenario".into() } else { s }
}

pub(super) async fn download(
    State(app): State<Arc<App>>,
    Path(file): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    if let Err(r) = page_id(&q.page) {
        return r;
    }
    if !["scenario.toml", "run.zip", "report.html"].contains(&file.as_str()) {
        return error(
            StatusCode::NOT_FOUND,
            format!("no download {file:?}; there are scenario.toml, run.zip and report.html"),
        );
    }
    let current = app.pages().get(&q.page).and_then(|p| p.current.clone());
    let Some(current) = current else {
        return error(
            StatusCode::CONFLICT,
            "this page has no answer yet; wait for the first numbers, then download",
        );
    };
    let stem = stem(&app.cfg);
    let made = tokio::task::spawn_blocking(move || make(&app, &current, &file, &stem)).await;
    match made {
        Ok(Ok((name, mime, bytes))) => (
            [
                (header::CONTENT_TYPE, mime.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

type Made = (String, &'static str, Vec<u8>);

fn make(app: &App, cur: &Current, file: &str, stem: &str) -> Result<Made, String> {
    let text = cur.text.clone();
    let changed = if cur.overrides.is_empty() {
        ""
    } else {
        "-changed"
    };
    if file == "scenario.toml" {
        return Ok((
            format!("{stem}{changed}.toml"),
            "application/toml; charset=utf-8",
            text.into_bytes(),
        ));
    }
    let files = answer::files(&cur.model, &cur.exp, &app.cfg.file, &text);
    if file == "report.html" {
        let charts = crate::report::charts::render_svg_charts(&files, cur.lang)
            .map_err(|e| e.to_string())?;
        let report = render_report(&files, &charts, cur.lang).map_err(|e| e.to_string())?;
        return Ok((
            format!("{stem}{changed}-report.html"),
            "text/html; charset=utf-8",
            report,
        ));
    }
    // The run folder as `covsim run` writes it: every replication's row, PNG and SVG charts,
    // the report, and the manifest with each data file's size and checksum.
    let mut all: Vec<(String, Vec<u8>)> = crate::report::output::render(
        &cur.model,
        &cur.exp,
        &crate::report::output::RunInfo {
            scenario_path: app.cfg.file.clone().into(),
            scenario_text: text,
            threads: rayon::current_num_threads(),
            wall_time_s: 0.0,
            started_utc: String::new(),
            locale: crate::report::csv::CsvLocale::En,
            precision: None,
            command_line: format!("covsim serve {}", app.cfg.file),
        },
    )
    .into_iter()
    .map(|(n, b)| (n.to_string(), b))
    .collect();
    let refs: Vec<(&str, Vec<u8>)> = all.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let charts = render_charts(&refs, cur.lang).map_err(|e| e.to_string())?;
    let report = render_report(&refs, &charts, cur.lang).map_err(|e| e.to_string())?;
    all.extend(charts);
    all.push(("report.html".into(), report));
    let checks = all
        .iter()
        .filter(|(n, _)| is_checked(n))
        .map(|(n, b)| (n.clone(), Checker::of(n, b)))
        .collect();
    for (n, b) in &mut all {
        if n == "manifest.json"
            && let Some(with) = add_checks(b, &checks)
        {
            *b = with;
        }
    }
    let folder = format!("{stem}{changed}-{}reps", cur.exp.count);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // A fixed date: the same answer gives the same bytes.
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (n, b) in &all {
        zip.start_file(format!("{folder}/{n}"), options)
            .map_err(|e| e.to_string())?;
        zip.write_all(b).map_err(|e| e.to_string())?;
    }
    let bytes = zip.finish().map_err(|e| e.to_string())?.into_inner();
    Ok((format!("{folder}.zip"), "application/zip", bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name = \"T\"   # the name\n\n[company]\npcs = 50    # §1\nusers = 40\n\n[[people]]\nid = \"a\"\nrole = \"admin\"\n\n[profiles.x]\nfill = { dist = \"lognormal\", median = 10, p90 = 30 }\n";

    fn set(path: &str, v: Value) -> Override {
        Override::new(path, v)
    }

    #[test]
    fn changes_are_made_in_place_with_the_old_value_above() {
        let o = [
            set("company.pcs", Value::Integer(80)),
            set("profiles.x.fill.median", Value::Float(20.0)),
            set("profiles.x.fill.p90", Value::Float(60.0)),
            set("people[0].it_share", Value::Float(0.5)),
        ];
        let t = edited(TEXT, &o).unwrap();
        assert!(
            t.contains("# covsim serve: company.pcs was 50\npcs = 80    # §1\n"),
            "{t}"
        );
        assert!(
            t.contains(
                "# covsim serve: profiles.x.fill.median was 10; profiles.x.fill.p90 was 30\n\
                 fill = { dist = \"lognormal\", median = 20.0, p90 = 60.0 }"
            ),
            "{t}"
        );
        assert!(
            t.contains("id = \"a\"\nit_share = 0.5   # covsim serve: added"),
            "{t}"
        );
        assert!(t.contains("# the name"), "comments are kept");
        let got: Table = toml::from_str(&t).unwrap();
        let want: Table = toml::from_str(&apply_to_text(TEXT, "t.toml", &o).unwrap()).unwrap();
        assert_eq!(got, want, "the same data as --set");
    }

    #[test]
    fn a_key_inside_an_inline_table_that_is_not_there_falls_back_to_a_rewrite() {
        let o = [set("profiles.x.fill.mode", Value::Float(3.0))];
        assert_eq!(edited(TEXT, &o), None);
        let cfg = Config {
            file: "t.toml".into(),
            text: TEXT.into(),
            lang: crate::report::i18n::Lang::En,
            first_reps: 1,
            max_reps: 1,
            threads: None,
        };
        let t = changed_text(&cfg, "T", &o);
        assert!(
            t.starts_with("# t.toml with changes made in covsim serve"),
            "{t}"
        );
        assert!(
            t.contains("#   profiles.x.fill.mode = 3.0 (was (not set: the default))"),
            "{t}"
        );
        let got: Table = toml::from_str(&t).unwrap();
        assert_eq!(got["profiles"]["x"]["fill"]["mode"], Value::Float(3.0));
    }
}
