//! Raw scenario → checked [`Model`]: every range, cross-reference and consistency check, with
//! the defaults of `defaults.rs` for omitted keys. Builds the distributions (their constructors
//! check the parameters) and the calendar. Never samples or simulates.
//!
//! Every check records its problem and carries on with a stand-in value, so one run reports
//! all problems; the model is returned only if there were none. Stand-ins are chosen so that
//! they cause no follow-up errors (an invalid profile still counts as defined, an invalid hours
//! string becomes the default hours).

use std::collections::{HashMap, HashSet};

use chrono::Timelike;

use super::defaults::{self as def, ProfileDefaults};
use super::hours::{self, HoursError};
use super::locate::{Path, is_bare_key};
use super::raw::{
    Issue, RawCategory, RawCosts, RawDist, RawDistTable, RawEmergency, RawHolidays, RawHours,
    RawMoment, RawMsp, RawPerson, RawPlanned, RawProfile, RawReport, RawScenario, RawSetup,
    RawTarget, RawTargets, RawUsers,
};
use super::suggest;
use super::text;
use crate::calendar::{
    Calendar, CoverageWindow, FederalState, HolidayRule, WeeklyHours, days_in_years,
};
use crate::dist::{Dist, DistError, DistSpec};
use crate::model::{
    AbsenceKind, AbsenceProfile, ArrivalPattern, AttritionRule, Category, Company, CostSettings,
    EmergencyHelp, IllnessRule, InterimCover, Model, MspContract, MspPrice, Person, PersonCost,
    PlannedAbsence, Priority, ReportSettings, Role, Setup, SimSettings, Skill, SkillSet,
    SlaTargets, Target, TargetBound, TargetStat, Tier, UsersAffected, VacationRule,
};
use crate::time::{DAY, SimTime};

/// Checks `raw` and builds the model; `default_name` names a scenario without `name`.
pub(crate) fn validate(raw: &RawScenario, default_name: &str) -> Result<Model, Vec<Issue>> {
    let mut v = Validator::default();
    let model = v.scenario(raw, default_name);
    match model {
        Some(m) if v.issues.is_empty() => Ok(m),
        _ => {
            if v.issues.is_empty() {
                // Unreachable by construction; reported rather than panicking on user input.
                v.error(
                    Path::root(),
                    "internal error: the scenario could not be built",
                );
            }
            Err(v.issues)
        }
    }
}

/// A numeric range rule, with the wording used in messages.
#[derive(Clone, Copy, Debug)]
enum Rule {
    /// `0 ..= 1`.
    Share,
    /// `0 .. 1` (1 excluded).
    ShareBelowOne,
    /// `0 < x <= 1`.
    PositiveShare,
    /// `0 ..= max`.
    UpTo(f64),
    /// `0 < x <= max`.
    PositiveUpTo(f64),
}

impl Rule {
    fn holds(self, x: f64) -> bool {
        match self {
            Rule::Share => (0.0..=1.0).contains(&x),
            Rule::ShareBelowOne => (0.0..1.0).contains(&x),
            Rule::PositiveShare => x > 0.0 && x <= 1.0,
            Rule::UpTo(max) => (0.0..=max).contains(&x),
            Rule::PositiveUpTo(max) => x > 0.0 && x <= max,
        }
    }

    /// What `x` violates, in the words of the rule.
    fn describe(self, x: f64) -> String {
        match self {
            Rule::UpTo(_) | Rule::ShareBelowOne if x < 0.0 => "must not be negative".to_owned(),
            Rule::UpTo(max) if x > max => format!("must be at most {max}"),
            Rule::Share => "must be a share between 0 and 1".to_owned(),
            Rule::ShareBelowOne => "must be at least 0 and less than 1".to_owned(),
            Rule::PositiveShare => "must be greater than 0 and at most 1".to_owned(),
            Rule::UpTo(max) => format!("must be between 0 and {max}"),
            Rule::PositiveUpTo(max) => format!("must be greater than 0 and at most {max}"),
        }
    }
}

/// Keyword tables: (name in the file, value).
const PRIORITIES: [(&str, Priority); 4] = [
    ("P1", Priority::P1),
    ("P2", Priority::P2),
    ("P3", Priority::P3),
    ("P4", Priority::P4),
];
const SKILLS: [(&str, Skill); 6] = [
    ("basic", Skill::Basic),
    ("admin", Skill::Admin),
    ("security", Skill::Security),
    ("network", Skill::Network),
    ("server", Skill::Server),
    ("cloud", Skill::Cloud),
];
/// `arrivals` keywords; `ArrivalPattern` itself carries the scheduled times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PatternKind {
    Business,
    Always,
    Scheduled,
}
const PATTERNS: [(&str, PatternKind); 3] = [
    ("business", PatternKind::Business),
    ("always", PatternKind::Always),
    ("scheduled", PatternKind::Scheduled),
];
const ABSENCE_KINDS: [(&str, AbsenceKind); 3] = [
    ("vacation", AbsenceKind::Vacation),
    ("sick", AbsenceKind::Sick),
    ("training", AbsenceKind::Training),
];
const ROLES: [(&str, Role); 2] = [("admin", Role::Admin), ("key-user", Role::KeyUser)];

/// The setup presets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Preset {
    SingleAdmin,
    MultiAdmin,
    Msp,
    Hybrid,
    Custom,
}

const PRESETS: [(&str, Preset); 5] = [
    ("single-admin", Preset::SingleAdmin),
    ("multi-admin", Preset::MultiAdmin),
    ("msp", Preset::Msp),
    ("hybrid", Preset::Hybrid),
    ("custom", Preset::Custom),
];

impl Preset {
    fn name(self) -> &'static str {
        PRESETS
            .iter()
            .find(|(_, p)| *p == self)
            .map_or("custom", |(n, _)| n)
    }

    /// Routing keys of `[[setups]]` this preset uses.
    fn keys(self) -> &'static [&'static str] {
        match self {
            Preset::SingleAdmin | Preset::MultiAdmin => &["admins", "emergency"],
            Preset::Msp => &["msp", "emergency"],
            Preset::Hybrid => &["key_user", "msp", "coordinator", "emergency"],
            Preset::Custom => &["tiers"],
        }
    }
}

/// Keyword tables and distributions: parameters of each distribution kind.
const DIST_KINDS: [&str; 8] = [
    "fixed",
    "exponential",
    "lognormal",
    "gamma",
    "weibull",
    "uniform",
    "triangular",
    "empirical",
];

/// The largest mean a duration may have [in its field's unit]: larger means make no sense for
/// a year's simulation and would overflow time arithmetic.
const MAX_MEAN: f64 = 100_000.0;

/// The largest amount of money a cost key accepts [€]: far beyond any SME's IT budget, and
/// small enough that yearly sums cannot overflow.
const MAX_EUR: f64 = 1e9;
/// The largest multiple of a salary or hourly rate that a factor key accepts
/// (`recruiting_share_of_salary`, `after_hours_surcharge`; calibration ranges end at 2).
const MAX_FACTOR: f64 = 5.0;
/// The most hours an MSP contract may include per month.
const MAX_INCLUDED_HOURS: f64 = 100_000.0;

/// A defined profile: its raw table and the defaults it extends.
struct ProfileDef<'a> {
    raw: Option<&'a RawProfile>,
    base: ProfileDefaults,
}

/// What the checks of one section leave for later sections.
struct CompanyParts {
    company: Company,
    /// Whether business hours close on holidays (not for 24x7).
    business_observes_holidays: bool,
    year: i32,
    holidays: HolidayRule,
}

#[derive(Default)]
struct Validator {
    issues: Vec<Issue>,
    /// Per category: whether its priority and skill were valid, so that the qualification
    /// check of the setups does not report consequences of a misspelt skill.
    category_checkable: Vec<bool>,
}

impl Validator {
    fn push(&mut self, path: Path, message: String, hint: Option<String>) {
        self.issues.push(Issue {
            path,
            span: None,
            message,
            hint,
        });
    }

    fn error(&mut self, path: Path, message: impl Into<String>) {
        self.push(path, message.into(), None);
    }

    fn error_hint(&mut self, path: Path, message: impl Into<String>, hint: impl Into<String>) {
        self.push(path, message.into(), Some(hint.into()));
    }

    fn missing(&mut self, path: &Path, key: &str) {
        self.error(path.key(key), format!("missing key '{key}'"));
    }

    /// A number checked against `rule`; the default if absent, and a stand-in if invalid.
    fn number(&mut self, path: Path, v: Option<f64>, default: f64, rule: Rule) -> f64 {
        let Some(x) = v else { return default };
        if !x.is_finite() {
            self.error(path, format!("must be a finite number, got {x}"));
            default
        } else if !rule.holds(x) {
            // A share written as a percentage (21 for 0.21) is the likely slip.
            let share = matches!(
                rule,
                Rule::Share | Rule::PositiveShare | Rule::ShareBelowOne
            );
            let hint = (share && (2.0..=100.0).contains(&x))
                .then(|| format!("a share is a fraction: write {x} % as {}", x / 100.0));
            self.push(path, format!("{}, got {x}", rule.describe(x)), hint);
            default
        } else {
            x
        }
    }

    /// A whole number within `lo..=hi`.
    fn whole(&mut self, path: Path, v: Option<i64>, default: i64, lo: i64, hi: i64) -> i64 {
        let Some(x) = v else { return default };
        if (lo..=hi).contains(&x) {
            x
        } else {
            self.error(path, format!("must be between {lo} and {hi}, got {x}"));
            default
        }
    }

    /// A keyword from `options` (matched ignoring case).
    fn keyword<T: Copy>(
        &mut self,
        path: Path,
        noun: &str,
        v: &str,
        options: &[(&str, T)],
    ) -> Option<T> {
        let found = options
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(v.trim()))
            .map(|(_, t)| *t);
        if found.is_none() {
            let hint = suggest::hint(v, options.iter().map(|(n, _)| *n));
            self.push(path, format!("unknown {noun} '{v}'"), hint);
        }
        found
    }

    /// An optional keyword with a default.
    fn keyword_or<T: Copy>(
        &mut self,
        path: Path,
        noun: &str,
        v: Option<&String>,
        options: &[(&str, T)],
        default: T,
    ) -> T {
        v.and_then(|s| self.keyword(path, noun, s, options))
            .unwrap_or(default)
    }

    /// An id: required, non-empty, bare-key characters (it keys random streams and may appear
    /// in table headers), and not used before.
    fn id(
        &mut self,
        path: Path,
        v: Option<&String>,
        what: &str,
        seen: &mut HashSet<String>,
    ) -> Option<String> {
        let Some(id) = v else {
            let key = key_name(&path);
            self.error(path, format!("missing key '{key}'"));
            return None;
        };
        if !is_bare_key(id) {
            self.error_hint(
                path,
                format!("'{id}' is not a valid {what} id"),
                "use letters, digits, '-' and '_' only",
            );
            return None;
        }
        if seen.contains(id) {
            self.error_hint(
                path,
                format!("duplicate {what} id '{id}'"),
                format!("every {what} needs its own id"),
            );
        } else {
            seen.insert(id.clone());
        }
        Some(id.clone())
    }

    /// Free text that reaches the outputs: refused if it has a character that would act on a
    /// terminal, a spreadsheet or an XML reader instead of showing (see `text`).
    fn free_text(&mut self, path: Path, s: &str) {
        if let Some((message, hint)) = text::check(s) {
            self.push(path, message, Some(hint));
        }
    }

    fn hours_error(&mut self, path: Path, e: HoursError) {
        self.push(path, e.message, e.hint);
    }

    /// Weekly hours or a named window; `default` if absent, and also as the stand-in.
    fn hours(
        &mut self,
        path: &Path,
        v: Option<&RawHours>,
        default: CoverageWindow,
    ) -> CoverageWindow {
        match v {
            None => default,
            Some(RawHours::Text(t)) => hours::parse_text(t).unwrap_or_else(|e| {
                self.hours_error(path.clone(), e);
                default
            }),
            Some(RawHours::Days(d)) => {
                let raw_days = [&d.mon, &d.tue, &d.wed, &d.thu, &d.fri, &d.sat, &d.sun];
                let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
                let mut days: [Vec<(u32, u32)>; 7] = Default::default();
                let mut ok = true;
                for (i, text) in raw_days.iter().enumerate() {
                    if let Some(text) = text {
                        match hours::parse_spans(text) {
                            Ok(spans) => days[i] = spans,
                            Err(e) => {
                                ok = false;
                                self.hours_error(path.key(names[i]), e);
                            }
                        }
                    }
                }
                if !ok {
                    return default;
                }
                match hours::weekly(days) {
                    Ok(w) => CoverageWindow::Custom(w),
                    Err(e) => {
                        self.hours_error(path.clone(), e);
                        default
                    }
                }
            }
        }
    }

    /// A distribution; `default` if absent. Invalid parameters are reported at the parameter.
    fn dist(&mut self, path: &Path, v: Option<&RawDist>, default: &DistSpec) -> Dist {
        let stand_in = || Dist::new(default).unwrap_or_else(|_| Dist::fixed(0.0));
        let (spec, is_table) = match v {
            None => return stand_in(),
            Some(RawDist::Number(x)) => (DistSpec::Fixed { value: *x }, false),
            Some(RawDist::Table(t)) => match self.dist_spec(path, t, false) {
                Some(s) => (s, true),
                None => return stand_in(),
            },
        };
        let mut extreme = Vec::new();
        extreme_params(&spec, path, is_table, &mut extreme);
        if !extreme.is_empty() {
            for (p, x) in extreme {
                self.error_hint(
                    p,
                    format!("{x:e} is outside the supported range"),
                    format!("use 0 or a value between {MIN_PARAM:e} and {MAX_PARAM:e}"),
                );
            }
            return stand_in();
        }
        match Dist::new(&spec) {
            Ok(d) if d.mean().is_finite() && d.mean() <= MAX_MEAN => d,
            Ok(d) => {
                self.error_hint(
                    path.clone(),
                    format!(
                        "the mean of this distribution ({:.3e}) is far too large",
                        d.mean()
                    ),
                    format!("keep the mean at or below {MAX_MEAN}; check the p90 or sd"),
                );
                stand_in()
            }
            Err(e) => {
                let (p, msg) = if is_table {
                    dist_error_path(path, &e)
                } else {
                    (path.clone(), e.to_string())
                };
                self.error(p, msg);
                stand_in()
            }
        }
    }

    /// The spec of a distribution table, checking its kind and which parameters it has.
    fn dist_spec(&mut self, path: &Path, t: &RawDistTable, in_bin: bool) -> Option<DistSpec> {
        let kind = match &t.dist {
            None => {
                self.error_hint(
                    path.key("dist"),
                    "missing key 'dist'",
                    format!("name the distribution: {}", DIST_KINDS.join(", ")),
                );
                return None;
            }
            Some(k) => {
                let kinds: Vec<(&str, &str)> = DIST_KINDS.iter().map(|k| (*k, *k)).collect();
                self.keyword(path.key("dist"), "distribution", k, &kinds)?
            }
        };
        let present: [(&str, bool); 11] = [
            ("value", t.value.is_some()),
            ("mean", t.mean.is_some()),
            ("sd", t.sd.is_some()),
            ("median", t.median.is_some()),
            ("p90", t.p90.is_some()),
            ("min", t.min.is_some()),
            ("max", t.max.is_some()),
            ("mode", t.mode.is_some()),
            ("shape", t.shape.is_some()),
            ("scale", t.scale.is_some()),
            ("bins", t.bins.is_some()),
        ];
        let params: &[&str] = match kind {
            "fixed" => &["value"],
            "exponential" => &["mean"],
            "lognormal" if t.median.is_some() || t.p90.is_some() => &["median", "p90"],
            "lognormal" | "gamma" => &["mean", "sd"],
            "weibull" => &["shape", "scale"],
            "uniform" => &["min", "max"],
            "triangular" => &["min", "mode", "max"],
            _ => &["bins"],
        };
        let mut ok = true;
        for (name, is_set) in present {
            if is_set && !params.contains(&name) {
                ok = false;
                let takes = if kind == "lognormal" {
                    "median and p90, or mean and sd".to_owned()
                } else {
                    params.join(", ")
                };
                self.error_hint(
                    path.key(name),
                    format!("'{name}' is not a parameter of the {kind} distribution"),
                    format!("{kind} takes {takes}"),
                );
            }
        }
        for name in params {
            if !present.iter().any(|(n, s)| n == name && *s) {
                ok = false;
                self.error(
                    path.key(name),
                    format!("missing parameter '{name}' of the {kind} distribution"),
                );
            }
        }
        if t.share.is_some() && !in_bin {
            ok = false;
            self.error(
                path.key("share"),
                "'share' is only used in the bins of an empirical distribution",
            );
        }
        if in_bin && t.share.is_none() {
            ok = false;
            self.missing(path, "share");
        }
        if !ok {
            return None;
        }
        let g = |x: Option<f64>| x.unwrap_or(f64::NAN);
        Some(match kind {
            "fixed" => DistSpec::Fixed { value: g(t.value) },
            "exponential" => DistSpec::Exponential { mean: g(t.mean) },
            "lognormal" if t.median.is_some() => DistSpec::LogNormalMedianP90 {
                median: g(t.median),
                p90: g(t.p90),
            },
            "lognormal" => DistSpec::LogNormalMeanSd {
                mean: g(t.mean),
                sd: g(t.sd),
            },
            "gamma" => DistSpec::Gamma {
                mean: g(t.mean),
                sd: g(t.sd),
            },
            "weibull" => DistSpec::Weibull {
                shape: g(t.shape),
                scale: g(t.scale),
            },
            "uniform" => DistSpec::Uniform {
                min: g(t.min),
                max: g(t.max),
            },
            "triangular" => DistSpec::Triangular {
                min: g(t.min),
                mode: g(t.mode),
                max: g(t.max),
            },
            _ => {
                let bins_path = path.key("bins");
                let mut bins = Vec::new();
                for (i, b) in t.bins.iter().flatten().enumerate() {
                    let spec = self.dist_spec(&bins_path.index(i), b, true);
                    bins.push((g(b.share), spec?));
                }
                DistSpec::Empirical { bins }
            }
        })
    }

    fn scenario(&mut self, raw: &RawScenario, default_name: &str) -> Option<Model> {
        let root = Path::root();
        let name = match &raw.name {
            Some(n) if n.trim().is_empty() => {
                self.error(root.key("name"), "the name is empty");
                String::new()
            }
            Some(n) => {
                self.free_text(root.key("name"), n);
                n.clone()
            }
            // The file name may hold anything the file system allows; it must not break the
            // outputs either, but it is not the user's typo to point at.
            None => default_name
                .chars()
                .map(|c| text::forbidden(c).map_or(c, |_| '\u{FFFD}'))
                .collect(),
        };

        let company = self.company(raw);
        let costs = self.costs(raw);
        let sim = self.simulation(raw);
        let parts = company.as_ref();

        // The calendar spans warm-up, measured window and drain, consistent with
        // `Model::window_end` (leap years included).
        let calendar = parts.map(|c| {
            let window_days = days_in_years(c.year, sim.years);
            Calendar::new(
                c.year,
                SimTime::day_start(-i64::from(sim.warmup_days)),
                SimTime::day_start(window_days) + i64::from(sim.drain_days) * DAY,
                c.holidays.clone(),
            )
        });
        let users = parts.map_or(1, |c| c.company.users);
        let company_hours = parts.map_or_else(
            || WeeklyHours::weekdays(8 * 60, 17 * 60),
            |c| c.company.hours,
        );
        let weights = match (parts, &calendar) {
            (Some(c), Some(cal)) => Some(weekday_weights(cal, c, days_in_years(c.year, sim.years))),
            _ => None,
        };

        let categories = self.categories(raw, users, weights.as_ref(), calendar.as_ref());
        let profiles = self.profiles(raw);
        let (people, person_ids) = self.people(raw, &profiles, company_hours, calendar.as_ref());
        let (contracts, msp_ids) = self.contracts(raw, &profiles);
        let emergencies = self.emergencies(raw, company_hours);
        let setups = self.setups(
            raw,
            &categories,
            &people,
            &person_ids,
            &contracts,
            &msp_ids,
            &emergencies,
        );
        let report = self.report(raw, &setups);

        let mut parts = company?;
        parts.company.cost = costs;
        let calendar = calendar?;
        let business = calendar.schedule(&parts.company.hours, parts.business_observes_holidays);
        let mut model = Model {
            name,
            company: parts.company,
            calendar,
            business,
            categories,
            people,
            contracts,
            setups,
            sim,
            report,
        };
        derive_other_clients(&mut model);
        Some(model)
    }

    fn company(&mut self, raw: &RawScenario) -> Option<CompanyParts> {
        let path = Path::root().key("company");
        let Some(c) = &raw.company else {
            self.error_hint(
                path,
                "missing table [company]",
                "add [company] with at least pcs = <number of PCs>",
            );
            return None;
        };
        let pcs = match c.pcs {
            None => {
                self.missing(&path, "pcs");
                1
            }
            Some(_) => self.whole(path.key("pcs"), c.pcs, 1, 1, 100_000),
        };
        let users = self.whole(path.key("users"), c.users, pcs, 1, 1_000_000);
        let year = self.whole(path.key("year"), c.year, def::YEAR, 1900, 2200);
        let state = c.federal_state.as_ref().and_then(|s| {
            s.parse::<FederalState>()
                .map_err(|_| {
                    let codes = FederalState::ALL.map(|f| f.code());
                    let hint = suggest::closest(s, codes).map_or_else(
                        || format!("use one of the two-letter codes {}", codes.join(", ")),
                        |c| format!("did you mean '{c}'?"),
                    );
                    self.push(
                        path.key("federal_state"),
                        format!("unknown federal state '{s}'"),
                        Some(hint),
                    );
                })
                .ok()
        });
        let holidays = match &c.holidays {
            None => HolidayRule::Germany(state),
            Some(RawHolidays::Keyword(k)) => {
                match self.keyword(
                    path.key("holidays"),
                    "holiday rule",
                    k,
                    &[("germany", true), ("none", false)],
                ) {
                    Some(true) | None => HolidayRule::Germany(state),
                    Some(false) => {
                        self.no_state_with(&path, c.federal_state.is_some(), "holidays = \"none\"");
                        HolidayRule::None
                    }
                }
            }
            Some(RawHolidays::Dates(dates)) => {
                self.no_state_with(&path, c.federal_state.is_some(), "a list of holidays");
                HolidayRule::Dates(dates.clone())
            }
        };
        let default_hours = hours::parse_text(def::BUSINESS_HOURS).expect("valid default hours");
        let window = self.hours(
            &path.key("business_hours"),
            c.business_hours.as_ref(),
            default_hours,
        );
        let weekly = window.weekly_hours();
        Some(CompanyParts {
            company: Company {
                pcs: pcs as u32,
                users: users as u32,
                hours: weekly,
                cost: CostSettings::default(),
            },
            // Round-the-clock operation has no holidays off, however it is spelt.
            business_observes_holidays: weekly != WeeklyHours::always(),
            year: year as i32,
            holidays,
        })
    }

    fn no_state_with(&mut self, path: &Path, has_state: bool, what: &str) {
        if has_state {
            self.error_hint(
                path.key("federal_state"),
                format!("federal_state is not used with {what}"),
                "remove federal_state, or remove holidays to use the state's public holidays",
            );
        }
    }

    fn simulation(&mut self, raw: &RawScenario) -> SimSettings {
        let path = Path::root().key("simulation");
        let s = raw.simulation.clone().unwrap_or_default();
        SimSettings {
            replications: self.whole(
                path.key("replications"),
                s.replications,
                def::REPLICATIONS,
                1,
                crate::model::MAX_REPLICATIONS as i64,
            ) as u64,
            seed: self.whole(path.key("seed"), s.seed, def::SEED, 0, i64::MAX) as u64,
            warmup_days: self.whole(
                path.key("warmup_days"),
                s.warmup_days,
                def::WARMUP_DAYS,
                0,
                3650,
            ) as u32,
            years: self.whole(path.key("years"), s.years, def::YEARS, 1, 50) as u32,
            drain_days: self.whole(
                path.key("drain_days"),
                s.drain_days,
                def::DRAIN_DAYS,
                0,
                3650,
            ) as u32,
            aged_after_business_days: self.whole(
                path.key("aged_after_business_days"),
                s.aged_after_business_days,
                def::AGED_AFTER_BUSINESS_DAYS,
                1,
                365,
            ) as u32,
        }
    }

    fn categories(
        &mut self,
        raw: &RawScenario,
        users: u32,
        weights: Option<&Weights>,
        cal: Option<&Calendar>,
    ) -> Vec<Category> {
        let path = Path::root().key("categories");
        let list = raw.categories.as_deref().unwrap_or_default();
        if list.is_empty() {
            self.error_hint(
                path.clone(),
                "at least one ticket category is needed",
                "add a [[categories]] table with id, tickets_per_user_month and effort_h",
            );
        }
        let mut seen = HashSet::new();
        list.iter()
            .enumerate()
            .map(|(i, c)| self.category(&path.index(i), c, users, (weights, cal), &mut seen))
            .collect()
    }

    fn category(
        &mut self,
        path: &Path,
        c: &RawCategory,
        users: u32,
        (weights, cal): (Option<&Weights>, Option<&Calendar>),
        seen: &mut HashSet<String>,
    ) -> Category {
        let id = self
            .id(path.key("id"), c.id.as_ref(), "category", seen)
            .unwrap_or_default();
        let kind = self.keyword_or(
            path.key("arrivals"),
            "arrival pattern",
            c.arrivals.as_ref(),
            &PATTERNS,
            PatternKind::Business,
        );
        let (per_year, pattern) = match kind {
            PatternKind::Scheduled => {
                for (key, given) in [
                    ("tickets_per_user_month", c.tickets_per_user_month.is_some()),
                    ("tickets_per_year", c.tickets_per_year.is_some()),
                    ("weekday_factors", c.weekday_factors.is_some()),
                    ("month_factors", c.month_factors.is_some()),
                ] {
                    if given {
                        self.error_hint(
                            path.key(key),
                            format!("'{key}' is not used with scheduled arrivals"),
                            "remove it: the tickets arrive exactly at scheduled_at",
                        );
                    }
                }
                let times = self.scheduled(path, c.scheduled_at.as_deref(), cal);
                // The rate is not used for scheduled tickets (see `ArrivalPattern::Scheduled`).
                (0.0, ArrivalPattern::Scheduled(times))
            }
            _ => {
                if c.scheduled_at.is_some() {
                    self.error_hint(
                        path.key("scheduled_at"),
                        "'scheduled_at' is only used with scheduled arrivals",
                        "set arrivals = \"scheduled\", or remove scheduled_at",
                    );
                }
                let pattern = if kind == PatternKind::Always {
                    ArrivalPattern::Always
                } else {
                    ArrivalPattern::Business
                };
                (self.rate(path, c, users), pattern)
            }
        };
        let before = self.issues.len();
        let priority = self.keyword_or(
            path.key("priority"),
            "priority",
            c.priority.as_ref(),
            &PRIORITIES,
            Priority::P3,
        );
        let skill = self.keyword_or(
            path.key("skill"),
            "skill",
            c.skill.as_ref(),
            &SKILLS,
            Skill::Admin,
        );
        self.category_checkable.push(self.issues.len() == before);
        let weekday_factors =
            self.weekday_factors(path, c.weekday_factors.as_deref(), &pattern, weights);
        let month_factors = self.month_factors(path, c.month_factors.as_deref());
        let rest = self.category_rest(path, c, users, priority, skill);
        Category {
            id,
            tickets_per_year: per_year,
            pattern,
            weekday_factors,
            month_factors,
            priority,
            skill,
            onsite_probability: rest.0,
            effort_h: rest.1,
            users_affected: rest.2,
            productivity_loss: rest.3,
            knowledge_probability: rest.4,
        }
    }

    /// Tickets per year of a Poisson category.
    fn rate(&mut self, path: &Path, c: &RawCategory, users: u32) -> f64 {
        match (c.tickets_per_user_month, c.tickets_per_year) {
            (Some(_), Some(_)) => {
                self.error_hint(
                    path.key("tickets_per_year"),
                    "both tickets_per_user_month and tickets_per_year are given",
                    "give exactly one of them",
                );
                0.0
            }
            (Some(m), None) => {
                let m = self.number(
                    path.key("tickets_per_user_month"),
                    Some(m),
                    0.0,
                    Rule::UpTo(100.0),
                );
                m * f64::from(users) * 12.0
            }
            (None, Some(y)) => {
                self.number(path.key("tickets_per_year"), Some(y), 0.0, Rule::UpTo(1e6))
            }
            (None, None) => {
                self.error_hint(
                    path.key("tickets_per_user_month"),
                    "missing key 'tickets_per_user_month'",
                    "give the rate per user and month, or tickets_per_year for the whole company",
                );
                0.0
            }
        }
    }

    /// The ticket attributes of a category: on-site probability, effort, users affected,
    /// productivity loss, knowledge probability.
    fn category_rest(
        &mut self,
        path: &Path,
        c: &RawCategory,
        users: u32,
        priority: Priority,
        skill: Skill,
    ) -> (f64, Dist, UsersAffected, f64, f64) {
        let onsite_probability = self.number(
            path.key("onsite_probability"),
            c.onsite_probability,
            def::ONSITE_PROBABILITY,
            Rule::Share,
        );
        let effort_h = self.dist(
            &path.key("effort_h"),
            c.effort_h.as_ref(),
            &def::effort_h(priority, skill),
        );
        let users_affected = match &c.users_affected {
            None if priority == Priority::P1 => UsersAffected::All,
            None => UsersAffected::Count(1),
            Some(RawUsers::Count(n)) => {
                let n = self.whole(path.key("users_affected"), Some(*n), 1, 0, i64::from(users));
                UsersAffected::Count(n as u32)
            }
            Some(RawUsers::Word(w)) => self
                .keyword(
                    path.key("users_affected"),
                    "value",
                    w,
                    &[("all", UsersAffected::All)],
                )
                .unwrap_or(UsersAffected::All),
        };
        let productivity_loss = self.number(
            path.key("productivity_loss"),
            c.productivity_loss,
            def::productivity_loss(priority),
            Rule::Share,
        );
        let knowledge_probability = self.number(
            path.key("knowledge_probability"),
            c.knowledge_probability,
            def::knowledge_probability(skill),
            Rule::Share,
        );
        (
            onsite_probability,
            effort_h,
            users_affected,
            productivity_loss,
            knowledge_probability,
        )
    }

    /// The times of scheduled tickets, sorted.
    fn scheduled(
        &mut self,
        path: &Path,
        v: Option<&[RawMoment]>,
        cal: Option<&Calendar>,
    ) -> Vec<SimTime> {
        let p = path.key("scheduled_at");
        let Some(list) = v.filter(|l| !l.is_empty()) else {
            self.error_hint(
                p,
                "scheduled arrivals need at least one time in 'scheduled_at'",
                "e.g. scheduled_at = [2026-08-03T10:00:00]",
            );
            return Vec::new();
        };
        let Some(cal) = cal else { return Vec::new() };
        let mut times: Vec<SimTime> = list
            .iter()
            .enumerate()
            .filter_map(|(i, m)| self.moment(p.index(i), m, false, cal))
            .collect();
        times.sort();
        times
    }

    /// A point in simulated time; must lie within the simulated period. A date means the
    /// start of that day, or its end if `end_of_day` (inclusive end dates).
    fn moment(
        &mut self,
        path: Path,
        m: &RawMoment,
        end_of_day: bool,
        cal: &Calendar,
    ) -> Option<SimTime> {
        let t = match *m {
            RawMoment::Date(d) => cal.time_of_date(d) + if end_of_day { DAY } else { 0 },
            RawMoment::DateTime(t) => {
                cal.time_of_date(t.date()) + i64::from(t.time().num_seconds_from_midnight())
            }
        };
        let inside = if end_of_day {
            t > cal.from() && t <= cal.to()
        } else {
            t >= cal.from() && t < cal.to()
        };
        if inside {
            return Some(t);
        }
        let first = cal.date_of_day(cal.from().day());
        let last = cal.date_of_day(SimTime(cal.to().secs() - 1).day());
        self.error_hint(
            path,
            format!("lies outside the simulated period {first} to {last}"),
            "the simulation runs from the start of the warm-up to the end of the drain",
        );
        None
    }

    /// An absence fixed in the scenario.
    fn planned(&mut self, path: &Path, a: &RawPlanned, cal: &Calendar) -> Option<PlannedAbsence> {
        let kind = match &a.kind {
            None => {
                self.error_hint(
                    path.key("kind"),
                    "missing key 'kind'",
                    "one of: vacation, sick, training",
                );
                None
            }
            Some(k) => self.keyword(path.key("kind"), "absence kind", k, &ABSENCE_KINDS),
        };
        let from = match &a.from {
            None => {
                self.missing(path, "from");
                None
            }
            Some(m) => self.moment(path.key("from"), m, false, cal),
        };
        let to = match &a.to {
            None => {
                self.missing(path, "to");
                None
            }
            Some(m) => self.moment(path.key("to"), m, true, cal),
        };
        let (from, to) = (from?, to?);
        if to <= from {
            self.error_hint(
                path.key("to"),
                "the absence ends before it starts",
                "'to' is the last day of the absence (inclusive) or an exact end time",
            );
            return None;
        }
        Some(PlannedAbsence {
            from,
            to,
            kind: kind?,
        })
    }

    /// Weekday factors, normalised so that their mean weighted by the open time of the arrival
    /// pattern over the measured window is 1: then the expected tickets per year stay
    /// `tickets_per_year` whatever the factors (normalising again changes nothing).
    fn weekday_factors(
        &mut self,
        path: &Path,
        v: Option<&[f64]>,
        pattern: &ArrivalPattern,
        weights: Option<&Weights>,
    ) -> [f64; 7] {
        let path = path.key("weekday_factors");
        let mut f = match pattern {
            ArrivalPattern::Business => def::BUSINESS_WEEKDAY_FACTORS,
            ArrivalPattern::Always | ArrivalPattern::Scheduled(_) => [1.0; 7],
        };
        if let Some(v) = v {
            if v.len() != 7 {
                self.error_hint(
                    path,
                    format!("needs 7 factors (Monday to Sunday), got {}", v.len()),
                    "e.g. [1.2, 1.0, 1.0, 1.0, 0.85, 1.0, 1.0]",
                );
                return [1.0; 7];
            }
            let mut ok = true;
            for (i, x) in v.iter().enumerate() {
                let checked = self.number(path.index(i), Some(*x), f64::NAN, Rule::UpTo(1000.0));
                ok &= !checked.is_nan();
                f[i] = checked;
            }
            if !ok {
                return [1.0; 7];
            }
        }
        let Some(w) = weights else { return f };
        let w = match pattern {
            ArrivalPattern::Business => &w.business,
            ArrivalPattern::Always => &w.always,
            ArrivalPattern::Scheduled(_) => return f,
        };
        let total: f64 = w.iter().sum();
        let mean = f.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() / total;
        if total > 0.0 && mean > 0.0 {
            f.map(|x| x / mean)
        } else {
            if total > 0.0 {
                self.error_hint(
                    path,
                    "the factors are 0 on every day on which tickets can arrive",
                    "give a positive factor for at least one open day, or set tickets to 0",
                );
            }
            [1.0; 7]
        }
    }

    /// Month factors, normalised to mean 1. Arrivals normalise the intensity over the measured
    /// window anyway (so the yearly rate stays as given); the mean of 1 makes the stored
    /// factors readable as "this month has 30 % more tickets than the average month".
    fn month_factors(&mut self, path: &Path, v: Option<&[f64]>) -> [f64; 12] {
        let Some(v) = v else { return [1.0; 12] };
        let path = path.key("month_factors");
        if v.len() != 12 {
            self.error_hint(
                path,
                format!("needs 12 factors (January to December), got {}", v.len()),
                "e.g. [1.1, 1.0, 1.0, 1.0, 1.0, 0.9, 0.8, 0.8, 1.0, 1.1, 1.1, 1.2]",
            );
            return [1.0; 12];
        }
        let mut f = [1.0; 12];
        let mut ok = true;
        for (i, x) in v.iter().enumerate() {
            let checked = self.number(path.index(i), Some(*x), f64::NAN, Rule::UpTo(1000.0));
            ok &= !checked.is_nan();
            f[i] = checked;
        }
        let mean = f.iter().sum::<f64>() / 12.0;
        if !ok {
            return [1.0; 12];
        }
        if mean <= 0.0 {
            self.error_hint(
                path,
                "the factors are 0 in every month",
                "give a positive factor for at least one month, or set tickets to 0",
            );
            return [1.0; 12];
        }
        f.map(|x| x / mean)
    }

    /// The defined profiles, each checked once at its own path.
    fn profiles<'a>(&mut self, raw: &'a RawScenario) -> HashMap<String, ProfileDef<'a>> {
        let mut out: HashMap<String, ProfileDef<'a>> = def::BUILTIN_PROFILES
            .iter()
            .map(|n| {
                let base = def::builtin_profile(n).expect("listed built-in");
                (n.to_string(), ProfileDef { raw: None, base })
            })
            .collect();
        for (name, p) in raw.profiles.iter().flat_map(|n| &n.0) {
            let path = Path::root().key("profiles").key(name);
            if !is_bare_key(name) {
                self.error_hint(
                    path.clone(),
                    format!("'{name}' is not a valid profile id"),
                    "use letters, digits, '-' and '_' only",
                );
            }
            // A file's table overrides the built-in profile of the same name key by key; a new
            // name starts from the IT administrator.
            let base = def::builtin_profile(name).unwrap_or_else(def::it_admin);
            self.absence(&[(p, path.clone())], &base);
            self.person_cost(&[(p, path)], &base.cost);
            out.insert(name.clone(), ProfileDef { raw: Some(p), base });
        }
        out
    }

    /// Resolves a profile reference (`None` = the role's default profile).
    fn profile_ref<'p, 'a>(
        &mut self,
        path: Path,
        name: Option<&String>,
        default: &str,
        profiles: &'p HashMap<String, ProfileDef<'a>>,
    ) -> Option<&'p ProfileDef<'a>> {
        let name = name.map_or(default, String::as_str);
        let found = profiles.get(name);
        if found.is_none() {
            let mut known: Vec<&str> = profiles.keys().map(String::as_str).collect();
            known.sort_unstable();
            let hint = suggest::closest(name, known.iter().copied()).map_or_else(
                || {
                    format!(
                        "define [profiles.{name}] or use one of: {}",
                        known.join(", ")
                    )
                },
                |c| format!("did you mean '{c}'?"),
            );
            self.push(path, format!("unknown profile '{name}'"), Some(hint));
        }
        found
    }

    /// An absence profile from layers of raw tables (first layer wins per key) over `base`.
    /// Each value is checked at the path of the layer that gives it.
    fn absence(
        &mut self,
        layers: &[(&RawProfile, Path)],
        base: &ProfileDefaults,
    ) -> AbsenceProfile {
        macro_rules! pick {
            ($field:ident) => {
                layers.iter().find_map(|(p, path)| {
                    p.$field.as_ref().map(|v| (v, path.key(stringify!($field))))
                })
            };
        }
        macro_rules! whole {
            ($field:ident, $hi:expr) => {
                match pick!($field) {
                    Some((v, p)) => self.whole(p, Some(*v), base.$field, 0, $hi),
                    None => base.$field,
                }
            };
        }
        macro_rules! number {
            ($field:ident, $rule:expr) => {
                match pick!($field) {
                    Some((v, p)) => self.number(p, Some(*v), base.$field, $rule),
                    None => base.$field,
                }
            };
        }
        macro_rules! dist {
            ($field:ident) => {
                match pick!($field) {
                    Some((v, p)) => self.dist(&p, Some(v), &base.$field),
                    None => Dist::new(&base.$field).unwrap_or_else(|_| Dist::fixed(0.0)),
                }
            };
        }
        let days = whole!(vacation_days_per_year, 366);
        // Zero vacation switches vacation off, whatever the block lengths; a default summer
        // block longer than a short vacation shrinks to it, an explicit one is a mistake.
        let summer = match pick!(vacation_summer_block_days) {
            Some((v, p)) => {
                let summer = self.whole(p.clone(), Some(*v), 0, 0, 366);
                if days > 0 && summer > days {
                    self.error_hint(
                        p,
                        format!("the summer block ({summer} days) is longer than the vacation ({days} days)"),
                        "make vacation_summer_block_days at most vacation_days_per_year",
                    );
                }
                summer.min(days)
            }
            None => base.vacation_summer_block_days.min(days),
        };
        let block = whole!(vacation_block_days, 366);
        if block == 0 && days > summer {
            let p = pick!(vacation_block_days)
                .map(|(_, p)| p)
                .unwrap_or_else(|| layers[0].1.key("vacation_block_days"));
            self.error_hint(
                p,
                format!(
                    "must be at least 1: {} vacation days remain after the summer block",
                    days - summer
                ),
                "give the length of the other vacation blocks in working days, e.g. 5",
            );
        }
        AbsenceProfile {
            vacation: VacationRule {
                days_per_year: days as u32,
                summer_block_days: summer as u32,
                block_days: block as u32,
            },
            illness: {
                let illness = IllnessRule {
                    episodes_per_year: number!(illness_episodes_per_year, Rule::UpTo(52.0)),
                    duration_days: dist!(illness_duration_days),
                    winter_amplitude: number!(illness_winter_amplitude, Rule::Share),
                };
                let share = illness.sick_share();
                if share >= 1.0 {
                    let p = pick!(illness_episodes_per_year)
                        .map(|(_, p)| p)
                        .unwrap_or_else(|| layers[0].1.key("illness_episodes_per_year"));
                    self.error_hint(
                        p,
                        format!(
                            "{} episodes a year of {:.1} days on average would keep the person ill for {:.0} % of the year",
                            illness.episodes_per_year,
                            illness.duration_days.mean(),
                            share * 100.0
                        ),
                        "episodes per year × mean illness_duration_days must stay below 365 days",
                    );
                }
                illness
            },
            attrition: AttritionRule {
                quit_probability_per_year: number!(quit_probability_per_year, Rule::ShareBelowOne),
                notice_days: number!(notice_days, Rule::UpTo(730.0)),
                time_to_fill_days: dist!(time_to_fill_days),
                rampup_days: number!(rampup_days, Rule::UpTo(730.0)),
                rampup_start_productivity: number!(rampup_start_productivity, Rule::PositiveShare),
            },
            training_days_per_year: whole!(training_days_per_year, 260) as u32,
            meeting_share: number!(meeting_share, Rule::ShareBelowOne),
            planned: Vec::new(),
        }
    }

    /// All people in file order, and their ids (aligned by index; empty if unusable).
    fn people(
        &mut self,
        raw: &RawScenario,
        profiles: &HashMap<String, ProfileDef<'_>>,
        company_hours: WeeklyHours,
        cal: Option<&Calendar>,
    ) -> (Vec<Person>, Vec<String>) {
        let root = Path::root().key("people");
        let mut seen = HashSet::new();
        let mut ids = Vec::new();
        let mut people = Vec::new();
        for (i, p) in raw.people.iter().flatten().enumerate() {
            let path = root.index(i);
            let id = self
                .id(path.key("id"), p.id.as_ref(), "person", &mut seen)
                .unwrap_or_default();
            ids.push(id.clone());
            people.push(self.person(&path, p, id, profiles, (company_hours, cal)));
        }
        (people, ids)
    }

    fn person(
        &mut self,
        path: &Path,
        p: &RawPerson,
        id: String,
        profiles: &HashMap<String, ProfileDef<'_>>,
        (company_hours, cal): (WeeklyHours, Option<&Calendar>),
    ) -> Person {
        let role = self.keyword_or(
            path.key("role"),
            "role",
            p.role.as_ref(),
            &ROLES,
            Role::Admin,
        );
        let skills = match &p.skills {
            None if role == Role::KeyUser => SkillSet::BASIC,
            None => SkillSet::of(&[Skill::Basic, Skill::Admin]),
            Some(list) => {
                let found: Vec<Skill> = list
                    .iter()
                    .enumerate()
                    .filter_map(|(i, s)| {
                        self.keyword(path.key("skills").index(i), "skill", s, &SKILLS)
                    })
                    .collect();
                SkillSet::of(&found)
            }
        };
        let hours = self
            .hours(
                &path.key("hours"),
                p.hours.as_ref(),
                CoverageWindow::Custom(company_hours),
            )
            .weekly_hours();
        let default_share = if role == Role::KeyUser {
            def::KEY_USER_IT_SHARE
        } else {
            1.0
        };
        let it_share = self.number(
            path.key("it_share"),
            p.it_share,
            default_share,
            Rule::PositiveShare,
        );
        let default_profile = if role == Role::KeyUser {
            "employee"
        } else {
            "it-admin"
        };
        let (mut absence, cost) = self.person_profile(
            path,
            &p.overrides,
            (p.profile.as_ref(), path.key("profile")),
            default_profile,
            profiles,
        );
        if let (Some(list), Some(cal)) = (&p.planned_absences, cal) {
            let lp = path.key("planned_absences");
            absence.planned = list
                .iter()
                .enumerate()
                .filter_map(|(i, a)| self.planned(&lp.index(i), a, cal))
                .collect();
        }
        Person {
            id,
            role,
            skills,
            hours,
            absence,
            it_share,
            cost,
        }
    }

    /// The absences and cost of a person: `overrides` (at `path`) over the referenced profile.
    fn person_profile(
        &mut self,
        path: &Path,
        overrides: &RawProfile,
        (profile, profile_path): (Option<&String>, Path),
        default_profile: &str,
        profiles: &HashMap<String, ProfileDef<'_>>,
    ) -> (AbsenceProfile, PersonCost) {
        let def = self.profile_ref(profile_path, profile, default_profile, profiles);
        let fallback = def::it_admin();
        let base = def.map_or(&fallback, |d| &d.base);
        let mut layers = vec![(overrides, path.clone())];
        if let Some(raw) = def.and_then(|d| d.raw) {
            let name = profile.map_or(default_profile, String::as_str);
            layers.push((raw, Path::root().key("profiles").key(name)));
        }
        (
            self.absence(&layers, base),
            self.person_cost(&layers, &base.cost),
        )
    }

    /// What a person costs, from layers of raw tables (first layer wins per key) over `base`.
    fn person_cost(&mut self, layers: &[(&RawProfile, Path)], base: &PersonCost) -> PersonCost {
        // The first layer that gives the key, checked at that layer's path.
        let mut layered = |key: &str, get: fn(&RawProfile) -> Option<f64>, default, rule| {
            let given = layers
                .iter()
                .find_map(|(p, path)| get(p).map(|v| (v, path.key(key))));
            match given {
                Some((v, p)) => self.number(p, Some(v), default, rule),
                None => default,
            }
        };
        PersonCost {
            salary_eur_per_year: layered(
                "salary_eur_per_year",
                |p| p.salary_eur_per_year,
                base.salary_eur_per_year,
                Rule::UpTo(MAX_EUR),
            ),
            overhead_eur_per_year: layered(
                "overhead_eur_per_year",
                |p| p.overhead_eur_per_year,
                base.overhead_eur_per_year,
                Rule::UpTo(MAX_EUR),
            ),
            recruiting_share_of_salary: layered(
                "recruiting_share_of_salary",
                |p| p.recruiting_share_of_salary,
                base.recruiting_share_of_salary,
                Rule::UpTo(MAX_FACTOR),
            ),
        }
    }

    fn targets(&mut self, path: &Path, v: Option<&RawTargets>, default: [f64; 4]) -> [f64; 4] {
        let Some(t) = v else { return default };
        let given = [t.P1, t.P2, t.P3, t.P4];
        let mut out = default;
        for (i, p) in Priority::ALL.iter().enumerate() {
            out[i] = self.number(
                path.key(p.label()),
                given[i],
                default[i],
                Rule::PositiveUpTo(1e5),
            );
        }
        out
    }

    fn contracts(
        &mut self,
        raw: &RawScenario,
        profiles: &HashMap<String, ProfileDef<'_>>,
    ) -> (Vec<MspContract>, Vec<String>) {
        let mut contracts = Vec::new();
        let mut ids = Vec::new();
        for (id, m) in raw.msp.iter().flat_map(|n| &n.0) {
            let path = Path::root().key("msp").key(id);
            if !is_bare_key(id) {
                self.error_hint(
                    path.clone(),
                    format!("'{id}' is not a valid MSP contract id"),
                    "use letters, digits, '-' and '_' only",
                );
            }
            contracts.push(self.contract(&path, id, m, profiles));
            ids.push(id.clone());
        }
        (contracts, ids)
    }

    fn contract(
        &mut self,
        path: &Path,
        id: &str,
        m: &RawMsp,
        profiles: &HashMap<String, ProfileDef<'_>>,
    ) -> MspContract {
        let n = self.whole(
            path.key("technicians"),
            m.technicians,
            def::TECHNICIANS,
            1,
            1000,
        );
        let window = self.hours(
            &path.key("coverage"),
            m.coverage.as_ref(),
            def::COVERAGE.parse().expect("valid default window"),
        );
        // Technicians carry the profile's cost too, but the contract's price is what counts.
        let (absence, cost) = self.person_profile(
            path,
            &RawProfile::default(),
            (
                m.technician_profile.as_ref(),
                path.key("technician_profile"),
            ),
            "msp-technician",
            profiles,
        );
        let technicians = (1..=n)
            .map(|k| Person {
                id: format!("{id}.tech{k}"),
                role: Role::Technician,
                skills: SkillSet::ALL,
                hours: window.weekly_hours(),
                absence: absence.clone(),
                it_share: 1.0,
                cost: cost.clone(),
            })
            .collect();
        let response_h = self.targets(
            &path.key("response_h"),
            m.response_h.as_ref(),
            def::RESPONSE_H,
        );
        let resolution_h = self.targets(
            &path.key("resolution_h"),
            m.resolution_h.as_ref(),
            def::RESOLUTION_H,
        );
        for p in Priority::ALL {
            let i = p.index();
            if resolution_h[i] < response_h[i] {
                self.error_hint(
                    path.key("resolution_h").key(p.label()),
                    format!(
                        "the resolution target ({} h) is shorter than the response target ({} h)",
                        resolution_h[i], response_h[i]
                    ),
                    "a ticket cannot be resolved before it is responded to",
                );
            }
        }
        if m.other_clients_pcs.is_some() && m.target_utilisation.is_some() {
            self.error_hint(
                path.key("target_utilisation"),
                "both other_clients_pcs and target_utilisation are given",
                "give one of them: target_utilisation derives other_clients_pcs",
            );
        }
        let p1_always = m.p1_24x7.unwrap_or(false);
        let price = self.price(path, m, p1_always);
        MspContract {
            id: id.to_owned(),
            technicians,
            coverage: window.weekly_hours(),
            coverage_observes_holidays: window.observes_holidays(),
            p1_always,
            response_h,
            resolution_h,
            travel_h: self.dist(&path.key("travel_h"), m.travel_h.as_ref(), &def::travel_h()),
            // Without other_clients_pcs, it is derived from target_utilisation once the
            // calendar and the categories are known (`derive_other_clients`).
            other_clients_pcs: self.whole(
                path.key("other_clients_pcs"),
                m.other_clients_pcs,
                0,
                0,
                1_000_000,
            ) as u32,
            target_utilisation: m.other_clients_pcs.is_none().then(|| {
                self.number(
                    path.key("target_utilisation"),
                    m.target_utilisation,
                    def::TARGET_UTILISATION,
                    Rule::ShareBelowOne,
                )
            }),
            documentation_quality: self.number(
                path.key("documentation_quality"),
                m.documentation_quality,
                def::MSP_DOCUMENTATION_QUALITY,
                Rule::Share,
            ),
            price,
        }
    }

    /// The prices of an MSP contract; omitted keys take `MspPrice::default()` (calibration §4).
    fn price(&mut self, path: &Path, m: &RawMsp, p1_always: bool) -> MspPrice {
        let d = MspPrice::default();
        let money = Rule::UpTo(MAX_EUR);
        let price = MspPrice {
            fee_eur_per_pc_month: self.number(
                path.key("fee_eur_per_pc_month"),
                m.fee_eur_per_pc_month,
                d.fee_eur_per_pc_month,
                money,
            ),
            included_hours_per_month: m.included_hours_per_month.map(|h| {
                self.number(
                    path.key("included_hours_per_month"),
                    Some(h),
                    0.0,
                    Rule::UpTo(MAX_INCLUDED_HOURS),
                )
            }),
            hourly_rate_eur: self.number(
                path.key("hourly_rate_eur"),
                m.hourly_rate_eur,
                d.hourly_rate_eur,
                money,
            ),
            onsite_visit_eur: self.number(
                path.key("onsite_visit_eur"),
                m.onsite_visit_eur,
                d.onsite_visit_eur,
                money,
            ),
            p1_24x7_eur_per_month: self.number(
                path.key("p1_24x7_eur_per_month"),
                m.p1_24x7_eur_per_month,
                d.p1_24x7_eur_per_month,
                money,
            ),
            after_hours_surcharge: self.number(
                path.key("after_hours_surcharge"),
                m.after_hours_surcharge,
                d.after_hours_surcharge,
                Rule::UpTo(MAX_FACTOR),
            ),
            sla_credit_eur_per_breach: self.number(
                path.key("sla_credit_eur_per_breach"),
                m.sla_credit_eur_per_breach,
                d.sla_credit_eur_per_breach,
                money,
            ),
            sla_credit_cap_share: self.number(
                path.key("sla_credit_cap_share"),
                m.sla_credit_cap_share,
                d.sla_credit_cap_share,
                Rule::Share,
            ),
        };
        // Prices that would silently never be charged or paid are mistakes.
        if !p1_always && price.p1_24x7_eur_per_month > 0.0 {
            self.error_hint(
                path.key("p1_24x7_eur_per_month"),
                "the 24x7 P1 option is priced, but the contract does not have it",
                "set p1_24x7 = true, or remove p1_24x7_eur_per_month",
            );
        }
        // An invalid cap has been reported and is left out here.
        if price.sla_credit_eur_per_breach > 0.0
            && price.sla_credit_cap_share == 0.0
            && m.sla_credit_cap_share.is_none_or(|x| x == 0.0)
        {
            // At the cap if it is given, else at the credit.
            let key = if m.sla_credit_cap_share.is_some() {
                "sla_credit_cap_share"
            } else {
                "sla_credit_eur_per_breach"
            };
            self.error_hint(
                path.key(key),
                format!(
                    "SLA credits of {} € per breach are capped at 0 % of the fee, so none would be paid",
                    price.sla_credit_eur_per_breach
                ),
                "set the cap as a share of the yearly fee, e.g. sla_credit_cap_share = 0.1",
            );
        }
        price
    }

    /// `[costs]`: company-wide cost settings; omitted keys take `CostSettings::default()`
    /// (calibration §4, §8).
    fn costs(&mut self, raw: &RawScenario) -> CostSettings {
        let path = Path::root().key("costs");
        let d = CostSettings::default();
        let RawCosts {
            employer_contribution_share,
            sick_pay_days,
            downtime_eur_per_user_hour,
            outage_eur_per_hour,
        } = raw.costs.clone().unwrap_or_default();
        CostSettings {
            employer_contribution_share: self.number(
                path.key("employer_contribution_share"),
                employer_contribution_share,
                d.employer_contribution_share,
                Rule::Share,
            ),
            sick_pay_days: self.number(
                path.key("sick_pay_days"),
                sick_pay_days,
                d.sick_pay_days,
                Rule::UpTo(365.0),
            ),
            downtime_eur_per_user_hour: self.number(
                path.key("downtime_eur_per_user_hour"),
                downtime_eur_per_user_hour,
                d.downtime_eur_per_user_hour,
                Rule::UpTo(MAX_EUR),
            ),
            outage_eur_per_hour: self.number(
                path.key("outage_eur_per_hour"),
                outage_eur_per_hour,
                d.outage_eur_per_hour,
                Rule::UpTo(MAX_EUR),
            ),
        }
    }

    fn emergencies(
        &mut self,
        raw: &RawScenario,
        company_hours: WeeklyHours,
    ) -> Vec<(String, EmergencyHelp)> {
        raw.emergency
            .iter()
            .flat_map(|n| &n.0)
            .map(|(id, e)| {
                let path = Path::root().key("emergency").key(id);
                self.free_text(path.clone(), id);
                (id.clone(), self.emergency(&path, e, company_hours))
            })
            .collect()
    }

    fn emergency(
        &mut self,
        path: &Path,
        e: &RawEmergency,
        company_hours: WeeklyHours,
    ) -> EmergencyHelp {
        let priorities = match &e.priorities {
            None => def::EMERGENCY_PRIORITIES,
            Some(list) => {
                let mut set = [false; 4];
                for (i, s) in list.iter().enumerate() {
                    if let Some(p) =
                        self.keyword(path.key("priorities").index(i), "priority", s, &PRIORITIES)
                    {
                        set[p.index()] = true;
                    }
                }
                if list.is_empty() {
                    self.error_hint(
                        path.key("priorities"),
                        "names no priority, so emergency help would never be called",
                        "e.g. priorities = [\"P1\", \"P2\"]",
                    );
                }
                set
            }
        };
        EmergencyHelp {
            priorities,
            search_delay_h: self.dist(
                &path.key("search_delay_h"),
                e.search_delay_h.as_ref(),
                &def::search_delay_h(),
            ),
            hours: self
                .hours(
                    &path.key("hours"),
                    e.hours.as_ref(),
                    CoverageWindow::Custom(company_hours),
                )
                .weekly_hours(),
            hourly_rate: self.number(
                path.key("hourly_rate_eur"),
                e.hourly_rate_eur,
                def::HOURLY_RATE_EUR,
                Rule::UpTo(1e5),
            ),
            callout_fee: self.number(
                path.key("callout_fee_eur"),
                e.callout_fee_eur,
                def::CALLOUT_FEE_EUR,
                Rule::UpTo(1e6),
            ),
            escalate_after_business_days: self.escalation(path, e, priorities),
            interim: e.interim.unwrap_or(def::INTERIM).then(|| {
                Box::new(InterimCover {
                    after_days: self.number(
                        path.key("interim_after_days"),
                        e.interim_after_days,
                        def::INTERIM_AFTER_DAYS,
                        Rule::UpTo(3650.0),
                    ),
                    search_days: self.dist(
                        &path.key("interim_search_days"),
                        e.interim_search_days.as_ref(),
                        &def::interim_search_days(),
                    ),
                    day_rate: self.number(
                        path.key("interim_day_rate_eur"),
                        e.interim_day_rate_eur,
                        def::INTERIM_DAY_RATE_EUR,
                        Rule::UpTo(1e6),
                    ),
                })
            }),
        }
    }

    /// `escalate_after_business_days`: whole business days per priority that help is not
    /// called for at once. The default leaves out the priorities that are.
    fn escalation(
        &mut self,
        path: &Path,
        e: &RawEmergency,
        priorities: [bool; 4],
    ) -> [Option<u32>; 4] {
        let Some(t) = &e.escalate_after_business_days else {
            let mut d = def::ESCALATE_AFTER_BUSINESS_DAYS;
            for (x, &now) in d.iter_mut().zip(&priorities) {
                if now {
                    *x = None;
                }
            }
            return d;
        };
        let mut out = [None; 4];
        for (i, (name, v)) in [("P1", t.P1), ("P2", t.P2), ("P3", t.P3), ("P4", t.P4)]
            .into_iter()
            .enumerate()
        {
            let Some(v) = v else { continue };
            let p = path.key("escalate_after_business_days").key(name);
            if priorities[i] {
                self.error_hint(
                    p,
                    format!("{name} is among the priorities, so help is called for it at once"),
                    format!("drop {name} from escalate_after_business_days or from priorities"),
                );
            } else if v.fract() == 0.0 && (0.0..=365.0).contains(&v) {
                out[i] = Some(v as u32);
            } else {
                self.error(
                    p,
                    format!("must be a whole number of business days from 0 to 365, got {v}"),
                );
            }
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn setups(
        &mut self,
        raw: &RawScenario,
        categories: &[Category],
        people: &[Person],
        person_ids: &[String],
        contracts: &[MspContract],
        msp_ids: &[String],
        emergencies: &[(String, EmergencyHelp)],
    ) -> Vec<Setup> {
        let root = Path::root().key("setups");
        let list = raw.setups.as_deref().unwrap_or_default();
        if list.is_empty() {
            self.error_hint(
                root.clone(),
                "at least one setup is needed",
                "add a [[setups]] table, e.g. name = \"Single admin\", preset = \"single-admin\", admins = [\"anna\"]",
            );
        }
        let refs = Refs {
            people,
            person_ids,
            contracts,
            msp_ids,
            emergencies,
        };
        let mut names = Vec::new();
        list.iter()
            .enumerate()
            .map(|(i, s)| self.setup(&root.index(i), s, categories, &refs, &mut names))
            .collect()
    }

    fn setup(
        &mut self,
        path: &Path,
        s: &RawSetup,
        categories: &[Category],
        refs: &Refs<'_>,
        names: &mut Vec<String>,
    ) -> Setup {
        let name = match &s.name {
            None => {
                self.missing(path, "name");
                String::new()
            }
            Some(n) if n.trim().is_empty() => {
                self.error(path.key("name"), "the name is empty");
                String::new()
            }
            Some(n) if names.contains(n) => {
                self.error_hint(
                    path.key("name"),
                    format!("duplicate setup name '{n}'"),
                    "give every setup its own name",
                );
                n.clone()
            }
            Some(n) => {
                self.free_text(path.key("name"), n);
                names.push(n.clone());
                n.clone()
            }
        };
        let preset = match &s.preset {
            None => {
                self.error_hint(
                    path.key("preset"),
                    "missing key 'preset'",
                    "one of: single-admin, multi-admin, msp, hybrid, custom",
                );
                None
            }
            Some(p) => self.keyword(path.key("preset"), "preset", p, &PRESETS),
        };
        let mut tiers = Vec::new();
        let mut routing_ok = false;
        if let Some(preset) = preset {
            self.unused_routing_keys(path, s, preset);
            let mut used = Vec::new();
            let before = self.issues.len();
            tiers = self.tiers(path, s, preset, refs, &mut used);
            routing_ok = self.issues.len() == before;
        }

        let first_msp = tiers.iter().find_map(|t| match t {
            Tier::Msp(i) => refs.contracts.get(*i),
            _ => None,
        });
        let admins = tiers
            .iter()
            .map(|t| match t {
                Tier::InHouse(v) => v
                    .iter()
                    .filter(|&&i| refs.people.get(i).is_some_and(|p| p.role == Role::Admin))
                    .count(),
                _ => 0,
            })
            .sum::<usize>();
        let default_doc = match first_msp {
            Some(c) => c.documentation_quality,
            None if admins >= 2 => def::DOCUMENTATION_TEAM,
            None => def::DOCUMENTATION_SINGLE,
        };
        let (resp, resol) = first_msp.map_or((def::RESPONSE_H, def::RESOLUTION_H), |c| {
            (c.response_h, c.resolution_h)
        });
        let sla_path = path.key("sla");
        let sla = s.sla.as_ref();
        let sla = SlaTargets {
            response_h: self.targets(
                &sla_path.key("response_h"),
                sla.and_then(|x| x.response_h.as_ref()),
                resp,
            ),
            resolution_h: self.targets(
                &sla_path.key("resolution_h"),
                sla.and_then(|x| x.resolution_h.as_ref()),
                resol,
            ),
        };

        // With a broken reference the tiers are incomplete, and every gap would be a
        // consequence of the reported problem.
        if routing_ok {
            self.qualification(path, &name, &tiers, categories, refs);
        }

        Setup {
            name,
            preset: preset.map_or("custom", Preset::name).to_owned(),
            tiers,
            documentation_quality: self.number(
                path.key("documentation_quality"),
                s.documentation_quality,
                default_doc,
                Rule::Share,
            ),
            knowledge_penalty_h: self.dist(
                &path.key("knowledge_penalty_h"),
                s.knowledge_penalty_h.as_ref(),
                &def::knowledge_penalty_h(),
            ),
            vacation_no_overlap: s.vacation_no_overlap.unwrap_or(true),
            sla,
        }
    }

    /// `[report]`: the baseline setup (default: the first) and the exceedance thresholds,
    /// each list sorted and without repeats. Metric names were checked while reading.
    fn report(&mut self, raw: &RawScenario, setups: &[Setup]) -> ReportSettings {
        let path = Path::root().key("report");
        let RawReport {
            baseline,
            thresholds,
            lang,
            target,
        } = raw.report.clone().unwrap_or_default();
        let target = target.and_then(|t| self.target(&path.key("target"), &t));
        let lang = lang.and_then(|l| match l.to_ascii_lowercase().as_str() {
            "en" | "de" => Some(l.to_ascii_lowercase()),
            _ => {
                self.error_hint(
                    path.key("lang"),
                    format!("unknown language '{l}'"),
                    "write \"en\" (English) or \"de\" (German)".to_owned(),
                );
                None
            }
        });
        let names: Vec<&str> = setups
            .iter()
            .map(|s| s.name.as_str())
            .filter(|n| !n.is_empty())
            .collect();
        let baseline = match baseline {
            // Without setups, "at least one setup is needed" has been reported.
            Some(b) if !setups.is_empty() => {
                let found = setups.iter().position(|s| s.name == b);
                if found.is_none() {
                    let hint = suggest::hint(&b, names.iter().copied())
                        .unwrap_or_else(|| "name one of the [[setups]] by its name".to_owned());
                    self.push(
                        path.key("baseline"),
                        format!("unknown setup '{b}'"),
                        Some(hint),
                    );
                }
                found.unwrap_or(0)
            }
            _ => 0,
        };
        let tp = path.key("thresholds");
        let mut out = Vec::new();
        for (metric, list) in thresholds.map(|t| t.0).unwrap_or_default() {
            let p = tp.key(&metric);
            if list.values.is_empty() {
                self.error_hint(
                    p,
                    "lists no threshold",
                    format!("give one or more, e.g. {metric} = [10], or remove the key"),
                );
                continue;
            }
            let mut values = Vec::new();
            for (i, &x) in list.values.iter().enumerate() {
                if x.is_finite() {
                    values.push(x);
                } else {
                    let at = if list.single { p.clone() } else { p.index(i) };
                    self.error(at, format!("must be a finite number, got {x}"));
                }
            }
            values.sort_by(f64::total_cmp);
            values.dedup();
            out.push((metric, values));
        }
        ReportSettings {
            baseline,
            thresholds: out,
            lang,
            target,
        }
    }

    /// `[report] target`: a known metric, a statistic `summary.csv` has, and exactly one finite
    /// bound (a share metric's bound a share).
    fn target(&mut self, path: &Path, t: &RawTarget) -> Option<Target> {
        let metrics = crate::engine::catalog();
        let names = || metrics.iter().map(|m| m.name.as_str());
        let metric = match &t.metric {
            None => {
                self.error_hint(
                    path.key("metric"),
                    "missing key 'metric'",
                    "name the metric the target is about, e.g. metric = \"outage_bh\"",
                );
                None
            }
            Some(m) if names().any(|n| n == m) => Some(m.clone()),
            Some(m) if let Some(new) = crate::engine::renamed_metric(m) => {
                self.error_hint(
                    path.key("metric"),
                    format!("metric '{m}' is called '{new}' since covsim 0.2.0 (business hours)"),
                    format!("write metric = \"{new}\""),
                );
                None
            }
            Some(m) => {
                let hint = suggest::closest(m, names()).map_or_else(
                    || "scenarios/README.md lists the metric names".to_owned(),
                    |c| format!("did you mean '{c}'?"),
                );
                self.error_hint(path.key("metric"), format!("unknown metric '{m}'"), hint);
                None
            }
        };
        let stats: Vec<String> = std::iter::once("mean".to_owned())
            .chain(TargetStat::PERCENTILES.iter().map(|p| format!("p{p}")))
            .collect();
        let listed = format!(
            "write \"mean\" or one of the percentiles {}",
            stats[1..]
                .iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let stat = match &t.stat {
            None => {
                self.error_hint(
                    path.key("stat"),
                    "missing key 'stat'",
                    format!(
                        "write stat = \"p95\" for a bad year, one in twenty being worse; or \"mean\" or another percentile: {}",
                        stats[1..].join(", ")
                    ),
                );
                None
            }
            Some(s) => {
                let parsed = TargetStat::parse(s);
                // "p97" is a percentile summary.csv does not have: list them, suggest none.
                let other_percentile = s
                    .trim()
                    .to_ascii_lowercase()
                    .strip_prefix('p')
                    .is_some_and(|n| n.parse::<u8>().is_ok());
                if parsed.is_none() && other_percentile {
                    self.error_hint(
                        path.key("stat"),
                        format!("unknown statistic '{s}'"),
                        format!("{listed}: the percentiles of summary.csv"),
                    );
                } else if parsed.is_none() {
                    let hint = suggest::closest(s, stats.iter().map(String::as_str))
                        .map_or(listed.clone(), |c| format!("did you mean '{c}'?"));
                    self.error_hint(path.key("stat"), format!("unknown statistic '{s}'"), hint);
                }
                parsed
            }
        };
        let share = metric.as_deref().is_some_and(|m| m.ends_with("_share"));
        let mut bound_ok = true;
        for (key, v) in [("max", t.max), ("min", t.min)] {
            let Some(x) = v else { continue };
            if !x.is_finite() {
                self.error(path.key(key), format!("must be a finite number, got {x}"));
                bound_ok = false;
            } else if share && !(0.0..=1.0).contains(&x) {
                let hint = (1.0..=100.0)
                    .contains(&x)
                    .then(|| format!("a share is a fraction: write {x} % as {}", x / 100.0));
                self.push(
                    path.key(key),
                    format!("must be a share between 0 and 1, got {x}"),
                    hint,
                );
                bound_ok = false;
            }
        }
        let bound = match (t.max, t.min) {
            (Some(_), Some(_)) => {
                self.error_hint(
                    path.clone(),
                    "gives both 'max' and 'min'",
                    "keep max = … where less is better (outage_bh), or min = … where more is better (coverage_share)",
                );
                None
            }
            (None, None) => {
                self.error_hint(
                    path.clone(),
                    "gives no bound",
                    "add max = … (the statistic must be at most this) or min = … (at least this)",
                );
                None
            }
            (Some(x), None) => Some(TargetBound::Max(x)),
            (None, Some(x)) => Some(TargetBound::Min(x)),
        };
        Some(Target {
            metric: metric?,
            stat: stat?,
            bound: bound.filter(|_| bound_ok)?,
        })
    }

    /// Reports routing keys the preset does not use (they would be silently ignored).
    fn unused_routing_keys(&mut self, path: &Path, s: &RawSetup, preset: Preset) {
        let given = [
            ("admins", s.admins.is_some()),
            ("key_user", s.key_user.is_some()),
            ("msp", s.msp.is_some()),
            ("coordinator", s.coordinator.is_some()),
            ("emergency", s.emergency.is_some()),
            ("tiers", s.tiers.is_some()),
        ];
        for (key, is_set) in given {
            if is_set && !preset.keys().contains(&key) {
                let hint = if preset == Preset::Custom {
                    format!("put it into a tier: tiers = [ {{ {key} = … }} ]")
                } else {
                    format!(
                        "the {} preset uses: {}",
                        preset.name(),
                        preset.keys().join(", ")
                    )
                };
                self.error_hint(
                    path.key(key),
                    format!("'{key}' is not used by the {} preset", preset.name()),
                    hint,
                );
            }
        }
    }

    fn tiers(
        &mut self,
        path: &Path,
        s: &RawSetup,
        preset: Preset,
        refs: &Refs<'_>,
        used: &mut Vec<usize>,
    ) -> Vec<Tier> {
        let mut tiers = Vec::new();
        match preset {
            Preset::SingleAdmin | Preset::MultiAdmin => {
                let p = path.key("admins");
                match &s.admins {
                    None => self.missing(path, "admins"),
                    Some(list) => {
                        let n = list.len();
                        if preset == Preset::SingleAdmin && n != 1 {
                            let hint = if n > 1 {
                                "use preset = \"multi-admin\" for a team"
                            } else {
                                "name the admin, e.g. admins = [\"anna\"]"
                            };
                            self.error_hint(
                                p.clone(),
                                format!("the single-admin preset needs exactly one admin, got {n}"),
                                hint,
                            );
                        }
                        if preset == Preset::MultiAdmin && n < 2 {
                            self.error_hint(
                                p.clone(),
                                format!("the multi-admin preset needs two or more admins, got {n}"),
                                "use preset = \"single-admin\" for one admin",
                            );
                        }
                        tiers.push(Tier::InHouse(self.admin_refs(&p, list, refs, used)));
                    }
                }
            }
            Preset::Msp => {
                if let Some(i) = self.required_msp(path, s.msp.as_ref(), refs) {
                    tiers.push(Tier::Msp(i));
                }
            }
            Preset::Hybrid => {
                match &s.key_user {
                    None => self.missing(path, "key_user"),
                    Some(k) => {
                        if let Some(i) = self.key_user_ref(&path.key("key_user"), k, refs, used) {
                            tiers.push(Tier::KeyUser(i));
                        }
                    }
                }
                if let Some(c) = &s.coordinator
                    && let Some(i) = self.person_ref(&path.key("coordinator"), c, refs, used)
                {
                    tiers.push(Tier::InHouse(vec![i]));
                }
                if let Some(i) = self.required_msp(path, s.msp.as_ref(), refs) {
                    tiers.push(Tier::Msp(i));
                }
            }
            Preset::Custom => match &s.tiers {
                None => self.error_hint(
                    path.key("tiers"),
                    "missing key 'tiers'",
                    "e.g. tiers = [ { admins = [\"anna\"] }, { msp = \"silver\" } ]",
                ),
                Some(list) if list.is_empty() => {
                    self.error(path.key("tiers"), "a custom setup needs at least one tier")
                }
                Some(list) => {
                    for (i, t) in list.iter().enumerate() {
                        let tp = path.key("tiers").index(i);
                        let n = [
                            t.admins.is_some(),
                            t.key_user.is_some(),
                            t.msp.is_some(),
                            t.emergency.is_some(),
                        ]
                        .iter()
                        .filter(|b| **b)
                        .count();
                        if n != 1 {
                            self.error_hint(
                                tp,
                                format!("a tier needs exactly one of admins, key_user, msp, emergency; this one has {n}"),
                                "write one tier per responder group, e.g. { admins = [\"anna\"] }, { msp = \"silver\" }",
                            );
                            continue;
                        }
                        if let Some(list) = &t.admins {
                            if list.is_empty() {
                                self.error(tp.key("admins"), "names no admin");
                            }
                            tiers.push(Tier::InHouse(self.admin_refs(
                                &tp.key("admins"),
                                list,
                                refs,
                                used,
                            )));
                        } else if let Some(k) = &t.key_user {
                            if let Some(i) = self.key_user_ref(&tp.key("key_user"), k, refs, used) {
                                tiers.push(Tier::KeyUser(i));
                            }
                        } else if let Some(m) = &t.msp {
                            if let Some(i) = self.msp_ref(&tp.key("msp"), m, refs) {
                                tiers.push(Tier::Msp(i));
                            }
                        } else if let Some(e) = &t.emergency
                            && let Some(help) = self.emergency_ref(&tp.key("emergency"), e, refs)
                        {
                            tiers.push(Tier::Emergency(Box::new(help)));
                        }
                    }
                }
            },
        }
        if preset != Preset::Custom
            && let Some(e) = &s.emergency
            && let Some(help) = self.emergency_ref(&path.key("emergency"), e, refs)
        {
            tiers.push(Tier::Emergency(Box::new(help)));
        }
        tiers
    }

    fn admin_refs(
        &mut self,
        path: &Path,
        list: &[String],
        refs: &Refs<'_>,
        used: &mut Vec<usize>,
    ) -> Vec<usize> {
        let mut out = Vec::new();
        for (i, id) in list.iter().enumerate() {
            let p = path.index(i);
            if let Some(k) = self.person_ref(&p, id, refs, used) {
                if refs.people[k].role != Role::Admin {
                    self.error_hint(
                        p,
                        format!("'{id}' is a key user, not an admin"),
                        format!("route key users with key_user = \"{id}\", or give them role = \"admin\""),
                    );
                }
                out.push(k);
            }
        }
        out
    }

    fn key_user_ref(
        &mut self,
        path: &Path,
        id: &str,
        refs: &Refs<'_>,
        used: &mut Vec<usize>,
    ) -> Option<usize> {
        let k = self.person_ref(path, id, refs, used)?;
        if refs.people[k].role != Role::KeyUser {
            self.error_hint(
                path.clone(),
                format!("'{id}' is an admin, not a key user"),
                format!("give {id} role = \"key-user\", or name a key user"),
            );
        }
        Some(k)
    }

    /// Resolves a person id; also reports a person used twice in one setup.
    fn person_ref(
        &mut self,
        path: &Path,
        id: &str,
        refs: &Refs<'_>,
        used: &mut Vec<usize>,
    ) -> Option<usize> {
        let Some(k) = refs.person_ids.iter().position(|p| p == id) else {
            let hint = suggest::closest(
                id,
                refs.person_ids
                    .iter()
                    .map(String::as_str)
                    .filter(|s| !s.is_empty()),
            )
            .map_or_else(
                || "define the person in a [[people]] table".to_owned(),
                |c| format!("did you mean '{c}'?"),
            );
            self.error_hint(path.clone(), format!("unknown person '{id}'"), hint);
            return None;
        };
        if used.contains(&k) {
            self.error_hint(
                path.clone(),
                format!("'{id}' appears twice in this setup"),
                "name every person once",
            );
        }
        used.push(k);
        Some(k)
    }

    fn required_msp(&mut self, path: &Path, id: Option<&String>, refs: &Refs<'_>) -> Option<usize> {
        match id {
            None => {
                let hint = refs.msp_ids.first().map_or_else(
                    || "define a contract in [msp.<id>] and name it here".to_owned(),
                    |m| format!("e.g. msp = \"{m}\""),
                );
                self.error_hint(path.key("msp"), "missing key 'msp'", hint);
                None
            }
            Some(m) => self.msp_ref(&path.key("msp"), m, refs),
        }
    }

    fn msp_ref(&mut self, path: &Path, id: &str, refs: &Refs<'_>) -> Option<usize> {
        let k = refs.msp_ids.iter().position(|m| m == id);
        if k.is_none() {
            let hint = suggest::closest(id, refs.msp_ids.iter().map(String::as_str)).map_or_else(
                || format!("define the contract in [msp.{id}]"),
                |c| format!("did you mean '{c}'?"),
            );
            self.error_hint(path.clone(), format!("unknown MSP contract '{id}'"), hint);
        }
        k
    }

    fn emergency_ref(&mut self, path: &Path, id: &str, refs: &Refs<'_>) -> Option<EmergencyHelp> {
        let found = refs
            .emergencies
            .iter()
            .find(|(e, _)| e == id)
            .map(|(_, h)| h.clone());
        if found.is_none() {
            let hint = suggest::closest(id, refs.emergencies.iter().map(|(e, _)| e.as_str()))
                .map_or_else(
                    || format!("define it in [emergency.{id}]"),
                    |c| format!("did you mean '{c}'?"),
                );
            self.error_hint(path.clone(), format!("unknown emergency help '{id}'"), hint);
        }
        found
    }

    /// Every category must have a tier with a responder who has its skill and takes its
    /// priority; otherwise its tickets would wait forever.
    fn qualification(
        &mut self,
        path: &Path,
        name: &str,
        tiers: &[Tier],
        categories: &[Category],
        refs: &Refs<'_>,
    ) {
        let checkable = self.category_checkable.clone();
        for (c, _) in categories.iter().zip(checkable).filter(|(_, ok)| *ok) {
            let ok = tiers.iter().any(|t| match t {
                Tier::InHouse(v) => v
                    .iter()
                    .any(|&i| refs.people.get(i).is_some_and(|p| p.skills.has(c.skill))),
                Tier::KeyUser(i) => {
                    c.skill == Skill::Basic
                        && refs
                            .people
                            .get(*i)
                            .is_some_and(|p| p.skills.has(Skill::Basic))
                }
                Tier::Msp(_) => true,
                Tier::Emergency(e) => e.priorities[c.priority.index()],
            });
            if ok {
                continue;
            }
            let in_house: Vec<&str> = tiers
                .iter()
                .flat_map(|t| match t {
                    Tier::InHouse(v) => v.clone(),
                    _ => Vec::new(),
                })
                .filter_map(|i| refs.people.get(i).map(|p| p.id.as_str()))
                .collect();
            let emergency = tiers.iter().find_map(|t| match t {
                Tier::Emergency(e) => Some(e),
                _ => None,
            });
            let skill = c.skill.name();
            let mut hints = Vec::new();
            if !in_house.is_empty() {
                hints.push(format!(
                    "add \"{skill}\" to the skills of {}",
                    in_house.join(" or ")
                ));
            }
            match emergency {
                None => hints.push(match refs.emergencies.first() {
                    Some((id, _)) => format!("set emergency = \"{id}\""),
                    None => "define [emergency.<id>] and set emergency = \"<id>\"".to_owned(),
                }),
                Some(_) => hints.push(format!(
                    "add {} to the priorities of the emergency help",
                    c.priority.label()
                )),
            }
            if !tiers.iter().any(|t| matches!(t, Tier::Msp(_))) {
                hints.push("add an MSP contract".to_owned());
            }
            self.error_hint(
                path.clone(),
                format!(
                    "nobody in setup '{name}' can work on category '{}': it needs skill '{skill}' ({})",
                    c.id,
                    c.priority.label()
                ),
                hints.join(", or "),
            );
        }
    }
}

/// The people, contracts and emergency helps a setup can refer to.
struct Refs<'a> {
    people: &'a [Person],
    person_ids: &'a [String],
    contracts: &'a [MspContract],
    msp_ids: &'a [String],
    emergencies: &'a [(String, EmergencyHelp)],
}

/// The last key of a path, for "missing key" messages.
fn key_name(path: &Path) -> String {
    match path.segments().last() {
        Some(super::locate::Seg::Key(k)) => k.clone(),
        _ => String::new(),
    }
}

/// Distribution parameters must be 0 or have a magnitude within these bounds. Beyond them
/// the derived parameters (p90/median, (sd/mean)², 1/mean, max − min) can overflow to infinity
/// inside `Dist::new`, and no duration of a year's simulation needs them.
const MIN_PARAM: f64 = 1e-9;
const MAX_PARAM: f64 = 1e9;

/// Collects the finite parameters of `spec` outside the supported range, with their paths
/// (non-finite ones are left to `Dist::new`, which names them). Bin shares are checked by
/// `Dist::new`.
fn extreme_params(spec: &DistSpec, path: &Path, is_table: bool, out: &mut Vec<(Path, f64)>) {
    let params: Vec<(&str, f64)> = match *spec {
        DistSpec::Fixed { value } => vec![("value", value)],
        DistSpec::Exponential { mean } => vec![("mean", mean)],
        DistSpec::LogNormalMedianP90 { median, p90 } => vec![("median", median), ("p90", p90)],
        DistSpec::LogNormalMeanSd { mean, sd } | DistSpec::Gamma { mean, sd } => {
            vec![("mean", mean), ("sd", sd)]
        }
        DistSpec::Weibull { shape, scale } => vec![("shape", shape), ("scale", scale)],
        DistSpec::Uniform { min, max } => vec![("min", min), ("max", max)],
        DistSpec::Triangular { min, mode, max } => vec![("min", min), ("mode", mode), ("max", max)],
        DistSpec::Empirical { ref bins } => {
            for (i, (_, b)) in bins.iter().enumerate() {
                extreme_params(b, &path.key("bins").index(i), true, out);
            }
            Vec::new()
        }
    };
    for (name, x) in params {
        if x.is_finite() && x != 0.0 && !(MIN_PARAM..=MAX_PARAM).contains(&x.abs()) {
            out.push((
                if is_table {
                    path.key(name)
                } else {
                    path.clone()
                },
                x,
            ));
        }
    }
}

/// Where a distribution error belongs, and its innermost message (bins nest).
fn dist_error_path(path: &Path, e: &DistError) -> (Path, String) {
    match e {
        DistError::NotFinite { name, .. } | DistError::OutOfRange { name, .. } => {
            (path.key(name), e.to_string())
        }
        DistError::SharesDoNotSumToOne(_) | DistError::NoBins => (path.key("bins"), e.to_string()),
        DistError::Bin { index, source } => {
            dist_error_path(&path.key("bins").index(*index), source)
        }
    }
}

/// Open seconds per weekday over the measured window, for each arrival pattern.
struct Weights {
    business: [f64; 7],
    always: [f64; 7],
}

fn weekday_weights(cal: &Calendar, c: &CompanyParts, days: i64) -> Weights {
    let mut w = Weights {
        business: [0.0; 7],
        always: [0.0; 7],
    };
    for day in 0..days {
        let wd = cal.weekday_index(day);
        w.always[wd] += DAY as f64;
        if c.business_observes_holidays && cal.is_holiday(day) {
            continue;
        }
        for (s, e) in c.company.hours.spans(wd) {
            w.business[wd] += f64::from(e - s) * 60.0;
        }
    }
    w
}

/// Sets the other clients' PCs of every contract that asks for a target utilisation instead
/// (calibration §7): they need the calendar and the categories, which contracts do not see.
fn derive_other_clients(model: &mut Model) {
    let derived: Vec<Option<u32>> = model
        .contracts
        .iter()
        .map(|c| {
            c.target_utilisation
                .map(|u| super::msp_load::other_clients_for(model, c, u))
        })
        .collect();
    for (c, pcs) in model.contracts.iter_mut().zip(derived) {
        if let Some(pcs) = pcs {
            c.other_clients_pcs = pcs;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dist_errors_point_into_nested_bins() {
        let e = DistError::Bin {
            index: 2,
            source: Box::new(DistError::OutOfRange {
                name: "max",
                rule: "> min",
                value: 1.0,
            }),
        };
        let (p, msg) = dist_error_path(&Path::root().key("d"), &e);
        assert_eq!(p.to_string(), "d.bins[2].max");
        assert_eq!(msg, "max must be > min, got 1");
    }

    #[test]
    fn a_share_written_as_a_percentage_gets_a_hint() {
        let mut v = Validator::default();
        let p = Path::root().key("x");
        assert_eq!(v.number(p.clone(), Some(21.0), 0.2, Rule::Share), 0.2);
        assert_eq!(v.number(p.clone(), Some(1.5), 0.2, Rule::Share), 0.2);
        assert_eq!(v.number(p, Some(21.0), 0.2, Rule::UpTo(5.0)), 0.2);
        let hints: Vec<Option<&str>> = v.issues.iter().map(|i| i.hint.as_deref()).collect();
        assert_eq!(
            hints,
            [
                Some("a share is a fraction: write 21 % as 0.21"),
                None,
                None
            ]
        );
    }

    #[test]
    fn rules_describe_themselves() {
        assert!(Rule::Share.holds(1.0) && !Rule::Share.holds(1.01));
        assert!(!Rule::ShareBelowOne.holds(1.0));
        assert!(!Rule::PositiveShare.holds(0.0));
        assert_eq!(Rule::UpTo(52.0).describe(-1.0), "must not be negative");
        assert_eq!(Rule::UpTo(52.0).describe(53.0), "must be at most 52");
        assert_eq!(Rule::Share.describe(2.0), "must be a share between 0 and 1");
    }
}
