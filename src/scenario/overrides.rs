//! `--set PATH=VALUE`: changing a scenario from the command line, with the same checks and
//! messages as the file itself.
//!
//! An override is applied to the TOML document *before* validation: the file is parsed into a
//! [`toml::Table`], the value is put at the field path, the table is written back as TOML and
//! validated by [`super::from_str`]. So every rule of the scenario format applies to overridden
//! values too, and a misspelt key gets the same "did you mean …?" as in the file.
//!
//! Paths are written as in the scenario's error messages: keys joined by dots, array elements
//! by their 0-based index (`setups[1].admins`) or by their `id`/`name`
//! (`people[anna].salary_eur_per_year`, `setups["Two admins"].documentation_quality`). Values
//! are TOML values (`1.5`, `3`, `"text"`, `true`, `[1, 2]`, `{ dist = "fixed", value = 2 }`);
//! text that is not a TOML value and has no quotes, brackets, braces, `=` or `#` is taken as a
//! string (`company.federal_state=BY`, `msp.silver.coverage=10x5`).
//!
//! A path may create what the scenario leaves to its defaults: a missing key, a missing
//! section (`[costs]`), a built-in profile that the file does not list. It may not invent an
//! id (`msp.silvr` is an error naming `silver`), because a new contract or profile nobody
//! refers to would silently change nothing.
//!
//! ```
//! use covsim::scenario::{Override, STARTER, from_str_with};
//! let set = [Override::parse("company.pcs=80").unwrap()];
//! let model = from_str_with(STARTER, "starter.toml", &set).unwrap();
//! assert_eq!(model.company.pcs, 80);
//!
//! let bad = [Override::parse("msp.silvr.technicians=5").unwrap()];
//! let err = from_str_with(STARTER, "starter.toml", &bad).unwrap_err();
//! assert!(err.to_string().contains("did you mean 'silver'?"), "{err}");
//! ```

use std::fmt;

use toml::{Table, Value};

use super::defaults::BUILTIN_PROFILES;
use super::locate::is_bare_key;
use super::suggest;
use super::{ScenarioError, ScenarioErrors, from_str};
use crate::model::Model;

/// Top-level tables a path may create when the file leaves them out.
const CREATABLE_SECTIONS: [&str; 7] = [
    "company",
    "simulation",
    "costs",
    "report",
    "profiles",
    "msp",
    "emergency",
];

/// Every top-level key of a scenario (for suggestions).
const TOP_LEVEL: [&str; 11] = [
    "name",
    "company",
    "simulation",
    "categories",
    "profiles",
    "people",
    "msp",
    "emergency",
    "setups",
    "costs",
    "report",
];

/// One step of an override path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    /// A table key.
    Key(String),
    /// An array element by index.
    Index(usize),
    /// An array element by its `id` or `name`.
    Named(String),
}

/// One assignment `PATH=VALUE`.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    /// The field path as written, e.g. `msp.silver.technicians`.
    pub path: String,
    /// The value to put there.
    pub value: Value,
}

impl fmt::Display for Override {
    /// `PATH=VALUE`, the value in TOML syntax.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.path, self.value)
    }
}

impl Override {
    /// An override of `path` with `value`.
    pub fn new(path: impl Into<String>, value: Value) -> Override {
        Override {
            path: path.into(),
            value,
        }
    }

    /// Parses `PATH=VALUE` (one value).
    pub fn parse(arg: &str) -> Result<Override, String> {
        let (path, values) = parse_set(arg)?;
        match <[Value; 1]>::try_from(values) {
            Ok([value]) => Ok(Override { path, value }),
            Err(_) => Err(format!("'{arg}': expected one value after '='")),
        }
    }
}

/// Parses `PATH=V1,V2,…` (the argument of `--set`) into the path and its values. Commas inside
/// brackets, braces or quotes belong to the value (`setups[1].admins=["anna"],["anna","ben"]`).
pub fn parse_set(arg: &str) -> Result<(String, Vec<Value>), String> {
    let Some((path, values)) = arg.split_once('=') else {
        return Err(format!(
            "'{arg}' has no '=': write PATH=VALUE, e.g. company.pcs=30,50,100"
        ));
    };
    let path = path.trim();
    parse_path(path)?;
    let parts = split_values(values);
    if parts.iter().all(|p| p.trim().is_empty()) {
        return Err(format!(
            "'{arg}': no value after '=' (e.g. {path}=1 or {path}=1,2,3)"
        ));
    }
    let values = parts
        .iter()
        .map(|p| parse_value(p).map_err(|e| format!("{path}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((path.to_string(), values))
}

/// Parses one value: TOML syntax, or a bare word taken as a string.
pub fn parse_value(text: &str) -> Result<Value, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty value".into());
    }
    if let Ok(mut t) = toml::from_str::<Table>(&format!("v = {text}"))
        && let Some(v) = t.remove("v")
    {
        return Ok(v);
    }
    // A bare word (`BY`, `8x5`, `mon-fri 08:00-17:00`) is a string; anything with TOML's
    // brackets, quotes or assignments that does not parse is a mistake.
    if !text.contains(['"', '\'', '[', ']', '{', '}', '=', '#']) {
        return Ok(Value::String(text.to_string()));
    }
    Err(format!(
        "'{text}' is not a TOML value (numbers 1.5, integers 3, strings \"text\", true/false, \
         lists [1, 2])"
    ))
}

/// Splits at commas outside quotes, brackets and braces.
fn split_values(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in s.chars() {
        if let Some(q) = quote {
            cur.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

/// Parses a path into steps.
fn parse_path(path: &str) -> Result<Vec<Step>, String> {
    let bad = |why: &str| {
        Err(format!(
            "'{path}' is not a field path ({why}); write it like company.pcs, \
             msp.silver.technicians or setups[1].admins"
        ))
    };
    let chars: Vec<char> = path.chars().collect();
    let mut steps = Vec::new();
    let mut i = 0;
    let mut expect_key = true;
    while i < chars.len() {
        let c = chars[i];
        if c == '[' {
            let Some(end) = chars[i..].iter().position(|&c| c == ']') else {
                return bad("'[' without ']'");
            };
            let inner: String = chars[i + 1..i + end].iter().collect();
            let inner = inner.trim();
            let unquoted = inner
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .map(str::to_string);
            match (inner.parse::<usize>(), unquoted) {
                (Ok(n), None) => steps.push(Step::Index(n)),
                (_, Some(name)) => steps.push(Step::Named(name)),
                (Err(_), None) if !inner.is_empty() => steps.push(Step::Named(inner.to_string())),
                _ => return bad("empty '[]'"),
            }
            i += end + 1;
            expect_key = false;
        } else if c == '.' {
            if expect_key {
                return bad("a key is missing");
            }
            expect_key = true;
            i += 1;
        } else if c == '"' {
            if !expect_key {
                return bad("a '.' is missing");
            }
            let Some(end) = chars[i + 1..].iter().position(|&c| c == '"') else {
                return bad("unclosed quote");
            };
            steps.push(Step::Key(chars[i + 1..i + 1 + end].iter().collect()));
            i += end + 2;
            expect_key = false;
        } else {
            if !expect_key {
                return bad("a '.' is missing");
            }
            let len = chars[i..]
                .iter()
                .position(|&c| c == '.' || c == '[')
                .unwrap_or(chars.len() - i);
            let key: String = chars[i..i + len].iter().collect();
            if !is_bare_key(&key) {
                return bad(&format!("'{key}' is not a key"));
            }
            steps.push(Step::Key(key));
            i += len;
            expect_key = false;
        }
    }
    if steps.is_empty() || expect_key {
        return bad("it ends without a key");
    }
    if !matches!(steps[0], Step::Key(_)) {
        return bad("it must start with a key");
    }
    Ok(steps)
}

/// The path of the first `n` steps, for messages.
fn shown(steps: &[Step]) -> String {
    let mut s = String::new();
    for step in steps {
        match step {
            Step::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                if is_bare_key(k) {
                    s.push_str(k);
                } else {
                    s.push_str(&format!("{k:?}"));
                }
            }
            Step::Index(n) => s.push_str(&format!("[{n}]")),
            Step::Named(n) => s.push_str(&format!("[{n}]")),
        }
    }
    s
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a number",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "a list",
        Value::Table(_) => "a table",
    }
}

/// A problem with a path: where, what, what would be right.
struct Problem {
    at: String,
    message: String,
    hint: Option<String>,
}

/// The `id` or `name` of an array element.
fn element_name(v: &Value) -> Option<&str> {
    let t = v.as_table()?;
    t.get("id")
        .or_else(|| t.get("name"))
        .and_then(Value::as_str)
}

fn put(cur: &mut Value, steps: &[Step], done: usize, value: Value) -> Result<(), Problem> {
    let all = steps;
    let here = shown(&all[..done]);
    let Some(step) = all.get(done) else {
        *cur = value;
        return Ok(());
    };
    let last = done + 1 == all.len();
    match step {
        Step::Key(k) => {
            let Value::Table(t) = cur else {
                return Err(Problem {
                    at: here,
                    message: format!("is {}, not a table, so it has no key '{k}'", kind(cur)),
                    hint: None,
                });
            };
            if !last && !t.contains_key(k) {
                let parent: Vec<&str> = all[..done]
                    .iter()
                    .filter_map(|s| match s {
                        Step::Key(k) => Some(k.as_str()),
                        _ => None,
                    })
                    .collect();
                let creatable = match (done, parent.as_slice()) {
                    (0, _) => CREATABLE_SECTIONS.contains(&k.as_str()),
                    (1, ["profiles"]) => BUILTIN_PROFILES.contains(&k.as_str()),
                    (1, ["msp" | "emergency"]) => false,
                    _ => true,
                };
                if !creatable {
                    let existing: Vec<&str> = t.keys().map(String::as_str).collect();
                    let (what, candidates): (String, Vec<&str>) = match (done, parent.as_slice()) {
                        (0, _) => ("a top-level table".into(), TOP_LEVEL.to_vec()),
                        (1, ["profiles"]) => (
                            "profile in [profiles] or built-in profile".to_string(),
                            existing.iter().copied().chain(BUILTIN_PROFILES).collect(),
                        ),
                        (1, ["msp"]) => ("MSP contract [msp.…]".into(), existing),
                        (1, [section]) => (format!("entry of [{section}]"), existing),
                        _ => ("key".into(), existing),
                    };
                    return Err(Problem {
                        at: shown(&all[..=done]),
                        message: format!("there is no {what} '{k}' in the scenario"),
                        hint: suggest::hint(k, candidates.iter().copied()),
                    });
                }
            }
            if last {
                t.insert(k.clone(), value);
                return Ok(());
            }
            let next = t
                .entry(k.clone())
                .or_insert_with(|| Value::Table(Table::new()));
            put(next, all, done + 1, value)
        }
        Step::Index(n) => {
            let Value::Array(a) = cur else {
                return Err(Problem {
                    at: here,
                    message: format!("is {}, not a list, so it has no element [{n}]", kind(cur)),
                    hint: None,
                });
            };
            let len = a.len();
            let Some(next) = a.get_mut(*n) else {
                return Err(Problem {
                    at: shown(&all[..=done]),
                    message: format!("{here} has {len} entries"),
                    hint: Some(if len == 0 {
                        "it is empty".into()
                    } else {
                        format!("indexes start at 0: use [0] to [{}]", len - 1)
                    }),
                });
            };
            put(next, all, done + 1, value)
        }
        Step::Named(name) => {
            let Value::Array(a) = cur else {
                return Err(Problem {
                    at: here,
                    message: format!(
                        "is {}, not a list, so it has no element [{name}]",
                        kind(cur)
                    ),
                    hint: None,
                });
            };
            let names: Vec<String> = a
                .iter()
                .filter_map(element_name)
                .map(str::to_string)
                .collect();
            let Some(next) = a
                .iter_mut()
                .find(|e| element_name(e) == Some(name.as_str()))
            else {
                return Err(Problem {
                    at: shown(&all[..=done]),
                    message: format!("{here} has no entry with id or name '{name}'"),
                    hint: suggest::hint(name, names.iter().map(String::as_str)),
                });
            };
            put(next, all, done + 1, value)
        }
    }
}

/// `id` as one step of a field path: as it is if it is a bare key, else quoted.
pub fn path_key(id: &str) -> String {
    if is_bare_key(id) {
        id.to_string()
    } else {
        format!("{id:?}")
    }
}

/// "did you mean '…'?" naming the candidate closest to `word`, or the list of candidates when
/// there are few and none is close; as in the scenario's own messages.
pub fn did_you_mean(word: &str, candidates: &[&str]) -> Option<String> {
    suggest::hint(word, candidates.iter().copied())
}

/// Label of a scenario with overrides, as used in messages: `FILE --set A=1 --set B=2`.
pub fn label(file: &str, overrides: &[Override]) -> String {
    let mut s = file.to_string();
    for o in overrides {
        s.push_str(&format!(" --set {o}"));
    }
    s
}

/// Applies `overrides` (in order) to the scenario `text` and returns the new TOML text. The
/// text must be valid TOML. A path that cannot be followed is reported as an error of the
/// override (file `FILE --set PATH=VALUE`, no line); the values themselves are checked only
/// when the result is validated ([`from_str_with`]).
pub fn apply_to_text(
    text: &str,
    file: &str,
    overrides: &[Override],
) -> Result<String, ScenarioErrors> {
    let mut doc: Table = toml::from_str(text).map_err(|e| {
        ScenarioErrors(vec![ScenarioError {
            file: file.to_string(),
            line: 0,
            column: 0,
            path: String::new(),
            message: format!("invalid TOML: {}", e.message().trim()),
            hint: None,
        }])
    })?;
    let mut errors = Vec::new();
    for o in overrides {
        let steps = match parse_path(&o.path) {
            Ok(s) => s,
            Err(message) => {
                errors.push(ScenarioError {
                    file: label(file, std::slice::from_ref(o)),
                    line: 0,
                    column: 0,
                    path: String::new(),
                    message,
                    hint: None,
                });
                continue;
            }
        };
        let mut root = Value::Table(std::mem::take(&mut doc));
        let result = put(&mut root, &steps, 0, o.value.clone());
        if let Value::Table(t) = root {
            doc = t;
        }
        if let Err(p) = result {
            errors.push(ScenarioError {
                file: label(file, std::slice::from_ref(o)),
                line: 0,
                column: 0,
                path: p.at,
                message: p.message,
                hint: p.hint,
            });
        }
    }
    if !errors.is_empty() {
        return Err(ScenarioErrors(errors));
    }
    toml::to_string(&doc).map_err(|e| {
        ScenarioErrors(vec![ScenarioError {
            file: label(file, overrides),
            line: 0,
            column: 0,
            path: String::new(),
            message: format!("cannot write the scenario with these values: {e}"),
            hint: None,
        }])
    })
}

/// Parses and validates scenario `text` with `overrides` applied, like [`super::from_str`].
///
/// The file itself is checked first, so its own problems keep their line and column. Problems
/// that appear only with the overrides are reported for `FILE --set PATH=VALUE …` with the
/// field path but without a line (the line of the rewritten text would mean nothing to the
/// reader). The scenario keeps its name (by default the file's) whatever the overrides.
pub fn from_str_with(
    text: &str,
    file: &str,
    overrides: &[Override],
) -> Result<Model, ScenarioErrors> {
    let base = from_str(text, file)?;
    if overrides.is_empty() {
        return Ok(base);
    }
    let changed = apply_to_text(text, file, overrides)?;
    let mut doc: Table = toml::from_str(&changed).expect("written by toml");
    let with_name = if doc.contains_key("name") {
        changed
    } else {
        doc.insert("name".into(), Value::String(base.name.clone()));
        toml::to_string(&doc).expect("a table that was written before")
    };
    from_str(&with_name, file).map_err(|e| {
        let file = label(file, overrides);
        ScenarioErrors(
            e.0.into_iter()
                .map(|x| ScenarioError {
                    file: file.clone(),
                    line: 0,
                    column: 0,
                    ..x
                })
                .collect(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_into_steps() {
        assert_eq!(
            parse_path("setups[1].admins").unwrap(),
            vec![
                Step::Key("setups".into()),
                Step::Index(1),
                Step::Key("admins".into())
            ]
        );
        assert_eq!(
            parse_path("setups[\"Two admins\"].documentation_quality").unwrap()[1],
            Step::Named("Two admins".into())
        );
        assert_eq!(
            parse_path("profiles.it-admin.illness_episodes_per_year").unwrap()[1],
            Step::Key("it-admin".into())
        );
        for bad in ["", ".a", "a..b", "a.", "[0].a", "a[]", "a b"] {
            assert!(parse_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn values_split_outside_brackets_and_quotes() {
        let (p, v) = parse_set("setups[1].admins=[\"anna\"],[\"anna\", \"ben\"]").unwrap();
        assert_eq!(p, "setups[1].admins");
        assert_eq!(v.len(), 2);
        let (_, v) = parse_set("name=\"a,b\",c").unwrap();
        assert_eq!(
            v,
            vec![Value::String("a,b".into()), Value::String("c".into())]
        );
        let (_, v) = parse_set("company.pcs=30,50,100").unwrap();
        assert_eq!(
            v,
            vec![Value::Integer(30), Value::Integer(50), Value::Integer(100)]
        );
        let (_, v) = parse_set("x=1.5,true,BY").unwrap();
        assert_eq!(
            v,
            vec![
                Value::Float(1.5),
                Value::Boolean(true),
                Value::String("BY".into())
            ]
        );
        assert!(parse_set("company.pcs").is_err());
        assert!(parse_set("company.pcs=").is_err());
        assert!(parse_set("company.pcs=3,{").is_err());
        assert_eq!(parse_value("8x5").unwrap(), Value::String("8x5".into()));
    }
}
