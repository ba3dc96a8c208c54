//! The controls of the page, generated from the scenario, and how a control's value becomes
//! `--set` overrides.
//!
//! Every control writes field paths of the scenario, so a value goes through the same path as
//! `covsim sweep --set PATH=VALUE`: [`Override::parse`] for the text, then
//! `scenario::from_str_with` for every rule of the format. Paths use array indexes
//! (`people[2].it_share`), not ids, because validation reports errors with indexes: an error's
//! path then names the control it belongs to.
//!
//! Only inputs the scenario has are offered: no admin count for a setup without admins, no
//! vacancy length for a profile whose `time_to_fill_days` is not a lognormal with median and
//! P90.

use serde::Serialize;
use toml::{Table, Value};

use crate::model::{Model, Role, TargetBound};
use crate::scenario::{Override, ScenarioErrors, parse_value};

/// What kind of value a control takes (drives the input element of the page).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Kind {
    /// A whole number.
    Integer {
        /// Smallest sensible value (the input's `min`; validation decides what is allowed).
        min: i64,
    },
    /// A number.
    Number {
        /// Step of the input's arrows.
        step: f64,
    },
    /// A share between 0 and 1.
    Share,
    /// Yes or no.
    Bool,
    /// One of the given texts.
    Choice {
        /// The options.
        options: Vec<String>,
    },
}

/// How a control's value becomes overrides.
#[derive(Clone, Debug, PartialEq)]
enum Apply {
    /// The value as it is, at one path (the `--set` syntax).
    Path(String),
    /// A factor that multiplies every base value `(path, value)`.
    Scale(Vec<(String, f64)>),
    /// The first `n` of these admin ids, as the setup's `admins` list at the path; with the
    /// path of its `preset` where the preset follows the count (`single-admin` for one,
    /// `multi-admin` for more), as those two presets demand.
    Admins(String, Vec<String>, Option<String>),
    /// A lognormal's median; its P90 keeps the ratio `p90 / median` of the scenario.
    Median {
        /// Path of the distribution table.
        path: String,
        /// P90 / median of the scenario's distribution.
        ratio: f64,
    },
}

/// One control of the page.
#[derive(Clone, Debug, Serialize)]
pub struct Control {
    /// Stable id (the key of the value in requests).
    pub id: String,
    /// Heading the control is grouped under, e.g. a setup's name.
    pub group: String,
    /// Label in English.
    pub label_en: String,
    /// Label in German.
    pub label_de: String,
    /// The input.
    pub kind: Kind,
    /// The scenario's value, as the page shows it.
    pub value: String,
    /// The field paths it writes (errors at these paths are shown next to it).
    pub paths: Vec<String>,
    #[serde(skip)]
    apply: Apply,
}

/// Why a control's value cannot be used: the control's id and a message.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ControlError {
    /// The control, or `None` for a problem no single control causes.
    pub control: Option<String>,
    /// What is wrong, as the command line says it.
    pub message: String,
}

impl Control {
    fn new(
        id: impl Into<String>,
        group: impl Into<String>,
        (label_en, label_de): (&str, &str),
        kind: Kind,
        value: String,
        apply: Apply,
    ) -> Control {
        let paths = match &apply {
            Apply::Path(p) => vec![p.clone()],
            Apply::Admins(p, _, preset) => {
                std::iter::once(p.clone()).chain(preset.clone()).collect()
            }
            Apply::Scale(v) => v.iter().map(|(p, _)| p.clone()).collect(),
            Apply::Median { path, .. } => vec![format!("{path}.median"), format!("{path}.p90")],
        };
        Control {
            id: id.into(),
            group: group.into(),
            label_en: label_en.into(),
            label_de: label_de.into(),
            kind,
            value,
            paths,
            apply,
        }
    }

    /// The overrides that set this control to `text`; an error names what would be right.
    pub fn overrides(&self, text: &str) -> Result<Vec<Override>, String> {
        let text = text.trim();
        match &self.apply {
            Apply::Path(path) => {
                let value = parse_value(text).map_err(|e| format!("{path}: {e}"))?;
                // A choice is a text even where it looks like a number ("24x7", "1").
                let value = match (&self.kind, value) {
                    (Kind::Choice { .. }, _) => Value::String(text.to_string()),
                    (_, v) => v,
                };
                Ok(vec![Override::new(path.clone(), value)])
            }
            Apply::Scale(bases) => {
                let f = positive(text).ok_or_else(|| {
                    format!(
                        "ticket volume: expected a factor greater than 0 such as 1.2 (20 % more \
                         tickets in every category), got '{text}'"
                    )
                })?;
                Ok(bases
                    .iter()
                    .map(|(p, x)| Override::new(p.clone(), Value::Float(x * f)))
                    .collect())
            }
            Apply::Admins(path, ids, preset) => {
                let n = text
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=ids.len()).contains(n));
                let Some(n) = n else {
                    return Err(format!(
                        "{path}: expected a number of admins between 1 and {} (the scenario's \
                         admins: {}), got '{text}'",
                        ids.len(),
                        ids.join(", ")
                    ));
                };
                let list = ids[..n].iter().map(|i| Value::String(i.clone())).collect();
                let mut out = vec![Override::new(path.clone(), Value::Array(list))];
                if let Some(p) = preset {
                    let name = if n == 1 {
                        "single-admin"
                    } else {
                        "multi-admin"
                    };
                    out.push(Override::new(p.clone(), Value::String(name.into())));
                }
                Ok(out)
            }
            Apply::Median { path, ratio } => {
                let m = positive(text).ok_or_else(|| {
                    format!("{path}.median: expected a number of days greater than 0, got '{text}'")
                })?;
                Ok(vec![
                    Override::new(format!("{path}.median"), Value::Float(m)),
                    Override::new(format!("{path}.p90"), Value::Float(m * ratio)),
                ])
            }
        }
    }
}

fn positive(text: &str) -> Option<f64> {
    text.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && *x > 0.0 && *x <= 1e6)
}

/// A number as the page shows it: at most four decimals, no trailing zeros.
fn num(x: f64) -> String {
    let s = format!("{x:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn get<'a>(v: Option<&'a Value>, key: &str) -> Option<&'a Value> {
    v.and_then(|v| v.get(key))
}

fn number(v: Option<&Value>) -> Option<f64> {
    v.and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
}

/// The controls of a scenario: `text` is the file, `model` its validated model.
pub fn controls(text: &str, model: &Model) -> Vec<Control> {
    let doc: Table = toml::from_str(text).unwrap_or_default();
    let doc = Value::Table(doc);
    let mut out = Vec::new();
    company(&doc, model, &mut out);
    setups(&doc, model, &mut out);
    people(&doc, model, &mut out);
    profiles(&doc, &mut out);
    contracts(&doc, &mut out);
    emergency(&doc, &mut out);
    out
}

fn company(doc: &Value, model: &Model, out: &mut Vec<Control>) {
    let g = "Company";
    out.push(Control::new(
        "company.pcs",
        g,
        ("PCs", "PCs"),
        Kind::Integer { min: 1 },
        model.company.pcs.to_string(),
        Apply::Path("company.pcs".into()),
    ));
    out.push(Control::new(
        "company.users",
        g,
        ("Users", "Nutzer"),
        Kind::Integer { min: 1 },
        model.company.users.to_string(),
        Apply::Path("company.users".into()),
    ));
    let mut rates = Vec::new();
    let cats = get(Some(doc), "categories").and_then(Value::as_array);
    for (i, c) in cats.into_iter().flatten().enumerate() {
        for key in ["tickets_per_year", "tickets_per_user_month"] {
            if let Some(x) = number(c.get(key)) {
                rates.push((format!("categories[{i}].{key}"), x));
            }
        }
    }
    if !rates.is_empty() {
        out.push(Control::new(
            "volume",
            g,
            (
                "Ticket volume (factor on all categories)",
                "Ticketaufkommen (Faktor auf alle Kategorien)",
            ),
            Kind::Number { step: 0.1 },
            "1".into(),
            Apply::Scale(rates),
        ));
    }
    out.push(Control::new(
        "costs.downtime_eur_per_user_hour",
        g,
        (
            "Downtime cost per user-hour (€)",
            "Ausfallkosten je Nutzerstunde (€)",
        ),
        Kind::Number { step: 5.0 },
        num(model.company.cost.downtime_eur_per_user_hour),
        Apply::Path("costs.downtime_eur_per_user_hour".into()),
    ));
    if let Some(t) = &model.report.target {
        let (key, x, label) = match t.bound {
            TargetBound::Max(x) => ("max", x, ("Risk target: at most", "Risikoziel: höchstens")),
            TargetBound::Min(x) => (
                "min",
                x,
                ("Risk target: at least", "Risikoziel: mindestens"),
            ),
        };
        let (metric_en, _) = crate::report::i18n::Lang::En.metric(&t.metric);
        let (metric_de, _) = crate::report::i18n::Lang::De.metric(&t.metric);
        out.push(Control::new(
            format!("report.target.{key}"),
            g,
            (
                &format!("{} ({metric_en})", label.0),
                &format!("{} ({metric_de})", label.1),
            ),
            Kind::Number { step: 100.0 },
            num(x),
            Apply::Path(format!("report.target.{key}")),
        ));
    }
}

fn setups(doc: &Value, model: &Model, out: &mut Vec<Control>) {
    let admins: Vec<String> = model
        .people
        .iter()
        .filter(|p| p.role == Role::Admin)
        .map(|p| p.id.clone())
        .collect();
    let msp_ids: Vec<String> = get(Some(doc), "msp")
        .and_then(Value::as_table)
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default();
    let raw = get(Some(doc), "setups").and_then(Value::as_array);
    for (i, (s, r)) in model
        .setups
        .iter()
        .zip(raw.into_iter().flatten())
        .enumerate()
    {
        let g = s.name.clone();
        if let Some(list) = r.get("admins").and_then(Value::as_array) {
            // The setup's own admins first, then the scenario's other admins in file order.
            let mut ids: Vec<String> = list
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            let own = ids.len();
            ids.extend(
                admins
                    .iter()
                    .filter(|a| !ids.contains(a))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            let preset = r.get("preset").and_then(Value::as_str);
            let follows = matches!(preset, Some("single-admin" | "multi-admin"))
                .then(|| format!("setups[{i}].preset"));
            if ids.len() > 1 {
                out.push(Control::new(
                    format!("setups[{i}].admins"),
                    g.clone(),
                    ("Admins", "Admins"),
                    Kind::Integer { min: 1 },
                    own.to_string(),
                    Apply::Admins(format!("setups[{i}].admins"), ids, follows),
                ));
            }
        }
        if r.get("msp").is_some() && msp_ids.len() > 1 {
            let current = r.get("msp").and_then(Value::as_str).unwrap_or_default();
            out.push(Control::new(
                format!("setups[{i}].msp"),
                g.clone(),
                ("MSP contract", "MSP-Vertrag"),
                Kind::Choice {
                    options: msp_ids.clone(),
                },
                current.to_string(),
                Apply::Path(format!("setups[{i}].msp")),
            ));
        }
        out.push(Control::new(
            format!("setups[{i}].documentation_quality"),
            g,
            ("Documentation quality", "Dokumentationsqualität"),
            Kind::Share,
            num(s.documentation_quality),
            Apply::Path(format!("setups[{i}].documentation_quality")),
        ));
    }
}

fn people(doc: &Value, model: &Model, out: &mut Vec<Control>) {
    let raw = get(Some(doc), "people").and_then(Value::as_array);
    for (i, r) in raw.into_iter().flatten().enumerate() {
        let Some(id) = r.get("id").and_then(Value::as_str) else {
            continue;
        };
        let Some(p) = model.people.iter().find(|p| p.id == id) else {
            continue;
        };
        out.push(Control::new(
            format!("people[{i}].it_share"),
            "People",
            (
                &format!("{id}: IT share of a full-time post"),
                &format!("{id}: IT-Anteil einer Vollzeitstelle"),
            ),
            Kind::Share,
            num(p.it_share),
            Apply::Path(format!("people[{i}].it_share")),
        ));
    }
}

fn profiles(doc: &Value, out: &mut Vec<Control>) {
    let Some(t) = get(Some(doc), "profiles").and_then(Value::as_table) else {
        return;
    };
    for (name, p) in t {
        let key = crate::scenario::path_key(name);
        let g = format!("Profile {name}");
        if let Some(x) = number(p.get("illness_episodes_per_year")) {
            out.push(Control::new(
                format!("profiles.{key}.illness_episodes_per_year"),
                g.clone(),
                ("Illness episodes per year", "Krankheitsfälle pro Jahr"),
                Kind::Number { step: 0.1 },
                num(x),
                Apply::Path(format!("profiles.{key}.illness_episodes_per_year")),
            ));
        }
        if let Some(x) = number(p.get("quit_probability_per_year")) {
            out.push(Control::new(
                format!("profiles.{key}.quit_probability_per_year"),
                g.clone(),
                (
                    "Quit probability per year",
                    "Kündigungswahrscheinlichkeit pro Jahr",
                ),
                Kind::Share,
                num(x),
                Apply::Path(format!("profiles.{key}.quit_probability_per_year")),
            ));
        }
        let fill = p.get("time_to_fill_days");
        let is_lognormal = get(fill, "dist").and_then(Value::as_str) == Some("lognormal");
        if let (true, Some(median), Some(p90)) = (
            is_lognormal,
            number(get(fill, "median")),
            number(get(fill, "p90")),
        ) && median > 0.0
        {
            out.push(Control::new(
                format!("profiles.{key}.time_to_fill_days"),
                g,
                (
                    "Vacancy after a resignation, median (days)",
                    "Vakanz nach Kündigung, Median (Tage)",
                ),
                Kind::Number { step: 10.0 },
                num(median),
                Apply::Median {
                    path: format!("profiles.{key}.time_to_fill_days"),
                    ratio: p90 / median,
                },
            ));
        }
    }
}

fn contracts(doc: &Value, out: &mut Vec<Control>) {
    let Some(t) = get(Some(doc), "msp").and_then(Value::as_table) else {
        return;
    };
    for (name, m) in t {
        let key = crate::scenario::path_key(name);
        let g = format!("MSP {name}");
        let path = |k: &str| format!("msp.{key}.{k}");
        if let Some(x) = m.get("technicians").and_then(Value::as_integer) {
            out.push(Control::new(
                path("technicians"),
                g.clone(),
                ("Technicians", "Techniker"),
                Kind::Integer { min: 1 },
                x.to_string(),
                Apply::Path(path("technicians")),
            ));
        }
        if let Some(c) = m.get("coverage").and_then(Value::as_str) {
            let mut options: Vec<String> = ["8x5", "10x5", "24x7"].map(String::from).to_vec();
            if !options.iter().any(|o| o == c) {
                options.insert(0, c.to_string());
            }
            out.push(Control::new(
                path("coverage"),
                g.clone(),
                ("Service hours", "Servicezeiten"),
                Kind::Choice { options },
                c.to_string(),
                Apply::Path(path("coverage")),
            ));
        }
        out.push(Control::new(
            path("p1_24x7"),
            g.clone(),
            ("P1 on call 24x7", "P1-Bereitschaft 24x7"),
            Kind::Bool,
            m.get("p1_24x7")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                .to_string(),
            Apply::Path(path("p1_24x7")),
        ));
        if let Some(x) = number(m.get("fee_eur_per_pc_month")) {
            out.push(Control::new(
                path("fee_eur_per_pc_month"),
                g,
                ("Fee per PC and month (€)", "Gebühr je PC und Monat (€)"),
                Kind::Number { step: 5.0 },
                num(x),
                Apply::Path(path("fee_eur_per_pc_month")),
            ));
        }
    }
}

fn emergency(doc: &Value, out: &mut Vec<Control>) {
    let Some(t) = get(Some(doc), "emergency").and_then(Value::as_table) else {
        return;
    };
    for (name, e) in t {
        let key = crate::scenario::path_key(name);
        let g = format!("Emergency help {name}");
        let path = |k: &str| format!("emergency.{key}.{k}");
        if let Some(x) = number(e.get("hourly_rate_eur")) {
            out.push(Control::new(
                path("hourly_rate_eur"),
                g.clone(),
                ("Hourly rate (€)", "Stundensatz (€)"),
                Kind::Number { step: 10.0 },
                num(x),
                Apply::Path(path("hourly_rate_eur")),
            ));
        }
        if let Some(b) = e.get("interim").and_then(Value::as_bool) {
            out.push(Control::new(
                path("interim"),
                g,
                (
                    "Interim admin during long absences",
                    "Interims-Admin bei langer Abwesenheit",
                ),
                Kind::Bool,
                b.to_string(),
                Apply::Path(path("interim")),
            ));
        }
    }
}

/// Turns the page's values (control id → text) into overrides, in control order. Values equal
/// to the scenario's are left out, so an untouched page is the scenario as loaded.
pub fn to_overrides(
    controls: &[Control],
    values: &[(String, String)],
) -> Result<Vec<Override>, Vec<ControlError>> {
    let mut errors = Vec::new();
    for (id, _) in values {
        if !controls.iter().any(|c| &c.id == id) {
            errors.push(ControlError {
                control: None,
                message: format!("there is no control '{id}'"),
            });
        }
    }
    let mut out = Vec::new();
    for c in controls {
        let Some((_, text)) = values.iter().rev().find(|(id, _)| id == &c.id) else {
            continue;
        };
        if text.trim() == c.value {
            continue;
        }
        match c.overrides(text) {
            Ok(o) => out.extend(o),
            Err(message) => errors.push(ControlError {
                control: Some(c.id.clone()),
                message,
            }),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Assigns the problems of a validation to the controls whose paths they name. The message is
/// the command line's without the file label (`path: message (hint)`).
pub fn assign(controls: &[Control], errors: &ScenarioErrors) -> Vec<ControlError> {
    errors
        .0
        .iter()
        .map(|e| {
            let owner = controls.iter().find(|c| {
                c.paths.iter().any(|p| {
                    !e.path.is_empty()
                        && (e.path == *p
                            || e.path.starts_with(&format!("{p}."))
                            || e.path.starts_with(&format!("{p}[")))
                })
            });
            let mut message = String::new();
            if !e.path.is_empty() {
                message.push_str(&e.path);
                message.push_str(": ");
            }
            message.push_str(&e.message);
            if let Some(h) = &e.hint {
                message.push_str(&format!(" ({h})"));
            }
            ControlError {
                control: owner.map(|c| c.id.clone()),
                message,
            }
        })
        .collect()
}
