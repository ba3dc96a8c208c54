//! The scenario file as plain data: one struct per TOML table, every field optional, no logic
//! beyond reading values of the right type. Never visible outside `scenario`.
//!
//! # Why not `serde` derive
//!
//! A derived `Deserialize` stops at the first error, and the issue asks for every problem at
//! once. So the reader walks the span-carrying document that `toml::de::DeTable` parses and
//! converts each field on its own: a wrong type or an unknown key is recorded (with its exact
//! span and field path) and reading goes on with the next field. One pass finds every type error
//! and every unknown key; there is no retry loop and the text is never rewritten. The
//! [`raw_table!`] macro keeps the structs as declarative as derived ones, and its field list
//! doubles as the list of valid keys for "did you mean" suggestions.
//!
//! Every field is an `Option`: `None` means "absent" (or unreadable, which is already reported).
//! Defaults, ranges and cross-references are `validate`'s business.

use std::ops::Range;

use chrono::{NaiveDate, NaiveDateTime};
use toml::de::{DeTable, DeValue};

use super::locate::{Path, Value};
use super::suggest;

/// A problem found while reading or validating a scenario.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Issue {
    /// Field path of the offending key or value.
    pub(crate) path: Path,
    /// Byte span in the text if known; otherwise `path` is looked up in the document.
    pub(crate) span: Option<Range<usize>>,
    /// What is wrong.
    pub(crate) message: String,
    /// What would be right.
    pub(crate) hint: Option<String>,
}

/// Collects the problems found while reading.
#[derive(Debug, Default)]
pub(crate) struct Reader {
    pub(crate) issues: Vec<Issue>,
    /// Paths of values that could not be read although present (beyond the paths of
    /// `issues`): a list with one bad element is dropped as a whole, so that validation does
    /// not see shifted indexes, and its follow-up errors must be suppressed.
    pub(crate) unreadable: Vec<Path>,
}

/// Conversion of one TOML value into a raw field, reporting problems to the [`Reader`].
pub(crate) trait FromToml: Sized {
    /// The converted value; `None` if it is unusable (the problem has been reported).
    fn from_toml(v: &Value<'_>, path: &Path, rd: &mut Reader) -> Option<Self>;
}

impl Reader {
    fn error(&mut self, path: Path, span: Range<usize>, message: String, hint: Option<String>) {
        self.issues.push(Issue {
            path,
            span: Some(span),
            message,
            hint,
        });
    }

    /// Reports a value of the wrong type, with a hint for the common slips (quoted numbers,
    /// unquoted words, a single value where a list is expected).
    fn mismatch(&mut self, v: &Value<'_>, path: &Path, expected: &str) {
        let hint = match v.get_ref() {
            DeValue::String(s)
                if expected.contains("number") && s.trim().parse::<f64>().is_ok() =>
            {
                Some(format!("remove the quotes: {}", s.trim()))
            }
            DeValue::String(s) if expected.contains("boolean") && (s == "true" || s == "false") => {
                Some(format!("remove the quotes: {s}"))
            }
            DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_)
                if expected.starts_with("a string") =>
            {
                Some("put the value in quotes".to_owned())
            }
            DeValue::String(s) if expected.starts_with("a list") => {
                Some(format!("write a list: [{:?}]", s.as_ref()))
            }
            DeValue::Float(f) if expected.contains("whole number") => f
                .as_str()
                .parse::<f64>()
                .ok()
                .filter(|x| x.fract() == 0.0 && x.abs() < 1e15)
                .map(|x| format!("write {}", x as i64)),
            _ => None,
        };
        self.error(
            path.clone(),
            v.span(),
            format!("expected {expected}, found {}", describe(v.get_ref())),
            hint,
        );
    }

    /// The table in `v`, or a reported mismatch.
    fn table<'a, 'i>(&mut self, v: &'a Value<'i>, path: &Path) -> Option<&'a DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                self.mismatch(v, path, "a table");
                None
            }
        }
    }

    /// Reports every key of `t` that is not in `allowed`, in file order, at the key itself.
    fn check_keys(&mut self, t: &DeTable<'_>, path: &Path, allowed: &[&str]) {
        let mut keys: Vec<_> = t.keys().collect();
        keys.sort_by_key(|k| k.span().start);
        for k in keys {
            let name: &str = k.get_ref();
            if !allowed.contains(&name) {
                self.error(
                    path.key(name),
                    k.span(),
                    format!("unknown key '{name}'"),
                    suggest::hint(name, allowed.iter().copied()),
                );
            }
        }
    }

    /// Reads `key` of table `t` if present.
    fn field<T: FromToml>(&mut self, t: &DeTable<'_>, key: &str, path: &Path) -> Option<T> {
        let v = t.get(key)?;
        T::from_toml(v, &path.key(key), self)
    }
}

/// A short description of a value for "found …" messages.
fn describe(v: &DeValue<'_>) -> String {
    fn short(s: &str) -> String {
        if s.chars().count() > 40 {
            format!("{}…", s.chars().take(40).collect::<String>())
        } else {
            s.to_owned()
        }
    }
    match v {
        DeValue::String(s) => format!("string {:?}", short(s)),
        DeValue::Integer(i) => format!("integer {}", short(&i.to_string())),
        DeValue::Float(f) => format!("number {}", short(f.as_str())),
        DeValue::Boolean(b) => format!("boolean {b}"),
        DeValue::Datetime(d) => format!("date-time {d}"),
        DeValue::Array(_) => "a list".to_owned(),
        DeValue::Table(_) => "a table".to_owned(),
    }
}

impl FromToml for String {
    fn from_toml(v: &Value<'_>, path: &Path, rd: &mut Reader) -> Option<Self> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                rd.mismatch(v, path, "a string");
                None
            }
        }
    }
}

impl FromToml for bool {
    fn from_toml(v: &Value<'_>, path: &Path, rd: &mut Reader) -> Option<Self> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                rd.mismatch(v, path, "a boolean (true or false)");
                None
            }
        }
    }
}

/// Parses a TOML integer token; `None` if it does not fit into an `i64`.
fn integer(i: &toml::de::DeInteger<'_>) -> Option<i64> {
    i64::from_str_radix(i.as_str(), i.radix()).ok()
}

impl FromToml for i64 {
    fn from_toml(v: &Value<'_>, path: &Path, rd: &mut Reader) -> Option<Self> {
        match v.get_ref() {
            DeValue::Integer(i) => {
                let n = integer(i);
                if n.is_none() {
                    rd.error(
                        path.clone(),
                        v.span(),
                        format!("the integer {i} is too large"),
                        None,
                    );
                }
                n
            }
            _ => {
                rd.mismatch(v, path, "a whole number");
                None
            }
        }
    }
}

/// Numbers accept integers and floats. NaN and infinities are passed on: range checks in
/// `validate` report them with the rule that applies to the field.
impl FromToml for f64 {
    fn from_toml(v: &Value<'_>, path: &Path, rd: &mut Reader) -> Option<Self> {
        match v.get_ref() {
            // An integer too large for i64 is still a (huge) number; the range check rejects it.
            DeValue::Integer(i) => Some(
                integer(i)
                    .map_or_else(|| i.as_str().parse().unwrap_or(f64::INFINITY), |n| n as f64),
            ),
            DeValue::Float(f) => Some(f.as_str().parse().unwrap_or(f64::NAN)),
            _ => {
                rd.mismatch(v, path, "a number");
                None
            }
        }
    }
}

/// Dates may be TOML dates (`2026-12-24`) or strings (`"2026-12-24"`).
impl FromToml for NaiveDate {
    fn from_toml(v: &Value<'_>, path: &Path, rd: &mut Reader) -> Option<Self> {
        let text = match v.get_ref() {
            DeValue::String(s) => s.to_string(),
            DeValue::Datetime(d) => d.to_string(),
            _ => {
                rd.mismatch(v, path, "a date like 2026-12-24");
                return None;
            }
        };
        let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
        if date.is_none() {
            rd.error(
                path.clone(),
                v.span(),
                format!("'{text}' is not a date"),
                Some("write year-month-day, e.g. 2026-12-24".to_owned()),
            );
        }
        date
    }
}

/// A point in local time: a date (a whole day) or a date and time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum RawMoment {
    /// A whole day.
    Date(NaiveDate),
    /// A local date and time.
    DateTime(NaiveDateTime),
}

/// TOML local dates and date-times (`2026-08-03`, `2026-08-03T10:00:00`) or strings
/// (`"2026-08-03 10:00"`). Time zones are rejected: the simulation runs in local time.
impl FromToml for RawMoment {
    fn from_toml(v: &Value<'_>, path: &Path, rd: &mut Reader) -> Option<Self> {
        let text = match v.get_ref() {
            DeValue::String(s) => s.trim().to_string(),
            DeValue::Datetime(d) => d.to_string(),
            _ => {
                rd.mismatch(
                    v,
                    path,
                    "a date or date-time like 2026-08-03 or 2026-08-03T10:00:00",
                );
                return None;
            }
        };
        if let Ok(d) = NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
            return Some(RawMoment::Date(d));
        }
        const FORMATS: [&str; 4] = [
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%d %H:%M:%S%.f",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M",
        ];
        if let Some(t) = FORMATS
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(&text, f).ok())
        {
            return Some(RawMoment::DateTime(t));
        }
        rd.error(
            path.clone(),
            v.span(),
            format!("'{text}' is not a local date or date-time"),
            Some("write e.g. 2026-08-03 or 2026-08-03T10:00:00, without a time zone".to_owned()),
        );
        None
    }
}

/// A single value where a list is expected is reported (with a hint), not silently wrapped:
/// the file should say what it means.
impl<T: FromToml> FromToml for Vec<T> {
    fn from_toml(v: &Value<'_>, path: &Path, rd: &mut Reader) -> Option<Self> {
        match v.get_ref() {
            DeValue::Array(a) => {
                let items: Vec<Option<T>> = a
                    .iter()
                    .enumerate()
                    .map(|(i, x)| T::from_toml(x, &path.index(i), rd))
                    .collect();
                let all: Option<Vec<T>> = items.into_iter().collect();
                if all.is_none() {
                    rd.unreadable.push(path.clone());
                }
                all
            }
            _ => {
                rd.mismatch(v, path, "a list");
                None
            }
        }
    }
}

/// A table of named entries (`[profiles.it-admin]`, `[msp.silver]`), in file order.
#[derive(Clone, Debug)]
pub(crate) struct Named<T>(pub(crate) Vec<(String, T)>);

impl<T> Default for Named<T> {
    fn default() -> Self {
        Named(Vec::new())
    }
}

impl<T: FromToml + Default> FromToml for Named<T> {
    fn from_toml(v: &Value<'_>, path: &Path, rd: &mut Reader) -> Option<Self> {
        let t = rd.table(v, path)?;
        let mut entries: Vec<_> = t.iter().collect();
        // The document map is sorted by key; the key spans restore the order of the file, so
        // that e.g. `Model::contracts` lists contracts as the user wrote them.
        entries.sort_by_key(|(k, _)| k.span().start);
        let named = entries
            .into_iter()
            .map(|(k, x)| {
                let key = k.get_ref().to_string();
                let value = T::from_toml(x, &path.key(&key), rd).unwrap_or_default();
                (key, value)
            })
            .collect();
        Some(Named(named))
    }
}

/// Declares a raw table: a struct of optional fields whose names are the TOML keys, plus its
/// reader. A value that is not a table is reported and read as an empty table, so that
/// references to it (a profile, a contract) do not cause follow-up errors.
macro_rules! raw_table {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident: $ty:ty,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default)]
        #[allow(non_snake_case)]
        pub(crate) struct $name {
            $($(#[$fdoc])* pub(crate) $field: Option<$ty>,)*
        }

        impl $name {
            /// The keys this table accepts.
            pub(crate) const KEYS: &'static [&'static str] = &[$(stringify!($field)),*];

            #[allow(dead_code)]
            fn read_fields(t: &DeTable<'_>, path: &Path, rd: &mut Reader) -> Self {
                $name { $($field: rd.field(t, stringify!($field), path),)* }
            }
        }

        impl FromToml for $name {
            fn from_toml(v: &Value<'_>, path: &Path, rd: &mut Reader) -> Option<Self> {
                let Some(t) = rd.table(v, path) else {
                    return Some(Self::default());
                };
                rd.check_keys(t, path, Self::KEYS);
                Some(Self::read_fields(t, path, rd))
            }
        }
    };
}

raw_table!(
    /// The whole file.
    RawScenario {
        /// Scenario name.
        name: String,
        company: RawCompany,
        simulation: RawSimulation,
        categories: Vec<RawCategory>,
        profiles: Named<RawProfile>,
        people: Vec<RawPerson>,
        msp: Named<RawMsp>,
        emergency: Named<RawEmergency>,
        setups: Vec<RawSetup>,
        report: RawReport,
        costs: RawCosts,
    }
);

raw_table!(
    /// `[company]`.
    RawCompany {
        pcs: i64,
        users: i64,
        /// First simulated year.
        year: i64,
        /// Two-letter code of the federal state whose holidays apply.
        federal_state: String,
        holidays: RawHolidays,
        business_hours: RawHours,
    }
);

/// `holidays = "none"` / `"germany"`, or an explicit list of dates.
#[derive(Clone, Debug)]
pub(crate) enum RawHolidays {
    /// A keyword.
    Keyword(String),
    /// Exactly these dates.
    Dates(Vec<NaiveDate>),
}

impl FromToml for RawHolidays {
    fn from_toml(v: &Value<'_>, path: &Path, rd: &mut Reader) -> Option<Self> {
        match v.get_ref() {
            DeValue::String(s) => Some(RawHolidays::Keyword(s.to_string())),
            DeValue::Array(_) => Vec::from_toml(v, path, rd).map(RawHolidays::Dates),
            _ => {
                rd.mismatch(v, path, "\"none\", \"germany\" or a list of dates");
                None
            }
        }
    }
}

/// Weekly hours: a string (`"mon-fri 08:00-17:00"`, `"24x7"`) or a table per weekday.
#[derive(Clone, Debug)]
pub(crate) enum RawHours {
    /// The string form.
    Text(String),
    /// The table form.
    Days(RawWeekDays),
}

impl FromToml for RawHours {
    fn from_toml(v: &Value<'_>, path: &Path, rd: &mut Reader) -> Option<Self> {
        match v.get_ref() {
            DeValue::String(s) => Some(RawHours::Text(s.to_string())),
            DeValue::Table(_) => RawWeekDays::from_toml(v, path, rd).map(RawHours::Days),
            _ => {
                rd.mismatch(
                    v,
                    path,
                    "hours like \"mon-fri 08:00-17:00\" or a table { mon = \"08:00-17:00\", … }",
                );
                None
            }
        }
    }
}

raw_table!(
    /// `{ mon = "08:00-17:00", …, sun = "closed" }`.
    RawWeekDays {
        mon: String,
        tue: String,
        wed: String,
        thu: String,
        fri: String,
        sat: String,
        sun: String,
    }
);

raw_table!(
    /// `[simulation]`.
    RawSimulation {
        replications: i64,
        seed: i64,
        warmup_days: i64,
        years: i64,
        drain_days: i64,
        aged_after_business_days: i64,
    }
);

raw_table!(
    /// One `[[categories]]` entry.
    RawCategory {
        id: String,
        tickets_per_user_month: f64,
        tickets_per_year: f64,
        arrivals: String,
        weekday_factors: Vec<f64>,
        month_factors: Vec<f64>,
        priority: String,
        skill: String,
        onsite_probability: f64,
        effort_h: RawDist,
        users_affected: RawUsers,
        productivity_loss: f64,
        knowledge_probability: f64,
        /// Ticket times of `arrivals = "scheduled"`.
        scheduled_at: Vec<RawMoment>,
    }
);

/// `users_affected = 3` or `"all"`.
#[derive(Clone, Debug)]
pub(crate) enum RawUsers {
    /// A number of users.
    Count(i64),
    /// A keyword (`all`).
    Word(String),
}

impl FromToml for RawUsers {
    fn from_toml(v: &Value<'_>, path: &Path, rd: &mut Reader) -> Option<Self> {
        match v.get_ref() {
            DeValue::Integer(_) => i64::from_toml(v, path, rd).map(RawUsers::Count),
            DeValue::String(s) => Some(RawUsers::Word(s.to_string())),
            _ => {
                rd.mismatch(v, path, "a whole number or \"all\"");
                None
            }
        }
    }
}

/// A distribution: a table with a `dist` kind, or a bare number meaning a fixed value.
#[derive(Clone, Debug)]
pub(crate) enum RawDist {
    /// Shorthand for `{ dist = "fixed", value = x }`.
    Number(f64),
    /// The table form (boxed: it holds every kind's parameters, 30 times the number's size).
    Table(Box<RawDistTable>),
}

impl FromToml for RawDist {
    fn from_toml(v: &Value<'_>, path: &Path, rd: &mut Reader) -> Option<Self> {
        match v.get_ref() {
            DeValue::Integer(_) | DeValue::Float(_) => {
                f64::from_toml(v, path, rd).map(RawDist::Number)
            }
            DeValue::Table(_) => {
                RawDistTable::from_toml(v, path, rd).map(|t| RawDist::Table(Box::new(t)))
            }
            _ => {
                rd.mismatch(
                    v,
                    path,
                    "a distribution like { dist = \"lognormal\", median = 1, p90 = 3 } or a number",
                );
                None
            }
        }
    }
}

raw_table!(
    /// The parameters of every kind of distribution; `validate` checks which apply to `dist`.
    RawDistTable {
        dist: String,
        value: f64,
        mean: f64,
        sd: f64,
        median: f64,
        p90: f64,
        min: f64,
        max: f64,
        mode: f64,
        shape: f64,
        scale: f64,
        /// Share of a bin of an empirical distribution.
        share: f64,
        bins: Vec<RawDistTable>,
    }
);

raw_table!(
    /// `[profiles.<id>]`: absences and cost of a person; also the per-person overrides.
    RawProfile {
        vacation_days_per_year: i64,
        vacation_summer_block_days: i64,
        vacation_block_days: i64,
        illness_episodes_per_year: f64,
        illness_duration_days: RawDist,
        illness_winter_amplitude: f64,
        quit_probability_per_year: f64,
        notice_days: f64,
        time_to_fill_days: RawDist,
        rampup_days: f64,
        rampup_start_productivity: f64,
        training_days_per_year: i64,
        meeting_share: f64,
        /// Gross salary [€/year].
        salary_eur_per_year: f64,
        /// Tools, training, workplace [€/year].
        overhead_eur_per_year: f64,
        /// Replacement cost after a resignation, as a share of the gross salary.
        recruiting_share_of_salary: f64,
    }
);

/// One `[[people]]` entry: its own keys plus any profile key as an override.
#[derive(Clone, Debug, Default)]
pub(crate) struct RawPerson {
    pub(crate) id: Option<String>,
    pub(crate) role: Option<String>,
    pub(crate) profile: Option<String>,
    pub(crate) skills: Option<Vec<String>>,
    pub(crate) hours: Option<RawHours>,
    pub(crate) it_share: Option<f64>,
    pub(crate) planned_absences: Option<Vec<RawPlanned>>,
    /// Profile keys given directly in the person's table.
    pub(crate) overrides: RawProfile,
}

impl RawPerson {
    /// The person's own keys (profile keys are accepted too).
    pub(crate) const KEYS: &'static [&'static str] = &[
        "id",
        "role",
        "profile",
        "skills",
        "hours",
        "it_share",
        "planned_absences",
    ];
}

impl FromToml for RawPerson {
    fn from_toml(v: &Value<'_>, path: &Path, rd: &mut Reader) -> Option<Self> {
        let Some(t) = rd.table(v, path) else {
            return Some(Self::default());
        };
        let keys: Vec<&str> = Self::KEYS.iter().chain(RawProfile::KEYS).copied().collect();
        rd.check_keys(t, path, &keys);
        Some(RawPerson {
            id: rd.field(t, "id", path),
            role: rd.field(t, "role", path),
            profile: rd.field(t, "profile", path),
            skills: rd.field(t, "skills", path),
            hours: rd.field(t, "hours", path),
            it_share: rd.field(t, "it_share", path),
            planned_absences: rd.field(t, "planned_absences", path),
            overrides: RawProfile::read_fields(t, path, rd),
        })
    }
}

raw_table!(
    /// An absence fixed in the scenario: `{ from = 2026-03-02, to = 2026-03-20, kind = "sick" }`.
    RawPlanned {
        from: RawMoment,
        /// A date means the end of that day (inclusive); a date-time is exclusive.
        to: RawMoment,
        kind: String,
    }
);

raw_table!(
    /// `[msp.<id>]`.
    RawMsp {
        technicians: i64,
        technician_profile: String,
        coverage: RawHours,
        p1_24x7: bool,
        response_h: RawTargets,
        resolution_h: RawTargets,
        travel_h: RawDist,
        other_clients_pcs: i64,
        target_utilisation: f64,
        documentation_quality: f64,
        /// Prices: `model::MspPrice`.
        fee_eur_per_pc_month: f64,
        included_hours_per_month: f64,
        hourly_rate_eur: f64,
        onsite_visit_eur: f64,
        p1_24x7_eur_per_month: f64,
        after_hours_surcharge: f64,
        sla_credit_eur_per_breach: f64,
        sla_credit_cap_share: f64,
    }
);

raw_table!(
    /// Targets per priority [business hours].
    RawTargets {
        P1: f64,
        P2: f64,
        P3: f64,
        P4: f64,
    }
);

raw_table!(
    /// `[emergency.<id>]`.
    RawEmergency {
        priorities: Vec<String>,
        search_delay_h: RawDist,
        hours: RawHours,
        hourly_rate_eur: f64,
        callout_fee_eur: f64,
        escalate_after_business_days: RawTargets,
        interim: bool,
        interim_after_days: f64,
        interim_search_days: RawDist,
        interim_day_rate_eur: f64,
    }
);

raw_table!(
    /// One `[[setups]]` entry.
    RawSetup {
        name: String,
        preset: String,
        admins: Vec<String>,
        key_user: String,
        msp: String,
        coordinator: String,
        emergency: String,
        tiers: Vec<RawTier>,
        documentation_quality: f64,
        knowledge_penalty_h: RawDist,
        vacation_no_overlap: bool,
        sla: RawSla,
    }
);

raw_table!(
    /// `sla = { response_h = {…}, resolution_h = {…} }`.
    RawSla {
        response_h: RawTargets,
        resolution_h: RawTargets,
    }
);

raw_table!(
    /// One tier of a custom setup: exactly one of the keys.
    RawTier {
        admins: Vec<String>,
        key_user: String,
        msp: String,
        emergency: String,
    }
);

raw_table!(
    /// `[report]`.
    RawReport {
        /// Name of the setup the others are compared with.
        baseline: String,
        thresholds: RawThresholds,
        /// Language of charts and report: "en" or "de".
        lang: String,
        /// The stated target: the cheapest setup meeting it is named.
        target: RawTarget,
    }
);

raw_table!(
    /// `target = { metric = "outage_bh", stat = "p95", max = 24 }` in `[report]`.
    RawTarget {
        /// Metric name from `engine::catalog`.
        metric: String,
        /// "mean" or "pNN".
        stat: String,
        /// Upper bound (less is better).
        max: f64,
        /// Lower bound (more is better).
        min: f64,
    }
);

raw_table!(
    /// `[costs]`: company-wide cost settings (`model::CostSettings`).
    RawCosts {
        employer_contribution_share: f64,
        sick_pay_days: f64,
        downtime_eur_per_user_hour: f64,
        outage_eur_per_hour: f64,
    }
);

/// `thresholds = { user_hours_lost = [2000, 5000], outage_bh = 40 }`: exceedance thresholds per
/// metric, in file order. The valid keys are the names of `engine::catalog()`; an unknown name
/// is reported at the key, like an unknown key, and its entry left out.
#[derive(Clone, Debug, Default)]
pub(crate) struct RawThresholds(pub(crate) Vec<(String, NumberList)>);

impl FromToml for RawThresholds {
    fn from_toml(v: &Value<'_>, path: &Path, rd: &mut Reader) -> Option<Self> {
        let DeValue::Table(t) = v.get_ref() else {
            rd.mismatch(
                v,
                path,
                "a table of metric names and thresholds, e.g. { outage_bh = [24, 40] }",
            );
            return None;
        };
        let metrics = crate::engine::catalog();
        let names = || metrics.iter().map(|m| m.name.as_str());
        let mut entries: Vec<_> = t.iter().collect();
        // As in `Named`: the key spans restore the order of the file.
        entries.sort_by_key(|(k, _)| k.span().start);
        let mut out = Vec::new();
        for (k, x) in entries {
            let name: &str = k.get_ref();
            let p = path.key(name);
            // Read the value even under an unknown name, so that its problems are reported too.
            let value = NumberList::from_toml(x, &p, rd);
            if let Some(new) = crate::engine::renamed_metric(name) {
                rd.error(
                    p,
                    k.span(),
                    format!(
                        "metric '{name}' is called '{new}' since covsim 0.2.0 (business hours)"
                    ),
                    Some(format!("write {new}")),
                );
            } else if !names().any(|n| n == name) {
                let hint = suggest::closest(name, names()).map_or_else(
                    || {
                        let headline: Vec<&str> = metrics
                            .iter()
                            .filter(|m| m.headline)
                            .map(|m| m.name.as_str())
                            .collect();
                        format!(
                            "metrics include {}; scenarios/README.md lists them all",
                            headline.join(", ")
                        )
                    },
                    |c| format!("did you mean '{c}'?"),
                );
                rd.error(p, k.span(), format!("unknown metric '{name}'"), Some(hint));
            } else if let Some(list) = value {
                out.push((name.to_owned(), list));
            }
        }
        Some(RawThresholds(out))
    }
}

/// A list of numbers, or a single number meaning a list of one.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct NumberList {
    pub(crate) values: Vec<f64>,
    /// Whether a single number was given rather than a list (its problems are reported at the
    /// key, not at an index).
    pub(crate) single: bool,
}

impl FromToml for NumberList {
    fn from_toml(v: &Value<'_>, path: &Path, rd: &mut Reader) -> Option<Self> {
        match v.get_ref() {
            DeValue::Integer(_) | DeValue::Float(_) => {
                f64::from_toml(v, path, rd).map(|x| NumberList {
                    values: vec![x],
                    single: true,
                })
            }
            DeValue::Array(_) => Vec::from_toml(v, path, rd).map(|values| NumberList {
                values,
                single: false,
            }),
            _ => {
                rd.mismatch(v, path, "a number or a list of numbers");
                None
            }
        }
    }
}

/// Reads a parsed document; returns what could be read, every problem found, and the paths
/// of present but unreadable values (see [`Reader::unreadable`]).
pub(crate) fn read(root: &Value<'_>) -> (RawScenario, Reader) {
    let mut rd = Reader::default();
    let raw = RawScenario::from_toml(root, &Path::root(), &mut rd).unwrap_or_default();
    (raw, rd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use toml::Spanned;

    fn read_text(text: &str) -> (RawScenario, Vec<Issue>) {
        let t = DeTable::parse(text).expect("valid TOML");
        let (raw, rd) = read(&Spanned::new(t.span(), DeValue::Table(t.into_inner())));
        (raw, rd.issues)
    }

    #[test]
    fn reads_every_type_error_and_unknown_key_in_one_pass() {
        let (raw, issues) = read_text(
            "nme = 1\n[company]\npcs = \"50\"\nusers = 50\n[simulation]\nseed = 1.5\nyears = 2\n",
        );
        let paths: Vec<String> = issues.iter().map(|i| i.path.to_string()).collect();
        assert_eq!(paths, ["nme", "company.pcs", "simulation.seed"]);
        assert_eq!(issues[0].hint.as_deref(), Some("did you mean 'name'?"));
        assert_eq!(issues[1].hint.as_deref(), Some("remove the quotes: 50"));
        assert_eq!(issues[2].hint, None);
        // The readable fields were read nonetheless.
        assert_eq!(raw.company.unwrap().users, Some(50));
        assert_eq!(raw.simulation.unwrap().years, Some(2));
    }

    #[test]
    fn named_tables_keep_file_order() {
        let (raw, issues) = read_text("[msp.zeta]\n[msp.alpha]\ntechnicians = 2\n");
        assert!(issues.is_empty());
        let msp = raw.msp.unwrap();
        let names: Vec<&str> = msp.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["zeta", "alpha"]);
    }

    #[test]
    fn numbers_keep_nan_infinity_and_huge_values_for_range_checks() {
        let (raw, issues) = read_text(
            "[[categories]]\ntickets_per_year = nan\nonsite_probability = -inf\n\
             productivity_loss = 1e400\nknowledge_probability = 99999999999999999999999\n",
        );
        assert!(issues.is_empty());
        let c = &raw.categories.unwrap()[0];
        assert!(c.tickets_per_year.unwrap().is_nan());
        assert_eq!(c.onsite_probability, Some(f64::NEG_INFINITY));
        assert_eq!(c.productivity_loss, Some(f64::INFINITY));
        assert!(c.knowledge_probability.unwrap() > 1e22);
    }

    #[test]
    fn person_accepts_profile_keys_as_overrides() {
        let (raw, issues) =
            read_text("[[people]]\nid = \"anna\"\nnotice_days = 30\nnotise_days = 1\n");
        assert_eq!(issues.len(), 1);
        assert_eq!(
            issues[0].hint.as_deref(),
            Some("did you mean 'notice_days'?")
        );
        assert_eq!(raw.people.unwrap()[0].overrides.notice_days, Some(30.0));
    }

    #[test]
    fn cost_keys_are_read_from_costs_profiles_people_and_contracts() {
        let (raw, issues) = read_text(
            "[costs]\nsick_pay_days = 42\noutage_eur_per_hr = 1\n\
             [profiles.it-admin]\nsalary_eur_per_year = 70000\n\
             [[people]]\nid = \"anna\"\noverhead_eur_per_year = 5000\n\
             [msp.silver]\nfee_eur_per_pc_month = 60\nincluded_hours_per_month = 10\n",
        );
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].path.to_string(), "costs.outage_eur_per_hr");
        assert_eq!(
            issues[0].hint.as_deref(),
            Some("did you mean 'outage_eur_per_hour'?")
        );
        assert_eq!(raw.costs.unwrap().sick_pay_days, Some(42.0));
        let profiles = raw.profiles.unwrap();
        assert_eq!(profiles.0[0].1.salary_eur_per_year, Some(70000.0));
        let people = raw.people.unwrap();
        assert_eq!(people[0].overrides.overhead_eur_per_year, Some(5000.0));
        let msp = raw.msp.unwrap();
        assert_eq!(msp.0[0].1.included_hours_per_month, Some(10.0));
    }

    #[test]
    fn a_list_with_a_bad_element_is_dropped_whole() {
        let t = DeTable::parse("[[setups]]\nadmins = [\"anna\", 5, \"ben\"]\n").unwrap();
        let (raw, rd) = read(&Spanned::new(t.span(), DeValue::Table(t.into_inner())));
        assert_eq!(rd.issues.len(), 1);
        assert_eq!(rd.issues[0].path.to_string(), "setups[0].admins[1]");
        assert_eq!(
            rd.issues[0].hint.as_deref(),
            Some("put the value in quotes")
        );
        assert_eq!(rd.unreadable[0].to_string(), "setups[0].admins");
        assert!(raw.setups.unwrap()[0].admins.is_none());
    }

    #[test]
    fn thresholds_keep_file_order_and_drop_unknown_metrics() {
        let (raw, issues) = read_text(
            "[report.thresholds]\noutage_bh = [40, 24]\nbacklog_mx = \"x\"\nbacklog_max = 30\n",
        );
        let msgs: Vec<(String, &str)> = issues
            .iter()
            .map(|i| (i.path.to_string(), i.message.as_str()))
            .collect();
        // Both problems of the misspelt entry are found in one pass.
        assert_eq!(
            msgs,
            [
                (
                    "report.thresholds.backlog_mx".to_owned(),
                    "expected a number or a list of numbers, found string \"x\""
                ),
                (
                    "report.thresholds.backlog_mx".to_owned(),
                    "unknown metric 'backlog_mx'"
                ),
            ]
        );
        assert_eq!(
            issues[1].hint.as_deref(),
            Some("did you mean 'backlog_max'?")
        );
        let t = raw.report.unwrap().thresholds.unwrap().0;
        let got: Vec<(&str, &[f64], bool)> = t
            .iter()
            .map(|(k, v)| (k.as_str(), v.values.as_slice(), v.single))
            .collect();
        assert_eq!(
            got,
            [
                ("outage_bh", &[40.0, 24.0][..], false),
                ("backlog_max", &[30.0][..], true)
            ]
        );
    }

    #[test]
    fn too_large_integers_and_bad_dates_are_reported() {
        let (_, issues) = read_text(
            "[company]\npcs = 99999999999999999999\nholidays = [2026-12-24, \"2026-13-01\"]\n",
        );
        let msgs: Vec<&str> = issues.iter().map(|i| i.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "the integer 99999999999999999999 is too large",
                "'2026-13-01' is not a date"
            ]
        );
        assert_eq!(issues[1].path.to_string(), "company.holidays[1]");
    }
}
