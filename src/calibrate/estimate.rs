//! Estimation: from an [`Export`] to a [`Calibration`] (rates, profiles, effort fits).
//!
//! The arrival model is the engine's: per category a Poisson process whose intensity per
//! second of open time (business hours, or all hours) is c · f(weekday) · g(month). Its
//! maximum-likelihood estimate from counts per (weekday, month) cell and the open time of each
//! cell in the export's period is found by iterative proportional fitting; holidays have no
//! open time under business arrivals, so they bias no factor. How every key is estimated, and
//! why, is in scenarios/README.md, "How calibrated keys are estimated".

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rand_distr::{Distribution, Poisson};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::estimate_arrivals::{Cells, Profile, exposure, fit_profile, month_seen};
pub use super::estimate_error::EstimateError;
use super::fit::{Obs, check_sample, choose, fit, fit_all};
use super::fit_gof::{P_THRESHOLD, STATISTIC, bootstrap_p, empirical, ks_km};
use super::{
    Calibration, CategoryEstimate, Dispersion, EffortFit, EffortSource, Export, ExportTicket,
    Family, GoodnessOfFit,
};
use crate::calendar::{Calendar, FederalState, HolidayRule, WeeklyHours};
use crate::dist::Dist;
use crate::interval::IntervalSet;
use crate::model::{Model, Priority};
use crate::rng::{self, Purpose};
use crate::time::{DAY, HOUR, SimTime};

/// Settings of [`calibrate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EstimateOptions {
    /// Categories with fewer tickets (per priority) are merged into "other": below about 30
    /// tickets neither a rate profile nor a two-parameter fit says much.
    pub min_count: u64,
    /// Parametric-bootstrap resamples for each goodness-of-fit p-value (at least 19).
    pub bootstrap: u32,
    /// Seed of the bootstrap streams: same export, model and options, same calibration.
    pub seed: u64,
}

impl Default for EstimateOptions {
    fn default() -> Self {
        // 199 resamples: p-values on a grid of 1/200, fine enough around the 1 % threshold.
        EstimateOptions {
            min_count: 30,
            bootstrap: 199,
            seed: 0x00c0_75e1_ca1b,
        }
    }
}

/// Largest sample the goodness-of-fit test runs on. Beyond a few thousand tickets the test
/// rejects every family for deviations too small to change a simulation (and the bootstrap
/// grows with n); 2,000 tickets still detect a distance of about 0.03 between the distribution
/// functions. The fit itself always uses every ticket.
pub const GOF_MAX: usize = 2_000;

/// Fewest bootstrap resamples: with 19 the smallest p-value is 1/20.
pub const MIN_BOOTSTRAP: u32 = 19;

/// Converts a local date-time to seconds since 1 January `year`, 00:00.
fn sim_time(year: i32, t: NaiveDateTime) -> SimTime {
    let epoch = NaiveDate::from_ymd_opt(year, 1, 1).expect("valid year");
    SimTime((t.date() - epoch).num_days() * DAY + i64::from(t.time().num_seconds_from_midnight()))
}

/// The holiday rule behind `model`'s calendar, so that the export's years get the same kind
/// of holidays: German holidays of the state whose holidays match the model's, or the listed
/// dates (the calendar answers for every listed date, in any year).
fn holiday_rule(model: &Model, from: NaiveDate, until: NaiveDate) -> HolidayRule {
    let cal = &model.calendar;
    let listed = cal.holidays().iter().all(|h| h.name == "listed holiday");
    if !listed {
        let candidates = std::iter::once(None).chain(FederalState::ALL.map(Some));
        for state in candidates {
            let c = Calendar::new(
                cal.first_year(),
                cal.from(),
                cal.to(),
                HolidayRule::Germany(state),
            );
            if c.holidays() == cal.holidays() {
                return HolidayRule::Germany(state);
            }
        }
    }
    let dates = from
        .iter_days()
        .take_while(|d| *d <= until)
        .filter(|d| cal.is_holiday(cal.day_of_date(*d)))
        .collect();
    HolidayRule::Dates(dates)
}

/// The export's period on the client's calendar.
pub(crate) struct Period {
    pub(crate) calendar: Calendar,
    pub(crate) from: SimTime,
    pub(crate) until: SimTime,
    /// Business hours of the company within the period.
    pub(crate) business: IntervalSet,
    /// The whole period.
    pub(crate) always: IntervalSet,
}

impl Period {
    fn new(model: &Model, from: NaiveDateTime, until: NaiveDateTime) -> Period {
        let year = from.year();
        let (f, u) = (sim_time(year, from), sim_time(year, until));
        let rule = holiday_rule(model, from.date(), until.date());
        let calendar = Calendar::new(
            year,
            SimTime::day_start(f.day()),
            SimTime::day_start(u.day() + 1),
            rule,
        );
        let hours = &model.company.hours;
        let business = calendar
            .schedule(hours, *hours != WeeklyHours::always())
            .clip(f, u);
        Period {
            calendar,
            from: f,
            until: u,
            business,
            always: IntervalSet::span(f, u),
        }
    }

    pub(crate) fn time(&self, t: NaiveDateTime) -> SimTime {
        sim_time(self.calendar.first_year(), t)
    }

    /// Business hours between two instants of the period.
    fn business_hours(&self, a: SimTime, b: SimTime) -> f64 {
        self.business.measure_between(a, b) as f64 / HOUR as f64
    }
}

/// A slug for scenario ids: lower-case letters, digits and dashes.
fn slug(label: &str) -> String {
    let mut s = String::new();
    for c in label.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'ä' => "ae".to_owned(),
            'ö' => "oe".to_owned(),
            'ü' => "ue".to_owned(),
            'ß' => "ss".to_owned(),
            c if c.is_ascii_alphanumeric() => c.to_string(),
            _ => "-".to_owned(),
        };
        if c == "-" && (s.is_empty() || s.ends_with('-')) {
            continue;
        }
        s.push_str(&c);
    }
    let s = s.trim_end_matches('-').to_owned();
    if s.is_empty() {
        "category".to_owned()
    } else {
        s
    }
}

/// Exact (Garwood) 95 % interval of a Poisson mean from `n` events.
fn poisson_ci(n: u64) -> (f64, f64) {
    let q = |df: f64, p: f64| ChiSquared::new(df).map_or(f64::NAN, |c| c.inverse_cdf(p)) / 2.0;
    let lo = if n == 0 {
        0.0
    } else {
        q(2.0 * n as f64, 0.025)
    };
    (lo, q(2.0 * n as f64 + 2.0, 0.975))
}

/// Calibrates `model`'s categories from `export`: `model` supplies the business hours and the
/// holiday rule (applied to the export's own years) and, for the rate per year, the scenario's
/// year.
pub fn calibrate(
    export: &Export,
    model: &Model,
    opts: &EstimateOptions,
) -> Result<Calibration, EstimateError> {
    let source = export.source.clone();
    check_export(export, opts)?;
    let period = Period::new(model, export.observed_from, export.observed_until);
    let mut notes = Vec::new();

    // Groups per (priority, label), small ones merged into "other" of their priority.
    let mut groups: BTreeMap<(Priority, String), Vec<&ExportTicket>> = BTreeMap::new();
    for t in &export.tickets {
        groups
            .entry((t.priority, t.category.clone()))
            .or_default()
            .push(t);
    }
    let mut merged = Vec::new();
    let mut kept: BTreeMap<(Priority, String), Vec<&ExportTicket>> = BTreeMap::new();
    for ((p, label), tickets) in groups {
        if (tickets.len() as u64) < opts.min_count {
            merged.push((label, p, tickets.len() as u64));
            kept.entry((p, "other".to_owned()))
                .or_default()
                .extend(tickets);
        } else {
            kept.entry((p, label)).or_default().extend(tickets);
        }
    }
    for tickets in kept.values_mut() {
        tickets.sort_by_key(|t| (t.created, t.line));
    }

    let with_effort = export
        .tickets
        .iter()
        .filter(|t| t.effort_h.is_some())
        .count();
    let source_kind = if 2 * with_effort > export.tickets.len() {
        EffortSource::TimeWorked
    } else {
        EffortSource::ResolutionUpperBound
    };
    let model_cells = ModelCells::new(model);
    let seen = month_seen(&period);
    let unseen: Vec<&str> = (0..12).filter(|&m| !seen[m]).map(|m| MONTHS[m]).collect();
    if !unseen.is_empty() {
        notes.push(format!(
            "months not covered once in full by the period ({}): factor 1 (an average month), since less than one month of data cannot separate season from chance",
            unseen.join(", ")
        ));
    }

    // Effort samples per group, and pools per priority and overall for groups too small.
    let samples: Vec<Vec<Obs>> = kept
        .values()
        .map(|t| effort_sample(t, &period, source_kind, &mut notes))
        .collect();
    let mut categories = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    let mut mapped_all: Vec<SimTime> = Vec::new();
    for (((priority, label), tickets), sample) in kept.iter().zip(&samples) {
        let mut id = format!("{}-{}", slug(label), priority.label().to_lowercase());
        let base = id.clone();
        let mut k = 2;
        while ids.contains(&id) {
            id = format!("{base}-{k}");
            k += 1;
        }
        ids.push(id.clone());
        let arrivals = estimate_arrivals(tickets, &period, &model_cells, &seen);
        mapped_all.extend(arrivals.mapped.iter().copied());
        let effort = estimate_effort(
            &id,
            *priority,
            sample,
            &samples,
            kept.keys(),
            source_kind,
            opts,
            &mut notes,
        )
        .ok_or_else(|| EstimateError::NoEffort {
            file: source.clone(),
            reason: format!(
                "no category has two different {} values (closed tickets with a positive value); the export needs a closing time or a time-worked column",
                match source_kind {
                    EffortSource::TimeWorked => "time-worked",
                    EffortSource::ResolutionUpperBound => "resolution-time",
                }
            ),
        })?;
        categories.push(CategoryEstimate {
            id,
            label: label.clone(),
            priority: *priority,
            n: tickets.len() as u64,
            tickets_per_year: arrivals.per_year,
            rate_ci: arrivals.ci,
            business_hours: arrivals.business,
            share_outside_hours: arrivals.share_outside,
            weekday_factors: arrivals.profile.weekday,
            month_factors: arrivals.profile.month,
            effort,
        });
    }

    let (daily_counts, hour_of_week) = daily_and_hourly(export, &period);
    mapped_all.sort_unstable();
    let dispersion = dispersion(&mapped_all, &period, opts, &source)?;
    let first = export.observed_from.date();
    let last = (export.observed_until - chrono::Duration::seconds(1)).date();
    Ok(Calibration {
        period: (first, last.max(first)),
        years: (period.until - period.from) as f64 / (365.2425 * DAY as f64),
        categories,
        merged,
        daily_counts,
        dispersion,
        hour_of_week,
        observed: Vec::new(),
        notes,
    })
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn check_export(export: &Export, opts: &EstimateOptions) -> Result<(), EstimateError> {
    let source = export.source.clone();
    if opts.bootstrap < MIN_BOOTSTRAP {
        return Err(EstimateError::Bootstrap(opts.bootstrap));
    }
    match export.tickets.len() {
        0 => return Err(EstimateError::NoTickets { file: source }),
        1 => return Err(EstimateError::OneTicket { file: source }),
        _ => {}
    }
    let (from, until) = (export.observed_from, export.observed_until);
    if until <= from {
        return Err(EstimateError::EmptyPeriod {
            file: source,
            from,
            until,
        });
    }
    for t in &export.tickets {
        if t.created < from || t.created >= until {
            return Err(EstimateError::OutsidePeriod {
                file: source,
                line: t.line,
                created: t.created,
                from,
                until,
            });
        }
        if let Some(c) = t.closed
            && (c < t.created || c > until)
        {
            return Err(EstimateError::ClosedOutside {
                file: source,
                line: t.line,
                created: t.created,
                closed: c,
                until,
            });
        }
        if let Some(e) = t.effort_h
            && !(e.is_finite() && e >= 0.0)
        {
            return Err(EstimateError::BadEffort {
                file: source,
                line: t.line,
                value: e,
            });
        }
    }
    Ok(())
}

/// Open time per (weekday, month) cell of the model's measured window, per year: the
/// engine's normalisation, so that c · Σ f g E is the scenario's `tickets_per_year`.
struct ModelCells {
    business: Cells,
    always: Cells,
    /// Open time per weekday over the window (validation's weights for weekday factors).
    business_weekday: [f64; 7],
}

impl ModelCells {
    fn new(model: &Model) -> ModelCells {
        let end = model.window_end();
        let years = f64::from(model.sim.years.max(1));
        let per_year = |c: Cells| c.map(|row| row.map(|x| x / years));
        let business = per_year(exposure(
            &model.business.clip(SimTime::ZERO, end),
            &model.calendar,
        ));
        let always = per_year(exposure(
            &IntervalSet::span(SimTime::ZERO, end),
            &model.calendar,
        ));
        let business_weekday = business.map(|row| row.iter().sum());
        ModelCells {
            business,
            always,
            business_weekday,
        }
    }
}

struct Arrivals {
    business: bool,
    share_outside: f64,
    profile: Profile,
    per_year: f64,
    ci: (f64, f64),
    /// Creation times as the arrival model sees them (outside-hours tickets of business
    /// categories moved to the next opening).
    mapped: Vec<SimTime>,
}

/// Rate, pattern and profiles of one category.
fn estimate_arrivals(
    tickets: &[&ExportTicket],
    period: &Period,
    model: &ModelCells,
    seen: &[bool; 12],
) -> Arrivals {
    let times: Vec<SimTime> = tickets.iter().map(|t| period.time(t.created)).collect();
    let outside = times
        .iter()
        .filter(|&&t| !period.business.contains(t))
        .count();
    let share_outside = outside as f64 / times.len() as f64;
    // Under `always` arrivals a ticket falls outside business hours with probability p0 (the
    // closed share of the period); under `business`, never. The share of tickets that
    // follow the round-the-clock pattern is thus share/p0: "always" when that is the
    // majority, i.e. share ≥ p0/2. A few e-mails at 18:05 do not make a category 24/7.
    let total = period.always.measure() as f64;
    let p0 = 1.0 - period.business.measure() as f64 / total;
    let mut business = !(p0 > 0.0 && share_outside >= p0 / 2.0);
    let mapped: Vec<SimTime> = if business {
        times
            .iter()
            .filter_map(|&t| {
                if period.business.contains(t) {
                    Some(t)
                } else {
                    period.business.next_start_at_or_after(t)
                }
            })
            .collect()
    } else {
        times.clone()
    };
    if mapped.is_empty() {
        // Every ticket after the last business hour of the period: only `always` explains it.
        business = false;
    }
    let mapped = if business { mapped } else { times };
    let (open, cells_model) = if business {
        (&period.business, &model.business)
    } else {
        (&period.always, &model.always)
    };
    let e = exposure(open, &period.calendar);
    let mut counts = [[0.0; 12]; 7];
    for &t in &mapped {
        let day = t.day();
        let d = period.calendar.weekday_index(day);
        let m = period.calendar.date_of_day(day).month0() as usize;
        counts[d][m] += 1.0;
    }
    let weights = if business {
        model.business_weekday
    } else {
        [1.0; 7]
    };
    let profile = fit_profile(&counts, &e, seen, business, &weights);
    // c · Σ f g E over the model's year: what the engine's normalisation makes of the rate.
    let weighted = |cells: &Cells| -> f64 {
        cells
            .iter()
            .zip(profile.weekday)
            .map(|(row, f)| {
                row.iter()
                    .zip(profile.month)
                    .map(|(x, g)| f * g * x)
                    .sum::<f64>()
            })
            .sum()
    };
    let n = mapped.len() as u64;
    let per_ticket = weighted(cells_model) / weighted(&e);
    let (lo, hi) = poisson_ci(n);
    Arrivals {
        business,
        share_outside,
        per_year: n as f64 * per_ticket,
        ci: (lo * per_ticket, hi * per_ticket),
        profile,
        mapped,
    }
}

/// The effort sample of one category.
fn effort_sample(
    tickets: &[&ExportTicket],
    period: &Period,
    source: EffortSource,
    notes: &mut Vec<String>,
) -> Vec<Obs> {
    let (mut zero, mut missing) = (0, 0);
    let mut out = Vec::with_capacity(tickets.len());
    for t in tickets {
        let created = period.time(t.created);
        match source {
            EffortSource::TimeWorked => {
                let age = (period.until - created) as f64 / HOUR as f64;
                match (t.effort_h, t.closed.is_some()) {
                    (Some(e), closed) if e > 0.0 => out.push(Obs {
                        value: e,
                        censored: !closed,
                        bound: if closed { age.max(e) } else { e },
                    }),
                    (Some(_), _) => zero += 1,
                    (None, _) => missing += 1,
                }
            }
            EffortSource::ResolutionUpperBound => {
                let age = period.business_hours(created, period.until);
                let value = t
                    .closed
                    .map_or(age, |c| period.business_hours(created, period.time(c)));
                if value > 0.0 {
                    out.push(Obs {
                        value,
                        censored: t.closed.is_none(),
                        bound: age.max(value),
                    });
                } else {
                    zero += 1;
                }
            }
        }
    }
    let label = tickets.first().map_or(String::new(), |t| {
        format!("{} {}", t.category, t.priority.label())
    });
    if zero > 0 {
        notes.push(match source {
            EffortSource::TimeWorked => format!(
                "{label}: {zero} ticket(s) with 0 h time worked left out of the effort fit (no time booked, or still untouched)"
            ),
            EffortSource::ResolutionUpperBound => format!(
                "{label}: {zero} ticket(s) with 0 business hours to resolution left out of the effort fit (opened and closed outside business hours)"
            ),
        });
    }
    if missing > 0 {
        notes.push(format!(
            "{label}: {missing} ticket(s) without time worked left out of the effort fit"
        ));
    }
    out
}

/// Fits the effort of one category, falling back to the pooled sample of its priority and
/// then of the whole export when its own sample cannot be fitted. `None` if nothing can.
#[allow(clippy::too_many_arguments)]
fn estimate_effort<'a>(
    id: &str,
    priority: Priority,
    own: &[Obs],
    all: &[Vec<Obs>],
    keys: impl Iterator<Item = &'a (Priority, String)>,
    source: EffortSource,
    opts: &EstimateOptions,
    notes: &mut Vec<String>,
) -> Option<EffortFit> {
    let keys: Vec<&(Priority, String)> = keys.collect();
    let sample: Vec<Obs> = match check_sample(own) {
        Ok(()) => own.to_vec(),
        Err(why) => {
            let pool: Vec<Obs> = keys
                .iter()
                .zip(all)
                .filter(|(k, _)| k.0 == priority)
                .flat_map(|(_, s)| s.iter().copied())
                .collect();
            if check_sample(&pool).is_ok() {
                notes.push(format!(
                    "{id}: {why}; its effort is fitted to all {} tickets",
                    priority.label()
                ));
                pool
            } else {
                let pool: Vec<Obs> = all.iter().flatten().copied().collect();
                check_sample(&pool).ok()?;
                notes.push(format!(
                    "{id}: {why}, as for all {} tickets; its effort is fitted to all tickets of the export",
                    priority.label()
                ));
                pool
            }
        }
    };
    let fits = fit_all(&sample);
    let chosen = choose(&fits);
    let data: Vec<(f64, bool)> = sample.iter().map(|o| (o.value, o.censored)).collect();
    let censored = sample.iter().filter(|o| o.censored).count() as u64;
    let candidates = fits.iter().map(|f| f.0.clone()).collect();
    let fallback = |notes: &mut Vec<String>, why: String| {
        let (dist, tail) = empirical(&sample)?;
        Dist::new(&dist).ok()?;
        notes.push(format!(
            "{id}: {why}; its effort uses the empirical distribution"
        ));
        if tail {
            notes.push(format!(
                "{id}: tickets still open beyond the longest closed one: the empirical tail is cut at the largest observation (a lower bound)"
            ));
        }
        Some((Family::Empirical, None, dist))
    };
    let (family, gof, dist) = match chosen {
        None => fallback(notes, "no family could be fitted".to_owned())?,
        Some(i) => {
            let (ff, fitted) = &fits[i];
            // The test runs on a systematic subsample of at most GOF_MAX tickets (every
            // k-th in creation order, so old and recent, closed and open alike), refitted.
            let test: Vec<Obs> = if sample.len() > GOF_MAX {
                (0..GOF_MAX)
                    .map(|j| sample[j * sample.len() / GOF_MAX])
                    .collect()
            } else {
                sample.clone()
            };
            let refit = fit(ff.family, &test, Some(fitted)).unwrap_or(*fitted);
            let value = ks_km(&test, &refit);
            let mut rng = rng::stream(opts.seed, 0, Purpose::CalibrationBootstrap, id);
            let p_value = bootstrap_p(&test, fitted, value, opts.bootstrap, &mut rng);
            let spec = fitted.spec();
            if p_value < P_THRESHOLD {
                fallback(
                    notes,
                    format!(
                        "best family {:?} rejected ({STATISTIC} D = {value:.4}, bootstrap p = {p_value:.3} < {P_THRESHOLD})",
                        ff.family
                    ),
                )?
            } else if Dist::new(&spec).is_err() {
                fallback(
                    notes,
                    format!("the fitted {:?} cannot be sampled", ff.family),
                )?
            } else {
                (
                    ff.family,
                    Some(GoodnessOfFit {
                        statistic: STATISTIC,
                        value,
                        p_value,
                        bootstrap: opts.bootstrap,
                    }),
                    spec,
                )
            }
        }
    };
    Some(EffortFit {
        source,
        n: sample.len() as u64,
        censored,
        candidates,
        chosen: family,
        gof,
        dist,
        data,
    })
}

/// Tickets per calendar day of the period, and per weekday and hour of creation.
fn daily_and_hourly(export: &Export, period: &Period) -> (Vec<(NaiveDate, u32)>, [[u32; 24]; 7]) {
    let first = export.observed_from.date();
    let last = period
        .calendar
        .date_of_day(SimTime(period.until.0 - 1).day());
    let days = (last - first).num_days().max(0) as usize + 1;
    let mut counts = vec![0u32; days];
    let mut how = [[0u32; 24]; 7];
    for t in &export.tickets {
        let i = (t.created.date() - first).num_days() as usize;
        counts[i] += 1;
        let wd = t.created.weekday().num_days_from_monday() as usize;
        how[wd][t.created.hour() as usize] += 1;
    }
    let daily = counts
        .into_iter()
        .enumerate()
        .map(|(i, c)| (first + chrono::Duration::days(i as i64), c))
        .collect();
    (daily, how)
}

/// Index of dispersion of the counts per full business day (business categories counted at
/// their next opening) around the pooled weekday × month profile, with its 95 % range under
/// Poisson counts from a parametric simulation (exact for small daily means, where the
/// χ² approximation is not).
fn dispersion(
    mapped: &[SimTime],
    period: &Period,
    opts: &EstimateOptions,
    source: &str,
) -> Result<Dispersion, EstimateError> {
    let cal = &period.calendar;
    let (d0, d1) = (
        period.from.day() + i64::from(period.from.0 % DAY != 0),
        period.until.day(),
    );
    // Full business days: open on that weekday and no holiday, wholly inside the period.
    let days: Vec<i64> = (d0..d1)
        .filter(|&d| {
            period
                .business
                .measure_between(SimTime::day_start(d), SimTime::day_start(d + 1))
                > 0
        })
        .collect();
    let mut x = vec![0.0; days.len()];
    for &t in mapped {
        if let Ok(i) = days.binary_search(&t.day()) {
            x[i] += 1.0;
        }
    }
    let cell: Vec<(usize, usize)> = days
        .iter()
        .map(|&d| (cal.weekday_index(d), cal.date_of_day(d).month0() as usize))
        .collect();
    let fit = |x: &[f64]| {
        let mut counts = [[0.0; 12]; 7];
        let mut e = [[0.0; 12]; 7];
        for (&(d, m), &v) in cell.iter().zip(x) {
            counts[d][m] += v;
            e[d][m] += 1.0;
        }
        fit_profile(&counts, &e, &[true; 12], true, &[1.0; 7])
    };
    // Pearson's X² over the days, per degree of freedom: variance / mean when the expected
    // count is the same every day.
    let index = |x: &[f64]| -> Option<f64> {
        let profile = fit(x);
        let mut chi2 = 0.0;
        let mut k = 0u32;
        for (&(d, m), &v) in cell.iter().zip(x) {
            let mu = profile.rate * profile.weekday[d] * profile.month[m];
            if mu > 0.0 {
                chi2 += (v - mu) * (v - mu) / mu;
                k += 1;
            }
        }
        let p = profile.parameters;
        (k > p).then(|| chi2 / f64::from(k - p))
    };
    let parameters = fit(&x);
    let Some(observed) = index(&x) else {
        return Err(EstimateError::TooShort {
            file: source.to_owned(),
            days: days.len() as u32,
            parameters: parameters.parameters,
        });
    };
    // Simulate Poisson days at the fitted means, refit, recompute.
    let mu: Vec<f64> = cell
        .iter()
        .map(|&(d, m)| parameters.rate * parameters.weekday[d] * parameters.month[m])
        .collect();
    let mut rng = rng::stream(opts.seed, 0, Purpose::CalibrationBootstrap, "dispersion");
    let sims = opts.bootstrap.max(999);
    let mut sim_x = vec![0.0; mu.len()];
    let mut values = Vec::with_capacity(sims as usize);
    for _ in 0..sims {
        for (s, &m) in sim_x.iter_mut().zip(&mu) {
            *s = if m > 0.0 {
                Poisson::new(m).map_or(0.0, |p| p.sample(&mut rng))
            } else {
                0.0
            };
        }
        if let Some(v) = index(&sim_x) {
            values.push(v);
        }
    }
    values.sort_unstable_by(f64::total_cmp);
    let q = |p: f64| {
        let i = ((p * values.len() as f64).floor() as usize).min(values.len().saturating_sub(1));
        values.get(i).copied().unwrap_or(observed)
    };
    Ok(Dispersion {
        index: observed,
        poisson_ci: (q(0.025), q(0.975)),
        days: days.len() as u32,
    })
}
